/*
 * cmd_plan.c: virt-pciplan plan, through the library's public API
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "virt-pciplan.h"
#include "virt-pciplan-private.h"

#include <stdio.h>
#include <string.h>

/* Plan the domain @domain reads from libvirt, else the file @path;
 * NULL with *@status set (the error printed). */
static VirtPciplanPlan *
ppToolPlanInput(const char *domain, const char *uri, const char *path,
                VirtPciplanOptions *options, int *status)
{
    g_autofree char *xml = NULL;
    g_autoptr(GError) err = NULL;
    VirtPciplanPlan *plan;

    if (domain) {
        if ((*status = ppToolReadDomainFromLibvirt(domain, uri, &xml)) != PP_EXIT_OK)
            return NULL;
        plan = virt_pciplan_plan_new_from_string(xml, options, &err);
    } else {
        plan = virt_pciplan_plan_new_from_file(path, options, &err);
    }
    if (!plan)
        *status = ppToolReportError(err);
    return plan;
}

int
ppCmdPlan(int argc, char **argv)
{
    int status = PP_EXIT_OK;
    g_autofree char *output = NULL;
    gboolean inPlace = FALSE;
    int spares = -1;
    int spareSlots = 0;
    g_autofree char *ioReserve = NULL;
    g_autofree char *hostSysfs = NULL;
    g_autofree char *domain = NULL;
    g_autofree char *uri = NULL;
    const char *input;
    PpPlanOptions opts = PP_PLAN_OPTIONS_INIT;
    g_autoptr(GOptionContext) ctx = g_option_context_new(_("IN.xml|-"));
    g_autoptr(GError) err = NULL;
    g_autoptr(VirtPciplanOptions) options = virt_pciplan_options_new();
    g_autoptr(VirtPciplanPlan) plan = NULL;
    const char *out;
    GOptionEntry entries[] = {
        { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output,
          N_("Write the planned XML to OUT (atomically) instead of standard output"), N_("OUT") },
        { "in-place", 'i', 0, G_OPTION_ARG_NONE, &inPlace,
          N_("Replace IN.xml by its plan (atomically, keeping its mode and owner); without it, an OUT that is IN.xml is refused"),
          NULL },
        { "spare-ports", 0, 0, G_OPTION_ARG_INT, &spares,
          N_("Leave N empty hot-pluggable PCIe root ports (default 1)"), N_("N") },
        { "spare-pci-slots", 0, 0, G_OPTION_ARG_INT, &spareSlots,
          N_("Leave N free hot-pluggable conventional PCI slots, for live hot-plug of PCI devices (default 0)"),
          N_("N") },
        PP_TOOL_IO_RESERVE_ENTRY(ioReserve),
        { "host-sysfs", 0, 0, G_OPTION_ARG_FILENAME, &hostSysfs,
          N_("Derive numaNode and p2pGroup of PCI hostdevs from the host's sysfs (/sys)"),
          N_("DIR") },
        PP_TOOL_DOMAIN_ENTRIES(domain, uri),
        { NULL }
    };

    g_option_context_set_summary(ctx, _("Place every device and write the fully addressed domain XML."));
    g_option_context_add_main_entries(ctx, entries, GETTEXT_PACKAGE);
    if (!g_option_context_parse(ctx, &argc, &argv, &err))
        return ppToolReportError(err);
    if (argc != (domain ? 1 : 2)) {
        g_printerr(_("virt-pciplan plan: expected one input file (or '-'), or --domain NAME; see 'virt-pciplan plan --help'\n"));
        return PP_EXIT_USAGE;
    }
    if (domain && inPlace) {
        g_printerr(_("virt-pciplan plan: --in-place needs an input file; to change a defined domain, use 'virt-pciplan define'\n"));
        return PP_EXIT_USAGE;
    }
    input = domain ? "-" : argv[1];

    if (inPlace && !output) {
        if (g_str_equal(argv[1], "-")) {
            g_printerr(_("virt-pciplan plan: --in-place needs an input file, not standard input\n"));
            return PP_EXIT_USAGE;
        }
        output = g_strdup(argv[1]);
    }
    if (!domain && !ppToolCheckOutput("plan", input, output, inPlace, &err))
        return ppToolReportError(err);
    if (!ppToolCheckSpares("plan", spares, &opts) ||
        !ppToolCheckSpareSlots("plan", spareSlots, &opts) ||
        !ppToolCheckIOReserve("plan", ioReserve, &opts))
        return PP_EXIT_USAGE;

    virt_pciplan_options_set_spare_ports(options, opts.sparePorts);
    virt_pciplan_options_set_spare_pci_slots(options, opts.spareSlots);
    virt_pciplan_options_set_io_reserve(options, (VirtPciplanIOReserve)opts.ioReserve);
    virt_pciplan_options_set_host_sysfs(options, hostSysfs);
    if (!(plan = ppToolPlanInput(domain, uri, input, options, &status)))
        return status;
    out = virt_pciplan_plan_get_xml(plan);
    if (!ppToolWriteOutput(output, out, strlen(out), &err))
        return ppToolReportError(err);
    ppToolPrintPlanNotes(ppPciplanPlanGetPlan(plan));
    ppToolNoteIOReserve(ppPciplanPlanGetPlan(plan));
    ppToolPrintPlanNotes(ppPciplanPlanGetPlan(plan));
    return PP_EXIT_OK;
}

