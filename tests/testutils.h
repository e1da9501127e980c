/*
 * testutils.h: what every virt-pciplan test shares
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "internal.h"

/*
 * Set up GTest and point HOME and XDG_* at a scratch directory, so no test
 * depends on (or writes to) the host's home. Call first in main().
 */
void ppTestInit(int *argc, char ***argv);

/* The one way to name a test file: (transfer full) the absolute path of
 * @rel in the source tree's tests/ directory (PP_TEST_SRCDIR). */
char *ppTestSrcPath(const char *rel);
/* tests/@dir/@name@suffix, e.g. ("qemuxml2xmloutdata", "q35-basic", ".xml"). */
char *ppTestDataPath(const char *dir, const char *name, const char *suffix);
/* @rel in the build tree's tests/ directory (PP_TEST_BUILDDIR). */
char *ppTestBuildPath(const char *rel);

/* Read a whole file; aborts the test on failure. */
char *ppTestLoadFile(const char *path, gsize *ret_len);

/*
 * The one golden-file comparison: TRUE if @path holds exactly @actual.
 * A mismatch is not fatal: it prints the whole unified diff (golden file
 * against actual output), marks the running test failed and returns
 * FALSE, so the other cases still run. With PP_TEST_REGENERATE_OUTPUT=1
 * the file is rewritten instead (review the diff before committing it).
 */
gboolean ppTestCompareToFile(const char *actual, const char *path);

/*
 * The libvirt corpus (PP_TEST_CORPUSDIR: ../shared/corpus/libvirt beside
 * the source tree, which is not part of the project). When it is absent
 * (a fresh clone elsewhere, a `meson dist` tarball) this registers the test
 * @testpath, which skips with the reason, or fails when the environment
 * variable CI is set (CI must always test the corpus), and returns NULL.
 * Call after ppTestInit(). Returns: (transfer none) the directory or NULL.
 */
const char *ppTestCorpusDir(const char *testpath);

/* Files in @dir whose names end in @suffix, sorted. (transfer full) */
GPtrArray *ppTestListDir(const char *dir, const char *suffix);

/* Remove @path and everything below it (symlinks are not followed);
 * what cannot be removed is reported, not fatal. */
void ppTestRemoveTree(const char *path);
