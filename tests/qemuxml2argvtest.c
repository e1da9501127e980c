/*
 * qemuxml2argvtest.c: the QEMU command line of a fully addressed domain,
 * compared to a golden file
 *
 * Input: qemuxml2argvdata/argv-NAME.xml, a domain libvirt 9.0 defined and
 * dumped (so fully addressed), planned as `virt-pciplan argv` plans it
 * (which keeps every address and adds the io-reserve overrides and hint
 * aliases). Output: qemuxml2argvdata/NAME.ARCH.args,
 * one argument per line. qemuagreetest starts every golden in QEMU 7.2.
 * PP_TEST_REGENERATE_OUTPUT=1 rewrites the goldens: read every line of the
 * diff.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "testutils.h"
#include "domain_conf.h"
#include "pperror.h"
#include "qemu_command.h"
#include "qemu_order.h"

#include <string.h>

typedef struct {
    const char *name;
    const char *arch;
} ArgvCase;

static const ArgvCase argvCases[] = {
    /* q35 with nothing but the chipset */
    { "q35-minimal", "x86_64" },
    /* virtio devices on libvirt's auto-added root ports; SCSI disk, channel,
     * console on their controllers' buses */
    { "q35-virtio", "x86_64" },
    /* 16 root ports, two full multifunction slots */
    { "q35-root-ports", "x86_64" },
    /* a root port, an upstream port, four downstream ports */
    { "q35-switch", "x86_64" },
    /* a switch below a switch; a downstream port with its own chassis/port */
    { "q35-switch-nested", "x86_64" },
    /* pxb-pcie per NUMA node with bus_nr and numa_node, root ports on them */
    { "q35-pxb-numa", "x86_64" },
    /* conventional PCI devices behind pcie-pci-bridge */
    { "q35-pcie-to-pci-bridge", "x86_64" },
    /* DMI-to-PCI bridge with pci-bridges, one with its own chassisNr; HDA */
    { "q35-dmi-pci-bridge", "x86_64" },
    /* intel-iommu first, caching mode for vfio-pci; iommu_platform and ats */
    { "q35-intel-iommu-vfio", "x86_64" },
    /* virtio-iommu-pci on the root bus before every PCI device */
    { "q35-virtio-iommu", "x86_64" },
    /* -pci-transitional and -pci-non-transitional device variants */
    { "q35-transitional", "x86_64" },
    /* hotplug on/off, user aliases as ids, io-reserve and bus-reserve from
     * <qemu:override> */
    { "q35-hotplug-off", "x86_64" },
    /* endpoints integrated on pcie.0; VGA; watchdog action */
    { "q35-integrated", "x86_64" },
    /* OVMF pflash code and variables; boot order from <os><boot> */
    { "q35-uefi", "x86_64" },
    /* EHCI with UHCI companions in one multifunction slot; USB inputs */
    { "q35-usb-ehci", "x86_64" },
    /* two HDA controllers with codecs, QXL and virtio-gpu, PCI and ISA serial */
    { "q35-sound-video", "x86_64" },
    /* multifunction endpoints behind a root port and on pcie.0 */
    { "q35-multifunction", "x86_64" },
    /* ioh3420 by <model name>, explicit chassis and port */
    { "q35-ioh3420", "x86_64" },
    /* 30 root ports, four slots of functions */
    { "q35-many-ports", "x86_64" },
    /* 255 virtio NICs without hints: past the bus numbers for ports, the
     * last go to SHPC slots of a pcie-to-pci-bridge (transitional virtio) */
    { "q35-virtio-255", "x86_64" },
    /* virtio-scsi and LSI disks, a second AHCI, an empty CD-ROM */
    { "q35-scsi-sata", "x86_64" },
    /* written by hand (libvirt 9.0 cannot start vsock here):
     * vhost-vsock-pci, virtio-vga */
    { "q35-vsock", "x86_64" },
    /* i440fx with the PIIX IDE disk */
    { "pc-minimal", "x86_64" },
    /* pci-bridges, one nested in the other */
    { "pc-pci-bridges", "x86_64" },
    /* pxb with numa_node, a pci-bridge behind a pxb */
    { "pc-pxb-numa", "x86_64" },
    /* four functions of one slot on pci.0, multifunction='off' kept */
    { "pc-multifunction", "x86_64" },
    /* transitional virtio on pci.0, vfio-pci, 9p, per-device boot order */
    { "pc-virtio-vfio", "x86_64" },
    /* PIIX USB, AC97, ES1370, ib700, cirrus, ISA pvpanic */
    { "pc-usb-sound-watchdog", "x86_64" },
    /* planner output where the primary='yes' video is not the first: it
     * is still qxl-vga, "video0" and first, as QEMU wants */
    { "pc-video-primary", "x86_64" },
    /* AAVMF pflash, GICv3, virtio on root ports */
    { "aarch64-virt-pci", "aarch64" },
    /* virtio-*-device on virtio-mmio, pl011 through -serial */
    { "aarch64-virt-mmio", "aarch64" },
    /* iommu=smmuv3 on the machine; iommu_platform on modern-only virtio */
    { "aarch64-virt-smmuv3", "aarch64" },
    /* pxb-pcie on NUMA node 1 with ACPI */
    { "aarch64-virt-pxb-numa", "aarch64" },
    /* a switch with a hotplug='off' downstream port */
    { "aarch64-virt-switch", "aarch64" },
    /* pcie-pci-bridge with pci-serial and e1000; virtio-gpu-pci */
    { "aarch64-virt-pcie-pci-bridge", "aarch64" },
    /* virtio-iommu-pci before the devices it translates */
    { "aarch64-virt-virtio-iommu", "aarch64" },
    /* RISC-V virt with virtio on root ports */
    { "riscv64-virt-pci", "riscv64" },
    /* RISC-V virt with virtio-mmio */
    { "riscv64-virt-mmio", "riscv64" },
    /* RISC-V virt with a pcie-pci-bridge */
    { "riscv64-virt-bridge", "riscv64" },
};

typedef struct {
    const char *name;
    PpErrorCode code;
    const char *fragment; /* the part of the message that tells which rule fired */
} ArgvErrorCase;

static const ArgvErrorCase argvErrorCases[] = {
    /* QEMU: "Can't add chassis slot, error -16" */
    { "chassis-duplicate", PP_ERROR_CONFIG, "<target chassis='N'/>" },
    { "chassis-downstream", PP_ERROR_CONFIG, "<target chassis='N'/>" },
    { "bridge-chassis-zero", PP_ERROR_CONFIG, "N > 0" },
    { "bridge-chassis-duplicate", PP_ERROR_CONFIG, "chassisNr 1" },
    /* QEMU: "VIRTIO_F_IOMMU_PLATFORM was supported by neither legacy nor
     * transitional device" */
    { "iommu-platform-transitional", PP_ERROR_CONFIG, "virtio-non-transitional" },
    { "iommu-platform-root-bus", PP_ERROR_CONFIG, "bus 'pcie.0'" },
    { "iommu-platform-pci-bridge", PP_ERROR_CONFIG, "bus 'pci.1'" },
    /* QEMU: "QEMU does not support multiple vIOMMUs for x86 yet." */
    { "two-iommus", PP_ERROR_CONFIG, "one vIOMMU" },
    /* QEMU: "virtio-iommu-pci must be plugged on the root bus" */
    { "virtio-iommu-not-root", PP_ERROR_CONFIG, "bus='0x00'" },
    { "intel-iommu-pc", PP_ERROR_CONFIG, "need q35" },
    { "smmuv3-q35", PP_ERROR_CONFIG, "smmuv3 needs aarch64 virt" },
    { "intel-iommu-vfio-no-caching", PP_ERROR_CONFIG, "caching_mode='on'" },
    /* QEMU accepts these, guests do not find the devices */
    { "function0-missing", PP_ERROR_CONFIG, "function 0" },
    { "slot-behind-port", PP_ERROR_CONFIG, "slot='0x00'" },
    { "slot-behind-downstream", PP_ERROR_CONFIG, "slot='0x00'" },
    /* QEMU: "PCI: single function device can't be populated in function" */
    { "multifunction-off", PP_ERROR_CONFIG, "multifunction='on'" },
    /* QEMU: "PCI: slot 4 function 0 not available" */
    { "duplicate-address", PP_ERROR_CONFIG, "0000:00:04.0" },
    { "missing-bus", PP_ERROR_CONFIG, "index 5" },
    { "no-address", PP_ERROR_CONFIG, "no address" },
    { "controller-cycle", PP_ERROR_CONFIG, "cannot be ordered" },
    /* QEMU: "No 'virtio-bus' bus found" */
    { "mmio-too-many", PP_ERROR_CONFIG, "8 virtio-mmio transports" },
    { "mmio-on-q35", PP_ERROR_CONFIG, "no virtio-mmio transports" },
    { "pxb-no-busnr", PP_ERROR_CONFIG, "busNr" },
    /* both would get the id 'usb' */
    { "usb-index-duplicate", PP_ERROR_CONFIG, "own index" },
    { "unsupported-machine", PP_ERROR_UNSUPPORTED, "ppc64" },
};

static PpDomainDef *
loadDomain(const char *name)
{
    g_autofree char *file = g_strconcat("argv-", name, NULL);
    g_autofree char *path = ppTestDataPath("qemuxml2argvdata", file, ".xml");
    g_autofree char *text = NULL;
    g_autoptr(GError) err = NULL;
    PpDomainDef *def;
    gsize len;

    text = ppTestLoadFile(path, &len);
    def = ppDomainDefParseString(text, len, &err);
    g_assert_no_error(err);
    return def;
}

/* The generated order is already a realization order: reordering moves nothing. */
static void
checkOrderIsFixedPoint(char **argv)
{
    g_auto(GStrv) again = NULL;
    g_autoptr(GArray) moves = NULL;
    g_autoptr(GError) err = NULL;

    g_assert_true(ppQemuOrderCommandLine((const char *const *)argv, &again, NULL, &moves,
                                         &err));
    g_assert_no_error(err);
    g_assert_cmpuint(moves->len, ==, 0);
    g_assert_cmpstrv(again, argv);
}

static void
testArgv(gconstpointer data)
{
    const ArgvCase *tc = data;
    g_autoptr(PpDomainDef) def = loadDomain(tc->name);
    g_autofree char *suffix = g_strdup_printf(".%s.args", tc->arch);
    g_autofree char *golden = ppTestDataPath("qemuxml2argvdata", tc->name, suffix);
    g_autoptr(GError) err = NULL;
    g_auto(GStrv) argv = NULL;
    g_autofree char *text = NULL;

    PpPlanOptions opts = PP_PLAN_OPTIONS_INIT;

    g_assert_cmpstr(def->arch, ==, tc->arch);
    argv = ppQemuBuildPlannedCommandLine(def, &opts, NULL, &err);
    g_assert_no_error(err);
    text = ppQemuCommandLineFormat((const char *const *)argv, PP_QEMU_FORMAT_LINES);
    ppTestCompareToFile(text, golden);
    checkOrderIsFixedPoint(argv);
}

static void
testArgvError(gconstpointer data)
{
    const ArgvErrorCase *tc = data;
    g_autofree char *name = g_strdup_printf("error-%s", tc->name);
    g_autoptr(PpDomainDef) def = loadDomain(name);
    g_autoptr(GError) err = NULL;
    g_auto(GStrv) argv = NULL;

    argv = ppQemuBuildCommandLine(def, NULL, &err);
    g_assert_null(argv);
    g_assert_error(err, PP_ERROR, (gint)tc->code);
    if (!strstr(err->message, tc->fragment))
        g_error("%s: '%s' does not mention '%s'", tc->name, err->message, tc->fragment);
}

/* The checks alone, without building. */
static void
testValidate(void)
{
    g_autoptr(PpDomainDef) good = loadDomain("q35-switch");
    g_autoptr(PpDomainDef) bad = loadDomain("error-chassis-duplicate");
    g_autoptr(GError) err = NULL;

    g_assert_true(ppQemuValidateTopology(good, &err));
    g_assert_no_error(err);
    g_assert_false(ppQemuValidateTopology(bad, &err));
    g_assert_error(err, PP_ERROR, PP_ERROR_CONFIG);
}

/* Devices without a place on the command line are reported, not dropped
 * silently; the chipset's own devices are neither. */
static void
testSkipped(void)
{
    static const char xml[] =
        "<domain type='qemu'><name>s</name><memory>131072</memory>"
        "<os><type arch='x86_64' machine='q35'>hvm</type></os><devices>"
        "<controller type='pci' index='0' model='pcie-root'/>"
        "<controller type='sata' index='0'><address type='pci' bus='0' slot='0x1f' function='2'/></controller>"
        "<input type='mouse' bus='ps2'/><graphics type='vnc'/><audio id='1' type='none'/>"
        "<tpm model='tpm-crb'><backend type='emulator'/></tpm>"
        "</devices></domain>";
    g_autoptr(PpDomainDef) def = NULL;
    g_autoptr(GPtrArray) skipped = NULL;
    g_autoptr(GError) err = NULL;
    g_auto(GStrv) argv = NULL;

    def = ppDomainDefParseString(xml, strlen(xml), &err);
    g_assert_no_error(err);
    argv = ppQemuBuildCommandLine(def, &skipped, &err);
    g_assert_no_error(err);
    g_assert_cmpuint(skipped->len, ==, 2);
    g_assert_true(g_str_has_prefix(g_ptr_array_index(skipped, 0), "graphics"));
    g_assert_true(g_str_has_prefix(g_ptr_array_index(skipped, 1), "tpm"));
}

int
main(int argc, char **argv)
{
    size_t i;

    ppTestInit(&argc, &argv);
    for (i = 0; i < G_N_ELEMENTS(argvCases); i++) {
        g_autofree char *path = g_strdup_printf("/qemu/argv/%s", argvCases[i].name);

        g_test_add_data_func(path, &argvCases[i], testArgv);
    }
    for (i = 0; i < G_N_ELEMENTS(argvErrorCases); i++) {
        g_autofree char *path = g_strdup_printf("/qemu/argv/error/%s", argvErrorCases[i].name);

        g_test_add_data_func(path, &argvErrorCases[i], testArgvError);
    }
    g_test_add_func("/qemu/argv/validate", testValidate);
    g_test_add_func("/qemu/argv/skipped", testSkipped);
    return g_test_run();
}
