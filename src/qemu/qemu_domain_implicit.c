/*
 * qemu_domain_implicit.c: what libvirt 9.0 does on define: the devices it adds, the inputs it refuses
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "qemu_domain_addresspriv.h"
#include "pperror.h"

/* ------------------------------------------------------------------ */
/* Devices libvirt would add on its own                                */

static PpDeviceDef *
ppQemuFindController(const PpDomainDef *def, const char *type, int index)
{
    guint i;

    for (i = 0; i < def->devices->len; i++) {
        PpDeviceDef *dev = g_ptr_array_index(def->devices, i);

        if (dev->kind == PP_DEVICE_CONTROLLER && ppStrEq(dev->type, type) &&
            (index < 0 || dev->ctrl.index == index || (index == 0 && dev->ctrl.index < 0)))
            return dev;
    }
    return NULL;
}

static gboolean
ppQemuDomainHasKind(const PpDomainDef *def, PpDeviceKind kind)
{
    guint i;

    for (i = 0; i < def->devices->len; i++) {
        const PpDeviceDef *dev = g_ptr_array_index(def->devices, i);

        if (dev->kind == kind)
            return TRUE;
    }
    return FALSE;
}

/* Does any device need a controller of @type (a disk bus, a virtio port)? */
static gboolean
ppQemuDomainNeedsController(const PpDomainDef *def, const char *type)
{
    guint i;

    for (i = 0; i < def->devices->len; i++) {
        const PpDeviceDef *dev = g_ptr_array_index(def->devices, i);

        switch (dev->kind) {
        case PP_DEVICE_DISK:
            if (ppStrEq(dev->bus, type))
                return TRUE;
            break;
        case PP_DEVICE_HOSTDEV:
            if (g_str_equal(type, "scsi") && ppStrEq(dev->type, "scsi"))
                return TRUE;
            break;
        case PP_DEVICE_CONSOLE:
        case PP_DEVICE_CHANNEL:
            if (g_str_equal(type, "virtio-serial") &&
                (ppStrEq(dev->targetType, "virtio") || ppStrEq(dev->type, "spicevmc") ||
                 ppStrEq(dev->type, "qemu-vdagent")))
                return TRUE;
            break;
        case PP_DEVICE_CONTROLLER:
        case PP_DEVICE_INTERFACE:
        case PP_DEVICE_VIDEO:
        case PP_DEVICE_SOUND:
        case PP_DEVICE_WATCHDOG:
        case PP_DEVICE_RNG:
        case PP_DEVICE_MEMBALLOON:
        case PP_DEVICE_INPUT:
        case PP_DEVICE_SERIAL:
        case PP_DEVICE_PARALLEL:
        case PP_DEVICE_IOMMU:
        case PP_DEVICE_VSOCK:
        case PP_DEVICE_SHMEM:
        case PP_DEVICE_PANIC:
        case PP_DEVICE_FILESYSTEM:
        case PP_DEVICE_MEMORY:
        case PP_DEVICE_CRYPTO:
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
    return FALSE;
}

static PpDeviceDef *
ppQemuAddImplicit(PpDomainDef *def, PpPlan *plan, PpDeviceKind kind, const char *type,
                  int index, const char *model)
{
    PpDeviceDef *dev = ppDeviceDefNew(kind);

    dev->type = g_strdup(type);
    dev->model = g_strdup(model);
    dev->ctrl.index = index;
    if (kind == PP_DEVICE_CONTROLLER && ppStrEq(type, "pci"))
        dev->ctrl.pciModel = ppPCIControllerModelFromString(model);
    ppDomainDefAddDevice(def, dev);
    ppPlanRecord(dev, g_strdup(_("libvirt would add it on define; written out so that it adds nothing")),
                 plan);
    return dev;
}

/*
 * Make explicit what libvirt 9.0 adds on define (docs/oracles.md), so that
 * libvirt has nothing left to add and no address of its own to pick.
 */
void
ppQemuDomainAddImplicitDevices(PpDomainDef *def, const PpQemuMachine *machine, PpPlan *plan)
{
    static const char *const diskBuses[] = { "scsi", "sata", "ide", "virtio-serial" };
    size_t i;

    if (!ppQemuFindController(def, "pci", 0))
        ppQemuAddImplicit(def, plan, PP_DEVICE_CONTROLLER, "pci", 0,
                          machine->pcie ? "pcie-root" : "pci-root");
    if (machine->kind == PP_QEMU_MACHINE_Q35 && !ppQemuFindController(def, "sata", 0))
        ppQemuAddImplicit(def, plan, PP_DEVICE_CONTROLLER, "sata", 0, NULL);
    if (machine->implicitUSB && !ppQemuFindController(def, "usb", -1))
        ppQemuAddImplicit(def, plan, PP_DEVICE_CONTROLLER, "usb", 0, machine->implicitUSB);

    for (i = 0; i < G_N_ELEMENTS(diskBuses); i++) {
        const char *type = diskBuses[i];

        /* q35's SATA is built in (above); IDE exists only on pc. */
        if ((g_str_equal(type, "ide") && machine->kind != PP_QEMU_MACHINE_I440FX) ||
            ppQemuFindController(def, type, -1) || !ppQemuDomainNeedsController(def, type))
            continue;
        ppQemuAddImplicit(def, plan, PP_DEVICE_CONTROLLER, type, 0,
                          g_str_equal(type, "scsi") ? machine->defaultSCSI : NULL);
    }

    if (ppQemuDomainHasKind(def, PP_DEVICE_GRAPHICS) && !ppQemuDomainHasKind(def, PP_DEVICE_VIDEO))
        ppQemuAddImplicit(def, plan, PP_DEVICE_VIDEO, NULL, -1, machine->defaultVideo)->primary =
            TRUE;
    if (machine->defaultMemballoon && !ppQemuDomainHasKind(def, PP_DEVICE_MEMBALLOON))
        ppQemuAddImplicit(def, plan, PP_DEVICE_MEMBALLOON, NULL, -1, "virtio");
}

/* ------------------------------------------------------------------ */
/* What libvirt 9.0 refuses on define                                  */

/*
 * A plan is only worth writing if libvirt 9.0 will define it. These are
 * the inputs libvirt's own parser refuses that a planner would otherwise
 * address as if they were fine (found by defining libvirt's test suite
 * through the embedded driver).
 */
static gboolean
ppQemuDeviceCheckLibvirt(const PpDeviceDef *dev, GError **error)
{
    g_autofree char *what = ppDeviceDefDescribe(dev);

    if (dev->kind == PP_DEVICE_PANIC && ppStrEq(dev->model, "pvpanic")) {
        g_set_error(error, PP_ERROR, PP_ERROR_UNSUPPORTED,
                    _("%1$s: libvirt 9.0 has no panic model 'pvpanic' (pvpanic-pci came with libvirt 9.1); use model='isa' on x86"),
                    what);
        return FALSE;
    }
    if (dev->kind == PP_DEVICE_IOMMU && ppStrEq(dev->model, "virtio") && dev->node) {
        xmlNodePtr driver;

        for (driver = dev->node->children; driver; driver = driver->next) {
            if (driver->type == XML_ELEMENT_NODE &&
                g_str_equal((const char *)driver->name, "driver") && driver->properties) {
                g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                            _("%1$s: libvirt 9.0 takes no <driver> attributes on a virtio IOMMU; remove them"),
                            what);
                return FALSE;
            }
        }
    }
    if (dev->kind == PP_DEVICE_CONTROLLER && ppStrEq(dev->type, "pci") &&
        dev->ctrl.numaNode >= 0 && dev->ctrl.pciModel != PP_CONTROLLER_MODEL_PCIE_EXPANDER_BUS &&
        dev->ctrl.pciModel != PP_CONTROLLER_MODEL_PCI_EXPANDER_BUS) {
        g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                    _("%1$s: a NUMA <node> belongs only on a pcie-expander-bus or pci-expander-bus; move it there"),
                    what);
        return FALSE;
    }
    return TRUE;
}

gboolean
ppQemuDomainCheckLibvirt(const PpDomainDef *def, GError **error)
{
    guint i;

    for (i = 0; i < def->devices->len; i++) {
        if (!ppQemuDeviceCheckLibvirt(g_ptr_array_index(def->devices, i), error))
            return FALSE;
    }
    return TRUE;
}
