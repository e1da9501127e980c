#!/bin/sh
#
# setup-libvirt.sh: prepare a fresh Debian 12 machine (as root) for the
# tests that use libvirt's embedded QEMU driver (qemu:///embed?root=DIR).
#
# libvirt 9.0 looks up the user 'libvirt-qemu' before it reads the embed
# root's qemu.conf, so opening the driver fails with "Failed to parse user
# 'libvirt-qemu'" on a machine that lacks it. Debian's libvirt-daemon-system
# would create the user, but it also pulls in and starts the system daemons,
# which the tests do not want; creating the user directly is lighter.
#
# Safe to run more than once. Packages are installed elsewhere in CI.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

set -eu

if [ "$(id -u)" -ne 0 ]; then
    echo "setup-libvirt.sh: must be run as root" >&2
    exit 1
fi

if ! getent group libvirt-qemu >/dev/null; then
    groupadd --system libvirt-qemu
fi

if ! getent passwd libvirt-qemu >/dev/null; then
    useradd --system --no-create-home --home-dir /nonexistent \
        --shell /usr/sbin/nologin -g libvirt-qemu libvirt-qemu
fi
