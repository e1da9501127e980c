/*
 * schematest.c: hinted inputs and planned golden files are valid, by
 * virt-pciplan's schema for the hints and libvirt's for the rest
 *
 * Every input of tests/qemuxml2argvdata that carries hints and plans (its
 * golden is a .xml, not a .err), and every planned golden file of
 * tests/qemuxml2xmloutdata, is checked in three parts:
 *  - the hint attributes on <target> elements, gathered into a mirror
 *    document, against docs/schemas/virt-pciplan-hints.rng;
 *  - the <metadata> mirror (urn:virt-pciplan:hints:1) against the same;
 *  - the document without the <target> hint attributes against libvirt
 *    9.0's domain.rng (PP_LIBVIRT_DOMAIN_RNG, from the libvirt0 package).
 *    A planned golden may not carry hints on <target> at all: planned
 *    XML keeps them only in the mirror, so it validates as it is.
 * libvirt's schema missing is a failure under CI (env CI) and a skip with
 * the reason otherwise.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "testutils.h"

#include <libxml/parser.h>
#include <libxml/relaxng.h>
#include <libxml/tree.h>
#include <string.h>

#define PP_HINTS_NS "urn:virt-pciplan:hints:1"

static const char *const hintNames[] = { "hotpluggable", "preferredConnection", "numaNode",
                                         "p2pGroup" };

/*
 * Golden files of corpus inputs that libvirt 9.0's own schema refuses,
 * because the input (libvirt's test corpus, written for later libvirt)
 * already does; libvirt 9.0's parser accepts and drops what its schema
 * lacks. Measured with xmllint --relaxng on the corpus inputs themselves.
 * Each entry must keep failing, so that the list only shrinks.
 */
static const struct {
    const char *name;
    const char *why;
} libvirtSchemaRefuses[] = {
    { "corpus-hostdev-vfio.xml", "memReserve on a pci-bridge <target> (libvirt > 9.0)" },
    { "corpus-q35-usb2.xml", "memReserve on a pci-bridge <target> (libvirt > 9.0)" },
    { "corpus-virtio-iommu-x86_64.xml", "<driver><granule> of a virtio IOMMU (libvirt > 9.0)" },
};

typedef struct {
    xmlRelaxNGPtr hints;
    xmlRelaxNGPtr domain;
    char *domainPath;
} PpSchemas;

static PpSchemas schemas;

typedef struct {
    char *path;
    gboolean planned; /* a golden file: no hints on <target> allowed */
} PpSchemaCase;

static xmlRelaxNGPtr
testLoadSchema(const char *path)
{
    xmlRelaxNGParserCtxtPtr pctxt = xmlRelaxNGNewParserCtxt(path);
    xmlRelaxNGPtr schema = xmlRelaxNGParse(pctxt);

    xmlRelaxNGFreeParserCtxt(pctxt);
    return schema;
}

/* Validation errors go to the test log, one per line. */
static void G_GNUC_PRINTF(2, 3)
testSchemaError(void *ctx, const char *fmt, ...)
{
    GString *log = ctx;
    va_list ap;

    va_start(ap, fmt);
    g_string_append_vprintf(log, fmt, ap);
    va_end(ap);
}

/* One line for TAP: the validator's messages end in newlines. */
static const char *
testOneLine(GString *log)
{
    g_strchomp(log->str);
    log->len = strlen(log->str);
    g_strdelimit(log->str, "\n", ';');
    return log->str;
}

static gboolean
testValidate(xmlRelaxNGPtr schema, xmlDocPtr doc, GString *log)
{
    xmlRelaxNGValidCtxtPtr vctxt = xmlRelaxNGNewValidCtxt(schema);
    int rc;

    xmlRelaxNGSetValidErrors(vctxt, testSchemaError, testSchemaError, log);
    rc = xmlRelaxNGValidateDoc(vctxt, doc);
    xmlRelaxNGFreeValidCtxt(vctxt);
    return rc == 0;
}

/*
 * Move the hint attributes of every <target> of a device into a new
 * <device> entry of @mirror, aliased after the device; returns how many
 * <target> elements had any.
 */
static guint
testTakeTargetHints(xmlDocPtr doc, xmlNodePtr mirror)
{
    xmlNodePtr root = xmlDocGetRootElement(doc);
    xmlNodePtr devices;
    xmlNodePtr dev;
    guint n = 0;

    for (devices = root->children; devices; devices = devices->next) {
        if (devices->type != XML_ELEMENT_NODE || !xmlStrEqual(devices->name, BAD_CAST "devices"))
            continue;
        for (dev = devices->children; dev; dev = dev->next) {
            xmlNodePtr target;
            xmlNodePtr next;

            for (target = dev->children; target; target = next) {
                xmlNodePtr entry = NULL;
                xmlNodePtr child;
                size_t i;

                next = target->next;

                if (target->type != XML_ELEMENT_NODE ||
                    !xmlStrEqual(target->name, BAD_CAST "target"))
                    continue;
                for (i = 0; i < G_N_ELEMENTS(hintNames); i++) {
                    xmlAttrPtr attr = xmlHasNsProp(target, BAD_CAST hintNames[i], NULL);
                    xmlChar *value;

                    if (!attr)
                        continue;
                    if (!entry) {
                        g_autofree char *alias = g_strdup_printf("ua-%s-%u",
                                                                 (const char *)dev->name, n++);

                        entry = xmlNewChild(mirror, NULL, BAD_CAST "device", NULL);
                        xmlNewProp(entry, BAD_CAST "alias", BAD_CAST alias);
                    }
                    value = xmlNodeGetContent((xmlNodePtr)attr);
                    xmlNewProp(entry, BAD_CAST hintNames[i], value);
                    xmlFree(value);
                    xmlRemoveProp(attr);
                }
                /* A <target> that held only hints goes, as in planned XML:
                 * libvirt has none on rng, memballoon, video... */
                for (child = target->children; child; child = child->next)
                    if (child->type == XML_ELEMENT_NODE)
                        break;
                if (entry && !target->properties && !child) {
                    xmlUnlinkNode(target);
                    xmlFreeNode(target);
                }
            }
        }
    }
    return n;
}

/* Returns: (transfer full) a document of the <metadata> mirror, or NULL
 * when the domain has none. */
static xmlDocPtr
testCopyMirror(xmlDocPtr doc)
{
    xmlNodePtr root = xmlDocGetRootElement(doc);
    xmlNodePtr meta;
    xmlNodePtr cur;

    for (meta = root->children; meta; meta = meta->next) {
        if (meta->type != XML_ELEMENT_NODE || !xmlStrEqual(meta->name, BAD_CAST "metadata"))
            continue;
        for (cur = meta->children; cur; cur = cur->next) {
            xmlDocPtr copy;

            if (cur->type != XML_ELEMENT_NODE || !cur->ns ||
                !xmlStrEqual(cur->ns->href, BAD_CAST PP_HINTS_NS))
                continue;
            copy = xmlNewDoc(BAD_CAST "1.0");
            xmlDocSetRootElement(copy, xmlDocCopyNode(cur, copy, 1));
            return copy;
        }
    }
    return NULL;
}

static const char *
testLibvirtRefuses(const char *base)
{
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(libvirtSchemaRefuses); i++)
        if (g_str_equal(libvirtSchemaRefuses[i].name, base))
            return libvirtSchemaRefuses[i].why;
    return NULL;
}

static void
testSchemaFile(gconstpointer data)
{
    const PpSchemaCase *tc = data;
    g_autofree char *base = g_path_get_basename(tc->path);
    g_autoptr(GString) log = g_string_new(NULL);
    xmlDocPtr doc;
    xmlDocPtr targets;
    xmlDocPtr mirror;
    xmlNodePtr hints;
    const char *refused = testLibvirtRefuses(base);
    guint hinted;

    if (!schemas.domain) {
        if (g_getenv("CI"))
            g_test_fail_printf("libvirt's domain schema is missing (%s)", schemas.domainPath);
        else
            g_test_skip_printf("libvirt's domain schema is missing (%s)", schemas.domainPath);
        return;
    }
    doc = xmlReadFile(tc->path, NULL, XML_PARSE_NONET);
    g_assert_nonnull(doc);

    targets = xmlNewDoc(BAD_CAST "1.0");
    hints = xmlNewNode(NULL, BAD_CAST "hints");
    xmlSetNs(hints, xmlNewNs(hints, BAD_CAST PP_HINTS_NS, NULL));
    xmlDocSetRootElement(targets, hints);
    hinted = testTakeTargetHints(doc, hints);
    if (tc->planned && hinted > 0)
        g_test_fail_printf("%s: %u <target> elements keep hints; planned XML has them only in "
                           "the <metadata> mirror", base, hinted);
    if (!testValidate(schemas.hints, targets, log))
        g_test_fail_printf("%s: hints on <target> against the hints schema: %s", base,
                           testOneLine(log));

    if ((mirror = testCopyMirror(doc))) {
        g_string_truncate(log, 0);
        if (!testValidate(schemas.hints, mirror, log))
            g_test_fail_printf("%s: the <metadata> mirror against the hints schema: %s", base,
                               testOneLine(log));
        xmlFreeDoc(mirror);
    }

    g_string_truncate(log, 0);
    if (testValidate(schemas.domain, doc, log)) {
        if (refused)
            g_test_fail_printf("%s: libvirt's schema accepts it now (listed: %s); drop it from "
                               "libvirtSchemaRefuses", base, refused);
    } else if (refused) {
        g_test_message("%s: libvirt's own schema refuses the input: %s", base, refused);
    } else {
        g_test_fail_printf("%s: against %s: %s", base, schemas.domainPath, testOneLine(log));
    }
    xmlFreeDoc(targets);
    xmlFreeDoc(doc);
}

/* Whether the file names a hint anywhere (target attribute or mirror). */
static gboolean
testHasHints(const char *path)
{
    g_autofree char *text = ppTestLoadFile(path, NULL);
    size_t i;

    if (strstr(text, PP_HINTS_NS))
        return TRUE;
    for (i = 0; i < G_N_ELEMENTS(hintNames); i++) {
        g_autofree char *attr = g_strdup_printf(" %s=", hintNames[i]);

        if (strstr(text, attr))
            return TRUE;
    }
    return FALSE;
}

static void
testAddCase(const char *kind, const char *path, gboolean planned)
{
    PpSchemaCase *tc = g_new0(PpSchemaCase, 1);
    g_autofree char *base = g_path_get_basename(path);
    g_autofree char *name = g_strdup_printf("/schema/%s/%s", kind, base);

    tc->path = g_strdup(path);
    tc->planned = planned;
    /* The test table lives as long as the process. */
    g_test_add_data_func(name, tc, testSchemaFile);
}

int
main(int argc, char **argv)
{
    g_autofree char *hintsPath = NULL;
    g_autofree char *inputs = ppTestSrcPath("qemuxml2argvdata");
    g_autofree char *goldens = ppTestSrcPath("qemuxml2xmloutdata");
    g_autoptr(GPtrArray) inFiles = NULL;
    g_autoptr(GPtrArray) outFiles = NULL;
    const char *domainPath = g_getenv("PP_LIBVIRT_DOMAIN_RNG");
    guint i;
    int ret;

    ppTestInit(&argc, &argv);
    hintsPath = ppTestSrcPath("../docs/schemas/virt-pciplan-hints.rng");
    schemas.hints = testLoadSchema(hintsPath);
    g_assert_nonnull(schemas.hints);
    schemas.domainPath = g_strdup(domainPath ? domainPath : "PP_LIBVIRT_DOMAIN_RNG unset");
    if (domainPath && g_file_test(domainPath, G_FILE_TEST_IS_REGULAR))
        schemas.domain = testLoadSchema(domainPath);

    inFiles = ppTestListDir(inputs, ".xml");
    for (i = 0; i < inFiles->len; i++) {
        const char *path = g_ptr_array_index(inFiles, i);
        g_autofree char *base = g_path_get_basename(path);
        g_autofree char *golden = g_build_filename(goldens, base, NULL);

        if (testHasHints(path) && g_file_test(golden, G_FILE_TEST_IS_REGULAR))
            testAddCase("input", path, FALSE);
    }
    outFiles = ppTestListDir(goldens, ".xml");
    for (i = 0; i < outFiles->len; i++)
        testAddCase("planned", g_ptr_array_index(outFiles, i), TRUE);

    ret = g_test_run();
    xmlRelaxNGFree(schemas.hints);
    if (schemas.domain)
        xmlRelaxNGFree(schemas.domain);
    g_free(schemas.domainPath);
    return ret;
}
