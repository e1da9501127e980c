/*
 * virt-pciplan-options.c: what a plan may assume and should leave free
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "virt-pciplan-private.h"

/**
 * VirtPciplanOptions:
 *
 * The options of a plan, as the CLI's --spare-ports and what the QEMU
 * binary has. A new object holds the defaults, which are also what a
 * %NULL options argument means.
 */
struct _VirtPciplanOptions {
    GObject parent_instance;

    int sparePorts;
    guint sparePCISlots;
    gboolean pcieToPCIBridge;
    VirtPciplanIOReserve ioReserve;
    char *hostSysfs;
};

/* The public enum is the planner's, value for value. */
G_STATIC_ASSERT((int)VIRT_PCIPLAN_IO_RESERVE_AUTO == (int)PP_IO_RESERVE_AUTO);
G_STATIC_ASSERT((int)VIRT_PCIPLAN_IO_RESERVE_NEVER == (int)PP_IO_RESERVE_NEVER);
G_STATIC_ASSERT((int)VIRT_PCIPLAN_IO_RESERVE_ALWAYS == (int)PP_IO_RESERVE_ALWAYS);
G_STATIC_ASSERT((int)VIRT_PCIPLAN_IO_RESERVE_ALWAYS + 1 == (int)PP_IO_RESERVE_LAST);

G_DEFINE_ENUM_TYPE(VirtPciplanIOReserve, virt_pciplan_io_reserve,
                   G_DEFINE_ENUM_VALUE(VIRT_PCIPLAN_IO_RESERVE_AUTO, "auto"),
                   G_DEFINE_ENUM_VALUE(VIRT_PCIPLAN_IO_RESERVE_NEVER, "never"),
                   G_DEFINE_ENUM_VALUE(VIRT_PCIPLAN_IO_RESERVE_ALWAYS, "always"))

G_DEFINE_FINAL_TYPE(VirtPciplanOptions, virt_pciplan_options, G_TYPE_OBJECT)

/* The largest --spare-ports: a PCIe hierarchy has 256 bus numbers, and
 * every port takes one. */
#define PP_SPARE_PORTS_MAX 255
/* The largest --spare-pci-slots: the slots of 8 bridges, the I/O windows
 * pc's SeaBIOS fits (docs/guest-truth.md). */
#define PP_SPARE_PCI_SLOTS_MAX 248

enum {
    PROP_0,
    PROP_SPARE_PORTS,
    PROP_PCIE_TO_PCI_BRIDGE,
    PROP_IO_RESERVE,
    PROP_SPARE_PCI_SLOTS,
    PROP_HOST_SYSFS,
    N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
virt_pciplan_options_get_property(GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
    VirtPciplanOptions *self = VIRT_PCIPLAN_OPTIONS(object);

    switch (prop_id) {
    case PROP_SPARE_PORTS:
        g_value_set_int(value, self->sparePorts);
        break;
    case PROP_PCIE_TO_PCI_BRIDGE:
        g_value_set_boolean(value, self->pcieToPCIBridge);
        break;
    case PROP_IO_RESERVE:
        g_value_set_enum(value, self->ioReserve);
        break;
    case PROP_SPARE_PCI_SLOTS:
        g_value_set_uint(value, self->sparePCISlots);
        break;
    case PROP_HOST_SYSFS:
        g_value_set_string(value, self->hostSysfs);
        break;
    default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
    }
}

static void
virt_pciplan_options_set_property(GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
    VirtPciplanOptions *self = VIRT_PCIPLAN_OPTIONS(object);

    switch (prop_id) {
    case PROP_SPARE_PORTS:
        self->sparePorts = g_value_get_int(value);
        break;
    case PROP_PCIE_TO_PCI_BRIDGE:
        self->pcieToPCIBridge = g_value_get_boolean(value);
        break;
    case PROP_IO_RESERVE:
        self->ioReserve = g_value_get_enum(value);
        break;
    case PROP_SPARE_PCI_SLOTS:
        self->sparePCISlots = g_value_get_uint(value);
        break;
    case PROP_HOST_SYSFS:
        g_free(self->hostSysfs);
        self->hostSysfs = g_value_dup_string(value);
        break;
    default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
    }
}

static void
virt_pciplan_options_finalize(GObject *object)
{
    VirtPciplanOptions *self = VIRT_PCIPLAN_OPTIONS(object);

    g_free(self->hostSysfs);
    G_OBJECT_CLASS(virt_pciplan_options_parent_class)->finalize(object);
}

static void
virt_pciplan_options_class_init(VirtPciplanOptionsClass *klass)
{
    GObjectClass *object_class = G_OBJECT_CLASS(klass);

    object_class->get_property = virt_pciplan_options_get_property;
    object_class->set_property = virt_pciplan_options_set_property;

    /**
     * VirtPciplanOptions:spare-ports:
     *
     * How many empty hot-pluggable PCIe root ports to leave, from 0 to
     * 255; -1 (the default) means one. Ignored on machines without PCIe.
     */
    properties[PROP_SPARE_PORTS] =
        g_param_spec_int("spare-ports", NULL, NULL, -1, PP_SPARE_PORTS_MAX, -1,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
    /**
     * VirtPciplanOptions:pcie-to-pci-bridge:
     *
     * Whether the QEMU binary has the pcie-pci-bridge device (default
     * %TRUE: QEMU 4.2 and later, every QEMU libvirt 9.0 drives, unless a
     * distribution compiled it out; libvirt's domain capabilities say).
     * Without it, conventional PCI devices on PCIe machines go behind a
     * dmi-to-pci-bridge.
     */
    properties[PROP_PCIE_TO_PCI_BRIDGE] =
        g_param_spec_boolean("pcie-to-pci-bridge", NULL, NULL, TRUE,
                             G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
    /**
     * VirtPciplanOptions:io-reserve:
     *
     * Where the plan gives root ports io-reserve=0 through
     * `<qemu:override>` (default %VIRT_PCIPLAN_IO_RESERVE_AUTO); see
     * #VirtPciplanIOReserve.
     */
    properties[PROP_IO_RESERVE] =
        g_param_spec_enum("io-reserve", NULL, NULL, VIRT_PCIPLAN_TYPE_IO_RESERVE,
                          VIRT_PCIPLAN_IO_RESERVE_AUTO,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
    /**
     * VirtPciplanOptions:spare-pci-slots:
     *
     * How many free hot-pluggable conventional PCI slots to leave, from 0
     * (the default) to 248: slots of a pcie-to-pci-bridge and pci-bridges
     * on PCIe machines (pci-root slots count on pc), so that a running
     * guest can take conventional PCI devices by hot-plug.
     */
    properties[PROP_SPARE_PCI_SLOTS] =
        g_param_spec_uint("spare-pci-slots", NULL, NULL, 0, PP_SPARE_PCI_SLOTS_MAX, 0,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
    /**
     * VirtPciplanOptions:host-sysfs:
     *
     * The host's sysfs directory (/sys), or %NULL (the default): with it,
     * each `<hostdev type='pci'>` without hints of its own gets the
     * numaNode of its host NUMA node (through `<numatune>`) and hostdevs
     * behind one host PCIe switch one p2pGroup.
     */
    properties[PROP_HOST_SYSFS] =
        g_param_spec_string("host-sysfs", NULL, NULL, NULL,
                            G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
    object_class->finalize = virt_pciplan_options_finalize;
    g_object_class_install_properties(object_class, N_PROPS, properties);
}

static void
virt_pciplan_options_init(VirtPciplanOptions *self)
{
    PpPlanOptions defaults = PP_PLAN_OPTIONS_INIT;

    self->sparePorts = defaults.sparePorts;
    self->pcieToPCIBridge = defaults.hasPCIeToPCIBridge;
    self->ioReserve = (VirtPciplanIOReserve)defaults.ioReserve;
}

/**
 * virt_pciplan_options_new:
 *
 * Options holding the defaults: one spare port, pcie-pci-bridge present.
 *
 * Returns: (transfer full): new options; free with g_object_unref()
 */
VirtPciplanOptions *
virt_pciplan_options_new(void)
{
    return g_object_new(VIRT_PCIPLAN_TYPE_OPTIONS, NULL);
}

/**
 * virt_pciplan_options_get_spare_ports:
 * @self: options
 *
 * Returns: the #VirtPciplanOptions:spare-ports wanted, -1 for the default
 */
int
virt_pciplan_options_get_spare_ports(VirtPciplanOptions *self)
{
    g_return_val_if_fail(VIRT_PCIPLAN_IS_OPTIONS(self), -1);

    return self->sparePorts;
}

/**
 * virt_pciplan_options_set_spare_ports:
 * @self: options
 * @spare_ports: empty hot-pluggable root ports to leave, 0 to 255, or -1
 *   for the default (one)
 *
 * Sets #VirtPciplanOptions:spare-ports. A value out of range is a
 * programming error (a critical warning, nothing changes).
 */
void
virt_pciplan_options_set_spare_ports(VirtPciplanOptions *self, int spare_ports)
{
    g_return_if_fail(VIRT_PCIPLAN_IS_OPTIONS(self));
    g_return_if_fail(spare_ports >= -1 && spare_ports <= PP_SPARE_PORTS_MAX);

    if (self->sparePorts == spare_ports)
        return;
    self->sparePorts = spare_ports;
    g_object_notify_by_pspec(G_OBJECT(self), properties[PROP_SPARE_PORTS]);
}

/**
 * virt_pciplan_options_get_pcie_to_pci_bridge:
 * @self: options
 *
 * Returns: whether the plan may use pcie-pci-bridge
 */
gboolean
virt_pciplan_options_get_pcie_to_pci_bridge(VirtPciplanOptions *self)
{
    g_return_val_if_fail(VIRT_PCIPLAN_IS_OPTIONS(self), TRUE);

    return self->pcieToPCIBridge;
}

/**
 * virt_pciplan_options_set_pcie_to_pci_bridge:
 * @self: options
 * @available: whether the QEMU binary has pcie-pci-bridge
 *
 * Sets #VirtPciplanOptions:pcie-to-pci-bridge.
 */
void
virt_pciplan_options_set_pcie_to_pci_bridge(VirtPciplanOptions *self, gboolean available)
{
    g_return_if_fail(VIRT_PCIPLAN_IS_OPTIONS(self));

    available = !!available;
    if (self->pcieToPCIBridge == available)
        return;
    self->pcieToPCIBridge = available;
    g_object_notify_by_pspec(G_OBJECT(self), properties[PROP_PCIE_TO_PCI_BRIDGE]);
}

/**
 * virt_pciplan_options_get_io_reserve:
 * @self: options
 *
 * Returns: the #VirtPciplanOptions:io-reserve policy
 */
VirtPciplanIOReserve
virt_pciplan_options_get_io_reserve(VirtPciplanOptions *self)
{
    g_return_val_if_fail(VIRT_PCIPLAN_IS_OPTIONS(self), VIRT_PCIPLAN_IO_RESERVE_AUTO);

    return self->ioReserve;
}

/**
 * virt_pciplan_options_set_io_reserve:
 * @self: options
 * @policy: where root ports get io-reserve=0
 *
 * Sets #VirtPciplanOptions:io-reserve. A value outside
 * #VirtPciplanIOReserve is a programming error (a critical warning,
 * nothing changes).
 */
void
virt_pciplan_options_set_io_reserve(VirtPciplanOptions *self, VirtPciplanIOReserve policy)
{
    g_return_if_fail(VIRT_PCIPLAN_IS_OPTIONS(self));
    g_return_if_fail((int)policy >= (int)VIRT_PCIPLAN_IO_RESERVE_AUTO &&
                     (int)policy <= (int)VIRT_PCIPLAN_IO_RESERVE_ALWAYS);

    if (self->ioReserve == policy)
        return;
    self->ioReserve = policy;
    g_object_notify_by_pspec(G_OBJECT(self), properties[PROP_IO_RESERVE]);
}

void
ppPciplanOptionsToPlanOptions(VirtPciplanOptions *options, PpPlanOptions *opts)
{
    PpPlanOptions defaults = PP_PLAN_OPTIONS_INIT;

    *opts = defaults;
    if (!options)
        return;
    opts->sparePorts = options->sparePorts;
    opts->spareSlots = options->sparePCISlots;
    opts->hasPCIeToPCIBridge = options->pcieToPCIBridge;
    opts->ioReserve = (PpIOReservePolicy)options->ioReserve;
    opts->hostSysfs = options->hostSysfs;
}

/**
 * virt_pciplan_options_get_host_sysfs:
 * @self: the options
 *
 * Returns: (nullable) (transfer none): #VirtPciplanOptions:host-sysfs
 */
const char *
virt_pciplan_options_get_host_sysfs(VirtPciplanOptions *self)
{
    g_return_val_if_fail(VIRT_PCIPLAN_IS_OPTIONS(self), NULL);

    return self->hostSysfs;
}

/**
 * virt_pciplan_options_set_host_sysfs:
 * @self: the options
 * @dir: (nullable): the host's sysfs, /sys on a real host; %NULL for none
 *
 * Sets #VirtPciplanOptions:host-sysfs.
 */
void
virt_pciplan_options_set_host_sysfs(VirtPciplanOptions *self, const char *dir)
{
    g_return_if_fail(VIRT_PCIPLAN_IS_OPTIONS(self));

    if (g_strcmp0(self->hostSysfs, dir) == 0)
        return;
    g_free(self->hostSysfs);
    self->hostSysfs = g_strdup(dir);
    g_object_notify_by_pspec(G_OBJECT(self), properties[PROP_HOST_SYSFS]);
}

/**
 * virt_pciplan_options_get_spare_pci_slots:
 * @self: options
 *
 * Returns: the #VirtPciplanOptions:spare-pci-slots wanted
 */
guint
virt_pciplan_options_get_spare_pci_slots(VirtPciplanOptions *self)
{
    g_return_val_if_fail(VIRT_PCIPLAN_IS_OPTIONS(self), 0);

    return self->sparePCISlots;
}

/**
 * virt_pciplan_options_set_spare_pci_slots:
 * @self: options
 * @spare_pci_slots: free hot-pluggable conventional PCI slots to leave,
 *   0 to 248
 *
 * Sets #VirtPciplanOptions:spare-pci-slots. A value out of range is a
 * programming error (a critical warning, nothing changes).
 */
void
virt_pciplan_options_set_spare_pci_slots(VirtPciplanOptions *self, guint spare_pci_slots)
{
    g_return_if_fail(VIRT_PCIPLAN_IS_OPTIONS(self));
    g_return_if_fail(spare_pci_slots <= PP_SPARE_PCI_SLOTS_MAX);

    if (self->sparePCISlots == spare_pci_slots)
        return;
    self->sparePCISlots = spare_pci_slots;
    g_object_notify_by_pspec(G_OBJECT(self), properties[PROP_SPARE_PCI_SLOTS]);
}
