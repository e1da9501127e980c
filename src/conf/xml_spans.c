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

/* libxml2 looks for a repeated attribute in time quadratic in their
 * number: 20000 attributes on one element take xmllint seconds, 100000
 * minutes. No element of a libvirt domain has more than a dozen. */
#define PP_XML_MAX_ATTRIBUTES 1024

/* libxml2's XML_MAX_TEXT_LENGTH (parserInternals.h): without
 * XML_PARSE_HUGE, which libvirt does not pass either, it refuses a longer
 * comment, CDATA section, processing instruction or attribute value
 * ("Comment too big found"). Checked here to say where and what. */
#define PP_XML_MAX_TEXT 10000000

static gboolean
ppXmlCheckLength(const char *text, gsize start, gsize end, const char *what, GError **error)
{
    gsize line = 1;
    gsize i;

    if (end - start <= PP_XML_MAX_TEXT)
        return TRUE;
    for (i = 0; i < start; i++)
        line += text[i] == '\n';
    g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                _("The %1$s at line %2$llu is %3$llu bytes long; libxml2, and so libvirt, refuses more than %4$d bytes in one: shorten it"),
                what, (unsigned long long)line, (unsigned long long)(end - start), PP_XML_MAX_TEXT);
    return FALSE;
}

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
    guint values = 0;

    while (i < len) {
        char c = text[i];

        if (c == '"' || c == '\'') {
            const char *close = memchr(text + i + 1, c, len - i - 1);
            if (!close)
                break;
            if (!ppXmlCheckLength(text, i + 1, close - text, _("attribute value"), error))
                return FALSE;
            if (++values > PP_XML_MAX_ATTRIBUTES) {
                gsize line = 1;
                gsize j;

                for (j = 0; j < *pos; j++)
                    line += text[j] == '\n';
                g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                            _("The element at line %1$llu has more than %2$d attributes; no element of a libvirt domain has nearly as many: remove them"),
                            (unsigned long long)line, PP_XML_MAX_ATTRIBUTES);
                return FALSE;
            }
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
        return ppXmlSkipPast(text, len, pos, "-->", error) &&
               ppXmlCheckLength(text, i, *pos, _("comment"), error);
    if (g_str_has_prefix(text + i, "<![CDATA["))
        return ppXmlSkipPast(text, len, pos, "]]>", error) &&
               ppXmlCheckLength(text, i, *pos, _("CDATA section"), error);
    if (g_str_has_prefix(text + i, "<?"))
        return ppXmlSkipPast(text, len, pos, "?>", error) &&
               ppXmlCheckLength(text, i, *pos, _("processing instruction"), error);
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

/* Line and column (both from 1) of byte @pos, for messages. */
static void
ppXmlLineColumn(const char *text, gsize pos, guint *line, guint *col)
{
    gsize i;
    gsize bol = 0;

    *line = 1;
    for (i = 0; i < pos; i++) {
        if (text[i] == '\n') {
            (*line)++;
            bol = i + 1;
        }
    }
    *col = (guint)(pos - bol) + 1;
}

/* Encodings whose bytes are UTF-8's: what a declaration may say. */
static gboolean
ppXmlEncodingIsUTF8(const char *name)
{
    return g_ascii_strcasecmp(name, "UTF-8") == 0 || g_ascii_strcasecmp(name, "UTF8") == 0 ||
           g_ascii_strcasecmp(name, "US-ASCII") == 0 || g_ascii_strcasecmp(name, "ASCII") == 0;
}

/*
 * The encoding an XML declaration at @text names, or NULL when there is
 * no declaration or it names none (XML 1.0 section 4.3.3: then the
 * document is UTF-8). A malformed declaration is left to libxml2.
 */
static char *
ppXmlDeclEncoding(const char *text, gsize len)
{
    const char *end;
    const char *p;
    char quote;
    const char *close;

    if (len < 6 || !g_str_has_prefix(text, "<?xml") || !g_ascii_isspace(text[5]))
        return NULL;
    if (!(end = g_strstr_len(text, len, "?>")))
        return NULL;
    if (!(p = g_strstr_len(text, end - text, "encoding")))
        return NULL;
    p += strlen("encoding");
    while (p < end && g_ascii_isspace(*p))
        p++;
    if (p >= end || *p++ != '=')
        return NULL;
    while (p < end && g_ascii_isspace(*p))
        p++;
    if (p >= end || (*p != '"' && *p != '\''))
        return NULL;
    quote = *p++;
    if (!(close = memchr(p, quote, end - p)))
        return NULL;
    return g_strndup(p, close - p);
}

/*
 * libvirt reads and writes domain XML in UTF-8, and the scanner below
 * reads bytes as UTF-8 does. A document in any other encoding would be
 * read one way here and another way by libxml2 (a UTF-7 document's
 * "+ADw-" is '<' to libxml2 and text to the scanner), so the plan could
 * land inside what libxml2 reads as a comment. Such documents are
 * refused, not converted: the user converts once and keeps the file.
 * A UTF-8 byte order mark is UTF-8 and is kept as it is.
 */
static gboolean
ppXmlCheckEncoding(const char *text, gsize len, GError **error)
{
    static const struct {
        const char *bom;
        gsize len;
        const char *name;
    } boms[] = {
        /* UTF-32 first: its little-endian mark starts like UTF-16's. */
        { "\x00\x00\xfe\xff", 4, "UTF-32BE" },
        { "\xff\xfe\x00\x00", 4, "UTF-32LE" },
        { "\xfe\xff", 2, "UTF-16BE" },
        { "\xff\xfe", 2, "UTF-16LE" },
    };
    g_autofree char *declared = NULL;
    const char *bad = NULL;
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(boms); i++) {
        if (len >= boms[i].len && memcmp(text, boms[i].bom, boms[i].len) == 0) {
            g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                        _("The document is in %1$s; virt-pciplan reads UTF-8 only, as libvirt writes it: convert it, e.g. 'iconv -f %2$s -t UTF-8', and declare encoding='UTF-8' or none"),
                        boms[i].name, boms[i].name);
            return FALSE;
        }
    }
    /* No mark, but '<' and the next character in UTF-16 (XML 1.0
     * appendix F). */
    if (len >= 4 && text[0] == '\0' && text[1] == '<' && text[2] == '\0') {
        g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                    _("The document is in %1$s; virt-pciplan reads UTF-8 only, as libvirt writes it: convert it, e.g. 'iconv -f %2$s -t UTF-8', and declare encoding='UTF-8' or none"),
                    "UTF-16BE", "UTF-16BE");
        return FALSE;
    }
    if (len >= 4 && text[0] == '<' && text[1] == '\0' && text[3] == '\0') {
        g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                    _("The document is in %1$s; virt-pciplan reads UTF-8 only, as libvirt writes it: convert it, e.g. 'iconv -f %2$s -t UTF-8', and declare encoding='UTF-8' or none"),
                    "UTF-16LE", "UTF-16LE");
        return FALSE;
    }
    /* '<' is 0x4c in EBCDIC, '?' 0x6f, and every letter 0x81 or above. */
    if (len >= 2 && (guchar)text[0] == 0x4c &&
        ((guchar)text[1] == 0x6f || (guchar)text[1] >= 0x80)) {
        g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                    _("The document is in %1$s; virt-pciplan reads UTF-8 only, as libvirt writes it: convert it, e.g. 'iconv -f %2$s -t UTF-8', and declare encoding='UTF-8' or none"),
                    "EBCDIC", "IBM037");
        return FALSE;
    }
    if (memchr(text, '\0', len)) {
        guint line;
        guint col;

        ppXmlLineColumn(text, (const char *)memchr(text, '\0', len) - text, &line, &col);
        g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                    _("The document contains a NUL byte at line %1$u, column %2$u; XML cannot contain one: remove it"),
                    line, col);
        return FALSE;
    }
    if (!g_utf8_validate_len(text, len, &bad)) {
        guint line;
        guint col;

        ppXmlLineColumn(text, bad - text, &line, &col);
        g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                    _("The document is not valid UTF-8: byte 0x%1$02x at line %2$u, column %3$u; virt-pciplan reads UTF-8 only, as libvirt writes it: convert it, e.g. 'iconv -f ISO-8859-1 -t UTF-8' for Latin-1"),
                    (guint)(guchar)*bad, line, col);
        return FALSE;
    }
    if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
        declared = ppXmlDeclEncoding(text + 3, len - 3);
    else
        declared = ppXmlDeclEncoding(text, len);
    if (declared && !ppXmlEncodingIsUTF8(declared)) {
        g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                    _("The XML declaration says encoding='%1$s'; virt-pciplan reads UTF-8 only, as libvirt writes it: convert the document, e.g. 'iconv -f %1$s -t UTF-8', and declare encoding='UTF-8' or none"),
                    declared);
        return FALSE;
    }
    return TRUE;
}

/**
 * ppXmlSpansScan:
 * @text: the document, NUL terminated at @len
 *
 * Refuses, with PP_ERROR_CONFIG, documents that are not UTF-8 (by byte
 * order mark, by content or by their XML declaration) or contain NUL.
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

    if (!ppXmlCheckEncoding(text, len, error))
        return NULL;

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
