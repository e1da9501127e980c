/*
 * libplantest.c: the library's public API (issue 13), through its
 * installed header only: plans from strings and files, options, errors
 * in VIRT_PCIPLAN_ERROR with their codes, and the same bytes as the CLI.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <virt-pciplan/virt-pciplan.h>

#include <string.h>

static char *
testPath(const char *dir, const char *name)
{
    return g_build_filename(g_getenv("PP_TEST_SRCDIR"), dir, name, NULL);
}

static char *
testRead(const char *dir, const char *name)
{
    g_autofree char *path = testPath(dir, name);
    g_autoptr(GError) err = NULL;
    char *text = NULL;

    g_file_get_contents(path, &text, NULL, &err);
    g_assert_no_error(err);
    return text;
}

/* The planned XML is the golden file qemuxml2xmltest checks for the CLI,
 * and planning it again gives it back byte for byte. */
static void
testPlanString(void)
{
    g_autofree char *in = testRead("qemuxml2argvdata", "q35-graphics-video.xml");
    g_autofree char *want = testRead("qemuxml2xmloutdata", "q35-graphics-video.xml");
    g_autoptr(GError) err = NULL;
    g_autoptr(VirtPciplanPlan) plan = virt_pciplan_plan_new_from_string(in, NULL, &err);
    g_autoptr(VirtPciplanPlan) again = NULL;

    g_assert_no_error(err);
    g_assert_cmpstr(virt_pciplan_plan_get_xml(plan), ==, want);
    g_assert_cmpuint(virt_pciplan_plan_get_n_added(plan), >, 0);
    g_assert_cmpuint(virt_pciplan_plan_get_n_empty_hotplug_ports(plan), ==, 1);
    again = virt_pciplan_plan_new_from_string(virt_pciplan_plan_get_xml(plan), NULL, &err);
    g_assert_no_error(err);
    g_assert_cmpstr(virt_pciplan_plan_get_xml(again), ==, want);
    g_assert_cmpuint(virt_pciplan_plan_get_n_added(again), ==, 0);
}

/* From a file, with spare ports; the explanation is what explain prints. */
static void
testPlanFileOptions(void)
{
    g_autofree char *path = testPath("qemuxml2argvdata", "q35-graphics-video.xml");
    g_autoptr(VirtPciplanOptions) options = virt_pciplan_options_new();
    g_autoptr(GError) err = NULL;
    g_autoptr(VirtPciplanPlan) plan = NULL;
    int spares = 0;
    gboolean bridge = FALSE;
    const char *text;

    g_assert_cmpint(virt_pciplan_options_get_spare_ports(options), ==, -1);
    g_assert_true(virt_pciplan_options_get_pcie_to_pci_bridge(options));
    virt_pciplan_options_set_spare_ports(options, 8);
    g_object_set(options, "pcie-to-pci-bridge", FALSE, NULL);
    g_object_get(options, "spare-ports", &spares, "pcie-to-pci-bridge", &bridge, NULL);
    g_assert_cmpint(spares, ==, 8);
    g_assert_false(bridge);
    g_assert_cmpint(virt_pciplan_options_get_io_reserve(options), ==, VIRT_PCIPLAN_IO_RESERVE_AUTO);
    g_object_set(options, "io-reserve", VIRT_PCIPLAN_IO_RESERVE_NEVER, NULL);
    g_assert_cmpint(virt_pciplan_options_get_io_reserve(options), ==, VIRT_PCIPLAN_IO_RESERVE_NEVER);

    plan = virt_pciplan_plan_new_from_file(path, options, &err);
    g_assert_no_error(err);
    g_assert_cmpuint(virt_pciplan_plan_get_n_empty_hotplug_ports(plan), ==, 8);
    text = virt_pciplan_plan_get_explanation(plan);
    g_assert_true(g_str_has_prefix(text, "Domain '"));
    g_assert_nonnull(strstr(text, "00  root bus (pcie-root)\n"));
    g_assert_nonnull(strstr(text, "empty hot-pluggable root ports:            8\n"));
    g_assert_true(text == virt_pciplan_plan_get_explanation(plan));
}

/* Each class of error, in the public domain, with a message. */
static void
testErrors(void)
{
    g_autofree char *exhausted = testPath("qemuxml2argvdata", "aarch64-virt-mmio-exhausted-error.xml");
    g_autofree char *missing = testPath("qemuxml2argvdata", "no-such-file.xml");
    g_autoptr(GError) err = NULL;

    g_assert_null(virt_pciplan_plan_new_from_string("<domain", NULL, &err));
    g_assert_error(err, VIRT_PCIPLAN_ERROR, VIRT_PCIPLAN_ERROR_CONFIG);
    g_clear_error(&err);

    g_assert_null(virt_pciplan_plan_new_from_string("<!DOCTYPE d [<!ENTITY e 'x'>]><domain type='kvm'>&e;</domain>",
                                                    NULL, &err));
    g_assert_error(err, VIRT_PCIPLAN_ERROR, VIRT_PCIPLAN_ERROR_CONFIG);
    g_clear_error(&err);

    g_assert_null(virt_pciplan_plan_new_from_file(exhausted, NULL, &err));
    g_assert_error(err, VIRT_PCIPLAN_ERROR, VIRT_PCIPLAN_ERROR_EXHAUSTED);
    g_assert_nonnull(strstr(err->message, "'vdbp'"));
    g_clear_error(&err);

    g_assert_null(virt_pciplan_plan_new_from_file(missing, NULL, &err));
    g_assert_error(err, VIRT_PCIPLAN_ERROR, VIRT_PCIPLAN_ERROR_IO);
    g_assert_cmpstr(g_quark_to_string(VIRT_PCIPLAN_ERROR), ==, "virt-pciplan-error-quark");
}

static void
testVersion(void)
{
    g_assert_cmpstr(virt_pciplan_get_version(), ==, PACKAGE_VERSION);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/lib/plan-string", testPlanString);
    g_test_add_func("/lib/plan-file-options", testPlanFileOptions);
    g_test_add_func("/lib/errors", testErrors);
    g_test_add_func("/lib/version", testVersion);
    return g_test_run();
}
