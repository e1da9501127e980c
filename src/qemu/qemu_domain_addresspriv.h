/*
 * qemu_domain_addresspriv.h: the pieces of the planner shared by the
 * qemu_domain_address.c family (machine table, connect flags, implicit
 * devices, hints, virtio-mmio, I/O budget) and nothing outside it
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "qemu_domain_address.h"

/* Both strings set and equal. */
static inline gboolean
ppStrEq(const char *a, const char *b)
{
    return a && b && g_str_equal(a, b);
}

/* @s set and one of the NULL-terminated @list. */
static inline gboolean
ppStrIn(const char *s, const char *const *list)
{
    for (; s && *list; list++) {
        if (g_str_equal(s, *list))
            return TRUE;
    }
    return FALSE;
}

/* qemu_plan.c: record in @opaque (a PpPlan) that @dev was added, and why
 * (@reason, transfer full). */
void ppPlanRecord(PpDeviceDef *dev, char *reason, gpointer opaque);
/* qemu_plan.c: frees one PpPlanAddition's contents (GArray clear func). */
void ppPlanAdditionClear(gpointer data);

/* qemu_domain_implicit.c: make explicit what libvirt 9.0 adds on define. */
void ppQemuDomainAddImplicitDevices(PpDomainDef *def, const PpQemuMachine *machine, PpPlan *plan);
/* qemu_domain_implicit.c: refuse what libvirt 9.0 refuses on define. */
gboolean ppQemuDomainCheckLibvirt(const PpDomainDef *def, const PpQemuMachine *machine,
                                  GError **error);
/* qemu_domain_implicit.c: number index-less controllers as libvirt 9.0
 * does (not PCI, not USB). */
void ppQemuAssignControllerIndexes(PpDomainDef *def);

/* qemu_domain_hints.c */
/* @warnings: char *, what is planned although the guest will not see it */
gboolean ppQemuDomainCheckExpanders(const PpDomainDef *def, const PpQemuMachine *machine,
                                    GPtrArray *warnings, GError **error);
gboolean ppQemuDeviceApplyHints(const PpDomainDef *def, const PpQemuMachine *machine,
                                gboolean hasPCIeToPCIBridge, const PpDeviceDef *dev,
                                PpPCIConnectFlags *flags, GError **error);
gboolean ppQemuHotplugWorks(const PpDomainDef *def, const PpQemuMachine *machine);
/* qemu_host_topology.c: numaNode and p2pGroup hints of <hostdev type='pci'>
 * from the host's sysfs under @sysfs (plan --host-sysfs). */
gboolean ppQemuDomainApplyHostTopology(PpDomainDef *def, const char *sysfs, GError **error);
/* qemu_domain_hints.c: P2P groups fit one switch each, members agree on numaNode. */
gboolean ppQemuDomainCheckP2PGroups(const PpDomainDef *def, GError **error);
gboolean ppQemuDomainCheckHotplug(const PpDomainDef *def, const PpQemuMachine *machine,
                                  GError **error);
void ppQemuDomainMirrorHints(PpDomainDef *def, GPtrArray *warnings);

/* qemu_virtio_mmio.c: give virtio devices without an address a transport. */
gboolean ppQemuDomainAssignVirtioMMIO(PpDomainDef *def, const PpQemuMachine *machine,
                                      PpPlan *plan, GError **error);

/* qemu_io_budget.c: count the plan's I/O windows against the firmware's. */
gboolean ppQemuDomainPlanIO(PpDomainDef *def, const PpQemuMachine *machine,
                            PpIOReservePolicy policy, PpPlan *plan, GError **error);
