#!/bin/sh
# What the installed programs load (issue 13): virt-pciplan itself must
# not link libvirt or libvirt-qemu, neither in its NEEDED entries nor
# through them at run time (the loader's own list, LD_DEBUG=files, while
# it plans a domain); virt-pciplan-libvirt links libvirt but not
# libvirt-qemu, which no installed command uses.
# Usage: toolneeded.sh VIRT-PCIPLAN VIRT-PCIPLAN-LIBVIRT DOMAIN.xml
set -eu
tool=$1
helper=$2
xml=$3
n=0
fail=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); echo "not ok $n - $1"; fail=1; }

needed() { readelf -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'; }
# libvirt's own libraries; not libvirt-pciplan, the planner's.
libvirt_re='^libvirt(-qemu|-lxc|-admin)?\.so'

tool_needed=$(needed "$tool")
[ -n "$tool_needed" ] || notok "readelf lists no NEEDED entry for $tool"
if echo "$tool_needed" | grep -Eq "$libvirt_re"; then
    notok "virt-pciplan NEEDs $(echo "$tool_needed" | grep -E "$libvirt_re" | tr '\n' ' ')"
else
    ok "virt-pciplan NEEDs no libvirt: $(echo "$tool_needed" | tr '\n' ' ')"
fi

loaded=$(LD_DEBUG=files "$tool" plan "$xml" 2>&1 >/dev/null | sed -n 's/.*file=\([^ ]*\).*\[0\];  *needed by.*/\1/p' | sort -u)
if [ -z "$loaded" ]; then
    notok "LD_DEBUG=files showed no library loaded by 'virt-pciplan plan'"
elif echo "$loaded" | grep -Eq "$libvirt_re"; then
    notok "'virt-pciplan plan' loads $(echo "$loaded" | grep -E "$libvirt_re" | tr '\n' ' ')"
else
    ok "'virt-pciplan plan' loads $(echo "$loaded" | wc -l) libraries, no libvirt"
fi

helper_needed=$(needed "$helper")
if echo "$helper_needed" | grep -Eq '^libvirt\.so'; then
    ok "virt-pciplan-libvirt NEEDs libvirt.so"
else
    notok "virt-pciplan-libvirt does not NEED libvirt.so: $(echo "$helper_needed" | tr '\n' ' ')"
fi
if echo "$helper_needed" | grep -q '^libvirt-qemu'; then
    notok "virt-pciplan-libvirt NEEDs libvirt-qemu, which no installed command uses"
else
    ok "virt-pciplan-libvirt does not NEED libvirt-qemu"
fi
echo "1..$n"
exit $fail
