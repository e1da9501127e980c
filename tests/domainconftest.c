/*
 * domainconftest.c: parsing, hints, hostile input, and the lossless writer
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "testutils.h"
#include "domain_conf.h"
#include "domain_format.h"
#include "pperror.h"

#include <string.h>

static gboolean ppDomainDefNeedsHintMirror(const PpDomainDef *def);

/* Every input, from libvirt's suite or ours, parses and is written back
 * byte for byte when nothing is edited. */
static void
testRoundTrip(gconstpointer data)
{
    const char *path = data;
    g_autoptr(GError) err = NULL;
    g_autoptr(PpDomainDef) def = NULL;
    g_autofree char *text = NULL;
    g_autofree char *out = NULL;
    gsize len = 0;
    gsize outlen = 0;

    text = ppTestLoadFile(path, &len);
    def = ppDomainDefParseString(text, len, &err);
    /* An input meant to be refused may be refused as it is read. */
    if (!def && g_str_has_suffix(path, "-error.xml") &&
        g_error_matches(err, PP_ERROR, PP_ERROR_CONFIG)) {
        g_test_skip(err->message);
        return;
    }
    g_assert_no_error(err);
    out = ppDomainDefFormat(def, &outlen, &err);
    g_assert_no_error(err);
    /* Hints on a device with an alias are mirrored under <metadata> by
     * the writer, unplanned too: then the output is a fixed point. */
    if (ppDomainDefNeedsHintMirror(def)) {
        g_autoptr(PpDomainDef) again = ppDomainDefParseString(out, outlen, &err);
        g_autofree char *out2 = NULL;
        gsize out2len = 0;

        g_assert_no_error(err);
        out2 = ppDomainDefFormat(again, &out2len, &err);
        g_assert_no_error(err);
        g_assert_cmpmem(out2, out2len, out, outlen);
        return;
    }
    g_assert_cmpuint(outlen, ==, len);
    g_assert_cmpmem(out, outlen, text, len);
}

/* Does the writer add a hint mirror (a device with hints on <target> and
 * an alias)? */
static gboolean
ppDomainDefNeedsHintMirror(const PpDomainDef *def)
{
    guint i;

    for (i = 0; i < def->devices->len; i++) {
        const PpDeviceDef *dev = g_ptr_array_index(def->devices, i);

        if (dev->alias && ppDeviceHintsPresent(&dev->hints) && !dev->hintsFromMetadata)
            return TRUE;
    }
    return FALSE;
}

#define DOMAIN_HEAD "<domain type='qemu'><name>t</name><memory>1024</memory>" \
                    "<os><type arch='x86_64' machine='q35'>hvm</type></os>"

static PpDomainDef *
parseOrFail(const char *xml, GError **err)
{
    return ppDomainDefParseString(xml, strlen(xml), err);
}

static void
assertConfigError(const char *xml, const char *needle)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(PpDomainDef) def = parseOrFail(xml, &err);

    g_assert_null(def);
    g_assert_error(err, PP_ERROR, PP_ERROR_CONFIG);
    if (needle && !strstr(err->message, needle))
        g_error("message '%s' lacks '%s'", err->message, needle);
}

static void
testHints(void)
{
    const char *xml = DOMAIN_HEAD "<devices>"
        "<interface type='user'><model type='virtio'/>"
        "<target dev='vnet0' hotpluggable='no' preferredConnection='pcie-switch-downstream-port' numaNode='1'/>"
        "</interface>"
        "<disk type='file' device='disk'><target dev='vda' bus='virtio' preferredConnection='virtio-mmio'/></disk>"
        "<memballoon model='virtio'/>"
        "</devices></domain>";
    g_autoptr(GError) err = NULL;
    g_autoptr(PpDomainDef) def = parseOrFail(xml, &err);
    const PpDeviceDef *net, *disk, *balloon;

    g_assert_no_error(err);
    g_assert_cmpuint(def->devices->len, ==, 3);
    net = g_ptr_array_index(def->devices, 0);
    disk = g_ptr_array_index(def->devices, 1);
    balloon = g_ptr_array_index(def->devices, 2);
    g_assert_cmpint(net->kind, ==, PP_DEVICE_INTERFACE);
    g_assert_cmpstr(net->model, ==, "virtio");
    g_assert_cmpint(net->hints.hotpluggable, ==, PP_TRISTATE_NO);
    g_assert_cmpint(net->hints.preferredConnection, ==, PP_CONNECTION_PCIE_SWITCH_DOWNSTREAM_PORT);
    g_assert_cmpint(net->hints.numaNode, ==, 1);
    g_assert_cmpstr(disk->dev, ==, "vda");
    g_assert_cmpstr(disk->bus, ==, "virtio");
    g_assert_cmpint(disk->hints.preferredConnection, ==, PP_CONNECTION_VIRTIO_MMIO);
    g_assert_cmpint(disk->hints.hotpluggable, ==, PP_TRISTATE_ABSENT);
    g_assert_cmpint(balloon->hints.numaNode, ==, -1);
}

static void
testHintErrors(void)
{
    /* The message names the device and the bad value. */
    assertConfigError(DOMAIN_HEAD "<devices><disk type='file' device='disk'>"
                      "<target dev='vdb' bus='virtio' preferredConnection='pcie-rot-port'/>"
                      "</disk></devices></domain>",
                      "'pcie-rot-port' on disk 'vdb'");
    assertConfigError(DOMAIN_HEAD "<devices><rng model='virtio'><backend model='random'/>"
                      "<target hotpluggable='maybe'/></rng></devices></domain>",
                      "'maybe' for attribute 'hotpluggable' of rng #1 (virtio)");
    assertConfigError(DOMAIN_HEAD "<devices><controller type='pci' index='1' model='pcie-root-prt'/>"
                      "</devices></domain>",
                      "Unknown PCI controller model 'pcie-root-prt'");
    assertConfigError(DOMAIN_HEAD "<devices><disk type='file' device='disk'><target dev='vda'/>"
                      "<address type='pci' domain='0x0000' bus='0x00' slot='0x20' function='0x0'/>"
                      "</disk></devices></domain>",
                      "'0x20' for attribute 'slot' of disk 'vda'");
}

static void
testAddresses(void)
{
    const char *xml = DOMAIN_HEAD "<devices>"
        "<controller type='pci' index='1' model='pcie-root-port'><model name='pcie-root-port'/>"
        "<target chassis='1' port='0x10'/>"
        "<address type='pci' domain='0x0000' bus='0x00' slot='0x02' function='0x0' multifunction='on'/></controller>"
        "<controller type='pci' index='2' model='pcie-expander-bus'><target busNr='254'><node>1</node></target></controller>"
        "<disk type='file' device='disk'><target dev='vda' bus='virtio'/><address type='pci'/></disk>"
        "<disk type='file' device='disk'><target dev='sda' bus='sata'/><address type='drive' controller='0' bus='0' target='0' unit='0'/></disk>"
        "</devices></domain>";
    g_autoptr(GError) err = NULL;
    g_autoptr(PpDomainDef) def = parseOrFail(xml, &err);
    const PpDeviceDef *rp, *pxb, *vda, *sda;

    g_assert_no_error(err);
    rp = g_ptr_array_index(def->devices, 0);
    pxb = g_ptr_array_index(def->devices, 1);
    vda = g_ptr_array_index(def->devices, 2);
    sda = g_ptr_array_index(def->devices, 3);
    g_assert_cmpint(rp->ctrl.pciModel, ==, PP_CONTROLLER_MODEL_PCIE_ROOT_PORT);
    g_assert_cmpint(rp->ctrl.index, ==, 1);
    g_assert_cmpint(rp->ctrl.chassis, ==, 1);
    g_assert_cmpint(rp->ctrl.port, ==, 0x10);
    g_assert_cmpint(rp->addr.type, ==, PP_ADDRESS_PCI);
    g_assert_cmpuint(rp->addr.pci.slot, ==, 2);
    g_assert_cmpint(rp->addr.pci.multifunction, ==, PP_TRISTATE_YES);
    g_assert_cmpint(pxb->ctrl.busNr, ==, 254);
    g_assert_cmpint(pxb->ctrl.numaNode, ==, 1);
    g_assert_cmpint(vda->addr.type, ==, PP_ADDRESS_PCI);
    g_assert_true(ppPCIAddressIsEmpty(&vda->addr.pci));
    g_assert_cmpint(sda->addr.type, ==, PP_ADDRESS_DRIVE);
}

/* Hostile input: each is refused with a configuration error. */
static void
testHostile(void)
{
    /* External entity (XXE): refused with the DOCTYPE, nothing is read. */
    assertConfigError("<?xml version='1.0'?>\n<!DOCTYPE domain [<!ENTITY x SYSTEM 'file:///etc/passwd'>]>\n"
                      "<domain type='qemu'><name>&x;</name></domain>",
                      "DOCTYPE");
    /* Entity expansion bomb. */
    assertConfigError("<!DOCTYPE d [<!ENTITY a 'aaaaaaaaaa'><!ENTITY b '&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;'>"
                      "<!ENTITY c '&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;'>]><domain>&c;</domain>",
                      "DOCTYPE");
    assertConfigError("<domain type='qemu'><name>x</name>", "never closed");
    assertConfigError("<domain type='qemu'><name>x</nam></domain>", "Malformed XML");
    assertConfigError("<domain type='qemu'><name>&undefined;</name></domain>", "Malformed XML");
    assertConfigError("<network><name>x</name></network>", "Expected a <domain>");
    assertConfigError("<domain xmlns='urn:x' type='qemu'><name>x</name></domain>",
                      "in the namespace 'urn:x'");
    /* Encodings libxml2 would read differently from the byte scanner. */
    assertConfigError("<?xml version='1.0' encoding='UTF-7'?>\n<domain type='qemu'>"
                      "<name>x</name>+ADw-!-- </domain>", "encoding='UTF-7'");
    assertConfigError("<?xml version=\"1.0\" encoding = \"iso-8859-1\" ?><domain><name>x</name></domain>",
                      "encoding='iso-8859-1'");
    assertConfigError("<domain type='qemu'><name>caf\xe9</name></domain>", "not valid UTF-8");
    assertConfigError("\x4c\x84\x96\x94\x81\x89\x95\x6e", "EBCDIC");
    assertConfigError("\xff\xfe<", "UTF-16LE");
    assertConfigError("<domain type='qemu'><name>x</name></domain>", "<os><type>");
    {
        g_autoptr(GString) deep = g_string_new("<domain>");
        guint i;

        for (i = 0; i < 300; i++)
            g_string_append(deep, "<a>");
        for (i = 0; i < 300; i++)
            g_string_append(deep, "</a>");
        g_string_append(deep, "</domain>");
        assertConfigError(deep->str, "nested deeper");
    }
}

/* The writer: addresses added or replaced, new devices indented like
 * their siblings, every other byte kept. */
static void
testWriter(void)
{
    const char *xml =
        "<domain type='qemu'>\n"
        "  <!-- keep me -->\n"
        "  <name>t</name>\n"
        "  <os><type arch='x86_64' machine='q35'>hvm</type></os>\n"
        "  <devices>\n"
        "    <disk type=\"file\"   device='disk'>\n"
        "      <target dev='vda' bus='virtio'/>\n"
        "    </disk>\n"
        "    <controller type='pci' index='0' model='pcie-root'/>\n"
        "    <interface type='user'><model type='virtio'/><address type='pci'/></interface>\n"
        "    <memballoon model='virtio' />\n"
        "  </devices>\n"
        "</domain>\n";
    const char *expected =
        "<domain type='qemu'>\n"
        "  <!-- keep me -->\n"
        "  <name>t</name>\n"
        "  <os><type arch='x86_64' machine='q35'>hvm</type></os>\n"
        "  <devices>\n"
        "    <disk type=\"file\"   device='disk'>\n"
        "      <target dev='vda' bus='virtio'/>\n"
        "      <address type='pci' domain='0x0000' bus='0x01' slot='0x00' function='0x0'/>\n"
        "    </disk>\n"
        "    <controller type='pci' index='0' model='pcie-root'/>\n"
        "    <controller type='pci' index='1' model='pcie-root-port'>\n"
        "      <model name='pcie-root-port'/>\n"
        "      <target chassis='1' port='0x10'/>\n"
        "      <address type='pci' domain='0x0000' bus='0x00' slot='0x02' function='0x0' multifunction='on'/>\n"
        "    </controller>\n"
        "    <interface type='user'><model type='virtio'/><address type='pci' domain='0x0000' bus='0x02' slot='0x00' function='0x0'/></interface>\n"
        "    <memballoon model='virtio' >\n"
        "      <address type='pci' domain='0x0000' bus='0x03' slot='0x00' function='0x0'/>\n"
        "    </memballoon>\n"
        "  </devices>\n"
        "</domain>\n";
    g_autoptr(GError) err = NULL;
    g_autoptr(PpDomainDef) def = parseOrFail(xml, &err);
    PpDeviceDef *rp = ppDeviceDefNew(PP_DEVICE_CONTROLLER);
    PpDeviceAddress addr = { .type = PP_ADDRESS_PCI };
    g_autofree char *out = NULL;
    gsize outlen;
    guint i;

    g_assert_no_error(err);
    for (i = 0; i < def->devices->len; i++) {
        PpDeviceDef *dev = g_ptr_array_index(def->devices, i);

        if (dev->kind == PP_DEVICE_CONTROLLER)
            continue;
        addr.pci.bus = i == 0 ? 1 : i;
        ppDeviceDefSetAddress(dev, &addr);
    }
    rp->type = g_strdup("pci");
    rp->model = g_strdup("pcie-root-port");
    rp->ctrl.index = 1;
    rp->ctrl.modelName = g_strdup("pcie-root-port");
    rp->ctrl.chassis = 1;
    rp->ctrl.port = 0x10;
    rp->addr = (PpDeviceAddress){ .type = PP_ADDRESS_PCI, .pci = { .slot = 2,
                                  .multifunction = PP_TRISTATE_YES } };
    ppDomainDefAddDevice(def, rp);

    out = ppDomainDefFormat(def, &outlen, &err);
    g_assert_no_error(err);
    g_assert_cmpstr(out, ==, expected);
}

/* libvirt keeps <metadata> and ua- aliases but drops our <target>
 * attributes: the hints come back from the mirror, and a mirror that
 * libvirt re-quoted and reordered is left as it is. */
static void
testHintsFromMetadata(void)
{
    const char *xml =
        "<domain type='qemu' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>\n"
        "  <name>t</name>\n"
        "  <metadata>\n"
        "    <pciplan:hints xmlns:pciplan=\"urn:virt-pciplan:hints:1\">\n"
        "      <pciplan:device alias=\"ua-nic\" preferredConnection=\"pcie-root-port\" numaNode=\"1\"/>\n"
        "      <pciplan:device alias=\"ua-disk\" hotpluggable=\"no\"/>\n"
        "      <pciplan:device alias=\"ua-gone\" hotpluggable=\"no\"/>\n"
        "    </pciplan:hints>\n"
        "  </metadata>\n"
        "  <os><type arch='x86_64' machine='q35'>hvm</type></os>\n"
        "  <devices>\n"
        "    <disk type='file' device='disk'><target dev='vda' bus='virtio'/><alias name='ua-disk'/></disk>\n"
        "    <interface type='user'><model type='virtio'/><alias name='ua-nic'/></interface>\n"
        "    <rng model='virtio'><target hotpluggable='yes'/><alias name='ua-rng'/></rng>\n"
        "  </devices>\n"
        "  <qemu:override>\n"
        "    <qemu:device alias='ua-rng'><qemu:frontend><qemu:property name='io-reserve' type='unsigned' value='0'/></qemu:frontend></qemu:device>\n"
        "  </qemu:override>\n"
        "</domain>\n";
    g_autoptr(GError) err = NULL;
    g_autoptr(PpDomainDef) def = parseOrFail(xml, &err);
    const PpDeviceDef *disk, *nic, *rng;
    g_autofree char *out = NULL;
    gsize outlen;

    g_assert_no_error(err);
    disk = g_ptr_array_index(def->devices, 0);
    nic = g_ptr_array_index(def->devices, 1);
    rng = g_ptr_array_index(def->devices, 2);
    g_assert_true(disk->hintsFromMetadata);
    g_assert_cmpint(disk->hints.hotpluggable, ==, PP_TRISTATE_NO);
    g_assert_cmpint(nic->hints.preferredConnection, ==, PP_CONNECTION_PCIE_ROOT_PORT);
    g_assert_cmpint(nic->hints.numaNode, ==, 1);
    /* The rng's own <target> wins; it is simply not mirrored yet. */
    g_assert_false(rng->hintsFromMetadata);
    g_assert_cmpint(rng->hints.hotpluggable, ==, PP_TRISTATE_YES);
    g_assert_true(rng->ioReserveKnown);
    g_assert_cmpstr(def->qemuPrefix, ==, "qemu");

    /* The rng's hint joins the mirror and the vanished device leaves it. */
    out = ppDomainDefFormat(def, &outlen, &err);
    g_assert_no_error(err);
    g_assert_nonnull(strstr(out, "<pciplan:device alias='ua-rng' hotpluggable='yes'/>"));
    g_assert_null(strstr(out, "ua-gone"));
}

/* A document that binds the prefix "qemu" to something else gets libvirt's
 * namespace under another prefix, not a second xmlns:qemu (found by
 * fuzzing: the output did not parse). */
static void
testQemuPrefixTaken(void)
{
    const char *xml =
        "<domain type='qemu' xmlns:qemu='urn:not-libvirt'>\n"
        "  <name>t</name>\n"
        "  <os><type arch='x86_64' machine='q35'>hvm</type></os>\n"
        "  <devices>\n"
        "    <controller type='pci' index='1' model='pcie-root-port'><alias name='ua-rp'/></controller>\n"
        "  </devices>\n"
        "</domain>\n";
    g_autoptr(GError) err = NULL;
    g_autoptr(PpDomainDef) def = parseOrFail(xml, &err);
    g_autoptr(PpDomainDef) again = NULL;
    PpDeviceDef *rp;
    g_autofree char *out = NULL;
    gsize outlen;

    g_assert_no_error(err);
    g_assert_true(def->qemuPrefixTaken);
    rp = g_ptr_array_index(def->devices, 0);
    rp->ioReserveZero = TRUE;
    out = ppDomainDefFormat(def, &outlen, &err);
    g_assert_no_error(err);
    g_assert_nonnull(strstr(out, "xmlns:ppqemu='http://libvirt.org/schemas/domain/qemu/1.0'"));
    g_assert_nonnull(strstr(out, "<ppqemu:device alias='ua-rp'>"));
    again = ppDomainDefParseString(out, outlen, &err);
    g_assert_no_error(err);
    g_assert_true(((PpDeviceDef *)g_ptr_array_index(again->devices, 0))->ioReserveKnown);
}

/* A user's alias may hold quotes and ampersands: the mirror escapes it. */
static void
testAliasEscaped(void)
{
    const char *xml =
        "<domain type='qemu'>\n  <name>t</name>\n"
        "  <os><type arch='x86_64' machine='q35'>hvm</type></os>\n"
        "  <devices>\n"
        "    <rng model='virtio'><target hotpluggable='no'/><alias name=\"ua-it's&amp;\"/></rng>\n"
        "  </devices>\n</domain>\n";
    g_autoptr(GError) err = NULL;
    g_autoptr(PpDomainDef) def = parseOrFail(xml, &err);
    g_autoptr(PpDomainDef) again = NULL;
    g_autofree char *out = NULL;
    gsize outlen;
    PpDeviceDef *rng;

    g_assert_no_error(err);
    rng = g_ptr_array_index(def->devices, 0);
    g_assert_cmpstr(rng->alias, ==, "ua-it's&");
    rng->ioReserveZero = TRUE;
    out = ppDomainDefFormat(def, &outlen, &err);
    g_assert_no_error(err);
    again = ppDomainDefParseString(out, outlen, &err);
    g_assert_no_error(err);
    g_assert_nonnull(strstr(out, "alias='ua-it&apos;s&amp;'"));
    g_assert_true(((PpDeviceDef *)g_ptr_array_index(again->devices, 0))->ioReserveKnown);
}

int
main(int argc, char **argv)
{
    const char *corpus = NULL;
    g_autofree char *inputs = NULL;
    g_autoptr(GPtrArray) files = NULL;
    g_autoptr(GPtrArray) ours = NULL;
    guint i;

    ppTestInit(&argc, &argv);

    g_test_add_func("/conf/hints", testHints);
    g_test_add_func("/conf/hint-errors", testHintErrors);
    g_test_add_func("/conf/addresses", testAddresses);
    g_test_add_func("/conf/hostile", testHostile);
    g_test_add_func("/conf/writer", testWriter);
    g_test_add_func("/conf/hints-from-metadata", testHintsFromMetadata);
    g_test_add_func("/conf/qemu-prefix-taken", testQemuPrefixTaken);
    g_test_add_func("/conf/alias-escaped", testAliasEscaped);

    if ((corpus = ppTestCorpusDir("/conf/roundtrip/corpus"))) {
        files = ppTestListDir(corpus, ".xml");
        g_assert_cmpuint(files->len, >=, 52);
    } else {
        files = g_ptr_array_new_with_free_func(g_free);
    }
    inputs = ppTestSrcPath("qemuxml2argvdata");
    ours = ppTestListDir(inputs, ".xml");
    for (i = 0; i < ours->len; i++)
        g_ptr_array_add(files, g_strdup(g_ptr_array_index(ours, i)));
    for (i = 0; i < files->len; i++) {
        const char *path = g_ptr_array_index(files, i);
        g_autofree char *base = g_path_get_basename(path);
        g_autofree char *name = g_strdup_printf("/conf/roundtrip/%s%s",
                                                i < files->len - ours->len ? "corpus/" : "",
                                                base);

        g_test_add_data_func(name, path, testRoundTrip);
    }
    return g_test_run();
}
