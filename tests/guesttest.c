/*
 * guesttest.c: boot real guests on planned topologies and check what
 * their kernel sees
 *
 * Each scenario in tests/guest/ is a domain XML that is planned here
 * (ppQemuDomainPlan + ppDomainDefFormat), so the test checks the planner,
 * not a frozen file. The planned domain is defined, started, read and
 * destroyed through libvirt's embedded QEMU driver (one process, one
 * embed root). The guest is a Debian kernel with a busybox initramfs
 * (tests/guest/build-guest.sh) whose /init prints every PCI function and
 * the kernel's resource complaints on the serial port (tests/guest/init.sh)
 * and powers off. Checked per scenario:
 *
 * - topology: every planned PCI function is in the guest behind a bridge
 *   chain of the same shape (slot.function and vendor:device of each hop;
 *   bus numbers are the firmware's), and the guest has nothing else but
 *   the machine's built-in functions;
 * - no device BAR failed, and no bridge window failed where the bridge's
 *   subtree uses that resource (option ROMs left unassigned are fine);
 * - the I/O windows Linux could not give to I/O-free ports are exactly the
 *   ones ppQemuPredictIOWindowFailures() (and so `explain`) predicts;
 * - hot-plug scenarios: a device attached into every empty hot-pluggable
 *   port lands there (QOM parent_bus and addr) and the guest sees it
 *   behind that port; attaching into an empty port with hotplug='off' is
 *   refused.
 *
 * Environment (tests/guest/guest-test.sh sets the first four):
 * PP_GUEST_{X86_64,AARCH64}_{KERNEL,INITRD} the guest images;
 * PP_TEST_SRCDIR, PP_TEST_BUILDDIR; PP_GUEST_TIMEOUT seconds per boot
 * (default 300); PP_GUEST_KEEP=1 keeps the work directory (kept anyway
 * when a scenario failed: serial logs, QEMU logs under embed/log/qemu).
 * Nothing is skipped: a missing image, firmware or QEMU fails.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "testutils.h"
#include "domain_conf.h"
#include "domain_format.h"
#include "pperror.h"
#include "pp_libvirt.h"
#include "qemu_domain_address.h"
#include "qemu_guest_io.h"

#include <glib/gstdio.h>
#include <libvirt/libvirt-qemu.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

G_DEFINE_AUTOPTR_CLEANUP_FUNC(virDomain, virDomainFree);

typedef enum {
    GUEST_X86_64,
    GUEST_AARCH64,
} GuestArch;

typedef struct {
    const char *name;     /* tests/guest/NAME.xml, domain name, test path */
    GuestArch arch;
    int sparePorts;       /* PpPlanOptions.sparePorts; -1 the default */
    gboolean planned;     /* FALSE: defined as written, libvirt addresses it */
    gboolean hotplug;     /* attach into every empty port while it runs */
    gboolean baseline;    /* shows failures virt-pciplan avoids: they are expected */
    const char *why;
} GuestScenario;

static const GuestScenario scenarios[] = {
    { "q35-seabios", GUEST_X86_64, 8, TRUE, TRUE, FALSE,
      "switch, legacy PCI behind a pcie-to-pci-bridge, user hotplug='off' ports, hot-plug" },
    { "q35-ovmf-numa", GUEST_X86_64, 20, TRUE, TRUE, FALSE,
      "pxb-pcie per NUMA node and 20 spare root ports on OVMF: I/O windows run out" },
    { "pc-bridges", GUEST_X86_64, -1, TRUE, FALSE, FALSE,
      "pc: conventional PCI on pci-root and behind a pci-bridge" },
    { "aarch64-uefi", GUEST_AARCH64, 20, TRUE, FALSE, FALSE,
      "AAVMF + ACPI: pxb-pcie per NUMA node, a switch, legacy PCI, 20 spare ports" },
    { "aarch64-kernel", GUEST_AARCH64, 3, TRUE, TRUE, FALSE,
      "direct kernel, no firmware: the kernel assigns everything; hot-plug" },
    { "virtinstall-ovmf", GUEST_X86_64, -1, FALSE, FALSE, TRUE,
      "virt-install's 14 bare root ports on OVMF, addressed by libvirt (baseline)" },
    { "virtinstall-ovmf-planned", GUEST_X86_64, -1, TRUE, FALSE, FALSE,
      "the same guest planned by virt-pciplan" },
};

/* The harness state every test case shares, set up in main(). */
static struct {
    char *work;        /* scratch directory: embed root, logs, disks */
    char *uri;
    PpLibvirtConn *conn;
    virConnectPtr vconn; /* the same embed root, for what pp_libvirt lacks */
    GError *openError;
    guint timeout;     /* seconds per boot */
    gboolean failed;
} guest;

/* ------------------------------------------------------------------ */
/* The guest's report, parsed from the serial log                       */

typedef struct {
    char *addr;     /* 0000:00:02.0 */
    char *id;       /* 1af4:1041 */
    guint cls;      /* 0x060400 */
    char *path;     /* the device's directory under /sys/devices */
    guint64 start[17];
    guint64 end[17];
    guint64 flags[17];
    gboolean hot;   /* appeared after PPGUEST-END (hot-plug) */
} GuestFn;

typedef enum {
    RES_IO,
    RES_MEM,
    RES_PREF,
    RES_UNKNOWN,
} GuestResType;

typedef struct {
    char *line;
    char *addr;
    gboolean window;  /* a bridge window (not a BAR) */
    gboolean rom;
    gboolean claim;   /* "can't claim" (a firmware assignment dropped) */
    GuestResType res;
    gboolean hot;     /* logged after PPGUEST-END */
} GuestComplaint;

typedef struct {
    GPtrArray *fns;         /* GuestFn */
    GHashTable *byAddr;     /* addr -> GuestFn */
    GPtrArray *complaints;  /* GuestComplaint */
    gboolean ended;
    guint hotCount;
} GuestReport;

static void
guestFnFree(gpointer p)
{
    GuestFn *fn = p;

    g_free(fn->addr);
    g_free(fn->id);
    g_free(fn->path);
    g_free(fn);
}

static void
guestComplaintFree(gpointer p)
{
    GuestComplaint *c = p;

    g_free(c->line);
    g_free(c->addr);
    g_free(c);
}

static void
guestReportClear(GuestReport *r)
{
    g_clear_pointer(&r->fns, g_ptr_array_unref);
    g_clear_pointer(&r->byAddr, g_hash_table_unref);
    g_clear_pointer(&r->complaints, g_ptr_array_unref);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(GuestReport, guestReportClear);

static gboolean
guestFnIsBridge(const GuestFn *fn)
{
    return (fn->cls >> 8) == 0x0604;
}

/* "PPGUEST-PCI addr ven:dev class path idx:start-end:flags..." */
static GuestFn *
guestParseFn(const char *rest, gboolean hot)
{
    g_auto(GStrv) tok = g_strsplit(rest, " ", -1);
    GuestFn *fn;
    guint i;

    if (g_strv_length(tok) < 4)
        return NULL;
    fn = g_new0(GuestFn, 1);
    fn->addr = g_strdup(tok[0]);
    fn->id = g_strdup(tok[1]);
    fn->cls = (guint)g_ascii_strtoull(tok[2], NULL, 16);
    fn->path = g_strdup(tok[3]);
    fn->hot = hot;
    for (i = 4; tok[i]; i++) {
        guint idx;
        unsigned long long s, e, f;

        if (sscanf(tok[i], "%u:%llx-%llx:%llx", &idx, &s, &e, &f) == 4 && idx < 17) {
            fn->start[idx] = s;
            fn->end[idx] = e;
            fn->flags[idx] = f;
        }
    }
    return fn;
}

/* "[    1.0] pci 0000:00:02.0: bridge window [io  size 0x1000]: can't assign; no space"
 * and the older "pci 0000:00:02.0: BAR 13: no space for [io  size 0x1000]". */
static GuestComplaint *
guestParseComplaint(const char *line, gboolean hot)
{
    g_autoptr(GRegex) re = g_regex_new("\\S+ ([0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\\.[0-7]): "
                                       "(bridge window|BAR (\\d+)|ROM)[^\\[]*\\[(io|mem)([^\\]]*)\\]",
                                       0, 0, NULL);
    g_autoptr(GMatchInfo) m = NULL;
    GuestComplaint *c = g_new0(GuestComplaint, 1);

    c->line = g_strdup(line);
    c->hot = hot;
    c->res = RES_UNKNOWN;
    c->claim = strstr(line, "can't claim") != NULL;
    if (g_regex_match(re, line, 0, &m)) {
        g_autofree char *what = g_match_info_fetch(m, 2);
        g_autofree char *bar = g_match_info_fetch(m, 3);
        g_autofree char *type = g_match_info_fetch(m, 4);
        g_autofree char *attrs = g_match_info_fetch(m, 5);
        guint n = bar && *bar ? (guint)atoi(bar) : 0;

        c->addr = g_match_info_fetch(m, 1);
        c->window = g_str_equal(what, "bridge window") || (bar && *bar && n >= 13);
        c->rom = g_str_equal(what, "ROM") || (bar && *bar && n == 6);
        if (g_str_equal(type, "io"))
            c->res = RES_IO;
        else
            c->res = strstr(attrs, "pref") ? RES_PREF : RES_MEM;
    }
    return c;
}

static void
guestParseLog(const char *text, GuestReport *r)
{
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    gboolean afterEnd = FALSE;
    guint i;

    r->fns = g_ptr_array_new_with_free_func(guestFnFree);
    r->byAddr = g_hash_table_new(g_str_hash, g_str_equal);
    r->complaints = g_ptr_array_new_with_free_func(guestComplaintFree);
    for (i = 0; lines[i]; i++) {
        char *l = strstr(lines[i], "PPGUEST-");
        GuestFn *fn = NULL;

        if (!l)
            continue;
        g_strchomp(l);
        if (g_str_has_prefix(l, "PPGUEST-PCI "))
            fn = guestParseFn(l + strlen("PPGUEST-PCI "), FALSE);
        else if (g_str_has_prefix(l, "PPGUEST-HOT "))
            fn = guestParseFn(l + strlen("PPGUEST-HOT "), TRUE);
        else if (g_str_has_prefix(l, "PPGUEST-DMESG "))
            g_ptr_array_add(r->complaints, guestParseComplaint(l + strlen("PPGUEST-DMESG "), afterEnd));
        else if (g_str_has_prefix(l, "PPGUEST-END"))
            r->ended = afterEnd = TRUE;
        if (fn && !g_hash_table_contains(r->byAddr, fn->addr)) {
            g_ptr_array_add(r->fns, fn);
            g_hash_table_insert(r->byAddr, fn->addr, fn);
            r->hotCount += fn->hot;
        } else if (fn) {
            guestFnFree(fn);
        }
    }
}

/*
 * The shape of a guest function: its root bus, then slot.function and
 * vendor:device of each bridge on the way and of itself, e.g.
 * "root0/02.0@1b36:000c/00.0@1af4:1041". A pxb-pcie's bus is a root of
 * its own in the guest, numbered by its busNr.
 */
static char *
guestFnShape(const GuestReport *r, const GuestFn *fn)
{
    g_auto(GStrv) comp = g_strsplit(fn->path, "/", -1);
    g_autoptr(GString) s = g_string_new(NULL);
    gboolean rooted = FALSE;
    guint i;

    for (i = 0; comp[i]; i++) {
        unsigned int dom, bus, slot, func;
        const GuestFn *hop;

        if (!rooted) {
            if (sscanf(comp[i], "pci%x:%x", &dom, &bus) == 2 && g_str_has_prefix(comp[i], "pci")) {
                g_string_append_printf(s, "root%u", bus);
                rooted = TRUE;
            }
            continue;
        }
        if (sscanf(comp[i], "%x:%x:%x.%x", &dom, &bus, &slot, &func) != 4)
            break;
        hop = g_hash_table_lookup(r->byAddr, comp[i]);
        g_string_append_printf(s, "/%02x.%x@%s", slot, func, hop ? hop->id : "?");
    }
    return g_string_free(g_steal_pointer(&s), FALSE);
}

/* ------------------------------------------------------------------ */
/* What the plan says the guest should see                              */

typedef struct {
    const PpDomainDef *def;
    const PpDeviceDef *ctrls[PP_PCI_MAX_BUSES];
} PlanView;

static gboolean
isPCIController(const PpDeviceDef *dev)
{
    return dev->kind == PP_DEVICE_CONTROLLER && dev->type && g_str_equal(dev->type, "pci") &&
           dev->ctrl.index >= 0 && dev->ctrl.index < PP_PCI_MAX_BUSES;
}

/* Returns: (transfer full) a view of @def's buses; free with g_free(). */
static PlanView *
planViewNew(const PpDomainDef *def)
{
    PlanView *v = g_new0(PlanView, 1);
    guint i;

    v->def = def;
    for (i = 0; i < def->devices->len; i++) {
        const PpDeviceDef *dev = g_ptr_array_index(def->devices, i);

        if (isPCIController(dev))
            v->ctrls[dev->ctrl.index] = dev;
    }
    return v;
}

static gboolean
strEq(const char *a, const char *b)
{
    return a && b && g_str_equal(a, b);
}

/* virtio device ids: modern 0x1040 + type; transitional (legacy) ones. */
static const char *
virtioId(const char *what, gboolean modern)
{
    static const struct {
        const char *what;
        const char *modern;
        const char *transitional;
    } ids[] = {
        { "net", "1af4:1041", "1af4:1000" },    { "blk", "1af4:1042", "1af4:1001" },
        { "serial", "1af4:1043", "1af4:1003" }, { "rng", "1af4:1044", "1af4:1005" },
        { "balloon", "1af4:1045", "1af4:1002" }, { "scsi", "1af4:1048", "1af4:1004" },
    };
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(ids); i++) {
        if (g_str_equal(ids[i].what, what))
            return modern ? ids[i].modern : ids[i].transitional;
    }
    return "*";
}

/* QEMU 7.2's vendor:device for @dev on the bus of @busCtrl; "*" when this
 * table does not know the model (matched by position only). */
static const char *
expectedId(const PpDeviceDef *dev, const PpDeviceDef *busCtrl)
{
    gboolean pciePort = busCtrl && (busCtrl->ctrl.pciModel == PP_CONTROLLER_MODEL_PCIE_ROOT_PORT ||
                                    busCtrl->ctrl.pciModel ==
                                        PP_CONTROLLER_MODEL_PCIE_SWITCH_DOWNSTREAM_PORT);
    const char *model = dev->model;
    gboolean modern;

    if (isPCIController(dev)) {
        switch (dev->ctrl.pciModel) {
        case PP_CONTROLLER_MODEL_PCIE_ROOT_PORT:
            return strEq(dev->ctrl.modelName, "ioh3420") ? "8086:3420" : "1b36:000c";
        case PP_CONTROLLER_MODEL_PCIE_SWITCH_UPSTREAM_PORT:
            return "104c:8232";
        case PP_CONTROLLER_MODEL_PCIE_SWITCH_DOWNSTREAM_PORT:
            return "104c:8233";
        case PP_CONTROLLER_MODEL_PCI_BRIDGE:
            return "1b36:0001";
        case PP_CONTROLLER_MODEL_PCIE_TO_PCI_BRIDGE:
            return "1b36:000e";
        case PP_CONTROLLER_MODEL_DMI_TO_PCI_BRIDGE:
            return "8086:244e";
        case PP_CONTROLLER_MODEL_PCIE_EXPANDER_BUS:
            return "1b36:000b";
        case PP_CONTROLLER_MODEL_PCI_EXPANDER_BUS:
            return "1b36:0009";
        case PP_CONTROLLER_MODEL_NONE:
        case PP_CONTROLLER_MODEL_PCI_ROOT:
        case PP_CONTROLLER_MODEL_PCIE_ROOT:
        case PP_CONTROLLER_MODEL_LAST:
            break;
        }
        return "*";
    }
    if (dev->kind == PP_DEVICE_DISK)
        model = strEq(dev->bus, "virtio") ? (dev->model ? dev->model : "virtio") : NULL;
    if (!model && dev->kind == PP_DEVICE_CONTROLLER) {
        if (strEq(dev->type, "sata"))
            return "8086:2922";
        if (strEq(dev->type, "ide"))
            return "8086:7010";
    }
    if (!model)
        return "*";
    if (strEq(model, "e1000"))
        return "8086:100e";
    if (strEq(model, "e1000e"))
        return "8086:10d3";
    if (strEq(model, "rtl8139"))
        return "10ec:8139";
    if (strEq(model, "qemu-xhci"))
        return "1b36:000d";
    if (strEq(model, "piix3-uhci"))
        return "8086:7020";
    if (!g_str_has_prefix(model, "virtio"))
        return "*";
    /* QEMU's disable-legacy=auto: modern-only in a PCIe port */
    modern = strEq(model, "virtio-non-transitional") ||
             (!strEq(model, "virtio-transitional") && pciePort);
    switch (dev->kind) {
    case PP_DEVICE_INTERFACE:
        return virtioId("net", modern);
    case PP_DEVICE_DISK:
        return virtioId("blk", modern);
    case PP_DEVICE_RNG:
        return virtioId("rng", modern);
    case PP_DEVICE_MEMBALLOON:
        return virtioId("balloon", modern);
    case PP_DEVICE_CONTROLLER:
        return strEq(dev->type, "scsi") ? virtioId("scsi", modern) : "*";
    case PP_DEVICE_HOSTDEV:
    case PP_DEVICE_VIDEO:
    case PP_DEVICE_SOUND:
    case PP_DEVICE_WATCHDOG:
    case PP_DEVICE_INPUT:
    case PP_DEVICE_SERIAL:
    case PP_DEVICE_CONSOLE:
    case PP_DEVICE_PARALLEL:
    case PP_DEVICE_CHANNEL:
    case PP_DEVICE_IOMMU:
    case PP_DEVICE_VSOCK:
    case PP_DEVICE_SHMEM:
    case PP_DEVICE_PANIC:
    case PP_DEVICE_FILESYSTEM:
    case PP_DEVICE_MEMORY:
    case PP_DEVICE_CRYPTO:
    case PP_DEVICE_TPM:
    case PP_DEVICE_REDIRDEV:
    case PP_DEVICE_HUB:
    case PP_DEVICE_SMARTCARD:
    case PP_DEVICE_GRAPHICS:
    case PP_DEVICE_AUDIO:
    case PP_DEVICE_EMULATOR:
    case PP_DEVICE_LEASE:
    case PP_DEVICE_OTHER:
    case PP_DEVICE_LAST:
        break;
    }
    return "*";
}

/* The bus prefix of a planned bus: "root0", "root<busNr>" for an
 * expander's bus, else the shape of the bridge providing it. */
static void
planBusPrefix(const PlanView *v, guint bus, GString *s, guint depth)
{
    const PpDeviceDef *ctrl = v->ctrls[bus];

    if (!ctrl || depth > PP_PCI_MAX_BUSES || ctrl->ctrl.pciModel == PP_CONTROLLER_MODEL_PCIE_ROOT ||
        ctrl->ctrl.pciModel == PP_CONTROLLER_MODEL_PCI_ROOT || ctrl->addr.type != PP_ADDRESS_PCI) {
        g_string_append(s, "root0");
        return;
    }
    if (ctrl->ctrl.pciModel == PP_CONTROLLER_MODEL_PCIE_EXPANDER_BUS ||
        ctrl->ctrl.pciModel == PP_CONTROLLER_MODEL_PCI_EXPANDER_BUS) {
        g_string_append_printf(s, "root%d", ctrl->ctrl.busNr);
        return;
    }
    planBusPrefix(v, ctrl->addr.pci.bus, s, depth + 1);
    g_string_append_printf(s, "/%02x.%x@%s", ctrl->addr.pci.slot, ctrl->addr.pci.function,
                           expectedId(ctrl, v->ctrls[ctrl->addr.pci.bus]));
}

static char *
planShape(const PlanView *v, const PpDeviceDef *dev)
{
    GString *s = g_string_new(NULL);

    planBusPrefix(v, dev->addr.pci.bus, s, 0);
    g_string_append_printf(s, "/%02x.%x@%s", dev->addr.pci.slot, dev->addr.pci.function,
                           expectedId(dev, v->ctrls[dev->addr.pci.bus]));
    return g_string_free(s, FALSE);
}

/* The shape a bridge's own bus gives its slot 0, function 0 device. */
static char *
planPortChildShape(const PlanView *v, const PpDeviceDef *port, const char *id)
{
    g_autofree char *shape = planShape(v, port);

    return g_strdup_printf("%s/00.0@%s", shape, id);
}

/* Built into the machine, never in a domain XML. */
static const char *const builtinsQ35[] = { "root0/00.0@8086:29c0", "root0/1f.0@8086:2918",
                                           "root0/1f.3@8086:2930", NULL };
static const char *const builtinsPc[] = { "root0/00.0@8086:1237", "root0/01.0@8086:7000",
                                          "root0/01.1@8086:7010", "root0/01.3@8086:7113", NULL };
static const char *const builtinsVirt[] = { "root0/00.0@1b36:0008", NULL };

/* Component-wise: "*" in a planned id matches any guest id. */
static gboolean
shapeMatches(const char *planned, const char *seen)
{
    g_auto(GStrv) p = g_strsplit(planned, "/", -1);
    g_auto(GStrv) s = g_strsplit(seen, "/", -1);
    guint i;

    if (g_strv_length(p) != g_strv_length(s))
        return FALSE;
    for (i = 0; p[i]; i++) {
        const char *pid = strchr(p[i], '@');
        const char *sid = strchr(s[i], '@');

        if (pid && sid && g_str_equal(pid, "@*") &&
            (pid - p[i]) == (sid - s[i]) && strncmp(p[i], s[i], pid - p[i]) == 0)
            continue;
        if (!g_str_equal(p[i], s[i]))
            return FALSE;
    }
    return TRUE;
}

/* ------------------------------------------------------------------ */
/* Checks                                                               */

typedef struct {
    GString *problems; /* one line per problem; the scenario fails if any */
    GString *notes;    /* printed as test messages */
    gboolean baseline; /* device BAR failures are expected and recorded */
    guint barFailures;
} Verdict;

/* A device BAR failure: a problem, except in the baseline, which shows
 * what virt-pciplan avoids (docs/guest-truth.md). */
static void G_GNUC_PRINTF(2, 3)
barFailure(Verdict *v, const char *fmt, ...)
{
    va_list ap;

    v->barFailures++;
    g_string_append(v->baseline ? v->notes : v->problems, v->baseline ? "expected: " : "  - ");
    va_start(ap, fmt);
    g_string_append_vprintf(v->baseline ? v->notes : v->problems, fmt, ap);
    va_end(ap);
    g_string_append_c(v->baseline ? v->notes : v->problems, '\n');
}

static void G_GNUC_PRINTF(2, 3)
problem(Verdict *v, const char *fmt, ...)
{
    va_list ap;

    g_string_append(v->problems, "  - ");
    va_start(ap, fmt);
    g_string_append_vprintf(v->problems, fmt, ap);
    va_end(ap);
    g_string_append_c(v->problems, '\n');
}

static void
checkTopology(const PlanView *pv, const GuestReport *r, const char *const *builtins, Verdict *v)
{
    g_autoptr(GPtrArray) planned = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GPtrArray) seen = g_ptr_array_new_with_free_func(g_free);
    guint i;
    guint j;

    for (i = 0; i < pv->def->devices->len; i++) {
        const PpDeviceDef *dev = g_ptr_array_index(pv->def->devices, i);

        if (dev->addr.type == PP_ADDRESS_PCI)
            g_ptr_array_add(planned, planShape(pv, dev));
    }
    for (i = 0; builtins[i]; i++)
        g_ptr_array_add(planned, g_strdup(builtins[i]));
    for (i = 0; i < r->fns->len; i++) {
        const GuestFn *fn = g_ptr_array_index(r->fns, i);

        if (!fn->hot)
            g_ptr_array_add(seen, guestFnShape(r, fn));
    }
    /* exact matches first, so that wildcards take what is left */
    for (gboolean wild = FALSE;; wild = TRUE) {
        for (i = 0; i < planned->len; i++) {
            for (j = 0; j < seen->len; j++) {
                const char *p = g_ptr_array_index(planned, i);
                const char *s = g_ptr_array_index(seen, j);

                if (wild ? shapeMatches(p, s) : g_str_equal(p, s)) {
                    g_ptr_array_remove_index(planned, i--);
                    g_ptr_array_remove_index(seen, j);
                    break;
                }
            }
        }
        if (wild)
            break;
    }
    for (i = 0; i < planned->len; i++)
        problem(v, "planned %s, not in the guest", (char *)g_ptr_array_index(planned, i));
    for (i = 0; i < seen->len; i++)
        problem(v, "guest has %s, not planned", (char *)g_ptr_array_index(seen, i));
}

/* Does a function below @bridge (not itself a bridge) use @res? */
static gboolean
subtreeUses(const GuestReport *r, const GuestFn *bridge, GuestResType res)
{
    g_autofree char *needle = g_strdup_printf("/%s/", bridge->addr);
    guint i;
    guint k;

    for (i = 0; i < r->fns->len; i++) {
        const GuestFn *fn = g_ptr_array_index(r->fns, i);

        if (guestFnIsBridge(fn) || !strstr(fn->path, needle))
            continue;
        for (k = 0; k < 6; k++) {
            guint64 f = fn->flags[k];

            if ((res == RES_IO && (f & 0x100)) ||
                (res == RES_MEM && (f & 0x200) && !(f & 0x2000)) ||
                (res == RES_PREF && (f & 0x2000)))
                return TRUE;
        }
    }
    return FALSE;
}

/* Does @bridge end up with a window for @res (13: I/O, 14: memory, 15:
 * prefetchable; prefetchable BARs may also use the memory window)? */
static gboolean
bridgeHasWindow(const GuestFn *bridge, GuestResType res)
{
    switch (res) {
    case RES_IO:
        return bridge->flags[13] != 0;
    case RES_MEM:
        return bridge->flags[14] != 0;
    case RES_PREF:
        return bridge->flags[15] != 0 || bridge->flags[14] != 0;
    case RES_UNKNOWN:
        break;
    }
    return FALSE;
}

static const char *
resName(GuestResType res)
{
    switch (res) {
    case RES_IO:
        return "I/O";
    case RES_MEM:
        return "memory";
    case RES_PREF:
        return "prefetchable memory";
    case RES_UNKNOWN:
        break;
    }
    return "unknown";
}

/*
 * Device BARs must all be assigned; bridge windows must be where the
 * subtree uses them. Returns the bridges with an I/O window failure
 * (GuestFn, transfer none): what the hot-plug reservation costs.
 */
static GPtrArray *
checkResources(const GuestReport *r, Verdict *v)
{
    GPtrArray *ioFailed = g_ptr_array_new();
    guint i;
    guint k;

    for (i = 0; i < r->complaints->len; i++) {
        const GuestComplaint *c = g_ptr_array_index(r->complaints, i);
        const GuestFn *fn = c->addr ? g_hash_table_lookup(r->byAddr, c->addr) : NULL;

        if (!fn) {
            problem(v, "a complaint about no PCI function the guest listed: %s", c->line);
            continue;
        }
        if (c->rom) {
            g_string_append_printf(v->notes, "option ROM, not a failure: %s\n", c->line);
            continue;
        }
        if (!c->window || !guestFnIsBridge(fn)) {
            barFailure(v, "device BAR failed: %s", c->line);
            continue;
        }
        if (c->claim) {
            /* the firmware's window was dropped; the final state decides */
            g_string_append_printf(v->notes, "bridge window not claimed: %s\n", c->line);
            continue;
        }
        if (subtreeUses(r, fn, c->res)) {
            /* Linux adds room for hot-plug to what the firmware gave; when
             * that does not fit, the firmware's window stays */
            if (bridgeHasWindow(fn, c->res))
                g_string_append_printf(v->notes, "hot-plug room not added to a window: %s\n",
                                       c->line);
            else
                problem(v, "%s window failed on a bridge whose devices use %s: %s",
                        resName(c->res), resName(c->res), c->line);
            continue;
        }
        if (c->res == RES_IO && c->hot) {
            g_string_append_printf(v->notes, "I/O window failed at hot-plug: %s\n", c->line);
        } else if (c->res == RES_IO) {
            if (!g_ptr_array_find(ioFailed, fn, NULL))
                g_ptr_array_add(ioFailed, (gpointer)fn);
        } else {
            g_string_append_printf(v->notes, "window of an empty subtree failed: %s\n", c->line);
        }
    }
    /* the final state: every BAR with a size has an address */
    for (i = 0; i < r->fns->len; i++) {
        const GuestFn *fn = g_ptr_array_index(r->fns, i);

        for (k = 0; k < 6; k++) {
            if (fn->flags[k] && fn->start[k] == 0 && !guestFnIsBridge(fn))
                barFailure(v, "%s (%s) BAR %u has no address", fn->addr, fn->id, k);
        }
        if (guestFnIsBridge(fn) && !fn->flags[13] && subtreeUses(r, fn, RES_IO))
            problem(v, "bridge %s has no I/O window but devices below it use I/O", fn->addr);
    }
    return ioFailed;
}

/* How the PCIe ports fared: the numbers docs/guest-truth.md compares. */
static void
summarizePorts(const GuestReport *r, Verdict *v)
{
    guint ports = 0, noIO = 0, noMem = 0, noPref = 0, nothing = 0;
    guint i;

    for (i = 0; i < r->fns->len; i++) {
        const GuestFn *fn = g_ptr_array_index(r->fns, i);

        if (fn->hot || (!g_str_equal(fn->id, "1b36:000c") && !g_str_equal(fn->id, "104c:8233") &&
                        !g_str_equal(fn->id, "8086:3420")))
            continue;
        ports++;
        noIO += !fn->flags[13];
        noMem += !fn->flags[14];
        noPref += !fn->flags[15];
        nothing += !fn->flags[13] && !fn->flags[14] && !fn->flags[15];
    }
    g_string_append_printf(v->notes,
                           "PCIe ports: %u; without an I/O window: %u, without a memory window: "
                           "%u, without a prefetchable window: %u, with no window at all: %u\n",
                           ports, noIO, noMem, noPref, nothing);
}

static gint
compareStr(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static char *
joinSorted(GPtrArray *strs)
{
    g_autoptr(GString) s = g_string_new(NULL);
    guint i;

    g_ptr_array_sort(strs, compareStr);
    for (i = 0; i < strs->len; i++)
        g_string_append_printf(s, "%s%s", i ? " " : "", (char *)g_ptr_array_index(strs, i));
    return g_string_free(g_steal_pointer(&s), FALSE);
}

/* The I/O windows the guest could not give, against the prediction. */
static void
checkIOPrediction(const PlanView *pv,
                  const GuestReport *r,
                  GPtrArray *ioFailed,
                  const PpQemuGuestIO *pred,
                  Verdict *v)
{
    g_autoptr(GPtrArray) seenLogged = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GPtrArray) seenLeft = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GPtrArray) predLogged = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GPtrArray) predLeft = g_ptr_array_new_with_free_func(g_free);
    g_autofree char *sl = NULL;
    g_autofree char *sa = NULL;
    g_autofree char *pl = NULL;
    g_autofree char *pa = NULL;
    guint i;

    for (i = 0; i < ioFailed->len; i++) {
        const GuestFn *fn = g_ptr_array_index(ioFailed, i);

        g_ptr_array_add(seenLogged, guestFnShape(r, fn));
        if (!fn->flags[13])
            g_ptr_array_add(seenLeft, guestFnShape(r, fn));
    }
    for (i = 0; i < pred->logged->len; i++)
        g_ptr_array_add(predLogged, planShape(pv, g_ptr_array_index(pred->logged, i)));
    for (i = 0; i < pred->unassigned->len; i++)
        g_ptr_array_add(predLeft, planShape(pv, g_ptr_array_index(pred->unassigned, i)));
    sl = joinSorted(seenLogged);
    sa = joinSorted(seenLeft);
    pl = joinSorted(predLogged);
    pa = joinSorted(predLeft);
    g_string_append_printf(v->notes,
                           "I/O windows (%s): %u bridges want one, room for %u; "
                           "guest logged %u failures and left %u without, predicted %u and %u\n",
                           pred->firmware, pred->wanted, pred->budget, seenLogged->len,
                           seenLeft->len, predLogged->len, predLeft->len);
    if (!g_str_equal(sl, pl))
        problem(v, "I/O window failures logged by the guest: [%s], predicted: [%s]", sl, pl);
    if (!g_str_equal(sa, pa))
        problem(v, "bridges the guest left without an I/O window: [%s], predicted: [%s]", sa, pa);
}

/* ------------------------------------------------------------------ */
/* libvirt: boot, wait, hot-plug                                        */

static char *
lastLibvirtError(void)
{
    const char *msg = virGetLastErrorMessage();

    return g_strdup(msg ? msg : "unknown libvirt error");
}

static gboolean
domainActive(const char *name)
{
    g_autoptr(virDomain) dom = virDomainLookupByName(guest.vconn, name);

    return dom && virDomainIsActive(dom) == 1;
}

static char *
fileTail(const char *path, gsize max)
{
    g_autofree char *text = NULL;
    gsize len = 0;

    if (!g_file_get_contents(path, &text, &len, NULL))
        return g_strdup("(no file)");
    return g_strdup(len > max ? text + len - max : text);
}

static guint
countMarkers(const char *text, const char *marker)
{
    guint n = 0;
    const char *p = text;

    while ((p = strstr(p, marker))) {
        n++;
        p += strlen(marker);
    }
    return n;
}

/* Poll the serial log until it holds @marker @count times. */
static gboolean
waitForSerial(const char *name, const char *path, const char *marker, guint count, guint timeout,
              char **ret_text)
{
    gint64 deadline = g_get_monotonic_time() + (gint64)timeout * G_USEC_PER_SEC;

    for (;;) {
        g_autofree char *text = NULL;
        gboolean active = domainActive(name);

        g_file_get_contents(path, &text, NULL, NULL);
        if (text && countMarkers(text, marker) >= count) {
            *ret_text = g_steal_pointer(&text);
            return TRUE;
        }
        if (!active || g_get_monotonic_time() > deadline) {
            *ret_text = g_steal_pointer(&text);
            return FALSE;
        }
        g_usleep(200 * 1000);
    }
}

/* qom-get through libvirt-qemu; the value of "return" as text. */
static char *
qomGet(virDomainPtr dom, const char *path, const char *prop, char **ret_error)
{
    g_autofree char *cmd = g_strdup_printf("{\"execute\":\"qom-get\",\"arguments\":"
                                           "{\"path\":\"%s\",\"property\":\"%s\"}}",
                                           path, prop);
    g_autofree char *reply = NULL;
    const char *p;
    const char *e;

    if (virDomainQemuMonitorCommand(dom, cmd, &reply, 0) < 0) {
        *ret_error = lastLibvirtError();
        return NULL;
    }
    if (!(p = strstr(reply, "\"return\":"))) {
        *ret_error = g_strdup(reply);
        return NULL;
    }
    p += strlen("\"return\":");
    while (*p == ' ')
        p++;
    if (*p == '"') {
        p++;
        e = strchr(p, '"');
    } else {
        e = p + strcspn(p, ",}");
    }
    return e ? g_strndup(p, e - p) : NULL;
}

typedef struct {
    const PpDeviceDef *port;
    char *alias;   /* the port's QEMU id */
    char *devAlias;
} HotplugTarget;

static void
hotplugTargetClear(gpointer p)
{
    HotplugTarget *t = p;

    g_free(t->alias);
    g_free(t->devAlias);
}

/* Empty ports, as planned: hot-pluggable ones and those with hotplug='off'. */
static void
emptyPorts(const PlanView *pv, GArray *hot, GArray *cold)
{
    gboolean used[PP_PCI_MAX_BUSES] = { FALSE };
    guint i;

    for (i = 0; i < pv->def->devices->len; i++) {
        const PpDeviceDef *dev = g_ptr_array_index(pv->def->devices, i);

        if (dev->addr.type == PP_ADDRESS_PCI && dev->addr.pci.bus < PP_PCI_MAX_BUSES)
            used[dev->addr.pci.bus] = TRUE;
    }
    for (i = 0; i < PP_PCI_MAX_BUSES; i++) {
        const PpDeviceDef *c = pv->ctrls[i];
        HotplugTarget t = { 0 };

        if (!c || used[i] || (c->ctrl.pciModel != PP_CONTROLLER_MODEL_PCIE_ROOT_PORT &&
                              c->ctrl.pciModel != PP_CONTROLLER_MODEL_PCIE_SWITCH_DOWNSTREAM_PORT))
            continue;
        t.port = c;
        g_array_append_val(c->ctrl.hotplug == PP_TRISTATE_NO ? cold : hot, t);
    }
}

/* The QEMU ids libvirt gave the PCI controllers, from the live XML. */
static gboolean
liveAliases(virDomainPtr dom, GArray *targets, Verdict *v)
{
    g_autofree char *xml = virDomainGetXMLDesc(dom, 0);
    g_autoptr(PpDomainDef) live = NULL;
    g_autoptr(GError) err = NULL;
    g_autofree PlanView *lv = NULL;
    guint i;

    if (!xml || !(live = ppDomainDefParseString(xml, strlen(xml), &err))) {
        problem(v, "cannot read the live XML: %s", err ? err->message : "libvirt failed");
        return FALSE;
    }
    lv = planViewNew(live);
    for (i = 0; i < targets->len; i++) {
        HotplugTarget *t = &g_array_index(targets, HotplugTarget, i);
        const PpDeviceDef *c = lv->ctrls[t->port->ctrl.index];

        if (!c || !c->alias) {
            problem(v, "the live XML has no alias for controller index %d", t->port->ctrl.index);
            return FALSE;
        }
        t->alias = g_strdup(c->alias);
    }
    return TRUE;
}

static char *
hotplugDeviceXML(const char *alias, guint bus)
{
    return g_strdup_printf("<interface type='user'>\n"
                           "  <model type='virtio'/>\n"
                           "  <alias name='%s'/>\n"
                           "  <address type='pci' domain='0x0000' bus='0x%02x' slot='0x00' "
                           "function='0x0'/>\n"
                           "</interface>\n",
                           alias, bus);
}

/* Attach into every empty hot-pluggable port, check QOM, refuse the cold
 * ones. Returns how many devices went in. */
static guint
hotplugAll(const char *name, GArray *hot, GArray *cold, Verdict *v)
{
    g_autoptr(virDomain) dom = virDomainLookupByName(guest.vconn, name);
    guint attached = 0;
    guint i;

    if (!dom || !liveAliases(dom, hot, v))
        return 0;
    for (i = 0; i < hot->len; i++) {
        HotplugTarget *t = &g_array_index(hot, HotplugTarget, i);
        g_autofree char *xml = NULL;
        g_autofree char *qpath = NULL;
        g_autofree char *parent = NULL;
        g_autofree char *addr = NULL;
        g_autofree char *want = NULL;
        g_autofree char *err = NULL;

        t->devAlias = g_strdup_printf("ua-hotplug%u", i);
        xml = hotplugDeviceXML(t->devAlias, (guint)t->port->ctrl.index);
        if (virDomainAttachDeviceFlags(dom, xml, VIR_DOMAIN_AFFECT_LIVE) < 0) {
            g_autofree char *msg = lastLibvirtError();

            problem(v, "attaching into port index %d (%s) failed: %s", t->port->ctrl.index,
                    t->alias, msg);
            continue;
        }
        attached++;
        qpath = g_strdup_printf("/machine/peripheral/%s", t->devAlias);
        want = g_strdup_printf("/machine/peripheral/%s/%s", t->alias, t->alias);
        parent = qomGet(dom, qpath, "parent_bus", &err);
        addr = parent ? qomGet(dom, qpath, "addr", &err) : NULL;
        if (!parent || !addr)
            problem(v, "QOM of %s: %s", t->devAlias, err);
        else if (!g_str_equal(parent, want) || !g_str_equal(addr, "0"))
            problem(v, "%s landed on %s addr %s, not on %s addr 0", t->devAlias, parent, addr,
                    want);
    }
    for (i = 0; i < cold->len; i++) {
        const HotplugTarget *t = &g_array_index(cold, HotplugTarget, i);
        g_autofree char *xml = hotplugDeviceXML("ua-coldplug", (guint)t->port->ctrl.index);

        if (virDomainAttachDeviceFlags(dom, xml, VIR_DOMAIN_AFFECT_LIVE) == 0) {
            problem(v, "attaching into port index %d with hotplug='off' was accepted",
                    t->port->ctrl.index);
            attached++; /* the guest may list it */
        } else {
            g_autofree char *msg = lastLibvirtError();

            g_string_append_printf(v->notes, "port index %d, hotplug='off': refused: %s\n",
                                   t->port->ctrl.index, msg);
        }
    }
    return attached;
}

/* Every hot-plugged device is in the guest behind its port, with BARs. */
static void
checkHotplugged(const PlanView *pv, const GuestReport *r, GArray *hot, Verdict *v)
{
    g_autoptr(GPtrArray) want = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GPtrArray) seen = g_ptr_array_new_with_free_func(g_free);
    g_autofree char *ws = NULL;
    g_autofree char *ss = NULL;
    guint i;

    for (i = 0; i < hot->len; i++) {
        const HotplugTarget *t = &g_array_index(hot, HotplugTarget, i);

        g_ptr_array_add(want, planPortChildShape(pv, t->port, "1af4:1041"));
    }
    for (i = 0; i < r->fns->len; i++) {
        const GuestFn *fn = g_ptr_array_index(r->fns, i);

        if (fn->hot)
            g_ptr_array_add(seen, guestFnShape(r, fn));
    }
    ws = joinSorted(want);
    ss = joinSorted(seen);
    if (!g_str_equal(ws, ss))
        problem(v, "hot-plugged devices in the guest: [%s], attached: [%s]", ss, ws);
}

/* ------------------------------------------------------------------ */
/* One scenario                                                         */

typedef struct {
    const GuestScenario *sc;
    char *serial;
    char *xml;         /* what is defined */
    PpDomainDef *def;  /* what the guest should see (owned) */
    PpPlan *plan;      /* NULL when libvirt addressed it */
} ScenarioRun;

static void
scenarioRunClear(ScenarioRun *run)
{
    g_free(run->serial);
    g_free(run->xml);
    ppDomainDefFree(run->def);
    ppPlanFree(run->plan);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(ScenarioRun, scenarioRunClear);

static const char *
imageEnv(GuestArch arch, gboolean kernel)
{
    const char *var = arch == GUEST_X86_64 ? (kernel ? "PP_GUEST_X86_64_KERNEL"
                                                     : "PP_GUEST_X86_64_INITRD")
                                           : (kernel ? "PP_GUEST_AARCH64_KERNEL"
                                                     : "PP_GUEST_AARCH64_INITRD");
    const char *val = g_getenv(var);

    return val && g_file_test(val, G_FILE_TEST_IS_REGULAR) ? val : NULL;
}

/* Fill in the template's @KERNEL@, @INITRD@, @CMDLINE@, @SERIAL@ and
 * @WORKDIR@, and create the disk images it names (@WORKDIR@/x.img). */
static char *
scenarioXML(const GuestScenario *sc, const char *serial, GError **error)
{
    g_autofree char *path = g_strdup_printf("guest/%s.xml", sc->name);
    g_autofree char *file = ppTestSrcPath(path);
    g_autofree char *text = NULL;
    g_autofree char *cmdline = NULL;
    g_autoptr(GRegex) img = g_regex_new("@WORKDIR@/([A-Za-z0-9_.-]+\\.img)", 0, 0, NULL);
    g_autoptr(GMatchInfo) m = NULL;
    const char *kernel = imageEnv(sc->arch, TRUE);
    const char *initrd = imageEnv(sc->arch, FALSE);
    struct {
        const char *key;
        const char *val;
    } subst[5];
    guint i;

    if (!kernel || !initrd) {
        g_set_error(error, PP_ERROR, PP_ERROR_IO,
                    "no guest kernel or initrd for this architecture: run tests/guest/build-guest.sh "
                    "and set PP_GUEST_*_KERNEL/INITRD (tests/guest/guest-test.sh does)");
        return NULL;
    }
    if (!g_file_get_contents(file, &text, NULL, error))
        return NULL;
    for (g_regex_match(img, text, 0, &m); g_match_info_matches(m); g_match_info_next(m, NULL)) {
        g_autofree char *name = g_match_info_fetch(m, 1);
        g_autofree char *disk = g_build_filename(guest.work, name, NULL);
        FILE *f = fopen(disk, "w");

        if (!f || ftruncate(fileno(f), 16 * 1024 * 1024) < 0) {
            if (f)
                fclose(f);
            g_set_error(error, PP_ERROR, PP_ERROR_IO, "cannot create %s", disk);
            return NULL;
        }
        fclose(f);
    }
    cmdline = g_strdup_printf("console=%s quiet panic=-1%s",
                              sc->arch == GUEST_X86_64 ? "ttyS0" : "ttyAMA0",
                              sc->hotplug ? " pphold=240" : "");
    subst[0].key = "@KERNEL@", subst[0].val = kernel;
    subst[1].key = "@INITRD@", subst[1].val = initrd;
    subst[2].key = "@CMDLINE@", subst[2].val = cmdline;
    subst[3].key = "@SERIAL@", subst[3].val = serial;
    subst[4].key = "@WORKDIR@", subst[4].val = guest.work;
    for (i = 0; i < G_N_ELEMENTS(subst); i++) {
        g_auto(GStrv) parts = g_strsplit(text, subst[i].key, -1);

        g_free(text);
        text = g_strjoinv(subst[i].val, parts);
    }
    return g_steal_pointer(&text);
}

/* Plan (or not) and define; fills @run. */
static gboolean
scenarioPrepare(ScenarioRun *run, Verdict *v)
{
    const GuestScenario *sc = run->sc;
    g_autoptr(GError) err = NULL;
    g_autofree char *text = NULL;
    g_autofree char *dumped = NULL;
    PpPlanOptions opts = PP_PLAN_OPTIONS_INIT;
    gsize len;

    run->serial = g_strdup_printf("%s/%s.serial", guest.work, sc->name);
    if (!(text = scenarioXML(sc, run->serial, &err)) ||
        !(run->def = ppDomainDefParseString(text, strlen(text), &err))) {
        problem(v, "%s", err->message);
        return FALSE;
    }
    if (sc->planned) {
        opts.sparePorts = sc->sparePorts;
        if (!ppQemuDomainPlan(run->def, &opts, &run->plan, &err) ||
            !(run->xml = ppDomainDefFormat(run->def, &len, &err))) {
            problem(v, "planning failed: %s", err->message);
            return FALSE;
        }
    } else {
        run->xml = g_steal_pointer(&text);
    }
    if (!ppLibvirtDefine(guest.conn, run->xml, &dumped, &err)) {
        problem(v, "define failed: %s", err->message);
        return FALSE;
    }
    if (sc->planned) {
        if (!ppDomainXMLCompare(run->xml, dumped, &err))
            problem(v, "libvirt changed the plan: %s", err->message);
    } else {
        /* libvirt's addresses are what the guest should see */
        ppDomainDefFree(run->def);
        if (!(run->def = ppDomainDefParseString(dumped, strlen(dumped), &err))) {
            problem(v, "cannot parse libvirt's XML: %s", err->message);
            return FALSE;
        }
    }
    return TRUE;
}

static const char *const *
scenarioBuiltins(const ScenarioRun *run)
{
    const PpQemuMachine *m = ppQemuMachineFromDef(run->def, NULL);

    if (!m || m->kind == PP_QEMU_MACHINE_ARM_VIRT)
        return builtinsVirt;
    return m->kind == PP_QEMU_MACHINE_I440FX ? builtinsPc : builtinsQ35;
}

/* Boot; hot-plug while it waits; destroy. Returns the serial log. */
static char *
scenarioBoot(ScenarioRun *run, const PlanView *pv, GArray *hot, GArray *cold, Verdict *v)
{
    const char *name = run->sc->name;
    g_autoptr(GError) err = NULL;
    g_autofree char *text = NULL;
    gint64 t0 = g_get_monotonic_time();
    gboolean ok;

    g_unlink(run->serial);
    if (!ppLibvirtStart(guest.conn, name, &err)) {
        problem(v, "start failed: %s", err->message);
        return NULL;
    }
    ok = waitForSerial(name, run->serial, "PPGUEST-END", 1, guest.timeout, &text);
    g_string_append_printf(v->notes, "boot to PPGUEST-END: %.1f s\n",
                           (g_get_monotonic_time() - t0) / 1e6);
    if (ok && run->sc->hotplug) {
        guint n = hotplugAll(name, hot, cold, v);
        gint64 t1 = g_get_monotonic_time();

        g_clear_pointer(&text, g_free);
        if (!waitForSerial(name, run->serial, "PPGUEST-HOT ", n, 180, &text))
            problem(v, "the guest saw %u of %u hot-plugged devices",
                    text ? countMarkers(text, "PPGUEST-HOT ") : 0, n);
        g_string_append_printf(v->notes, "%u hot-plugged devices seen in %.1f s\n", n,
                               (g_get_monotonic_time() - t1) / 1e6);
    }
    if (!ok) {
        g_autofree char *log = g_strdup_printf("%s/embed/log/qemu/%s.log", guest.work, name);
        g_autofree char *qtail = fileTail(log, 1500);
        g_autofree char *stail = text ? g_strdup(text + (strlen(text) > 1500 ? strlen(text) - 1500 : 0))
                                      : g_strdup("(empty)");

        problem(v, "no PPGUEST-END within %u s; serial log ends:\n%s\nQEMU log ends:\n%s",
                guest.timeout, stail, qtail);
    }
    /* the guest may power off between the check and the destroy */
    if (domainActive(name) && !ppLibvirtDestroy(guest.conn, name, &err) && domainActive(name))
        problem(v, "destroy failed: %s", err->message);
    g_clear_error(&err);
    return ok ? g_steal_pointer(&text) : NULL;
}

/* What the guest's log says of the planned topology: its own function,
 * not inlined, so that the report and the prediction do not share one
 * frame with the scenario (-Wframe-larger-than under ASan). */
static G_GNUC_NO_INLINE void
scenarioJudge(const ScenarioRun *run, const PlanView *pv, const char *text,
              GArray *hot, Verdict *v)
{
    const GuestScenario *sc = run->sc;
    g_auto(GuestReport) r = { 0 };
    g_auto(PpQemuGuestIO) pred = { 0 };
    g_autoptr(GPtrArray) ioFailed = NULL;

    guestParseLog(text, &r);
    checkTopology(pv, &r, scenarioBuiltins(run), v);
    ioFailed = checkResources(&r, v);
    summarizePorts(&r, v);
    if (sc->baseline && !v->barFailures)
        problem(v, "the baseline's device BAR failures (docs/guest-truth.md) are gone: "
                   "update the document and the scenario");
    ppQemuPredictIOWindowFailures(run->def, run->plan, &pred);
    checkIOPrediction(pv, &r, ioFailed, &pred, v);
    if (sc->hotplug)
        checkHotplugged(pv, &r, hot, v);
}

static void
testScenario(gconstpointer data)
{
    const GuestScenario *sc = data;
    g_auto(ScenarioRun) run = { .sc = sc };
    g_autoptr(GString) problems = g_string_new(NULL);
    g_autoptr(GString) notes = g_string_new(NULL);
    g_autoptr(GArray) hot = g_array_new(FALSE, TRUE, sizeof(HotplugTarget));
    g_autoptr(GArray) cold = g_array_new(FALSE, TRUE, sizeof(HotplugTarget));
    g_autoptr(GError) err = NULL;
    g_autofree char *text = NULL;
    Verdict v = { problems, notes, sc->baseline, 0 };
    g_autofree PlanView *pv = NULL;

    g_array_set_clear_func(hot, hotplugTargetClear);
    g_array_set_clear_func(cold, hotplugTargetClear);
    if (!guest.conn) {
        g_test_fail_printf("no libvirt connection: %s",
                           guest.openError ? guest.openError->message : "?");
        return;
    }
    g_test_message("%s: %s", sc->name, sc->why);
    if (scenarioPrepare(&run, &v)) {
        pv = planViewNew(run.def);
        if (sc->hotplug)
            emptyPorts(pv, hot, cold);
        text = scenarioBoot(&run, pv, hot, cold, &v);
        if (!ppLibvirtUndefine(guest.conn, sc->name, &err))
            problem(&v, "undefine failed: %s", err->message);
    }
    if (text)
        scenarioJudge(&run, pv, text, hot, &v);
    if (notes->len)
        g_test_message("%s", notes->str);
    if (problems->len) {
        guest.failed = TRUE;
        g_test_fail_printf("%s (serial log %s):\n%s", sc->name, run.serial ? run.serial : "-",
                           problems->str);
    }
}

/* ------------------------------------------------------------------ */

/* What the scenarios need on the host: fail, never skip, without it. */
static void
testHost(void)
{
    static const char *const files[] = { "/usr/bin/qemu-system-x86_64", "/usr/bin/qemu-system-aarch64",
                                         "/usr/share/OVMF/OVMF_CODE.fd", "/usr/share/OVMF/OVMF_VARS.fd",
                                         "/usr/share/AAVMF/AAVMF_CODE.fd",
                                         "/usr/share/AAVMF/AAVMF_VARS.fd", NULL };
    guint i;

    for (i = 0; files[i]; i++) {
        if (!g_file_test(files[i], G_FILE_TEST_EXISTS))
            g_test_fail_printf("%s is missing (packages qemu-system-x86, qemu-system-arm, ovmf, "
                               "qemu-efi-aarch64)", files[i]);
    }
    for (i = 0; i < 2; i++) {
        if (!imageEnv(i ? GUEST_AARCH64 : GUEST_X86_64, TRUE) ||
            !imageEnv(i ? GUEST_AARCH64 : GUEST_X86_64, FALSE))
            g_test_fail_printf("no %s guest image: run through tests/guest/guest-test.sh",
                               i ? "aarch64" : "x86_64");
    }
    if (guest.openError)
        g_test_fail_printf("%s", guest.openError->message);
}

static void
guestOpen(void)
{
    const char *timeout = g_getenv("PP_GUEST_TIMEOUT");
    g_autofree char *root = NULL;

    guest.timeout = timeout ? (guint)atoi(timeout) : 300;
    /* Not under the build directory, which may be deep (an unpacked dist
     * tarball): each guest's QMP socket lies below the root, and a UNIX
     * socket path has at most 107 bytes. */
    guest.work = g_build_filename(g_get_tmp_dir(), "ppguest-XXXXXX", NULL);
    g_assert_nonnull(g_mkdtemp(guest.work));
    root = g_build_filename(guest.work, "embed", NULL);
    guest.uri = g_strdup_printf("qemu:///embed?root=%s", root);
    if (!(guest.conn = ppLibvirtOpen(guest.uri, &guest.openError)))
        return;
    if (!(guest.vconn = virConnectOpen(guest.uri))) {
        g_autofree char *msg = lastLibvirtError();

        g_set_error(&guest.openError, PP_ERROR, PP_ERROR_LIBVIRT, "cannot open %s: %s",
                    guest.uri, msg);
        g_clear_pointer(&guest.conn, ppLibvirtClose);
    }
}

int
main(int argc, char **argv)
{
    int ret;
    size_t i;

    ppTestInit(&argc, &argv);
    guestOpen();
    g_test_add_func("/guest/host", testHost);
    for (i = 0; i < G_N_ELEMENTS(scenarios); i++) {
        g_autofree char *path = g_strdup_printf("/guest/%s", scenarios[i].name);

        g_test_add_data_func(path, &scenarios[i], testScenario);
    }
    ret = g_test_run();

    if (guest.vconn)
        virConnectClose(guest.vconn);
    ppLibvirtClose(guest.conn);
    ppLibvirtShutdown();
    if (ret == 0 && !guest.failed && !g_getenv("PP_GUEST_KEEP")) {
        g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", guest.work);

        if (system(cmd) != 0)
            g_printerr("cannot remove %s\n", guest.work);
    } else {
        g_printerr("guest work directory kept: %s\n", guest.work);
    }
    g_clear_error(&guest.openError);
    g_free(guest.work);
    g_free(guest.uri);
    return ret;
}
