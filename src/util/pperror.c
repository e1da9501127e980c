/*
 * pperror.c: the virt-pciplan GError domain
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "pperror.h"

GQuark
ppErrorQuark(void)
{
    return g_quark_from_static_string("virt-pciplan-error-quark");
}

const char *
ppErrorCodeToString(PpErrorCode code)
{
    switch (code) {
    case PP_ERROR_CONFIG:
        return "config";
    case PP_ERROR_UNSUPPORTED:
        return "unsupported";
    case PP_ERROR_EXHAUSTED:
        return "exhausted";
    case PP_ERROR_INTERNAL:
        return "internal";
    case PP_ERROR_LIBVIRT:
        return "libvirt";
    case PP_ERROR_IO:
        return "io";
    case PP_ERROR_LAST:
        break;
    }
    return "unknown";
}
