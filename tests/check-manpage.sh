#!/bin/sh
#
# check-manpage.sh TOOL RST: the manual page documents what the program
# has: every command of 'TOOL --help', every option of each command's
# --help, every exit status, and every hint attribute and value the
# schema docs/virt-pciplan-hints.rng allows (when given as third argument).
#
# SPDX-License-Identifier: LGPL-2.1-or-later

set -u
tool=${1:?usage: check-manpage.sh TOOL RST [SCHEMA]}
rst=${2:?usage: check-manpage.sh TOOL RST [SCHEMA]}
schema=${3:-}
fail=0

missing() {
    echo "virt-pciplan.rst lacks $*" >&2
    fail=1
}

LC_ALL=C
export LC_ALL
commands=$("$tool" --help | sed -n '/^Commands:/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p')
[ -n "$commands" ] || { echo "no commands in '$tool --help'" >&2; exit 1; }
for cmd in $commands; do
    grep -q "^\*\*$cmd\*\* " "$rst" || missing "a COMMANDS entry for '$cmd'"
    opts=$("$tool" "$cmd" --help | sed -n 's/^  \(-[a-zA-Z], \)\{0,1\}\(--[a-z][a-z-]*\).*/\2/p')
    for opt in $opts; do
        grep -q "^\*\*$opt\*\*\|, \*\*$opt\*\*" "$rst" || missing "an OPTIONS entry for '$opt' ($cmd)"
    done
    shorts=$("$tool" "$cmd" --help | sed -n 's/^  \(-[a-zA-Z]\), --.*/\1/p')
    for opt in $shorts; do
        grep -q "^\*\*$opt\*\*" "$rst" || missing "an OPTIONS entry for '$opt' ($cmd)"
    done
done
for status in 0 1 2 3 4 5; do
    sed -n '/^EXIT STATUS/,/^ENVIRONMENT/p' "$rst" | grep -q "^\*\*$status\*\*$" ||
        missing "exit status $status"
done
if [ -n "$schema" ]; then
    for word in $(sed -n 's/.*<attribute name="\([A-Za-z]*\)".*/\1/p; s/.*<value>\([a-z-]*\)<\/value>.*/\1/p' \
                  "$schema" | sort -u); do
        case $word in
        alias|yes|no) continue ;;
        esac
        grep -q "$word" "$rst" || missing "the hint word '$word' of $schema"
    done
fi
[ $fail -eq 0 ] && echo "virt-pciplan.rst documents every command, option and exit status"
exit $fail
