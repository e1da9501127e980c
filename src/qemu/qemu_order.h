/*
 * qemu_order.h: the order in which QEMU must realize -device options
 *
 * QEMU creates -device options one by one, in command-line order, and a
 * device can only plug into a bus that already exists:
 *   -device virtio-net-pci,bus=rp1 -device pcie-root-port,id=rp1
 * fails with "Bus 'rp1' not found". A vIOMMU has to exist before the PCI
 * devices whose DMA it translates (docs/qemu-facts.md section 2). This
 * module turns both rules into a dependency graph and sorts it.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "internal.h"

/* What ordering needs to know about one -device option. */
typedef struct {
    char *driver;
    char *id;   /* NULL when the option has none */
    char *bus;  /* NULL when QEMU is left to pick the bus */
    char *masterbus; /* the USB bus a companion controller joins, or NULL */
} PpQemuDeviceSpec;

void ppQemuDeviceSpecClear(PpQemuDeviceSpec *spec);

/**
 * ppQemuDeviceSpecParse:
 * @arg: the value of a -device option, either "driver,key=val,..." (with
 *       ",," for a comma inside a value) or a JSON object
 * @ret_spec: (out) filled on success; clear with ppQemuDeviceSpecClear()
 *
 * Returns: FALSE with a PP_ERROR_CONFIG @error for malformed text or a
 * missing driver.
 */
gboolean ppQemuDeviceSpecParse(const char *arg, PpQemuDeviceSpec *ret_spec, GError **error);

typedef enum {
    /* the device plugs into a bus that the other device provides */
    PP_QEMU_ORDER_REASON_BUS,
    /* the other device is a vIOMMU and this one is a PCI device */
    PP_QEMU_ORDER_REASON_IOMMU,

    PP_QEMU_ORDER_REASON_LAST
} PpQemuOrderReason;

/* A device that had to move below another one. */
typedef struct {
    guint device;  /* index into the input */
    guint after;   /* index of the device it now follows */
    PpQemuOrderReason reason;
} PpQemuOrderMove;

/**
 * ppQemuOrderDevices:
 * @devs: the -device options in their current order
 * @ndevs: how many
 * @ret_order: (out) (transfer full) GArray of guint: indexes into @devs
 *             in realization order
 * @ret_moves: (out) (optional) (transfer full) GArray of PpQemuOrderMove:
 *             each device that now follows a device it preceded, with the
 *             dependency that moved it
 *
 * Sorts topologically: every device after the device that provides its
 * bus or masterbus (bus "X" is provided by the device with id "X", bus
 * "X.N" by the device with id "X"), and every PCI device after the vIOMMU
 * (intel-iommu, amd-iommu, virtio-iommu-pci). A device without bus= has
 * no parent (QEMU picks its bus); it counts as PCI when its driver is one.
 * The sort is stable: among devices that do not depend on each other the
 * input order is kept, and an already valid order is returned unchanged.
 * O((n + e) log n), e being about n plus n per vIOMMU.
 *
 * Returns: FALSE with a PP_ERROR_CONFIG @error naming both ends for a
 * duplicate id, a bus that no device and no machine provides, or a cycle.
 */
gboolean ppQemuOrderDevices(const PpQemuDeviceSpec *devs,
                            guint ndevs,
                            GArray **ret_order,
                            GArray **ret_moves,
                            GError **error);

/**
 * ppQemuOrderCommandLine:
 * @argv: a QEMU command line (NULL-terminated)
 * @ret_argv: (out) (transfer full) the same command line with its -device
 *            options in realization order; every other option keeps its
 *            position, and the -device options fill the positions the
 *            -device options had
 * @ret_specs: (out) (optional) (transfer full) GArray of PpQemuDeviceSpec
 *             (with a clear func), the -device options in input order
 * @ret_moves: (out) (optional) (transfer full) as for ppQemuOrderDevices()
 *
 * Returns: FALSE with @error set as for ppQemuOrderDevices().
 */
gboolean ppQemuOrderCommandLine(const char *const *argv,
                                char ***ret_argv,
                                GArray **ret_specs,
                                GArray **ret_moves,
                                GError **error);
