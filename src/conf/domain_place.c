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
 * This file owns the placer and its collect and size passes; chain growth
 * is in domain_place_grow.c, the place pass in domain_place_place.c, the
 * verify pass and bus numbers in domain_place_finish.c, their shared state
 * in domain_placepriv.h.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "domain_placepriv.h"
#include "pperror.h"

#include <string.h>

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
    placer->groups = g_hash_table_new(g_str_hash, g_str_equal);
    placer->expanders = g_hash_table_new(g_direct_hash, g_direct_equal);
    placer->degraded = g_ptr_array_new();
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
    g_hash_table_unref(placer->groups);
    g_hash_table_unref(placer->expanders);
    g_ptr_array_unref(placer->degraded);
    g_free(placer);
}

gboolean
ppPlacerChassisTest(const PpPlacer *placer, guint chassis)
{
    return placer->chassisUsed[chassis / 8] & (1u << (chassis % 8));
}

void
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

void
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

gboolean
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

/*
 * The switch of each P2P group that already has a placed member (a
 * planned domain, an attach): later members join it, and devices of no
 * group do not take its free slots. A member that is not below a switch
 * is left to the verify pass, which names the group.
 */
static void
ppPlacerCollectGroups(PpPlacer *placer)
{
    guint i;

    for (i = 0; i < placer->def->devices->len; i++) {
        PpDeviceDef *dev = g_ptr_array_index(placer->def->devices, i);
        PpPCIBus *up = ppPlacerGroupSwitchOf(placer, dev);

        if (!dev->hints.p2pGroup || !up ||
            g_hash_table_contains(placer->groups, dev->hints.p2pGroup))
            continue;
        g_hash_table_insert(placer->groups, dev->hints.p2pGroup, up);
        g_queue_remove(placer->upstreams, up);
    }
}

/* The upstream port of the switch whose downstream port holds @dev, or NULL. */
PpPCIBus *
ppPlacerGroupSwitchOf(const PpPlacer *placer, const PpDeviceDef *dev)
{
    PpPCIBus *port;
    PpPCIBus *up;

    if (dev->addr.type != PP_ADDRESS_PCI || ppPCIAddressIsEmpty(&dev->addr.pci) ||
        !(port = ppPCIAddressSetGetBus(placer->set, dev->addr.pci.bus)) ||
        port->model != PP_CONTROLLER_MODEL_PCIE_SWITCH_DOWNSTREAM_PORT || port->parent < 0 ||
        !(up = ppPCIAddressSetGetBus(placer->set, port->parent)) ||
        up->model != PP_CONTROLLER_MODEL_PCIE_SWITCH_UPSTREAM_PORT)
        return NULL;
    return up;
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
    ppPlacerCollectGroups(placer);
}

/* ------------------------------------------------------------------ */
/* size                                                                */

/*
 * On pc, a conventional PCI device that goes to the root bus only because
 * it needs no hot-plug (not because QEMU or its hints require the root
 * bus): it shares pci-root slots with the hot-pluggable devices, and
 * where they leave none, a bridge slot serves it as well.
 */
gboolean
ppPlacerIsSoft(const PpDeviceDef *dev, PpPCIConnectFlags flags)
{
    return (flags & PP_PCI_CONNECT_ALSO_PCI) && dev->hints.hotpluggable == PP_TRISTATE_ABSENT &&
           dev->hints.preferredConnection == PP_CONNECTION_NONE && dev->hints.numaNode < 0;
}

gboolean
ppPlacerIsRootCold(const PpPlacer *placer, const PpDeviceDef *dev, PpPCIConnectFlags flags)
{
    return !placer->policy.pcie && dev->hints.hotpluggable == PP_TRISTATE_NO &&
           !(flags & PP_PCI_CONNECT_INTEGRATED) &&
           dev->hints.preferredConnection != PP_CONNECTION_PCI_ROOT;
}

PpPlaceClass
ppPlacerClassify(const PpPlacer *placer, const PpDeviceDef *dev, PpPCIConnectFlags flags)
{
    gboolean hotplug = dev->hints.hotpluggable != PP_TRISTATE_NO;

    if (!(flags & PP_PCI_CONNECT_TYPES_ENDPOINT))
        return PP_PLACE_CLASS_NONE;
    /* pc's pci-root hot-plugs through ACPI, one device per slot. */
    if (dev->hints.preferredConnection == PP_CONNECTION_PCI_ROOT && hotplug &&
        !(flags & PP_PCI_CONNECT_INTEGRATED) && !placer->policy.pcie)
        return PP_PLACE_CLASS_LEGACY;
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
    /* Members of a P2P group take ports of their group's switch only. */
    if (dev->hints.p2pGroup)
        return;
    switch (ppPlacerClassify(placer, dev, flags)) {
    case PP_PLACE_CLASS_PORT:
        placer->portDemand++;
        if (ppPlacerIsSoft(dev, flags))
            placer->softLeft++;
        break;
    case PP_PLACE_CLASS_LEGACY:
        placer->legacyDemand++;
        break;
    case PP_PLACE_CLASS_COLD:
        placer->coldDemand++;
        break;
    case PP_PLACE_CLASS_INTEGRATED:
        if (ppPlacerIsRootCold(placer, dev, flags))
            placer->rootColdDemand++;
        break;
    case PP_PLACE_CLASS_NONE:
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
/*
 * Can root ports join @slot of @bus? A slot whose function 0 is a
 * pcie-root-port with multifunction='on' (every slot the planner opens
 * for root ports, and libvirt's) takes more ports in its free functions
 * without changing anything the guest sees of the ports already there.
 * A slot whose function 0 is single-function does not: adding a
 * function would flip its multifunction bit.
 */
static gboolean
ppPlacerPortSlotHasRoom(const PpPCIBus *bus, guint slot)
{
    const PpDeviceDef *fn0 = bus->fn0[slot];

    return bus->functions[slot] != 0 && bus->functions[slot] != 0xff && fn0 &&
           fn0->kind == PP_DEVICE_CONTROLLER &&
           fn0->ctrl.pciModel == PP_CONTROLLER_MODEL_PCIE_ROOT_PORT &&
           fn0->addr.type == PP_ADDRESS_PCI && fn0->addr.pci.multifunction == PP_TRISTATE_YES;
}

/*
 * Point @bus's port cursor at a slot with room for another root port:
 * the one it is filling, else the lowest port slot with a free function
 * (a domain planned before, one root port at a time). At most 32 slots
 * are looked at, so growth stays linear in the number of devices.
 */
void
ppPlacerResumePortSlot(PpPCIBus *bus)
{
    guint slot;

    if (bus->portCursor >= 0 && bus->aggregate[bus->portCursor] &&
        bus->functions[bus->portCursor] != 0xff)
        return;
    for (slot = bus->minSlot; slot <= bus->autoMaxSlot; slot++) {
        if (ppPlacerPortSlotHasRoom(bus, slot)) {
            bus->portCursor = slot;
            bus->aggregate[slot] = TRUE;
            return;
        }
    }
}

/* Root-port functions left on the root bus: free functions of its port
 * slots, and 8 in each wholly free slot. */
guint
ppPlacerRootPortCapacity(PpPlacer *placer)
{
    PpPCIBus *root = placer->root;
    guint n = 0;
    guint slot;
    guint fn;

    ppPlacerResumePortSlot(root);
    for (slot = root->minSlot; slot <= root->autoMaxSlot; slot++) {
        if (!root->functions[slot] && slot >= root->nextSlot) {
            n += PP_PCI_FUNCTIONS;
        } else if ((int)slot == root->portCursor || ppPlacerPortSlotHasRoom(root, slot)) {
            for (fn = 0; fn < PP_PCI_FUNCTIONS; fn++)
                n += ppPCIBusFunctionIsFree(root, slot, fn);
        }
    }
    return n;
}

/*
 * More devices want PCIe ports than the bus numbers allow (each port takes
 * one, 256 in all). A device without hints prefers a port but does not
 * need one: the last of them go to hot-pluggable (SHPC) slots of a
 * pcie-to-pci-bridge and pci-bridges chained behind it, 30 to a bridge
 * and one bus number per bridge, where QEMU makes a virtio device
 * transitional. Find the fewest that must move so that the rest, the
 * bridges and the port holding the first one fit.
 */
static void
ppPlacerSizeOverflow(PpPlacer *placer)
{
    guint used = MAX(placer->set->nbuses, placer->nextIndex);
    guint freeBuses = used < PP_PCI_MAX_BUSES ? PP_PCI_MAX_BUSES - used : 0;
    guint rootCap = ppPlacerRootPortCapacity(placer);
    guint demand = placer->portDemand;
    guint m;

    if (!placer->policy.pcie || placer->softLeft == 0)
        return;
    if (demand + (demand > rootCap ? 2 : 0) <= freeBuses)
        return;
    /* The devices that are conventional PCI anyway may share the bridges
     * (an overestimate when a chipset slot takes one, as q35's SATA). */
    for (m = 1; m <= placer->softLeft; m++) {
        guint ports = demand - m + 1;
        guint legacy = placer->legacyDemand + m;
        guint bridges = (legacy + 29) / 30;
        guint sw = ports > rootCap ? 2 : 0;

        if (ports + sw + bridges <= freeBuses)
            break;
    }
    /* Not even all of them: the plan fails, and the error is better
     * about the device that insisted on a port than about the last. */
    if (m > placer->softLeft)
        return;
    placer->softToLegacy = m;
    placer->portDemand -= m;
    placer->legacyDemand += m;
}

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
    ppPlacerSizeOverflow(placer);
}
