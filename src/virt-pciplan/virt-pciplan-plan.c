/*
 * virt-pciplan-plan.c: a planned domain, the library's main object
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "virt-pciplan-private.h"
#include "domain_format.h"
#include "pperror.h"
#include "ppfile.h"
#include "qemu_command.h"
#include "qemu_explain.h"

#include <string.h>

/**
 * VirtPciplanPlan:
 *
 * A domain with every device placed: the planned XML, and what the plan
 * added and why. Immutable once made; safe to share between threads once
 * virt_pciplan_plan_get_explanation() has been called once (it builds
 * the text on first use).
 */
struct _VirtPciplanPlan {
    GObject parent_instance;

    PpDomainDef *def;
    PpPlan *plan;
    char *xml;          /* the planned document */
    char *explanation;  /* built on first use */
};

G_DEFINE_FINAL_TYPE(VirtPciplanPlan, virt_pciplan_plan, G_TYPE_OBJECT)

static void
virt_pciplan_plan_finalize(GObject *object)
{
    VirtPciplanPlan *self = VIRT_PCIPLAN_PLAN(object);

    g_clear_pointer(&self->def, ppDomainDefFree);
    g_clear_pointer(&self->plan, ppPlanFree);
    g_clear_pointer(&self->xml, g_free);
    g_clear_pointer(&self->explanation, g_free);
    G_OBJECT_CLASS(virt_pciplan_plan_parent_class)->finalize(object);
}

static void
virt_pciplan_plan_class_init(VirtPciplanPlanClass *klass)
{
    G_OBJECT_CLASS(klass)->finalize = virt_pciplan_plan_finalize;
}

static void
virt_pciplan_plan_init(VirtPciplanPlan *self)
{
}

/* Parse, plan and format @text (@len bytes, NUL-terminated). */
static VirtPciplanPlan *
ppPciplanPlanNew(const char *text, gsize len, VirtPciplanOptions *options, GError **error)
{
    g_autoptr(PpDomainDef) def = NULL;
    g_autoptr(PpPlan) plan = NULL;
    g_autofree char *xml = NULL;
    PpPlanOptions opts;
    VirtPciplanPlan *self;
    gsize xmllen = 0;

    ppPciplanOptionsToPlanOptions(options, &opts);
    if (!(def = ppDomainDefParseString(text, len, error)) ||
        !ppQemuDomainPlan(def, &opts, &plan, error) ||
        /* What libvirt or QEMU refuse outright is refused, not written. */
        !ppQemuValidatePlanned(def, error) ||
        !(xml = ppDomainDefFormat(def, &xmllen, error)))
        return NULL;
    self = g_object_new(VIRT_PCIPLAN_TYPE_PLAN, NULL);
    self->def = g_steal_pointer(&def);
    self->plan = g_steal_pointer(&plan);
    self->xml = g_steal_pointer(&xml);
    return self;
}

/**
 * virt_pciplan_plan_new_from_string:
 * @xml: a libvirt `<domain>` document in UTF-8, NUL-terminated, at most
 *   16 MiB; hints on the devices' `<target>` as README.md describes
 * @options: (nullable): the plan's options, %NULL for the defaults
 * @error: return location for a #GError, or %NULL
 *
 * Parses @xml (no entities, no DTD, no network), places every device the
 * way `virt-pciplan plan` does, and formats the planned document. The
 * document is never changed in place; planning a planned document gives
 * it back byte for byte.
 *
 * Errors are in #VIRT_PCIPLAN_ERROR: %VIRT_PCIPLAN_ERROR_CONFIG for a bad
 * document or hint (the message names the device and what to change),
 * %VIRT_PCIPLAN_ERROR_UNSUPPORTED, %VIRT_PCIPLAN_ERROR_EXHAUSTED for a
 * plan that cannot be made, %VIRT_PCIPLAN_ERROR_INTERNAL for a bug.
 *
 * Time: linear in the number of devices, a few milliseconds for a
 * thousand.
 *
 * Returns: (transfer full): the plan, or %NULL with @error set
 */
VirtPciplanPlan *
virt_pciplan_plan_new_from_string(const char *xml, VirtPciplanOptions *options, GError **error)
{
    gsize len;

    g_return_val_if_fail(xml != NULL, NULL);
    g_return_val_if_fail(options == NULL || VIRT_PCIPLAN_IS_OPTIONS(options), NULL);
    g_return_val_if_fail(error == NULL || *error == NULL, NULL);

    len = strnlen(xml, PP_FILE_MAX_INPUT + 1);
    if (len > PP_FILE_MAX_INPUT) {
        g_set_error(error, VIRT_PCIPLAN_ERROR, VIRT_PCIPLAN_ERROR_CONFIG,
                    _("The domain XML is larger than the limit of %1$d bytes"), PP_FILE_MAX_INPUT);
        return NULL;
    }
    return ppPciplanPlanNew(xml, len, options, error);
}

/**
 * virt_pciplan_plan_new_from_file:
 * @path: (type filename): the domain XML file, or "-" for standard input
 * @options: (nullable): the plan's options, %NULL for the defaults
 * @error: return location for a #GError, or %NULL
 *
 * Reads @path (at most 16 MiB) and plans it as
 * virt_pciplan_plan_new_from_string() does. Besides its errors, a file
 * that cannot be read is %VIRT_PCIPLAN_ERROR_IO, a larger one
 * %VIRT_PCIPLAN_ERROR_CONFIG.
 *
 * Returns: (transfer full): the plan, or %NULL with @error set
 */
VirtPciplanPlan *
virt_pciplan_plan_new_from_file(const char *path, VirtPciplanOptions *options, GError **error)
{
    g_autofree char *text = NULL;
    gsize len = 0;

    g_return_val_if_fail(path != NULL, NULL);
    g_return_val_if_fail(options == NULL || VIRT_PCIPLAN_IS_OPTIONS(options), NULL);
    g_return_val_if_fail(error == NULL || *error == NULL, NULL);

    if (!ppFileReadBounded(path, PP_FILE_MAX_INPUT, &text, &len, error))
        return NULL;
    return ppPciplanPlanNew(text, len, options, error);
}

/**
 * virt_pciplan_plan_get_xml:
 * @self: a plan
 *
 * The planned domain: the input document with every device addressed,
 * the controllers the plan added, and the hints mirrored under
 * `<metadata>`; what `virt-pciplan plan` writes, ready for libvirt's
 * virDomainDefineXML().
 *
 * Returns: (transfer none): the XML, UTF-8, owned by @self
 */
const char *
virt_pciplan_plan_get_xml(VirtPciplanPlan *self)
{
    g_return_val_if_fail(VIRT_PCIPLAN_IS_PLAN(self), NULL);

    return self->xml;
}

/**
 * virt_pciplan_plan_get_explanation:
 * @self: a plan
 *
 * What `virt-pciplan explain` prints: the topology as a tree
 * (bus:slot.function and device), why each added controller or device
 * exists, the capacity left, and the ports a Linux guest will give no I/O
 * window. Text for people, translated, lines ending in "\n"; its layout
 * may change between versions.
 *
 * Returns: (transfer none): the text, owned by @self
 */
const char *
virt_pciplan_plan_get_explanation(VirtPciplanPlan *self)
{
    g_return_val_if_fail(VIRT_PCIPLAN_IS_PLAN(self), NULL);

    if (!self->explanation)
        self->explanation = ppQemuPlanExplain(self->def, self->plan);
    return self->explanation;
}

/**
 * virt_pciplan_plan_get_n_added:
 * @self: a plan
 *
 * Returns: how many controllers and devices the plan added to the domain
 */
guint
virt_pciplan_plan_get_n_added(VirtPciplanPlan *self)
{
    g_return_val_if_fail(VIRT_PCIPLAN_IS_PLAN(self), 0);

    return self->plan->additions->len;
}

/**
 * virt_pciplan_plan_get_n_empty_hotplug_ports:
 * @self: a plan
 *
 * Returns: how many empty hot-pluggable ports the planned domain has left
 */
guint
virt_pciplan_plan_get_n_empty_hotplug_ports(VirtPciplanPlan *self)
{
    g_return_val_if_fail(VIRT_PCIPLAN_IS_PLAN(self), 0);

    return self->plan->emptyHotplugPorts;
}

const PpDomainDef *
ppPciplanPlanGetDomainDef(VirtPciplanPlan *self)
{
    g_return_val_if_fail(VIRT_PCIPLAN_IS_PLAN(self), NULL);

    return self->def;
}

const PpPlan *
ppPciplanPlanGetPlan(VirtPciplanPlan *self)
{
    g_return_val_if_fail(VIRT_PCIPLAN_IS_PLAN(self), NULL);

    return self->plan;
}
