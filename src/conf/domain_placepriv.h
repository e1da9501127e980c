/*
 * domain_placepriv.h: the placer's state and the helpers its passes share
 *
 * domain_place.c owns the object and the collect and size passes,
 * domain_place_grow.c grows controller chains, domain_place_place.c places
 * devices, domain_place_finish.c verifies and numbers buses. Nothing
 * outside these files includes this header.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "domain_place.h"

typedef enum {
    PP_PLACE_CLASS_NONE,
    PP_PLACE_CLASS_INTEGRATED, /* root bus, packed */
    PP_PLACE_CLASS_PORT,       /* slot 0 of an empty hot-pluggable port */
    PP_PLACE_CLASS_COLD,       /* PCIe, needs no hot-plug */
    PP_PLACE_CLASS_LEGACY,     /* slot of a hot-pluggable conventional PCI bus */

    PP_PLACE_CLASS_LAST
} PpPlaceClass;

struct _PpPlacer {
    PpDomainDef *def;
    PpPlacePolicy policy;
    PpPlacerAddedFunc added;
    gpointer opaque;

    PpPCIAddressSet *set;
    PpPCIBus *root;
    int integratedCursor;    /* root-bus slot being filled with integrated endpoints */
    PpPCIBus *sharedPort;    /* port whose functions cold PCIe endpoints share */
    int sharedCursor;
    GQueue *legacy[PP_CONTROLLER_MODEL_LAST]; /* hot-pluggable PCI buses by model */
    GQueue *upstreams;       /* switch upstream ports that may have free slots */
    GHashTable *groups;      /* p2pGroup name (borrowed) -> its switch's upstream PpPCIBus */
    GHashTable *expanders;   /* NUMA node -> PpPCIBus of its expander bus */
    PpPCIBus *firstExpander; /* the lowest-index expander bus, or NULL */
    guint nextIndex;         /* first controller index not in use */
    guint8 chassisUsed[32];  /* bitmap of port chassis numbers */

    guint portDemand;        /* empty ports still to be consumed */
    gboolean sparing;        /* growing spare ports, not ports for a device */
    guint legacyDemand;      /* hot-pluggable PCI slots still to be consumed */
    guint coldDemand;        /* PCIe devices that need no hot-plug */
    guint rootColdDemand;    /* pc: PCI devices with hotpluggable='no', root bus or bridge */
    guint softLeft;          /* hint-less PORT devices still to be placed */
    guint softToLegacy;      /* how many of the last of them go to SHPC bridge slots */
    GPtrArray *degraded;     /* (transfer none) devices placed below their preference */
    gboolean coldShared;     /* they share ports, the root bus has no room for them */
};

/* domain_place.c: the chassis numbers in use, one bit each. */
gboolean ppPlacerChassisTest(const PpPlacer *placer, guint chassis);
void ppPlacerChassisMark(PpPlacer *placer, guint chassis);

/* domain_place.c: @dev (NULL: the chipset) owns root-bus @slot.@function. */
void ppPlacerChipsetOwn(PpPlacer *placer, guint slot, guint function, PpDeviceDef *dev);

/* domain_place.c: the upstream port of the switch whose downstream port
 * holds @dev, or NULL (not placed, or not below a switch). */
PpPCIBus *ppPlacerGroupSwitchOf(const PpPlacer *placer, const PpDeviceDef *dev);

/* domain_place.c: is @bus a pxb or pxb-pcie? */
gboolean ppPlacerIsExpander(const PpPCIBus *bus);

/* domain_place.c: which placement policy a device with @flags follows. */
/* domain_place.c: a device without hints that prefers a PCIe port but
 * also works on conventional PCI. */
gboolean ppPlacerIsSoft(const PpDeviceDef *dev, PpPCIConnectFlags flags);
/* domain_place.c: root-port functions left on the root bus, and the slot
 * the next root port of @bus joins (the port cursor). */
guint ppPlacerRootPortCapacity(PpPlacer *placer);
void ppPlacerResumePortSlot(PpPCIBus *bus);
/* domain_place.c: a pc device with hotpluggable='no' that may also go to a bridge. */
gboolean ppPlacerIsRootCold(const PpPlacer *placer, const PpDeviceDef *dev,
                            PpPCIConnectFlags flags);
PpPlaceClass ppPlacerClassify(const PpPlacer *placer, const PpDeviceDef *dev,
                              PpPCIConnectFlags flags);

/* domain_place_grow.c: are @need more bus numbers free? Else @error names @what. */
/* Are @need more bus numbers (and controller indexes) free? */
gboolean ppPlacerHasBusNumbers(const PpPlacer *placer, guint need);
gboolean ppPlacerCheckBusNumbers(const PpPlacer *placer, guint need, const char *what,
                                 GError **error);

/* domain_place_grow.c: add a controller of @model at @addr (already free on
 * its parent) and its bus. Returns: (transfer none) the new bus. */
PpPCIBus *ppPlacerAddController(PpPlacer *placer, PpPCIControllerModel model,
                                const PpPCIAddress *addr, gboolean aggregate, char *reason,
                                GError **error);

/* domain_place_grow.c: a root port on @parent, the root bus or an expander. */
PpPCIBus *ppPlacerAddRootPortOn(PpPlacer *placer, PpPCIBus *parent, const char *what,
                                GError **error);
/* domain_place_grow.c: a root port on the root bus. */
PpPCIBus *ppPlacerAddRootPort(PpPlacer *placer, const char *what, GError **error);
/* domain_place_grow.c: a downstream port on a switch with a free slot, or NULL. */
PpPCIBus *ppPlacerAddDownstreamPort(PpPlacer *placer, const char *what, GError **error);
/* domain_place_grow.c: a root port with a switch upstream port behind it. */
PpPCIBus *ppPlacerAddSwitch(PpPlacer *placer, const char *what, char *reason, GError **error);
/* domain_place_grow.c: a new empty hot-pluggable port, root ports first. */
PpPCIBus *ppPlacerGrowPort(PpPlacer *placer, const char *what, GError **error);
/* domain_place_grow.c: an empty hot-pluggable port, from the queues or grown. */
PpPCIBus *ppPlacerTakePort(PpPlacer *placer, const char *what, int maxIndex, GError **error);

/* domain_place_grow.c: the first bus of @model's queue with a free slot, or NULL. */
/* The conventional PCI bus a new device goes to, in policy order, or NULL. */
PpPCIBus *ppPlacerLegacyCurrent(PpPlacer *placer);
PpPCIBus *ppPlacerLegacyHead(PpPlacer *placer, PpPCIControllerModel model);
/* domain_place_grow.c: the first conventional PCI bus of a PCIe machine. */
PpPCIBus *ppPlacerAddPCIToPCIeBridge(PpPlacer *placer, const char *what, GError **error);
/* domain_place_grow.c: a slot for a hot-pluggable conventional PCI device,
 * keeping the last one for a pci-bridge while more devices wait. */
gboolean ppPlacerTakeLegacySlot(PpPlacer *placer, const char *what, PpPCIAddress *ret,
                                GError **error);
