/*
 * qemu_explain.h: a plan as text, for people
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "domain_conf.h"
#include "qemu_domain_address.h"

/**
 * ppQemuPlanExplain:
 * @def: (transfer none) a planned domain
 * @plan: (transfer none) the plan that placed @def
 *
 * The planned topology as a tree (bus:slot.function, device, the reason
 * for every controller or device the plan added), the virtio-mmio
 * devices, the capacity left (empty ports, root-bus slots, bus numbers,
 * I/O windows, transports) and the ports a Linux guest will give no I/O
 * window. Translated; lines end in '\n'.
 *
 * Returns: (transfer full) the text; free with g_free().
 */
char *ppQemuPlanExplain(const PpDomainDef *def, const PpPlan *plan);

/**
 * ppQemuPlanDescribeIOReserve:
 * @plan: (transfer none) a plan
 *
 * What @plan did about io-reserve=0 (PpIOReservePolicy): the root ports
 * it gave a <qemu:override>, which makes libvirt taint the domain, or
 * those the firmware needed one for and --io-reserve=never left without.
 * Translated, one paragraph, no trailing newline.
 *
 * Returns: (transfer full) (nullable) the text, or NULL when there is
 * nothing to say
 */
char *ppQemuPlanDescribeIOReserve(const PpPlan *plan);

/**
 * ppQemuPlanExplainJson:
 * @def: (transfer none) a planned domain
 * @plan: (transfer none) the plan that placed @def
 *
 * What ppQemuPlanExplain() says, as one JSON document (json-glib, pretty
 * printed): the tree, the virtio-mmio devices, the capacity left and the
 * warnings. The shape, version 1, is documented in docs/json.md and
 * checked by tests/jsonoutputtest.c.
 *
 * Returns: (transfer full) the JSON text, ending in no newline.
 */
char *ppQemuPlanExplainJson(const PpDomainDef *def, const PpPlan *plan);

/**
 * ppQemuPlanExplainDot:
 * @def: (transfer none) a planned domain
 * @plan: (transfer none) the plan that placed @def
 *
 * The planned tree as a graphviz digraph: controllers are boxes, devices
 * ellipses, what the plan added is dashed, empty hot-plug ports green.
 *
 * Returns: (transfer full) the dot text, ending in a newline.
 */
char *ppQemuPlanExplainDot(const PpDomainDef *def, const PpPlan *plan);
