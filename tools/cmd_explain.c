/*
 * cmd_explain.c: virt-pciplan explain - the planned topology as a tree,
 * why each added controller exists, and what capacity is left (the text
 * is the library's, src/qemu/qemu_explain.c)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "virt-pciplan.h"
#include <virt-pciplan/virt-pciplan.h>

#include "qemu_explain.h"

#include <stdio.h>
#include <string.h>

/* explain --format=json|dot: the library's formats of the plan. */
static int
ppCmdExplainFormat(const char *path, const PpPlanOptions *opts, const char *format)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(PpDomainDef) def = NULL;
    g_autoptr(PpPlan) plan = NULL;
    g_autofree char *out = NULL;
    gboolean json = g_str_equal(format, "json");

    if (!ppToolPlanFile(path, opts, &def, &plan, &err))
        return json ? ppToolReportErrorJson(err) : ppToolReportError(err);
    out = json ? ppQemuPlanExplainJson(def, plan) : ppQemuPlanExplainDot(def, plan);
    if (json) {
        char *nl = g_strconcat(out, "\n", NULL);

        g_free(out);
        out = nl;
    }
    if (!ppToolWriteOutput(NULL, out, strlen(out), &err))
        return ppToolReportError(err);
    return PP_EXIT_OK;
}

int
ppCmdExplain(int argc, char **argv)
{
    g_autoptr(GOptionContext) ctx = g_option_context_new(_("IN.xml|-"));
    g_autoptr(GError) err = NULL;
    g_autoptr(VirtPciplanOptions) options = virt_pciplan_options_new();
    g_autoptr(VirtPciplanPlan) plan = NULL;
    PpPlanOptions opts = PP_PLAN_OPTIONS_INIT;
    int spares = -1;
    int spareSlots = 0;
    g_autofree char *ioReserve = NULL;
    g_autofree char *format = NULL;
    gboolean json = FALSE;
    g_autofree char *hostSysfs = NULL;
    g_autofree char *domain = NULL;
    g_autofree char *uri = NULL;
    g_autofree char *xml = NULL;
    GOptionEntry entries[] = {
        { "spare-ports", 0, 0, G_OPTION_ARG_INT, &spares,
          N_("Leave N empty hot-pluggable PCIe root ports (default 1)"), N_("N") },
        { "spare-pci-slots", 0, 0, G_OPTION_ARG_INT, &spareSlots,
          N_("Leave N free hot-pluggable conventional PCI slots, for live hot-plug of PCI devices (default 0)"),
          N_("N") },
        PP_TOOL_IO_RESERVE_ENTRY(ioReserve),
        { "format", 0, 0, G_OPTION_ARG_STRING, &format,
          N_("Output format: text (default), json, or dot (graphviz)"), N_("FORMAT") },
        { "json", 0, 0, G_OPTION_ARG_NONE, &json,
          N_("Same as --format=json; errors too are written as JSON"), NULL },
        { "host-sysfs", 0, 0, G_OPTION_ARG_FILENAME, &hostSysfs,
          N_("Derive numaNode and p2pGroup of PCI hostdevs from the host's sysfs (/sys)"),
          N_("DIR") },
        PP_TOOL_DOMAIN_ENTRIES(domain, uri),
        { NULL }
    };

    g_option_context_set_summary(ctx, _("Plan the domain and show the topology as a tree (bus, slot, device), why each added controller exists, and the capacity left."));
    g_option_context_add_main_entries(ctx, entries, GETTEXT_PACKAGE);
    if (!g_option_context_parse(ctx, &argc, &argv, &err))
        return ppToolReportError(err);
    if (argc != (domain ? 1 : 2)) {
        g_printerr(_("virt-pciplan explain: expected one input file (or '-'), or --domain NAME; see 'virt-pciplan explain --help'\n"));
        return PP_EXIT_USAGE;
    }
    if (json) {
        g_free(format);
        format = g_strdup("json");
    }
    if (format && !g_str_equal(format, "text") && !g_str_equal(format, "json") &&
        !g_str_equal(format, "dot")) {
        g_printerr(_("virt-pciplan explain: --format takes text, json or dot\n"));
        return PP_EXIT_USAGE;
    }
    if (!ppToolCheckSpares("explain", spares, &opts) ||
        !ppToolCheckSpareSlots("explain", spareSlots, &opts) ||
        !ppToolCheckIOReserve("explain", ioReserve, &opts))
        return PP_EXIT_USAGE;
    if (format && !g_str_equal(format, "text") && domain) {
        g_printerr(_("virt-pciplan explain: --format %1$s reads a file; with --domain, only text\n"),
                   format);
        return PP_EXIT_USAGE;
    }
    if (format && !g_str_equal(format, "text"))
        return ppCmdExplainFormat(argv[1], &opts, format);
    virt_pciplan_options_set_spare_ports(options, opts.sparePorts);
    virt_pciplan_options_set_spare_pci_slots(options, opts.spareSlots);
    virt_pciplan_options_set_io_reserve(options, (VirtPciplanIOReserve)opts.ioReserve);
    virt_pciplan_options_set_host_sysfs(options, hostSysfs);
    if (domain) {
        int status = ppToolReadDomainFromLibvirt(domain, uri, &xml);

        if (status != PP_EXIT_OK)
            return status;
        plan = virt_pciplan_plan_new_from_string(xml, options, &err);
    } else {
        plan = virt_pciplan_plan_new_from_file(argv[1], options, &err);
    }
    if (!plan)
        return ppToolReportError(err);
    fputs(virt_pciplan_plan_get_explanation(plan), stdout);
    return PP_EXIT_OK;
}
