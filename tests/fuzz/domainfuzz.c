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
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static gint
ppFuzzCompareKeys(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* "kind address" of every device of @def, sorted. */
static GPtrArray *
ppFuzzDeviceKeys(const PpDomainDef *def)
{
    GPtrArray *keys = g_ptr_array_new_with_free_func(g_free);
    guint i;

    for (i = 0; i < def->devices->len; i++) {
        const PpDeviceDef *dev = g_ptr_array_index(def->devices, i);
        g_autofree char *addr = dev->addr.type == PP_ADDRESS_PCI
                                    ? ppPCIAddressFormat(&dev->addr.pci)
                                    : g_strdup(ppAddressTypeToString(dev->addr.type));

        g_ptr_array_add(keys, g_strdup_printf("%s %s", ppDeviceKindToString(dev->kind), addr));
    }
    g_ptr_array_sort(keys, (GCompareFunc)ppFuzzCompareKeys);
    return keys;
}

/* The written plan reads back as the plan that was made: the same
 * devices, of the same kinds, at the same addresses (in any order: added
 * controllers are written beside their kind). A document that the byte
 * scanner and libxml2 read differently (an encoding, a comment) would
 * fail here. */
static void
ppFuzzAssertSameModel(const PpDomainDef *def, const PpDomainDef *again)
{
    g_autoptr(GPtrArray) a = ppFuzzDeviceKeys(def);
    g_autoptr(GPtrArray) b = ppFuzzDeviceKeys(again);
    guint i;

    if (a->len != b->len)
        g_error("the plan has %u devices, its written form %u", a->len, b->len);
    for (i = 0; i < a->len; i++) {
        if (!g_str_equal(g_ptr_array_index(a, i), g_ptr_array_index(b, i)))
            g_error("the plan has %s, its written form %s", (char *)g_ptr_array_index(a, i),
                    (char *)g_ptr_array_index(b, i));
    }
}

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
        ppFuzzAssertSameModel(def, again);
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
