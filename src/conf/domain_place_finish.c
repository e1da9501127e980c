/*
 * domain_place_finish.c: the verify pass: function 0, multifunction, hints held, bus numbers
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "domain_placepriv.h"
#include "pperror.h"

#include <string.h>

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
 * complex keeps the bottom and the slack in the middle (a switch or
 * bridge hot-plugged there later needs numbers); each new expander gets
 * what its own buses need plus up to PP_EXPANDER_BUS_SLACK more, packed
 * from the top down, so that devices added later on its NUMA node (a root
 * port each) fit below its busNr without moving a bus the guest sees.
 */
#define PP_EXPANDER_BUS_SLACK 8

static gboolean
ppPlacerAssignBusNumbers(PpPlacer *placer, GError **error)
{
    g_autofree guint *need = g_new0(guint, placer->set->buses->len);
    guint8 taken[PP_PCI_MAX_BUSES] = { 0 };
    guint ceiling = PP_PCI_MAX_BUSES;
    guint newNeed = 0;
    guint newCount = 0;
    guint slack = 0;
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
    for (i = 1; i < placer->set->buses->len; i++) {
        PpPCIBus *pxb = g_ptr_array_index(placer->set->buses, i);

        if (pxb && ppPlacerIsExpander(pxb) && pxb->ctrl->ctrl.busNr < 0) {
            newNeed += need[i];
            newCount++;
        }
    }
    if (newCount && ceiling >= need[0] + newNeed)
        slack = MIN(PP_EXPANDER_BUS_SLACK, (ceiling - need[0] - newNeed) / newCount);
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
        ceiling -= need[i] + slack;
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
 * verify: the members of each P2P group sit on downstream ports of one
 * switch, and no two groups share a switch. Placement does so by
 * construction; this catches a user's address (or a planned domain
 * edited by hand) that breaks a group.
 */
static gboolean
ppPlacerVerifyGroups(const PpPlacer *placer, GError **error)
{
    g_autoptr(GHashTable) switchOf = g_hash_table_new(g_str_hash, g_str_equal);
    g_autoptr(GHashTable) groupOf = g_hash_table_new(g_direct_hash, g_direct_equal);
    guint i;

    for (i = 0; i < placer->def->devices->len; i++) {
        const PpDeviceDef *dev = g_ptr_array_index(placer->def->devices, i);
        const char *name = dev->hints.p2pGroup;
        PpPCIBus *up;
        PpPCIBus *had;
        const char *other;
        g_autofree char *what = NULL;
        g_autofree char *addr = NULL;

        if (!name || dev->addr.type != PP_ADDRESS_PCI)
            continue;
        up = ppPlacerGroupSwitchOf(placer, dev);
        had = g_hash_table_lookup(switchOf, name);
        other = up ? g_hash_table_lookup(groupOf, up) : NULL;
        if (up && (!had || had == up) && (!other || g_str_equal(other, name))) {
            g_hash_table_insert(switchOf, (gpointer)name, up);
            g_hash_table_insert(groupOf, up, (gpointer)name);
            continue;
        }
        what = ppDeviceDefDescribe(dev);
        addr = ppPCIAddressFormat(&dev->addr.pci);
        if (!up)
            g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                        _("P2P group '%1$s': %2$s has the address %3$s, which is not on a downstream port of a PCIe switch; remove the address to have it placed in the group's switch"),
                        name, what, addr);
        else if (had != NULL && had != up)
            g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                        _("P2P group '%1$s': %2$s has the address %3$s, below the switch with upstream port index %4$u, but other members are below the switch with upstream port index %5$u; one group sits below one switch: remove the address"),
                        name, what, addr, up->index, had->index);
        else
            g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                        _("P2P group '%1$s': %2$s has the address %3$s, below the switch of P2P group '%4$s' (upstream port index %5$u); each group has a switch of its own: remove the address"),
                        name, what, addr, other, up->index);
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
    if (!ppPlacerVerifyHints(placer, error) || !ppPlacerVerifyGroups(placer, error))
        return FALSE;
    ppPCIAddressSetMarkMultifunction(placer->set);
    return ppPlacerAssignBusNumbers(placer, error);
}

const GPtrArray *
ppPlacerGetDegraded(const PpPlacer *placer)
{
    return placer->degraded;
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
