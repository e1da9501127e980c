/*
 * qemuagreetest.c: QEMU 7.2 agrees with the command lines we write
 *
 * Every golden qemuxml2argvdata/NAME.ARCH.args is started in real QEMU
 * (TCG, -S, QMP on standard input and output). For each -device with an
 * id, QOM must say it was realized, and for those with a bus and an addr,
 * that "parent_bus" is that bus and "addr" that devfn. The test fails, and
 * does not skip, when QEMU is missing: a missing oracle must not look like
 * agreement. The classic case of 'virtio-pciplan order' is started too.
 *
 * Each start takes about 0.3 s: all QMP commands go in one write, QEMU
 * answers them in order and the last one, "quit", ends it.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "testutils.h"
#include "pperror.h"
#include "qemu_command.h"
#include "qemu_order.h"
#include "qemu_migration.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

/* Devices that cannot start without host hardware: vfio-pci needs an IOMMU
 * group of the host ("no iommu_group found"), vhost-vsock /dev/vhost-vsock,
 * virtio-input-host an evdev node. They are left out; the rest of the
 * topology does not depend on them. */
static const char *const hostOnlyDrivers[] = {
    "vfio-pci", "vhost-vsock-pci", "vhost-vsock-pci-non-transitional", "vhost-vsock-device",
    "virtio-input-host-pci", "virtio-input-host-device",
};

/* What a -device says about where it goes. */
typedef struct {
    char *id;
    char *bus;  /* NULL: no bus= */
    int devfn;  /* -1: no addr= */
} Expected;

static void
expectedFree(Expected *exp)
{
    g_free(exp->id);
    g_free(exp->bus);
    g_free(exp);
}

/* "0x2" -> devfn 0x10, "0x2.0x1" -> 0x11. */
static int
parseAddr(const char *addr)
{
    g_auto(GStrv) parts = g_strsplit(addr, ".", 2);
    guint64 slot = g_ascii_strtoull(parts[0], NULL, 0);
    guint64 fn = parts[1] ? g_ascii_strtoull(parts[1], NULL, 0) : 0;

    return (int)((slot << 3) | fn);
}

/* ------------------------------------------------------------------ */
/* Making a golden runnable here                                       */

typedef struct {
    char *dir;            /* scratch directory for images and shares */
    guint files;
    GHashTable *formats;  /* storage node-name -> format driver */
    char *pflashCode;     /* the pflash0 image, to size pflash1 by */
} Scratch;

static void
scratchClear(Scratch *s)
{
    g_free(s->dir);
    g_clear_pointer(&s->formats, g_hash_table_unref);
    g_free(s->pflashCode);
}

static GHashTable *
parseJSON(const char *text)
{
    g_autoptr(GError) err = NULL;
    GHashTable *obj = ppQemuJSONObjectParse(text, &err);

    g_assert_no_error(err);
    return obj;
}

/* Which format each storage node has, and the UEFI code image. */
static void
scratchScan(Scratch *s, char **argv)
{
    guint i;

    for (i = 0; argv[i] && argv[i + 1]; i++) {
        g_autoptr(GHashTable) obj = NULL;
        const char *file;
        const char *node;

        if (!g_str_equal(argv[i], "-blockdev"))
            continue;
        obj = parseJSON(argv[i + 1]);
        file = g_hash_table_lookup(obj, "file");
        node = g_hash_table_lookup(obj, "node-name");
        if (file)
            g_hash_table_insert(s->formats, g_strdup(file),
                                g_strdup(g_hash_table_lookup(obj, "driver")));
        if (node && g_str_equal(node, "libvirt-pflash0-storage"))
            s->pflashCode = g_strdup(g_hash_table_lookup(obj, "filename"));
    }
}

static void
runOrFail(const char *const *argv)
{
    g_autoptr(GError) err = NULL;
    int status = 0;

    g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                 NULL, NULL, NULL, NULL, &status, &err);
    g_assert_no_error(err);
    g_spawn_check_wait_status(status, &err);
    g_assert_no_error(err);
}

/* The size of the variable store template beside the code image
 * (..._CODE... -> ..._VARS...): QEMU wants pflash1 exactly that large. */
static goffset
scratchVarsSize(const Scratch *s)
{
    g_autoptr(GString) vars = g_string_new(s->pflashCode);
    g_autoptr(GFile) template = NULL;
    g_autoptr(GFileInfo) info = NULL;
    g_autoptr(GError) err = NULL;

    g_assert_nonnull(s->pflashCode);
    g_string_replace(vars, "CODE", "VARS", 1);
    template = g_file_new_for_path(vars->str);
    info = g_file_query_info(template, G_FILE_ATTRIBUTE_STANDARD_SIZE, 0, NULL, &err);
    g_assert_no_error(err);
    return g_file_info_get_size(info);
}

/* A scratch image for storage node @node: qcow2 through qemu-img, raw as
 * a sparse file. */
static char *
scratchImage(Scratch *s, const char *node)
{
    const char *format = g_hash_table_lookup(s->formats, node);
    g_autofree char *path = g_strdup_printf("%s/image%u", s->dir, s->files++);
    goffset size = 1024 * 1024;

    if (format && g_str_equal(format, "qcow2")) {
        const char *argv[] = { "qemu-img", "create", "-q", "-f", "qcow2", path, "16M", NULL };

        runOrFail(argv);
        return g_steal_pointer(&path);
    }
    if (g_str_equal(node, "libvirt-pflash1-storage"))
        size = scratchVarsSize(s);
    g_assert_true(g_file_set_contents(path, "", 0, NULL));
    g_assert_cmpint(truncate(path, size), ==, 0);
    return g_steal_pointer(&path);
}

/* Firmware code under /usr/share is used as it is (read-only); every
 * other image becomes a scratch file, a block device a plain file. */
static char *
scratchBlockdev(Scratch *s, const char *json)
{
    g_autoptr(GHashTable) obj = parseJSON(json);
    const char *filename = g_hash_table_lookup(obj, "filename");
    g_autoptr(GString) out = g_string_new(json);
    g_autofree char *image = NULL;
    g_autofree char *from = NULL;
    g_autofree char *to = NULL;

    if (!filename || g_str_has_prefix(filename, "/usr/share/"))
        return g_strdup(json);
    image = scratchImage(s, g_hash_table_lookup(obj, "node-name"));
    from = g_strdup_printf("\"filename\":\"%s\"", filename);
    to = g_strdup_printf("\"filename\":\"%s\"", image);
    g_assert_cmpuint(g_string_replace(out, from, to, 1), ==, 1);
    g_string_replace(out, "\"driver\":\"host_device\"", "\"driver\":\"file\"", 1);
    return g_string_free(g_steal_pointer(&out), FALSE);
}

/* A 9p share: its path=... becomes a scratch directory. */
static char *
scratchFsdev(Scratch *s, const char *opts)
{
    g_autofree char *dir = g_strdup_printf("%s/share%u", s->dir, s->files++);
    const char *path = strstr(opts, ",path=");
    const char *end;

    g_assert_nonnull(path);
    g_assert_cmpint(g_mkdir(dir, 0700), ==, 0);
    end = strchr(path + 1, ',');
    return g_strdup_printf("%.*s,path=%s%s", (int)(path - opts), opts, dir, end ? end : "");
}

static gboolean
isHostOnly(const char *device)
{
    PpQemuDeviceSpec spec;
    gboolean ret = FALSE;
    size_t i;

    g_assert_true(ppQemuDeviceSpecParse(device, &spec, NULL));
    for (i = 0; i < G_N_ELEMENTS(hostOnlyDrivers); i++)
        ret |= g_str_equal(spec.driver, hostOnlyDrivers[i]);
    ppQemuDeviceSpecClear(&spec);
    return ret;
}

/* The golden's argv, runnable in @s, with -S and QMP on stdio added. */
static GPtrArray *
makeRunnable(Scratch *s, char **golden)
{
    GPtrArray *argv = g_ptr_array_new_with_free_func(g_free);
    guint i;

    scratchScan(s, golden);
    for (i = 0; golden[i]; i++) {
        const char *opt = golden[i];
        const char *val = golden[i + 1];

        if (val && g_str_equal(opt, "-device") && isHostOnly(val)) {
            i++;
            continue;
        }
        g_ptr_array_add(argv, g_strdup(opt));
        /* Shared memory goes to the scratch directory, not /dev/shm. */
        if (val && g_str_equal(opt, "-object") && strstr(val, "\"mem-path\":\"/dev/shm/")) {
            g_autofree char *shm = g_strdup_printf("\"mem-path\":\"%s/", s->dir);
            g_auto(GStrv) parts = g_strsplit(val, "\"mem-path\":\"/dev/shm/", 2);

            g_ptr_array_add(argv, g_strjoinv(shm, parts));
            i++;
            continue;
        }
        if (!val || (!g_str_equal(opt, "-blockdev") && !g_str_equal(opt, "-fsdev")))
            continue;
        g_ptr_array_add(argv, g_str_equal(opt, "-blockdev") ? scratchBlockdev(s, val)
                                                           : scratchFsdev(s, val));
        i++;
    }
    g_ptr_array_add(argv, g_strdup("-S"));
    g_ptr_array_add(argv, g_strdup("-qmp"));
    g_ptr_array_add(argv, g_strdup("stdio"));
    g_ptr_array_add(argv, NULL);
    return argv;
}

/* ------------------------------------------------------------------ */
/* QMP                                                                 */

static GPtrArray *
collectExpected(char **argv)
{
    GPtrArray *devices = g_ptr_array_new_with_free_func((GDestroyNotify)expectedFree);
    guint i;

    for (i = 0; argv[i] && argv[i + 1]; i++) {
        g_autoptr(GHashTable) obj = NULL;
        const char *addr;
        Expected *exp;

        if (!g_str_equal(argv[i], "-device") || argv[i + 1][0] != '{')
            continue;
        obj = parseJSON(argv[i + 1]);
        if (!g_hash_table_lookup(obj, "id"))
            continue;
        exp = g_new0(Expected, 1);
        exp->id = g_strdup(g_hash_table_lookup(obj, "id"));
        exp->bus = g_strdup(g_hash_table_lookup(obj, "bus"));
        addr = g_hash_table_lookup(obj, "addr");
        exp->devfn = addr ? parseAddr(addr) : -1;
        g_ptr_array_add(devices, exp);
    }
    return devices;
}

static void
qmpAppend(GString *script, const char *id, const char *path, const char *property)
{
    g_string_append_printf(script,
                           "{\"execute\":\"qom-get\",\"id\":\"%s\",\"arguments\":"
                           "{\"path\":\"/machine/peripheral/%s\",\"property\":\"%s\"}}\n",
                           id, path, property);
}

/* qom-get of realized, parent_bus and addr; reply ids are "N.r", "N.b", "N.a". */
static char *
qmpScript(const GPtrArray *devices)
{
    GString *script = g_string_new("{\"execute\":\"qmp_capabilities\"}\n");
    guint i;

    for (i = 0; i < devices->len; i++) {
        const Expected *exp = g_ptr_array_index(devices, i);
        g_autofree char *r = g_strdup_printf("%u.r", i);
        g_autofree char *b = g_strdup_printf("%u.b", i);
        g_autofree char *a = g_strdup_printf("%u.a", i);

        qmpAppend(script, r, exp->id, "realized");
        if (exp->bus)
            qmpAppend(script, b, exp->id, "parent_bus");
        if (exp->devfn >= 0)
            qmpAppend(script, a, exp->id, "addr");
    }
    g_string_append(script, "{\"execute\":\"quit\",\"id\":\"quit\"}\n");
    return g_string_free(script, FALSE);
}

/* Runs @argv with @script on its stdin: reply id -> "return" value (or
 * "(error)"); the reply "quit" is there when QEMU started and ended cleanly.
 * @ret_output gets everything QEMU wrote. */
static GHashTable *
qmpRun(GPtrArray *argv, const char *script, char **ret_output)
{
    g_autoptr(GSubprocess) proc = NULL;
    g_autoptr(GError) err = NULL;
    g_autofree char *out = NULL;
    g_auto(GStrv) lines = NULL;
    GHashTable *replies = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    guint i;

    proc = g_subprocess_newv((const char *const *)argv->pdata,
                             G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                 G_SUBPROCESS_FLAGS_STDERR_MERGE,
                             &err);
    g_assert_no_error(err);
    g_subprocess_communicate_utf8(proc, script, NULL, &out, NULL, &err);
    g_assert_no_error(err);
    lines = g_strsplit(out ? out : "", "\n", -1);
    for (i = 0; lines[i]; i++) {
        g_autoptr(GHashTable) obj = NULL;
        const char *id;

        if (lines[i][0] != '{' || !(obj = ppQemuJSONObjectParse(lines[i], NULL)) ||
            !(id = g_hash_table_lookup(obj, "id")))
            continue;
        g_hash_table_insert(replies, g_strdup(id),
                            g_strdup(g_hash_table_lookup(obj, "return") ?: "(error)"));
    }
    *ret_output = g_steal_pointer(&out);
    return replies;
}

/* The bus name from QOM's path of the bus: "/machine/q35/pcie.0" -> "pcie.0". */
static const char *
busName(const char *path)
{
    const char *slash = strrchr(path, '/');

    return slash ? slash + 1 : path;
}

static void
checkDevice(const char *name, guint i, const Expected *exp, GHashTable *replies,
            const char *output)
{
    g_autofree char *r = g_strdup_printf("%u.r", i);
    g_autofree char *b = g_strdup_printf("%u.b", i);
    g_autofree char *a = g_strdup_printf("%u.a", i);
    const char *realized = g_hash_table_lookup(replies, r);
    const char *bus = g_hash_table_lookup(replies, b);
    const char *addr = g_hash_table_lookup(replies, a);

    if (!realized || !g_str_equal(realized, "true"))
        g_error("%s: device '%s' is not realized; QEMU said:\n%s", name, exp->id, output);
    if (exp->bus && (!bus || !g_str_equal(busName(bus), exp->bus)))
        g_error("%s: device '%s' is on bus '%s', expected '%s'", name, exp->id,
                bus ? bus : "(none)", exp->bus);
    if (exp->devfn >= 0 && (!addr || atoi(addr) != exp->devfn))
        g_error("%s: device '%s' is at devfn %s, expected %d", name, exp->id,
                addr ? addr : "(none)", exp->devfn);
}


/* Starts @golden and checks every device's place. */
static void
agree(const char *name, char **golden)
{
    Scratch s = { 0 };
    g_autoptr(GError) err = NULL;
    g_autoptr(GPtrArray) argv = NULL;
    g_autoptr(GPtrArray) devices = NULL;
    g_autoptr(GHashTable) replies = NULL;
    g_autofree char *script = NULL;
    g_autofree char *output = NULL;
    guint i;

    s.dir = g_dir_make_tmp("ppagree-XXXXXX", &err);
    g_assert_no_error(err);
    s.formats = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    argv = makeRunnable(&s, golden);
    devices = collectExpected((char **)argv->pdata);
    script = qmpScript(devices);
    replies = qmpRun(argv, script, &output);
    if (!g_hash_table_contains(replies, "quit"))
        g_error("%s: QEMU did not start, or did not quit:\n%s", name, output);
    for (i = 0; i < devices->len; i++)
        checkDevice(name, i, g_ptr_array_index(devices, i), replies, output);
    ppTestRemoveTree(s.dir);
    scratchClear(&s);
}

/*
 * The migration blockers explain lists (qemu_migration.c), against QEMU:
 * with -only-migratable, QEMU 7.2 refuses to start a device that has
 * unmigratable state or registers a migration blocker when realized.
 * It must refuse exactly when a blocker of that kind is on the line
 * (host-only devices are left out of it, and so out of the check).
 */
static void
agreeMigration(const char *name, const PpDomainDef *def, char **golden)
{
    Scratch s = { 0 };
    g_autoptr(GError) err = NULL;
    g_autoptr(GPtrArray) argv = NULL;
    g_autoptr(GHashTable) replies = NULL;
    g_autoptr(GArray) blockers = ppQemuDomainMigrationBlockers(def);
    g_autofree char *output = NULL;
    g_autofree char *line = NULL;
    const char *expected = NULL;
    gboolean started;
    guint i;

    s.dir = g_dir_make_tmp("ppagree-XXXXXX", &err);
    g_assert_no_error(err);
    s.formats = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    argv = makeRunnable(&s, golden);
    g_ptr_array_insert(argv, 1, g_strdup("-only-migratable"));
    line = g_strjoinv(" ", (char **)argv->pdata);
    for (i = 0; i < blockers->len && !expected; i++) {
        const PpQemuMigrationBlocker *b = &g_array_index(blockers, PpQemuMigrationBlocker, i);
        g_autofree char *driver = g_strdup_printf("\"driver\":\"%s\"", b->driver);

        if (b->when == PP_QEMU_MIGRATION_BLOCKS_ALWAYS && strstr(line, driver))
            expected = b->driver;
    }
    replies = qmpRun(argv, "{\"execute\":\"qmp_capabilities\"}\n"
                           "{\"execute\":\"quit\",\"id\":\"quit\"}\n", &output);
    started = g_hash_table_contains(replies, "quit");
    if (expected && started)
        g_test_fail_printf("%s: explain says %s blocks migration, but QEMU starts it with "
                           "-only-migratable", name, expected);
    else if (!expected && !started)
        g_test_fail_printf("%s: QEMU refuses it with -only-migratable, but explain lists no "
                           "blocker:\n%s", name, output);
    else if (expected && !strstr(output, "only-migratable"))
        g_test_fail_printf("%s: QEMU refuses it with -only-migratable for another reason:\n%s",
                           name, output);
    ppTestRemoveTree(s.dir);
    scratchClear(&s);
}

static void
testGolden(gconstpointer data)
{
    const char *path = data;
    g_autofree char *name = g_path_get_basename(path);
    g_autofree char *text = ppTestLoadFile(path, NULL);
    g_autoptr(GError) err = NULL;
    g_auto(GStrv) golden = ppQemuCommandLineParse(text, PP_QEMU_FORMAT_LINES, &err);

    g_assert_no_error(err);
    agree(name, golden);
}

/*
 * Every planned golden of qemuxml2xmltest, started in QEMU too: the
 * planner's addresses are where QEMU puts the devices. vhost-scsi host
 * devices and virtio-mem have no command line here (qemuxml2argvtest
 * says so for the first; virtio-mem needs maxmem and memory backends the
 * generator does not write yet).
 */
static const char *const plannedWithoutArgv[] = {
    "corpus-virtio-non-transitional.xml",
    "corpus-virtio-transitional.xml",
    "roundtrip-filesystem-memory.xml",
    NULL
};

/*
 * Without its kernel (the corpus names files that do not exist here) a
 * guest still starts paused, which is all the QOM checks need; nor does
 * the number of CPUs matter to them (a corpus input asks for 16 on a
 * GICv2 virt machine, which takes 8), unless NUMA cells name the CPUs.
 */
static char **
startableArgv(char **argv)
{
    const char *const options[] = { "-kernel", "-initrd", "-append", "-dtb", NULL };
    g_autoptr(GPtrArray) kept = g_ptr_array_new();
    gboolean numa = g_strv_contains((const char *const *)argv, "-numa");
    guint i;

    for (i = 0; argv[i]; i++) {
        if (g_strv_contains(options, argv[i]) && argv[i + 1]) {
            i++;
            continue;
        }
        if (g_str_equal(argv[i], "-smp") && argv[i + 1] && !numa) {
            g_ptr_array_add(kept, g_strdup("-smp"));
            g_ptr_array_add(kept, g_strdup("1"));
            i++;
            continue;
        }
        g_ptr_array_add(kept, g_strdup(argv[i]));
    }
    g_ptr_array_add(kept, NULL);
    g_strfreev(argv);
    return (char **)g_ptr_array_free(g_steal_pointer(&kept), FALSE);
}

static void
testPlannedGolden(gconstpointer data)
{
    const char *path = data;
    g_autofree char *name = g_path_get_basename(path);
    g_autofree char *text = NULL;
    g_autoptr(GError) err = NULL;
    g_autoptr(PpDomainDef) def = NULL;
    char **argv = NULL;
    gsize len = 0;

    text = ppTestLoadFile(path, &len);
    def = ppDomainDefParseString(text, len, &err);
    g_assert_no_error(err);
    /* A plan for a machine type QEMU 7.2 lacks (planned by its family)
     * has no QEMU 7.2 command line. */
    if (!ppQemuMachineLookup(def->arch, def->machine, NULL)) {
        g_assert_null(ppQemuBuildCommandLine(def, NULL, &err));
        g_assert_error(err, PP_ERROR, PP_ERROR_UNSUPPORTED);
        return;
    }
    argv = ppQemuBuildCommandLine(def, NULL, &err);
    if (g_strv_contains(plannedWithoutArgv, name)) {
        g_assert_error(err, PP_ERROR, PP_ERROR_UNSUPPORTED);
        return;
    }
    g_assert_no_error(err);
    argv = startableArgv(argv);
    agree(name, argv);
    agreeMigration(name, def, argv);
    g_strfreev(argv);
}

/* 'virt-pciplan order -- ARGV...': the reordered command line (shell
 * words on stdout) and the moves it reports on stderr. */
static char **
runOrderTool(const char *const *classic, char **ret_report)
{
    g_autoptr(GPtrArray) argv = g_ptr_array_new();
    g_autoptr(GSubprocess) proc = NULL;
    g_autoptr(GError) err = NULL;
    g_autofree char *out = NULL;
    char **ordered;
    guint i;

    g_ptr_array_add(argv, (gpointer)g_getenv("PP_TEST_TOOL"));
    g_ptr_array_add(argv, (gpointer) "order");
    g_ptr_array_add(argv, (gpointer) "--");
    for (i = 0; classic[i]; i++)
        g_ptr_array_add(argv, (gpointer)classic[i]);
    g_ptr_array_add(argv, NULL);
    g_assert_nonnull(argv->pdata[0]);
    proc = g_subprocess_newv((const char *const *)argv->pdata,
                             G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                             &err);
    g_assert_no_error(err);
    g_subprocess_communicate_utf8(proc, NULL, NULL, &out, ret_report, &err);
    g_assert_no_error(err);
    g_assert_cmpint(g_subprocess_get_exit_status(proc), ==, 0);
    ordered = ppQemuCommandLineParse(out, PP_QEMU_FORMAT_SHELL, &err);
    g_assert_no_error(err);
    return ordered;
}

/* The classic case: QEMU refuses the line as written ("Bus 'pcie.1' not
 * found") and starts it once 'virt-pciplan order' has reordered it. */
static void
testOrderClassic(void)
{
    const char *const classic[] = {
        "qemu-system-x86_64", "-M", "q35", "-nodefaults", "-display", "none", "-accel", "tcg",
        "-device", "virtio-net-pci,id=net0,bus=pcie.1",
        "-device", "pcie-root-port,id=pcie.1,bus=pcie.0,chassis=1",
        NULL,
    };
    g_autoptr(GPtrArray) asIs = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GHashTable) refused = NULL;
    g_autofree char *output = NULL;
    g_autofree char *report = NULL;
    g_auto(GStrv) ordered = NULL;
    guint i;

    for (i = 0; classic[i]; i++)
        g_ptr_array_add(asIs, g_strdup(classic[i]));
    g_ptr_array_add(asIs, g_strdup("-S"));
    g_ptr_array_add(asIs, g_strdup("-qmp"));
    g_ptr_array_add(asIs, g_strdup("stdio"));
    g_ptr_array_add(asIs, NULL);
    refused = qmpRun(asIs, "{\"execute\":\"qmp_capabilities\"}\n", &output);
    g_assert_nonnull(strstr(output, "Bus 'pcie.1' not found"));

    ordered = runOrderTool(classic, &report);
    g_assert_nonnull(strstr(report, "moved 'net0' (virtio-net-pci) after 'pcie.1'"));
    g_assert_cmpstr(ordered[9], ==, "pcie-root-port,id=pcie.1,bus=pcie.0,chassis=1");
    agree("classic", ordered);
}

int
main(int argc, char **argv)
{
    g_autofree char *dir = NULL;
    g_autoptr(GPtrArray) goldens = NULL;
    g_autoptr(GPtrArray) planned = NULL;
    g_autofree char *xmldir = NULL;
    guint i;

    ppTestInit(&argc, &argv);
    dir = ppTestSrcPath("qemuxml2argvdata");
    goldens = ppTestListDir(dir, ".args");
    for (i = 0; i < goldens->len; i++) {
        const char *file = g_ptr_array_index(goldens, i);
        g_autofree char *name = g_path_get_basename(file);
        g_autofree char *path = g_strdup_printf("/qemu/agree/%s", name);

        g_test_add_data_func(path, file, testGolden);
    }
    g_test_add_func("/qemu/agree/order-classic", testOrderClassic);

    planned = ppTestListDir(xmldir = ppTestSrcPath("qemuxml2xmloutdata"), ".xml");
    for (i = 0; i < planned->len; i++) {
        const char *file = g_ptr_array_index(planned, i);
        g_autofree char *name = g_path_get_basename(file);
        g_autofree char *path = g_strdup_printf("/qemu/agree/planned/%s", name);

        g_test_add_data_func(path, file, testPlannedGolden);
    }
    return g_test_run();
}
