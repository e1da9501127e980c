/*
 * qemu_command.c: the QEMU 7.2 command line of a fully addressed domain
 *
 * The line is what libvirt 9.0 would run, cut down to what the topology
 * and a bootable guest need: the machine, memory, CPUs, NUMA, firmware,
 * every controller and device with an explicit bus and addr, and the
 * backends those devices need. It runs under TCG (-accel tcg), headless
 * (-display none), with user networking whatever the interface type, so
 * that it starts anywhere QEMU is installed.
 *
 * This file is the top of the builder: the options before the devices,
 * <qemu:override> and <qemu:commandline>, the realization order, the
 * argv. The devices are built by qemu_command_device.c and the files it
 * dispatches to, all on the context of qemu_command_build.c; the text
 * form of a command line is qemu_command_text.c.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "qemu_commandpriv.h"
#include "qemu_order.h"
#include "pperror.h"

#include <string.h>

#define PP_QEMU_MIB ((guint64)1 << 20)

/* ------------------------------------------------------------------ */
/* Machine, memory, CPUs, firmware                                     */

static void
ppQemuArgs(GPtrArray *args, const char *option, char *value)
{
    g_ptr_array_add(args, g_strdup(option));
    if (value)
        g_ptr_array_add(args, value);
}

static char *
ppQemuBuildEmulator(const PpQemuBuild *ctx)
{
    const PpDeviceDef *emu = NULL;
    guint i;

    for (i = 0; i < ctx->def->devices->len && !emu; i++) {
        const PpDeviceDef *dev = g_ptr_array_index(ctx->def->devices, i);

        if (dev->kind == PP_DEVICE_EMULATOR)
            emu = dev;
    }
    if (emu) {
        char *path = ppXmlText(emu->node);

        if (path)
            return path;
    }
    return g_strdup(ppQemuMachineEmulator(ctx->machine, ctx->def->arch));
}

/* Two -blockdev nodes (file, then raw format) for one pflash chip, as
 * libvirt names them. */
static void
ppQemuBuildPflash(PpQemuBuild *ctx, guint chip, const char *path, gboolean readonly)
{
    g_autoptr(PpQemuProps) file = ppQemuPropsNew();
    g_autoptr(PpQemuProps) fmt = ppQemuPropsNew();
    g_autofree char *storage = g_strdup_printf("libvirt-pflash%u-storage", chip);
    g_autofree char *format = g_strdup_printf("libvirt-pflash%u-format", chip);

    ppQemuPropsAddStr(file, "driver", "file");
    ppQemuPropsAddStr(file, "filename", path);
    ppQemuPropsAddStr(file, "node-name", storage);
    ppQemuPropsAddBool(file, "auto-read-only", TRUE);
    ppQemuPropsAddStr(file, "discard", "unmap");
    ppQemuPropsAddStr(fmt, "node-name", format);
    ppQemuPropsAddBool(fmt, "read-only", readonly);
    ppQemuPropsAddStr(fmt, "driver", "raw");
    ppQemuPropsAddStr(fmt, "file", storage);
    ppQemuArgs(ctx->head, "-blockdev", ppQemuPropsFormat(file));
    ppQemuArgs(ctx->head, "-blockdev", ppQemuPropsFormat(fmt));
}

/*
 * UEFI comes as pflash (code read-only in chip 0, variables in chip 1 when
 * <nvram> names a file); a loader of type 'rom' is passed with -bios.
 * Appends the machine's pflash properties to @machine.
 */
static gboolean
ppQemuBuildFirmware(PpQemuBuild *ctx, GString *machine, GError **error)
{
    xmlNodePtr os = ppXmlChild(ctx->root, "os");
    xmlNodePtr loader = ppXmlChild(os, "loader");
    g_autofree char *type = ppXmlProp(loader, "type");
    g_autofree char *nvram = ppXmlText(ppXmlChild(os, "nvram"));
    const char *code = ctx->def->loader;

    if (!code && ctx->def->firmware == PP_FIRMWARE_EFI)
        code = ctx->machine->efiCode;
    if (!code) {
        if (ctx->def->firmware != PP_FIRMWARE_EFI)
            return TRUE;
        g_set_error(error, PP_ERROR, PP_ERROR_UNSUPPORTED,
                    _("No UEFI firmware is known for %1$s; name one with <os><loader type='pflash'>"),
                    ctx->machine->arch);
        return FALSE;
    }
    if (type ? g_str_equal(type, "rom") : ctx->def->firmware != PP_FIRMWARE_EFI) {
        ppQemuArgs(ctx->head, "-bios", g_strdup(code));
        return TRUE;
    }
    ppQemuBuildPflash(ctx, 0, code, !ppQemuXmlPropIsYes(loader, "readonly", "no"));
    g_string_append(machine, ",pflash0=libvirt-pflash0-format");
    if (nvram) {
        ppQemuBuildPflash(ctx, 1, nvram, FALSE);
        g_string_append(machine, ",pflash1=libvirt-pflash1-format");
    }
    return TRUE;
}

static gboolean
ppQemuDomainHasIOMMU(const PpDomainDef *def, const char *model)
{
    guint i;

    for (i = 0; i < def->devices->len; i++) {
        const PpDeviceDef *dev = g_ptr_array_index(def->devices, i);

        if (dev->kind == PP_DEVICE_IOMMU && dev->model && g_str_equal(dev->model, model))
            return TRUE;
    }
    return FALSE;
}

/* -machine, in libvirt's order of properties; smmuv3 is a machine
 * property, not a device (docs/qemu-facts.md section 1). */
static gboolean
ppQemuBuildMachine(PpQemuBuild *ctx, GError **error)
{
    g_autoptr(GString) machine = g_string_new(ppQemuMachineCanonical(ctx->machine,
                                                                     ctx->def->machine));
    g_autoptr(GString) firmware = g_string_new(NULL);
    g_autofree char *gic = ppXmlChildProp(ppXmlChild(ctx->root, "features"), "gic",
                                              "version");

    if (!ppQemuBuildFirmware(ctx, firmware, error))
        return FALSE;
    g_string_append(machine, ",usb=off");
    if (gic && ctx->machine->kind == PP_QEMU_MACHINE_ARM_VIRT)
        g_string_append_printf(machine, ",gic-version=%s", gic);
    if (ppQemuDomainHasIOMMU(ctx->def, "smmuv3"))
        g_string_append(machine, ",iommu=smmuv3");
    if (!ctx->def->acpi && ctx->machine->hasAcpiProp)
        g_string_append(machine, ",acpi=off");
    g_string_append(machine, firmware->str);
    ppQemuArgs(ctx->head, "-machine", g_strdup(machine->str));
    return TRUE;
}

/* -cpu: the named model; host-model and host-passthrough mean the most
 * TCG can emulate. */
static void
ppQemuBuildCPU(PpQemuBuild *ctx)
{
    xmlNodePtr cpu = ppXmlChild(ctx->root, "cpu");
    g_autofree char *mode = ppXmlProp(cpu, "mode");
    g_autofree char *model = ppXmlText(ppXmlChild(cpu, "model"));

    if (mode && (g_str_equal(mode, "host-model") || g_str_equal(mode, "host-passthrough") ||
                 g_str_equal(mode, "maximum")))
        ppQemuArgs(ctx->head, "-cpu", g_strdup("max"));
    else if (model)
        ppQemuArgs(ctx->head, "-cpu", g_steal_pointer(&model));
    else if (ctx->machine->defaultCPU)
        ppQemuArgs(ctx->head, "-cpu", g_strdup(ctx->machine->defaultCPU));
}

static gboolean
ppQemuBuildSMP(PpQemuBuild *ctx, GError **error)
{
    xmlNodePtr topo = ppXmlChild(ppXmlChild(ctx->root, "cpu"), "topology");
    guint64 sockets = ctx->def->vcpus, dies = 0, cores = 1, threads = 1;
    g_autoptr(GString) smp = g_string_new(NULL);

    if (!ppXmlPropUInt(topo, "sockets", G_MAXUINT16, "<cpu><topology>", NULL, &sockets, error) ||
        !ppXmlPropUInt(topo, "dies", G_MAXUINT16, "<cpu><topology>", NULL, &dies, error) ||
        !ppXmlPropUInt(topo, "cores", G_MAXUINT16, "<cpu><topology>", NULL, &cores, error) ||
        !ppXmlPropUInt(topo, "threads", G_MAXUINT16, "<cpu><topology>", NULL, &threads, error))
        return FALSE;
    g_string_printf(smp, "%u,sockets=%u", ctx->def->vcpus, (guint)sockets);
    if (dies)
        g_string_append_printf(smp, ",dies=%u", (guint)dies);
    g_string_append_printf(smp, ",cores=%u,threads=%u", (guint)cores, (guint)threads);
    ppQemuArgs(ctx->head, "-smp", g_strdup(smp->str));
    return TRUE;
}

/* One RAM backend and one -numa node per <cell>; "0-3,6" becomes
 * "cpus=0-3,cpus=6", QEMU's way to give a list. Like libvirt
 * (qemuDomainAlignMemorySizes), each cell is rounded up to whole MiB. */
static gboolean
ppQemuBuildNumaCell(GPtrArray *args, xmlNodePtr cell, guint id, guint64 *total, GError **error)
{
    g_autoptr(PpQemuProps) mem = ppQemuPropsNew();
    g_autofree char *memdev = g_strdup_printf("ram-node%u", id);
    g_autofree char *cpus = ppXmlProp(cell, "cpus");
    g_auto(GStrv) ranges = g_strsplit(cpus ? cpus : "", ",", -1);
    g_autoptr(GString) node = g_string_new(NULL);
    guint64 size = 0;
    guint i;

    if (!ppQemuXmlSizeBytes(cell, "unit", "memory", "<numa><cell>", &size, error))
        return FALSE;
    size = (size + PP_QEMU_MIB - 1) & ~(PP_QEMU_MIB - 1);
    ppQemuPropsAddStr(mem, "qom-type", "memory-backend-ram");
    ppQemuPropsAddStr(mem, "id", memdev);
    ppQemuPropsAddUInt(mem, "size", size);
    g_string_printf(node, "node,nodeid=%u", id);
    for (i = 0; ranges[i]; i++) {
        if (*ranges[i])
            g_string_append_printf(node, ",cpus=%s", ranges[i]);
    }
    g_string_append_printf(node, ",memdev=%s", memdev);
    ppQemuArgs(args, "-object", ppQemuPropsFormat(mem));
    ppQemuArgs(args, "-numa", g_strdup(node->str));
    *total += size;
    return TRUE;
}

/* The NUMA options into @args, and the memory size in bytes: the sum of
 * the cells, which QEMU requires to equal -m, as libvirt makes it. */
static gboolean
ppQemuBuildNuma(PpQemuBuild *ctx, GPtrArray *args, guint64 *ret_total, GError **error)
{
    xmlNodePtr numa = ppXmlChild(ppXmlChild(ctx->root, "cpu"), "numa");
    guint64 total = 0;
    xmlNodePtr cell;
    guint i = 0;

    for (cell = numa ? numa->children : NULL; cell; cell = cell->next) {
        if (cell->type != XML_ELEMENT_NODE || !g_str_equal((const char *)cell->name, "cell"))
            continue;
        if (!ppQemuBuildNumaCell(args, cell, g_array_index(ctx->def->numaCells, guint, i++),
                                 &total, error))
            return FALSE;
    }
    if (i == 0)
        total = ctx->def->memoryKiB * 1024;
    if (total == 0) {
        g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                    _("The domain has no <memory>; give it one"));
        return FALSE;
    }
    *ret_total = total;
    return TRUE;
}

/* Direct kernel boot, as libvirt passes it. */
static void
ppQemuBuildKernel(PpQemuBuild *ctx)
{
    static const struct {
        const char *element;
        const char *option;
    } boot[] = {
        { "kernel", "-kernel" }, { "initrd", "-initrd" }, { "cmdline", "-append" },
        { "dtb", "-dtb" },
    };
    xmlNodePtr os = ppXmlChild(ctx->root, "os");
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(boot); i++) {
        char *value = ppXmlText(ppXmlChild(os, boot[i].element));

        if (value)
            ppQemuArgs(ctx->head, boot[i].option, value);
    }
}

static gboolean
ppQemuBuildHead(PpQemuBuild *ctx, GError **error)
{
    g_autofree char *name = ppQemuKeyvalEscape(ctx->def->name ? ctx->def->name : "guest");
    g_autoptr(GPtrArray) numa = g_ptr_array_new_with_free_func(g_free);
    guint64 memory = 0;
    guint i;

    g_ptr_array_add(ctx->head, ppQemuBuildEmulator(ctx));
    ppQemuArgs(ctx->head, "-name", g_strdup_printf("guest=%s", name));
    if (!ppQemuBuildMachine(ctx, error) || !ppQemuBuildNuma(ctx, numa, &memory, error))
        return FALSE;
    ppQemuArgs(ctx->head, "-accel", g_strdup("tcg"));
    ppQemuBuildCPU(ctx);
    ppQemuArgs(ctx->head, "-m", g_strdup_printf("%" G_GUINT64_FORMAT,
                                                (memory + PP_QEMU_MIB - 1) / PP_QEMU_MIB));
    if (!ppQemuBuildSMP(ctx, error))
        return FALSE;
    for (i = 0; i < numa->len; i++)
        g_ptr_array_add(ctx->head, g_strdup(g_ptr_array_index(numa, i)));
    ppQemuArgs(ctx->head, "-display", g_strdup("none"));
    ppQemuArgs(ctx->head, "-nodefaults", NULL);
    ppQemuBuildKernel(ctx);
    return TRUE;
}

/* ------------------------------------------------------------------ */
/* Devices, overrides, order                                           */

static gint
ppQemuUnitCompare(gconstpointer a, gconstpointer b)
{
    const PpQemuUnit *ua = *(const PpQemuUnit *const *)a;
    const PpQemuUnit *ub = *(const PpQemuUnit *const *)b;

    if (ua->rank != ub->rank)
        return ua->rank < ub->rank ? -1 : 1;
    if (ua->subrank != ub->subrank)
        return ua->subrank < ub->subrank ? -1 : 1;
    return ua->seq < ub->seq ? -1 : (ua->seq > ub->seq);
}

static PpQemuUnit *
ppQemuBuildFindUnit(const PpQemuBuild *ctx, const char *id)
{
    guint i;

    for (i = 0; i < ctx->units->len; i++) {
        PpQemuUnit *unit = g_ptr_array_index(ctx->units, i);
        const char *uid = ppQemuPropsGetStr(unit->device, "id");

        if (uid && g_str_equal(uid, id))
            return unit;
    }
    return NULL;
}

/* One <qemu:property> of <qemu:override>, as libvirt 9.0 applies it: the
 * property is removed and, unless type='remove', added again at the end. */
static gboolean
ppQemuApplyOverrideProperty(PpQemuProps *props, xmlNodePtr prop, GError **error)
{
    g_autofree char *name = ppXmlProp(prop, "name");
    g_autofree char *type = ppXmlProp(prop, "type");
    g_autofree char *value = ppXmlProp(prop, "value");
    char *end = NULL;

    if (!name || !type || (!value && !g_str_equal(type, "remove")))
        goto invalid;
    ppQemuPropsRemove(props, name);
    if (g_str_equal(type, "remove"))
        return TRUE;
    if (g_str_equal(type, "string")) {
        ppQemuPropsAddStr(props, name, value);
    } else if (g_str_equal(type, "bool") && (g_str_equal(value, "true") ||
                                             g_str_equal(value, "false"))) {
        ppQemuPropsAddBool(props, name, g_str_equal(value, "true"));
    } else if (g_str_equal(type, "unsigned") && g_ascii_isdigit(*value)) {
        guint64 num = g_ascii_strtoull(value, &end, 10);

        if (*end)
            goto invalid;
        ppQemuPropsAddUInt(props, name, num);
    } else if (g_str_equal(type, "signed") && *value) {
        gint64 num = g_ascii_strtoll(value, &end, 10);

        if (*end)
            goto invalid;
        ppQemuPropsAddInt(props, name, num);
    } else {
        goto invalid;
    }
    return TRUE;

 invalid:
    g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                _("Invalid <qemu:property name='%1$s' type='%2$s' value='%3$s'> in <qemu:override>"),
                name ? name : "", type ? type : "", value ? value : "");
    return FALSE;
}

static gboolean
ppQemuApplyOverrideDevice(PpQemuBuild *ctx, xmlNodePtr device, GError **error)
{
    g_autofree char *alias = ppXmlProp(device, "alias");
    PpQemuUnit *unit = alias ? ppQemuBuildFindUnit(ctx, alias) : NULL;
    xmlNodePtr frontend;
    xmlNodePtr prop;

    if (!unit) {
        g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                    _("<qemu:override> names the device alias '%1$s', which no device on the command line has"),
                    alias ? alias : "");
        return FALSE;
    }
    for (frontend = device->children; frontend; frontend = frontend->next) {
        if (frontend->type != XML_ELEMENT_NODE || !frontend->ns ||
            !g_str_equal((const char *)frontend->name, "frontend"))
            continue;
        for (prop = frontend->children; prop; prop = prop->next) {
            if (prop->type == XML_ELEMENT_NODE && prop->ns &&
                g_str_equal((const char *)prop->name, "property") &&
                !ppQemuApplyOverrideProperty(unit->device, prop, error))
                return FALSE;
        }
    }
    return TRUE;
}

/* The elements named @name in libvirt's QEMU namespace under <domain>,
 * and their element children. */
static GPtrArray *
ppQemuNamespaceChildren(const PpQemuBuild *ctx, const char *name)
{
    GPtrArray *found = g_ptr_array_new();
    xmlNodePtr cur;
    xmlNodePtr child;

    for (cur = ctx->root ? ctx->root->children : NULL; cur; cur = cur->next) {
        if (cur->type != XML_ELEMENT_NODE || !cur->ns || !cur->ns->href ||
            !g_str_equal((const char *)cur->ns->href, PP_QEMU_NAMESPACE) ||
            !g_str_equal((const char *)cur->name, name))
            continue;
        for (child = cur->children; child; child = child->next) {
            if (child->type == XML_ELEMENT_NODE && child->ns)
                g_ptr_array_add(found, child);
        }
    }
    return found;
}

/*
 * The planner's io-reserve=0 on root ports that need no I/O window, read
 * from the model: the written XML carries it as a <qemu:override> after
 * the user's, so it goes last, and not where the document already says
 * io-reserve (ioReserveKnown: its override was applied above).
 */
static void
ppQemuBuildPlannedIOReserve(PpQemuBuild *ctx)
{
    guint i;

    for (i = 0; i < ctx->units->len; i++) {
        PpQemuUnit *unit = g_ptr_array_index(ctx->units, i);

        if (!unit->dev || !unit->dev->ioReserveZero || unit->dev->ioReserveKnown ||
            !unit->dev->alias)
            continue;
        ppQemuPropsRemove(unit->device, "io-reserve");
        ppQemuPropsAddUInt(unit->device, "io-reserve", 0);
    }
}

/* <qemu:override> device properties and <qemu:commandline> arguments. */
static gboolean
ppQemuBuildNamespace(PpQemuBuild *ctx, GError **error)
{
    g_autoptr(GPtrArray) devices = ppQemuNamespaceChildren(ctx, "override");
    g_autoptr(GPtrArray) args = ppQemuNamespaceChildren(ctx, "commandline");
    guint i;

    for (i = 0; i < devices->len; i++) {
        xmlNodePtr node = g_ptr_array_index(devices, i);

        if (g_str_equal((const char *)node->name, "device") &&
            !ppQemuApplyOverrideDevice(ctx, node, error))
            return FALSE;
    }
    ppQemuBuildPlannedIOReserve(ctx);
    for (i = 0; i < args->len; i++) {
        xmlNodePtr node = g_ptr_array_index(args, i);
        char *value = ppXmlProp(node, "value");

        if (g_str_equal((const char *)node->name, "arg") && value)
            g_ptr_array_add(ctx->tail, value);
        else
            g_free(value);
    }
    return TRUE;
}

/* The units in realization order (qemu_order.h), starting from libvirt's
 * order of device kinds so that the line reads like libvirt's. */
static GArray *
ppQemuBuildOrderUnits(PpQemuBuild *ctx, GError **error)
{
    g_autoptr(GArray) specs = g_array_sized_new(FALSE, TRUE, sizeof(PpQemuDeviceSpec),
                                                 ctx->units->len);
    GArray *order = NULL;
    guint i;

    g_ptr_array_sort(ctx->units, ppQemuUnitCompare);
    for (i = 0; i < ctx->units->len; i++) {
        const PpQemuUnit *unit = g_ptr_array_index(ctx->units, i);
        PpQemuDeviceSpec spec = {
            (char *)ppQemuPropsGetStr(unit->device, "driver"),
            (char *)ppQemuPropsGetStr(unit->device, "id"),
            (char *)ppQemuPropsGetStr(unit->device, "bus"),
            (char *)ppQemuPropsGetStr(unit->device, "masterbus"),
        };

        g_array_append_val(specs, spec);
    }
    /* ->data, not &g_array_index(..., 0): an empty array has NULL data. */
    if (!ppQemuOrderDevices((const PpQemuDeviceSpec *)specs->data, specs->len, &order, NULL,
                            error))
        return NULL;
    return order;
}

static gboolean
ppQemuBuildDevices(PpQemuBuild *ctx, GError **error)
{
    guint i;

    for (i = 0; i < ctx->def->devices->len; i++) {
        if (!ppQemuBuildDevice(ctx, g_ptr_array_index(ctx->def->devices, i), error))
            return FALSE;
    }
    if (ctx->needAudiodev)
        ppQemuArgs(ctx->head, "-audiodev", g_strdup("{\"id\":\"audio1\",\"driver\":\"none\"}"));
    return TRUE;
}

static char **
ppQemuBuildArgv(PpQemuBuild *ctx, const GArray *order)
{
    GPtrArray *argv = g_ptr_array_new();
    guint i;
    guint k;

    for (i = 0; i < ctx->head->len; i++)
        g_ptr_array_add(argv, g_strdup(g_ptr_array_index(ctx->head, i)));
    for (i = 0; i < order->len; i++) {
        const PpQemuUnit *unit = g_ptr_array_index(ctx->units, g_array_index(order, guint, i));

        for (k = 0; k < unit->backends->len; k++)
            g_ptr_array_add(argv, g_strdup(g_ptr_array_index(unit->backends, k)));
        g_ptr_array_add(argv, g_strdup("-device"));
        g_ptr_array_add(argv, ppQemuPropsFormat(unit->device));
    }
    for (i = 0; i < ctx->tail->len; i++)
        g_ptr_array_add(argv, g_strdup(g_ptr_array_index(ctx->tail, i)));
    g_ptr_array_add(argv, NULL);
    return (char **)g_ptr_array_free(argv, FALSE);
}

char **
ppQemuBuildCommandLine(const PpDomainDef *def, GPtrArray **ret_skipped, GError **error)
{
    g_autoptr(PpQemuBuild) ctx = NULL;
    g_autoptr(GArray) order = NULL;

    g_return_val_if_fail(def != NULL, NULL);
    /* The command line is QEMU 7.2's: only its machine types start. */
    if (!ppQemuMachineLookup(def->arch, def->machine, error) ||
        !(ctx = ppQemuBuildNew(def, error)) ||
        !ppQemuValidateBuild(ctx, error) ||
        !ppQemuBuildHead(ctx, error) ||
        !ppQemuBuildDevices(ctx, error) ||
        !ppQemuBuildNamespace(ctx, error) ||
        !(order = ppQemuBuildOrderUnits(ctx, error)))
        return NULL;
    if (ret_skipped)
        *ret_skipped = g_steal_pointer(&ctx->skipped);
    return ppQemuBuildArgv(ctx, order);
}

gboolean
ppQemuValidatePlanned(const PpDomainDef *def, GError **error)
{
    g_autoptr(PpQemuBuild) ctx = NULL;

    g_return_val_if_fail(def != NULL, FALSE);
    return (ctx = ppQemuBuildNew(def, error)) && ppQemuValidateRefused(ctx, error);
}

gboolean
ppQemuValidateTopology(const PpDomainDef *def, GError **error)
{
    g_autoptr(PpQemuBuild) ctx = NULL;

    g_return_val_if_fail(def != NULL, FALSE);
    /* Some rules need the device's QEMU driver, which only building tells. */
    return (ctx = ppQemuBuildNew(def, error)) && ppQemuValidateBuild(ctx, error) &&
           ppQemuBuildDevices(ctx, error);
}

char **
ppQemuBuildPlannedCommandLine(PpDomainDef *def,
                              const PpPlanOptions *opts,
                              GPtrArray **ret_skipped,
                              GError **error)
{
    if (!ppQemuDomainPlan(def, opts, NULL, error))
        return NULL;
    return ppQemuBuildCommandLine(def, ret_skipped, error);
}
