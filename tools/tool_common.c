/*
 * tool_common.c: what virt-pciplan and its libvirt helper share
 *
 * The only place besides the commands that prints: src/ reports through
 * GError, and ppToolReportError() turns error classes into messages and
 * exit statuses.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "virt-pciplan.h"
#include "domain_conf.h"
#include "pperror.h"
#include "ppfile.h"
#include "qemu_domain_address.h"
#include "qemu_command.h"
#include "qemu_explain.h"

#include <errno.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

void
ppToolSetupLogging(void)
{
    const char *debug = g_getenv("PP_DEBUG");

    /* GLib writes debug messages to standard output by default, which
     * holds the XML, the command line or the JSON */
    g_log_writer_default_set_use_stderr(TRUE);
    if (debug && *debug && !g_str_equal(debug, "0")) {
        const char *domains = g_getenv("G_MESSAGES_DEBUG");
        g_autofree char *all = domains && *domains
                                   ? g_strconcat(domains, " ", G_LOG_DOMAIN, NULL)
                                   : g_strdup(G_LOG_DOMAIN);

        /* GLib reads it at each message: set before the first one */
        g_setenv("G_MESSAGES_DEBUG", all, TRUE);
    }
}

gboolean
ppToolQuiet(void)
{
    const char *quiet = g_getenv("PP_QUIET");

    return quiet && *quiet && !g_str_equal(quiet, "0");
}

int
ppToolReportError(const GError *error)
{
    if (!error)
        return PP_EXIT_OK;
    g_printerr(_("virt-pciplan: error: %1$s\n"), error->message);
    if (error->domain == G_OPTION_ERROR)
        return PP_EXIT_USAGE;
    if (error->domain != PP_ERROR)
        return PP_EXIT_INTERNAL;
    switch ((PpErrorCode)error->code) {
    case PP_ERROR_CONFIG:
    case PP_ERROR_UNSUPPORTED:
    case PP_ERROR_EXHAUSTED:
        return PP_EXIT_CONFIG;
    case PP_ERROR_LIBVIRT:
        return PP_EXIT_LIBVIRT;
    case PP_ERROR_IO:
        return PP_EXIT_IO;
    case PP_ERROR_INTERNAL:
    case PP_ERROR_LAST:
        break;
    }
    return PP_EXIT_INTERNAL;
}

/* Returns: the error class of the JSON errors: the PP_ERROR classes, and
 * "usage" for the command line. */
static const char *
ppToolErrorClass(const GError *error)
{
    if (error->domain == G_OPTION_ERROR)
        return "usage";
    if (error->domain != PP_ERROR)
        return "internal";
    return ppErrorCodeToString((PpErrorCode)error->code);
}

static void
ppToolJsonMember(JsonBuilder *b, const char *name, const char *value)
{
    json_builder_set_member_name(b, name);
    if (value)
        json_builder_add_string_value(b, value);
    else
        json_builder_add_null_value(b);
}

int
ppToolReportErrorJson(const GError *error)
{
    g_autoptr(JsonBuilder) b = NULL;
    g_autoptr(JsonGenerator) gen = NULL;
    g_autoptr(JsonNode) root = NULL;
    g_autofree char *text = NULL;
    int status = ppToolReportError(error);

    if (!error)
        return status;
    b = json_builder_new();
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "error");
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "code");
    json_builder_add_int_value(b, status);
    ppToolJsonMember(b, "class", ppToolErrorClass(error));
    ppToolJsonMember(b, "message", error->message);
    ppToolJsonMember(b, "device", ppErrorGetDevice(error));
    ppToolJsonMember(b, "hint", ppErrorGetHint(error));
    ppToolJsonMember(b, "fix", ppErrorGetFix(error));
    json_builder_end_object(b);
    json_builder_end_object(b);
    root = json_builder_get_root(b);
    gen = json_generator_new();
    json_generator_set_pretty(gen, TRUE);
    json_generator_set_root(gen, root);
    text = json_generator_to_data(gen, NULL);
    printf("%s\n", text);
    fflush(stdout);
    return status;
}

gboolean
ppToolWriteOutput(const char *path, const char *data, gsize len, GError **error)
{
    if (!path || g_str_equal(path, "-")) {
        if (fwrite(data, 1, len, stdout) != len || fflush(stdout) != 0) {
            g_set_error(error, PP_ERROR, PP_ERROR_IO, _("Cannot write to standard output"));
            return FALSE;
        }
        return TRUE;
    }
    g_debug("writing %" G_GSIZE_FORMAT " bytes to '%s' atomically", len, path);
    return ppFileWriteAtomic(path, data, len, error);
}

gboolean
ppToolLoadDomain(const char *path, PpDomainDef **ret_def, GError **error)
{
    g_autofree char *text = NULL;
    gsize len = 0;
    PpDomainDef *def;

    if (!ppFileReadBounded(path, PP_FILE_MAX_INPUT, &text, &len, error))
        return FALSE;
    if (!(def = ppDomainDefParseString(text, len, error)))
        return FALSE;
    *ret_def = def;
    return TRUE;
}

/**
 * ppToolPlanFile:
 *
 * Read, parse and plan @path ("-" for standard input): what every command
 * that works on a planned domain starts with.
 */
gboolean
ppToolPlanFile(const char *path,
               const PpPlanOptions *opts,
               PpDomainDef **ret_def,
               PpPlan **ret_plan,
               GError **error)
{
    g_autoptr(PpDomainDef) def = NULL;
    g_autoptr(PpPlan) plan = NULL;

    /* No plan of what libvirt or QEMU refuse outright. */
    gint64 start = g_get_monotonic_time();

    if (!ppToolLoadDomain(path, &def, error) || !ppQemuDomainPlan(def, opts, &plan, error) ||
        !ppQemuValidatePlanned(def, error))
        return FALSE;
    g_debug("%s: %u devices planned in %" G_GINT64_FORMAT " us, %u elements added, machine %s, "
            "firmware %s", path, def->devices->len, g_get_monotonic_time() - start,
            plan->additions->len, plan->machine->family, plan->firmware);
    ppToolPrintPlanNotes(plan);
    *ret_def = g_steal_pointer(&def);
    if (ret_plan)
        *ret_plan = g_steal_pointer(&plan);
    return TRUE;
}

/*
 * What the plan did that the user did not ask for and may not want: a
 * device without hints that found no PCIe port (the bus numbers ran
 * out) sits in a hot-pluggable slot of a conventional PCI bridge, where
 * QEMU makes a virtio device transitional, with an I/O port BAR.
 */
void
ppToolPrintPlanNotes(const PpPlan *plan)
{
    guint i;

    for (i = 0; plan->warnings && i < plan->warnings->len; i++)
        g_printerr(_("virt-pciplan: warning: %1$s\n"),
                   (const char *)g_ptr_array_index(plan->warnings, i));
    for (i = 0; !ppToolQuiet() && plan->degraded && i < plan->degraded->len; i++) {
        const PpDeviceDef *dev = g_ptr_array_index(plan->degraded, i);
        g_autofree char *what = ppDeviceDefDescribe(dev);
        g_autofree char *addr = ppPCIAddressFormat(&dev->addr.pci);

        g_printerr(_("virt-pciplan: note: %1$s found no PCIe port (all 256 PCI bus numbers are needed), so it is at %2$s, a hot-pluggable slot of a conventional PCI bridge, where a virtio device is transitional and uses I/O ports; give devices that need no hot-plug <target hotpluggable='no'/> to keep it on PCI Express\n"),
                   what, addr);
    }
}

/* --spare-pci-slots N: up to the slots of 8 bridges, which is also what
 * pc's SeaBIOS fits I/O windows for. */
gboolean
ppToolCheckSpareSlots(const char *cmd, int spareSlots, PpPlanOptions *opts)
{
    if (spareSlots < 0 || spareSlots > 248) {
        g_printerr(_("virt-pciplan %1$s: --spare-pci-slots takes a number from 0 to 248\n"), cmd);
        return FALSE;
    }
    opts->spareSlots = (guint)spareSlots;
    return TRUE;
}

/* --spare-ports N, as plan, explain and argv take it. */
gboolean
ppToolCheckSpares(const char *cmd, int spares, PpPlanOptions *opts)
{
    if (spares < -1 || spares > 255) {
        g_printerr(_("virt-pciplan %1$s: --spare-ports takes a number from 0 to 255\n"), cmd);
        return FALSE;
    }
    opts->sparePorts = spares;
    return TRUE;
}

gboolean
ppToolCheckIOReserve(const char *cmd, const char *value, PpPlanOptions *opts)
{
    PpIOReservePolicy policy = value ? ppIOReservePolicyFromString(value) : PP_IO_RESERVE_AUTO;

    if (policy == PP_IO_RESERVE_LAST) {
        g_printerr(_("virt-pciplan %1$s: --io-reserve takes 'auto', 'never' or 'always'\n"), cmd);
        return FALSE;
    }
    opts->ioReserve = policy;
    return TRUE;
}

void
ppToolNoteIOReserve(const PpPlan *plan)
{
    g_autofree char *text = ppQemuPlanDescribeIOReserve(plan);

    if (text && !ppToolQuiet())
        g_printerr(_("virt-pciplan: note: %1$s\n"), text);
}

gboolean
ppToolCheckOutput(const char *cmd, const char *input, const char *output, gboolean inPlace,
                  GError **error)
{
    if (!output || g_str_equal(output, "-") || inPlace || !ppFileSameAsInput(input, output))
        return TRUE;
    if (g_str_equal(cmd, "plan"))
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                    _("The output '%1$s' is the input file (also through another name or standard input); to replace the domain with its plan, say --in-place"),
                    output);
    else
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                    _("The output '%1$s' is the input file (also through another name or standard input); '%2$s' would replace it: write to another file"),
                    output, cmd);
    return FALSE;
}

/* Set once ppToolFinish() has judged standard output, so that the exit
 * hook below does not judge (and report) it twice. Process-wide by
 * nature: it describes the process's own stdout. */
static gboolean ppToolStdoutJudged;

/* exit() hook for the paths that never return through ppToolFinish():
 * GLib's option parser prints --help and calls exit(0) itself. */
static void
ppToolCheckStdoutAtExit(void)
{
    if (ppToolStdoutJudged || (fflush(stdout) == 0 && !ferror(stdout)))
        return;
    g_printerr(_("virt-pciplan: error: Cannot write to standard output\n"));
    _exit(PP_EXIT_IO);
}

void
ppToolCheckOutputAtExit(void)
{
    atexit(ppToolCheckStdoutAtExit);
}

int
ppToolFinish(int status)
{
    /* Output that could not be written (a full disk, /dev/full, a closed
     * pipe) is a failed run, whatever the command did. */
    int err = fflush(stdout) != 0 ? errno : 0;

    ppToolStdoutJudged = TRUE;

    /* A failed command has said what failed (ppToolWriteOutput() for
     * standard output too). */
    if ((!err && !ferror(stdout)) || status != PP_EXIT_OK)
        return status;
    if (err)
        g_printerr(_("virt-pciplan: error: Cannot write to standard output: %1$s\n"),
                   g_strerror(err));
    else
        g_printerr(_("virt-pciplan: error: Cannot write to standard output\n"));
    return PP_EXIT_IO;
}
