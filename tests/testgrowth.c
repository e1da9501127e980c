/*
 * testgrowth.c: what a guest sees of a domain, before and after it grew
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "testgrowth.h"

#include <string.h>

static gboolean
testIsPCIController(const PpDeviceDef *dev)
{
    return dev->kind == PP_DEVICE_CONTROLLER && g_strcmp0(dev->type, "pci") == 0;
}

/* The device of @def that is @dev of another document. */
static const PpDeviceDef *
testFindSame(const PpDomainDef *def, const PpDeviceDef *dev)
{
    guint i;

    for (i = 0; i < def->devices->len; i++) {
        const PpDeviceDef *other = g_ptr_array_index(def->devices, i);

        if (other->kind != dev->kind)
            continue;
        if (testIsPCIController(dev)) {
            if (testIsPCIController(other) && other->ctrl.index == dev->ctrl.index)
                return other;
        } else if (dev->alias && !g_str_has_prefix(dev->alias, "ua-pp-")) {
            if (g_strcmp0(other->alias, dev->alias) == 0)
                return other;
        } else if (dev->kind == PP_DEVICE_CONTROLLER) {
            if (g_strcmp0(other->type, dev->type) == 0 && other->ctrl.index == dev->ctrl.index)
                return other;
        } else if (other->kindOrdinal == dev->kindOrdinal) {
            return other;
        }
    }
    return NULL;
}

gboolean
ppTestGuestViewKept(const PpDomainDef *before,
                    const PpDomainDef *after,
                    const PpDeviceDef *skip,
                    char **ret_why)
{
    guint i;

    for (i = 0; i < before->devices->len; i++) {
        const PpDeviceDef *dev = g_ptr_array_index(before->devices, i);
        const PpDeviceDef *now;
        g_autofree char *was = NULL;
        g_autofree char *is = NULL;

        if (dev == skip || dev->addr.type != PP_ADDRESS_PCI)
            continue;
        was = ppPCIAddressFormat(&dev->addr.pci);
        if (!(now = testFindSame(after, dev))) {
            *ret_why = g_strdup_printf("%s device #%u at %s is gone",
                                       ppDeviceKindToString(dev->kind), dev->kindOrdinal, was);
            return FALSE;
        }
        is = now->addr.type == PP_ADDRESS_PCI ? ppPCIAddressFormat(&now->addr.pci)
                                              : g_strdup("no PCI address");
        if (now->addr.type != PP_ADDRESS_PCI || strcmp(was, is) != 0 ||
            (now->addr.pci.multifunction == PP_TRISTATE_YES) !=
                (dev->addr.pci.multifunction == PP_TRISTATE_YES)) {
            *ret_why = g_strdup_printf("%s device #%u moved from %s to %s (or its multifunction changed)",
                                       ppDeviceKindToString(dev->kind), dev->kindOrdinal, was, is);
            return FALSE;
        }
        if (testIsPCIController(dev) &&
            (now->ctrl.pciModel != dev->ctrl.pciModel || now->ctrl.chassis != dev->ctrl.chassis ||
             now->ctrl.port != dev->ctrl.port || now->ctrl.chassisNr != dev->ctrl.chassisNr ||
             now->ctrl.busNr != dev->ctrl.busNr ||
             now->ioReserveKnown != dev->ioReserveKnown)) {
            *ret_why = g_strdup_printf("PCI controller %d at %s changed its model, target or io-reserve",
                                       dev->ctrl.index, was);
            return FALSE;
        }
    }
    return TRUE;
}
