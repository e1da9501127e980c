/*
 * jsonoutputtest.c: the shapes of explain --format=json, --format=dot and
 * the JSON errors, as docs/json.md documents them
 *
 * Each member's presence and JSON type is checked on every node of the
 * tree, on real plans (the bundled example, a NUMA and an mmio domain)
 * and on refused inputs of each class. Also --quiet and --debug, which
 * keep standard output (the JSON) clean.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "testutils.h"
#include "testtool.h"

#include <json-glib/json-glib.h>
#include <string.h>

typedef enum {
    T_STRING,
    T_INT,
    T_BOOL,
    T_STRING_OR_NULL,
    T_ARRAY,
    T_OBJECT,
} PpJsonType;

static void
assertMember(JsonObject *obj, const char *name, PpJsonType type)
{
    JsonNode *node = json_object_get_member(obj, name);

    if (!node)
        g_error("member '%s' missing", name);
    switch (type) {
    case T_STRING:
        g_assert_true(JSON_NODE_HOLDS_VALUE(node));
        g_assert_true(json_node_get_value_type(node) == G_TYPE_STRING);
        break;
    case T_INT:
        g_assert_true(JSON_NODE_HOLDS_VALUE(node));
        g_assert_true(json_node_get_value_type(node) == G_TYPE_INT64);
        g_assert_cmpint(json_node_get_int(node), >=, 0);
        break;
    case T_BOOL:
        g_assert_true(JSON_NODE_HOLDS_VALUE(node));
        g_assert_true(json_node_get_value_type(node) == G_TYPE_BOOLEAN);
        break;
    case T_STRING_OR_NULL:
        g_assert_true(JSON_NODE_HOLDS_NULL(node) ||
                      (JSON_NODE_HOLDS_VALUE(node) &&
                       json_node_get_value_type(node) == G_TYPE_STRING));
        break;
    case T_ARRAY:
        g_assert_true(JSON_NODE_HOLDS_ARRAY(node));
        break;
    case T_OBJECT:
        g_assert_true(JSON_NODE_HOLDS_OBJECT(node));
        break;
    }
}

static JsonNode *
parseJson(const char *text)
{
    g_autoptr(JsonParser) parser = json_parser_new();
    g_autoptr(GError) err = NULL;

    json_parser_load_from_data(parser, text, -1, &err);
    g_assert_no_error(err);
    g_assert_nonnull(json_parser_get_root(parser));
    return json_node_copy(json_parser_get_root(parser));
}

/* Checks one node of the tree and its subtree; returns how many nodes. */
static guint
assertTreeNode(JsonObject *obj)
{
    const char *addr;
    guint n = 1;

    assertMember(obj, "address", T_STRING);
    addr = json_object_get_string_member(obj, "address");
    g_assert_cmpuint(strlen(addr), ==, 7); /* bb:ss.f */
    assertMember(obj, "device", T_STRING);
    assertMember(obj, "alias", T_STRING_OR_NULL);
    assertMember(obj, "added", T_BOOL);
    assertMember(obj, "reason", T_STRING_OR_NULL);
    /* a reason exactly when the plan added it */
    g_assert_cmpint(json_object_get_boolean_member(obj, "added"), ==,
                    !json_object_get_null_member(obj, "reason"));
    assertMember(obj, "io-reserve-zero", T_BOOL);
    if (json_object_has_member(obj, "bus-nr"))
        assertMember(obj, "bus-nr", T_INT);
    if (json_object_has_member(obj, "numa-node"))
        assertMember(obj, "numa-node", T_INT);
    if (json_object_has_member(obj, "controller")) {
        JsonObject *ctrl = json_object_get_object_member(obj, "controller");
        JsonArray *children;
        guint i;

        assertMember(obj, "controller", T_OBJECT);
        assertMember(ctrl, "model", T_STRING);
        assertMember(ctrl, "index", T_INT);
        assertMember(ctrl, "hotplug", T_BOOL);
        assertMember(ctrl, "empty-port", T_BOOL);
        assertMember(obj, "children", T_ARRAY);
        children = json_object_get_array_member(obj, "children");
        if (json_object_get_boolean_member(ctrl, "empty-port"))
            g_assert_cmpuint(json_array_get_length(children), ==, 0);
        for (i = 0; i < json_array_get_length(children); i++)
            n += assertTreeNode(json_array_get_object_element(children, i));
    } else {
        g_assert_false(json_object_has_member(obj, "children"));
    }
    return n;
}

static void
testExplainJson(gconstpointer data)
{
    g_autofree char *in = ppTestSrcPath(data);
    g_auto(PpTestRun) run = { 0 };
    g_auto(PpTestRun) alias = { 0 };
    g_autoptr(JsonNode) root = NULL;
    JsonObject *doc;
    JsonObject *topo;
    JsonObject *cap;
    JsonArray *arr;
    guint nodes = 0;
    guint i;
    static const char *const capInts[] = {
        "empty-root-ports", "empty-downstream-ports", "empty-cold-ports", "free-root-slots",
        "root-slot-max", "bus-numbers-used", "bus-numbers-max", "io-windows-used",
        "io-windows-max", "virtio-mmio-used", "virtio-mmio-max",
    };

    ppTestRunTool(&run, NULL, NULL, (const char *[]){ "explain", "--json", in, NULL });
    g_assert_cmpint(run.status, ==, 0);
    ppTestRunTool(&alias, NULL, NULL,
                  (const char *[]){ "explain", "--format=json", in, NULL });
    g_assert_cmpstr(run.out, ==, alias.out);

    root = parseJson(run.out);
    g_assert_true(JSON_NODE_HOLDS_OBJECT(root));
    doc = json_node_get_object(root);
    assertMember(doc, "version", T_INT);
    g_assert_cmpint(json_object_get_int_member(doc, "version"), ==, 1);
    assertMember(doc, "domain", T_STRING);
    assertMember(doc, "machine", T_STRING);
    assertMember(doc, "pcie", T_BOOL);
    assertMember(doc, "firmware", T_STRING);

    assertMember(doc, "topology", T_OBJECT);
    topo = json_object_get_object_member(doc, "topology");
    assertMember(topo, "model", T_STRING);
    assertMember(topo, "index", T_INT);
    assertMember(topo, "children", T_ARRAY);
    arr = json_object_get_array_member(topo, "children");
    for (i = 0; i < json_array_get_length(arr); i++)
        nodes += assertTreeNode(json_array_get_object_element(arr, i));

    assertMember(doc, "virtio-mmio", T_ARRAY);
    arr = json_object_get_array_member(doc, "virtio-mmio");
    for (i = 0; i < json_array_get_length(arr); i++) {
        JsonObject *dev = json_array_get_object_element(arr, i);

        assertMember(dev, "device", T_STRING);
        assertMember(dev, "alias", T_STRING_OR_NULL);
    }
    g_assert_cmpuint(nodes + json_array_get_length(arr), >, 0);

    assertMember(doc, "capacity", T_OBJECT);
    cap = json_object_get_object_member(doc, "capacity");
    assertMember(cap, "hotplug", T_BOOL);
    for (i = 0; i < G_N_ELEMENTS(capInts); i++)
        assertMember(cap, capInts[i], T_INT);
    g_assert_cmpint(json_object_get_int_member(cap, "bus-numbers-max"), ==, 256);
    g_assert_cmpint(json_object_get_int_member(cap, "virtio-mmio-used"), ==,
                    json_array_get_length(arr));

    assertMember(doc, "warnings", T_ARRAY);
    arr = json_object_get_array_member(doc, "warnings");
    for (i = 0; i < json_array_get_length(arr); i++) {
        JsonObject *w = json_array_get_object_element(arr, i);

        assertMember(w, "code", T_STRING);
        assertMember(w, "address", T_STRING_OR_NULL);
        assertMember(w, "message", T_STRING);
    }
}

/* The bundled example: what the text says, the JSON says. */
static void
testExplainJsonExample(void)
{
    g_autofree char *in = ppTestSrcPath("../examples/q35-workstation.xml");
    g_auto(PpTestRun) run = { 0 };
    g_autoptr(JsonNode) root = NULL;
    JsonObject *cap;

    ppTestRunTool(&run, NULL, NULL, (const char *[]){ "explain", "--json", in, NULL });
    g_assert_cmpint(run.status, ==, 0);
    root = parseJson(run.out);
    cap = json_object_get_object_member(json_node_get_object(root), "capacity");
    g_assert_cmpint(json_object_get_int_member(cap, "empty-root-ports"), ==, 1);
    g_assert_cmpint(json_object_get_int_member(cap, "bus-numbers-used"), ==, 10);
    g_assert_cmpstr(json_object_get_string_member(json_node_get_object(root), "machine"), ==,
                    "q35");
}

static void
testExplainDot(void)
{
    g_autofree char *in = ppTestSrcPath("../examples/q35-workstation.xml");
    g_auto(PpTestRun) run = { 0 };
    g_auto(PpTestRun) bad = { 0 };
    g_auto(GStrv) lines = NULL;
    guint i;

    ppTestRunTool(&run, NULL, NULL, (const char *[]){ "explain", "--format=dot", in, NULL });
    g_assert_cmpint(run.status, ==, 0);
    g_assert_true(g_str_has_prefix(run.out, "digraph pci {\n"));
    g_assert_true(g_str_has_suffix(run.out, "}\n"));
    /* every planned device is a node with its address */
    g_assert_nonnull(strstr(run.out, "label=\"03:01.0\\ninterface"));
    g_assert_nonnull(strstr(run.out, "root -> n00_01_0;"));
    /* labels break lines with dot's \n, never a raw newline */
    lines = g_strsplit(run.out, "\n", -1);
    for (i = 0; lines[i]; i++)
        if (strstr(lines[i], "[label="))
            g_assert_true(g_str_has_suffix(lines[i], "];"));

    ppTestRunTool(&bad, NULL, NULL, (const char *[]){ "explain", "--format=yaml", in, NULL });
    g_assert_cmpint(bad.status, ==, 2);
}

typedef struct {
    const char *input;   /* the document on standard input */
    int code;            /* exit status */
    const char *klass;
    const char *message; /* a part of it */
} PpJsonErrorCase;

static const PpJsonErrorCase errorCases[] = {
    { "<domain type='qemu'><name>x</name>", 1, "config", "Malformed XML" },
    { "<domain type='qemu'><name>x</name><os><type arch='x86_64' machine='frob'>hvm</type>"
      "</os><devices/></domain>", 1, "unsupported", "'frob'" },
};

static void
testErrorJson(gconstpointer data)
{
    const PpJsonErrorCase *tc = data;
    g_auto(PpTestRun) run = { 0 };
    g_autoptr(JsonNode) root = NULL;
    JsonObject *err;

    ppTestRunTool(&run, tc->input, NULL, (const char *[]){ "explain", "--json", "-", NULL });
    g_assert_cmpint(run.status, ==, tc->code);
    /* the one-line message for people, as without --json */
    g_assert_true(g_str_has_prefix(run.err, "virt-pciplan: error: "));
    root = parseJson(run.out);
    assertMember(json_node_get_object(root), "error", T_OBJECT);
    err = json_object_get_object_member(json_node_get_object(root), "error");
    assertMember(err, "code", T_INT);
    g_assert_cmpint(json_object_get_int_member(err, "code"), ==, tc->code);
    assertMember(err, "class", T_STRING);
    g_assert_cmpstr(json_object_get_string_member(err, "class"), ==, tc->klass);
    assertMember(err, "message", T_STRING);
    g_assert_nonnull(strstr(json_object_get_string_member(err, "message"), tc->message));
    assertMember(err, "device", T_STRING_OR_NULL);
    assertMember(err, "hint", T_STRING_OR_NULL);
    assertMember(err, "fix", T_STRING_OR_NULL);
}

/* --quiet drops the notes on standard error, --debug adds GLib debug
 * messages there; standard output is the same in all three runs. */
static void
testQuietDebug(void)
{
    g_autofree char *in = ppTestSrcPath("qemuxml2argvdata/q35-virtio-devices.xml");
    g_auto(PpTestRun) plain = { 0 };
    g_auto(PpTestRun) quiet = { 0 };
    g_auto(PpTestRun) debug = { 0 };

    ppTestRunTool(&plain, NULL, NULL, (const char *[]){ "plan", "--io-reserve=always", in, NULL });
    g_assert_cmpint(plain.status, ==, 0);
    g_assert_nonnull(strstr(plain.err, "virt-pciplan: note: "));
    ppTestRunTool(&quiet, NULL, NULL,
                  (const char *[]){ "--quiet", "plan", "--io-reserve=always", in, NULL });
    g_assert_cmpint(quiet.status, ==, 0);
    g_assert_cmpstr(quiet.err, ==, "");
    g_assert_cmpstr(quiet.out, ==, plain.out);
    ppTestRunTool(&debug, NULL, NULL,
                  (const char *[]){ "-d", "explain", "--json", in, NULL });
    g_assert_cmpint(debug.status, ==, 0);
    g_assert_nonnull(strstr(debug.err, "virt-pciplan-DEBUG"));
    g_assert_nonnull(strstr(debug.err, "devices planned in"));
    g_assert_true(g_str_has_prefix(debug.out, "{"));
}

int
main(int argc, char **argv)
{
    size_t i;

    ppTestInit(&argc, &argv);
    g_test_add_data_func("/json/explain/q35-workstation", "../examples/q35-workstation.xml",
                         testExplainJson);
    g_test_add_data_func("/json/explain/q35-numa", "qemuxml2argvdata/q35-numa.xml",
                         testExplainJson);
    g_test_add_data_func("/json/explain/aarch64-virt-mmio", "qemuxml2argvdata/aarch64-virt-mmio.xml",
                         testExplainJson);
    g_test_add_data_func("/json/explain/pc-pci-bridge-growth",
                         "qemuxml2argvdata/pc-pci-bridge-growth.xml", testExplainJson);
    g_test_add_func("/json/explain/example-values", testExplainJsonExample);
    g_test_add_func("/json/explain/dot", testExplainDot);
    g_test_add_func("/tool/quiet-debug", testQuietDebug);
    for (i = 0; i < G_N_ELEMENTS(errorCases); i++) {
        g_autofree char *path = g_strdup_printf("/json/error/%s", errorCases[i].klass);

        g_test_add_data_func(path, &errorCases[i], testErrorJson);
    }
    return g_test_run();
}
