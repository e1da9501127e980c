/*
 * pp_libvirtpriv.h: what the files of the libvirt edge module share
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "pp_libvirt.h"

#include <libvirt/libvirt.h>

G_DEFINE_AUTOPTR_CLEANUP_FUNC(virDomain, virDomainFree);

/* The domain @name on @conn, or NULL with @error set (PP_ERROR_LIBVIRT).
 * Free with virDomainFree(). */
virDomainPtr ppLibvirtLookup(PpLibvirtConn *conn, const char *name, GError **error);
