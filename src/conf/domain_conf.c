/*
 * domain_conf.c: the parts of a libvirt <domain> that PCI planning reads
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "domain_conf.h"
#include "xml_util.h"
#include "pperror.h"

#include <libxml/parser.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* Small XML helpers                                                   */

G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlParserCtxt, xmlFreeParserCtxt);

/* Like ppXmlPropUInt() into an int that stays -1 when absent. */
static gboolean
ppXmlPropOptInt(xmlNodePtr node, const char *name, guint64 max, const char *what, int *ret,
                GError **error)
{
    gboolean present;
    guint64 num = 0;

    *ret = -1;
    if (!node)
        return TRUE;
    if (!ppXmlPropUInt(node, name, max, what, &present, &num, error))
        return FALSE;
    if (present)
        *ret = (int)num;
    return TRUE;
}

static gboolean
ppXmlPropTristate(xmlNodePtr node, const char *name, const char *yes, const char *no,
                  const char *what, PpTristate *ret, GError **error)
{
    g_autofree char *val = node ? ppXmlProp(node, name) : NULL;

    *ret = PP_TRISTATE_ABSENT;
    if (!val)
        return TRUE;
    if (g_str_equal(val, yes)) {
        *ret = PP_TRISTATE_YES;
    } else if (g_str_equal(val, no)) {
        *ret = PP_TRISTATE_NO;
    } else {
        g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                    _("Invalid value '%1$s' for attribute '%2$s' of %3$s: expected '%4$s' or '%5$s'"),
                    val, name, what, yes, no);
        return FALSE;
    }
    return TRUE;
}

/* ------------------------------------------------------------------ */
/* Devices                                                             */

void
ppDeviceDefFree(PpDeviceDef *dev)
{
    if (!dev)
        return;
    g_free(dev->type);
    g_free(dev->model);
    g_free(dev->bus);
    g_free(dev->device);
    g_free(dev->driverName);
    g_free(dev->targetType);
    g_free(dev->dev);
    g_free(dev->mac);
    g_free(dev->alias);
    g_free(dev->aliasDropped);
    g_free(dev->hints.p2pGroup);
    g_free(dev->ctrl.modelName);
    g_free(dev);
}
/**
 * ppDeviceDefNew:
 * Returns: (transfer full) an empty device of @kind, marked as added.
 */
/* A device with every optional number unset (-1), whatever its kind. */
static PpDeviceDef *
ppDeviceDefAlloc(PpDeviceKind kind)
{
    PpDeviceDef *dev = g_new0(PpDeviceDef, 1);

    dev->kind = kind;
    dev->hints.numaNode = -1;
    dev->ctrl.index = -1;
    dev->ctrl.chassisNr = -1;
    dev->ctrl.chassis = -1;
    dev->ctrl.port = -1;
    dev->ctrl.busNr = -1;
    dev->ctrl.numaNode = -1;
    return dev;
}

PpDeviceDef *
ppDeviceDefNew(PpDeviceKind kind)
{
    PpDeviceDef *dev = ppDeviceDefAlloc(kind);

    dev->added = TRUE;
    return dev;
}

void
ppDomainDefAddDevice(PpDomainDef *def, PpDeviceDef *dev)
{
    dev->ordinal = def->devices->len;
    dev->kindOrdinal = def->kindCounts[dev->kind]++;
    g_ptr_array_add(def->devices, dev);
}

static gboolean
ppDeviceAddressEqual(const PpDeviceAddress *a, const PpDeviceAddress *b)
{
    if (a->type != b->type)
        return FALSE;
    if (a->type != PP_ADDRESS_PCI)
        return TRUE;
    return a->pci.domain == b->pci.domain && a->pci.bus == b->pci.bus &&
           a->pci.slot == b->pci.slot && a->pci.function == b->pci.function &&
           a->pci.multifunction == b->pci.multifunction;
}

void
ppDeviceDefSetAddress(PpDeviceDef *dev, const PpDeviceAddress *addr)
{
    if (ppDeviceAddressEqual(&dev->addr, addr) && (dev->addrNode || dev->added))
        return;
    dev->addr = *addr;
    dev->addrChanged = TRUE;
}

/**
 * ppDeviceDefDescribe:
 * Returns: (transfer full) a short human name for @dev.
 */
char *
ppDeviceDefDescribe(const PpDeviceDef *dev)
{
    const char *kind = ppDeviceKindToString(dev->kind);

    if (dev->kind == PP_DEVICE_OTHER && dev->node)
        kind = (const char *)dev->node->name;
    /* Our own generated aliases (ua-pp-...) mean nothing to the user. */
    if (dev->alias && !g_str_has_prefix(dev->alias, "ua-pp-"))
        return g_strdup_printf("%s '%s'", kind, dev->alias);
    if (dev->kind == PP_DEVICE_DISK && dev->dev)
        return g_strdup_printf("disk '%s'", dev->dev);
    if (dev->kind == PP_DEVICE_INTERFACE && (dev->mac || dev->dev)) /* as virsh domiflist */
        return g_strdup_printf(dev->mac ? "interface %s" : "interface '%s'", dev->mac ?: dev->dev);
    if (dev->kind == PP_DEVICE_CONTROLLER) {
        const char *model = dev->model ? dev->model : "";

        /* An index the planner gave is not one the user can find in the
         * document: name the element as written, and where it is. */
        if (dev->indexAdded)
            return g_strdup_printf("controller type='%s'%s%s%s without index (<controller> #%u)",
                                   dev->type ? dev->type : "",
                                   *model ? " model='" : "", model, *model ? "'" : "",
                                   dev->kindOrdinal + 1);
        if (dev->ctrl.index >= 0)
            return g_strdup_printf("controller type='%s' index='%d'%s%s%s",
                                   dev->type ? dev->type : "", dev->ctrl.index,
                                   *model ? " model='" : "", model, *model ? "'" : "");
        return g_strdup_printf("controller type='%s'%s%s%s", dev->type ? dev->type : "",
                               *model ? " model='" : "", model, *model ? "'" : "");
    }
    if (dev->model)
        return g_strdup_printf("%s #%u (%s)", kind, dev->kindOrdinal + 1, dev->model);
    return g_strdup_printf("%s #%u", kind, dev->kindOrdinal + 1);
}

static gboolean
ppDeviceAddressParse(xmlNodePtr node, PpDeviceAddress *addr, const char *what, GError **error)
{
    g_autofree char *type = ppXmlProp(node, "type");
    struct {
        const char *name;
        guint64 max;
        guint *dst;
    } fields[] = {
        { "domain", 0xffff, &addr->pci.domain },
        { "bus", 0xff, &addr->pci.bus },
        { "slot", 0x1f, &addr->pci.slot },
        { "function", 0x7, &addr->pci.function },
    };
    size_t i;

    if (!type) {
        g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                    _("The <address> of %1$s has no type attribute"), what);
        return FALSE;
    }
    addr->type = ppAddressTypeFromString(type);
    if (addr->type != PP_ADDRESS_PCI)
        return TRUE;

    for (i = 0; i < G_N_ELEMENTS(fields); i++) {
        gboolean present;
        guint64 val = 0;

        if (!ppXmlPropUInt(node, fields[i].name, fields[i].max, what, &present, &val, error))
            return FALSE;
        *fields[i].dst = (guint)val;
    }
    return ppXmlPropTristate(node, "multifunction", "on", "off", what,
                             &addr->pci.multifunction, error);
}

static gboolean
ppDeviceHintsParse(xmlNodePtr target, PpDeviceHints *hints, const char *what, GError **error)
{
    g_autofree char *conn = NULL;

    hints->numaNode = -1;
    if (!target)
        return TRUE;

    if (!ppXmlPropTristate(target, "hotpluggable", "yes", "no", what, &hints->hotpluggable,
                           error))
        return FALSE;

    conn = ppXmlProp(target, "preferredConnection");
    if (conn) {
        hints->preferredConnection = ppConnectionFromString(conn);
        if (hints->preferredConnection == PP_CONNECTION_LAST) {
            g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                        _("Unknown preferredConnection '%1$s' on %2$s: expected a PCI controller model (pci-root, pcie-root, pcie-root-port, pcie-switch-downstream-port, pci-bridge, pcie-to-pci-bridge, pcie-expander-bus, pci-expander-bus) or a bus kind (pci, pcie, virtio-mmio)"),
                        conn, what);
            return FALSE;
        }
    }
    if (!ppXmlPropOptInt(target, "numaNode", 255, what, &hints->numaNode, error))
        return FALSE;
    hints->p2pGroup = ppXmlProp(target, "p2pGroup");
    if (hints->p2pGroup) {
        const char *c = hints->p2pGroup;
        gsize n = strlen(c);

        /* A name for messages, explain and the mirror: no quoting needed. */
        if (n == 0 || n > PP_P2P_GROUP_MAX_LEN ||
            strspn(c, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._:-") != n) {
            g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                        _("Invalid p2pGroup on %1$s: a group name is 1 to %2$d letters, digits, '.', '_', ':' or '-'"),
                        what, PP_P2P_GROUP_MAX_LEN);
            g_clear_pointer(&hints->p2pGroup, g_free);
            return FALSE;
        }
    }
    return TRUE;
}

/*
 * A controller's index, read as libvirt 9.0 reads it: decimal only, so
 * index='010' is 10 and index='0x1' is refused ("Expected integer value"),
 * while the other numbers of a controller (chassis, port, busNr) and of
 * an address take any C base. Checked by defining both through the
 * embedded driver (docs/libvirt.md). -1 when absent.
 */
static gboolean
ppControllerIndexParse(xmlNodePtr node, const char *what, int *ret, GError **error)
{
    g_autofree char *val = ppXmlProp(node, "index");
    guint64 num = 0;

    *ret = -1;
    if (!val)
        return TRUE;
    if (!g_ascii_isdigit(val[0]) ||
        !g_ascii_string_to_unsigned(val, 10, 0, G_MAXINT, &num, NULL)) {
        g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                    _("Invalid value '%1$s' for attribute 'index' of %2$s: libvirt takes a decimal number"),
                    val, what);
        return FALSE;
    }
    *ret = (int)num;
    return TRUE;
}

static gboolean
ppControllerInfoParse(xmlNodePtr node, PpDeviceDef *dev, const char *what, GError **error)
{
    PpControllerInfo *ctrl = &dev->ctrl;
    xmlNodePtr target = ppXmlChild(node, "target");

    if (!ppControllerIndexParse(node, what, &ctrl->index, error))
        return FALSE;
    ctrl->modelName = ppXmlChildProp(node, "model", "name");

    if (dev->type && g_str_equal(dev->type, "pci")) {
        if (dev->model) {
            ctrl->pciModel = ppPCIControllerModelFromString(dev->model);
            if (ctrl->pciModel == PP_CONTROLLER_MODEL_LAST) {
                g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                            _("Unknown PCI controller model '%1$s' on %2$s"), dev->model, what);
                return FALSE;
            }
        }
    }

    if (!ppXmlPropOptInt(target, "chassisNr", 255, what, &ctrl->chassisNr, error) ||
        !ppXmlPropOptInt(target, "chassis", 255, what, &ctrl->chassis, error) ||
        !ppXmlPropOptInt(target, "port", 255, what, &ctrl->port, error) ||
        !ppXmlPropOptInt(target, "busNr", 255, what, &ctrl->busNr, error) ||
        !ppXmlPropTristate(target, "hotplug", "on", "off", what, &ctrl->hotplug, error))
        return FALSE;

    ctrl->numaNode = -1;
    if (target) {
        xmlNodePtr nodeEl = ppXmlChild(target, "node");

        if (nodeEl) {
            g_autofree char *text = (char *)xmlNodeGetContent(nodeEl);
            char *end = NULL;
            guint64 num = text ? g_ascii_strtoull(text, &end, 10) : 0;

            if (!text || !g_ascii_isdigit(text[0]) || *end != '\0' || num > 255) {
                g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                            _("Invalid NUMA node '%1$s' in <target><node> of %2$s"),
                            text ? text : "", what);
                return FALSE;
            }
            ctrl->numaNode = (int)num;
        }
    }
    return TRUE;
}

/* Where libvirt keeps the model of each kind of device. */
static char *
ppDeviceModelParse(xmlNodePtr node, PpDeviceKind kind)
{
    char *model;

    switch (kind) {
    case PP_DEVICE_INTERFACE:
    case PP_DEVICE_VIDEO:
    case PP_DEVICE_SHMEM:
        return ppXmlChildProp(node, "model", "type");
    case PP_DEVICE_TPM:
    case PP_DEVICE_DISK:
    case PP_DEVICE_CONTROLLER:
    case PP_DEVICE_HOSTDEV:
    case PP_DEVICE_SOUND:
    case PP_DEVICE_WATCHDOG:
    case PP_DEVICE_RNG:
    case PP_DEVICE_MEMBALLOON:
    case PP_DEVICE_INPUT:
    case PP_DEVICE_SERIAL:
    case PP_DEVICE_CONSOLE:
    case PP_DEVICE_PARALLEL:
    case PP_DEVICE_CHANNEL:
    case PP_DEVICE_IOMMU:
    case PP_DEVICE_VSOCK:
    case PP_DEVICE_PANIC:
    case PP_DEVICE_FILESYSTEM:
    case PP_DEVICE_MEMORY:
    case PP_DEVICE_CRYPTO:
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
    model = ppXmlProp(node, "model");
    if (!model && kind == PP_DEVICE_SERIAL)
        model = ppXmlChildProp(ppXmlChild(node, "target"), "model", "name");
    return model;
}

static PpDeviceDef *
ppDeviceDefParse(xmlNodePtr node, guint ordinal, guint *kindCounts, GError **error)
{
    g_autoptr(PpDeviceDef) dev = ppDeviceDefAlloc(node->ns ? PP_DEVICE_OTHER
                                                            : ppDeviceKindFromString((const char *)node->name));
    g_autofree char *what = NULL;
    xmlNodePtr target = ppXmlChild(node, "target");
    xmlNodePtr model;

    dev->node = node;
    dev->ordinal = ordinal;
    dev->kindOrdinal = kindCounts[dev->kind]++;
    dev->type = ppXmlProp(node, "type");
    dev->model = ppDeviceModelParse(node, dev->kind);
    dev->device = ppXmlProp(node, "device");
    dev->alias = ppXmlChildProp(node, "alias", "name");
    /* libvirt reads <alias/> and name='' as no alias; so do we, and the
     * writer names that element when the device needs an alias. */
    if (dev->alias && !*dev->alias)
        g_clear_pointer(&dev->alias, g_free);
    dev->driverName = ppXmlChildProp(node, "driver", "name");
    if (!dev->driverName && dev->kind == PP_DEVICE_FILESYSTEM)
        dev->driverName = ppXmlChildProp(node, "driver", "type");
    if (target) {
        dev->dev = ppXmlProp(target, "dev");
        dev->targetType = ppXmlProp(target, "type");
        if (dev->kind == PP_DEVICE_DISK)
            dev->bus = ppXmlProp(target, "bus");
    }
    if (!dev->bus && dev->kind != PP_DEVICE_DISK)
        dev->bus = ppXmlProp(node, "bus");
    dev->mac = dev->kind == PP_DEVICE_INTERFACE ? ppXmlChildProp(node, "mac", "address") : NULL;
    if (dev->kind == PP_DEVICE_VIDEO && (model = ppXmlChild(node, "model"))) {
        g_autofree char *primary = ppXmlProp(model, "primary");
        dev->primary = primary && g_str_equal(primary, "yes");
    }

    if (dev->kind == PP_DEVICE_CONTROLLER) {
        /* ppDeviceDefDescribe() needs the index first. */
        (void)ppControllerIndexParse(node, "controller", &dev->ctrl.index, NULL);
    }
    what = ppDeviceDefDescribe(dev);

    if (dev->kind == PP_DEVICE_CONTROLLER && !ppControllerInfoParse(node, dev, what, error))
        return NULL;
    if (!ppDeviceHintsParse(target, &dev->hints, what, error))
        return NULL;

    dev->addrNode = ppXmlChild(node, "address");
    if (dev->addrNode && !ppDeviceAddressParse(dev->addrNode, &dev->addr, what, error))
        return NULL;

    return g_steal_pointer(&dev);
}

/* ------------------------------------------------------------------ */
/* Domain                                                              */

void
ppDomainDefFree(PpDomainDef *def)
{
    if (!def)
        return;
    g_free(def->text);
    if (def->doc)
        xmlFreeDoc(def->doc);
    ppXmlSpansFree(def->spans);
    if (def->nodeSpans)
        g_hash_table_unref(def->nodeSpans);
    g_free(def->virtType);
    g_free(def->name);
    g_free(def->arch);
    g_free(def->machine);
    g_free(def->loader);
    if (def->numaCells)
        g_array_unref(def->numaCells);
    if (def->devices)
        g_ptr_array_unref(def->devices);
    g_free(def->qemuPrefix);
    if (def->aliases)
        g_hash_table_unref(def->aliases);
    g_free(def);
}

/* Pair every element node with its span; both walks are in document order. */
static void
ppDomainDefIndexNodes(PpDomainDef *def, xmlNodePtr node, guint *next)
{
    for (; node; node = node->next) {
        if (node->type != XML_ELEMENT_NODE)
            continue;
        g_hash_table_insert(def->nodeSpans, node, GUINT_TO_POINTER(++(*next)));
        ppDomainDefIndexNodes(def, node->children, next);
    }
}

const PpXmlSpan *
ppDomainDefNodeSpan(const PpDomainDef *def, xmlNodePtr node)
{
    guint idx = GPOINTER_TO_UINT(g_hash_table_lookup(def->nodeSpans, node));

    if (idx == 0)
        return NULL;
    return &g_array_index(def->spans->spans, PpXmlSpan, idx - 1);
}

/* The first error libxml2 reports: the cause, where the last is often a
 * consequence ("Extra content at the end of the document"). */
typedef struct {
    char *message;
    int line;
    gboolean seen;
} PpXmlFirstError;

/*
 * libxml2's structured error handler for one parser context. Without it,
 * errors that libxml2 raises outside its parser proper (such as
 * "xmlSAX2Characters: huge text node") go to stderr despite
 * XML_PARSE_NOERROR; library code never prints.
 */
static void
ppXmlCaptureError(void *data, xmlErrorPtr err)
{
    xmlParserCtxtPtr ctxt = data;
    PpXmlFirstError *first = ctxt ? ctxt->_private : NULL;

    if (!first || first->seen || !err || err->level < XML_ERR_ERROR)
        return;
    first->seen = TRUE;
    first->message = g_strdup(err->message ? err->message : "");
    g_strchomp(first->message);
    first->line = err->line;
}

static xmlDocPtr
ppDomainDefParseXML(const char *text, gsize len, GError **error)
{
    g_autoptr(xmlParserCtxt) ctxt = xmlNewParserCtxt();
    PpXmlFirstError first = { 0 };
    xmlDocPtr doc;
    /* No network, no DTD, no entity substitution: a domain needs none of
     * them, and each is a way in for a hostile document. DOCTYPE itself is
     * refused before libxml2 sees the text (xml_spans.c). */
    int opts = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOCDATA;

    if (!ctxt) {
        g_set_error(error, PP_ERROR, PP_ERROR_INTERNAL, _("Cannot allocate an XML parser"));
        return NULL;
    }
    ctxt->_private = &first;
    ctxt->userData = ctxt;
    ctxt->sax->serror = ppXmlCaptureError;
    doc = xmlCtxtReadMemory(ctxt, text, (int)len, "domain.xml", NULL, opts);
    ctxt->_private = NULL;
    if (!doc || !ctxt->wellFormed) {
        const xmlError *err = xmlCtxtGetLastError(ctxt);
        g_autofree char *msg = NULL;
        int line = first.seen ? first.line : err ? err->line : 0;

        if (first.seen)
            msg = g_steal_pointer(&first.message);
        else
            msg = g_strchomp(g_strdup(err && err->message ? err->message : ""));
        g_set_error(error, PP_ERROR, PP_ERROR_CONFIG, _("Malformed XML at line %1$d: %2$s"),
                    line, msg);
        if (doc)
            xmlFreeDoc(doc);
        return NULL;
    }
    g_free(first.message);
    return doc;
}

static gboolean
ppDomainDefParseOS(PpDomainDef *def, xmlNodePtr root, GError **error)
{
    xmlNodePtr os = ppXmlChild(root, "os");
    xmlNodePtr type = ppXmlChild(os, "type");
    xmlNodePtr loader = ppXmlChild(os, "loader");
    g_autofree char *firmware = os ? ppXmlProp(os, "firmware") : NULL;

    if (!type) {
        g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                    _("The domain has no <os><type> element"));
        return FALSE;
    }
    def->arch = ppXmlProp(type, "arch");
    def->machine = ppXmlProp(type, "machine");

    if (firmware && g_str_equal(firmware, "efi"))
        def->firmware = PP_FIRMWARE_EFI;
    else if (firmware && g_str_equal(firmware, "bios"))
        def->firmware = PP_FIRMWARE_BIOS;
    if (loader) {
        g_autofree char *ltype = ppXmlProp(loader, "type");

        def->loader = (char *)xmlNodeGetContent(loader);
        g_strstrip(def->loader);
        /* A pflash loader is UEFI (OVMF/AAVMF); a rom loader is SeaBIOS. */
        if (def->firmware == PP_FIRMWARE_DEFAULT && ltype && g_str_equal(ltype, "pflash"))
            def->firmware = PP_FIRMWARE_EFI;
        if (def->firmware == PP_FIRMWARE_DEFAULT && def->loader &&
            (strstr(def->loader, "OVMF") || strstr(def->loader, "AAVMF") ||
             strstr(def->loader, "edk2")))
            def->firmware = PP_FIRMWARE_EFI;
    }
    return TRUE;
}

static gboolean
ppDomainDefParseNuma(PpDomainDef *def, xmlNodePtr root, GError **error)
{
    xmlNodePtr numa = ppXmlChild(ppXmlChild(root, "cpu"), "numa");
    xmlNodePtr cell;

    def->numaCells = g_array_new(FALSE, FALSE, sizeof(guint));
    if (!numa)
        return TRUE;
    for (cell = numa->children; cell; cell = cell->next) {
        gboolean present;
        guint64 id = 0;
        guint val;

        if (cell->type != XML_ELEMENT_NODE || !g_str_equal((const char *)cell->name, "cell"))
            continue;
        if (!ppXmlPropUInt(cell, "id", 255, "NUMA cell", &present, &id, error))
            return FALSE;
        /* libvirt numbers cells in order when id is absent. */
        val = present ? (guint)id : def->numaCells->len;
        if (ppDomainDefHasNumaCell(def, val)) {
            /* libvirt 9.0: "Duplicate NUMA cell info for cell id" */
            g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                        _("<cpu><numa> has two cells with id %1$u; give each cell its own id"),
                        val);
            return FALSE;
        }
        g_array_append_val(def->numaCells, val);
    }
    return TRUE;
}

gboolean
ppDomainDefHasNumaCell(const PpDomainDef *def, guint id)
{
    guint i;

    for (i = 0; i < def->numaCells->len; i++) {
        if (g_array_index(def->numaCells, guint, i) == id)
            return TRUE;
    }
    return FALSE;
}

static void
ppDomainDefParseMisc(PpDomainDef *def, xmlNodePtr root)
{
    g_autofree char *mem = NULL;
    g_autofree char *vcpu = NULL;
    xmlNodePtr n;

    def->virtType = ppXmlProp(root, "type");
    if ((n = ppXmlChild(root, "name")))
        def->name = (char *)xmlNodeGetContent(n);
    def->acpi = ppXmlChild(ppXmlChild(root, "features"), "acpi") != NULL;

    if ((n = ppXmlChild(root, "memory")))
        mem = (char *)xmlNodeGetContent(n);
    if (mem) {
        g_autofree char *unit = ppXmlProp(n, "unit");
        guint64 val = g_ascii_strtoull(mem, NULL, 10);

        if (unit && (g_str_equal(unit, "MiB") || g_str_equal(unit, "M")))
            val *= 1024;
        else if (unit && (g_str_equal(unit, "GiB") || g_str_equal(unit, "G")))
            val *= 1024 * 1024;
        else if (unit && (g_str_equal(unit, "b") || g_str_equal(unit, "bytes")))
            val /= 1024;
        def->memoryKiB = val;
    }
    if ((n = ppXmlChild(root, "vcpu")))
        vcpu = (char *)xmlNodeGetContent(n);
    def->vcpus = vcpu ? (guint)g_ascii_strtoull(vcpu, NULL, 10) : 1;
    if (def->vcpus == 0)
        def->vcpus = 1;
}

/*
 * USB2 companions: UHCI controllers that share the index of their EHCI
 * master (libvirt's ich9-uhci1..3). Returns the first port of the EHCI
 * controller the companion takes, <master startport> or libvirt's
 * default for the model (0, 2, 4), or -1 for other controllers.
 */
static int
ppControllerUSBCompanionPort(const PpDeviceDef *dev)
{
    g_autofree char *port = NULL;
    guint64 num = 0;

    if (!dev->model || !g_str_has_prefix(dev->model, "ich9-uhci") || !dev->node)
        return -1;
    port = ppXmlChildProp(dev->node, "master", "startport");
    if (port && g_ascii_string_to_unsigned(port, 10, 0, 255, &num, NULL))
        return (int)num;
    if (g_str_equal(dev->model, "ich9-uhci2"))
        return 2;
    if (g_str_equal(dev->model, "ich9-uhci3"))
        return 4;
    return 0;
}

/*
 * Two controllers of one type with one index are one controller to
 * libvirt ("Multiple 'ide' controllers with index '0'") and to QEMU (one
 * id). USB is the exception libvirt makes, for companions: an EHCI
 * controller and its ich9-uhci1..3 share an index. But two companions on
 * the same first port are refused by QEMU 7.2 ("port 0 has a companion
 * assigned already"), and two USB controllers that are not companions
 * would both be QEMU's bus "usb" ("Duplicate ID 'usb' for device"); both
 * measured with qemu-system-x86_64 -machine q35. Controllers without
 * index get a free one from the planner and are not checked here.
 */
static gboolean
ppDomainDefCheckControllerIndexes(const PpDomainDef *def, GError **error)
{
    g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    guint i;

    for (i = 0; i < def->devices->len; i++) {
        PpDeviceDef *dev = g_ptr_array_index(def->devices, i);
        const char *type = dev->type ? dev->type : "";
        gboolean usb = g_str_equal(type, "usb");
        int port = usb ? ppControllerUSBCompanionPort(dev) : -1;
        gboolean companion = port >= 0;
        g_autofree char *key = NULL;
        const PpDeviceDef *other;

        if (dev->kind != PP_DEVICE_CONTROLLER || dev->ctrl.index < 0)
            continue;
        key = g_strdup_printf("%s %d %d", type, dev->ctrl.index, port);
        if (!(other = g_hash_table_lookup(seen, key))) {
            g_hash_table_insert(seen, g_steal_pointer(&key), dev);
            continue;
        }
        if (companion)
            g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                        _("Two USB companion controllers with index '%1$d' start at port %2$d (<controller> #%3$u, model '%4$s', and #%5$u, model '%6$s'); QEMU gives each port to one companion: give one of them another <master startport>, or remove it"),
                        dev->ctrl.index, port, other->kindOrdinal + 1, other->model,
                        dev->kindOrdinal + 1, dev->model);
        else if (usb)
            g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                        _("Two USB controllers have index '%1$d' (<controller> #%2$u, model '%3$s', and #%4$u, model '%5$s'); only ich9-uhci companions share the index of their EHCI controller: give one of them another index"),
                        dev->ctrl.index, other->kindOrdinal + 1,
                        other->model ? other->model : _("the default"), dev->kindOrdinal + 1,
                        dev->model ? dev->model : _("the default"));
        else
            g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                        _("Two <controller type='%1$s'> have index '%2$d' (<controller> #%3$u and #%4$u); libvirt refuses that: give one of them another index"),
                        type, dev->ctrl.index, other->kindOrdinal + 1, dev->kindOrdinal + 1);
        return FALSE;
    }
    return TRUE;
}

/*
 * Whether @a and @b are the first <serial> and the first <console>, in
 * either order, with the console's target a serial one (or none, which
 * libvirt reads as serial): libvirt writes that console as a copy of the
 * serial port, with the same alias in its live XML ('serial0'), and its
 * alias check skips it (the "backcompat for consoles" case of
 * virDomainDefValidateAliasesIterator, libvirt 9.0). It is one device.
 */
static gboolean
ppDeviceDefIsSerialShadow(const PpDeviceDef *a, const PpDeviceDef *b)
{
    const PpDeviceDef *console = NULL;
    const PpDeviceDef *serial = NULL;

    if (a->kind == PP_DEVICE_SERIAL && b->kind == PP_DEVICE_CONSOLE) {
        serial = a;
        console = b;
    } else if (a->kind == PP_DEVICE_CONSOLE && b->kind == PP_DEVICE_SERIAL) {
        serial = b;
        console = a;
    } else {
        return FALSE;
    }
    return serial->kindOrdinal == 0 && console->kindOrdinal == 0 &&
           (!console->targetType || g_str_equal(console->targetType, "serial"));
}

static gboolean
ppDomainDefParseDevices(PpDomainDef *def, xmlNodePtr root, GError **error)
{
    xmlNodePtr cur;
    guint ordinal = 0;

    def->devices = g_ptr_array_new_with_free_func((GDestroyNotify)ppDeviceDefFree);
    /* Keys are the devices' own alias strings. */
    def->aliases = g_hash_table_new(g_str_hash, g_str_equal);
    def->devicesNode = ppXmlChild(root, "devices");
    if (!def->devicesNode)
        return TRUE;
    /* libvirt reads the devices of every <devices> element as one list;
     * a plan of the first alone would place only part of the domain. */
    for (cur = def->devicesNode->next; cur; cur = cur->next) {
        if (cur->type == XML_ELEMENT_NODE && !cur->ns &&
            g_str_equal((const char *)cur->name, "devices")) {
            g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                        _("The domain has more than one <devices> element; move every device into the first one"));
            return FALSE;
        }
    }

    for (cur = def->devicesNode->children; cur; cur = cur->next) {
        PpDeviceDef *dev;

        if (cur->type != XML_ELEMENT_NODE)
            continue;
        if (ordinal >= PP_DOMAIN_MAX_DEVICES) {
            g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                        _("The domain has more than %1$d devices"), PP_DOMAIN_MAX_DEVICES);
            return FALSE;
        }
        if (!(dev = ppDeviceDefParse(cur, ordinal++, def->kindCounts, error)))
            return FALSE;
        g_ptr_array_add(def->devices, dev);
        if (dev->alias) {
            const PpDeviceDef *other = g_hash_table_lookup(def->aliases, dev->alias);

            /* libvirt refuses a repeated alias (virDomainDefValidateAliases),
             * and our hints and overrides find their device by it. */
            if (other && ppDeviceDefIsSerialShadow(other, dev))
                continue;
            if (other) {
                g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                            _("%1$s #%2$u and %3$s #%4$u both have the alias '%5$s'; libvirt refuses a repeated alias: rename or remove one of them"),
                            ppDeviceKindToString(other->kind), other->kindOrdinal + 1,
                            ppDeviceKindToString(dev->kind), dev->kindOrdinal + 1, dev->alias);
                return FALSE;
            }
            g_hash_table_insert(def->aliases, dev->alias, dev);
        }
    }
    return ppDomainDefCheckControllerIndexes(def, error);
}

gboolean
ppDeviceHintsPresent(const PpDeviceHints *hints)
{
    return hints->hotpluggable != PP_TRISTATE_ABSENT ||
           hints->preferredConnection != PP_CONNECTION_NONE || hints->numaNode >= 0 ||
           hints->p2pGroup;
}

static gboolean
ppXmlNodeIsNs(xmlNodePtr node, const char *href, const char *name)
{
    return node->type == XML_ELEMENT_NODE && node->ns && node->ns->href &&
           g_str_equal((const char *)node->ns->href, href) &&
           g_str_equal((const char *)node->name, name);
}

static PpDeviceDef *
ppDomainDefFindAlias(const PpDomainDef *def, const char *alias)
{
    return g_hash_table_lookup(def->aliases, alias);
}

/*
 * libvirt drops attributes it does not know, so the hints of a device
 * are mirrored under <metadata> in our namespace, keyed by the device's
 * ua- alias (which libvirt keeps). A hint on <target> wins over its
 * mirror: it is what the user wrote last.
 */
static gboolean
ppDomainDefParseMetadataHints(PpDomainDef *def, xmlNodePtr root, GError **error)
{
    xmlNodePtr cur;

    def->metadataNode = ppXmlChild(root, "metadata");
    for (cur = def->metadataNode ? def->metadataNode->children : NULL; cur; cur = cur->next) {
        if (ppXmlNodeIsNs(cur, PP_HINTS_NAMESPACE, "hints"))
            def->hintsNode = cur;
    }
    for (cur = def->hintsNode ? def->hintsNode->children : NULL; cur; cur = cur->next) {
        g_autofree char *alias = NULL;
        PpDeviceHints hints = { 0 };
        PpDeviceDef *dev;

        if (!ppXmlNodeIsNs(cur, PP_HINTS_NAMESPACE, "device"))
            continue;
        alias = ppXmlProp(cur, "alias");
        if (!alias || !(dev = ppDomainDefFindAlias(def, alias)))
            continue; /* the device is gone; its entry goes with the next write */
        if (!ppDeviceHintsParse(cur, &hints, alias, error))
            return FALSE;
        if (!ppDeviceHintsPresent(&dev->hints)) {
            dev->hints = hints;
            dev->hintsFromMetadata = TRUE;
        } else {
            g_free(hints.p2pGroup);
        }
    }
    return TRUE;
}

/* io-reserve values the document already gives through <qemu:override>. */
static void
ppDomainDefParseQemuOverride(PpDomainDef *def, xmlNodePtr root)
{
    xmlNsPtr ns;
    xmlNodePtr cur;

    for (ns = root->nsDef; ns; ns = ns->next) {
        if (ns->prefix && ns->href && g_str_equal((const char *)ns->href, PP_QEMU_NAMESPACE))
            def->qemuPrefix = g_strdup((const char *)ns->prefix);
        else if (ns->prefix && g_str_equal((const char *)ns->prefix, "qemu"))
            def->qemuPrefixTaken = TRUE;
    }
    for (cur = root->children; cur; cur = cur->next) {
        if (ppXmlNodeIsNs(cur, PP_QEMU_NAMESPACE, "override"))
            def->overrideNode = cur;
    }
    for (cur = def->overrideNode ? def->overrideNode->children : NULL; cur; cur = cur->next) {
        g_autofree char *alias = NULL;
        xmlNodePtr frontend;
        xmlNodePtr prop;
        PpDeviceDef *dev;

        if (!ppXmlNodeIsNs(cur, PP_QEMU_NAMESPACE, "device") ||
            !(alias = ppXmlProp(cur, "alias")) || !(dev = ppDomainDefFindAlias(def, alias)))
            continue;
        for (frontend = cur->children; frontend; frontend = frontend->next) {
            if (!ppXmlNodeIsNs(frontend, PP_QEMU_NAMESPACE, "frontend"))
                continue;
            for (prop = frontend->children; prop; prop = prop->next) {
                g_autofree char *name = NULL;

                if (ppXmlNodeIsNs(prop, PP_QEMU_NAMESPACE, "property") &&
                    (name = ppXmlProp(prop, "name")) && g_str_equal(name, "io-reserve"))
                    dev->ioReserveKnown = TRUE;
            }
        }
    }
}

/**
 * ppDomainDefParseString:
 * @text: the document; need not be NUL terminated
 * @len: its length in bytes
 *
 * Parses a libvirt <domain>, refusing DOCTYPE/entities, network access and
 * anything larger than PP_FILE_MAX_INPUT.
 *
 * Returns: (transfer full) the model, or NULL with @error set.
 */
PpDomainDef *
ppDomainDefParseString(const char *text, gsize len, GError **error)
{
    g_autoptr(PpDomainDef) def = g_new0(PpDomainDef, 1);
    xmlNodePtr root;
    guint nspans = 0;

    if (len > PP_DOMAIN_MAX_INPUT) {
        g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                    _("Input is larger than the limit of %1$d bytes"), PP_DOMAIN_MAX_INPUT);
        return NULL;
    }
    /* Not g_strndup(): it would stop at a NUL byte, which the scanner
     * must see to refuse. */
    def->text = g_malloc(len + 1);
    memcpy(def->text, text, len);
    def->text[len] = '\0';
    def->len = len;

    if (!(def->spans = ppXmlSpansScan(def->text, def->len, error)))
        return NULL;
    if (!(def->doc = ppDomainDefParseXML(def->text, def->len, error)))
        return NULL;

    root = xmlDocGetRootElement(def->doc);
    if (root && root->ns && g_str_equal((const char *)root->name, "domain")) {
        g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                    _("The root element <%1$s%2$s%3$s> is in the namespace '%4$s'; libvirt's <domain> has none: remove that xmlns declaration (and the prefix)"),
                    root->ns->prefix ? (const char *)root->ns->prefix : "",
                    root->ns->prefix ? ":" : "", (const char *)root->name,
                    root->ns->href ? (const char *)root->ns->href : "");
        return NULL;
    }
    if (!root || root->ns || !g_str_equal((const char *)root->name, "domain")) {
        g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                    _("Expected a <domain> root element, found <%1$s>"),
                    root ? (const char *)root->name : "");
        return NULL;
    }

    def->nodeSpans = g_hash_table_new(g_direct_hash, g_direct_equal);
    ppDomainDefIndexNodes(def, root, &nspans);
    if (nspans != def->spans->spans->len) {
        g_set_error(error, PP_ERROR, PP_ERROR_INTERNAL,
                    _("The XML scanner found %1$u elements where libxml2 found %2$u"),
                    def->spans->spans->len, nspans);
        return NULL;
    }

    ppDomainDefParseMisc(def, root);
    if (!ppDomainDefParseOS(def, root, error) ||
        !ppDomainDefParseNuma(def, root, error) ||
        !ppDomainDefParseDevices(def, root, error) ||
        !ppDomainDefParseMetadataHints(def, root, error))
        return NULL;
    ppDomainDefParseQemuOverride(def, root);

    return g_steal_pointer(&def);
}
