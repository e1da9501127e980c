/*
 * capacitytest.c: the planner at the edges of what a domain can hold,
 * checked against libvirt's real QEMU driver, and its speed
 *
 * The domains are built here, not kept as files: what matters is how many
 * controllers of each model a plan adds and where the errors start.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "testutils.h"
#include "domain_conf.h"
#include "domain_format.h"
#include "pperror.h"
#include "pp_libvirt.h"
#include "qemu_domain_address.h"

#include <string.h>

static PpLibvirtConn *conn;

/* libvirt's disk names: vda .. vdz, vdaa .. */
static char *
diskName(guint i)
{
    char buf[8];
    int n = 0;
    int j;

    do {
        buf[n++] = 'a' + i % 26;
        i = i / 26;
    } while (i-- > 0);
    for (j = 0; j < n / 2; j++) {
        char c = buf[j];

        buf[j] = buf[n - 1 - j];
        buf[n - 1 - j] = c;
    }
    buf[n] = '\0';
    return g_strdup_printf("vd%s", buf);
}

/* @hotplug virtio disks, then @cold ones with hotpluggable='no'; no USB
 * controller and no balloon, so the devices are all there is. */
static char *
buildDomain(const char *machine, guint hotplug, guint cold, const char *model)
{
    g_autoptr(GString) xml = g_string_new(NULL);
    guint i;

    g_string_append_printf(xml,
                           "<domain type='qemu'>\n  <name>capacity</name>\n"
                           "  <memory unit='KiB'>262144</memory>\n"
                           "  <os>\n    <type arch='x86_64' machine='%s'>hvm</type>\n  </os>\n"
                           "  <features>\n    <acpi/>\n  </features>\n"
                           "  <devices>\n"
                           "    <controller type='usb' model='none'/>\n", machine);
    for (i = 0; i < hotplug + cold; i++) {
        g_autofree char *dev = diskName(i);

        if (g_str_has_prefix(model, "disk"))
            g_string_append_printf(xml,
                                   "    <disk type='file' device='disk'>\n"
                                   "      <source file='/var/lib/libvirt/images/d%u.img'/>\n"
                                   "      <target dev='%s' bus='virtio'%s/>\n    </disk>\n",
                                   i, dev,
                                   i >= hotplug ? " hotpluggable='no'"
                                   : g_str_equal(model, "disk-hotpluggable") ? " hotpluggable='yes'"
                                                                             : "");
        else
            g_string_append_printf(xml,
                                   "    <interface type='user'>\n      <model type='%s'/>%s\n"
                                   "    </interface>\n",
                                   model, i >= hotplug ? "\n      <target hotpluggable='no'/>" : "");
    }
    g_string_append(xml, "    <memballoon model='none'/>\n  </devices>\n</domain>\n");
    return g_string_free(g_steal_pointer(&xml), FALSE);
}

typedef struct {
    guint counts[PP_CONTROLLER_MODEL_LAST];
    guint degraded; /* devices placed on a bridge for want of a port */
    char *xml;
} PlanResult;

static void
planResultClear(PlanResult *res)
{
    g_free(res->xml);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(PlanResult, planResultClear);

static gboolean
plan(const char *xml, PlanResult *res, GError **error)
{
    g_autoptr(PpDomainDef) def = ppDomainDefParseString(xml, strlen(xml), error);
    PpPlanOptions opts = PP_PLAN_OPTIONS_INIT;
    gsize len;
    guint i;

    g_autoptr(PpPlan) pl = NULL;

    if (!def || !ppQemuDomainPlan(def, &opts, &pl, error))
        return FALSE;
    res->degraded = pl->degraded->len;
    for (i = 0; i < def->devices->len; i++) {
        const PpDeviceDef *dev = g_ptr_array_index(def->devices, i);

        if (dev->kind == PP_DEVICE_CONTROLLER && dev->type && g_str_equal(dev->type, "pci"))
            res->counts[dev->ctrl.pciModel]++;
    }
    res->xml = ppDomainDefFormat(def, &len, error);
    return res->xml != NULL;
}

/* libvirt defines the plan and changes nothing. */
static void
assertLibvirtAgrees(const char *xml)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *dumped = NULL;

    g_assert_nonnull(conn);
    ppLibvirtDefine(conn, xml, &dumped, &err);
    g_assert_no_error(err);
    ppLibvirtUndefine(conn, "capacity", &err);
    g_assert_no_error(err);
    ppDomainXMLCompare(xml, dumped, &err);
    g_assert_no_error(err);
}

/*
 * q35 has root-bus slots 1-0x1e: 240 root ports. Each PCIe device plus the
 * one spare port needs a port; the last root-port function hosts a switch
 * as soon as it is needed, also for one port (a domain grows one device at
 * a time). 256 bus numbers: root bus, 239 root ports, the switch's root
 * port and upstream port leave 14 downstream ports: 252 devices and the
 * spare.
 */
static const struct {
    guint devices;
    guint rootPorts;
    guint downstream;
} q35Edges[] = {
    { 238, 239, 0 },
    { 239, 240, 1 },
    { 240, 240, 2 },
    { 241, 240, 3 },
    { 252, 240, 14 },
};

static void
testQ35Edges(void)
{
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(q35Edges); i++) {
        g_autofree char *xml = buildDomain("q35", q35Edges[i].devices, 0, "disk");
        g_autoptr(GError) err = NULL;
        g_auto(PlanResult) res = { 0 };

        plan(xml, &res, &err);
        g_assert_no_error(err);
        g_assert_cmpuint(res.counts[PP_CONTROLLER_MODEL_PCIE_ROOT_PORT], ==, q35Edges[i].rootPorts);
        g_assert_cmpuint(res.counts[PP_CONTROLLER_MODEL_PCIE_SWITCH_UPSTREAM_PORT], ==,
                         q35Edges[i].downstream ? 1 : 0);
        g_assert_cmpuint(res.counts[PP_CONTROLLER_MODEL_PCIE_SWITCH_DOWNSTREAM_PORT], ==,
                         q35Edges[i].downstream);
        assertLibvirtAgrees(res.xml);
    }
}

/*
 * Past 252 devices the bus numbers run out for PCIe ports. Devices without
 * hints prefer a port but do not need one: the last of them go to
 * hot-pluggable slots of a pcie-to-pci-bridge and pci-bridges behind it,
 * and libvirt defines that unchanged. Explicit hotpluggable='yes' is a
 * promise of a PCIe port here, so those are refused, with the way out.
 */
static void
testQ35TooMany(void)
{
    const guint counts[] = { 253, 255, 256, 300 };
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(counts); i++) {
        g_autofree char *soft = buildDomain("q35", counts[i], 0, "disk");
        g_autofree char *strict = buildDomain("q35", counts[i], 0, "disk-hotpluggable");
        g_autoptr(GError) err = NULL;
        g_auto(PlanResult) res = { 0 };
        g_auto(PlanResult) res2 = { 0 };

        plan(soft, &res, &err);
        g_assert_no_error(err);
        g_assert_cmpuint(res.counts[PP_CONTROLLER_MODEL_PCIE_TO_PCI_BRIDGE], ==, 1);
        g_assert_cmpuint(res.degraded, >, 0);
        /* every device has a place: a port, or a bridge slot */
        g_assert_cmpuint(res.counts[PP_CONTROLLER_MODEL_PCIE_ROOT_PORT] - 2 +
                         res.counts[PP_CONTROLLER_MODEL_PCIE_SWITCH_DOWNSTREAM_PORT] +
                         res.degraded, >=, counts[i]);
        assertLibvirtAgrees(res.xml);

        g_assert_false(plan(strict, &res2, &err));
        g_assert_error(err, PP_ERROR, PP_ERROR_EXHAUSTED);
        g_assert_nonnull(strstr(err->message, "all 256 PCI bus numbers"));
        g_assert_nonnull(strstr(err->message, "hotpluggable='no'"));
    }
}

/* 300 devices fit once those that need no hot-plug say so: they share
 * ports 8 to a slot when the root bus has no room for them. */
static void
testQ35ThreeHundred(void)
{
    g_autofree char *xml = buildDomain("q35", 200, 100, "disk");
    g_autoptr(GError) err = NULL;
    g_auto(PlanResult) res = { 0 };

    plan(xml, &res, &err);
    g_assert_no_error(err);
    /* 200 devices + 1 spare + ceil(100 / 8) shared ports */
    g_assert_cmpuint(res.counts[PP_CONTROLLER_MODEL_PCIE_ROOT_PORT], ==, 214);
    assertLibvirtAgrees(res.xml);
}

/*
 * pc: conventional PCI devices fill pci-root (slots 3-31: 1 is PIIX3, 2
 * the video's), then a chain of pci-bridges, 30 devices each, each
 * bridge in the last slot of the one before. Every pci-bridge costs a
 * 4 KiB I/O window and SeaBIOS on pc fits 8 (measured by booting guests,
 * docs/guest-truth.md): 28 + 7 x 30 + 31 = 269 e1000s, and the 270th is
 * refused.
 */
static void
testPcBridgeFanOut(void)
{
    g_autofree char *fits = buildDomain("pc", 269, 0, "e1000");
    g_autofree char *over = buildDomain("pc", 270, 0, "e1000");
    g_autoptr(GError) err = NULL;
    g_auto(PlanResult) res = { 0 };
    g_auto(PlanResult) res2 = { 0 };

    plan(fits, &res, &err);
    g_assert_no_error(err);
    g_assert_cmpuint(res.counts[PP_CONTROLLER_MODEL_PCI_BRIDGE], ==, 8);
    assertLibvirtAgrees(res.xml);

    g_assert_false(plan(over, &res2, &err));
    g_assert_error(err, PP_ERROR, PP_ERROR_EXHAUSTED);
    g_assert_nonnull(strstr(err->message, "SeaBIOS fits 8"));
}

/* Nearly two thousand devices: past 240 root ports the plan takes a
 * switch, and libvirt keeps it. How fast is the benchmark's business
 * (bench/, as ratios in one run); here the time is only printed. */
static void
testSpeed(void)
{
    g_autofree char *xml = buildDomain("q35", 10, 1890, "disk");
    g_autoptr(GError) err = NULL;
    g_auto(PlanResult) res = { 0 };
    gint64 start = g_get_monotonic_time();
    gint64 usec;

    plan(xml, &res, &err);
    usec = g_get_monotonic_time() - start;
    g_assert_no_error(err);
    g_test_message("1900 devices planned and written in %" G_GINT64_FORMAT " us", usec);
    /* 10 + 1 spare + 1890 / 8 shared ports: past 240 root ports, a switch */
    g_assert_cmpuint(res.counts[PP_CONTROLLER_MODEL_PCIE_ROOT_PORT] +
                     res.counts[PP_CONTROLLER_MODEL_PCIE_SWITCH_DOWNSTREAM_PORT], ==, 10 + 1 + 237 + 1);
    assertLibvirtAgrees(res.xml);
}

int
main(int argc, char **argv)
{
    g_autofree char *root = NULL;
    g_autofree char *uri = NULL;
    g_autoptr(GError) err = NULL;
    int ret;

    ppTestInit(&argc, &argv);
    root = ppTestBuildPath("capacity-embed-XXXXXX");
    g_assert_nonnull(g_mkdtemp(root));
    uri = g_strdup_printf("qemu:///embed?root=%s", root);
    /* Without libvirt every case fails at assertLibvirtAgrees: never skipped. */
    conn = ppLibvirtOpen(uri, &err);
    if (!conn)
        g_printerr("cannot open %s: %s\n", uri, err->message);

    g_test_add_func("/capacity/q35-edges", testQ35Edges);
    g_test_add_func("/capacity/q35-too-many", testQ35TooMany);
    g_test_add_func("/capacity/q35-three-hundred", testQ35ThreeHundred);
    g_test_add_func("/capacity/pc-bridge-fan-out", testPcBridgeFanOut);
    g_test_add_func("/capacity/speed", testSpeed);
    ret = g_test_run();
    ppLibvirtClose(conn);
    ppLibvirtShutdown();
    return ret;
}
