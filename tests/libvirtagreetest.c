/*
 * libvirtagreetest.c: libvirt's real QEMU driver keeps our plans as they are
 *
 * Every planned domain in $PP_AGREE_DIR (the golden files of
 * tests/qemuxml2xmloutdata by default) is defined through libvirt's
 * embedded QEMU driver, dumped, undefined, and compared with what we
 * planned (ppDomainXMLCompare): libvirt auto-adds whatever a domain
 * lacks, so any controller or address it adds means the plan was
 * incomplete. One connection serves every file, because the first open of
 * a fresh root probes each QEMU binary (~4 s) while a define takes ~0.1 s.
 *
 * Missing libvirt, QEMU or the libvirt-qemu user is a failure, not a skip:
 * CI prepares the machine with .ci/setup-libvirt.sh.
 *
 * The parity oracle (/libvirtagree/input/...): every input domain (the
 * inputs of tests/qemuxml2argvdata and the libvirt corpus of
 * $PP_TEST_CORPUSDIR) is planned here, then
 *  - a plan is defined, and libvirt's inactive XML must have every PCI
 *    address and every controller of the plan, device by device, and
 *    nothing more (ppDomainXMLCompare);
 *  - a refusal is judged by libvirt: the input itself is defined, and when
 *    libvirt refuses it too the refusal is deserved (its reason is listed
 *    in the test log). When libvirt accepts it, the refusal must come from
 *    a hint that cannot be met (the input without its hints plans) or be
 *    one QEMU or the guest refuses (parityQemuRefuses, each with how it
 *    was measured); anything else fails.
 *  - a plan of an input libvirt refuses fails too: exit 0 only for what
 *    libvirt accepts.
 *  - no input ever ends in PP_ERROR_INTERNAL (exit 5).
 * <domain type='kvm'> is defined as type='qemu': these machines may have
 * no /dev/kvm, and the domain type changes nothing PCI.
 *
 * Environment: PP_AGREE_DIR (the files), TMPDIR (where the fresh embed
 * root is made; kept on failure for its logs under log/qemu),
 * PP_TEST_DEBUG=1 (show libvirt's XML of a failing file), PP_TEST_SRCDIR
 * and PP_TEST_CORPUSDIR (the inputs; a missing corpus is skipped with a
 * reason, and fails when CI is set).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "pp_libvirt.h"
#include "domain_conf.h"
#include "domain_format.h"
#include "qemu_domain_address.h"
#include "qemu_command.h"
#include "pperror.h"
#include "ppfile.h"
#include "testutils.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <libxml/parser.h>
#include <string.h>

typedef struct {
    char *root;
    PpLibvirtConn *conn;
    GError *openError;
} PpAgreeState;

/* The harness state every test case shares, set up in main(). */
static PpAgreeState agree;

static void
testOpen(void)
{
    if (agree.openError)
        g_test_fail_printf("%s", agree.openError->message);
}

static gboolean
testHaveConnection(void)
{
    if (agree.conn)
        return TRUE;
    g_test_fail_printf("no libvirt connection: see /libvirtagree/open");
    return FALSE;
}

typedef struct {
    const char *arch;
    const char *machine;
    const char *canonicalPrefix; /* what the versioned name starts with */
} PpDomainCapsCase;

/* The machine types the planner supports; the canonical names carry the
 * QEMU version, so only their stems are checked. */
static const PpDomainCapsCase domainCapsCases[] = {
    { "x86_64", "q35", "pc-q35-" },
    { "x86_64", "pc", "pc-i440fx-" },
    { "aarch64", "virt", "virt-" },
    { "riscv64", "virt", "virt" },
};

static void
testDomainCaps(gconstpointer data)
{
    const PpDomainCapsCase *tc = data;
    g_autoptr(PpLibvirtDomainCaps) caps = NULL;
    g_autoptr(GError) err = NULL;
    const char *const *buses;
    guint i;

    if (!testHaveConnection())
        return;
    if (!(caps = ppLibvirtGetDomainCapabilities(agree.conn, NULL, tc->arch, tc->machine, "qemu",
                                                &err))) {
        g_test_fail_printf("%s", err->message);
        return;
    }
    g_assert_cmpstr(caps->arch, ==, tc->arch);
    g_assert_nonnull(caps->machine);
    g_assert_true(g_str_has_prefix(caps->machine, tc->canonicalPrefix));
    g_assert_true(g_strv_contains((const char *const *)caps->devices, "disk"));
    buses = ppLibvirtDomainCapsGetEnum(caps, "disk", "bus");
    g_assert_nonnull(buses);
    g_assert_true(g_strv_contains(buses, "virtio"));
    g_test_message("%s %s -> %s (%s)", tc->arch, tc->machine, caps->machine, caps->emulator);
    for (i = 0; i < caps->unknown->len; i++)
        g_test_message("unknown: %s", (const char *)g_ptr_array_index(caps->unknown, i));
}

/* The helpers a start check needs: a diskless q35 guest under TCG. */
static void
testStartDestroy(void)
{
    const char *xml = "<domain type='qemu'>\n"
                      "  <name>pp-agree-start</name>\n"
                      "  <memory unit='MiB'>64</memory>\n"
                      "  <os><type arch='x86_64' machine='q35'>hvm</type></os>\n"
                      "  <devices>\n"
                      "    <controller type='usb' model='none'/>\n"
                      "    <memballoon model='none'/>\n"
                      "  </devices>\n"
                      "</domain>\n";
    g_autoptr(GError) err = NULL;

    if (!testHaveConnection())
        return;
    if (!ppLibvirtDefine(agree.conn, xml, NULL, &err) ||
        !ppLibvirtStart(agree.conn, "pp-agree-start", &err) ||
        !ppLibvirtDestroy(agree.conn, "pp-agree-start", &err) ||
        !ppLibvirtUndefine(agree.conn, "pp-agree-start", &err))
        g_test_fail_printf("%s", err->message);
}

static char *parityTCG(const char *xml);
static char *parityStripHints(const char *xml);

/*
 * The input of a golden file planned from libvirt's own test data:
 * corpus-NAME.xml from $PP_TEST_CORPUSDIR/NAME.xml. Some of those use
 * XML newer than libvirt 9.0's schema, so their plans cannot validate
 * either; our own inputs (tests/qemuxml2argvdata) are written to plan into
 * valid documents, even where they leave out what the schema requires
 * and the planner fills in (a controller's index). NULL for those.
 */
static char *
testSourceInput(const char *golden)
{
    g_autofree char *base = g_path_get_basename(golden);
    const char *corpus = g_getenv("PP_TEST_CORPUSDIR");
    char *path;

    if (!g_str_has_prefix(base, "corpus-") || !corpus)
        return NULL;
    path = g_build_filename(corpus, base + strlen("corpus-"), NULL);
    if (!g_file_test(path, G_FILE_TEST_IS_REGULAR))
        g_clear_pointer(&path, g_free);
    return path;
}

/* Whether libvirt's schema accepts the file at @path once its hints are
 * dropped (defined and undefined again when it does). */
static gboolean
testInputValidates(const char *path)
{
    g_autofree char *text = NULL;
    g_autofree char *bare = NULL;
    g_autofree char *dumped = NULL;
    g_autoptr(PpDomainDef) def = NULL;
    g_autoptr(GError) err = NULL;
    gsize len = 0;

    if (!ppFileReadBounded(path, PP_FILE_MAX_INPUT, &text, &len, &err))
        return FALSE;
    bare = parityStripHints(text);
    if (!ppLibvirtDefineValidated(agree.conn, bare, &dumped, &err))
        return FALSE;
    if ((def = ppDomainDefParseString(dumped, strlen(dumped), &err)))
        (void)ppLibvirtUndefine(agree.conn, def->name, NULL);
    return TRUE;
}

static void
testAgreeFile(gconstpointer data)
{
    const char *path = data;
    g_autofree char *text = NULL;
    g_autofree char *planned = NULL;
    g_autofree char *dumped = NULL;
    g_autoptr(PpDomainDef) def = NULL;
    g_autoptr(GError) err = NULL;
    gsize len = 0;

    if (!testHaveConnection())
        return;
    if (!ppFileReadBounded(path, PP_FILE_MAX_INPUT, &text, &len, &err))
        goto fail;
    /* the corpus goldens with type='kvm' too, so that no /dev/kvm is needed */
    planned = parityTCG(text);
    /* The plan passes libvirt's schema (virsh define --validate) unless
     * its input did not: the hints live only under <metadata>. */
    if (!ppLibvirtDefineValidated(agree.conn, planned, &dumped, &err)) {
        g_autofree char *input = testSourceInput(path);
        g_autofree char *base = g_path_get_basename(path);

        /* A corpus golden whose input is not beside this clone cannot be
         * judged here: the schema check is skipped with the reason (CI has
         * the corpus, and there a missing one is a failure). */
        if (!input && g_str_has_prefix(base, "corpus-")) {
            if (g_getenv("CI")) {
                g_test_fail_printf("%s: its input is not in PP_TEST_CORPUSDIR, which CI must have", path);
                return;
            }
            g_test_message("%s: schema not judged: its input (libvirt's corpus) is absent", path);
        } else if (!input || testInputValidates(input)) {
            g_test_fail_printf("%s: libvirt's schema refuses the plan of a valid input: %s",
                               path, err->message);
            return;
        } else {
            g_test_message("%s: its input %s fails libvirt 9.0's schema too", path, input);
        }
        g_clear_error(&err);
        if (!ppLibvirtDefine(agree.conn, planned, &dumped, &err))
            goto fail;
    }
    /* Names repeat across files: undefine before judging. */
    if (!(def = ppDomainDefParseString(dumped, strlen(dumped), &err)) ||
        !ppLibvirtUndefine(agree.conn, def->name, &err)) {
        g_test_fail_printf("%s: %s", path, err->message);
        return;
    }
    if (!ppDomainXMLCompare(planned, dumped, &err)) {
        if (g_getenv("PP_TEST_DEBUG"))
            g_test_message("libvirt's XML for %s:\n%s", path, dumped);
        g_test_fail_printf("%s: %s", path, err->message);
    }
    return;

 fail:
    g_test_fail_printf("%s: %s", path, err->message);
}

/* Planned domains only: golden files of refused inputs end in .err.xml,
 * and an XML file whose root is not <domain> is not ours to judge. A file
 * libxml2 cannot parse is kept, so that it fails. */
static gboolean
testIsDomainFile(const char *path)
{
    xmlDocPtr doc;
    xmlNodePtr root;
    gboolean ret;

    if (g_str_has_suffix(path, ".err.xml"))
        return FALSE;
    if (!(doc = xmlReadFile(path, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR |
                                            XML_PARSE_NOWARNING)))
        return TRUE;
    root = xmlDocGetRootElement(doc);
    ret = !root || g_str_equal((const char *)root->name, "domain");
    xmlFreeDoc(doc);
    return ret;
}

/* Returns: (transfer full) the sorted paths of the planned domains. */
static GPtrArray *
testListDomainFiles(const char *dir)
{
    g_autoptr(GPtrArray) xmls = ppTestListDir(dir, ".xml");
    GPtrArray *files = g_ptr_array_new_with_free_func(g_free);
    guint i;

    for (i = 0; i < xmls->len; i++) {
        const char *path = g_ptr_array_index(xmls, i);

        if (testIsDomainFile(path))
            g_ptr_array_add(files, g_strdup(path));
    }
    return files;
}

/* ------------------------------------------------------------------ */
/* The parity oracle: plan every input, let libvirt judge              */

/*
 * Inputs that libvirt 9.0 defines but that QEMU 7.2 or the guest refuse,
 * so the planner's refusal is deserved. Each entry says how that was
 * measured; see docs/libvirt.md.
 */
static const struct {
    const char *name;
    const char *why;
} parityQemuRefuses[] = {
    /* Started through the embedded driver: QEMU exits with the message. */
    { "q35-multifunction", "QEMU: single function device can't be populated in function 4.1" },
    { "parity-chassis-port-dup-error", "QEMU: Can't add chassis slot, error -16" },
    { "argv-error-chassis-duplicate", "QEMU: Can't add chassis slot, error -16" },
    { "argv-error-chassis-downstream", "QEMU: Can't add chassis slot, error -16" },
    { "argv-error-bridge-chassis-duplicate", "QEMU: Can't add chassis slot, error -16" },
    { "parity-uhci1-dup-error", "QEMU: firstport 0 asks for ports 0-1, but port 0 has a companion assigned already" },
    { "argv-error-usb-index-duplicate", "QEMU: two USB controllers with one id" },
    { "argv-error-multifunction-off", "QEMU: single function device can't be populated in function" },
    /* Arguments passed to QEMU behind libvirt's back: libvirt passes them
     * on unread, and a plan cannot see what they add. */
    { "parity-qemu-cmdline-machine-error", "a -machine in <qemu:commandline> replaces the planned machine" },
    { "parity-qemu-cmdline-iommu-error", "an intel-iommu in <qemu:commandline> is a vIOMMU the plan cannot see" },
    /* libvirt reads every <devices> element; a planner that placed the
     * first only would leave devices unplaced, so this is refused. */
    { "parity-second-devices-error", "libvirt merges two <devices> elements; the document is ambiguous" },
    /* The guests of tests/guest: firmware assigns no I/O window beyond its
     * budget and the devices behind the rest fail (docs/guest-truth.md). */
    { "q35-io-windows-ovmf-11-error", "OVMF fits 10 I/O windows, measured in guests" },
    { "q35-io-windows-seabios-15-error", "SeaBIOS fits 14 I/O windows, measured in guests" },
    /* Out of scope: virt-pciplan plans x86_64, aarch64 and riscv64 only,
     * and says so; libvirt 9.0 here has qemu-system-s390x. */
    { "parity-s390x-error", "s390x is out of scope for virt-pciplan" },
    /* qemu-system-x86_64 -machine q35 with two ich9-usb-uhci1 on
     * masterbus=usb.0,firstport=0: "port 0 has a companion assigned
     * already" (domain_conf.c, ppDomainDefCheckControllerIndexes). */
    { "parity-uhci1-dup-error", "QEMU 7.2 gives each EHCI port to one companion" },
    { NULL, NULL },
};

/*
 * Inputs libvirt refuses only for what the plan adds (the plan then
 * defines): the planner completes them.
 */
static const struct {
    const char *name;
    const char *what;
} parityCompleted[] = {
    { "parity-aarch64-usb-input", "a qemu-xhci for the USB tablet (libvirt: USB is disabled)" },
    /* libvirt numbers a first PCI controller without index 0 and then
     * refuses it as the root; the plan adds the root and numbers the
     * toss-ins after it. */
    { "parity-rootport-noindex-first", "pcie-root and indexes for toss-in root ports" },
    { "parity-aarch64-rootport-noindex", "pcie-root and an index for a toss-in root port" },
    { "parity-pc-pci-bridge-noindex", "pci-root and an index for a toss-in pci-bridge" },
    /* libvirt 9.0 adds only root ports, one per device, and fails past
     * the root bus; the plan adds a switch and SHPC bridges (issue 11). */
    { "argv-q35-virtio-255", "a switch and a pcie-to-pci-bridge for 255 virtio NICs" },
    { "q35-virtio-255-no-hints", "a switch and a pcie-to-pci-bridge for 255 virtio NICs" },
    { "q35-virtio-300-no-hints", "a switch and SHPC bridges for 300 virtio NICs" },
    { NULL, NULL },
};

/*
 * Known gaps: inputs where the planner and libvirt still disagree. Each is
 * reported as a TODO (not a pass) until fixed; the list only shrinks.
 */
static const struct {
    const char *name;
    const char *gap;
} parityKnownGaps[] = {
    { "aarch64-virt-mmio-exhausted-error",
      "virtio-mmio is the planner's own choice: it must fall back to PCI when the transports run out (issue 11)" },
    { "argv-error-mmio-too-many",
      "virtio-mmio is the planner's own choice: it must fall back to PCI when the transports run out (issue 11)" },
    { "riscv64-virt-mmio-exhausted-error",
      "virtio-mmio is the planner's own choice: it must fall back to PCI when the transports run out (issue 11)" },
    { "argv-error-function0-missing",
      "class 4: a slot without function 0 is accepted by libvirt and QEMU: plan and warn" },
    { "q35-function-zero-missing-error",
      "class 4: a slot without function 0 is accepted by libvirt and QEMU: plan and warn" },
    { "q35-controller-index-order-error",
      "class 2: a bridge without address gets its parent chain" },
    { NULL, NULL },
};

static const char *
parityLookupCompleted(const char *name)
{
    size_t i;

    for (i = 0; parityCompleted[i].name; i++)
        if (g_str_equal(parityCompleted[i].name, name))
            return parityCompleted[i].what;
    return NULL;
}

static const char *
parityLookup(const char *name, gboolean gaps)
{
    size_t i;

    if (gaps) {
        for (i = 0; parityKnownGaps[i].name; i++)
            if (g_str_equal(parityKnownGaps[i].name, name))
                return parityKnownGaps[i].gap;
        return NULL;
    }
    for (i = 0; parityQemuRefuses[i].name; i++)
        if (g_str_equal(parityQemuRefuses[i].name, name))
            return parityQemuRefuses[i].why;
    return NULL;
}

/*
 * Returns: (transfer full) @xml as libvirt 9.0 and QEMU 7.2 here can define
 * it: <domain type='kvm'> made 'qemu' (these machines may have no
 * /dev/kvm), and a machine type QEMU 7.2 lacks (pc-q35-8.2, pc-1.2), which
 * the planner plans by its family, made that family's alias (q35, pc).
 * Neither changes where libvirt puts a PCI device.
 */
static char *
parityTCG(const char *xml)
{
    g_autoptr(GRegex) re = g_regex_new("(<domain\\s[^>]*?type\\s*=\\s*['\"])kvm(['\"])", 0, 0,
                                       NULL);
    g_autofree char *tcg = g_regex_replace(re, xml, -1, 0, "\\1qemu\\2", 0, NULL);
    g_autoptr(PpDomainDef) def = ppDomainDefParseString(tcg, strlen(tcg), NULL);
    const PpQemuMachine *family;
    g_autofree char *escaped = NULL;
    g_autofree char *pattern = NULL;
    g_autofree char *replacement = NULL;
    g_autoptr(GRegex) machine = NULL;

    if (!def || !def->machine || ppQemuMachineLookup(def->arch, def->machine, NULL) ||
        !(family = ppQemuMachineFromDef(def, NULL)))
        return g_steal_pointer(&tcg);
    escaped = g_regex_escape_string(def->machine, -1);
    pattern = g_strdup_printf("machine\\s*=\\s*(['\"])%s(['\"])", escaped);
    replacement = g_strdup_printf("machine=\\1%s\\2", family->alias);
    machine = g_regex_new(pattern, 0, 0, NULL);
    return g_regex_replace(machine, tcg, -1, 0, replacement, 0, NULL);
}

/* Returns: (transfer full) @xml without virt-pciplan's hint attributes. */
static char *
parityStripHints(const char *xml)
{
    g_autoptr(GRegex) re = g_regex_new("(<target\\b[^>]*?)\\s+(hotpluggable|preferredConnection|"
                                       "numaNode|p2pGroup)\\s*=\\s*('[^']*'|\"[^\"]*\")",
                                       0, 0, NULL);
    g_autofree char *cur = g_strdup(xml);

    for (;;) {
        g_autofree char *next = g_regex_replace(re, cur, -1, 0, "\\1", 0, NULL);

        if (g_str_equal(next, cur))
            return g_steal_pointer(&cur);
        g_free(cur);
        cur = g_steal_pointer(&next);
    }
}

/* Plan @text as `virt-pciplan plan` does. Returns: (transfer full) the
 * planned XML, or NULL with @error set. */
static char *
parityPlan(const char *text, GError **error)
{
    g_autoptr(PpDomainDef) def = NULL;
    PpPlanOptions opts = PP_PLAN_OPTIONS_INIT;
    gsize outlen;

    if (!(def = ppDomainDefParseString(text, strlen(text), error)) ||
        !ppQemuDomainPlan(def, &opts, NULL, error) || !ppQemuValidatePlanned(def, error))
        return NULL;
    return ppDomainDefFormat(def, &outlen, error);
}

/* Define @xml, undefine it again. Returns: TRUE when libvirt accepted it,
 * with its inactive XML in @ret_dumped; FALSE with @error set. */
static gboolean
parityDefine(const char *xml, char **ret_dumped, GError **error)
{
    g_autofree char *tcg = parityTCG(xml);
    g_autofree char *dumped = NULL;
    g_autoptr(PpDomainDef) def = NULL;

    if (!ppLibvirtDefine(agree.conn, tcg, &dumped, error))
        return FALSE;
    if (!(def = ppDomainDefParseString(dumped, strlen(dumped), error)) ||
        !ppLibvirtUndefine(agree.conn, def->name, error))
        return FALSE;
    if (ret_dumped)
        *ret_dumped = g_steal_pointer(&dumped);
    return TRUE;
}

/* A disagreement (@what: transfer full): a failure, or a TODO while the
 * input is a known gap. */
static void
parityDisagree(const char *name, char *what, gboolean *disagreed)
{
    g_autofree char *msg = what;
    const char *gap = parityLookup(name, TRUE);

    *disagreed = TRUE;
    if (gap) {
        g_test_message("%s", msg);
        g_test_incomplete(gap);
        return;
    }
    g_test_fail_printf("%s", msg);
}

static void
testCorpusMissing(void)
{
    if (g_getenv("CI"))
        g_test_fail_printf("no corpus at $PP_TEST_CORPUSDIR (../shared/corpus/libvirt)");
    else
        g_test_skip("no corpus at $PP_TEST_CORPUSDIR (../shared/corpus/libvirt beside the clone)");
}

/* The hints' mirror under <metadata> is keyed by alias: every alias it
 * names must still be a device's after define (libvirt drops aliases it
 * does not keep). */
static void
parityCheckHintAliases(const char *base, const char *planned, const char *dumped,
                       gboolean *disagreed)
{
    g_autoptr(PpDomainDef) def = ppDomainDefParseString(planned, strlen(planned), NULL);
    g_autoptr(PpDomainDef) after = ppDomainDefParseString(dumped, strlen(dumped), NULL);
    guint i;

    if (!def || !after) {
        parityDisagree(base, g_strdup_printf("%s: cannot read the plan or libvirt's XML", base),
                       disagreed);
        return;
    }
    for (i = 0; i < def->devices->len; i++) {
        const PpDeviceDef *dev = g_ptr_array_index(def->devices, i);

        if (!dev->alias || !ppDeviceHintsPresent(&dev->hints) ||
            g_hash_table_contains(after->aliases, dev->alias))
            continue;
        parityDisagree(base, g_strdup_printf("%s: libvirt dropped the alias '%s', under which the plan keeps the device's hints",
                                             base, dev->alias), disagreed);
        return;
    }
}

/* Judge one input (see the top of this file); @disagreed is set when
 * planner and libvirt disagree. */
static void
parityJudge(const char *base, const char *text, gboolean *disagreed)
{
    g_autofree char *planned = NULL;
    g_autofree char *dumped = NULL;
    g_autoptr(GError) planErr = NULL;
    g_autoptr(GError) err = NULL;
    const char *why;

    planned = parityPlan(text, &planErr);
    if (planErr && g_error_matches(planErr, PP_ERROR, PP_ERROR_INTERNAL)) {
        parityDisagree(base, g_strdup_printf("%s: internal error (exit 5) on an input: %s", base,
                                             planErr->message), disagreed);
        return;
    }

    if (planned) {
        g_autoptr(GError) inputErr = NULL;
        gboolean inputOk = parityDefine(text, NULL, &inputErr);

        if (!parityDefine(planned, &dumped, &err)) {
            if (!inputOk)
                parityDisagree(base, g_strdup_printf("%s: planned an input libvirt refuses (%s); the plan is refused with: %s",
                                                     base, inputErr->message, err->message), disagreed);
            else
                parityDisagree(base, g_strdup_printf("%s: libvirt refuses the plan of an input it accepts: %s",
                                                     base, err->message), disagreed);
            return;
        }
        /* libvirt's own addressing runs out of PCI slots it may add
         * (about 240 PCIe devices on q35); the plan, with every address
         * given, is what libvirt then accepts. */
        if (!inputOk && (parityLookupCompleted(base) ||
                         strstr(inputErr->message, "cannot be automatically added") ||
                         strstr(inputErr->message, "No more available PCI slots"))) {
            g_test_message("%s: completed by the plan: libvirt refuses the input: %s", base,
                           inputErr->message);
        } else if (!inputOk) {
            parityDisagree(base, g_strdup_printf("%s: planned an input libvirt refuses: %s", base,
                                                 inputErr->message), disagreed);
            return;
        }
        if (!ppDomainXMLCompare(planned, dumped, &err)) {
            if (g_getenv("PP_TEST_DEBUG"))
                g_test_message("libvirt's XML for %s:\n%s", base, dumped);
            parityDisagree(base, g_strdup(err->message), disagreed);
            return;
        }
        parityCheckHintAliases(base, planned, dumped, disagreed);
        return;
    }

    /* Refused: is the refusal deserved? */
    if (!parityDefine(text, NULL, &err)) {
        g_test_message("%s: refused, as libvirt refuses it: %s | ours: %s", base, err->message,
                       planErr->message);
        return;
    }
    if ((why = parityLookup(base, FALSE))) {
        g_test_message("%s: refused, as QEMU does (%s): %s", base, why, planErr->message);
        return;
    }
    {
        g_autofree char *bare = parityStripHints(text);
        g_autofree char *plain = NULL;
        g_autoptr(GError) plainErr = NULL;

        if (!g_str_equal(bare, text) && (plain = parityPlan(bare, &plainErr))) {
            g_test_message("%s: refused for a hint that cannot be met: %s", base,
                           planErr->message);
            return;
        }
    }
    parityDisagree(base, g_strdup_printf("%s: refused, but libvirt 9.0 accepts it: %s", base,
                                         planErr->message), disagreed);
}

static void
testParityInput(gconstpointer data)
{
    const char *path = data;
    g_autofree char *base = g_path_get_basename(path);
    g_autofree char *text = NULL;
    g_autoptr(GError) err = NULL;
    gboolean disagreed = FALSE;
    gsize len = 0;

    *strrchr(base, '.') = '\0';
    if (!testHaveConnection())
        return;
    if (!ppFileReadBounded(path, PP_FILE_MAX_INPUT, &text, &len, &err)) {
        g_test_fail_printf("%s", err->message);
        return;
    }
    parityJudge(base, text, &disagreed);
    /* The list of known gaps only shrinks. */
    if (!disagreed && parityLookup(base, TRUE))
        g_test_fail_printf("%s now agrees with libvirt: remove it from parityKnownGaps", base);
}

/* Every domain input: tests/qemuxml2argvdata, then the corpus. */
static void
parityAddInputs(void)
{
    const char *corpus = g_getenv("PP_TEST_CORPUSDIR");
    g_autofree char *ours = ppTestSrcPath("qemuxml2argvdata");
    g_autoptr(GPtrArray) files = testListDomainFiles(ours);
    g_autoptr(GPtrArray) corpusFiles = NULL;
    guint i;

    for (i = 0; i < files->len; i++) {
        const char *file = g_ptr_array_index(files, i);
        g_autofree char *base = g_path_get_basename(file);
        g_autofree char *tpath = g_strdup_printf("/libvirtagree/input/%s", base);

        g_test_add_data_func_full(tpath, g_strdup(file), testParityInput, g_free);
    }

    if (!corpus || !g_file_test(corpus, G_FILE_TEST_IS_DIR)) {
        g_test_add_func("/libvirtagree/corpus", testCorpusMissing);
        return;
    }
    corpusFiles = testListDomainFiles(corpus);
    for (i = 0; i < corpusFiles->len; i++) {
        const char *file = g_ptr_array_index(corpusFiles, i);
        g_autofree char *base = g_path_get_basename(file);
        g_autofree char *tpath = g_strdup_printf("/libvirtagree/corpus/%s", base);

        g_test_add_data_func_full(tpath, g_strdup(file), testParityInput, g_free);
    }
}

/* A fresh embed root and one connection to it. The root is in the
 * temporary directory, not the build directory (which may be deep, as in
 * an unpacked dist tarball): the started guest's QMP socket lies below it
 * and a UNIX socket path has at most 107 bytes. */
static gboolean
testAgreeOpen(GError **error)
{
    g_autofree char *template = g_build_filename(g_get_tmp_dir(), "libvirtagree-XXXXXX", NULL);
    g_autofree char *escaped = NULL;
    g_autofree char *uri = NULL;

    if (!g_mkdtemp(template)) {
        g_set_error(error, PP_ERROR, PP_ERROR_IO, "cannot create '%s': %s", template,
                    g_strerror(errno));
        return FALSE;
    }
    agree.root = g_steal_pointer(&template);
    escaped = g_uri_escape_string(agree.root, "/", TRUE);
    uri = g_strdup_printf("qemu:///embed?root=%s", escaped);
    agree.conn = ppLibvirtOpen(uri, error);
    return agree.conn != NULL;
}

int
main(int argc, char **argv)
{
    const char *dir = g_getenv("PP_AGREE_DIR");
    g_autoptr(GPtrArray) files = NULL;
    size_t i;
    int ret;

    ppTestInit(&argc, &argv);
    files = testListDomainFiles(dir ? dir : PP_AGREE_DEFAULT_DIR);
    (void)testAgreeOpen(&agree.openError);
    g_test_add_func("/libvirtagree/open", testOpen);
    for (i = 0; i < G_N_ELEMENTS(domainCapsCases); i++) {
        g_autofree char *path = g_strdup_printf("/libvirtagree/domcaps/%s-%s",
                                                domainCapsCases[i].arch,
                                                domainCapsCases[i].machine);

        g_test_add_data_func(path, &domainCapsCases[i], testDomainCaps);
    }
    g_test_add_func("/libvirtagree/start-destroy", testStartDestroy);
    for (i = 0; i < files->len; i++) {
        const char *file = g_ptr_array_index(files, i);
        g_autofree char *base = g_path_get_basename(file);
        g_autofree char *path = g_strdup_printf("/libvirtagree/file/%s", base);

        g_test_add_data_func(path, file, testAgreeFile);
    }

    parityAddInputs();

    ret = g_test_run();

    ppLibvirtClose(agree.conn);
    ppLibvirtShutdown();
    if (agree.root && ret == 0)
        ppTestRemoveTree(agree.root);
    else if (agree.root)
        g_printerr("# embed root kept for its logs: %s\n", agree.root);
    g_free(agree.root);
    g_clear_error(&agree.openError);
    return ret;
}
