#!/bin/busybox sh
#
# init.sh: /init of the guest initramfs built by build-guest.sh
#
# Lists every PCI function the guest kernel found and the kernel's
# resource-assignment complaints on the serial console, then powers off.
# guesttest.c parses the lines that start with PPGUEST-:
#   PPGUEST-BEGIN <arch> <kernel release>
#   PPGUEST-PCI <addr> <vendor>:<device> <class> <sysfs path> [<res>...]
#       sysfs path: the function's directory under /sys/devices, so the
#       chain of parent bridges is in it (pci0000:00/0000:00:02.0/0000:01:00.0);
#       res: idx:start-end:flags for each resource with flags set, as in
#       the function's sysfs 'resource' file (13-15: bridge windows)
#   PPGUEST-DMESG <kernel log line>   (no space, failed to assign, can't ...)
#   PPGUEST-IOPORTS <line of /proc/ioports>
#   PPGUEST-END <number of PCI functions>
# With pphold=N on the kernel command line the guest does not power off
# after PPGUEST-END: for N seconds it reports functions that appear
# (hot-plug) as PPGUEST-HOT lines, in the format of PPGUEST-PCI, and new
# complaints as PPGUEST-DMESG, then prints PPGUEST-HOLD-END and powers off.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

/bin/busybox mkdir -p /proc /sys /dev /sbin /usr/bin /usr/sbin
/bin/busybox --install -s
export PATH=/bin:/sbin:/usr/bin:/usr/sbin

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null

# Strip the leading zeros of sysfs' 0x%016llx numbers.
short() {
    sed -e 's/0x0*\([0-9a-f]\)/0x\1/g'
}

# pci_line MARKER /sys/bus/pci/devices/ADDR
pci_line() {
    d=$2
    a=${d##*/}
    p=$(readlink -f "$d")
    p=${p#/sys/devices/}
    v=$(cat "$d/vendor")
    i=$(cat "$d/device")
    c=$(cat "$d/class")
    res=""
    n=0
    while read -r s e f; do
        case "$f" in
        0x0000000000000000 | "") ;;
        *) res="$res $n:$s-$e:$f" ;;
        esac
        n=$((n + 1))
    done <"$d/resource"
    echo "$1 $a ${v#0x}:${i#0x} ${c#0x} $p$res" | short
}

complaints() {
    dmesg | grep -E "no space|failed to assign|can't claim|can't assign"
}

echo "PPGUEST-BEGIN $(uname -m) $(uname -r)"
count=0
for d in /sys/bus/pci/devices/*; do
    [ -e "$d" ] || continue
    pci_line PPGUEST-PCI "$d"
    count=$((count + 1))
done
complaints | while read -r l; do echo "PPGUEST-DMESG $l"; done
while read -r l; do echo "PPGUEST-IOPORTS $l"; done </proc/ioports
hold=""
for arg in $(cat /proc/cmdline); do
    case "$arg" in
    pphold=*) hold=${arg#pphold=} ;;
    esac
done
# The functions present before PPGUEST-END: the host hot-plugs as soon as
# it reads that line, so a snapshot taken after it could already hold the
# first hot-plugged function, which would then never be reported.
seen=" $(ls /sys/bus/pci/devices | tr '\n' ' ')"
old=$(complaints | wc -l)
echo "PPGUEST-END $count"

if [ -n "$hold" ]; then
    t=0
    while [ "$t" -lt "$((hold * 2))" ]; do
        sleep 0.5
        t=$((t + 1))
        for d in /sys/bus/pci/devices/*; do
            a=${d##*/}
            case "$seen" in
            *" $a "*) continue ;;
            esac
            # pciehp may power-cycle the slot while the function appears:
            # report it once its sysfs directory is complete and stays
            sleep 0.5
            [ -r "$d/vendor" ] && [ -r "$d/resource" ] || continue
            pci_line PPGUEST-HOT "$d"
            seen="$seen$a "
        done
        new=$(complaints | wc -l)
        if [ "$new" -gt "$old" ]; then
            complaints | tail -n "$((new - old))" | while read -r l; do echo "PPGUEST-DMESG $l"; done
            old=$new
        fi
    done
    if grep -q ppdebug /proc/cmdline; then
        dmesg | while read -r l; do echo "PPGUEST-KLOG $l"; done
    fi
    echo "PPGUEST-HOLD-END"
fi
poweroff -f
