/*
 * pp_libvirt_attach.c: attaching a device where the plan puts it
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "pp_libvirtpriv.h"
#include "domain_conf.h"
#include "domain_format.h"
#include "pperror.h"

#include <string.h>

/* ------------------------------------------------------------------ */
/* Attaching a planned device                                          */

void
ppLibvirtAttachResultClear(PpLibvirtAttachResult *res)
{
    g_clear_pointer(&res->device, g_free);
}

/* One view of the domain (running, or persistent) planned with the new
 * device in it. */
typedef struct {
    char *planned;      /* the whole planned document */
    char *element;      /* live only: the device, with its planned <address> */
    char *device;       /* a human name for the device */
    PpDeviceAddress addr;
    guint added;        /* devices the plan added besides it */
} PpLibvirtAttachStep;

static void
ppLibvirtAttachStepClear(PpLibvirtAttachStep *step)
{
    g_free(step->planned);
    g_free(step->element);
    g_free(step->device);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(PpLibvirtAttachStep, ppLibvirtAttachStepClear);

/* The one element of @devxml (an XML declaration and comments around it
 * are dropped). Returns: (transfer full) its text, or NULL with @error. */
static char *
ppLibvirtDeviceElement(const char *devxml, GError **error)
{
    g_autoptr(PpXmlSpans) spans = NULL;
    const PpXmlSpan *root = NULL;
    guint i;

    if (!(spans = ppXmlSpansScan(devxml, strlen(devxml), error))) {
        g_prefix_error(error, _("Cannot read the device XML: "));
        return NULL;
    }
    for (i = 0; i < spans->spans->len; i++) {
        const PpXmlSpan *span = &g_array_index(spans->spans, PpXmlSpan, i);

        if (span->depth > 0)
            continue;
        if (root) {
            g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                        _("The device XML must hold exactly one device element, not several"));
            return NULL;
        }
        root = span;
    }
    if (!root) {
        g_set_error(error, PP_ERROR, PP_ERROR_CONFIG, _("The device XML holds no element"));
        return NULL;
    }
    return g_strndup(devxml + root->start, root->end - root->start);
}

/*
 * @base, a domain libvirt returned, with @element appended as the last
 * child of its <devices>. Returns: (transfer full) the parsed result.
 */
static PpDomainDef *
ppLibvirtAppendDevice(const char *base, const char *element, GError **error)
{
    g_autoptr(PpDomainDef) def = NULL;
    g_autoptr(GString) text = NULL;
    const PpXmlSpan *devices;
    const PpDeviceDef *dev;

    if (!(def = ppDomainDefParseString(base, strlen(base), error)))
        return NULL;
    if (!def->devicesNode || (devices = ppDomainDefNodeSpan(def, def->devicesNode))->empty) {
        g_set_error(error, PP_ERROR, PP_ERROR_LIBVIRT,
                    _("libvirt returned domain '%1$s' without devices"),
                    def->name ? def->name : "");
        return NULL;
    }
    text = g_string_new_len(base, devices->endStart);
    g_string_append_printf(text, "  %s\n  ", element);
    g_string_append(text, base + devices->endStart);

    g_clear_pointer(&def, ppDomainDefFree);
    if (!(def = ppDomainDefParseString(text->str, text->len, error))) {
        g_prefix_error(error, _("Cannot read the device XML: "));
        return NULL;
    }
    dev = g_ptr_array_index(def->devices, def->devices->len - 1);
    if (dev->kind == PP_DEVICE_OTHER) {
        g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                    _("<%1$s> is not a device element libvirt knows"),
                    (const char *)dev->node->name);
        return NULL;
    }
    return g_steal_pointer(&def);
}

/*
 * The devices a domain has are where its guest's drivers, and the user's
 * tools, expect them: a plan for one more device must leave every one of
 * them where it is (the planner keeps the addresses it is given, so this
 * catches planner bugs), and a running guest can take nothing but the
 * device itself.
 */
static gboolean
ppLibvirtAttachCheckPlan(const PpDomainDef *def, const PpDeviceDef *newdev, gboolean live,
                         GError **error)
{
    g_autofree char *what = ppDeviceDefDescribe(newdev);
    guint i;

    for (i = 0; i < def->devices->len; i++) {
        const PpDeviceDef *dev = g_ptr_array_index(def->devices, i);
        g_autofree char *other = NULL;
        g_autofree char *addr = NULL;

        if (dev == newdev || (dev->added && !live) || (!dev->added && !dev->addrChanged))
            continue;
        other = ppDeviceDefDescribe(dev);
        if (dev->added) {
            g_set_error(error, PP_ERROR, PP_ERROR_INTERNAL,
                        _("The plan for %1$s adds %2$s, which a running guest cannot take"),
                        what, other);
            return FALSE;
        }
        addr = ppPCIAddressFormat(&dev->addr.pci);
        g_set_error(error, PP_ERROR, PP_ERROR_INTERNAL,
                    _("The plan for %1$s moves %2$s to %3$s, but a device the domain has never moves"),
                    what, other, addr);
        return FALSE;
    }
    return TRUE;
}

/* The last device of the planned document @planned. (transfer full) */
static char *
ppLibvirtPlannedDeviceElement(const char *planned, GError **error)
{
    g_autoptr(PpDomainDef) def = NULL;
    const PpDeviceDef *dev;
    const PpXmlSpan *span;

    if (!(def = ppDomainDefParseString(planned, strlen(planned), error)))
        return NULL;
    dev = g_ptr_array_index(def->devices, def->devices->len - 1);
    span = ppDomainDefNodeSpan(def, dev->node);
    return g_strndup(def->text + span->start, span->end - span->start);
}

/*
 * Plan @base (the running guest's XML when @live, else the persistent
 * definition) with @element appended. A live plan adds nothing, so the
 * device stays the last element of <devices>, where it is taken from.
 */
static gboolean
ppLibvirtAttachPlan(const char *base,
                    const char *element,
                    gboolean live,
                    PpLibvirtPlanFunc plan,
                    gpointer opaque,
                    PpLibvirtAttachStep *step,
                    GError **error)
{
    g_autoptr(PpDomainDef) def = NULL;
    PpDeviceDef *dev;
    gsize len = 0;
    guint i;

    if (!(def = ppLibvirtAppendDevice(base, element, error)))
        return FALSE;
    dev = g_ptr_array_index(def->devices, def->devices->len - 1);
    step->device = ppDeviceDefDescribe(dev);
    if (live && dev->hints.hotpluggable == PP_TRISTATE_NO) {
        g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                    _("%1$s has hotpluggable='no', but adding a device to a running guest is a hot-plug: drop the hint, or attach with --config only"),
                    step->device);
        return FALSE;
    }
    if (!plan(def, live, opaque, error)) {
        if (live)
            g_prefix_error(error, _("Cannot hot-plug %1$s into running domain '%2$s': "),
                           step->device, def->name ? def->name : "");
        else
            g_prefix_error(error, _("Cannot add %1$s to the definition of domain '%2$s': "),
                           step->device, def->name ? def->name : "");
        return FALSE;
    }
    if (!ppLibvirtAttachCheckPlan(def, dev, live, error))
        return FALSE;
    step->addr = dev->addr;
    for (i = 0; i < def->devices->len; i++)
        step->added += ((PpDeviceDef *)g_ptr_array_index(def->devices, i))->added;
    if (!(step->planned = ppDomainDefFormat(def, &len, error)))
        return FALSE;
    return !live || (step->element = ppLibvirtPlannedDeviceElement(step->planned, error));
}

/* Resolve @flags against the domain's state, as virsh does, and refuse
 * what the state does not allow with the option that would work. */
static gboolean
ppLibvirtAttachResolveFlags(PpLibvirtConn *conn, const char *name, unsigned int *flags,
                            GError **error)
{
    PpLibvirtDomainState state;

    if (!ppLibvirtGetDomainState(conn, name, &state, error))
        return FALSE;
    if (!state.exists) {
        g_set_error(error, PP_ERROR, PP_ERROR_CONFIG, _("libvirt at '%1$s' has no domain '%2$s'"),
                    conn->uri, name);
        return FALSE;
    }
    if (*flags == 0)
        *flags = state.active ? PP_LIBVIRT_ATTACH_LIVE : PP_LIBVIRT_ATTACH_CONFIG;
    if ((*flags & PP_LIBVIRT_ATTACH_LIVE) && !state.active) {
        g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                    _("Domain '%1$s' is not running, so nothing can be hot-plugged into it; attach with --config to change its definition"),
                    name);
        return FALSE;
    }
    if ((*flags & PP_LIBVIRT_ATTACH_CONFIG) && !state.persistent) {
        g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                    _("Domain '%1$s' is transient and has no definition to change; attach with --live only"),
                    name);
        return FALSE;
    }
    return TRUE;
}

/* Hot-plug the planned device, then check that the running guest is as
 * planned: libvirt takes the <address> as given, or refuses. */
static gboolean
ppLibvirtAttachLive(PpLibvirtConn *conn, const char *name, const PpLibvirtAttachStep *step,
                    GError **error)
{
    g_autoptr(virDomain) dom = NULL;
    g_autofree char *now = NULL;

    if (!(dom = ppLibvirtLookup(conn, name, error)))
        return FALSE;
    if (virDomainAttachDeviceFlags(dom, step->element, VIR_DOMAIN_AFFECT_LIVE) < 0) {
        ppLibvirtReportLastError(error);
        g_prefix_error(error, _("libvirt did not hot-plug %1$s into domain '%2$s': "),
                       step->device, name);
        return FALSE;
    }
    if (!(now = ppLibvirtDomainXML(dom, PP_LIBVIRT_XML_LIVE, error)))
        return FALSE;
    if (!ppDomainXMLCompare(step->planned, now, error)) {
        g_prefix_error(error, _("%1$s is hot-plugged into domain '%2$s', but not as planned: "),
                       step->device, name);
        return FALSE;
    }
    return TRUE;
}

/* Plan, and apply, the persistent half of an attach; *@ret_previous is
 * the definition it replaced. */
static gboolean
ppLibvirtAttachConfig(PpLibvirtConn *conn,
                      const char *name,
                      const char *element,
                      PpLibvirtPlanFunc plan,
                      gpointer opaque,
                      PpLibvirtAttachStep *step,
                      char **ret_previous,
                      GError **error)
{
    g_autofree char *previous = NULL;

    if (!(previous = ppLibvirtGetDomainXML(conn, name, PP_LIBVIRT_XML_INACTIVE, error)) ||
        !ppLibvirtAttachPlan(previous, element, FALSE, plan, opaque, step, error) ||
        !ppLibvirtDefinePlanned(conn, step->planned, NULL, error))
        return FALSE;
    *ret_previous = g_steal_pointer(&previous);
    return TRUE;
}

gboolean
ppLibvirtAttach(PpLibvirtConn *conn,
                const char *name,
                const char *devxml,
                unsigned int flags,
                PpLibvirtPlanFunc plan,
                gpointer opaque,
                PpLibvirtAttachResult *ret,
                GError **error)
{
    g_auto(PpLibvirtAttachStep) live = { 0 };
    g_auto(PpLibvirtAttachStep) config = { 0 };
    g_autofree char *element = NULL;
    g_autofree char *liveBase = NULL;
    g_autofree char *previous = NULL;
    g_autoptr(GError) hotplug = NULL;
    const PpLibvirtAttachStep *done;

    g_return_val_if_fail(conn != NULL && name != NULL && devxml != NULL, FALSE);
    g_return_val_if_fail(plan != NULL && ret != NULL, FALSE);

    if (!(element = ppLibvirtDeviceElement(devxml, error)) ||
        !ppLibvirtAttachResolveFlags(conn, name, &flags, error))
        return FALSE;
    if ((flags & PP_LIBVIRT_ATTACH_LIVE) &&
        (!(liveBase = ppLibvirtGetDomainXML(conn, name, PP_LIBVIRT_XML_LIVE, error)) ||
         !ppLibvirtAttachPlan(liveBase, element, TRUE, plan, opaque, &live, error)))
        return FALSE;
    /* With both, the definition takes the device at its live address: the
     * guest must find it in the same place after a restart. The
     * definition goes first because it can be undone and a hot-plug
     * cannot. */
    if ((flags & PP_LIBVIRT_ATTACH_CONFIG) &&
        !ppLibvirtAttachConfig(conn, name, live.element ? live.element : element, plan, opaque,
                               &config, &previous, error))
        return FALSE;
    if ((flags & PP_LIBVIRT_ATTACH_LIVE) && !ppLibvirtAttachLive(conn, name, &live, &hotplug)) {
        if (previous)
            ppLibvirtDefineRollback(conn, name, previous, hotplug, error);
        else
            g_propagate_error(error, g_steal_pointer(&hotplug));
        return FALSE;
    }

    done = (flags & PP_LIBVIRT_ATTACH_LIVE) ? &live : &config;
    *ret = (PpLibvirtAttachResult){ .flags = flags,
                                    .device = g_strdup(done->device),
                                    .address = done->addr.pci,
                                    .hasAddress = done->addr.type == PP_ADDRESS_PCI,
                                    .added = config.added };
    return TRUE;
}
