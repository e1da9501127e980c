/*
 * qemu_guest_io.h: which PCI bridges a Linux guest leaves without an I/O
 * window
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "domain_conf.h"
#include "qemu_domain_address.h"

/* What the guest kernel will do with the I/O windows of a planned domain. */
typedef struct {
    /* Who assigns first: "SeaBIOS", "OVMF", "AAVMF", or "none" for a
     * direct kernel boot without firmware (aarch64 -kernel). */
    const char *firmware;
    guint wanted;    /* bridges the guest kernel wants an I/O window for */
    guint budget;    /* 4 KiB I/O windows the root bus has room for; an
                      * expander bus only gets what its devices use */
    /* PpDeviceDef (transfer none, owned by the domain): the bridges the
     * kernel logs 'bridge window [io ...]: failed to assign' for, and the
     * bridges among them left without an I/O window once it is done. */
    GPtrArray *logged;
    GPtrArray *unassigned;
    /* Those of @unassigned whose devices have I/O BARs: these devices
     * lose them (only without firmware, where Linux assigns everything,
     * when such a port comes after ~15 I/O-free ones in address order). */
    GPtrArray *starved;
} PpQemuGuestIO;

void ppQemuGuestIOClear(PpQemuGuestIO *io);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(PpQemuGuestIO, ppQemuGuestIOClear);

/**
 * ppQemuPredictIOWindowFailures:
 * @def: (transfer none) a planned domain (every PCI device addressed)
 * @plan: (transfer none) (nullable) its plan, or NULL for a domain that
 *        libvirt addressed
 * @ret: (out caller-allocates) the prediction; clear it with
 *       ppQemuGuestIOClear()
 *
 * Linux reserves a 4 KiB I/O window for hot-plug on every hot-pluggable
 * PCIe port, with or without io-reserve=0 (which only the firmware
 * reads), and the x86 and aarch64 I/O spaces hold about 15 of them. The
 * ports that get none are I/O-free and keep working, for PCIe devices;
 * this says which ones, as measured with Debian 12's kernel 6.1 on QEMU
 * 7.2 (docs/guest-truth.md), so that `explain` can warn about it and the
 * guest tests can check every failure the guest logs.
 */
void ppQemuPredictIOWindowFailures(const PpDomainDef *def,
                                   const PpPlan *plan,
                                   PpQemuGuestIO *ret);
