/*
 * cmd_plan.c: virt-pciplan plan / explain
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "virt-pciplan.h"
#include "domain_conf.h"
#include "domain_format.h"
#include "pperror.h"
#include "ppfile.h"
#include "qemu_domain_address.h"

#include <stdio.h>

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

    if (!ppToolLoadDomain(path, &def, error) || !ppQemuDomainPlan(def, opts, &plan, error))
        return FALSE;
    *ret_def = g_steal_pointer(&def);
    if (ret_plan)
        *ret_plan = g_steal_pointer(&plan);
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

int
ppCmdPlan(int argc, char **argv)
{
    g_autofree char *output = NULL;
    int spares = -1;
    PpPlanOptions opts = PP_PLAN_OPTIONS_INIT;
    g_autoptr(GOptionContext) ctx = g_option_context_new(_("IN.xml|-"));
    g_autoptr(GError) err = NULL;
    g_autoptr(PpDomainDef) def = NULL;
    g_autofree char *out = NULL;
    gsize outlen = 0;
    GOptionEntry entries[] = {
        { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output,
          N_("Write the planned XML to OUT (atomically) instead of standard output"), N_("OUT") },
        { "spare-ports", 0, 0, G_OPTION_ARG_INT, &spares,
          N_("Leave N empty hot-pluggable PCIe root ports (default 1)"), N_("N") },
        { NULL }
    };

    g_option_context_set_summary(ctx, _("Place every device and write the fully addressed domain XML."));
    g_option_context_add_main_entries(ctx, entries, GETTEXT_PACKAGE);
    if (!g_option_context_parse(ctx, &argc, &argv, &err))
        return ppToolReportError(err);
    if (argc != 2) {
        g_printerr(_("virt-pciplan plan: expected one input file (or '-'); see 'virt-pciplan plan --help'\n"));
        return PP_EXIT_USAGE;
    }

    if (!ppToolCheckSpares("plan", spares, &opts))
        return PP_EXIT_USAGE;

    if (!ppToolPlanFile(argv[1], &opts, &def, NULL, &err) ||
        !(out = ppDomainDefFormat(def, &outlen, &err)) ||
        !ppToolWriteOutput(output, out, outlen, &err))
        return ppToolReportError(err);
    return PP_EXIT_OK;
}

