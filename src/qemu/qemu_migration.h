/*
 * qemu_migration.h: what blocks live migration of a domain in QEMU 7.2
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "domain_conf.h"

typedef enum {
    /* From the start: QEMU registers the blocker (or an unmigratable
     * device state) when the device is realized, so 'qemu -only-migratable'
     * refuses to start the domain at all. */
    PP_QEMU_MIGRATION_BLOCKS_ALWAYS,
    /* Only once the guest uses the device in a certain way. */
    PP_QEMU_MIGRATION_BLOCKS_IN_USE,

    PP_QEMU_MIGRATION_BLOCKS_LAST
} PpQemuMigrationBlocks;

typedef struct {
    const PpDeviceDef *dev;       /* (transfer none) the device */
    const char *driver;           /* the QEMU device that blocks */
    PpQemuMigrationBlocks when;
    const char *why;              /* translated: QEMU's reason and the fix, if any */
    gboolean measured;            /* TRUE: seen in QEMU 7.2 here (-only-migratable), FALSE: from its source */
} PpQemuMigrationBlocker;

/**
 * ppQemuDomainMigrationBlockers:
 * @def: a parsed (planned or not) domain
 *
 * The devices of @def that QEMU 7.2, started by libvirt 9.0, refuses to
 * migrate live, in document order. The facts and how each was measured
 * are in docs/qemu-facts.md ("Migration blockers").
 *
 * Returns: (transfer full) a GArray of PpQemuMigrationBlocker, maybe empty.
 */
GArray *ppQemuDomainMigrationBlockers(const PpDomainDef *def);
