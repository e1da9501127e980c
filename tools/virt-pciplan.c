/*
 * virt-pciplan.c: the command line front end
 *
 * The only place that prints: src/ reports through GError, and this file
 * turns error classes into messages and exit statuses.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "virt-pciplan.h"
#include "pperror.h"
#include "ppfile.h"

#include <locale.h>
#include <stdio.h>
#include <string.h>

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
    return ppFileWriteAtomic(path, data, len, error);
}

typedef struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} PpCommand;

static const PpCommand ppCommands[] = {
    { "plan", ppCmdPlan, N_("Place every device and write the fully addressed domain XML") },
    { "explain", ppCmdExplain, N_("Show the planned topology, why each controller exists, and what is left") },
    { "argv", ppCmdArgv, N_("Plan the domain and write its QEMU command line, devices in realization order") },
    { "order", ppCmdOrder, N_("Reorder the -device options of a QEMU command line so that QEMU can realize them") },
    { "define", ppCmdDefine, N_("Plan the domain and define it through libvirt, checking that libvirt kept the plan") },
    { "attach", ppCmdAttach, N_("Place one new device into an existing domain and attach it through libvirt") },
};

static void
ppToolUsage(FILE *out)
{
    size_t i;

    fprintf(out, _("Usage: virt-pciplan COMMAND [OPTION...] ARGS\n"
                   "\n"
                   "Plan the PCI/PCIe topology of a libvirt QEMU domain.\n"
                   "\n"
                   "Commands:\n"));
    for (i = 0; i < G_N_ELEMENTS(ppCommands); i++)
        fprintf(out, "  %-10s %s\n", ppCommands[i].name, _(ppCommands[i].summary));
    fprintf(out, _("\n"
                   "Options:\n"
                   "  -h, --help     Show this help; 'virt-pciplan COMMAND --help' for a command\n"
                   "  -V, --version  Show the version\n"
                   "\n"
                   "Exit status: 0 success, 1 invalid input or impossible plan, 2 usage error,\n"
                   "3 libvirt error, 4 file I/O error, 5 internal error.\n"));
}

int
main(int argc, char **argv)
{
    size_t i;

    setlocale(LC_ALL, "");
    bindtextdomain(GETTEXT_PACKAGE, LOCALEDIR);
    bind_textdomain_codeset(GETTEXT_PACKAGE, "UTF-8");
    textdomain(GETTEXT_PACKAGE);

    if (argc < 2) {
        ppToolUsage(stderr);
        return PP_EXIT_USAGE;
    }
    if (g_str_equal(argv[1], "--help") || g_str_equal(argv[1], "-h") ||
        g_str_equal(argv[1], "help")) {
        ppToolUsage(stdout);
        return PP_EXIT_OK;
    }
    if (g_str_equal(argv[1], "--version") || g_str_equal(argv[1], "-V")) {
        printf("virt-pciplan %s\n", PACKAGE_VERSION);
        return PP_EXIT_OK;
    }
    for (i = 0; i < G_N_ELEMENTS(ppCommands); i++) {
        if (g_str_equal(argv[1], ppCommands[i].name))
            return ppCommands[i].run(argc - 1, argv + 1);
    }
    g_printerr(_("virt-pciplan: unknown command '%1$s'; see 'virt-pciplan --help'\n"), argv[1]);
    return PP_EXIT_USAGE;
}
