/*
 * virt-pciplan.h: what the subcommands of the CLI share
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "internal.h"

/*
 * Exit statuses, documented in docs/virt-pciplan.rst; scripts rely on them.
 */
typedef enum {
    PP_EXIT_OK = 0,
    PP_EXIT_CONFIG = 1,   /* invalid input, or a plan that cannot be made */
    PP_EXIT_USAGE = 2,    /* bad command line */
    PP_EXIT_LIBVIRT = 3,  /* libvirt refused or failed */
    PP_EXIT_IO = 4,       /* a file could not be read or written */
    PP_EXIT_INTERNAL = 5, /* a bug in virt-pciplan */
} PpExitStatus;

/* Print @error (if any) the one way the CLI prints errors, and map its
 * class to an exit status. */
int ppToolReportError(const GError *error);

/* Write @data to @path atomically, or to standard output for NULL or "-". */
gboolean ppToolWriteOutput(const char *path, const char *data, gsize len, GError **error);

/* Subcommands: each gets argv from its own name on. */
int ppCmdPlan(int argc, char **argv);
int ppCmdExplain(int argc, char **argv);
