/*
 * propertytest.c: the guest-ABI promises, over seeded random domains
 *
 * For each seed a random domain (q35, pc or aarch64 virt, a random mix
 * of devices, some with hints, some with addresses of their own) is
 * planned, and then:
 *   - re-planning the plan changes no byte;
 *   - adding a device to the plan moves no device the guest sees;
 *   - removing a device from the plan moves no other device (or, for
 *     the function-0 device of a multifunction slot, is refused);
 *   - (every PP_PROPERTY_LIBVIRT_EVERY-th seed) libvirt's define of the
 *     plan adds and moves nothing (ppDomainXMLCompare()), and planning
 *     libvirt's dumpxml of it changes no byte of that dumpxml.
 * A seed whose domain the planner refuses counts as refused; more than a
 * tenth refused means the generator no longer makes valid domains.
 *
 * Environment: PP_PROPERTY_SEEDS (default 300; 100 under ASan),
 * PP_PROPERTY_FIRST_SEED (default 1), PP_PROPERTY_LIBVIRT_EVERY (default
 * 5; 0: no libvirt).
 * A failure names its seed; PP_PROPERTY_FIRST_SEED=N PP_PROPERTY_SEEDS=1
 * replays it, and PP_TEST_DEBUG=1 prints the domain.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "testutils.h"
#include "testgrowth.h"
#include "domain_compare.h"
#include "domain_conf.h"
#include "domain_format.h"
#include "pp_libvirt.h"
#include "pperror.h"
#include "qemu_command.h"
#include "qemu_domain_address.h"

#include <string.h>

/* Under AddressSanitizer (CI's sanitizer builds) a seed costs several
 * times as much: a third of the seeds there, all of them elsewhere. */
#if defined(__SANITIZE_ADDRESS__)
# define PROP_DEFAULT_SEEDS 100
#elif defined(__has_feature)
# if __has_feature(address_sanitizer)
#  define PROP_DEFAULT_SEEDS 100
# endif
#endif
#ifndef PROP_DEFAULT_SEEDS
# define PROP_DEFAULT_SEEDS 300
#endif

typedef enum {
    PROP_Q35,
    PROP_PC,
    PROP_VIRT,

    PROP_LAST
} PropMachine;

static struct {
    PpLibvirtConn *conn;
    char *root;
    guint refused;
    guint planned;
    guint defined;
    guint function0; /* removals refused: a slot left without function 0 */
} prop;

/* One random device element with user alias ua-dN. */
static char *
propDevice(GRand *rng, PropMachine machine, guint n, gboolean pciDomain)
{
    static const char *const nics[PROP_LAST][3] = {
        [PROP_Q35] = { "virtio", "e1000e", "virtio" },
        [PROP_PC] = { "virtio", "e1000", "rtl8139" },
        [PROP_VIRT] = { "virtio", "virtio", "virtio" },
    };
    g_autofree char *target = NULL;
    guint hint = g_rand_int_range(rng, 0, 6);

    /* Hints the machine can meet: a hot-pluggable or a cold place. */
    if (hint == 0)
        target = g_strdup(" hotpluggable='no'");
    else if (hint == 1 && machine != PROP_VIRT)
        target = g_strdup(" hotpluggable='yes'");
    else if (hint == 2 && machine == PROP_Q35)
        target = g_strdup(" preferredConnection='pcie'");
    else if (hint == 3 && machine != PROP_VIRT)
        target = g_strdup(" preferredConnection='pci'");
    else if (hint == 4 && machine == PROP_VIRT && pciDomain)
        target = g_strdup(" preferredConnection='pcie'");
    else
        target = g_strdup("");

    switch (g_rand_int_range(rng, 0, 5)) {
    case 0:
        return g_strdup_printf("    <disk type='file' device='disk'><source file='/var/lib/d%u.img'/>"
                               "<target dev='vd%c%c' bus='virtio'%s/><alias name='ua-d%u'/></disk>\n",
                               n, 'a' + n / 26 % 26, 'a' + n % 26, target, n);
    case 1:
        return g_strdup_printf("    <rng model='virtio'><backend model='random'>/dev/urandom</backend>"
                               "<target%s/><alias name='ua-d%u'/></rng>\n", target, n);
    case 2:
        return g_strdup_printf("    <controller type='scsi' model='virtio-scsi'><target%s/>"
                               "<alias name='ua-d%u'/></controller>\n", target, n);
    default:
        return g_strdup_printf("    <interface type='user'><mac address='52:54:00:00:%02x:%02x'/>"
                               "<model type='%s'/><target dev='t%u'%s/><alias name='ua-d%u'/></interface>\n",
                               n / 256, n % 256,
                               nics[machine][g_rand_int_range(rng, 0, 3)], n, target, n);
    }
}

/* A random domain of @seed; @ret_next: the next free device number. */
static char *
propDomain(guint32 seed, guint *ret_next)
{
    g_autoptr(GRand) rng = g_rand_new_with_seed(seed);
    PropMachine machine = g_rand_int_range(rng, 0, PROP_LAST);
    g_autoptr(GString) xml = g_string_new(NULL);
    guint ndev = g_rand_int_range(rng, 1, 24);
    /* On virt, a PCI device turns the whole domain to PCI. */
    gboolean pciDomain = machine == PROP_VIRT && g_rand_boolean(rng);
    guint i;

    g_string_append_printf(xml, "<domain type='qemu'>\n  <name>prop%u</name>\n"
                                "  <memory unit='MiB'>256</memory>\n  <os>\n",
                           seed);
    switch (machine) {
    case PROP_Q35:
        g_string_append(xml, "    <type arch='x86_64' machine='q35'>hvm</type>\n  </os>\n"
                             "  <features><acpi/></features>\n  <devices>\n");
        break;
    case PROP_PC:
        g_string_append(xml, "    <type arch='x86_64' machine='pc'>hvm</type>\n  </os>\n"
                             "  <features><acpi/></features>\n  <devices>\n");
        break;
    case PROP_VIRT:
    case PROP_LAST:
        g_string_append(xml, "    <type arch='aarch64' machine='virt'>hvm</type>\n  </os>\n"
                             "  <devices>\n");
        if (pciDomain)
            g_string_append(xml, "    <controller type='pci' index='0' model='pcie-root'/>\n"
                                 "    <controller type='pci' index='1' model='pcie-root-port'/>\n");
        break;
    }
    for (i = 0; i < ndev; i++) {
        g_autofree char *dev = propDevice(rng, machine, i, pciDomain);

        g_string_append(xml, dev);
    }
    g_string_append(xml, "  </devices>\n</domain>\n");
    *ret_next = ndev;
    return g_string_free(g_steal_pointer(&xml), FALSE);
}

static char *
propPlan(const char *xml, PpDomainDef **ret_def, GError **error)
{
    g_autoptr(PpDomainDef) def = NULL;
    PpPlanOptions opts = PP_PLAN_OPTIONS_INIT;
    char *out;
    gsize len = 0;

    if (!(def = ppDomainDefParseString(xml, strlen(xml), error)) ||
        !ppQemuDomainPlan(def, &opts, NULL, error) || !ppQemuValidatePlanned(def, error) ||
        !(out = ppDomainDefFormat(def, &len, error)))
        return NULL;
    if (ret_def) {
        g_autoptr(GError) err = NULL;

        /* The plan as the next run reads it, addresses in place. */
        *ret_def = ppDomainDefParseString(out, len, &err);
        g_assert_no_error(err);
    }
    return out;
}

/* @xml with the element of @dev (and the spaces before it) cut out. */
static char *
propRemove(const PpDomainDef *def, const PpDeviceDef *dev)
{
    const PpXmlSpan *span = ppDomainDefNodeSpan(def, dev->node);
    gsize start = span->start;

    while (start > 0 && (def->text[start - 1] == ' ' || def->text[start - 1] == '\n'))
        start--;
    return g_strdup_printf("%.*s%s", (int)start, def->text, def->text + span->end);
}

/* @xml with @dev inserted as the last child of <devices>. */
static char *
propInsert(const char *xml, const char *dev)
{
    const char *at = strstr(xml, "  </devices>");

    g_assert_nonnull(at);
    return g_strdup_printf("%.*s%s%s", (int)(at - xml), xml, dev, at);
}

/* Fails the test, naming the seed. */
#define PROP_FAIL(seed, ...) \
    do { \
        g_autofree char *_msg = g_strdup_printf(__VA_ARGS__); \
        g_test_message("seed %u: %s", (seed), _msg); \
        g_test_fail(); \
    } while (0)

static void
propLibvirt(guint32 seed, const char *planned)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *dumped = NULL;
    g_autofree char *again = NULL;
    g_autofree char *name = g_strdup_printf("prop%u", seed);

    if (!ppLibvirtDefine(prop.conn, planned, &dumped, &err)) {
        PROP_FAIL(seed, "libvirt refuses the plan: %s", err->message);
        return;
    }
    prop.defined++;
    if (!ppLibvirtUndefine(prop.conn, name, &err))
        PROP_FAIL(seed, "undefine: %s", err->message);
    g_clear_error(&err);
    if (!ppDomainXMLCompare(planned, dumped, &err)) {
        PROP_FAIL(seed, "libvirt changed the plan: %s", err->message);
        return;
    }
    if (!(again = propPlan(dumped, NULL, &err))) {
        PROP_FAIL(seed, "planning libvirt's dumpxml of the plan fails: %s", err->message);
        return;
    }
    if (!g_str_equal(again, dumped))
        PROP_FAIL(seed, "planning libvirt's dumpxml of the plan changes it");
}

static void
propSeed(guint32 seed, gboolean withLibvirt)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(PpDomainDef) def = NULL;
    g_autoptr(PpDomainDef) grown = NULL;
    g_autoptr(PpDomainDef) shrunk = NULL;
    g_autofree char *xml = NULL;
    g_autofree char *planned = NULL;
    g_autofree char *again = NULL;
    g_autofree char *plusXml = NULL;
    g_autofree char *plus = NULL;
    g_autofree char *minusXml = NULL;
    g_autofree char *minus = NULL;
    g_autofree char *dev = NULL;
    g_autofree char *why = NULL;
    g_autoptr(GRand) rng = g_rand_new_with_seed(seed ^ 0x5eed);
    const PpDeviceDef *victim = NULL;
    guint next = 0;
    guint i;

    xml = propDomain(seed, &next);
    if (g_getenv("PP_TEST_DEBUG"))
        g_test_message("seed %u:\n%s", seed, xml);
    if (!(planned = propPlan(xml, &def, &err))) {
        if (g_error_matches(err, PP_ERROR, PP_ERROR_INTERNAL))
            PROP_FAIL(seed, "internal error: %s", err->message);
        prop.refused++;
        return;
    }
    prop.planned++;

    /* Re-planning the plan changes no byte. */
    if (!(again = propPlan(planned, NULL, &err)) || !g_str_equal(again, planned)) {
        PROP_FAIL(seed, "re-planning the plan %s", err ? err->message : "changes it");
        return;
    }

    /* Adding a device moves nothing the guest sees. */
    dev = propDevice(rng, strstr(xml, "aarch64") ? PROP_VIRT : strstr(xml, "'pc'") ? PROP_PC : PROP_Q35,
                     next, strstr(xml, "pcie-root") != NULL);
    plusXml = propInsert(planned, dev);
    if (!(plus = propPlan(plusXml, &grown, &err))) {
        /* Out of room is an answer; anything else is not. */
        if (!g_error_matches(err, PP_ERROR, PP_ERROR_EXHAUSTED))
            PROP_FAIL(seed, "adding a device: %s", err->message);
        g_clear_error(&err);
    } else if (!ppTestGuestViewKept(def, grown, NULL, &why)) {
        PROP_FAIL(seed, "adding a device: %s", why);
        g_clear_pointer(&why, g_free);
    }

    /* Removing a device changes nothing else the guest sees. */
    for (i = 0; i < def->devices->len && !victim; i++) {
        const PpDeviceDef *d = g_ptr_array_index(def->devices, (i + seed) % def->devices->len);

        if (d->node && d->kind != PP_DEVICE_CONTROLLER && d->alias &&
            g_str_has_prefix(d->alias, "ua-d"))
            victim = d;
    }
    if (victim) {
        minusXml = propRemove(def, victim);
        if (!(minus = propPlan(minusXml, &shrunk, &err))) {
            /* The function-0 device of a multifunction slot: without it
             * the guest loses the slot's other functions, so the plan is
             * refused with that fix, and nothing moves. */
            if (g_error_matches(err, PP_ERROR, PP_ERROR_CONFIG) &&
                strstr(err->message, "nothing at function 0"))
                prop.function0++;
            else
                PROP_FAIL(seed, "removing %s: %s", victim->alias, err->message);
        }
        else if (!ppTestGuestViewKept(def, shrunk, victim, &why))
            PROP_FAIL(seed, "removing %s: %s", victim->alias, why);
    }

    if (withLibvirt)
        propLibvirt(seed, planned);
}

static void
testProperties(void)
{
    const char *seeds = g_getenv("PP_PROPERTY_SEEDS");
    const char *first = g_getenv("PP_PROPERTY_FIRST_SEED");
    const char *every = g_getenv("PP_PROPERTY_LIBVIRT_EVERY");
    guint n = seeds ? (guint)g_ascii_strtoull(seeds, NULL, 10) : PROP_DEFAULT_SEEDS;
    guint32 start = first ? (guint32)g_ascii_strtoull(first, NULL, 10) : 1;
    guint libvirtEvery = every ? (guint)g_ascii_strtoull(every, NULL, 10) : 5;
    guint i;

    for (i = 0; i < n; i++)
        propSeed(start + i, prop.conn && libvirtEvery && i % libvirtEvery == 0);
    g_test_message("%u seeds: %u planned, %u refused, %u defined through libvirt, %u removals refused for leaving a slot without function 0",
                   n, prop.planned, prop.refused, prop.defined, prop.function0);
    if (prop.refused * 10 > n) {
        g_test_message("more than a tenth of the random domains are refused: the generator makes invalid ones");
        g_test_fail();
    }
}

/* A fresh embed root, as libvirtagreetest.c makes one. */
static void
testOpen(void)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *uri = NULL;
    g_autofree char *escaped = NULL;

    prop.root = g_dir_make_tmp("ppprop-XXXXXX", &err);
    g_assert_no_error(err);
    escaped = g_uri_escape_string(prop.root, "/", FALSE);
    uri = g_strdup_printf("qemu:///embed?root=%s", escaped);
    if (!(prop.conn = ppLibvirtOpen(uri, &err))) {
        if (g_getenv("CI")) {
            g_test_fail_printf("no libvirt embedded driver: %s", err->message);
            return;
        }
        g_test_skip(err->message);
    }
}

int
main(int argc, char **argv)
{
    int ret;

    ppTestInit(&argc, &argv);
    g_test_add_func("/property/open", testOpen);
    g_test_add_func("/property/seeds", testProperties);
    ret = g_test_run();
    g_clear_pointer(&prop.conn, ppLibvirtClose);
    if (prop.root) {
        ppTestRemoveTree(prop.root);
        g_free(prop.root);
    }
    return ret;
}
