/*
 * qemu_command_virtio.c: virtio devices, their transports and flavours
 *
 * A virtio device is "NAME-pci" on PCI and "NAME-device" on virtio-mmio.
 * libvirt's models virtio-transitional and virtio-non-transitional pick
 * QEMU's "-pci-transitional" and "-pci-non-transitional" variants; plain
 * "virtio" leaves it to QEMU, which makes the device modern-only behind a
 * PCIe root or downstream port and transitional anywhere else
 * (docs/qemu-facts.md section 4).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "qemu_commandpriv.h"
#include "pperror.h"

typedef struct {
    const char *base;         /* QEMU has BASE-pci and BASE-device */
    const char *pci;          /* the PCI device when it is not BASE-pci */
    gboolean transitional;    /* BASE-pci-transitional exists */
    gboolean nonTransitional; /* BASE-pci-non-transitional exists */
    gboolean modernOnly;      /* QEMU forces virtio 1.0 on every bus */
} PpQemuVirtioInfo;

static const PpQemuVirtioInfo ppQemuVirtioDevices[PP_QEMU_VIRTIO_LAST] = {
    [PP_QEMU_VIRTIO_NET] = { "virtio-net", NULL, TRUE, TRUE, FALSE },
    [PP_QEMU_VIRTIO_BLK] = { "virtio-blk", NULL, TRUE, TRUE, FALSE },
    [PP_QEMU_VIRTIO_SCSI] = { "virtio-scsi", NULL, TRUE, TRUE, FALSE },
    [PP_QEMU_VIRTIO_SERIAL] = { "virtio-serial", NULL, TRUE, TRUE, FALSE },
    [PP_QEMU_VIRTIO_BALLOON] = { "virtio-balloon", NULL, TRUE, TRUE, FALSE },
    [PP_QEMU_VIRTIO_RNG] = { "virtio-rng", NULL, TRUE, TRUE, FALSE },
    [PP_QEMU_VIRTIO_9P] = { "virtio-9p", NULL, TRUE, TRUE, FALSE },
    [PP_QEMU_VIRTIO_VSOCK] = { "vhost-vsock", NULL, FALSE, TRUE, TRUE },
    [PP_QEMU_VIRTIO_GPU] = { "virtio-gpu", NULL, FALSE, FALSE, TRUE },
    [PP_QEMU_VIRTIO_VGA] = { "virtio-gpu", "virtio-vga", FALSE, FALSE, TRUE },
    [PP_QEMU_VIRTIO_TABLET] = { "virtio-tablet", NULL, FALSE, FALSE, TRUE },
    [PP_QEMU_VIRTIO_MOUSE] = { "virtio-mouse", NULL, FALSE, FALSE, TRUE },
    [PP_QEMU_VIRTIO_KEYBOARD] = { "virtio-keyboard", NULL, FALSE, FALSE, TRUE },
    [PP_QEMU_VIRTIO_INPUT_HOST] = { "virtio-input-host", NULL, FALSE, FALSE, TRUE },
    [PP_QEMU_VIRTIO_IOMMU] = { "virtio-iommu", NULL, FALSE, FALSE, TRUE },
};

gboolean
ppQemuVirtioModelParse(const char *model, PpQemuVirtioModel *ret)
{
    if (!model)
        return FALSE;
    if (g_str_equal(model, "virtio"))
        *ret = PP_QEMU_VIRTIO_TRANSITIONAL_DEFAULT;
    else if (g_str_equal(model, "virtio-transitional"))
        *ret = PP_QEMU_VIRTIO_TRANSITIONAL_YES;
    else if (g_str_equal(model, "virtio-non-transitional"))
        *ret = PP_QEMU_VIRTIO_TRANSITIONAL_NO;
    else
        return FALSE;
    return TRUE;
}

/* A PCIe root or downstream port: QEMU's "express bus that is not a root". */
static gboolean
ppQemuVirtioOnExpressPort(const PpQemuBuild *ctx, const PpDeviceDef *dev)
{
    const PpDeviceDef *ctrl = g_hash_table_lookup(ctx->pciByIndex,
                                                  GUINT_TO_POINTER(dev->addr.pci.bus));

    return ctrl && (ctrl->ctrl.pciModel == PP_CONTROLLER_MODEL_PCIE_ROOT_PORT ||
                    ctrl->ctrl.pciModel == PP_CONTROLLER_MODEL_PCIE_SWITCH_DOWNSTREAM_PORT);
}

static gboolean
ppQemuVirtioIsModernOnly(const PpQemuBuild *ctx,
                         const PpDeviceDef *dev,
                         const PpQemuVirtioInfo *info,
                         PpQemuVirtioModel model)
{
    switch (model) {
    case PP_QEMU_VIRTIO_TRANSITIONAL_YES:
        return FALSE;
    case PP_QEMU_VIRTIO_TRANSITIONAL_NO:
        return TRUE;
    case PP_QEMU_VIRTIO_TRANSITIONAL_DEFAULT:
        break;
    }
    return info->modernOnly || dev->addr.type != PP_ADDRESS_PCI ||
           ppQemuVirtioOnExpressPort(ctx, dev);
}

/*
 * iommu_platform exists only in virtio 1.0: on a transitional device QEMU
 * fails with "VIRTIO_F_IOMMU_PLATFORM was supported by neither legacy nor
 * transitional device" (docs/qemu-facts.md section 2).
 */
static gboolean
ppQemuVirtioCheckIOMMU(const PpQemuBuild *ctx,
                       const PpDeviceDef *dev,
                       const PpQemuVirtioInfo *info,
                       PpQemuVirtioModel model,
                       GError **error)
{
    g_autofree char *what = NULL;
    const char *bus;

    if (ppQemuVirtioIsModernOnly(ctx, dev, info, model))
        return TRUE;
    what = ppDeviceDefDescribe(dev);
    if (model == PP_QEMU_VIRTIO_TRANSITIONAL_YES) {
        g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                    _("The %1$s has <driver iommu='on'> and model 'virtio-transitional', but QEMU cannot give a transitional virtio device iommu_platform; use model 'virtio-non-transitional'"),
                    what);
        return FALSE;
    }
    if (!(bus = ppQemuBuildPCIBusName(ctx, dev->addr.pci.bus, dev, error)))
        return FALSE;
    g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                _("The %1$s has <driver iommu='on'> but sits on bus '%2$s', where QEMU makes virtio devices transitional and iommu_platform fails; use model 'virtio-non-transitional', or move it behind a pcie-root-port"),
                what, bus);
    return FALSE;
}

static char *
ppQemuVirtioDriver(const PpDeviceDef *dev,
                   const PpQemuVirtioInfo *info,
                   PpQemuVirtioModel model,
                   GError **error)
{
    g_autofree char *what = NULL;

    if (dev->addr.type == PP_ADDRESS_VIRTIO_MMIO)
        return g_strdup_printf("%s-device", info->base);
    if (model == PP_QEMU_VIRTIO_TRANSITIONAL_YES && !info->transitional) {
        what = ppDeviceDefDescribe(dev);
        g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                    _("The %1$s cannot be virtio-transitional: QEMU has only a modern %2$s; use model 'virtio'"),
                    what, info->base);
        return NULL;
    }
    if (info->pci)
        return g_strdup(info->pci);
    if (model == PP_QEMU_VIRTIO_TRANSITIONAL_YES)
        return g_strdup_printf("%s-pci-transitional", info->base);
    if (model == PP_QEMU_VIRTIO_TRANSITIONAL_NO && info->nonTransitional)
        return g_strdup_printf("%s-pci-non-transitional", info->base);
    return g_strdup_printf("%s-pci", info->base);
}

static gboolean
ppQemuVirtioCheckTransport(const PpQemuBuild *ctx, const PpDeviceDef *dev, GError **error)
{
    g_autofree char *what = NULL;

    if (dev->addr.type != PP_ADDRESS_VIRTIO_MMIO)
        return ppQemuBuildRequirePCI(dev, error);
    if (ctx->machine->virtioMMIOTransports > 0)
        return TRUE;
    what = ppDeviceDefDescribe(dev);
    g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                _("The %1$s has a virtio-mmio address, but machine '%2$s' has no virtio-mmio transports; give it a PCI address"),
                what, ctx->machine->canonical);
    return FALSE;
}

/**
 * ppQemuBuildVirtioUnit:
 * @kind: which virtio device
 * @model: the flavour libvirt's model asks for
 *
 * Adds the unit of a virtio device, with the transport properties libvirt
 * puts right after the driver (iommu_platform, ats, packed, from the
 * device's <driver>). The caller adds the rest, then the bus address.
 *
 * Returns: (transfer none) the unit, or NULL with @error set.
 */
PpQemuUnit *
ppQemuBuildVirtioUnit(PpQemuBuild *ctx,
                      const PpDeviceDef *dev,
                      PpQemuVirtioKind kind,
                      PpQemuVirtioModel model,
                      GError **error)
{
    const PpQemuVirtioInfo *info = &ppQemuVirtioDevices[kind];
    xmlNodePtr driverNode = ppXmlChild(dev->node, "driver");
    g_autofree char *driver = NULL;
    PpQemuUnit *unit;

    if (!ppQemuVirtioCheckTransport(ctx, dev, error) ||
        !(driver = ppQemuVirtioDriver(dev, info, model, error)))
        return NULL;
    if (ppQemuXmlPropIsYes(driverNode, "iommu", "on") &&
        !ppQemuVirtioCheckIOMMU(ctx, dev, info, model, error))
        return NULL;
    unit = ppQemuBuildAddUnit(ctx, dev, driver);
    if (ppQemuXmlPropIsYes(driverNode, "iommu", "on"))
        ppQemuPropsAddBool(unit->device, "iommu_platform", TRUE);
    if (ppQemuXmlPropIsYes(driverNode, "ats", "on"))
        ppQemuPropsAddBool(unit->device, "ats", TRUE);
    if (ppQemuXmlPropIsYes(driverNode, "packed", "on"))
        ppQemuPropsAddBool(unit->device, "packed", TRUE);
    return unit;
}
