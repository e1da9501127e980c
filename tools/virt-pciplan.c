/*
 * virt-pciplan.c: the command line front end
 *
 * This program links neither libvirt nor libvirt-qemu: plan, explain,
 * argv and order run without them, so that the dynamic loader has only
 * GLib and libxml2 to map at start (libvirt brings ~55 more libraries,
 * which cost more than the planning of a 200-device domain). define and
 * attach need libvirt's public API: they run in virt-pciplan-libvirt
 * (tools/virt-pciplan-libvirt.c, installed in libexecdir), which this
 * program execs with the same arguments. Why a program rather than
 * dlopen(): exec keeps stdin, stdout, signals and the exit status as they
 * are, libvirt's process-wide state (event loop, worker threads, its
 * error handler) never enters the planner's process, and the helper links
 * libvirt normally, so the linker checks every symbol and version instead
 * of a table of dlsym() pointers. The extra exec costs about a
 * millisecond, against the ~100 ms of opening a libvirt connection.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "virt-pciplan.h"
#include "pperror.h"
#include "ppfile.h"

#include <errno.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* The program that runs define and attach (see above). */
#define PP_TOOL_LIBVIRT_HELPER "virt-pciplan-libvirt"

typedef struct {
    const char *name;
    int (*run)(int argc, char **argv);  /* NULL: run by PP_TOOL_LIBVIRT_HELPER */
    const char *summary;
} PpCommand;

static const PpCommand ppCommands[] = {
    { "plan", ppCmdPlan, N_("Place every device and write the fully addressed domain XML") },
    { "explain", ppCmdExplain, N_("Show the planned topology, why each controller exists, and what is left") },
    { "argv", ppCmdArgv, N_("Plan the domain and write its QEMU command line, devices in realization order") },
    { "order", ppCmdOrder, N_("Reorder the -device options of a QEMU command line so that QEMU can realize them") },
    { "define", NULL, N_("Plan the domain and define it through libvirt, checking that libvirt kept the plan") },
    { "attach", NULL, N_("Place one new device into an existing domain and attach it through libvirt") },
};

/*
 * Where PP_TOOL_LIBVIRT_HELPER is: beside this program when it runs from
 * a build directory (meson builds both into tools/), else the configured
 * libexecdir. An installed virt-pciplan has no helper beside it in
 * bindir, so the first test fails there.
 */
static char *
ppToolLibvirtHelperPath(void)
{
    g_autofree char *self = g_file_read_link("/proc/self/exe", NULL);
    g_autofree char *dir = self ? g_path_get_dirname(self) : NULL;
    g_autofree char *beside = dir ? g_build_filename(dir, PP_TOOL_LIBVIRT_HELPER, NULL) : NULL;

    if (beside && g_file_test(beside, G_FILE_TEST_IS_EXECUTABLE))
        return g_steal_pointer(&beside);
    return g_build_filename(PP_LIBEXECDIR, PP_TOOL_LIBVIRT_HELPER, NULL);
}

/* Replace this process by the helper, with the same arguments; returns
 * only when the exec fails. */
static int
ppToolExecLibvirtHelper(char **argv)
{
    g_autofree char *helper = ppToolLibvirtHelperPath();
    int err;

    g_debug("%s: running %s", argv[1], helper);
    execv(helper, argv);
    err = errno;
    g_printerr(_("virt-pciplan: error: '%1$s' needs libvirt, through '%2$s', which cannot be run: %3$s\n"),
               argv[1], helper, g_strerror(err));
    return PP_EXIT_LIBVIRT;
}

int
ppToolReadDomainFromLibvirt(const char *name, const char *uri, char **ret_xml)
{
    g_autofree char *helper = ppToolLibvirtHelperPath();
    g_autoptr(GPtrArray) args = g_ptr_array_new();
    g_autofree char *xml = NULL;
    g_autoptr(GError) err = NULL;
    int wait = 0;

    g_ptr_array_add(args, helper);
    g_ptr_array_add(args, (gpointer)"dumpxml");
    if (uri) {
        g_ptr_array_add(args, (gpointer)"--connect");
        g_ptr_array_add(args, (gpointer)uri);
    }
    g_ptr_array_add(args, (gpointer)"--");
    g_ptr_array_add(args, (gpointer)name);
    g_ptr_array_add(args, NULL);
    /* The helper's stderr is ours: it names the URI in its errors. */
    if (!g_spawn_sync(NULL, (char **)args->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, &xml, NULL,
                      &wait, &err)) {
        g_printerr(_("virt-pciplan: error: --domain needs libvirt, through '%1$s', which cannot be run: %2$s\n"),
                   helper, err->message);
        return PP_EXIT_LIBVIRT;
    }
    if (!WIFEXITED(wait))
        return PP_EXIT_INTERNAL;
    if (WEXITSTATUS(wait) != PP_EXIT_OK)
        return WEXITSTATUS(wait);
    *ret_xml = g_steal_pointer(&xml);
    return PP_EXIT_OK;
}

static void
ppToolUsage(FILE *out)
{
    size_t i;

    fprintf(out, _("Usage: virt-pciplan [-q|-d] COMMAND [OPTION...] ARGS\n"
                   "\n"
                   "Plan the PCI/PCIe topology of a libvirt QEMU domain.\n"
                   "\n"
                   "Commands:\n"));
    for (i = 0; i < G_N_ELEMENTS(ppCommands); i++)
        fprintf(out, "  %-10s %s\n", ppCommands[i].name, _(ppCommands[i].summary));
    fprintf(out, _("\n"
                   "Options:\n"
                   "  -h, --help     Show this help; 'virt-pciplan COMMAND --help' for a command\n"
                   "  -V, --version  Show the version\n"
                   "  -q, --quiet    No notes on standard error, only warnings and errors\n"
                   "  -d, --debug    Debug messages on standard error (also PP_DEBUG=1)\n"
                   "\n"
                   "Exit status: 0 success, 1 invalid input or impossible plan, 2 usage error,\n"
                   "3 libvirt error, 4 file I/O error, 5 internal error.\n"));
}

int
main(int argc, char **argv)
{
    size_t i;

    setlocale(LC_ALL, "");
    bindtextdomain(GETTEXT_PACKAGE, LOCALEDIR);
    bind_textdomain_codeset(GETTEXT_PACKAGE, "UTF-8");
    textdomain(GETTEXT_PACKAGE);

    /* Global switches before the command, as virsh takes them; passed on
     * to the libvirt helper through the environment. */
    while (argc > 1 && (g_str_equal(argv[1], "-q") || g_str_equal(argv[1], "--quiet") ||
                        g_str_equal(argv[1], "-d") || g_str_equal(argv[1], "--debug"))) {
        g_setenv(argv[1][1] == 'q' || argv[1][2] == 'q' ? "PP_QUIET" : "PP_DEBUG", "1", TRUE);
        memmove(&argv[1], &argv[2], (argc - 1) * sizeof(char *));
        argc--;
    }
    ppToolSetupLogging();
    ppToolCheckOutputAtExit();
    if (argc < 2) {
        ppToolUsage(stderr);
        return PP_EXIT_USAGE;
    }
    if (g_str_equal(argv[1], "--help") || g_str_equal(argv[1], "-h") ||
        g_str_equal(argv[1], "help")) {
        ppToolUsage(stdout);
        return ppToolFinish(PP_EXIT_OK);
    }
    if (g_str_equal(argv[1], "--version") || g_str_equal(argv[1], "-V")) {
        printf("virt-pciplan %s\n", PACKAGE_VERSION);
        return ppToolFinish(PP_EXIT_OK);
    }
    for (i = 0; i < G_N_ELEMENTS(ppCommands); i++) {
        if (!g_str_equal(argv[1], ppCommands[i].name))
            continue;
        if (!ppCommands[i].run)
            return ppToolExecLibvirtHelper(argv);
        return ppToolFinish(ppCommands[i].run(argc - 1, argv + 1));
    }
    g_printerr(_("virt-pciplan: unknown command '%1$s'; see 'virt-pciplan --help'\n"), argv[1]);
    return PP_EXIT_USAGE;
}
