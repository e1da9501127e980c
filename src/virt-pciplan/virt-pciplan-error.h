/*
 * virt-pciplan-error.h: the library's GError domain and codes
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(VIRT_PCIPLAN_INSIDE) && !defined(VIRT_PCIPLAN_COMPILATION)
# error "Only <virt-pciplan/virt-pciplan.h> can be included directly."
#endif

#include <glib.h>

G_BEGIN_DECLS

/**
 * VIRT_PCIPLAN_ERROR:
 *
 * The error domain of every error the library sets; the quark's string
 * is "virt-pciplan-error-quark".
 */
#define VIRT_PCIPLAN_ERROR (virt_pciplan_error_quark())

/**
 * VirtPciplanError:
 * @VIRT_PCIPLAN_ERROR_CONFIG: the input XML or the options are wrong (a
 *   malformed document, an unknown hint, a hint the machine or device
 *   cannot satisfy); the message names the device and what to change
 * @VIRT_PCIPLAN_ERROR_UNSUPPORTED: the machine type or the QEMU the
 *   options describe lacks what the domain asks for
 * @VIRT_PCIPLAN_ERROR_EXHAUSTED: no slot, PCI bus number, I/O window or
 *   virtio-mmio transport is left for a device; the message names it
 * @VIRT_PCIPLAN_ERROR_INTERNAL: a bug in virt-pciplan, never bad input
 * @VIRT_PCIPLAN_ERROR_LIBVIRT: libvirt refused or failed a call (not set
 *   by this library, which never calls libvirt; the CLI's define and
 *   attach use it)
 * @VIRT_PCIPLAN_ERROR_IO: a file could not be read
 *
 * The error codes of #VIRT_PCIPLAN_ERROR. The classes follow libvirt's:
 * which applies depends on whose fault it is, as in libvirt.
 */
typedef enum {
    VIRT_PCIPLAN_ERROR_CONFIG,
    VIRT_PCIPLAN_ERROR_UNSUPPORTED,
    VIRT_PCIPLAN_ERROR_EXHAUSTED,
    VIRT_PCIPLAN_ERROR_INTERNAL,
    VIRT_PCIPLAN_ERROR_LIBVIRT,
    VIRT_PCIPLAN_ERROR_IO,
} VirtPciplanError;

GQuark virt_pciplan_error_quark(void);

/**
 * virt_pciplan_get_version:
 *
 * The version of the library that is loaded, such as "0.1.0" (which may
 * differ from the header's at build time).
 *
 * Returns: (transfer none): the version string, valid for the life of
 * the process
 */
const char *virt_pciplan_get_version(void);

G_END_DECLS
