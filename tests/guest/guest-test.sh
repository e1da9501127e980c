#!/bin/sh
#
# guest-test.sh: the 'guest' test: set the machine up, build the guest
# images, then run guesttest (TAP on stdout).
#
#   guest-test.sh IMAGEDIR GUESTTEST [ARGS...]
#
# IMAGEDIR caches the downloaded packages and the built images between
# runs (build-guest.sh). Set-up done here, as root: the libvirt-qemu user
# libvirt's embedded QEMU driver looks up, and dpkg's arm64 architecture
# for the aarch64 packages. A step that fails is a TAP "Bail out!": the
# test fails, it is never skipped.
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
    [ "$(id -u)" -eq 0 ] || bail "the user libvirt-qemu is missing: run .ci/setup-libvirt.sh as root"
    getent group libvirt-qemu >/dev/null || groupadd --system libvirt-qemu ||
        bail "groupadd libvirt-qemu failed"
    getent passwd libvirt-qemu >/dev/null ||
        useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin \
            -g libvirt-qemu libvirt-qemu || bail "useradd libvirt-qemu failed"
fi

# build-guest.sh reports on stderr; stdout is TAP
sh "$srcdir/build-guest.sh" "$imagedir" 1>&2 ||
    bail "building the guest images failed (build-guest.sh $imagedir; see its errors above)"
[ -s "$imagedir/guest.env" ] || bail "build-guest.sh wrote no $imagedir/guest.env"

set -a
. "$imagedir/guest.env"
set +a
exec "$exe" "$@"
