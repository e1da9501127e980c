/*
 * domain_compare.h: did libvirt keep the planned PCI topology?
 *
 * Compares two domain documents through the model; needs no libvirt, so
 * it lives beside the model and the tests can use it without a daemon.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "internal.h"

/* The most differences one comparison lists; the rest are counted. */
#define PP_DOMAIN_COMPARE_MAX_REPORTED 50

/**
 * ppDomainXMLCompare:
 * @planned: (transfer none) the domain XML virt-pciplan wrote
 * @defined: (transfer none) the inactive XML libvirt dumped after defining
 *           @planned
 *
 * Checks that libvirt kept the planned PCI topology: no PCI controller
 * added, dropped, renumbered, re-modelled or moved, and no device given
 * a PCI address the plan does not have (libvirt adding a USB controller,
 * a memballoon or a root port counts). Order does not matter: PCI
 * controllers are matched by index (their index is their bus number), any
 * other device by its element (and controller type) and PCI address, as a
 * multiset. Whatever libvirt fills in that is not an address (aliases,
 * <model name>, chassis and port, default models of other devices) is
 * not compared.
 *
 * Returns: TRUE when the topology is unchanged; FALSE with @error set:
 * PP_ERROR_INTERNAL listing each difference and naming each device (a
 * plan that libvirt completes was incomplete, a bug of the planner), or
 * the error of parsing either document.
 */
gboolean ppDomainXMLCompare(const char *planned, const char *defined, GError **error);
