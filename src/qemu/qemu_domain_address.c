/*
 * qemu_domain_address.c: QEMU's placement policy and the planner entry point
 *
 * Every QEMU fact the planner uses lives here: which machine types have
 * which root bus and reserved slots, which device model is conventional PCI
 * or PCI Express, which devices libvirt 9.0 adds on its own. src/conf does
 * the placement with these as data.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "qemu_domain_address.h"
#include "domain_place.h"
#include "pperror.h"

#include <string.h>

/* QEMU 7.2 machine facts (docs/qemu-facts.md), with libvirt 9.0's implicit
 * devices (docs/oracles.md, checked by defining through the embedded
 * driver). */
static const PpQemuMachine ppQemuMachines[PP_QEMU_MACHINE_LAST] = {
    [PP_QEMU_MACHINE_Q35] = {
        .kind = PP_QEMU_MACHINE_Q35,
        .family = "q35",
        .pcie = TRUE,
        /* 00:1f.x is the ICH9 LPC, SATA and SMBus functions. */
        .rootMaxAutoSlot = 0x1e,
        .videoSlot = 1,
        .virtioMMIOTransports = 0,
        .defaultMemballoon = TRUE,
        .implicitUSB = "qemu-xhci",
        .defaultUSB = "qemu-xhci",
        .defaultVideo = "cirrus",
        .defaultSCSI = "lsilogic",
        .expanders = TRUE,
        .defaultNIC = "rtl8139",
        .arch = "x86_64",
        .arch32 = "i686",
        .alias = "q35",
        .canonical = "pc-q35-7.2",
        .emulator = "/usr/bin/qemu-system-x86_64",
        .emulator32 = "/usr/bin/qemu-system-i386",
        .rootBus = "pcie.0",
        .efiCode = "/usr/share/OVMF/OVMF_CODE_4M.fd",
        .isaSerial = TRUE,
        .hasAcpiProp = TRUE,
        .primaryVGA = TRUE,
        .builtinSATA = TRUE,
    },
    [PP_QEMU_MACHINE_I440FX] = {
        .kind = PP_QEMU_MACHINE_I440FX,
        .family = "pc",
        .pcie = FALSE,
        .rootMaxAutoSlot = 0x1f,
        .videoSlot = 2,
        .virtioMMIOTransports = 0,
        .defaultMemballoon = TRUE,
        .implicitUSB = "piix3-uhci",
        .defaultUSB = "piix3-uhci",
        .defaultVideo = "cirrus",
        .defaultSCSI = "lsilogic",
        .expanders = TRUE,
        .defaultNIC = "rtl8139",
        .arch = "x86_64",
        .arch32 = "i686",
        .alias = "pc",
        .canonical = "pc-i440fx-7.2",
        .emulator = "/usr/bin/qemu-system-x86_64",
        .emulator32 = "/usr/bin/qemu-system-i386",
        .rootBus = "pci.0",
        .efiCode = "/usr/share/OVMF/OVMF_CODE_4M.fd",
        .isaSerial = TRUE,
        .hasAcpiProp = TRUE,
        .primaryVGA = TRUE,
        .builtinIDE = TRUE,
    },
    [PP_QEMU_MACHINE_ARM_VIRT] = {
        .kind = PP_QEMU_MACHINE_ARM_VIRT,
        .family = "virt",
        .pcie = TRUE,
        .rootMaxAutoSlot = 0x1f,
        .videoSlot = -1,
        .virtioMMIOTransports = 32,
        .defaultMemballoon = FALSE,
        .implicitUSB = NULL,
        .defaultUSB = "qemu-xhci",
        .defaultVideo = "virtio",
        .defaultSCSI = "lsilogic",
        .expanders = TRUE,
        .defaultNIC = "virtio",
        .arch = "aarch64",
        .alias = "virt",
        .canonical = "virt-7.2",
        .emulator = "/usr/bin/qemu-system-aarch64",
        .rootBus = "pcie.0",
        /* QEMU's default, cortex-a15, is 32-bit; qemu-facts.md used this one. */
        .defaultCPU = "cortex-a57",
        .efiCode = "/usr/share/AAVMF/AAVMF_CODE.fd",
        .hasAcpiProp = TRUE,
    },
    [PP_QEMU_MACHINE_RISCV_VIRT] = {
        .kind = PP_QEMU_MACHINE_RISCV_VIRT,
        .family = "virt",
        .pcie = TRUE,
        .rootMaxAutoSlot = 0x1f,
        .videoSlot = -1,
        .virtioMMIOTransports = 8,
        .defaultMemballoon = TRUE,
        .implicitUSB = NULL,
        .defaultUSB = "qemu-xhci",
        .defaultVideo = "virtio",
        .defaultSCSI = "lsilogic",
        /* no firmware of riscv64 virt in QEMU 7.2 describes a pxb-pcie */
        .expanders = FALSE,
        .defaultNIC = "virtio",
        .arch = "riscv64",
        .alias = "virt",
        /* RISC-V virt has no versioned machine types in 7.2. */
        .canonical = "virt",
        .emulator = "/usr/bin/qemu-system-riscv64",
        .rootBus = "pcie.0",
    },
};

/* The versioned machine types of QEMU 7.2 (qemu-system-* -M help). */
static const char *const ppQemuMachineVersions72[] = {
    "1.4", "1.5", "1.6", "1.7", "2.0", "2.1", "2.2", "2.3", "2.4", "2.5", "2.6", "2.7",
    "2.8", "2.9", "2.10", "2.11", "2.12", "3.0", "3.1", "4.0", "4.0.1", "4.1", "4.2",
    "5.0", "5.1", "5.2", "6.0", "6.1", "6.2", "7.0", "7.1", "7.2", NULL
};

/* The oldest version of each family in QEMU 7.2 (pc-i440fx-1.4, pc-q35-2.4, virt-2.6). */
static gboolean
ppQemuMachineVersionKnown(const char *version, const char *oldest)
{
    const char *const *v;
    gboolean reached = FALSE;

    for (v = ppQemuMachineVersions72; *v; v++) {
        reached = reached || g_str_equal(*v, oldest);
        if (reached && g_str_equal(*v, version))
            return TRUE;
    }
    return FALSE;
}

static const PpQemuMachine *
ppQemuMachineFind(const char *arch, const char *machine)
{
    gboolean x86 = g_str_equal(arch, "x86_64") || g_str_equal(arch, "i686");
    gboolean arm = g_str_equal(arch, "aarch64") || g_str_equal(arch, "armv7l");

    if (x86 && (!machine || g_str_equal(machine, "pc") ||
                (g_str_has_prefix(machine, "pc-i440fx-") &&
                 ppQemuMachineVersionKnown(machine + strlen("pc-i440fx-"), "1.4"))))
        return &ppQemuMachines[PP_QEMU_MACHINE_I440FX];
    if (x86 && machine && (g_str_equal(machine, "q35") ||
                           (g_str_has_prefix(machine, "pc-q35-") &&
                            ppQemuMachineVersionKnown(machine + strlen("pc-q35-"), "2.4"))))
        return &ppQemuMachines[PP_QEMU_MACHINE_Q35];
    if (arm && (!machine || g_str_equal(machine, "virt") ||
                (g_str_has_prefix(machine, "virt-") &&
                 ppQemuMachineVersionKnown(machine + strlen("virt-"), "2.6"))))
        return &ppQemuMachines[PP_QEMU_MACHINE_ARM_VIRT];
    if (g_str_equal(arch, "riscv64") && (!machine || g_str_equal(machine, "virt")))
        return &ppQemuMachines[PP_QEMU_MACHINE_RISCV_VIRT];
    return NULL;
}

/**
 * ppQemuMachineFromDef:
 *
 * The machine types QEMU 7.2 has: "q35" and "pc-q35-2.4" to "pc-q35-7.2";
 * "pc" and "pc-i440fx-1.4" to "pc-i440fx-7.2"; "virt" and "virt-2.6" to
 * "virt-7.2" on aarch64 and armv7l; "virt" on riscv64. Older or newer
 * versions (pc-1.2, virt-10.0) do not start in QEMU 7.2, so planning for
 * them would only produce a domain libvirt refuses.
 */
const PpQemuMachine *
ppQemuMachineLookup(const char *arch, const char *machine, GError **error)
{
    const PpQemuMachine *ret;

    if (!arch)
        arch = "x86_64";
    if (!(ret = ppQemuMachineFind(arch, machine)))
        g_set_error(error, PP_ERROR, PP_ERROR_UNSUPPORTED,
                    _("Machine type '%1$s' on architecture '%2$s' is not one QEMU 7.2 has and virt-pciplan plans: q35 or pc-q35-2.4 to pc-q35-7.2, pc or pc-i440fx-1.4 to pc-i440fx-7.2 (x86_64), virt or virt-2.6 to virt-7.2 (aarch64), virt (riscv64)"),
                    machine ? machine : "", arch);
    return ret;
}

const PpQemuMachine *
ppQemuMachineFromDef(const PpDomainDef *def, GError **error)
{
    return ppQemuMachineLookup(def->arch, def->machine, error);
}

static gboolean
ppStrEq(const char *a, const char *b)
{
    return a && b && g_str_equal(a, b);
}

static gboolean
ppStrIn(const char *s, const char *const *list)
{
    for (; s && *list; list++) {
        if (g_str_equal(s, *list))
            return TRUE;
    }
    return FALSE;
}

/* virtio models: "virtio" and "virtio-non-transitional" follow the
 * machine's bus; "virtio-transitional" asks for conventional PCI, where a
 * legacy driver can find the device (libvirt 5.2.0). */
typedef enum {
    PP_VIRTIO_NONE,
    PP_VIRTIO_DEFAULT,
    PP_VIRTIO_TRANSITIONAL,
} PpVirtioKind;

static PpVirtioKind
ppVirtioModelKind(const char *model)
{
    if (!model)
        return PP_VIRTIO_NONE;
    if (g_str_equal(model, "virtio-transitional"))
        return PP_VIRTIO_TRANSITIONAL;
    if (g_str_equal(model, "virtio") || g_str_equal(model, "virtio-non-transitional"))
        return PP_VIRTIO_DEFAULT;
    return PP_VIRTIO_NONE;
}

static PpPCIConnectFlags
ppQemuVirtioFlags(const PpQemuMachine *machine, PpVirtioKind kind)
{
    switch (kind) {
    case PP_VIRTIO_NONE:
        return 0;
    case PP_VIRTIO_TRANSITIONAL:
        return PP_PCI_CONNECT_TYPE_PCI_DEVICE;
    case PP_VIRTIO_DEFAULT:
        return machine->pcie ? PP_PCI_CONNECT_TYPE_PCIE_DEVICE : PP_PCI_CONNECT_TYPE_PCI_DEVICE;
    }
    return 0;
}

static PpPCIConnectFlags
ppQemuPCIeFlags(const PpQemuMachine *machine)
{
    return machine->pcie ? PP_PCI_CONNECT_TYPE_PCIE_DEVICE : PP_PCI_CONNECT_TYPE_PCI_DEVICE;
}

static PpPCIConnectFlags
ppQemuControllerConnectFlags(const PpQemuMachine *machine, const PpDeviceDef *dev)
{
    static const char *const pciUSB[] = {
        "piix3-uhci", "piix4-uhci", "ehci", "ich9-ehci1", "ich9-uhci1", "ich9-uhci2",
        "ich9-uhci3", "vt82c686b-uhci", "pci-ohci", NULL
    };
    static const char *const pcieUSB[] = { "qemu-xhci", "nec-xhci", NULL };
    static const char *const pciSCSI[] = {
        "lsilogic", "lsisas1068", "lsisas1078", "vmpvscsi", "buslogic", "am53c974", "dc390",
        NULL
    };
    const char *type = dev->type ? dev->type : "";
    const char *model = dev->model;

    if (g_str_equal(type, "usb")) {
        if (ppStrEq(model, "none"))
            return 0;
        if (!model)
            model = machine->defaultUSB;
        if (ppStrIn(model, pcieUSB))
            return ppQemuPCIeFlags(machine);
        return ppStrIn(model, pciUSB) ? PP_PCI_CONNECT_TYPE_PCI_DEVICE : 0;
    }
    if (g_str_equal(type, "scsi")) {
        if (!model)
            model = machine->defaultSCSI;
        if (ppVirtioModelKind(model) != PP_VIRTIO_NONE || ppStrEq(model, "virtio-scsi"))
            return ppQemuVirtioFlags(machine, ppStrEq(model, "virtio-scsi") ? PP_VIRTIO_DEFAULT
                                                                            : ppVirtioModelKind(model));
        return ppStrIn(model, pciSCSI) ? PP_PCI_CONNECT_TYPE_PCI_DEVICE : 0;
    }
    if (g_str_equal(type, "virtio-serial"))
        return ppQemuVirtioFlags(machine, model ? ppVirtioModelKind(model) : PP_VIRTIO_DEFAULT);
    if (g_str_equal(type, "sata"))
        return PP_PCI_CONNECT_TYPE_PCI_DEVICE;
    if (g_str_equal(type, "ide"))
        return machine->kind == PP_QEMU_MACHINE_I440FX ? PP_PCI_CONNECT_TYPE_PCI_DEVICE : 0;
    return 0;
}

static PpPCIConnectFlags
ppQemuHostdevConnectFlags(const PpQemuMachine *machine, const PpDeviceDef *dev)
{
    g_autofree char *mode = NULL;

    if (dev->node)
        mode = (char *)xmlGetNoNsProp(dev->node, (const xmlChar *)"mode");
    if (mode && !g_str_equal(mode, "subsystem"))
        return 0;
    /* libvirt gives PCIe flags to a host PCI device it cannot inspect. */
    if (ppStrEq(dev->type, "pci") || ppStrEq(dev->type, "mdev"))
        return ppQemuPCIeFlags(machine);
    if (ppStrEq(dev->type, "scsi_host"))
        return ppQemuVirtioFlags(machine, PP_VIRTIO_DEFAULT);
    return 0;
}

static PpPCIConnectFlags
ppQemuInterfaceConnectFlags(const PpQemuMachine *machine, const PpDeviceDef *dev)
{
    const char *model = dev->model;

    if (ppStrEq(dev->type, "hostdev"))
        return ppQemuPCIeFlags(machine);
    if (!model)
        model = machine->defaultNIC;
    if (ppVirtioModelKind(model) != PP_VIRTIO_NONE)
        return ppQemuVirtioFlags(machine, ppVirtioModelKind(model));
    if (g_str_equal(model, "e1000e") || g_str_equal(model, "igb"))
        return ppQemuPCIeFlags(machine);
    if (g_str_equal(model, "spapr-vlan") || g_str_equal(model, "smc91c111") ||
        g_str_equal(model, "lan9118"))
        return 0;
    return PP_PCI_CONNECT_TYPE_PCI_DEVICE;
}

static PpPCIConnectFlags
ppQemuVideoConnectFlags(const PpQemuMachine *machine, const PpDeviceDef *dev)
{
    static const char *const pci[] = { "vga", "cirrus", "vmvga", "qxl", NULL };
    const char *model = dev->model ? dev->model : machine->defaultVideo;

    if (g_str_equal(model, "virtio") || g_str_equal(model, "bochs"))
        return ppQemuPCIeFlags(machine);
    return ppStrIn(model, pci) ? PP_PCI_CONNECT_TYPE_PCI_DEVICE : 0;
}

/**
 * ppQemuDeviceConnectFlags:
 *
 * libvirt 9.0's qemuDomainDeviceCalculatePCIConnectFlags, as far as the
 * devices of QEMU 7.2 go. Exhaustive over device kinds.
 */
PpPCIConnectFlags
ppQemuDeviceConnectFlags(const PpQemuMachine *machine, const PpDeviceDef *dev)
{
    static const char *const pciSound[] = { "ich6", "ich7", "ich9", "ac97", "es1370", NULL };

    switch (dev->kind) {
    case PP_DEVICE_DISK:
        if (!ppStrEq(dev->bus, "virtio"))
            return 0;
        return ppQemuVirtioFlags(machine, dev->model ? ppVirtioModelKind(dev->model)
                                                     : PP_VIRTIO_DEFAULT);
    case PP_DEVICE_CONTROLLER:
        if (ppStrEq(dev->type, "pci"))
            return 0; /* placed as controllers, not endpoints */
        return ppQemuControllerConnectFlags(machine, dev);
    case PP_DEVICE_INTERFACE:
        return ppQemuInterfaceConnectFlags(machine, dev);
    case PP_DEVICE_HOSTDEV:
        return ppQemuHostdevConnectFlags(machine, dev);
    case PP_DEVICE_VIDEO:
        return ppQemuVideoConnectFlags(machine, dev);
    case PP_DEVICE_SOUND:
        return ppStrIn(dev->model, pciSound) ? PP_PCI_CONNECT_TYPE_PCI_DEVICE : 0;
    case PP_DEVICE_WATCHDOG:
        return ppStrEq(dev->model, "i6300esb") ? PP_PCI_CONNECT_TYPE_PCI_DEVICE : 0;
    case PP_DEVICE_RNG:
    case PP_DEVICE_MEMBALLOON:
    case PP_DEVICE_VSOCK:
        return ppQemuVirtioFlags(machine, ppVirtioModelKind(dev->model));
    case PP_DEVICE_INPUT:
        if (!ppStrEq(dev->bus, "virtio"))
            return 0;
        return ppQemuVirtioFlags(machine, dev->model ? ppVirtioModelKind(dev->model)
                                                     : PP_VIRTIO_DEFAULT);
    case PP_DEVICE_SERIAL:
        return ppStrEq(dev->targetType, "pci-serial") ? PP_PCI_CONNECT_TYPE_PCI_DEVICE : 0;
    case PP_DEVICE_IOMMU:
        /* virtio-iommu-pci must be plugged on the root bus (QEMU). */
        if (!ppStrEq(dev->model, "virtio"))
            return 0;
        return ppQemuVirtioFlags(machine, PP_VIRTIO_DEFAULT) | PP_PCI_CONNECT_INTEGRATED;
    case PP_DEVICE_SHMEM:
        return PP_PCI_CONNECT_TYPE_PCI_DEVICE;
    case PP_DEVICE_PANIC:
        /* pvpanic is ISA on x86 unless given a PCI address; PCI on virt. */
        if (!ppStrEq(dev->model, "pvpanic"))
            return 0;
        if (!machine->pcie && machine->kind == PP_QEMU_MACHINE_I440FX)
            return dev->addr.type == PP_ADDRESS_PCI ? PP_PCI_CONNECT_TYPE_PCI_DEVICE : 0;
        if (machine->kind == PP_QEMU_MACHINE_Q35 && dev->addr.type != PP_ADDRESS_PCI)
            return 0;
        return PP_PCI_CONNECT_TYPE_PCI_DEVICE | PP_PCI_CONNECT_INTEGRATED;
    case PP_DEVICE_FILESYSTEM:
        if (ppStrEq(dev->type, "mount") || !dev->type)
            return ppQemuVirtioFlags(machine, dev->model ? ppVirtioModelKind(dev->model)
                                                         : PP_VIRTIO_DEFAULT);
        return 0;
    case PP_DEVICE_MEMORY:
        if (ppStrEq(dev->model, "virtio-pmem") || ppStrEq(dev->model, "virtio-mem"))
            return ppQemuVirtioFlags(machine, PP_VIRTIO_DEFAULT);
        return 0;
    case PP_DEVICE_CRYPTO:
        /* libvirt 9.0 gives virtio-crypto conventional PCI flags. */
        return ppStrEq(dev->model, "virtio") ? PP_PCI_CONNECT_TYPE_PCI_DEVICE : 0;
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
    return 0;
}

/**
 * ppQemuDeviceCanUseVirtioMMIO:
 *
 * The devices libvirt primes for virtio-mmio on virt machines
 * (qemuDomainPrimeVirtioDeviceAddresses); transitional models are
 * PCI-only by definition.
 */
gboolean
ppQemuDeviceCanUseVirtioMMIO(const PpDeviceDef *dev)
{
    switch (dev->kind) {
    case PP_DEVICE_DISK:
        return ppStrEq(dev->bus, "virtio") &&
               ppVirtioModelKind(dev->model ? dev->model : "virtio") == PP_VIRTIO_DEFAULT;
    case PP_DEVICE_INTERFACE:
    case PP_DEVICE_RNG:
    case PP_DEVICE_MEMBALLOON:
    case PP_DEVICE_VIDEO:
    case PP_DEVICE_CRYPTO:
        return ppVirtioModelKind(dev->model) == PP_VIRTIO_DEFAULT;
    case PP_DEVICE_INPUT:
        return ppStrEq(dev->bus, "virtio") &&
               ppVirtioModelKind(dev->model ? dev->model : "virtio") == PP_VIRTIO_DEFAULT;
    case PP_DEVICE_CONTROLLER:
        if (ppStrEq(dev->type, "virtio-serial"))
            return ppVirtioModelKind(dev->model ? dev->model : "virtio") == PP_VIRTIO_DEFAULT;
        return ppStrEq(dev->type, "scsi") &&
               (ppStrEq(dev->model, "virtio-scsi") || ppStrEq(dev->model, "virtio-non-transitional"));
    case PP_DEVICE_HOSTDEV:
        return ppStrEq(dev->type, "scsi_host");
    case PP_DEVICE_WATCHDOG:
    case PP_DEVICE_SOUND:
    case PP_DEVICE_SERIAL:
    case PP_DEVICE_CONSOLE:
    case PP_DEVICE_PARALLEL:
    case PP_DEVICE_CHANNEL:
    case PP_DEVICE_IOMMU:
    case PP_DEVICE_VSOCK:
    case PP_DEVICE_SHMEM:
    case PP_DEVICE_PANIC:
    case PP_DEVICE_FILESYSTEM:
    case PP_DEVICE_MEMORY:
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
    return FALSE;
}

/* ------------------------------------------------------------------ */
/* The plan                                                            */

void
ppPlanFree(PpPlan *plan)
{
    if (!plan)
        return;
    if (plan->additions)
        g_array_unref(plan->additions);
    g_free(plan);
}

static void
ppPlanAdditionClear(gpointer data)
{
    PpPlanAddition *add = data;

    g_free(add->reason);
}

static void
ppPlanRecord(PpDeviceDef *dev, char *reason, gpointer opaque)
{
    PpPlan *plan = opaque;
    PpPlanAddition add = { dev, reason };

    g_array_append_val(plan->additions, add);
}

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
        default:
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
static void
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

static gboolean
ppQemuDomainCheckLibvirt(const PpDomainDef *def, GError **error)
{
    guint i;

    for (i = 0; i < def->devices->len; i++) {
        if (!ppQemuDeviceCheckLibvirt(g_ptr_array_index(def->devices, i), error))
            return FALSE;
    }
    return TRUE;
}

/*
 * Why the guest would not see an expander bus on this domain, or NULL.
 * riscv64 virt's firmware describes none; on aarch64 virt a pxb-pcie is
 * found through ACPI only, so it needs UEFI and ACPI (booted guests: with
 * a direct kernel the guest lists the expander but none of its devices).
 */
static const char *
ppQemuExpandersMissing(const PpDomainDef *def, const PpQemuMachine *machine)
{
    if (!machine->expanders)
        return _("this machine type has no expander buses");
    if (machine->kind == PP_QEMU_MACHINE_ARM_VIRT &&
        (def->firmware != PP_FIRMWARE_EFI || !def->acpi))
        return _("on aarch64 virt the guest sees an expander bus's devices only with UEFI and ACPI: add <os firmware='efi'> (or an AAVMF pflash <loader>) and <features><acpi/></features>");
    return NULL;
}

/* Expander buses, the user's or asked for by hints, only where the guest
 * will see what is behind them. */
static gboolean
ppQemuDomainCheckExpanders(const PpDomainDef *def, const PpQemuMachine *machine, GError **error)
{
    const char *why = ppQemuExpandersMissing(def, machine);
    guint i;

    for (i = 0; why && i < def->devices->len; i++) {
        const PpDeviceDef *dev = g_ptr_array_index(def->devices, i);
        g_autofree char *what = NULL;

        if (!(dev->kind == PP_DEVICE_CONTROLLER &&
              (dev->ctrl.pciModel == PP_CONTROLLER_MODEL_PCIE_EXPANDER_BUS ||
               dev->ctrl.pciModel == PP_CONTROLLER_MODEL_PCI_EXPANDER_BUS)) &&
            dev->hints.numaNode < 0 &&
            dev->hints.preferredConnection != PP_CONNECTION_PCIE_EXPANDER_BUS &&
            dev->hints.preferredConnection != PP_CONNECTION_PCI_EXPANDER_BUS)
            continue;
        what = ppDeviceDefDescribe(dev);
        if (dev->kind == PP_DEVICE_CONTROLLER)
            g_set_error(error, PP_ERROR, PP_ERROR_UNSUPPORTED,
                        _("%1$s is an expander bus, but %2$s"), what, why);
        else
            g_set_error(error, PP_ERROR, PP_ERROR_UNSUPPORTED,
                        _("%1$s needs an expander bus, but %2$s"), what, why);
        return FALSE;
    }
    return TRUE;
}

/* ------------------------------------------------------------------ */
/* Hints                                                               */

static gboolean
ppQemuHintError(const PpDeviceDef *dev, const char *why, GError **error)
{
    g_autofree char *what = ppDeviceDefDescribe(dev);

    g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                _("%1$s has preferredConnection='%2$s', which cannot be honoured: %3$s"), what,
                ppConnectionToString(dev->hints.preferredConnection), why);
    return FALSE;
}

static gboolean
ppQemuDeviceCheckNuma(const PpDomainDef *def, const PpQemuMachine *machine,
                      const PpDeviceDef *dev, GError **error)
{
    g_autofree char *what = NULL;
    PpConnection pref = dev->hints.preferredConnection;

    if (dev->hints.numaNode < 0)
        return TRUE;
    what = ppDeviceDefDescribe(dev);
    if (!ppDomainDefHasNumaCell(def, dev->hints.numaNode)) {
        g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                    _("%1$s has numaNode='%2$d', but the domain has no such NUMA cell in <cpu><numa>"),
                    what, dev->hints.numaNode);
        return FALSE;
    }
    if (pref != PP_CONNECTION_NONE && pref != PP_CONNECTION_PCIE &&
        pref != PP_CONNECTION_PCI && pref != PP_CONNECTION_PCIE_EXPANDER_BUS &&
        pref != PP_CONNECTION_PCI_EXPANDER_BUS) {
        g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                    _("%1$s has numaNode='%2$d', which puts it behind an expander bus, and preferredConnection='%3$s', which does not; remove one of them"),
                    what, dev->hints.numaNode, ppConnectionToString(pref));
        return FALSE;
    }
    return TRUE;
}

/*
 * Check @dev's preferredConnection against the machine and the device,
 * and turn the bus-kind values into connect flags. A hint is never
 * silently ignored: one that cannot be met is an error saying why.
 */
static gboolean
ppQemuDeviceApplyHints(const PpDomainDef *def, const PpQemuMachine *machine,
                       gboolean hasPCIeToPCIBridge, const PpDeviceDef *dev,
                       PpPCIConnectFlags *flags, GError **error)
{
    gboolean pcie = (*flags & PP_PCI_CONNECT_TYPE_PCIE_DEVICE) != 0;
    PpConnection pref = dev->hints.preferredConnection;

    if (!ppQemuDeviceCheckNuma(def, machine, dev, error))
        return FALSE;
    if ((*flags & PP_PCI_CONNECT_INTEGRATED) && pref != PP_CONNECTION_NONE &&
        pref != PP_CONNECTION_PCIE_ROOT && pref != PP_CONNECTION_PCI_ROOT)
        return ppQemuHintError(dev, _("QEMU requires it on the root bus"), error);

    switch (pref) {
    case PP_CONNECTION_NONE:
        return TRUE;
    case PP_CONNECTION_PCI:
        *flags = (*flags & ~PP_PCI_CONNECT_TYPE_PCIE_DEVICE) | PP_PCI_CONNECT_TYPE_PCI_DEVICE;
        return TRUE;
    case PP_CONNECTION_PCIE:
    case PP_CONNECTION_PCIE_ROOT_PORT:
    case PP_CONNECTION_PCIE_SWITCH_DOWNSTREAM_PORT:
        if (!machine->pcie)
            return ppQemuHintError(dev, _("machine type 'pc' has no PCI Express; use q35"), error);
        if (!pcie)
            return ppQemuHintError(dev, _("it is a conventional PCI device (use a PCI Express or virtio model)"), error);
        return TRUE;
    case PP_CONNECTION_PCIE_ROOT:
    case PP_CONNECTION_PCI_ROOT:
        if (machine->pcie != (pref == PP_CONNECTION_PCIE_ROOT))
            return ppQemuHintError(dev, machine->pcie ? _("this machine's root bus is pcie-root")
                                                      : _("this machine's root bus is pci-root"),
                                   error);
        if (dev->hints.hotpluggable != PP_TRISTATE_NO && machine->pcie)
            return ppQemuHintError(dev, _("devices on the root bus cannot be hot-plugged; add hotpluggable='no'"), error);
        return TRUE;
    case PP_CONNECTION_PCI_BRIDGE:
        return TRUE;
    case PP_CONNECTION_PCIE_TO_PCI_BRIDGE:
        if (!machine->pcie)
            return ppQemuHintError(dev, _("machine type 'pc' has no PCI Express to bridge from; use pci-bridge"), error);
        if (!hasPCIeToPCIBridge)
            return ppQemuHintError(dev, _("this QEMU has no pcie-pci-bridge; use pci-bridge"), error);
        return TRUE;
    case PP_CONNECTION_PCIE_EXPANDER_BUS:
    case PP_CONNECTION_PCI_EXPANDER_BUS:
        if (machine->pcie != (pref == PP_CONNECTION_PCIE_EXPANDER_BUS))
            return ppQemuHintError(dev, machine->pcie ? _("PCI Express machines use pcie-expander-bus")
                                                      : _("machine type 'pc' uses pci-expander-bus"),
                                   error);
        return TRUE;
    case PP_CONNECTION_VIRTIO_MMIO:
        /* Handled (and checked) by the virtio-mmio pass. */
        return TRUE;
    case PP_CONNECTION_LAST:
        break;
    }
    return TRUE;
}

/* ------------------------------------------------------------------ */
/* virtio-mmio on virt machines                                        */

static gboolean
ppQemuDomainWantsPCI(const PpDomainDef *def)
{
    guint i;

    for (i = 0; i < def->devices->len; i++) {
        const PpDeviceDef *dev = g_ptr_array_index(def->devices, i);

        if (dev->added)
            continue;
        if (dev->kind == PP_DEVICE_CONTROLLER && ppStrEq(dev->type, "pci") &&
            dev->ctrl.index != 0)
            return TRUE;
        if (dev->addr.type == PP_ADDRESS_PCI)
            return TRUE;
    }
    return FALSE;
}

/* Does @dev go to virtio-mmio? Hints first, then the domain's choice. */
static gboolean
ppQemuDeviceWantsMMIO(const PpQemuMachine *machine, const PpDeviceDef *dev, gboolean domainPCI,
                      GError **error)
{
    g_autofree char *what = NULL;
    PpConnection pref = dev->hints.preferredConnection;

    if (pref != PP_CONNECTION_VIRTIO_MMIO)
        return machine->virtioMMIOTransports > 0 && !domainPCI && pref == PP_CONNECTION_NONE &&
               dev->hints.hotpluggable != PP_TRISTATE_YES && dev->hints.numaNode < 0 &&
               ppQemuDeviceCanUseVirtioMMIO(dev);

    what = ppDeviceDefDescribe(dev);
    if (machine->virtioMMIOTransports == 0)
        g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                    _("%1$s has preferredConnection='virtio-mmio', but machine type '%2$s' has no virtio-mmio transports"),
                    what, machine->family);
    else if (!ppQemuDeviceCanUseVirtioMMIO(dev))
        g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                    _("%1$s has preferredConnection='virtio-mmio', but only non-transitional virtio devices can use virtio-mmio"),
                    what);
    else if (dev->hints.hotpluggable == PP_TRISTATE_YES)
        g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                    _("%1$s has preferredConnection='virtio-mmio' and hotpluggable='yes', but virtio-mmio devices cannot be hot-plugged"),
                    what);
    else if (dev->hints.numaNode >= 0)
        g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                    _("%1$s has preferredConnection='virtio-mmio' and numaNode='%2$d', but virtio-mmio transports belong to no NUMA node"),
                    what, dev->hints.numaNode);
    else
        return TRUE;
    return FALSE;
}

/*
 * On virt machines a virtio device without an address goes to virtio-mmio
 * unless the domain already uses PCI (a PCI controller beyond pcie-root,
 * or any PCI address) or the device's hints ask for PCI, PCIe, hot-plug
 * or a NUMA node. libvirt 9.0 always picks PCI instead, with a rule users cannot
 * steer; here an all-virtio guest keeps the cheaper transport and one
 * hint or one <address type='pci'/> switches.
 */
static gboolean
ppQemuDomainAssignVirtioMMIO(PpDomainDef *def, const PpQemuMachine *machine, PpPlan *plan,
                             GError **error)
{
    gboolean domainPCI = ppQemuDomainWantsPCI(def);
    guint i;

    for (i = 0; i < def->devices->len; i++) {
        const PpDeviceDef *dev = g_ptr_array_index(def->devices, i);

        plan->mmioUsed += dev->addr.type == PP_ADDRESS_VIRTIO_MMIO;
    }
    for (i = 0; i < def->devices->len; i++) {
        PpDeviceDef *dev = g_ptr_array_index(def->devices, i);
        g_autoptr(GError) err = NULL;

        if (dev->addr.type != PP_ADDRESS_NONE)
            continue;
        if (!ppQemuDeviceWantsMMIO(machine, dev, domainPCI, &err)) {
            if (err) {
                g_propagate_error(error, g_steal_pointer(&err));
                return FALSE;
            }
            continue;
        }
        if (++plan->mmioUsed > machine->virtioMMIOTransports) {
            g_autofree char *what = ppDeviceDefDescribe(dev);

            g_set_error(error, PP_ERROR, PP_ERROR_EXHAUSTED,
                        _("%1$s needs a virtio-mmio transport, but all %2$u of machine type '%3$s' are taken; give virtio devices <address type='pci'/> or preferredConnection='pcie' to use PCI Express instead"),
                        what, machine->virtioMMIOTransports, machine->family);
            return FALSE;
        }
        ppDeviceDefSetAddress(dev, &(PpDeviceAddress){ .type = PP_ADDRESS_VIRTIO_MMIO });
    }
    return TRUE;
}

/* ------------------------------------------------------------------ */
/* I/O port space                                                      */

/*
 * Does @dev have an I/O BAR when it sits on a bus of @busModel? QEMU 7.2
 * facts (docs/qemu-facts.md section 4): virtio is modern-only, without
 * I/O, in a PCIe port, and transitional with a legacy I/O BAR elsewhere;
 * the classic emulated NICs, UHCI, AHCI, LSI SCSI and friends always have
 * one. Host devices are unknown here and counted as I/O-free.
 */
gboolean
ppQemuDeviceNeedsIO(const PpQemuMachine *machine, const PpDeviceDef *dev,
                    PpPCIControllerModel busModel)
{
    static const char *const ioNICs[] = { "e1000", "e1000e", "igb", "rtl8139", "ne2k_pci",
                                          "pcnet", "vmxnet3", NULL };
    static const char *const ioControllers[] = {
        "piix3-uhci", "piix4-uhci", "ich9-uhci1", "ich9-uhci2", "ich9-uhci3", "vt82c686b-uhci",
        "lsilogic", "lsisas1068", "lsisas1078", "am53c974", "dc390", "buslogic", NULL
    };
    static const char *const ioSound[] = { "ac97", "es1370", NULL };
    PpVirtioKind virtio = ppVirtioModelKind(dev->model);
    /* QEMU makes virtio modern-only in a PCIe port, transitional (with a
     * legacy I/O BAR) on every other bus, the PCIe root bus included. */
    gboolean inPort = busModel == PP_CONTROLLER_MODEL_PCIE_ROOT_PORT ||
                      busModel == PP_CONTROLLER_MODEL_PCIE_SWITCH_DOWNSTREAM_PORT;

    if (dev->kind == PP_DEVICE_DISK || dev->kind == PP_DEVICE_INPUT)
        virtio = ppStrEq(dev->bus, "virtio") ? (dev->model ? ppVirtioModelKind(dev->model)
                                                           : PP_VIRTIO_DEFAULT)
                                             : PP_VIRTIO_NONE;
    if (dev->kind == PP_DEVICE_CONTROLLER && ppStrEq(dev->type, "virtio-serial"))
        virtio = dev->model ? ppVirtioModelKind(dev->model) : PP_VIRTIO_DEFAULT;
    if (dev->kind == PP_DEVICE_FILESYSTEM || ppStrEq(dev->model, "virtio-scsi"))
        virtio = PP_VIRTIO_DEFAULT;
    if (dev->kind == PP_DEVICE_INTERFACE && !dev->model)
        virtio = ppVirtioModelKind(machine->defaultNIC);
    /* virtio-gpu is modern-only everywhere: no I/O BAR even on pcie.0. */
    if (dev->kind == PP_DEVICE_VIDEO)
        virtio = PP_VIRTIO_NONE;
    if (virtio == PP_VIRTIO_TRANSITIONAL)
        return TRUE;
    if (virtio == PP_VIRTIO_DEFAULT)
        return !inPort;

    switch (dev->kind) {
    case PP_DEVICE_INTERFACE:
        return ppStrIn(dev->model ? dev->model : machine->defaultNIC, ioNICs);
    case PP_DEVICE_CONTROLLER:
        return ppStrIn(dev->model, ioControllers) || ppStrEq(dev->type, "sata") ||
               ppStrEq(dev->type, "ide") || (ppStrEq(dev->type, "scsi") && !dev->model);
    case PP_DEVICE_SOUND:
        return ppStrIn(dev->model, ioSound);
    case PP_DEVICE_SERIAL:
        return TRUE;
    case PP_DEVICE_VIDEO:
        return ppStrEq(dev->model, "qxl");
    default:
        return FALSE;
    }
}

/*
 * The firmware's I/O budget, in 4 KiB windows (docs/qemu-facts.md section
 * 4 and docs/guest-truth.md, measured by booting guests): SeaBIOS fits 14
 * on q35 but only 8 on pc, OVMF 10; on virt, AAVMF or the kernel itself
 * (no firmware) fit 15.
 */
static guint
ppQemuIOBudget(const PpDomainDef *def, const PpQemuMachine *machine, const char **ret_fw)
{
    switch (machine->kind) {
    case PP_QEMU_MACHINE_Q35:
    case PP_QEMU_MACHINE_I440FX:
        if (def->firmware == PP_FIRMWARE_EFI) {
            *ret_fw = "OVMF";
            return 10; /* aperture 0x6000-0xffff */
        }
        *ret_fw = "SeaBIOS";
        return machine->kind == PP_QEMU_MACHINE_Q35 ? 14 : 8;
    case PP_QEMU_MACHINE_ARM_VIRT:
    case PP_QEMU_MACHINE_RISCV_VIRT:
    case PP_QEMU_MACHINE_LAST:
        break;
    }
    *ret_fw = def->firmware == PP_FIRMWARE_EFI ? "UEFI" : "none (direct kernel)";
    return 15;
}

/* SeaBIOS and OVMF give an SHPC bridge an I/O window even when it is empty. */
static gboolean
ppQemuBusAlwaysGetsIO(PpPCIControllerModel model)
{
    return model == PP_CONTROLLER_MODEL_PCI_BRIDGE ||
           model == PP_CONTROLLER_MODEL_PCIE_TO_PCI_BRIDGE;
}

/*
 * Count the 4 KiB I/O windows the plan needs (one per bus other than a
 * root bus that directly holds a device with I/O BARs: nested bridges'
 * windows sit inside their parents'), refuse a plan the firmware cannot
 * fit, and give every pcie-root-port whose subtree needs no I/O
 * io-reserve=0, so that OVMF does not hand it a window for nothing
 * (measured: 14 empty root ports on OVMF collide with SATA's I/O).
 */
static gboolean
ppQemuDomainPlanIO(PpDomainDef *def, const PpQemuMachine *machine, PpPlan *plan, GError **error)
{
    g_autofree gboolean *needs = g_new0(gboolean, PP_PCI_MAX_BUSES);
    g_autofree PpDeviceDef **ctrls = g_new0(PpDeviceDef *, PP_PCI_MAX_BUSES);
    g_autoptr(GString) where = g_string_new(NULL);
    guint i;
    int idx;

    for (i = 0; i < def->devices->len; i++) {
        PpDeviceDef *dev = g_ptr_array_index(def->devices, i);

        if (dev->kind == PP_DEVICE_CONTROLLER && ppStrEq(dev->type, "pci") &&
            dev->ctrl.index >= 0 && dev->ctrl.index < PP_PCI_MAX_BUSES)
            ctrls[dev->ctrl.index] = dev;
    }
    for (idx = 1; idx < PP_PCI_MAX_BUSES; idx++)
        needs[idx] = ctrls[idx] && ppQemuBusAlwaysGetsIO(ctrls[idx]->ctrl.pciModel);
    for (i = 0; i < def->devices->len; i++) {
        const PpDeviceDef *dev = g_ptr_array_index(def->devices, i);
        guint bus = dev->addr.pci.bus;

        if (dev->addr.type != PP_ADDRESS_PCI || bus == 0 || !ctrls[bus] || needs[bus] ||
            (dev->kind == PP_DEVICE_CONTROLLER && ppStrEq(dev->type, "pci")) ||
            !ppQemuDeviceNeedsIO(machine, dev, ctrls[bus]->ctrl.pciModel))
            continue;
        needs[bus] = TRUE;
    }
    for (idx = 1; idx < PP_PCI_MAX_BUSES; idx++) {
        if (needs[idx] && ++plan->ioWindows <= 4)
            g_string_append_printf(where, "%sbus %d", where->len ? ", " : "", idx);
    }
    plan->ioBudget = ppQemuIOBudget(def, machine, &plan->firmware);
    if (plan->ioWindows > plan->ioBudget) {
        g_set_error(error, PP_ERROR, PP_ERROR_EXHAUSTED,
                    _("The plan needs %1$u I/O windows of 4 KiB, one for each PCI bridge and each other bus that holds devices with I/O ports (%2$s%3$s), but %4$s fits %5$u; use PCI Express or virtio devices, which need no I/O ports, or fewer conventional PCI devices"),
                    plan->ioWindows, where->str, plan->ioWindows > 4 ? ", ..." : "",
                    plan->firmware, plan->ioBudget);
        return FALSE;
    }

    /* Children have higher indexes than their parents. */
    for (idx = PP_PCI_MAX_BUSES - 1; idx > 0; idx--) {
        PpDeviceDef *ctrl = ctrls[idx];

        if (!ctrl)
            continue;
        if (needs[idx] && ctrl->addr.type == PP_ADDRESS_PCI)
            needs[ctrl->addr.pci.bus] = TRUE;
        if (ctrl->ctrl.pciModel == PP_CONTROLLER_MODEL_PCIE_ROOT_PORT && !needs[idx] &&
            !ppStrEq(ctrl->ctrl.modelName, "ioh3420")) {
            ppDomainDefEnsureAlias(def, ctrl);
            ctrl->ioReserveZero = TRUE;
        }
    }
    return TRUE;
}

/* Devices with hints get an alias, so that the hints' mirror under
 * <metadata> finds them after libvirt dropped the <target> attributes. */
static void
ppQemuDomainMirrorHints(PpDomainDef *def)
{
    guint i;

    for (i = 0; i < def->devices->len; i++) {
        PpDeviceDef *dev = g_ptr_array_index(def->devices, i);

        if (ppDeviceHintsPresent(&dev->hints))
            ppDomainDefEnsureAlias(def, dev);
    }
}

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
ppDeviceHasHints(const PpDeviceDef *dev)
{
    return dev->hints.preferredConnection != PP_CONNECTION_NONE ||
           dev->hints.hotpluggable != PP_TRISTATE_ABSENT;
}

static gboolean
ppQemuUnplaceableHint(const PpDeviceDef *dev, GError **error)
{
    g_autofree char *what = ppDeviceDefDescribe(dev);

    g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                _("%1$s has a hotpluggable or preferredConnection hint, but it takes no PCI slot (its address is '%2$s'), so the hint cannot be honoured; remove the hint"),
                what, ppAddressTypeToString(dev->addr.type));
    return FALSE;
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

        if (dev->addr.type != PP_ADDRESS_PCI || ppPCIAddressIsEmpty(&dev->addr.pci))
            continue;
        /* A device we do not know as PCI but which the user addressed:
         * trust the user, as libvirt does. */
        if (!flags)
            flags = PP_PCI_CONNECT_TYPES_ENDPOINT;
        if (dev->hints.hotpluggable == PP_TRISTATE_YES)
            flags |= PP_PCI_CONNECT_HOTPLUGGABLE;
        if (!ppPlacerReserveExplicit(ctx->placer, dev, flags, error))
            return FALSE;
    }
    /* After the users' addresses: a user may put a device on one of these. */
    switch (ctx->machine->kind) {
    case PP_QEMU_MACHINE_Q35:
        /* ICH9 LPC at 1f.0 and SMBus at 1f.3 are part of the machine. */
        ppPlacerReserveChipset(ctx->placer, 0x1f, 0);
        ppPlacerReserveChipset(ctx->placer, 0x1f, 3);
        break;
    case PP_QEMU_MACHINE_I440FX:
        /* PIIX3: ISA bridge 01.0, IDE 01.1 (built in), ACPI/PM 01.3. */
        ppPlacerReserveChipset(ctx->placer, 1, 0);
        ppPlacerReserveChipset(ctx->placer, 1, 1);
        ppPlacerReserveChipset(ctx->placer, 1, 3);
        break;
    case PP_QEMU_MACHINE_ARM_VIRT:
    case PP_QEMU_MACHINE_RISCV_VIRT:
    case PP_QEMU_MACHINE_LAST:
        break;
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
            if (ppDeviceHasHints(dev))
                return ppQemuUnplaceableHint(dev, error);
            continue;
        }
        flags = ppQemuDeviceConnectFlags(ctx->machine, dev);
        if (!wanted || !flags) {
            if (ppDeviceHasHints(dev) && dev->addr.type != PP_ADDRESS_PCI &&
                dev->addr.type != PP_ADDRESS_VIRTIO_MMIO)
                return ppQemuUnplaceableHint(dev, error);
            if (dev->addr.type == PP_ADDRESS_PCI && !flags) {
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
        for (j = 0; j < group->len; j++)
            functions[j] = ppQemuUSBCompanionFunction(g_ptr_array_index(group, j));
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
    /* Parents before children: by index. */
    g_ptr_array_sort(ctrls, ppQemuCompareControllerIndex);
    for (i = 0; i < ctrls->len; i++) {
        if (!ppPlacerPlaceController(ctx->placer, g_ptr_array_index(ctrls, i), error))
            return FALSE;
    }

    ppQemuPlanFixed(ctx);
    if (!ppQemuPlanUSBCompanions(ctx, error))
        return FALSE;
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
    return ppPlacerAddSpares(ctx->placer, spares, error);
}

/*
 * Can the guest hot-plug at all? q35 and pc hot-plug through ACPI (QEMU
 * 7.2's pc-q35 uses ACPI PCI hot-plug for its root ports, PIIX4's for
 * pci-root): without <features><acpi/> libvirt starts QEMU with acpi=off
 * and a device attached to an empty port never reaches the guest (booted
 * guests, docs/guest-truth.md). virt machines hot-plug natively.
 */
static gboolean
ppQemuHotplugWorks(const PpDomainDef *def, const PpQemuMachine *machine)
{
    switch (machine->kind) {
    case PP_QEMU_MACHINE_Q35:
    case PP_QEMU_MACHINE_I440FX:
        return def->acpi;
    case PP_QEMU_MACHINE_ARM_VIRT:
    case PP_QEMU_MACHINE_RISCV_VIRT:
    case PP_QEMU_MACHINE_LAST:
        break;
    }
    return TRUE;
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

/* hotpluggable='yes' where nothing can be hot-plugged would be ignored. */
static gboolean
ppQemuDomainCheckHotplug(const PpDomainDef *def, const PpQemuMachine *machine, GError **error)
{
    guint i;

    for (i = 0; !ppQemuHotplugWorks(def, machine) && i < def->devices->len; i++) {
        const PpDeviceDef *dev = g_ptr_array_index(def->devices, i);
        g_autofree char *what = NULL;

        if (dev->hints.hotpluggable != PP_TRISTATE_YES)
            continue;
        what = ppDeviceDefDescribe(dev);
        g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                    _("%1$s has hotpluggable='yes', but machine type '%2$s' hot-plugs through ACPI and the domain has no <features><acpi/></features>; add it, or drop the hint"),
                    what, machine->family);
        return FALSE;
    }
    return TRUE;
}

gboolean
ppQemuDomainPlan(PpDomainDef *def, const PpPlanOptions *opts, PpPlan **ret_plan, GError **error)
{
    g_auto(PpQemuPlanCtx) ctx = { .def = def };
    g_autoptr(PpPlan) plan = g_new0(PpPlan, 1);
    PpPlacePolicy policy;
    guint spares;

    g_return_val_if_fail(def != NULL && opts != NULL, FALSE);
    ctx.hasPCIeToPCIBridge = opts->hasPCIeToPCIBridge;
    plan->additions = g_array_new(FALSE, FALSE, sizeof(PpPlanAddition));
    g_array_set_clear_func(plan->additions, ppPlanAdditionClear);
    if (!(ctx.machine = ppQemuMachineFromDef(def, error)))
        return FALSE;
    plan->machine = ctx.machine;
    ctx.plan = plan;
    if (!ppQemuPlanSpares(def, ctx.machine, opts, &spares, error))
        return FALSE;
    if (!def->devicesNode) {
        g_set_error(error, PP_ERROR, PP_ERROR_CONFIG, _("The domain has no <devices> element"));
        return FALSE;
    }

    if (!ppQemuDomainCheckLibvirt(def, error) ||
        !ppQemuDomainCheckExpanders(def, ctx.machine, error) ||
        !ppQemuDomainCheckHotplug(def, ctx.machine, error))
        return FALSE;
    plan->hotplugWorks = ppQemuHotplugWorks(def, ctx.machine);
    ppQemuDomainAddImplicitDevices(def, ctx.machine, plan);
    ppQemuAssignUSBIndexes(def);
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
        !ppQemuDomainPlanIO(def, ctx.machine, plan, error))
        return FALSE;
    ppQemuDomainMirrorHints(def);

    plan->busesUsed = ppPlacerCountBuses(ctx.placer);
    plan->emptyHotplugPorts = ppPlacerCountEmptyPorts(ctx.placer);
    if (ret_plan)
        *ret_plan = g_steal_pointer(&plan);
    return TRUE;
}
