/*
 * ppfile.c: bounded reads and atomic writes
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "ppfile.h"
#include "pperror.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

/**
 * ppFileReadStreamBounded:
 * @fd: descriptor to read until end of file
 * @name: how to name the input in errors
 * @maxlen: refuse inputs larger than this many bytes
 *
 * Reads everything from @fd, but never more than @maxlen bytes: a larger
 * input is refused before it is held in memory.
 *
 * Returns: TRUE with @ret_data (transfer full, NUL terminated) and @ret_len set.
 */
gboolean
ppFileReadStreamBounded(int fd,
                        const char *name,
                        gsize maxlen,
                        char **ret_data,
                        gsize *ret_len,
                        GError **error)
{
    g_autoptr(GByteArray) buf = g_byte_array_new();
    g_autofree guint8 *chunk = g_malloc(65536);

    for (;;) {
        ssize_t got = read(fd, chunk, 65536);

        if (got < 0) {
            if (errno == EINTR)
                continue;
            g_set_error(error, PP_ERROR, PP_ERROR_IO, _("Cannot read '%1$s': %2$s"), name,
                        g_strerror(errno));
            return FALSE;
        }
        if (got == 0)
            break;
        if (buf->len + (gsize)got > maxlen) {
            g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                        _("Input '%1$s' is larger than the limit of %2$" G_GSIZE_FORMAT " bytes"),
                        name, maxlen);
            return FALSE;
        }
        g_byte_array_append(buf, chunk, got);
    }

    *ret_len = buf->len;
    g_byte_array_append(buf, (const guint8 *)"", 1);
    *ret_data = (char *)g_byte_array_free(g_steal_pointer(&buf), FALSE);
    return TRUE;
}

/**
 * ppFileReadBounded:
 * @path: file to read, or "-" for standard input
 *
 * Like ppFileReadStreamBounded() for a path.
 */
gboolean
ppFileReadBounded(const char *path,
                  gsize maxlen,
                  char **ret_data,
                  gsize *ret_len,
                  GError **error)
{
    int fd;
    gboolean ok;

    if (g_str_equal(path, "-"))
        return ppFileReadStreamBounded(STDIN_FILENO, _("standard input"), maxlen, ret_data,
                                       ret_len, error);

    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        g_set_error(error, PP_ERROR, PP_ERROR_IO, _("Cannot open '%1$s': %2$s"), path,
                    g_strerror(errno));
        return FALSE;
    }
    ok = ppFileReadStreamBounded(fd, path, maxlen, ret_data, ret_len, error);
    close(fd);
    return ok;
}

/**
 * ppFileWriteAtomic:
 * @path: destination
 *
 * Writes a temporary file beside @path, syncs it and renames it over @path,
 * so @path holds either its old content or all of @data, never a part.
 */
gboolean
ppFileWriteAtomic(const char *path,
                  const char *data,
                  gsize len,
                  GError **error)
{
    g_autoptr(GError) err = NULL;

    if (!g_file_set_contents_full(path, data, len, G_FILE_SET_CONTENTS_CONSISTENT, 0644, &err)) {
        g_set_error(error, PP_ERROR, PP_ERROR_IO, _("Cannot write '%1$s': %2$s"), path,
                    err->message);
        return FALSE;
    }
    return TRUE;
}
