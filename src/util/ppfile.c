/*
 * ppfile.c: bounded reads and atomic writes
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "ppfile.h"
#include "pperror.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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
                        /* no G_GSIZE_FORMAT inside _(): xgettext would cut the msgid there */
                        _("Input '%1$s' is larger than the limit of %2$lu bytes"),
                        name, (unsigned long)maxlen);
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

/* write(2) all of @data, retrying short writes and EINTR. */
static gboolean
ppFileWriteAll(int fd, const char *data, gsize len)
{
    while (len > 0) {
        ssize_t done = write(fd, data, len);

        if (done < 0 && errno == EINTR)
            continue;
        if (done <= 0)
            return FALSE;
        data += done;
        len -= done;
    }
    return TRUE;
}

/**
 * ppFileWriteAtomic:
 * @path: destination; a symbolic link is followed, so the file it names
 *        is replaced and the link stays
 *
 * Writes a temporary file beside @path, syncs it and renames it over @path,
 * so @path holds either its old content or all of @data, never a part.
 * A file that existed keeps its permission bits, owner and group (a
 * domain dumped with --security-info holds passwords and is usually 0600);
 * when the owner cannot be kept (not root, someone else's file) nothing
 * is written. A new file gets 0666 less the umask, as any tool's output.
 *
 * Returns: TRUE on success; FALSE with a PP_ERROR_IO @error, @path untouched.
 */
gboolean
ppFileWriteAtomic(const char *path,
                  const char *data,
                  gsize len,
                  GError **error)
{
    g_autofree char *target = NULL;
    g_autofree char *tmp = NULL;
    struct stat st;
    gboolean exists;
    int saved;
    int fd;

    /* Replace the file a symbolic link names, not the link. */
    if (!(target = realpath(path, NULL))) {
        g_autofree char *link = g_file_read_link(path, NULL);
        g_autofree char *dir = g_path_get_dirname(path);

        if (!link)
            target = g_strdup(path);
        else if (g_path_is_absolute(link))
            target = g_steal_pointer(&link);
        else
            target = g_build_filename(dir, link, NULL); /* a dangling link */
    }
    exists = stat(target, &st) == 0;
    if (!exists && errno != ENOENT) {
        g_set_error(error, PP_ERROR, PP_ERROR_IO, _("Cannot write '%1$s': %2$s"), path,
                    g_strerror(errno));
        return FALSE;
    }
    if (exists && !S_ISREG(st.st_mode)) {
        g_set_error(error, PP_ERROR, PP_ERROR_IO,
                    _("Cannot write '%1$s': not a regular file"), path);
        return FALSE;
    }

    tmp = g_strdup_printf("%s.XXXXXX", target);
    /* open(2) applies the umask: 0666 less it for a new file; an
     * existing file's own bits are set below. */
    if ((fd = g_mkstemp_full(tmp, O_RDWR | O_CLOEXEC, 0666)) < 0) {
        g_set_error(error, PP_ERROR, PP_ERROR_IO, _("Cannot write '%1$s': %2$s"), path,
                    g_strerror(errno));
        return FALSE;
    }
    if (exists &&
        (((st.st_uid != geteuid() || st.st_gid != getegid()) &&
          fchown(fd, st.st_uid, st.st_gid) < 0) ||
         fchmod(fd, st.st_mode & 07777) < 0)) {
        saved = errno;
        close(fd);
        unlink(tmp);
        g_set_error(error, PP_ERROR, PP_ERROR_IO,
                    _("Cannot write '%1$s' keeping its owner and mode: %2$s; write to another file"),
                    path, g_strerror(saved));
        return FALSE;
    }
    if (!ppFileWriteAll(fd, data, len) || fsync(fd) < 0)
        goto fail;
    if (close(fd) < 0) {
        fd = -1;
        goto fail;
    }
    fd = -1;
    if (rename(tmp, target) < 0)
        goto fail;
    return TRUE;

 fail:
    saved = errno;
    if (fd >= 0)
        close(fd);
    unlink(tmp);
    g_set_error(error, PP_ERROR, PP_ERROR_IO, _("Cannot write '%1$s': %2$s"), path,
                g_strerror(saved));
    return FALSE;
}

/**
 * ppFileSameAsInput:
 * @input: a path, or "-" for standard input
 * @output: a path that may not exist yet
 *
 * Whether writing @output would replace @input: the same file, also
 * through another name (a link, "./x", a hard link) or as standard input.
 */
gboolean
ppFileSameAsInput(const char *input, const char *output)
{
    struct stat in;
    struct stat out;

    if (stat(output, &out) < 0)
        return FALSE;
    if (g_str_equal(input, "-") ? fstat(STDIN_FILENO, &in) < 0 : stat(input, &in) < 0)
        return FALSE;
    return S_ISREG(in.st_mode) && in.st_dev == out.st_dev && in.st_ino == out.st_ino;
}
