/*
 * qemu_command_json.c: JSON objects as QEMU reads them on its command line
 *
 * Writing: ordered properties, as libvirt 9.0 writes -device '{...}'.
 * Reading: the members of one object, enough for -device options and QMP
 * replies; GLib has no JSON, and no other module needs one.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "qemu_commandpriv.h"
#include "pperror.h"

#include <string.h>

/* Nesting deeper than this is not a -device option or a QMP reply. */
#define PP_QEMU_JSON_MAX_DEPTH 64

typedef struct {
    char *key;
    char *json;  /* the value as JSON text */
    char *str;   /* the value of a string property, else NULL */
} PpQemuProp;

struct _PpQemuProps {
    GPtrArray *props; /* PpQemuProp * */
};

static void
ppQemuPropFree(PpQemuProp *prop)
{
    g_free(prop->key);
    g_free(prop->json);
    g_free(prop->str);
    g_free(prop);
}

/**
 * ppQemuPropsNew:
 * Returns: (transfer full) an empty property set, free with ppQemuPropsFree().
 */
PpQemuProps *
ppQemuPropsNew(void)
{
    PpQemuProps *props = g_new0(PpQemuProps, 1);

    props->props = g_ptr_array_new_with_free_func((GDestroyNotify)ppQemuPropFree);
    return props;
}

void
ppQemuPropsFree(PpQemuProps *props)
{
    if (!props)
        return;
    g_ptr_array_unref(props->props);
    g_free(props);
}

static void
ppQemuJSONAppendString(GString *out, const char *str)
{
    const char *p;

    g_string_append_c(out, '"');
    for (p = str; *p; p++) {
        guchar c = (guchar)*p;

        if (c == '"' || c == '\\')
            g_string_append_printf(out, "\\%c", c);
        else if (c < 0x20)
            g_string_append_printf(out, "\\u%04x", c);
        else
            g_string_append_c(out, (char)c);
    }
    g_string_append_c(out, '"');
}

/* Properties keep their first position when set again, as a JSON object
 * built by libvirt's virJSONValueObjectAdd* cannot hold a key twice. */
static void
ppQemuPropsSet(PpQemuProps *props, const char *key, char *json, const char *str)
{
    PpQemuProp *prop;
    guint i;

    for (i = 0; i < props->props->len; i++) {
        prop = g_ptr_array_index(props->props, i);
        if (g_str_equal(prop->key, key)) {
            g_free(prop->json);
            g_free(prop->str);
            prop->json = json;
            prop->str = g_strdup(str);
            return;
        }
    }
    prop = g_new0(PpQemuProp, 1);
    prop->key = g_strdup(key);
    prop->json = json;
    prop->str = g_strdup(str);
    g_ptr_array_add(props->props, prop);
}

void
ppQemuPropsAddStr(PpQemuProps *props, const char *key, const char *value)
{
    GString *json = g_string_new(NULL);

    ppQemuJSONAppendString(json, value);
    ppQemuPropsSet(props, key, g_string_free(json, FALSE), value);
}

void
ppQemuPropsAddUInt(PpQemuProps *props, const char *key, guint64 value)
{
    ppQemuPropsSet(props, key, g_strdup_printf("%" G_GUINT64_FORMAT, value), NULL);
}

void
ppQemuPropsAddInt(PpQemuProps *props, const char *key, gint64 value)
{
    ppQemuPropsSet(props, key, g_strdup_printf("%" G_GINT64_FORMAT, value), NULL);
}

void
ppQemuPropsAddBool(PpQemuProps *props, const char *key, gboolean value)
{
    ppQemuPropsSet(props, key, g_strdup(value ? "true" : "false"), NULL);
}

void
ppQemuPropsAddNull(PpQemuProps *props, const char *key)
{
    ppQemuPropsSet(props, key, g_strdup("null"), NULL);
}

void
ppQemuPropsRemove(PpQemuProps *props, const char *key)
{
    guint i;

    for (i = 0; i < props->props->len; i++) {
        PpQemuProp *prop = g_ptr_array_index(props->props, i);

        if (g_str_equal(prop->key, key)) {
            g_ptr_array_remove_index(props->props, i);
            return;
        }
    }
}

static const PpQemuProp *
ppQemuPropsFind(const PpQemuProps *props, const char *key)
{
    guint i;

    for (i = 0; i < props->props->len; i++) {
        const PpQemuProp *prop = g_ptr_array_index(props->props, i);

        if (g_str_equal(prop->key, key))
            return prop;
    }
    return NULL;
}

const char *
ppQemuPropsGetStr(const PpQemuProps *props, const char *key)
{
    const PpQemuProp *prop = ppQemuPropsFind(props, key);

    return prop ? prop->str : NULL;
}

/**
 * ppQemuPropsFormat:
 * Returns: (transfer full) the properties as a JSON object without spaces,
 * as libvirt writes it.
 */
char *
ppQemuPropsFormat(const PpQemuProps *props)
{
    GString *out = g_string_new("{");
    guint i;

    for (i = 0; i < props->props->len; i++) {
        const PpQemuProp *prop = g_ptr_array_index(props->props, i);

        if (i > 0)
            g_string_append_c(out, ',');
        ppQemuJSONAppendString(out, prop->key);
        g_string_append_c(out, ':');
        g_string_append(out, prop->json);
    }
    g_string_append_c(out, '}');
    return g_string_free(out, FALSE);
}

/* ------------------------------------------------------------------ */
/* Reading                                                             */

typedef struct {
    const char *text;
    const char *p;
} PpQemuJSONReader;

static gboolean
ppQemuJSONFail(PpQemuJSONReader *r, GError **error)
{
    g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                _("Malformed JSON at offset %1$u of '%2$s'"),
                (guint)(r->p - r->text), r->text);
    return FALSE;
}

static void
ppQemuJSONSkipSpace(PpQemuJSONReader *r)
{
    while (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r')
        r->p++;
}

static gboolean
ppQemuJSONReadHex4(PpQemuJSONReader *r, gunichar *ret)
{
    gunichar val = 0;
    int i;

    for (i = 0; i < 4; i++) {
        int digit = g_ascii_xdigit_value(r->p[i]);

        if (digit < 0)
            return FALSE;
        val = (val << 4) | (gunichar)digit;
    }
    r->p += 4;
    *ret = val;
    return TRUE;
}

/* A \u escape, with a UTF-16 surrogate pair when there is one. */
static gboolean
ppQemuJSONReadUnicode(PpQemuJSONReader *r, GString *out)
{
    gunichar hi;
    gunichar lo;

    if (!ppQemuJSONReadHex4(r, &hi))
        return FALSE;
    if (hi >= 0xdc00 && hi <= 0xdfff)
        return FALSE;
    if (hi >= 0xd800 && hi <= 0xdbff) {
        if (r->p[0] != '\\' || r->p[1] != 'u')
            return FALSE;
        r->p += 2;
        if (!ppQemuJSONReadHex4(r, &lo) || lo < 0xdc00 || lo > 0xdfff)
            return FALSE;
        hi = 0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00);
    }
    if (hi == 0)
        return FALSE;
    g_string_append_unichar(out, hi);
    return TRUE;
}

static gboolean
ppQemuJSONReadEscape(PpQemuJSONReader *r, GString *out)
{
    static const char from[] = "\"\\/bfnrt";
    static const char to[] = "\"\\/\b\f\n\r\t";
    const char *hit;
    char c = *r->p++;

    if (c == 'u')
        return ppQemuJSONReadUnicode(r, out);
    if (c == '\0' || !(hit = strchr(from, c)))
        return FALSE;
    g_string_append_c(out, to[hit - from]);
    return TRUE;
}

static gboolean
ppQemuJSONReadString(PpQemuJSONReader *r, GString *out, GError **error)
{
    if (*r->p != '"')
        return ppQemuJSONFail(r, error);
    r->p++;
    while (*r->p != '"') {
        if (*r->p == '\0' || (guchar)*r->p < 0x20)
            return ppQemuJSONFail(r, error);
        if (*r->p == '\\') {
            r->p++;
            if (!ppQemuJSONReadEscape(r, out))
                return ppQemuJSONFail(r, error);
            continue;
        }
        g_string_append_c(out, *r->p++);
    }
    r->p++;
    return TRUE;
}

static gboolean ppQemuJSONSkipValue(PpQemuJSONReader *r, guint depth, GError **error);

/* An object or array; @close is '}' or ']'. */
static gboolean
ppQemuJSONSkipContainer(PpQemuJSONReader *r, char close, guint depth, GError **error)
{
    g_autoptr(GString) key = g_string_new(NULL);

    if (depth >= PP_QEMU_JSON_MAX_DEPTH) {
        g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                    _("JSON nested deeper than %1$d levels at offset %2$u of '%3$s'; no -device needs that many: flatten it"),
                    PP_QEMU_JSON_MAX_DEPTH, (guint)(r->p - r->text), r->text);
        return FALSE;
    }
    r->p++;
    ppQemuJSONSkipSpace(r);
    if (*r->p == close) {
        r->p++;
        return TRUE;
    }
    for (;;) {
        if (close == '}') {
            if (!ppQemuJSONReadString(r, key, error))
                return FALSE;
            ppQemuJSONSkipSpace(r);
            if (*r->p++ != ':')
                return ppQemuJSONFail(r, error);
        }
        if (!ppQemuJSONSkipValue(r, depth + 1, error))
            return FALSE;
        ppQemuJSONSkipSpace(r);
        if (*r->p == close) {
            r->p++;
            return TRUE;
        }
        if (*r->p++ != ',')
            return ppQemuJSONFail(r, error);
        ppQemuJSONSkipSpace(r);
    }
}

static gboolean
ppQemuJSONSkipScalar(PpQemuJSONReader *r, GError **error)
{
    static const char *const words[] = { "true", "false", "null" };
    const char *start = r->p;
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(words); i++) {
        if (g_str_has_prefix(r->p, words[i])) {
            r->p += strlen(words[i]);
            return TRUE;
        }
    }
    if (*r->p == '-')
        r->p++;
    if (!g_ascii_isdigit(*r->p))
        return ppQemuJSONFail(r, error);
    while (g_ascii_isdigit(*r->p) || *r->p == '.' || *r->p == 'e' || *r->p == 'E' ||
           ((*r->p == '+' || *r->p == '-') && (r->p[-1] == 'e' || r->p[-1] == 'E')))
        r->p++;
    return r->p > start;
}

static gboolean
ppQemuJSONSkipValue(PpQemuJSONReader *r, guint depth, GError **error)
{
    g_autoptr(GString) ignored = NULL;

    ppQemuJSONSkipSpace(r);
    switch (*r->p) {
    case '{':
        return ppQemuJSONSkipContainer(r, '}', depth, error);
    case '[':
        return ppQemuJSONSkipContainer(r, ']', depth, error);
    case '"':
        ignored = g_string_new(NULL);
        return ppQemuJSONReadString(r, ignored, error);
    default:
        return ppQemuJSONSkipScalar(r, error);
    }
}

/* One member value: strings unescaped, anything else as its JSON text. */
static char *
ppQemuJSONReadMemberValue(PpQemuJSONReader *r, GError **error)
{
    const char *start;

    ppQemuJSONSkipSpace(r);
    if (*r->p == '"') {
        g_autoptr(GString) str = g_string_new(NULL);

        if (!ppQemuJSONReadString(r, str, error))
            return NULL;
        return g_strdup(str->str);
    }
    start = r->p;
    if (!ppQemuJSONSkipValue(r, 1, error))
        return NULL;
    return g_strndup(start, r->p - start);
}

static gboolean
ppQemuJSONReadMember(PpQemuJSONReader *r, GHashTable *members, GError **error)
{
    g_autoptr(GString) key = g_string_new(NULL);
    char *value;

    if (!ppQemuJSONReadString(r, key, error))
        return FALSE;
    ppQemuJSONSkipSpace(r);
    if (*r->p++ != ':')
        return ppQemuJSONFail(r, error);
    if (!(value = ppQemuJSONReadMemberValue(r, error)))
        return FALSE;
    if (g_hash_table_contains(members, key->str)) {
        g_free(value);
        g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                    _("The JSON object '%1$s' has the member '%2$s' twice"), r->text, key->str);
        return FALSE;
    }
    g_hash_table_insert(members, g_strdup(key->str), value);
    return TRUE;
}

static gboolean
ppQemuJSONReadObject(PpQemuJSONReader *r, GHashTable *members, GError **error)
{
    ppQemuJSONSkipSpace(r);
    if (*r->p++ != '{')
        return ppQemuJSONFail(r, error);
    ppQemuJSONSkipSpace(r);
    if (*r->p == '}') {
        r->p++;
        return TRUE;
    }
    for (;;) {
        if (!ppQemuJSONReadMember(r, members, error))
            return FALSE;
        ppQemuJSONSkipSpace(r);
        if (*r->p == '}') {
            r->p++;
            return TRUE;
        }
        if (*r->p++ != ',')
            return ppQemuJSONFail(r, error);
        ppQemuJSONSkipSpace(r);
    }
}

GHashTable *
ppQemuJSONObjectParse(const char *text, GError **error)
{
    g_autoptr(GHashTable) members = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                                          g_free);
    PpQemuJSONReader r = { text, text };

    if (!ppQemuJSONReadObject(&r, members, error))
        return NULL;
    ppQemuJSONSkipSpace(&r);
    if (*r.p != '\0') {
        ppQemuJSONFail(&r, error);
        return NULL;
    }
    return g_steal_pointer(&members);
}
