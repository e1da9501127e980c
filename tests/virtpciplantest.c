/*
 * virtpciplantest.c: the command line as a script sees it: exit statuses,
 * messages, and output files that are written whole or not at all
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "testutils.h"
#include "testtool.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char *
scratchFile(const char *name)
{
    static char *dir;

    if (!dir)
        dir = g_dir_make_tmp("pptool-XXXXXX", NULL);
    return g_build_filename(dir, name, NULL);
}

static void
testHelpVersion(void)
{
    g_auto(PpTestRun) help = { 0 };
    g_auto(PpTestRun) version = { 0 };
    g_auto(PpTestRun) none = { 0 };
    g_auto(PpTestRun) bad = { 0 };

    ppTestRunTool(&help, NULL, NULL, (const char *[]){ "--help", NULL });
    g_assert_cmpint(help.status, ==, 0);
    g_assert_nonnull(strstr(help.out, "plan"));
    g_assert_nonnull(strstr(help.out, "Exit status"));
    ppTestRunTool(&version, NULL, NULL, (const char *[]){ "--version", NULL });
    g_assert_cmpint(version.status, ==, 0);
    g_assert_true(g_str_has_prefix(version.out, "virt-pciplan "));
    ppTestRunTool(&none, NULL, NULL, (const char *[]){ NULL });
    g_assert_cmpint(none.status, ==, 2);
    ppTestRunTool(&bad, NULL, NULL, (const char *[]){ "frobnicate", NULL });
    g_assert_cmpint(bad.status, ==, 2);
    g_assert_nonnull(strstr(bad.err, "unknown command 'frobnicate'"));
}

/* A run that must fail with status 1, leave no output file, and not touch
 * an existing one. */
static void
assertRefused(const char *input, const char *needle)
{
    g_autofree char *in = scratchFile("refused-in.xml");
    g_autofree char *out = scratchFile("refused-out.xml");
    g_autofree char *keep = scratchFile("refused-keep.xml");
    g_auto(PpTestRun) fresh = { 0 };
    g_auto(PpTestRun) existing = { 0 };
    g_autofree char *kept = NULL;

    g_assert_true(g_file_set_contents(in, input, -1, NULL));
    g_unlink(out);
    ppTestRunTool(&fresh, NULL, NULL, (const char *[]){ "plan", in, "-o", out, NULL });
    g_assert_cmpint(fresh.status, ==, 1);
    if (!strstr(fresh.err, needle))
        g_error("stderr '%s' lacks '%s'", fresh.err, needle);
    g_assert_false(g_file_test(out, G_FILE_TEST_EXISTS));

    g_assert_true(g_file_set_contents(keep, "precious\n", -1, NULL));
    ppTestRunTool(&existing, NULL, NULL, (const char *[]){ "plan", in, "-o", keep, NULL });
    g_assert_cmpint(existing.status, ==, 1);
    g_assert_true(g_file_get_contents(keep, &kept, NULL, NULL));
    g_assert_cmpstr(kept, ==, "precious\n");
}

static void
testHostileInputs(void)
{
    assertRefused("<domain type='qemu'><name>x</name><devices></domain>", "Malformed XML");
    assertRefused("<?xml version='1.0'?>\n<!DOCTYPE domain [<!ENTITY xxe SYSTEM 'file:///etc/passwd'>]>\n"
                  "<domain type='qemu'><name>&xxe;</name></domain>",
                  "DOCTYPE");
    assertRefused("<?xml version='1.0'?>\n<!DOCTYPE lolz [<!ENTITY lol 'lol'>"
                  "<!ENTITY lol2 '&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;'>"
                  "<!ENTITY lol3 '&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;'>]>\n"
                  "<domain type='qemu'><name>&lol3;</name></domain>",
                  "DOCTYPE");
}

/* 100 MB: refused before it is held in memory, status 1, no output. */
static void
testHugeInput(void)
{
    g_autofree char *in = scratchFile("huge.xml");
    g_autofree char *out = scratchFile("huge-out.xml");
    g_auto(PpTestRun) res = { 0 };
    g_autofree char *chunk = g_strnfill(1024 * 1024, ' ');
    FILE *fp = fopen(in, "w");
    int i;

    g_assert_nonnull(fp);
    fputs("<domain type='qemu'><!--", fp);
    for (i = 0; i < 100; i++)
        fwrite(chunk, 1, 1024 * 1024, fp);
    fputs("--></domain>", fp);
    fclose(fp);

    ppTestRunTool(&res, NULL, NULL, (const char *[]){ "plan", in, "-o", out, NULL });
    g_assert_cmpint(res.status, ==, 1);
    g_assert_nonnull(strstr(res.err, "larger than the limit"));
    g_assert_false(g_file_test(out, G_FILE_TEST_EXISTS));
    g_unlink(in);
}

static const char *planInput =
    "<domain type='qemu'>\n"
    "  <name>t</name>\n"
    "  <memory unit='KiB'>262144</memory>\n"
    "  <os>\n"
    "    <type arch='x86_64' machine='q35'>hvm</type>\n"
    "  </os>\n"
    "  <devices>\n"
    "    <interface type='user'>\n"
    "      <model type='virtio'/>\n"
    "    </interface>\n"
    "  </devices>\n"
    "</domain>\n";

static void
testPlanOutput(void)
{
    g_autofree char *in = scratchFile("plan-in.xml");
    g_autofree char *out = scratchFile("plan-out.xml");
    g_auto(PpTestRun) toFile = { 0 };
    g_auto(PpTestRun) toStdout = { 0 };
    g_auto(PpTestRun) fromStdin = { 0 };
    g_autofree char *written = NULL;

    g_assert_true(g_file_set_contents(in, planInput, -1, NULL));
    ppTestRunTool(&toFile, NULL, NULL, (const char *[]){ "plan", in, "-o", out, NULL });
    g_assert_cmpint(toFile.status, ==, 0);
    g_assert_cmpstr(toFile.out, ==, "");
    g_assert_true(g_file_get_contents(out, &written, NULL, NULL));
    g_assert_nonnull(strstr(written, "<address type='pci'"));

    ppTestRunTool(&toStdout, NULL, NULL, (const char *[]){ "plan", in, NULL });
    g_assert_cmpint(toStdout.status, ==, 0);
    g_assert_cmpstr(toStdout.out, ==, written);

    ppTestRunTool(&fromStdin, planInput, NULL, (const char *[]){ "plan", "-", NULL });
    g_assert_cmpint(fromStdin.status, ==, 0);
    g_assert_cmpstr(fromStdin.out, ==, written);
}

static void
testPlanFailures(void)
{
    g_autofree char *missing = scratchFile("does-not-exist.xml");
    g_auto(PpTestRun) io = { 0 };
    g_auto(PpTestRun) usage = { 0 };
    g_auto(PpTestRun) spares = { 0 };
    g_autofree char *impossible = NULL;
    GString *many = g_string_new("<domain type='qemu'><name>t</name><os><type arch='riscv64' machine='virt'>hvm</type></os><devices>");
    int i;

    ppTestRunTool(&io, NULL, NULL, (const char *[]){ "plan", missing, NULL });
    g_assert_cmpint(io.status, ==, 4);
    ppTestRunTool(&usage, NULL, NULL, (const char *[]){ "plan", NULL });
    g_assert_cmpint(usage.status, ==, 2);
    ppTestRunTool(&spares, NULL, NULL, (const char *[]){ "plan", "--spare-ports", "300", "-", NULL });
    g_assert_cmpint(spares.status, ==, 2);

    /* An impossible plan: status 1, the device named. */
    for (i = 0; i < 9; i++)
        g_string_append_printf(many, "<disk type='file' device='disk'><target dev='vd%c' bus='virtio'/></disk>",
                               'a' + i);
    g_string_append(many, "<memballoon model='none'/></devices></domain>");
    impossible = g_string_free(many, FALSE);
    assertRefused(impossible, "disk 'vdi' needs a virtio-mmio transport");
}

static void
assertShell(int status, const char *needle, const char *script)
{
    g_auto(PpTestRun) res = { 0 };

    ppTestRunShell(&res, NULL, script);
    if (res.status != status || (needle && !strstr(res.err, needle)))
        g_error("'%s': status %d (want %d), stderr '%s' (want '%s')", script, res.status, status,
                res.err, needle ? needle : "");
}

static mode_t
fileMode(const char *path)
{
    GStatBuf st;

    g_assert_cmpint(g_stat(path, &st), ==, 0);
    return st.st_mode & 07777;
}

/*
 * Output files: an existing file keeps its mode (a --security-info dump
 * is 0600) and owner, a new one gets 0666 less the umask; the input is
 * never the output (same path, another path, a symbolic link, standard
 * input) unless --in-place says so; output that cannot be written
 * (/dev/full) is exit status 4 for every command.
 */
static void
testOutputFiles(void)
{
    g_autofree char *in = scratchFile("files-in.xml");
    g_autofree char *secret = scratchFile("files-secret.xml");
    g_autofree char *fresh = scratchFile("files-fresh.xml");
    g_autofree char *link = scratchFile("files-link.xml");
    g_autofree char *script = NULL;
    g_autofree char *before = NULL;
    g_autofree char *after = NULL;
    g_auto(PpTestRun) res = { 0 };
    mode_t mask;

    g_assert_true(g_file_set_contents(in, planInput, -1, NULL));
    g_assert_true(g_file_set_contents(secret, "old\n", -1, NULL));
    g_assert_cmpint(g_chmod(secret, 0600), ==, 0);
    ppTestRunTool(&res, NULL, NULL, (const char *[]){ "plan", in, "-o", secret, NULL });
    g_assert_cmpint(res.status, ==, 0);
    g_assert_cmpint(fileMode(secret), ==, 0600);
    if (geteuid() == 0) {
        /* root can give a file away: its owner must survive the rename */
        g_auto(PpTestRun) again = { 0 };
        GStatBuf st;

        g_assert_cmpint(chown(secret, 65534, 65534), ==, 0);
        ppTestRunTool(&again, NULL, NULL, (const char *[]){ "plan", in, "-o", secret, NULL });
        g_assert_cmpint(again.status, ==, 0);
        g_assert_cmpint(g_stat(secret, &st), ==, 0);
        g_assert_cmpint(st.st_uid, ==, 65534);
        g_assert_cmpint(st.st_gid, ==, 65534);
        g_assert_cmpint(st.st_mode & 07777, ==, 0600);
    } else {
        g_test_message("not root: the owner case needs a file of another user");
    }

    mask = umask(027);
    g_unlink(fresh);
    script = g_strdup_printf("\"$T\" plan '%s' -o '%s'", in, fresh);
    assertShell(0, NULL, script);
    umask(mask);
    g_assert_cmpint(fileMode(fresh), ==, 0640);

    /* the input as output: refused (status 2), the file untouched */
    g_assert_true(g_file_get_contents(in, &before, NULL, NULL));
    g_unlink(link);
    g_assert_cmpint(symlink(in, link), ==, 0);
    g_clear_pointer(&script, g_free);
    script = g_strdup_printf("\"$T\" plan '%1$s' -o '%1$s'", in);
    assertShell(2, "--in-place", script);
    g_clear_pointer(&script, g_free);
    script = g_strdup_printf("\"$T\" plan '%s' -o '%s'", link, in);
    assertShell(2, "is the input file", script);
    g_clear_pointer(&script, g_free);
    script = g_strdup_printf("cd \"$(dirname '%1$s')\" && \"$T\" plan \"$(basename '%1$s')\" -o \"./$(basename '%1$s')\"", in);
    assertShell(2, "is the input file", script);
    g_clear_pointer(&script, g_free);
    script = g_strdup_printf("\"$T\" plan - -o '%1$s' < '%1$s'", in);
    assertShell(2, "is the input file", script);
    g_clear_pointer(&script, g_free);
    script = g_strdup_printf("\"$T\" argv '%1$s' -o '%1$s'", in);
    assertShell(2, "write to another file", script);
    g_assert_true(g_file_get_contents(in, &after, NULL, NULL));
    g_assert_cmpstr(after, ==, before);

    /* --in-place: planned, through the link too, mode kept */
    g_assert_cmpint(g_chmod(in, 0640), ==, 0);
    g_clear_pointer(&script, g_free);
    script = g_strdup_printf("\"$T\" plan --in-place '%s'", link);
    assertShell(0, NULL, script);
    g_clear_pointer(&after, g_free);
    g_assert_true(g_file_get_contents(in, &after, NULL, NULL));
    g_assert_nonnull(strstr(after, "<address type='pci'"));
    g_assert_true(g_file_test(link, G_FILE_TEST_IS_SYMLINK));
    g_assert_cmpint(fileMode(in), ==, 0640);
    g_assert_cmpint(g_chmod(in, 0644), ==, 0);

    /* nowhere to write: status 4, whatever the command */
    g_clear_pointer(&script, g_free);
    script = g_strdup_printf("\"$T\" plan '%s' > /dev/full", in);
    assertShell(4, "Cannot write to standard output", script);
    g_clear_pointer(&script, g_free);
    script = g_strdup_printf("\"$T\" explain '%s' > /dev/full", in);
    assertShell(4, "Cannot write to standard output", script);
    g_clear_pointer(&script, g_free);
    script = g_strdup_printf("\"$T\" argv '%s' > /dev/full", in);
    assertShell(4, "Cannot write to standard output", script);
    assertShell(4, "Cannot write to standard output", "\"$T\" order -- -device e1000 > /dev/full");
    assertShell(4, "Cannot write to standard output", "\"$T\" --help > /dev/full");
    assertShell(4, "Cannot write to standard output", "\"$T\" --version > /dev/full");
    /* GLib's option parser prints a command's --help and exits itself */
    assertShell(4, "Cannot write to standard output", "\"$T\" plan --help > /dev/full");
    assertShell(4, "Cannot write to standard output", "\"$T\" explain --help > /dev/full");
}

/*
 * --io-reserve: SeaBIOS needs no io-reserve=0, so the default plan has no
 * <qemu:override> and stderr says nothing about it; OVMF needs it, and
 * stderr says that libvirt will mark the domain tainted, and why;
 * 'never' leaves it out and says what that costs; a bad value is a usage
 * error. (The goldens of qemuxml2xmltest hold the XML of each case.)
 */
static void
testIOReserve(void)
{
    g_autofree char *seabios = ppTestSrcPath("qemuxml2argvdata/q35-virtio-devices.xml");
    g_autofree char *ovmf = ppTestSrcPath("qemuxml2argvdata/q35-ovmf-io-reserve.xml");
    g_auto(PpTestRun) quiet = { 0 };
    g_auto(PpTestRun) always = { 0 };
    g_auto(PpTestRun) needed = { 0 };
    g_auto(PpTestRun) never = { 0 };
    g_auto(PpTestRun) bad = { 0 };

    ppTestRunTool(&quiet, NULL, NULL, (const char *[]){ "plan", seabios, NULL });
    g_assert_cmpint(quiet.status, ==, 0);
    g_assert_null(strstr(quiet.out, "qemu:override"));
    g_assert_cmpstr(quiet.err, ==, "");

    ppTestRunTool(&always, NULL, NULL,
                  (const char *[]){ "plan", "--io-reserve=always", seabios, NULL });
    g_assert_cmpint(always.status, ==, 0);
    g_assert_nonnull(strstr(always.out, "<qemu:property name='io-reserve'"));
    g_assert_nonnull(strstr(always.err, "tainted (custom-device)"));
    g_assert_nonnull(strstr(always.err, "--io-reserve=always"));

    ppTestRunTool(&needed, NULL, NULL, (const char *[]){ "plan", ovmf, NULL });
    g_assert_cmpint(needed.status, ==, 0);
    g_assert_nonnull(strstr(needed.out, "<qemu:property name='io-reserve'"));
    g_assert_nonnull(strstr(needed.err, "6 PCIe root ports get io-reserve=0"));
    g_assert_nonnull(strstr(needed.err, "SATA and SMBus"));
    g_assert_nonnull(strstr(needed.err, "tainted (custom-device)"));

    ppTestRunTool(&never, NULL, NULL,
                  (const char *[]){ "plan", "--io-reserve", "never", ovmf, NULL });
    g_assert_cmpint(never.status, ==, 0);
    g_assert_null(strstr(never.out, "qemu:override"));
    g_assert_nonnull(strstr(never.err, "6 PCIe root ports get no io-reserve=0"));

    ppTestRunTool(&bad, NULL, NULL, (const char *[]){ "plan", "--io-reserve=sometimes", ovmf, NULL });
    g_assert_cmpint(bad.status, ==, 2);
}

/* What libvirt and QEMU accept but the guest or QEMU 7.2's policy may
 * not: planned, with a warning on stderr (exit 0). */
static void
testPlanWarnings(void)
{
    g_autofree char *expander = ppTestSrcPath("qemuxml2argvdata/parity-aarch64-user-expander.xml");
    g_autofree char *machine = ppTestSrcPath("qemuxml2argvdata/parity-machine-pc-q35-8.2.xml");
    g_auto(PpTestRun) a = { 0 };
    g_auto(PpTestRun) b = { 0 };

    ppTestRunTool(&a, NULL, NULL, (const char *[]){ "plan", expander, NULL });
    g_assert_cmpint(a.status, ==, 0);
    g_assert_nonnull(strstr(a.err, "warning: controller type='pci' index='1' model='pcie-expander-bus' is an expander bus"));
    ppTestRunTool(&b, NULL, NULL, (const char *[]){ "plan", machine, NULL });
    g_assert_cmpint(b.status, ==, 0);
    g_assert_nonnull(strstr(b.err, "warning: Machine type 'pc-q35-8.2' is not one of QEMU 7.2"));
}

/* explain: the tree, the reasons, the capacity; compared to a golden. */
static void
testExplain(gconstpointer data)
{
    const char *name = data;
    g_autofree char *input = ppTestSrcPath(name);
    g_autofree char *base = g_path_get_basename(name);
    g_autofree char *golden = NULL;
    g_auto(PpTestRun) res = { 0 };

    *strrchr(base, '.') = '\0';
    golden = ppTestDataPath("explaindata", base, ".txt");
    ppTestRunTool(&res, NULL, NULL, (const char *[]){ "explain", input, NULL });
    g_assert_cmpint(res.status, ==, 0);
    ppTestCompareToFile(res.out, golden);
}

/* explain --host-sysfs on the synthetic host tree: the derived hints. */
static void
testExplainHostSysfs(void)
{
    g_autofree char *input = ppTestSrcPath("qemuxml2argvdata/q35-host-sysfs.xml");
    g_autofree char *sysfs = ppTestSrcPath("hostsysfs");
    g_autofree char *golden = g_strdup_printf("%s/explaindata/q35-host-sysfs.txt",
                                              g_getenv("PP_TEST_SRCDIR"));
    g_auto(PpTestRun) res = { 0 };
    g_auto(PpTestRun) none = { 0 };

    ppTestRunTool(&res, NULL, NULL,
                  (const char *[]){ "explain", "--host-sysfs", sysfs, input, NULL });
    g_assert_cmpint(res.status, ==, 0);
    g_assert_true(ppTestCompareToFile(res.out, golden));
    /* Nothing happens without the option. */
    ppTestRunTool(&none, NULL, NULL, (const char *[]){ "explain", input, NULL });
    g_assert_cmpint(none.status, ==, 0);
    g_assert_null(strstr(none.out, "p2pGroup"));
    g_assert_null(strstr(none.out, "expander"));
}

int
main(int argc, char **argv)
{
    ppTestInit(&argc, &argv);
    g_test_add_func("/tool/explain/q35-host-sysfs", testExplainHostSysfs);
    g_test_add_func("/tool/help-version", testHelpVersion);
    g_test_add_func("/tool/hostile-inputs", testHostileInputs);
    g_test_add_func("/tool/huge-input", testHugeInput);
    g_test_add_func("/tool/plan-output", testPlanOutput);
    g_test_add_func("/tool/plan-failures", testPlanFailures);
    g_test_add_func("/tool/plan-warnings", testPlanWarnings);
    g_test_add_data_func("/tool/explain/parity-aarch64-user-expander",
                         "qemuxml2argvdata/parity-aarch64-user-expander.xml", testExplain);
    g_test_add_data_func("/tool/explain/q35-workstation", "../examples/q35-workstation.xml",
                         testExplain);
    g_test_add_data_func("/tool/explain/q35-numa", "qemuxml2argvdata/q35-numa.xml", testExplain);
    g_test_add_data_func("/tool/explain/q35-p2p-groups", "qemuxml2argvdata/q35-p2p-groups.xml",
                         testExplain);
    g_test_add_data_func("/tool/explain/q35-migration-blockers",
                         "qemuxml2argvdata/q35-migration-blockers.xml", testExplain);
    g_test_add_data_func("/tool/explain/aarch64-virt-mmio", "qemuxml2argvdata/aarch64-virt-mmio.xml",
                         testExplain);
    g_test_add_func("/tool/io-reserve", testIOReserve);
    g_test_add_func("/tool/output-files", testOutputFiles);
    g_test_add_data_func("/tool/explain/q35-ovmf-io-reserve",
                         "qemuxml2argvdata/q35-ovmf-io-reserve.xml", testExplain);
    return g_test_run();
}
