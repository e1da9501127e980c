/*
 * libvirtcomparetest.c: the plan-versus-libvirt comparison
 * (src/conf/domain_compare.c) and the parts of src/libvirt that need no
 * libvirt
 *
 * ppDomainXMLCompare() is the judge of the libvirt agreement test
 * (libvirtagreetest.c); these crafted pairs check the judge itself: what
 * libvirt legitimately fills in passes, every change of topology fails
 * and names the device.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "pp_libvirt.h"
#include "pperror.h"
#include "testutils.h"

#include <string.h>

#define HEAD \
    "<domain type='qemu'>\n" \
    "  <name>cmp</name>\n" \
    "  <memory unit='KiB'>65536</memory>\n" \
    "  <os><type arch='x86_64' machine='pc-q35-7.2'>hvm</type></os>\n" \
    "  <devices>\n"
#define TAIL \
    "  </devices>\n" \
    "</domain>\n"

#define PCIE_ROOT "<controller type='pci' index='0' model='pcie-root'/>\n"
#define PORT1 \
    "<controller type='pci' index='1' model='pcie-root-port'>" \
    "<address type='pci' domain='0x0000' bus='0x00' slot='0x02' function='0x0' multifunction='on'/>" \
    "</controller>\n"
#define PORT2 \
    "<controller type='pci' index='2' model='pcie-root-port'>" \
    "<address type='pci' domain='0x0000' bus='0x00' slot='0x02' function='0x1'/>" \
    "</controller>\n"
#define PORT3 \
    "<controller type='pci' index='3' model='pcie-root-port'>" \
    "<address type='pci' domain='0x0000' bus='0x00' slot='0x02' function='0x2'/>" \
    "</controller>\n"
#define DISK_VDA(bus) \
    "<disk type='file' device='disk'><source file='/a.img'/><target dev='vda' bus='virtio'/>" \
    "<address type='pci' domain='0x0000' bus='" bus "' slot='0x00' function='0x0'/></disk>\n"
#define DISK_VDB(bus) \
    "<disk type='file' device='disk'><source file='/b.img'/><target dev='vdb' bus='virtio'/>" \
    "<address type='pci' domain='0x0000' bus='" bus "' slot='0x00' function='0x0'/></disk>\n"
#define NIC "<interface type='user'><model type='virtio'/>" \
    "<address type='pci' domain='0x0000' bus='0x02' slot='0x00' function='0x0'/></interface>\n"
#define NIC_NOADDR "<interface type='user'><model type='virtio'/></interface>\n"
#define USB_NONE "<controller type='usb' model='none'/>\n"
#define BALLOON_NONE "<memballoon model='none'/>\n"

/* A planned q35 domain: two root ports, a disk and a NIC behind them. */
#define PLANNED HEAD PCIE_ROOT PORT1 PORT2 USB_NONE DISK_VDA("0x01") NIC BALLOON_NONE TAIL

typedef struct {
    const char *name;
    const char *planned;
    const char *defined;
    int code;            /* expected PpErrorCode, or -1 for success */
    const char *mention; /* a device name the error must contain */
} PpCompareCase;

static const PpCompareCase compareCases[] = {
    { "identical", PLANNED, PLANNED, -1, NULL },

    /* What libvirt 9.0 writes back for a fully addressed q35 plan: devices
     * reordered, aliases, <model name>, chassis/port, numbers in another
     * base, index on the USB controller, devices without PCI addresses. */
    { "libvirt-fills-in", PLANNED,
      HEAD
      "<emulator>/usr/bin/qemu-system-x86_64</emulator>\n"
      "<interface type='user'><mac address='52:54:00:00:00:01'/><model type='virtio'/>"
      "<alias name='net0'/>"
      "<address type='pci' domain='0' bus='2' slot='0' function='0'/></interface>\n"
      DISK_VDA("1")
      "<controller type='usb' index='0' model='none'/>\n"
      PCIE_ROOT
      "<controller type='pci' index='2' model='pcie-root-port'><model name='pcie-root-port'/>"
      "<target chassis='2' port='0x11'/>"
      "<address type='pci' domain='0x0000' bus='0x00' slot='0x02' function='0x1'/></controller>\n"
      "<controller type='pci' index='1' model='pcie-root-port'><model name='pcie-root-port'/>"
      "<target chassis='1' port='0x10'/>"
      "<address type='pci' domain='0x0000' bus='0x00' slot='0x02' function='0x0' multifunction='on'/>"
      "</controller>\n"
      "<input type='mouse' bus='ps2'/><input type='keyboard' bus='ps2'/>\n"
      "<audio id='1' type='none'/>\n"
      BALLOON_NONE
      TAIL,
      -1, NULL },

    /* Which of two identical devices sits where is not topology. */
    { "identical-devices-swapped",
      HEAD PCIE_ROOT PORT1 PORT2 DISK_VDA("0x01") DISK_VDB("0x02") TAIL,
      HEAD PCIE_ROOT PORT1 PORT2 DISK_VDA("0x02") DISK_VDB("0x01") TAIL,
      -1, NULL },

    { "root-port-added", PLANNED,
      HEAD PCIE_ROOT PORT1 PORT2 PORT3 USB_NONE DISK_VDA("0x01") NIC BALLOON_NONE TAIL,
      PP_ERROR_INTERNAL, "index='3'" },

    { "pcie-root-added",
      HEAD PORT1 PORT2 USB_NONE DISK_VDA("0x01") NIC BALLOON_NONE TAIL,
      PLANNED,
      PP_ERROR_INTERNAL, "pcie-root" },

    { "usb-controller-added",
      HEAD PCIE_ROOT PORT1 PORT2 DISK_VDA("0x01") NIC BALLOON_NONE TAIL,
      HEAD PCIE_ROOT PORT1 PORT2 PORT3 DISK_VDA("0x01") NIC BALLOON_NONE
      "<controller type='usb' index='0' model='qemu-xhci'>"
      "<address type='pci' domain='0x0000' bus='0x03' slot='0x00' function='0x0'/></controller>\n"
      TAIL,
      PP_ERROR_INTERNAL, "type='usb'" },

    { "memballoon-added",
      HEAD PCIE_ROOT PORT1 PORT2 PORT3 USB_NONE DISK_VDA("0x01") NIC TAIL,
      HEAD PCIE_ROOT PORT1 PORT2 PORT3 USB_NONE DISK_VDA("0x01") NIC
      "<memballoon model='virtio'>"
      "<address type='pci' domain='0x0000' bus='0x03' slot='0x00' function='0x0'/></memballoon>\n"
      TAIL,
      PP_ERROR_INTERNAL, "memballoon" },

    { "device-moved", PLANNED,
      HEAD PCIE_ROOT PORT1 PORT2 USB_NONE DISK_VDA("0x03") NIC BALLOON_NONE TAIL,
      PP_ERROR_INTERNAL, "disk 'vda'" },

    { "device-addressed-by-libvirt",
      HEAD PCIE_ROOT PORT1 PORT2 USB_NONE DISK_VDA("0x01") NIC_NOADDR BALLOON_NONE TAIL,
      PLANNED,
      PP_ERROR_INTERNAL, "interface" },

    { "controller-model-changed", PLANNED,
      HEAD PCIE_ROOT PORT1
      "<controller type='pci' index='2' model='pcie-switch-upstream-port'>"
      "<address type='pci' domain='0x0000' bus='0x00' slot='0x02' function='0x1'/></controller>\n"
      USB_NONE DISK_VDA("0x01") NIC BALLOON_NONE TAIL,
      PP_ERROR_INTERNAL, "index='2'" },

    { "controller-moved", PLANNED,
      HEAD PCIE_ROOT PORT1
      "<controller type='pci' index='2' model='pcie-root-port'>"
      "<address type='pci' domain='0x0000' bus='0x00' slot='0x03' function='0x0'/></controller>\n"
      USB_NONE DISK_VDA("0x01") NIC BALLOON_NONE TAIL,
      PP_ERROR_INTERNAL, "index='2'" },

    { "controller-without-index",
      HEAD PCIE_ROOT PORT1
      "<controller type='pci' model='pcie-root-port'>"
      "<address type='pci' domain='0x0000' bus='0x00' slot='0x02' function='0x1'/></controller>\n"
      USB_NONE DISK_VDA("0x01") NIC BALLOON_NONE TAIL,
      PLANNED,
      PP_ERROR_INTERNAL, "pcie-root-port" },

    { "multifunction-dropped", PLANNED,
      HEAD PCIE_ROOT
      "<controller type='pci' index='1' model='pcie-root-port'>"
      "<address type='pci' domain='0x0000' bus='0x00' slot='0x02' function='0x0'/></controller>\n"
      PORT2 USB_NONE DISK_VDA("0x01") NIC BALLOON_NONE TAIL,
      PP_ERROR_INTERNAL, "index='1'" },

    { "planned-not-a-domain", "<network/>", PLANNED, PP_ERROR_CONFIG, NULL },
};

static void
testCompare(gconstpointer data)
{
    const PpCompareCase *tc = data;
    g_autoptr(GError) err = NULL;
    gboolean ok = ppDomainXMLCompare(tc->planned, tc->defined, &err);

    if (tc->code < 0) {
        g_assert_no_error(err);
        g_assert_true(ok);
        return;
    }
    g_assert_false(ok);
    g_assert_error(err, PP_ERROR, tc->code);
    if (g_getenv("PP_TEST_DEBUG"))
        g_test_message("%s", err->message);
    /* Naming the device is the point of the check, so the name is part
     * of the contract; the wording around it is not. */
    if (tc->mention && !strstr(err->message, tc->mention))
        g_test_fail_printf("the error does not name \"%s\": %s", tc->mention, err->message);
}

/* More differences than the limit are counted, not listed. */
static void
testCompareLimit(void)
{
    g_autoptr(GString) defined = g_string_new(HEAD PCIE_ROOT);
    g_autoptr(GError) err = NULL;
    guint i;

    for (i = 1; i <= PP_DOMAIN_COMPARE_MAX_REPORTED + 10; i++)
        g_string_append_printf(defined,
                               "<controller type='pci' index='%u' model='pci-bridge'>"
                               "<address type='pci' domain='0x0000' bus='0x%02x' slot='0x01' function='0x0'/>"
                               "</controller>\n",
                               i, i - 1);
    g_string_append(defined, TAIL);

    g_assert_false(ppDomainXMLCompare(HEAD PCIE_ROOT TAIL, defined->str, &err));
    g_assert_error(err, PP_ERROR, PP_ERROR_INTERNAL);
    g_assert_nonnull(strstr(err->message, "index='50'"));
    g_assert_null(strstr(err->message, "index='51'"));
}

/* The URI escapes what libvirt's strict URI parser would refuse. */
static void
testEmbedDefaultURI(void)
{
    g_autofree char *uri = ppLibvirtEmbedDefaultURI();

    g_assert_cmpstr(uri, ==, "qemu:///embed?root=/tmp/pp%20state/virt-pciplan/embed");
}

int
main(int argc, char **argv)
{
    size_t i;

    ppTestInit(&argc, &argv);
    /* A path that needs escaping, set before GLib reads and caches it;
     * nothing is created there. */
    g_setenv("XDG_STATE_HOME", "/tmp/pp state", TRUE);

    for (i = 0; i < G_N_ELEMENTS(compareCases); i++) {
        g_autofree char *path = g_strdup_printf("/libvirt/compare/%s", compareCases[i].name);

        g_test_add_data_func(path, &compareCases[i], testCompare);
    }
    g_test_add_func("/libvirt/compare/limit", testCompareLimit);
    g_test_add_func("/libvirt/embed-default-uri", testEmbedDefaultURI);
    return g_test_run();
}
