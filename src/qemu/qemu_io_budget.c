/*
 * qemu_io_budget.c: the I/O port windows a plan needs and what the firmware fits
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "qemu_domain_addresspriv.h"
#include "pperror.h"

/*
 * The firmware's I/O budget, in 4 KiB windows (docs/qemu-facts.md section
 * 4 and docs/guest-truth.md, measured by booting guests): SeaBIOS fits 14
 * on q35 but only 8 on pc, OVMF 10; on virt, AAVMF or the kernel itself
 * (no firmware) fit 15.
 */
static guint
ppQemuIOBudget(const PpDomainDef *def, const PpQemuMachine *machine, const char **ret_fw)
{
    switch (machine->kind) {
    case PP_QEMU_MACHINE_Q35:
    case PP_QEMU_MACHINE_I440FX:
        if (def->firmware == PP_FIRMWARE_EFI) {
            *ret_fw = "OVMF";
            return 10; /* aperture 0x6000-0xffff */
        }
        *ret_fw = "SeaBIOS";
        return machine->kind == PP_QEMU_MACHINE_Q35 ? 14 : 8;
    case PP_QEMU_MACHINE_ARM_VIRT:
    case PP_QEMU_MACHINE_RISCV_VIRT:
    case PP_QEMU_MACHINE_LAST:
        break;
    }
    *ret_fw = def->firmware == PP_FIRMWARE_EFI ? "UEFI" : "none (direct kernel)";
    return 15;
}

/* SeaBIOS and OVMF give an SHPC bridge an I/O window even when it is empty. */
static gboolean
ppQemuBusAlwaysGetsIO(PpPCIControllerModel model)
{
    return model == PP_CONTROLLER_MODEL_PCI_BRIDGE ||
           model == PP_CONTROLLER_MODEL_PCIE_TO_PCI_BRIDGE;
}

/*
 * Count the 4 KiB I/O windows the plan needs (one per bus other than a
 * root bus that directly holds a device with I/O BARs: nested bridges'
 * windows sit inside their parents'), refuse a plan the firmware cannot
 * fit, and give every pcie-root-port whose subtree needs no I/O
 * io-reserve=0, so that OVMF does not hand it a window for nothing
 * (measured: 14 empty root ports on OVMF collide with SATA's I/O).
 */
gboolean
ppQemuDomainPlanIO(PpDomainDef *def, const PpQemuMachine *machine, PpPlan *plan, GError **error)
{
    g_autofree gboolean *needs = g_new0(gboolean, PP_PCI_MAX_BUSES);
    g_autofree PpDeviceDef **ctrls = g_new0(PpDeviceDef *, PP_PCI_MAX_BUSES);
    g_autoptr(GString) where = g_string_new(NULL);
    guint i;
    int idx;

    for (i = 0; i < def->devices->len; i++) {
        PpDeviceDef *dev = g_ptr_array_index(def->devices, i);

        if (dev->kind == PP_DEVICE_CONTROLLER && ppStrEq(dev->type, "pci") &&
            dev->ctrl.index >= 0 && dev->ctrl.index < PP_PCI_MAX_BUSES)
            ctrls[dev->ctrl.index] = dev;
    }
    for (idx = 1; idx < PP_PCI_MAX_BUSES; idx++)
        needs[idx] = ctrls[idx] && ppQemuBusAlwaysGetsIO(ctrls[idx]->ctrl.pciModel);
    for (i = 0; i < def->devices->len; i++) {
        const PpDeviceDef *dev = g_ptr_array_index(def->devices, i);
        guint bus = dev->addr.pci.bus;

        if (dev->addr.type != PP_ADDRESS_PCI || bus == 0 || !ctrls[bus] || needs[bus] ||
            (dev->kind == PP_DEVICE_CONTROLLER && ppStrEq(dev->type, "pci")) ||
            !ppQemuDeviceNeedsIO(machine, dev, ctrls[bus]->ctrl.pciModel))
            continue;
        needs[bus] = TRUE;
    }
    for (idx = 1; idx < PP_PCI_MAX_BUSES; idx++) {
        if (needs[idx] && ++plan->ioWindows <= 4)
            g_string_append_printf(where, "%sbus %d", where->len ? ", " : "", idx);
    }
    plan->ioBudget = ppQemuIOBudget(def, machine, &plan->firmware);
    if (plan->ioWindows > plan->ioBudget) {
        g_set_error(error, PP_ERROR, PP_ERROR_EXHAUSTED,
                    _("The plan needs %1$u I/O windows of 4 KiB, one for each PCI bridge and each other bus that holds devices with I/O ports (%2$s%3$s), but %4$s fits %5$u; use PCI Express or virtio devices, which need no I/O ports, or fewer conventional PCI devices"),
                    plan->ioWindows, where->str, plan->ioWindows > 4 ? ", ..." : "",
                    plan->firmware, plan->ioBudget);
        return FALSE;
    }

    /* Children have higher indexes than their parents. */
    for (idx = PP_PCI_MAX_BUSES - 1; idx > 0; idx--) {
        PpDeviceDef *ctrl = ctrls[idx];

        if (!ctrl)
            continue;
        if (needs[idx] && ctrl->addr.type == PP_ADDRESS_PCI)
            needs[ctrl->addr.pci.bus] = TRUE;
        /* Only ports this plan places: an existing port keeps what the
         * guest sees of it, also when a device left it (guest ABI). */
        if (ctrl->ctrl.pciModel == PP_CONTROLLER_MODEL_PCIE_ROOT_PORT && !needs[idx] &&
            (ctrl->added || ctrl->addrChanged) && !ppStrEq(ctrl->ctrl.modelName, "ioh3420")) {
            ppDomainDefEnsureAlias(def, ctrl);
            ctrl->ioReserveZero = TRUE;
        }
    }
    return TRUE;
}
