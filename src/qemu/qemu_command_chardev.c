/*
 * qemu_command_chardev.c: serial ports, consoles and channels
 *
 * Each takes a -chardev backend, which libvirt names "char" + alias and
 * writes in QEMU's key=value syntax.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "qemu_commandpriv.h"
#include "pperror.h"

/* A UNIX or TCP socket; mode='bind' makes QEMU the server. */
static char *
ppQemuChardevSocket(xmlNodePtr source, const char *id, const char *where)
{
    g_autofree char *mode = ppXmlProp(source, "mode");
    gboolean server = mode && g_str_equal(mode, "bind");

    return g_strdup_printf("socket,id=%s,%s%s", id, where, server ? ",server=on,wait=off" : "");
}

/* Where a file or socket backend goes: "path=..." or "host=...,port=...";
 * NULL with @error set when the XML does not say. */
static char *
ppQemuChardevTarget(const PpDeviceDef *dev, xmlNodePtr source, const char *type, GError **error)
{
    g_autofree char *path = ppXmlProp(source, "path");
    g_autofree char *host = ppXmlProp(source, "host");
    g_autofree char *service = ppXmlProp(source, "service");
    g_autofree char *what = NULL;

    if (g_str_equal(type, "tcp") && service)
        return g_strdup_printf("host=%s,port=%s", host ? host : "127.0.0.1", service);
    if (!g_str_equal(type, "tcp") && path) {
        g_autofree char *escaped = ppQemuKeyvalEscape(path);

        return g_strdup_printf("path=%s", escaped);
    }
    what = ppDeviceDefDescribe(dev);
    g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                _("The %1$s of type '%2$s' has no <source> to connect to; give it a path (file, unix) or a service (tcp)"),
                what, type);
    return NULL;
}

static const char *const ppQemuChardevTypes[] = {
    "pty", "null", "stdio", "file", "unix", "tcp",
};

/* A backend this file can write: a type it knows, with the path or
 * service that type needs. libvirt invents the path of a unix channel at
 * start; there is none before. */
static gboolean
ppQemuChardevIsComplete(const PpDeviceDef *dev)
{
    const char *type = dev->type ? dev->type : "pty";
    xmlNodePtr source = ppXmlChild(dev->node, "source");
    g_autofree char *path = ppXmlProp(source, "path");
    g_autofree char *service = ppXmlProp(source, "service");
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(ppQemuChardevTypes); i++) {
        if (g_str_equal(type, ppQemuChardevTypes[i]))
            break;
    }
    if (i == G_N_ELEMENTS(ppQemuChardevTypes))
        return FALSE;
    if (g_str_equal(type, "file") || g_str_equal(type, "unix"))
        return path != NULL;
    return !g_str_equal(type, "tcp") || service != NULL;
}

/**
 * ppQemuBuildChardev:
 * @chrId: the backend's id
 *
 * Returns: (transfer full) the -chardev value for @dev's <source>, or NULL
 * with a PP_ERROR_UNSUPPORTED @error for a backend this tool does not write.
 */
char *
ppQemuBuildChardev(const PpDeviceDef *dev, const char *chrId, GError **error)
{
    const char *type = dev->type ? dev->type : "pty";
    xmlNodePtr source = ppXmlChild(dev->node, "source");
    g_autofree char *what = NULL;

    if (g_str_equal(type, "pty") || g_str_equal(type, "null") || g_str_equal(type, "stdio"))
        return g_strdup_printf("%s,id=%s", type, chrId);
    if (g_str_equal(type, "file") || g_str_equal(type, "unix") || g_str_equal(type, "tcp")) {
        g_autofree char *where = ppQemuChardevTarget(dev, source, type, error);

        if (!where)
            return NULL;
        if (g_str_equal(type, "file"))
            return g_strdup_printf("file,id=%s,%s", chrId, where);
        return ppQemuChardevSocket(source, chrId, where);
    }
    what = ppDeviceDefDescribe(dev);
    g_set_error(error, PP_ERROR, PP_ERROR_UNSUPPORTED,
                _("The %1$s has a source of type '%2$s'; this tool writes only pty, null, stdio, file, unix and tcp"),
                what, type);
    return NULL;
}

/* A chardev-backed -device: the unit with the backend and "chardev" set. */
static PpQemuUnit *
ppQemuBuildChardevUnit(PpQemuBuild *ctx, const PpDeviceDef *dev, const char *driver,
                       GError **error)
{
    g_autofree char *chrId = g_strdup_printf("char%s", ppQemuBuildAlias(ctx, dev));
    char *backend = ppQemuBuildChardev(dev, chrId, error);
    PpQemuUnit *unit;

    if (!backend)
        return NULL;
    unit = ppQemuBuildAddUnit(ctx, dev, driver);
    ppQemuUnitAddBackend(unit, "-chardev", backend);
    ppQemuPropsAddStr(unit->device, "chardev", chrId);
    return unit;
}

/* The serial port of the board (pl011, the RISC-V UART) is not a -device
 * but a -serial option. */
static gboolean
ppQemuBuildSystemSerial(PpQemuBuild *ctx, const PpDeviceDef *dev, GError **error)
{
    g_autofree char *chrId = g_strdup_printf("char%s", ppQemuBuildAlias(ctx, dev));
    char *backend = ppQemuBuildChardev(dev, chrId, error);

    if (!backend)
        return FALSE;
    g_ptr_array_add(ctx->tail, g_strdup("-chardev"));
    g_ptr_array_add(ctx->tail, backend);
    g_ptr_array_add(ctx->tail, g_strdup("-serial"));
    g_ptr_array_add(ctx->tail, g_strdup_printf("chardev:%s", chrId));
    return TRUE;
}

gboolean
ppQemuBuildSerial(PpQemuBuild *ctx, const PpDeviceDef *dev, GError **error)
{
    const char *target = dev->targetType;
    guint64 port = ctx->isaSerials;
    PpQemuUnit *unit;

    if (!target)
        target = ctx->machine->isaSerial ? "isa-serial" : "system-serial";
    if (g_str_equal(target, "system-serial"))
        return ppQemuBuildSystemSerial(ctx, dev, error);
    if (g_str_equal(target, "pci-serial")) {
        if (!ppQemuBuildRequirePCI(dev, error) ||
            !(unit = ppQemuBuildChardevUnit(ctx, dev, "pci-serial", error)))
            return FALSE;
        ppQemuPropsAddStr(unit->device, "id", ppQemuBuildAlias(ctx, dev));
        return ppQemuBuildAddPCIAddress(ctx, dev, unit->device, error);
    }
    if (!g_str_equal(target, "isa-serial") || !ctx->machine->isaSerial)
        return ppQemuBuildSkipOrFail(ctx, dev, error);
    if (!ppXmlPropUInt(ppXmlChild(dev->node, "target"), "port", 3, "serial target", NULL,
                           &port, error) ||
        !(unit = ppQemuBuildChardevUnit(ctx, dev, "isa-serial", error)))
        return FALSE;
    ctx->isaSerials++;
    ppQemuPropsAddStr(unit->device, "id", ppQemuBuildAlias(ctx, dev));
    ppQemuPropsAddUInt(unit->device, "index", port);
    return TRUE;
}

/* virtconsole and virtserialport plug into a virtio-serial controller. */
static gboolean
ppQemuBuildRequireVirtioSerial(const PpQemuBuild *ctx, const PpDeviceDef *dev, guint index,
                               GError **error)
{
    g_autofree char *what = NULL;

    if (ppQemuBuildFindController(ctx, "virtio-serial", index))
        return TRUE;
    what = ppDeviceDefDescribe(dev);
    g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                _("The %1$s needs <controller type='virtio-serial' index='%2$u'>; add one"), what,
                index);
    return FALSE;
}

/* A <console> of target serial is serial0 itself; a virtio console is a
 * virtconsole, which libvirt leaves QEMU to put on the first port. */
gboolean
ppQemuBuildConsole(PpQemuBuild *ctx, const PpDeviceDef *dev, GError **error)
{
    PpQemuUnit *unit;

    if (!dev->targetType || g_str_equal(dev->targetType, "serial"))
        return TRUE;
    if (!g_str_equal(dev->targetType, "virtio"))
        return ppQemuBuildSkipOrFail(ctx, dev, error);
    if (!ppQemuBuildRequireVirtioSerial(ctx, dev, 0, error) ||
        !(unit = ppQemuBuildChardevUnit(ctx, dev, "virtconsole", error)))
        return FALSE;
    ppQemuPropsAddStr(unit->device, "id", ppQemuBuildAlias(ctx, dev));
    return TRUE;
}

/* The virtio-serial bus ("virtio-serial0.0") and port of a channel, from
 * <address type='virtio-serial'>, or where libvirt puts a channel
 * without one (ppQemuVirtioSerialAssign): libvirt passes both. */
static gboolean
ppQemuChannelAddress(PpQemuBuild *ctx,
                     const PpDeviceDef *dev,
                     char **ret_bus,
                     guint64 *ret_port,
                     GError **error)
{
    guint64 controller = 0, bus = 0;
    const PpDeviceDef *ctrl;

    *ret_bus = NULL;
    if (dev->addr.type == PP_ADDRESS_VIRTIO_SERIAL &&
        (!ppXmlPropUInt(dev->addrNode, "controller", G_MAXINT, "virtio-serial address", NULL,
                            &controller, error) ||
         !ppXmlPropUInt(dev->addrNode, "bus", G_MAXINT, "virtio-serial address", NULL, &bus,
                            error) ||
         !ppXmlPropUInt(dev->addrNode, "port", G_MAXINT, "virtio-serial address", NULL, ret_port,
                            error)))
        return FALSE;
    if (dev->addr.type != PP_ADDRESS_VIRTIO_SERIAL) {
        gpointer found;

        if (!ctx->serialPorts)
            ctx->serialPorts = ppQemuVirtioSerialAssign(ctx->def);
        if (g_hash_table_lookup_extended(ctx->serialPorts, dev, NULL, &found)) {
            controller = (guint)GPOINTER_TO_INT(found) >> 16;
            *ret_port = (guint)GPOINTER_TO_INT(found) & 0xffff;
        }
    }
    if (!ppQemuBuildRequireVirtioSerial(ctx, dev, (guint)controller, error))
        return FALSE;
    ctrl = ppQemuBuildFindController(ctx, "virtio-serial", (guint)controller);
    *ret_bus = g_strdup_printf("%s.%u", ppQemuBuildAlias(ctx, ctrl), (guint)bus);
    return TRUE;
}

/* A virtio channel, in libvirt's order: bus, nr, chardev, id, name. */
gboolean
ppQemuBuildChannel(PpQemuBuild *ctx, const PpDeviceDef *dev, GError **error)
{
    const char *id = ppQemuBuildAlias(ctx, dev);
    g_autofree char *name = ppXmlChildProp(dev->node, "target", "name");
    g_autofree char *chrId = g_strdup_printf("char%s", id);
    g_autofree char *bus = NULL;
    guint64 port = 0;
    char *backend;
    PpQemuUnit *unit;

    /* A channel to SPICE has no use without a display, and one whose socket
     * libvirt would name at start has no end to connect: both are left out. */
    if (!dev->targetType || !g_str_equal(dev->targetType, "virtio") ||
        !ppQemuChardevIsComplete(dev))
        return ppQemuBuildSkipOrFail(ctx, dev, error);
    if (!ppQemuChannelAddress(ctx, dev, &bus, &port, error) ||
        !(backend = ppQemuBuildChardev(dev, chrId, error)))
        return FALSE;
    unit = ppQemuBuildAddUnit(ctx, dev, "virtserialport");
    ppQemuUnitAddBackend(unit, "-chardev", backend);
    if (bus)
        ppQemuPropsAddStr(unit->device, "bus", bus);
    if (port)
        ppQemuPropsAddUInt(unit->device, "nr", port);
    ppQemuPropsAddStr(unit->device, "chardev", chrId);
    ppQemuPropsAddStr(unit->device, "id", id);
    if (name)
        ppQemuPropsAddStr(unit->device, "name", name);
    return TRUE;
}
