/*
 * domain_compare.c: did libvirt keep the planned PCI topology? Two documents compared, no libvirt needed
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "domain_compare.h"
#include "domain_conf.h"
#include "pperror.h"

/* ------------------------------------------------------------------ */
/* Comparing the planned XML with what libvirt made of it              */

static gboolean
ppCompareIsPCIController(const PpDeviceDef *dev)
{
    return dev->kind == PP_DEVICE_CONTROLLER && g_strcmp0(dev->type, "pci") == 0;
}

/* libvirt, like QEMU, reads an all-zero PCI address as "any slot". */
static gboolean
ppCompareHasPCIAddress(const PpDeviceDef *dev)
{
    return dev->addr.type == PP_ADDRESS_PCI && !ppPCIAddressIsEmpty(&dev->addr.pci);
}

/* Returns: (transfer full) "DDDD:BB:SS.F", with multifunction='on' when
 * set (libvirt writes 'off' only if told, and it means the default). */
static char *
ppCompareAddressFormat(const PpDeviceDef *dev)
{
    g_autofree char *addr = ppPCIAddressFormat(&dev->addr.pci);

    if (dev->addr.pci.multifunction == PP_TRISTATE_YES)
        return g_strdup_printf("%s multifunction='on'", addr);
    return g_steal_pointer(&addr);
}

/*
 * What a device is, for matching across the two documents: its element,
 * and for controllers their type (a USB controller is not a SCSI one).
 * Returns: (transfer full)
 */
static char *
ppCompareDeviceKey(const PpDeviceDef *dev)
{
    g_autofree char *addr = ppCompareAddressFormat(dev);

    if (dev->kind == PP_DEVICE_CONTROLLER)
        return g_strdup_printf("controller type='%s' %s", dev->type ? dev->type : "", addr);
    return g_strdup_printf("%s %s", (const char *)dev->node->name, addr);
}

/*
 * A device of libvirt's document, named without ppDeviceDefDescribe()'s
 * position, which counts devices in a document the reader never sees.
 * Returns: (transfer full)
 */
static char *
ppCompareDescribeDefined(const PpDeviceDef *dev)
{
    const char *name = (const char *)dev->node->name;

    if (dev->alias || dev->kind == PP_DEVICE_CONTROLLER ||
        (dev->kind == PP_DEVICE_DISK && dev->dev))
        return ppDeviceDefDescribe(dev);
    if (dev->model)
        return g_strdup_printf("%s (%s)", name, dev->model);
    return g_strdup(name);
}

/* Index -> PCI controller, for the PCI controllers of @def that have one. */
static GHashTable *
ppComparePCIControllersByIndex(const PpDomainDef *def)
{
    GHashTable *byIndex = g_hash_table_new(g_direct_hash, g_direct_equal);
    guint i;

    for (i = 0; i < def->devices->len; i++) {
        PpDeviceDef *dev = g_ptr_array_index(def->devices, i);

        if (ppCompareIsPCIController(dev) && dev->ctrl.index >= 0)
            g_hash_table_insert(byIndex, GINT_TO_POINTER(dev->ctrl.index), dev);
    }
    return byIndex;
}

static void
ppComparePCIAddress(const PpDeviceDef *planned, const PpDeviceDef *defined,
                           GPtrArray *diffs)
{
    g_autofree char *what = ppDeviceDefDescribe(planned);
    g_autofree char *from = ppCompareAddressFormat(planned);
    g_autofree char *to = ppCompareAddressFormat(defined);
    gboolean hadAddr = ppCompareHasPCIAddress(planned);
    gboolean hasAddr = ppCompareHasPCIAddress(defined);

    if (!hadAddr && hasAddr)
        g_ptr_array_add(diffs, g_strdup_printf(_("libvirt gave %1$s the address %2$s"), what, to));
    else if (hadAddr && !hasAddr)
        g_ptr_array_add(diffs, g_strdup_printf(_("libvirt dropped the address %2$s of %1$s"),
                                               what, from));
    else if (hadAddr && !g_str_equal(from, to))
        g_ptr_array_add(diffs, g_strdup_printf(_("libvirt moved %1$s from %2$s to %3$s"), what,
                                               from, to));
}

/*
 * PCI controllers are matched by index: the index is the number of the
 * bus the controller provides, which every device address below it names.
 */
static void
ppComparePCIControllers(const PpDomainDef *planned, const PpDomainDef *defined,
                               GPtrArray *diffs)
{
    g_autoptr(GHashTable) byIndex = ppComparePCIControllersByIndex(planned);
    guint i;

    for (i = 0; i < defined->devices->len; i++) {
        PpDeviceDef *dev = g_ptr_array_index(defined->devices, i);
        g_autofree char *what = NULL;
        PpDeviceDef *orig;

        if (!ppCompareIsPCIController(dev))
            continue;
        orig = g_hash_table_lookup(byIndex, GINT_TO_POINTER(dev->ctrl.index));
        if (!orig) {
            g_autofree char *addr = ppCompareAddressFormat(dev);

            what = ppCompareDescribeDefined(dev);
            if (ppCompareHasPCIAddress(dev))
                g_ptr_array_add(diffs, g_strdup_printf(_("libvirt added %1$s at %2$s"), what,
                                                       addr));
            else
                g_ptr_array_add(diffs, g_strdup_printf(_("libvirt added %1$s"), what));
            continue;
        }
        g_hash_table_remove(byIndex, GINT_TO_POINTER(dev->ctrl.index));
        if (g_strcmp0(orig->model, dev->model) != 0) {
            what = ppDeviceDefDescribe(orig);
            g_ptr_array_add(diffs, g_strdup_printf(_("libvirt changed the model of %1$s to '%2$s'"),
                                                   what, dev->model ? dev->model : ""));
        }
        ppComparePCIAddress(orig, dev, diffs);
    }

    /* Report in the planned document's order, not the hash table's. */
    for (i = 0; i < planned->devices->len; i++) {
        PpDeviceDef *dev = g_ptr_array_index(planned->devices, i);
        g_autofree char *what = NULL;

        if (!ppCompareIsPCIController(dev))
            continue;
        what = ppDeviceDefDescribe(dev);
        if (dev->ctrl.index < 0)
            g_ptr_array_add(diffs, g_strdup_printf(_("The plan gives %1$s no index, so libvirt numbered it"),
                                                   what));
        else if (g_hash_table_lookup(byIndex, GINT_TO_POINTER(dev->ctrl.index)) == dev)
            g_ptr_array_add(diffs, g_strdup_printf(_("%1$s is missing after define"), what));
    }
}

/* Key -> how many devices of @def have it, over the devices with a PCI
 * address that are not PCI controllers. */
static GHashTable *
ppCompareDeviceKeysCount(const PpDomainDef *def)
{
    GHashTable *counts = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    guint i;

    for (i = 0; i < def->devices->len; i++) {
        PpDeviceDef *dev = g_ptr_array_index(def->devices, i);
        char *key;

        if (ppCompareIsPCIController(dev) || !ppCompareHasPCIAddress(dev))
            continue;
        key = ppCompareDeviceKey(dev);
        g_hash_table_replace(counts, key,
                             GUINT_TO_POINTER(GPOINTER_TO_UINT(g_hash_table_lookup(counts, key)) + 1));
    }
    return counts;
}

/* Take one device with @key from @counts; FALSE when none is left. */
static gboolean
ppCompareDeviceKeyTake(GHashTable *counts, const char *key)
{
    guint count = GPOINTER_TO_UINT(g_hash_table_lookup(counts, key));

    if (count == 0)
        return FALSE;
    g_hash_table_insert(counts, g_strdup(key), GUINT_TO_POINTER(count - 1));
    return TRUE;
}

/*
 * Every other device is matched by what it is and where it sits, as a
 * multiset: libvirt reorders devices, and which of two identical disks
 * got which of two planned slots does not change the topology. A device
 * the plan left without an address, or that libvirt added (a USB
 * controller, a memballoon, a SATA controller) shows up as unmatched.
 */
static void
ppCompareDevices(const PpDomainDef *planned, const PpDomainDef *defined, GPtrArray *diffs)
{
    g_autoptr(GHashTable) plannedKeys = ppCompareDeviceKeysCount(planned);
    g_autoptr(GHashTable) definedKeys = ppCompareDeviceKeysCount(defined);
    guint i;

    for (i = 0; i < defined->devices->len; i++) {
        PpDeviceDef *dev = g_ptr_array_index(defined->devices, i);
        g_autofree char *key = NULL;
        g_autofree char *what = NULL;
        g_autofree char *addr = NULL;

        if (ppCompareIsPCIController(dev) || !ppCompareHasPCIAddress(dev))
            continue;
        key = ppCompareDeviceKey(dev);
        if (ppCompareDeviceKeyTake(plannedKeys, key))
            continue;
        what = ppCompareDescribeDefined(dev);
        addr = ppCompareAddressFormat(dev);
        g_ptr_array_add(diffs, g_strdup_printf(_("After define, %1$s is at %2$s, where the plan has no such device"),
                                               what, addr));
    }

    for (i = 0; i < planned->devices->len; i++) {
        PpDeviceDef *dev = g_ptr_array_index(planned->devices, i);
        g_autofree char *key = NULL;
        g_autofree char *what = NULL;
        g_autofree char *addr = NULL;

        if (ppCompareIsPCIController(dev) || !ppCompareHasPCIAddress(dev))
            continue;
        key = ppCompareDeviceKey(dev);
        if (ppCompareDeviceKeyTake(definedKeys, key))
            continue;
        what = ppDeviceDefDescribe(dev);
        addr = ppCompareAddressFormat(dev);
        g_ptr_array_add(diffs, g_strdup_printf(_("The plan puts %1$s at %2$s, but after define no such device is there"),
                                               what, addr));
    }
}

gboolean
ppDomainXMLCompare(const char *planned, const char *defined, GError **error)
{
    g_autoptr(PpDomainDef) plannedDef = NULL;
    g_autoptr(PpDomainDef) definedDef = NULL;
    g_autoptr(GPtrArray) diffs = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GString) text = NULL;
    guint i;

    g_return_val_if_fail(planned != NULL && defined != NULL, FALSE);

    if (!(plannedDef = ppDomainDefParseString(planned, strlen(planned), error)))
        return FALSE;
    if (!(definedDef = ppDomainDefParseString(defined, strlen(defined), error))) {
        g_prefix_error(error, _("Cannot read the XML libvirt returned: "));
        return FALSE;
    }

    ppComparePCIControllers(plannedDef, definedDef, diffs);
    ppCompareDevices(plannedDef, definedDef, diffs);
    if (diffs->len == 0)
        return TRUE;

    text = g_string_new(NULL);
    for (i = 0; i < diffs->len && i < PP_DOMAIN_COMPARE_MAX_REPORTED; i++)
        g_string_append_printf(text, "\n  %s", (const char *)g_ptr_array_index(diffs, i));
    if (diffs->len > PP_DOMAIN_COMPARE_MAX_REPORTED)
        g_string_append_printf(text, _("\n  ... and %1$u more"),
                               diffs->len - PP_DOMAIN_COMPARE_MAX_REPORTED);
    g_set_error(error, PP_ERROR, PP_ERROR_INTERNAL,
                _("libvirt changed the planned PCI topology of domain '%1$s':%2$s"),
                plannedDef->name ? plannedDef->name : "", text->str);
    return FALSE;
}
