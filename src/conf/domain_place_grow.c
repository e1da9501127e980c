/*
 * domain_place_grow.c: growing controller chains: ports, switches, bridges, bus numbers to spare
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "domain_placepriv.h"
#include "pperror.h"

#include <string.h>

/* ------------------------------------------------------------------ */
/* growth                                                              */

gboolean
ppPlacerHasBusNumbers(const PpPlacer *placer, guint need)
{
    return placer->set->nbuses + need <= PP_PCI_MAX_BUSES &&
           placer->nextIndex + need <= PP_PCI_MAX_BUSES;
}

gboolean
ppPlacerCheckBusNumbers(const PpPlacer *placer, guint need, const char *what, GError **error)
{
    if (ppPlacerHasBusNumbers(placer, need))
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
PpPCIBus *
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

static char *
ppPlacerPortReason(const PpPlacer *placer, const char *what)
{
    if (placer->sparing)
        return g_strdup(_("spare hot-pluggable port (--spare-ports)"));
    return g_strdup_printf(_("hot-pluggable PCIe port for %1$s"), what);
}

/* A root port on @parent, the root bus or an expander bus. */
PpPCIBus *
ppPlacerAddRootPortOn(PpPlacer *placer, PpPCIBus *parent, const char *what, GError **error)
{
    PpPCIAddress addr;

    if (!ppPlacerCheckBusNumbers(placer, 1, what, error))
        return NULL;
    ppPlacerResumePortSlot(parent);
    if (!ppPCIBusTakeAggregate(parent, &parent->portCursor, &addr)) {
        g_set_error(error, PP_ERROR, PP_ERROR_EXHAUSTED,
                    _("%1$s needs a new pcie-root-port, but its root bus (index %2$u) has no free slot left"),
                    what, parent->index);
        return NULL;
    }
    /* A slot opened for root ports is multifunction from its first port
     * on, so that ports added later, also by a later run, leave it be. */
    if (addr.function == 0)
        addr.multifunction = PP_TRISTATE_YES;
    return ppPlacerAddController(placer, PP_CONTROLLER_MODEL_PCIE_ROOT_PORT, &addr, TRUE,
                                 ppPlacerPortReason(placer, what), error);
}

/* A root port on the root bus. */
PpPCIBus *
ppPlacerAddRootPort(PpPlacer *placer, const char *what, GError **error)
{
    return ppPlacerAddRootPortOn(placer, placer->root, what, error);
}

/* A downstream port on a switch with a free slot, or NULL if none has one. */
PpPCIBus *
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
PpPCIBus *
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
 * it is added only when root ports run out, as QEMU's docs/pcie.txt advises); the
 * last root-port function hosts a switch if more ports are still wanted;
 * then downstream ports of that switch (or of the user's).
 */
PpPCIBus *
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
    if (capacity > 1)
        return ppPlacerAddRootPort(placer, what, error);
    /* The last root-port function hosts a switch whenever the bus numbers
     * allow one, also for a single port: a domain grows one device at a
     * time, and a root port there would leave the next device nowhere. */
    if (capacity == 1) {
        if ((port = ppPlacerAddDownstreamPort(placer, what, error)))
            return port;
        if ((error && *error))
            return NULL;
        if (!ppPlacerHasBusNumbers(placer, 3))
            return ppPlacerAddRootPort(placer, what, error);
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
PpPCIBus *
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

/* The first bus of @model's queue with a free slot, or NULL. */
PpPCIBus *
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
PpPCIBus *
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
PpPCIBus *
ppPlacerAddPCIToPCIeBridge(PpPlacer *placer, const char *what, GError **error)
{
    PpPCIBus *parent;
    PpPCIBus *bus;
    guint slot = 0x1e;

    /* A running guest: say what works instead of "more spare ports",
     * which are PCIe and cannot take a conventional PCI device. */
    if (!placer->policy.allowGrowth) {
        g_set_error(error, PP_ERROR, PP_ERROR_EXHAUSTED,
                    _("%1$s is a conventional PCI device and needs a free slot of a pcie-to-pci-bridge or pci-bridge, which the running domain lacks, and a running guest cannot take new controllers: use a virtio or PCI Express model (it goes into a spare PCIe port), re-plan the domain with --spare-pci-slots N to have a bridge with free slots, or attach with --config"),
                    what);
        return NULL;
    }
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
gboolean
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
    /* pci-root's last slot is also the last for pc's cold devices. */
    if (placer->legacyDemand + (bus == placer->root ? placer->rootColdDemand : 0) > 1 &&
        ppPlacerBusHasOneFreeSlot(bus) &&
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
