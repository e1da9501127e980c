/*
 * qemu_command_device.c: -device options of the domain's devices
 *
 * Device models, property names and value types are libvirt 9.0's
 * (qemu_command.c there), so the two command lines can be compared.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "qemu_commandpriv.h"
#include "pperror.h"

#include <string.h>

/* A virtio device whose libvirt model must be a virtio one (or absent). */
static PpQemuUnit *
ppQemuBuildVirtioModelUnit(PpQemuBuild *ctx,
                           const PpDeviceDef *dev,
                           const char *model,
                           PpQemuVirtioKind kind,
                           GError **error)
{
    PpQemuVirtioModel vmodel = PP_QEMU_VIRTIO_TRANSITIONAL_DEFAULT;

    if (model && !ppQemuVirtioModelParse(model, &vmodel)) {
        ppQemuBuildUnsupportedModel(dev, model, error);
        return NULL;
    }
    return ppQemuBuildVirtioUnit(ctx, dev, kind, vmodel, error);
}

/* ------------------------------------------------------------------ */
/* Network                                                             */

/* vfio-pci for the host PCI function at @source (an <address> element). */
static gboolean
ppQemuBuildVFIO(PpQemuBuild *ctx, const PpDeviceDef *dev, xmlNodePtr source, GError **error)
{
    guint64 dom = 0, bus = 0, slot = 0, fn = 0;
    g_autofree char *host = NULL;
    PpQemuUnit *unit;

    if (!source) {
        g_autofree char *what = ppDeviceDefDescribe(dev);

        g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                    _("The %1$s has no <source><address> naming the host's PCI function; add one"),
                    what);
        return FALSE;
    }
    if (!ppXmlPropUInt(source, "domain", 0xffff, "hostdev source", NULL, &dom, error) ||
        !ppXmlPropUInt(source, "bus", 0xff, "hostdev source", NULL, &bus, error) ||
        !ppXmlPropUInt(source, "slot", 0x1f, "hostdev source", NULL, &slot, error) ||
        !ppXmlPropUInt(source, "function", 7, "hostdev source", NULL, &fn, error) ||
        !ppQemuBuildRequirePCI(dev, error))
        return FALSE;
    host = g_strdup_printf("%04x:%02x:%02x.%x", (guint)dom, (guint)bus, (guint)slot, (guint)fn);
    unit = ppQemuBuildAddUnit(ctx, dev, "vfio-pci");
    ppQemuPropsAddStr(unit->device, "host", host);
    ppQemuPropsAddStr(unit->device, "id", ppQemuBuildAlias(ctx, dev));
    ppQemuBuildAddBootIndex(ctx, dev, unit->device);
    return ppQemuBuildAddPCIAddress(ctx, dev, unit->device, error);
}

/* Every interface gets user networking: the command line is for starting
 * the topology anywhere, not for reproducing the host's network. */
static gboolean
ppQemuBuildInterface(PpQemuBuild *ctx, const PpDeviceDef *dev, GError **error)
{
    const char *model = dev->model ? dev->model : ctx->machine->defaultNIC;
    const char *id = ppQemuBuildAlias(ctx, dev);
    g_autofree char *netdevId = g_strdup_printf("host%s", id);
    g_autofree char *mac = ppXmlChildProp(dev->node, "mac", "address");
    g_autoptr(PpQemuProps) netdev = ppQemuPropsNew();
    PpQemuVirtioModel vmodel;
    PpQemuUnit *unit;

    if (dev->type && g_str_equal(dev->type, "hostdev"))
        return ppQemuBuildVFIO(ctx, dev,
                               ppXmlChild(ppXmlChild(dev->node, "source"), "address"),
                               error);
    if (ppQemuVirtioModelParse(model, &vmodel))
        unit = ppQemuBuildVirtioUnit(ctx, dev, PP_QEMU_VIRTIO_NET, vmodel, error);
    else
        unit = ppQemuBuildRequirePCI(dev, error) ? ppQemuBuildAddUnit(ctx, dev, model) : NULL;
    if (!unit)
        return FALSE;
    ppQemuPropsAddStr(netdev, "type", "user");
    ppQemuPropsAddStr(netdev, "id", netdevId);
    ppQemuUnitAddBackend(unit, "-netdev", ppQemuPropsFormat(netdev));
    ppQemuPropsAddStr(unit->device, "netdev", netdevId);
    ppQemuPropsAddStr(unit->device, "id", id);
    if (mac)
        ppQemuPropsAddStr(unit->device, "mac", mac);
    ppQemuBuildAddBootIndex(ctx, dev, unit->device);
    return ppQemuBuildAddBusAddress(ctx, dev, unit->device, error);
}

static gboolean
ppQemuBuildHostdev(PpQemuBuild *ctx, const PpDeviceDef *dev, GError **error)
{
    g_autofree char *mode = ppXmlProp(dev->node, "mode");
    xmlNodePtr source = ppXmlChild(dev->node, "source");

    if ((mode && !g_str_equal(mode, "subsystem")) || !dev->type ||
        !g_str_equal(dev->type, "pci") ||
        (dev->driverName && !g_str_equal(dev->driverName, "vfio")))
        return ppQemuBuildSkipOrFail(ctx, dev, error);
    return ppQemuBuildVFIO(ctx, dev, ppXmlChild(source, "address"), error);
}

/* ------------------------------------------------------------------ */
/* Video and sound                                                     */

/* QXL's memory sizes from <model ram vram vram64 vgamem> (KiB), with
 * libvirt's defaults. */
static gboolean
ppQemuBuildQXLProps(const PpDeviceDef *dev, PpQemuProps *props, GError **error)
{
    xmlNodePtr model = ppXmlChild(dev->node, "model");
    guint64 ram = 65536, vram = 65536, vram64 = 0, vgamem = 16384;

    if (!ppXmlPropUInt(model, "ram", G_MAXUINT32, "video model", NULL, &ram, error) ||
        !ppXmlPropUInt(model, "vram", G_MAXUINT32, "video model", NULL, &vram, error) ||
        !ppXmlPropUInt(model, "vram64", G_MAXUINT32, "video model", NULL, &vram64, error) ||
        !ppXmlPropUInt(model, "vgamem", G_MAXUINT32, "video model", NULL, &vgamem, error))
        return FALSE;
    ppQemuPropsAddUInt(props, "ram_size", ram * 1024);
    ppQemuPropsAddUInt(props, "vram_size", vram * 1024);
    ppQemuPropsAddUInt(props, "vram64_size_mb", vram64 / 1024);
    ppQemuPropsAddUInt(props, "vgamem_mb", vgamem / 1024);
    return TRUE;
}

/* The VGA memory of VGA and vmvga (MiB) and bochs (bytes), from <model
 * vram> in KiB, as libvirt passes it. */
static gboolean
ppQemuBuildVGAMemProps(const PpDeviceDef *dev, const char *model, PpQemuProps *props,
                       GError **error)
{
    guint64 vram = 0;

    if (!ppXmlPropUInt(ppXmlChild(dev->node, "model"), "vram", G_MAXUINT32,
                           "video model", NULL, &vram, error))
        return FALSE;
    if (!vram)
        return TRUE;
    if (g_str_equal(model, "vga") || g_str_equal(model, "vmvga"))
        ppQemuPropsAddUInt(props, "vgamem_mb", vram / 1024);
    else if (g_str_equal(model, "bochs"))
        ppQemuPropsAddUInt(props, "vgamem", vram * 1024);
    return TRUE;
}

/* libvirt's video models that are plain PCI devices. */
static const struct {
    const char *model;
    const char *driver;
} ppQemuVideoModels[] = {
    { "vga", "VGA" },
    { "cirrus", "cirrus-vga" },
    { "bochs", "bochs-display" },
    { "vmvga", "vmware-svga" },
};

static PpQemuUnit *
ppQemuBuildVideoUnit(PpQemuBuild *ctx, const PpDeviceDef *dev, gboolean primary, GError **error)
{
    const char *model = dev->model ? dev->model : "";
    size_t i;

    if (g_str_equal(model, "virtio"))
        return ppQemuBuildVirtioUnit(ctx, dev,
                                     primary && ctx->machine->primaryVGA &&
                                             dev->addr.type == PP_ADDRESS_PCI
                                         ? PP_QEMU_VIRTIO_VGA
                                         : PP_QEMU_VIRTIO_GPU,
                                     PP_QEMU_VIRTIO_TRANSITIONAL_DEFAULT, error);
    if (!ppQemuBuildRequirePCI(dev, error))
        return NULL;
    if (g_str_equal(model, "qxl"))
        return ppQemuBuildAddUnit(ctx, dev, primary ? "qxl-vga" : "qxl");
    for (i = 0; i < G_N_ELEMENTS(ppQemuVideoModels); i++) {
        if (g_str_equal(model, ppQemuVideoModels[i].model))
            return ppQemuBuildAddUnit(ctx, dev, ppQemuVideoModels[i].driver);
    }
    ppQemuBuildUnsupportedModel(dev, model, error);
    return NULL;
}

/* The primary <video> (ppQemuPrimaryVideo()) goes first. */
static gboolean
ppQemuBuildVideo(PpQemuBuild *ctx, const PpDeviceDef *dev, GError **error)
{
    gboolean primary = dev == ppQemuPrimaryVideo(ctx->def);
    const char *model = dev->model ? dev->model : "";
    guint64 heads = 1;
    PpQemuUnit *unit;

    if (g_str_equal(model, "none"))
        return TRUE;
    if (g_str_equal(model, "ramfb")) {
        unit = ppQemuBuildAddUnit(ctx, dev, "ramfb");
        ppQemuPropsAddStr(unit->device, "id", ppQemuBuildAlias(ctx, dev));
        return TRUE;
    }
    if (!ppXmlPropUInt(ppXmlChild(dev->node, "model"), "heads", 16, "video model", NULL,
                           &heads, error) ||
        !(unit = ppQemuBuildVideoUnit(ctx, dev, primary, error)))
        return FALSE;
    unit->subrank = primary ? 0 : 1;
    ppQemuPropsAddStr(unit->device, "id", ppQemuBuildAlias(ctx, dev));
    if (g_str_equal(model, "qxl") || g_str_equal(model, "virtio"))
        ppQemuPropsAddUInt(unit->device, "max_outputs", heads);
    if (g_str_equal(model, "qxl") && !ppQemuBuildQXLProps(dev, unit->device, error))
        return FALSE;
    if (!ppQemuBuildVGAMemProps(dev, model, unit->device, error))
        return FALSE;
    return ppQemuBuildAddBusAddress(ctx, dev, unit->device, error);
}

/* The codecs of an HDA controller: each its own -device on the HDA bus. */
static void
ppQemuBuildHDACodecs(PpQemuBuild *ctx, const PpDeviceDef *dev, const char *id)
{
    g_autofree char *bus = g_strdup_printf("%s.0", id);
    xmlNodePtr cur;
    guint cad = 0;

    for (cur = dev->node ? dev->node->children : NULL; cur; cur = cur->next) {
        g_autofree char *type = NULL;
        g_autofree char *driver = NULL;
        g_autofree char *codecId = NULL;
        PpQemuUnit *unit;

        if (cur->type != XML_ELEMENT_NODE || !g_str_equal((const char *)cur->name, "codec"))
            continue;
        type = ppXmlProp(cur, "type");
        driver = g_strdup_printf("hda-%s", type ? type : "duplex");
        codecId = g_strdup_printf("%s-codec%u", id, cad);
        unit = ppQemuBuildAddUnit(ctx, dev, driver);
        ppQemuPropsAddStr(unit->device, "id", codecId);
        ppQemuPropsAddStr(unit->device, "bus", bus);
        ppQemuPropsAddUInt(unit->device, "cad", cad++);
        ppQemuPropsAddStr(unit->device, "audiodev", "audio1");
    }
    if (cad == 0) {
        PpQemuUnit *unit = ppQemuBuildAddUnit(ctx, dev, "hda-duplex");
        g_autofree char *codecId = g_strdup_printf("%s-codec0", id);

        ppQemuPropsAddStr(unit->device, "id", codecId);
        ppQemuPropsAddStr(unit->device, "bus", bus);
        ppQemuPropsAddUInt(unit->device, "cad", 0);
        ppQemuPropsAddStr(unit->device, "audiodev", "audio1");
    }
}

/* libvirt's sound models on PCI; "hda" marks an HDA controller that
 * carries codecs. */
static const struct {
    const char *model;
    const char *driver;
    gboolean hda;
} ppQemuSoundModels[] = {
    { "ich6", "intel-hda", TRUE },
    { "ich9", "ich9-intel-hda", TRUE },
    { "ac97", "AC97", FALSE },
    { "es1370", "ES1370", FALSE },
};

static gboolean
ppQemuBuildSound(PpQemuBuild *ctx, const PpDeviceDef *dev, GError **error)
{
    const char *id = ppQemuBuildAlias(ctx, dev);
    PpQemuUnit *unit;
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(ppQemuSoundModels); i++) {
        if (dev->model && g_str_equal(dev->model, ppQemuSoundModels[i].model))
            break;
    }
    if (i == G_N_ELEMENTS(ppQemuSoundModels))
        return ppQemuBuildSkipOrFail(ctx, dev, error);
    if (!ppQemuBuildRequirePCI(dev, error))
        return FALSE;
    ctx->needAudiodev = TRUE;
    unit = ppQemuBuildAddUnit(ctx, dev, ppQemuSoundModels[i].driver);
    ppQemuPropsAddStr(unit->device, "id", id);
    if (!ppQemuSoundModels[i].hda)
        ppQemuPropsAddStr(unit->device, "audiodev", "audio1");
    if (!ppQemuBuildAddPCIAddress(ctx, dev, unit->device, error))
        return FALSE;
    if (ppQemuSoundModels[i].hda)
        ppQemuBuildHDACodecs(ctx, dev, id);
    return TRUE;
}

/* ------------------------------------------------------------------ */
/* Watchdog, RNG, balloon, input, filesystem                           */

static gboolean
ppQemuBuildWatchdog(PpQemuBuild *ctx, const PpDeviceDef *dev, GError **error)
{
    g_autofree char *action = ppXmlProp(dev->node, "action");
    const char *model = dev->model ? dev->model : "";
    PpQemuUnit *unit;

    if (g_str_equal(model, "i6300esb")) {
        if (!ppQemuBuildRequirePCI(dev, error))
            return FALSE;
        unit = ppQemuBuildAddUnit(ctx, dev, "i6300esb");
        ppQemuPropsAddStr(unit->device, "id", ppQemuBuildAlias(ctx, dev));
        if (!ppQemuBuildAddPCIAddress(ctx, dev, unit->device, error))
            return FALSE;
    } else if (g_str_equal(model, "ib700")) {
        unit = ppQemuBuildAddUnit(ctx, dev, "ib700");
        ppQemuPropsAddStr(unit->device, "id", ppQemuBuildAlias(ctx, dev));
    } else {
        return ppQemuBuildSkipOrFail(ctx, dev, error);
    }
    if (action) {
        g_ptr_array_add(ctx->tail, g_strdup("-watchdog-action"));
        g_ptr_array_add(ctx->tail, g_steal_pointer(&action));
    }
    return TRUE;
}

/* The RNG backend object libvirt names "obj" + alias. */
static gboolean
ppQemuBuildRNGBackend(const PpDeviceDef *dev, const char *objId, char **ret, GError **error)
{
    xmlNodePtr backend = ppXmlChild(dev->node, "backend");
    g_autofree char *model = ppXmlProp(backend, "model");
    g_autofree char *file = ppXmlText(backend);
    g_autoptr(PpQemuProps) props = ppQemuPropsNew();

    if (model && g_str_equal(model, "builtin")) {
        ppQemuPropsAddStr(props, "qom-type", "rng-builtin");
        ppQemuPropsAddStr(props, "id", objId);
    } else if (!model || g_str_equal(model, "random")) {
        ppQemuPropsAddStr(props, "qom-type", "rng-random");
        ppQemuPropsAddStr(props, "id", objId);
        ppQemuPropsAddStr(props, "filename", file ? file : "/dev/urandom");
    } else {
        return ppQemuBuildUnsupportedModel(dev, model, error);
    }
    *ret = ppQemuPropsFormat(props);
    return TRUE;
}

static gboolean
ppQemuBuildRNG(PpQemuBuild *ctx, const PpDeviceDef *dev, GError **error)
{
    const char *id = ppQemuBuildAlias(ctx, dev);
    g_autofree char *objId = g_strdup_printf("obj%s", id);
    xmlNodePtr rate = ppXmlChild(dev->node, "rate");
    guint64 bytes = 0, period = 0;
    char *backend = NULL;
    PpQemuUnit *unit;

    if (!ppQemuBuildRNGBackend(dev, objId, &backend, error))
        return FALSE;
    if (!ppXmlPropUInt(rate, "bytes", G_MAXUINT64, "rng rate", NULL, &bytes, error) ||
        !ppXmlPropUInt(rate, "period", G_MAXUINT32, "rng rate", NULL, &period, error) ||
        !(unit = ppQemuBuildVirtioModelUnit(ctx, dev, dev->model, PP_QEMU_VIRTIO_RNG, error))) {
        g_free(backend);
        return FALSE;
    }
    ppQemuUnitAddBackend(unit, "-object", backend);
    ppQemuPropsAddStr(unit->device, "rng", objId);
    ppQemuPropsAddStr(unit->device, "id", id);
    if (bytes) {
        ppQemuPropsAddUInt(unit->device, "max-bytes", bytes);
        ppQemuPropsAddUInt(unit->device, "period", period ? period : 1000);
    }
    return ppQemuBuildAddBusAddress(ctx, dev, unit->device, error);
}

/*
 * ivshmem-plain with its shared memory, as libvirt 9.0 writes them: a
 * memory-backend-file "shmmem-" + alias on /dev/shm/NAME, 4 MiB unless
 * <size> says otherwise. ivshmem-doorbell needs a server socket and is
 * left to libvirt.
 */
static gboolean
ppQemuBuildShmem(PpQemuBuild *ctx, const PpDeviceDef *dev, GError **error)
{
    const char *id = ppQemuBuildAlias(ctx, dev);
    g_autofree char *name = ppXmlProp(dev->node, "name");
    g_autofree char *role = ppXmlProp(dev->node, "role");
    g_autofree char *objId = g_strdup_printf("shmmem-%s", id);
    g_autofree char *path = NULL;
    g_autoptr(PpQemuProps) backend = ppQemuPropsNew();
    xmlNodePtr size = ppXmlChild(dev->node, "size");
    guint64 bytes = 4 * 1024 * 1024;
    PpQemuUnit *unit;

    if (dev->model && !g_str_equal(dev->model, "ivshmem-plain"))
        return ppQemuBuildUnsupportedModel(dev, dev->model, error);
    if (!name || strchr(name, '/')) {
        g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                    _("A <shmem> needs a name without '/', which names its file in /dev/shm"));
        return FALSE;
    }
    if (size && !ppQemuXmlSizeBytes(size, "unit", NULL, "shmem size", &bytes, error))
        return FALSE;
    path = g_strdup_printf("/dev/shm/%s", name);
    ppQemuPropsAddStr(backend, "qom-type", "memory-backend-file");
    ppQemuPropsAddStr(backend, "id", objId);
    ppQemuPropsAddStr(backend, "mem-path", path);
    ppQemuPropsAddUInt(backend, "size", bytes);
    ppQemuPropsAddBool(backend, "share", TRUE);
    unit = ppQemuBuildAddUnit(ctx, dev, "ivshmem-plain");
    ppQemuUnitAddBackend(unit, "-object", ppQemuPropsFormat(backend));
    ppQemuPropsAddStr(unit->device, "id", id);
    ppQemuPropsAddStr(unit->device, "memdev", objId);
    /* libvirt 9.0 passes role as the OnOffAuto "master"; without
     * master=on QEMU blocks migration (qemu_migration.c). */
    if (role && (g_str_equal(role, "master") || g_str_equal(role, "peer")))
        ppQemuPropsAddStr(unit->device, "master", g_str_equal(role, "master") ? "on" : "off");
    return ppQemuBuildAddBusAddress(ctx, dev, unit->device, error);
}

static gboolean
ppQemuBuildMemballoon(PpQemuBuild *ctx, const PpDeviceDef *dev, GError **error)
{
    PpQemuUnit *unit;

    if (dev->model && g_str_equal(dev->model, "none"))
        return TRUE;
    if (!(unit = ppQemuBuildVirtioModelUnit(ctx, dev, dev->model, PP_QEMU_VIRTIO_BALLOON, error)))
        return FALSE;
    ppQemuPropsAddStr(unit->device, "id", ppQemuBuildAlias(ctx, dev));
    return ppQemuBuildAddBusAddress(ctx, dev, unit->device, error);
}

/* A USB device's bus and port from its <address type='usb'>; without
 * one QEMU picks a free port. */
static gboolean
ppQemuBuildAddUSBAddress(const PpQemuBuild *ctx,
                         const PpDeviceDef *dev,
                         PpQemuProps *props,
                         GError **error)
{
    g_autofree char *port = ppXmlProp(dev->addrNode, "port");
    g_autofree char *bus = NULL;
    const PpDeviceDef *ctrl;
    guint64 index = 0;

    if (dev->addr.type != PP_ADDRESS_USB)
        return TRUE;
    if (!ppXmlPropUInt(dev->addrNode, "bus", G_MAXINT, "USB address", NULL, &index, error))
        return FALSE;
    if (!(ctrl = ppQemuBuildFindController(ctx, "usb", (guint)index))) {
        g_autofree char *what = ppDeviceDefDescribe(dev);

        g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                    _("The USB address of %1$s names bus %2$u, but there is no <controller type='usb' index='%2$u'>"),
                    what, (guint)index);
        return FALSE;
    }
    bus = g_strdup_printf("%s.0", ppQemuBuildAlias(ctx, ctrl));
    ppQemuPropsAddStr(props, "bus", bus);
    if (port)
        ppQemuPropsAddStr(props, "port", port);
    return TRUE;
}

static const struct {
    const char *type;
    PpQemuVirtioKind virtio;
    const char *usb;
} ppQemuInputTypes[] = {
    { "tablet", PP_QEMU_VIRTIO_TABLET, "usb-tablet" },
    { "mouse", PP_QEMU_VIRTIO_MOUSE, "usb-mouse" },
    { "keyboard", PP_QEMU_VIRTIO_KEYBOARD, "usb-kbd" },
    { "passthrough", PP_QEMU_VIRTIO_INPUT_HOST, NULL },
};

/* virtio and USB inputs; PS/2 comes with the machine. */
static gboolean
ppQemuBuildInput(PpQemuBuild *ctx, const PpDeviceDef *dev, GError **error)
{
    const char *bus = dev->bus ? dev->bus : "";
    g_autofree char *evdev = ppXmlChildProp(dev->node, "source", "evdev");
    PpQemuUnit *unit = NULL;
    size_t i;

    if (g_str_equal(bus, "ps2") || g_str_equal(bus, "xen"))
        return TRUE;
    for (i = 0; i < G_N_ELEMENTS(ppQemuInputTypes); i++) {
        if (dev->type && g_str_equal(dev->type, ppQemuInputTypes[i].type))
            break;
    }
    if (i == G_N_ELEMENTS(ppQemuInputTypes))
        return ppQemuBuildSkipOrFail(ctx, dev, error);
    if (g_str_equal(bus, "usb") && ppQemuInputTypes[i].usb) {
        unit = ppQemuBuildAddUnit(ctx, dev, ppQemuInputTypes[i].usb);
        ppQemuPropsAddStr(unit->device, "id", ppQemuBuildAlias(ctx, dev));
        return ppQemuBuildAddUSBAddress(ctx, dev, unit->device, error);
    }
    if (!g_str_equal(bus, "virtio"))
        return ppQemuBuildSkipOrFail(ctx, dev, error);
    if (!(unit = ppQemuBuildVirtioModelUnit(ctx, dev, dev->model, ppQemuInputTypes[i].virtio,
                                            error)))
        return FALSE;
    ppQemuPropsAddStr(unit->device, "id", ppQemuBuildAlias(ctx, dev));
    if (evdev)
        ppQemuPropsAddStr(unit->device, "evdev", evdev);
    return ppQemuBuildAddBusAddress(ctx, dev, unit->device, error);
}

/* 9p through -fsdev local; virtiofs needs a daemon this tool cannot start. */
static gboolean
ppQemuBuildFilesystem(PpQemuBuild *ctx, const PpDeviceDef *dev, GError **error)
{
    const char *id = ppQemuBuildAlias(ctx, dev);
    g_autofree char *mode = ppXmlProp(dev->node, "accessmode");
    g_autofree char *dir = ppXmlChildProp(dev->node, "source", "dir");
    g_autofree char *tag = ppXmlChildProp(dev->node, "target", "dir");
    g_autofree char *escaped = ppQemuKeyvalEscape(dir ? dir : "");
    g_autofree char *fsdevId = g_strdup_printf("fsdev-%s", id);
    gboolean readonly = ppXmlChild(dev->node, "readonly") != NULL;
    PpQemuUnit *unit;

    if ((dev->type && !g_str_equal(dev->type, "mount")) ||
        (dev->driverName && !g_str_equal(dev->driverName, "path")))
        return ppQemuBuildSkipOrFail(ctx, dev, error);
    if (!(unit = ppQemuBuildVirtioModelUnit(ctx, dev, dev->model, PP_QEMU_VIRTIO_9P, error)))
        return FALSE;
    ppQemuUnitAddBackend(unit, "-fsdev",
                         g_strdup_printf("local,security_model=%s,id=%s,path=%s%s",
                                         mode ? mode : "passthrough", fsdevId, escaped,
                                         readonly ? ",readonly=on" : ""));
    ppQemuPropsAddStr(unit->device, "id", id);
    ppQemuPropsAddStr(unit->device, "fsdev", fsdevId);
    ppQemuPropsAddStr(unit->device, "mount_tag", tag ? tag : "");
    return ppQemuBuildAddBusAddress(ctx, dev, unit->device, error);
}

/* ------------------------------------------------------------------ */
/* IOMMU, vsock, panic                                                 */

/* intel-iommu properties from <driver>, with libvirt's value types:
 * intremap and eim are OnOffAuto strings, the others booleans. */
static gboolean
ppQemuBuildIntelIOMMUProps(const PpDeviceDef *dev, PpQemuProps *props, GError **error)
{
    xmlNodePtr driver = ppXmlChild(dev->node, "driver");
    g_autofree char *intremap = ppXmlProp(driver, "intremap");
    g_autofree char *caching = ppXmlProp(driver, "caching_mode");
    g_autofree char *eim = ppXmlProp(driver, "eim");
    g_autofree char *iotlb = ppXmlProp(driver, "iotlb");
    guint64 awBits = 0;

    if (!ppXmlPropUInt(driver, "aw_bits", 64, "iommu driver", NULL, &awBits, error))
        return FALSE;
    if (intremap)
        ppQemuPropsAddStr(props, "intremap", intremap);
    if (caching)
        ppQemuPropsAddBool(props, "caching-mode", g_str_equal(caching, "on"));
    if (eim)
        ppQemuPropsAddStr(props, "eim", eim);
    if (iotlb)
        ppQemuPropsAddBool(props, "device-iotlb", g_str_equal(iotlb, "on"));
    if (awBits)
        ppQemuPropsAddUInt(props, "aw-bits", awBits);
    return TRUE;
}

/* intel-iommu and amd-iommu are system-bus devices; virtio-iommu is PCI;
 * smmuv3 is a machine property (see ppQemuBuildMachine()). */
static gboolean
ppQemuBuildIOMMU(PpQemuBuild *ctx, const PpDeviceDef *dev, GError **error)
{
    const char *model = dev->model ? dev->model : "";
    const char *id = ppQemuBuildAlias(ctx, dev);
    PpQemuUnit *unit;

    if (g_str_equal(model, "smmuv3"))
        return TRUE;
    if (g_str_equal(model, "virtio")) {
        if (!(unit = ppQemuBuildVirtioUnit(ctx, dev, PP_QEMU_VIRTIO_IOMMU,
                                           PP_QEMU_VIRTIO_TRANSITIONAL_DEFAULT, error)))
            return FALSE;
        ppQemuPropsAddStr(unit->device, "id", id);
        return ppQemuBuildAddPCIAddress(ctx, dev, unit->device, error);
    }
    if (g_str_equal(model, "intel")) {
        unit = ppQemuBuildAddUnit(ctx, dev, "intel-iommu");
        ppQemuPropsAddStr(unit->device, "id", id);
        return ppQemuBuildIntelIOMMUProps(dev, unit->device, error);
    }
    if (g_str_equal(model, "amd")) {
        unit = ppQemuBuildAddUnit(ctx, dev, "amd-iommu");
        ppQemuPropsAddStr(unit->device, "id", id);
        return TRUE;
    }
    return ppQemuBuildUnsupportedModel(dev, model, error);
}

static gboolean
ppQemuBuildVsock(PpQemuBuild *ctx, const PpDeviceDef *dev, GError **error)
{
    xmlNodePtr cid = ppXmlChild(dev->node, "cid");
    guint64 guestCid = 3; /* the lowest guest CID; 0-2 are reserved */
    PpQemuUnit *unit;

    if (!ppXmlPropUInt(cid, "address", G_MAXUINT32, "vsock cid", NULL, &guestCid, error) ||
        !(unit = ppQemuBuildVirtioModelUnit(ctx, dev, dev->model, PP_QEMU_VIRTIO_VSOCK, error)))
        return FALSE;
    ppQemuPropsAddStr(unit->device, "id", ppQemuBuildAlias(ctx, dev));
    ppQemuPropsAddUInt(unit->device, "guest-cid", guestCid);
    return ppQemuBuildAddBusAddress(ctx, dev, unit->device, error);
}

/* model='pvpanic' with a PCI address is pvpanic-pci (libvirt 9.1); an ISA
 * panic device is pvpanic. libvirt gives neither an id. */
static gboolean
ppQemuBuildPanic(PpQemuBuild *ctx, const PpDeviceDef *dev, GError **error)
{
    const char *model = dev->model ? dev->model : "isa";
    PpQemuUnit *unit;
    guint64 iobase = 0;

    if (g_str_equal(model, "pvpanic")) {
        if (!ppQemuBuildRequirePCI(dev, error))
            return FALSE;
        unit = ppQemuBuildAddUnit(ctx, dev, "pvpanic-pci");
        return ppQemuBuildAddPCIAddress(ctx, dev, unit->device, error);
    }
    if (!g_str_equal(model, "isa") || !ctx->machine->isaSerial)
        return ppQemuBuildSkipOrFail(ctx, dev, error);
    if (!ppXmlPropUInt(dev->addrNode, "iobase", 0xffff, "panic address", NULL, &iobase, error))
        return FALSE;
    unit = ppQemuBuildAddUnit(ctx, dev, "pvpanic");
    if (iobase)
        ppQemuPropsAddUInt(unit->device, "ioport", iobase);
    return TRUE;
}

/* ------------------------------------------------------------------ */

/**
 * ppQemuBuildDevice:
 * Adds the units of @dev; devices that are part of the machine (PS/2,
 * the chipset's disk controller, the root bus) add none, and devices that
 * have no place on the command line are listed in ctx->skipped.
 */
gboolean
ppQemuBuildDevice(PpQemuBuild *ctx, const PpDeviceDef *dev, GError **error)
{
    switch (dev->kind) {
    case PP_DEVICE_DISK:
        return ppQemuBuildDisk(ctx, dev, error);
    case PP_DEVICE_CONTROLLER:
        return ppQemuBuildController(ctx, dev, error);
    case PP_DEVICE_INTERFACE:
        return ppQemuBuildInterface(ctx, dev, error);
    case PP_DEVICE_HOSTDEV:
        return ppQemuBuildHostdev(ctx, dev, error);
    case PP_DEVICE_VIDEO:
        return ppQemuBuildVideo(ctx, dev, error);
    case PP_DEVICE_SOUND:
        return ppQemuBuildSound(ctx, dev, error);
    case PP_DEVICE_WATCHDOG:
        return ppQemuBuildWatchdog(ctx, dev, error);
    case PP_DEVICE_RNG:
        return ppQemuBuildRNG(ctx, dev, error);
    case PP_DEVICE_MEMBALLOON:
        return ppQemuBuildMemballoon(ctx, dev, error);
    case PP_DEVICE_INPUT:
        return ppQemuBuildInput(ctx, dev, error);
    case PP_DEVICE_SERIAL:
        return ppQemuBuildSerial(ctx, dev, error);
    case PP_DEVICE_CONSOLE:
        return ppQemuBuildConsole(ctx, dev, error);
    case PP_DEVICE_CHANNEL:
        return ppQemuBuildChannel(ctx, dev, error);
    case PP_DEVICE_FILESYSTEM:
        return ppQemuBuildFilesystem(ctx, dev, error);
    case PP_DEVICE_IOMMU:
        return ppQemuBuildIOMMU(ctx, dev, error);
    case PP_DEVICE_VSOCK:
        return ppQemuBuildVsock(ctx, dev, error);
    case PP_DEVICE_PANIC:
        return ppQemuBuildPanic(ctx, dev, error);
    case PP_DEVICE_EMULATOR:
    case PP_DEVICE_AUDIO:
    case PP_DEVICE_LEASE:
        /* Not devices of the guest: the emulator is argv[0], and the sound
         * devices share one silent -audiodev. */
        return TRUE;
    case PP_DEVICE_SHMEM:
        return ppQemuBuildShmem(ctx, dev, error);
    case PP_DEVICE_PARALLEL:
    case PP_DEVICE_MEMORY:
    case PP_DEVICE_CRYPTO:
    case PP_DEVICE_TPM:
    case PP_DEVICE_REDIRDEV:
    case PP_DEVICE_HUB:
    case PP_DEVICE_SMARTCARD:
    case PP_DEVICE_GRAPHICS:
    case PP_DEVICE_OTHER:
        return ppQemuBuildSkipOrFail(ctx, dev, error);
    case PP_DEVICE_LAST:
        break;
    }
    g_assert_not_reached();
}
