/*
 * libvirtdefinetest.c: define and attach through libvirt's embedded QEMU
 * driver, checked against libvirt's XML and QEMU's QOM
 *
 * Two embed roots, because a root serves one process for that process's
 * whole life: this process opens one (under the temporary directory) for the
 * API-level cases and the QOM checks, and the virt-pciplan binary
 * ($PP_TEST_TOOL) runs one process after another on its default root,
 * under a scratch XDG_STATE_HOME, so that exit statuses and the
 * fresh-state-directory set-up are tested as a user meets them. Each
 * fresh root first probes the QEMU binaries (a few seconds).
 *
 * Missing libvirt, QEMU or the libvirt-qemu user is a failure, not a
 * skip: CI prepares the machine with .ci/setup-libvirt.sh. The roots are
 * removed when every case passed and kept for their logs otherwise.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "pp_libvirt_qemu.h"
#include "domain_conf.h"
#include "domain_format.h"
#include "pperror.h"
#include "qemu_domain_address.h"
#include "testgrowth.h"
#include "testutils.h"
#include "testtool.h"

#include <errno.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>

typedef struct {
    char *root;     /* this process's embed root */
    PpLibvirtConn *conn;
    GError *openError;
    char *cliState; /* XDG_STATE_HOME of the tool's runs */
    char *cliRoot;  /* the tool's default embed root below it */
} PpDefineState;

/* The harness state every test case shares, set up in main(). */
static PpDefineState state;

static void
testOpen(void)
{
    if (state.openError)
        g_test_fail_printf("%s", state.openError->message);
}

static gboolean
testHaveConnection(void)
{
    if (state.conn)
        return TRUE;
    g_test_fail_printf("no libvirt connection: see /libvirtdefine/open");
    return FALSE;
}

/* A diskless q35 guest under TCG: @nics virtio NICs on user networking
 * and a virtio-rng that asks for no hot-plug (a hint libvirt drops). */
static char *
testGuestXML(const char *name, guint nics)
{
    g_autoptr(GString) xml = g_string_new(NULL);
    guint i;

    g_string_append_printf(xml, "<domain type='qemu'>\n"
                                "  <name>%s</name>\n"
                                "  <memory unit='MiB'>128</memory>\n"
                                "  <os>\n"
                                "    <type arch='x86_64' machine='q35'>hvm</type>\n"
                                "  </os>\n"
                                /* q35 hot-plugs through ACPI */
                                "  <features>\n"
                                "    <acpi/>\n"
                                "  </features>\n"
                                "  <devices>\n"
                                "    <emulator>/usr/bin/qemu-system-x86_64</emulator>\n",
                           name);
    for (i = 0; i < nics; i++)
        g_string_append(xml, "    <interface type='user'>\n"
                             "      <model type='virtio'/>\n"
                             "    </interface>\n");
    g_string_append(xml, "    <rng model='virtio'>\n"
                         "      <backend model='random'>/dev/urandom</backend>\n"
                         "      <target hotpluggable='no'/>\n"
                         "    </rng>\n"
                         "  </devices>\n"
                         "</domain>\n");
    return g_string_free(g_steal_pointer(&xml), FALSE);
}

/* A NIC to attach, with a user alias so QOM can be asked about it. */
static char *
testNicXML(const char *alias)
{
    return g_strdup_printf("<interface type='user'>\n"
                           "  <model type='virtio'/>\n"
                           "  <alias name='%s'/>\n"
                           "</interface>\n",
                           alias);
}

static char *
testPlanned(const char *xml, int spares)
{
    g_autoptr(PpDomainDef) def = NULL;
    g_autoptr(GError) err = NULL;
    PpPlanOptions opts = PP_PLAN_OPTIONS_INIT;
    char *out;
    gsize len = 0;

    opts.sparePorts = spares;
    def = ppDomainDefParseString(xml, strlen(xml), &err);
    g_assert_no_error(err);
    ppQemuDomainPlan(def, &opts, NULL, &err);
    g_assert_no_error(err);
    out = ppDomainDefFormat(def, &len, &err);
    g_assert_no_error(err);
    return out;
}

/* The planner as virt-pciplan attach sets it up, without the domain
 * capabilities (which /libvirtdefine/domcaps covers). */
static gboolean
testPlanForAttach(PpDomainDef *def, gboolean live, gpointer opaque, GError **error)
{
    PpPlanOptions opts = PP_PLAN_OPTIONS_INIT;

    opts.sparePorts = 0;
    opts.allowGrowth = !live;
    return ppQemuDomainPlan(def, &opts, NULL, error);
}

static char *
testGetXML(const char *name, PpLibvirtXMLKind kind)
{
    g_autoptr(GError) err = NULL;
    char *xml = ppLibvirtGetDomainXML(state.conn, name, kind, &err);

    g_assert_no_error(err);
    return xml;
}

static void
testDefine(const char *xml)
{
    g_autoptr(GError) err = NULL;

    ppLibvirtDefinePlanned(state.conn, xml, NULL, &err);
    g_assert_no_error(err);
}

static void
testUndefine(const char *name)
{
    g_autoptr(GError) err = NULL;

    ppLibvirtUndefine(state.conn, name, &err);
    g_assert_no_error(err);
}

static gboolean
testExists(const char *name)
{
    g_autoptr(GError) err = NULL;
    PpLibvirtDomainState st;

    ppLibvirtGetDomainState(state.conn, name, &st, &err);
    g_assert_no_error(err);
    return st.exists;
}

/* The device of @def whose alias is @alias. */
static const PpDeviceDef *
testFindAlias(const PpDomainDef *def, const char *alias)
{
    guint i;

    for (i = 0; i < def->devices->len; i++) {
        const PpDeviceDef *dev = g_ptr_array_index(def->devices, i);

        if (g_strcmp0(dev->alias, alias) == 0)
            return dev;
    }
    g_error("no device with alias '%s'", alias);
}

/* ------------------------------------------------------------------ */
/* Capabilities, define and redefine                                   */

static void
testDomainCaps(void)
{
    g_autofree char *xml = testGuestXML("pp-caps", 1);
    g_autoptr(PpDomainDef) def = NULL;
    g_autoptr(PpLibvirtDomainCaps) caps = NULL;
    g_autoptr(GError) err = NULL;

    if (!testHaveConnection())
        return;
    def = ppDomainDefParseString(xml, strlen(xml), &err);
    g_assert_no_error(err);
    caps = ppLibvirtGetDomainCapabilitiesForDef(state.conn, def, &err);
    g_assert_no_error(err);
    g_assert_cmpstr(caps->emulator, ==, "/usr/bin/qemu-system-x86_64");
    g_assert_true(g_str_has_prefix(caps->machine, "pc-q35-"));
    /* libvirt 9.0 does not say (ABSENT); QEMU 7.2 has the bridge, so a
     * libvirt that says must say YES. */
    g_assert_cmpint(ppLibvirtDomainCapsHasPCIController(caps, PP_CONTROLLER_MODEL_PCIE_TO_PCI_BRIDGE),
                    !=, PP_TRISTATE_NO);
}

/*
 * define, dump, plan the dump: nothing changes, byte for byte; define
 * that again: libvirt's XML is the same. The rng's hints, which libvirt
 * drops from <target>, come back from <metadata>.
 */
static void
testRedefineCycle(void)
{
    g_autofree char *xml = testGuestXML("pp-cycle", 2);
    g_autofree char *planned = testPlanned(xml, -1);
    g_autofree char *first = NULL;
    g_autofree char *replanned = NULL;
    g_autofree char *second = NULL;
    g_autoptr(PpDomainDef) def = NULL;
    g_autoptr(GError) err = NULL;
    const PpDeviceDef *rng = NULL;
    guint i;

    if (!testHaveConnection())
        return;
    testDefine(planned);
    first = testGetXML("pp-cycle", PP_LIBVIRT_XML_INACTIVE);
    replanned = testPlanned(first, -1);
    g_assert_cmpstr(replanned, ==, first);
    testDefine(replanned);
    second = testGetXML("pp-cycle", PP_LIBVIRT_XML_INACTIVE);
    g_assert_cmpstr(second, ==, first);

    def = ppDomainDefParseString(second, strlen(second), &err);
    g_assert_no_error(err);
    for (i = 0; i < def->devices->len; i++) {
        const PpDeviceDef *dev = g_ptr_array_index(def->devices, i);

        if (dev->kind == PP_DEVICE_RNG)
            rng = dev;
    }
    g_assert_nonnull(rng);
    g_assert_true(rng->hintsFromMetadata);
    g_assert_cmpint(rng->hints.hotpluggable, ==, PP_TRISTATE_NO);
    testUndefine("pp-cycle");
}

/* @xml with the <uuid> of libvirt's @dumped after its <name>. */
static char *
testWithUUID(const char *xml, const char *dumped)
{
    const char *start = strstr(dumped, "<uuid>");
    const char *end = start ? strstr(start, "</uuid>") : NULL;
    const char *name = strstr(xml, "</name>");
    g_autofree char *uuid = NULL;

    g_assert_nonnull(end);
    g_assert_nonnull(name);
    uuid = g_strndup(start, end + strlen("</uuid>") - start);
    return g_strdup_printf("%.*s</name>\n  %s%s", (int)(name - xml), xml, uuid,
                           name + strlen("</name>"));
}

/*
 * An unplanned domain is one libvirt completes, which the check calls a
 * planner bug (PP_ERROR_INTERNAL); the define is undone: a new domain is
 * undefined, an existing one gets its previous definition back.
 */
static void
testDefineRollback(void)
{
    g_autofree char *xml = testGuestXML("pp-rollback", 1);
    g_autofree char *planned = testPlanned(xml, -1);
    g_autofree char *before = NULL;
    g_autofree char *unplanned = NULL;
    g_autofree char *after = NULL;
    g_autoptr(GError) err = NULL;

    if (!testHaveConnection())
        return;
    g_assert_false(ppLibvirtDefinePlanned(state.conn, xml, NULL, &err));
    g_assert_error(err, PP_ERROR, PP_ERROR_INTERNAL);
    g_assert_nonnull(strstr(err->message, "libvirt added"));
    g_assert_nonnull(strstr(err->message, "undefined again"));
    g_assert_false(testExists("pp-rollback"));
    g_clear_error(&err);

    testDefine(planned);
    before = testGetXML("pp-rollback", PP_LIBVIRT_XML_INACTIVE);
    unplanned = testWithUUID(xml, before);
    g_assert_false(ppLibvirtDefinePlanned(state.conn, unplanned, NULL, &err));
    g_assert_error(err, PP_ERROR, PP_ERROR_INTERNAL);
    g_assert_nonnull(strstr(err->message, "previous definition"));
    after = testGetXML("pp-rollback", PP_LIBVIRT_XML_INACTIVE);
    g_assert_cmpstr(after, ==, before);
    testUndefine("pp-rollback");
}

/* ------------------------------------------------------------------ */
/* A running guest: QOM, live and persistent attach                    */

/* Ask QOM for @property of device @alias; assert the reply carries
 * @expect (a JSON value). */
static void
testAssertQOM(const char *name, const char *alias, const char *property, const char *expect)
{
    g_autofree char *cmd = g_strdup_printf("{\"execute\":\"qom-get\",\"arguments\":{\"path\":\"/machine/peripheral/%s\",\"property\":\"%s\"}}",
                                           alias, property);
    g_autofree char *want = g_strdup_printf("{\"return\":%s,", expect);
    g_autofree char *reply = NULL;
    g_autoptr(GError) err = NULL;

    reply = ppLibvirtQemuMonitorCommand(state.conn, name, cmd, &err);
    g_assert_no_error(err);
    if (!g_str_has_prefix(reply, want))
        g_error("%s %s: QOM says %s, the plan %s", alias, property, reply, expect);
}

/*
 * Where QOM must find @dev of the running domain @def: the bus is the
 * child bus of the controller whose index is the bus number (libvirt
 * names both after the controller's alias), and addr is the devfn.
 */
static void
testAssertDeviceInQOM(const PpDomainDef *def, const PpDeviceDef *dev)
{
    const PpPCIAddress *addr = &dev->addr.pci;
    g_autofree char *devfn = g_strdup_printf("%u", addr->slot * 8 + addr->function);
    g_autofree char *bus = NULL;
    guint i;

    for (i = 0; addr->bus > 0 && i < def->devices->len; i++) {
        const PpDeviceDef *ctrl = g_ptr_array_index(def->devices, i);

        if (ctrl->kind == PP_DEVICE_CONTROLLER && g_strcmp0(ctrl->type, "pci") == 0 &&
            ctrl->ctrl.index == (int)addr->bus)
            bus = g_strdup_printf("\"/machine/peripheral/%s/%s\"", ctrl->alias, ctrl->alias);
    }
    if (addr->bus == 0)
        bus = g_strdup("\"/machine/q35/pcie.0\"");
    g_assert_nonnull(bus);
    testAssertQOM(def->name, dev->alias, "parent_bus", bus);
    testAssertQOM(def->name, dev->alias, "addr", devfn);
}

/* Every PCI device of the running domain @name is where libvirt's live
 * XML (which must be the plan) says. Slot 0x1f of q35 holds the
 * chipset's own functions (LPC, SATA, SMBus), which are not -device. */
static void
testAssertAllInQOM(const char *name)
{
    g_autofree char *live = testGetXML(name, PP_LIBVIRT_XML_LIVE);
    g_autoptr(PpDomainDef) def = NULL;
    g_autoptr(GError) err = NULL;
    guint checked = 0;
    guint i;

    def = ppDomainDefParseString(live, strlen(live), &err);
    g_assert_no_error(err);
    for (i = 0; i < def->devices->len; i++) {
        const PpDeviceDef *dev = g_ptr_array_index(def->devices, i);

        if (dev->addr.type != PP_ADDRESS_PCI || !dev->alias ||
            (dev->addr.pci.bus == 0 && dev->addr.pci.slot == 0x1f))
            continue;
        testAssertDeviceInQOM(def, dev);
        checked++;
    }
    g_test_message("%u devices of '%s' found in QOM where planned", checked, name);
    g_assert_cmpuint(checked, >=, 6);
}

static void
testStartQOM(void)
{
    g_autofree char *xml = testGuestXML("pp-live", 2);
    g_autofree char *planned = testPlanned(xml, 1);
    g_autoptr(GError) err = NULL;

    if (!testHaveConnection())
        return;
    testDefine(planned);
    ppLibvirtStart(state.conn, "pp-live", &err);
    g_assert_no_error(err);
    testAssertAllInQOM("pp-live");
}

/* The attached device in libvirt's @kind XML of @name, at @addr. */
static void
testAssertAttached(const char *name, PpLibvirtXMLKind kind, const char *alias,
                   const PpPCIAddress *addr)
{
    g_autofree char *xml = testGetXML(name, kind);
    g_autoptr(PpDomainDef) def = NULL;
    g_autoptr(GError) err = NULL;
    const PpDeviceDef *dev;

    def = ppDomainDefParseString(xml, strlen(xml), &err);
    g_assert_no_error(err);
    dev = testFindAlias(def, alias);
    g_assert_cmpint(dev->addr.type, ==, PP_ADDRESS_PCI);
    g_assert_cmpuint(dev->addr.pci.bus, ==, addr->bus);
    g_assert_cmpuint(dev->addr.pci.slot, ==, addr->slot);
    g_assert_cmpuint(dev->addr.pci.function, ==, addr->function);
    if (kind == PP_LIBVIRT_XML_LIVE)
        testAssertDeviceInQOM(def, dev);
}

/* Live and persistent at once: the spare port takes the NIC, QOM finds it
 * there, and the definition has it at the same address. */
static void
testAttachLiveConfig(void)
{
    g_autofree char *nic = testNicXML("ua-hot1");
    g_auto(PpLibvirtAttachResult) res = { 0 };
    g_autoptr(GError) err = NULL;

    if (!testHaveConnection())
        return;
    ppLibvirtAttach(state.conn, "pp-live", nic, PP_LIBVIRT_ATTACH_LIVE | PP_LIBVIRT_ATTACH_CONFIG,
                    testPlanForAttach, NULL, &res, &err);
    g_assert_no_error(err);
    g_assert_cmpuint(res.flags, ==, PP_LIBVIRT_ATTACH_LIVE | PP_LIBVIRT_ATTACH_CONFIG);
    g_assert_true(res.hasAddress);
    g_assert_cmpuint(res.added, ==, 0);
    g_assert_cmpstr(res.device, ==, "interface 'ua-hot1'");
    testAssertAttached("pp-live", PP_LIBVIRT_XML_LIVE, "ua-hot1", &res.address);
    testAssertAttached("pp-live", PP_LIBVIRT_XML_INACTIVE, "ua-hot1", &res.address);
}

/* No free hot-pluggable port is left: the error says how to get one, and
 * the running guest is untouched. A hotpluggable='no' device cannot be
 * hot-plugged at all. */
static void
testAttachLiveFull(void)
{
    g_autofree char *nic = testNicXML("ua-hot2");
    g_autofree char *before = NULL;
    g_autofree char *after = NULL;
    g_auto(PpLibvirtAttachResult) res = { 0 };
    g_autoptr(GError) err = NULL;
    const char *rng = "<rng model='virtio'><backend model='random'>/dev/urandom</backend>"
                      "<target hotpluggable='no'/></rng>";

    if (!testHaveConnection())
        return;
    before = testGetXML("pp-live", PP_LIBVIRT_XML_LIVE);
    g_assert_false(ppLibvirtAttach(state.conn, "pp-live", nic, PP_LIBVIRT_ATTACH_LIVE,
                                   testPlanForAttach, NULL, &res, &err));
    g_assert_error(err, PP_ERROR, PP_ERROR_EXHAUSTED);
    g_assert_nonnull(strstr(err->message, "running domain 'pp-live'"));
    g_assert_nonnull(strstr(err->message, "--spare-ports"));
    g_clear_error(&err);
    g_assert_false(ppLibvirtAttach(state.conn, "pp-live", rng, PP_LIBVIRT_ATTACH_LIVE,
                                   testPlanForAttach, NULL, &res, &err));
    g_assert_error(err, PP_ERROR, PP_ERROR_CONFIG);
    g_clear_error(&err);
    /* A conventional PCI NIC needs a bridge slot, which more spare PCIe
     * ports would not give: the error says what works. */
    g_assert_false(ppLibvirtAttach(state.conn, "pp-live",
                                   "<interface type='user'><model type='rtl8139'/></interface>",
                                   PP_LIBVIRT_ATTACH_LIVE, testPlanForAttach, NULL, &res, &err));
    g_assert_error(err, PP_ERROR, PP_ERROR_EXHAUSTED);
    g_assert_nonnull(strstr(err->message, "--spare-pci-slots"));
    g_assert_nonnull(strstr(err->message, "virtio or PCI Express model"));
    g_assert_nonnull(strstr(err->message, "--config"));
    g_assert_null(strstr(err->message, "--spare-ports"));
    after = testGetXML("pp-live", PP_LIBVIRT_XML_LIVE);
    g_assert_cmpstr(after, ==, before);
}

/* The definition can grow where the running guest cannot: a root port is
 * added for the NIC, and no device of the domain moves (checked by
 * ppLibvirtAttach, and here by libvirt's XML of the old devices). */
static void
testAttachConfigGrows(void)
{
    g_autofree char *nic = testNicXML("ua-hot2");
    g_autofree char *before = NULL;
    g_auto(PpLibvirtAttachResult) res = { 0 };
    g_autoptr(GError) err = NULL;
    g_autoptr(PpDomainDef) old = NULL;
    guint i;

    if (!testHaveConnection())
        return;
    before = testGetXML("pp-live", PP_LIBVIRT_XML_INACTIVE);
    ppLibvirtAttach(state.conn, "pp-live", nic, PP_LIBVIRT_ATTACH_CONFIG, testPlanForAttach, NULL,
                    &res, &err);
    g_assert_no_error(err);
    g_assert_cmpuint(res.added, ==, 1);
    testAssertAttached("pp-live", PP_LIBVIRT_XML_INACTIVE, "ua-hot2", &res.address);

    old = ppDomainDefParseString(before, strlen(before), &err);
    g_assert_no_error(err);
    for (i = 0; i < old->devices->len; i++) {
        const PpDeviceDef *dev = g_ptr_array_index(old->devices, i);

        if (dev->addr.type == PP_ADDRESS_PCI && dev->alias)
            testAssertAttached("pp-live", PP_LIBVIRT_XML_INACTIVE, dev->alias, &dev->addr.pci);
    }

    ppLibvirtDestroy(state.conn, "pp-live", &err);
    g_assert_no_error(err);
    testUndefine("pp-live");
}

/*
 * A domain grown as users grow theirs: a q35 guest with one NIC, then 100
 * NICs attached one at a time to its definition. Every attach succeeds,
 * and after each, libvirt's XML has every earlier device where it was and
 * every PCI controller as it was (ppTestGuestViewKept).
 */
static void
testAttachConfigHundred(void)
{
    g_autofree char *xml = testGuestXML("pp-grow", 1);
    g_autofree char *planned = testPlanned(xml, 0);
    g_autofree char *before = NULL;
    g_autoptr(GError) err = NULL;
    guint i;

    if (!testHaveConnection())
        return;
    testDefine(planned);
    before = testGetXML("pp-grow", PP_LIBVIRT_XML_INACTIVE);
    for (i = 1; i <= 100; i++) {
        g_autofree char *alias = g_strdup_printf("ua-grow%u", i);
        g_autofree char *nic = testNicXML(alias);
        g_autofree char *after = NULL;
        g_autofree char *why = NULL;
        g_autoptr(PpDomainDef) old = NULL;
        g_autoptr(PpDomainDef) now = NULL;
        g_auto(PpLibvirtAttachResult) res = { 0 };

        if (!ppLibvirtAttach(state.conn, "pp-grow", nic, PP_LIBVIRT_ATTACH_CONFIG,
                             testPlanForAttach, NULL, &res, &err))
            g_error("attach %u of 100: %s", i, err->message);
        after = testGetXML("pp-grow", PP_LIBVIRT_XML_INACTIVE);
        old = ppDomainDefParseString(before, strlen(before), &err);
        g_assert_no_error(err);
        now = ppDomainDefParseString(after, strlen(after), &err);
        g_assert_no_error(err);
        if (!ppTestGuestViewKept(old, now, NULL, &why))
            g_error("attach %u of 100: %s", i, why);
        testFindAlias(now, alias);
        g_free(before);
        before = g_steal_pointer(&after);
    }
    testUndefine("pp-grow");
}

static void
testAssertAttachRefused(const char *name, const char *devxml, unsigned int flags)
{
    g_auto(PpLibvirtAttachResult) res = { 0 };
    g_autoptr(GError) err = NULL;

    g_assert_false(ppLibvirtAttach(state.conn, name, devxml, flags, testPlanForAttach, NULL, &res,
                                   &err));
    g_assert_error(err, PP_ERROR, PP_ERROR_CONFIG);
    g_test_message("%s", err->message);
}

static void
testAttachErrors(void)
{
    g_autofree char *xml = testGuestXML("pp-off", 1);
    g_autofree char *planned = testPlanned(xml, 1);
    g_autofree char *nic = testNicXML("ua-hot1");

    if (!testHaveConnection())
        return;
    testDefine(planned);
    testAssertAttachRefused("pp-off", nic, PP_LIBVIRT_ATTACH_LIVE);
    testAssertAttachRefused("pp-none", nic, PP_LIBVIRT_ATTACH_CONFIG);
    testAssertAttachRefused("pp-off", "<frobnicate/>", PP_LIBVIRT_ATTACH_CONFIG);
    testAssertAttachRefused("pp-off", "<rng model='virtio'/><rng model='virtio'/>",
                            PP_LIBVIRT_ATTACH_CONFIG);
    testAssertAttachRefused("pp-off", "<!-- nothing -->", PP_LIBVIRT_ATTACH_CONFIG);
    testUndefine("pp-off");
}

/* ------------------------------------------------------------------ */
/* The tool itself                                                     */

/* Run the tool; check its status and that stdout (or stderr) holds
 * @needle. A mismatch fails the case without ending the process, so that
 * the guests the tool left running are still stopped. */
static gboolean
checkTool(int status, const char *needle, gboolean onStderr, const char *const *args)
{
    g_auto(PpTestRun) res = { 0 };
    const char *text;

    ppTestRunTool(&res, NULL, state.cliState, args);
    text = onStderr ? res.err : res.out;
    if (res.status == status && strstr(text, needle))
        return TRUE;
    g_test_fail_printf("virt-pciplan %s: status %d (want %d), wanted '%s' in %s; stdout: %s; stderr: %s",
                       args[0], res.status, status, needle, onStderr ? "stderr" : "stdout",
                       res.out, res.err);
    return FALSE;
}

static void
assertTool(int status, const char *needle, gboolean onStderr, const char *const *args)
{
    (void)checkTool(status, needle, onStderr, args);
}

static char *
scratchFile(const char *name, const char *contents)
{
    g_autofree char *dir = g_build_filename(state.cliState, "files", NULL);
    char *path = g_build_filename(dir, name, NULL);

    g_assert_cmpint(g_mkdir_with_parents(dir, 0700), ==, 0);
    g_assert_true(g_file_set_contents(path, contents, -1, NULL));
    return path;
}

/* A zombie no-one reaps (PID 1 of a container may not) is gone too. */
static gboolean
testProcessGone(GPid pid)
{
    g_autofree char *path = g_strdup_printf("/proc/%d/stat", (int)pid);
    g_autofree char *stat = NULL;
    const char *close;

    if (!g_file_get_contents(path, &stat, NULL, NULL))
        return TRUE;
    close = strrchr(stat, ')');
    return close && close[1] == ' ' && close[2] == 'Z';
}

/* Is @pid a QEMU that libvirt started under @root? A stale pid file must
 * not make us signal whatever process got its number since. */
static gboolean
testProcessIsGuestOf(GPid pid, const char *root)
{
    g_autofree char *path = g_strdup_printf("/proc/%d/cmdline", (int)pid);
    g_autofree char *cmdline = NULL;
    gsize len = 0;
    gsize i;

    if (!g_file_get_contents(path, &cmdline, &len, NULL))
        return FALSE;
    for (i = 0; i < len; i++) {
        if (cmdline[i] == '\0')
            cmdline[i] = ' ';
    }
    return strstr(cmdline, "qemu-system") && strstr(cmdline, root);
}

/*
 * Stop every guest still running under @root, as libvirt's destroy does
 * first: SIGTERM to the QEMU of each pid file. The tool has no destroy
 * command, and a failed case may leave a guest behind; its QEMU would
 * outlive this process.
 */
static void
testKillGuests(const char *root)
{
    g_autofree char *run = g_build_filename(root, "run", "qemu", NULL);
    g_autoptr(GDir) dir = g_dir_open(run, 0, NULL);
    const char *name;

    while (dir && (name = g_dir_read_name(dir))) {
        g_autofree char *path = g_build_filename(run, name, NULL);
        g_autofree char *text = NULL;
        GPid pid;
        int i;

        if (!g_str_has_suffix(name, ".pid") || g_str_equal(name, "driver.pid") ||
            !g_file_get_contents(path, &text, NULL, NULL) ||
            (pid = (GPid)g_ascii_strtoll(text, NULL, 10)) <= 1 || testProcessGone(pid) ||
            !testProcessIsGuestOf(pid, root) || kill(pid, SIGTERM) < 0)
            continue;
        for (i = 0; i < 100 && !testProcessGone(pid); i++)
            g_usleep(50 * 1000);
        g_test_message("stopped the QEMU of %s", name);
    }
}

/* The README's main job from a fresh state directory, then hot-plug into
 * the guest the first run left running (the default is --live for a
 * running guest), until no port is free; the definition can still grow. */
static void
testToolDefineAttach(void)
{
    g_autofree char *xml = testGuestXML("ppcli", 1);
    g_autofree char *in = scratchFile("ppcli.xml", xml);
    g_autofree char *nic1 = testNicXML("ua-hot1");
    g_autofree char *nic2 = testNicXML("ua-hot2");
    g_autofree char *nic3 = testNicXML("ua-hot3");
    g_autofree char *dev1 = scratchFile("nic1.xml", nic1);
    g_autofree char *dev2 = scratchFile("nic2.xml", nic2);
    g_autofree char *dev3 = scratchFile("nic3.xml", nic3);
    g_autofree char *defined = g_build_filename(state.cliRoot, "etc", "qemu", "ppcli.xml", NULL);
    g_autofree char *config = NULL;
    gboolean ok;

    ok = checkTool(0, "Defined domain 'ppcli'", FALSE,
                   (const char *[]){ "define", in, "--start", NULL }) &&
         checkTool(0, "Hot-plugged interface 'ua-hot1' into running domain 'ppcli' at 0000:",
                   FALSE, (const char *[]){ "attach", "ppcli", dev1, NULL }) &&
         checkTool(1, "re-plan the domain with more --spare-ports", TRUE,
                   (const char *[]){ "attach", "ppcli", dev2, "--live", NULL }) &&
         /* The hot-plug left the definition alone: its spare port is free. */
         checkTool(0, "Added interface 'ua-hot2' to the definition of domain 'ppcli' at 0000:",
                   FALSE, (const char *[]){ "attach", "ppcli", dev2, "--config", NULL }) &&
         checkTool(0, "gained 1 controller", FALSE,
                   (const char *[]){ "attach", "ppcli", dev3, "--config", NULL });
    if (ok && !(g_file_get_contents(defined, &config, NULL, NULL) &&
                strstr(config, "<alias name='ua-hot3'/>")))
        g_test_fail_printf("the definition of 'ppcli' lacks ua-hot3: %s", config);
    testKillGuests(state.cliRoot);
}

/* Whether libvirt's log of guest @name on the tool's root says "tainted: @flag". */
static gboolean
testGuestTainted(const char *name, const char *flag)
{
    g_autofree char *file = g_strdup_printf("%s.log", name);
    g_autofree char *log = g_build_filename(state.cliRoot, "log", "qemu", file, NULL);
    g_autofree char *text = NULL;
    g_autofree char *needle = g_strdup_printf("is tainted: %s", flag);

    if (!g_file_get_contents(log, &text, NULL, NULL))
        g_error("no log %s", log);
    return strstr(text, needle) != NULL;
}

/*
 * No taint by default: libvirt 9.0 marks a started domain that has a
 * <qemu:override> "tainted: custom-device" in its log. A SeaBIOS q35
 * needs no io-reserve=0, so its default plan starts untainted; with
 * --io-reserve=always the same domain gets overrides, stderr says that
 * libvirt will taint it, and libvirt does.
 */
static void
testToolTaint(void)
{
    g_autofree char *clean = testGuestXML("pp-clean", 2);
    g_autofree char *always = testGuestXML("pp-always", 2);
    g_autofree char *in1 = scratchFile("pp-clean.xml", clean);
    g_autofree char *in2 = scratchFile("pp-always.xml", always);

    if (checkTool(0, "Started domain 'pp-clean'", FALSE,
                  (const char *[]){ "define", in1, "--start", NULL }) &&
        testGuestTainted("pp-clean", "custom-device"))
        g_test_fail_printf("the default plan of a SeaBIOS q35 made libvirt taint the domain");
    if (checkTool(0, "libvirt marks a domain with <qemu:override> as tainted (custom-device)", TRUE,
                  (const char *[]){ "define", in2, "--start", "--io-reserve=always", NULL }) &&
        !testGuestTainted("pp-always", "custom-device"))
        g_test_fail_printf("libvirt did not taint a domain with <qemu:override>: the note on stderr is wrong");
    testKillGuests(state.cliRoot);
}

/*
 * A clean exit with a guest running in the embedded driver: each process
 * that opens the root takes the running guest over (libvirt reconnects to
 * its monitor in a thread of its own), and one that exits meanwhile died
 * with SIGSEGV after its work was done, in 1 of 5 to 1 of 40 runs. 50
 * attach --config runs on a running TCG guest without an OS must all
 * exit 0.
 */
#define PP_TEST_CLEAN_EXIT_RUNS 50

static void
testToolCleanExit(void)
{
    g_autofree char *xml = testGuestXML("pp-exit", 1);
    g_autofree char *in = scratchFile("pp-exit.xml", xml);
    g_autofree char *nic = scratchFile("pp-exit-nic.xml",
                                       "<interface type='user'><model type='virtio'/></interface>\n");
    guint i;

    if (!checkTool(0, "Started domain 'pp-exit'", FALSE,
                   (const char *[]){ "define", in, "--start", NULL }))
        return;
    /* the definition changed, the running guest did not: say so */
    for (i = 0; i < PP_TEST_CLEAN_EXIT_RUNS; i++) {
        if (!checkTool(0, "takes effect when the domain is next started", FALSE,
                       (const char *[]){ "attach", "pp-exit", nic, "--config", NULL })) {
            g_test_message("run %u of %u", i + 1, PP_TEST_CLEAN_EXIT_RUNS);
            break;
        }
    }
    testKillGuests(state.cliRoot);
}

/* Run the tool through the shell (for its environment) on the tool's
 * state directory; fail unless it exits @status with @needle in its
 * stdout and stderr. */
static gboolean
checkShell(int status, const char *needle, const char *script)
{
    g_auto(PpTestRun) res = { 0 };

    ppTestRunShell(&res, state.cliState, script);
    if (res.status == status && (strstr(res.out, needle) || strstr(res.err, needle)))
        return TRUE;
    g_test_fail_printf("%s: status %d (want %d), wanted '%s'; stdout: %s; stderr: %s", script,
                       res.status, status, needle, res.out, res.err);
    return FALSE;
}

/* The <uuid> libvirt keeps for @name under embed root @root. */
static char *
testDefinedUUID(const char *root, const char *name)
{
    g_autofree char *file = g_strdup_printf("%s.xml", name);
    g_autofree char *path = g_build_filename(root, "etc", "qemu", file, NULL);
    g_autofree char *text = NULL;
    const char *start;
    const char *end;

    if (!g_file_get_contents(path, &text, NULL, NULL) || !(start = strstr(text, "<uuid>")) ||
        !(end = strstr(start, "</uuid>")))
        return NULL;
    start += strlen("<uuid>");
    return g_strndup(start, end - start);
}

/*
 * The connection as virsh resolves it: -c, then LIBVIRT_DEFAULT_URI, then
 * the embedded default. A second embedded root stands in for the user's
 * qemu:///system: with LIBVIRT_DEFAULT_URI naming it, define goes there
 * and not to the default root; plan/explain/argv --domain read the
 * domain from it; -c wins over the variable; errors name the URI; and
 * define of the same file again (no <uuid>) updates the domain, keeping
 * the UUID libvirt gave it.
 */
static void
testToolConnection(void)
{
    g_autofree char *sysRoot = g_dir_make_tmp("pp-sys-XXXXXX", NULL);
    g_autofree char *sysURI = g_strdup_printf("qemu:///embed?root=%s", sysRoot);
    g_autofree char *cliURI = g_strdup_printf("qemu:///embed?root=%s", state.cliRoot);
    g_autofree char *xml = testGuestXML("pp-sys", 1);
    g_autofree char *in = scratchFile("pp-sys.xml", xml);
    g_autofree char *badxml = g_strdup_printf("<domain type='qemu'><name>pp-bad</name><memory>65536</memory>"
                                              "<os><type arch='x86_64' machine='q35'>hvm</type></os>"
                                              "<devices><emulator>/nonexistent/qemu</emulator></devices></domain>");
    g_autofree char *bad = scratchFile("pp-bad.xml", badxml);
    g_autofree char *nic = scratchFile("pp-sys-nic.xml",
                                       "<interface type='user'><model type='virtio'/></interface>\n");
    g_autofree char *env = g_strdup_printf("LIBVIRT_DEFAULT_URI='%s'", sysURI);
    g_autofree char *script = NULL;
    g_autofree char *uuid = NULL;
    g_autofree char *again = NULL;
    g_autofree char *onCli = g_build_filename(state.cliRoot, "etc", "qemu", "pp-sys.xml", NULL);

    g_assert_nonnull(sysRoot);
    script = g_strdup_printf("%s \"$T\" define '%s'", env, in);
    if (!checkShell(0, sysURI, script))
        return;
    uuid = testDefinedUUID(sysRoot, "pp-sys");
    g_assert_nonnull(uuid);
    g_assert_false(g_file_test(onCli, G_FILE_TEST_EXISTS));

    g_clear_pointer(&script, g_free);
    script = g_strdup_printf("%s \"$T\" plan --domain pp-sys", env);
    checkShell(0, uuid, script);
    g_clear_pointer(&script, g_free);
    script = g_strdup_printf("%s \"$T\" explain --domain pp-sys", env);
    checkShell(0, "Domain 'pp-sys'", script);
    g_clear_pointer(&script, g_free);
    script = g_strdup_printf("\"$T\" argv --domain pp-sys -c '%s'", sysURI);
    checkShell(0, "guest=pp-sys", script);
    g_clear_pointer(&script, g_free);
    script = g_strdup_printf("%s \"$T\" plan --domain pp-nothing", env);
    checkShell(1, sysURI, script);

    /* -c wins over LIBVIRT_DEFAULT_URI; the error names the URI asked */
    g_clear_pointer(&script, g_free);
    script = g_strdup_printf("%s \"$T\" attach pp-sys '%s' --config -c '%s'", env, nic, cliURI);
    checkShell(1, cliURI, script);

    /* a libvirt error names the URI */
    g_clear_pointer(&script, g_free);
    script = g_strdup_printf("%s \"$T\" define '%s'", env, bad);
    checkShell(3, sysURI, script);

    /* define again: an update, the UUID kept */
    g_clear_pointer(&script, g_free);
    script = g_strdup_printf("%s \"$T\" define '%s'", env, in);
    checkShell(0, "Updated the definition of domain 'pp-sys'", script);
    again = testDefinedUUID(sysRoot, "pp-sys");
    g_assert_cmpstr(again, ==, uuid);
    ppTestRemoveTree(sysRoot);
}

/* define's report cannot be written: exit status 4, as for every command. */
static void
testToolFullOutput(void)
{
    g_autofree char *xml = testGuestXML("pp-full", 1);
    g_autofree char *in = scratchFile("pp-full.xml", xml);
    g_autofree char *script = g_strdup_printf("\"$T\" define '%s' > /dev/full", in);
    g_auto(PpTestRun) res = { 0 };

    ppTestRunShell(&res, state.cliState, script);
    if (res.status != 4 || !strstr(res.err, "Cannot write to standard output"))
        g_test_fail_printf("define > /dev/full: status %d (want 4); stderr: %s", res.status,
                           res.err);
}

/* Read lines of @proc's stdout until one holds @needle. */
static void
testReadUntil(GDataInputStream *out, const char *needle)
{
    g_autoptr(GError) err = NULL;

    for (;;) {
        g_autofree char *line = g_data_input_stream_read_line_utf8(out, NULL, NULL, &err);

        g_assert_no_error(err);
        if (!line)
            g_error("the tool's output ended before '%s'", needle);
        if (strstr(line, needle))
            return;
    }
}

/* define --start --wait holds the root (another run is told who has it)
 * and destroys the guest on SIGTERM. */
static void
testToolWait(void)
{
    g_autofree char *xml = testGuestXML("ppwait", 1);
    g_autofree char *in = scratchFile("ppwait.xml", xml);
    g_autofree char *nic = testNicXML("ua-hot1");
    g_autofree char *dev = scratchFile("nic-wait.xml", nic);
    g_autoptr(GSubprocess) proc = NULL;
    g_autoptr(GDataInputStream) out = NULL;
    g_autoptr(GError) err = NULL;

    proc = ppTestSpawnTool((const char *[]){ "define", in, "--start", "--wait", NULL }, state.cliState,
                         G_SUBPROCESS_FLAGS_STDOUT_PIPE);
    out = g_data_input_stream_new(g_subprocess_get_stdout_pipe(proc));
    testReadUntil(out, "runs until virt-pciplan is interrupted");
    assertTool(3, "is in use by process", TRUE,
               (const char *[]){ "attach", "ppwait", dev, "--live", NULL });
    g_subprocess_send_signal(proc, SIGTERM);
    testReadUntil(out, "Destroyed domain 'ppwait'");
    g_subprocess_wait(proc, NULL, &err);
    g_assert_no_error(err);
    g_assert_true(g_subprocess_get_if_exited(proc));
    g_assert_cmpint(g_subprocess_get_exit_status(proc), ==, 0);
}

static void
testToolErrors(void)
{
    g_autofree char *xml = testGuestXML("pperr", 1);
    g_autofree char *in = scratchFile("pperr.xml", xml);
    g_autofree char *nic = testNicXML("ua-hot1");
    g_autofree char *dev = scratchFile("nic-err.xml", nic);
    g_autofree char *missing = g_build_filename(state.cliState, "files", "missing.xml", NULL);
    g_autofree char *bad = scratchFile("bad.xml", "<domain type='qemu'><name>x</name>");
    g_autoptr(GString) noemu = g_string_new(xml);
    g_autofree char *noemuPath = NULL;

    g_string_replace(noemu, "/usr/bin/qemu-system-x86_64", "/nonexistent/qemu", 1);
    noemuPath = scratchFile("noemu.xml", noemu->str);

    assertTool(2, "expected one input file", TRUE, (const char *[]){ "define", NULL });
    assertTool(2, "--wait needs --start", TRUE, (const char *[]){ "define", in, "--wait", NULL });
    assertTool(2, "expected a domain name", TRUE, (const char *[]){ "attach", "x", NULL });
    assertTool(4, "missing.xml", TRUE, (const char *[]){ "define", missing, NULL });
    assertTool(1, "Malformed XML", TRUE, (const char *[]){ "define", bad, NULL });
    assertTool(3, "/nonexistent/qemu", TRUE, (const char *[]){ "define", noemuPath, NULL });
    assertTool(1, "has no domain 'pperr'", TRUE,
               (const char *[]){ "attach", "pperr", dev, NULL });
    assertTool(0, "Defined domain 'pperr'", FALSE, (const char *[]){ "define", in, NULL });
    assertTool(1, "is not running", TRUE,
               (const char *[]){ "attach", "pperr", dev, "--live", NULL });
    /* the same file again, without <uuid>: an update, not a refusal */
    assertTool(0, "Updated the definition of domain 'pperr'", FALSE,
               (const char *[]){ "define", in, NULL });
}

/* ------------------------------------------------------------------ */
/* Harness                                                             */


/*
 * Short names under the temporary directory, not the build directory
 * (which may be deep, as in an unpacked dist tarball): libvirt puts each
 * guest's QMP socket below the root, and a UNIX socket path has at most
 * 107 bytes.
 */
static gboolean
testDefineOpen(GError **error)
{
    const char *tmpdir = g_get_tmp_dir();
    g_autofree char *root = g_build_filename(tmpdir, "ppdef-XXXXXX", NULL);
    g_autofree char *cli = g_build_filename(tmpdir, "ppcli-XXXXXX", NULL);
    g_autofree char *escaped = NULL;
    g_autofree char *uri = NULL;

    if (!g_mkdtemp(root) || !g_mkdtemp(cli)) {
        g_set_error(error, PP_ERROR, PP_ERROR_IO, "cannot create a directory in '%s': %s",
                    tmpdir, g_strerror(errno));
        return FALSE;
    }
    state.root = g_steal_pointer(&root);
    state.cliRoot = g_build_filename(cli, "virt-pciplan", "embed", NULL);
    state.cliState = g_steal_pointer(&cli);
    escaped = g_uri_escape_string(state.root, "/", TRUE);
    uri = g_strdup_printf("qemu:///embed?root=%s", escaped);
    state.conn = ppLibvirtOpen(uri, error);
    return state.conn != NULL;
}

static void
testDefineCleanup(int ret)
{
    if (state.root) {
        testKillGuests(state.root);
        testKillGuests(state.cliRoot);
    }
    ppLibvirtClose(state.conn);
    ppLibvirtShutdown();
    if (ret == 0) {
        ppTestRemoveTree(state.root);
        ppTestRemoveTree(state.cliState);
    } else if (state.root) {
        g_printerr("# embed roots kept for their logs: %s %s\n", state.root, state.cliRoot);
    }
    g_free(state.root);
    g_free(state.cliRoot);
    g_free(state.cliState);
    g_clear_error(&state.openError);
}

int
main(int argc, char **argv)
{
    int ret;

    ppTestInit(&argc, &argv);
    (void)testDefineOpen(&state.openError);
    g_test_add_func("/libvirtdefine/open", testOpen);
    g_test_add_func("/libvirtdefine/domcaps", testDomainCaps);
    g_test_add_func("/libvirtdefine/redefine-cycle", testRedefineCycle);
    g_test_add_func("/libvirtdefine/rollback", testDefineRollback);
    /* These four share one running guest, in this order. */
    g_test_add_func("/libvirtdefine/start-qom", testStartQOM);
    g_test_add_func("/libvirtdefine/attach/live-config", testAttachLiveConfig);
    g_test_add_func("/libvirtdefine/attach/live-full", testAttachLiveFull);
    g_test_add_func("/libvirtdefine/attach/config-grows", testAttachConfigGrows);
    g_test_add_func("/libvirtdefine/attach/errors", testAttachErrors);
    g_test_add_func("/libvirtdefine/attach/config-hundred", testAttachConfigHundred);
    g_test_add_func("/libvirtdefine/tool/errors", testToolErrors);
    g_test_add_func("/libvirtdefine/tool/define-attach", testToolDefineAttach);
    g_test_add_func("/libvirtdefine/tool/taint", testToolTaint);
    g_test_add_func("/libvirtdefine/tool/connection", testToolConnection);
    g_test_add_func("/libvirtdefine/tool/clean-exit", testToolCleanExit);
    g_test_add_func("/libvirtdefine/tool/full-output", testToolFullOutput);
    g_test_add_func("/libvirtdefine/tool/wait", testToolWait);

    ret = g_test_run();
    testDefineCleanup(ret);
    return ret;
}
