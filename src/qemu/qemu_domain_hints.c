/*
 * qemu_domain_hints.c: the hints: checked against the machine, turned into connect flags, mirrored
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "qemu_domain_addresspriv.h"
#include "pperror.h"

/*
 * Why the guest would not see an expander bus on this domain, or NULL.
 * riscv64 virt's firmware describes none; on aarch64 virt a pxb-pcie is
 * found through ACPI only, so it needs UEFI and ACPI (booted guests: with
 * a direct kernel the guest lists the expander but none of its devices).
 */
static const char *
ppQemuExpandersMissing(const PpDomainDef *def, const PpQemuMachine *machine)
{
    if (!machine->expanders)
        return _("this machine type has no expander buses");
    if (machine->kind == PP_QEMU_MACHINE_ARM_VIRT &&
        (def->firmware != PP_FIRMWARE_EFI || !def->acpi))
        return _("on aarch64 virt the guest sees an expander bus's devices only with UEFI and ACPI: add <os firmware='efi'> (or an AAVMF pflash <loader>) and <features><acpi/></features>");
    return NULL;
}

/* Expander buses, the user's or asked for by hints, only where the guest
 * will see what is behind them. */
gboolean
ppQemuDomainCheckExpanders(const PpDomainDef *def,
                           const PpQemuMachine *machine,
                           GPtrArray *warnings,
                           GError **error)
{
    const char *why = ppQemuExpandersMissing(def, machine);
    guint i;

    for (i = 0; why && i < def->devices->len; i++) {
        const PpDeviceDef *dev = g_ptr_array_index(def->devices, i);
        g_autofree char *what = NULL;

        if (!(dev->kind == PP_DEVICE_CONTROLLER &&
              (dev->ctrl.pciModel == PP_CONTROLLER_MODEL_PCIE_EXPANDER_BUS ||
               dev->ctrl.pciModel == PP_CONTROLLER_MODEL_PCI_EXPANDER_BUS)) &&
            dev->hints.numaNode < 0 &&
            dev->hints.preferredConnection != PP_CONNECTION_PCIE_EXPANDER_BUS &&
            dev->hints.preferredConnection != PP_CONNECTION_PCI_EXPANDER_BUS)
            continue;
        what = ppDeviceDefDescribe(dev);
        /* The user's own expander where the machine has them: libvirt 9.0
         * defines it and QEMU 7.2 starts it (measured through the embedded
         * driver); only the guest will not see what is behind it. Planned,
         * with a warning; a hint asking for one is refused below. */
        if (dev->kind == PP_DEVICE_CONTROLLER && machine->expanders) {
            g_ptr_array_add(warnings, g_strdup_printf(_("%1$s is an expander bus, but %2$s; the guest will not see the devices behind it"),
                                                      what, why));
            continue;
        }
        if (dev->kind == PP_DEVICE_CONTROLLER)
            g_set_error(error, PP_ERROR, PP_ERROR_UNSUPPORTED,
                        _("%1$s is an expander bus, but %2$s"), what, why);
        else
            g_set_error(error, PP_ERROR, PP_ERROR_UNSUPPORTED,
                        _("%1$s needs an expander bus, but %2$s"), what, why);
        return FALSE;
    }
    return TRUE;
}

/* ------------------------------------------------------------------ */
/* Hints                                                               */

static gboolean
ppQemuHintError(const PpDeviceDef *dev, const char *why, GError **error)
{
    g_autofree char *what = ppDeviceDefDescribe(dev);

    g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                _("%1$s has preferredConnection='%2$s', which cannot be honoured: %3$s"), what,
                ppConnectionToString(dev->hints.preferredConnection), why);
    return FALSE;
}

static gboolean
ppQemuDeviceCheckNuma(const PpDomainDef *def, const PpQemuMachine *machine,
                      const PpDeviceDef *dev, GError **error)
{
    g_autofree char *what = NULL;
    PpConnection pref = dev->hints.preferredConnection;

    if (dev->hints.numaNode < 0)
        return TRUE;
    what = ppDeviceDefDescribe(dev);
    if (!ppDomainDefHasNumaCell(def, dev->hints.numaNode)) {
        g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                    _("%1$s has numaNode='%2$d', but the domain has no such NUMA cell in <cpu><numa>"),
                    what, dev->hints.numaNode);
        return FALSE;
    }
    if (pref != PP_CONNECTION_NONE && pref != PP_CONNECTION_PCIE &&
        pref != PP_CONNECTION_PCI && pref != PP_CONNECTION_PCIE_EXPANDER_BUS &&
        pref != PP_CONNECTION_PCI_EXPANDER_BUS) {
        g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                    _("%1$s has numaNode='%2$d', which puts it behind an expander bus, and preferredConnection='%3$s', which does not; remove one of them"),
                    what, dev->hints.numaNode, ppConnectionToString(pref));
        return FALSE;
    }
    return TRUE;
}

static gboolean
ppQemuP2PGroupError(const PpDeviceDef *dev, const char *why, GError **error)
{
    g_autofree char *what = ppDeviceDefDescribe(dev);

    g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                _("P2P group '%1$s' cannot be satisfied: %2$s %3$s"), dev->hints.p2pGroup, what,
                why);
    return FALSE;
}

/*
 * A member of a P2P group goes to slot 0 of a downstream port of its
 * group's switch: it must be a PCI Express device on a PCI Express
 * machine, and no other hint may send it elsewhere.
 */
static gboolean
ppQemuDeviceCheckP2PGroup(const PpQemuMachine *machine, const PpDeviceDef *dev,
                          PpPCIConnectFlags flags, GError **error)
{
    PpConnection pref = dev->hints.preferredConnection;

    if (!dev->hints.p2pGroup)
        return TRUE;
    if (!machine->pcie)
        return ppQemuP2PGroupError(dev, _("is on machine type 'pc', which has no PCI Express switches; use q35"), error);
    if (flags & PP_PCI_CONNECT_INTEGRATED)
        return ppQemuP2PGroupError(dev, _("must sit on the root bus, QEMU takes it nowhere else; remove it from the group"), error);
    if (!(flags & PP_PCI_CONNECT_TYPE_PCIE_DEVICE) || pref == PP_CONNECTION_PCI)
        return ppQemuP2PGroupError(dev, _("is a conventional PCI device, which no switch downstream port takes; use a PCI Express or virtio model"), error);
    if (pref != PP_CONNECTION_NONE && pref != PP_CONNECTION_PCIE &&
        pref != PP_CONNECTION_PCIE_SWITCH_DOWNSTREAM_PORT) {
        g_autofree char *why = g_strdup_printf(_("has preferredConnection='%1$s', but the group puts it on a downstream port of the group's switch; remove one of them"),
                                               ppConnectionToString(pref));

        return ppQemuP2PGroupError(dev, why, error);
    }
    return TRUE;
}

/*
 * The groups as a whole: one switch per group takes at most
 * PP_QEMU_SWITCH_PORTS members (a pcie-switch-upstream-port bus has slots
 * 0-31, one downstream port each: libvirt's
 * virDomainPCIAddressBusSetModel, QEMU's xio3130 ports), and the switch
 * sits behind one expander bus at most, so the members' numaNode hints
 * must agree.
 */
#define PP_QEMU_SWITCH_PORTS 32

gboolean
ppQemuDomainCheckP2PGroups(const PpDomainDef *def, GError **error)
{
    g_autoptr(GHashTable) first = g_hash_table_new(g_str_hash, g_str_equal);
    g_autoptr(GHashTable) count = g_hash_table_new(g_str_hash, g_str_equal);
    guint i;

    for (i = 0; i < def->devices->len; i++) {
        const PpDeviceDef *dev = g_ptr_array_index(def->devices, i);
        const PpDeviceDef *head;
        guint n;

        if (!dev->hints.p2pGroup)
            continue;
        n = GPOINTER_TO_UINT(g_hash_table_lookup(count, dev->hints.p2pGroup)) + 1;
        g_hash_table_insert(count, dev->hints.p2pGroup, GUINT_TO_POINTER(n));
        if (n > PP_QEMU_SWITCH_PORTS) {
            g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                        _("P2P group '%1$s' has more than %2$d members, but its members sit on the downstream ports of one PCIe switch, which has %2$d; split the group"),
                        dev->hints.p2pGroup, PP_QEMU_SWITCH_PORTS);
            return FALSE;
        }
        if (!(head = g_hash_table_lookup(first, dev->hints.p2pGroup))) {
            g_hash_table_insert(first, dev->hints.p2pGroup, (gpointer)dev);
            continue;
        }
        if (head->hints.numaNode != dev->hints.numaNode) {
            g_autofree char *a = ppDeviceDefDescribe(head);
            g_autofree char *b = ppDeviceDefDescribe(dev);

            g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                        _("P2P group '%1$s' cannot be satisfied: %2$s and %3$s have different numaNode hints, but the group's switch sits behind one expander bus; give every member the same numaNode"),
                        dev->hints.p2pGroup, a, b);
            return FALSE;
        }
    }
    return TRUE;
}

/*
 * Check @dev's preferredConnection against the machine and the device,
 * and turn the bus-kind values into connect flags. A hint is never
 * silently ignored: one that cannot be met is an error saying why.
 */
gboolean
ppQemuDeviceApplyHints(const PpDomainDef *def, const PpQemuMachine *machine,
                       gboolean hasPCIeToPCIBridge, const PpDeviceDef *dev,
                       PpPCIConnectFlags *flags, GError **error)
{
    gboolean pcie = (*flags & PP_PCI_CONNECT_TYPE_PCIE_DEVICE) != 0;
    PpConnection pref = dev->hints.preferredConnection;

    if (!ppQemuDeviceCheckNuma(def, machine, dev, error) ||
        !ppQemuDeviceCheckP2PGroup(machine, dev, *flags, error))
        return FALSE;
    if ((*flags & PP_PCI_CONNECT_INTEGRATED) && pref != PP_CONNECTION_NONE &&
        pref != PP_CONNECTION_PCIE_ROOT && pref != PP_CONNECTION_PCI_ROOT)
        return ppQemuHintError(dev, _("QEMU requires it on the root bus"), error);

    switch (pref) {
    case PP_CONNECTION_NONE:
        return TRUE;
    case PP_CONNECTION_PCI:
        *flags = (*flags & ~PP_PCI_CONNECT_TYPE_PCIE_DEVICE) | PP_PCI_CONNECT_TYPE_PCI_DEVICE;
        return TRUE;
    case PP_CONNECTION_PCIE:
    case PP_CONNECTION_PCIE_ROOT_PORT:
    case PP_CONNECTION_PCIE_SWITCH_DOWNSTREAM_PORT:
        if (!machine->pcie)
            return ppQemuHintError(dev, _("machine type 'pc' has no PCI Express; use q35"), error);
        if (!pcie)
            return ppQemuHintError(dev, _("it is a conventional PCI device (use a PCI Express or virtio model)"), error);
        return TRUE;
    case PP_CONNECTION_PCIE_ROOT:
    case PP_CONNECTION_PCI_ROOT:
        if (machine->pcie != (pref == PP_CONNECTION_PCIE_ROOT))
            return ppQemuHintError(dev, machine->pcie ? _("this machine's root bus is pcie-root")
                                                      : _("this machine's root bus is pci-root"),
                                   error);
        if (dev->hints.hotpluggable != PP_TRISTATE_NO && machine->pcie)
            return ppQemuHintError(dev, _("devices on the root bus cannot be hot-plugged; add hotpluggable='no'"), error);
        return TRUE;
    case PP_CONNECTION_PCI_BRIDGE:
        return TRUE;
    case PP_CONNECTION_PCIE_TO_PCI_BRIDGE:
        if (!machine->pcie)
            return ppQemuHintError(dev, _("machine type 'pc' has no PCI Express to bridge from; use pci-bridge"), error);
        if (!hasPCIeToPCIBridge)
            return ppQemuHintError(dev, _("this QEMU has no pcie-pci-bridge; use pci-bridge"), error);
        return TRUE;
    case PP_CONNECTION_PCIE_EXPANDER_BUS:
    case PP_CONNECTION_PCI_EXPANDER_BUS:
        if (machine->pcie != (pref == PP_CONNECTION_PCIE_EXPANDER_BUS))
            return ppQemuHintError(dev, machine->pcie ? _("PCI Express machines use pcie-expander-bus")
                                                      : _("machine type 'pc' uses pci-expander-bus"),
                                   error);
        return TRUE;
    case PP_CONNECTION_VIRTIO_MMIO:
        /* Handled (and checked) by the virtio-mmio pass. */
        return TRUE;
    case PP_CONNECTION_LAST:
        break;
    }
    return TRUE;
}

/*
 * Can the guest hot-plug at all? q35 and pc hot-plug through ACPI (QEMU
 * 7.2's pc-q35 uses ACPI PCI hot-plug for its root ports, PIIX4's for
 * pci-root): without <features><acpi/> libvirt starts QEMU with acpi=off
 * and a device attached to an empty port never reaches the guest (booted
 * guests, docs/guest-truth.md). virt machines hot-plug natively.
 */
gboolean
ppQemuHotplugWorks(const PpDomainDef *def, const PpQemuMachine *machine)
{
    switch (machine->kind) {
    case PP_QEMU_MACHINE_Q35:
    case PP_QEMU_MACHINE_I440FX:
        return def->acpi;
    case PP_QEMU_MACHINE_ARM_VIRT:
    case PP_QEMU_MACHINE_RISCV_VIRT:
    case PP_QEMU_MACHINE_LAST:
        break;
    }
    return TRUE;
}

/* hotpluggable='yes' where nothing can be hot-plugged would be ignored. */
gboolean
ppQemuDomainCheckHotplug(const PpDomainDef *def, const PpQemuMachine *machine, GError **error)
{
    guint i;

    for (i = 0; !ppQemuHotplugWorks(def, machine) && i < def->devices->len; i++) {
        const PpDeviceDef *dev = g_ptr_array_index(def->devices, i);
        g_autofree char *what = NULL;

        if (dev->hints.hotpluggable != PP_TRISTATE_YES)
            continue;
        what = ppDeviceDefDescribe(dev);
        g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                    _("%1$s has hotpluggable='yes', but machine type '%2$s' hot-plugs through ACPI and the domain has no <features><acpi/></features>; add it, or drop the hint"),
                    what, machine->family);
        return FALSE;
    }
    return TRUE;
}

/* Devices with hints get an alias libvirt keeps, so that the hints'
 * mirror under <metadata> finds them after libvirt dropped the <target>
 * attributes; a user's alias libvirt would drop is replaced, and said. */
void
ppQemuDomainMirrorHints(PpDomainDef *def, GPtrArray *warnings)
{
    guint i;

    for (i = 0; i < def->devices->len; i++) {
        PpDeviceDef *dev = g_ptr_array_index(def->devices, i);

        if (!ppDeviceHintsPresent(&dev->hints))
            continue;
        ppDomainDefEnsureAlias(def, dev);
        if (dev->aliasDropped)
            g_ptr_array_add(warnings, g_strdup_printf(_("The alias '%1$s' is one libvirt drops on define (it keeps only 'ua-' followed by letters, digits, '_' or '-'), and the hints are kept under the alias: it is now '%2$s'"),
                                                      dev->aliasDropped, dev->alias));
    }
}
