/*
 * qemu_command_check.c: placement rules QEMU 7.2 does not check, or
 * checks with a message that does not lead back to the XML
 * (docs/qemu-facts.md). Each error says what to change in the XML.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "qemu_commandpriv.h"
#include "pperror.h"

/* Functions on the root bus that the chipset itself occupies:
 * q35: MCH 00.0, ICH9 LPC 1f.0, AHCI 1f.2, SMBus 1f.3;
 * i440fx: host bridge 00.0, PIIX3 ISA 01.0, IDE 01.1, PM 01.3;
 * virt: the host bridge 00.0 (docs/qemu-facts.md section 3). */
static guint8
ppQemuBuiltinFunctions(PpQemuMachineKind family, guint slot)
{
    switch (family) {
    case PP_QEMU_MACHINE_Q35:
        return slot == 0 ? 0x01 : slot == 0x1f ? 0x0d : 0;
    case PP_QEMU_MACHINE_I440FX:
        return slot == 0 ? 0x01 : slot == 1 ? 0x0b : 0;
    case PP_QEMU_MACHINE_ARM_VIRT:
    case PP_QEMU_MACHINE_RISCV_VIRT:
        return slot == 0 ? 0x01 : 0;
    case PP_QEMU_MACHINE_LAST:
        break;
    }
    g_assert_not_reached();
}

/* The chipset's own disk controller is in the XML but is no -device. */
static gboolean
ppQemuCheckIsBuiltin(const PpQemuBuild *ctx, const PpDeviceDef *dev)
{
    const char *type = dev->type ? dev->type : "";

    return dev->kind == PP_DEVICE_CONTROLLER && dev->ctrl.index <= 0 &&
           ((g_str_equal(type, "sata") && ctx->machine->builtinSATA) ||
            (g_str_equal(type, "ide") && ctx->machine->builtinIDE));
}

static gboolean
ppQemuCheckIsRoot(const PpDeviceDef *dev)
{
    return dev->kind == PP_DEVICE_CONTROLLER &&
           (dev->ctrl.pciModel == PP_CONTROLLER_MODEL_PCI_ROOT ||
            dev->ctrl.pciModel == PP_CONTROLLER_MODEL_PCIE_ROOT);
}

/* The devices that take a PCI function on the command line. A <console>
 * is never one: a console of a PCI serial port repeats that port's
 * address and is the same device (ppQemuBuildConsole adds nothing). */
static gboolean
ppQemuCheckTakesPCISlot(const PpQemuBuild *ctx, const PpDeviceDef *dev)
{
    return dev->addr.type == PP_ADDRESS_PCI && !ppQemuCheckIsRoot(dev) &&
           !ppQemuCheckIsBuiltin(ctx, dev) && dev->kind != PP_DEVICE_CONSOLE;
}

/* ------------------------------------------------------------------ */
/* vIOMMU                                                              */

static gboolean
ppQemuCheckIOMMUMachine(const PpQemuBuild *ctx, const PpDeviceDef *dev, GError **error)
{
    const char *model = dev->model ? dev->model : "";
    PpQemuMachineKind f = ctx->machine->kind;

    if ((g_str_equal(model, "intel") && f == PP_QEMU_MACHINE_Q35) ||
        (g_str_equal(model, "amd") && f == PP_QEMU_MACHINE_Q35) ||
        (g_str_equal(model, "smmuv3") && f == PP_QEMU_MACHINE_ARM_VIRT) ||
        (g_str_equal(model, "virtio") &&
         (f == PP_QEMU_MACHINE_Q35 || f == PP_QEMU_MACHINE_ARM_VIRT)))
        return TRUE;
    g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                _("<iommu model='%1$s'> does not work on machine '%2$s': intel and amd need q35, smmuv3 needs aarch64 virt, virtio needs q35 or aarch64 virt; change the model or the machine"),
                model, ctx->machine->canonical);
    return FALSE;
}

/* virtio-iommu-pci: "virtio-iommu-pci must be plugged on the root bus". */
static gboolean
ppQemuCheckIOMMUPlacement(const PpDeviceDef *dev, GError **error)
{
    if (!dev->model || !g_str_equal(dev->model, "virtio") ||
        dev->addr.type != PP_ADDRESS_PCI || dev->addr.pci.bus == 0)
        return TRUE;
    g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                _("<iommu model='virtio'> is on bus %1$u, but QEMU plugs virtio-iommu only into the root bus; give it an <address> with bus='0x00'"),
                dev->addr.pci.bus);
    return FALSE;
}

/* Assigned devices keep stale DMA mappings unless the guest reports every
 * mapping change, which intel-iommu does only in caching mode. */
static gboolean
ppQemuCheckIntelCachingMode(const PpQemuBuild *ctx, const PpDeviceDef *iommu, GError **error)
{
    g_autofree char *caching = ppXmlChildProp(iommu->node, "driver", "caching_mode");
    guint i;

    if (!iommu->model || !g_str_equal(iommu->model, "intel") ||
        (caching && g_str_equal(caching, "on")))
        return TRUE;
    for (i = 0; i < ctx->def->devices->len; i++) {
        const PpDeviceDef *dev = g_ptr_array_index(ctx->def->devices, i);
        g_autofree char *what = NULL;

        if (!(dev->kind == PP_DEVICE_HOSTDEV && dev->type && g_str_equal(dev->type, "pci")) &&
            !(dev->kind == PP_DEVICE_INTERFACE && dev->type && g_str_equal(dev->type, "hostdev")))
            continue;
        what = ppDeviceDefDescribe(dev);
        g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                    _("The %1$s is assigned with vfio behind <iommu model='intel'>, which then needs caching mode; add <driver caching_mode='on'/> to the <iommu>"),
                    what);
        return FALSE;
    }
    return TRUE;
}

static gboolean
ppQemuCheckIOMMU(const PpQemuBuild *ctx, GError **error)
{
    const PpDeviceDef *first = NULL;
    guint i;

    for (i = 0; i < ctx->def->devices->len; i++) {
        const PpDeviceDef *dev = g_ptr_array_index(ctx->def->devices, i);

        if (dev->kind != PP_DEVICE_IOMMU)
            continue;
        if (first) {
            g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                        _("The domain has <iommu model='%1$s'> and <iommu model='%2$s'>, but QEMU supports one vIOMMU per machine; remove one"),
                        first->model ? first->model : "", dev->model ? dev->model : "");
            return FALSE;
        }
        first = dev;
        if (!ppQemuCheckIOMMUMachine(ctx, dev, error) ||
            !ppQemuCheckIOMMUPlacement(dev, error) ||
            !ppQemuCheckIntelCachingMode(ctx, dev, error))
            return FALSE;
    }
    return TRUE;
}

/* ------------------------------------------------------------------ */
/* Chassis numbers                                                     */

static gboolean
ppQemuCheckIsPort(const PpDeviceDef *dev)
{
    return dev->kind == PP_DEVICE_CONTROLLER &&
           (dev->ctrl.pciModel == PP_CONTROLLER_MODEL_PCIE_ROOT_PORT ||
            dev->ctrl.pciModel == PP_CONTROLLER_MODEL_PCIE_SWITCH_DOWNSTREAM_PORT);
}

/*
 * QEMU registers every root and downstream port under (chassis, slot) and
 * refuses a pair twice ("Can't add chassis slot, error -16"). libvirt sets
 * chassis and port but never slot, which stays 0, so the chassis alone
 * must differ between ports; the port number may repeat.
 */
static gboolean
ppQemuCheckPortChassis(const PpQemuBuild *ctx, GHashTable *seen, const PpDeviceDef *dev,
                       GError **error)
{
    guint chassis = ppQemuControllerChassis(dev);
    const PpDeviceDef *other = g_hash_table_lookup(seen, GUINT_TO_POINTER(chassis));

    if (!other) {
        g_hash_table_insert(seen, GUINT_TO_POINTER(chassis), (gpointer)dev);
        return TRUE;
    }
    g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                _("The %1$s '%2$s' and the %3$s '%4$s' both have chassis %5$u, which QEMU refuses for two ports (their slot is 0); give one of them another <target chassis='N'/>"),
                ppPCIControllerModelToString(other->ctrl.pciModel), ppQemuBuildAlias(ctx, other),
                ppPCIControllerModelToString(dev->ctrl.pciModel), ppQemuBuildAlias(ctx, dev),
                chassis);
    return FALSE;
}

/* pci-bridge: "Bridge chassis not specified. Each bridge is required to be
 * assigned a unique chassis id > 0."; QEMU checks only the "> 0". */
static gboolean
ppQemuCheckBridgeChassis(const PpQemuBuild *ctx, GHashTable *seen, const PpDeviceDef *dev,
                         GError **error)
{
    guint nr = ppQemuControllerChassisNr(dev);
    const PpDeviceDef *other = g_hash_table_lookup(seen, GUINT_TO_POINTER(nr));

    if (nr == 0) {
        g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                    _("The pci-bridge '%1$s' has chassisNr 0, but a PCI bridge needs a chassis number above 0; set <target chassisNr='N'/> with N > 0"),
                    ppQemuBuildAlias(ctx, dev));
        return FALSE;
    }
    if (other) {
        g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                    _("The pci-bridges '%1$s' and '%2$s' both have chassisNr %3$u, but each bridge needs its own; give one of them another <target chassisNr='N'/>"),
                    ppQemuBuildAlias(ctx, other), ppQemuBuildAlias(ctx, dev), nr);
        return FALSE;
    }
    g_hash_table_insert(seen, GUINT_TO_POINTER(nr), (gpointer)dev);
    return TRUE;
}

static gboolean
ppQemuCheckChassis(const PpQemuBuild *ctx, GError **error)
{
    g_autoptr(GHashTable) ports = g_hash_table_new(g_direct_hash, g_direct_equal);
    g_autoptr(GHashTable) bridges = g_hash_table_new(g_direct_hash, g_direct_equal);
    guint i;

    for (i = 0; i < ctx->def->devices->len; i++) {
        const PpDeviceDef *dev = g_ptr_array_index(ctx->def->devices, i);

        if (ppQemuCheckIsPort(dev) && !ppQemuCheckPortChassis(ctx, ports, dev, error))
            return FALSE;
        if (dev->kind == PP_DEVICE_CONTROLLER &&
            dev->ctrl.pciModel == PP_CONTROLLER_MODEL_PCI_BRIDGE &&
            !ppQemuCheckBridgeChassis(ctx, bridges, dev, error))
            return FALSE;
    }
    return TRUE;
}

/* ------------------------------------------------------------------ */
/* Slots and functions                                                 */

/* Linux scans only device 0 behind a PCIe port (the link has one device),
 * and QEMU 7.2 does not refuse the others (docs/qemu-facts.md section 3). */
static gboolean
ppQemuCheckSlotZero(const PpQemuBuild *ctx, const PpDeviceDef *dev, GError **error)
{
    const PpDeviceDef *port = g_hash_table_lookup(ctx->pciByIndex,
                                                  GUINT_TO_POINTER(dev->addr.pci.bus));
    g_autofree char *what = NULL;

    if (!port || !ppQemuCheckIsPort(port) || dev->addr.pci.slot == 0)
        return TRUE;
    what = ppDeviceDefDescribe(dev);
    g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                _("The %1$s is at slot %2$u behind the %3$s '%4$s', where guests see only slot 0; set slot='0x00' in its <address> (functions 0-7 are fine)"),
                what, dev->addr.pci.slot, ppPCIControllerModelToString(port->ctrl.pciModel),
                ppQemuBuildAlias(ctx, port));
    return FALSE;
}

typedef struct {
    const PpDeviceDef *fn[8];
    gboolean checked;
} PpQemuCheckSlot;

/* Records @dev in its slot, refusing an address used twice. */
static gboolean
ppQemuCheckRecordFunction(GHashTable *slots, const PpDeviceDef *dev, GError **error)
{
    guint key = (dev->addr.pci.bus << 5) | dev->addr.pci.slot;
    PpQemuCheckSlot *slot = g_hash_table_lookup(slots, GUINT_TO_POINTER(key));
    const PpDeviceDef *other;
    g_autofree char *a = NULL;
    g_autofree char *b = NULL;
    g_autofree char *addr = NULL;

    if (!slot) {
        slot = g_new0(PpQemuCheckSlot, 1);
        g_hash_table_insert(slots, GUINT_TO_POINTER(key), slot);
    }
    if (!(other = slot->fn[dev->addr.pci.function])) {
        slot->fn[dev->addr.pci.function] = dev;
        return TRUE;
    }
    a = ppDeviceDefDescribe(other);
    b = ppDeviceDefDescribe(dev);
    addr = ppPCIAddressFormat(&dev->addr.pci);
    g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                _("The %1$s and the %2$s both have PCI address %3$s; move one of them"), a, b,
                addr);
    return FALSE;
}

/* In a slot with several functions, function 0 must exist (guests probe
 * it first and skip the slot without it; QEMU accepts the slot) and must
 * say multifunction='on' (QEMU refuses the slot otherwise). */
static gboolean
ppQemuCheckSlotFunctions(const PpQemuBuild *ctx, guint key, const PpQemuCheckSlot *slot,
                         GError **error)
{
    guint bus = key >> 5;
    guint8 builtin = bus == 0 ? ppQemuBuiltinFunctions(ctx->machine->kind, key & 0x1f) : 0;
    const PpDeviceDef *other = NULL;
    g_autofree char *what = NULL;
    guint fn;

    for (fn = 1; fn < 8 && !other; fn++)
        other = slot->fn[fn];
    if (!other || (builtin & 1))
        return TRUE;
    if (!slot->fn[0]) {
        what = ppDeviceDefDescribe(other);
        g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                    _("The %1$s is function %2$u of bus %3$u slot %4$u, but nothing is at function 0 of that slot, so guests will not find it; move it to function 0 or put a device there"),
                    what, other->addr.pci.function, bus, other->addr.pci.slot);
        return FALSE;
    }
    if (slot->fn[0]->addr.pci.multifunction == PP_TRISTATE_YES)
        return TRUE;
    what = ppDeviceDefDescribe(slot->fn[0]);
    g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                _("The %1$s is function 0 of a slot with more functions, so its <address> needs multifunction='on'"),
                what);
    return FALSE;
}

static gboolean
ppQemuCheckFunctions(const PpQemuBuild *ctx, GError **error)
{
    g_autoptr(GHashTable) slots = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL,
                                                        g_free);
    guint i;

    for (i = 0; i < ctx->def->devices->len; i++) {
        const PpDeviceDef *dev = g_ptr_array_index(ctx->def->devices, i);

        if (!ppQemuCheckTakesPCISlot(ctx, dev))
            continue;
        if (!ppQemuCheckSlotZero(ctx, dev, error) ||
            !ppQemuCheckRecordFunction(slots, dev, error))
            return FALSE;
    }
    /* In device order, so that the first problem of the XML is reported. */
    for (i = 0; i < ctx->def->devices->len; i++) {
        const PpDeviceDef *dev = g_ptr_array_index(ctx->def->devices, i);
        guint key = (dev->addr.pci.bus << 5) | dev->addr.pci.slot;
        PpQemuCheckSlot *slot;

        if (!ppQemuCheckTakesPCISlot(ctx, dev))
            continue;
        slot = g_hash_table_lookup(slots, GUINT_TO_POINTER(key));
        if (slot->checked)
            continue;
        slot->checked = TRUE;
        if (!ppQemuCheckSlotFunctions(ctx, key, slot, error))
            return FALSE;
    }
    return TRUE;
}

/* Two controllers of one type with one index would get one id ("usb",
 * "scsi0"); USB companions share their EHCI's index on purpose. */
static gboolean
ppQemuCheckControllerIndexes(const PpQemuBuild *ctx, GError **error)
{
    g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    guint i;

    for (i = 0; i < ctx->def->devices->len; i++) {
        const PpDeviceDef *dev = g_ptr_array_index(ctx->def->devices, i);
        char *key;

        if (dev->kind != PP_DEVICE_CONTROLLER || !dev->type || g_str_equal(dev->type, "pci") ||
            (dev->model && g_str_has_prefix(dev->model, "ich9-uhci")))
            continue;
        key = g_strdup_printf("%s %d", dev->type, MAX(dev->ctrl.index, 0));
        if (!g_hash_table_add(seen, key)) {
            g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                        _("Two <controller type='%1$s'> have index '%2$d'; give each its own index"),
                        dev->type, MAX(dev->ctrl.index, 0));
            return FALSE;
        }
    }
    return TRUE;
}

/* QEMU's message for one virtio-mmio device too many is "No 'virtio-bus'
 * bus found"; aarch64 virt has 32 transports, riscv64 virt 8. */
static gboolean
ppQemuCheckVirtioMMIO(const PpQemuBuild *ctx, GError **error)
{
    guint count = 0;
    guint i;

    for (i = 0; i < ctx->def->devices->len; i++) {
        const PpDeviceDef *dev = g_ptr_array_index(ctx->def->devices, i);

        if (dev->addr.type == PP_ADDRESS_VIRTIO_MMIO)
            count++;
    }
    if (count <= ctx->machine->virtioMMIOTransports || ctx->machine->virtioMMIOTransports == 0)
        return TRUE;
    g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                _("%1$u devices have a virtio-mmio address, but machine '%2$s' has %3$u virtio-mmio transports; give the others a PCI address"),
                count, ctx->machine->canonical, ctx->machine->virtioMMIOTransports);
    return FALSE;
}

/**
 * ppQemuValidateRefused:
 * The checks of ppQemuValidateBuild() for what libvirt 9.0 or QEMU 7.2
 * refuse outright (a vIOMMU on the wrong machine or bus, two of them, a
 * chassis twice, chassisNr 0), which no plan may contain; the others
 * are about what QEMU accepts but gets wrong, for the command line.
 */
gboolean
ppQemuValidateRefused(const PpQemuBuild *ctx, GError **error)
{
    return ppQemuCheckIOMMU(ctx, error) && ppQemuCheckChassis(ctx, error);
}

/**
 * ppQemuValidateBuild:
 * The structural checks of ppQemuValidateTopology(); the rules that need
 * a device's QEMU driver (iommu_platform) run while building.
 */
gboolean
ppQemuValidateBuild(const PpQemuBuild *ctx, GError **error)
{
    return ppQemuCheckIOMMU(ctx, error) && ppQemuCheckChassis(ctx, error) &&
           ppQemuCheckFunctions(ctx, error) && ppQemuCheckControllerIndexes(ctx, error) &&
           ppQemuCheckVirtioMMIO(ctx, error);
}
