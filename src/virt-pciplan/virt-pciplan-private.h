/*
 * virt-pciplan-private.h: what the library's own programs (the CLI) may
 * use beyond the public API
 *
 * These functions are exported in the VIRT_PCIPLAN_PRIVATE version node
 * (libvirt-pciplan.syms): for the programs built from this tree, never a
 * stable interface.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <virt-pciplan/virt-pciplan.h>
#include "domain_conf.h"
#include "qemu_domain_address.h"

/* @options as the planner takes them; NULL gives the defaults. */
void ppPciplanOptionsToPlanOptions(VirtPciplanOptions *options, PpPlanOptions *opts);

/* The planned domain and the plan behind @self: (transfer none). */
const PpDomainDef *ppPciplanPlanGetDomainDef(VirtPciplanPlan *self);
const PpPlan *ppPciplanPlanGetPlan(VirtPciplanPlan *self);
