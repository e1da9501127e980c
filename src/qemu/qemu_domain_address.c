/*
 * qemu_domain_address.c: the planner entry point and the placement order
 *
 * QEMU's placement policy is spread over the qemu_domain_address family:
 * qemu_machine.c (machine types), qemu_device_connect.c (how each device
 * plugs in), qemu_domain_implicit.c (what libvirt adds and refuses on
 * define), qemu_domain_hints.c, qemu_virtio_mmio.c, qemu_io_budget.c. This
 * file runs them in order and feeds src/conf's placer, which does the
 * placement with these as data.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "qemu_domain_addresspriv.h"
#include "domain_place.h"
#include "pperror.h"

/* ------------------------------------------------------------------ */
/* Placement order and the plan itself                                 */

/*
 * libvirt's qemuDomainAssignDevicePCISlots order, so that a domain planned
 * here looks like one libvirt would have addressed: filesystems, NICs,
 * sound, controllers, disks, host devices, balloon, RNG, watchdog, video,
 * shared memory, input, serial, IOMMU, vsock, memory, crypto, panic.
 */
static guint
ppQemuPlaceRank(const PpDeviceDef *dev)
{
    switch (dev->kind) {
    case PP_DEVICE_FILESYSTEM:
        return 0;
    case PP_DEVICE_INTERFACE:
        return 1;
    case PP_DEVICE_SOUND:
        return 2;
    case PP_DEVICE_CONTROLLER:
        return 3;
    case PP_DEVICE_DISK:
        return 4;
    case PP_DEVICE_HOSTDEV:
        return 5;
    case PP_DEVICE_MEMBALLOON:
        return 6;
    case PP_DEVICE_RNG:
        return 7;
    case PP_DEVICE_WATCHDOG:
        return 8;
    case PP_DEVICE_VIDEO:
        return 9;
    case PP_DEVICE_SHMEM:
        return 10;
    case PP_DEVICE_INPUT:
        return 11;
    case PP_DEVICE_SERIAL:
        return 12;
    case PP_DEVICE_IOMMU:
        return 13;
    case PP_DEVICE_VSOCK:
        return 14;
    case PP_DEVICE_MEMORY:
        return 15;
    case PP_DEVICE_CRYPTO:
        return 16;
    case PP_DEVICE_PANIC:
        return 17;
    case PP_DEVICE_CONSOLE:
    case PP_DEVICE_PARALLEL:
    case PP_DEVICE_CHANNEL:
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
    return 18;
}
#define PP_QEMU_PLACE_RANKS 19

typedef struct {
    PpDomainDef *def;
    const PpQemuMachine *machine;
    gboolean hasPCIeToPCIBridge;
    guint spareSlots;        /* PpPlanOptions.spareSlots */
    PpPlan *plan;
    PpPlacer *placer;
    GPtrArray *ranks[PP_QEMU_PLACE_RANKS]; /* devices to place, by rank */
    GHashTable *flags;                     /* PpDeviceDef * -> connect flags */
} PpQemuPlanCtx;

static void
ppQemuPlanCtxClear(PpQemuPlanCtx *ctx)
{
    guint i;

    for (i = 0; i < PP_QEMU_PLACE_RANKS; i++)
        g_clear_pointer(&ctx->ranks[i], g_ptr_array_unref);
    g_clear_pointer(&ctx->flags, g_hash_table_unref);
    g_clear_pointer(&ctx->placer, ppPlacerFree);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(PpQemuPlanCtx, ppQemuPlanCtxClear);

static gboolean
ppQemuUnplaceableHint(const PpDeviceDef *dev, GError **error)
{
    g_autofree char *what = ppDeviceDefDescribe(dev);

    g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                _("%1$s has a hotpluggable, preferredConnection, numaNode or p2pGroup hint, but it takes no PCI slot (its address is '%2$s'), so the hint cannot be honoured; remove the hint"),
                what, ppAddressTypeToString(dev->addr.type));
    return FALSE;
}

/*
 * A <console> that repeats the PCI address of a serial port is that serial
 * port (libvirt writes the first serial port again as the console): one
 * device, not two on one address.
 */
static gboolean
ppQemuConsoleShadowsSerial(const PpDomainDef *def, const PpDeviceDef *console)
{
    guint i;

    if (console->kind != PP_DEVICE_CONSOLE)
        return FALSE;
    for (i = 0; i < def->devices->len; i++) {
        const PpDeviceDef *dev = g_ptr_array_index(def->devices, i);

        if (dev->kind == PP_DEVICE_SERIAL && dev->addr.type == PP_ADDRESS_PCI &&
            memcmp(&dev->addr.pci, &console->addr.pci, sizeof(PpPCIAddress)) == 0)
            return TRUE;
    }
    return FALSE;
}

/*
 * The root-bus functions each machine's chipset owns whatever the XML says
 * (QEMU creates them with the machine); libvirt 9.0 refuses a device
 * there ("Attempted double use of PCI Address"), and QEMU refuses pc's
 * IDE function. One table per machine: the placer reserves them before
 * anything is placed, and a user's address on one is refused here.
 * Measured by defining an e1000 on each function through the embedded
 * driver (docs/libvirt.md).
 */
static const struct {
    PpQemuMachineKind machine;
    guint slot;
    guint function;
    const char *what;        /* the chipset function, for messages */
    const char *ownerType;   /* the controller type that may sit here, or NULL */
} ppQemuChipsetFunctions[] = {
    { PP_QEMU_MACHINE_Q35, 0x1f, 0, N_("the ICH9 LPC bridge"), NULL },
    { PP_QEMU_MACHINE_Q35, 0x1f, 2, N_("the ICH9 SATA controller"), "sata" },
    { PP_QEMU_MACHINE_Q35, 0x1f, 3, N_("the ICH9 SMBus controller"), NULL },
    { PP_QEMU_MACHINE_I440FX, 1, 0, N_("the PIIX3 ISA bridge"), NULL },
    { PP_QEMU_MACHINE_I440FX, 1, 1, N_("the PIIX3 IDE controller"), "ide" },
    { PP_QEMU_MACHINE_I440FX, 1, 3, N_("the PIIX3 ACPI/PM function"), NULL },
};

static gboolean
ppQemuCheckChipsetAddress(const PpQemuMachine *machine, const PpDeviceDef *dev, GError **error)
{
    const PpPCIAddress *addr = &dev->addr.pci;
    size_t i;

    if (addr->bus != 0)
        return TRUE;
    for (i = 0; i < G_N_ELEMENTS(ppQemuChipsetFunctions); i++) {
        g_autofree char *what = NULL;
        g_autofree char *where = NULL;

        if (ppQemuChipsetFunctions[i].machine != machine->kind ||
            ppQemuChipsetFunctions[i].slot != addr->slot ||
            ppQemuChipsetFunctions[i].function != addr->function)
            continue;
        if (ppQemuChipsetFunctions[i].ownerType && dev->kind == PP_DEVICE_CONTROLLER &&
            ppStrEq(dev->type, ppQemuChipsetFunctions[i].ownerType) && dev->ctrl.index <= 0)
            return TRUE;
        what = ppDeviceDefDescribe(dev);
        where = ppPCIAddressFormat(addr);
        g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                    _("%1$s has the PCI address %2$s, where machine type '%3$s' has %4$s; libvirt and QEMU refuse a device there: remove the address or choose another slot"),
                    what, where, machine->family, _(ppQemuChipsetFunctions[i].what));
        return FALSE;
    }
    return TRUE;
}

/* collect: the domain's buses, the chipset's functions, users' addresses. */
static gboolean
ppQemuPlanCollect(PpQemuPlanCtx *ctx, GError **error)
{
    guint i;

    if (!ppPlacerCollectControllers(ctx->placer, error))
        return FALSE;
    for (i = 0; i < ctx->def->devices->len; i++) {
        PpDeviceDef *dev = g_ptr_array_index(ctx->def->devices, i);
        PpPCIConnectFlags flags = ppQemuDeviceConnectFlags(ctx->machine, dev);

        if (dev->addr.type != PP_ADDRESS_PCI || ppPCIAddressIsEmpty(&dev->addr.pci) ||
            ppQemuConsoleShadowsSerial(ctx->def, dev))
            continue;
        if (!ppQemuCheckChipsetAddress(ctx->machine, dev, error))
            return FALSE;
        /* A device we do not know as PCI but which the user addressed:
         * trust the user, as libvirt does. */
        if (!flags)
            flags = PP_PCI_CONNECT_TYPES_ENDPOINT;
        if (dev->hints.hotpluggable == PP_TRISTATE_YES)
            flags |= PP_PCI_CONNECT_HOTPLUGGABLE;
        if (!ppPlacerReserveExplicit(ctx->placer, dev, flags, error))
            return FALSE;
    }
    /* The chipset's functions (no user address is on one, see above);
     * q35's SATA function is kept for its controller by ppQemuPlanFixed. */
    for (i = 0; i < G_N_ELEMENTS(ppQemuChipsetFunctions); i++) {
        if (ppQemuChipsetFunctions[i].machine == ctx->machine->kind &&
            !(ppQemuChipsetFunctions[i].ownerType &&
              g_str_equal(ppQemuChipsetFunctions[i].ownerType, "sata")))
            ppPlacerReserveChipset(ctx->placer, ppQemuChipsetFunctions[i].slot,
                                   ppQemuChipsetFunctions[i].function);
    }
    ppPlacerCollectDone(ctx->placer);
    return TRUE;
}

/* size: every device still without a PCI address, sorted by rank. */
static gboolean
ppQemuPlanSize(PpQemuPlanCtx *ctx, guint spares, GError **error)
{
    guint i;

    for (i = 0; i < PP_QEMU_PLACE_RANKS; i++)
        ctx->ranks[i] = g_ptr_array_new();
    ctx->flags = g_hash_table_new(g_direct_hash, g_direct_equal);

    for (i = 0; i < ctx->def->devices->len; i++) {
        PpDeviceDef *dev = g_ptr_array_index(ctx->def->devices, i);
        PpPCIConnectFlags flags;
        gboolean wanted = dev->addr.type == PP_ADDRESS_NONE ||
                          (dev->addr.type == PP_ADDRESS_PCI && ppPCIAddressIsEmpty(&dev->addr.pci));

        if (dev->kind == PP_DEVICE_CONTROLLER && ppStrEq(dev->type, "pci")) {
            if (ppDeviceHintsPresent(&dev->hints))
                return ppQemuUnplaceableHint(dev, error);
            continue;
        }
        flags = ppQemuDeviceConnectFlags(ctx->machine, dev);
        if (!wanted || !flags) {
            if (ppDeviceHintsPresent(&dev->hints) && dev->addr.type != PP_ADDRESS_PCI &&
                dev->addr.type != PP_ADDRESS_VIRTIO_MMIO)
                return ppQemuUnplaceableHint(dev, error);
            if (dev->addr.type == PP_ADDRESS_PCI && !flags &&
                !ppQemuConsoleShadowsSerial(ctx->def, dev)) {
                g_autofree char *what = ppDeviceDefDescribe(dev);

                g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                            _("%1$s asks for a PCI address, but it is not a PCI device on machine type '%2$s'"),
                            what, ctx->machine->family);
                return FALSE;
            }
            continue;
        }
        if (!ppQemuDeviceApplyHints(ctx->def, ctx->machine, ctx->hasPCIeToPCIBridge, dev, &flags, error))
            return FALSE;
        g_hash_table_insert(ctx->flags, dev, GUINT_TO_POINTER(flags));
        g_ptr_array_add(ctx->ranks[ppQemuPlaceRank(dev)], dev);
        ppPlacerSizeEndpoint(ctx->placer, dev, flags);
    }
    ppPlacerSizeSpares(ctx->placer, spares);
    return TRUE;
}

/* The function of each ICH9 USB2 controller in its shared slot. */
static int
ppQemuUSBCompanionFunction(const PpDeviceDef *dev)
{
    static const char *const models[] = { "ich9-uhci1", "ich9-uhci2", "ich9-uhci3" };
    size_t i;

    if (dev->kind != PP_DEVICE_CONTROLLER || !ppStrEq(dev->type, "usb") || !dev->model)
        return -1;
    if (g_str_equal(dev->model, "ich9-ehci1"))
        return 7;
    for (i = 0; i < G_N_ELEMENTS(models); i++) {
        if (g_str_equal(dev->model, models[i]))
            return i;
    }
    return -1;
}

/*
 * USB controllers without an index get one as libvirt 9.0 gives it (its
 * autoindex test): an EHCI or UHCI companion joins the group before it
 * unless that group already has its model; anything else starts a new
 * group at the lowest unused index. The index is written out, as the
 * command line's companions (masterbus=usbN.0) depend on it.
 */
static void
ppQemuAssignUSBIndexes(PpDomainDef *def)
{
    gboolean used[PP_PCI_MAX_BUSES] = { FALSE };
    guint8 groupModels = 0; /* functions of the current group, as a bitmap */
    int current = -1;
    int next = 0;
    guint i;

    for (i = 0; i < def->devices->len; i++) {
        const PpDeviceDef *dev = g_ptr_array_index(def->devices, i);

        if (dev->kind == PP_DEVICE_CONTROLLER && ppStrEq(dev->type, "usb") &&
            dev->ctrl.index >= 0 && dev->ctrl.index < PP_PCI_MAX_BUSES)
            used[dev->ctrl.index] = TRUE;
    }
    for (i = 0; i < def->devices->len; i++) {
        PpDeviceDef *dev = g_ptr_array_index(def->devices, i);
        int fn = ppQemuUSBCompanionFunction(dev);

        if (dev->kind != PP_DEVICE_CONTROLLER || !ppStrEq(dev->type, "usb") ||
            dev->ctrl.index >= 0 || dev->added)
            continue;
        if (fn < 0 || current < 0 || (groupModels & (1u << fn))) {
            while (next < PP_PCI_MAX_BUSES - 1 && used[next])
                next++;
            current = next;
            used[next] = TRUE;
            groupModels = 0;
        }
        if (fn >= 0)
            groupModels |= 1u << fn;
        else
            current = -1;
        dev->ctrl.index = current >= 0 ? current : next;
        dev->indexAdded = TRUE;
    }
}

/*
 * A USB2 EHCI controller and its UHCI companions (same index) share one
 * slot as on real ICH9: EHCI at function 7, UHCI1-3 at 0-2. On q35 the
 * first two such groups go where ICH9 has them, 00:1d and 00:1a, as
 * libvirt puts them.
 */
static gboolean
ppQemuPlanUSBCompanions(PpQemuPlanCtx *ctx, GError **error)
{
    static const guint ich9Slots[] = { 0x1d, 0x1a };
    g_autoptr(GHashTable) groups = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL,
                                                         (GDestroyNotify)g_ptr_array_unref);
    g_autoptr(GPtrArray) order = g_ptr_array_new();
    guint i;

    for (i = 0; i < ctx->def->devices->len; i++) {
        PpDeviceDef *dev = g_ptr_array_index(ctx->def->devices, i);
        GPtrArray *group;

        if (!g_hash_table_contains(ctx->flags, dev) || ppQemuUSBCompanionFunction(dev) < 0)
            continue;
        if (!(group = g_hash_table_lookup(groups, GINT_TO_POINTER(dev->ctrl.index)))) {
            group = g_ptr_array_new();
            g_hash_table_insert(groups, GINT_TO_POINTER(dev->ctrl.index), group);
            g_ptr_array_add(order, group);
        }
        g_ptr_array_add(group, dev);
    }
    for (i = 0; i < order->len; i++) {
        GPtrArray *group = g_ptr_array_index(order, i);
        guint functions[PP_PCI_FUNCTIONS];
        guint j;

        if (group->len > G_N_ELEMENTS(functions))
            continue;
        /* Two companions of one port are refused as the domain is read
         * (ppDomainDefCheckControllerIndexes). */
        for (j = 0; j < group->len; j++)
            functions[j] = ppQemuUSBCompanionFunction(g_ptr_array_index(group, j));
        /* An EHCI without UHCI companions is alone in its slot: at
         * function 0, where guests look first, not at ICH9's 7. */
        if (group->len == 1 && functions[0] == 7)
            functions[0] = 0;
        if (!ppPlacerPlaceGroup(ctx->placer, (PpDeviceDef **)group->pdata, functions, group->len,
                                ich9Slots + MIN(i, 2),
                                ctx->machine->kind == PP_QEMU_MACHINE_Q35 && i < 2 ? 2 - i : 0,
                                error))
            return FALSE;
        for (j = 0; j < group->len; j++)
            g_hash_table_remove(ctx->flags, g_ptr_array_index(group, j));
    }
    return TRUE;
}

/* Chipset rules that fix an address: where libvirt and real hardware put
 * these, if the user did not. */
static void
ppQemuPlanFixed(PpQemuPlanCtx *ctx)
{
    gboolean videoDone = FALSE;
    guint i;

    for (i = 0; i < ctx->def->devices->len; i++) {
        PpDeviceDef *dev = g_ptr_array_index(ctx->def->devices, i);
        gboolean placed = FALSE;

        if (!g_hash_table_contains(ctx->flags, dev))
            continue;
        if (ctx->machine->kind == PP_QEMU_MACHINE_Q35 && dev->kind == PP_DEVICE_CONTROLLER &&
            ppStrEq(dev->type, "sata") && dev->ctrl.index <= 0)
            placed = ppPlacerPlaceAt(ctx->placer, dev, 0x1f, 2);
        else if (ctx->machine->kind == PP_QEMU_MACHINE_I440FX &&
                 dev->kind == PP_DEVICE_CONTROLLER && dev->ctrl.index <= 0 &&
                 ppStrEq(dev->type, "usb") && (!dev->model || ppStrEq(dev->model, "piix3-uhci")))
            placed = ppPlacerPlaceAt(ctx->placer, dev, 1, 2);
        else if (ctx->machine->kind == PP_QEMU_MACHINE_I440FX &&
                 dev->kind == PP_DEVICE_CONTROLLER && ppStrEq(dev->type, "ide") &&
                 dev->ctrl.index <= 0)
        {
            /* The built-in PIIX3 IDE, reserved at 01.1 during collect. */
            ppPlacerAssignChipset(ctx->placer, dev, 1, 1);
            placed = TRUE;
        }
        else if (dev->kind == PP_DEVICE_VIDEO && !videoDone && ctx->machine->videoSlot >= 0 &&
                 dev->hints.preferredConnection == PP_CONNECTION_NONE) {
            videoDone = TRUE;
            placed = ppPlacerPlaceAt(ctx->placer, dev, ctx->machine->videoSlot, 0);
        }
        if (placed)
            g_hash_table_remove(ctx->flags, dev);
    }
    /* pc keeps 00:02.0 for a video device added later, as libvirt does. */
    if (ctx->machine->kind == PP_QEMU_MACHINE_I440FX && !videoDone)
        ppPlacerReserveChipset(ctx->placer, 2, 0);
}

static gint
ppQemuCompareControllerIndex(gconstpointer a, gconstpointer b)
{
    const PpDeviceDef *da = *(const PpDeviceDef *const *)a;
    const PpDeviceDef *db = *(const PpDeviceDef *const *)b;

    return da->ctrl.index - db->ctrl.index;
}

/* place: the user's unaddressed controllers by index, then every device. */
static gboolean
ppQemuPlanPlace(PpQemuPlanCtx *ctx, guint spares, GError **error)
{
    g_autoptr(GPtrArray) ctrls = g_ptr_array_new();
    guint i;
    guint r;

    for (i = 0; i < ctx->def->devices->len; i++) {
        PpDeviceDef *dev = g_ptr_array_index(ctx->def->devices, i);

        if (dev->kind == PP_DEVICE_CONTROLLER && ppStrEq(dev->type, "pci") &&
            dev->ctrl.index > 0 && (dev->addr.type == PP_ADDRESS_NONE ||
                                    (dev->addr.type == PP_ADDRESS_PCI &&
                                     ppPCIAddressIsEmpty(&dev->addr.pci))))
            g_ptr_array_add(ctrls, dev);
    }
    /* The chipset's conventional places first (ppQemuPlanFixed: q35's
     * SATA at 1f.2, the primary video at 00:01.0 or 00:02.0, pc's USB at
     * 01.2, USB2 companions at 00:1d and 00:1a), before anything else can
     * take them: a user's toss-in root port must not push the VGA behind a
     * bridge. */
    ppQemuPlanFixed(ctx);
    if (!ppQemuPlanUSBCompanions(ctx, error))
        return FALSE;
    /* Parents before children: by index. */
    g_ptr_array_sort(ctrls, ppQemuCompareControllerIndex);
    for (i = 0; i < ctrls->len; i++) {
        if (!ppPlacerPlaceController(ctx->placer, g_ptr_array_index(ctrls, i), error))
            return FALSE;
    }
    for (r = 0; r < PP_QEMU_PLACE_RANKS; r++) {
        for (i = 0; i < ctx->ranks[r]->len; i++) {
            PpDeviceDef *dev = g_ptr_array_index(ctx->ranks[r], i);
            gpointer flags;

            if (!g_hash_table_lookup_extended(ctx->flags, dev, NULL, &flags))
                continue;
            if (!ppPlacerPlaceEndpoint(ctx->placer, dev, GPOINTER_TO_UINT(flags), error))
                return FALSE;
        }
    }
    /* Spare slots first: their bridge must not take a spare port. */
    return ppPlacerAddSpareSlots(ctx->placer, ctx->spareSlots, error) &&
           ppPlacerAddSpares(ctx->placer, spares, error);
}

/* The spare ports to leave: one by default where they can be used. */
static gboolean
ppQemuPlanSpares(const PpDomainDef *def, const PpQemuMachine *machine, const PpPlanOptions *opts,
                 guint *ret, GError **error)
{
    if (!machine->pcie && opts->sparePorts > 0) {
        g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                    _("Machine type 'pc' has no PCIe root ports to leave spare: devices are hot-plugged into free pci-root slots; use q35 for spare ports"));
        return FALSE;
    }
    if (!ppQemuHotplugWorks(def, machine) && opts->sparePorts > 0) {
        g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                    _("Spare hot-plug ports are useless here: machine type '%1$s' hot-plugs through ACPI and the domain has no <features><acpi/></features>; add it, or plan with --spare-ports 0"),
                    machine->family);
        return FALSE;
    }
    if (!machine->pcie || !ppQemuHotplugWorks(def, machine))
        *ret = 0;
    else
        *ret = opts->sparePorts < 0 ? 1 : (guint)opts->sparePorts;
    return TRUE;
}

gboolean
ppQemuDomainPlan(PpDomainDef *def, const PpPlanOptions *opts, PpPlan **ret_plan, GError **error)
{
    g_auto(PpQemuPlanCtx) ctx = { .def = def };
    g_autoptr(PpPlan) plan = g_new0(PpPlan, 1);
    g_autofree char *warning = NULL;
    PpPlacePolicy policy;
    guint spares;

    g_return_val_if_fail(def != NULL && opts != NULL, FALSE);
    ctx.hasPCIeToPCIBridge = opts->hasPCIeToPCIBridge;
    ctx.spareSlots = opts->spareSlots;
    plan->additions = g_array_new(FALSE, FALSE, sizeof(PpPlanAddition));
    g_array_set_clear_func(plan->additions, ppPlanAdditionClear);
    plan->warnings = g_ptr_array_new_with_free_func(g_free);
    if (!(ctx.machine = ppQemuMachineFamilyFromDef(def, &warning, error)))
        return FALSE;
    if (warning)
        g_ptr_array_add(plan->warnings, g_steal_pointer(&warning));
    plan->machine = ctx.machine;
    ctx.plan = plan;
    if (!ppQemuPlanSpares(def, ctx.machine, opts, &spares, error))
        return FALSE;
    if (!def->devicesNode) {
        g_set_error(error, PP_ERROR, PP_ERROR_CONFIG, _("The domain has no <devices> element"));
        return FALSE;
    }

    if ((opts->hostSysfs && !ppQemuDomainApplyHostTopology(def, opts->hostSysfs, error)) ||
        !ppQemuDomainCheckLibvirt(def, ctx.machine, error) ||
        !ppQemuDomainCheckExpanders(def, ctx.machine, plan->warnings, error) ||
        !ppQemuDomainCheckHotplug(def, ctx.machine, error) ||
        !ppQemuDomainCheckP2PGroups(def, error))
        return FALSE;
    plan->hotplugWorks = ppQemuHotplugWorks(def, ctx.machine);
    ppQemuAssignControllerIndexes(def);
    ppQemuAssignUSBIndexes(def);
    ppQemuDomainAddImplicitDevices(def, ctx.machine, plan);
    if (!ppQemuDomainAssignVirtioMMIO(def, ctx.machine, plan, error))
        return FALSE;

    policy = (PpPlacePolicy){ .pcie = ctx.machine->pcie,
                              .rootMaxAutoSlot = ctx.machine->rootMaxAutoSlot,
                              .allowGrowth = opts->allowGrowth,
                              .pcieToPCIBridge = opts->hasPCIeToPCIBridge };
    ctx.placer = ppPlacerNew(def, &policy, ppPlanRecord, plan);
    if (!ppQemuPlanCollect(&ctx, error) ||
        !ppQemuPlanSize(&ctx, spares, error) ||
        !ppQemuPlanPlace(&ctx, spares, error) ||
        !ppPlacerFinish(ctx.placer, error) ||
        !ppQemuDomainPlanIO(def, ctx.machine, opts->ioReserve, plan, error))
        return FALSE;
    ppQemuDomainMirrorHints(def, plan->warnings);

    plan->busesUsed = ppPlacerCountBuses(ctx.placer);
    plan->emptyHotplugPorts = ppPlacerCountEmptyPorts(ctx.placer);
    plan->degraded = g_ptr_array_ref((GPtrArray *)ppPlacerGetDegraded(ctx.placer));
    if (ret_plan)
        *ret_plan = g_steal_pointer(&plan);
    return TRUE;
}
