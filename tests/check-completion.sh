#!/bin/bash
#
# check-completion.sh TOOL SCRIPT: the bash completion SCRIPT knows every
# command and option TOOL's --help lists, and completes commands, option
# values and domain names (from 'virsh list', here a stand-in virsh on
# PATH that prints two names and the URI it was given).
#
# Needs bash-completion's /usr/share/bash-completion/bash_completion
# (package bash-completion): missing, the test is skipped with the
# reason (exit 77), or fails when CI is set.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

set -u
tool=${1:?usage: check-completion.sh TOOL SCRIPT}
script=${2:?usage: check-completion.sh TOOL SCRIPT}
lib=/usr/share/bash-completion/bash_completion
if [ ! -r "$lib" ]; then
    echo "bash-completion is not installed ($lib)"
    [ -n "${CI:-}" ] && exit 1
    exit 77
fi
# bash_completion expects an interactive-ish shell; it does not need one
. "$lib"
. "$script"
export LC_ALL=C
fail=0

# complete WORD...: COMPREPLY for the last word, one per line, sorted
complete_words() {
    COMP_WORDS=(virt-pciplan "$@")
    COMP_CWORD=$#
    COMP_LINE="virt-pciplan $*"
    COMP_POINT=${#COMP_LINE}
    COMPREPLY=()
    _virt_pciplan
    printf '%s\n' "${COMPREPLY[@]}" | sort
}

expect() {
    local what=$1 got=$2 want=$3
    if [ "$got" != "$want" ]; then
        echo "not ok: $what: got [$(echo $got)], want [$(echo $want)]"
        fail=1
    fi
}

commands=$("$tool" --help | sed -n '/^Commands:/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p' | sort)
expect "commands" "$(complete_words "" | grep -v '^-')" "$commands"
expect "commands after --quiet" "$(complete_words --quiet "" | grep -v '^-')" "$commands"
for cmd in $commands; do
    want=$("$tool" "$cmd" --help | sed -n 's/^  \(-[a-zA-Z], \)\{0,1\}\(--[a-z][a-z-]*\).*/\2/p' | sort)
    expect "options of $cmd" "$(complete_words "$cmd" --)" "$want"
done

expect "--format" "$(complete_words explain --format "")" "$(printf 'dot\njson\ntext')"
expect "--io-reserve" "$(complete_words plan --io-reserve "")" "$(printf 'always\nauto\nnever')"

# domain names through a stand-in virsh that echoes the URI it was given
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat >"$tmp/virsh" <<'VIRSH'
#!/bin/sh
# virsh -q -c URI list --all --name
echo "guest-one"
echo "guest-two"
echo "uri=$3"
VIRSH
chmod +x "$tmp/virsh"
PATH="$tmp:$PATH"
expect "attach domains" "$(complete_words attach -c qemu:///system "")" \
    "$(printf 'guest-one\nguest-two\nuri=qemu:///system')"
XDG_STATE_HOME=/state
expect "attach default URI" "$(complete_words attach "guest-")" "$(printf 'guest-one\nguest-two')"
expect "attach default URI" "$(complete_words attach "uri=")" \
    "uri=qemu:///embed?root=/state/virt-pciplan/embed"

[ $fail -eq 0 ] && echo "the completion knows every command and option"
exit $fail
