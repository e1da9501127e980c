/*
 * xml_util.c: reading libxml2 nodes the way libvirt's XML is read
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "xml_util.h"
#include "pperror.h"

char *
ppXmlProp(xmlNodePtr node, const char *name)
{
    xmlChar *val;
    char *ret;

    if (!node || !(val = xmlGetNoNsProp(node, (const xmlChar *)name)))
        return NULL;
    ret = g_strdup((const char *)val);
    xmlFree(val);
    return ret;
}

xmlNodePtr
ppXmlChild(xmlNodePtr node, const char *name)
{
    xmlNodePtr cur;

    if (!node)
        return NULL;
    for (cur = node->children; cur; cur = cur->next) {
        if (cur->type == XML_ELEMENT_NODE && !cur->ns &&
            g_str_equal((const char *)cur->name, name))
            return cur;
    }
    return NULL;
}

char *
ppXmlChildProp(xmlNodePtr node, const char *child, const char *name)
{
    return ppXmlProp(ppXmlChild(node, child), name);
}

char *
ppXmlText(xmlNodePtr node)
{
    xmlChar *content;
    char *text;

    if (!node || !(content = xmlNodeGetContent(node)))
        return NULL;
    text = g_strstrip(g_strdup((const char *)content));
    xmlFree(content);
    if (!*text) {
        g_free(text);
        return NULL;
    }
    return text;
}

gboolean
ppXmlPropUInt(xmlNodePtr node,
              const char *name,
              guint64 max,
              const char *what,
              gboolean *present,
              guint64 *ret,
              GError **error)
{
    g_autofree char *val = ppXmlProp(node, name);
    char *end = NULL;
    guint64 num = 0;

    if (present)
        *present = FALSE;
    if (!val)
        return TRUE;
    if (g_ascii_isdigit(val[0]))
        num = g_ascii_strtoull(val, &end, 0);
    if (!g_ascii_isdigit(val[0]) || *end != '\0' || num > max) {
        g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                    _("Invalid value '%1$s' for attribute '%2$s' of %3$s"), val, name, what);
        return FALSE;
    }
    if (present)
        *present = TRUE;
    *ret = num;
    return TRUE;
}
