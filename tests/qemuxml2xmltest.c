/*
 * qemuxml2xmltest.c: plan a domain and compare the written XML to a golden file
 *
 * Input: qemuxml2argvdata/NAME.xml. Output: qemuxml2xmloutdata/NAME.xml, or
 * for a plan that must fail, qemuxml2xmloutdata/NAME.err holding the
 * error's class and message. Every planned output is also planned again and
 * must come back byte for byte (guest ABI: a planned domain is a fixed
 * point). PP_TEST_REGENERATE_OUTPUT=1 rewrites the goldens: read the diff.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "testutils.h"
#include "domain_conf.h"
#include "domain_format.h"
#include "pperror.h"
#include "qemu_domain_address.h"
#include "qemu_command.h"

#include <string.h>

typedef struct {
    const char *name;
    int spares;            /* --spare-ports, -1 for the default */
    int error;             /* expected PpErrorCode, -1 for success */
    const char *inputPath; /* NULL: qemuxml2argvdata/NAME.xml */
    const char *outName;   /* NULL: NAME */
    PpIOReservePolicy ioReserve; /* --io-reserve, AUTO by default */
    guint spareSlots;      /* --spare-pci-slots, 0 by default */
    const char *hostSysfs; /* --host-sysfs, under tests/; NULL: none */
} TestCase;

static char *
planString(const char *text, gsize len, const TestCase *tc, GError **error)
{
    g_autoptr(PpDomainDef) def = NULL;
    PpPlanOptions opts = PP_PLAN_OPTIONS_INIT;
    g_autofree char *sysfs = tc->hostSysfs ? g_build_filename(g_getenv("PP_TEST_SRCDIR"),
                                                              tc->hostSysfs, NULL)
                                           : NULL;
    gsize outlen;

    opts.sparePorts = tc->spares;
    opts.ioReserve = tc->ioReserve;
    opts.spareSlots = tc->spareSlots;
    opts.hostSysfs = sysfs;
    /* As `virt-pciplan plan` does (tools/tool_common.c). */
    if (!(def = ppDomainDefParseString(text, len, error)) ||
        !ppQemuDomainPlan(def, &opts, NULL, error) || !ppQemuValidatePlanned(def, error))
        return NULL;
    return ppDomainDefFormat(def, &outlen, error);
}

static void
testPlan(gconstpointer data)
{
    const TestCase *tc = data;
    g_autofree char *input = tc->inputPath ? g_strdup(tc->inputPath)
                                           : ppTestDataPath("qemuxml2argvdata", tc->name, ".xml");
    const char *outName = tc->outName ? tc->outName : tc->name;
    g_autofree char *text = NULL;
    g_autofree char *out = NULL;
    g_autofree char *again = NULL;
    g_autofree char *golden = NULL;
    g_autoptr(GError) err = NULL;
    gsize len;

    text = ppTestLoadFile(input, &len);
    out = planString(text, len, tc, &err);

    /* Every check fails the case and returns, never the whole binary, so
     * one broken case does not hide the others. */
    if (tc->error >= 0) {
        g_autofree char *msg = NULL;

        if (!g_error_matches(err, PP_ERROR, tc->error)) {
            g_test_fail_printf("%s: expected a '%s' error, got %s", tc->name,
                               ppErrorCodeToString(tc->error),
                               err ? err->message : "a plan");
            return;
        }
        msg = g_strdup_printf("%s: %s\n", ppErrorCodeToString(err->code), err->message);
        golden = ppTestDataPath("qemuxml2xmloutdata", outName, ".err");
        ppTestCompareToFile(msg, golden);
        return;
    }
    if (err) {
        g_test_fail_printf("%s: %s", tc->name, err->message);
        return;
    }
    golden = ppTestDataPath("qemuxml2xmloutdata", outName, ".xml");
    ppTestCompareToFile(out, golden);

    if (!(again = planString(out, strlen(out), tc, &err)))
        g_test_fail_printf("%s: planning the plan again failed: %s", tc->name, err->message);
    else if (!g_str_equal(again, out))
        g_test_fail_printf("%s: planning the plan again changed it (not a fixed point)",
                           tc->name);
}

#define OK(n) { n, -1, -1, NULL, NULL }
#define OK_SPARES(n, s) { n, s, -1, NULL, NULL }
#define FAIL(n, e) { n, -1, e, NULL, NULL }
#define FAIL_SPARES(n, s, e) { n, s, e, NULL, NULL }
#define OK_IO_RESERVE(n, policy, out) { n, -1, -1, NULL, out, policy }
#define OK_SPARE_SLOTS(n, s) { n, -1, -1, NULL, NULL, PP_IO_RESERVE_AUTO, s }

static const TestCase cases[] = {
    /* Losslessness: comments, quoting and spacing inside tags, metadata
     * and CDATA, the QEMU namespace, elements the planner does not know,
     * and every device kind that takes an address: only addresses and
     * additions change, every other byte stays. */
    OK("roundtrip-comments"),
    OK("roundtrip-quoting"),
    OK("roundtrip-metadata"),
    OK("roundtrip-qemu-namespace"),
    OK("roundtrip-unknown-elements"),
    OK("roundtrip-disks-controllers"),
    OK("roundtrip-nets-hostdevs"),
    OK("roundtrip-video-sound-watchdog"),
    OK("roundtrip-rng-balloon-input"),
    OK("roundtrip-serial-console-channel"),
    OK("roundtrip-iommu-vsock-shmem"),
    OK("roundtrip-panic-tpm-redirdev-hub"),
    OK("roundtrip-filesystem-memory"),
    OK("roundtrip-pc-everything"),
    OK("roundtrip-aarch64-everything"),
    OK("roundtrip-riscv64-everything"),

    /* q35: implicit devices libvirt would add are written out */
    OK("q35-minimal"),
    /* every hot-pluggable PCIe device gets its own root port */
    OK("q35-virtio-devices"),
    /* io-reserve=0 (no taint by default): SeaBIOS needs none, so a plan
     * adds no <qemu:override> and no alias for it unless asked; OVMF
     * needs it on every hot-pluggable root port without I/O (not on the
     * one holding the e1000's bridge), unless --io-reserve=never */
    OK_IO_RESERVE("q35-virtio-devices", PP_IO_RESERVE_ALWAYS, "q35-virtio-devices-io-reserve-always"),
    OK("q35-ovmf-io-reserve"),
    OK_IO_RESERVE("q35-ovmf-io-reserve", PP_IO_RESERVE_NEVER, "q35-ovmf-io-reserve-never"),
    /* root ports packed 8 to a slot, multifunction on function 0 */
    OK("q35-root-ports-aggregate"),
    /* conventional PCI goes behind a pcie-to-pci-bridge in a root port */
    OK("q35-legacy-pci-bridge"),
    /* the bridge's last slot becomes a pci-bridge when more devices wait */
    OK("q35-legacy-pci-bridge-chain"),
    /* hotpluggable='no': integrated on pcie.0, 8 functions to a slot */
    OK("q35-hotpluggable-no"),
    OK("q35-hotpluggable-no-legacy"),
    /* --spare-ports */
    OK_SPARES("q35-spare-ports-4", 4),
    OK_SPARES("q35-spare-ports-0", 0),
    /* q35 and pc hot-plug through ACPI: without <acpi/> no spare port,
     * and hot-plug hints or --spare-ports are refused */
    OK("q35-no-acpi-no-spare"),
    FAIL("q35-no-acpi-hotpluggable-error", PP_ERROR_CONFIG),
    FAIL_SPARES("q35-no-acpi-spares-error", 2, PP_ERROR_CONFIG),
    /* the user's bare root ports are used before any is added */
    OK("q35-user-root-ports"),
    /* explicit addresses never move; others fill around them */
    OK("q35-explicit-addresses-kept"),
    /* a planned domain with a device removed: its port stays as it was */
    OK("q35-remove-device-keeps-port"),
    /* a planned domain grows: a new root port joins the slot of the others */
    OK_SPARES("q35-grow-fills-port-slot", 0),
    /* pc: pci-root slots hot-plug through ACPI */
    OK("pc-pci-root-hotpluggable"),
    /* pc: a device that needs no hot-plug leaves the last slot to a bridge */
    OK("pc-hotpluggable-no-among-many"),
    /* past the bus numbers, devices without hints go to SHPC bridge slots */
    OK("q35-virtio-255-no-hints"),
    OK("q35-virtio-300-no-hints"),
    /* ... but hotpluggable='yes' is a promise of a PCIe port */
    FAIL("q35-hotpluggable-yes-past-ports-error", PP_ERROR_EXHAUSTED),
    /* --spare-pci-slots: free SHPC slots for live hot-plug of PCI devices */
    OK_SPARE_SLOTS("q35-spare-pci-slots", 40),
    OK_SPARE_SLOTS("pc-spare-pci-slots", 40),
    /* a planned NUMA domain gets one more device on node 1: no busNr moves */
    OK_SPARES("q35-numa-grow", 0),
    /* <graphics> without <video>: libvirt's cirrus, at 00:01.0 */
    OK("q35-graphics-video"),
    OK("q35-video-virtio-primary"),
    OK("q35-hostdev-vfio"),
    /* virtio-iommu must sit on the root bus */
    OK("q35-integrated-devices"),
    /* hotpluggable='no' prefers the user's hotplug='off' port */
    OK("q35-cold-port"),
    /* ... also when it names the model of that port */
    OK("q35-cold-port-pref-root-port"),
    /* the user's switch ports get addresses and take devices */
    OK("q35-user-switch"),
    /* PCI controllers without index get one written */
    OK("q35-autoindex"),
    /* disk controllers libvirt would add, added here */
    OK("q35-scsi-implicit"),
    OK("q35-virtio-serial-implicit"),
    /* preferredConnection */
    FAIL("q35-pcie-root-needs-hotpluggable-no", PP_ERROR_CONFIG),
    OK("q35-preferred-pcie-root"),
    OK("q35-preferred-pci"),
    FAIL("q35-preferred-pcie-conventional-error", PP_ERROR_CONFIG),
    FAIL("q35-mmio-hint-error", PP_ERROR_CONFIG),
    FAIL("q35-hint-on-sata-disk-error", PP_ERROR_CONFIG),
    /* a numaNode hint on a device that takes no PCI slot is refused too */
    FAIL("q35-numa-hint-on-usb-tablet-error", PP_ERROR_CONFIG),
    /* a user's address that cannot work is refused, naming device and reason */
    FAIL("q35-hotpluggable-root-address-error", PP_ERROR_CONFIG),
    FAIL("q35-address-in-use-error", PP_ERROR_CONFIG),
    FAIL("q35-port-slot-error", PP_ERROR_CONFIG),
    FAIL("q35-function-zero-missing-error", PP_ERROR_CONFIG),
    FAIL("q35-controller-index-order-error", PP_ERROR_CONFIG),
    FAIL("q35-wrong-root-error", PP_ERROR_CONFIG),
    /* USB2 EHCI and its UHCI companions share a slot: 00:1d, then 00:1a */
    OK("q35-usb2-companions"),
    /* the user's DMI bridge goes to 00:1e.0, its pci-bridge below it */
    OK("q35-dmi-bridge-user"),
    /* preferredConnection names a controller model: a free one of that
     * model, else a new one with everything beneath it */
    OK("q35-pref-root-port"),
    OK("q35-pref-downstream-port"),
    OK("q35-pref-pci-bridge"),
    OK("q35-pref-pcie-to-pci-bridge"),
    FAIL("q35-pref-expander-needs-node-error", PP_ERROR_CONFIG),
    FAIL("q35-pref-pci-expander-error", PP_ERROR_CONFIG),
    FAIL("q35-pref-integrated-conflict-error", PP_ERROR_CONFIG),
    /* with hotpluggable='no': 'pcie' still means a port (shared), 'pci' a
     * conventional bus, not the root bus */
    OK("q35-pref-pcie-cold"),
    OK("q35-pref-pci-cold"),
    /* a user's address that contradicts the device's own hint */
    FAIL("q35-address-contradicts-hint-error", PP_ERROR_CONFIG),
    /* numaNode: one pcie-expander-bus per node, root ports on it, busNr
     * ranges split from the top so that no two root complexes overlap */
    OK("q35-numa"),
    FAIL("q35-numa-bad-node-error", PP_ERROR_CONFIG),
    FAIL("q35-numa-conflict-error", PP_ERROR_CONFIG),

    /* p2pGroup: each group on the downstream ports of a switch of its
     * own (a hostdev among them); on aarch64 virt the hint asks for PCI;
     * behind the expander bus of the members' NUMA node; a planned
     * domain's group takes a new member into its switch, nothing moves */
    OK("q35-p2p-groups"),
    OK("aarch64-virt-p2p-group"),
    OK("q35-p2p-group-numa"),
    OK("q35-p2p-group-grow"),
    /* groups that cannot be satisfied are errors naming the group */
    FAIL("pc-p2p-group-error", PP_ERROR_CONFIG),
    FAIL("q35-p2p-group-root-error", PP_ERROR_CONFIG),
    FAIL("q35-p2p-group-legacy-error", PP_ERROR_CONFIG),
    FAIL("q35-p2p-group-address-error", PP_ERROR_CONFIG),
    FAIL("q35-p2p-group-too-many-error", PP_ERROR_CONFIG),
    FAIL("q35-p2p-group-numa-conflict-error", PP_ERROR_CONFIG),

    /* P2P groups under a vIOMMU: intel-iommu with caching mode for the
     * hostdevs, virtio-iommu on aarch64; the vIOMMU stays on the root bus
     * and the command line realizes it before the switch and its devices */
    OK("q35-p2p-intel-iommu"),
    OK("aarch64-virt-p2p-virtio-iommu"),

    /* <shmem role='master'>: master=on, which QEMU migrates */
    OK("q35-shmem-master"),

    /* --host-sysfs tests/hostsysfs (two host NUMA nodes, two host
     * switches, one read as root and one as a user): hostdevs behind one
     * host switch share a P2P group, each goes behind the expander bus
     * of the guest cell <numatune> maps its host node to */
    { "q35-host-sysfs", -1, -1, NULL, NULL, PP_IO_RESERVE_AUTO, 0, "hostsysfs" },
    /* I/O windows: every bus holding devices with I/O ports takes 4 KiB;
     * SeaBIOS fits 14, OVMF 10 */
    OK("q35-io-windows-seabios-14"),
    FAIL("q35-io-windows-seabios-15-error", PP_ERROR_EXHAUSTED),
    FAIL("q35-io-windows-ovmf-11-error", PP_ERROR_EXHAUSTED),

    /* pc: PIIX3 functions, video slot, pci-root hot-plug */
    OK("pc-minimal"),
    OK("pc-virtio-devices"),
    OK("pc-ide-disk"),
    OK("pc-pci-bridge-growth"),
    OK("pc-hotpluggable-no"),
    OK("pc-graphics"),
    OK("pc-usb2-companions"),
    FAIL_SPARES("pc-spare-ports-error", 2, PP_ERROR_CONFIG),
    FAIL("pc-pcie-hint-error", PP_ERROR_CONFIG),
    FAIL("pc-unsupported-machine-error", PP_ERROR_UNSUPPORTED),
    OK("pc-pref-pci-bridge"),
    OK("pc-pref-pci-root"),
    FAIL("pc-pref-pcie-to-pci-bridge-error", PP_ERROR_CONFIG),
    FAIL("pc-pref-root-port-error", PP_ERROR_CONFIG),
    /* pc: a pci-expander-bus per NUMA node, devices directly on it */
    OK("pc-numa"),

    /* aarch64 virt: virtio-mmio unless the domain or a hint wants PCI */
    OK("aarch64-virt-mmio"),
    OK("aarch64-virt-pci-address"),
    OK("aarch64-virt-hint-pcie"),
    OK("aarch64-virt-hotpluggable-yes"),
    OK("aarch64-virt-e1000e"),
    OK("aarch64-virt-graphics"),
    OK("aarch64-virt-user-root-port"),
    /* a USB controller without a model is libvirt's qemu-xhci, on PCI */
    OK("aarch64-virt-usb-no-model"),
    FAIL("aarch64-virt-mmio-exhausted-error", PP_ERROR_EXHAUSTED),
    FAIL("aarch64-virt-mmio-hotplug-error", PP_ERROR_CONFIG),
    OK("aarch64-virt-pref-pci-bridge"),
    OK("aarch64-virt-pref-pcie-root"),
    OK("aarch64-virt-pref-mmio-in-pci-domain"),
    OK("aarch64-virt-pref-downstream-port"),
    /* expander buses on aarch64 virt need UEFI and ACPI to be seen */
    OK("aarch64-virt-numa"),
    FAIL("aarch64-virt-numa-no-uefi-error", PP_ERROR_UNSUPPORTED),

    /* riscv64 virt: 8 virtio-mmio transports */
    OK("riscv64-virt-mmio"),
    OK("riscv64-virt-pci"),
    FAIL("riscv64-virt-mmio-exhausted-error", PP_ERROR_EXHAUSTED),
    OK("riscv64-virt-pref-root-port"),
    FAIL("riscv64-virt-numa-error", PP_ERROR_UNSUPPORTED),

    /* Parity with libvirt 9.0 (issue 10): each input is also defined
     * through the embedded driver by libvirtagree (/libvirtagree/input/). */
    OK("parity-aarch64-rootport-noindex"),
    OK("parity-aarch64-usb-input"),
    OK("parity-channel-controller2"),
    OK("parity-channels-33"),
    OK("parity-console-pci-serial"),
    OK("parity-ehci1-lone"),
    OK("parity-index-decimal-010"),
    OK("parity-alias-dropped"),
    OK("parity-aarch64-user-expander"),
    OK("parity-machine-virt-8.0"),
    OK("parity-machine-rhel9.2.0"),
    OK("parity-machine-pc-q35-8.2"),
    OK("parity-machine-pc-i440fx-8.0"),
    OK("parity-pc-pci-bridge-noindex"),
    OK("parity-pc-scsi-8-disks"),
    OK("parity-pc-vga-slot"),
    OK("parity-rootport-noindex-first"),
    OK("parity-rootport-vga"),
    OK("parity-sata-7-disks"),
    OK("parity-sata-drive-controller1"),
    OK("parity-scsi-drive-controller1"),
    OK("parity-scsi-noindex"),
    OK("parity-usb-index5"),
    OK("parity-vserial-ports1-two-channels"),
    OK("parity-vsock-no-model"),
    FAIL("parity-aarch64-acpi-no-uefi-error", PP_ERROR_CONFIG),
    FAIL("parity-address-unknown-type-error", PP_ERROR_CONFIG),
    FAIL("parity-alias-dup-error", PP_ERROR_CONFIG),
    FAIL("parity-chassis-port-dup-error", PP_ERROR_CONFIG),
    FAIL("parity-chipset-slot-1f-error", PP_ERROR_CONFIG),
    FAIL("parity-domain-type-xen-error", PP_ERROR_UNSUPPORTED),
    FAIL("parity-downstream-lonely", PP_ERROR_CONFIG),
    FAIL("parity-expander-missing-node-error", PP_ERROR_CONFIG),
    FAIL("parity-index-hex-error", PP_ERROR_CONFIG),
    FAIL("parity-numa-cell-dup-error", PP_ERROR_CONFIG),
    FAIL("parity-pci-bridge-noindex", PP_ERROR_CONFIG),
    FAIL("parity-pcie-to-pci-bridge-noindex", PP_ERROR_CONFIG),
    FAIL("parity-ppc64-error", PP_ERROR_UNSUPPORTED),
    FAIL("parity-s390x-error", PP_ERROR_UNSUPPORTED),
    FAIL("parity-second-devices-error", PP_ERROR_CONFIG),
    FAIL("parity-qemu-cmdline-machine-error", PP_ERROR_CONFIG),
    FAIL("parity-qemu-cmdline-iommu-error", PP_ERROR_CONFIG),
    FAIL("parity-uhci1-dup-error", PP_ERROR_CONFIG),
};

/*
 * Every preferredConnection value on every machine: one virtio NIC with
 * the hint (and hotpluggable='no' for the root buses, numaNode='1' for
 * the expander buses; aarch64's pcie-expander-bus case boots UEFI with
 * ACPI, without which no expander bus is planned there) beside one
 * without. A hint is honoured or refused
 * with a reason, never ignored: -1 is success, else the error class.
 */
static const char *const prefValues[] = {
    "pci", "pcie", "pcie-root-port", "pcie-switch-downstream-port", "pci-bridge",
    "pcie-to-pci-bridge", "pcie-root", "pci-root", "pcie-expander-bus", "pci-expander-bus",
    "virtio-mmio",
};
#define C PP_ERROR_CONFIG
#define U PP_ERROR_UNSUPPORTED
static const struct {
    const char *machine;
    int expect[G_N_ELEMENTS(prefValues)];
} prefMatrix[] = {
    /*              pci pcie rp  dsp pb  p2p pcr pr  pxbe pxb mmio */
    { "q35",     { -1, -1,  -1, -1, -1, -1, -1, C,  -1,  C,  C } },
    { "pc",      { -1, C,   C,  C,  -1, C,  C,  -1, C,   -1, C } },
    { "aarch64", { -1, -1,  -1, -1, -1, -1, -1, C,  -1,  U,  -1 } },
    { "riscv64", { -1, -1,  -1, -1, -1, -1, -1, C,  U,   U,  -1 } },
};
#undef C
#undef U

static void
addPrefMatrixCases(void)
{
    size_t m;
    size_t v;

    for (m = 0; m < G_N_ELEMENTS(prefMatrix); m++) {
        for (v = 0; v < G_N_ELEMENTS(prefValues); v++) {
            TestCase *tc = g_new0(TestCase, 1);
            g_autofree char *path = NULL;

            tc->name = g_strdup_printf("pref-%s-%s", prefMatrix[m].machine, prefValues[v]);
            tc->spares = -1;
            tc->error = prefMatrix[m].expect[v];
            path = g_strdup_printf("/qemuxml2xml/%s", tc->name);
            /* The test table lives as long as the process. */
            g_test_add_data_func(path, tc, testPlan);
        }
    }
}

/* Corpus inputs that are invalid for libvirt 9.0 / QEMU 7.2 and that the
 * planner refuses too. */
static const struct {
    const char *name;
    int error;
} corpusFailures[] = {
    /* a CD-ROM on the virtio bus */
    { "pci-autofill-addr", PP_ERROR_CONFIG },
    /* a device at slot 1 behind a root port */
    { "aarch64-virtio-pci-manual-addresses", PP_ERROR_CONFIG },
    /* a NUMA node on a root port */
    { "pcie-expander-bus", PP_ERROR_CONFIG },
    /* panic model 'pvpanic' came with libvirt 9.1 */
    { "pvpanic-pci-aarch64", PP_ERROR_UNSUPPORTED },
    { "pvpanic-pci-x86_64", PP_ERROR_UNSUPPORTED },
    /* multifunction='off' on function 0 of a slot with more functions */
    { "q35-multifunction", PP_ERROR_CONFIG },
    /* <driver> attributes on a virtio IOMMU */
    { "virtio-iommu-aarch64", PP_ERROR_CONFIG },
};

static void
addCorpusCases(void)
{
    const char *dir = ppTestCorpusDir("/qemuxml2xml/corpus");
    g_autoptr(GPtrArray) files = NULL;
    guint i;
    size_t j;

    if (!dir)
        return;
    files = ppTestListDir(dir, ".xml");

    g_assert_cmpuint(files->len, >=, 52);
    for (i = 0; i < files->len; i++) {
        TestCase *tc = g_new0(TestCase, 1);
        g_autofree char *base = g_path_get_basename(g_ptr_array_index(files, i));
        g_autofree char *path = NULL;

        *strrchr(base, '.') = '\0';
        tc->inputPath = g_strdup(g_ptr_array_index(files, i));
        tc->outName = g_strdup_printf("corpus-%s", base);
        tc->name = tc->outName;
        tc->spares = -1;
        tc->error = -1;
        for (j = 0; j < G_N_ELEMENTS(corpusFailures); j++) {
            if (g_str_equal(corpusFailures[j].name, base))
                tc->error = corpusFailures[j].error;
        }
        path = g_strdup_printf("/qemuxml2xml/corpus/%s", base);
        /* The test table lives as long as the process. */
        g_test_add_data_func(path, tc, testPlan);
    }
}

int
main(int argc, char **argv)
{
    size_t i;

    ppTestInit(&argc, &argv);
    for (i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *path = g_strdup_printf("/qemuxml2xml/%s",
                                                cases[i].outName ? cases[i].outName
                                                                 : cases[i].name);

        g_test_add_data_func(path, &cases[i], testPlan);
    }
    addPrefMatrixCases();
    addCorpusCases();
    return g_test_run();
}
