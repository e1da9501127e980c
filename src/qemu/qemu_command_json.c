/*
 * qemu_command_json.c: JSON objects as QEMU reads them on its command line
 *
 * Writing: ordered properties, as libvirt 9.0 writes -device '{...}'.
 * Reading: the members of one object, enough for -device options and QMP
 * replies. Both through json-glib: a JsonObject keeps its members in the
 * order they were first set (a member set again keeps its place, as a
 * libvirt virJSONValue object cannot hold a key twice), and its
 * generator writes the compact form libvirt writes ({"a":1,"b":"x"}).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "qemu_commandpriv.h"
#include "pperror.h"

#include <json-glib/json-glib.h>
#include <string.h>

/* Nesting deeper than this is not a -device option or a QMP reply. */
#define PP_QEMU_JSON_MAX_DEPTH 64

struct _PpQemuProps {
    JsonObject *obj;
};

/**
 * ppQemuPropsNew:
 * Returns: (transfer full) an empty property set, free with ppQemuPropsFree().
 */
PpQemuProps *
ppQemuPropsNew(void)
{
    PpQemuProps *props = g_new0(PpQemuProps, 1);

    props->obj = json_object_new();
    return props;
}

void
ppQemuPropsFree(PpQemuProps *props)
{
    if (!props)
        return;
    json_object_unref(props->obj);
    g_free(props);
}

void
ppQemuPropsAddStr(PpQemuProps *props, const char *key, const char *value)
{
    json_object_set_string_member(props->obj, key, value);
}

/* json-glib holds integers as gint64. Every unsigned value written here
 * is a size, an address or a count from the domain XML, which libvirt
 * 9.0 itself bounds below 2^63 (it parses sizes as unsigned long long
 * KiB and refuses overflow when scaling to bytes); a larger one cannot
 * reach this point, and is clamped rather than wrapped if it ever did. */
void
ppQemuPropsAddUInt(PpQemuProps *props, const char *key, guint64 value)
{
    json_object_set_int_member(props->obj, key, (gint64)MIN(value, (guint64)G_MAXINT64));
}

void
ppQemuPropsAddInt(PpQemuProps *props, const char *key, gint64 value)
{
    json_object_set_int_member(props->obj, key, value);
}

void
ppQemuPropsAddBool(PpQemuProps *props, const char *key, gboolean value)
{
    json_object_set_boolean_member(props->obj, key, value);
}

void
ppQemuPropsAddNull(PpQemuProps *props, const char *key)
{
    json_object_set_null_member(props->obj, key);
}

void
ppQemuPropsRemove(PpQemuProps *props, const char *key)
{
    json_object_remove_member(props->obj, key);
}

const char *
ppQemuPropsGetStr(const PpQemuProps *props, const char *key)
{
    JsonNode *node = json_object_get_member(props->obj, key);

    if (!node || !JSON_NODE_HOLDS_VALUE(node) || json_node_get_value_type(node) != G_TYPE_STRING)
        return NULL;
    return json_node_get_string(node);
}

/**
 * ppQemuPropsFormat:
 * Returns: (transfer full) the properties as a JSON object without spaces,
 * as libvirt writes it.
 */
char *
ppQemuPropsFormat(const PpQemuProps *props)
{
    g_autoptr(JsonNode) node = json_node_init_object(json_node_alloc(), props->obj);

    return json_to_string(node, FALSE);
}

/* ------------------------------------------------------------------ */
/* Reading                                                             */

/*
 * json-glib's parser recurses once per nesting level with no limit, so a
 * hostile "[[[[..." of the input size limit would exhaust the stack: the
 * depth is checked before it parses, skipping strings (with their
 * escapes) as JSON defines them.
 */
static gboolean
ppQemuJSONCheckDepth(const char *text, GError **error)
{
    const char *p;
    gboolean inString = FALSE;
    guint depth = 0;

    for (p = text; *p; p++) {
        if (inString) {
            if (*p == '\\' && p[1])
                p++;
            else if (*p == '"')
                inString = FALSE;
            continue;
        }
        if (*p == '"') {
            inString = TRUE;
        } else if (*p == '{' || *p == '[') {
            if (++depth > PP_QEMU_JSON_MAX_DEPTH) {
                g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                            _("JSON nested deeper than %1$d levels at offset %2$u of '%3$s'"),
                            PP_QEMU_JSON_MAX_DEPTH, (guint)(p - text), text);
                return FALSE;
            }
        } else if ((*p == '}' || *p == ']') && depth > 0) {
            depth--;
        }
    }
    return TRUE;
}

/*
 * json-glib's parser keeps the last of two members with the same name,
 * where QEMU refuses the object ("Duplicate key"). Its signals tell: each
 * object's members as they are read, and each object's end, when the
 * member count must equal its size.
 */
typedef struct {
    GHashTable *counts; /* JsonObject * -> members read */
    char *duplicate;    /* the first member seen twice */
} PpQemuJSONCheck;

static void
ppQemuJSONObjectMember(JsonParser *parser G_GNUC_UNUSED,
                       JsonObject *object,
                       const char *name,
                       PpQemuJSONCheck *check)
{
    guint n = GPOINTER_TO_UINT(g_hash_table_lookup(check->counts, object)) + 1;

    g_hash_table_insert(check->counts, object, GUINT_TO_POINTER(n));
    if (!check->duplicate && n > json_object_get_size(object))
        check->duplicate = g_strdup(name);
}

static void
ppQemuJSONObjectEnd(JsonParser *parser G_GNUC_UNUSED,
                    JsonObject *object,
                    PpQemuJSONCheck *check)
{
    g_hash_table_remove(check->counts, object);
}

/* One member value: strings unescaped, anything else as compact JSON. */
static char *
ppQemuJSONMemberText(JsonNode *node)
{
    if (JSON_NODE_HOLDS_VALUE(node) && json_node_get_value_type(node) == G_TYPE_STRING)
        return g_strdup(json_node_get_string(node));
    return json_to_string(node, FALSE);
}

GHashTable *
ppQemuJSONObjectParse(const char *text, GError **error)
{
    g_autoptr(JsonParser) parser = json_parser_new_immutable();
    g_autoptr(GHashTable) members = NULL;
    g_autoptr(GHashTable) counts = g_hash_table_new(NULL, NULL);
    g_autoptr(GError) err = NULL;
    PpQemuJSONCheck check = { counts, NULL };
    g_autofree char *duplicate = NULL;
    JsonNode *root;
    JsonObjectIter iter;
    const char *name;
    JsonNode *value;

    if (!ppQemuJSONCheckDepth(text, error))
        return NULL;
    g_signal_connect(parser, "object-member", G_CALLBACK(ppQemuJSONObjectMember), &check);
    g_signal_connect(parser, "object-end", G_CALLBACK(ppQemuJSONObjectEnd), &check);
    if (!json_parser_load_from_data(parser, text, -1, &err)) {
        g_free(check.duplicate);
        g_set_error(error, PP_ERROR, PP_ERROR_CONFIG, _("Malformed JSON '%1$s': %2$s"), text,
                    err->message);
        return NULL;
    }
    duplicate = check.duplicate;
    root = json_parser_get_root(parser);
    if (!root || !JSON_NODE_HOLDS_OBJECT(root)) {
        g_set_error(error, PP_ERROR, PP_ERROR_CONFIG, _("Malformed JSON '%1$s': not an object"),
                    text);
        return NULL;
    }
    if (duplicate) {
        g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                    _("The JSON object '%1$s' has the member '%2$s' twice"), text, duplicate);
        return NULL;
    }

    members = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    json_object_iter_init(&iter, json_node_get_object(root));
    while (json_object_iter_next(&iter, &name, &value))
        g_hash_table_insert(members, g_strdup(name), ppQemuJSONMemberText(value));
    return g_steal_pointer(&members);
}
