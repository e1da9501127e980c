/*
 * qemu_command_build.c: the build context the device builders share
 *
 * The bottom of the command-line builder: the context (controllers by
 * index, aliases, disk nodes, boot order), the units of arguments, and
 * the helpers every device builder uses (bus names, PCI addresses, the
 * skip rules). It calls no device builder, so the files above it read
 * bottom-up: build <- virtio <- controller, disk, chardev <- device <-
 * command.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "qemu_commandpriv.h"
#include "pperror.h"

#include <string.h>

/* ------------------------------------------------------------------ */
/* The context                                                         */

static void
ppQemuUnitFree(PpQemuUnit *unit)
{
    if (!unit)
        return;
    g_ptr_array_unref(unit->backends);
    ppQemuPropsFree(unit->device);
    g_free(unit);
}

void
ppQemuBuildFree(PpQemuBuild *ctx)
{
    if (!ctx)
        return;
    g_clear_pointer(&ctx->pciByIndex, g_hash_table_unref);
    g_clear_pointer(&ctx->aliases, g_hash_table_unref);
    g_clear_pointer(&ctx->diskNodes, g_hash_table_unref);
    g_clear_pointer(&ctx->bootIndex, g_hash_table_unref);
    g_clear_pointer(&ctx->serialPorts, g_hash_table_unref);
    g_clear_pointer(&ctx->head, g_ptr_array_unref);
    g_clear_pointer(&ctx->units, g_ptr_array_unref);
    g_clear_pointer(&ctx->tail, g_ptr_array_unref);
    g_clear_pointer(&ctx->skipped, g_ptr_array_unref);
    g_free(ctx);
}

/* Index the PCI controllers by index, refusing two with one index. */
static gboolean
ppQemuBuildIndexControllers(PpQemuBuild *ctx, GError **error)
{
    guint i;

    ctx->pciByIndex = g_hash_table_new(g_direct_hash, g_direct_equal);
    for (i = 0; i < ctx->def->devices->len; i++) {
        const PpDeviceDef *dev = g_ptr_array_index(ctx->def->devices, i);
        int idx = dev->ctrl.index;

        if (dev->kind != PP_DEVICE_CONTROLLER || !dev->type || !g_str_equal(dev->type, "pci"))
            continue;
        if (idx < 0) {
            g_autofree char *what = ppDeviceDefDescribe(dev);

            g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                        _("The %1$s has no index; give every PCI controller an index (or plan the domain first)"),
                        what);
            return FALSE;
        }
        if (g_hash_table_contains(ctx->pciByIndex, GINT_TO_POINTER(idx))) {
            g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                        _("Two PCI controllers have index '%1$d'; each needs its own"), idx);
            return FALSE;
        }
        g_hash_table_insert(ctx->pciByIndex, GINT_TO_POINTER(idx), (gpointer)dev);
    }
    return TRUE;
}

/* libvirt numbers the -blockdev nodes of disks from the last disk up,
 * counting empty drives too. */
static void
ppQemuBuildNumberDisks(PpQemuBuild *ctx)
{
    guint total = 0;
    guint i;

    ctx->diskNodes = g_hash_table_new(g_direct_hash, g_direct_equal);
    for (i = 0; i < ctx->def->devices->len; i++) {
        const PpDeviceDef *dev = g_ptr_array_index(ctx->def->devices, i);

        if (dev->kind == PP_DEVICE_DISK)
            total++;
    }
    for (i = 0; i < ctx->def->devices->len; i++) {
        const PpDeviceDef *dev = g_ptr_array_index(ctx->def->devices, i);

        if (dev->kind == PP_DEVICE_DISK)
            g_hash_table_insert(ctx->diskNodes, (gpointer)dev, GUINT_TO_POINTER(total--));
    }
}

/* The device a legacy <os><boot dev> names: the first of its kind. */
static const PpDeviceDef *
ppQemuBuildBootDevice(const PpDomainDef *def, const char *bootDev)
{
    guint i;

    for (i = 0; i < def->devices->len; i++) {
        const PpDeviceDef *dev = g_ptr_array_index(def->devices, i);
        const char *device = dev->device ? dev->device : "disk";

        if ((g_str_equal(bootDev, "network") && dev->kind == PP_DEVICE_INTERFACE) ||
            (dev->kind == PP_DEVICE_DISK &&
             ((g_str_equal(bootDev, "hd") && g_str_equal(device, "disk")) ||
              (g_str_equal(bootDev, "cdrom") && g_str_equal(device, "cdrom")) ||
              (g_str_equal(bootDev, "fd") && g_str_equal(device, "floppy")))))
            return dev;
    }
    return NULL;
}

/*
 * Boot order as QEMU's bootindex: a device's <boot order>, or else, as
 * libvirt 9.0 converts it (qemuProcessPrepareDeviceBootorder), the first
 * device of each kind <os><boot dev> names, in the order they are named.
 */
static gboolean
ppQemuBuildBootOrder(PpQemuBuild *ctx, GError **error)
{
    xmlNodePtr cur = ppXmlChild(ctx->root, "os");
    guint next = 1;
    guint i;

    ctx->bootIndex = g_hash_table_new(g_direct_hash, g_direct_equal);
    for (i = 0; i < ctx->def->devices->len; i++) {
        const PpDeviceDef *dev = g_ptr_array_index(ctx->def->devices, i);
        guint64 order = 0;

        if (!ppXmlPropUInt(ppXmlChild(dev->node, "boot"), "order", G_MAXUINT16,
                               "<boot>", NULL, &order, error))
            return FALSE;
        if (order)
            g_hash_table_insert(ctx->bootIndex, (gpointer)dev, GUINT_TO_POINTER((guint)order));
    }
    if (g_hash_table_size(ctx->bootIndex) > 0)
        return TRUE;
    for (cur = cur ? cur->children : NULL; cur; cur = cur->next) {
        g_autofree char *bootDev = NULL;
        const PpDeviceDef *dev;
        guint position;

        if (cur->type != XML_ELEMENT_NODE || !g_str_equal((const char *)cur->name, "boot"))
            continue;
        position = next++;
        bootDev = ppXmlProp(cur, "dev");
        if (bootDev && (dev = ppQemuBuildBootDevice(ctx->def, bootDev)))
            g_hash_table_insert(ctx->bootIndex, (gpointer)dev, GUINT_TO_POINTER(position));
    }
    return TRUE;
}

/* Adds "bootindex" when @dev boots. */
void
ppQemuBuildAddBootIndex(const PpQemuBuild *ctx, const PpDeviceDef *dev, PpQemuProps *props)
{
    guint index = GPOINTER_TO_UINT(g_hash_table_lookup(ctx->bootIndex, dev));

    if (index)
        ppQemuPropsAddUInt(props, "bootindex", index);
}

/**
 * ppQemuBuildNew:
 * Returns: (transfer full) a context over @def, free with ppQemuBuildFree();
 * NULL with @error set for an unsupported machine or inconsistent indexes.
 */
PpQemuBuild *
ppQemuBuildNew(const PpDomainDef *def, GError **error)
{
    g_autoptr(PpQemuBuild) ctx = g_new0(PpQemuBuild, 1);

    ctx->def = def;
    ctx->root = xmlDocGetRootElement(def->doc);
    ctx->head = g_ptr_array_new_with_free_func(g_free);
    ctx->tail = g_ptr_array_new_with_free_func(g_free);
    ctx->units = g_ptr_array_new_with_free_func((GDestroyNotify)ppQemuUnitFree);
    ctx->skipped = g_ptr_array_new_with_free_func(g_free);
    if (!(ctx->machine = ppQemuMachineFromDef(def, error)) ||
        !ppQemuBuildIndexControllers(ctx, error) ||
        !(ctx->aliases = ppQemuAliasesAssign(def, ctx->machine, error)) ||
        !ppQemuBuildBootOrder(ctx, error))
        return NULL;
    ppQemuBuildNumberDisks(ctx);
    return g_steal_pointer(&ctx);
}

PpQemuUnit *
ppQemuBuildAddUnit(PpQemuBuild *ctx, const PpDeviceDef *dev, const char *driver)
{
    PpQemuUnit *unit = g_new0(PpQemuUnit, 1);

    unit->backends = g_ptr_array_new_with_free_func(g_free);
    unit->device = ppQemuPropsNew();
    unit->dev = dev;
    unit->rank = ppQemuDeviceKindRank(dev->kind);
    unit->seq = ctx->units->len;
    ppQemuPropsAddStr(unit->device, "driver", driver);
    g_ptr_array_add(ctx->units, unit);
    return unit;
}

/* @value: (transfer full) */
void
ppQemuUnitAddBackend(PpQemuUnit *unit, const char *option, char *value)
{
    g_ptr_array_add(unit->backends, g_strdup(option));
    g_ptr_array_add(unit->backends, value);
}

const char *
ppQemuBuildAlias(const PpQemuBuild *ctx, const PpDeviceDef *dev)
{
    return g_hash_table_lookup(ctx->aliases, dev);
}

void
ppQemuBuildSkip(PpQemuBuild *ctx, const PpDeviceDef *dev)
{
    g_ptr_array_add(ctx->skipped, ppDeviceDefDescribe(dev));
}

const PpDeviceDef *
ppQemuBuildFindController(const PpQemuBuild *ctx, const char *type, guint index)
{
    guint i;

    for (i = 0; i < ctx->def->devices->len; i++) {
        const PpDeviceDef *dev = g_ptr_array_index(ctx->def->devices, i);

        if (dev->kind == PP_DEVICE_CONTROLLER && dev->type && g_str_equal(dev->type, type) &&
            MAX(dev->ctrl.index, 0) == (int)index)
            return dev;
    }
    return NULL;
}

static gboolean
ppQemuControllerIsRoot(const PpDeviceDef *ctrl)
{
    return ctrl->ctrl.pciModel == PP_CONTROLLER_MODEL_PCI_ROOT ||
           ctrl->ctrl.pciModel == PP_CONTROLLER_MODEL_PCIE_ROOT;
}

/**
 * ppQemuBuildPCIBusName:
 * @user: the device whose address names the bus, for the error message
 *
 * Returns: (transfer none) the QEMU name of the bus that PCI controller
 * @index provides, or NULL with a PP_ERROR_CONFIG @error.
 */
const char *
ppQemuBuildPCIBusName(const PpQemuBuild *ctx, guint index, const PpDeviceDef *user,
                      GError **error)
{
    const PpDeviceDef *ctrl = g_hash_table_lookup(ctx->pciByIndex, GUINT_TO_POINTER(index));
    g_autofree char *what = NULL;

    if (index == 0 && (!ctrl || ppQemuControllerIsRoot(ctrl)))
        return ctx->machine->rootBus;
    if (ctrl && !ppQemuControllerIsRoot(ctrl))
        return ppQemuBuildAlias(ctx, ctrl);
    what = ppDeviceDefDescribe(user);
    if (ctrl)
        g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                    _("The PCI address of %1$s names bus %2$u, a root bus that is not bus 0; only index 0 may be pci-root or pcie-root"),
                    what, index);
    else
        g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                    _("The PCI address of %1$s names bus %2$u, but no PCI controller has index %2$u"),
                    what, index);
    return NULL;
}

/* The "addr" value as libvirt writes it: "0x2", or "0x2.0x1" for a function. */
static char *
ppQemuPCIAddrFormat(const PpPCIAddress *addr)
{
    if (addr->function == 0)
        return g_strdup_printf("0x%x", addr->slot);
    return g_strdup_printf("0x%x.0x%x", addr->slot, addr->function);
}

gboolean
ppQemuBuildAddPCIAddress(const PpQemuBuild *ctx,
                         const PpDeviceDef *dev,
                         PpQemuProps *props,
                         GError **error)
{
    const PpPCIAddress *addr = &dev->addr.pci;
    g_autofree char *what = NULL;
    g_autofree char *slot = ppQemuPCIAddrFormat(addr);
    const char *bus;

    if (addr->domain != 0) {
        what = ppDeviceDefDescribe(dev);
        g_set_error(error, PP_ERROR, PP_ERROR_UNSUPPORTED,
                    _("The PCI address of %1$s is in domain %2$u; QEMU has only domain 0"),
                    what, addr->domain);
        return FALSE;
    }
    if (!(bus = ppQemuBuildPCIBusName(ctx, addr->bus, dev, error)))
        return FALSE;
    ppQemuPropsAddStr(props, "bus", bus);
    if (addr->multifunction != PP_TRISTATE_ABSENT)
        ppQemuPropsAddBool(props, "multifunction", addr->multifunction == PP_TRISTATE_YES);
    ppQemuPropsAddStr(props, "addr", slot);
    return TRUE;
}

/* A value inside QEMU's "key=val,..." syntax: a comma is written ",,". */
char *
ppQemuKeyvalEscape(const char *str)
{
    g_auto(GStrv) parts = g_strsplit(str, ",", -1);

    return g_strjoinv(",,", parts);
}

/* ------------------------------------------------------------------ */
/* Helpers for the device builders                                     */

/* libvirt 9.0's emission order of device kinds (qemuBuildCommandLine):
 * the vIOMMU first, then controllers, disks, ... */
guint
ppQemuDeviceKindRank(PpDeviceKind kind)
{
    switch (kind) {
    case PP_DEVICE_IOMMU:
        return 0;
    case PP_DEVICE_CONTROLLER:
        return 1;
    case PP_DEVICE_HUB:
        return 2;
    case PP_DEVICE_DISK:
        return 3;
    case PP_DEVICE_FILESYSTEM:
        return 4;
    case PP_DEVICE_INTERFACE:
        return 5;
    case PP_DEVICE_SMARTCARD:
        return 6;
    case PP_DEVICE_SERIAL:
        return 7;
    case PP_DEVICE_PARALLEL:
        return 8;
    case PP_DEVICE_CHANNEL:
        return 9;
    case PP_DEVICE_CONSOLE:
        return 10;
    case PP_DEVICE_TPM:
        return 11;
    case PP_DEVICE_INPUT:
        return 12;
    case PP_DEVICE_VIDEO:
        return 13;
    case PP_DEVICE_SOUND:
        return 14;
    case PP_DEVICE_WATCHDOG:
        return 15;
    case PP_DEVICE_REDIRDEV:
        return 16;
    case PP_DEVICE_HOSTDEV:
        return 17;
    case PP_DEVICE_MEMBALLOON:
        return 18;
    case PP_DEVICE_RNG:
        return 19;
    case PP_DEVICE_PANIC:
        return 20;
    case PP_DEVICE_SHMEM:
        return 21;
    case PP_DEVICE_VSOCK:
        return 22;
    case PP_DEVICE_CRYPTO:
        return 23;
    case PP_DEVICE_MEMORY:
        return 24;
    case PP_DEVICE_GRAPHICS:
    case PP_DEVICE_AUDIO:
    case PP_DEVICE_EMULATOR:
    case PP_DEVICE_LEASE:
    case PP_DEVICE_OTHER:
    case PP_DEVICE_LAST:
        break;
    }
    return 25;
}

gboolean
ppQemuBuildRequirePCI(const PpDeviceDef *dev, GError **error)
{
    g_autofree char *what = NULL;

    if (dev->addr.type == PP_ADDRESS_PCI)
        return TRUE;
    what = ppDeviceDefDescribe(dev);
    if (dev->addr.type == PP_ADDRESS_NONE)
        g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                    _("The %1$s has no address; the command line needs a fully addressed domain (plan it first)"),
                    what);
    else
        g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                    _("The %1$s has an address of type '%2$s', but its QEMU device needs a PCI address"),
                    what, ppAddressTypeToString(dev->addr.type));
    return FALSE;
}

gboolean
ppQemuBuildUnsupportedModel(const PpDeviceDef *dev, const char *model, GError **error)
{
    g_autofree char *what = ppDeviceDefDescribe(dev);

    g_set_error(error, PP_ERROR, PP_ERROR_UNSUPPORTED,
                _("The %1$s has model '%2$s', which has no QEMU device on this command line"),
                what, model ? model : "");
    return FALSE;
}

/* A device the command line leaves out must not take a PCI slot, or the
 * command line would show a topology the domain does not have. */
gboolean
ppQemuBuildSkipOrFail(PpQemuBuild *ctx, const PpDeviceDef *dev, GError **error)
{
    g_autofree char *what = NULL;

    if (dev->addr.type != PP_ADDRESS_PCI) {
        ppQemuBuildSkip(ctx, dev);
        return TRUE;
    }
    what = ppDeviceDefDescribe(dev);
    g_set_error(error, PP_ERROR, PP_ERROR_UNSUPPORTED,
                _("The %1$s takes a PCI slot, but this tool cannot put it on a command line"),
                what);
    return FALSE;
}

/* bus and addr on PCI; nothing on virtio-mmio, where QEMU picks the
 * transport (docs/qemu-facts.md section 3). */
gboolean
ppQemuBuildAddBusAddress(const PpQemuBuild *ctx,
                         const PpDeviceDef *dev,
                         PpQemuProps *props,
                         GError **error)
{
    if (dev->addr.type != PP_ADDRESS_PCI)
        return TRUE;
    return ppQemuBuildAddPCIAddress(ctx, dev, props, error);
}
