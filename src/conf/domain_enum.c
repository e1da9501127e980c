/*
 * domain_enum.c: the names of the model's enums, both ways, and the PCI
 * address helpers
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "domain_conf.h"

/* Tables indexed by enum value; ToString/FromString pairs below. */
static const char *const ppDeviceKindNames[PP_DEVICE_LAST] = {
    [PP_DEVICE_DISK] = "disk",
    [PP_DEVICE_CONTROLLER] = "controller",
    [PP_DEVICE_INTERFACE] = "interface",
    [PP_DEVICE_HOSTDEV] = "hostdev",
    [PP_DEVICE_VIDEO] = "video",
    [PP_DEVICE_SOUND] = "sound",
    [PP_DEVICE_WATCHDOG] = "watchdog",
    [PP_DEVICE_RNG] = "rng",
    [PP_DEVICE_MEMBALLOON] = "memballoon",
    [PP_DEVICE_INPUT] = "input",
    [PP_DEVICE_SERIAL] = "serial",
    [PP_DEVICE_CONSOLE] = "console",
    [PP_DEVICE_PARALLEL] = "parallel",
    [PP_DEVICE_CHANNEL] = "channel",
    [PP_DEVICE_IOMMU] = "iommu",
    [PP_DEVICE_VSOCK] = "vsock",
    [PP_DEVICE_SHMEM] = "shmem",
    [PP_DEVICE_PANIC] = "panic",
    [PP_DEVICE_FILESYSTEM] = "filesystem",
    [PP_DEVICE_MEMORY] = "memory",
    [PP_DEVICE_CRYPTO] = "crypto",
    [PP_DEVICE_TPM] = "tpm",
    [PP_DEVICE_REDIRDEV] = "redirdev",
    [PP_DEVICE_HUB] = "hub",
    [PP_DEVICE_SMARTCARD] = "smartcard",
    [PP_DEVICE_GRAPHICS] = "graphics",
    [PP_DEVICE_AUDIO] = "audio",
    [PP_DEVICE_EMULATOR] = "emulator",
    [PP_DEVICE_LEASE] = "lease",
    [PP_DEVICE_OTHER] = "other",
};

static const char *const ppAddressTypeNames[PP_ADDRESS_LAST] = {
    [PP_ADDRESS_NONE] = "none",
    [PP_ADDRESS_PCI] = "pci",
    [PP_ADDRESS_VIRTIO_MMIO] = "virtio-mmio",
    [PP_ADDRESS_DRIVE] = "drive",
    [PP_ADDRESS_VIRTIO_SERIAL] = "virtio-serial",
    [PP_ADDRESS_CCID] = "ccid",
    [PP_ADDRESS_USB] = "usb",
    [PP_ADDRESS_SPAPR_VIO] = "spapr-vio",
    [PP_ADDRESS_CCW] = "ccw",
    [PP_ADDRESS_ISA] = "isa",
    [PP_ADDRESS_DIMM] = "dimm",
    [PP_ADDRESS_UNASSIGNED] = "unassigned",
    [PP_ADDRESS_VIRTIO_S390] = "virtio-s390",
    [PP_ADDRESS_OTHER] = "other",
};

static const char *const ppPCIControllerModelNames[PP_CONTROLLER_MODEL_LAST] = {
    [PP_CONTROLLER_MODEL_NONE] = "",
    [PP_CONTROLLER_MODEL_PCI_ROOT] = "pci-root",
    [PP_CONTROLLER_MODEL_PCIE_ROOT] = "pcie-root",
    [PP_CONTROLLER_MODEL_PCI_BRIDGE] = "pci-bridge",
    [PP_CONTROLLER_MODEL_DMI_TO_PCI_BRIDGE] = "dmi-to-pci-bridge",
    [PP_CONTROLLER_MODEL_PCIE_ROOT_PORT] = "pcie-root-port",
    [PP_CONTROLLER_MODEL_PCIE_SWITCH_UPSTREAM_PORT] = "pcie-switch-upstream-port",
    [PP_CONTROLLER_MODEL_PCIE_SWITCH_DOWNSTREAM_PORT] = "pcie-switch-downstream-port",
    [PP_CONTROLLER_MODEL_PCI_EXPANDER_BUS] = "pci-expander-bus",
    [PP_CONTROLLER_MODEL_PCIE_EXPANDER_BUS] = "pcie-expander-bus",
    [PP_CONTROLLER_MODEL_PCIE_TO_PCI_BRIDGE] = "pcie-to-pci-bridge",
};

static const char *const ppConnectionNames[PP_CONNECTION_LAST] = {
    [PP_CONNECTION_NONE] = "",
    [PP_CONNECTION_PCI_ROOT] = "pci-root",
    [PP_CONNECTION_PCIE_ROOT] = "pcie-root",
    [PP_CONNECTION_PCIE_ROOT_PORT] = "pcie-root-port",
    [PP_CONNECTION_PCIE_SWITCH_DOWNSTREAM_PORT] = "pcie-switch-downstream-port",
    [PP_CONNECTION_PCI_BRIDGE] = "pci-bridge",
    [PP_CONNECTION_PCIE_TO_PCI_BRIDGE] = "pcie-to-pci-bridge",
    [PP_CONNECTION_PCIE_EXPANDER_BUS] = "pcie-expander-bus",
    [PP_CONNECTION_PCI_EXPANDER_BUS] = "pci-expander-bus",
    [PP_CONNECTION_PCI] = "pci",
    [PP_CONNECTION_PCIE] = "pcie",
    [PP_CONNECTION_VIRTIO_MMIO] = "virtio-mmio",
};

static int
ppEnumFromString(const char *const *names, int last, int first, const char *name)
{
    int i;

    if (!name)
        return -1;
    for (i = first; i < last; i++) {
        if (names[i] && g_str_equal(names[i], name))
            return i;
    }
    return -1;
}

const char *
ppDeviceKindToString(PpDeviceKind kind)
{
    return kind < PP_DEVICE_LAST ? ppDeviceKindNames[kind] : NULL;
}

PpDeviceKind
ppDeviceKindFromString(const char *name)
{
    int ret = ppEnumFromString(ppDeviceKindNames, PP_DEVICE_OTHER, 0, name);

    return ret < 0 ? PP_DEVICE_OTHER : (PpDeviceKind)ret;
}

const char *
ppAddressTypeToString(PpAddressType type)
{
    return type < PP_ADDRESS_LAST ? ppAddressTypeNames[type] : NULL;
}

PpAddressType
ppAddressTypeFromString(const char *name)
{
    int ret = ppEnumFromString(ppAddressTypeNames, PP_ADDRESS_OTHER, PP_ADDRESS_PCI, name);

    return ret < 0 ? PP_ADDRESS_OTHER : (PpAddressType)ret;
}

const char *
ppPCIControllerModelToString(PpPCIControllerModel model)
{
    return model < PP_CONTROLLER_MODEL_LAST ? ppPCIControllerModelNames[model] : NULL;
}

/* Returns PP_CONTROLLER_MODEL_LAST for an unknown name. */
PpPCIControllerModel
ppPCIControllerModelFromString(const char *name)
{
    int ret = ppEnumFromString(ppPCIControllerModelNames, PP_CONTROLLER_MODEL_LAST,
                               PP_CONTROLLER_MODEL_PCI_ROOT, name);

    return ret < 0 ? PP_CONTROLLER_MODEL_LAST : (PpPCIControllerModel)ret;
}

const char *
ppConnectionToString(PpConnection conn)
{
    return conn < PP_CONNECTION_LAST ? ppConnectionNames[conn] : NULL;
}

/* Returns PP_CONNECTION_LAST for an unknown name. */
PpConnection
ppConnectionFromString(const char *name)
{
    int ret = ppEnumFromString(ppConnectionNames, PP_CONNECTION_LAST, PP_CONNECTION_PCI_ROOT,
                               name);

    return ret < 0 ? PP_CONNECTION_LAST : (PpConnection)ret;
}

gboolean
ppPCIAddressIsEmpty(const PpPCIAddress *addr)
{
    return addr->domain == 0 && addr->bus == 0 && addr->slot == 0 && addr->function == 0;
}

/**
 * ppPCIAddressFormat:
 * Returns: (transfer full) "DDDD:BB:SS.F", as libvirt and lspci write it.
 */
char *
ppPCIAddressFormat(const PpPCIAddress *addr)
{
    return g_strdup_printf("%04x:%02x:%02x.%x", addr->domain, addr->bus, addr->slot,
                           addr->function);
}
