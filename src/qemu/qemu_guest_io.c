/*
 * qemu_guest_io.c: which PCI bridges a Linux guest leaves without an I/O
 * window
 *
 * Measured on QEMU 7.2 with Debian 12's kernel 6.1 (tests/guesttest.c,
 * docs/guest-truth.md):
 *
 * - Linux sizes the I/O window of every hot-pluggable PCIe port itself,
 *   adding 256 bytes for hot-plug (pci_hotplug_io_size) and rounding up
 *   to 4 KiB, whether or not QEMU's io-reserve=0 hint is there: only the
 *   firmware reads that hint. An empty root port wants one window, a root
 *   port holding a switch with four downstream ports wants five.
 * - What the firmware assigned (windows of bridges whose devices have I/O
 *   BARs, and every SHPC bridge's) is kept; the rest comes out of the root
 *   bus's I/O space: 0x1000-0xffff, less the 4 KiB block of the root-bus
 *   devices' own I/O BARs (SATA and SMBus on q35, IDE on pc): 14 windows
 *   on x86, 15 on aarch64. A pcie-expander-bus only gets the I/O its
 *   devices need from the firmware, so its ports get nothing for hot-plug.
 * - The ports compete first come, first served, each for all the windows
 *   it wants. With firmware, the kernel tries twice and logs both: first
 *   in address order, then in reverse address order, which decides.
 *   Without firmware (aarch64 -kernel) it tries once, in address order. A
 *   port that fails for good takes the ports of its switch with it.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "qemu_guest_io.h"
#include "domain_addr.h"

#include <string.h>

/* 4 KiB I/O windows between 0x1000 and 0xffff. */
#define PP_GUEST_IO_WINDOWS 15
/* Linux's pci_hotplug_io_size. */
#define PP_GUEST_IO_HOTPLUG_BYTES 256
/* Enough for any emulated device's I/O BARs (e1000: 64, AHCI: 32). */
#define PP_GUEST_IO_DEVICE_BYTES 64

typedef struct {
    const PpDeviceDef *ctrl; /* the bridge providing this bus */
    GPtrArray *bridges;      /* child bridges (PpDeviceDef), by address */
    guint ioDevices;         /* devices on this bus with I/O BARs */
    gboolean needsIO;        /* the subtree has devices with I/O BARs */
    gboolean fwSized;        /* the firmware assigns this window */
    guint units;             /* 4 KiB windows this bridge takes */
    gboolean wants;          /* the kernel wants a window for it */
} PpGuestIOBus;

typedef struct {
    const PpDomainDef *def;
    const PpQemuMachine *machine;
    gboolean firmware;
    PpGuestIOBus buses[PP_PCI_MAX_BUSES];
    PpQemuGuestIO *ret;
} PpGuestIOCtx;

static gboolean
ppGuestStrEq(const char *a, const char *b)
{
    return a && b && g_str_equal(a, b);
}

static gboolean
ppGuestIsPCIController(const PpDeviceDef *dev)
{
    return dev->kind == PP_DEVICE_CONTROLLER && ppGuestStrEq(dev->type, "pci") &&
           dev->ctrl.index >= 0 && dev->ctrl.index < PP_PCI_MAX_BUSES;
}

static gboolean
ppGuestBusIsPCIe(const PpDeviceDef *ctrl)
{
    return ctrl && (ctrl->ctrl.pciModel == PP_CONTROLLER_MODEL_PCIE_ROOT_PORT ||
                    ctrl->ctrl.pciModel == PP_CONTROLLER_MODEL_PCIE_SWITCH_DOWNSTREAM_PORT);
}

/* Ports Linux reserves hot-plug space on. */
static gboolean
ppGuestIsHotplugPort(const PpDeviceDef *ctrl)
{
    return ppGuestBusIsPCIe(ctrl) && ctrl->ctrl.hotplug != PP_TRISTATE_NO;
}

/* SHPC bridges get an I/O window from SeaBIOS and OVMF even when empty. */
static gboolean
ppGuestIsSHPCBridge(const PpDeviceDef *ctrl)
{
    return ctrl->ctrl.pciModel == PP_CONTROLLER_MODEL_PCI_BRIDGE ||
           ctrl->ctrl.pciModel == PP_CONTROLLER_MODEL_PCIE_TO_PCI_BRIDGE;
}

static gboolean
ppGuestIsExpander(const PpDeviceDef *ctrl)
{
    return ctrl->ctrl.pciModel == PP_CONTROLLER_MODEL_PCIE_EXPANDER_BUS ||
           ctrl->ctrl.pciModel == PP_CONTROLLER_MODEL_PCI_EXPANDER_BUS;
}

static gboolean
ppGuestIsRoot(const PpDeviceDef *ctrl)
{
    return ctrl->ctrl.pciModel == PP_CONTROLLER_MODEL_PCIE_ROOT ||
           ctrl->ctrl.pciModel == PP_CONTROLLER_MODEL_PCI_ROOT;
}

static guint
ppGuestWindows(guint64 bytes)
{
    return (guint)((bytes + 4095) / 4096);
}

/* Bottom-up: how many 4 KiB windows the bridge of bus @idx takes, and who
 * assigns them. Children always have a bus of their own (no cycles: the
 * planner refuses them; a bus seen twice is skipped). */
static void
ppGuestIOSize(PpGuestIOCtx *ctx, guint idx, guint depth)
{
    PpGuestIOBus *bus = &ctx->buses[idx];
    guint64 fwBytes = 0;
    guint64 kernelBytes = 0;
    guint i;

    if (depth > PP_PCI_MAX_BUSES)
        return;
    for (i = 0; i < bus->bridges->len; i++) {
        const PpDeviceDef *child = g_ptr_array_index(bus->bridges, i);
        PpGuestIOBus *cb = &ctx->buses[child->ctrl.index];

        ppGuestIOSize(ctx, child->ctrl.index, depth + 1);
        bus->needsIO |= cb->needsIO;
        if (cb->fwSized)
            fwBytes += (guint64)cb->units * 4096;
        else if (cb->wants)
            kernelBytes += (guint64)cb->units * 4096;
    }
    bus->needsIO |= bus->ioDevices > 0;
    fwBytes += (guint64)bus->ioDevices * PP_GUEST_IO_DEVICE_BYTES;
    if (!bus->ctrl || ppGuestIsExpander(bus->ctrl) || ppGuestIsRoot(bus->ctrl))
        return;
    if (ctx->firmware && (bus->needsIO || ppGuestIsSHPCBridge(bus->ctrl))) {
        /* The firmware packs the window tight; Linux keeps it. */
        bus->fwSized = TRUE;
        bus->units = MAX(1, ppGuestWindows(fwBytes));
        bus->wants = TRUE;
        return;
    }
    if (ppGuestIsHotplugPort(bus->ctrl))
        kernelBytes += PP_GUEST_IO_HOTPLUG_BYTES;
    kernelBytes += fwBytes;
    bus->units = ppGuestWindows(kernelBytes);
    bus->wants = bus->units > 0;
}

/* Add the bridge of bus @idx and those below it that wanted a window. */
static void
ppGuestIOAddSubtree(PpGuestIOCtx *ctx, guint idx, GPtrArray *to, guint depth)
{
    const PpGuestIOBus *bus = &ctx->buses[idx];
    guint i;

    if (depth > PP_PCI_MAX_BUSES || !bus->wants)
        return;
    g_ptr_array_add(to, (gpointer)bus->ctrl);
    for (i = 0; i < bus->bridges->len; i++)
        ppGuestIOAddSubtree(ctx, ((const PpDeviceDef *)g_ptr_array_index(bus->bridges, i))->ctrl.index,
                            to, depth + 1);
}

static gint
ppGuestCompareAddr(gconstpointer a, gconstpointer b)
{
    const PpDeviceDef *da = *(const PpDeviceDef *const *)a;
    const PpDeviceDef *db = *(const PpDeviceDef *const *)b;
    guint ka = (da->addr.pci.slot << 3) | da->addr.pci.function;
    guint kb = (db->addr.pci.slot << 3) | db->addr.pci.function;

    return ka < kb ? -1 : ka > kb;
}

static gint
ppGuestCompareBusAddr(gconstpointer a, gconstpointer b)
{
    const PpDeviceDef *da = *(const PpDeviceDef *const *)a;
    const PpDeviceDef *db = *(const PpDeviceDef *const *)b;

    if (da->addr.pci.bus != db->addr.pci.bus)
        return da->addr.pci.bus < db->addr.pci.bus ? -1 : 1;
    return ppGuestCompareAddr(a, b);
}

/* First fit of @items into @avail windows; returns those that failed. */
static GPtrArray *
ppGuestIOFirstFit(const PpGuestIOCtx *ctx, GPtrArray *items, guint avail)
{
    GPtrArray *failed = g_ptr_array_new();
    guint i;

    for (i = 0; i < items->len; i++) {
        const PpDeviceDef *b = g_ptr_array_index(items, i);
        guint units = ctx->buses[b->ctrl.index].units;

        if (units <= avail)
            avail -= units;
        else
            g_ptr_array_add(failed, (gpointer)b);
    }
    return failed;
}

/* The ports on root bus @root that the kernel sizes itself compete for
 * what the firmware left of @budget. */
static void
ppGuestIOAssignRoot(PpGuestIOCtx *ctx, guint root, guint budget)
{
    const PpGuestIOBus *bus = &ctx->buses[root];
    g_autoptr(GPtrArray) items = g_ptr_array_new();
    g_autoptr(GPtrArray) wanting = g_ptr_array_new();
    g_autoptr(GPtrArray) first = NULL;
    g_autoptr(GPtrArray) final = NULL;
    guint fw = 0;
    guint i;

    for (i = 0; i < bus->bridges->len; i++) {
        const PpDeviceDef *b = g_ptr_array_index(bus->bridges, i);
        const PpGuestIOBus *cb = &ctx->buses[b->ctrl.index];

        if (cb->fwSized)
            fw += cb->units;
        else if (cb->wants)
            g_ptr_array_add(items, (gpointer)b);
        ppGuestIOAddSubtree(ctx, b->ctrl.index, wanting, 0);
    }
    ctx->ret->wanted += wanting->len;
    if (root == 0)
        ctx->ret->budget = budget;
    budget = budget > fw ? budget - fw : 0;
    first = ppGuestIOFirstFit(ctx, items, budget);
    if (ctx->firmware) {
        for (i = 0; i < first->len; i++)
            g_ptr_array_add(ctx->ret->logged, g_ptr_array_index(first, i));
        /* the second pass goes the other way round */
        for (i = 0; i < items->len / 2; i++) {
            gpointer t = items->pdata[i];

            items->pdata[i] = items->pdata[items->len - 1 - i];
            items->pdata[items->len - 1 - i] = t;
        }
        final = ppGuestIOFirstFit(ctx, items, budget);
    } else {
        final = g_steal_pointer(&first);
    }
    for (i = 0; i < final->len; i++) {
        const PpDeviceDef *b = g_ptr_array_index(final, i);
        guint j;

        ppGuestIOAddSubtree(ctx, b->ctrl.index, ctx->ret->unassigned, 0);
        for (j = 0; j < ctx->ret->unassigned->len; j++) {
            const PpDeviceDef *d = g_ptr_array_index(ctx->ret->unassigned, j);

            if (!g_ptr_array_find(ctx->ret->logged, d, NULL))
                g_ptr_array_add(ctx->ret->logged, (gpointer)d);
            if (ctx->buses[d->ctrl.index].needsIO && !g_ptr_array_find(ctx->ret->starved, d, NULL))
                g_ptr_array_add(ctx->ret->starved, (gpointer)d);
        }
    }
}

static const char *
ppGuestFirmware(const PpDomainDef *def, const PpQemuMachine *machine)
{
    switch (machine->kind) {
    case PP_QEMU_MACHINE_Q35:
    case PP_QEMU_MACHINE_I440FX:
        return def->firmware == PP_FIRMWARE_EFI ? "OVMF" : "SeaBIOS";
    case PP_QEMU_MACHINE_ARM_VIRT:
        if (def->firmware == PP_FIRMWARE_EFI || def->loader)
            return "AAVMF";
        return "none";
    case PP_QEMU_MACHINE_RISCV_VIRT:
    case PP_QEMU_MACHINE_LAST:
        break;
    }
    /* OpenSBI and U-Boot leave PCI to the kernel. */
    return "none";
}

static void
ppGuestIOCollect(PpGuestIOCtx *ctx)
{
    const PpDomainDef *def = ctx->def;
    guint i;

    for (i = 0; i < PP_PCI_MAX_BUSES; i++)
        ctx->buses[i].bridges = g_ptr_array_new();
    for (i = 0; i < def->devices->len; i++) {
        const PpDeviceDef *dev = g_ptr_array_index(def->devices, i);

        if (ppGuestIsPCIController(dev))
            ctx->buses[dev->ctrl.index].ctrl = dev;
    }
    for (i = 0; i < def->devices->len; i++) {
        const PpDeviceDef *dev = g_ptr_array_index(def->devices, i);
        guint bus = dev->addr.pci.bus;

        if (dev->addr.type != PP_ADDRESS_PCI || bus >= PP_PCI_MAX_BUSES)
            continue;
        if (ppGuestIsPCIController(dev) && (guint)dev->ctrl.index != bus)
            g_ptr_array_add(ctx->buses[bus].bridges, (gpointer)dev);
        else if (!ppGuestIsPCIController(dev) &&
                 ppQemuDeviceNeedsIO(ctx->machine, dev,
                                     ctx->buses[bus].ctrl ? ctx->buses[bus].ctrl->ctrl.pciModel
                                                          : PP_CONTROLLER_MODEL_PCIE_ROOT))
            ctx->buses[bus].ioDevices++;
    }
    for (i = 0; i < PP_PCI_MAX_BUSES; i++)
        g_ptr_array_sort(ctx->buses[i].bridges, ppGuestCompareAddr);
}

void
ppQemuGuestIOClear(PpQemuGuestIO *io)
{
    g_clear_pointer(&io->logged, g_ptr_array_unref);
    g_clear_pointer(&io->unassigned, g_ptr_array_unref);
    g_clear_pointer(&io->starved, g_ptr_array_unref);
}

void
ppQemuPredictIOWindowFailures(const PpDomainDef *def, const PpPlan *plan, PpQemuGuestIO *ret)
{
    g_autofree PpGuestIOCtx *ctx = g_new0(PpGuestIOCtx, 1);
    const PpQemuMachine *machine = plan ? plan->machine : ppQemuMachineFromDef(def, NULL);
    guint mainBudget = PP_GUEST_IO_WINDOWS;
    guint i;

    memset(ret, 0, sizeof(*ret));
    ret->logged = g_ptr_array_new();
    ret->unassigned = g_ptr_array_new();
    ret->starved = g_ptr_array_new();
    ret->firmware = "none";
    if (!machine)
        return;
    ret->firmware = ppGuestFirmware(def, machine);
    ctx->def = def;
    ctx->machine = machine;
    ctx->ret = ret;
    ctx->firmware = !g_str_equal(ret->firmware, "none");
    ppGuestIOCollect(ctx);

    /* Bus 0 is the root bus (libvirt: index 0 is pci-root or pcie-root). */
    ppGuestIOSize(ctx, 0, 0);
    /* q35's SATA and SMBus and pc's IDE always have I/O BARs on the root
     * bus; anywhere, so does a transitional virtio device there. */
    if (machine->kind == PP_QEMU_MACHINE_Q35 || machine->kind == PP_QEMU_MACHINE_I440FX ||
        ctx->buses[0].ioDevices)
        mainBudget--;

    /* Expander buses first: the firmware carves their I/O (only what
     * their devices need) out of the main root bus's. Without firmware,
     * nothing describes them to the kernel (no ACPI): skipped. */
    for (i = 1; i < PP_PCI_MAX_BUSES && ctx->firmware; i++) {
        const PpDeviceDef *ctrl = ctx->buses[i].ctrl;
        guint fw = 0;
        guint j;

        if (!ctrl || !ppGuestIsExpander(ctrl))
            continue;
        for (j = 0; j < ctx->buses[i].bridges->len; j++) {
            const PpDeviceDef *port = g_ptr_array_index(ctx->buses[i].bridges, j);

            if (ctx->buses[port->ctrl.index].fwSized)
                fw += ctx->buses[port->ctrl.index].units;
        }
        ppGuestIOAssignRoot(ctx, i, fw);
        mainBudget = mainBudget > fw ? mainBudget - fw : 0;
    }
    ppGuestIOAssignRoot(ctx, 0, mainBudget);
    g_ptr_array_sort(ret->logged, ppGuestCompareBusAddr);
    g_ptr_array_sort(ret->unassigned, ppGuestCompareBusAddr);
    g_ptr_array_sort(ret->starved, ppGuestCompareBusAddr);

    for (i = 0; i < PP_PCI_MAX_BUSES; i++)
        g_clear_pointer(&ctx->buses[i].bridges, g_ptr_array_unref);
}
