/*
 * testutils.c: what every virt-pciplan test shares
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "testutils.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

void
ppTestInit(int *argc, char ***argv)
{
    g_autofree char *scratch = NULL;
    g_autoptr(GError) err = NULL;
    const char *dirs[] = { "HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME",
                           "XDG_DATA_HOME", "XDG_RUNTIME_DIR" };
    size_t i;
    /* The one static of the tests: the new argv lives as long as the
     * process (GTest keeps pointers into it), and LSan sees it as such. */
    static char **args;

    /* GTest stops at the first failing case unless told --keep-going;
     * every case should run and report. */
    args = g_new0(char *, *argc + 2);
    args[0] = (*argv)[0];
    args[1] = (char *)"--keep-going";
    memcpy(args + 2, *argv + 1, sizeof(char *) * (*argc - 1));
    *argc += 1;
    *argv = args;
    g_test_init(argc, argv, NULL);
    scratch = g_dir_make_tmp("pptest-home-XXXXXX", &err);
    g_assert_no_error(err);
    for (i = 0; i < G_N_ELEMENTS(dirs); i++) {
        g_autofree char *path = g_build_filename(scratch, dirs[i], NULL);

        g_mkdir_with_parents(path, 0700);
        g_setenv(dirs[i], path, TRUE);
    }
    g_setenv("LC_ALL", "C", TRUE);
}

static void
ppTestCorpusMissing(gconstpointer data)
{
    const char *dir = data;

    if (g_getenv("CI"))
        g_test_fail_printf("the libvirt corpus is missing (%s): CI must test it", dir);
    else
        g_test_skip_printf("the libvirt corpus is missing (%s): corpus cases not run", dir);
}

const char *
ppTestCorpusDir(const char *testpath)
{
    const char *dir = g_getenv("PP_TEST_CORPUSDIR");

    if (dir && g_file_test(dir, G_FILE_TEST_IS_DIR))
        return dir;
    /* The test table lives as long as the process. */
    g_test_add_data_func(testpath, g_strdup(dir ? dir : "PP_TEST_CORPUSDIR unset"),
                         ppTestCorpusMissing);
    return NULL;
}

char *
ppTestSrcPath(const char *rel)
{
    const char *srcdir = g_getenv("PP_TEST_SRCDIR");

    g_assert_nonnull(srcdir);
    return g_build_filename(srcdir, rel, NULL);
}

char *
ppTestDataPath(const char *dir, const char *name, const char *suffix)
{
    g_autofree char *file = g_strconcat(name, suffix, NULL);
    const char *srcdir = g_getenv("PP_TEST_SRCDIR");

    g_assert_nonnull(srcdir);
    return g_build_filename(srcdir, dir, file, NULL);
}

char *
ppTestBuildPath(const char *rel)
{
    const char *builddir = g_getenv("PP_TEST_BUILDDIR");

    g_assert_nonnull(builddir);
    return g_build_filename(builddir, rel, NULL);
}

char *
ppTestLoadFile(const char *path, gsize *ret_len)
{
    g_autoptr(GError) err = NULL;
    char *data = NULL;
    gsize len = 0;

    g_file_get_contents(path, &data, &len, &err);
    g_assert_no_error(err);
    if (ret_len)
        *ret_len = len;
    return data;
}

/*
 * The difference of @expected (the golden file @path) and @actual as a
 * unified diff, as libvirt's virTestCompareToFileFull shows it: diff(1)
 * (diffutils, in every Debian) on @actual written to a scratch file.
 */
static void
ppTestPrintDiff(const char *path, const char *actual)
{
    g_autofree char *tmp = NULL;
    g_autofree char *out = NULL;
    g_autoptr(GError) err = NULL;
    int fd = g_file_open_tmp("pptest-actual-XXXXXX", &tmp, &err);
    const char *argv[] = { "diff", "-u", "--label", path, "--label", "actual output", path,
                           NULL, NULL };

    if (fd < 0 || !g_file_set_contents(tmp, actual, -1, &err)) {
        g_printerr("# cannot show the difference: %s\n", err ? err->message : "");
        if (fd >= 0)
            close(fd);
        return;
    }
    close(fd);
    argv[7] = tmp;
    if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, NULL,
                      NULL, &err))
        g_printerr("# cannot run diff: %s\n", err->message);
    else
        g_printerr("%s", out);
    g_unlink(tmp);
}

gboolean
ppTestCompareToFile(const char *actual, const char *path)
{
    g_autofree char *expected = NULL;
    const char *regen = g_getenv("PP_TEST_REGENERATE_OUTPUT");

    if (regen && g_str_equal(regen, "1")) {
        g_autoptr(GError) err = NULL;

        if (!g_file_get_contents(path, &expected, NULL, NULL) ||
            !g_str_equal(expected, actual)) {
            g_file_set_contents(path, actual, -1, &err);
            g_assert_no_error(err);
            g_printerr("regenerated %s\n", path);
        }
        return TRUE;
    }
    if (!g_file_get_contents(path, &expected, NULL, NULL)) {
        g_test_fail_printf("golden file %s is missing; run with PP_TEST_REGENERATE_OUTPUT=1 and review it",
                           path);
        return FALSE;
    }
    if (g_str_equal(expected, actual))
        return TRUE;
    ppTestPrintDiff(path, actual);
    g_test_fail_printf("output differs from %s (PP_TEST_REGENERATE_OUTPUT=1 rewrites it)", path);
    return FALSE;
}

static gint
ppTestCompareStrings(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

GPtrArray *
ppTestListDir(const char *dir, const char *suffix)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(GDir) d = g_dir_open(dir, 0, &err);
    GPtrArray *ret = g_ptr_array_new_with_free_func(g_free);
    const char *name;

    g_assert_no_error(err);
    while ((name = g_dir_read_name(d))) {
        if (g_str_has_suffix(name, suffix))
            g_ptr_array_add(ret, g_build_filename(dir, name, NULL));
    }
    g_ptr_array_sort(ret, ppTestCompareStrings);
    return ret;
}

void
ppTestRemoveTree(const char *path)
{
    g_autoptr(GDir) dir = NULL;
    const char *name;

    if (!g_file_test(path, G_FILE_TEST_IS_SYMLINK) && (dir = g_dir_open(path, 0, NULL))) {
        while ((name = g_dir_read_name(dir))) {
            g_autofree char *child = g_build_filename(path, name, NULL);

            ppTestRemoveTree(child);
        }
    }
    if (g_remove(path) < 0)
        g_printerr("# cannot remove '%s': %s\n", path, g_strerror(errno));
}
