/*
 * ppfile.h: bounded reads and atomic writes
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "internal.h"

/* The largest input we read. The largest domain in libvirt's own test
 * suite is well under 100 KiB; a planned 4000-device domain is a few MiB. */
#define PP_FILE_MAX_INPUT (16 * 1024 * 1024)

gboolean ppFileReadBounded(const char *path,
                           gsize maxlen,
                           char **ret_data,
                           gsize *ret_len,
                           GError **error);

gboolean ppFileReadStreamBounded(int fd,
                                 const char *name,
                                 gsize maxlen,
                                 char **ret_data,
                                 gsize *ret_len,
                                 GError **error);

gboolean ppFileWriteAtomic(const char *path,
                           const char *data,
                           gsize len,
                           GError **error);

gboolean ppFileSameAsInput(const char *input, const char *output);
