/*
 * qemu_command_controller.c: -device options of <controller> elements
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "qemu_commandpriv.h"
#include "pperror.h"

/* The QEMU device of each PCI controller model in libvirt 9.0
 * (qemuDomainPCIControllerSetDefaultModelName); NULL for the root buses,
 * which the machine provides. */
static const char *
ppQemuPCIControllerDriver(PpPCIControllerModel model)
{
    switch (model) {
    case PP_CONTROLLER_MODEL_PCI_BRIDGE:
        return "pci-bridge";
    case PP_CONTROLLER_MODEL_DMI_TO_PCI_BRIDGE:
        return "i82801b11-bridge";
    case PP_CONTROLLER_MODEL_PCIE_ROOT_PORT:
        return "pcie-root-port";
    case PP_CONTROLLER_MODEL_PCIE_SWITCH_UPSTREAM_PORT:
        return "x3130-upstream";
    case PP_CONTROLLER_MODEL_PCIE_SWITCH_DOWNSTREAM_PORT:
        return "xio3130-downstream";
    case PP_CONTROLLER_MODEL_PCI_EXPANDER_BUS:
        return "pxb";
    case PP_CONTROLLER_MODEL_PCIE_EXPANDER_BUS:
        return "pxb-pcie";
    case PP_CONTROLLER_MODEL_PCIE_TO_PCI_BRIDGE:
        return "pcie-pci-bridge";
    case PP_CONTROLLER_MODEL_NONE:
    case PP_CONTROLLER_MODEL_PCI_ROOT:
    case PP_CONTROLLER_MODEL_PCIE_ROOT:
    case PP_CONTROLLER_MODEL_LAST:
        break;
    }
    return NULL;
}

guint
ppQemuControllerChassis(const PpDeviceDef *ctrl)
{
    return ctrl->ctrl.chassis >= 0 ? (guint)ctrl->ctrl.chassis : (guint)MAX(ctrl->ctrl.index, 0);
}

/* libvirt's defaults (qemuDomainAssignPCIAddresses): a root port's port
 * is its devfn, a downstream port's its slot. */
guint
ppQemuControllerPort(const PpDeviceDef *ctrl)
{
    if (ctrl->ctrl.port >= 0)
        return (guint)ctrl->ctrl.port;
    if (ctrl->ctrl.pciModel == PP_CONTROLLER_MODEL_PCIE_SWITCH_DOWNSTREAM_PORT)
        return ctrl->addr.pci.slot;
    return (ctrl->addr.pci.slot << 3) + ctrl->addr.pci.function;
}

guint
ppQemuControllerChassisNr(const PpDeviceDef *ctrl)
{
    return ctrl->ctrl.chassisNr >= 0 ? (guint)ctrl->ctrl.chassisNr
                                     : (guint)MAX(ctrl->ctrl.index, 0);
}

/* <model name='...'>: libvirt accepts only the model's own device, and
 * ioh3420 for a root port. */
static gboolean
ppQemuPCIControllerModelName(const PpDeviceDef *dev, const char **driver, GError **error)
{
    const char *name = dev->ctrl.modelName;
    g_autofree char *what = NULL;

    if (!name || g_str_equal(name, *driver))
        return TRUE;
    if (dev->ctrl.pciModel == PP_CONTROLLER_MODEL_PCIE_ROOT_PORT && g_str_equal(name, "ioh3420")) {
        *driver = "ioh3420";
        return TRUE;
    }
    what = ppDeviceDefDescribe(dev);
    g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                _("The %1$s has <model name='%2$s'>, which is not a device for that model; use '%3$s'"),
                what, name, *driver);
    return FALSE;
}

static void
ppQemuBuildPortProps(const PpDeviceDef *dev, PpQemuProps *props, const char *id)
{
    ppQemuPropsAddUInt(props, "port", ppQemuControllerPort(dev));
    ppQemuPropsAddUInt(props, "chassis", ppQemuControllerChassis(dev));
    ppQemuPropsAddStr(props, "id", id);
    if (dev->ctrl.hotplug != PP_TRISTATE_ABSENT)
        ppQemuPropsAddBool(props, "hotplug", dev->ctrl.hotplug == PP_TRISTATE_YES);
}

/* pxb and pxb-pcie need the bus number the planner chose. */
static gboolean
ppQemuBuildExpanderProps(const PpDeviceDef *dev, PpQemuProps *props, const char *id,
                         GError **error)
{
    g_autofree char *what = NULL;

    if (dev->ctrl.busNr < 0) {
        what = ppDeviceDefDescribe(dev);
        g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                    _("The %1$s has no <target busNr>; give it one (or plan the domain first)"),
                    what);
        return FALSE;
    }
    ppQemuPropsAddUInt(props, "bus_nr", (guint)dev->ctrl.busNr);
    ppQemuPropsAddStr(props, "id", id);
    if (dev->ctrl.numaNode >= 0)
        ppQemuPropsAddUInt(props, "numa_node", (guint)dev->ctrl.numaNode);
    return TRUE;
}

/* The properties in libvirt's order (qemuBuildControllerPCIDevProps). */
static gboolean
ppQemuBuildPCIControllerProps(const PpDeviceDef *dev, PpQemuProps *props, const char *id,
                              GError **error)
{
    switch (dev->ctrl.pciModel) {
    case PP_CONTROLLER_MODEL_PCIE_ROOT_PORT:
    case PP_CONTROLLER_MODEL_PCIE_SWITCH_DOWNSTREAM_PORT:
        ppQemuBuildPortProps(dev, props, id);
        return TRUE;
    case PP_CONTROLLER_MODEL_PCI_BRIDGE:
        ppQemuPropsAddUInt(props, "chassis_nr", ppQemuControllerChassisNr(dev));
        ppQemuPropsAddStr(props, "id", id);
        return TRUE;
    case PP_CONTROLLER_MODEL_PCI_EXPANDER_BUS:
    case PP_CONTROLLER_MODEL_PCIE_EXPANDER_BUS:
        return ppQemuBuildExpanderProps(dev, props, id, error);
    case PP_CONTROLLER_MODEL_DMI_TO_PCI_BRIDGE:
    case PP_CONTROLLER_MODEL_PCIE_SWITCH_UPSTREAM_PORT:
    case PP_CONTROLLER_MODEL_PCIE_TO_PCI_BRIDGE:
        ppQemuPropsAddStr(props, "id", id);
        return TRUE;
    case PP_CONTROLLER_MODEL_NONE:
    case PP_CONTROLLER_MODEL_PCI_ROOT:
    case PP_CONTROLLER_MODEL_PCIE_ROOT:
    case PP_CONTROLLER_MODEL_LAST:
        break;
    }
    g_assert_not_reached();
}

static gboolean
ppQemuBuildPCIController(PpQemuBuild *ctx, const PpDeviceDef *dev, GError **error)
{
    const char *driver = ppQemuPCIControllerDriver(dev->ctrl.pciModel);
    g_autofree char *what = NULL;
    PpQemuUnit *unit;

    if (dev->ctrl.pciModel == PP_CONTROLLER_MODEL_PCI_ROOT ||
        dev->ctrl.pciModel == PP_CONTROLLER_MODEL_PCIE_ROOT)
        return TRUE;
    if (!driver) {
        what = ppDeviceDefDescribe(dev);
        g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                    _("The %1$s has no model; give it one (or plan the domain first)"), what);
        return FALSE;
    }
    if (!ppQemuPCIControllerModelName(dev, &driver, error) ||
        !ppQemuBuildRequirePCI(dev, error))
        return FALSE;
    unit = ppQemuBuildAddUnit(ctx, dev, driver);
    return ppQemuBuildPCIControllerProps(dev, unit->device, ppQemuBuildAlias(ctx, dev), error) &&
           ppQemuBuildAddPCIAddress(ctx, dev, unit->device, error);
}

/* ------------------------------------------------------------------ */
/* Other controllers                                                   */

/* libvirt's USB controller models and QEMU's devices for them. A UHCI
 * companion joins its EHCI's bus at a first port, which libvirt defaults
 * to 0, 2 and 4 for the three ICH9 companions; -1 marks the others. */
static const struct {
    const char *model;
    const char *driver;
    int firstport;
} ppQemuUSBModels[] = {
    { "piix3-uhci", "piix3-usb-uhci", -1 },
    { "piix4-uhci", "piix4-usb-uhci", -1 },
    { "ehci", "usb-ehci", -1 },
    { "ich9-ehci1", "ich9-usb-ehci1", -1 },
    { "ich9-uhci1", "ich9-usb-uhci1", 0 },
    { "ich9-uhci2", "ich9-usb-uhci2", 2 },
    { "ich9-uhci3", "ich9-usb-uhci3", 4 },
    { "vt82c686b-uhci", "vt82c686b-usb-uhci", -1 },
    { "pci-ohci", "pci-ohci", -1 },
    { "nec-xhci", "nec-usb-xhci", -1 },
    { "qemu-xhci", "qemu-xhci", -1 },
};

static gboolean
ppQemuBuildUSBController(PpQemuBuild *ctx, const PpDeviceDef *dev, GError **error)
{
    const char *id = ppQemuBuildAlias(ctx, dev);
    g_autofree char *masterbus = g_strdup_printf("%s.0", id);
    guint64 ports = 0;
    guint64 startport;
    PpQemuUnit *unit;
    size_t i;

    if (dev->model && g_str_equal(dev->model, "none"))
        return TRUE;
    for (i = 0; i < G_N_ELEMENTS(ppQemuUSBModels); i++) {
        if (dev->model ? g_str_equal(dev->model, ppQemuUSBModels[i].model)
                       : g_str_equal(ctx->machine->defaultUSB, ppQemuUSBModels[i].model))
            break;
    }
    if (i == G_N_ELEMENTS(ppQemuUSBModels))
        return ppQemuBuildUnsupportedModel(dev, dev->model, error);
    startport = (guint64)MAX(ppQemuUSBModels[i].firstport, 0);
    if (!ppXmlPropUInt(dev->node, "ports", 15, "USB controller", NULL, &ports, error) ||
        !ppXmlPropUInt(ppXmlChild(dev->node, "master"), "startport", 15,
                           "USB controller", NULL, &startport, error) ||
        !ppQemuBuildRequirePCI(dev, error))
        return FALSE;
    unit = ppQemuBuildAddUnit(ctx, dev, ppQemuUSBModels[i].driver);
    if (ports && g_str_has_suffix(ppQemuUSBModels[i].driver, "xhci")) {
        ppQemuPropsAddUInt(unit->device, "p2", ports);
        ppQemuPropsAddUInt(unit->device, "p3", ports);
    }
    /* A companion shares the EHCI's alias, so it has no id of its own. */
    if (ppQemuUSBModels[i].firstport >= 0) {
        ppQemuPropsAddStr(unit->device, "masterbus", masterbus);
        ppQemuPropsAddUInt(unit->device, "firstport", startport);
    } else {
        ppQemuPropsAddStr(unit->device, "id", id);
    }
    return ppQemuBuildAddPCIAddress(ctx, dev, unit->device, error);
}

/* libvirt's SCSI controller models and QEMU's devices for them ("lsi" is
 * QEMU's alias of lsi53c895a, which libvirt uses). */
static const struct {
    const char *model;
    const char *driver;
} ppQemuSCSIModels[] = {
    { "lsilogic", "lsi" },
    { "lsisas1068", "mptsas1068" },
    { "lsisas1078", "megasas" },
    { "vmpvscsi", "pvscsi" },
};

static gboolean
ppQemuBuildSCSIController(PpQemuBuild *ctx, const PpDeviceDef *dev, GError **error)
{
    const char *model = dev->model ? dev->model : ctx->machine->defaultSCSI;
    PpQemuVirtioModel vmodel;
    PpQemuUnit *unit = NULL;
    size_t i;

    /* "virtio-scsi" is the plain virtio model of this controller type. */
    if (ppQemuVirtioModelParse(g_str_equal(model, "virtio-scsi") ? "virtio" : model, &vmodel)) {
        if (!(unit = ppQemuBuildVirtioUnit(ctx, dev, PP_QEMU_VIRTIO_SCSI, vmodel, error)))
            return FALSE;
    } else {
        for (i = 0; i < G_N_ELEMENTS(ppQemuSCSIModels) && !unit; i++) {
            if (g_str_equal(model, ppQemuSCSIModels[i].model) && ppQemuBuildRequirePCI(dev, error))
                unit = ppQemuBuildAddUnit(ctx, dev, ppQemuSCSIModels[i].driver);
        }
        if (!unit)
            return ppQemuBuildUnsupportedModel(dev, model, error);
    }
    ppQemuPropsAddStr(unit->device, "id", ppQemuBuildAlias(ctx, dev));
    return ppQemuBuildAddBusAddress(ctx, dev, unit->device, error);
}

static gboolean
ppQemuBuildVirtioSerialController(PpQemuBuild *ctx, const PpDeviceDef *dev, GError **error)
{
    PpQemuVirtioModel vmodel = PP_QEMU_VIRTIO_TRANSITIONAL_DEFAULT;
    guint64 ports = 0;
    guint64 vectors = 0;
    PpQemuUnit *unit;

    if (dev->model && !ppQemuVirtioModelParse(dev->model, &vmodel))
        return ppQemuBuildUnsupportedModel(dev, dev->model, error);
    if (!ppXmlPropUInt(dev->node, "ports", G_MAXUINT32, "virtio-serial controller", NULL, &ports,
                           error) ||
        !ppXmlPropUInt(dev->node, "vectors", G_MAXUINT32, "virtio-serial controller", NULL,
                           &vectors, error) ||
        !(unit = ppQemuBuildVirtioUnit(ctx, dev, PP_QEMU_VIRTIO_SERIAL, vmodel, error)))
        return FALSE;
    ppQemuPropsAddStr(unit->device, "id", ppQemuBuildAlias(ctx, dev));
    if (ports)
        ppQemuPropsAddUInt(unit->device, "max_ports", ports);
    if (vectors)
        ppQemuPropsAddUInt(unit->device, "vectors", vectors);
    return ppQemuBuildAddBusAddress(ctx, dev, unit->device, error);
}

/* AHCI beyond the one ICH9 has built in. */
static gboolean
ppQemuBuildSATAController(PpQemuBuild *ctx, const PpDeviceDef *dev, GError **error)
{
    PpQemuUnit *unit;

    if (dev->ctrl.index <= 0 && ctx->machine->builtinSATA)
        return TRUE;
    if (!ppQemuBuildRequirePCI(dev, error))
        return FALSE;
    /* "ahci" is QEMU's alias of ich9-ahci, which libvirt uses. */
    unit = ppQemuBuildAddUnit(ctx, dev, "ahci");
    ppQemuPropsAddStr(unit->device, "id", ppQemuBuildAlias(ctx, dev));
    return ppQemuBuildAddPCIAddress(ctx, dev, unit->device, error);
}

static gboolean
ppQemuBuildControllerUnits(PpQemuBuild *ctx, const PpDeviceDef *dev, GError **error)
{
    const char *type = dev->type ? dev->type : "";

    if (g_str_equal(type, "pci"))
        return ppQemuBuildPCIController(ctx, dev, error);
    if (g_str_equal(type, "usb"))
        return ppQemuBuildUSBController(ctx, dev, error);
    if (g_str_equal(type, "scsi"))
        return ppQemuBuildSCSIController(ctx, dev, error);
    if (g_str_equal(type, "sata"))
        return ppQemuBuildSATAController(ctx, dev, error);
    if (g_str_equal(type, "virtio-serial"))
        return ppQemuBuildVirtioSerialController(ctx, dev, error);
    if (g_str_equal(type, "ide") && dev->ctrl.index <= 0 && ctx->machine->builtinIDE)
        return TRUE;
    return ppQemuBuildSkipOrFail(ctx, dev, error);
}

/* libvirt's order of controller types on the command line
 * (qemuBuildControllersCommandLine); within a type, by index. */
static gint64
ppQemuControllerSubrank(const PpDeviceDef *dev)
{
    static const char *const order[] = {
        "pci", "usb", "scsi", "ide", "sata", "fdc", "virtio-serial", "ccid",
    };
    gint64 pos = G_N_ELEMENTS(order);
    size_t i;

    for (i = 0; dev->type && i < G_N_ELEMENTS(order); i++) {
        if (g_str_equal(dev->type, order[i]))
            pos = (gint64)i;
    }
    return (pos << 32) + MAX(dev->ctrl.index, 0);
}

/**
 * ppQemuBuildController:
 * The controller's -device, in libvirt's order of controllers. The
 * chipset's own IDE or AHCI and the root buses come with the machine.
 */
gboolean
ppQemuBuildController(PpQemuBuild *ctx, const PpDeviceDef *dev, GError **error)
{
    guint first = ctx->units->len;
    guint i;

    if (!ppQemuBuildControllerUnits(ctx, dev, error))
        return FALSE;
    for (i = first; i < ctx->units->len; i++)
        ((PpQemuUnit *)g_ptr_array_index(ctx->units, i))->subrank = ppQemuControllerSubrank(dev);
    return TRUE;
}
