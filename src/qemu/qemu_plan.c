/*
 * qemu_plan.c: the plan record: what the planner added and why
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "qemu_domain_addresspriv.h"

void
ppPlanFree(PpPlan *plan)
{
    if (!plan)
        return;
    if (plan->additions)
        g_array_unref(plan->additions);
    if (plan->degraded)
        g_ptr_array_unref(plan->degraded);
    if (plan->warnings)
        g_ptr_array_unref(plan->warnings);
    g_free(plan);
}

void
ppPlanAdditionClear(gpointer data)
{
    PpPlanAddition *add = data;

    g_free(add->reason);
}

void
ppPlanRecord(PpDeviceDef *dev, char *reason, gpointer opaque)
{
    PpPlan *plan = opaque;
    PpPlanAddition add = { dev, reason };

    g_array_append_val(plan->additions, add);
}
