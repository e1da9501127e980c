/*
 * domain_place_place.c: the place pass: an address for each device, in policy order
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "domain_placepriv.h"
#include "pperror.h"

#include <string.h>

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
ppPlacerRootHasTwoFreeSlots(PpPlacer *placer)
{
    PpPCIBus *root = placer->root;
    guint slot;
    guint n = 0;

    for (slot = root->nextSlot; slot <= root->autoMaxSlot && n < 2; slot++)
        n += root->functions[slot] == 0;
    return n >= 2;
}

static gboolean
ppPlacerPlaceIntegrated(PpPlacer *placer, PpDeviceDef *dev, PpPCIConnectFlags flags,
                        const char *what, GError **error)
{
    PpPCIAddress addr;
    int cursor = placer->integratedCursor;

    if (ppPlacerIsRootCold(placer, dev, flags)) {
        if (placer->rootColdDemand > 0)
            placer->rootColdDemand--;
        /* A new root-bus slot only while hot-pluggable devices still to
         * come keep one; else a slot on a bridge, added if need be. */
        if (!(cursor >= 0 && placer->root->aggregate[cursor] &&
              placer->root->functions[cursor] != 0xff) &&
            placer->legacyDemand > 0 && !ppPlacerRootHasTwoFreeSlots(placer)) {
            placer->legacyDemand++;
            if (!ppPlacerTakeLegacySlot(placer, what, &addr, error))
                return FALSE;
            ppPlacerAssign(placer, dev, &addr, FALSE);
            return TRUE;
        }
    }

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

/* A device without hints that found no PCIe port: a hot-pluggable slot
 * of a conventional PCI bridge, noted for explain and stderr. */
static gboolean
ppPlacerPlaceSoftLegacy(PpPlacer *placer, PpDeviceDef *dev, const char *what, GError **error)
{
    PpPCIAddress addr;

    if (!ppPlacerTakeLegacySlot(placer, what, &addr, error))
        return FALSE;
    ppPlacerAssign(placer, dev, &addr, FALSE);
    g_ptr_array_add(placer->degraded, dev);
    return TRUE;
}

/* preferredConnection='pci-root' on pc without hotpluggable='no': a slot
 * of its own on pci-root, which hot-plugs through ACPI. */
static gboolean
ppPlacerPlaceOnPCIRoot(PpPlacer *placer, PpDeviceDef *dev, const char *what, GError **error)
{
    guint slot;

    if (!ppPCIBusFindFreeSlot(placer->root, &slot)) {
        g_set_error(error, PP_ERROR, PP_ERROR_EXHAUSTED,
                    _("%1$s asks for preferredConnection='pci-root', but pci-root has no free slot left; add hotpluggable='no' to share a slot with other such devices, or remove the hint"),
                    what);
        return FALSE;
    }
    if (placer->legacyDemand > 0)
        placer->legacyDemand--;
    ppPlacerAssign(placer, dev, &(PpPCIAddress){ .slot = slot }, FALSE);
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

/*
 * A member of a P2P group: slot 0 of a downstream port of its group's
 * switch, so that peer-to-peer DMA between the members is routed by the
 * switch and never climbs to a root port (PCIe routes a request between
 * two downstream ports of one switch inside it; between root ports only
 * if the root complex supports peer-to-peer, which QEMU's does not
 * promise). One switch per group (a root port, an upstream port, up to
 * 32 downstream ports), added on first use and given to no other device;
 * behind the expander bus of the members' numaNode if they have one (the
 * caller checked that they agree).
 */
static gboolean
ppPlacerPlaceInGroup(PpPlacer *placer, PpDeviceDef *dev, const char *what, GError **error)
{
    const char *name = dev->hints.p2pGroup;
    PpPCIBus *up = g_hash_table_lookup(placer->groups, name);
    PpPCIBus *port;
    guint slot;

    if (!up) {
        PpPCIBus *parent = placer->root;
        PpPCIBus *rp;

        if (dev->hints.numaNode >= 0 &&
            !(parent = ppPlacerExpanderFor(placer, dev->hints.numaNode, what, error)))
            return FALSE;
        if (!ppPlacerCheckBusNumbers(placer, 3, what, error) ||
            !(rp = ppPlacerAddRootPortOn(placer, parent, what, error)) ||
            !(up = ppPlacerAddController(placer, PP_CONTROLLER_MODEL_PCIE_SWITCH_UPSTREAM_PORT,
                                         &(PpPCIAddress){ .bus = rp->index }, FALSE,
                                         g_strdup_printf(_("switch of P2P group '%1$s'"), name),
                                         error)))
            return FALSE;
        g_hash_table_insert(placer->groups, (gpointer)name, up);
    }
    if (!ppPCIBusFindFreeSlot(up, &slot)) {
        g_set_error(error, PP_ERROR, PP_ERROR_EXHAUSTED,
                    _("P2P group '%1$s': %2$s needs a downstream port of the group's switch (upstream port index %3$u), which has no free slot left; a switch takes at most %4$u downstream ports: split the group"),
                    name, what, up->index, up->autoMaxSlot - up->minSlot + 1);
        return FALSE;
    }
    if (!ppPlacerCheckBusNumbers(placer, 1, what, error) ||
        !(port = ppPlacerAddController(placer, PP_CONTROLLER_MODEL_PCIE_SWITCH_DOWNSTREAM_PORT,
                                       &(PpPCIAddress){ .bus = up->index, .slot = slot }, FALSE,
                                       g_strdup_printf(_("port of P2P group '%1$s' for %2$s"),
                                                       name, what),
                                       error)))
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

    if (dev->hints.p2pGroup)
        return ppPlacerPlaceInGroup(placer, dev, what, error);
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
        if (ppPlacerClassify(placer, dev, flags) == PP_PLACE_CLASS_LEGACY)
            return ppPlacerPlaceOnPCIRoot(placer, dev, what, error);
        break;
    case PP_CONNECTION_PCIE_ROOT:
    case PP_CONNECTION_VIRTIO_MMIO:
    case PP_CONNECTION_LAST:
        break;
    }

    switch (ppPlacerClassify(placer, dev, flags)) {
    case PP_PLACE_CLASS_INTEGRATED:
        return ppPlacerPlaceIntegrated(placer, dev, flags, what, error);
    case PP_PLACE_CLASS_COLD:
        return ppPlacerPlaceCold(placer, dev, what, error);
    case PP_PLACE_CLASS_PORT:
        if (ppPlacerIsSoft(dev, flags) && placer->softLeft > 0 &&
            --placer->softLeft < placer->softToLegacy)
            return ppPlacerPlaceSoftLegacy(placer, dev, what, error);
        if (!(port = ppPlacerTakePort(placer, what, -1, error))) {
            /* Growth past the bus numbers (an attach): a free SHPC slot
             * still serves a device without hints. */
            if (ppPlacerIsSoft(dev, flags) && error && g_error_matches(*error, PP_ERROR, PP_ERROR_EXHAUSTED) &&
                ppPlacerLegacyCurrent(placer)) {
                g_clear_error(error);
                return ppPlacerPlaceSoftLegacy(placer, dev, what, error);
            }
            return FALSE;
        }
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

/* Free slots of the hot-pluggable conventional PCI buses. */
static guint
ppPlacerCountLegacySlots(PpPlacer *placer)
{
    guint n = 0;
    guint i;
    guint slot;

    for (i = 0; i < placer->set->buses->len; i++) {
        PpPCIBus *bus = g_ptr_array_index(placer->set->buses, i);

        if (!bus || !(bus->flags & PP_PCI_CONNECT_AUTOASSIGN) ||
            !(bus->flags & PP_PCI_CONNECT_HOTPLUGGABLE) ||
            !(bus->flags & PP_PCI_CONNECT_TYPE_PCI_DEVICE) || ppPCIBusIsPort(bus))
            continue;
        for (slot = bus->nextSlot; slot <= bus->autoMaxSlot; slot++)
            n += bus->functions[slot] == 0;
    }
    return n;
}

/**
 * ppPlacerAddSpareSlots:
 *
 * Leave @spares free hot-pluggable conventional PCI slots (SHPC slots of
 * bridges; pc's pci-root slots count), adding a pcie-to-pci-bridge on
 * PCIe machines, then pci-bridges, so that a running guest can take a
 * conventional PCI device (an rtl8139, an e1000) by hot-plug.
 */
gboolean
ppPlacerAddSpareSlots(PpPlacer *placer, guint spares, GError **error)
{
    const char *what = _("spare conventional PCI slots (--spare-pci-slots)");
    guint have = ppPlacerCountLegacySlots(placer);

    while (have < spares) {
        PpPCIBus *bus = ppPlacerLegacyCurrent(placer);
        PpPCIAddress at = { 0 };
        guint slot;

        if (!bus && placer->policy.pcie) {
            if (!ppPlacerAddPCIToPCIeBridge(placer, what, error))
                return FALSE;
        } else {
            /* A pci-bridge in a free slot: one slot for 31. */
            if (!bus || !ppPCIBusFindFreeSlot(bus, &slot)) {
                g_set_error(error, PP_ERROR, PP_ERROR_EXHAUSTED,
                            _("No free slot left for a pci-bridge to give %1$u spare conventional PCI slots"),
                            spares);
                return FALSE;
            }
            at = (PpPCIAddress){ .bus = bus->index, .slot = slot };
            if (!ppPlacerCheckBusNumbers(placer, 1, what, error) ||
                !(bus = ppPlacerAddController(placer, PP_CONTROLLER_MODEL_PCI_BRIDGE, &at, FALSE,
                                              g_strdup(what), error)))
                return FALSE;
            g_queue_push_tail(placer->legacy[bus->model], bus);
        }
        have = ppPlacerCountLegacySlots(placer);
    }
    return TRUE;
}
