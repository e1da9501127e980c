/*
 * testtool.c: running the built virt-pciplan the way a script does
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "testtool.h"

void
ppTestRunClear(PpTestRun *res)
{
    g_clear_pointer(&res->out, g_free);
    g_clear_pointer(&res->err, g_free);
}

GSubprocess *
ppTestSpawnTool(const char *const *args, const char *stateHome, GSubprocessFlags flags)
{
    g_autoptr(GPtrArray) argv = g_ptr_array_new();
    g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new(flags);
    g_autoptr(GError) err = NULL;
    GSubprocess *proc;

    g_ptr_array_add(argv, (gpointer)g_getenv("PP_TEST_TOOL"));
    for (; *args; args++)
        g_ptr_array_add(argv, (gpointer)*args);
    g_ptr_array_add(argv, NULL);
    if (stateHome)
        g_subprocess_launcher_setenv(launcher, "XDG_STATE_HOME", stateHome, TRUE);
    proc = g_subprocess_launcher_spawnv(launcher, (const char *const *)argv->pdata, &err);
    g_assert_no_error(err);
    return proc;
}

void
ppTestRunTool(PpTestRun *res, const char *input, const char *stateHome, const char *const *args)
{
    g_autoptr(GSubprocess) proc = ppTestSpawnTool(args, stateHome,
                                                  G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                                      G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                      G_SUBPROCESS_FLAGS_STDERR_PIPE);
    g_autoptr(GError) err = NULL;

    g_subprocess_communicate_utf8(proc, input, NULL, &res->out, &res->err, &err);
    g_assert_no_error(err);
    if (g_subprocess_get_if_exited(proc))
        res->status = g_subprocess_get_exit_status(proc);
    else
        res->status = 128 + g_subprocess_get_term_sig(proc);
}

void
ppTestRunShell(PpTestRun *res, const char *stateHome, const char *script)
{
    g_autoptr(GSubprocessLauncher) launcher =
        g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
    g_autoptr(GSubprocess) proc = NULL;
    g_autoptr(GError) err = NULL;

    g_subprocess_launcher_setenv(launcher, "T", g_getenv("PP_TEST_TOOL"), TRUE);
    if (stateHome)
        g_subprocess_launcher_setenv(launcher, "XDG_STATE_HOME", stateHome, TRUE);
    proc = g_subprocess_launcher_spawn(launcher, &err, "/bin/sh", "-c", script, NULL);
    g_assert_no_error(err);
    g_subprocess_communicate_utf8(proc, NULL, NULL, &res->out, &res->err, &err);
    g_assert_no_error(err);
    if (g_subprocess_get_if_exited(proc))
        res->status = g_subprocess_get_exit_status(proc);
    else
        res->status = 128 + g_subprocess_get_term_sig(proc);
}
