#!/usr/bin/env python3
#
# check-msgids.py SRCDIR: every message marked with _() or N_() in the
# files of po/POTFILES reaches xgettext whole.
#
# A macro between string literals (_("... %" G_GSIZE_FORMAT " bytes"))
# is invisible to xgettext, which then cuts the msgid at the macro, so
# translators get half a sentence and the translated lookup never
# matches. This scans each call's argument: it must be string literals
# only, up to the closing parenthesis; then runs xgettext as the po
# target does (GLib's keywords) and checks that every scanned msgid is
# in its output, character for character.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import os
import re
import subprocess
import sys
import tempfile

top = sys.argv[1]
os.chdir(top)
files = [l.strip() for l in open('po/POTFILES') if l.strip() and not l.startswith('#')]

CALL = re.compile(r'(?<![A-Za-z0-9_])(N_|_)\(\s*')
LITERAL = re.compile(r'"((?:[^"\\\n]|\\.)*)"\s*')


def strip_comments(text):
    # keep line numbers: replace comment characters by spaces, not strings
    out = []
    i = 0
    n = len(text)
    while i < n:
        c = text[i]
        if c == '"' or c == "'":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == '\\' else 1
            out.append(text[i:j + 1])
            i = j + 1
        elif text.startswith('/*', i):
            j = text.find('*/', i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r'[^\n]', ' ', text[i:j]))
            i = j
        elif text.startswith('//', i):
            j = text.find('\n', i)
            j = n if j < 0 else j
            out.append(' ' * (j - i))
            i = j
        else:
            out.append(c)
            i += 1
    return ''.join(out)


failures = []
scanned = {}
for f in files:
    text = strip_comments(open(f, encoding='utf-8').read())
    for m in CALL.finditer(text):
        pos = m.end()
        if pos >= len(text) or text[pos] != '"':
            continue  # _(variable): nothing to extract
        parts = []
        while True:
            lit = LITERAL.match(text, pos)
            if not lit:
                break
            parts.append(lit.group(1))
            pos = lit.end()
        line = text.count('\n', 0, m.start()) + 1
        if text[pos] != ')':
            rest = text[pos:pos + 30].split('\n')[0]
            failures.append('%s:%d: the message is cut at "%s": only string literals may '
                            'stand inside %s()' % (f, line, rest, m.group(1)))
            continue
        scanned.setdefault(''.join(parts), '%s:%d' % (f, line))

with tempfile.TemporaryDirectory() as tmp:
    pot = os.path.join(tmp, 'check.pot')
    # GLib's preset of meson's i18n module, without wrapping
    subprocess.run(['xgettext', '--from-code=UTF-8', '--add-comments', '--no-wrap',
                    '--keyword=_', '--keyword=N_', '--keyword=C_:1c,2', '--keyword=NC_:1c,2',
                    '--keyword=g_dcgettext:2', '--keyword=g_dngettext:2,3',
                    '--keyword=g_dpgettext2:2c,3', '--flag=N_:1:pass-c-format',
                    '--flag=C_:2:pass-c-format', '--flag=NC_:2:pass-c-format',
                    '--flag=g_dngettext:2:pass-c-format', '--flag=g_strdup_printf:1:c-format',
                    '--flag=g_string_printf:2:c-format', '--flag=g_string_append_printf:2:c-format',
                    '--flag=g_error_new:3:c-format', '--flag=g_set_error:4:c-format',
                    '-o', pot] + files, check=True)
    extracted = set()
    cur = None
    for line in open(pot, encoding='utf-8'):
        if line.startswith('msgid "'):
            cur = [line[len('msgid "'):].rstrip('\n')[:-1]]
        elif cur is not None and line.startswith('"'):
            cur.append(line.rstrip('\n')[1:-1])
        elif cur is not None:
            extracted.add(''.join(cur))
            cur = None

for msgid, where in sorted(scanned.items(), key=lambda kv: kv[1]):
    if msgid not in extracted:
        failures.append('%s: xgettext does not extract "%s" whole' % (where, msgid))

for f in failures:
    print('not ok: ' + f)
if failures:
    sys.exit(1)
print('%d messages of %d files extract whole' % (len(scanned), len(files)))
