/*
 * domain_format.c: write the user's document back with the planner's edits
 *
 * The promise is that nothing the user wrote changes except what placement
 * must change: an <address> is added or rewritten, new devices are added
 * under <devices>. Everything else - comments, attribute order and quoting,
 * foreign namespaces, unknown elements, spacing - is copied byte for byte,
 * because the output is built by splicing into the original text rather
 * than by serializing the libxml2 tree (which would re-quote every
 * attribute and drop the spacing inside tags).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "domain_format.h"
#include "pperror.h"

#include <string.h>

typedef struct {
    gsize offset;  /* where the edit applies in the original text */
    gsize remove;  /* bytes of the original replaced */
    char *insert;  /* text put in their place */
    guint seq;     /* keeps edits at one offset in the order they were made */
} PpTextEdit;

static void
ppTextEditClear(gpointer data)
{
    PpTextEdit *edit = data;

    g_free(edit->insert);
}

static void
ppTextEditAdd(GArray *edits, gsize offset, gsize remove, char *insert)
{
    PpTextEdit edit = { offset, remove, insert, edits->len };

    g_array_append_val(edits, edit);
}

static gint
ppTextEditCompare(gconstpointer a, gconstpointer b)
{
    const PpTextEdit *ea = a;
    const PpTextEdit *eb = b;

    if (ea->offset != eb->offset)
        return ea->offset < eb->offset ? -1 : 1;
    return ea->seq < eb->seq ? -1 : (ea->seq > eb->seq);
}

/* The whitespace that starts the line @offset is on, up to @offset. */
static char *
ppTextLineIndent(const PpDomainDef *def, gsize offset)
{
    gsize bol = offset;
    gsize i;

    while (bol > 0 && def->text[bol - 1] != '\n')
        bol--;
    for (i = bol; i < offset; i++) {
        if (def->text[i] != ' ' && def->text[i] != '\t')
            return g_strdup("");
    }
    return g_strndup(def->text + bol, offset - bol);
}

/*
 * The indentation step of the document: how much deeper <devices>'
 * children sit than <devices>. libvirt writes two spaces.
 */
static char *
ppDomainDefIndentUnit(const PpDomainDef *def)
{
    guint i;

    for (i = 0; def->devicesNode && i < def->devices->len; i++) {
        const PpDeviceDef *dev = g_ptr_array_index(def->devices, i);
        const PpXmlSpan *parent = ppDomainDefNodeSpan(def, def->devicesNode);
        const PpXmlSpan *child;
        g_autofree char *pi = NULL;
        g_autofree char *ci = NULL;

        if (!dev->node || !(child = ppDomainDefNodeSpan(def, dev->node)) || !parent)
            continue;
        pi = ppTextLineIndent(def, parent->start);
        ci = ppTextLineIndent(def, child->start);
        if (strlen(ci) > strlen(pi) && g_str_has_prefix(ci, pi))
            return g_strdup(ci + strlen(pi));
        break;
    }
    return g_strdup("  ");
}

/**
 * ppDeviceAddressFormatXML:
 * Returns: (transfer full) the <address/> element for @addr, as libvirt writes it.
 */
char *
ppDeviceAddressFormatXML(const PpDeviceAddress *addr)
{
    switch (addr->type) {
    case PP_ADDRESS_PCI:
        return g_strdup_printf("<address type='pci' domain='0x%04x' bus='0x%02x' slot='0x%02x' "
                               "function='0x%x'%s/>",
                               addr->pci.domain, addr->pci.bus, addr->pci.slot,
                               addr->pci.function,
                               addr->pci.multifunction == PP_TRISTATE_YES ? " multifunction='on'"
                               : addr->pci.multifunction == PP_TRISTATE_NO ? " multifunction='off'"
                               : "");
    case PP_ADDRESS_VIRTIO_MMIO:
        return g_strdup("<address type='virtio-mmio'/>");
    case PP_ADDRESS_NONE:
    case PP_ADDRESS_DRIVE:
    case PP_ADDRESS_VIRTIO_SERIAL:
    case PP_ADDRESS_CCID:
    case PP_ADDRESS_USB:
    case PP_ADDRESS_SPAPR_VIO:
    case PP_ADDRESS_CCW:
    case PP_ADDRESS_ISA:
    case PP_ADDRESS_DIMM:
    case PP_ADDRESS_UNASSIGNED:
    case PP_ADDRESS_VIRTIO_S390:
    case PP_ADDRESS_OTHER:
    case PP_ADDRESS_LAST:
        break;
    }
    return NULL;
}

/* Lines of a new element's children, each without indentation. */
static void
ppDeviceFormatChildren(const PpDeviceDef *dev, GPtrArray *lines)
{
    const PpControllerInfo *ctrl = &dev->ctrl;

    if (dev->kind == PP_DEVICE_CONTROLLER) {
        g_autoptr(GString) target = g_string_new("<target");

        if (ctrl->modelName)
            g_ptr_array_add(lines, g_strdup_printf("<model name='%s'/>", ctrl->modelName));
        if (ctrl->chassisNr >= 0)
            g_string_append_printf(target, " chassisNr='%d'", ctrl->chassisNr);
        if (ctrl->chassis >= 0)
            g_string_append_printf(target, " chassis='%d'", ctrl->chassis);
        if (ctrl->port >= 0)
            g_string_append_printf(target, " port='0x%x'", ctrl->port);
        if (ctrl->busNr >= 0)
            g_string_append_printf(target, " busNr='%d'", ctrl->busNr);
        if (ctrl->hotplug != PP_TRISTATE_ABSENT)
            g_string_append_printf(target, " hotplug='%s'",
                                   ctrl->hotplug == PP_TRISTATE_YES ? "on" : "off");
        if (ctrl->numaNode >= 0) {
            g_string_append(target, ">");
            g_ptr_array_add(lines, g_string_free(g_steal_pointer(&target), FALSE));
            g_ptr_array_add(lines, g_strdup_printf("\t<node>%d</node>", ctrl->numaNode));
            g_ptr_array_add(lines, g_strdup("</target>"));
        } else if (target->len > strlen("<target")) {
            g_string_append(target, "/>");
            g_ptr_array_add(lines, g_string_free(g_steal_pointer(&target), FALSE));
        }
    } else if (dev->model && (dev->kind == PP_DEVICE_VIDEO || dev->kind == PP_DEVICE_INTERFACE)) {
        g_ptr_array_add(lines, g_strdup_printf("<model type='%s'%s/>", dev->model,
                                               dev->primary ? " primary='yes'" : ""));
    }
    if (dev->alias)
        g_ptr_array_add(lines, g_strdup_printf("<alias name='%s'/>", dev->alias));
    if (dev->addr.type != PP_ADDRESS_NONE)
        g_ptr_array_add(lines, ppDeviceAddressFormatXML(&dev->addr));
}

/* The start tag's attributes of a new element. */
static char *
ppDeviceFormatAttrs(const PpDeviceDef *dev)
{
    g_autoptr(GString) buf = g_string_new(NULL);

    if (dev->type)
        g_string_append_printf(buf, " type='%s'", dev->type);
    if (dev->kind == PP_DEVICE_CONTROLLER) {
        if (dev->ctrl.index >= 0)
            g_string_append_printf(buf, " index='%d'", dev->ctrl.index);
        if (dev->model)
            g_string_append_printf(buf, " model='%s'", dev->model);
    } else if (dev->model && dev->kind != PP_DEVICE_VIDEO && dev->kind != PP_DEVICE_INTERFACE) {
        g_string_append_printf(buf, " model='%s'", dev->model);
    }
    if (dev->bus && dev->kind != PP_DEVICE_DISK)
        g_string_append_printf(buf, " bus='%s'", dev->bus);
    return g_string_free(g_steal_pointer(&buf), FALSE);
}

/*
 * A new device element, every line after the first prefixed by @indent
 * (and children by one @unit more); a leading newline + @indent is the
 * caller's business.
 */
static char *
ppDeviceFormatNew(const PpDeviceDef *dev, const char *indent, const char *unit)
{
    g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func(g_free);
    g_autofree char *attrs = ppDeviceFormatAttrs(dev);
    const char *name = ppDeviceKindToString(dev->kind);
    g_autoptr(GString) buf = g_string_new(NULL);
    guint i;

    ppDeviceFormatChildren(dev, lines);
    if (lines->len == 0)
        return g_strdup_printf("<%s%s/>", name, attrs);

    g_string_append_printf(buf, "<%s%s>", name, attrs);
    for (i = 0; i < lines->len; i++) {
        const char *line = g_ptr_array_index(lines, i);
        guint depth = 1;

        while (*line == '\t') {
            depth++;
            line++;
        }
        g_string_append_printf(buf, "\n%s", indent);
        while (depth--)
            g_string_append(buf, unit);
        g_string_append(buf, line);
    }
    g_string_append_printf(buf, "\n%s</%s>", indent, name);
    return g_string_free(g_steal_pointer(&buf), FALSE);
}

/* Insert @attr (" name='value'") at the end of @node's start tag. */
static void
ppDomainDefEditAddAttr(const PpDomainDef *def, xmlNodePtr node, char *attr, GArray *edits)
{
    const PpXmlSpan *span = ppDomainDefNodeSpan(def, node);

    ppTextEditAdd(edits, span->startEnd - (span->empty ? 2 : 1), 0, attr);
}

/*
 * Append @lines (elements, no indentation) as the last children of @node,
 * indented like its other children; an empty element (<memballoon/>) is
 * opened up. An element written on one line gets its children on that
 * line too.
 */
static void
ppDomainDefEditAppendChildren(const PpDomainDef *def, xmlNodePtr node, GPtrArray *lines,
                              const char *unit, GArray *edits)
{
    const PpXmlSpan *span = ppDomainDefNodeSpan(def, node);
    g_autofree char *indent = ppTextLineIndent(def, span->start);
    g_autofree char *childIndent = NULL;
    g_autoptr(GString) text = g_string_new(NULL);
    xmlNodePtr last = node->last;
    gboolean inline_;
    gsize ws;
    guint i;

    while (last && last->type != XML_ELEMENT_NODE)
        last = last->prev;
    if (last)
        childIndent = ppTextLineIndent(def, ppDomainDefNodeSpan(def, last)->start);
    else
        childIndent = g_strconcat(indent, unit, NULL);
    inline_ = last && *childIndent == '\0';

    for (i = 0; i < lines->len; i++) {
        g_auto(GStrv) parts = g_strsplit(g_ptr_array_index(lines, i), "\n", -1);
        guint j;

        /* A multi-line child keeps its own inner indentation. */
        for (j = 0; parts[j]; j++) {
            if (inline_ && !parts[1])
                g_string_append(text, parts[j]);
            else
                g_string_append_printf(text, "\n%s%s", childIndent, parts[j]);
        }
    }

    if (span->empty) {
        ppTextEditAdd(edits, span->startEnd - 2, 2,
                      g_strdup_printf(">%s\n%s</%s>", text->str, indent,
                                      (const char *)node->name));
        return;
    }
    /* Before the whitespace that precedes the end tag, as the last child. */
    ws = span->endStart;
    while (ws > span->startEnd && g_ascii_isspace(def->text[ws - 1]))
        ws--;
    if (ws == span->endStart && !last)
        g_string_append_printf(text, "\n%s", indent);
    ppTextEditAdd(edits, ws, 0, g_string_free(g_steal_pointer(&text), FALSE));
}

static xmlNodePtr
ppXmlNodeChild(xmlNodePtr node, const char *name)
{
    xmlNodePtr cur;

    for (cur = node->children; cur; cur = cur->next) {
        if (cur->type == XML_ELEMENT_NODE && !cur->ns && g_str_equal((const char *)cur->name, name))
            return cur;
    }
    return NULL;
}

/* The hint attributes of the input language (README.md, "Hints"). */
static const char *const ppHintAttrs[] = { "hotpluggable", "preferredConnection", "numaNode",
                                           "p2pGroup" };

/*
 * Find attribute @name in the start tag of @span: [*ret_start, *ret_end)
 * covers it with the whitespace before it. The document passed both
 * xml_spans.c and libxml2, so the tag is well formed.
 */
static gboolean
ppXmlStartTagFindAttr(const char *text, const PpXmlSpan *span, const char *name,
                      gsize *ret_start, gsize *ret_end)
{
    gsize i = span->start + 1;
    gsize tagEnd = span->startEnd;

    while (i < tagEnd && !g_ascii_isspace(text[i]) && text[i] != '/' && text[i] != '>')
        i++;
    for (;;) {
        gsize wsStart = i;
        gsize nameStart;
        gsize nameEnd;
        char quote;

        while (i < tagEnd && g_ascii_isspace(text[i]))
            i++;
        if (i >= tagEnd || text[i] == '/' || text[i] == '>')
            return FALSE;
        nameStart = i;
        while (i < tagEnd && text[i] != '=' && !g_ascii_isspace(text[i]))
            i++;
        nameEnd = i;
        while (i < tagEnd && text[i] != '\'' && text[i] != '"')
            i++;
        if (i >= tagEnd)
            return FALSE;
        quote = text[i++];
        while (i < tagEnd && text[i] != quote)
            i++;
        if (i >= tagEnd)
            return FALSE;
        i++;
        if (nameEnd - nameStart == strlen(name) &&
            memcmp(text + nameStart, name, nameEnd - nameStart) == 0) {
            *ret_start = wsStart;
            *ret_end = i;
            return TRUE;
        }
    }
}

/* Whether @node has an attribute other than the hints, or any child element. */
static gboolean
ppXmlNodeHasMoreThanHints(xmlNodePtr node)
{
    xmlAttrPtr attr;
    xmlNodePtr cur;
    size_t i;

    for (attr = node->properties; attr; attr = attr->next) {
        gboolean hint = FALSE;

        for (i = 0; i < G_N_ELEMENTS(ppHintAttrs) && !attr->ns; i++)
            hint |= g_str_equal((const char *)attr->name, ppHintAttrs[i]);
        if (!hint)
            return TRUE;
    }
    for (cur = node->children; cur; cur = cur->next) {
        if (cur->type == XML_ELEMENT_NODE)
            return TRUE;
    }
    return FALSE;
}

/*
 * The hints are the input language's, not libvirt's: its schema has no
 * such attributes on <target> (virt-xml-validate and `virsh define
 * --validate` refuse them), so the planned document keeps them only in
 * the <metadata> mirror, which the schema leaves open. The attributes go;
 * a <target> that held nothing else (an rng's, a balloon's) goes whole,
 * with the whitespace before it.
 */
static void
ppDomainDefEditDropHints(const PpDomainDef *def, const PpDeviceDef *dev, GArray *edits)
{
    xmlNodePtr target = ppXmlNodeChild(dev->node, "target");
    const PpXmlSpan *span;
    size_t i;

    if (!target || !(span = ppDomainDefNodeSpan(def, target)))
        return;
    if (!ppXmlNodeHasMoreThanHints(target)) {
        gsize from = span->start;

        while (from > 0 && g_ascii_isspace(def->text[from - 1]))
            from--;
        ppTextEditAdd(edits, from, span->end - from, g_strdup(""));
        return;
    }
    for (i = 0; i < G_N_ELEMENTS(ppHintAttrs); i++) {
        gsize start;
        gsize end;

        if (xmlHasNsProp(target, (const xmlChar *)ppHintAttrs[i], NULL) &&
            ppXmlStartTagFindAttr(def->text, span, ppHintAttrs[i], &start, &end))
            ppTextEditAdd(edits, start, end - start, g_strdup(""));
    }
}

/*
 * The edits for a device of the user's document: attributes the planner
 * filled in (a controller's index, an expander's busNr), an alias for
 * hints to be found by, and the new <address>.
 */
static void
ppDomainDefEditDevice(const PpDomainDef *def, const PpDeviceDef *dev, const char *unit,
                      GArray *edits)
{
    g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func(g_free);

    if (dev->alias && ppDeviceHintsPresent(&dev->hints) && !dev->hintsFromMetadata)
        ppDomainDefEditDropHints(def, dev, edits);
    if (dev->indexAdded)
        ppDomainDefEditAddAttr(def, dev->node, g_strdup_printf(" index='%d'", dev->ctrl.index),
                               edits);
    if (dev->targetChanged) {
        xmlNodePtr target = ppXmlNodeChild(dev->node, "target");
        char *attr = g_strdup_printf(" busNr='%d'", dev->ctrl.busNr);

        if (target) {
            ppDomainDefEditAddAttr(def, target, attr, edits);
        } else {
            g_ptr_array_add(lines, g_strdup_printf("<target%s/>", attr));
            g_free(attr);
        }
    }
    if (dev->aliasAdded) {
        char *alias = g_strdup_printf("<alias name='%s'/>", dev->alias);
        xmlNodePtr nameless = ppXmlNodeChild(dev->node, "alias");

        /* A nameless <alias/> is replaced, not joined by a second one:
         * the next parse reads the first <alias>, and so does libvirt. */
        if (nameless) {
            const PpXmlSpan *aspan = ppDomainDefNodeSpan(def, nameless);

            ppTextEditAdd(edits, aspan->start, aspan->end - aspan->start, alias);
        } else {
            g_ptr_array_add(lines, alias);
        }
    }
    if (dev->addrChanged) {
        char *addr = ppDeviceAddressFormatXML(&dev->addr);

        if (dev->addrNode) {
            const PpXmlSpan *aspan = ppDomainDefNodeSpan(def, dev->addrNode);

            ppTextEditAdd(edits, aspan->start, aspan->end - aspan->start, addr);
        } else {
            g_ptr_array_add(lines, addr);
        }
    }
    if (lines->len)
        ppDomainDefEditAppendChildren(def, dev->node, lines, unit, edits);
}

/* The hints element: one entry per device with hints, in device order. */
static char *
ppDomainDefFormatHints(const PpDomainDef *def, const char *unit)
{
    g_autoptr(GString) buf = g_string_new(NULL);
    guint i;

    for (i = 0; i < def->devices->len; i++) {
        const PpDeviceDef *dev = g_ptr_array_index(def->devices, i);

        g_autofree char *alias = NULL;

        if (!dev->alias || !ppDeviceHintsPresent(&dev->hints))
            continue;
        /* A user's alias is any string; ours never needs escaping. */
        alias = g_markup_escape_text(dev->alias, -1);
        g_string_append_printf(buf, "\n%s<pciplan:device alias='%s'", unit, alias);
        if (dev->hints.hotpluggable != PP_TRISTATE_ABSENT)
            g_string_append_printf(buf, " hotpluggable='%s'",
                                   dev->hints.hotpluggable == PP_TRISTATE_YES ? "yes" : "no");
        if (dev->hints.preferredConnection != PP_CONNECTION_NONE)
            g_string_append_printf(buf, " preferredConnection='%s'",
                                   ppConnectionToString(dev->hints.preferredConnection));
        if (dev->hints.numaNode >= 0)
            g_string_append_printf(buf, " numaNode='%d'", dev->hints.numaNode);
        /* Checked at parse: the name needs no escaping. */
        if (dev->hints.p2pGroup)
            g_string_append_printf(buf, " p2pGroup='%s'", dev->hints.p2pGroup);
        g_string_append(buf, "/>");
    }
    if (buf->len == 0)
        return NULL;
    return g_strdup_printf("<pciplan:hints xmlns:pciplan='%s'>%s\n</pciplan:hints>",
                           PP_HINTS_NAMESPACE, buf->str);
}

/* Sorted "alias hp pref numa group;" entries: device order is libvirt's to change. */
static int
ppStrPtrCompare(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *
ppHintsKeySort(const GString *key)
{
    g_auto(GStrv) entries = g_strsplit(key->str, ";", -1);

    qsort(entries, g_strv_length(entries), sizeof(char *), ppStrPtrCompare);
    return g_strjoinv(";", entries);
}

/* The hints an existing mirror element holds, as "alias hp pref numa group;" entries. */
static char *
ppDomainDefHintsNodeKey(xmlNodePtr hintsNode)
{
    g_autoptr(GString) key = g_string_new(NULL);
    const char *attrs[] = { "alias", "hotpluggable", "preferredConnection", "numaNode",
                            "p2pGroup" };
    xmlNodePtr cur;
    size_t i;

    for (cur = hintsNode->children; cur; cur = cur->next) {
        if (cur->type != XML_ELEMENT_NODE || !g_str_equal((const char *)cur->name, "device"))
            continue;
        for (i = 0; i < G_N_ELEMENTS(attrs); i++) {
            xmlChar *val = xmlGetNoNsProp(cur, (const xmlChar *)attrs[i]);

            g_string_append_printf(key, "%s ", val ? (const char *)val : "");
            xmlFree(val);
        }
        g_string_append_c(key, ';');
    }
    return ppHintsKeySort(key);
}

/* The same key for the hints of the model. */
static char *
ppDomainDefHintsModelKey(const PpDomainDef *def)
{
    g_autoptr(GString) key = g_string_new(NULL);
    guint i;

    for (i = 0; i < def->devices->len; i++) {
        const PpDeviceDef *dev = g_ptr_array_index(def->devices, i);
        const PpDeviceHints *h = &dev->hints;
        g_autofree char *numa = h->numaNode >= 0 ? g_strdup_printf("%d", h->numaNode)
                                                 : g_strdup("");

        if (!dev->alias || !ppDeviceHintsPresent(h))
            continue;
        g_string_append_printf(key, "%s %s %s %s %s ;", dev->alias,
                               h->hotpluggable == PP_TRISTATE_ABSENT ? ""
                               : h->hotpluggable == PP_TRISTATE_YES  ? "yes"
                                                                     : "no",
                               ppConnectionToString(h->preferredConnection), numa,
                               h->p2pGroup ? h->p2pGroup : "");
    }
    return ppHintsKeySort(key);
}

/*
 * Mirror the hints under <metadata> (domain_conf.c says why). The element
 * is rewritten only when its content changes, so that a planned document
 * plans to itself.
 */
static void
ppDomainDefEditHints(const PpDomainDef *def, const char *unit, GArray *edits)
{
    g_autofree char *hints = ppDomainDefFormatHints(def, unit);
    xmlNodePtr root = xmlDocGetRootElement(def->doc);
    xmlNodePtr after = NULL;
    xmlNodePtr cur;

    if (def->hintsNode) {
        const PpXmlSpan *span = ppDomainDefNodeSpan(def, def->hintsNode);
        g_autofree char *indent = ppTextLineIndent(def, span->start);
        g_autofree char *sep = g_strconcat("\n", indent, NULL);
        g_autofree char *have = ppDomainDefHintsNodeKey(def->hintsNode);
        g_autofree char *want = ppDomainDefHintsModelKey(def);
        g_auto(GStrv) lines = NULL;

        /* Compared by content, not text: libvirt re-quotes what it keeps. */
        if (!hints || g_str_equal(have, want))
            return;
        lines = g_strsplit(hints, "\n", -1);
        ppTextEditAdd(edits, span->start, span->end - span->start, g_strjoinv(sep, lines));
        return;
    }
    if (!hints)
        return;
    if (def->metadataNode) {
        g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func(g_free);

        g_ptr_array_add(lines, g_steal_pointer(&hints));
        ppDomainDefEditAppendChildren(def, def->metadataNode, lines, unit, edits);
        return;
    }
    /* libvirt writes <metadata> after the name, uuid, title and description. */
    for (cur = root->children; cur; cur = cur->next) {
        if (cur->type == XML_ELEMENT_NODE && !cur->ns &&
            (g_str_equal((const char *)cur->name, "name") ||
             g_str_equal((const char *)cur->name, "uuid") ||
             g_str_equal((const char *)cur->name, "genid") ||
             g_str_equal((const char *)cur->name, "title") ||
             g_str_equal((const char *)cur->name, "description")))
            after = cur;
    }
    if (after) {
        const PpXmlSpan *span = ppDomainDefNodeSpan(def, after);
        g_autofree char *indent = ppTextLineIndent(def, span->start);
        g_auto(GStrv) lines = g_strsplit(hints, "\n", -1);
        g_autofree char *sep = g_strconcat("\n", indent, unit, NULL);
        g_autofree char *body = g_strjoinv(sep, lines);

        ppTextEditAdd(edits, span->end, 0,
                      g_strdup_printf("\n%s<metadata>\n%s%s%s\n%s</metadata>", indent, indent,
                                      unit, body, indent));
    } else {
        g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func(g_free);

        g_ptr_array_add(lines, g_strdup_printf("<metadata>\n%s%s\n</metadata>", unit, hints));
        ppDomainDefEditAppendChildren(def, root, lines, unit, edits);
    }
}

/*
 * io-reserve=0 for root ports that need no I/O window, through
 * <qemu:override> on their alias: libvirt has no XML for io-reserve, but
 * 9.0 passes QEMU-namespace overrides on to the device.
 */
static void
ppDomainDefEditQemuOverride(const PpDomainDef *def, const char *unit, GArray *edits)
{
    xmlNodePtr root = xmlDocGetRootElement(def->doc);
    g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func(g_free);
    /* libvirt finds its namespace by URI, whatever the prefix. */
    const char *prefix = def->qemuPrefix ? def->qemuPrefix
                         : def->qemuPrefixTaken ? "ppqemu"
                                                : "qemu";
    guint i;

    for (i = 0; i < def->devices->len; i++) {
        const PpDeviceDef *dev = g_ptr_array_index(def->devices, i);
        g_autofree char *alias = NULL;

        if (!dev->ioReserveZero || dev->ioReserveKnown || !dev->alias)
            continue;
        alias = g_markup_escape_text(dev->alias, -1);
        g_ptr_array_add(lines,
                        g_strdup_printf("<%1$s:device alias='%2$s'>\n%3$s<%1$s:frontend>\n%3$s%3$s"
                                        "<%1$s:property name='io-reserve' type='unsigned' value='0'/>"
                                        "\n%3$s</%1$s:frontend>\n</%1$s:device>",
                                        prefix, alias, unit));
    }
    if (lines->len == 0)
        return;
    if (def->overrideNode) {
        ppDomainDefEditAppendChildren(def, def->overrideNode, lines, unit, edits);
        return;
    }
    {
        g_autofree char *joined = NULL;
        g_auto(GStrv) all = NULL;
        g_autofree char *sep = g_strconcat("\n", unit, NULL);
        g_autoptr(GPtrArray) wrapped = g_ptr_array_new_with_free_func(g_free);

        g_ptr_array_add(lines, NULL);
        joined = g_strjoinv("\n", (char **)lines->pdata);
        all = g_strsplit(joined, "\n", -1);
        g_free(joined);
        joined = g_strjoinv(sep, all);
        g_ptr_array_add(wrapped, g_strdup_printf("<%1$s:override>\n%2$s%3$s\n</%1$s:override>",
                                                 prefix, unit, joined));
        ppDomainDefEditAppendChildren(def, root, wrapped, unit, edits);
    }
    if (!def->qemuPrefix)
        ppDomainDefEditAddAttr(def, root,
                               g_strdup_printf(" xmlns:%s='%s'", prefix, PP_QEMU_NAMESPACE), edits);
}

/* The user's last device of each kind, found in one pass. */
typedef struct {
    const PpDeviceDef *last[PP_DEVICE_LAST];
    const PpDeviceDef *lastDisk;  /* disk or emulator, after which controllers go */
    const PpDeviceDef *any;
} PpInsertPoints;

static void
ppInsertPointsCollect(const PpDomainDef *def, PpInsertPoints *pts)
{
    guint i;

    for (i = 0; i < def->devices->len; i++) {
        const PpDeviceDef *dev = g_ptr_array_index(def->devices, i);

        if (dev->added || !dev->node)
            continue;
        pts->any = dev;
        pts->last[dev->kind] = dev;
        if (dev->kind == PP_DEVICE_DISK || dev->kind == PP_DEVICE_EMULATOR)
            pts->lastDisk = dev;
    }
}

/*
 * Where a new device of @kind goes: after the last existing device of the
 * same kind; new controllers after the disks when there are no controllers
 * (libvirt's own order); anything else at the end of <devices>.
 */
static gsize
ppDomainDefInsertPoint(const PpDomainDef *def, const PpInsertPoints *pts, PpDeviceKind kind,
                       char **indent)
{
    const PpDeviceDef *pick = pts->last[kind];

    if (!pick)
        pick = kind == PP_DEVICE_CONTROLLER && pts->lastDisk ? pts->lastDisk : pts->any;
    if (pick) {
        const PpXmlSpan *span = ppDomainDefNodeSpan(def, pick->node);

        *indent = ppTextLineIndent(def, span->start);
        return span->end;
    }
    *indent = NULL;
    return ppDomainDefNodeSpan(def, def->devicesNode)->startEnd;
}

static void
ppDomainDefEditAdditions(const PpDomainDef *def, const char *unit, GArray *edits)
{
    const PpXmlSpan *devices = ppDomainDefNodeSpan(def, def->devicesNode);
    g_autofree char *devIndent = ppTextLineIndent(def, devices->start);
    gboolean opened = FALSE;
    PpInsertPoints pts = { 0 };
    guint i;

    ppInsertPointsCollect(def, &pts);
    /* Controllers first, so that where several additions share one
     * insertion point the buses come before what sits on them. */
    for (i = 0; i < 2 * def->devices->len; i++) {
        const PpDeviceDef *dev = g_ptr_array_index(def->devices, i % def->devices->len);
        gboolean ctrlPass = i < def->devices->len;
        g_autofree char *indent = NULL;
        g_autofree char *text = NULL;
        gsize at;

        if (!dev->added || ctrlPass != (dev->kind == PP_DEVICE_CONTROLLER))
            continue;
        at = ppDomainDefInsertPoint(def, &pts, dev->kind, &indent);
        if (!indent)
            indent = g_strconcat(devIndent, unit, NULL);
        text = ppDeviceFormatNew(dev, indent, unit);
        if (devices->empty && !opened) {
            /* <devices/> must be opened up first. */
            ppTextEditAdd(edits, devices->startEnd - 2, 2, g_strdup(">"));
            opened = TRUE;
        }
        ppTextEditAdd(edits, at, 0, g_strdup_printf("\n%s%s", indent, text));
    }
    if (opened)
        ppTextEditAdd(edits, devices->end, 0,
                      g_strdup_printf("\n%s</devices>", devIndent));
}

static gboolean
ppDomainDefHasAdditions(const PpDomainDef *def)
{
    guint i;

    for (i = 0; i < def->devices->len; i++) {
        const PpDeviceDef *dev = g_ptr_array_index(def->devices, i);

        if (dev->added)
            return TRUE;
    }
    return FALSE;
}

/**
 * ppDomainDefFormat:
 * @def: a parsed (and usually planned) domain
 *
 * Returns: (transfer full) the document with the planner's edits, or NULL
 * with @error set.
 */
char *
ppDomainDefFormat(const PpDomainDef *def, gsize *ret_len, GError **error)
{
    g_autoptr(GArray) edits = g_array_new(FALSE, FALSE, sizeof(PpTextEdit));
    g_autofree char *unit = ppDomainDefIndentUnit(def);
    g_autoptr(GString) out = g_string_sized_new(def->len + 1024);
    gsize pos = 0;
    guint i;

    g_array_set_clear_func(edits, ppTextEditClear);

    if (!def->devicesNode && ppDomainDefHasAdditions(def)) {
        g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                    _("The domain has no <devices> element to add devices to"));
        return NULL;
    }

    for (i = 0; i < def->devices->len; i++) {
        const PpDeviceDef *dev = g_ptr_array_index(def->devices, i);

        if (!dev->added)
            ppDomainDefEditDevice(def, dev, unit, edits);
    }
    if (def->devicesNode)
        ppDomainDefEditAdditions(def, unit, edits);
    ppDomainDefEditHints(def, unit, edits);
    ppDomainDefEditQemuOverride(def, unit, edits);

    g_array_sort(edits, ppTextEditCompare);
    for (i = 0; i < edits->len; i++) {
        const PpTextEdit *edit = &g_array_index(edits, PpTextEdit, i);

        if (edit->offset < pos) {
            g_set_error(error, PP_ERROR, PP_ERROR_INTERNAL,
                        /* no G_GSIZE_FORMAT inside _(): xgettext would cut the msgid there */
                        _("Overlapping edits at offset %1$lu"), (unsigned long)edit->offset);
            return NULL;
        }
        g_string_append_len(out, def->text + pos, edit->offset - pos);
        g_string_append(out, edit->insert);
        pos = edit->offset + edit->remove;
    }
    g_string_append_len(out, def->text + pos, def->len - pos);

    *ret_len = out->len;
    return g_string_free(g_steal_pointer(&out), FALSE);
}
