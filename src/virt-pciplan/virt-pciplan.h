/*
 * virt-pciplan.h: the virt-pciplan library, in one header
 *
 * Plan the PCI/PCIe topology of a libvirt QEMU domain in-process: give
 * the domain XML (with the per-device hints described in README.md),
 * get back the fully addressed XML that libvirt 9.0 keeps as it is, and
 * the explanation `virt-pciplan explain` prints. No libvirt connection
 * is needed or made; nothing is printed; errors come as GError in the
 * VIRT_PCIPLAN_ERROR domain.
 *
 *   #include <virt-pciplan/virt-pciplan.h>
 *   pkg-config --cflags --libs virt-pciplan-1.0
 *
 * From Python, through GObject introspection:
 *
 *   from gi.repository import VirtPciplan
 *   plan = VirtPciplan.Plan.new_from_string(xml, None)
 *   print(plan.get_xml())
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#define VIRT_PCIPLAN_INSIDE
#include <virt-pciplan/virt-pciplan-error.h>
#include <virt-pciplan/virt-pciplan-options.h>
#include <virt-pciplan/virt-pciplan-plan.h>
#undef VIRT_PCIPLAN_INSIDE
