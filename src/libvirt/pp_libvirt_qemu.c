/*
 * pp_libvirt_qemu.c: the QEMU monitor through libvirt-qemu, for the tests
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "pp_libvirt_qemu.h"
#include "pp_libvirtpriv.h"

#include <libvirt/libvirt-qemu.h>
#include <stdlib.h>

char *
ppLibvirtQemuMonitorCommand(PpLibvirtConn *conn, const char *name, const char *cmd,
                            GError **error)
{
    g_autoptr(virDomain) dom = NULL;
    char *reply = NULL;
    char *ret;

    g_return_val_if_fail(conn != NULL && name != NULL && cmd != NULL, NULL);

    if (!(dom = ppLibvirtLookup(conn, name, error)))
        return NULL;
    if (virDomainQemuMonitorCommand(dom, cmd, &reply, VIR_DOMAIN_QEMU_MONITOR_COMMAND_DEFAULT) < 0) {
        ppLibvirtReportLastError(error);
        return NULL;
    }
    ret = g_strdup(reply);
    free(reply);
    return ret;
}
