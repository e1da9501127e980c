/*
 * domain_place.h: put devices on buses, growing controller chains on demand
 *
 * The passes of a plan are collect (buses from the domain's controllers,
 * explicit addresses reserved), size (how many ports and legacy slots are
 * still needed), place (every device, growing chains), verify. The caller
 * (src/qemu) decides each device's connect type; this module decides where.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "domain_addr.h"

/* The machine facts placement needs, given as data by src/qemu. */
typedef struct {
    gboolean pcie;              /* root bus is pcie-root */
    guint rootMaxAutoSlot;      /* last root-bus slot to fill */
    gboolean allowGrowth;       /* FALSE: add no controller (live hot-plug) */
    gboolean pcieToPCIBridge;   /* the machine has pcie-to-pci-bridge */
} PpPlacePolicy;

typedef struct _PpPlacer PpPlacer;

/* Why a controller was added: (transfer none) device + reason. */
typedef void (*PpPlacerAddedFunc)(PpDeviceDef *dev, char *reason, gpointer opaque);

PpPlacer *ppPlacerNew(PpDomainDef *def,
                      const PpPlacePolicy *policy,
                      PpPlacerAddedFunc added,
                      gpointer opaque);
void ppPlacerFree(PpPlacer *placer);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PpPlacer, ppPlacerFree);

/* collect */
gboolean ppPlacerCollectControllers(PpPlacer *placer, GError **error);
void ppPlacerReserveChipset(PpPlacer *placer, guint slot, guint function);
gboolean ppPlacerReserveExplicit(PpPlacer *placer,
                                 PpDeviceDef *dev,
                                 PpPCIConnectFlags flags,
                                 GError **error);
void ppPlacerCollectDone(PpPlacer *placer);

/* size: one call per device still to be placed, before any placement */
void ppPlacerSizeEndpoint(PpPlacer *placer, PpDeviceDef *dev, PpPCIConnectFlags flags);
void ppPlacerSizeSpares(PpPlacer *placer, guint spares);

/* place */
/* Put @dev at root-bus @slot.@function if free; FALSE (no error) if taken. */
gboolean ppPlacerPlaceAt(PpPlacer *placer, PpDeviceDef *dev, guint slot, guint function);
gboolean ppPlacerPlaceGroup(PpPlacer *placer,
                            PpDeviceDef **devs,
                            const guint *functions,
                            guint ndevs,
                            const guint *rootSlots,
                            guint nrootSlots,
                            GError **error);
void ppPlacerAssignChipset(PpPlacer *placer, PpDeviceDef *dev, guint slot, guint function);
gboolean ppPlacerPlaceController(PpPlacer *placer, PpDeviceDef *dev, GError **error);
gboolean ppPlacerPlaceEndpoint(PpPlacer *placer,
                               PpDeviceDef *dev,
                               PpPCIConnectFlags flags,
                               GError **error);
gboolean ppPlacerAddSpares(PpPlacer *placer, guint spares, GError **error);

/* verify and finish: multifunction flags, counts */
gboolean ppPlacerFinish(PpPlacer *placer, GError **error);
/* Devices without hints that got a slot of a conventional PCI bridge
 * instead of the PCIe port they prefer, because the bus numbers ran out.
 * (transfer none) PpDeviceDef *, owned by the domain. */
const GPtrArray *ppPlacerGetDegraded(const PpPlacer *placer);
/* Leave @spares free hot-pluggable conventional PCI slots, adding bridges. */
gboolean ppPlacerAddSpareSlots(PpPlacer *placer, guint spares, GError **error);
guint ppPlacerCountBuses(const PpPlacer *placer);
guint ppPlacerCountEmptyPorts(const PpPlacer *placer);
