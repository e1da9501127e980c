/*
 * qemu_explain.c: a plan as text - the planned topology as a tree, why
 * each added controller exists, and what capacity is left
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "qemu_explain.h"
#include "domain_addr.h"
#include "qemu_guest_io.h"

typedef struct {
    const PpDeviceDef *ctrl;   /* the controller providing the bus, NULL for an implicit root */
    GPtrArray *children;       /* PpDeviceDef on this bus, by slot and function */
} PpExplainBus;

typedef struct {
    const PpDomainDef *def;
    const PpPlan *plan;
    PpExplainBus *buses;       /* PP_PCI_MAX_BUSES of them, by controller index */
    GHashTable *reasons;       /* PpDeviceDef -> reason */
    guint emptyPorts[PP_CONTROLLER_MODEL_LAST];
    guint emptyColdPorts;
    guint mmioDevices;
} PpExplain;

static void
ppExplainClear(PpExplain *ex)
{
    guint i;

    for (i = 0; ex->buses && i < PP_PCI_MAX_BUSES; i++)
        g_clear_pointer(&ex->buses[i].children, g_ptr_array_unref);
    g_clear_pointer(&ex->buses, g_free);
    g_clear_pointer(&ex->reasons, g_hash_table_unref);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(PpExplain, ppExplainClear);

static gint
ppExplainCompareAddr(gconstpointer a, gconstpointer b)
{
    const PpDeviceDef *da = *(const PpDeviceDef *const *)a;
    const PpDeviceDef *db = *(const PpDeviceDef *const *)b;
    guint ka = (da->addr.pci.slot << 3) | da->addr.pci.function;
    guint kb = (db->addr.pci.slot << 3) | db->addr.pci.function;

    return ka < kb ? -1 : ka > kb;
}

static gboolean
ppDeviceIsPCIControllerDef(const PpDeviceDef *dev)
{
    return dev->kind == PP_DEVICE_CONTROLLER && dev->type && g_str_equal(dev->type, "pci") &&
           dev->ctrl.index >= 0 && dev->ctrl.index < PP_PCI_MAX_BUSES;
}

/* One pass over the devices: buses, their children, the mmio count. */
static void
ppExplainCollect(PpExplain *ex)
{
    guint i;

    ex->reasons = g_hash_table_new(g_direct_hash, g_direct_equal);
    ex->buses = g_new0(PpExplainBus, PP_PCI_MAX_BUSES);
    for (i = 0; i < ex->plan->additions->len; i++) {
        const PpPlanAddition *add = &g_array_index(ex->plan->additions, PpPlanAddition, i);

        g_hash_table_insert(ex->reasons, add->dev, add->reason);
    }
    for (i = 0; i < PP_PCI_MAX_BUSES; i++)
        ex->buses[i].children = g_ptr_array_new();
    for (i = 0; i < ex->def->devices->len; i++) {
        const PpDeviceDef *dev = g_ptr_array_index(ex->def->devices, i);

        if (ppDeviceIsPCIControllerDef(dev))
            ex->buses[dev->ctrl.index].ctrl = dev;
        if (dev->addr.type == PP_ADDRESS_VIRTIO_MMIO)
            ex->mmioDevices++;
        if (dev->addr.type == PP_ADDRESS_PCI && dev->addr.pci.bus < PP_PCI_MAX_BUSES)
            g_ptr_array_add(ex->buses[dev->addr.pci.bus].children, (gpointer)dev);
    }
    for (i = 0; i < PP_PCI_MAX_BUSES; i++) {
        const PpDeviceDef *ctrl = ex->buses[i].ctrl;

        g_ptr_array_sort(ex->buses[i].children, ppExplainCompareAddr);
        if (!ctrl || ex->buses[i].children->len ||
            (ctrl->ctrl.pciModel != PP_CONTROLLER_MODEL_PCIE_ROOT_PORT &&
             ctrl->ctrl.pciModel != PP_CONTROLLER_MODEL_PCIE_SWITCH_DOWNSTREAM_PORT))
            continue;
        if (ctrl->ctrl.hotplug == PP_TRISTATE_NO)
            ex->emptyColdPorts++;
        else
            ex->emptyPorts[ctrl->ctrl.pciModel]++;
    }
}

static void
ppExplainPrintBus(const PpExplain *ex, guint index, guint depth, GString *out)
{
    const PpExplainBus *bus = &ex->buses[index];
    guint i;

    for (i = 0; i < bus->children->len; i++) {
        const PpDeviceDef *dev = g_ptr_array_index(bus->children, i);
        g_autofree char *what = ppDeviceIsPCIControllerDef(dev)
                                    ? g_strdup_printf("%s index %d",
                                                      ppPCIControllerModelToString(dev->ctrl.pciModel),
                                                      dev->ctrl.index)
                                    : ppDeviceDefDescribe(dev);
        const char *reason = g_hash_table_lookup(ex->reasons, dev);

        g_string_append_printf(out, "%*s%02x:%02x.%x  %s", (int)(depth * 2), "", index, dev->addr.pci.slot,
               dev->addr.pci.function, what);
        if (ppDeviceIsPCIControllerDef(dev)) {
            g_string_append_printf(out, _(" -> bus %1$d"), dev->ctrl.index);
            if (ex->buses[dev->ctrl.index].children->len == 0 &&
                (dev->ctrl.pciModel == PP_CONTROLLER_MODEL_PCIE_ROOT_PORT ||
                 dev->ctrl.pciModel == PP_CONTROLLER_MODEL_PCIE_SWITCH_DOWNSTREAM_PORT))
                g_string_append_printf(out, dev->ctrl.hotplug == PP_TRISTATE_NO
                           ? _(" (empty, hotplug='off': for a device that needs no hot-plug)")
                           : _(" (empty: free for hot-plug)"));
        }
        if (dev->kind == PP_DEVICE_CONTROLLER && dev->ctrl.busNr >= 0)
            g_string_append_printf(out, " busNr=%d", dev->ctrl.busNr);
        if (dev->ctrl.numaNode >= 0)
            g_string_append_printf(out, _(" NUMA node %1$d"), dev->ctrl.numaNode);
        if (dev->ioReserveZero)
            g_string_append_printf(out, " io-reserve=0");
        if (reason)
            g_string_append_printf(out, _("  [added: %1$s]"), reason);
        g_string_append_c(out, '\n');
        if (ppDeviceIsPCIControllerDef(dev) && (guint)dev->ctrl.index != index)
            ppExplainPrintBus(ex, dev->ctrl.index, depth + 1, out);
    }
}

static void
ppExplainPrintMMIO(const PpExplain *ex, GString *out)
{
    guint i;

    if (!ex->mmioDevices)
        return;
    g_string_append_printf(out, _("virtio-mmio (not hot-pluggable)\n"));
    for (i = 0; i < ex->def->devices->len; i++) {
        const PpDeviceDef *dev = g_ptr_array_index(ex->def->devices, i);
        g_autofree char *what = NULL;

        if (dev->addr.type != PP_ADDRESS_VIRTIO_MMIO)
            continue;
        what = ppDeviceDefDescribe(dev);
        g_string_append_printf(out, "  %s\n", what);
    }
}

/* The controller whose bus holds @dev, or NULL. */
static const PpDeviceDef *
ppExplainParentOf(const PpExplain *ex, const PpDeviceDef *dev)
{
    if (dev->addr.type != PP_ADDRESS_PCI || dev->addr.pci.bus >= PP_PCI_MAX_BUSES)
        return NULL;
    return ex->buses[dev->addr.pci.bus].ctrl;
}

/* P2P groups (hint p2pGroup): each group's switch and its members. */
static void
ppExplainPrintGroups(const PpExplain *ex, GString *out)
{
    g_autoptr(GPtrArray) names = g_ptr_array_new();
    guint i;
    guint j;

    for (i = 0; i < ex->def->devices->len; i++) {
        const PpDeviceDef *dev = g_ptr_array_index(ex->def->devices, i);

        if (dev->hints.p2pGroup &&
            !g_ptr_array_find_with_equal_func(names, dev->hints.p2pGroup, g_str_equal, NULL))
            g_ptr_array_add(names, dev->hints.p2pGroup);
    }
    if (!names->len)
        return;
    g_string_append_printf(out, _("\nP2P groups (members on downstream ports of one switch):\n"));
    for (j = 0; j < names->len; j++) {
        const char *name = g_ptr_array_index(names, j);
        gboolean header = FALSE;

        for (i = 0; i < ex->def->devices->len; i++) {
            const PpDeviceDef *dev = g_ptr_array_index(ex->def->devices, i);
            const PpDeviceDef *port = ppExplainParentOf(ex, dev);
            const PpDeviceDef *up = port ? ppExplainParentOf(ex, port) : NULL;
            g_autofree char *what = NULL;

            if (!dev->hints.p2pGroup || !g_str_equal(dev->hints.p2pGroup, name))
                continue;
            if (!header) {
                if (up)
                    g_string_append_printf(out, _("  '%1$s': switch with pcie-switch-upstream-port index %2$d at %3$02x:%4$02x.%5$x\n"),
                           name, up->ctrl.index, up->addr.pci.bus, up->addr.pci.slot,
                           up->addr.pci.function);
                else
                    g_string_append_printf(out, "  '%s':\n", name);
                header = TRUE;
            }
            what = ppDeviceDefDescribe(dev);
            g_string_append_printf(out, "    %02x:%02x.%x  %s%s\n", dev->addr.pci.bus, dev->addr.pci.slot,
                   dev->addr.pci.function, what,
                   dev->groupFromHost ? _("  (group derived from the host topology)") : "");
        }
    }
}

static void
ppExplainPrintCapacity(const PpExplain *ex, GString *out)
{
    const PpQemuMachine *machine = ex->plan->machine;
    const PpExplainBus *root = &ex->buses[0];
    guint used = 0;
    guint free = 0;
    guint slot;
    guint i;

    for (slot = 1; slot <= machine->rootMaxAutoSlot; slot++) {
        gboolean taken = machine->videoSlot == (int)slot;

        for (i = 0; i < root->children->len && !taken; i++)
            taken = ((const PpDeviceDef *)g_ptr_array_index(root->children, i))->addr.pci.slot == slot;
        free += !taken;
    }
    for (i = 0; i < PP_PCI_MAX_BUSES; i++)
        used += ex->buses[i].ctrl != NULL;

    g_string_append_printf(out, _("\nCapacity left:\n"));
    if (!ex->plan->hotplugWorks)
        g_string_append_printf(out, _("  no hot-plug at all: machine type '%1$s' hot-plugs through ACPI, and the domain has no <features><acpi/></features>\n"),
               machine->family);
    if (machine->pcie) {
        g_string_append_printf(out, _("  empty hot-pluggable root ports:            %1$u\n"),
               ex->emptyPorts[PP_CONTROLLER_MODEL_PCIE_ROOT_PORT]);
        g_string_append_printf(out, _("  empty hot-pluggable switch downstream ports: %1$u\n"),
               ex->emptyPorts[PP_CONTROLLER_MODEL_PCIE_SWITCH_DOWNSTREAM_PORT]);
        g_string_append_printf(out, _("  empty ports with hotplug='off':            %1$u\n"), ex->emptyColdPorts);
    }
    g_string_append_printf(out, _("  free root-bus slots (1-0x%1$x):              %2$u\n"), machine->rootMaxAutoSlot,
           free);
    g_string_append_printf(out, _("  PCI bus numbers:                           %1$u of %2$d used\n"), used,
           PP_PCI_MAX_BUSES);
    g_string_append_printf(out, _("  I/O windows of 4 KiB:                      %1$u of %2$u used (firmware: %3$s)\n"),
           ex->plan->ioWindows, ex->plan->ioBudget, ex->plan->firmware);
    if (machine->virtioMMIOTransports)
        g_string_append_printf(out, _("  virtio-mmio transports:                    %1$u of %2$u used\n"),
               ex->mmioDevices, machine->virtioMMIOTransports);
}

/* Printed only when devices got less than they prefer. */
static void
ppExplainPrintDegraded(const PpPlan *plan, GString *out)
{
    guint i;

    if (!plan->degraded || !plan->degraded->len)
        return;
    g_string_append_printf(out, _("\nDevices without hints that found no PCIe port (all 256 PCI bus numbers are needed); each sits in a hot-pluggable slot of a conventional PCI bridge, where a virtio device is transitional and uses I/O ports:\n"));
    for (i = 0; i < plan->degraded->len; i++) {
        const PpDeviceDef *dev = g_ptr_array_index(plan->degraded, i);
        g_autofree char *what = ppDeviceDefDescribe(dev);

        g_string_append_printf(out, "  %02x:%02x.%x  %s\n", dev->addr.pci.bus, dev->addr.pci.slot,
               dev->addr.pci.function, what);
    }
}

/* Printed only when Linux will leave ports without an I/O window. */
static void
ppExplainPrintGuestIO(const PpDomainDef *def, const PpPlan *plan, GString *out)
{
    g_auto(PpQemuGuestIO) io = { 0 };
    guint i;

    ppQemuPredictIOWindowFailures(def, plan, &io);
    if (!io.unassigned->len)
        return;
    g_string_append_printf(out, _("\nI/O windows in a Linux guest (firmware %1$s): %2$u ports want one, the root bus has room for %3$u and an expander bus only for what its devices use. These get none, which PCIe devices do not mind (they need no I/O ports); the kernel logs 'failed to assign' for %4$u ports:\n"),
           io.firmware, io.wanted, io.budget, io.logged->len);
    for (i = 0; i < io.unassigned->len; i++) {
        const PpDeviceDef *port = g_ptr_array_index(io.unassigned, i);

        g_string_append_printf(out, "  %02x:%02x.%x  %s index %d%s\n", port->addr.pci.bus, port->addr.pci.slot,
               port->addr.pci.function, ppPCIControllerModelToString(port->ctrl.pciModel),
               port->ctrl.index,
               g_ptr_array_find(io.starved, port, NULL)
                   ? _("  (WARNING: devices below it use I/O ports and will lose them; give this port a lower address than the empty ports)")
                   : "");
    }
}

char *
ppQemuPlanDescribeIOReserve(const PpPlan *plan)
{
    if (plan->ioReserveAdded > 0)
        return g_strdup_printf(g_dngettext(GETTEXT_PACKAGE,
                                           "%1$u PCIe root port gets io-reserve=0 through <qemu:override>%2$s%3$s. libvirt marks a domain with <qemu:override> as tainted (custom-device) when it starts it; --io-reserve=never leaves the override out.",
                                           "%1$u PCIe root ports get io-reserve=0 through <qemu:override>%2$s%3$s. libvirt marks a domain with <qemu:override> as tainted (custom-device) when it starts it; --io-reserve=never leaves the override out.",
                                           plan->ioReserveAdded),
                               plan->ioReserveAdded, plan->ioReserveWhy ? _(": without it, ") : "",
                               plan->ioReserveWhy ? _(plan->ioReserveWhy) : _(", as --io-reserve=always asks"));
    if (plan->ioReserveSkipped > 0)
        return g_strdup_printf(g_dngettext(GETTEXT_PACKAGE,
                                           "%1$u PCIe root port gets no io-reserve=0 (--io-reserve=never), so %2$s; Linux moves them, other guests may not.",
                                           "%1$u PCIe root ports get no io-reserve=0 (--io-reserve=never), so %2$s; Linux moves them, other guests may not.",
                                           plan->ioReserveSkipped),
                               plan->ioReserveSkipped, _(plan->ioReserveWhy));
    return NULL;
}

char *
ppQemuPlanExplain(const PpDomainDef *def, const PpPlan *plan)
{
    g_auto(PpExplain) ex = { 0 };
    g_autofree char *ioNote = NULL;
    GString *out = g_string_new(NULL);

    ex.def = def;
    ex.plan = plan;
    ppExplainCollect(&ex);
    g_string_append_printf(out, _("Domain '%1$s', machine '%2$s' (%3$s), firmware %4$s\n\n"),
                           def->name ? def->name : "", def->machine ? def->machine : "",
                           plan->machine->pcie ? "PCI Express" : "PCI", plan->firmware);
    g_string_append_printf(out, _("00  root bus (%1$s)\n"),
                           plan->machine->pcie ? "pcie-root" : "pci-root");
    ppExplainPrintBus(&ex, 0, 1, out);
    ppExplainPrintMMIO(&ex, out);
    ppExplainPrintGroups(&ex, out);
    ppExplainPrintCapacity(&ex, out);
    ppExplainPrintDegraded(plan, out);
    ppExplainPrintGuestIO(def, plan, out);
    if ((ioNote = ppQemuPlanDescribeIOReserve(plan)))
        g_string_append_printf(out, _("\nio-reserve: %1$s\n"), ioNote);
    return g_string_free(out, FALSE);
}
