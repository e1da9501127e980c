#!/bin/sh
#
# guest-test.sh: the 'guest' test: set the machine up, build the guest
# images, then run guesttest (TAP on stdout).
#
#   guest-test.sh IMAGEDIR GUESTTEST [ARGS...]
#
# IMAGEDIR holds the guest kernels and initramfs, prepared beforehand by
# `ninja -C BUILDDIR guest-images` (build-guest.sh, which downloads
# Debian packages and may need root; scripts/quickstart test does it).
# The test itself installs and downloads nothing: it only refreshes the
# initramfs from the cached packages when init.sh changed. Images not
# prepared: the test is skipped with the reason, or fails when the
# environment variable CI is set. Any other missing piece (the
# libvirt-qemu user: .ci/setup-libvirt.sh) is a TAP "Bail out!".
#
# SPDX-License-Identifier: LGPL-2.1-or-later

set -u

srcdir=$(cd "$(dirname "$0")" && pwd)
imagedir=${1:?usage: guest-test.sh IMAGEDIR GUESTTEST [ARGS...]}
exe=${2:?usage: guest-test.sh IMAGEDIR GUESTTEST [ARGS...]}
shift 2

bail() {
    echo "Bail out! $*"
    exit 1
}

# libvirt 9.0 looks this user up before it reads the embed root's qemu.conf
if ! getent passwd libvirt-qemu >/dev/null || ! getent group libvirt-qemu >/dev/null; then
    bail "the user libvirt-qemu is missing: run .ci/setup-libvirt.sh as root"
fi

if [ ! -s "$imagedir/debs/manifest" ]; then
    why="guest images not prepared in $imagedir: run 'ninja -C BUILDDIR guest-images' (or scripts/quickstart test)"
    [ -z "${CI:-}" ] || bail "$why"
    echo "1..0 # SKIP $why"
    exit 0
fi

# build-guest.sh reports on stderr; stdout is TAP
sh "$srcdir/build-guest.sh" --offline "$imagedir" 1>&2 ||
    bail "refreshing the guest images failed (build-guest.sh --offline $imagedir; see its errors above)"
[ -s "$imagedir/guest.env" ] || bail "build-guest.sh wrote no $imagedir/guest.env"

set -a
. "$imagedir/guest.env"
set +a
exec "$exe" "$@"
