/*
 * qemu_virtio_mmio.c: virtio-mmio transports on virt machines
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "qemu_domain_addresspriv.h"
#include "pperror.h"

/* ------------------------------------------------------------------ */
/* virtio-mmio on virt machines                                        */

/* Do @dev's hints send it to PCI (the hint checks ran before)? */
static gboolean
ppQemuDeviceHintsWantPCI(const PpDeviceDef *dev)
{
    return (dev->hints.preferredConnection != PP_CONNECTION_NONE &&
            dev->hints.preferredConnection != PP_CONNECTION_VIRTIO_MMIO) ||
           dev->hints.hotpluggable == PP_TRISTATE_YES || dev->hints.numaNode >= 0 ||
           dev->hints.p2pGroup;
}

/*
 * Is the guest known to support PCI? Yes when the user's domain has a PCI
 * controller beyond the root bus, or a device that has a PCI address or
 * will get one: by its hints, or because it cannot use virtio-mmio at all
 * (an e1000e). Then every virtio device without an address goes to PCI
 * too: one transport for the whole domain, decided by the domain and not
 * by the order of its devices.
 */
static gboolean
ppQemuDomainWantsPCI(const PpDomainDef *def, const PpQemuMachine *machine)
{
    guint i;

    for (i = 0; i < def->devices->len; i++) {
        const PpDeviceDef *dev = g_ptr_array_index(def->devices, i);

        if (dev->added)
            continue;
        if (dev->kind == PP_DEVICE_CONTROLLER && ppStrEq(dev->type, "pci") &&
            dev->ctrl.index != 0)
            return TRUE;
        if (dev->addr.type == PP_ADDRESS_PCI)
            return TRUE;
        if (dev->addr.type == PP_ADDRESS_NONE &&
            (ppQemuDeviceConnectFlags(machine, dev) & PP_PCI_CONNECT_TYPES_MASK) &&
            (ppQemuDeviceHintsWantPCI(dev) || !ppQemuDeviceCanUseVirtioMMIO(dev)))
            return TRUE;
    }
    return FALSE;
}

/* Does @dev go to virtio-mmio? Hints first, then the domain's choice. */
static gboolean
ppQemuDeviceWantsMMIO(const PpQemuMachine *machine, const PpDeviceDef *dev, gboolean domainPCI,
                      GError **error)
{
    g_autofree char *what = NULL;
    PpConnection pref = dev->hints.preferredConnection;

    if (pref != PP_CONNECTION_VIRTIO_MMIO)
        return machine->virtioMMIOTransports > 0 && !domainPCI && pref == PP_CONNECTION_NONE &&
               dev->hints.hotpluggable != PP_TRISTATE_YES && dev->hints.numaNode < 0 &&
               !dev->hints.p2pGroup && ppQemuDeviceCanUseVirtioMMIO(dev);

    what = ppDeviceDefDescribe(dev);
    if (machine->virtioMMIOTransports == 0)
        g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                    _("%1$s has preferredConnection='virtio-mmio', but machine type '%2$s' has no virtio-mmio transports"),
                    what, machine->family);
    else if (!ppQemuDeviceCanUseVirtioMMIO(dev))
        g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                    _("%1$s has preferredConnection='virtio-mmio', but only non-transitional virtio devices can use virtio-mmio"),
                    what);
    else if (dev->hints.hotpluggable == PP_TRISTATE_YES)
        g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                    _("%1$s has preferredConnection='virtio-mmio' and hotpluggable='yes', but virtio-mmio devices cannot be hot-plugged"),
                    what);
    else if (dev->hints.numaNode >= 0)
        g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                    _("%1$s has preferredConnection='virtio-mmio' and numaNode='%2$d', but virtio-mmio transports belong to no NUMA node"),
                    what, dev->hints.numaNode);
    else if (dev->hints.p2pGroup)
        g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                    _("P2P group '%1$s' cannot be satisfied: %2$s has preferredConnection='virtio-mmio', but the group puts it on a downstream port of a PCIe switch; remove one of them"),
                    dev->hints.p2pGroup, what);
    else
        return TRUE;
    return FALSE;
}

/*
 * On virt machines a virtio device without an address goes to virtio-mmio
 * unless the domain uses PCI (ppQemuDomainWantsPCI: a PCI controller
 * beyond pcie-root, a PCI address, or a device that will get one by its
 * hints or its nature). libvirt 9.0 always picks PCI instead, with a rule users cannot
 * steer; here an all-virtio guest keeps the cheaper transport and one
 * hint or one <address type='pci'/> switches.
 */
gboolean
ppQemuDomainAssignVirtioMMIO(PpDomainDef *def, const PpQemuMachine *machine, PpPlan *plan,
                             GError **error)
{
    gboolean domainPCI = ppQemuDomainWantsPCI(def, machine);
    guint i;

    for (i = 0; i < def->devices->len; i++) {
        const PpDeviceDef *dev = g_ptr_array_index(def->devices, i);

        plan->mmioUsed += dev->addr.type == PP_ADDRESS_VIRTIO_MMIO;
    }
    for (i = 0; i < def->devices->len; i++) {
        PpDeviceDef *dev = g_ptr_array_index(def->devices, i);
        g_autoptr(GError) err = NULL;

        if (dev->addr.type != PP_ADDRESS_NONE)
            continue;
        if (!ppQemuDeviceWantsMMIO(machine, dev, domainPCI, &err)) {
            if (err) {
                g_propagate_error(error, g_steal_pointer(&err));
                return FALSE;
            }
            continue;
        }
        if (++plan->mmioUsed > machine->virtioMMIOTransports) {
            g_autofree char *what = ppDeviceDefDescribe(dev);

            g_set_error(error, PP_ERROR, PP_ERROR_EXHAUSTED,
                        _("%1$s needs a virtio-mmio transport, but all %2$u of machine type '%3$s' are taken; give virtio devices <address type='pci'/> or preferredConnection='pcie' to use PCI Express instead"),
                        what, machine->virtioMMIOTransports, machine->family);
            return FALSE;
        }
        ppDeviceDefSetAddress(dev, &(PpDeviceAddress){ .type = PP_ADDRESS_VIRTIO_MMIO });
    }
    return TRUE;
}
