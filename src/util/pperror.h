/*
 * pperror.h: the virt-pciplan GError domain
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "internal.h"

#define PP_ERROR (ppErrorQuark())

/*
 * The classes follow libvirt's semantic error classes. Which one applies is
 * decided by the caller's context, as libvirt's fromConfig does: a bad
 * address the user wrote is CONFIG, a bad address we picked is INTERNAL.
 */
typedef enum {
    PP_ERROR_CONFIG,      /* the input XML or the options are wrong */
    PP_ERROR_UNSUPPORTED, /* the machine type or QEMU lacks what is asked */
    PP_ERROR_EXHAUSTED,   /* no slot, bus number, I/O window or transport is left */
    PP_ERROR_INTERNAL,    /* a bug in virt-pciplan */
    PP_ERROR_LIBVIRT,     /* libvirt refused or failed a call */
    PP_ERROR_IO,          /* reading or writing a file failed */

    PP_ERROR_LAST
} PpErrorCode;

GQuark ppErrorQuark(void);
const char *ppErrorCodeToString(PpErrorCode code);

/*
 * What a machine reader of an error needs besides the message (the JSON
 * errors of the CLI): the device it is about, named as the user can find
 * it (alias, MAC or target dev), the hint involved, and how to change the
 * XML. Each is optional; errors of the PP_ERROR domain carry them as
 * GLib's extended error data (g_error_domain_register_static), so they
 * travel with g_propagate_error() and g_error_copy().
 */
void ppErrorSetDetails(GError *error, const char *device, const char *hint, const char *fix);
/* (transfer none) (nullable) the details, NULL when not set or not PP_ERROR */
const char *ppErrorGetDevice(const GError *error);
const char *ppErrorGetHint(const GError *error);
const char *ppErrorGetFix(const GError *error);
