/*
 * cmd_argv.c: virt-pciplan argv / order
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "virt-pciplan.h"
#include "domain_conf.h"
#include "pperror.h"
#include "ppfile.h"
#include "qemu_command.h"
#include "qemu_order.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

static gboolean
ppToolWriteCommandLine(const char *output, char **argv, gboolean lines, GError **error)
{
    g_autofree char *text = ppQemuCommandLineFormat((const char *const *)argv,
                                                    lines ? PP_QEMU_FORMAT_LINES
                                                          : PP_QEMU_FORMAT_SHELL);

    return ppToolWriteOutput(output, text, strlen(text), error);
}

static void
ppToolReportSkipped(const GPtrArray *skipped)
{
    guint i;

    for (i = 0; skipped && i < skipped->len; i++)
        g_printerr(_("virt-pciplan argv: left out, it has no place on the command line: %1$s\n"),
                   (const char *)g_ptr_array_index(skipped, i));
}

int
ppCmdArgv(int argc, char **argv)
{
    g_autofree char *output = NULL;
    gboolean lines = FALSE;
    int spares = -1;
    int spareSlots = 0;
    g_autofree char *ioReserve = NULL;
    g_autofree char *domain = NULL;
    g_autofree char *uri = NULL;
    g_autofree char *xml = NULL;
    PpPlanOptions opts = PP_PLAN_OPTIONS_INIT;
    g_autoptr(GOptionContext) ctx = g_option_context_new(_("IN.xml|-"));
    g_autoptr(GError) err = NULL;
    g_autoptr(PpDomainDef) def = NULL;
    g_autoptr(GPtrArray) skipped = NULL;
    g_auto(GStrv) cmdline = NULL;
    GOptionEntry entries[] = {
        { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output,
          N_("Write the command line to OUT (atomically) instead of standard output"), N_("OUT") },
        { "spare-ports", 0, 0, G_OPTION_ARG_INT, &spares,
          N_("Leave N empty hot-pluggable PCIe root ports (default 1)"), N_("N") },
        { "spare-pci-slots", 0, 0, G_OPTION_ARG_INT, &spareSlots,
          N_("Leave N free hot-pluggable conventional PCI slots, for live hot-plug of PCI devices (default 0)"),
          N_("N") },
        PP_TOOL_IO_RESERVE_ENTRY(ioReserve),
        { "lines", 'l', 0, G_OPTION_ARG_NONE, &lines,
          N_("One argument per line, unquoted (the golden-file format), instead of shell words"),
          NULL },
        PP_TOOL_DOMAIN_ENTRIES(domain, uri),
        { NULL }
    };

    g_option_context_set_summary(ctx, _("Plan the domain as 'plan' does and write its QEMU 7.2 command line, every -device with its bus and address, in an order QEMU can realize. The default output is shell words, one option per line joined with backslashes."));
    g_option_context_add_main_entries(ctx, entries, GETTEXT_PACKAGE);
    if (!g_option_context_parse(ctx, &argc, &argv, &err))
        return ppToolReportError(err);
    if (argc != (domain ? 1 : 2)) {
        g_printerr(_("virt-pciplan argv: expected one input file (or '-'), or --domain NAME; see 'virt-pciplan argv --help'\n"));
        return PP_EXIT_USAGE;
    }
    if (!domain && !ppToolCheckOutput("argv", argv[1], output, FALSE, &err))
        return ppToolReportError(err);
    if (!ppToolCheckSpares("argv", spares, &opts) ||
        !ppToolCheckSpareSlots("argv", spareSlots, &opts) ||
        !ppToolCheckIOReserve("argv", ioReserve, &opts))
        return PP_EXIT_USAGE;
    if (domain) {
        int status = ppToolReadDomainFromLibvirt(domain, uri, &xml);

        if (status != PP_EXIT_OK)
            return status;
        def = ppDomainDefParseString(xml, strlen(xml), &err);
    } else {
        (void)ppToolLoadDomain(argv[1], &def, &err);
    }
    if (!def ||
        !(cmdline = ppQemuBuildPlannedCommandLine(def, &opts, &skipped, &err)) ||
        !ppToolWriteCommandLine(output, cmdline, lines, &err))
        return ppToolReportError(err);
    ppToolReportSkipped(skipped);
    return PP_EXIT_OK;
}

/* "'net0' (virtio-net-pci)", or "-device #3 (virtio-net-pci)" without an id. */
static char *
ppToolDescribeDevice(const GArray *specs, guint idx)
{
    const PpQemuDeviceSpec *spec = &g_array_index(specs, PpQemuDeviceSpec, idx);

    if (spec->id)
        return g_strdup_printf("'%s' (%s)", spec->id, spec->driver);
    return g_strdup_printf("-device #%u (%s)", idx + 1, spec->driver);
}

static void
ppToolReportMoves(const GArray *specs, const GArray *moves)
{
    guint i;

    for (i = 0; !ppToolQuiet() && i < moves->len; i++) {
        const PpQemuOrderMove *move = &g_array_index(moves, PpQemuOrderMove, i);
        const PpQemuDeviceSpec *spec = &g_array_index(specs, PpQemuDeviceSpec, move->device);
        g_autofree char *what = ppToolDescribeDevice(specs, move->device);
        g_autofree char *after = ppToolDescribeDevice(specs, move->after);

        switch (move->reason) {
        case PP_QEMU_ORDER_REASON_BUS:
            g_printerr(_("virt-pciplan order: moved %1$s after %2$s, which provides its bus '%3$s'\n"),
                       what, after, spec->bus ? spec->bus : spec->masterbus);
            break;
        case PP_QEMU_ORDER_REASON_IOMMU:
            g_printerr(_("virt-pciplan order: moved %1$s after %2$s: a vIOMMU must exist before every PCI device\n"),
                       what, after);
            break;
        case PP_QEMU_ORDER_REASON_LAST:
            g_assert_not_reached();
        }
    }
}

/* The command line after "--", or else the one on standard input. */
static char **
ppToolReadCommandLine(int argc, char **argv, gboolean lines, GError **error)
{
    g_autofree char *text = NULL;
    gsize len = 0;

    if (argc > 1)
        return g_strdupv(argv + 1);
    if (!ppFileReadStreamBounded(STDIN_FILENO, _("standard input"), PP_FILE_MAX_INPUT, &text,
                                 &len, error))
        return NULL;
    /* Everything after a NUL would be lost to the C string below: a
     * command line that silently loses "-m 4096" is worse than none. */
    if (memchr(text, '\0', len)) {
        g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                    _("The command line contains a NUL byte at offset %1$zu; a QEMU command line cannot contain one: remove it"),
                    (size_t)((const char *)memchr(text, '\0', len) - text));
        return NULL;
    }
    return ppQemuCommandLineParse(text, lines ? PP_QEMU_FORMAT_LINES : PP_QEMU_FORMAT_SHELL,
                                  error);
}

int
ppCmdOrder(int argc, char **argv)
{
    g_autofree char *output = NULL;
    gboolean lines = FALSE;
    g_autoptr(GOptionContext) ctx = g_option_context_new(_("[-- QEMU-COMMAND-LINE...]"));
    g_autoptr(GError) err = NULL;
    g_auto(GStrv) in = NULL;
    g_auto(GStrv) out = NULL;
    g_autoptr(GArray) specs = NULL;
    g_autoptr(GArray) moves = NULL;
    GOptionEntry entries[] = {
        { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output,
          N_("Write the command line to OUT (atomically) instead of standard output"), N_("OUT") },
        { "lines", 'l', 0, G_OPTION_ARG_NONE, &lines,
          N_("Read and write one argument per line, unquoted, instead of shell words"), NULL },
        { NULL }
    };

    g_option_context_set_summary(ctx, _("Reorder the -device options of a QEMU command line (given after '--', or as shell words on standard input) so that each device comes after the device that provides its bus, and every PCI device after the vIOMMU. Other options keep their places. Each move is reported on standard error."));
    g_option_context_add_main_entries(ctx, entries, GETTEXT_PACKAGE);
    if (!g_option_context_parse(ctx, &argc, &argv, &err))
        return ppToolReportError(err);
    if (argc > 1 && g_str_equal(argv[1], "--")) {
        argv++;
        argc--;
    }
    if (argc <= 1 && !ppToolCheckOutput("order", "-", output, FALSE, &err))
        return ppToolReportError(err);
    if (!(in = ppToolReadCommandLine(argc, argv, lines, &err)) ||
        !ppQemuOrderCommandLine((const char *const *)in, &out, &specs, &moves, &err))
        return ppToolReportError(err);
    ppToolReportMoves(specs, moves);
    if (!ppToolWriteCommandLine(output, out, lines, &err))
        return ppToolReportError(err);
    return PP_EXIT_OK;
}
