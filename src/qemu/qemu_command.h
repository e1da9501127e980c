/*
 * qemu_command.h: the QEMU 7.2 command line of a fully addressed domain
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "domain_conf.h"
#include "qemu_domain_address.h"

/**
 * ppQemuBuildCommandLine:
 * @def: a fully addressed domain: every PCI controller and device carries
 *       its <address> (what ppQemuDomainPlan() produces)
 * @ret_skipped: (out) (optional) (transfer full) descriptions (char *) of
 *       devices that have no place on the command line (graphics, TPM, ...)
 *       and were left out; none of them takes a PCI slot
 *
 * Builds the command line libvirt 9.0 would run for @def under TCG, with
 * the same JSON -device syntax, device ids (libvirt's aliases) and bus
 * names, every PCI device with an explicit bus and addr, and the -device
 * options in a valid realization order (see qemu_order.h). Before building,
 * ppQemuValidateTopology() rejects what QEMU would accept but get wrong.
 *
 * Returns: (transfer full) a NULL-terminated argv whose first element is
 * the emulator, free with g_strfreev(); NULL with @error set
 * (PP_ERROR_CONFIG for a domain that cannot run as written,
 * PP_ERROR_UNSUPPORTED for a machine or device this tool cannot express).
 */
char **ppQemuBuildCommandLine(const PpDomainDef *def, GPtrArray **ret_skipped, GError **error);

/**
 * ppQemuBuildPlannedCommandLine:
 * @def: a parsed domain; it is planned (and so changed) first
 * @opts: planning options
 *
 * Plan @def, write it out and read it back, and build the command line of
 * that document: the argv then reflects exactly what `plan` writes and
 * libvirt would see, <qemu:override> properties included.
 *
 * Returns: (transfer full) as ppQemuBuildCommandLine().
 */
char **ppQemuBuildPlannedCommandLine(PpDomainDef *def,
                                     const PpPlanOptions *opts,
                                     GPtrArray **ret_skipped,
                                     GError **error);

/**
 * ppQemuValidateTopology:
 * @def: a fully addressed domain
 *
 * The placement rules QEMU 7.2 does not enforce, or enforces with a message
 * that does not point at the XML (docs/qemu-facts.md): a unique chassis per
 * root or downstream port, pci-bridge chassisNr > 0 and unique,
 * iommu='on' only on modern-only virtio, one vIOMMU, virtio-iommu on the
 * root bus, intel-iommu only on q35 and with caching_mode='on' when vfio
 * host devices are assigned, function 0 in every used slot, and slot 0
 * behind root and downstream ports.
 *
 * Returns: TRUE if @def passes; FALSE with a PP_ERROR_CONFIG @error that
 * says which XML to change.
 */
gboolean ppQemuValidateTopology(const PpDomainDef *def, GError **error);

/**
 * ppQemuValidatePlanned:
 * @def: a planned domain
 *
 * The part of ppQemuValidateTopology() that libvirt 9.0 or QEMU 7.2
 * refuse outright (measured through the embedded driver, docs/libvirt.md):
 * a vIOMMU model the machine lacks, two vIOMMUs, virtio-iommu off the root
 * bus, intel-iommu with vfio and no caching mode, a chassis used by two
 * ports, a pci-bridge chassisNr of 0 or used twice. `plan` refuses these;
 * what QEMU accepts but gets wrong is left to the command line.
 *
 * Returns: TRUE if @def passes; FALSE with a PP_ERROR_CONFIG @error.
 */
gboolean ppQemuValidatePlanned(const PpDomainDef *def, GError **error);

typedef enum {
    /* One argument per line, nothing quoted: the golden-file format. */
    PP_QEMU_FORMAT_LINES,
    /* Shell words, one option and its value per line, joined with " \"
     * continuations, as libvirt writes the command line in its log. */
    PP_QEMU_FORMAT_SHELL,

    PP_QEMU_FORMAT_LAST
} PpQemuFormat;

/**
 * ppQemuCommandLineFormat:
 * Returns: (transfer full) @argv as text in @format, ending in a newline.
 */
char *ppQemuCommandLineFormat(const char *const *argv, PpQemuFormat format);

/**
 * ppQemuCommandLineParse:
 * @text: a command line in @format; for PP_QEMU_FORMAT_SHELL, shell words
 *        with quotes and backslash-newline continuations (a libvirt log
 *        excerpt works), for PP_QEMU_FORMAT_LINES one argument per line
 *
 * Returns: (transfer full) the NULL-terminated argv; NULL with a
 * PP_ERROR_CONFIG @error for unbalanced quotes or an empty command line.
 */
char **ppQemuCommandLineParse(const char *text, PpQemuFormat format, GError **error);

/**
 * ppQemuJSONObjectParse:
 * @text: a JSON object, as in -device '{...}' or a QMP reply
 *
 * Reads the members of the top-level object with json-glib: strings are
 * unescaped; numbers, true, false, null, nested objects and arrays are
 * their compact JSON text as json-glib writes it (1.5e3 becomes 1500.0).
 *
 * Returns: (transfer full) member name -> value (both char *), or NULL
 * with a PP_ERROR_CONFIG @error for malformed JSON, a root that is not an
 * object, a member twice in one object (QEMU refuses that too) or nesting
 * deeper than 64 levels.
 */
GHashTable *ppQemuJSONObjectParse(const char *text, GError **error);
