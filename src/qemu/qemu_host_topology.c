/*
 * qemu_host_topology.c: hints derived from the host's PCI topology
 * (`plan --host-sysfs DIR`, DIR being /sys on a real host)
 *
 * For each <hostdev type='pci'> the host function DIR/bus/pci/devices/BDF
 * (a symlink into DIR/devices/pciDDDD:BB/..., one directory per PCI
 * function on the path from the root bus) gives:
 *  - its host NUMA node: the file numa_node (-1 when the platform says none);
 *  - the host PCIe switch it sits behind: the nearest ancestor that is a
 *    switch upstream port. A function is one when its class file says
 *    0x0604xx (PCI-to-PCI bridge) and its PCI Express capability, read
 *    from the config file (capability list at 0x34, ID 0x10, port type in
 *    bits 7:4 of the capability's flags) says 5, "upstream port of a
 *    switch". The kernel lets only root read past the first 64 bytes of
 *    config; when the capability cannot be read, a bridge counts as an
 *    upstream port when the function below it on the path is a bridge too
 *    and above it there is another PCI function (the root port): the
 *    shape root port - upstream port - downstream port - endpoint.
 * Hostdevs behind one host switch get one P2P group ("host-" and the
 * upstream port's address) unless the user gave them one; with
 * <numatune><memnode cellid nodeset>, a hostdev without numaNode goes to
 * the guest cell whose host nodes include its own (the lowest such cell).
 * Derived hints are ordinary hints from then on: mirrored, shown by
 * explain.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "qemu_domain_addresspriv.h"
#include "pperror.h"
#include "xml_util.h"

#include <stdlib.h>
#include <string.h>

/* PCIe capability (PCI Express Base Specification, 7.5.3). */
#define PP_PCI_CAP_LIST 0x34
#define PP_PCI_CAP_ID_EXP 0x10
#define PP_PCI_EXP_TYPE_UPSTREAM 0x5
#define PP_PCI_CLASS_BRIDGE_PCI 0x0604

/* Small sysfs files only: class, numa_node, config (4 KiB at most). */
static char *
ppHostReadFile(const char *dir, const char *name, gsize *len)
{
    g_autofree char *path = g_build_filename(dir, name, NULL);
    char *text = NULL;

    if (!g_file_get_contents(path, &text, len, NULL))
        return NULL;
    if (*len > 4096) {
        g_free(text);
        return NULL;
    }
    return text;
}

static gboolean
ppHostIsBDF(const char *name)
{
    unsigned int d, b, s, f;
    char end;

    return sscanf(name, "%4x:%2x:%2x.%1x%c", &d, &b, &s, &f, &end) == 4 && strlen(name) == 12;
}

static gboolean
ppHostIsBridge(const char *dir)
{
    gsize len = 0;
    g_autofree char *text = ppHostReadFile(dir, "class", &len);

    return text && (g_ascii_strtoull(text, NULL, 16) >> 8) == PP_PCI_CLASS_BRIDGE_PCI;
}

/* The PCIe port type from config, or -1 when it cannot be read. */
static int
ppHostPortType(const char *dir)
{
    gsize len = 0;
    g_autofree char *config = ppHostReadFile(dir, "config", &len);
    const guint8 *c = (const guint8 *)config;
    guint pos;
    guint hops;

    if (!config || len <= PP_PCI_CAP_LIST)
        return -1;
    pos = c[PP_PCI_CAP_LIST] & ~3u;
    for (hops = 0; pos >= 0x40 && hops < 48; hops++) {
        if (pos + 4 > len)
            return -1;
        if (c[pos] == PP_PCI_CAP_ID_EXP)
            return (c[pos + 2] >> 4) & 0xf;
        pos = c[pos + 1] & ~3u;
    }
    return -1;
}

/* The upstream port above @path (a resolved function directory), or NULL. */
static char *
ppHostSwitchOf(const char *path)
{
    g_autofree char *below = g_strdup(path);
    g_autofree char *cur = g_path_get_dirname(path);

    for (;;) {
        g_autofree char *name = g_path_get_basename(cur);
        g_autofree char *parent = g_path_get_dirname(cur);
        g_autofree char *parentName = g_path_get_basename(parent);
        int type;

        if (!ppHostIsBDF(name))
            return NULL;
        type = ppHostPortType(cur);
        if (ppHostIsBridge(cur) &&
            (type == PP_PCI_EXP_TYPE_UPSTREAM ||
             (type < 0 && ppHostIsBridge(below) && ppHostIsBDF(parentName))))
            return g_steal_pointer(&name);
        g_free(below);
        below = g_steal_pointer(&cur);
        cur = g_steal_pointer(&parent);
    }
}

/* The guest cell whose <numatune> memnode nodeset holds host @node, or -1. */
static int
ppHostGuestCell(const PpDomainDef *def, int node)
{
    xmlNodePtr numatune = ppXmlChild(xmlDocGetRootElement(def->doc), "numatune");
    xmlNodePtr cur;
    int best = -1;

    for (cur = numatune ? numatune->children : NULL; cur; cur = cur->next) {
        g_autofree char *cell = NULL;
        g_autofree char *nodeset = NULL;
        g_auto(GStrv) ranges = NULL;
        guint i;

        if (cur->type != XML_ELEMENT_NODE || !g_str_equal((const char *)cur->name, "memnode"))
            continue;
        cell = ppXmlProp(cur, "cellid");
        nodeset = ppXmlProp(cur, "nodeset");
        if (!cell || !nodeset)
            continue;
        ranges = g_strsplit(nodeset, ",", 64);
        for (i = 0; ranges[i]; i++) {
            char *end = NULL;
            long lo = strtol(ranges[i], &end, 10);
            long hi = end && *end == '-' ? strtol(end + 1, NULL, 10) : lo;
            long c = strtol(cell, NULL, 10);

            if (node >= lo && node <= hi && c >= 0 && c <= 255 && (best < 0 || c < best))
                best = (int)c;
        }
    }
    return best;
}

/* The resolved sysfs directory of hostdev @dev's host function, or NULL. */
static char *
ppHostFunctionDir(const char *sysfs, const PpDeviceDef *dev)
{
    xmlNodePtr source = ppXmlChild(dev->node, "source");
    xmlNodePtr addr = source ? ppXmlChild(source, "address") : NULL;
    const char *names[] = { "domain", "bus", "slot", "function" };
    guint64 v[4] = { 0 };
    g_autofree char *link = NULL;
    guint i;

    for (i = 0; addr && i < G_N_ELEMENTS(names); i++) {
        g_autofree char *s = ppXmlProp(addr, names[i]);

        v[i] = s ? g_ascii_strtoull(s, NULL, 0) : 0;
    }
    if (!addr || v[0] > 0xffff || v[1] > 0xff || v[2] > 0x1f || v[3] > 7)
        return NULL;
    link = g_strdup_printf("%s/bus/pci/devices/%04x:%02x:%02x.%x", sysfs, (guint)v[0],
                           (guint)v[1], (guint)v[2], (guint)v[3]);
    return realpath(link, NULL);
}

gboolean
ppQemuDomainApplyHostTopology(PpDomainDef *def, const char *sysfs, GError **error)
{
    g_autoptr(GHashTable) members = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    g_autoptr(GHashTable) switchOf = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL,
                                                           g_free);
    guint i;

    if (!g_file_test(sysfs, G_FILE_TEST_IS_DIR)) {
        g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                    _("--host-sysfs '%1$s' is not a directory (it is /sys on the host)"), sysfs);
        return FALSE;
    }
    for (i = 0; i < def->devices->len; i++) {
        PpDeviceDef *dev = g_ptr_array_index(def->devices, i);
        g_autofree char *dir = NULL;
        g_autofree char *numa = NULL;
        char *sw;
        gsize len = 0;
        int cell;

        if (dev->kind != PP_DEVICE_HOSTDEV || !dev->type || !g_str_equal(dev->type, "pci"))
            continue;
        if (!(dir = ppHostFunctionDir(sysfs, dev))) {
            g_autofree char *what = ppDeviceDefDescribe(dev);

            g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                        _("%1$s: its host PCI function is not in %2$s/bus/pci/devices; check <source><address> or --host-sysfs"),
                        what, sysfs);
            return FALSE;
        }
        numa = ppHostReadFile(dir, "numa_node", &len);
        if (numa && dev->hints.numaNode < 0 &&
            (dev->hints.preferredConnection == PP_CONNECTION_NONE ||
             dev->hints.preferredConnection == PP_CONNECTION_PCIE) &&
            (cell = ppHostGuestCell(def, atoi(numa))) >= 0 && atoi(numa) >= 0) {
            dev->hints.numaNode = cell;
            dev->numaFromHost = TRUE;
        }
        if (!dev->hints.p2pGroup && (sw = ppHostSwitchOf(dir))) {
            g_hash_table_insert(switchOf, dev, sw);
            g_hash_table_insert(members, g_strdup(sw),
                                GUINT_TO_POINTER(GPOINTER_TO_UINT(g_hash_table_lookup(members, sw)) + 1));
        }
    }
    for (i = 0; i < def->devices->len; i++) {
        PpDeviceDef *dev = g_ptr_array_index(def->devices, i);
        const char *sw = g_hash_table_lookup(switchOf, dev);

        /* A group of one would cost a switch for nothing. */
        if (!sw || GPOINTER_TO_UINT(g_hash_table_lookup(members, sw)) < 2)
            continue;
        dev->hints.p2pGroup = g_strdup_printf("host-%s", sw);
        dev->groupFromHost = TRUE;
    }
    return TRUE;
}
