/*
 * pp_libvirt_qemu.h: libvirt-qemu's API, for the tests only
 *
 * Kept apart from pp_libvirt.h so that nothing installed links
 * libvirt-qemu.so: no installed command talks to the QEMU monitor.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "pp_libvirt.h"

/**
 * ppLibvirtQemuMonitorCommand:
 * @conn: (transfer none) a connection
 * @name: (transfer none) a running domain's name
 * @cmd: (transfer none) a QMP command in JSON
 *
 * Sends @cmd to the domain's QEMU monitor (virDomainQemuMonitorCommand):
 * tests ask QOM where devices really are. libvirt marks the domain
 * tainted ("custom-monitor").
 *
 * Returns: (transfer full) QEMU's JSON reply, or NULL with @error set
 * (PP_ERROR_LIBVIRT).
 */
char *ppLibvirtQemuMonitorCommand(PpLibvirtConn *conn,
                                  const char *name,
                                  const char *cmd,
                                  GError **error);
