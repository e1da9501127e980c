/*
 * qemu_domain_address.h: QEMU's placement policy and the planner entry point
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "domain_conf.h"
#include "domain_addr.h"

typedef enum {
    PP_QEMU_MACHINE_Q35,
    PP_QEMU_MACHINE_I440FX,
    PP_QEMU_MACHINE_ARM_VIRT,
    PP_QEMU_MACHINE_RISCV_VIRT,

    PP_QEMU_MACHINE_LAST
} PpQemuMachineKind;

/*
 * What QEMU 7.2 and libvirt 9.0 fix about a machine family, for placement
 * and for the command line (docs/qemu-facts.md, docs/oracles.md).
 */
typedef struct {
    PpQemuMachineKind kind;
    const char *family;          /* "q35", "pc", "virt" for messages */

    /* placement */
    gboolean pcie;               /* the root bus is pcie-root */
    guint rootMaxAutoSlot;       /* the last root-bus slot the planner fills */
    int videoSlot;               /* root-bus slot of the primary video, -1 none */
    guint virtioMMIOTransports;  /* 0 where the machine has no virtio-mmio */
    gboolean expanders;          /* pxb/pxb-pcie work here */

    /* libvirt's defaults */
    gboolean defaultMemballoon;  /* libvirt adds a virtio memballoon */
    const char *implicitUSB;     /* model of the USB controller libvirt adds, NULL none */
    const char *defaultUSB;      /* model of a USB controller given without one */
    const char *defaultVideo;    /* video model libvirt adds for <graphics> */
    const char *defaultSCSI;     /* SCSI controller model libvirt picks */
    const char *defaultNIC;      /* <interface> model libvirt picks */

    /* the command line */
    const char *arch;            /* libvirt's <type arch> */
    const char *arch32;          /* the 32-bit arch of the same machines, or NULL */
    const char *alias;           /* the short name libvirt canonicalises */
    const char *canonical;       /* what libvirt 9.0 turns @alias into */
    const char *emulator;
    const char *emulator32;      /* for @arch32 */
    const char *rootBus;         /* the name QEMU gives the root PCI bus */
    const char *defaultCPU;      /* NULL: QEMU's default */
    const char *efiCode;         /* Debian's UEFI code image, NULL: no UEFI */
    gboolean isaSerial;          /* a plain <serial> is isa-serial, not -serial */
    gboolean hasAcpiProp;        /* the machine has an acpi=on|off property */
    gboolean primaryVGA;         /* a primary virtio video is virtio-vga */
    gboolean builtinSATA;        /* <controller type='sata' index='0'> is ICH9's AHCI */
    gboolean builtinIDE;         /* <controller type='ide' index='0'> is PIIX's IDE */
} PpQemuMachine;

/* Returns: (transfer none) the machine family of @arch and @machine (NULL:
 * libvirt's default for @arch), or NULL with a PP_ERROR_UNSUPPORTED @error. */
const PpQemuMachine *ppQemuMachineLookup(const char *arch, const char *machine, GError **error);

/* Returns: (transfer none) the policy of @def's machine family, or NULL
 * with @error (see ppQemuMachineFamilyFromDef()). */
const PpQemuMachine *ppQemuMachineFromDef(const PpDomainDef *def, GError **error);

/**
 * ppQemuMachineFamilyFromDef:
 * @ret_warning: (out) (optional) (transfer full) set to a translated
 *               sentence when the machine type is not one of QEMU 7.2
 *               (a newer or a distribution's version of a family planned
 *               here), else NULL
 *
 * The family of @def's machine type: those of QEMU 7.2 (see
 * ppQemuMachineLookup()), and any other version of them (pc-q35-8.2,
 * pc-q35-rhel9.2.0, pc-i440fx-8.0, pc-1.2, virt-8.0), planned by QEMU
 * 7.2's rules. s390x and ppc64 are refused as out of scope.
 *
 * Returns: (transfer none) the machine, or NULL with a
 * PP_ERROR_UNSUPPORTED @error.
 */
const PpQemuMachine *ppQemuMachineFamilyFromDef(const PpDomainDef *def,
                                                char **ret_warning,
                                                GError **error);

/* How @dev plugs into PCI on @machine: type bits plus INTEGRATED; 0 when it
 * takes no PCI slot. */
PpPCIConnectFlags ppQemuDeviceConnectFlags(const PpQemuMachine *machine, const PpDeviceDef *dev);

/* Does @dev have an I/O BAR when it sits on a bus of @busModel (QEMU 7.2:
 * virtio has one outside PCIe ports, the classic emulated devices always)? */
gboolean ppQemuDeviceNeedsIO(const PpQemuMachine *machine,
                             const PpDeviceDef *dev,
                             PpPCIControllerModel busModel);

/* Can @dev use a virtio-mmio transport instead of PCI? */
gboolean ppQemuDeviceCanUseVirtioMMIO(const PpDeviceDef *dev);

/*
 * Whether root ports that need no I/O get io-reserve=0 through
 * <qemu:override>. libvirt 9.0 marks every domain with such an override
 * "tainted: custom-device" (in its log and `virsh dominfo`), which many
 * support policies refuse, so by default (AUTO) the override goes only
 * where the firmware would otherwise misplace I/O (qemu_io_budget.c says
 * where, and how it was measured).
 */
typedef enum {
    PP_IO_RESERVE_AUTO = 0,
    PP_IO_RESERVE_NEVER,  /* no override, even where the firmware needs it */
    PP_IO_RESERVE_ALWAYS, /* every I/O-free pcie-root-port, on any firmware */

    PP_IO_RESERVE_LAST
} PpIOReservePolicy;

/* "auto", "never", "always"; PP_IO_RESERVE_LAST for anything else. */
PpIOReservePolicy ppIOReservePolicyFromString(const char *str);

typedef struct {
    /* Empty hot-plug capable root ports to leave; -1 means the default (1). */
    int sparePorts;
    /* FALSE for a live hot-plug: no controller may be added, a device must
     * go into a free hot-pluggable place that already exists. */
    gboolean allowGrowth;
    /* What the QEMU binary has (from libvirt's domain capabilities, or
     * QEMU 7.2's built-in defaults): without pcie-pci-bridge, conventional
     * PCI devices on PCIe machines go behind a dmi-to-pci-bridge. */
    gboolean hasPCIeToPCIBridge;
    PpIOReservePolicy ioReserve;
    /* Free hot-pluggable conventional PCI slots to leave (bridge slots on
     * PCIe machines, also pci-root slots on pc), for live hot-plug of
     * conventional PCI devices; 0 by default. */
    guint spareSlots;
    /* (nullable, transfer none) the host's sysfs (/sys): derive numaNode and
     * p2pGroup of PCI hostdevs from it (qemu_host_topology.c); NULL: don't. */
    const char *hostSysfs;
} PpPlanOptions;

#define PP_PLAN_OPTIONS_INIT { .sparePorts = -1, .allowGrowth = TRUE, .hasPCIeToPCIBridge = TRUE }

/* Why the planner added a controller or device. */
typedef struct {
    PpDeviceDef *dev;  /* (transfer none) owned by the domain */
    char *reason;
} PpPlanAddition;

typedef struct _PpPlan PpPlan;
struct _PpPlan {
    const PpQemuMachine *machine;
    GArray *additions;          /* PpPlanAddition */
    guint busesUsed;            /* bus numbers, root bus included */
    guint emptyHotplugPorts;    /* left for hot-plug */
    guint mmioUsed;             /* virtio-mmio transports used */
    guint ioWindows;            /* 4 KiB I/O windows the plan needs */
    guint ioBudget;             /* what the firmware fits */
    const char *firmware;       /* whose budget: "SeaBIOS", "OVMF"... */
    /* io-reserve=0 (PpIOReservePolicy): the root ports this plan gave a
     * <qemu:override> (which makes libvirt taint the domain), and those
     * the firmware needed one for but PP_IO_RESERVE_NEVER left without.
     * ioReserveWhy says why the firmware needs them (static string), or
     * NULL when it does not. */
    guint ioReserveAdded;
    guint ioReserveSkipped;
    const char *ioReserveWhy;
    /* char *, translated sentences: what the plan accepts but says about
     * (a machine type planned by its family...); tools print them */
    GPtrArray *warnings;
    gboolean hotplugWorks;      /* FALSE: q35/pc without ACPI cannot hot-plug */
    /* (transfer none) PpDeviceDef *, owned by the domain: devices without
     * hints that prefer a PCIe port but got a hot-pluggable slot of a
     * conventional PCI bridge, because the bus numbers ran out */
    GPtrArray *degraded;
};

void ppPlanFree(PpPlan *plan);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PpPlan, ppPlanFree);

/**
 * ppQemuVirtioSerialAssign:
 * @def: (transfer none) a planned domain
 *
 * The virtio-serial controller and port libvirt 9.0 gives each channel or
 * virtio console that has no <address type='virtio-serial'> (the rule of
 * the planner's implied virtio-serial controllers, qemu_domain_implicit.c).
 *
 * Returns: (transfer full) const PpDeviceDef * -> GINT_TO_POINTER(controller
 * << 16 | port); free with g_hash_table_unref().
 */
GHashTable *ppQemuVirtioSerialAssign(const PpDomainDef *def);

/**
 * ppQemuDomainPlan:
 * @def: the parsed domain; devices get addresses, new controllers and
 *       implicit devices are appended (ppDomainDefFormat() writes them)
 * @opts: planning options
 * @ret_plan: (out) (optional) (transfer full) what was added and why
 *
 * Returns: TRUE on success; FALSE with @error set (PP_ERROR_CONFIG for a
 * bad input, _UNSUPPORTED, _EXHAUSTED for a plan that does not fit).
 * On failure @def is left half planned and must not be written.
 */
gboolean ppQemuDomainPlan(PpDomainDef *def,
                          const PpPlanOptions *opts,
                          PpPlan **ret_plan,
                          GError **error);
