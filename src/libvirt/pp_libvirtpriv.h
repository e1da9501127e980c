/*
 * pp_libvirtpriv.h: what the files of the libvirt edge module share and
 * nothing else sees
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "pp_libvirt.h"

#include <libvirt/libvirt.h>
#include <libxml/tree.h>

G_DEFINE_AUTOPTR_CLEANUP_FUNC(virDomain, virDomainFree);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlDoc, xmlFreeDoc);

struct _PpLibvirtConn {
    virConnectPtr conn;
    char *embedRoot; /* NULL unless qemu:///embed */
    char *uri;       /* as opened, for messages */
};

/* The domain @name on @conn, or NULL with @error set (PP_ERROR_LIBVIRT).
 * Free with virDomainFree(). */
virDomainPtr ppLibvirtLookup(PpLibvirtConn *conn, const char *name, GError **error);

/* Returns: (transfer full) @dom's XML of @kind, or NULL with @error. */
char *ppLibvirtDomainXML(virDomainPtr dom, PpLibvirtXMLKind kind, GError **error);

/* Undo a define that went wrong (@why): define @previous again, or
 * undefine @name when it had none; @error says what became of it. */
void ppLibvirtDefineRollback(PpLibvirtConn *conn, const char *name, const char *previous,
                             const GError *why, GError **error);
