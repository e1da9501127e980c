/*
 * qemuordertest.c: realization order of -device options, and the command
 * line text that 'virt-pciplan order' reads and writes
 *
 * qemuagreetest checks the classic case against real QEMU.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "testutils.h"
#include "pperror.h"
#include "qemu_command.h"
#include "qemu_order.h"

#include <string.h>

/* Specs from -device values; the array clears them. */
static GArray *
parseSpecs(const char *const *args)
{
    GArray *specs = g_array_new(FALSE, TRUE, sizeof(PpQemuDeviceSpec));
    guint i;

    g_array_set_clear_func(specs, (GDestroyNotify)ppQemuDeviceSpecClear);
    for (i = 0; args[i]; i++) {
        PpQemuDeviceSpec spec;
        g_autoptr(GError) err = NULL;

        g_assert_true(ppQemuDeviceSpecParse(args[i], &spec, &err));
        g_assert_no_error(err);
        g_array_append_val(specs, spec);
    }
    return specs;
}

/* Sorts @args and returns the order as "2 0 1"; moves go to @ret_moves. */
static char *
orderOf(const char *const *args, GArray **ret_moves)
{
    g_autoptr(GArray) specs = parseSpecs(args);
    g_autoptr(GArray) order = NULL;
    g_autoptr(GError) err = NULL;
    GString *out = g_string_new(NULL);
    guint i;

    g_assert_true(ppQemuOrderDevices(&g_array_index(specs, PpQemuDeviceSpec, 0), specs->len,
                                     &order, ret_moves, &err));
    g_assert_no_error(err);
    for (i = 0; i < order->len; i++)
        g_string_append_printf(out, "%s%u", i ? " " : "", g_array_index(order, guint, i));
    return g_string_free(out, FALSE);
}

static GError *
orderError(const char *const *args)
{
    g_autoptr(GArray) specs = parseSpecs(args);
    g_autoptr(GArray) order = NULL;
    GError *err = NULL;

    g_assert_false(ppQemuOrderDevices(&g_array_index(specs, PpQemuDeviceSpec, 0), specs->len,
                                      &order, NULL, &err));
    g_assert_nonnull(err);
    return err;
}

static void
testSpecKeyval(void)
{
    PpQemuDeviceSpec spec;
    g_autoptr(GError) err = NULL;

    g_assert_true(ppQemuDeviceSpecParse("virtio-net-pci,id=a,,b,bus=pcie.0,multifunction",
                                        &spec, &err));
    g_assert_cmpstr(spec.driver, ==, "virtio-net-pci");
    g_assert_cmpstr(spec.id, ==, "a,b");
    g_assert_cmpstr(spec.bus, ==, "pcie.0");
    g_assert_null(spec.masterbus);
    ppQemuDeviceSpecClear(&spec);

    g_assert_true(ppQemuDeviceSpecParse("bus=x,driver=e1000", &spec, &err));
    g_assert_cmpstr(spec.driver, ==, "e1000");
    g_assert_cmpstr(spec.bus, ==, "x");
    ppQemuDeviceSpecClear(&spec);

    g_assert_false(ppQemuDeviceSpecParse("id=x,bus=y", &spec, &err));
    g_assert_error(err, PP_ERROR, PP_ERROR_CONFIG);
}

static void
testSpecJSON(void)
{
    PpQemuDeviceSpec spec;
    g_autoptr(GError) err = NULL;

    g_assert_true(ppQemuDeviceSpecParse(
        " {\"driver\":\"ich9-usb-uhci1\",\"masterbus\":\"usb.0\",\"firstport\":0,"
        "\"x\":{\"a\":[1,2,{\"b\":null}]},\"bus\":\"pci\\u002e1\",\"multifunction\":true} ",
        &spec, &err));
    g_assert_no_error(err);
    g_assert_cmpstr(spec.driver, ==, "ich9-usb-uhci1");
    g_assert_null(spec.id);
    g_assert_cmpstr(spec.bus, ==, "pci.1");
    g_assert_cmpstr(spec.masterbus, ==, "usb.0");
    ppQemuDeviceSpecClear(&spec);
}

static void
testJSONObject(void)
{
    /* json-glib 1.6 reads an unknown escape such as \q as the character
     * itself, so that one is not among them. */
    static const char *const bad[] = {
        "{", "{\"a\":}", "{\"a\":1,}", "{\"a\":1} x", "{\"a\":1,\"a\":2}",
        "{\"a\":{\"b\":1,\"b\":2}}", "{\"a\":\"\\ud800\"}", "[1]", "{\"a\":tru}", "",
    };
    g_autofree char *opening = g_strnfill(70, '[');
    g_autofree char *closing = g_strnfill(70, ']');
    g_autofree char *deep = g_strconcat("{\"a\":", opening, closing, "}", NULL);
    g_autoptr(GHashTable) obj = NULL;
    g_autoptr(GError) err = NULL;
    size_t i;

    obj = ppQemuJSONObjectParse("{\"return\": {\"x\": [1, \"]\"]}, \"id\": \"7\", \"n\": -1.5e3,"
                                " \"s\": \"a\\\"b\\u00e9\\ud83d\\ude00\"}", &err);
    g_assert_no_error(err);
    /* nested values and numbers as json-glib writes them, compact */
    g_assert_cmpstr(g_hash_table_lookup(obj, "return"), ==, "{\"x\":[1,\"]\"]}");
    g_assert_cmpstr(g_hash_table_lookup(obj, "id"), ==, "7");
    g_assert_cmpstr(g_hash_table_lookup(obj, "n"), ==, "-1500.0");
    g_assert_cmpstr(g_hash_table_lookup(obj, "s"), ==, "a\"b\xc3\xa9\xf0\x9f\x98\x80");
    for (i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_autoptr(GHashTable) none = ppQemuJSONObjectParse(bad[i], &err);

        if (none)
            g_error("'%s' parsed", bad[i]);
        g_assert_error(err, PP_ERROR, PP_ERROR_CONFIG);
        g_clear_error(&err);
    }
    g_clear_pointer(&obj, g_hash_table_unref);
    obj = ppQemuJSONObjectParse(deep, &err);
    g_assert_null(obj);
    g_assert_error(err, PP_ERROR, PP_ERROR_CONFIG);
}

/* The classic case: QEMU fails with "Bus 'pcie.1' not found". */
static void
testClassic(void)
{
    const char *const args[] = {
        "virtio-net-pci,bus=pcie.1",
        "pcie-root-port,id=pcie.1,bus=pcie.0",
        NULL,
    };
    g_autoptr(GArray) moves = NULL;
    g_autofree char *order = orderOf(args, &moves);
    const PpQemuOrderMove *move;

    g_assert_cmpstr(order, ==, "1 0");
    g_assert_cmpuint(moves->len, ==, 1);
    move = &g_array_index(moves, PpQemuOrderMove, 0);
    g_assert_cmpuint(move->device, ==, 0);
    g_assert_cmpuint(move->after, ==, 1);
    g_assert_cmpint(move->reason, ==, PP_QEMU_ORDER_REASON_BUS);
}

/* Independent devices keep their order; a valid order is a fixed point. */
static void
testStable(void)
{
    const char *const valid[] = {
        "pcie-root-port,id=rp1,bus=pcie.0,addr=2",
        "e1000e,bus=pcie.0,addr=5",
        "virtio-net-pci,bus=rp1",
        "pcie-root-port,id=rp2,bus=pcie.0,addr=3",
        "isa-serial",
        "virtio-blk-pci,bus=rp2",
        NULL,
    };
    const char *const chain[] = {
        "e1000e,id=nic,bus=c",
        "xio3130-downstream,id=c,bus=b",
        "qemu-xhci,id=usb,bus=pcie.0",
        "x3130-upstream,id=b,bus=a",
        "pcie-root-port,id=a,bus=pcie.0",
        "usb-tablet,bus=usb.0",
        NULL,
    };
    g_autoptr(GArray) moves = NULL;
    g_autoptr(GArray) moves2 = NULL;
    g_autofree char *o1 = orderOf(valid, &moves);
    g_autofree char *o2 = orderOf(chain, &moves2);

    g_assert_cmpstr(o1, ==, "0 1 2 3 4 5");
    g_assert_cmpuint(moves->len, ==, 0);
    /* the xHCI keeps its place before the chain it does not depend on */
    g_assert_cmpstr(o2, ==, "2 4 3 1 0 5");
    g_assert_cmpuint(moves2->len, ==, 3);
}

/* A vIOMMU goes before every PCI device, and only PCI devices. */
static void
testIOMMU(void)
{
    const char *const args[] = {
        "pcie-root-port,id=rp1,bus=pcie.0",
        "{\"driver\":\"virtio-scsi-pci\",\"id\":\"scsi0\",\"bus\":\"rp1\"}",
        "scsi-hd,bus=scsi0.0",
        "isa-serial,id=s0",
        "e1000e",
        "intel-iommu,id=iommu0",
        NULL,
    };
    const char *const virtio[] = {
        "e1000e,bus=pcie.0,addr=4",
        "virtio-iommu-pci,bus=pcie.0,addr=3",
        NULL,
    };
    g_autoptr(GArray) moves = NULL;
    g_autofree char *order = orderOf(args, &moves);
    g_autofree char *order2 = orderOf(virtio, NULL);
    guint i;

    g_assert_cmpstr(order, ==, "3 5 0 1 2 4");
    for (i = 0; i < moves->len; i++) {
        const PpQemuOrderMove *move = &g_array_index(moves, PpQemuOrderMove, i);

        g_assert_cmpuint(move->after, ==, 5);
        g_assert_cmpint(move->reason, ==, PP_QEMU_ORDER_REASON_IOMMU);
    }
    g_assert_cmpuint(moves->len, ==, 3);
    g_assert_cmpstr(order2, ==, "1 0");
}

/* USB companions need their EHCI's bus: "USB bus 'usb.0' not found". */
static void
testMasterbus(void)
{
    const char *const args[] = {
        "ich9-usb-uhci1,masterbus=usb.0,bus=pcie.0,addr=0x1d,multifunction=on",
        "ich9-usb-ehci1,id=usb,bus=pcie.0,addr=0x1d.0x7",
        NULL,
    };
    g_autofree char *order = orderOf(args, NULL);

    g_assert_cmpstr(order, ==, "1 0");
}

/* Buses of the machine need no -device. */
static void
testMachineBuses(void)
{
    const char *const args[] = {
        "ide-hd,bus=ide.2",
        "virtio-net-device,bus=virtio-mmio-bus.4",
        "e1000,bus=pci.0",
        "usb-tablet,bus=usb-bus.0",
        NULL,
    };
    g_autofree char *order = orderOf(args, NULL);

    g_assert_cmpstr(order, ==, "0 1 2 3");
}

static void
testErrors(void)
{
    const char *const missing[] = { "e1000e,id=nic,bus=rp9", NULL };
    const char *const cycle[] = {
        "pcie-root-port,id=a,bus=b", "e1000", "pcie-root-port,id=b,bus=a", NULL,
    };
    const char *const self[] = { "pci-bridge,id=br,bus=br,chassis_nr=1", NULL };
    const char *const duplicate[] = { "e1000,id=x", "e1000e,id=x", NULL };
    const char *const iommuCycle[] = {
        "pcie-root-port,id=rp1,bus=pcie.0", "virtio-iommu-pci,id=vi,bus=rp1", NULL,
    };
    g_autoptr(GError) e1 = orderError(missing);
    g_autoptr(GError) e2 = orderError(cycle);
    g_autoptr(GError) e3 = orderError(self);
    g_autoptr(GError) e4 = orderError(duplicate);
    g_autoptr(GError) e5 = orderError(iommuCycle);

    g_assert_error(e1, PP_ERROR, PP_ERROR_CONFIG);
    g_assert_nonnull(strstr(e1->message, "'nic'"));
    g_assert_nonnull(strstr(e1->message, "'rp9'"));
    g_assert_error(e2, PP_ERROR, PP_ERROR_CONFIG);
    g_assert_nonnull(strstr(e2->message, "'a'"));
    g_assert_nonnull(strstr(e2->message, "'b'"));
    g_assert_error(e3, PP_ERROR, PP_ERROR_CONFIG);
    g_assert_error(e4, PP_ERROR, PP_ERROR_CONFIG);
    g_assert_error(e5, PP_ERROR, PP_ERROR_CONFIG);
    g_assert_nonnull(strstr(e5->message, "'vi'"));
    g_assert_nonnull(strstr(e5->message, "'rp1'"));
}

/* Only -device values move; every other option keeps its position. */
static void
testCommandLine(void)
{
    const char *const in[] = {
        "qemu-system-x86_64", "-M", "q35", "--device", "virtio-net-pci,id=n,bus=rp1",
        "-netdev", "user,id=u", "-device", "{\"driver\":\"pcie-root-port\",\"id\":\"rp1\"}",
        "-S", NULL,
    };
    const char *const want[] = {
        "qemu-system-x86_64", "-M", "q35", "--device",
        "{\"driver\":\"pcie-root-port\",\"id\":\"rp1\"}", "-netdev", "user,id=u", "-device",
        "virtio-net-pci,id=n,bus=rp1", "-S", NULL,
    };
    const char *const truncated[] = { "qemu", "-device", NULL };
    g_auto(GStrv) out = NULL;
    g_autoptr(GArray) specs = NULL;
    g_autoptr(GArray) moves = NULL;
    g_autoptr(GError) err = NULL;

    g_assert_true(ppQemuOrderCommandLine(in, &out, &specs, &moves, &err));
    g_assert_no_error(err);
    g_assert_cmpstrv(out, want);
    g_assert_cmpuint(specs->len, ==, 2);
    g_assert_cmpuint(moves->len, ==, 1);
    g_clear_pointer(&out, g_strfreev);
    g_assert_false(ppQemuOrderCommandLine(truncated, &out, NULL, NULL, &err));
    g_assert_error(err, PP_ERROR, PP_ERROR_CONFIG);
}

/* Thousands of devices sort in O((n + e) log n): 4000 ports listed
 * children first, 4000 endpoints, a vIOMMU last. */
static void
testLarge(void)
{
    const guint n = 4000;
    g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GArray) specs = NULL;
    g_autoptr(GArray) order = NULL;
    g_autoptr(GError) err = NULL;
    g_autofree guint *pos = g_new0(guint, 2 * n + 1);
    g_autoptr(GTimer) timer = g_timer_new();
    guint i;

    for (i = n; i > 0; i--)
        g_ptr_array_add(args, g_strdup_printf("xio3130-downstream,id=p%u,bus=%s%u", i,
                                              i > 1 ? "p" : "pcie.", i > 1 ? i - 1 : 0));
    for (i = 1; i <= n; i++)
        g_ptr_array_add(args, g_strdup_printf("virtio-net-pci,id=n%u,bus=p%u", i, i));
    g_ptr_array_add(args, g_strdup("intel-iommu,id=iommu0"));
    g_ptr_array_add(args, NULL);
    specs = parseSpecs((const char *const *)args->pdata);
    g_assert_true(ppQemuOrderDevices(&g_array_index(specs, PpQemuDeviceSpec, 0), specs->len,
                                     &order, NULL, &err));
    g_assert_no_error(err);
    g_assert_cmpfloat(g_timer_elapsed(timer, NULL), <, 5.0);
    g_assert_cmpuint(order->len, ==, 2 * n + 1);
    for (i = 0; i < order->len; i++)
        pos[g_array_index(order, guint, i)] = i;
    g_assert_cmpuint(pos[2 * n], ==, 0);
    for (i = 0; i + 1 < n; i++)
        g_assert_cmpuint(pos[i + 1], <, pos[i]); /* p(k) before p(k+1) */
    for (i = 0; i < n; i++)
        g_assert_cmpuint(pos[n - 1 - i], <, pos[n + i]); /* port before its NIC */
}

static void
testTextRoundTrip(void)
{
    const char *const argv[] = {
        "/usr/bin/qemu-system-x86_64", "-name", "guest=it's", "-device",
        "{\"driver\":\"e1000\",\"id\":\"a b\"}", "-nodefaults", "", NULL,
    };
    g_autofree char *shell = ppQemuCommandLineFormat(argv, PP_QEMU_FORMAT_SHELL);
    g_autofree char *lines = ppQemuCommandLineFormat(argv, PP_QEMU_FORMAT_LINES);
    g_auto(GStrv) fromShell = NULL;
    g_auto(GStrv) fromLines = NULL;
    g_auto(GStrv) fromLog = NULL;
    g_autoptr(GError) err = NULL;

    g_assert_cmpstr(shell, ==,
                    "/usr/bin/qemu-system-x86_64 \\\n-name 'guest=it'\\''s' \\\n"
                    "-device '{\"driver\":\"e1000\",\"id\":\"a b\"}' \\\n-nodefaults ''\n");
    fromShell = ppQemuCommandLineParse(shell, PP_QEMU_FORMAT_SHELL, &err);
    g_assert_no_error(err);
    g_assert_cmpstrv(fromShell, argv);
    fromLines = ppQemuCommandLineParse(lines, PP_QEMU_FORMAT_LINES, &err);
    g_assert_no_error(err);
    g_assert_cmpstrv(fromLines, argv);
    /* what libvirt writes to its log */
    fromLog = ppQemuCommandLineParse("LC_ALL=C \\\n/usr/bin/qemu-system-x86_64 \\\n-S\n",
                                     PP_QEMU_FORMAT_SHELL, &err);
    g_assert_no_error(err);
    g_assert_cmpuint(g_strv_length(fromLog), ==, 3);
    g_assert_cmpstr(fromLog[2], ==, "-S");
    g_assert_null(ppQemuCommandLineParse("a 'b", PP_QEMU_FORMAT_SHELL, &err));
    g_assert_error(err, PP_ERROR, PP_ERROR_CONFIG);
    g_clear_error(&err);
    g_assert_null(ppQemuCommandLineParse("  \n", PP_QEMU_FORMAT_SHELL, &err));
    g_assert_error(err, PP_ERROR, PP_ERROR_CONFIG);
}

int
main(int argc, char **argv)
{
    ppTestInit(&argc, &argv);
    g_test_add_func("/qemu/order/spec-keyval", testSpecKeyval);
    g_test_add_func("/qemu/order/spec-json", testSpecJSON);
    g_test_add_func("/qemu/order/json-object", testJSONObject);
    g_test_add_func("/qemu/order/classic", testClassic);
    g_test_add_func("/qemu/order/stable", testStable);
    g_test_add_func("/qemu/order/iommu", testIOMMU);
    g_test_add_func("/qemu/order/masterbus", testMasterbus);
    g_test_add_func("/qemu/order/machine-buses", testMachineBuses);
    g_test_add_func("/qemu/order/errors", testErrors);
    g_test_add_func("/qemu/order/command-line", testCommandLine);
    g_test_add_func("/qemu/order/large", testLarge);
    g_test_add_func("/qemu/order/text", testTextRoundTrip);
    return g_test_run();
}
