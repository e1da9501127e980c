/*
 * qemu_command_disk.c: disks, as a -blockdev file node, a -blockdev
 * format node and a -device, the way libvirt 9.0 writes them
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "qemu_commandpriv.h"
#include "pperror.h"

/* The image a disk reads: <source file> or <source dev>; NULL for an
 * empty CD-ROM drive. */
static char *
ppQemuDiskSource(const PpDeviceDef *dev)
{
    xmlNodePtr source = ppXmlChild(dev->node, "source");
    char *path = ppXmlProp(source, "file");

    return path ? path : ppXmlProp(source, "dev");
}

static gboolean
ppQemuDiskIsReadonly(const PpDeviceDef *dev)
{
    return ppXmlChild(dev->node, "readonly") ||
           (dev->device && g_str_equal(dev->device, "cdrom"));
}

/* Adds the two -blockdev nodes of @dev to @unit; *ret_node names the
 * format node the -device uses, NULL for an empty drive. */
static gboolean
ppQemuBuildDiskBackend(PpQemuBuild *ctx,
                       const PpDeviceDef *dev,
                       PpQemuUnit *unit,
                       char **ret_node,
                       GError **error)
{
    g_autofree char *path = ppQemuDiskSource(dev);
    g_autofree char *format = ppXmlChildProp(dev->node, "driver", "type");
    guint n = GPOINTER_TO_UINT(g_hash_table_lookup(ctx->diskNodes, dev));
    g_autofree char *storage = g_strdup_printf("libvirt-%u-storage", n);
    g_autoptr(PpQemuProps) file = ppQemuPropsNew();
    g_autoptr(PpQemuProps) fmt = ppQemuPropsNew();
    gboolean block = dev->type && g_str_equal(dev->type, "block");

    *ret_node = NULL;
    if (!path)
        return TRUE;
    if (dev->type && !block && !g_str_equal(dev->type, "file")) {
        g_autofree char *what = ppDeviceDefDescribe(dev);

        g_set_error(error, PP_ERROR, PP_ERROR_UNSUPPORTED,
                    _("The %1$s is of type '%2$s'; this tool writes only file and block disks"),
                    what, dev->type);
        return FALSE;
    }
    ppQemuPropsAddStr(file, "driver", block ? "host_device" : "file");
    ppQemuPropsAddStr(file, "filename", path);
    ppQemuPropsAddStr(file, "node-name", storage);
    ppQemuPropsAddBool(file, "auto-read-only", TRUE);
    ppQemuPropsAddStr(file, "discard", "unmap");
    *ret_node = g_strdup_printf("libvirt-%u-format", n);
    ppQemuPropsAddStr(fmt, "node-name", *ret_node);
    ppQemuPropsAddBool(fmt, "read-only", ppQemuDiskIsReadonly(dev));
    ppQemuPropsAddStr(fmt, "driver", format ? format : "raw");
    ppQemuPropsAddStr(fmt, "file", storage);
    if (format && g_str_equal(format, "qcow2"))
        ppQemuPropsAddNull(fmt, "backing");
    ppQemuUnitAddBackend(unit, "-blockdev", ppQemuPropsFormat(file));
    ppQemuUnitAddBackend(unit, "-blockdev", ppQemuPropsFormat(fmt));
    return TRUE;
}

/* The controller a drive address names, which provides the disk's bus. */
static const char *
ppQemuDiskController(const PpQemuBuild *ctx,
                     const PpDeviceDef *dev,
                     const char *type,
                     guint index,
                     const PpDeviceDef **ret_ctrl,
                     GError **error)
{
    const PpDeviceDef *ctrl = ppQemuBuildFindController(ctx, type, index);
    g_autofree char *what = NULL;

    if (ret_ctrl)
        *ret_ctrl = ctrl;
    /* The chipset's own IDE/AHCI need no <controller> to exist. */
    if (ctrl || (index == 0 && ((g_str_equal(type, "sata") && ctx->machine->builtinSATA) ||
                                (g_str_equal(type, "ide") && ctx->machine->builtinIDE))))
        return ctrl ? ppQemuBuildAlias(ctx, ctrl) : "ide";
    what = ppDeviceDefDescribe(dev);
    g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                _("The %1$s is on <controller type='%2$s' index='%3$u'>, which the domain does not have; add it"),
                what, type, index);
    return NULL;
}

/* scsi-hd on a SCSI controller: libvirt addresses LSI by bus and unit,
 * every other model by channel, target and lun. */
static gboolean
ppQemuBuildSCSIDisk(PpQemuBuild *ctx, const PpDeviceDef *dev, PpQemuUnit *unit, GError **error)
{
    const char *id = ppQemuBuildAlias(ctx, dev);
    g_autofree char *deviceId = g_strdup_printf("drive-%s", id);
    g_autofree char *bus = NULL;
    const PpDeviceDef *ctrl;
    const char *ctrlId;
    PpQemuDriveAddress da;

    if (!ppQemuDiskDriveAddress(dev, &da, error) ||
        !(ctrlId = ppQemuDiskController(ctx, dev, "scsi", da.controller, &ctrl, error)))
        return FALSE;
    if (ctrl->model && g_str_equal(ctrl->model, "lsilogic")) {
        bus = g_strdup_printf("%s.%u", ctrlId, da.bus);
        ppQemuPropsAddStr(unit->device, "bus", bus);
        ppQemuPropsAddUInt(unit->device, "scsi-id", da.unit);
    } else {
        bus = g_strdup_printf("%s.0", ctrlId);
        ppQemuPropsAddStr(unit->device, "bus", bus);
        ppQemuPropsAddUInt(unit->device, "channel", da.bus);
        ppQemuPropsAddUInt(unit->device, "scsi-id", da.target);
        ppQemuPropsAddUInt(unit->device, "lun", da.unit);
    }
    ppQemuPropsAddStr(unit->device, "device_id", deviceId);
    return TRUE;
}

/* ide-hd/ide-cd: SATA ports are buses "ahci.N", IDE buses take a unit. */
static gboolean
ppQemuBuildIDEDisk(PpQemuBuild *ctx, const PpDeviceDef *dev, PpQemuUnit *unit, GError **error)
{
    gboolean sata = g_str_equal(dev->bus, "sata");
    g_autofree char *bus = NULL;
    const char *ctrlId;
    PpQemuDriveAddress da;

    if (!ppQemuDiskDriveAddress(dev, &da, error) ||
        !(ctrlId = ppQemuDiskController(ctx, dev, sata ? "sata" : "ide", da.controller, NULL,
                                        error)))
        return FALSE;
    bus = g_strdup_printf("%s.%u", ctrlId, sata ? da.unit : da.bus);
    ppQemuPropsAddStr(unit->device, "bus", bus);
    if (!sata)
        ppQemuPropsAddUInt(unit->device, "unit", da.unit);
    return TRUE;
}

/* The -device of a disk without its properties, by bus and device type;
 * *ret_unit stays NULL for a disk the command line leaves out. */
static gboolean
ppQemuBuildDiskUnit(PpQemuBuild *ctx,
                    const PpDeviceDef *dev,
                    PpQemuUnit **ret_unit,
                    GError **error)
{
    gboolean cdrom = dev->device && g_str_equal(dev->device, "cdrom");
    const char *bus = dev->bus ? dev->bus : "";
    PpQemuVirtioModel vmodel = PP_QEMU_VIRTIO_TRANSITIONAL_DEFAULT;

    *ret_unit = NULL;
    if (dev->device && !cdrom && !g_str_equal(dev->device, "disk"))
        return ppQemuBuildUnsupportedModel(dev, dev->device, error);
    if (g_str_equal(bus, "virtio")) {
        if (dev->model && !ppQemuVirtioModelParse(dev->model, &vmodel))
            return ppQemuBuildUnsupportedModel(dev, dev->model, error);
        *ret_unit = ppQemuBuildVirtioUnit(ctx, dev, PP_QEMU_VIRTIO_BLK, vmodel, error);
        return *ret_unit != NULL;
    }
    if (g_str_equal(bus, "scsi"))
        *ret_unit = ppQemuBuildAddUnit(ctx, dev, cdrom ? "scsi-cd" : "scsi-hd");
    else if (g_str_equal(bus, "sata") || g_str_equal(bus, "ide"))
        *ret_unit = ppQemuBuildAddUnit(ctx, dev, cdrom ? "ide-cd" : "ide-hd");
    else
        return ppQemuBuildSkipOrFail(ctx, dev, error);
    return TRUE;
}

/* The drive's bus (and unit), in libvirt's order of properties. */
static gboolean
ppQemuBuildDiskBus(PpQemuBuild *ctx, const PpDeviceDef *dev, PpQemuUnit *unit, GError **error)
{
    if (g_str_equal(dev->bus, "virtio"))
        return ppQemuBuildAddBusAddress(ctx, dev, unit->device, error);
    if (g_str_equal(dev->bus, "scsi"))
        return ppQemuBuildSCSIDisk(ctx, dev, unit, error);
    return ppQemuBuildIDEDisk(ctx, dev, unit, error);
}

gboolean
ppQemuBuildDisk(PpQemuBuild *ctx, const PpDeviceDef *dev, GError **error)
{
    g_autofree char *node = NULL;
    PpQemuUnit *unit;

    if (!ppQemuBuildDiskUnit(ctx, dev, &unit, error))
        return FALSE;
    if (!unit)
        return TRUE;
    if (!ppQemuBuildDiskBackend(ctx, dev, unit, &node, error) ||
        !ppQemuBuildDiskBus(ctx, dev, unit, error))
        return FALSE;
    if (node)
        ppQemuPropsAddStr(unit->device, "drive", node);
    ppQemuPropsAddStr(unit->device, "id", ppQemuBuildAlias(ctx, dev));
    ppQemuBuildAddBootIndex(ctx, dev, unit->device);
    return TRUE;
}
