/*
 * pp_libvirt_caps.c: libvirt's domain capabilities: which PCI controllers the emulator has
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "pp_libvirtpriv.h"
#include "domain_conf.h"
#include "domain_format.h"
#include "pperror.h"

#include <string.h>

/* ------------------------------------------------------------------ */
/* Domain capabilities                                                 */

static xmlNodePtr
ppLibvirtXmlChild(xmlNodePtr node, const char *name)
{
    xmlNodePtr cur;

    for (cur = node ? node->children : NULL; cur; cur = cur->next) {
        if (cur->type == XML_ELEMENT_NODE && g_str_equal((const char *)cur->name, name))
            return cur;
    }
    return NULL;
}

/* Returns: (transfer full) the stripped text of @node's child @name. */
static char *
ppLibvirtXmlChildText(xmlNodePtr node, const char *name)
{
    xmlNodePtr child = ppLibvirtXmlChild(node, name);
    xmlChar *text;
    char *ret;

    if (!child || !(text = xmlNodeGetContent(child)))
        return NULL;
    ret = g_strstrip(g_strdup((const char *)text));
    xmlFree(text);
    return ret;
}

static gboolean
ppLibvirtXmlPropIs(xmlNodePtr node, const char *name, const char *value)
{
    xmlChar *val = xmlGetNoNsProp(node, (const xmlChar *)name);
    gboolean ret = val && g_str_equal((const char *)val, value);

    xmlFree(val);
    return ret;
}

/* Record every <enum name='N'><value>V</value>...</enum> of a device kind. */
static void
ppLibvirtDomainCapsParseEnums(PpLibvirtDomainCaps *caps, xmlNodePtr kind)
{
    xmlNodePtr en;

    for (en = kind->children; en; en = en->next) {
        g_autoptr(GStrvBuilder) values = NULL;
        xmlChar *name;
        xmlNodePtr val;

        if (en->type != XML_ELEMENT_NODE || !g_str_equal((const char *)en->name, "enum") ||
            !(name = xmlGetNoNsProp(en, (const xmlChar *)"name")))
            continue;
        values = g_strv_builder_new();
        for (val = en->children; val; val = val->next) {
            xmlChar *text;

            if (val->type != XML_ELEMENT_NODE || !g_str_equal((const char *)val->name, "value") ||
                !(text = xmlNodeGetContent(val)))
                continue;
            g_strv_builder_add(values, (const char *)text);
            xmlFree(text);
        }
        g_hash_table_replace(caps->enums, g_strdup_printf("%s.%s", (const char *)kind->name,
                                                             (const char *)name),
                             g_strv_builder_end(values));
        xmlFree(name);
    }
}

static PpLibvirtDomainCaps *
ppLibvirtDomainCapsParse(const char *xml, GError **error)
{
    g_autoptr(PpLibvirtDomainCaps) caps = g_new0(PpLibvirtDomainCaps, 1);
    g_autoptr(GStrvBuilder) devices = g_strv_builder_new();
    g_autoptr(xmlDoc) doc = NULL;
    xmlNodePtr root;
    xmlNodePtr devicesNode;
    xmlNodePtr kind;

    doc = xmlReadMemory(xml, (int)strlen(xml), "domcapabilities.xml", NULL,
                        XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    root = doc ? xmlDocGetRootElement(doc) : NULL;
    if (!root || !g_str_equal((const char *)root->name, "domainCapabilities")) {
        g_set_error(error, PP_ERROR, PP_ERROR_LIBVIRT,
                    _("libvirt returned domain capabilities that are not a <domainCapabilities> document"));
        return NULL;
    }

    caps->enums = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                        (GDestroyNotify)g_strfreev);
    caps->unknown = g_ptr_array_new_with_free_func(g_free);
    caps->emulator = ppLibvirtXmlChildText(root, "path");
    caps->arch = ppLibvirtXmlChildText(root, "arch");
    caps->virtType = ppLibvirtXmlChildText(root, "domain");
    caps->machine = ppLibvirtXmlChildText(root, "machine");

    devicesNode = ppLibvirtXmlChild(root, "devices");
    for (kind = devicesNode ? devicesNode->children : NULL; kind; kind = kind->next) {
        if (kind->type != XML_ELEMENT_NODE)
            continue;
        if (ppLibvirtXmlPropIs(kind, "supported", "yes"))
            g_strv_builder_add(devices, (const char *)kind->name);
        ppLibvirtDomainCapsParseEnums(caps, kind);
    }
    caps->devices = g_strv_builder_end(devices);

    if (!caps->machine)
        g_ptr_array_add(caps->unknown,
                        g_strdup(_("libvirt did not give the canonical name of the machine type")));
    if (!ppLibvirtDomainCapsGetEnum(caps, "controller", "model"))
        g_ptr_array_add(caps->unknown,
                        g_strdup(_("libvirt does not list which PCI controller models the emulator has")));
    return g_steal_pointer(&caps);
}

PpLibvirtDomainCaps *
ppLibvirtGetDomainCapabilities(PpLibvirtConn *conn,
                               const char *emulator,
                               const char *arch,
                               const char *machine,
                               const char *virtType,
                               GError **error)
{
    PpLibvirtDomainCaps *caps;
    char *xml;

    g_return_val_if_fail(conn != NULL, NULL);

    if (!(xml = virConnectGetDomainCapabilities(conn->conn, emulator, arch, machine, virtType,
                                                0))) {
        ppLibvirtReportLastError(error);
        return NULL;
    }
    caps = ppLibvirtDomainCapsParse(xml, error);
    free(xml);
    return caps;
}

const char *const *
ppLibvirtDomainCapsGetEnum(const PpLibvirtDomainCaps *caps, const char *kind, const char *name)
{
    g_autofree char *key = NULL;

    g_return_val_if_fail(caps != NULL && kind != NULL && name != NULL, NULL);

    key = g_strdup_printf("%s.%s", kind, name);
    return g_hash_table_lookup(caps->enums, key);
}

void
ppLibvirtDomainCapsFree(PpLibvirtDomainCaps *caps)
{
    if (!caps)
        return;
    g_free(caps->emulator);
    g_free(caps->arch);
    g_free(caps->virtType);
    g_free(caps->machine);
    g_strfreev(caps->devices);
    g_clear_pointer(&caps->enums, g_hash_table_unref);
    g_clear_pointer(&caps->unknown, g_ptr_array_unref);
    g_free(caps);
}

/* The text of @def's <emulator>, or NULL. (transfer full) */
static char *
ppLibvirtDomainDefEmulator(const PpDomainDef *def)
{
    guint i;

    for (i = 0; i < def->devices->len; i++) {
        const PpDeviceDef *dev = g_ptr_array_index(def->devices, i);
        xmlChar *text;
        char *ret;

        if (dev->kind != PP_DEVICE_EMULATOR || !(text = xmlNodeGetContent(dev->node)))
            continue;
        ret = g_strstrip(g_strdup((const char *)text));
        xmlFree(text);
        if (*ret)
            return ret;
        g_free(ret);
    }
    return NULL;
}

PpLibvirtDomainCaps *
ppLibvirtGetDomainCapabilitiesForDef(PpLibvirtConn *conn, const PpDomainDef *def, GError **error)
{
    g_autofree char *emulator = NULL;

    g_return_val_if_fail(conn != NULL && def != NULL, NULL);

    emulator = ppLibvirtDomainDefEmulator(def);
    return ppLibvirtGetDomainCapabilities(conn, emulator, def->arch, def->machine, def->virtType,
                                          error);
}

PpTristate
ppLibvirtDomainCapsHasPCIController(const PpLibvirtDomainCaps *caps, PpPCIControllerModel model)
{
    const char *const *models;

    g_return_val_if_fail(caps != NULL, PP_TRISTATE_ABSENT);

    if (!(models = ppLibvirtDomainCapsGetEnum(caps, "controller", "model")))
        return PP_TRISTATE_ABSENT;
    return g_strv_contains(models, ppPCIControllerModelToString(model)) ? PP_TRISTATE_YES
                                                                       : PP_TRISTATE_NO;
}
