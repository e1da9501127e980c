/*
 * domainfuzz.c: hostile input through parse -> plan -> format -> parse
 *
 * The command line of every plan that parses again is built too.
 *
 * Built two ways: with -Dfuzzing=true and clang, a libFuzzer target
 * (tests/fuzz/fuzz.sh runs it, docs/testing.md); always, a regression
 * test that replays tests/fuzz/regressions/, the planner's own test
 * inputs and the bad-input corpus through the same function. Whatever the input, nothing
 * may crash, and a written plan must parse again.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "internal.h"
#include "domain_conf.h"
#include "domain_format.h"
#include "qemu_domain_address.h"
#include "qemu_command.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(PpDomainDef) def = ppDomainDefParseString((const char *)data, size, &err);
    PpPlanOptions opts = PP_PLAN_OPTIONS_INIT;
    g_autofree char *out = NULL;
    gsize len = 0;

    if (!def || !ppQemuDomainPlan(def, &opts, NULL, &err))
        return 0;
    if ((out = ppDomainDefFormat(def, &len, &err))) {
        g_autoptr(PpDomainDef) again = ppDomainDefParseString(out, len, &err);

        g_auto(GStrv) argv = NULL;

        if (!again)
            g_error("a written plan does not parse: %s", err->message);
        argv = ppQemuBuildCommandLine(again, NULL, NULL);
    }
    return 0;
}

#ifndef PP_FUZZING
# include "testutils.h"

static void
testReplay(gconstpointer data)
{
    g_autofree char *text = NULL;
    gsize len = 0;

    text = ppTestLoadFile(data, &len);
    LLVMFuzzerTestOneInput((const uint8_t *)text, len);
}

int
main(int argc, char **argv)
{
    const char *dirs[] = { "fuzz/regressions", "qemuxml2argvdata", "badinput" };
    size_t i;
    guint j;

    ppTestInit(&argc, &argv);
    for (i = 0; i < G_N_ELEMENTS(dirs); i++) {
        g_autofree char *dir = ppTestSrcPath(dirs[i]);
        GPtrArray *files = ppTestListDir(dir, ".xml");

        for (j = 0; j < files->len; j++) {
            g_autofree char *base = g_path_get_basename(g_ptr_array_index(files, j));
            g_autofree char *name = g_strdup_printf("/fuzz/replay/%s/%s", dirs[i], base);

            /* The file list lives as long as the process. */
            g_test_add_data_func(name, g_ptr_array_index(files, j), testReplay);
        }
    }
    return g_test_run();
}
#endif
