/*
 * xml_spans.c: byte offsets of every element of a well-formed document
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "xml_spans.h"
#include "pperror.h"

#include <string.h>

/* libxml2 refuses deeper nesting without XML_PARSE_HUGE; so do we. */
#define PP_XML_MAX_DEPTH 256

static gboolean
ppXmlSkipPast(const char *text, gsize len, gsize *pos, const char *term, GError **error)
{
    const char *hit = g_strstr_len(text + *pos, len - *pos, term);

    if (!hit) {
        g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                    _("Malformed XML: '%1$s' is never closed"), term);
        return FALSE;
    }
    *pos = (hit - text) + strlen(term);
    return TRUE;
}

/* Scan a start tag from just after '<' to just past '>', honouring quotes. */
static gboolean
ppXmlScanStartTag(const char *text, gsize len, gsize *pos, gboolean *empty, GError **error)
{
    gsize i = *pos;

    while (i < len) {
        char c = text[i];

        if (c == '"' || c == '\'') {
            const char *close = memchr(text + i + 1, c, len - i - 1);
            if (!close)
                break;
            i = (close - text) + 1;
            continue;
        }
        if (c == '>') {
            *empty = i > 0 && text[i - 1] == '/';
            *pos = i + 1;
            return TRUE;
        }
        if (c == '<')
            break;
        i++;
    }
    g_set_error(error, PP_ERROR, PP_ERROR_CONFIG, _("Malformed XML: unterminated start tag"));
    return FALSE;
}

static gboolean
ppXmlScanMarkup(const char *text,
                gsize len,
                gsize *pos,
                GArray *spans,
                GArray *stack,
                GError **error)
{
    gsize i = *pos;

    if (g_str_has_prefix(text + i, "<!--"))
        return ppXmlSkipPast(text, len, pos, "-->", error);
    if (g_str_has_prefix(text + i, "<![CDATA["))
        return ppXmlSkipPast(text, len, pos, "]]>", error);
    if (g_str_has_prefix(text + i, "<?"))
        return ppXmlSkipPast(text, len, pos, "?>", error);
    if (g_str_has_prefix(text + i, "<!")) {
        g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                    _("Domain XML must not contain a DOCTYPE or other declaration; DTDs and entities are refused"));
        return FALSE;
    }
    if (text[i + 1] == '/') {
        PpXmlSpan *span;

        if (stack->len == 0) {
            g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                        _("Malformed XML: end tag without a start tag"));
            return FALSE;
        }
        span = &g_array_index(spans, PpXmlSpan,
                              g_array_index(stack, guint, stack->len - 1));
        g_array_set_size(stack, stack->len - 1);
        span->endStart = i;
        *pos = i;
        if (!ppXmlSkipPast(text, len, pos, ">", error))
            return FALSE;
        span->end = *pos;
        return TRUE;
    } else {
        PpXmlSpan span = { .start = i, .depth = stack->len };
        guint idx = spans->len;

        if (stack->len >= PP_XML_MAX_DEPTH) {
            g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                        _("XML elements are nested deeper than the limit of %1$d"),
                        PP_XML_MAX_DEPTH);
            return FALSE;
        }
        *pos = i + 1;
        if (!ppXmlScanStartTag(text, len, pos, &span.empty, error))
            return FALSE;
        span.startEnd = *pos;
        if (span.empty) {
            span.endStart = span.startEnd - 2;
            span.end = span.startEnd;
        }
        g_array_append_val(spans, span);
        if (!span.empty)
            g_array_append_val(stack, idx);
        return TRUE;
    }
}

/**
 * ppXmlSpansScan:
 * @text: the document, NUL terminated at @len
 *
 * Returns: (transfer full) the element spans, or NULL with @error set.
 */
PpXmlSpans *
ppXmlSpansScan(const char *text, gsize len, GError **error)
{
    g_autoptr(PpXmlSpans) ret = g_new0(PpXmlSpans, 1);
    g_autoptr(GArray) stack = g_array_new(FALSE, FALSE, sizeof(guint));
    gsize pos = 0;

    ret->spans = g_array_new(FALSE, TRUE, sizeof(PpXmlSpan));

    if (memchr(text, '\0', len)) {
        g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                    _("Input contains NUL bytes; only UTF-8 XML is accepted"));
        return NULL;
    }

    while (pos < len) {
        const char *lt = memchr(text + pos, '<', len - pos);

        if (!lt)
            break;
        pos = lt - text;
        if (!ppXmlScanMarkup(text, len, &pos, ret->spans, stack, error))
            return NULL;
    }
    if (stack->len != 0) {
        g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                    _("Malformed XML: an element is never closed"));
        return NULL;
    }
    return g_steal_pointer(&ret);
}

void
ppXmlSpansFree(PpXmlSpans *spans)
{
    if (!spans)
        return;
    if (spans->spans)
        g_array_unref(spans->spans);
    g_free(spans);
}
