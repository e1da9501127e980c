/*
 * qemu_machine.c: the machine types QEMU 7.2 has and what each fixes
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "qemu_domain_addresspriv.h"
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
        /* QEMU's default, cortex-a15, is 32-bit (docs/qemu-facts.md section 6). */
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

/*
 * Architectures libvirt runs under QEMU whose buses are not PCI topologies
 * this tool plans: s390x has CCW devices, ppc64 sPAPR PHBs.
 */
static const char *const ppQemuArchOutOfScope[] = { "s390x", "ppc64", "ppc64le", "ppc", NULL };

/* The family of a machine type whatever its version or distribution
 * suffix (pc-q35-8.2, pc-q35-rhel9.2.0, pc-i440fx-8.0, pc-1.2, virt-8.0),
 * or NULL. */
static const PpQemuMachine *
ppQemuMachineFindFamily(const char *arch, const char *machine)
{
    gboolean x86 = g_str_equal(arch, "x86_64") || g_str_equal(arch, "i686");
    gboolean arm = g_str_equal(arch, "aarch64") || g_str_equal(arch, "armv7l");

    if (!machine)
        return ppQemuMachineFind(arch, machine);
    if (x86 && g_str_has_prefix(machine, "pc-q35-"))
        return &ppQemuMachines[PP_QEMU_MACHINE_Q35];
    if (x86 && (g_str_has_prefix(machine, "pc-i440fx-") ||
                (g_str_has_prefix(machine, "pc-") && g_ascii_isdigit(machine[3]))))
        return &ppQemuMachines[PP_QEMU_MACHINE_I440FX];
    if (arm && g_str_has_prefix(machine, "virt-"))
        return &ppQemuMachines[PP_QEMU_MACHINE_ARM_VIRT];
    return NULL;
}

const PpQemuMachine *
ppQemuMachineFamilyFromDef(const PpDomainDef *def, char **ret_warning, GError **error)
{
    const char *arch = def->arch ? def->arch : "x86_64";
    const PpQemuMachine *ret;

    if (ret_warning)
        *ret_warning = NULL;
    if (g_strv_contains(ppQemuArchOutOfScope, arch)) {
        g_set_error(error, PP_ERROR, PP_ERROR_UNSUPPORTED,
                    _("Architecture '%1$s' is out of scope: virt-pciplan plans the PCI topology of x86_64 (q35, pc), aarch64 (virt) and riscv64 (virt) domains only"),
                    arch);
        return NULL;
    }
    if ((ret = ppQemuMachineFind(arch, def->machine)))
        return ret;
    if (!(ret = ppQemuMachineFindFamily(arch, def->machine)))
        return ppQemuMachineLookup(arch, def->machine, error);
    /* A versioned or distribution machine type of a family planned here:
     * planned by QEMU 7.2's rules for that family, which is all the policy
     * built in; newer QEMUs may place some devices differently. */
    if (ret_warning)
        *ret_warning = g_strdup_printf(_("Machine type '%1$s' is not one of QEMU 7.2, whose placement policy virt-pciplan has built in: planned as '%2$s' by QEMU 7.2's rules"),
                                       def->machine, ret->alias);
    return ret;
}

const PpQemuMachine *
ppQemuMachineFromDef(const PpDomainDef *def, GError **error)
{
    return ppQemuMachineFamilyFromDef(def, NULL, error);
}
