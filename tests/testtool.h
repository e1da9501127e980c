/*
 * testtool.h: running the built virt-pciplan the way a script does
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "internal.h"

#include <gio/gio.h>

typedef struct {
    int status;   /* exit status, or 128 + signal as a shell reports it */
    char *out;
    char *err;
} PpTestRun;

void ppTestRunClear(PpTestRun *res);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(PpTestRun, ppTestRunClear);

/*
 * Start $PP_TEST_TOOL with @args (NULL terminated); @stateHome, if not
 * NULL, becomes its XDG_STATE_HOME (where the default embed root lives).
 * Returns: (transfer full) the process.
 */
GSubprocess *ppTestSpawnTool(const char *const *args, const char *stateHome, GSubprocessFlags flags);

/* Run it to the end with @input (may be NULL) on standard input. */
void ppTestRunTool(PpTestRun *res, const char *input, const char *stateHome,
                   const char *const *args);

/* Run @script with /bin/sh -c, $T naming $PP_TEST_TOOL: for redirections
 * (> /dev/full, < file) that a pipe cannot stand for. Output is not kept
 * apart from standard error. */
void ppTestRunShell(PpTestRun *res, const char *stateHome, const char *script);
