/*
 * qemu_explain.c: a plan as text - the planned topology as a tree, why
 * each added controller exists, and what capacity is left
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "qemu_explain.h"
#include "domain_addr.h"
#include "qemu_guest_io.h"
#include "qemu_migration.h"

#include <string.h>

#include <json-glib/json-glib.h>

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

/* Hints plan --host-sysfs derived from the host's topology. */
static void
ppExplainPrintHost(const PpDomainDef *def, GString *out)
{
    gboolean header = FALSE;
    guint i;

    for (i = 0; i < def->devices->len; i++) {
        const PpDeviceDef *dev = g_ptr_array_index(def->devices, i);
        g_autofree char *what = NULL;

        if (!dev->numaFromHost && !dev->groupFromHost)
            continue;
        if (!header)
            g_string_append_printf(out, _("\nHints derived from the host's topology (--host-sysfs):\n"));
        header = TRUE;
        what = ppDeviceDefDescribe(dev);
        g_string_append_printf(out, "  %s:", what);
        if (dev->numaFromHost)
            g_string_append_printf(out, _(" numaNode='%1$d' (the guest cell <numatune> maps its host NUMA node to)"),
                                   dev->hints.numaNode);
        if (dev->groupFromHost)
            g_string_append_printf(out, _(" p2pGroup='%1$s' (behind one host switch with other hostdevs)"),
                                   dev->hints.p2pGroup);
        g_string_append_c(out, '\n');
    }
}

/* What keeps QEMU 7.2 from migrating the planned domain live. */
static void
ppExplainPrintMigration(const PpDomainDef *def, GString *out)
{
    g_autoptr(GArray) blockers = ppQemuDomainMigrationBlockers(def);
    guint i;

    if (!blockers->len) {
        g_string_append_printf(out, _("\nLive migration (QEMU 7.2): no device blocks it\n"));
        return;
    }
    g_string_append_printf(out, _("\nLive migration (QEMU 7.2) is blocked by:\n"));
    for (i = 0; i < blockers->len; i++) {
        const PpQemuMigrationBlocker *b = &g_array_index(blockers, PpQemuMigrationBlocker, i);
        g_autofree char *what = ppDeviceDefDescribe(b->dev);
        /* A shmem's description names its model already. */
        gboolean named = strstr(what, b->driver) != NULL;

        g_string_append_printf(out, "  %s%s%s%s%s: %s\n", what, named ? "" : " (",
                               named ? "" : b->driver, named ? "" : ")",
                               b->when == PP_QEMU_MIGRATION_BLOCKS_IN_USE ? _(", while in use") : "",
                               b->why);
    }
}

/* Free slots of the root bus the planner may use, and PCI buses in use:
 * for the text and the JSON alike. */
static void
ppExplainCountCapacity(const PpExplain *ex, guint *ret_free, guint *ret_used)
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
    *ret_free = free;
    *ret_used = used;
}

static void
ppExplainPrintCapacity(const PpExplain *ex, GString *out)
{
    const PpQemuMachine *machine = ex->plan->machine;
    guint used = 0;
    guint free = 0;

    ppExplainCountCapacity(ex, &free, &used);

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

/* Printed only when the plan accepted something with a caveat. */
static void
ppExplainPrintWarnings(const PpPlan *plan, GString *out)
{
    guint i;

    if (!plan->warnings || !plan->warnings->len)
        return;
    g_string_append_printf(out, _("\nWarnings:\n"));
    for (i = 0; i < plan->warnings->len; i++)
        g_string_append_printf(out, "  %s\n", (const char *)g_ptr_array_index(plan->warnings, i));
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
    ppExplainPrintHost(def, out);
    ppExplainPrintMigration(def, out);
    ppExplainPrintCapacity(&ex, out);
    ppExplainPrintWarnings(plan, out);
    ppExplainPrintDegraded(plan, out);
    ppExplainPrintGuestIO(def, plan, out);
    if ((ioNote = ppQemuPlanDescribeIOReserve(plan)))
        g_string_append_printf(out, _("\nio-reserve: %1$s\n"), ioNote);
    return g_string_free(out, FALSE);
}

/* ------------------------------------------------------------------ */
/* explain --format=json (shape: docs/json.md)                          */

static gboolean
ppExplainPortIsEmpty(const PpExplain *ex, const PpDeviceDef *dev)
{
    return ex->buses[dev->ctrl.index].children->len == 0 &&
           (dev->ctrl.pciModel == PP_CONTROLLER_MODEL_PCIE_ROOT_PORT ||
            dev->ctrl.pciModel == PP_CONTROLLER_MODEL_PCIE_SWITCH_DOWNSTREAM_PORT);
}

static void
ppExplainJsonDevice(JsonBuilder *b, const PpExplain *ex, const PpDeviceDef *dev)
{
    g_autofree char *what = ppDeviceDefDescribe(dev);
    g_autofree char *addr = g_strdup_printf("%02x:%02x.%x", dev->addr.pci.bus,
                                            dev->addr.pci.slot, dev->addr.pci.function);
    const char *reason = g_hash_table_lookup(ex->reasons, dev);

    json_builder_begin_object(b);
    json_builder_set_member_name(b, "address");
    json_builder_add_string_value(b, addr);
    json_builder_set_member_name(b, "device");
    json_builder_add_string_value(b, what);
    json_builder_set_member_name(b, "alias");
    if (dev->alias)
        json_builder_add_string_value(b, dev->alias);
    else
        json_builder_add_null_value(b);
    json_builder_set_member_name(b, "added");
    json_builder_add_boolean_value(b, reason != NULL);
    json_builder_set_member_name(b, "reason");
    if (reason)
        json_builder_add_string_value(b, reason);
    else
        json_builder_add_null_value(b);
    json_builder_set_member_name(b, "io-reserve-zero");
    json_builder_add_boolean_value(b, dev->ioReserveZero);
    if (dev->kind == PP_DEVICE_CONTROLLER && dev->ctrl.busNr >= 0) {
        json_builder_set_member_name(b, "bus-nr");
        json_builder_add_int_value(b, dev->ctrl.busNr);
    }
    if (dev->kind == PP_DEVICE_CONTROLLER && dev->ctrl.numaNode >= 0) {
        json_builder_set_member_name(b, "numa-node");
        json_builder_add_int_value(b, dev->ctrl.numaNode);
    }
    if (ppDeviceIsPCIControllerDef(dev)) {
        guint i;
        const PpExplainBus *bus = &ex->buses[dev->ctrl.index];

        json_builder_set_member_name(b, "controller");
        json_builder_begin_object(b);
        json_builder_set_member_name(b, "model");
        json_builder_add_string_value(b, ppPCIControllerModelToString(dev->ctrl.pciModel));
        json_builder_set_member_name(b, "index");
        json_builder_add_int_value(b, dev->ctrl.index);
        json_builder_set_member_name(b, "hotplug");
        json_builder_add_boolean_value(b, dev->ctrl.hotplug != PP_TRISTATE_NO);
        json_builder_set_member_name(b, "empty-port");
        json_builder_add_boolean_value(b, ppExplainPortIsEmpty(ex, dev));
        json_builder_end_object(b);
        json_builder_set_member_name(b, "children");
        json_builder_begin_array(b);
        for (i = 0; (guint)dev->ctrl.index != dev->addr.pci.bus && i < bus->children->len; i++)
            ppExplainJsonDevice(b, ex, g_ptr_array_index(bus->children, i));
        json_builder_end_array(b);
    }
    json_builder_end_object(b);
}

static void
ppExplainJsonUInt(JsonBuilder *b, const char *name, guint64 value)
{
    json_builder_set_member_name(b, name);
    json_builder_add_int_value(b, (gint64)value);
}

static void
ppExplainJsonWarning(JsonBuilder *b, const char *code, const char *address, const char *message)
{
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "code");
    json_builder_add_string_value(b, code);
    json_builder_set_member_name(b, "address");
    if (address)
        json_builder_add_string_value(b, address);
    else
        json_builder_add_null_value(b);
    json_builder_set_member_name(b, "message");
    json_builder_add_string_value(b, message);
    json_builder_end_object(b);
}

static void
ppExplainJsonCapacity(JsonBuilder *b, const PpExplain *ex)
{
    const PpQemuMachine *machine = ex->plan->machine;
    guint free = 0;
    guint used = 0;

    ppExplainCountCapacity(ex, &free, &used);
    json_builder_set_member_name(b, "capacity");
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "hotplug");
    json_builder_add_boolean_value(b, ex->plan->hotplugWorks);
    ppExplainJsonUInt(b, "empty-root-ports", ex->emptyPorts[PP_CONTROLLER_MODEL_PCIE_ROOT_PORT]);
    ppExplainJsonUInt(b, "empty-downstream-ports",
                      ex->emptyPorts[PP_CONTROLLER_MODEL_PCIE_SWITCH_DOWNSTREAM_PORT]);
    ppExplainJsonUInt(b, "empty-cold-ports", ex->emptyColdPorts);
    ppExplainJsonUInt(b, "free-root-slots", free);
    ppExplainJsonUInt(b, "root-slot-max", machine->rootMaxAutoSlot);
    ppExplainJsonUInt(b, "bus-numbers-used", used);
    ppExplainJsonUInt(b, "bus-numbers-max", PP_PCI_MAX_BUSES);
    ppExplainJsonUInt(b, "io-windows-used", ex->plan->ioWindows);
    ppExplainJsonUInt(b, "io-windows-max", ex->plan->ioBudget);
    ppExplainJsonUInt(b, "virtio-mmio-used", ex->mmioDevices);
    ppExplainJsonUInt(b, "virtio-mmio-max", machine->virtioMMIOTransports);
    json_builder_end_object(b);
}

static void
ppExplainJsonWarnings(JsonBuilder *b, const PpExplain *ex)
{
    g_auto(PpQemuGuestIO) io = { 0 };
    g_autofree char *ioNote = ppQemuPlanDescribeIOReserve(ex->plan);
    guint i;

    json_builder_set_member_name(b, "warnings");
    json_builder_begin_array(b);
    if (!ex->plan->hotplugWorks)
        ppExplainJsonWarning(b, "no-hotplug", NULL,
                             _("The machine type hot-plugs through ACPI, and the domain has no <features><acpi/></features>"));
    ppQemuPredictIOWindowFailures(ex->def, ex->plan, &io);
    for (i = 0; i < io.unassigned->len; i++) {
        const PpDeviceDef *port = g_ptr_array_index(io.unassigned, i);
        g_autofree char *addr = g_strdup_printf("%02x:%02x.%x", port->addr.pci.bus,
                                                port->addr.pci.slot, port->addr.pci.function);

        if (g_ptr_array_find(io.starved, port, NULL))
            ppExplainJsonWarning(b, "io-window-starved", addr,
                                 _("Devices below this port use I/O ports and will lose them; give this port a lower address than the empty ports"));
        else
            ppExplainJsonWarning(b, "io-window-unassigned", addr,
                                 _("The guest gives this port no I/O window, which PCIe devices do not mind"));
    }
    if (ioNote)
        ppExplainJsonWarning(b, "io-reserve", NULL, ioNote);
    json_builder_end_array(b);
}

static void
ppExplainJsonMMIO(JsonBuilder *b, const PpExplain *ex)
{
    guint i;

    json_builder_set_member_name(b, "virtio-mmio");
    json_builder_begin_array(b);
    for (i = 0; i < ex->def->devices->len; i++) {
        const PpDeviceDef *dev = g_ptr_array_index(ex->def->devices, i);
        g_autofree char *what = NULL;

        if (dev->addr.type != PP_ADDRESS_VIRTIO_MMIO)
            continue;
        what = ppDeviceDefDescribe(dev);
        json_builder_begin_object(b);
        json_builder_set_member_name(b, "device");
        json_builder_add_string_value(b, what);
        json_builder_set_member_name(b, "alias");
        if (dev->alias)
            json_builder_add_string_value(b, dev->alias);
        else
            json_builder_add_null_value(b);
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
}

/* Returns: (transfer full) the JSON document of explain --format=json. */
static char *
ppExplainFormatJsonOf(const PpExplain *ex)
{
    const PpQemuMachine *machine = ex->plan->machine;
    const PpExplainBus *root = &ex->buses[0];
    g_autoptr(JsonBuilder) b = json_builder_new();
    g_autoptr(JsonNode) node = NULL;
    g_autoptr(JsonGenerator) gen = json_generator_new();
    guint i;

    json_builder_begin_object(b);
    ppExplainJsonUInt(b, "version", 1);
    json_builder_set_member_name(b, "domain");
    json_builder_add_string_value(b, ex->def->name ? ex->def->name : "");
    json_builder_set_member_name(b, "machine");
    json_builder_add_string_value(b, ex->def->machine ? ex->def->machine : "");
    json_builder_set_member_name(b, "pcie");
    json_builder_add_boolean_value(b, machine->pcie);
    json_builder_set_member_name(b, "firmware");
    json_builder_add_string_value(b, ex->plan->firmware);

    json_builder_set_member_name(b, "topology");
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "model");
    json_builder_add_string_value(b, machine->pcie ? "pcie-root" : "pci-root");
    ppExplainJsonUInt(b, "index", 0);
    json_builder_set_member_name(b, "children");
    json_builder_begin_array(b);
    for (i = 0; i < root->children->len; i++)
        ppExplainJsonDevice(b, ex, g_ptr_array_index(root->children, i));
    json_builder_end_array(b);
    json_builder_end_object(b);

    ppExplainJsonMMIO(b, ex);
    ppExplainJsonCapacity(b, ex);
    ppExplainJsonWarnings(b, ex);
    json_builder_end_object(b);

    node = json_builder_get_root(b);
    json_generator_set_pretty(gen, TRUE);
    json_generator_set_root(gen, node);
    return json_generator_to_data(gen, NULL);
}

/* ------------------------------------------------------------------ */
/* explain --format=dot                                                 */

/* A dot double-quoted string: '"' and '\' escaped, a newline as dot's
 * line break. */
static void
ppExplainDotQuote(GString *out, const char *str)
{
    const char *p;

    g_string_append_c(out, '"');
    for (p = str; *p; p++) {
        if (*p == '\n') {
            g_string_append(out, "\\n");
            continue;
        }
        if (*p == '"' || *p == '\\')
            g_string_append_c(out, '\\');
        g_string_append_c(out, *p);
    }
    g_string_append_c(out, '"');
}

static void
ppExplainDotBus(GString *out, const PpExplain *ex, guint index)
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
        g_autofree char *label = g_strdup_printf("%02x:%02x.%x\n%s", index, dev->addr.pci.slot,
                                                 dev->addr.pci.function, what);
        const char *reason = g_hash_table_lookup(ex->reasons, dev);
        gboolean ctrl = ppDeviceIsPCIControllerDef(dev);

        g_string_append_printf(out, "  n%02x_%02x_%x [label=", index, dev->addr.pci.slot,
                               dev->addr.pci.function);
        ppExplainDotQuote(out, label);
        g_string_append_printf(out, ", shape=%s%s%s];\n", ctrl ? "box" : "ellipse",
                               reason ? ", style=dashed" : "",
                               ctrl && ppExplainPortIsEmpty(ex, dev) ? ", color=green" : "");
        if (index == 0)
            g_string_append_printf(out, "  root -> n%02x_%02x_%x;\n", index, dev->addr.pci.slot,
                                   dev->addr.pci.function);
        else
            g_string_append_printf(out, "  bus%u -> n%02x_%02x_%x;\n", index, index,
                                   dev->addr.pci.slot, dev->addr.pci.function);
        if (ctrl && (guint)dev->ctrl.index != index) {
            g_string_append_printf(out, "  bus%d [shape=point];\n", dev->ctrl.index);
            g_string_append_printf(out, "  n%02x_%02x_%x -> bus%d [arrowhead=none];\n", index,
                                   dev->addr.pci.slot, dev->addr.pci.function, dev->ctrl.index);
            ppExplainDotBus(out, ex, dev->ctrl.index);
        }
    }
}

/* Returns: (transfer full) a graphviz digraph of the planned tree:
 * controllers are boxes, devices ellipses, what the plan added dashed,
 * empty hot-plug ports green. */
static char *
ppExplainFormatDotOf(const PpExplain *ex)
{
    GString *out = g_string_new("digraph pci {\n  rankdir=LR;\n  node [fontname=\"monospace\"];\n");
    g_autofree char *title = g_strdup_printf("%s (%s, %s)", ex->def->name ? ex->def->name : "",
                                             ex->def->machine ? ex->def->machine : "",
                                             ex->plan->firmware);

    g_string_append(out, "  label=");
    ppExplainDotQuote(out, title);
    g_string_append(out, ";\n  labelloc=t;\n  root [label=");
    ppExplainDotQuote(out, ex->plan->machine->pcie ? "00 pcie-root" : "00 pci-root");
    g_string_append(out, ", shape=box, style=bold];\n");
    ppExplainDotBus(out, ex, 0);
    g_string_append(out, "}\n");
    return g_string_free(out, FALSE);
}

char *
ppQemuPlanExplainJson(const PpDomainDef *def, const PpPlan *plan)
{
    g_auto(PpExplain) ex = { 0 };

    ex.def = def;
    ex.plan = plan;
    ppExplainCollect(&ex);
    return ppExplainFormatJsonOf(&ex);
}

char *
ppQemuPlanExplainDot(const PpDomainDef *def, const PpPlan *plan)
{
    g_auto(PpExplain) ex = { 0 };

    ex.def = def;
    ex.plan = plan;
    ppExplainCollect(&ex);
    return ppExplainFormatDotOf(&ex);
}
