/*
 * qemu_order.c: the order in which QEMU must realize -device options
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "qemu_order.h"
#include "qemu_command.h"
#include "pperror.h"

#include <string.h>

/* ------------------------------------------------------------------ */
/* QEMU facts                                                          */

/* Devices whose child bus is a PCI bus named after the device's id. */
static const char *const ppQemuOrderPCIBridges[] = {
    "pcie-root-port", "ioh3420", "x3130-upstream", "xio3130-downstream",
    "pci-bridge", "pci-bridge-seat", "pcie-pci-bridge", "i82801b11-bridge",
    "dec-21154-p2p-bridge", "pxb", "pxb-pcie",
};

/* vIOMMUs: they must exist before the PCI devices whose DMA they translate. */
static const char *const ppQemuOrderIOMMUs[] = {
    "intel-iommu", "amd-iommu", "virtio-iommu-pci", "virtio-iommu",
};

/* PCI devices whose driver name does not say so, for -device options that
 * leave the bus to QEMU. */
static const char *const ppQemuOrderPCIDrivers[] = {
    "e1000", "e1000e", "e1000-82544gc", "e1000-82545em", "rtl8139", "vmxnet3", "ne2k_pci",
    "pcnet", "i82559er", "vfio-pci", "i6300esb", "qemu-xhci", "nec-usb-xhci",
    "piix3-usb-uhci", "piix4-usb-uhci", "lsi", "ahci", "ich9-usb-ehci1", "ich9-usb-ehci2",
    "ich9-usb-uhci1", "ich9-usb-uhci2", "ich9-usb-uhci3", "ich9-usb-uhci4",
    "ich9-usb-uhci5", "ich9-usb-uhci6", "usb-ehci", "ich9-ahci", "lsi53c895a",
    "lsi53c810", "megasas", "megasas-gen2", "mptsas1068", "VGA", "cirrus-vga", "qxl",
    "qxl-vga", "bochs-display", "virtio-vga", "vmware-svga", "secondary-vga", "AC97",
    "ES1370", "intel-hda", "ich9-intel-hda", "pci-serial", "pci-serial-2x", "pci-serial-4x",
    "pci-ohci", "pvscsi", "vt82c686b-usb-uhci",
};

/*
 * Buses the machine itself provides, so no -device has to: the root PCI
 * bus, the chipset's IDE/AHCI ports, and buses of built-in transports.
 * A name ending in ".N" matches a prefix entry ending in ".".
 */
static const char *const ppQemuOrderMachineBuses[] = {
    "pcie.0", "pci.0", "ide.", "usb-bus.", "virtio-mmio-bus.", "isa.", "scsi.",
    "sd-bus", "i2c", "main-system-bus", "spapr-vio", "virtual-css",
};

/* Machine buses that are PCI buses. */
static const char *const ppQemuOrderMachinePCIBuses[] = { "pcie.0", "pci.0" };

static gboolean
ppQemuOrderInList(const char *const *list, size_t n, const char *name)
{
    size_t i;

    for (i = 0; name && i < n; i++) {
        if (g_str_equal(list[i], name))
            return TRUE;
    }
    return FALSE;
}

static gboolean
ppQemuOrderIsMachineBus(const char *bus)
{
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(ppQemuOrderMachineBuses); i++) {
        const char *name = ppQemuOrderMachineBuses[i];

        if (g_str_has_suffix(name, ".") ? g_str_has_prefix(bus, name) : g_str_equal(bus, name))
            return TRUE;
    }
    return FALSE;
}

static gboolean
ppQemuOrderIsIOMMU(const PpQemuDeviceSpec *spec)
{
    return ppQemuOrderInList(ppQemuOrderIOMMUs, G_N_ELEMENTS(ppQemuOrderIOMMUs), spec->driver);
}

static gboolean
ppQemuOrderProvidesPCIBus(const PpQemuDeviceSpec *spec)
{
    return ppQemuOrderInList(ppQemuOrderPCIBridges, G_N_ELEMENTS(ppQemuOrderPCIBridges),
                             spec->driver);
}

/* A PCI device by its name alone, for options without bus=. */
static gboolean
ppQemuOrderDriverIsPCI(const char *driver)
{
    return g_str_has_suffix(driver, "-pci") || g_str_has_suffix(driver, "-pci-transitional") ||
           g_str_has_suffix(driver, "-pci-non-transitional") ||
           ppQemuOrderInList(ppQemuOrderPCIBridges, G_N_ELEMENTS(ppQemuOrderPCIBridges), driver) ||
           ppQemuOrderInList(ppQemuOrderPCIDrivers, G_N_ELEMENTS(ppQemuOrderPCIDrivers), driver);
}

/* ------------------------------------------------------------------ */
/* Parsing -device arguments                                           */

void
ppQemuDeviceSpecClear(PpQemuDeviceSpec *spec)
{
    g_clear_pointer(&spec->driver, g_free);
    g_clear_pointer(&spec->id, g_free);
    g_clear_pointer(&spec->bus, g_free);
    g_clear_pointer(&spec->masterbus, g_free);
}

/* The next item of a "key=val,key=val" list, ",," being a literal comma. */
static char *
ppQemuKeyvalNextItem(const char **p)
{
    GString *item = g_string_new(NULL);

    while (**p) {
        if (**p == ',') {
            if ((*p)[1] != ',')
                break;
            (*p)++;
        }
        g_string_append_c(item, *(*p)++);
    }
    if (**p == ',')
        (*p)++;
    return g_string_free(item, FALSE);
}

static void
ppQemuDeviceSpecSet(PpQemuDeviceSpec *spec, const char *key, const char *value)
{
    char **field = NULL;

    if (g_str_equal(key, "driver"))
        field = &spec->driver;
    else if (g_str_equal(key, "id"))
        field = &spec->id;
    else if (g_str_equal(key, "bus"))
        field = &spec->bus;
    else if (g_str_equal(key, "masterbus"))
        field = &spec->masterbus;
    if (field) {
        g_free(*field);
        *field = g_strdup(value);
    }
}

/* QEMU's keyval syntax: the first item may be the driver without "driver=". */
static void
ppQemuDeviceSpecParseKeyval(const char *arg, PpQemuDeviceSpec *spec)
{
    const char *p = arg;
    gboolean first = TRUE;

    while (*p) {
        g_autofree char *item = ppQemuKeyvalNextItem(&p);
        char *eq = strchr(item, '=');

        if (eq) {
            *eq = '\0';
            ppQemuDeviceSpecSet(spec, item, eq + 1);
        } else if (first) {
            ppQemuDeviceSpecSet(spec, "driver", item);
        }
        first = FALSE;
    }
}

gboolean
ppQemuDeviceSpecParse(const char *arg, PpQemuDeviceSpec *ret_spec, GError **error)
{
    PpQemuDeviceSpec spec = { NULL, NULL, NULL, NULL };
    const char *p = arg;

    while (g_ascii_isspace(*p))
        p++;
    if (*p == '{') {
        g_autoptr(GHashTable) members = ppQemuJSONObjectParse(arg, error);

        if (!members)
            return FALSE;
        spec.driver = g_strdup(g_hash_table_lookup(members, "driver"));
        spec.id = g_strdup(g_hash_table_lookup(members, "id"));
        spec.bus = g_strdup(g_hash_table_lookup(members, "bus"));
        spec.masterbus = g_strdup(g_hash_table_lookup(members, "masterbus"));
    } else {
        ppQemuDeviceSpecParseKeyval(arg, &spec);
    }
    if (!spec.driver || !*spec.driver) {
        ppQemuDeviceSpecClear(&spec);
        g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                    _("The -device option '%1$s' names no driver"), arg);
        return FALSE;
    }
    *ret_spec = spec;
    return TRUE;
}

/* ------------------------------------------------------------------ */
/* The dependency graph                                                */

typedef struct {
    guint other;
    PpQemuOrderReason reason;
} PpQemuOrderEdge;

typedef struct {
    guint n;
    GArray **succ;  /* per node: PpQemuOrderEdge to the nodes that wait for it */
    GArray **pred;  /* per node: PpQemuOrderEdge to the nodes it waits for */
    guint *waiting; /* per node: predecessors not yet placed */
} PpQemuOrderGraph;

static void
ppQemuOrderGraphFree(PpQemuOrderGraph *g)
{
    guint i;

    if (!g)
        return;
    for (i = 0; i < g->n; i++) {
        if (g->succ[i])
            g_array_unref(g->succ[i]);
        if (g->pred[i])
            g_array_unref(g->pred[i]);
    }
    g_free(g->succ);
    g_free(g->pred);
    g_free(g->waiting);
    g_free(g);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PpQemuOrderGraph, ppQemuOrderGraphFree);

static PpQemuOrderGraph *
ppQemuOrderGraphNew(guint n)
{
    PpQemuOrderGraph *g = g_new0(PpQemuOrderGraph, 1);

    g->n = n;
    g->succ = g_new0(GArray *, n);
    g->pred = g_new0(GArray *, n);
    g->waiting = g_new0(guint, n);
    return g;
}

static void
ppQemuOrderEdgeAppend(GArray **list, guint other, PpQemuOrderReason reason)
{
    PpQemuOrderEdge edge = { other, reason };

    if (!*list)
        *list = g_array_new(FALSE, FALSE, sizeof(PpQemuOrderEdge));
    g_array_append_val(*list, edge);
}

/* @after must be realized after @before. */
static void
ppQemuOrderGraphAddEdge(PpQemuOrderGraph *g, guint before, guint after, PpQemuOrderReason reason)
{
    ppQemuOrderEdgeAppend(&g->succ[before], after, reason);
    ppQemuOrderEdgeAppend(&g->pred[after], before, reason);
    g->waiting[after]++;
}

/* A binary min-heap of node indexes: the ready node that came first in
 * the input is placed next, which keeps the sort stable. */
static void
ppQemuOrderHeapPush(GArray *heap, guint node)
{
    guint i = heap->len;

    g_array_append_val(heap, node);
    while (i > 0) {
        guint parent = (i - 1) / 2;
        guint *a = &g_array_index(heap, guint, 0);

        if (a[parent] <= a[i])
            break;
        node = a[parent];
        a[parent] = a[i];
        a[i] = node;
        i = parent;
    }
}

static guint
ppQemuOrderHeapPop(GArray *heap)
{
    guint *a = &g_array_index(heap, guint, 0);
    guint top = a[0];
    guint n = heap->len - 1;
    guint i = 0;

    a[0] = a[n];
    g_array_set_size(heap, n);
    for (;;) {
        guint l = 2 * i + 1;
        guint r = l + 1;
        guint m = i;
        guint tmp;

        if (l < n && a[l] < a[m])
            m = l;
        if (r < n && a[r] < a[m])
            m = r;
        if (m == i)
            break;
        tmp = a[m];
        a[m] = a[i];
        a[i] = tmp;
        i = m;
    }
    return top;
}

/* Kahn's algorithm; returns fewer than n nodes when there is a cycle. */
static GArray *
ppQemuOrderGraphSort(PpQemuOrderGraph *g)
{
    GArray *order = g_array_sized_new(FALSE, FALSE, sizeof(guint), g->n);
    g_autoptr(GArray) heap = g_array_new(FALSE, FALSE, sizeof(guint));
    guint i;

    for (i = 0; i < g->n; i++) {
        if (g->waiting[i] == 0)
            ppQemuOrderHeapPush(heap, i);
    }
    while (heap->len > 0) {
        guint node = ppQemuOrderHeapPop(heap);

        g_array_append_val(order, node);
        for (i = 0; g->succ[node] && i < g->succ[node]->len; i++) {
            guint next = g_array_index(g->succ[node], PpQemuOrderEdge, i).other;

            if (--g->waiting[next] == 0)
                ppQemuOrderHeapPush(heap, next);
        }
    }
    return order;
}

/* ------------------------------------------------------------------ */
/* Devices into the graph                                              */

static char *
ppQemuOrderDescribe(const PpQemuDeviceSpec *spec, guint idx)
{
    if (spec->id)
        return g_strdup_printf("'%s' (%s)", spec->id, spec->driver);
    return g_strdup_printf("#%u (%s)", idx + 1, spec->driver);
}

static GHashTable *
ppQemuOrderIndexIds(const PpQemuDeviceSpec *devs, guint ndevs, GError **error)
{
    g_autoptr(GHashTable) ids = g_hash_table_new(g_str_hash, g_str_equal);
    guint i;

    for (i = 0; i < ndevs; i++) {
        if (!devs[i].id)
            continue;
        if (g_hash_table_contains(ids, devs[i].id)) {
            g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                        _("Two -device options have the id '%1$s'"), devs[i].id);
            return NULL;
        }
        g_hash_table_insert(ids, devs[i].id, GUINT_TO_POINTER(i + 1));
    }
    return g_steal_pointer(&ids);
}

/*
 * The device that provides bus @bus: the device with that id (PCI
 * bridges and ports name their bus after themselves), else for "X.N" the
 * device "X" (virtio-serial, SCSI and USB controllers, HDA). -1 for a
 * machine bus; FALSE with @error set when nothing provides it.
 */
static gboolean
ppQemuOrderFindProvider(GHashTable *ids,
                        const PpQemuDeviceSpec *devs,
                        guint idx,
                        const char *bus,
                        int *ret_provider,
                        GError **error)
{
    g_autofree char *owner = NULL;
    g_autofree char *what = NULL;
    guint found = GPOINTER_TO_UINT(g_hash_table_lookup(ids, bus));
    const char *dot = strrchr(bus, '.');

    if (!found && dot && dot > bus && dot[1] &&
        strspn(dot + 1, "0123456789") == strlen(dot + 1)) {
        owner = g_strndup(bus, dot - bus);
        found = GPOINTER_TO_UINT(g_hash_table_lookup(ids, owner));
    }
    *ret_provider = (int)found - 1;
    if (found || ppQemuOrderIsMachineBus(bus))
        return TRUE;
    what = ppQemuOrderDescribe(&devs[idx], idx);
    g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                _("Device %1$s is on bus '%2$s', which no -device option and no machine provides"),
                what, bus);
    return FALSE;
}

/*
 * Adds the edges from the devices that provide a device's bus (and, for
 * USB companion controllers, its masterbus) to the device; marks in
 * @isPCI the devices that sit on a PCI bus.
 */
static gboolean
ppQemuOrderAddBusEdges(PpQemuOrderGraph *g,
                       const PpQemuDeviceSpec *devs,
                       gboolean *isPCI,
                       GError **error)
{
    g_autoptr(GHashTable) ids = ppQemuOrderIndexIds(devs, g->n, error);
    guint i;

    if (!ids)
        return FALSE;
    for (i = 0; i < g->n; i++) {
        int provider = -1;
        int master = -1;

        if ((devs[i].bus && !ppQemuOrderFindProvider(ids, devs, i, devs[i].bus, &provider, error)) ||
            (devs[i].masterbus &&
             !ppQemuOrderFindProvider(ids, devs, i, devs[i].masterbus, &master, error)))
            return FALSE;
        if (!devs[i].bus)
            isPCI[i] = ppQemuOrderDriverIsPCI(devs[i].driver);
        else if (provider < 0)
            isPCI[i] = ppQemuOrderInList(ppQemuOrderMachinePCIBuses,
                                         G_N_ELEMENTS(ppQemuOrderMachinePCIBuses), devs[i].bus);
        else
            isPCI[i] = ppQemuOrderProvidesPCIBus(&devs[provider]);
        if (provider >= 0)
            ppQemuOrderGraphAddEdge(g, provider, i, PP_QEMU_ORDER_REASON_BUS);
        if (master >= 0 && master != provider)
            ppQemuOrderGraphAddEdge(g, master, i, PP_QEMU_ORDER_REASON_BUS);
    }
    return TRUE;
}

static void
ppQemuOrderAddIOMMUEdges(PpQemuOrderGraph *g, const PpQemuDeviceSpec *devs, const gboolean *isPCI)
{
    guint i;
    guint j;

    for (i = 0; i < g->n; i++) {
        if (!ppQemuOrderIsIOMMU(&devs[i]))
            continue;
        for (j = 0; j < g->n; j++) {
            if (j != i && isPCI[j] && !ppQemuOrderIsIOMMU(&devs[j]))
                ppQemuOrderGraphAddEdge(g, i, j, PP_QEMU_ORDER_REASON_IOMMU);
        }
    }
}

/* An unplaced predecessor of unplaced @node; one exists, or it would be placed. */
static guint
ppQemuOrderUnplacedPred(const PpQemuOrderGraph *g, guint node)
{
    guint i;

    for (i = 0; i < g->pred[node]->len; i++) {
        guint prev = g_array_index(g->pred[node], PpQemuOrderEdge, i).other;

        if (g->waiting[prev] > 0)
            return prev;
    }
    g_assert_not_reached();
}

/* After an incomplete sort: walk from an unplaced node to what it waits
 * for until a node repeats, and report the cycle found. */
static void
ppQemuOrderReportCycle(const PpQemuOrderGraph *g, const PpQemuDeviceSpec *devs, GError **error)
{
    g_autofree int *seen = g_new(int, g->n);
    g_autoptr(GArray) walk = g_array_new(FALSE, FALSE, sizeof(guint));
    g_autoptr(GString) path = g_string_new(NULL);
    g_autofree char *first = NULL;
    g_autofree char *second = NULL;
    guint node = 0;
    guint i;

    for (i = 0; i < g->n; i++)
        seen[i] = -1;
    while (g->waiting[node] == 0)
        node++;
    while (seen[node] < 0) {
        seen[node] = (int)walk->len;
        g_array_append_val(walk, node);
        node = ppQemuOrderUnplacedPred(g, node);
    }
    first = ppQemuOrderDescribe(&devs[node], node);
    if ((guint)seen[node] + 1 == walk->len) {
        g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                    _("Device %1$s is on bus '%2$s', which only it provides"), first,
                    devs[node].bus ? devs[node].bus : devs[node].masterbus);
        return;
    }
    for (i = (guint)seen[node]; i < walk->len; i++) {
        g_autofree char *what = ppQemuOrderDescribe(&devs[g_array_index(walk, guint, i)],
                                                    g_array_index(walk, guint, i));

        g_string_append_printf(path, "%s -> ", what);
    }
    g_string_append(path, first);
    i = g_array_index(walk, guint, seen[node] + 1);
    second = ppQemuOrderDescribe(&devs[i], i);
    g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                _("Devices %1$s and %2$s cannot be ordered, each needs the other realized first (A -> B: A needs B): %3$s"),
                first, second, path->str);
}

/* A device moved when it waits for a device that came after it in the
 * input; it now follows the last such device. */
static GArray *
ppQemuOrderFindMoves(const PpQemuOrderGraph *g)
{
    GArray *moves = g_array_new(FALSE, FALSE, sizeof(PpQemuOrderMove));
    guint node;
    guint k;

    for (node = 0; node < g->n; node++) {
        const PpQemuOrderEdge *last = NULL;

        for (k = 0; g->pred[node] && k < g->pred[node]->len; k++) {
            const PpQemuOrderEdge *e = &g_array_index(g->pred[node], PpQemuOrderEdge, k);

            if (e->other > node && (!last || e->other > last->other))
                last = e;
        }
        if (last) {
            PpQemuOrderMove move = { node, last->other, last->reason };

            g_array_append_val(moves, move);
        }
    }
    return moves;
}

gboolean
ppQemuOrderDevices(const PpQemuDeviceSpec *devs,
                   guint ndevs,
                   GArray **ret_order,
                   GArray **ret_moves,
                   GError **error)
{
    g_autoptr(PpQemuOrderGraph) g = ppQemuOrderGraphNew(ndevs);
    g_autofree gboolean *isPCI = g_new0(gboolean, ndevs);
    g_autoptr(GArray) order = NULL;

    if (!ppQemuOrderAddBusEdges(g, devs, isPCI, error))
        return FALSE;
    ppQemuOrderAddIOMMUEdges(g, devs, isPCI);
    order = ppQemuOrderGraphSort(g);
    if (order->len < ndevs) {
        ppQemuOrderReportCycle(g, devs, error);
        return FALSE;
    }
    if (ret_moves)
        *ret_moves = ppQemuOrderFindMoves(g);
    *ret_order = g_steal_pointer(&order);
    return TRUE;
}

/* ------------------------------------------------------------------ */
/* Whole command lines                                                 */

static gboolean
ppQemuOrderIsDeviceOption(const char *arg)
{
    return g_str_equal(arg, "-device") || g_str_equal(arg, "--device");
}

/* Positions of the -device values in @argv, and their specs. */
static gboolean
ppQemuOrderCollect(const char *const *argv, GArray *positions, GArray *specs, GError **error)
{
    guint i;

    for (i = 0; argv[i]; i++) {
        PpQemuDeviceSpec spec;

        if (!ppQemuOrderIsDeviceOption(argv[i]))
            continue;
        if (!argv[i + 1]) {
            g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                        _("The command line ends with '%1$s' and no device"), argv[i]);
            return FALSE;
        }
        i++;
        if (!ppQemuDeviceSpecParse(argv[i], &spec, error))
            return FALSE;
        g_array_append_val(positions, i);
        g_array_append_val(specs, spec);
    }
    return TRUE;
}

gboolean
ppQemuOrderCommandLine(const char *const *argv,
                       char ***ret_argv,
                       GArray **ret_specs,
                       GArray **ret_moves,
                       GError **error)
{
    g_autoptr(GArray) positions = g_array_new(FALSE, FALSE, sizeof(guint));
    g_autoptr(GArray) specs = g_array_new(FALSE, FALSE, sizeof(PpQemuDeviceSpec));
    g_autoptr(GArray) order = NULL;
    g_auto(GStrv) out = g_strdupv((char **)argv);
    guint i;

    g_array_set_clear_func(specs, (GDestroyNotify)ppQemuDeviceSpecClear);
    /* ->data, not &g_array_index(..., 0): an empty array has NULL data. */
    if (!ppQemuOrderCollect(argv, positions, specs, error) ||
        !ppQemuOrderDevices((const PpQemuDeviceSpec *)specs->data, specs->len, &order,
                            ret_moves, error))
        return FALSE;
    for (i = 0; i < order->len; i++) {
        guint slot = g_array_index(positions, guint, i);
        guint from = g_array_index(positions, guint, g_array_index(order, guint, i));

        g_free(out[slot]);
        out[slot] = g_strdup(argv[from]);
    }
    if (ret_specs)
        *ret_specs = g_steal_pointer(&specs);
    *ret_argv = g_steal_pointer(&out);
    return TRUE;
}
