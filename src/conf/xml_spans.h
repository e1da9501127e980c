/*
 * xml_spans.h: byte offsets of every element of a well-formed document
 *
 * libxml2 can parse a domain but cannot write it back byte for byte (it
 * re-quotes attributes and drops the original spacing inside tags). The
 * writer therefore splices edits into the original text, and needs to know
 * where each element starts and ends. This scanner runs before libxml2 and
 * also refuses what we never accept: DOCTYPE (and with it every entity),
 * NUL bytes, encodings other than UTF-8, and nesting deeper than libxml2
 * itself allows.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "internal.h"

typedef struct {
    gsize start;      /* offset of '<' of the start tag */
    gsize startEnd;   /* offset just past the '>' of the start tag */
    gsize endStart;   /* offset of "</" of the end tag; == startEnd - 2 for "<x/>" */
    gsize end;        /* offset just past the element */
    gboolean empty;   /* written as <x .../> */
    guint depth;      /* 0 for the root element */
} PpXmlSpan;

typedef struct _PpXmlSpans PpXmlSpans;
struct _PpXmlSpans {
    GArray *spans; /* PpXmlSpan, in document order */
};

PpXmlSpans *ppXmlSpansScan(const char *text, gsize len, GError **error);
void ppXmlSpansFree(PpXmlSpans *spans);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PpXmlSpans, ppXmlSpansFree);
