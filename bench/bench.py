#!/usr/bin/env python3
# virt-pciplan's benchmark (issue 13), run by `meson test -C build --benchmark`:
# side by side in one run, on this machine,
#   - whole process, as users run it: `virt-pciplan plan` against
#     `xmllint --format` and `virsh define` + `dumpxml` (libvirt's embedded
#     QEMU driver) on a q35 domain with 200 virtio NICs, a pc one with 250
#     and a q35 one with 2000 (hotpluggable='no');
#   - in-process: planning through libvirt-pciplan (GObject introspection)
#     against libvirt's own define (python3-libvirt) of the same XML;
#   - per-device cost: plan, xmllint and in-process plan from 10 to 2000
#     devices.
# Times are medians of interleaved rounds. Writes docs/benchmark.md (the
# table and the ratios against the goals) and docs/benchmark.png (gnuplot).
# Speed is never a test: nothing here fails on a slow machine.
#
# SPDX-License-Identifier: LGPL-2.1-or-later
import argparse
import datetime
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import gi
import libvirt

gi.require_version('VirtPciplan', '1.0')
from gi.repository import VirtPciplan  # noqa: E402

SWEEP = [10, 20, 50, 100, 200, 500, 1000, 2000]


def domain_xml(name, machine, count, hotpluggable):
    """@count virtio NICs and nothing else that takes a PCI slot."""
    target = '' if hotpluggable else "<target hotpluggable='no'/>"
    nics = ''.join("    <interface type='user'><mac address='52:54:00:%02x:%02x:%02x'/>"
                   "<model type='virtio'/>%s</interface>\n"
                   % ((i >> 16) & 0xff, (i >> 8) & 0xff, i & 0xff, target)
                   for i in range(1, count + 1))
    return ("<domain type='qemu'>\n  <name>%s</name>\n"
            "  <memory unit='MiB'>512</memory>\n"
            "  <os>\n    <type arch='x86_64' machine='%s'>hvm</type>\n  </os>\n"
            "  <features>\n    <acpi/>\n  </features>\n  <devices>\n"
            "    <emulator>/usr/bin/qemu-system-x86_64</emulator>\n"
            "    <controller type='usb' model='none'/>\n%s"
            "    <memballoon model='none'/>\n  </devices>\n</domain>\n"
            % (name, machine, nics))


def children_cpu_ns():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return int((usage.ru_utime + usage.ru_stime) * 1e9)


def run_ns(argv):
    """(wall, CPU) nanoseconds of one run of @argv: CPU is user + system
    time of the process and its threads, which other load hardly moves."""
    cpu = children_cpu_ns()
    start = time.perf_counter_ns()
    subprocess.run(argv, stdout=subprocess.DEVNULL, check=True)
    return time.perf_counter_ns() - start, children_cpu_ns() - cpu


def call_ns(fn):
    """(wall, CPU) nanoseconds of fn() in this process."""
    cpu = time.process_time_ns()
    start = time.perf_counter_ns()
    fn()
    return time.perf_counter_ns() - start, time.process_time_ns() - cpu


class Time(float):
    """The median wall time in ms; .cpu is the median CPU time. On a
    shared machine wall time carries the other processes' load (runs
    wait for a CPU), CPU time hardly: both are reported."""
    def __new__(cls, samples):
        self = super().__new__(cls, statistics.median(w for w, _ in samples) / 1e6)
        self.cpu = statistics.median(c for _, c in samples) / 1e6
        return self


def measure(commands, rounds):
    """Wall time of each command, rounds interleaved so that the
    machine's drift hits every command alike."""
    samples = {key: [] for key in commands}
    for _ in range(rounds):
        for key, fn in commands.items():
            samples[key].append(fn())
    return {key: Time(s) for key, s in samples.items()}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--tool', required=True)
    ap.add_argument('--docs', required=True, help='where benchmark.md and .png go')
    ap.add_argument('--rounds', type=int, default=7)
    args = ap.parse_args()

    for prog in ('xmllint', 'virsh', 'gnuplot'):
        if not shutil.which(prog):
            sys.exit('bench: %s is missing (scripts/quickstart installs it)' % prog)

    work = tempfile.mkdtemp(prefix='virt-pciplan-bench-')
    root = os.path.join(work, 'embed')
    uri = 'qemu:///embed?root=' + root
    cases = {
        'q35-200': domain_xml('bench-q35-200', 'q35', 200, True),
        'pc-250': domain_xml('bench-pc-250', 'pc', 250, True),
        'q35-2000': domain_xml('bench-q35-2000', 'q35', 2000, False),
    }
    files = {}
    planned = {}
    for name, xml in cases.items():
        files[name] = os.path.join(work, name + '.xml')
        with open(files[name], 'w', encoding='utf-8') as f:
            f.write(xml)
        planned[name] = os.path.join(work, name + '-planned.xml')
        subprocess.run([args.tool, 'plan', files[name], '-o', planned[name]], check=True)

    # The embedded root: prepared (qemu.conf) by one define, and warmed up
    # (libvirt probes the QEMU binary once per fresh root, ~10 s).
    subprocess.run([args.tool, 'define', '-c', uri, planned['q35-200']], check=True,
                   stdout=subprocess.DEVNULL)
    subprocess.run(['virsh', '-q', '-c', uri, 'undefine bench-q35-200'], check=True,
                   stdout=subprocess.DEVNULL)

    def virsh(name):
        def fn():
            # libvirt's whole job on the planned domain, then (untimed) undone.
            ns = run_ns(['virsh', '-q', '-c', uri,
                         'define %s; dumpxml bench-%s' % (planned[name], name)])
            subprocess.run(['virsh', '-q', '-c', uri, 'undefine bench-%s' % name], check=True,
                           stdout=subprocess.DEVNULL)
            return ns
        return fn

    # The first few virsh runs on a fresh root take seconds (libvirt
    # revalidates what it probed), then about a tenth of one: measure the
    # steady state.
    for name in cases:
        for _ in range(3):
            virsh(name)()

    whole = {}
    for name in cases:
        commands = {
            'plan': lambda n=name: run_ns([args.tool, 'plan', files[n]]),
            'xmllint': lambda n=name: run_ns(['xmllint', '--format', files[n]]),
            'virsh': virsh(name),
        }
        whole[name] = measure(commands, args.rounds)
        print('whole process %-9s %s' % (name, {k: cell(v) for k, v in whole[name].items()}),
              flush=True)

    # In-process, in this process: the library through introspection, and
    # libvirt's define through python3-libvirt, of the same planned XML.
    with open(planned['q35-200'], encoding='utf-8') as f:
        planned200 = f.read()
    libvirt.virEventRegisterDefaultImpl()
    conn = libvirt.open(uri)

    def lib_plan(xml):
        return lambda: call_ns(lambda: VirtPciplan.Plan.new_from_string(xml, None))

    def lib_plan_then_nothing():
        return lib_plan(cases['q35-200'])()

    def libvirt_define():
        doms = []
        ns = call_ns(lambda: doms.append(conn.defineXML(planned200)))
        doms[0].undefine()
        return ns

    inproc = measure({'library plan': lib_plan_then_nothing,
                      'library replan': lib_plan(planned200),
                      'libvirt define': libvirt_define}, args.rounds * 3)
    conn.close()
    print('in-process q35-200 %s' % {k: cell(v) for k, v in inproc.items()}, flush=True)

    # Per-device cost.
    sweep = []
    for count in SWEEP:
        xml = domain_xml('bench-sweep', 'q35', count, False)
        path = os.path.join(work, 'sweep-%d.xml' % count)
        with open(path, 'w', encoding='utf-8') as f:
            f.write(xml)
        row = measure({'plan': lambda p=path: run_ns([args.tool, 'plan', p]),
                       'xmllint': lambda p=path: run_ns(['xmllint', '--format', p]),
                       'library': lib_plan(xml)}, args.rounds)
        print('sweep %4d %s' % (count, {k: cell(v) for k, v in row.items()}), flush=True)
        row['devices'] = count
        sweep.append(row)

    write_docs(args, whole, inproc, sweep, work)
    shutil.rmtree(work, ignore_errors=True)


def goal(ok):
    return 'met' if ok else '**not met**'


def cell(t):
    return '%.1f / %.1f' % (t, t.cpu)


def ratio_cell(num, den, want_at_least=None, want_at_most=None):
    """num / den on wall and CPU time; the goal judged on CPU time."""
    wall = num / den
    cpu = num.cpu / den.cpu
    ok = cpu >= want_at_least if want_at_least is not None else cpu <= want_at_most
    return '%.2fx / %.2fx, %s' % (wall, cpu, goal(ok))


def write_docs(args, whole, inproc, sweep, work):
    by = {row['devices']: row for row in sweep}

    def extra(key, attr):
        return (attr(by[2000][key]) - attr(by[200][key])) * 1000 / 1800

    cpu = platform.machine()
    try:
        with open('/proc/cpuinfo', encoding='utf-8') as f:
            cpu = next(line.split(':', 1)[1].strip() for line in f if line.startswith('model name'))
    except (OSError, StopIteration):
        pass
    virsh_version = subprocess.run(['virsh', '--version'], capture_output=True,
                                   text=True).stdout.strip()
    lint_version = subprocess.run(['xmllint', '--version'], capture_output=True,
                                  text=True).stderr.splitlines()[0]
    out = []
    out.append('# Benchmark: whole process, in-process, per device\n')
    out.append('Written by `meson test -C build --benchmark` (bench/bench.py) on %s: %s, %d CPUs, '
               'load average %.1f when it finished; libvirt %s, %s, virt-pciplan %s. '
               'Every domain is virtio NICs only, generated by bench.py. Each cell is '
               '"wall / CPU" in ms, medians of %d interleaved rounds (%d in-process); CPU is '
               'user + system time of the process and its threads, which other load on the '
               'machine hardly changes, so the goals are judged on it. virsh defines the '
               'planned XML (libvirt cannot place 2000 devices itself) through the embedded '
               'QEMU driver, `define` then `dumpxml` in one virsh process, after three '
               'untimed runs (the first runs on a fresh root take seconds). Even so, virsh runs '
               'often probe the QEMU binary again (strace shows libvirt starting '
               '`qemu-system-x86_64 -machine none`, seconds of wall time on this machine), which '
               'is most of the wall time of virsh in the q35-200 row; the probing QEMU '
               'daemonizes, so the CPU column counts virsh alone.\n'
               % (datetime.date.today().isoformat(), cpu, os.cpu_count(), os.getloadavg()[0],
                  virsh_version, lint_version, VirtPciplan.get_version(), args.rounds,
                  args.rounds * 3))
    out.append('## Whole process, as users run it\n')
    out.append('| domain | `virt-pciplan plan` | `xmllint --format` | `virsh define`+`dumpxml` '
               '| virsh / plan (goal >= 10) | plan / xmllint (goal <= 2) |')
    out.append('|---|---:|---:|---:|---:|---:|')
    for name, t in whole.items():
        out.append('| %s | %s | %s | %s | %s | %s |'
                   % (name, cell(t['plan']), cell(t['xmllint']), cell(t['virsh']),
                      ratio_cell(t['virsh'], t['plan'], want_at_least=10),
                      ratio_cell(t['plan'], t['xmllint'], want_at_most=2)))
    out.append('\n## In-process, q35 with 200 virtio NICs\n')
    out.append('| libvirt-pciplan: plan | libvirt-pciplan: plan the planned XML '
               '| python3-libvirt: `defineXML` of the planned XML | define / plan (goal >= 10) |')
    out.append('|---:|---:|---:|---:|')
    out.append('| %s | %s | %s | %s |'
               % (cell(inproc['library plan']), cell(inproc['library replan']),
                  cell(inproc['libvirt define']),
                  ratio_cell(inproc['libvirt define'], inproc['library plan'], want_at_least=10)))
    out.append('\n## Per device: q35, virtio NICs with hotpluggable=\'no\'\n')
    out.append('| devices | `virt-pciplan plan` | `xmllint --format` | libvirt-pciplan, in-process |')
    out.append('|---:|---:|---:|---:|')
    for row in sweep:
        out.append('| %d | %s | %s | %s |'
                   % (row['devices'], cell(row['plan']), cell(row['xmllint']),
                      cell(row['library'])))
    wall = extra('plan', float) / extra('xmllint', float)
    cpu_ratio = extra('plan', lambda t: t.cpu) / extra('xmllint', lambda t: t.cpu)
    out.append('\nFrom 200 to 2000 devices, the extra time per device (wall / CPU): `plan` '
               '%.1f / %.1f us, `xmllint --format` %.1f / %.1f us, the library in-process '
               '%.1f / %.1f us; plan / xmllint = %.2fx / %.2fx (goal <= 1.5: %s). The planned '
               'document is about 2.7 times the size of its input (addresses, the controllers '
               'the plan adds, the hints\' mirror under `<metadata>`), bytes which '
               '`xmllint --format` does not write.\n'
               % (extra('plan', float), extra('plan', lambda t: t.cpu),
                  extra('xmllint', float), extra('xmllint', lambda t: t.cpu),
                  extra('library', float), extra('library', lambda t: t.cpu),
                  wall, cpu_ratio, goal(cpu_ratio <= 1.5)))
    out.append('![CPU time against devices](benchmark.png)\n')
    with open(os.path.join(args.docs, 'benchmark.md'), 'w', encoding='utf-8') as f:
        f.write('\n'.join(out))

    data = os.path.join(work, 'sweep.dat')
    with open(data, 'w', encoding='utf-8') as f:
        for row in sweep:
            f.write('%d %f %f %f\n' % (row['devices'], row['plan'].cpu, row['xmllint'].cpu,
                                       row['library'].cpu))
    script = '''set terminal pngcairo size 800,500
set output '%s'
set title 'CPU time against devices (q35, virtio NICs, hotpluggable=no; medians)'
set xlabel 'devices'
set ylabel 'ms'
set key top left
set grid
plot '%s' using 1:2 with linespoints title 'virt-pciplan plan (process)', \\
     '' using 1:3 with linespoints title 'xmllint --format (process)', \\
     '' using 1:4 with linespoints title 'libvirt-pciplan (in-process)'
''' % (os.path.join(args.docs, 'benchmark.png'), data)
    subprocess.run(['gnuplot'], input=script, text=True, check=True)
    print('\n'.join(out))


if __name__ == '__main__':
    main()
