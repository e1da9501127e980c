/*
 * domain_addr.h: PCI address sets, placement cursors and controller-chain growth
 *
 * Hypervisor-neutral: which device needs which connect type, and which
 * root-bus slots a chipset owns, come from src/qemu as data.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "domain_conf.h"

/*
 * What a bus accepts, and what a device needs. The type bits follow
 * libvirt's virDomainPCIConnectFlags so that its people recognise them.
 */
typedef enum {
    /* bus: devices may be hot-plugged into it; device: must stay hot-pluggable */
    PP_PCI_CONNECT_HOTPLUGGABLE = 1 << 0,
    /* bus: the planner may put devices here without being asked */
    PP_PCI_CONNECT_AUTOASSIGN = 1 << 1,
    /* device: must sit on the root bus (pvpanic-pci, virtio-iommu) */
    PP_PCI_CONNECT_INTEGRATED = 1 << 2,
    /* device: may share a slot with up to 7 others, one per function */
    PP_PCI_CONNECT_AGGREGATE_SLOT = 1 << 3,

    PP_PCI_CONNECT_TYPE_PCI_DEVICE = 1 << 4,
    PP_PCI_CONNECT_TYPE_PCIE_DEVICE = 1 << 5,
    PP_PCI_CONNECT_TYPE_PCIE_ROOT_PORT = 1 << 6,
    PP_PCI_CONNECT_TYPE_PCIE_SWITCH_UPSTREAM_PORT = 1 << 7,
    PP_PCI_CONNECT_TYPE_PCIE_SWITCH_DOWNSTREAM_PORT = 1 << 8,
    PP_PCI_CONNECT_TYPE_DMI_TO_PCI_BRIDGE = 1 << 9,
    PP_PCI_CONNECT_TYPE_PCI_EXPANDER_BUS = 1 << 10,
    PP_PCI_CONNECT_TYPE_PCIE_EXPANDER_BUS = 1 << 11,
    PP_PCI_CONNECT_TYPE_PCI_BRIDGE = 1 << 12,
    PP_PCI_CONNECT_TYPE_PCIE_TO_PCI_BRIDGE = 1 << 13,
    /* device: a PCIe endpoint that also works on conventional PCI, where
     * QEMU makes it transitional (a virtio device, with an I/O BAR) */
    PP_PCI_CONNECT_ALSO_PCI = 1 << 14,
} PpPCIConnectFlags;

/* Every type bit: a device or bus with none of these takes no PCI slot. */
#define PP_PCI_CONNECT_TYPES_MASK \
    (PP_PCI_CONNECT_TYPE_PCI_DEVICE | PP_PCI_CONNECT_TYPE_PCIE_DEVICE | \
     PP_PCI_CONNECT_TYPE_PCIE_ROOT_PORT | PP_PCI_CONNECT_TYPE_PCIE_SWITCH_UPSTREAM_PORT | \
     PP_PCI_CONNECT_TYPE_PCIE_SWITCH_DOWNSTREAM_PORT | PP_PCI_CONNECT_TYPE_DMI_TO_PCI_BRIDGE | \
     PP_PCI_CONNECT_TYPE_PCI_EXPANDER_BUS | PP_PCI_CONNECT_TYPE_PCIE_EXPANDER_BUS | \
     PP_PCI_CONNECT_TYPE_PCI_BRIDGE | PP_PCI_CONNECT_TYPE_PCIE_TO_PCI_BRIDGE)

/* Endpoints, as opposed to controllers; a user's address may put either
 * kind of endpoint where the other belongs (QEMU and libvirt accept it). */
#define PP_PCI_CONNECT_TYPES_ENDPOINT \
    (PP_PCI_CONNECT_TYPE_PCI_DEVICE | PP_PCI_CONNECT_TYPE_PCIE_DEVICE)

#define PP_PCI_SLOTS 32
#define PP_PCI_FUNCTIONS 8
/* Bus numbers per PCI domain; pxb-pcie splits this range, it adds none. */
#define PP_PCI_MAX_BUSES 256

typedef struct _PpPCIBus PpPCIBus;
struct _PpPCIBus {
    guint index;                 /* the controller index; libvirt's "bus" */
    PpPCIControllerModel model;
    PpPCIConnectFlags flags;     /* what may plug in */
    guint minSlot;
    guint maxSlot;
    guint autoMaxSlot;           /* the last slot the planner fills by itself */
    guint8 functions[PP_PCI_SLOTS];  /* bitmap of used functions per slot */
    gboolean aggregate[PP_PCI_SLOTS]; /* slot filled one function per device */
    PpDeviceDef *fn0[PP_PCI_SLOTS];   /* the device at function 0, for multifunction */
    guint nextSlot;              /* every slot below is in use: the free-slot cursor */
    PpDeviceDef *ctrl;           /* the controller that provides this bus */
    int parent;                  /* index of the parent bus, -1 for a root */
    guint complex;               /* root bus of its root complex: 0, or a pxb's index */
    int numaNode;                /* of the root complex this bus is in; -1 none */
    int portCursor;              /* slot being filled with root ports, -1 none */
    gboolean queued;             /* in an empty-port queue */
};

/* Where an empty port waits until a device takes it. */
typedef enum {
    PP_PORT_QUEUE_ROOT,          /* hot-pluggable root ports of the main root complex */
    PP_PORT_QUEUE_DOWNSTREAM,    /* hot-pluggable switch downstream ports there */
    PP_PORT_QUEUE_COLD,          /* ports with hotplug='off' */
    PP_PORT_QUEUE_EXPANDER,      /* hot-pluggable ports behind an expander bus (by complex) */

    PP_PORT_QUEUE_LAST
} PpPortQueue;

typedef struct _PpPCIAddressSet PpPCIAddressSet;
struct _PpPCIAddressSet {
    GPtrArray *buses;            /* PpPCIBus *, indexed by controller index; NULL holes */
    guint nbuses;                /* buses that exist (bus numbers used) */
    GQueue *ports[PP_PORT_QUEUE_EXPANDER]; /* empty ports, by queue, lowest index first */
    GHashTable *expanderPorts;   /* complex index -> GQueue of its empty ports */
};

PpPCIAddressSet *ppPCIAddressSetNew(void);
void ppPCIAddressSetFree(PpPCIAddressSet *set);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PpPCIAddressSet, ppPCIAddressSetFree);

/* The connect type of a PCI controller model, as a device to be plugged in. */
PpPCIConnectFlags ppPCIControllerModelToConnectType(PpPCIControllerModel model);

PpPCIBus *ppPCIAddressSetAddBus(PpPCIAddressSet *set,
                                guint index,
                                PpPCIControllerModel model,
                                PpDeviceDef *ctrl,
                                GError **error);
PpPCIBus *ppPCIAddressSetGetBus(const PpPCIAddressSet *set, guint index);

gboolean ppPCIBusIsPort(const PpPCIBus *bus);

/* Is @slot.@function of @bus free? */
gboolean ppPCIBusFunctionIsFree(const PpPCIBus *bus, guint slot, guint function);

/* Mark an address used; @dev (may be NULL for chipset functions) */
void ppPCIAddressSetMarkUsed(PpPCIAddressSet *set,
                             const PpPCIAddress *addr,
                             gboolean aggregate,
                             PpDeviceDef *dev);

/*
 * Validate a user's address for a device needing @flags (relaxed as
 * libvirt's fromConfig is: PCI and PCIe endpoints may swap) and reserve
 * it. @what names the device in errors.
 */
gboolean ppPCIAddressSetReserveExplicit(PpPCIAddressSet *set,
                                        const PpPCIAddress *addr,
                                        PpPCIConnectFlags flags,
                                        PpDeviceDef *dev,
                                        const char *what,
                                        GError **error);

/* The first wholly free slot at or after the bus cursor; FALSE if none. */
gboolean ppPCIBusFindFreeSlot(PpPCIBus *bus, guint *ret_slot);

/*
 * Next function of an aggregate group on @bus: continues in the slot
 * *@cursor points at (a slot this group already holds), otherwise takes a
 * wholly free slot. Returns FALSE when the bus is full.
 */
gboolean ppPCIBusTakeAggregate(PpPCIBus *bus, int *cursor, PpPCIAddress *ret_addr);

/* Queue @bus as an empty port if it is one. */
void ppPCIAddressSetQueueIfEmptyPort(PpPCIAddressSet *set, PpPCIBus *bus);

/* Pop the lowest-index empty port of @queue (for _EXPANDER: of root
 * complex @complex) below @maxIndex (-1: any), or NULL. */
PpPCIBus *ppPCIAddressSetTakeEmptyPort(PpPCIAddressSet *set,
                                       PpPortQueue queue,
                                       guint complex,
                                       int maxIndex);

/* Set multifunction='on' on function 0 of every slot with more functions. */
void ppPCIAddressSetMarkMultifunction(PpPCIAddressSet *set);

/* Empty hot-pluggable ports left in the main root complex. */
guint ppPCIAddressSetCountEmptyPorts(const PpPCIAddressSet *set);
