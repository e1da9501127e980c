/*
 * domain_alias.c: aliases libvirt keeps, under which hints and overrides
 * find their device again after define
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "domain_conf.h"

/**
 * ppDomainAliasKeptByLibvirt:
 *
 * libvirt 9.0 keeps a user's alias on define only when it is "ua-"
 * followed by letters, digits, '_' or '-'; any other (net0, ua-net.0) it
 * drops without a word (measured through the embedded driver,
 * docs/parity.md).
 */
gboolean
ppDomainAliasKeptByLibvirt(const char *alias)
{
    const char *p;

    if (!alias || !g_str_has_prefix(alias, "ua-") || !alias[3])
        return FALSE;
    for (p = alias + 3; *p; p++) {
        if (!g_ascii_isalnum(*p) && *p != '_' && *p != '-')
            return FALSE;
    }
    return TRUE;
}

/**
 * ppDomainDefEnsureAlias:
 *
 * libvirt keeps user aliases (those starting with "ua-") across define,
 * so they are how our hints and QEMU overrides find their device again.
 * A device without an alias gets one; a device whose own alias libvirt
 * would drop gets one libvirt keeps, made from it (net0 -> ua-net0), and
 * keeps the dropped one in ->aliasDropped for the caller to report.
 */
void
ppDomainDefEnsureAlias(PpDomainDef *def, PpDeviceDef *dev)
{
    g_autofree char *base = NULL;
    char *alias;
    guint n = 1;

    if (dev->alias && ppDomainAliasKeptByLibvirt(dev->alias))
        return;
    if (dev->alias) {
        base = g_strdup_printf("ua-%s", g_str_has_prefix(dev->alias, "ua-") ? dev->alias + 3
                                                                               : dev->alias);
        if (g_hash_table_lookup(def->aliases, dev->alias) == dev)
            g_hash_table_remove(def->aliases, dev->alias);
        g_free(dev->aliasDropped);
        dev->aliasDropped = g_steal_pointer(&dev->alias);
    } else if (dev->kind == PP_DEVICE_CONTROLLER && dev->ctrl.index >= 0) {
        base = g_strdup_printf("ua-pp-%s%d", dev->type ? dev->type : "controller",
                               dev->ctrl.index);
    } else if (dev->kind == PP_DEVICE_DISK && dev->dev) {
        base = g_strdup_printf("ua-pp-disk-%s", dev->dev);
    } else {
        base = g_strdup_printf("ua-pp-%s%u", ppDeviceKindToString(dev->kind),
                               dev->kindOrdinal + 1);
    }
    g_strcanon(base + 3, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_", '_');
    alias = g_strdup(base);
    while (g_hash_table_contains(def->aliases, alias)) {
        g_free(alias);
        alias = g_strdup_printf("%s-%u", base, ++n);
    }
    dev->alias = alias;
    g_hash_table_insert(def->aliases, dev->alias, dev);
    dev->aliasAdded = !dev->added;
}
