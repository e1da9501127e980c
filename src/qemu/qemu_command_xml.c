/*
 * qemu_command_xml.c: read what the command line needs from the domain XML
 *
 * PpDomainDef models what placement needs; the command line needs more
 * (disk sources, MAC addresses, NUMA cell sizes, ...), which it reads from
 * the libxml2 tree the model keeps. Devices the planner added have no node;
 * every function here accepts NULL for that reason.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "qemu_commandpriv.h"
#include "pperror.h"

gboolean
ppQemuXmlPropIsYes(xmlNodePtr node, const char *name, const char *yes)
{
    g_autofree char *val = ppXmlProp(node, name);

    return val && g_str_equal(val, yes);
}

/* libvirt's units (virScaleInteger): powers of 1024 for "KiB"/"K"/"k",
 * powers of 1000 for "KB" and so on. */
static gboolean
ppQemuXmlUnitScale(const char *unit, guint64 *ret)
{
    static const struct {
        const char *name;
        guint64 scale;
    } units[] = {
        { "b", 1 }, { "bytes", 1 },
        { "k", 1ULL << 10 }, { "K", 1ULL << 10 }, { "KiB", 1ULL << 10 }, { "KB", 1000ULL },
        { "M", 1ULL << 20 }, { "MiB", 1ULL << 20 }, { "MB", 1000000ULL },
        { "G", 1ULL << 30 }, { "GiB", 1ULL << 30 }, { "GB", 1000000000ULL },
        { "T", 1ULL << 40 }, { "TiB", 1ULL << 40 }, { "TB", 1000000000000ULL },
    };
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(units); i++) {
        if (g_str_equal(units[i].name, unit)) {
            *ret = units[i].scale;
            return TRUE;
        }
    }
    return FALSE;
}

/*
 * The size in @node's attribute @value (or its text when @value is NULL),
 * in bytes, with its unit in @unitAttr. @ret is untouched when absent.
 */
gboolean
ppQemuXmlSizeBytes(xmlNodePtr node,
                   const char *unitAttr,
                   const char *value,
                   const char *what,
                   guint64 *ret,
                   GError **error)
{
    g_autofree char *text = value ? ppXmlProp(node, value) : ppXmlText(node);
    g_autofree char *unit = ppXmlProp(node, unitAttr);
    guint64 scale = 1024;
    guint64 num;
    char *end = NULL;

    if (!text)
        return TRUE;
    num = g_ascii_strtoull(text, &end, 10);
    if (!g_ascii_isdigit(text[0]) || *end != '\0' || (unit && !ppQemuXmlUnitScale(unit, &scale)) ||
        num > G_MAXUINT64 / scale) {
        g_set_error(error, PP_ERROR, PP_ERROR_CONFIG, _("Invalid size '%1$s %2$s' of %3$s"),
                    text, unit ? unit : "KiB", what);
        return FALSE;
    }
    *ret = num * scale;
    return TRUE;
}
