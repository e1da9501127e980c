/*
 * testgrowth.h: what a guest sees of a domain, compared before and after
 * it grew or shrank by one device
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "domain_conf.h"

/*
 * Does every device of @before that has a PCI address keep, in @after,
 * its address (multifunction included) and, for a PCI controller, its
 * model, chassis, port, chassisNr, busNr and io-reserve override? PCI
 * controllers are matched by index, devices with an alias by alias, others
 * by element kind and position among their kind; @skip (may be NULL) is a
 * device of @before that left and is not looked for. On a difference,
 * returns FALSE with a description in @ret_why (transfer full).
 */
gboolean ppTestGuestViewKept(const PpDomainDef *before,
                             const PpDomainDef *after,
                             const PpDeviceDef *skip,
                             char **ret_why);
