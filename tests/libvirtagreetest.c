/*
 * libvirtagreetest.c: libvirt's real QEMU driver keeps our plans as they are
 *
 * Every planned domain in $PP_AGREE_DIR (the golden files of
 * tests/qemuxml2xmloutdata by default) is defined through libvirt's
 * embedded QEMU driver, dumped, undefined, and compared with what we
 * planned (ppLibvirtCompareDomainXML): libvirt auto-adds whatever a domain
 * lacks, so any controller or address it adds means the plan was
 * incomplete. One connection serves every file, because the first open of
 * a fresh root probes each QEMU binary (~4 s) while a define takes ~0.1 s.
 *
 * Missing libvirt, QEMU or the libvirt-qemu user is a failure, not a skip:
 * CI prepares the machine with .ci/setup-libvirt.sh.
 *
 * Environment: PP_AGREE_DIR (the files), PP_TEST_BUILDDIR (where the fresh
 * embed root is made; kept on failure for its logs under log/qemu),
 * PP_TEST_DEBUG=1 (show libvirt's XML of a failing file).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "pp_libvirt.h"
#include "domain_conf.h"
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

static void
testAgreeFile(gconstpointer data)
{
    const char *path = data;
    g_autofree char *planned = NULL;
    g_autofree char *dumped = NULL;
    g_autoptr(PpDomainDef) def = NULL;
    g_autoptr(GError) err = NULL;
    gsize len = 0;

    if (!testHaveConnection())
        return;
    if (!ppFileReadBounded(path, PP_FILE_MAX_INPUT, &planned, &len, &err) ||
        !ppLibvirtDefine(agree.conn, planned, &dumped, &err)) {
        g_test_fail_printf("%s: %s", path, err->message);
        return;
    }
    /* Names repeat across files: undefine before judging. */
    if (!(def = ppDomainDefParseString(dumped, strlen(dumped), &err)) ||
        !ppLibvirtUndefine(agree.conn, def->name, &err)) {
        g_test_fail_printf("%s: %s", path, err->message);
        return;
    }
    if (!ppLibvirtCompareDomainXML(planned, dumped, &err)) {
        if (g_getenv("PP_TEST_DEBUG"))
            g_test_message("libvirt's XML for %s:\n%s", path, dumped);
        g_test_fail_printf("%s: %s", path, err->message);
    }
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


/* A fresh embed root in the build directory, and one connection to it. */
static gboolean
testAgreeOpen(GError **error)
{
    const char *builddir = g_getenv("PP_TEST_BUILDDIR");
    g_autofree char *template = g_build_filename(builddir ? builddir : g_get_tmp_dir(),
                                                 "libvirtagree-XXXXXX", NULL);
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

    ret = g_test_run();

    ppLibvirtClose(agree.conn);
    if (agree.root && ret == 0)
        ppTestRemoveTree(agree.root);
    else if (agree.root)
        g_printerr("# embed root kept for its logs: %s\n", agree.root);
    g_free(agree.root);
    g_clear_error(&agree.openError);
    return ret;
}
