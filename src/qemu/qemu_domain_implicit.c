/*
 * qemu_domain_implicit.c: what libvirt 9.0 does on define: the devices it adds, the inputs it refuses
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "qemu_domain_addresspriv.h"
#include "pperror.h"
#include "xml_util.h"

#include <string.h>

/* ------------------------------------------------------------------ */
/* Devices libvirt would add on its own                                */

/*
 * The controller of @type with @index (any index when @index < 0). Only a
 * PCI controller can still lack an index here (the others got theirs from
 * ppQemuAssignControllerIndexes()); of those, only a root model stands for
 * index 0: a toss-in root port is never the root bus.
 */
static PpDeviceDef *
ppQemuFindController(const PpDomainDef *def, const char *type, int index)
{
    guint i;

    for (i = 0; i < def->devices->len; i++) {
        PpDeviceDef *dev = g_ptr_array_index(def->devices, i);

        if (dev->kind != PP_DEVICE_CONTROLLER || !ppStrEq(dev->type, type))
            continue;
        if (index < 0 || dev->ctrl.index == index ||
            (index == 0 && dev->ctrl.index < 0 &&
             (dev->ctrl.pciModel == PP_CONTROLLER_MODEL_PCIE_ROOT ||
              dev->ctrl.pciModel == PP_CONTROLLER_MODEL_PCI_ROOT)))
            return dev;
    }
    return NULL;
}

/*
 * Controllers other than PCI and USB that have no index get the lowest
 * index not taken by a controller of their type, in document order, as
 * libvirt 9.0 numbers them on define (two index-less virtio-scsi beside an
 * index='10' one become 0 and 1; measured, docs/libvirt.md). The index is
 * written out. USB follows its companion rule (ppQemuAssignUSBIndexes) and
 * PCI the placer's (the root is 0).
 */
void
ppQemuAssignControllerIndexes(PpDomainDef *def)
{
    g_autoptr(GHashTable) used = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    guint i;

    for (i = 0; i < def->devices->len; i++) {
        const PpDeviceDef *dev = g_ptr_array_index(def->devices, i);

        if (dev->kind == PP_DEVICE_CONTROLLER && dev->ctrl.index >= 0)
            g_hash_table_add(used, g_strdup_printf("%s/%d", dev->type ? dev->type : "",
                                                   dev->ctrl.index));
    }
    for (i = 0; i < def->devices->len; i++) {
        PpDeviceDef *dev = g_ptr_array_index(def->devices, i);
        int index = 0;

        if (dev->kind != PP_DEVICE_CONTROLLER || dev->ctrl.index >= 0 || dev->added ||
            ppStrEq(dev->type, "pci") || ppStrEq(dev->type, "usb"))
            continue;
        for (;; index++) {
            g_autofree char *key = g_strdup_printf("%s/%d", dev->type ? dev->type : "", index);

            if (!g_hash_table_contains(used, key)) {
                g_hash_table_add(used, g_steal_pointer(&key));
                break;
            }
        }
        dev->ctrl.index = index;
        dev->indexAdded = TRUE;
    }
}

/* The number libvirt reads from a disk's target name (virDiskNameToIndex):
 * the letters after the sd/hd/vd/xvd/fd/ubd prefix in base 26, sda = 0,
 * sdz = 25, sdaa = 26; -1 when the name has none. */
static int
ppQemuDiskNameIndex(const char *name)
{
    static const char *const prefixes[] = { "xvd", "ubd", "fd", "hd", "vd", "sd" };
    const char *p = NULL;
    int idx = 0;
    size_t i;

    for (i = 0; name && i < G_N_ELEMENTS(prefixes) && !p; i++) {
        if (g_str_has_prefix(name, prefixes[i]))
            p = name + strlen(prefixes[i]);
    }
    if (!p || !g_ascii_islower(*p))
        return -1;
    for (i = 0; g_ascii_islower(*p); p++, i++) {
        idx = (idx + (i == 0 ? 0 : 1)) * 26 + (*p - 'a');
        if (idx > 0xffff)
            return -1;
    }
    return idx;
}

/* An attribute of a device's <address> as a number, -1 when absent. */
static int
ppQemuAddressAttr(const PpDeviceDef *dev, const char *name)
{
    g_autofree char *val = dev->addrNode ? ppXmlProp(dev->addrNode, name) : NULL;
    guint64 num = 0;

    /* libvirt reads drive and virtio-serial address numbers in base 10. */
    if (!val || !g_ascii_string_to_unsigned(val, 10, 0, G_MAXINT, &num, NULL))
        return -1;
    return (int)num;
}

/*
 * Disks per controller when libvirt gives a disk its drive address from
 * its name (virDomainDiskDefAssignAddress in libvirt 9.0, measured through
 * the embedded driver: sdh is controller 1 unit 0 on SCSI, sdg controller
 * 1 unit 0 on SATA, whatever the SCSI model).
 */
static const struct {
    const char *bus;
    int perController;
} ppQemuDriveBuses[] = {
    { "scsi", 7 },
    { "sata", 6 },
    { "ide", 4 },
};

/* The controller index a disk or SCSI hostdev of @type sits on, -1 for
 * none of @type. */
static int
ppQemuDriveController(const PpDeviceDef *dev, const char *type, int perController)
{
    int idx;

    if (dev->kind == PP_DEVICE_HOSTDEV && g_str_equal(type, "scsi") && ppStrEq(dev->type, "scsi"))
        return dev->addr.type == PP_ADDRESS_DRIVE ? MAX(ppQemuAddressAttr(dev, "controller"), 0) : 0;
    if (dev->kind != PP_DEVICE_DISK || !ppStrEq(dev->bus, type))
        return -1;
    if (dev->addr.type == PP_ADDRESS_DRIVE)
        return MAX(ppQemuAddressAttr(dev, "controller"), 0);
    idx = ppQemuDiskNameIndex(dev->dev);
    return idx < 0 ? 0 : idx / perController;
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

static PpDeviceDef *
ppQemuAddDevice(PpDomainDef *def, PpDeviceKind kind, const char *type, int index,
                const char *model)
{
    PpDeviceDef *dev = ppDeviceDefNew(kind);

    dev->type = g_strdup(type);
    dev->model = g_strdup(model);
    dev->ctrl.index = index;
    if (kind == PP_DEVICE_CONTROLLER && ppStrEq(type, "pci"))
        dev->ctrl.pciModel = ppPCIControllerModelFromString(model);
    ppDomainDefAddDevice(def, dev);
    return dev;
}

static PpDeviceDef *
ppQemuAddController(PpDomainDef *def, const char *type, int index, const char *model)
{
    return ppQemuAddDevice(def, PP_DEVICE_CONTROLLER, type, index, model);
}

static PpDeviceDef *
ppQemuAddImplicit(PpDomainDef *def, PpPlan *plan, PpDeviceKind kind, const char *type,
                  int index, const char *model)
{
    PpDeviceDef *dev = ppQemuAddDevice(def, kind, type, index, model);

    ppPlanRecord(dev, g_strdup(_("libvirt would add it on define; written out so that it adds nothing")),
                 plan);
    return dev;
}

/* Does a device of @def plug into USB? */
static gboolean
ppQemuDomainHasUSBDevice(const PpDomainDef *def)
{
    guint i;

    for (i = 0; i < def->devices->len; i++) {
        const PpDeviceDef *dev = g_ptr_array_index(def->devices, i);

        switch (dev->kind) {
        case PP_DEVICE_INPUT:
        case PP_DEVICE_DISK:
        case PP_DEVICE_REDIRDEV:
            if (ppStrEq(dev->bus, "usb"))
                return TRUE;
            break;
        case PP_DEVICE_HOSTDEV:
        case PP_DEVICE_HUB:
            if (ppStrEq(dev->type, "usb"))
                return TRUE;
            break;
        case PP_DEVICE_SOUND:
            if (ppStrEq(dev->model, "usb"))
                return TRUE;
            break;
        case PP_DEVICE_SMARTCARD:
            return TRUE;
        case PP_DEVICE_CONTROLLER:
        case PP_DEVICE_INTERFACE:
        case PP_DEVICE_VIDEO:
        case PP_DEVICE_WATCHDOG:
        case PP_DEVICE_RNG:
        case PP_DEVICE_MEMBALLOON:
        case PP_DEVICE_VSOCK:
        case PP_DEVICE_SERIAL:
        case PP_DEVICE_CONSOLE:
        case PP_DEVICE_PARALLEL:
        case PP_DEVICE_CHANNEL:
        case PP_DEVICE_IOMMU:
        case PP_DEVICE_SHMEM:
        case PP_DEVICE_PANIC:
        case PP_DEVICE_FILESYSTEM:
        case PP_DEVICE_MEMORY:
        case PP_DEVICE_CRYPTO:
        case PP_DEVICE_TPM:
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

/* The ports of a virtio-serial controller (its ports=, 31 by default). */
static int
ppQemuVirtioSerialPorts(const PpDeviceDef *ctrl)
{
    g_autofree char *val = ctrl->node ? ppXmlProp(ctrl->node, "ports") : NULL;
    guint64 num = 31;

    if (val && !g_ascii_string_to_unsigned(val, 10, 0, 31, &num, NULL))
        num = 31;
    return (int)num;
}

static gboolean
ppQemuUsesVirtioSerial(const PpDeviceDef *dev)
{
    return (dev->kind == PP_DEVICE_CHANNEL || dev->kind == PP_DEVICE_CONSOLE) &&
           (ppStrEq(dev->targetType, "virtio") || ppStrEq(dev->type, "spicevmc") ||
            ppStrEq(dev->type, "qemu-vdagent"));
}

/*
 * Where libvirt 9.0 puts virtio-serial ports and which virtio-serial
 * controllers it adds for them (measured through the embedded driver,
 * docs/libvirt.md): a channel whose address names controller N adds
 * controller N if missing (and no other); a channel without an address
 * takes the first free port 1..ports-1 of the controllers in index order,
 * and when all are full a new controller at the lowest free index (31
 * ports: 30 channels each; ports='1': none). With @plan, the missing
 * controllers are added; with @ret, each device without an address is
 * mapped to its controller << 16 | port.
 */
static void
ppQemuVirtioSerialWalk(PpDomainDef *def, PpPlan *plan, GHashTable *ret)
{
    g_autoptr(GHashTable) taken = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    guint i;

    for (i = 0; i < def->devices->len; i++) {
        const PpDeviceDef *dev = g_ptr_array_index(def->devices, i);
        int ctrl;

        if (!ppQemuUsesVirtioSerial(dev) || dev->addr.type != PP_ADDRESS_VIRTIO_SERIAL)
            continue;
        ctrl = MAX(ppQemuAddressAttr(dev, "controller"), 0);
        if (plan && ctrl < PP_PCI_MAX_BUSES && !ppQemuFindController(def, "virtio-serial", ctrl))
            ppQemuAddImplicit(def, plan, PP_DEVICE_CONTROLLER, "virtio-serial", ctrl, NULL);
        g_hash_table_add(taken, g_strdup_printf("%d/%d", ctrl, ppQemuAddressAttr(dev, "port")));
    }
    for (i = 0; i < def->devices->len; i++) {
        const PpDeviceDef *dev = g_ptr_array_index(def->devices, i);
        int found = -1;
        int index;

        if (!ppQemuUsesVirtioSerial(dev) || dev->addr.type == PP_ADDRESS_VIRTIO_SERIAL)
            continue;
        for (index = 0; index < PP_PCI_MAX_BUSES && found < 0; index++) {
            const PpDeviceDef *ctrl = ppQemuFindController(def, "virtio-serial", index);
            int port;

            for (port = 1; ctrl && port < ppQemuVirtioSerialPorts(ctrl) && found < 0; port++) {
                g_autofree char *key = g_strdup_printf("%d/%d", index, port);

                if (!g_hash_table_contains(taken, key)) {
                    g_hash_table_add(taken, g_steal_pointer(&key));
                    found = index << 16 | port;
                }
            }
        }
        for (index = 0; found < 0 && index < PP_PCI_MAX_BUSES; index++) {
            if (ppQemuFindController(def, "virtio-serial", index))
                continue;
            if (plan)
                ppQemuAddImplicit(def, plan, PP_DEVICE_CONTROLLER, "virtio-serial", index, NULL);
            g_hash_table_add(taken, g_strdup_printf("%d/1", index));
            found = index << 16 | 1;
        }
        if (ret && found >= 0)
            g_hash_table_insert(ret, (gpointer)dev, GINT_TO_POINTER(found));
    }
}

static void
ppQemuDomainAddVirtioSerial(PpDomainDef *def, PpPlan *plan)
{
    ppQemuVirtioSerialWalk(def, plan, NULL);
}

GHashTable *
ppQemuVirtioSerialAssign(const PpDomainDef *def)
{
    GHashTable *ret = g_hash_table_new(g_direct_hash, g_direct_equal);

    /* Without a plan the walk only reads @def. */
    ppQemuVirtioSerialWalk((PpDomainDef *)def, NULL, ret);
    return ret;
}

/*
 * Make explicit what libvirt 9.0 adds on define (docs/oracles.md), so that
 * libvirt has nothing left to add and no address of its own to pick.
 */
void
ppQemuDomainAddImplicitDevices(PpDomainDef *def, const PpQemuMachine *machine, PpPlan *plan)
{
    size_t i;

    if (!ppQemuFindController(def, "pci", 0))
        ppQemuAddImplicit(def, plan, PP_DEVICE_CONTROLLER, "pci", 0,
                          machine->pcie ? "pcie-root" : "pci-root");
    if (machine->kind == PP_QEMU_MACHINE_Q35 && !ppQemuFindController(def, "sata", 0))
        ppQemuAddImplicit(def, plan, PP_DEVICE_CONTROLLER, "sata", 0, NULL);
    /* libvirt adds its default USB controller at index 0 when no USB
     * controller has index 0 (model='none' there says "no USB"), also
     * beside a user's USB controller at another index. */
    if (machine->implicitUSB && !ppQemuFindController(def, "usb", 0))
        ppQemuAddImplicit(def, plan, PP_DEVICE_CONTROLLER, "usb", 0, machine->implicitUSB);

    /* virt machines get no USB controller from libvirt 9.0, which then
     * refuses USB devices ("USB is disabled for this domain"): add the
     * one they need, the model libvirt picks for a bare USB controller. */
    if (!machine->implicitUSB && machine->defaultUSB && !ppQemuFindController(def, "usb", -1) &&
        ppQemuDomainHasUSBDevice(def))
        ppPlanRecord(ppQemuAddController(def, "usb", 0, machine->defaultUSB),
                     g_strdup(_("the domain's USB devices need a USB controller, which libvirt does not add on this machine")),
                     plan);

    /* Every controller up to the highest one a disk's drive address names
     * (libvirt's virDomainDefAddDiskControllersForType). IDE exists only
     * on pc. */
    for (i = 0; i < G_N_ELEMENTS(ppQemuDriveBuses); i++) {
        const char *type = ppQemuDriveBuses[i].bus;
        int max = -1;
        int index;
        guint j;

        if (g_str_equal(type, "ide") && machine->kind != PP_QEMU_MACHINE_I440FX)
            continue;
        for (j = 0; j < def->devices->len; j++)
            max = MAX(max, ppQemuDriveController(g_ptr_array_index(def->devices, j), type,
                                                 ppQemuDriveBuses[i].perController));
        for (index = 0; index <= max && index < PP_PCI_MAX_BUSES; index++) {
            if (!ppQemuFindController(def, type, index))
                ppQemuAddImplicit(def, plan, PP_DEVICE_CONTROLLER, type, index,
                                  g_str_equal(type, "scsi") ? machine->defaultSCSI : NULL);
        }
    }
    ppQemuDomainAddVirtioSerial(def, plan);

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

    if (dev->addr.type == PP_ADDRESS_OTHER) {
        g_autofree char *type = ppXmlProp(dev->addrNode, "type");

        /* libvirt 9.0: "unknown address type" */
        g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                    _("%1$s has an <address type='%2$s'>, which libvirt does not know"), what,
                    type ? type : "");
        return FALSE;
    }
    /* "disk type of 'vda' does not support ejectable media" */
    if (dev->kind == PP_DEVICE_DISK && ppStrEq(dev->bus, "virtio") &&
        (ppStrEq(dev->device, "cdrom") || ppStrEq(dev->device, "floppy"))) {
        g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                    _("%1$s is a %2$s on bus 'virtio', which has no ejectable media; libvirt refuses that: use bus='sata' or 'scsi' (q35), 'ide' (pc), or device='disk'"),
                    what, dev->device);
        return FALSE;
    }
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

/*
 * What libvirt 9.0 refuses about the domain as a whole (each measured by
 * defining such a domain through the embedded driver, docs/libvirt.md).
 */
/* QEMU's name of a -device argument's driver (key=value or JSON form).
 * Returns: (transfer full) or NULL. */
static char *
ppQemuDeviceArgDriver(const char *value)
{
    const char *p;

    if (value[0] != '{')
        return g_strndup(value, strcspn(value, ","));
    if (!(p = strstr(value, "\"driver\"")) || !(p = strchr(p + 8, '"')))
        return NULL;
    p++;
    return g_strndup(p, strcspn(p, "\""));
}

/*
 * <qemu:commandline> arguments go to QEMU behind libvirt's back, so a plan
 * cannot take them into account: a -machine replaces the machine the plan
 * is for, and a -device of a vIOMMU or of anything that takes a PCI slot
 * lands on buses the plan has filled. Refused with the XML that says the
 * same to libvirt, rather than silently ignored.
 */
static gboolean
ppQemuDomainCheckCommandline(const PpDomainDef *def, GError **error)
{
    static const char *const iommus[] = { "intel-iommu", "amd-iommu", "virtio-iommu-pci", NULL };
    static const char *const pciDrivers[] = {
        "pcie-root-port", "ioh3420", "pci-bridge", "pcie-pci-bridge", "i82801b11-bridge",
        "x3130-upstream", "xio3130-downstream", "pxb", "pxb-pcie", "e1000", "e1000e",
        "rtl8139", "vmxnet3", "qxl", "VGA", "cirrus-vga", "ich9-ahci", "lsi", "megasas",
        "nec-usb-xhci", "qemu-xhci", "ivshmem-plain", "ivshmem-doorbell", NULL
    };
    xmlNodePtr root = xmlDocGetRootElement(def->doc);
    xmlNodePtr cmd;

    for (cmd = root->children; cmd; cmd = cmd->next) {
        xmlNodePtr arg;
        gboolean deviceNext = FALSE;

        if (cmd->type != XML_ELEMENT_NODE || !cmd->ns || !cmd->ns->href ||
            !g_str_equal((const char *)cmd->ns->href, PP_QEMU_NAMESPACE) ||
            !g_str_equal((const char *)cmd->name, "commandline"))
            continue;
        for (arg = cmd->children; arg; arg = arg->next) {
            g_autofree char *value = NULL;
            g_autofree char *driver = NULL;

            if (arg->type != XML_ELEMENT_NODE || !g_str_equal((const char *)arg->name, "arg") ||
                !(value = ppXmlProp(arg, "value")))
                continue;
            if (g_str_equal(value, "-machine") || g_str_equal(value, "-M") ||
                g_str_has_prefix(value, "-machine=")) {
                g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                            _("<qemu:commandline> passes '%1$s', which overrides the machine the plan is made for; name the machine in <os><type machine='...'> and its features in <features> instead"),
                            value);
                return FALSE;
            }
            if (g_str_equal(value, "-device")) {
                deviceNext = TRUE;
                continue;
            }
            if (!deviceNext)
                continue;
            deviceNext = FALSE;
            if (!(driver = ppQemuDeviceArgDriver(value)))
                continue;
            if (g_strv_contains(iommus, driver)) {
                g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                            _("<qemu:commandline> adds the vIOMMU '%1$s' behind libvirt's back; use <iommu model='%2$s'/> in <devices> instead, so that it is planned"),
                            driver, g_str_equal(driver, "intel-iommu") ? "intel" :
                                    g_str_equal(driver, "amd-iommu") ? "amd" : "virtio");
                return FALSE;
            }
            if (g_strv_contains(pciDrivers, driver) || g_str_has_suffix(driver, "-pci") ||
                strstr(value, "addr=") || strstr(value, "\"addr\"")) {
                g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                            _("<qemu:commandline> adds the PCI device '%1$s' behind libvirt's back, where the plan cannot see it; describe it as a device element in <devices> instead, so that it is planned"),
                            driver);
                return FALSE;
            }
        }
    }
    return TRUE;
}

gboolean
ppQemuDomainCheckLibvirt(const PpDomainDef *def, const PpQemuMachine *machine, GError **error)
{
    guint i;

    if (!def->virtType || (!g_str_equal(def->virtType, "qemu") &&
                           !g_str_equal(def->virtType, "kvm"))) {
        g_set_error(error, PP_ERROR, PP_ERROR_UNSUPPORTED,
                    _("The domain has type='%1$s': virt-pciplan plans QEMU domains only, <domain type='kvm'> or <domain type='qemu'>"),
                    def->virtType ? def->virtType : "");
        return FALSE;
    }
    if (!ppQemuDomainCheckCommandline(def, error))
        return FALSE;
    /* "ACPI requires UEFI on this architecture" (riscv64 virt is accepted). */
    if (machine->kind == PP_QEMU_MACHINE_ARM_VIRT && def->acpi &&
        def->firmware != PP_FIRMWARE_EFI) {
        g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                    _("The domain has <features><acpi/></features> on aarch64 without UEFI, which libvirt refuses: add <os firmware='efi'> (or an AAVMF pflash <loader>), or remove <acpi/>"));
        return FALSE;
    }
    for (i = 0; i < def->devices->len; i++) {
        const PpDeviceDef *dev = g_ptr_array_index(def->devices, i);

        if (!ppQemuDeviceCheckLibvirt(dev, error))
            return FALSE;
        /* "configured for a NUMA node (N) not present in the domain's
         * <cpu><numa> array" */
        if (dev->kind == PP_DEVICE_CONTROLLER && dev->ctrl.numaNode >= 0 &&
            !ppDomainDefHasNumaCell(def, dev->ctrl.numaNode)) {
            g_autofree char *what = ppDeviceDefDescribe(dev);

            g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                        _("%1$s is on NUMA node %2$d, which the domain does not have: add <cell id='%2$d'> to <cpu><numa>, or name an existing node"),
                        what, dev->ctrl.numaNode);
            return FALSE;
        }
    }
    return TRUE;
}
