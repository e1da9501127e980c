/*
 * qemu_device_connect.c: how each device plugs in: PCI or PCIe connect flags, virtio-mmio, I/O BARs
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "qemu_domain_addresspriv.h"
#include "pperror.h"

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
        /* QEMU 7.2's virtio-*-pci default to disable-legacy=auto: modern
         * only in a PCIe port, transitional on a conventional bus. */
        return machine->pcie ? PP_PCI_CONNECT_TYPE_PCIE_DEVICE | PP_PCI_CONNECT_ALSO_PCI
                             : PP_PCI_CONNECT_TYPE_PCI_DEVICE;
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
        return ppQemuVirtioFlags(machine, ppVirtioModelKind(dev->model));
    case PP_DEVICE_VSOCK:
        /* libvirt 9.0 writes model='virtio' for a <vsock> without one. */
        return ppQemuVirtioFlags(machine, ppVirtioModelKind(dev->model ? dev->model : "virtio"));
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
    case PP_DEVICE_DISK:
    case PP_DEVICE_HOSTDEV:
    case PP_DEVICE_WATCHDOG:
    case PP_DEVICE_RNG:
    case PP_DEVICE_MEMBALLOON:
    case PP_DEVICE_INPUT:
    case PP_DEVICE_CONSOLE:
    case PP_DEVICE_PARALLEL:
    case PP_DEVICE_CHANNEL:
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
    return FALSE;
}
