#!/usr/bin/env python3
# The structure rules of docs/style.md, on the source tree given as argv[1]:
#  - no .c or .h file under src/ or tools/ over 1,000 lines;
#  - no function body over 80 lines;
#  - no circle between the .c files of src/ (a.c calls a function that
#    b.c defines, and b.c, directly or through others, calls a.c);
#  - no circle among the headers of src/ and tools/;
#  - every docs/... path named in src/, tools/, tests/ or meson.build
#    exists in the repository.
# Prints TAP, one test per rule.
import glob
import os
import re
import sys

MAX_FILE_LINES = 1000
MAX_FUNCTION_LINES = 80

top = sys.argv[1]
os.chdir(top)
sources = sorted(glob.glob('src/*/*.[ch]') + glob.glob('tools/*.[ch]'))
results = []


def report(name, problems):
    results.append((name, problems))


def strip_c(text):
    """Comments and string literals blanked, line count kept."""
    def blank(m):
        return re.sub(r'[^\n]', ' ', m.group(0))
    return re.sub(r'/\*.*?\*/|"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'', blank, text,
                  flags=re.S)


def check_file_lengths():
    problems = []
    for f in sources:
        n = sum(1 for _ in open(f, encoding='utf-8'))
        if n > MAX_FILE_LINES:
            problems.append(f'{f}: {n} lines, more than {MAX_FILE_LINES}')
    report(f'no source file over {MAX_FILE_LINES} lines', problems)


def functions(path):
    """(name, first line, body lines) of each function defined at column 0."""
    lines = strip_c(open(path, encoding='utf-8').read()).split('\n')
    start = None
    name = None
    for i, line in enumerate(lines):
        if line == '{':
            start = i
            name = None
            for j in range(i - 1, max(i - 10, -1), -1):
                m = re.match(r'^([A-Za-z_]\w*)\(', lines[j])
                if m:
                    name = m.group(1)
                    break
        elif line == '}' and start is not None:
            if name:
                yield name, start + 1, i - start - 1
            start = None


def check_function_lengths():
    problems = []
    for f in sources:
        if not f.endswith('.c'):
            continue
        for name, line, body in functions(f):
            if body > MAX_FUNCTION_LINES:
                problems.append(f'{f}:{line}: {name}() has {body} lines, more than '
                                f'{MAX_FUNCTION_LINES}')
    report(f'no function over {MAX_FUNCTION_LINES} lines', problems)


def cycles(graph):
    """The strongly connected components of more than one node."""
    index = {}
    low = {}
    stack = []
    on_stack = set()
    found = []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1 or v in graph[v]:
                found.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def check_call_graph():
    files = [f for f in sources if f.startswith('src/') and f.endswith('.c')]
    text = {f: strip_c(open(f, encoding='utf-8').read()) for f in files}
    defined = {}
    for f in files:
        for m in re.finditer(r'^(?!static\b)[A-Za-z_][^\n;(]*\n([A-Za-z_]\w*)\(', text[f], re.M):
            defined[m.group(1)] = f
    graph = {f: set() for f in files}
    for f in files:
        for name in set(re.findall(r'\b([A-Za-z_]\w*)\s*\(', text[f])):
            g = defined.get(name)
            if g and g != f:
                graph[f].add(g)
    problems = []
    for comp in cycles(graph):
        edges = [f'{a} -> {b}' for a in comp for b in sorted(graph[a]) if b in comp]
        problems.append('circle: ' + '; '.join(edges))
    report('no circle between the .c files of src/', problems)


def check_include_graph():
    headers = {os.path.basename(f): f for f in sources if f.endswith('.h')}
    graph = {f: set() for f in headers.values()}
    for f in graph:
        for inc in re.findall(r'^#include "([^"]+)"', open(f, encoding='utf-8').read(), re.M):
            if inc in headers:
                graph[f].add(headers[inc])
    problems = ['circle: ' + ' '.join(comp) for comp in cycles(graph)]
    report('no circle among the headers', problems)


def check_cited_docs():
    files = [f for f in glob.glob('src/*/*.[ch]') + glob.glob('tools/*.[ch]') +
             glob.glob('tests/*.[ch]') + glob.glob('tests/*/*.[ch]') +
             glob.glob('**/meson.build', recursive=True)
             if not f.startswith(('build', 'subprojects'))]
    problems = []
    for f in sorted(files):
        for n, line in enumerate(open(f, encoding='utf-8', errors='replace'), 1):
            for m in re.finditer(r"(QEMU's |libvirt's )?\bdocs/([\w./-]*\w)", line):
                if m.group(1):
                    continue  # another project's document, named as theirs
                path = 'docs/' + m.group(2)
                if not os.path.exists(path):
                    problems.append(f'{f}:{n}: cites {path}, which is not in the repository')
    report('every docs/ file the sources cite exists', problems)


check_file_lengths()
check_function_lengths()
check_call_graph()
check_include_graph()
check_cited_docs()

print(f'1..{len(results)}')
failed = False
for i, (name, problems) in enumerate(results, 1):
    print(f'{"not ok" if problems else "ok"} {i} - {name}')
    for p in problems:
        print(f'# {p}')
    failed = failed or bool(problems)
sys.exit(1 if failed else 0)
