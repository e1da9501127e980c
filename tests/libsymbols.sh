#!/bin/sh
# The library's exported symbols (issue 13): every one carries a version
# from src/virt-pciplan/libvirt-pciplan.syms; the public node holds
# exactly the functions the public headers declare, and the private one
# only the internals' pp* names.
# Usage: libsymbols.sh LIBRARY.so SRCDIR-OF-THE-HEADERS
set -eu
lib=$1
src=$2
n=0
fail=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); echo "not ok $n - $1"; fail=1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# name@@VERSION for every defined dynamic symbol, less the version nodes.
nm -D --defined-only "$lib" | awk '{print $3}' | grep -v '^VIRT_PCIPLAN' > "$tmp/all"
if grep -v '@@VIRT_PCIPLAN_' "$tmp/all" > "$tmp/unversioned"; then
    notok "unversioned exports: $(tr '\n' ' ' < "$tmp/unversioned")"
else
    ok "every export is versioned ($(wc -l < "$tmp/all") symbols)"
fi

sed -n 's/@@VIRT_PCIPLAN_[0-9.]*$//p' "$tmp/all" | sort > "$tmp/public"
# The functions the public headers declare: name( at the start of a
# declaration, after the return type.
cat "$src"/virt-pciplan-*.h | sed -n 's/^[A-Za-z].*[ *]\(virt_pciplan_[a-z_]*\)(.*/\1/p' > "$tmp/declared"
# G_DECLARE_FINAL_TYPE declares each type's get_type().
sed -n 's/^G_DECLARE_FINAL_TYPE([A-Za-z]*, *\([a-z_]*\),.*/\1_get_type/p' "$src"/virt-pciplan-*.h >> "$tmp/declared"
sort -o "$tmp/declared" "$tmp/declared"
if diff -u "$tmp/declared" "$tmp/public" > "$tmp/diff"; then
    ok "VIRT_PCIPLAN_0.1.0 exports exactly the $(wc -l < "$tmp/public") functions of the public headers"
else
    notok "the public node and the headers differ (- headers, + exports):"
    sed 's/^/# /' "$tmp/diff"
fi

if sed -n 's/@@VIRT_PCIPLAN_PRIVATE_[0-9.]*$//p' "$tmp/all" | grep -v '^pp' > "$tmp/odd"; then
    notok "private exports not named pp*: $(tr '\n' ' ' < "$tmp/odd")"
else
    ok "the private node holds only pp* internals"
fi
echo "1..$n"
exit $fail
