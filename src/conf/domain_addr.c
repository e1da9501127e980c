/*
 * domain_addr.c: PCI address sets, placement cursors and controller-chain growth
 *
 * Placement must stay linear in the number of devices: libvirt rescans
 * every bus from bus 0 for each device (O(devices x buses x 256)). Here
 * each bus keeps a cursor below which every slot is taken, and empty ports
 * wait in a queue, so finding the next place is amortised O(1).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "domain_addr.h"
#include "pperror.h"

PpPCIAddressSet *
ppPCIAddressSetNew(void)
{
    PpPCIAddressSet *set = g_new0(PpPCIAddressSet, 1);

    guint i;

    set->buses = g_ptr_array_new_with_free_func(g_free);
    for (i = 0; i < G_N_ELEMENTS(set->ports); i++)
        set->ports[i] = g_queue_new();
    set->expanderPorts = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL,
                                               (GDestroyNotify)g_queue_free);
    return set;
}

void
ppPCIAddressSetFree(PpPCIAddressSet *set)
{
    guint i;

    if (!set)
        return;
    g_ptr_array_unref(set->buses);
    for (i = 0; i < G_N_ELEMENTS(set->ports); i++)
        g_queue_free(set->ports[i]);
    g_hash_table_unref(set->expanderPorts);
    g_free(set);
}

/**
 * ppPCIControllerModelToConnectType:
 *
 * How a controller of @model plugs into its parent. Exhaustive on purpose:
 * a new model must say where it may go.
 */
PpPCIConnectFlags
ppPCIControllerModelToConnectType(PpPCIControllerModel model)
{
    switch (model) {
    case PP_CONTROLLER_MODEL_NONE:
    case PP_CONTROLLER_MODEL_PCI_ROOT:
    case PP_CONTROLLER_MODEL_PCIE_ROOT:
    case PP_CONTROLLER_MODEL_LAST:
        return 0;
    case PP_CONTROLLER_MODEL_PCI_BRIDGE:
        return PP_PCI_CONNECT_TYPE_PCI_BRIDGE;
    case PP_CONTROLLER_MODEL_DMI_TO_PCI_BRIDGE:
        return PP_PCI_CONNECT_TYPE_DMI_TO_PCI_BRIDGE;
    case PP_CONTROLLER_MODEL_PCIE_ROOT_PORT:
        /* Root ports are packed 8 to a slot, as libvirt does since 3.0.0. */
        return PP_PCI_CONNECT_TYPE_PCIE_ROOT_PORT | PP_PCI_CONNECT_AGGREGATE_SLOT;
    case PP_CONTROLLER_MODEL_PCIE_SWITCH_UPSTREAM_PORT:
        return PP_PCI_CONNECT_TYPE_PCIE_SWITCH_UPSTREAM_PORT;
    case PP_CONTROLLER_MODEL_PCIE_SWITCH_DOWNSTREAM_PORT:
        return PP_PCI_CONNECT_TYPE_PCIE_SWITCH_DOWNSTREAM_PORT;
    case PP_CONTROLLER_MODEL_PCI_EXPANDER_BUS:
        return PP_PCI_CONNECT_TYPE_PCI_EXPANDER_BUS;
    case PP_CONTROLLER_MODEL_PCIE_EXPANDER_BUS:
        return PP_PCI_CONNECT_TYPE_PCIE_EXPANDER_BUS;
    case PP_CONTROLLER_MODEL_PCIE_TO_PCI_BRIDGE:
        return PP_PCI_CONNECT_TYPE_PCIE_TO_PCI_BRIDGE;
    }
    return 0;
}

/*
 * What each bus model accepts and which slots it has. Mirrors libvirt's
 * virDomainPCIAddressBusSetModel so that an address we pick is one libvirt
 * would accept; the differences are policy, not facts:
 *  - pcie-root also takes PCI and PCIe endpoints, but only for devices that
 *    must be (INTEGRATED) or asked to be (hotpluggable='no') integrated:
 *    the root bus cannot hot-plug (QEMU: "Bus 'pcie.0' does not support
 *    hotplugging"), so it has no AUTOASSIGN.
 *  - root and downstream ports also take a PCI endpoint from a user's
 *    address; QEMU accepts it (docs/qemu-facts.md section 3).
 */
static void
ppPCIBusSetModel(PpPCIBus *bus, PpPCIControllerModel model, PpTristate hotplug)
{
    PpPCIConnectFlags hp = hotplug == PP_TRISTATE_NO ? 0 : PP_PCI_CONNECT_HOTPLUGGABLE;

    bus->model = model;
    bus->minSlot = 0;
    bus->maxSlot = PP_PCI_SLOTS - 1;
    switch (model) {
    case PP_CONTROLLER_MODEL_PCI_ROOT:
        bus->flags = PP_PCI_CONNECT_AUTOASSIGN | PP_PCI_CONNECT_TYPE_PCI_DEVICE |
                     PP_PCI_CONNECT_TYPE_PCI_BRIDGE | PP_PCI_CONNECT_TYPE_PCI_EXPANDER_BUS | hp;
        bus->minSlot = 1;
        break;
    case PP_CONTROLLER_MODEL_PCIE_ROOT:
        bus->flags = PP_PCI_CONNECT_TYPE_PCIE_DEVICE | PP_PCI_CONNECT_TYPE_PCI_DEVICE |
                     PP_PCI_CONNECT_TYPE_PCIE_ROOT_PORT | PP_PCI_CONNECT_TYPE_DMI_TO_PCI_BRIDGE |
                     PP_PCI_CONNECT_TYPE_PCIE_EXPANDER_BUS;
        bus->minSlot = 1;
        break;
    case PP_CONTROLLER_MODEL_PCI_BRIDGE:
    case PP_CONTROLLER_MODEL_PCIE_TO_PCI_BRIDGE:
        /* Slot 0 of an SHPC bridge cannot take a hot-plugged device. */
        bus->flags = PP_PCI_CONNECT_AUTOASSIGN | PP_PCI_CONNECT_TYPE_PCI_DEVICE |
                     PP_PCI_CONNECT_TYPE_PCI_BRIDGE | hp;
        bus->minSlot = 1;
        break;
    case PP_CONTROLLER_MODEL_PCI_EXPANDER_BUS:
        bus->flags = PP_PCI_CONNECT_AUTOASSIGN | PP_PCI_CONNECT_TYPE_PCI_DEVICE |
                     PP_PCI_CONNECT_TYPE_PCI_BRIDGE | hp;
        break;
    case PP_CONTROLLER_MODEL_DMI_TO_PCI_BRIDGE:
        bus->flags = PP_PCI_CONNECT_TYPE_PCI_DEVICE | PP_PCI_CONNECT_TYPE_PCI_BRIDGE;
        break;
    case PP_CONTROLLER_MODEL_PCIE_ROOT_PORT:
    case PP_CONTROLLER_MODEL_PCIE_SWITCH_DOWNSTREAM_PORT:
        /* Linux scans only device 0 behind a PCIe port. */
        bus->flags = PP_PCI_CONNECT_AUTOASSIGN | PP_PCI_CONNECT_TYPE_PCIE_DEVICE |
                     PP_PCI_CONNECT_TYPE_PCIE_SWITCH_UPSTREAM_PORT |
                     PP_PCI_CONNECT_TYPE_PCIE_TO_PCI_BRIDGE | hp;
        bus->maxSlot = 0;
        break;
    case PP_CONTROLLER_MODEL_PCIE_SWITCH_UPSTREAM_PORT:
        bus->flags = PP_PCI_CONNECT_TYPE_PCIE_SWITCH_DOWNSTREAM_PORT;
        break;
    case PP_CONTROLLER_MODEL_PCIE_EXPANDER_BUS:
        bus->flags = PP_PCI_CONNECT_TYPE_PCIE_ROOT_PORT | PP_PCI_CONNECT_TYPE_DMI_TO_PCI_BRIDGE;
        break;
    case PP_CONTROLLER_MODEL_NONE:
    case PP_CONTROLLER_MODEL_LAST:
        bus->flags = 0;
        break;
    }
    bus->nextSlot = bus->minSlot;
    bus->autoMaxSlot = bus->maxSlot;
}

/**
 * ppPCIAddressSetAddBus:
 * @index: the controller's index
 * @ctrl: (transfer none) the controller providing the bus
 *
 * Returns: (transfer none) the new bus, or NULL with @error set when the
 * index is taken or the bus numbers are used up.
 */
PpPCIBus *
ppPCIAddressSetAddBus(PpPCIAddressSet *set,
                      guint index,
                      PpPCIControllerModel model,
                      PpDeviceDef *ctrl,
                      GError **error)
{
    PpPCIBus *bus;
    g_autofree char *what = ctrl ? ppDeviceDefDescribe(ctrl) : g_strdup("root bus");

    if (index >= PP_PCI_MAX_BUSES) {
        g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                    _("%1$s: PCI controller index %2$u is above the limit of %3$d"), what,
                    index, PP_PCI_MAX_BUSES - 1);
        return NULL;
    }
    if (index < set->buses->len && g_ptr_array_index(set->buses, index)) {
        g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                    _("%1$s: another PCI controller already has index %2$u"), what, index);
        return NULL;
    }
    if (index >= set->buses->len)
        g_ptr_array_set_size(set->buses, index + 1);

    bus = g_new0(PpPCIBus, 1);
    bus->index = index;
    bus->ctrl = ctrl;
    bus->parent = -1;
    /* Expander buses start a root complex; every other bus is taken to be
     * in the main one until its parent says otherwise. */
    bus->complex = (model == PP_CONTROLLER_MODEL_PCIE_EXPANDER_BUS ||
                    model == PP_CONTROLLER_MODEL_PCI_EXPANDER_BUS) ? index : 0;
    bus->numaNode = -1;
    bus->portCursor = -1;
    ppPCIBusSetModel(bus, model, ctrl ? ctrl->ctrl.hotplug : PP_TRISTATE_ABSENT);
    g_ptr_array_index(set->buses, index) = bus;
    set->nbuses++;
    return bus;
}

PpPCIBus *
ppPCIAddressSetGetBus(const PpPCIAddressSet *set, guint index)
{
    if (index >= set->buses->len)
        return NULL;
    return g_ptr_array_index(set->buses, index);
}

gboolean
ppPCIBusIsPort(const PpPCIBus *bus)
{
    return bus->model == PP_CONTROLLER_MODEL_PCIE_ROOT_PORT ||
           bus->model == PP_CONTROLLER_MODEL_PCIE_SWITCH_DOWNSTREAM_PORT;
}

gboolean
ppPCIBusFunctionIsFree(const PpPCIBus *bus, guint slot, guint function)
{
    return !(bus->functions[slot] & (1u << function));
}

/* Move the cursor past slots that are wholly or partly used. */
static void
ppPCIBusAdvanceCursor(PpPCIBus *bus)
{
    while (bus->nextSlot <= bus->autoMaxSlot && bus->functions[bus->nextSlot])
        bus->nextSlot++;
}

void
ppPCIAddressSetMarkUsed(PpPCIAddressSet *set,
                        const PpPCIAddress *addr,
                        gboolean aggregate,
                        PpDeviceDef *dev)
{
    PpPCIBus *bus = ppPCIAddressSetGetBus(set, addr->bus);

    g_assert(bus);
    bus->functions[addr->slot] |= 1u << addr->function;
    if (aggregate)
        bus->aggregate[addr->slot] = TRUE;
    if (addr->function == 0 && dev)
        bus->fn0[addr->slot] = dev;
    ppPCIBusAdvanceCursor(bus);
}

/*
 * Is a device needing @flags acceptable on @bus at an address the user
 * chose? libvirt's virDomainPCIAddressFlagsCompatible with fromConfig.
 */
static gboolean
ppPCIBusAcceptsExplicit(const PpPCIBus *bus, PpPCIConnectFlags flags)
{
    PpPCIConnectFlags types = flags & PP_PCI_CONNECT_TYPES_MASK;
    PpPCIConnectFlags busTypes = bus->flags & PP_PCI_CONNECT_TYPES_MASK;

    if (types & PP_PCI_CONNECT_TYPES_ENDPOINT)
        types |= PP_PCI_CONNECT_TYPES_ENDPOINT;
    /* A user's pci-bridge may go wherever a PCI endpoint may. */
    if (types & PP_PCI_CONNECT_TYPE_PCI_BRIDGE)
        types |= PP_PCI_CONNECT_TYPE_PCI_DEVICE;
    if ((flags & PP_PCI_CONNECT_HOTPLUGGABLE) && !(bus->flags & PP_PCI_CONNECT_HOTPLUGGABLE))
        return FALSE;
    /* A user may also put an endpoint on a port's bus. */
    if (ppPCIBusIsPort(bus))
        busTypes |= PP_PCI_CONNECT_TYPE_PCI_DEVICE;
    return (types & busTypes) != 0;
}

/**
 * ppPCIAddressSetReserveExplicit:
 *
 * A user's address that cannot work is a configuration error that names
 * the device, the address and the reason.
 */
gboolean
ppPCIAddressSetReserveExplicit(PpPCIAddressSet *set,
                               const PpPCIAddress *addr,
                               PpPCIConnectFlags flags,
                               PpDeviceDef *dev,
                               const char *what,
                               GError **error)
{
    g_autofree char *astr = ppPCIAddressFormat(addr);
    PpPCIBus *bus = ppPCIAddressSetGetBus(set, addr->bus);

    if (addr->domain != 0) {
        g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                    _("%1$s: PCI address %2$s is in domain %3$u, but QEMU's PCI controllers are all in domain 0"),
                    what, astr, addr->domain);
        return FALSE;
    }
    if (!bus) {
        g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                    _("%1$s: PCI address %2$s names bus %3$u, but no PCI controller has index %3$u"),
                    what, astr, addr->bus);
        return FALSE;
    }
    if (addr->slot < bus->minSlot || addr->slot > bus->maxSlot) {
        g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                    _("%1$s: PCI address %2$s is outside slots %3$u-%4$u of the %5$s at bus %6$u"),
                    what, astr, bus->minSlot, bus->maxSlot,
                    ppPCIControllerModelToString(bus->model), bus->index);
        return FALSE;
    }
    if (!ppPCIBusAcceptsExplicit(bus, flags)) {
        g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                    (flags & PP_PCI_CONNECT_HOTPLUGGABLE)
                        ? _("%1$s: PCI address %2$s is on a %3$s (bus %4$u), which cannot hot-plug, but the device must stay hot-pluggable; move it or set hotpluggable='no'")
                        : _("%1$s: PCI address %2$s is on a %3$s (bus %4$u), which cannot take this kind of device"),
                    what, astr, ppPCIControllerModelToString(bus->model), bus->index);
        return FALSE;
    }
    if (!ppPCIBusFunctionIsFree(bus, addr->slot, addr->function)) {
        g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                    _("%1$s: PCI address %2$s is already in use"), what, astr);
        return FALSE;
    }
    ppPCIAddressSetMarkUsed(set, addr, FALSE, dev);
    return TRUE;
}

gboolean
ppPCIBusFindFreeSlot(PpPCIBus *bus, guint *ret_slot)
{
    ppPCIBusAdvanceCursor(bus);
    if (bus->nextSlot > bus->autoMaxSlot)
        return FALSE;
    *ret_slot = bus->nextSlot;
    return TRUE;
}

gboolean
ppPCIBusTakeAggregate(PpPCIBus *bus, int *cursor, PpPCIAddress *ret_addr)
{
    guint slot;
    guint fn;

    if (*cursor >= 0 && bus->aggregate[*cursor]) {
        slot = *cursor;
        for (fn = 0; fn < PP_PCI_FUNCTIONS; fn++) {
            if (ppPCIBusFunctionIsFree(bus, slot, fn))
                goto found;
        }
    }
    if (!ppPCIBusFindFreeSlot(bus, &slot))
        return FALSE;
    fn = 0;
    *cursor = slot;
 found:
    *ret_addr = (PpPCIAddress){ .bus = bus->index, .slot = slot, .function = fn };
    bus->aggregate[slot] = TRUE;
    return TRUE;
}

static GQueue *
ppPCIAddressSetPortQueue(PpPCIAddressSet *set, PpPortQueue queue, guint complex, gboolean create)
{
    GQueue *q;

    if (queue != PP_PORT_QUEUE_EXPANDER)
        return set->ports[queue];
    q = g_hash_table_lookup(set->expanderPorts, GUINT_TO_POINTER(complex));
    if (!q && create) {
        q = g_queue_new();
        g_hash_table_insert(set->expanderPorts, GUINT_TO_POINTER(complex), q);
    }
    return q;
}

void
ppPCIAddressSetQueueIfEmptyPort(PpPCIAddressSet *set, PpPCIBus *bus)
{
    PpPortQueue queue;

    if (!ppPCIBusIsPort(bus) || bus->queued || bus->functions[0])
        return;
    if (!(bus->flags & PP_PCI_CONNECT_HOTPLUGGABLE))
        queue = PP_PORT_QUEUE_COLD;
    else if (bus->complex != 0)
        queue = PP_PORT_QUEUE_EXPANDER;
    else if (bus->model == PP_CONTROLLER_MODEL_PCIE_ROOT_PORT)
        queue = PP_PORT_QUEUE_ROOT;
    else
        queue = PP_PORT_QUEUE_DOWNSTREAM;
    bus->queued = TRUE;
    g_queue_push_tail(ppPCIAddressSetPortQueue(set, queue, bus->complex, TRUE), bus);
}

/**
 * ppPCIAddressSetTakeEmptyPort:
 * @maxIndex: a controller placed into the port must have a larger index
 *            than its parent; -1 for an endpoint
 *
 * Returns: (transfer none) a port whose slot 0 is free, or NULL.
 */
PpPCIBus *
ppPCIAddressSetTakeEmptyPort(PpPCIAddressSet *set, PpPortQueue queue, guint complex,
                             int maxIndex)
{
    GQueue *q = ppPCIAddressSetPortQueue(set, queue, complex, FALSE);
    PpPCIBus *bus;

    if (!q)
        return NULL;
    /* Ports a user's address took after they were queued are dropped here. */
    while ((bus = g_queue_peek_head(q)) && bus->functions[0]) {
        g_queue_pop_head(q);
        bus->queued = FALSE;
    }
    if (!bus || (maxIndex >= 0 && (int)bus->index >= maxIndex))
        return NULL;
    g_queue_pop_head(q);
    bus->queued = FALSE;
    return bus;
}

void
ppPCIAddressSetMarkMultifunction(PpPCIAddressSet *set)
{
    guint i;
    guint slot;

    for (i = 0; i < set->buses->len; i++) {
        PpPCIBus *bus = g_ptr_array_index(set->buses, i);

        if (!bus)
            continue;
        for (slot = 0; slot < PP_PCI_SLOTS; slot++) {
            PpDeviceDef *dev = bus->fn0[slot];
            PpDeviceAddress addr;

            if (!dev || bus->functions[slot] == 1 || dev->addr.type != PP_ADDRESS_PCI ||
                dev->addr.pci.multifunction != PP_TRISTATE_ABSENT)
                continue;
            addr = dev->addr;
            addr.pci.multifunction = PP_TRISTATE_YES;
            ppDeviceDefSetAddress(dev, &addr);
        }
    }
}

guint
ppPCIAddressSetCountEmptyPorts(const PpPCIAddressSet *set)
{
    PpPortQueue queues[] = { PP_PORT_QUEUE_ROOT, PP_PORT_QUEUE_DOWNSTREAM };
    guint n = 0;
    size_t i;
    GList *l;

    for (i = 0; i < G_N_ELEMENTS(queues); i++) {
        for (l = set->ports[queues[i]]->head; l; l = l->next) {
            const PpPCIBus *bus = l->data;

            n += !bus->functions[0];
        }
    }
    return n;
}
