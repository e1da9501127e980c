/*
 * qemu_command_alias.c: device ids, as libvirt 9.0 names them
 *
 * The command line uses libvirt's aliases (qemuAssignDeviceAliases() in
 * libvirt's qemu_alias.c) as -device ids and bus names, so that it can be
 * read side by side with the one libvirt runs: "pci.3" for the controller
 * with index 3, "net0", "virtio-disk1", "ua-NAME" when the XML gives one.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "qemu_commandpriv.h"

#include <string.h>

/* Per kind, how many devices have been numbered so far. */
typedef struct {
    guint next[PP_DEVICE_LAST];
    const PpDeviceDef *primaryVideo;
} PpQemuAliasCounters;

/**
 * ppQemuPrimaryVideo:
 * Returns: (transfer none) the <video> with primary='yes', else the first
 * one; NULL without video. libvirt moves it to the front of the list, so
 * it is "video0" and comes first on the command line, where QEMU wants a
 * primary qxl-vga ("must be console 0").
 */
const PpDeviceDef *
ppQemuPrimaryVideo(const PpDomainDef *def)
{
    const PpDeviceDef *first = NULL;
    guint i;

    for (i = 0; i < def->devices->len; i++) {
        const PpDeviceDef *dev = g_ptr_array_index(def->devices, i);

        if (dev->kind != PP_DEVICE_VIDEO)
            continue;
        if (dev->primary)
            return dev;
        if (!first)
            first = dev;
    }
    return first;
}

int
ppQemuDiskNameToIndex(const char *name)
{
    static const char *const prefixes[] = { "fd", "hd", "vd", "sd", "xvd", "ubd" };
    const char *p = NULL;
    int idx = 0;
    size_t i;

    for (i = 0; name && i < G_N_ELEMENTS(prefixes) && !p; i++) {
        if (g_str_has_prefix(name, prefixes[i]))
            p = name + strlen(prefixes[i]);
    }
    if (!p || !*p)
        return -1;
    /* Bijective base 26, as virDiskNameToIndex(): a=0, z=25, aa=26. */
    for (i = 0; p[i]; i++) {
        if (p[i] < 'a' || p[i] > 'z' || i >= 6)
            return -1;
        idx = (idx + (i < 1 ? 0 : 1)) * 26 + (p[i] - 'a');
    }
    return idx;
}

static char *
ppQemuAliasController(const PpDeviceDef *dev, const PpQemuMachine *machine)
{
    const char *type = dev->type ? dev->type : "";
    int idx = MAX(dev->ctrl.index, 0);

    if (g_str_equal(type, "pci")) {
        if (dev->ctrl.pciModel == PP_CONTROLLER_MODEL_PCIE_ROOT)
            return g_strdup("pcie.0");
        return g_strdup_printf("pci.%d", idx);
    }
    /* QEMU's names for the chipset's own IDE/AHCI and the first USB bus. */
    if (idx == 0 && ((g_str_equal(type, "ide") && machine->builtinIDE) ||
                     (g_str_equal(type, "sata") && machine->builtinSATA)))
        return g_strdup("ide");
    if (idx == 0 && g_str_equal(type, "usb"))
        return g_strdup("usb");
    return g_strdup_printf("%s%d", type, idx);
}

/* The model of the SCSI controller with index @idx, NULL if none. */
static const char *
ppQemuAliasSCSIModel(const PpDomainDef *def, guint64 idx)
{
    guint i;

    for (i = 0; i < def->devices->len; i++) {
        const PpDeviceDef *dev = g_ptr_array_index(def->devices, i);

        if (dev->kind == PP_DEVICE_CONTROLLER && dev->type && g_str_equal(dev->type, "scsi") &&
            MAX(dev->ctrl.index, 0) == (int)idx)
            return dev->model;
    }
    return NULL;
}

/**
 * ppQemuDiskDriveAddress:
 * The drive address of a disk on an IDE, SATA or SCSI bus: its <address
 * type='drive'>, else what libvirt's virDomainDiskDefAssignAddress() gives
 * a disk of that target name.
 */
gboolean
ppQemuDiskDriveAddress(const PpDeviceDef *dev, PpQemuDriveAddress *ret, GError **error)
{
    xmlNodePtr addr = dev->addr.type == PP_ADDRESS_DRIVE ? dev->addrNode : NULL;
    const char *bus = dev->bus ? dev->bus : "";
    int idx = MAX(ppQemuDiskNameToIndex(dev->dev), 0);
    guint64 val[4] = { 0, 0, 0, 0 };

    memset(ret, 0, sizeof(*ret));
    if (!addr) {
        if (g_str_equal(bus, "ide")) {
            ret->controller = idx / 4;
            ret->bus = (idx % 4) / 2;
            ret->unit = idx % 2;
        } else if (g_str_equal(bus, "sata")) {
            ret->controller = idx / 6;
            ret->unit = idx % 6;
        } else {
            ret->controller = idx / 7;
            ret->unit = idx % 7;
        }
        return TRUE;
    }
    if (!ppXmlPropUInt(addr, "controller", G_MAXINT, "disk address", NULL, &val[0], error) ||
        !ppXmlPropUInt(addr, "bus", G_MAXINT, "disk address", NULL, &val[1], error) ||
        !ppXmlPropUInt(addr, "target", G_MAXINT, "disk address", NULL, &val[2], error) ||
        !ppXmlPropUInt(addr, "unit", G_MAXINT, "disk address", NULL, &val[3], error))
        return FALSE;
    ret->controller = (guint)val[0];
    ret->bus = (guint)val[1];
    ret->target = (guint)val[2];
    ret->unit = (guint)val[3];
    return TRUE;
}

/* "scsi0-0-0-1", "sata0-0-1", "ide0-1-0" from the drive address, or
 * "virtio-disk0" from the target name. */
static char *
ppQemuAliasDisk(const PpDomainDef *def, const PpDeviceDef *dev, GError **error)
{
    const char *bus = dev->bus ? dev->bus : "ide";
    PpQemuDriveAddress da;
    const char *model;

    if (g_str_equal(bus, "virtio") || g_str_equal(bus, "usb") || g_str_equal(bus, "xen"))
        return g_strdup_printf("%s-disk%d", bus, ppQemuDiskNameToIndex(dev->dev));
    if (!ppQemuDiskDriveAddress(dev, &da, error))
        return NULL;
    model = ppQemuAliasSCSIModel(def, da.controller);
    if (g_str_equal(bus, "scsi") && !(model && g_str_equal(model, "lsilogic")))
        return g_strdup_printf("scsi%u-%u-%u-%u", da.controller, da.bus, da.target, da.unit);
    return g_strdup_printf("%s%u-%u-%u", bus, da.controller, da.bus, da.unit);
}

/* libvirt's alias prefix per kind, NULL where the id is not "PREFIX%d". */
static const char *
ppQemuAliasPrefix(PpDeviceKind kind)
{
    switch (kind) {
    case PP_DEVICE_INTERFACE:
        return "net";
    case PP_DEVICE_HOSTDEV:
        return "hostdev";
    case PP_DEVICE_VIDEO:
        return "video";
    case PP_DEVICE_SOUND:
        return "sound";
    case PP_DEVICE_WATCHDOG:
        return "watchdog";
    case PP_DEVICE_RNG:
        return "rng";
    case PP_DEVICE_MEMBALLOON:
        return "balloon";
    case PP_DEVICE_INPUT:
        return "input";
    case PP_DEVICE_SERIAL:
        return "serial";
    case PP_DEVICE_CONSOLE:
        return "console";
    case PP_DEVICE_PARALLEL:
        return "parallel";
    case PP_DEVICE_CHANNEL:
        return "channel";
    case PP_DEVICE_IOMMU:
        return "iommu";
    case PP_DEVICE_VSOCK:
        return "vsock";
    case PP_DEVICE_PANIC:
        return "panic";
    case PP_DEVICE_FILESYSTEM:
        return "fs";
    case PP_DEVICE_TPM:
        return "tpm";
    case PP_DEVICE_REDIRDEV:
        return "redir";
    case PP_DEVICE_SMARTCARD:
        return "smartcard";
    case PP_DEVICE_CRYPTO:
        return "crypto";
    case PP_DEVICE_HUB:
        return "hub";
    case PP_DEVICE_SHMEM:
        return "shmem";
    case PP_DEVICE_MEMORY:
        return "dimm";
    case PP_DEVICE_DISK:
    case PP_DEVICE_CONTROLLER:
    case PP_DEVICE_GRAPHICS:
    case PP_DEVICE_AUDIO:
    case PP_DEVICE_EMULATOR:
    case PP_DEVICE_LEASE:
    case PP_DEVICE_OTHER:
    case PP_DEVICE_LAST:
        break;
    }
    return NULL;
}

/* A <console> of target type serial (the default) is serial0 itself. */
static gboolean
ppQemuAliasIsSerialConsole(const PpDeviceDef *dev)
{
    return dev->kind == PP_DEVICE_CONSOLE &&
           (!dev->targetType || g_str_equal(dev->targetType, "serial"));
}

/* Sets *ret_alias to NULL for a device that gets no id. */
static gboolean
ppQemuAliasNew(const PpDomainDef *def,
               const PpQemuMachine *machine,
               const PpDeviceDef *dev,
               PpQemuAliasCounters *counters,
               char **ret_alias,
               GError **error)
{
    const char *prefix = ppQemuAliasPrefix(dev->kind);
    gboolean isRoot = dev->ctrl.pciModel == PP_CONTROLLER_MODEL_PCI_ROOT ||
                      dev->ctrl.pciModel == PP_CONTROLLER_MODEL_PCIE_ROOT;
    guint n;

    *ret_alias = NULL;
    if (dev->kind == PP_DEVICE_CONTROLLER) {
        /* The root bus keeps the name QEMU gives it, whatever the XML says. */
        *ret_alias = dev->alias && !isRoot ? g_strdup(dev->alias)
                                           : ppQemuAliasController(dev, machine);
        return TRUE;
    }
    if (dev->kind == PP_DEVICE_DISK) {
        *ret_alias = dev->alias ? g_strdup(dev->alias) : ppQemuAliasDisk(def, dev, error);
        return *ret_alias != NULL;
    }
    if (!prefix)
        return TRUE;
    if (dev->kind == PP_DEVICE_VIDEO && counters->next[dev->kind] == 0)
        counters->next[dev->kind] = 1;
    n = dev == counters->primaryVideo ? 0 : counters->next[dev->kind]++;
    if (dev->alias)
        *ret_alias = g_strdup(dev->alias);
    else if (ppQemuAliasIsSerialConsole(dev) && n == 0)
        *ret_alias = g_strdup("serial0");
    else
        *ret_alias = g_strdup_printf("%s%u", prefix, n);
    return TRUE;
}

/**
 * ppQemuAliasesAssign:
 * Returns: (transfer full) const PpDeviceDef * -> char * id, for every
 * device that gets one: the <alias> of the XML, else libvirt's alias;
 * NULL with @error set for an invalid drive address.
 */
GHashTable *
ppQemuAliasesAssign(const PpDomainDef *def, const PpQemuMachine *machine, GError **error)
{
    g_autoptr(GHashTable) aliases = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL,
                                                          g_free);
    PpQemuAliasCounters counters = { { 0 }, ppQemuPrimaryVideo(def) };
    guint i;

    for (i = 0; i < def->devices->len; i++) {
        const PpDeviceDef *dev = g_ptr_array_index(def->devices, i);
        char *alias;

        if (!ppQemuAliasNew(def, machine, dev, &counters, &alias, error))
            return NULL;
        if (alias)
            g_hash_table_insert(aliases, (gpointer)dev, alias);
    }
    return g_steal_pointer(&aliases);
}
