#!/bin/sh
#
# build-guest.sh: build the test guests' kernels and initramfs from Debian
# packages, cached under OUTDIR (the meson build dir's tests/guest).
#
#   build-guest.sh [--offline] OUTDIR
#
# Writes OUTDIR/x86_64/{vmlinuz,initrd.gz} and OUTDIR/aarch64/{Image,initrd.gz}
# and OUTDIR/guest.env naming them. Packages come from the machine's apt
# sources only: linux-image-amd64 and busybox-static, and their arm64
# builds through dpkg multi-arch (dpkg --add-architecture arm64 once).
# A second run reuses the .deb files and rebuilds an initramfs only when
# init.sh changed. With --offline (what the test runs) apt and dpkg's
# configuration are never touched: only the cached packages are used.
# Every missing piece is an error (exit 1), never a skip.
# Progress goes to stderr: stdout belongs to the TAP stream of the test.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

set -eu

srcdir=$(cd "$(dirname "$0")" && pwd)
offline=""
if [ "${1:-}" = "--offline" ]; then
    offline=1
    shift
fi
out=${1:?usage: build-guest.sh [--offline] OUTDIR}
mkdir -p "$out/debs"
out=$(cd "$out" && pwd)

log() {
    echo "build-guest: $*" >&2
}

die() {
    echo "build-guest: error: $*" >&2
    exit 1
}

as_root() {
    [ "$(id -u)" -eq 0 ] || die "$* needs root (run the test as root, or run $0 as root once)"
}

updated=""
apt_update() {
    [ -z "$updated" ] || return 0
    as_root "apt-get update"
    log "apt-get update"
    apt-get update -q >&2 || die "apt-get update failed"
    updated=1
}

# The arm64 packages need dpkg's multi-arch list and apt lists for arm64.
ensure_arm64() {
    if ! dpkg --print-foreign-architectures | grep -qx arm64; then
        as_root "dpkg --add-architecture arm64"
        log "dpkg --add-architecture arm64"
        dpkg --add-architecture arm64
        apt_update
    fi
}

# The real package behind a meta-package (linux-image-amd64 ->
# linux-image-6.1.0-NN-amd64), or the package itself.
resolve() {
    dep=$(apt-cache depends "$1" 2>/dev/null |
          sed -n 's/^ *Depends: \(linux-image-[^ ]*\).*/\1/p' | head -n 1)
    if [ -z "$dep" ]; then
        apt-cache show "$1" >/dev/null 2>&1 || return 1
        dep=$1
    fi
    case "$1" in
    *:*) dep="${dep%%:*}:${1##*:}" ;;
    esac
    echo "$dep"
}

# download PKG[:ARCH] -> path of its .deb in $out/debs
download() {
    pkg=$(resolve "$1") || { apt_update; pkg=$(resolve "$1"); } ||
        die "no package $1 in the apt sources (apt-cache show $1)"
    name=${pkg%%:*}
    arch=${pkg##*:}
    [ "$arch" != "$pkg" ] || arch=$(dpkg --print-architecture)
    ver=$(apt-cache show "$pkg" 2>/dev/null | sed -n 's/^Version: //p' | head -n 1)
    [ -n "$ver" ] || die "no version of $pkg in the apt sources"
    # apt-get download names files NAME_VERSION_ARCH.deb, ':' escaped as %3a
    file="$out/debs/${name}_$(echo "$ver" | sed 's/:/%3a/g')_$arch.deb"
    if [ ! -s "$file" ]; then
        log "apt-get download $name=$ver ($arch)"
        (cd "$out/debs" && apt-get download -q "$name:$arch=$ver" >&2) ||
            die "apt-get download $name:$arch=$ver failed"
        [ -s "$file" ] || die "apt-get download did not write $file"
    fi
    echo "$file"
}

# kernel DEB DEST: the kernel image alone (the modules are not needed:
# pcieport, pciehp and shpchp are built in, and the PCI core fills
# /sys/bus/pci without any driver)
kernel() {
    if [ ! -s "$2" ] || [ "$1" -nt "$2" ]; then
        tmp=$(mktemp -d "$out/kernel.XXXXXX")
        dpkg-deb --fsys-tarfile "$1" | tar -x -C "$tmp" --wildcards './boot/vmlinuz-*' './boot/config-*' ||
            die "cannot extract the kernel from $1"
        for f in "$tmp"/boot/config-*; do
            for opt in CONFIG_PCIEPORTBUS CONFIG_HOTPLUG_PCI_PCIE CONFIG_HOTPLUG_PCI_SHPC \
                       CONFIG_BLK_DEV_INITRD CONFIG_RD_GZIP CONFIG_DEVTMPFS; do
                grep -qx "$opt=y" "$f" || die "$1: $opt is not built in"
            done
        done
        mv "$tmp"/boot/vmlinuz-* "$2.tmp"
        touch "$2.tmp" # tar kept the package's date: make it newer than the .deb
        mv "$2.tmp" "$2"
        rm -rf "$tmp"
    fi
}

# initrd BUSYBOX_DEB DEST: busybox and /init, as a gzip'd newc cpio made
# by the host's own busybox (cpio is not installed everywhere)
initrd() {
    stamp="$2.stamp"
    sum=$(cat "$srcdir/init.sh" "$srcdir/build-guest.sh" "$1" | md5sum | cut -d' ' -f1)
    if [ -s "$2" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$sum" ]; then
        return 0
    fi
    tmp=$(mktemp -d "$out/initrd.XXXXXX")
    dpkg -x "$1" "$tmp/deb" || die "cannot unpack $1"
    mkdir -p "$tmp/root/bin" "$tmp/root/dev" "$tmp/root/proc" "$tmp/root/sys"
    cp "$tmp/deb/bin/busybox" "$tmp/root/bin/busybox"
    ln -s busybox "$tmp/root/bin/sh"
    cp "$srcdir/init.sh" "$tmp/root/init"
    chmod 755 "$tmp/root/init" "$tmp/root/bin/busybox"
    if [ "$(id -u)" -eq 0 ]; then
        mknod "$tmp/root/dev/console" c 5 1
    fi
    (cd "$tmp/root" && find . | LC_ALL=C sort | "$hostbb" cpio -o -H newc >"$tmp/initrd.cpio") ||
        die "cannot build the cpio archive for $2"
    # a failed cpio leaves an archive without /init: check before use
    "$hostbb" cpio -t <"$tmp/initrd.cpio" 2>/dev/null | grep -qx init ||
        die "the cpio archive for $2 lacks /init"
    gzip -9n <"$tmp/initrd.cpio" >"$2.tmp" || die "cannot compress $2"
    mv "$2.tmp" "$2"
    echo "$sum" >"$stamp"
    rm -rf "$tmp"
}

for tool in apt-get apt-cache dpkg dpkg-deb tar gzip md5sum; do
    command -v "$tool" >/dev/null || die "$tool is missing"
done

# The packages once resolved and downloaded are reused without asking apt
# again (each apt-cache call costs over a second); delete
# OUTDIR/debs/manifest to take newer packages.
manifest="$out/debs/manifest"
if [ -s "$manifest" ]; then
    . "$manifest"
    for f in "$bb_amd64" "$bb_arm64" "$k_amd64" "$k_arm64"; do
        [ -s "$f" ] || { rm -f "$manifest"; break; }
    done
fi
if [ ! -s "$manifest" ]; then
    [ -z "$offline" ] || die "no cached packages in $out/debs: run build-guest.sh $out without --offline"
    ensure_arm64
    bb_amd64=$(download busybox-static:amd64)
    bb_arm64=$(download busybox-static:arm64)
    k_amd64=$(download linux-image-amd64:amd64)
    k_arm64=$(download linux-image-arm64:arm64)
    printf "bb_amd64='%s'\nbb_arm64='%s'\nk_amd64='%s'\nk_arm64='%s'\n" \
        "$bb_amd64" "$bb_arm64" "$k_amd64" "$k_arm64" >"$manifest.tmp"
    mv "$manifest.tmp" "$manifest"
fi

# The host's busybox-static (amd64) writes the cpio archives.
hostbb="$out/host/busybox"
if [ ! -x "$hostbb" ] || [ "$bb_amd64" -nt "$hostbb" ]; then
    tmp=$(mktemp -d "$out/bb.XXXXXX")
    dpkg -x "$bb_amd64" "$tmp"
    mkdir -p "$out/host"
    mv "$tmp/bin/busybox" "$hostbb"
    touch "$hostbb"
    rm -rf "$tmp"
fi

mkdir -p "$out/x86_64" "$out/aarch64"
kernel "$k_amd64" "$out/x86_64/vmlinuz"
kernel "$k_arm64" "$out/aarch64/Image"
initrd "$bb_amd64" "$out/x86_64/initrd.gz"
initrd "$bb_arm64" "$out/aarch64/initrd.gz"

cat >"$out/guest.env.tmp" <<ENV
PP_GUEST_X86_64_KERNEL='$out/x86_64/vmlinuz'
PP_GUEST_X86_64_INITRD='$out/x86_64/initrd.gz'
PP_GUEST_AARCH64_KERNEL='$out/aarch64/Image'
PP_GUEST_AARCH64_INITRD='$out/aarch64/initrd.gz'
ENV
mv "$out/guest.env.tmp" "$out/guest.env"
log "guests ready in $out"
