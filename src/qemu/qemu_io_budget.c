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

PpIOReservePolicy
ppIOReservePolicyFromString(const char *str)
{
    static const char *const names[] = { "auto", "never", "always" };
    guint i;

    G_STATIC_ASSERT(G_N_ELEMENTS(names) == PP_IO_RESERVE_LAST);
    for (i = 0; str && i < G_N_ELEMENTS(names); i++) {
        if (g_str_equal(str, names[i]))
            return (PpIOReservePolicy)i;
    }
    return PP_IO_RESERVE_LAST;
}

/*
 * Why the domain's firmware needs io-reserve=0 on hot-pluggable root
 * ports that need no I/O, or NULL when it does not (docs/guest-truth.md,
 * "I/O windows: measurements" and "io-reserve=0: who needs it"; bare QEMU
 * 7.2, Debian 12's kernel, the guest's log and /proc/ioports):
 *
 * - OVMF on q35 gives every such port a 4 KiB I/O window of its own, and
 *   from the first port on (1, 2, 4, 6, 7, 8, 14... measured) places one
 *   of them over the I/O BARs of q35's built-in SATA (00:1f.2) and SMBus
 *   (00:1f.3) controllers: the kernel logs "can't claim; address
 *   conflict" and has to move them. With io-reserve=0 on the ports OVMF
 *   reserves nothing and no conflict is logged.
 * - AAVMF on aarch64 virt with a pcie-expander-bus (pxb-pcie): without
 *   io-reserve=0 on the I/O-free root ports, the devices behind the
 *   expander buses lose memory BARs ("BAR 0 [mem size 0x00001000]: can't
 *   assign; no space", tests/guest/aarch64-uefi.xml, the guest suite);
 *   with it they get them all.
 * - SeaBIOS reserves no I/O for an empty PCIe hot-plug port (the guest
 *   sees the same windows with and without io-reserve=0, 1 to 32 ports),
 *   and neither do AAVMF without expander buses nor a direct kernel boot
 *   on virt: the hint changes nothing there.
 */
static gboolean
ppQemuDomainHasExpanderBus(const PpDomainDef *def)
{
    guint i;

    for (i = 0; i < def->devices->len; i++) {
        const PpDeviceDef *dev = g_ptr_array_index(def->devices, i);

        if (dev->kind == PP_DEVICE_CONTROLLER && ppStrEq(dev->type, "pci") &&
            dev->ctrl.pciModel == PP_CONTROLLER_MODEL_PCIE_EXPANDER_BUS)
            return TRUE;
    }
    return FALSE;
}

static const char *
ppQemuIOReserveNeeded(const PpDomainDef *def, const PpQemuMachine *machine)
{
    switch (machine->kind) {
    case PP_QEMU_MACHINE_Q35:
        if (def->firmware == PP_FIRMWARE_EFI)
            return N_("OVMF would give each root port without I/O devices an I/O window and place one over the I/O ports of the built-in SATA and SMBus controllers");
        return NULL;
    case PP_QEMU_MACHINE_ARM_VIRT:
        if (def->firmware == PP_FIRMWARE_EFI && ppQemuDomainHasExpanderBus(def))
            return N_("AAVMF would reserve I/O for each root port without I/O devices and then leave devices behind the expander buses without memory for their BARs");
        return NULL;
    case PP_QEMU_MACHINE_I440FX:  /* no PCIe root ports at all */
    case PP_QEMU_MACHINE_RISCV_VIRT:
    case PP_QEMU_MACHINE_LAST:
        break;
    }
    return NULL;
}

/*
 * io-reserve=0 for the pcie-root-ports whose subtree needs no I/O window
 * (@needs, by bus index, filled upwards here), as @policy says; @ctrls
 * are the PCI controllers by index.
 */
static void
ppQemuDomainGiveIOReserve(PpDomainDef *def, const PpQemuMachine *machine,
                          PpDeviceDef **ctrls, gboolean *needs, PpIOReservePolicy policy,
                          PpPlan *plan)
{
    int idx;

    plan->ioReserveWhy = ppQemuIOReserveNeeded(def, machine);
    /* Children have higher indexes than their parents. */
    for (idx = PP_PCI_MAX_BUSES - 1; idx > 0; idx--) {
        PpDeviceDef *ctrl = ctrls[idx];
        gboolean give = FALSE;

        if (!ctrl)
            continue;
        if (needs[idx] && ctrl->addr.type == PP_ADDRESS_PCI)
            needs[ctrl->addr.pci.bus] = TRUE;
        if (ctrl->ctrl.pciModel != PP_CONTROLLER_MODEL_PCIE_ROOT_PORT || needs[idx] ||
            ppStrEq(ctrl->ctrl.modelName, "ioh3420"))
            continue;
        if (ctrl->ioReserveKnown) {
            /* the document's own override, kept as written */
            ctrl->ioReserveZero = TRUE;
            continue;
        }
        /* Only ports this plan places: an existing port keeps what the
         * guest sees of it, also when a device left it (guest ABI). */
        if (!ctrl->added && !ctrl->addrChanged)
            continue;
        switch (policy) {
        case PP_IO_RESERVE_ALWAYS:
            give = TRUE;
            break;
        case PP_IO_RESERVE_AUTO:
        case PP_IO_RESERVE_NEVER:
            if (!plan->ioReserveWhy)
                break;
            give = policy == PP_IO_RESERVE_AUTO;
            plan->ioReserveSkipped += !give;
            break;
        case PP_IO_RESERVE_LAST:
            break;
        }
        if (give) {
            ppDomainDefEnsureAlias(def, ctrl);
            ctrl->ioReserveZero = TRUE;
            plan->ioReserveAdded++;
        }
    }
}

/*
 * Count the 4 KiB I/O windows the plan needs (one per bus other than a
 * root bus that directly holds a device with I/O BARs: nested bridges'
 * windows sit inside their parents'), refuse a plan the firmware cannot
 * fit, and give pcie-root-ports whose subtree needs no I/O io-reserve=0
 * as @policy says: AUTO only where the firmware would misplace I/O
 * without it (ppQemuIOReserveNeeded), and there to every such port, as
 * ALWAYS does (the aarch64-uefi guest still lost memory BARs when ports
 * with hotplug='off' went without).
 */
gboolean
ppQemuDomainPlanIO(PpDomainDef *def, const PpQemuMachine *machine, PpIOReservePolicy policy,
                   PpPlan *plan, GError **error)
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

    ppQemuDomainGiveIOReserve(def, machine, ctrls, needs, policy, plan);
    return TRUE;
}
