/*
 * virt-pciplan-options.h: what a plan may assume and should leave free
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(VIRT_PCIPLAN_INSIDE) && !defined(VIRT_PCIPLAN_COMPILATION)
# error "Only <virt-pciplan/virt-pciplan.h> can be included directly."
#endif

#include <glib-object.h>

G_BEGIN_DECLS

/**
 * VirtPciplanIOReserve:
 * @VIRT_PCIPLAN_IO_RESERVE_AUTO: io-reserve=0 only where the firmware
 *   needs it (OVMF on q35), on hot-pluggable root ports without I/O
 * @VIRT_PCIPLAN_IO_RESERVE_NEVER: never, even where the firmware needs it
 * @VIRT_PCIPLAN_IO_RESERVE_ALWAYS: on every pcie-root-port without I/O,
 *   on any firmware
 *
 * When the plan gives PCIe root ports io-reserve=0 through
 * `<qemu:override>`, which libvirt marks as tainting the domain
 * (custom-device) when it starts it. The CLI's --io-reserve.
 */
typedef enum {
    VIRT_PCIPLAN_IO_RESERVE_AUTO,
    VIRT_PCIPLAN_IO_RESERVE_NEVER,
    VIRT_PCIPLAN_IO_RESERVE_ALWAYS,
} VirtPciplanIOReserve;

GType virt_pciplan_io_reserve_get_type(void);
#define VIRT_PCIPLAN_TYPE_IO_RESERVE (virt_pciplan_io_reserve_get_type())

#define VIRT_PCIPLAN_TYPE_OPTIONS (virt_pciplan_options_get_type())
G_DECLARE_FINAL_TYPE(VirtPciplanOptions, virt_pciplan_options, VIRT_PCIPLAN, OPTIONS, GObject)

VirtPciplanOptions *virt_pciplan_options_new(void);

int virt_pciplan_options_get_spare_ports(VirtPciplanOptions *self);
void virt_pciplan_options_set_spare_ports(VirtPciplanOptions *self, int spare_ports);
guint virt_pciplan_options_get_spare_pci_slots(VirtPciplanOptions *self);
void virt_pciplan_options_set_spare_pci_slots(VirtPciplanOptions *self, guint spare_pci_slots);

gboolean virt_pciplan_options_get_pcie_to_pci_bridge(VirtPciplanOptions *self);
void virt_pciplan_options_set_pcie_to_pci_bridge(VirtPciplanOptions *self, gboolean available);

VirtPciplanIOReserve virt_pciplan_options_get_io_reserve(VirtPciplanOptions *self);
void virt_pciplan_options_set_io_reserve(VirtPciplanOptions *self, VirtPciplanIOReserve policy);
const char *virt_pciplan_options_get_host_sysfs(VirtPciplanOptions *self);
void virt_pciplan_options_set_host_sysfs(VirtPciplanOptions *self, const char *dir);

G_END_DECLS
