/*
 * virt-pciplan-error.c: the library's error domain
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "virt-pciplan-private.h"
#include "pperror.h"

/* One domain, two names: src/ sets PP_ERROR, callers match
 * VIRT_PCIPLAN_ERROR. The codes are the same numbers. */
G_STATIC_ASSERT((int)VIRT_PCIPLAN_ERROR_CONFIG == (int)PP_ERROR_CONFIG);
G_STATIC_ASSERT((int)VIRT_PCIPLAN_ERROR_UNSUPPORTED == (int)PP_ERROR_UNSUPPORTED);
G_STATIC_ASSERT((int)VIRT_PCIPLAN_ERROR_EXHAUSTED == (int)PP_ERROR_EXHAUSTED);
G_STATIC_ASSERT((int)VIRT_PCIPLAN_ERROR_INTERNAL == (int)PP_ERROR_INTERNAL);
G_STATIC_ASSERT((int)VIRT_PCIPLAN_ERROR_LIBVIRT == (int)PP_ERROR_LIBVIRT);
G_STATIC_ASSERT((int)VIRT_PCIPLAN_ERROR_IO == (int)PP_ERROR_IO);
G_STATIC_ASSERT((int)VIRT_PCIPLAN_ERROR_IO + 1 == (int)PP_ERROR_LAST);

/**
 * virt_pciplan_error_quark:
 *
 * The quark of #VIRT_PCIPLAN_ERROR; the same as the one the planner's
 * internals set, so errors need no translation between the two.
 *
 * Returns: the error domain's quark
 */
GQuark
virt_pciplan_error_quark(void)
{
    return ppErrorQuark();
}

const char *
virt_pciplan_get_version(void)
{
    return PACKAGE_VERSION;
}
