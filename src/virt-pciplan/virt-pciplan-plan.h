/*
 * virt-pciplan-plan.h: a planned domain
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(VIRT_PCIPLAN_INSIDE) && !defined(VIRT_PCIPLAN_COMPILATION)
# error "Only <virt-pciplan/virt-pciplan.h> can be included directly."
#endif

#include <virt-pciplan/virt-pciplan-options.h>

G_BEGIN_DECLS

#define VIRT_PCIPLAN_TYPE_PLAN (virt_pciplan_plan_get_type())
G_DECLARE_FINAL_TYPE(VirtPciplanPlan, virt_pciplan_plan, VIRT_PCIPLAN, PLAN, GObject)

VirtPciplanPlan *virt_pciplan_plan_new_from_string(const char *xml,
                                                   VirtPciplanOptions *options,
                                                   GError **error);
VirtPciplanPlan *virt_pciplan_plan_new_from_file(const char *path,
                                                 VirtPciplanOptions *options,
                                                 GError **error);

const char *virt_pciplan_plan_get_xml(VirtPciplanPlan *self);
const char *virt_pciplan_plan_get_explanation(VirtPciplanPlan *self);
guint virt_pciplan_plan_get_n_added(VirtPciplanPlan *self);
guint virt_pciplan_plan_get_n_empty_hotplug_ports(VirtPciplanPlan *self);

G_END_DECLS
