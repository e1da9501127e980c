/*
 * domain_format.h: write the user's document back with the planner's edits
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "domain_conf.h"

char *ppDomainDefFormat(const PpDomainDef *def, gsize *ret_len, GError **error);
char *ppDeviceAddressFormatXML(const PpDeviceAddress *addr);
