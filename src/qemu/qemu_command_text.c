/*
 * qemu_command_text.c: a command line as text, both ways: the golden-file
 * lines and shell words as libvirt logs them
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "qemu_commandpriv.h"
#include "pperror.h"

#include <string.h>

static gboolean
ppQemuShellIsSafe(const char *arg)
{
    const char *p;

    if (!*arg)
        return FALSE;
    for (p = arg; *p; p++) {
        if (!g_ascii_isalnum(*p) && !strchr("_@%+=:,./-", *p))
            return FALSE;
    }
    return TRUE;
}

/* Single quotes unless nothing needs them, as libvirt logs the line. */
static void
ppQemuShellAppend(GString *out, const char *arg)
{
    const char *p;

    if (ppQemuShellIsSafe(arg)) {
        g_string_append(out, arg);
        return;
    }
    g_string_append_c(out, '\'');
    for (p = arg; *p; p++) {
        if (*p == '\'')
            g_string_append(out, "'\\''");
        else
            g_string_append_c(out, *p);
    }
    g_string_append_c(out, '\'');
}

char *
ppQemuCommandLineFormat(const char *const *argv, PpQemuFormat format)
{
    GString *out = g_string_new(NULL);
    guint i;

    for (i = 0; argv[i]; i++) {
        switch (format) {
        case PP_QEMU_FORMAT_LINES:
            g_string_append_printf(out, "%s\n", argv[i]);
            break;
        case PP_QEMU_FORMAT_SHELL:
            if (i > 0)
                g_string_append(out, argv[i][0] == '-' ? " \\\n" : " ");
            ppQemuShellAppend(out, argv[i]);
            break;
        case PP_QEMU_FORMAT_LAST:
            g_assert_not_reached();
        }
    }
    if (format == PP_QEMU_FORMAT_SHELL && i > 0)
        g_string_append_c(out, '\n');
    return g_string_free(out, FALSE);
}

static char **
ppQemuCommandLineParseLines(const char *text)
{
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    GPtrArray *argv = g_ptr_array_new();
    guint n = g_strv_length(lines);
    guint i;

    /* The newline that ends the last argument does not start another. */
    if (n > 0 && !*lines[n - 1])
        n--;
    for (i = 0; i < n; i++) {
        gsize len = strlen(lines[i]);

        if (len > 0 && lines[i][len - 1] == '\r')
            lines[i][len - 1] = '\0';
        g_ptr_array_add(argv, g_strdup(lines[i]));
    }
    g_ptr_array_add(argv, NULL);
    return (char **)g_ptr_array_free(argv, FALSE);
}

char **
ppQemuCommandLineParse(const char *text, PpQemuFormat format, GError **error)
{
    g_auto(GStrv) argv = NULL;
    g_autoptr(GError) shellError = NULL;

    switch (format) {
    case PP_QEMU_FORMAT_LINES:
        argv = ppQemuCommandLineParseLines(text);
        break;
    case PP_QEMU_FORMAT_SHELL:
        if (!g_shell_parse_argv(text, NULL, &argv, &shellError) &&
            !g_error_matches(shellError, G_SHELL_ERROR, G_SHELL_ERROR_EMPTY_STRING)) {
            /* GLib's message quotes the whole text: one line, and short. */
            g_autofree char *msg = g_utf8_make_valid(shellError->message, -1);

            g_strdelimit(msg, "\r\n", ' ');
            if (g_utf8_strlen(msg, -1) > 200)
                *g_utf8_offset_to_pointer(msg, 200) = '\0';
            g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                        _("Cannot read the command line: %1$s"), msg);
            return NULL;
        }
        break;
    case PP_QEMU_FORMAT_LAST:
        g_assert_not_reached();
    }
    if (!argv || !argv[0]) {
        g_set_error(error, PP_ERROR, PP_ERROR_CONFIG, _("The command line is empty"));
        return NULL;
    }
    return g_steal_pointer(&argv);
}
