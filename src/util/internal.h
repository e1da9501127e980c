/*
 * internal.h: common definitions for every virt-pciplan module
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>
#include <glib/gi18n-lib.h>
