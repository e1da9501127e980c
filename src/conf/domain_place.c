/*
 * domain_place.c: put devices on buses, growing controller chains on demand
 *
 * Policy, in the order it is applied to a device with no address:
 *  - INTEGRATED devices, and devices with hotpluggable='no' when no cold
 *    (hotplug='off') port is free, go on the root bus, packed 8 functions
 *    to a slot: they cost no port and no bus number, and the root bus
 *    cannot hot-plug anyway.
 *  - A hot-pluggable PCIe endpoint takes slot 0 of an empty root port
 *    (else of a switch downstream port); if there is none, a root port is
 *    added on the root bus, 8 to a slot with multifunction on function 0.
 *    When the root bus is down to its last root-port function and more
 *    ports are still needed, that function becomes a root port with a
 *    switch behind it, and further ports are its downstream ports.
 *  - A hot-pluggable conventional PCI endpoint takes a slot >= 1 of an
 *    SHPC bridge (pcie-to-pci-bridge first, then pci-bridge) or of
 *    pci-root on pc. The first such bus on a PCIe machine is a
 *    pcie-to-pci-bridge in a root port (libvirt's choice since 4.3.0: it
 *    is hot-pluggable and works on every architecture, unlike the
 *    dmi-to-pci-bridge); when a bus is down to its last slot and more
 *    devices wait, that slot takes a pci-bridge instead.
 * Everything is found through cursors and queues, never by rescanning all
 * buses: placement is linear in the number of devices.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "domain_place.h"
#include "pperror.h"

#include <string.h>

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
    GHashTable *expanders;   /* NUMA node -> PpPCIBus of its expander bus */
    PpPCIBus *firstExpander; /* the lowest-index expander bus, or NULL */
    guint nextIndex;         /* first controller index not in use */
    guint8 chassisUsed[32];  /* bitmap of port chassis numbers */

    guint portDemand;        /* empty ports still to be consumed */
    gboolean sparing;        /* growing spare ports, not ports for a device */
    guint legacyDemand;      /* hot-pluggable PCI slots still to be consumed */
    guint coldDemand;        /* PCIe devices that need no hot-plug */
    gboolean coldShared;     /* they share ports, the root bus has no room for them */
};

PpPlacer *
ppPlacerNew(PpDomainDef *def, const PpPlacePolicy *policy, PpPlacerAddedFunc added,
            gpointer opaque)
{
    PpPlacer *placer = g_new0(PpPlacer, 1);
    guint i;

    placer->def = def;
    placer->policy = *policy;
    placer->added = added;
    placer->opaque = opaque;
    placer->set = ppPCIAddressSetNew();
    placer->integratedCursor = -1;
    placer->sharedCursor = -1;
    for (i = 0; i < PP_CONTROLLER_MODEL_LAST; i++)
        placer->legacy[i] = g_queue_new();
    placer->upstreams = g_queue_new();
    placer->expanders = g_hash_table_new(g_direct_hash, g_direct_equal);
    return placer;
}

void
ppPlacerFree(PpPlacer *placer)
{
    guint i;

    if (!placer)
        return;
    ppPCIAddressSetFree(placer->set);
    for (i = 0; i < PP_CONTROLLER_MODEL_LAST; i++)
        g_queue_free(placer->legacy[i]);
    g_queue_free(placer->upstreams);
    g_hash_table_unref(placer->expanders);
    g_free(placer);
}

static gboolean
ppPlacerChassisTest(const PpPlacer *placer, guint chassis)
{
    return placer->chassisUsed[chassis / 8] & (1u << (chassis % 8));
}

static void
ppPlacerChassisMark(PpPlacer *placer, guint chassis)
{
    placer->chassisUsed[chassis / 8] |= 1u << (chassis % 8);
}

/* ------------------------------------------------------------------ */
/* collect                                                             */

static PpPCIControllerModel
ppPlacerControllerModel(const PpPlacer *placer, const PpDeviceDef *dev)
{
    if (dev->ctrl.pciModel != PP_CONTROLLER_MODEL_NONE)
        return dev->ctrl.pciModel;
    /* libvirt's defaults for a PCI controller without a model. */
    if (dev->ctrl.index == 0)
        return placer->policy.pcie ? PP_CONTROLLER_MODEL_PCIE_ROOT : PP_CONTROLLER_MODEL_PCI_ROOT;
    return placer->policy.pcie ? PP_CONTROLLER_MODEL_PCIE_ROOT_PORT
                               : PP_CONTROLLER_MODEL_PCI_BRIDGE;
}

static gboolean
ppDeviceIsPCIController(const PpDeviceDef *dev)
{
    return dev->kind == PP_DEVICE_CONTROLLER && dev->type && g_str_equal(dev->type, "pci");
}

static gboolean
ppPlacerCollectRoot(PpPlacer *placer, PpDeviceDef *dev, PpPCIControllerModel model,
                    GError **error)
{
    g_autofree char *what = ppDeviceDefDescribe(dev);
    PpPCIControllerModel want = placer->policy.pcie ? PP_CONTROLLER_MODEL_PCIE_ROOT
                                                    : PP_CONTROLLER_MODEL_PCI_ROOT;

    if (model != want) {
        g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                    _("%1$s: the PCI controller with index 0 must be model '%2$s' on this machine"),
                    what, ppPCIControllerModelToString(want));
        return FALSE;
    }
    if (dev->addr.type == PP_ADDRESS_PCI) {
        g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                    _("%1$s: a root bus cannot have a PCI address"), what);
        return FALSE;
    }
    return TRUE;
}

/*
 * Give PCI controllers without an index one, as libvirt would: the root
 * bus 0, every other the lowest index not in use. The index is written
 * into the element, so that libvirt and every later run agree on it.
 */
static void
ppPlacerAssignIndexes(PpPlacer *placer)
{
    guint8 used[PP_PCI_MAX_BUSES] = { 0 };
    guint next = 1;
    guint i;

    for (i = 0; i < placer->def->devices->len; i++) {
        const PpDeviceDef *dev = g_ptr_array_index(placer->def->devices, i);

        if (ppDeviceIsPCIController(dev) && dev->ctrl.index >= 0 &&
            dev->ctrl.index < PP_PCI_MAX_BUSES)
            used[dev->ctrl.index] = 1;
    }
    for (i = 0; i < placer->def->devices->len; i++) {
        PpDeviceDef *dev = g_ptr_array_index(placer->def->devices, i);

        if (!ppDeviceIsPCIController(dev) || dev->ctrl.index >= 0)
            continue;
        if (dev->ctrl.pciModel == PP_CONTROLLER_MODEL_PCIE_ROOT ||
            dev->ctrl.pciModel == PP_CONTROLLER_MODEL_PCI_ROOT) {
            dev->ctrl.index = 0;
        } else {
            while (next < PP_PCI_MAX_BUSES && used[next])
                next++;
            dev->ctrl.index = next;
        }
        if (dev->ctrl.index < PP_PCI_MAX_BUSES)
            used[dev->ctrl.index] = 1;
        dev->indexAdded = TRUE;
    }
}

/*
 * libvirt gives every controller index up to the highest one in use (by a
 * controller or by a device's address) a controller, adding a default one
 * (a root port on PCIe machines, a pci-bridge on pc) for each gap. So do
 * we, explicitly, so that libvirt finds nothing to add.
 */
static void
ppPlacerAddMissingBuses(PpPlacer *placer)
{
    gboolean have[PP_PCI_MAX_BUSES] = { FALSE };
    guint maxBus = 0;
    guint i;

    for (i = 0; i < placer->def->devices->len; i++) {
        const PpDeviceDef *dev = g_ptr_array_index(placer->def->devices, i);

        if (ppDeviceIsPCIController(dev) && dev->ctrl.index >= 0 &&
            dev->ctrl.index < PP_PCI_MAX_BUSES) {
            have[dev->ctrl.index] = TRUE;
            maxBus = MAX(maxBus, (guint)dev->ctrl.index);
        }
        if (dev->addr.type == PP_ADDRESS_PCI && !ppPCIAddressIsEmpty(&dev->addr.pci))
            maxBus = MAX(maxBus, dev->addr.pci.bus);
    }
    for (i = 1; i <= maxBus; i++) {
        PpPCIControllerModel model = placer->policy.pcie ? PP_CONTROLLER_MODEL_PCIE_ROOT_PORT
                                                         : PP_CONTROLLER_MODEL_PCI_BRIDGE;
        PpDeviceDef *dev;

        if (have[i])
            continue;
        dev = ppDeviceDefNew(PP_DEVICE_CONTROLLER);
        dev->type = g_strdup("pci");
        dev->model = g_strdup(ppPCIControllerModelToString(model));
        dev->ctrl.pciModel = model;
        dev->ctrl.index = i;
        ppDomainDefAddDevice(placer->def, dev);
        if (placer->added)
            placer->added(dev, g_strdup_printf(_("a device's address names bus %1$u"), i),
                          placer->opaque);
    }
}

/**
 * ppPlacerCollectControllers:
 *
 * One bus per PCI controller of the domain; index 0 must be the machine's
 * root bus.
 */
gboolean
ppPlacerCollectControllers(PpPlacer *placer, GError **error)
{
    guint i;

    ppPlacerAssignIndexes(placer);
    ppPlacerAddMissingBuses(placer);

    for (i = 0; i < placer->def->devices->len; i++) {
        PpDeviceDef *dev = g_ptr_array_index(placer->def->devices, i);
        PpPCIControllerModel model;
        PpPCIBus *bus;

        if (!ppDeviceIsPCIController(dev))
            continue;
        model = ppPlacerControllerModel(placer, dev);
        if (dev->ctrl.index == 0 && !ppPlacerCollectRoot(placer, dev, model, error))
            return FALSE;
        if (!(bus = ppPCIAddressSetAddBus(placer->set, dev->ctrl.index, model, dev, error)))
            return FALSE;
        bus->numaNode = dev->ctrl.numaNode;
        if (dev->ctrl.index == 0)
            placer->root = bus;
        placer->nextIndex = MAX(placer->nextIndex, (guint)dev->ctrl.index + 1);

        if (model == PP_CONTROLLER_MODEL_PCIE_ROOT_PORT ||
            model == PP_CONTROLLER_MODEL_PCIE_SWITCH_DOWNSTREAM_PORT)
            ppPlacerChassisMark(placer, dev->ctrl.chassis >= 0 ? (guint)dev->ctrl.chassis
                                                               : (guint)dev->ctrl.index);
    }
    if (!placer->root) {
        g_set_error(error, PP_ERROR, PP_ERROR_INTERNAL,
                    _("The domain has no root PCI controller with index 0"));
        return FALSE;
    }
    return TRUE;
}

static void
ppPlacerChipsetOwn(PpPlacer *placer, guint slot, guint function, PpDeviceDef *dev)
{
    PpPCIAddress addr = { .bus = 0, .slot = slot, .function = function };

    ppPCIAddressSetMarkUsed(placer->set, &addr, FALSE, dev);
}

void
ppPlacerReserveChipset(PpPlacer *placer, guint slot, guint function)
{
    PpPCIAddress addr = { .bus = 0, .slot = slot, .function = function };

    if (ppPCIBusFunctionIsFree(placer->root, slot, function))
        ppPCIAddressSetMarkUsed(placer->set, &addr, FALSE, NULL);
}

/**
 * ppPlacerReserveExplicit:
 * @flags: how @dev plugs in; HOTPLUGGABLE when it must stay hot-pluggable
 *
 * Reserve the address the user gave @dev, refusing one that cannot work.
 */
gboolean
ppPlacerReserveExplicit(PpPlacer *placer, PpDeviceDef *dev, PpPCIConnectFlags flags,
                        GError **error)
{
    g_autofree char *what = ppDeviceDefDescribe(dev);
    PpPCIAddress *addr = &dev->addr.pci;

    if (ppDeviceIsPCIController(dev)) {
        PpPCIBus *self = ppPCIAddressSetGetBus(placer->set, dev->ctrl.index);

        flags = ppPCIControllerModelToConnectType(self->model);
        if (addr->bus >= (guint)dev->ctrl.index) {
            g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                        _("%1$s sits on bus %2$u, but a PCI controller's index must be larger than its bus's: QEMU creates controllers in index order"),
                        what, addr->bus);
            return FALSE;
        }
        self->parent = addr->bus;
    }
    return ppPCIAddressSetReserveExplicit(placer->set, addr, flags, dev, what, error);
}

static gboolean
ppPlacerIsExpander(const PpPCIBus *bus)
{
    return bus->model == PP_CONTROLLER_MODEL_PCIE_EXPANDER_BUS ||
           bus->model == PP_CONTROLLER_MODEL_PCI_EXPANDER_BUS;
}

/* Hot-pluggable conventional PCI buses the planner may fill. */
static gboolean
ppPCIBusIsLegacyTarget(const PpPCIBus *bus)
{
    PpPCIConnectFlags need = PP_PCI_CONNECT_AUTOASSIGN | PP_PCI_CONNECT_HOTPLUGGABLE |
                             PP_PCI_CONNECT_TYPE_PCI_DEVICE;

    return (bus->flags & need) == need && !ppPCIBusIsPort(bus);
}

/**
 * ppPlacerCollectDone:
 *
 * After every explicit address is reserved: close the root-bus slots the
 * planner must not fill, and queue the ports and buses that have room.
 */
void
ppPlacerCollectDone(PpPlacer *placer)
{
    guint i;

    placer->root->autoMaxSlot = placer->policy.rootMaxAutoSlot;

    /* Parents have lower indexes: one pass in index order hands every bus
     * its root complex and NUMA node. */
    for (i = 0; i < placer->set->buses->len; i++) {
        PpPCIBus *bus = g_ptr_array_index(placer->set->buses, i);
        PpPCIBus *parent;

        if (!bus || bus->parent < 0 || ppPlacerIsExpander(bus) ||
            !(parent = ppPCIAddressSetGetBus(placer->set, bus->parent)))
            continue;
        bus->complex = parent->complex;
        if (bus->numaNode < 0)
            bus->numaNode = parent->numaNode;
    }
    for (i = 0; i < placer->set->buses->len; i++) {
        PpPCIBus *bus = g_ptr_array_index(placer->set->buses, i);

        if (!bus)
            continue;
        if (ppPlacerIsExpander(bus) && !placer->firstExpander)
            placer->firstExpander = bus;
        if (ppPlacerIsExpander(bus) && bus->numaNode >= 0 &&
            !g_hash_table_contains(placer->expanders, GINT_TO_POINTER(bus->numaNode)))
            g_hash_table_insert(placer->expanders, GINT_TO_POINTER(bus->numaNode), bus);
        ppPCIAddressSetQueueIfEmptyPort(placer->set, bus);
        if (ppPCIBusIsLegacyTarget(bus))
            g_queue_push_tail(placer->legacy[bus->model], bus);
        if (bus->model == PP_CONTROLLER_MODEL_PCIE_SWITCH_UPSTREAM_PORT)
            g_queue_push_tail(placer->upstreams, bus);
    }
}

/* ------------------------------------------------------------------ */
/* size                                                                */

static PpPlaceClass
ppPlacerClassify(const PpPlacer *placer, const PpDeviceDef *dev, PpPCIConnectFlags flags)
{
    gboolean hotplug = dev->hints.hotpluggable != PP_TRISTATE_NO;

    if (!(flags & PP_PCI_CONNECT_TYPES_ENDPOINT))
        return PP_PLACE_CLASS_NONE;
    if ((flags & PP_PCI_CONNECT_INTEGRATED) ||
        dev->hints.preferredConnection == PP_CONNECTION_PCIE_ROOT ||
        dev->hints.preferredConnection == PP_CONNECTION_PCI_ROOT)
        return PP_PLACE_CLASS_INTEGRATED;
    /* preferredConnection='pci' asks for a conventional PCI bus, which on
     * a PCIe machine the root bus is not. */
    if (!hotplug && dev->hints.preferredConnection == PP_CONNECTION_PCI && placer->policy.pcie)
        return PP_PLACE_CLASS_LEGACY;
    if (!hotplug)
        return (flags & PP_PCI_CONNECT_TYPE_PCIE_DEVICE) ? PP_PLACE_CLASS_COLD
                                                          : PP_PLACE_CLASS_INTEGRATED;
    if ((flags & PP_PCI_CONNECT_TYPE_PCIE_DEVICE) && placer->policy.pcie)
        return PP_PLACE_CLASS_PORT;
    return PP_PLACE_CLASS_LEGACY;
}

void
ppPlacerSizeEndpoint(PpPlacer *placer, PpDeviceDef *dev, PpPCIConnectFlags flags)
{
    switch (ppPlacerClassify(placer, dev, flags)) {
    case PP_PLACE_CLASS_PORT:
        placer->portDemand++;
        break;
    case PP_PLACE_CLASS_LEGACY:
        placer->legacyDemand++;
        break;
    case PP_PLACE_CLASS_COLD:
        placer->coldDemand++;
        break;
    case PP_PLACE_CLASS_NONE:
    case PP_PLACE_CLASS_INTEGRATED:
    case PP_PLACE_CLASS_LAST:
        break;
    }
}

/*
 * The last step of sizing. Devices that need no hot-plug are cheapest on
 * the root bus (no bus number), 8 to a slot; but a root-bus slot holds 8
 * root ports, and each port can hold 8 such devices. When the root bus
 * cannot take both the ports and the integrated devices, those devices
 * share ports instead (8 per port, one bus number per 8 devices), so the
 * root bus keeps room for the ports that hot-pluggable devices need.
 */
void
ppPlacerSizeSpares(PpPlacer *placer, guint spares)
{
    guint have = ppPCIAddressSetCountEmptyPorts(placer->set);
    guint freeSlots = 0;
    guint slot;

    if (spares > have)
        placer->portDemand += spares - have;
    for (slot = placer->root->nextSlot; slot <= placer->root->autoMaxSlot; slot++)
        freeSlots += placer->root->functions[slot] == 0;
    placer->coldShared = (placer->coldDemand + 7) / 8 + (placer->portDemand + 7) / 8 > freeSlots;
    if (placer->coldShared)
        placer->portDemand += (placer->coldDemand + 7) / 8;
}

/* ------------------------------------------------------------------ */
/* growth                                                              */

static gboolean
ppPlacerCheckBusNumbers(const PpPlacer *placer, guint need, const char *what, GError **error)
{
    if (placer->set->nbuses + need <= PP_PCI_MAX_BUSES &&
        placer->nextIndex + need <= PP_PCI_MAX_BUSES)
        return TRUE;
    g_set_error(error, PP_ERROR, PP_ERROR_EXHAUSTED,
                _("%1$s needs a new PCI bus, but all %2$d PCI bus numbers of the domain are in use (every root port, switch port and bridge takes one). Give devices that need no hot-plug <target hotpluggable='no'/>: they share the root bus or a port, 8 functions to a slot, and take no bus number of their own"),
                what, PP_PCI_MAX_BUSES);
    return FALSE;
}

/* The chassis of a new port: its index, as libvirt does, unless a user's
 * port already has that chassis. QEMU needs (chassis, slot) unique. */
static guint
ppPlacerPickChassis(PpPlacer *placer, guint index)
{
    guint chassis = index;

    while (chassis < 256 && ppPlacerChassisTest(placer, chassis))
        chassis++;
    if (chassis >= 256)
        for (chassis = 1; chassis < 256 && ppPlacerChassisTest(placer, chassis); chassis++)
            ;
    ppPlacerChassisMark(placer, chassis);
    return chassis;
}

/*
 * Add a controller of @model at @addr (already free on its parent) and its
 * bus. Returns (transfer none) the new bus.
 */
static PpPCIBus *
ppPlacerAddController(PpPlacer *placer,
                      PpPCIControllerModel model,
                      const PpPCIAddress *addr,
                      gboolean aggregate,
                      char *reason,
                      GError **error)
{
    PpDeviceDef *dev;
    PpPCIBus *bus;
    guint index;

    if (!placer->policy.allowGrowth) {
        g_set_error(error, PP_ERROR, PP_ERROR_EXHAUSTED,
                    _("No free place for it without adding a %1$s (%2$s); a running guest cannot take new controllers: re-plan the domain with more --spare-ports, or attach with --config"),
                    ppPCIControllerModelToString(model), reason);
        g_free(reason);
        return NULL;
    }
    dev = ppDeviceDefNew(PP_DEVICE_CONTROLLER);
    index = placer->nextIndex++;

    dev->type = g_strdup("pci");
    dev->model = g_strdup(ppPCIControllerModelToString(model));
    dev->ctrl.pciModel = model;
    dev->ctrl.index = index;
    switch (model) {
    case PP_CONTROLLER_MODEL_PCIE_ROOT_PORT:
        dev->ctrl.chassis = ppPlacerPickChassis(placer, index);
        dev->ctrl.port = (addr->slot << 3) + addr->function;
        break;
    case PP_CONTROLLER_MODEL_PCIE_SWITCH_DOWNSTREAM_PORT:
        dev->ctrl.chassis = ppPlacerPickChassis(placer, index);
        dev->ctrl.port = addr->slot;
        break;
    case PP_CONTROLLER_MODEL_PCI_BRIDGE:
        dev->ctrl.chassisNr = index;
        break;
    case PP_CONTROLLER_MODEL_NONE:
    case PP_CONTROLLER_MODEL_PCI_ROOT:
    case PP_CONTROLLER_MODEL_PCIE_ROOT:
    case PP_CONTROLLER_MODEL_DMI_TO_PCI_BRIDGE:
    case PP_CONTROLLER_MODEL_PCIE_SWITCH_UPSTREAM_PORT:
    case PP_CONTROLLER_MODEL_PCI_EXPANDER_BUS:
    case PP_CONTROLLER_MODEL_PCIE_EXPANDER_BUS:
    case PP_CONTROLLER_MODEL_PCIE_TO_PCI_BRIDGE:
    case PP_CONTROLLER_MODEL_LAST:
        break;
    }
    dev->addr = (PpDeviceAddress){ .type = PP_ADDRESS_PCI, .pci = *addr };
    ppDomainDefAddDevice(placer->def, dev);
    ppPCIAddressSetMarkUsed(placer->set, addr, aggregate, dev);
    if (placer->added)
        placer->added(dev, reason, placer->opaque);
    else
        g_free(reason);

    if (!(bus = ppPCIAddressSetAddBus(placer->set, index, model, dev, error)))
        return NULL;
    bus->parent = addr->bus;
    if (!ppPlacerIsExpander(bus)) {
        PpPCIBus *parent = ppPCIAddressSetGetBus(placer->set, addr->bus);

        bus->complex = parent->complex;
        bus->numaNode = parent->numaNode;
    }
    return bus;
}

/* Root-port functions left on the root bus. */
static guint
ppPlacerRootPortCapacity(PpPlacer *placer)
{
    PpPCIBus *root = placer->root;
    guint n = 0;
    guint slot;
    guint fn;

    if (root->portCursor >= 0 && root->aggregate[root->portCursor]) {
        for (fn = 0; fn < PP_PCI_FUNCTIONS; fn++)
            n += ppPCIBusFunctionIsFree(root, root->portCursor, fn);
    }
    for (slot = root->nextSlot; slot <= root->autoMaxSlot; slot++) {
        if (!root->functions[slot])
            n += PP_PCI_FUNCTIONS;
    }
    return n;
}

static char *
ppPlacerPortReason(const PpPlacer *placer, const char *what)
{
    if (placer->sparing)
        return g_strdup(_("spare hot-pluggable port (--spare-ports)"));
    return g_strdup_printf(_("hot-pluggable PCIe port for %1$s"), what);
}

/* A root port on @parent, the root bus or an expander bus. */
static PpPCIBus *
ppPlacerAddRootPortOn(PpPlacer *placer, PpPCIBus *parent, const char *what, GError **error)
{
    PpPCIAddress addr;

    if (!ppPlacerCheckBusNumbers(placer, 1, what, error))
        return NULL;
    if (!ppPCIBusTakeAggregate(parent, &parent->portCursor, &addr)) {
        g_set_error(error, PP_ERROR, PP_ERROR_EXHAUSTED,
                    _("%1$s needs a new pcie-root-port, but its root bus (index %2$u) has no free slot left"),
                    what, parent->index);
        return NULL;
    }
    return ppPlacerAddController(placer, PP_CONTROLLER_MODEL_PCIE_ROOT_PORT, &addr, TRUE,
                                 ppPlacerPortReason(placer, what), error);
}

/* A downstream port on a switch with a free slot, or NULL if none has one. */
static PpPCIBus *
ppPlacerAddRootPort(PpPlacer *placer, const char *what, GError **error)
{
    return ppPlacerAddRootPortOn(placer, placer->root, what, error);
}

static PpPCIBus *
ppPlacerAddDownstreamPort(PpPlacer *placer, const char *what, GError **error)
{
    PpPCIBus *up;
    guint slot;

    while ((up = g_queue_peek_head(placer->upstreams)) && !ppPCIBusFindFreeSlot(up, &slot))
        g_queue_pop_head(placer->upstreams);
    if (!up)
        return NULL;
    if (!ppPlacerCheckBusNumbers(placer, 1, what, error))
        return NULL;
    return ppPlacerAddController(placer, PP_CONTROLLER_MODEL_PCIE_SWITCH_DOWNSTREAM_PORT,
                                 &(PpPCIAddress){ .bus = up->index, .slot = slot }, FALSE,
                                 ppPlacerPortReason(placer, what), error);
}

/* A root port with a switch upstream port behind it. */
static PpPCIBus *
ppPlacerAddSwitch(PpPlacer *placer, const char *what, char *reason, GError **error)
{
    PpPCIBus *rp;
    PpPCIBus *up;

    if (!ppPlacerCheckBusNumbers(placer, 3, what, error))
        return NULL;
    if (!(rp = ppPlacerAddRootPort(placer, what, error)))
        return NULL;
    if (!(up = ppPlacerAddController(placer, PP_CONTROLLER_MODEL_PCIE_SWITCH_UPSTREAM_PORT,
                                     &(PpPCIAddress){ .bus = rp->index }, FALSE,
                                     g_steal_pointer(&reason), error)))
        return NULL;
    g_queue_push_tail(placer->upstreams, up);
    return up;
}

/*
 * A new empty hot-pluggable port for @what: a root port while the root bus
 * has room (a switch costs an extra bus number for its upstream port, so
 * it is added only when root ports run out, as docs/pcie.txt advises); the
 * last root-port function hosts a switch if more ports are still wanted;
 * then downstream ports of that switch (or of the user's).
 */
static PpPCIBus *
ppPlacerGrowPort(PpPlacer *placer, const char *what, GError **error)
{
    guint capacity = ppPlacerRootPortCapacity(placer);
    PpPCIBus *port;

    if (capacity == 0) {
        if ((port = ppPlacerAddDownstreamPort(placer, what, error)))
            return port;
        if (error && *error)
            return NULL;
    }
    if (capacity > 1 || (capacity == 1 && placer->portDemand <= 1))
        return ppPlacerAddRootPort(placer, what, error);
    if (capacity == 1) {
        if (!ppPlacerAddSwitch(placer, what,
                               g_strdup(_("switch: the root bus has room for no more root ports")),
                               error))
            return NULL;
        return ppPlacerAddDownstreamPort(placer, what, error);
    }
    g_set_error(error, PP_ERROR, PP_ERROR_EXHAUSTED,
                _("%1$s needs a hot-pluggable PCIe port, but the root bus and every switch are full. Give devices that need no hot-plug <target hotpluggable='no'/>, or remove devices"),
                what);
    return NULL;
}

/* An empty hot-pluggable port for @what, taken from the queues (root
 * ports before switch ports) or grown. */
static PpPCIBus *
ppPlacerTakePort(PpPlacer *placer, const char *what, int maxIndex, GError **error)
{
    PpPCIBus *port = ppPCIAddressSetTakeEmptyPort(placer->set, PP_PORT_QUEUE_ROOT, 0, maxIndex);

    if (!port)
        port = ppPCIAddressSetTakeEmptyPort(placer->set, PP_PORT_QUEUE_DOWNSTREAM, 0, maxIndex);
    /* Growth looks at the demand still to come, this request included. */
    if (!port && maxIndex < 0)
        port = ppPlacerGrowPort(placer, what, error);
    if (port && placer->portDemand > 0)
        placer->portDemand--;
    return port;
}

static gboolean
ppPlacerBusHasOneFreeSlot(PpPCIBus *bus)
{
    guint slot;
    guint n = 0;

    for (slot = bus->nextSlot; slot <= bus->autoMaxSlot && n < 2; slot++)
        n += bus->functions[slot] == 0;
    return n == 1;
}

static PpPCIBus *
ppPlacerLegacyHead(PpPlacer *placer, PpPCIControllerModel model)
{
    GQueue *queue = placer->legacy[model];
    PpPCIBus *bus;
    guint slot;

    while ((bus = g_queue_peek_head(queue)) && !ppPCIBusFindFreeSlot(bus, &slot))
        g_queue_pop_head(queue);
    return bus;
}

/* The legacy bus a new conventional PCI device goes to, in policy order. */
static PpPCIBus *
ppPlacerLegacyCurrent(PpPlacer *placer)
{
    static const PpPCIControllerModel order[] = {
        PP_CONTROLLER_MODEL_PCI_ROOT,
        PP_CONTROLLER_MODEL_PCIE_TO_PCI_BRIDGE,
        PP_CONTROLLER_MODEL_PCI_BRIDGE,
        PP_CONTROLLER_MODEL_PCI_EXPANDER_BUS,
    };
    PpPCIBus *bus;
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(order); i++) {
        if ((bus = ppPlacerLegacyHead(placer, order[i])))
            return bus;
    }
    return NULL;
}

/*
 * The first conventional PCI bus of a PCIe machine: a pcie-to-pci-bridge
 * in a root port, or where QEMU lacks it a dmi-to-pci-bridge at 00:1e.0
 * (as on real ICH9) with a pci-bridge in it, since the DMI bridge itself
 * cannot hot-plug.
 */
static PpPCIBus *
ppPlacerAddPCIToPCIeBridge(PpPlacer *placer, const char *what, GError **error)
{
    PpPCIBus *parent;
    PpPCIBus *bus;
    guint slot = 0x1e;

    if (placer->policy.pcieToPCIBridge) {
        if (!(parent = ppPlacerTakePort(placer, what, -1, error)) ||
            !ppPlacerCheckBusNumbers(placer, 1, what, error))
            return NULL;
        bus = ppPlacerAddController(placer, PP_CONTROLLER_MODEL_PCIE_TO_PCI_BRIDGE,
                                    &(PpPCIAddress){ .bus = parent->index }, FALSE,
                                    g_strdup_printf(_("conventional PCI bus for %1$s"), what),
                                    error);
    } else {
        if (!ppPCIBusFunctionIsFree(placer->root, slot, 0) &&
            !ppPCIBusFindFreeSlot(placer->root, &slot)) {
            g_set_error(error, PP_ERROR, PP_ERROR_EXHAUSTED,
                        _("%1$s needs a dmi-to-pci-bridge, but the root bus has no free slot left"),
                        what);
            return NULL;
        }
        if (!ppPlacerCheckBusNumbers(placer, 2, what, error) ||
            !(parent = ppPlacerAddController(placer, PP_CONTROLLER_MODEL_DMI_TO_PCI_BRIDGE,
                                             &(PpPCIAddress){ .slot = slot }, FALSE,
                                             g_strdup_printf(_("conventional PCI bus for %1$s (this QEMU has no pcie-pci-bridge)"), what),
                                             error)))
            return NULL;
        bus = ppPlacerAddController(placer, PP_CONTROLLER_MODEL_PCI_BRIDGE,
                                    &(PpPCIAddress){ .bus = parent->index }, FALSE,
                                    g_strdup_printf(_("hot-pluggable PCI slots for %1$s"), what),
                                    error);
    }
    if (bus)
        g_queue_push_tail(placer->legacy[bus->model], bus);
    return bus;
}

/*
 * A slot for a hot-pluggable conventional PCI device. The last free slot
 * of the last bus is kept for a pci-bridge while more devices wait, so
 * the chain never dead-ends.
 */
static gboolean
ppPlacerTakeLegacySlot(PpPlacer *placer, const char *what, PpPCIAddress *ret, GError **error)
{
    PpPCIBus *bus = ppPlacerLegacyCurrent(placer);
    guint slot;

    if (!bus) {
        if (!placer->policy.pcie) {
            g_set_error(error, PP_ERROR, PP_ERROR_EXHAUSTED,
                        _("%1$s needs a hot-pluggable PCI slot, but pci-root and every pci-bridge are full"),
                        what);
            return FALSE;
        }
        if (!(bus = ppPlacerAddPCIToPCIeBridge(placer, what, error)))
            return FALSE;
    }
    if (placer->legacyDemand > 1 && ppPlacerBusHasOneFreeSlot(bus) &&
        g_queue_get_length(placer->legacy[bus->model]) <= 1) {
        guint at;
        PpPCIBus *bridge;

        if (!ppPCIBusFindFreeSlot(bus, &at) || !ppPlacerCheckBusNumbers(placer, 1, what, error))
            return FALSE;
        if (!(bridge = ppPlacerAddController(placer, PP_CONTROLLER_MODEL_PCI_BRIDGE,
                                             &(PpPCIAddress){ .bus = bus->index, .slot = at },
                                             FALSE,
                                             g_strdup_printf(_("more conventional PCI slots, first for %1$s"), what),
                                             error)))
            return FALSE;
        g_queue_push_tail(placer->legacy[bridge->model], bridge);
        bus = bridge;
    }
    if (placer->legacyDemand > 0)
        placer->legacyDemand--;
    if (!ppPCIBusFindFreeSlot(bus, &slot)) {
        g_set_error(error, PP_ERROR, PP_ERROR_INTERNAL, _("No free slot on a fresh bus"));
        return FALSE;
    }
    *ret = (PpPCIAddress){ .bus = bus->index, .slot = slot };
    return TRUE;
}

/* ------------------------------------------------------------------ */
/* place                                                               */

static void
ppPlacerAssign(PpPlacer *placer, PpDeviceDef *dev, const PpPCIAddress *addr, gboolean aggregate)
{
    PpDeviceAddress daddr = { .type = PP_ADDRESS_PCI, .pci = *addr };

    daddr.pci.multifunction = dev->addr.type == PP_ADDRESS_PCI ? dev->addr.pci.multifunction
                                                                : PP_TRISTATE_ABSENT;
    ppPCIAddressSetMarkUsed(placer->set, addr, aggregate, dev);
    ppDeviceDefSetAddress(dev, &daddr);
}

/**
 * ppPlacerPlaceAt:
 *
 * Put @dev at a fixed root-bus address a chipset rule gives it (primary
 * video, SATA at 1f.2...), if that address is free; otherwise it is placed
 * like any other device.
 */
gboolean
ppPlacerPlaceAt(PpPlacer *placer, PpDeviceDef *dev, guint slot, guint function)
{
    PpPCIAddress addr = { .bus = 0, .slot = slot, .function = function };

    if (!ppPCIBusFunctionIsFree(placer->root, slot, function))
        return FALSE;
    ppPlacerAssign(placer, dev, &addr, FALSE);
    return TRUE;
}

/**
 * ppPlacerPlaceGroup:
 * @devs: devices that must share one slot, such as USB2 companion controllers
 * @functions: the function each of them takes
 * @rootSlots: root-bus slots to try first, where the chipset puts them
 *
 * Put a group of functions in one slot: one of @rootSlots if it is wholly
 * free, else a slot of a hot-pluggable conventional PCI bus.
 */
gboolean
ppPlacerPlaceGroup(PpPlacer *placer,
                   PpDeviceDef **devs,
                   const guint *functions,
                   guint ndevs,
                   const guint *rootSlots,
                   guint nrootSlots,
                   GError **error)
{
    g_autofree char *what = ppDeviceDefDescribe(devs[0]);
    PpPCIAddress addr = { 0 };
    gboolean found = FALSE;
    guint i;

    for (i = 0; i < nrootSlots && !found; i++) {
        if (rootSlots[i] <= placer->root->autoMaxSlot && !placer->root->functions[rootSlots[i]]) {
            addr = (PpPCIAddress){ .bus = 0, .slot = rootSlots[i] };
            found = TRUE;
        }
    }
    if (!found && !ppPlacerTakeLegacySlot(placer, what, &addr, error))
        return FALSE;
    for (i = 0; i < ndevs; i++) {
        addr.function = functions[i];
        ppPlacerAssign(placer, devs[i], &addr, FALSE);
    }
    return TRUE;
}

/**
 * ppPlacerAssignChipset:
 *
 * Give @dev the root-bus function a chipset reserves for it (the PIIX3 IDE
 * at 01.1 is part of the pc machine whether or not the XML names it).
 */
void
ppPlacerAssignChipset(PpPlacer *placer, PpDeviceDef *dev, guint slot, guint function)
{
    PpDeviceAddress daddr = { .type = PP_ADDRESS_PCI,
                              .pci = { .bus = 0, .slot = slot, .function = function } };

    ppPlacerChipsetOwn(placer, slot, function, dev);
    ppDeviceDefSetAddress(dev, &daddr);
}

static gboolean
ppPlacerPlaceIntegrated(PpPlacer *placer, PpDeviceDef *dev, const char *what, GError **error)
{
    PpPCIAddress addr;

    if (dev->hints.hotpluggable == PP_TRISTATE_YES) {
        g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                    _("%1$s must sit on the root bus, which cannot hot-plug, but it has hotpluggable='yes'; remove the hint or set hotpluggable='no'"),
                    what);
        return FALSE;
    }
    if (!ppPCIBusTakeAggregate(placer->root, &placer->integratedCursor, &addr)) {
        g_set_error(error, PP_ERROR, PP_ERROR_EXHAUSTED,
                    _("%1$s must sit on the root bus, but the root bus has no free slot left"),
                    what);
        return FALSE;
    }
    ppPlacerAssign(placer, dev, &addr, TRUE);
    return TRUE;
}

/*
 * A PCIe device that needs no hot-plug: a cold port if the user made one,
 * else the root bus, else a function of a port it shares with up to seven
 * others.
 */
static gboolean
ppPlacerPlaceCold(PpPlacer *placer, PpDeviceDef *dev, const char *what, GError **error)
{
    PpPCIBus *port = ppPCIAddressSetTakeEmptyPort(placer->set, PP_PORT_QUEUE_COLD, 0, -1);
    PpPCIAddress addr;

    if (port) {
        ppPlacerAssign(placer, dev, &(PpPCIAddress){ .bus = port->index }, FALSE);
        return TRUE;
    }
    /* preferredConnection='pcie' wants a port, not the root bus. */
    if (!placer->coldShared && dev->hints.preferredConnection != PP_CONNECTION_PCIE &&
        ppPCIBusTakeAggregate(placer->root, &placer->integratedCursor, &addr)) {
        ppPlacerAssign(placer, dev, &addr, TRUE);
        return TRUE;
    }
    if (!placer->sharedPort || !ppPCIBusTakeAggregate(placer->sharedPort, &placer->sharedCursor,
                                                      &addr)) {
        if (!(placer->sharedPort = ppPlacerTakePort(placer, what, -1, error)))
            return FALSE;
        placer->sharedCursor = -1;
        if (!ppPCIBusTakeAggregate(placer->sharedPort, &placer->sharedCursor, &addr)) {
            g_set_error(error, PP_ERROR, PP_ERROR_INTERNAL, _("A fresh port is full"));
            return FALSE;
        }
    }
    ppPlacerAssign(placer, dev, &addr, TRUE);
    return TRUE;
}

/* preferredConnection='pcie-root-port' or 'pcie-switch-downstream-port'. */
static gboolean
ppPlacerPlaceInPort(PpPlacer *placer, PpDeviceDef *dev, const char *what,
                    PpPCIControllerModel model, GError **error)
{
    PpPCIBus *cold = g_queue_peek_head(placer->set->ports[PP_PORT_QUEUE_COLD]);
    PpPCIBus *port = NULL;

    /* A port the user made with hotplug='off' is for a device that needs
     * no hot-plug: it goes first, if it is of the model asked for. */
    if (dev->hints.hotpluggable == PP_TRISTATE_NO && cold && cold->model == model)
        port = ppPCIAddressSetTakeEmptyPort(placer->set, PP_PORT_QUEUE_COLD, 0, -1);
    if (!port && model == PP_CONTROLLER_MODEL_PCIE_ROOT_PORT &&
        !(port = ppPCIAddressSetTakeEmptyPort(placer->set, PP_PORT_QUEUE_ROOT, 0, -1)) &&
        !(port = ppPlacerAddRootPort(placer, what, error)))
        return FALSE;
    if (!port && !(port = ppPCIAddressSetTakeEmptyPort(placer->set, PP_PORT_QUEUE_DOWNSTREAM, 0,
                                                       -1)) &&
        !(port = ppPlacerAddDownstreamPort(placer, what, error))) {
        if ((error && *error) ||
            !ppPlacerAddSwitch(placer, what,
                               g_strdup_printf(_("switch asked for by %1$s"), what), error) ||
            !(port = ppPlacerAddDownstreamPort(placer, what, error)))
            return FALSE;
    }
    ppPlacerAssign(placer, dev, &(PpPCIAddress){ .bus = port->index }, FALSE);
    return TRUE;
}

/* preferredConnection='pci-bridge' or 'pcie-to-pci-bridge': a slot of a
 * bridge of that model, adding one if none has room. */
static gboolean
ppPlacerPlaceOnBridge(PpPlacer *placer, PpDeviceDef *dev, const char *what,
                      PpPCIControllerModel model, GError **error)
{
    PpPCIBus *bus = ppPlacerLegacyHead(placer, model);
    PpPCIAddress parentSlot;
    guint slot;

    if (!bus && model == PP_CONTROLLER_MODEL_PCIE_TO_PCI_BRIDGE &&
        !(bus = ppPlacerAddPCIToPCIeBridge(placer, what, error)))
        return FALSE;
    if (!bus) {
        /* A new pci-bridge, on whichever legacy bus has a slot. */
        g_autofree char *why = g_strdup_printf(_("pci-bridge asked for by %1$s"), what);

        if (!ppPlacerTakeLegacySlot(placer, why, &parentSlot, error) ||
            !ppPlacerCheckBusNumbers(placer, 1, what, error) ||
            !(bus = ppPlacerAddController(placer, PP_CONTROLLER_MODEL_PCI_BRIDGE, &parentSlot,
                                          FALSE, g_steal_pointer(&why), error)))
            return FALSE;
        g_queue_push_tail(placer->legacy[bus->model], bus);
    }
    if (!ppPCIBusFindFreeSlot(bus, &slot)) {
        g_set_error(error, PP_ERROR, PP_ERROR_INTERNAL, _("No free slot on a fresh bus"));
        return FALSE;
    }
    ppPlacerAssign(placer, dev, &(PpPCIAddress){ .bus = bus->index, .slot = slot }, FALSE);
    return TRUE;
}

/* The expander bus of NUMA node @node (any expander for -1), added on the
 * root bus if the node has none yet. */
static PpPCIBus *
ppPlacerExpanderFor(PpPlacer *placer, int node, const char *what, GError **error)
{
    PpPCIControllerModel model = placer->policy.pcie ? PP_CONTROLLER_MODEL_PCIE_EXPANDER_BUS
                                                     : PP_CONTROLLER_MODEL_PCI_EXPANDER_BUS;
    PpPCIBus *pxb;
    guint slot;

    if (node >= 0 && (pxb = g_hash_table_lookup(placer->expanders, GINT_TO_POINTER(node))))
        return pxb;
    if (node < 0) {
        if (placer->firstExpander)
            return placer->firstExpander;
        g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                    _("%1$s asks for an expander bus, but the domain has none; add numaNode='N' to say which NUMA node's expander bus to create"),
                    what);
        return NULL;
    }
    if (!ppPCIBusFindFreeSlot(placer->root, &slot)) {
        g_set_error(error, PP_ERROR, PP_ERROR_EXHAUSTED,
                    _("%1$s needs an expander bus for NUMA node %2$d, but the root bus has no free slot left"),
                    what, node);
        return NULL;
    }
    if (!ppPlacerCheckBusNumbers(placer, 1, what, error) ||
        !(pxb = ppPlacerAddController(placer, model, &(PpPCIAddress){ .slot = slot }, FALSE,
                                      g_strdup_printf(_("root complex of NUMA node %1$d, for %2$s"),
                                                      node, what),
                                      error)))
        return NULL;
    pxb->numaNode = node;
    pxb->ctrl->ctrl.numaNode = node;
    g_hash_table_insert(placer->expanders, GINT_TO_POINTER(node), pxb);
    if (!placer->firstExpander)
        placer->firstExpander = pxb;
    return pxb;
}

/*
 * A device for one NUMA node: behind that node's expander bus, in a root
 * port of its own (pxb-pcie takes only ports; QEMU: "Only PCI/PCIe
 * bridges can be plugged into pxb-pcie"), or on pc directly in a slot of
 * the pci-expander-bus.
 */
static gboolean
ppPlacerPlaceExpander(PpPlacer *placer, PpDeviceDef *dev, const char *what, GError **error)
{
    PpPCIBus *pxb = ppPlacerExpanderFor(placer, dev->hints.numaNode, what, error);
    PpPCIBus *port;
    guint slot;

    if (!pxb)
        return FALSE;
    if (pxb->model == PP_CONTROLLER_MODEL_PCI_EXPANDER_BUS) {
        if (!ppPCIBusFindFreeSlot(pxb, &slot)) {
            g_set_error(error, PP_ERROR, PP_ERROR_EXHAUSTED,
                        _("%1$s needs a slot on the pci-expander-bus with index %2$u, which is full"),
                        what, pxb->index);
            return FALSE;
        }
        ppPlacerAssign(placer, dev, &(PpPCIAddress){ .bus = pxb->index, .slot = slot }, FALSE);
        return TRUE;
    }
    if (!(port = ppPCIAddressSetTakeEmptyPort(placer->set, PP_PORT_QUEUE_EXPANDER, pxb->index,
                                              -1)) &&
        !(port = ppPlacerAddRootPortOn(placer, pxb, what, error)))
        return FALSE;
    ppPlacerAssign(placer, dev, &(PpPCIAddress){ .bus = port->index }, FALSE);
    return TRUE;
}

/**
 * ppPlacerPlaceEndpoint:
 * @flags: the device's connect type (PCI or PCIe endpoint, INTEGRATED)
 *
 * Give @dev an address according to its hints, else its class. The hints
 * were checked against the machine and the device by the caller.
 */
gboolean
ppPlacerPlaceEndpoint(PpPlacer *placer, PpDeviceDef *dev, PpPCIConnectFlags flags,
                      GError **error)
{
    g_autofree char *what = ppDeviceDefDescribe(dev);
    PpPCIAddress addr;
    PpPCIBus *port;

    switch (dev->hints.preferredConnection) {
    case PP_CONNECTION_PCIE_ROOT_PORT:
        return ppPlacerPlaceInPort(placer, dev, what, PP_CONTROLLER_MODEL_PCIE_ROOT_PORT, error);
    case PP_CONNECTION_PCIE_SWITCH_DOWNSTREAM_PORT:
        return ppPlacerPlaceInPort(placer, dev, what,
                                   PP_CONTROLLER_MODEL_PCIE_SWITCH_DOWNSTREAM_PORT, error);
    case PP_CONNECTION_PCI_BRIDGE:
        return ppPlacerPlaceOnBridge(placer, dev, what, PP_CONTROLLER_MODEL_PCI_BRIDGE, error);
    case PP_CONNECTION_PCIE_TO_PCI_BRIDGE:
        return ppPlacerPlaceOnBridge(placer, dev, what, PP_CONTROLLER_MODEL_PCIE_TO_PCI_BRIDGE,
                                     error);
    case PP_CONNECTION_PCIE_EXPANDER_BUS:
    case PP_CONNECTION_PCI_EXPANDER_BUS:
        return ppPlacerPlaceExpander(placer, dev, what, error);
    case PP_CONNECTION_NONE:
    case PP_CONNECTION_PCI:
    case PP_CONNECTION_PCIE:
        if (dev->hints.numaNode >= 0)
            return ppPlacerPlaceExpander(placer, dev, what, error);
        break;
    case PP_CONNECTION_PCI_ROOT:
    case PP_CONNECTION_PCIE_ROOT:
    case PP_CONNECTION_VIRTIO_MMIO:
    case PP_CONNECTION_LAST:
        break;
    }

    switch (ppPlacerClassify(placer, dev, flags)) {
    case PP_PLACE_CLASS_INTEGRATED:
        return ppPlacerPlaceIntegrated(placer, dev, what, error);
    case PP_PLACE_CLASS_COLD:
        return ppPlacerPlaceCold(placer, dev, what, error);
    case PP_PLACE_CLASS_PORT:
        if (!(port = ppPlacerTakePort(placer, what, -1, error)))
            return FALSE;
        ppPlacerAssign(placer, dev, &(PpPCIAddress){ .bus = port->index }, FALSE);
        return TRUE;
    case PP_PLACE_CLASS_LEGACY:
        if (!ppPlacerTakeLegacySlot(placer, what, &addr, error))
            return FALSE;
        ppPlacerAssign(placer, dev, &addr, FALSE);
        return TRUE;
    case PP_PLACE_CLASS_NONE:
    case PP_PLACE_CLASS_LAST:
        break;
    }
    g_set_error(error, PP_ERROR, PP_ERROR_INTERNAL, _("%1$s is not a PCI endpoint"), what);
    return FALSE;
}

static gboolean
ppPlacerNoParent(const char *what, const char *parent, GError **error)
{
    g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                _("%1$s has no address, and no %2$s with a lower index has room for it (QEMU creates controllers in index order); give it an <address> or a higher index"),
                what, parent);
    return FALSE;
}

/* A pci-bridge the user listed without an address: a legacy bus below it. */
static gboolean
ppPlacerPlaceUserBridge(PpPlacer *placer, PpDeviceDef *dev, const char *what, GError **error)
{
    guint i;

    for (i = 0; i < placer->set->buses->len && i < (guint)dev->ctrl.index; i++) {
        PpPCIBus *bus = g_ptr_array_index(placer->set->buses, i);
        guint slot;

        if (bus && (bus->flags & PP_PCI_CONNECT_TYPE_PCI_BRIDGE) &&
            ppPCIBusFindFreeSlot(bus, &slot)) {
            ppPlacerAssign(placer, dev, &(PpPCIAddress){ .bus = bus->index, .slot = slot },
                           FALSE);
            return TRUE;
        }
    }
    return ppPlacerNoParent(what, "PCI bus", error);
}

/**
 * ppPlacerPlaceController:
 *
 * Place a PCI controller the user listed without an address. Its parent
 * must have a lower index (QEMU creates controllers in index order).
 */
gboolean
ppPlacerPlaceController(PpPlacer *placer, PpDeviceDef *dev, GError **error)
{
    g_autofree char *what = ppDeviceDefDescribe(dev);
    PpPCIBus *self = ppPCIAddressSetGetBus(placer->set, dev->ctrl.index);
    PpPCIBus *parent;
    PpPCIAddress addr;
    guint slot;

    switch (self->model) {
    case PP_CONTROLLER_MODEL_PCIE_ROOT_PORT:
        if (!ppPCIBusTakeAggregate(placer->root, &placer->root->portCursor, &addr)) {
            g_set_error(error, PP_ERROR, PP_ERROR_EXHAUSTED,
                        _("%1$s has no address and the root bus has no free slot left"), what);
            return FALSE;
        }
        ppPlacerAssign(placer, dev, &addr, TRUE);
        break;
    case PP_CONTROLLER_MODEL_PCIE_SWITCH_DOWNSTREAM_PORT:
        parent = g_queue_peek_head(placer->upstreams);
        if (!parent || parent->index >= (guint)dev->ctrl.index ||
            !ppPCIBusFindFreeSlot(parent, &slot))
            return ppPlacerNoParent(what, "pcie-switch-upstream-port", error);
        ppPlacerAssign(placer, dev, &(PpPCIAddress){ .bus = parent->index, .slot = slot }, FALSE);
        break;
    case PP_CONTROLLER_MODEL_PCIE_SWITCH_UPSTREAM_PORT:
    case PP_CONTROLLER_MODEL_PCIE_TO_PCI_BRIDGE:
        if (!(parent = ppPlacerTakePort(placer, what, dev->ctrl.index, error)))
            return ppPlacerNoParent(what, "empty pcie-root-port", error);
        ppPlacerAssign(placer, dev, &(PpPCIAddress){ .bus = parent->index }, FALSE);
        break;
    case PP_CONTROLLER_MODEL_PCI_BRIDGE:
        return ppPlacerPlaceUserBridge(placer, dev, what, error);
    case PP_CONTROLLER_MODEL_DMI_TO_PCI_BRIDGE:
        /* 00:1e.0 is where the DMI bridge sits on real ICH9 and in libvirt. */
        if (ppPlacerPlaceAt(placer, dev, 0x1e, 0))
            break;
        G_GNUC_FALLTHROUGH;
    case PP_CONTROLLER_MODEL_PCI_EXPANDER_BUS:
    case PP_CONTROLLER_MODEL_PCIE_EXPANDER_BUS:
        if (!ppPCIBusFindFreeSlot(placer->root, &slot)) {
            g_set_error(error, PP_ERROR, PP_ERROR_EXHAUSTED,
                        _("%1$s has no address and the root bus has no free slot left"), what);
            return FALSE;
        }
        ppPlacerAssign(placer, dev, &(PpPCIAddress){ .slot = slot }, FALSE);
        break;
    case PP_CONTROLLER_MODEL_NONE:
    case PP_CONTROLLER_MODEL_PCI_ROOT:
    case PP_CONTROLLER_MODEL_PCIE_ROOT:
    case PP_CONTROLLER_MODEL_LAST:
        return TRUE;
    }
    self->parent = dev->addr.pci.bus;
    return TRUE;
}

/**
 * ppPlacerAddSpares:
 *
 * Leave @spares empty hot-pluggable ports, adding root ports as needed.
 */
gboolean
ppPlacerAddSpares(PpPlacer *placer, guint spares, GError **error)
{
    guint have = ppPCIAddressSetCountEmptyPorts(placer->set);

    placer->sparing = TRUE;
    for (; have < spares; have++) {
        PpPCIBus *port;

        if (!(port = ppPlacerGrowPort(placer, _("a spare hot-plug port"), error)))
            return FALSE;
        if (placer->portDemand > 0)
            placer->portDemand--;
        ppPCIAddressSetQueueIfEmptyPort(placer->set, port);
    }
    return TRUE;
}

/* Name a device of a slot that lacks function 0; only on the error path. */
static gboolean
ppPlacerNoFunctionZero(const PpPlacer *placer, guint busIndex, guint slot, GError **error)
{
    g_autofree char *what = NULL;
    guint i;

    for (i = 0; i < placer->def->devices->len && !what; i++) {
        const PpDeviceDef *dev = g_ptr_array_index(placer->def->devices, i);

        if (dev->addr.type == PP_ADDRESS_PCI && dev->addr.pci.bus == busIndex &&
            dev->addr.pci.slot == slot)
            what = ppDeviceDefDescribe(dev);
    }
    g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                _("%1$s is in PCI slot 0000:%2$02x:%3$02x, which has nothing at function 0, so guests will not find it; put a device of that slot at function 0"),
                what ? what : _("a device"), busIndex, slot);
    return FALSE;
}

static gboolean
ppPlacerBusNrRangeError(const PpPCIBus *pxb, guint lo, guint n, guint mainBuses, GError **error)
{
    g_autofree char *what = ppDeviceDefDescribe(pxb->ctrl);

    g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                _("%1$s has busNr %2$u and needs %3$u bus numbers from there, which overlaps the main root complex (buses 0-%4$u), another expander bus, or bus 255; give it a busNr that leaves room, or remove busNr to have one chosen"),
                what, lo, n, mainBuses - 1);
    return FALSE;
}

/*
 * Expander buses split the domain's 256 bus numbers: the firmware numbers
 * the main root complex from 0 and each expander from its busNr, so the
 * ranges must not overlap or devices vanish from the guest. The main
 * complex keeps the bottom and all the slack (a switch or bridge
 * hot-plugged there later needs numbers); each new expander gets exactly
 * what its own buses need, packed from the top down.
 */
static gboolean
ppPlacerAssignBusNumbers(PpPlacer *placer, GError **error)
{
    g_autofree guint *need = g_new0(guint, placer->set->buses->len);
    guint8 taken[PP_PCI_MAX_BUSES] = { 0 };
    guint ceiling = PP_PCI_MAX_BUSES;
    guint i;
    guint b;

    for (i = 0; i < placer->set->buses->len; i++) {
        PpPCIBus *bus = g_ptr_array_index(placer->set->buses, i);

        if (bus)
            need[bus->complex]++;
    }
    for (b = 0; b < need[0]; b++)
        taken[b] = 1;

    /* The users' busNr values stay; check them first. */
    for (i = 1; i < placer->set->buses->len; i++) {
        PpPCIBus *pxb = g_ptr_array_index(placer->set->buses, i);
        int nr;

        if (!pxb || !ppPlacerIsExpander(pxb) || (nr = pxb->ctrl->ctrl.busNr) < 0)
            continue;
        if ((guint)nr + need[i] > PP_PCI_MAX_BUSES - 1)
            return ppPlacerBusNrRangeError(pxb, nr, need[i], need[0], error);
        for (b = nr; b < (guint)nr + need[i]; b++) {
            if (taken[b])
                return ppPlacerBusNrRangeError(pxb, nr, need[i], need[0], error);
            taken[b] = 1;
        }
        ceiling = MIN(ceiling, (guint)nr);
    }
    /* Bus 255 is left alone: QEMU accepts it, but it leaves no room. */
    ceiling = MIN(ceiling, PP_PCI_MAX_BUSES - 1);
    for (i = placer->set->buses->len; i-- > 1;) {
        PpPCIBus *pxb = g_ptr_array_index(placer->set->buses, i);

        if (!pxb || !ppPlacerIsExpander(pxb) || pxb->ctrl->ctrl.busNr >= 0)
            continue;
        if (ceiling < need[i] || ceiling - need[i] < need[0]) {
            g_autofree char *what = ppDeviceDefDescribe(pxb->ctrl);

            g_set_error(error, PP_ERROR, PP_ERROR_EXHAUSTED,
                        _("%1$s needs %2$u bus numbers, but the main root complex uses %3$u and the expander buses above it leave no room: all 256 bus numbers of the domain are taken"),
                        what, need[i], need[0]);
            return FALSE;
        }
        ceiling -= need[i];
        pxb->ctrl->ctrl.busNr = ceiling;
        if (!pxb->ctrl->added)
            pxb->ctrl->targetChanged = TRUE;
    }
    return TRUE;
}

/* Does a device on @bus satisfy preferredConnection @pref? */
static gboolean
ppPlacerBusMatchesConnection(const PpPCIBus *bus, PpConnection pref)
{
    switch (pref) {
    case PP_CONNECTION_NONE:
    case PP_CONNECTION_VIRTIO_MMIO:
    case PP_CONNECTION_LAST:
        return TRUE;
    case PP_CONNECTION_PCI:
        return !ppPCIBusIsPort(bus) && bus->model != PP_CONTROLLER_MODEL_PCIE_ROOT;
    case PP_CONNECTION_PCIE:
        return ppPCIBusIsPort(bus);
    case PP_CONNECTION_PCI_ROOT:
        return bus->model == PP_CONTROLLER_MODEL_PCI_ROOT;
    case PP_CONNECTION_PCIE_ROOT:
        return bus->model == PP_CONTROLLER_MODEL_PCIE_ROOT;
    case PP_CONNECTION_PCIE_ROOT_PORT:
        return bus->model == PP_CONTROLLER_MODEL_PCIE_ROOT_PORT;
    case PP_CONNECTION_PCIE_SWITCH_DOWNSTREAM_PORT:
        return bus->model == PP_CONTROLLER_MODEL_PCIE_SWITCH_DOWNSTREAM_PORT;
    case PP_CONNECTION_PCI_BRIDGE:
        return bus->model == PP_CONTROLLER_MODEL_PCI_BRIDGE;
    case PP_CONNECTION_PCIE_TO_PCI_BRIDGE:
        return bus->model == PP_CONTROLLER_MODEL_PCIE_TO_PCI_BRIDGE;
    case PP_CONNECTION_PCIE_EXPANDER_BUS:
    case PP_CONNECTION_PCI_EXPANDER_BUS:
        return bus->complex != 0;
    }
    return FALSE;
}

/*
 * verify: every device's hints hold where it ended up. Placement honours
 * them by construction; this catches a user's address that contradicts
 * the device's own hint (a hint is never silently ignored).
 */
static gboolean
ppPlacerVerifyHints(const PpPlacer *placer, GError **error)
{
    guint i;

    for (i = 0; i < placer->def->devices->len; i++) {
        const PpDeviceDef *dev = g_ptr_array_index(placer->def->devices, i);
        const PpPCIBus *bus;
        g_autofree char *what = NULL;
        g_autofree char *addr = NULL;
        g_autofree char *hint = NULL;

        if (dev->addr.type != PP_ADDRESS_PCI || !ppDeviceHintsPresent(&dev->hints) ||
            !(bus = ppPCIAddressSetGetBus(placer->set, dev->addr.pci.bus)))
            continue;
        if (ppPlacerBusMatchesConnection(bus, dev->hints.preferredConnection) &&
            (dev->hints.numaNode < 0 || bus->numaNode == dev->hints.numaNode))
            continue;
        what = ppDeviceDefDescribe(dev);
        addr = ppPCIAddressFormat(&dev->addr.pci);
        hint = dev->hints.numaNode >= 0 && bus->numaNode != dev->hints.numaNode
                   ? g_strdup_printf("numaNode='%d'", dev->hints.numaNode)
                   : g_strdup_printf("preferredConnection='%s'",
                                     ppConnectionToString(dev->hints.preferredConnection));
        g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                    _("%1$s has the address %2$s, on a %3$s (bus %4$u), which contradicts its own %5$s; remove the address or the hint"),
                    what, addr, ppPCIControllerModelToString(bus->model), bus->index, hint);
        return FALSE;
    }
    return TRUE;
}

/*
 * verify: every slot that uses other functions has a function 0 (a guest
 * finds a slot's functions through function 0); then multifunction='on'
 * where a slot holds more than one function.
 */
gboolean
ppPlacerFinish(PpPlacer *placer, GError **error)
{
    guint i;
    guint slot;

    for (i = 0; i < placer->set->buses->len; i++) {
        PpPCIBus *bus = g_ptr_array_index(placer->set->buses, i);

        for (slot = 0; bus && slot < PP_PCI_SLOTS; slot++) {
            const PpDeviceDef *fn0 = bus->fn0[slot];

            if (bus->functions[slot] && !(bus->functions[slot] & 1))
                return ppPlacerNoFunctionZero(placer, bus->index, slot, error);
            /* QEMU refuses other functions behind a single-function 0:
             * "PCI: single function device can't be populated in function". */
            if (fn0 && bus->functions[slot] != 1 && fn0->addr.type == PP_ADDRESS_PCI &&
                fn0->addr.pci.multifunction == PP_TRISTATE_NO) {
                g_autofree char *what = ppDeviceDefDescribe(fn0);

                g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                            _("%1$s has multifunction='off' at function 0 of PCI slot 0000:%2$02x:%3$02x, which holds other functions too; QEMU refuses that: set multifunction='on'"),
                            what, bus->index, slot);
                return FALSE;
            }
        }
    }
    if (!ppPlacerVerifyHints(placer, error))
        return FALSE;
    ppPCIAddressSetMarkMultifunction(placer->set);
    return ppPlacerAssignBusNumbers(placer, error);
}

guint
ppPlacerCountBuses(const PpPlacer *placer)
{
    return placer->set->nbuses;
}

guint
ppPlacerCountEmptyPorts(const PpPlacer *placer)
{
    return ppPCIAddressSetCountEmptyPorts(placer->set);
}
