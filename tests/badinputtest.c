/*
 * badinputtest.c: every hostile input in tests/badinput/ gets the answer
 * written for it in tests/badinput/EXPECTED
 *
 * Each input goes through the library (parse, plan, format, and for argv
 * the command line) and through the built tool. The library's error
 * class must be the expected one; the tool must exit with the expected
 * status, write nothing on standard output when it fails, and write one
 * line on standard error that contains the expected words (no raw
 * libxml2 diagnostics). An input that is accepted must plan to a fixed
 * point: planning the plan changes no byte. Exit 5 is never expected.
 *
 * Inputs named '@...' are generated here (too big to commit).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "testutils.h"
#include "testtool.h"
#include "domain_conf.h"
#include "domain_format.h"
#include "pperror.h"
#include "qemu_command.h"
#include "qemu_domain_address.h"

#include <string.h>

typedef struct {
    char *name;     /* file under tests/badinput, or @generated */
    char *command;  /* plan, argv or order */
    int exit;       /* expected exit status of the tool */
    char *klass;    /* ok, config, unsupported or exhausted */
    char *message;  /* words the error must contain ("-" for none) */
    char *gap;      /* a known gap: reported as TODO while it differs */
} BadInput;

static char *tmpdir;

static void
badInputFree(gpointer data)
{
    BadInput *in = data;

    g_free(in->name);
    g_free(in->command);
    g_free(in->klass);
    g_free(in->message);
    g_free(in->gap);
    g_free(in);
}

#define MIB (1024 * 1024)

static const char *badInputHead =
    "<domain type='kvm'>\n  <name>gen</name>\n  <memory unit='MiB'>512</memory>\n"
    "  <os>\n    <type arch='x86_64' machine='q35'>hvm</type>\n  </os>\n";

/* The bytes of a generated input. */
static GString *
badInputGenerate(const char *name)
{
    GString *s = g_string_new(badInputHead);
    guint i;

    if (g_str_equal(name, "@huge-over-limit")) {
        /* One byte over PP_FILE_MAX_INPUT, otherwise a valid domain. */
        g_string_append(s, "  <description>");
        while (s->len < PP_DOMAIN_MAX_INPUT + 1 - strlen("</description>\n  <devices/>\n</domain>\n"))
            g_string_append_c(s, 'x');
        g_string_append(s, "</description>\n  <devices/>\n</domain>\n");
    } else if (g_str_equal(name, "@huge-15mib-comment")) {
        g_string_append(s, "  <!--");
        for (i = 0; i < 15 * MIB; i++)
            g_string_append_c(s, 'x');
        g_string_append(s, "-->\n  <devices/>\n</domain>\n");
    } else if (g_str_equal(name, "@huge-15mib-attr")) {
        g_string_append(s, "  <description a='");
        for (i = 0; i < 15 * MIB; i++)
            g_string_append_c(s, 'x');
        g_string_append(s, "'/>\n  <devices/>\n</domain>\n");
    } else if (g_str_equal(name, "@huge-15mib-text")) {
        /* libxml2 takes 15 MiB of text in one node: accepted. */
        g_string_append(s, "  <description>");
        for (i = 0; i < 15 * MIB; i++)
            g_string_append_c(s, 'x');
        g_string_append(s, "</description>\n  <devices>\n"
                           "    <interface type='user'><model type='virtio'/></interface>\n"
                           "  </devices>\n</domain>\n");
    } else if (g_str_equal(name, "@huge-15mib-unclosed")) {
        /* Just under the limit, and the last element never closes. */
        g_string_append(s, "  <devices>\n");
        while (s->len < 15 * MIB)
            g_string_append(s, "    <!-- padding padding padding padding padding padding -->\n");
        g_string_append(s, "    <interface type='user'>\n");
    } else if (g_str_equal(name, "@deep-elements")) {
        g_string_append(s, "  <metadata>");
        for (i = 0; i < 1000; i++)
            g_string_append(s, "<x>");
        for (i = 0; i < 1000; i++)
            g_string_append(s, "</x>");
        g_string_append(s, "</metadata>\n  <devices/>\n</domain>\n");
    } else if (g_str_equal(name, "@devices-over-limit")) {
        g_string_append(s, "  <devices>\n");
        for (i = 0; i <= PP_DOMAIN_MAX_DEVICES; i++)
            g_string_append(s, "<input type='tablet' bus='usb'/>\n");
        g_string_append(s, "  </devices>\n</domain>\n");
    } else if (g_str_equal(name, "@many-attributes")) {
        g_string_append(s, "  <devices>\n    <interface type='user'");
        for (i = 0; i < 100000; i++)
            g_string_append_printf(s, " a%u='%u'", i, i);
        g_string_append(s, "><model type='virtio'/></interface>\n  </devices>\n</domain>\n");
    } else {
        g_error("no generator for %s", name);
    }
    return s;
}

/* The expected class of an error, as EXPECTED spells it. */
static const char *
badInputClass(const GError *err)
{
    if (!err)
        return "ok";
    if (err->domain != PP_ERROR)
        return "foreign";
    return ppErrorCodeToString((PpErrorCode)err->code);
}

/* Plan @text twice through the library: the class of the first error,
 * and for an accepted input, the plan (which must be a fixed point). */
static char *
badInputPlan(const char *text, gsize len, gboolean argv, GError **error)
{
    g_autoptr(PpDomainDef) def = NULL;
    g_autoptr(PpDomainDef) again = NULL;
    PpPlanOptions opts = PP_PLAN_OPTIONS_INIT;
    g_autofree char *out = NULL;
    g_autofree char *out2 = NULL;
    gsize outlen = 0;
    gsize outlen2 = 0;

    if (!(def = ppDomainDefParseString(text, len, error)))
        return NULL;
    if (argv) {
        g_auto(GStrv) cmdline = ppQemuBuildPlannedCommandLine(def, &opts, NULL, error);

        return cmdline ? g_strjoinv("\n", cmdline) : NULL;
    }
    /* As the tool plans: the plan, then what libvirt or QEMU refuse. */
    if (!ppQemuDomainPlan(def, &opts, NULL, error) || !ppQemuValidatePlanned(def, error) ||
        !(out = ppDomainDefFormat(def, &outlen, error)))
        return NULL;
    /* The plan of the plan: byte for byte the same. */
    if (!(again = ppDomainDefParseString(out, outlen, error)) ||
        !ppQemuDomainPlan(again, &opts, NULL, error) ||
        !(out2 = ppDomainDefFormat(again, &outlen2, error))) {
        g_test_message("the plan of an accepted input is refused when planned again");
        g_test_fail();
        return NULL;
    }
    if (outlen != outlen2 || memcmp(out, out2, outlen) != 0) {
        g_test_message("planning the plan changed it (%" G_GSIZE_FORMAT " -> %" G_GSIZE_FORMAT " bytes)",
                       outlen, outlen2);
        g_test_fail();
    }
    return g_steal_pointer(&out);
}

/* A difference from EXPECTED: a failure, or a TODO for a known gap. */
static void
badInputDiffer(const BadInput *in, const char *what)
{
    g_test_message("%s: %s", in->name, what);
    if (in->gap)
        g_test_incomplete(in->gap);
    else
        g_test_fail();
}

static void
testBadInput(gconstpointer data)
{
    const BadInput *in = data;
    g_autoptr(GError) err = NULL;
    g_autoptr(GError) spawnErr = NULL;
    g_autoptr(GBytes) input = NULL;
    g_autoptr(GBytes) outBytes = NULL;
    g_autoptr(GBytes) errBytes = NULL;
    g_autoptr(GSubprocess) proc = NULL;
    g_autofree char *path = NULL;
    g_autofree char *planned = NULL;
    g_autofree char *errText = NULL;
    const char *args[4] = { in->command, NULL, NULL, NULL };
    gboolean order = g_str_equal(in->command, "order");
    const char *text;
    gsize len;
    int status;

    if (in->name[0] == '@') {
        GString *gen = badInputGenerate(in->name);

        path = g_build_filename(tmpdir, in->name + 1, NULL);
        input = g_string_free_to_bytes(gen);
        g_assert_true(g_file_set_contents(path, g_bytes_get_data(input, NULL),
                                          g_bytes_get_size(input), NULL));
    } else {
        g_autofree char *rel = g_build_filename("badinput", in->name, NULL);
        char *contents;
        gsize size;

        path = ppTestSrcPath(rel);
        contents = ppTestLoadFile(path, &size);
        input = g_bytes_new_take(contents, size);
    }
    text = g_bytes_get_data(input, &len);
    if (!text)
        text = "";

    /* The library's answer and its class. */
    if (!order) {
        planned = badInputPlan(text, len, g_str_equal(in->command, "argv"), &err);
        if (!g_str_equal(badInputClass(err), in->klass)) {
            g_autofree char *msg = g_strdup_printf("library: class %s (%s), want %s",
                                                   badInputClass(err),
                                                   err ? err->message : "accepted", in->klass);
            badInputDiffer(in, msg);
            return;
        }
        if (err && g_error_matches(err, PP_ERROR, PP_ERROR_INTERNAL)) {
            badInputDiffer(in, "internal error on an input");
            return;
        }
    }

    /* The tool's answer. */
    if (order) {
        proc = ppTestSpawnTool(args, NULL, G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                               G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                               G_SUBPROCESS_FLAGS_STDERR_PIPE);
    } else {
        args[1] = path;
        proc = ppTestSpawnTool(args, NULL, G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                               G_SUBPROCESS_FLAGS_STDERR_PIPE);
    }
    g_assert_true(g_subprocess_communicate(proc, order ? input : NULL, NULL, &outBytes,
                                           &errBytes, &spawnErr));
    status = g_subprocess_get_if_exited(proc) ? g_subprocess_get_exit_status(proc)
                                              : 128 + g_subprocess_get_term_sig(proc);
    errText = g_strndup(g_bytes_get_data(errBytes, NULL), g_bytes_get_size(errBytes));

    if (status != in->exit) {
        g_autofree char *msg = g_strdup_printf("tool: exit %d, want %d; stderr: %s", status,
                                               in->exit, errText);
        badInputDiffer(in, msg);
        return;
    }
    if (in->exit != 0) {
        const char *nl = strchr(errText, '\n');

        if (g_bytes_get_size(outBytes) != 0)
            badInputDiffer(in, "tool: wrote output on failure");
        else if (!g_str_has_prefix(errText, "virt-pciplan: error: ") || !nl || nl[1] != '\0')
            badInputDiffer(in, "tool: stderr is not one 'virt-pciplan: error:' line");
        else if (!strstr(errText, in->message))
            badInputDiffer(in, "tool: the message lacks the expected words");
        if (!strstr(errText, in->message) || !nl || nl[1] != '\0')
            g_test_message("stderr: %s", errText);
        return;
    }
    if (g_str_equal(in->command, "plan") &&
        (g_bytes_get_size(outBytes) != strlen(planned) ||
         memcmp(g_bytes_get_data(outBytes, NULL), planned, strlen(planned)) != 0))
        badInputDiffer(in, "tool: the plan differs from the library's");
}

/* EXPECTED: "NAME COMMAND EXIT CLASS MESSAGE... [# gap: WHY]" per line. */
static GPtrArray *
badInputLoad(void)
{
    g_autofree char *path = ppTestSrcPath("badinput/EXPECTED");
    g_autofree char *text = ppTestLoadFile(path, NULL);
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    GPtrArray *ret = g_ptr_array_new_with_free_func(badInputFree);
    guint i;

    for (i = 0; lines[i]; i++) {
        g_auto(GStrv) fields = NULL;
        BadInput *in;
        char *gap;
        char *line = g_strstrip(lines[i]);

        if (!*line || *line == '#')
            continue;
        in = g_new0(BadInput, 1);
        if ((gap = strstr(line, "# gap: "))) {
            in->gap = g_strdup(gap + strlen("# gap: "));
            *gap = '\0';
            g_strstrip(line);
        }
        fields = g_regex_split_simple("\\s+", line, 0, 0);
        if (g_strv_length(fields) < 5)
            g_error("EXPECTED line %u: want NAME COMMAND EXIT CLASS MESSAGE", i + 1);
        in->name = g_strdup(fields[0]);
        in->command = g_strdup(fields[1]);
        in->exit = atoi(fields[2]);
        in->klass = g_strdup(fields[3]);
        {
            /* The message is the rest of the line, spaces kept. */
            const char *p = line;
            guint f;

            for (f = 0; f < 4; f++) {
                p += strcspn(p, " \t");
                p += strspn(p, " \t");
            }
            in->message = g_strdup(p);
        }
        if (in->exit == 5)
            g_error("EXPECTED line %u: exit 5 is a bug in virt-pciplan, never an answer", i + 1);
        g_ptr_array_add(ret, in);
    }
    return ret;
}

/* Every file in tests/badinput has a line in EXPECTED. */
static void
testEveryFileListed(gconstpointer data)
{
    const GPtrArray *inputs = data;
    g_autofree char *dir = ppTestSrcPath("badinput");
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    const char *name;

    g_assert_nonnull(d);
    while ((name = g_dir_read_name(d))) {
        gboolean found = FALSE;
        guint i;

        if (g_str_equal(name, "EXPECTED"))
            continue;
        for (i = 0; i < inputs->len && !found; i++)
            found = g_str_equal(((BadInput *)g_ptr_array_index(inputs, i))->name, name);
        if (!found) {
            g_test_message("%s has no line in tests/badinput/EXPECTED", name);
            g_test_fail();
        }
    }
}

int
main(int argc, char **argv)
{
    g_autoptr(GPtrArray) inputs = NULL;
    guint i;
    int ret;

    ppTestInit(&argc, &argv);
    inputs = badInputLoad();
    tmpdir = g_dir_make_tmp("ppbadinput-XXXXXX", NULL);
    g_assert_nonnull(tmpdir);
    g_test_add_data_func("/badinput/every-file-listed", inputs, testEveryFileListed);
    for (i = 0; i < inputs->len; i++) {
        const BadInput *in = g_ptr_array_index(inputs, i);
        g_autofree char *tpath = g_strdup_printf("/badinput/%s", in->name[0] == '@' ? in->name + 1
                                                                                    : in->name);

        g_test_add_data_func(tpath, in, testBadInput);
    }
    ret = g_test_run();
    ppTestRemoveTree(tmpdir);
    g_free(tmpdir);
    return ret;
}
