/*
 * qemu_migration.c: what blocks live migration of a domain in QEMU 7.2
 *
 * QEMU refuses to migrate a guest with a device whose state description
 * is marked unmigratable, or for which the device registered a migration
 * blocker. Both are visible without migrating: 'qemu -only-migratable'
 * refuses to start a guest with such a device ("Device X is not
 * migratable, but --only-migratable was specified", or "disallowing
 * migration blocker (--only-migratable) for: ..."). tests/qemuagreetest.c
 * starts every planned golden that way and checks this table against
 * QEMU's answer; docs/qemu-facts.md records the rest.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "qemu_migration.h"
#include "xml_util.h"

static gboolean
ppStrEqual0(const char *a, const char *b)
{
    return a && b && g_str_equal(a, b);
}

/* A vfio-pci device: <hostdev type='pci'> or <interface type='hostdev'>,
 * except the transient member of a failover pair, which libvirt unplugs
 * before migrating (<teaming type='transient'>). */
static gboolean
ppQemuDeviceIsVfio(const PpDeviceDef *dev)
{
    g_autofree char *teaming = NULL;

    if (dev->kind == PP_DEVICE_HOSTDEV)
        return ppStrEqual0(dev->type, "pci");
    if (dev->kind != PP_DEVICE_INTERFACE || !ppStrEqual0(dev->type, "hostdev"))
        return FALSE;
    teaming = ppXmlChildProp(dev->node, "teaming", "type");
    return !ppStrEqual0(teaming, "transient");
}

static void
ppQemuBlockerAdd(GArray *ret, const PpDeviceDef *dev, const char *driver,
                 PpQemuMigrationBlocks when, const char *why, gboolean measured)
{
    PpQemuMigrationBlocker b = { dev, driver, when, why, measured };

    g_array_append_val(ret, b);
}

/* hw/misc/ivshmem.c: ivshmem-plain and -doorbell add a blocker unless
 * master=on, which libvirt writes for role='master'. */
static void
ppQemuShmemMigrationBlocker(const PpDeviceDef *dev, GArray *ret)
{
    g_autofree char *role = ppXmlProp(dev->node, "role");

    if (!ppStrEqual0(role, "master"))
        ppQemuBlockerAdd(ret, dev, dev->model ? dev->model : "ivshmem-plain",
                         PP_QEMU_MIGRATION_BLOCKS_ALWAYS,
                         _("shared memory without role='master' blocks migration ('Migration is disabled when using feature 'peer mode' in device 'ivshmem''); give the <shmem> role='master' on the host that owns the memory"),
                         TRUE);
}

static void
ppQemuFilesystemMigrationBlocker(const PpDeviceDef *dev, GArray *ret)
{
    if (ppStrEqual0(dev->driverName, "virtiofs"))
        ppQemuBlockerAdd(ret, dev, "vhost-user-fs-pci", PP_QEMU_MIGRATION_BLOCKS_ALWAYS,
                         _("virtiofs (vhost-user-fs) has unmigratable device state"), TRUE);
    else if (!dev->type || ppStrEqual0(dev->type, "mount"))
        ppQemuBlockerAdd(ret, dev, "virtio-9p-pci", PP_QEMU_MIGRATION_BLOCKS_IN_USE,
                         _("virtio-9p blocks migration while the guest has the share mounted ('Migration is disabled when VirtFS export path ... is mounted in the guest')"),
                         FALSE);
}

/* One device: at most one blocker. */
static void
ppQemuDeviceMigrationBlocker(const PpDeviceDef *dev, GArray *ret)
{
    if (!dev->node)
        return;
    if (ppQemuDeviceIsVfio(dev)) {
        /* hw/vfio/migration.c (7.2): without x-enable-migration=on, which
         * libvirt 9.0 never sets, every vfio-pci device adds the blocker. */
        ppQemuBlockerAdd(ret, dev, "vfio-pci", PP_QEMU_MIGRATION_BLOCKS_ALWAYS,
                         _("an assigned host device: QEMU 7.2 blocks migration ('VFIO device doesn't support migration'), its VFIO migration is experimental and libvirt 9.0 does not turn it on"),
                         FALSE);
        return;
    }
    switch (dev->kind) {
    case PP_DEVICE_HOSTDEV:
        /* hw/scsi/vhost-scsi.c: a blocker unless migratable=on, which
         * libvirt 9.0 does not set. */
        if (ppStrEqual0(dev->type, "scsi_host"))
            ppQemuBlockerAdd(ret, dev, "vhost-scsi-pci", PP_QEMU_MIGRATION_BLOCKS_ALWAYS,
                             _("vhost-scsi blocks migration ('vhost-scsi does not support migration in all cases')"),
                             FALSE);
        return;
    case PP_DEVICE_SHMEM:
        ppQemuShmemMigrationBlocker(dev, ret);
        return;
    case PP_DEVICE_FILESYSTEM:
        ppQemuFilesystemMigrationBlocker(dev, ret);
        return;
    case PP_DEVICE_INPUT:
        if (ppStrEqual0(dev->type, "passthrough"))
            ppQemuBlockerAdd(ret, dev, "virtio-input-host-pci", PP_QEMU_MIGRATION_BLOCKS_ALWAYS,
                             _("a host input device passed through (virtio-input-host) has unmigratable device state"),
                             TRUE);
        return;
    case PP_DEVICE_IOMMU:
        if (ppStrEqual0(dev->model, "amd"))
            ppQemuBlockerAdd(ret, dev, "amd-iommu", PP_QEMU_MIGRATION_BLOCKS_ALWAYS,
                             _("the AMD vIOMMU (amd-iommu) has unmigratable device state; intel or virtio migrate"),
                             TRUE);
        return;
    case PP_DEVICE_CRYPTO:
        ppQemuBlockerAdd(ret, dev, "virtio-crypto-pci", PP_QEMU_MIGRATION_BLOCKS_ALWAYS,
                         _("virtio-crypto has unmigratable device state"), TRUE);
        return;
    case PP_DEVICE_DISK:
    case PP_DEVICE_CONTROLLER:
    case PP_DEVICE_INTERFACE:
    case PP_DEVICE_VIDEO:
    case PP_DEVICE_SOUND:
    case PP_DEVICE_WATCHDOG:
    case PP_DEVICE_RNG:
    case PP_DEVICE_MEMBALLOON:
    case PP_DEVICE_SERIAL:
    case PP_DEVICE_CONSOLE:
    case PP_DEVICE_PARALLEL:
    case PP_DEVICE_CHANNEL:
    case PP_DEVICE_VSOCK:
    case PP_DEVICE_PANIC:
    case PP_DEVICE_MEMORY:
    case PP_DEVICE_TPM:
    case PP_DEVICE_REDIRDEV:
    case PP_DEVICE_HUB:
    case PP_DEVICE_SMARTCARD:
    case PP_DEVICE_GRAPHICS:
    case PP_DEVICE_AUDIO:
    case PP_DEVICE_EMULATOR:
    case PP_DEVICE_LEASE:
    case PP_DEVICE_OTHER:
    case PP_DEVICE_LAST:
        break;
    }
}

GArray *
ppQemuDomainMigrationBlockers(const PpDomainDef *def)
{
    GArray *ret = g_array_new(FALSE, FALSE, sizeof(PpQemuMigrationBlocker));
    guint i;

    for (i = 0; i < def->devices->len; i++)
        ppQemuDeviceMigrationBlocker(g_ptr_array_index(def->devices, i), ret);
    return ret;
}
