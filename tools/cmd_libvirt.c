/*
 * cmd_libvirt.c: virt-pciplan define / attach, through libvirt's public API
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "virt-pciplan.h"
#include "domain_format.h"
#include "pp_libvirt.h"
#include "pperror.h"
#include "ppfile.h"
#include "qemu_domain_address.h"

#include <glib-unix.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

/* How often --wait asks libvirt whether the guest still runs. */
#define PP_TOOL_WAIT_POLL_MS 500

/*
 * What the QEMU binary has, from libvirt's domain capabilities for @def's
 * emulator, architecture and machine type. libvirt 9.0 does not list PCI
 * controller models there; then QEMU 7.2's built-in default stands (it
 * has pcie-pci-bridge, as has every QEMU libvirt 9.0 can drive: 4.2 and
 * later, unless a distribution compiled it out). Asking also makes a
 * missing emulator or machine type fail here, with libvirt's message.
 */
static gboolean
ppToolPlanOptionsFromLibvirt(PpLibvirtConn *conn,
                             const PpDomainDef *def,
                             PpPlanOptions *opts,
                             GError **error)
{
    g_autoptr(PpLibvirtDomainCaps) caps = NULL;

    if (!(caps = ppLibvirtGetDomainCapabilitiesForDef(conn, def, error)))
        return FALSE;
    switch (ppLibvirtDomainCapsHasPCIController(caps, PP_CONTROLLER_MODEL_PCIE_TO_PCI_BRIDGE)) {
    case PP_TRISTATE_YES:
        opts->hasPCIeToPCIBridge = TRUE;
        break;
    case PP_TRISTATE_NO:
        opts->hasPCIeToPCIBridge = FALSE;
        break;
    case PP_TRISTATE_ABSENT:
    case PP_TRISTATE_LAST:
        break;
    }
    return TRUE;
}

/*
 * The connection, resolved as virsh resolves it: -c URI, else
 * LIBVIRT_DEFAULT_URI, else our documented default, libvirt's embedded
 * QEMU driver under $XDG_STATE_HOME/virt-pciplan/embed (docs/libvirt.md),
 * which needs no daemon. (virsh's last resort, uri_default in
 * libvirt.conf and probing the drivers, is not consulted: without -c or
 * LIBVIRT_DEFAULT_URI nothing names a host connection.)
 */
static char *
ppToolResolveURI(const char *given)
{
    const char *env = g_getenv("LIBVIRT_DEFAULT_URI");

    if (given && *given)
        return g_strdup(given);
    if (env && *env)
        return g_strdup(env);
    return ppLibvirtEmbedDefaultURI();
}

/* Report @error as ppToolReportError() does, a libvirt error with the URI
 * it came from, so that the user sees which libvirt answered. */
static int
ppToolReportLibvirtError(GError *error, const char *uri)
{
    if (error && error->domain == PP_ERROR && error->code == PP_ERROR_LIBVIRT &&
        !strstr(error->message, uri))
        g_prefix_error(&error, _("libvirt at '%1$s': "), uri);
    return ppToolReportError(error);
}

/*
 * A --config change to a running domain waits for its next cold boot:
 * the running guest keeps its configuration across a reboot from inside,
 * and only a shutdown and a start (or destroy and start) read the new
 * definition. Say so, as virt-xml does.
 */
static void
ppToolNoteColdBoot(PpLibvirtConn *conn, const char *name)
{
    PpLibvirtDomainState st;

    if (ppLibvirtGetDomainState(conn, name, &st, NULL) && st.active)
        printf(_("Domain '%1$s' is running: the changed definition takes effect when the domain is next started after a full shutdown (a reboot inside the guest keeps the running configuration).\n"),
               name);
}

/* ------------------------------------------------------------------ */
/* dumpxml (for plan/explain/argv --domain)                            */

/*
 * virt-pciplan plan|explain|argv --domain NAME: the planner's own process
 * does not load libvirt (tools/virt-pciplan.c), so it runs this to read
 * the domain's persistent definition, with its secrets
 * (VIR_DOMAIN_XML_INACTIVE | VIR_DOMAIN_XML_SECURE, as `virsh dumpxml
 * --inactive --security-info`), on standard output.
 */
int
ppCmdDumpXML(int argc, char **argv)
{
    g_autofree char *uri = NULL;
    g_autofree char *resolved = NULL;
    g_autofree char *xml = NULL;
    g_autoptr(GOptionContext) ctx = g_option_context_new(_("DOMAIN"));
    g_autoptr(GError) err = NULL;
    g_autoptr(PpLibvirtConn) conn = NULL;
    PpLibvirtDomainState st;
    GOptionEntry entries[] = {
        { "connect", 'c', 0, G_OPTION_ARG_STRING, &uri, N_("libvirt URI"), N_("URI") },
        { NULL }
    };

    g_option_context_add_main_entries(ctx, entries, GETTEXT_PACKAGE);
    if (!g_option_context_parse(ctx, &argc, &argv, &err))
        return ppToolReportError(err);
    if (argc != 2) {
        g_printerr(_("virt-pciplan: --domain takes one domain name\n"));
        return PP_EXIT_USAGE;
    }
    resolved = ppToolResolveURI(uri);
    if (!(conn = ppLibvirtOpen(resolved, &err)) ||
        !ppLibvirtGetDomainState(conn, argv[1], &st, &err))
        return ppToolReportLibvirtError(err, resolved);
    if (!st.persistent) {
        g_printerr(_("virt-pciplan: error: libvirt at '%1$s' has no defined domain '%2$s'\n"),
                   resolved, argv[1]);
        return PP_EXIT_CONFIG;
    }
    if (!(xml = ppLibvirtGetDomainXML(conn, argv[1], PP_LIBVIRT_XML_INACTIVE, &err)))
        return ppToolReportLibvirtError(err, resolved);
    fputs(xml, stdout);
    return PP_EXIT_OK;
}

/* ------------------------------------------------------------------ */
/* define                                                              */

typedef struct {
    GMainLoop *loop;
    PpLibvirtConn *conn;
    const char *name;
    guint poll;          /* the poll source, 0 once removed */
    gboolean interrupted;
    GError *error;
} PpToolWait;

static gboolean
ppToolWaitInterrupted(gpointer opaque)
{
    PpToolWait *wait = opaque;

    wait->interrupted = TRUE;
    g_main_loop_quit(wait->loop);
    return G_SOURCE_CONTINUE;
}

static gboolean
ppToolWaitPoll(gpointer opaque)
{
    PpToolWait *wait = opaque;
    PpLibvirtDomainState state;

    if (ppLibvirtGetDomainState(wait->conn, wait->name, &state, &wait->error) && state.active)
        return G_SOURCE_CONTINUE;
    wait->poll = 0;
    g_main_loop_quit(wait->loop);
    return G_SOURCE_REMOVE;
}

/* Run until interrupted, then destroy the guest; or until it stops. */
static gboolean
ppToolWaitRun(PpToolWait *wait, GError **error)
{
    printf(_("Started domain '%1$s'; it runs until virt-pciplan is interrupted (Ctrl-C).\n"),
           wait->name);
    fflush(stdout);
    wait->poll = g_timeout_add(PP_TOOL_WAIT_POLL_MS, ppToolWaitPoll, wait);
    g_main_loop_run(wait->loop);
    if (wait->poll)
        g_source_remove(wait->poll);
    if (wait->error) {
        g_propagate_error(error, g_steal_pointer(&wait->error));
        return FALSE;
    }
    if (!wait->interrupted) {
        printf(_("Domain '%1$s' has stopped.\n"), wait->name);
        return TRUE;
    }
    if (!ppLibvirtDestroy(wait->conn, wait->name, error))
        return FALSE;
    printf(_("Destroyed domain '%1$s'.\n"), wait->name);
    return TRUE;
}

/*
 * Start @name and, with @wait, keep it running until SIGINT, SIGTERM or
 * SIGHUP (then destroy it) or until it stops by itself. The handlers are
 * in place before the guest starts, so no signal can end the process
 * between the start and the wait.
 */
static gboolean
ppToolStartAndWait(PpLibvirtConn *conn, const char *name, gboolean wait, GError **error)
{
    g_autoptr(GMainLoop) loop = g_main_loop_new(NULL, FALSE);
    PpToolWait state = { .loop = loop, .conn = conn, .name = name };
    const int signals[] = { SIGINT, SIGTERM, SIGHUP };
    guint sources[G_N_ELEMENTS(signals)] = { 0 };
    gboolean ok;
    size_t i;

    for (i = 0; wait && i < G_N_ELEMENTS(signals); i++)
        sources[i] = g_unix_signal_add(signals[i], ppToolWaitInterrupted, &state);
    ok = ppLibvirtStart(conn, name, error) && (!wait || ppToolWaitRun(&state, error));
    for (i = 0; i < G_N_ELEMENTS(sources); i++) {
        if (sources[i])
            g_source_remove(sources[i]);
    }
    return ok;
}

static void
ppToolPrintDefined(const char *name, const char *uri, const PpPlan *plan, gboolean existed)
{
    if (existed)
        printf(_("Updated the definition of domain '%1$s' on '%2$s'.\n"), name, uri);
    else
        printf(_("Defined domain '%1$s' on '%2$s'.\n"), name, uri);
    printf(_("Controllers and devices the plan added: %1$u; empty hot-plug ports left: %2$u.\n"),
           plan->additions->len, plan->emptyHotplugPorts);
}

/*
 * A guest started through the embedded driver outlives this process: its
 * QEMU keeps running, and the next process to open the root takes it
 * over. Say so, and how to stop it, since no daemon lists it.
 */
static void
ppToolPrintStarted(const PpLibvirtConn *conn, const char *name, const char *uri)
{
    const char *root = ppLibvirtConnGetEmbedRoot(conn);

    if (!root) {
        printf(_("Started domain '%1$s'.\n"), name);
        return;
    }
    printf(_("Started domain '%1$s'. It keeps running after virt-pciplan exits, in libvirt's embedded driver at '%2$s', which one process at a time can use. Stop it with: virsh -c '%3$s' destroy %1$s\n"),
           name, root, uri);
}

int
ppCmdDefine(int argc, char **argv)
{
    g_autofree char *uri = NULL;
    g_autofree char *resolved = NULL;
    PpLibvirtDomainState before = { 0 };
    gboolean start = FALSE;
    gboolean wait = FALSE;
    int spares = -1;
    int spareSlots = 0;
    g_autofree char *ioReserve = NULL;
    PpPlanOptions opts = PP_PLAN_OPTIONS_INIT;
    g_autoptr(GOptionContext) ctx = g_option_context_new(_("IN.xml|-"));
    g_autoptr(GError) err = NULL;
    g_autoptr(PpDomainDef) def = NULL;
    g_autoptr(PpPlan) plan = NULL;
    g_autoptr(PpLibvirtConn) conn = NULL;
    g_autofree char *out = NULL;
    g_autofree char *name = NULL;
    gsize outlen = 0;
    GOptionEntry entries[] = {
        { "connect", 'c', 0, G_OPTION_ARG_STRING, &uri,
          N_("libvirt URI (default: libvirt's embedded QEMU driver under $XDG_STATE_HOME/virt-pciplan/embed)"),
          N_("URI") },
        { "start", 0, 0, G_OPTION_ARG_NONE, &start, N_("Start the domain once it is defined"), NULL },
        { "wait", 0, 0, G_OPTION_ARG_NONE, &wait,
          N_("With --start: keep the domain running until interrupted, then destroy it"), NULL },
        { "spare-ports", 0, 0, G_OPTION_ARG_INT, &spares,
          N_("Leave N empty hot-pluggable PCIe root ports (default 1)"), N_("N") },
        { "spare-pci-slots", 0, 0, G_OPTION_ARG_INT, &spareSlots,
          N_("Leave N free hot-pluggable conventional PCI slots, for live hot-plug of PCI devices (default 0)"),
          N_("N") },
        PP_TOOL_IO_RESERVE_ENTRY(ioReserve),
        { NULL }
    };

    g_option_context_set_summary(ctx, _("Plan the domain, define it through libvirt, and check that libvirt kept the plan."));
    g_option_context_add_main_entries(ctx, entries, GETTEXT_PACKAGE);
    if (!g_option_context_parse(ctx, &argc, &argv, &err))
        return ppToolReportError(err);
    if (argc != 2) {
        g_printerr(_("virt-pciplan define: expected one input file (or '-'); see 'virt-pciplan define --help'\n"));
        return PP_EXIT_USAGE;
    }
    if (wait && !start) {
        g_printerr(_("virt-pciplan define: --wait needs --start\n"));
        return PP_EXIT_USAGE;
    }
    if (!ppToolCheckSpares("define", spares, &opts) ||
        !ppToolCheckSpareSlots("define", spareSlots, &opts) ||
        !ppToolCheckIOReserve("define", ioReserve, &opts))
        return PP_EXIT_USAGE;
    resolved = ppToolResolveURI(uri);
    g_free(g_steal_pointer(&uri));
    uri = g_steal_pointer(&resolved);

    if (!ppToolLoadDomain(argv[1], &def, &err))
        return ppToolReportError(err);
    if (!(conn = ppLibvirtOpen(uri, &err)) ||
        (def->name && !ppLibvirtGetDomainState(conn, def->name, &before, &err)) ||
        !ppToolPlanOptionsFromLibvirt(conn, def, &opts, &err) ||
        !ppQemuDomainPlan(def, &opts, &plan, &err) ||
        !(out = ppDomainDefFormat(def, &outlen, &err)) ||
        !ppLibvirtDefinePlanned(conn, out, &name, &err))
        return ppToolReportLibvirtError(err, uri);
    ppToolNoteIOReserve(plan);
    ppToolPrintPlanNotes(plan);
    ppToolPrintDefined(name, uri, plan, before.persistent);
    if (before.active)
        ppToolNoteColdBoot(conn, name);
    if (!start)
        return PP_EXIT_OK;
    if (!ppToolStartAndWait(conn, name, wait, &err))
        return ppToolReportLibvirtError(err, uri);
    if (!wait)
        ppToolPrintStarted(conn, name, uri);
    return PP_EXIT_OK;
}

/* ------------------------------------------------------------------ */
/* attach                                                              */

/*
 * The planner for ppLibvirtAttach(). No spare ports are asked for: the
 * attach adds one device, into a free place when there is one. A live
 * plan adds no controller (a running guest cannot take one); a plan of
 * the definition may add a chain when no place is free.
 */
typedef struct {
    PpLibvirtConn *conn;
    PpIOReservePolicy ioReserve;
    PpPlan *configPlan; /* the last plan of the definition, for its notes */
} PpToolAttach;

static gboolean
ppToolPlanForAttach(PpDomainDef *def, gboolean live, gpointer opaque, GError **error)
{
    PpToolAttach *attach = opaque;
    PpPlanOptions opts = PP_PLAN_OPTIONS_INIT;
    g_autoptr(PpPlan) plan = NULL;

    opts.sparePorts = 0;
    opts.allowGrowth = !live;
    opts.ioReserve = attach->ioReserve;
    if (!ppToolPlanOptionsFromLibvirt(attach->conn, def, &opts, error) ||
        !ppQemuDomainPlan(def, &opts, &plan, error))
        return FALSE;
    if (!live) {
        g_clear_pointer(&attach->configPlan, ppPlanFree);
        attach->configPlan = g_steal_pointer(&plan);
    }
    ppToolPrintPlanNotes(live ? plan : attach->configPlan);
    return TRUE;
}

static void
ppToolPrintAttached(const char *name, const PpLibvirtAttachResult *res)
{
    g_autofree char *addr = res->hasAddress ? ppPCIAddressFormat(&res->address) : NULL;

    if ((res->flags & PP_LIBVIRT_ATTACH_LIVE) && addr)
        printf(_("Hot-plugged %1$s into running domain '%2$s' at %3$s.\n"), res->device, name,
               addr);
    else if (res->flags & PP_LIBVIRT_ATTACH_LIVE)
        printf(_("Hot-plugged %1$s into running domain '%2$s'.\n"), res->device, name);
    if ((res->flags & PP_LIBVIRT_ATTACH_CONFIG) && addr)
        printf(_("Added %1$s to the definition of domain '%2$s' at %3$s.\n"), res->device, name,
               addr);
    else if (res->flags & PP_LIBVIRT_ATTACH_CONFIG)
        printf(_("Added %1$s to the definition of domain '%2$s'.\n"), res->device, name);
    if (res->added > 0)
        printf(g_dngettext(GETTEXT_PACKAGE,
                           "The definition gained %1$u controller for it; the change takes effect when the domain next starts.\n",
                           "The definition gained %1$u controllers for it; the change takes effect when the domain next starts.\n",
                           res->added),
               res->added);
}

int
ppCmdAttach(int argc, char **argv)
{
    g_autofree char *uri = NULL;
    g_autofree char *resolved = NULL;
    gboolean live = FALSE;
    gboolean config = FALSE;
    g_autoptr(GOptionContext) ctx = g_option_context_new(_("DOMAIN DEV.xml|-"));
    g_autoptr(GError) err = NULL;
    g_autoptr(PpLibvirtConn) conn = NULL;
    g_auto(PpLibvirtAttachResult) res = { 0 };
    g_autofree char *devxml = NULL;
    g_autofree char *ioReserve = NULL;
    PpPlanOptions opts = PP_PLAN_OPTIONS_INIT;
    PpToolAttach attach = { 0 };
    gsize len = 0;
    int ret;
    GOptionEntry entries[] = {
        { "connect", 'c', 0, G_OPTION_ARG_STRING, &uri,
          N_("libvirt URI (default: libvirt's embedded QEMU driver under $XDG_STATE_HOME/virt-pciplan/embed)"),
          N_("URI") },
        { "live", 0, 0, G_OPTION_ARG_NONE, &live,
          N_("Hot-plug into the running domain, into a free hot-pluggable place"), NULL },
        { "config", 0, 0, G_OPTION_ARG_NONE, &config,
          N_("Add to the domain's definition, adding controllers if no place is free"), NULL },
        PP_TOOL_IO_RESERVE_ENTRY(ioReserve),
        { NULL }
    };

    g_option_context_set_summary(ctx, _("Place one new device into an existing domain, honouring its hints, and attach it through libvirt. Without --live or --config: --live if the domain runs, else --config."));
    g_option_context_add_main_entries(ctx, entries, GETTEXT_PACKAGE);
    if (!g_option_context_parse(ctx, &argc, &argv, &err))
        return ppToolReportError(err);
    if (argc != 3) {
        g_printerr(_("virt-pciplan attach: expected a domain name and one device file (or '-'); see 'virt-pciplan attach --help'\n"));
        return PP_EXIT_USAGE;
    }
    if (!ppToolCheckIOReserve("attach", ioReserve, &opts))
        return PP_EXIT_USAGE;
    resolved = ppToolResolveURI(uri);
    g_free(g_steal_pointer(&uri));
    uri = g_steal_pointer(&resolved);

    if (!ppFileReadBounded(argv[2], PP_FILE_MAX_INPUT, &devxml, &len, &err))
        return ppToolReportError(err);
    if (!(conn = ppLibvirtOpen(uri, &err)))
        return ppToolReportLibvirtError(err, uri);
    attach.conn = conn;
    attach.ioReserve = opts.ioReserve;
    if (!ppLibvirtAttach(conn, argv[1], devxml,
                         (live ? PP_LIBVIRT_ATTACH_LIVE : 0) |
                         (config ? PP_LIBVIRT_ATTACH_CONFIG : 0),
                         ppToolPlanForAttach, &attach, &res, &err)) {
        ret = ppToolReportLibvirtError(err, uri);
    } else {
        if (attach.configPlan)
            ppToolNoteIOReserve(attach.configPlan);
        ppToolPrintAttached(argv[1], &res);
        if (!(res.flags & PP_LIBVIRT_ATTACH_LIVE))
            ppToolNoteColdBoot(conn, argv[1]);
        ret = PP_EXIT_OK;
    }
    g_clear_pointer(&attach.configPlan, ppPlanFree);
    return ret;
}
