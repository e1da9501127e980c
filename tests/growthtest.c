/*
 * growthtest.c: a domain that grows or shrinks by one device changes
 * nothing the guest sees of its other devices
 *
 * A property test over seeded random domains (q35, pc, aarch64 virt) of
 * NICs, disks and RNGs with random hints: each is planned, then one
 * device is added (planned as `virt-pciplan attach --config` plans it:
 * no spare port, growth allowed) or one NIC is removed, and the domain is
 * planned again. Every device that stays must keep its PCI address and
 * every PCI controller its model, target and io-reserve
 * (ppTestGuestViewKept). The seed of a failing domain is in the message;
 * PP_TEST_GROWTH_SEEDS changes how many domains are tried.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "testgrowth.h"
#include "testutils.h"
#include "domain_format.h"
#include "pperror.h"
#include "qemu_domain_address.h"

#include <string.h>

static const char *const machines[][3] = {
    { "x86_64", "pc-q35-7.2", "/usr/bin/qemu-system-x86_64" },
    { "x86_64", "pc-i440fx-7.2", "/usr/bin/qemu-system-x86_64" },
    { "aarch64", "virt-7.2", "/usr/bin/qemu-system-aarch64" },
};

/* One device, as a user writes it: a model and maybe hints. */
static char *
randomDevice(GRand *rand, guint n, gboolean pcie)
{
    static const char *const nicModels[] = { "virtio", "virtio", "e1000e", "e1000", "rtl8139" };
    const char *hotplug = "";
    const char *model;

    switch (g_rand_int_range(rand, 0, 6)) {
    case 0:
        hotplug = " hotpluggable='no'";
        break;
    case 1:
        hotplug = " hotpluggable='yes'";
        break;
    default:
        break;
    }
    switch (g_rand_int_range(rand, 0, 4)) {
    case 0:
        return g_strdup_printf("    <disk type='file' device='disk'>\n"
                               "      <source file='/var/lib/libvirt/images/d%u.img'/>\n"
                               "      <target dev='vd%c%c' bus='virtio'%s/>\n"
                               "    </disk>\n",
                               n, 'a' + n / 26 % 26, 'a' + n % 26, hotplug);
    case 1:
        return g_strdup_printf("    <rng model='virtio'>\n"
                               "      <backend model='random'>/dev/urandom</backend>\n"
                               "      <target%s/>\n"
                               "    </rng>\n", hotplug);
    default:
        model = nicModels[g_rand_int_range(rand, 0, G_N_ELEMENTS(nicModels))];
        /* e1000e is PCIe; conventional NICs on q35 stay hot-pluggable
         * (hotpluggable='yes' would be fine too, 'no' puts them on the root bus). */
        if (!pcie && g_str_equal(model, "e1000e"))
            model = "e1000";
        return g_strdup_printf("    <interface type='user'>\n"
                               "      <mac address='52:54:00:%02x:%02x:%02x'/>\n"
                               "      <model type='%s'/>\n"
                               "      <target%s/>\n"
                               "    </interface>\n",
                               (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff, model, hotplug);
    }
}

static char *
randomDomain(GRand *rand, guint machine, guint ndevs)
{
    g_autoptr(GString) xml = g_string_new(NULL);
    guint i;

    g_string_append_printf(xml,
                           "<domain type='qemu'>\n  <name>growth</name>\n"
                           "  <memory unit='KiB'>262144</memory>\n"
                           "  <os>\n    <type arch='%s' machine='%s'>hvm</type>\n%s  </os>\n"
                           "  <features>\n    <acpi/>\n  </features>\n"
                           "  <devices>\n    <emulator>%s</emulator>\n",
                           machines[machine][0], machines[machine][1],
                           machine == 2 ? "    <loader readonly='yes' type='pflash'>/usr/share/AAVMF/AAVMF_CODE.fd</loader>\n" : "",
                           machines[machine][2]);
    for (i = 0; i < ndevs; i++) {
        g_autofree char *dev = randomDevice(rand, i, machine != 1);

        g_string_append(xml, dev);
    }
    g_string_append(xml, "  </devices>\n</domain>\n");
    return g_string_free(g_steal_pointer(&xml), FALSE);
}

static PpDomainDef *
planText(const char *text, int spares, char **ret_out, GError **error)
{
    g_autoptr(PpDomainDef) def = ppDomainDefParseString(text, strlen(text), error);
    PpPlanOptions opts = PP_PLAN_OPTIONS_INIT;
    gsize len;

    opts.sparePorts = spares;
    if (!def || !ppQemuDomainPlan(def, &opts, NULL, error) ||
        !(*ret_out = ppDomainDefFormat(def, &len, error)))
        return NULL;
    return ppDomainDefParseString(*ret_out, len, error);
}

/* @planned without its @nth <interface> element, or NULL if it has fewer. */
static char *
withoutInterface(const char *planned, guint nth)
{
    const char *p = planned;
    const char *start = NULL;
    const char *end;
    guint i;

    for (i = 0; i <= nth; i++) {
        if (!(start = strstr(p, "    <interface ")))
            return NULL;
        p = start + 1;
    }
    if (!(end = strstr(start, "</interface>\n")))
        return NULL;
    end += strlen("</interface>\n");
    return g_strdup_printf("%.*s%s", (int)(start - planned), planned, end);
}

/* @xml without the lines of the hints mirror under <metadata> (a
 * removed device's entry goes with it); transfer full, kept in a pool
 * freed at exit. */
static char *
withoutHintsOf(const char *xml)
{
    static GPtrArray *pool;
    g_auto(GStrv) lines = g_strsplit(xml, "\n", -1);
    g_autoptr(GString) out = g_string_new(NULL);
    guint i;

    if (!pool)
        pool = g_ptr_array_new_with_free_func(g_free);
    for (i = 0; lines[i]; i++) {
        if (!strstr(lines[i], "<pciplan:device ") && !strstr(lines[i], "pciplan:hints"))
            g_string_append_printf(out, "%s\n", lines[i]);
    }
    g_ptr_array_add(pool, g_string_free(g_steal_pointer(&out), FALSE));
    return g_ptr_array_index(pool, pool->len - 1);
}

typedef struct {
    guint planned;
    guint grown;
    guint shrunk;
    guint refused;
    guint function0;
} GrowthStats;

static void
testOneDomain(guint seed, GrowthStats *stats)
{
    g_autoptr(GRand) rand = g_rand_new_with_seed(seed);
    guint machine = g_rand_int_range(rand, 0, G_N_ELEMENTS(machines));
    g_autofree char *xml = randomDomain(rand, machine, g_rand_int_range(rand, 1, 40));
    g_autofree char *planned = NULL;
    g_autofree char *dev = randomDevice(rand, 1000 + seed % 1000, machine != 1);
    g_autofree char *grown = NULL;
    g_autofree char *grownOut = NULL;
    g_autofree char *shrunk = NULL;
    g_autofree char *shrunkOut = NULL;
    g_autofree char *why = NULL;
    g_autoptr(PpDomainDef) before = NULL;
    g_autoptr(PpDomainDef) after = NULL;
    g_autoptr(GError) err = NULL;
    const char *end;
    const char *p;
    guint nics;

    if (!(before = planText(xml, -1, &planned, &err))) {
        /* Random hints may ask for the impossible; that is refused, and
         * refusals are the goldens' business. Exit 5 never. */
        g_assert_false(g_error_matches(err, PP_ERROR, PP_ERROR_INTERNAL));
        stats->refused++;
        return;
    }
    stats->planned++;

    end = strstr(planned, "  </devices>");
    g_assert_nonnull(end);
    grown = g_strdup_printf("%.*s%s%s", (int)(end - planned), planned, dev, end);
    if ((after = planText(grown, 0, &grownOut, &err))) {
        if (!ppTestGuestViewKept(before, after, NULL, &why))
            g_error("seed %u, %s plus one device: %s", seed, machines[machine][1], why);
        stats->grown++;
    } else {
        g_assert_false(g_error_matches(err, PP_ERROR, PP_ERROR_INTERNAL));
        g_clear_error(&err);
    }
    g_clear_pointer(&after, ppDomainDefFree);

    for (nics = 0, p = planned; (p = strstr(p, "    <interface ")); p++)
        nics++;
    if (nics > 0 && (shrunk = withoutInterface(planned, g_rand_int_range(rand, 0, nics)))) {
        after = planText(shrunk, 0, &shrunkOut, &err);
        /* The NIC was function 0 of a slot it shared with devices that
         * need no hot-plug: the guest would lose them all, and the plan
         * says so (a known limit, docs/placement.md). */
        if (!after && g_error_matches(err, PP_ERROR, PP_ERROR_CONFIG) &&
            strstr(err->message, "which has nothing at function 0")) {
            stats->function0++;
            return;
        }
        if (!after)
            g_error("seed %u, %s minus one NIC: %s", seed, machines[machine][1], err->message);
        /* The NIC is gone, so devices of its kind after it shift by one:
         * compare what has an address against the shrunk input instead. */
        {
            g_autoptr(PpDomainDef) input = ppDomainDefParseString(shrunk, strlen(shrunk), &err);

            g_assert_no_error(err);
            if (!ppTestGuestViewKept(input, after, NULL, &why))
                g_error("seed %u, %s minus one NIC: %s", seed, machines[machine][1], why);
            /* Nothing else the guest sees: the re-plan writes what it
             * read, but for the removed device's hints under <metadata>. */
            if (strcmp(withoutHintsOf(shrunk), withoutHintsOf(shrunkOut)) != 0 &&
                g_getenv("PP_TEST_GROWTH_DUMP")) {
                g_file_set_contents("growth-in.xml", shrunk, -1, NULL);
                g_file_set_contents("growth-out.xml", shrunkOut, -1, NULL);
            }
            if (strcmp(withoutHintsOf(shrunk), withoutHintsOf(shrunkOut)) != 0)
                g_error("seed %u, %s minus one NIC: the re-plan changed the document", seed,
                        machines[machine][1]);
        }
        stats->shrunk++;
    }
}

static void
testGrowth(void)
{
    const char *env = g_getenv("PP_TEST_GROWTH_SEEDS");
    guint seeds = env ? (guint)g_ascii_strtoull(env, NULL, 10) : 300;
    GrowthStats stats = { 0 };
    guint seed;

    for (seed = 1; seed <= seeds; seed++)
        testOneDomain(seed, &stats);
    g_test_message("%u domains: %u planned (%u refused), %u grown, %u shrunk, %u shrunk by a function 0",
                   seeds, stats.planned, stats.refused, stats.grown, stats.shrunk, stats.function0);
    /* The property must have been exercised, not skipped. */
    g_assert_cmpuint(stats.grown, >=, seeds / 2);
    g_assert_cmpuint(stats.shrunk + stats.function0, >=, seeds / 2);
}

int
main(int argc, char **argv)
{
    ppTestInit(&argc, &argv);
    g_test_add_func("/growth/add-or-remove-one-device", testGrowth);
    return g_test_run();
}
