#!/usr/bin/env python3
# The library from Python through GObject introspection (issue 13):
# `from gi.repository import VirtPciplan` against the build tree's typelib
# (GI_TYPELIB_PATH, LD_LIBRARY_PATH set by tests/meson.build), planning
# in-process. TAP output. Without PyGObject: skipped, or failed when CI is
# set (README: a check that needs a tool fails in CI when it is missing).
#
# SPDX-License-Identifier: LGPL-2.1-or-later
import os
import sys

try:
    import gi
    gi.require_version('VirtPciplan', '1.0')
    from gi.repository import GLib, VirtPciplan
except (ImportError, ValueError) as e:
    if os.environ.get('CI'):
        print('not ok 1 - cannot import VirtPciplan through GObject introspection: %s' % e)
        print('1..1')
        sys.exit(1)
    print('1..0 # SKIP no PyGObject or no VirtPciplan typelib: %s' % e)
    sys.exit(0)

srcdir = os.environ['PP_TEST_SRCDIR']
n = 0
failed = False


def check(ok, what):
    global n, failed
    n += 1
    print('%s %d - %s' % ('ok' if ok else 'not ok', n, what))
    failed = failed or not ok


def read(*path):
    with open(os.path.join(srcdir, *path), encoding='utf-8') as f:
        return f.read()


# The planned XML is the golden the CLI is checked against, and planning
# it again gives it back unchanged.
xml = read('qemuxml2argvdata', 'q35-graphics-video.xml')
want = read('qemuxml2xmloutdata', 'q35-graphics-video.xml')
plan = VirtPciplan.Plan.new_from_string(xml, None)
check(plan.get_xml() == want, 'plan from a string gives the golden XML')
check(plan.get_n_added() > 0, 'the plan added %d controllers and devices' % plan.get_n_added())
again = VirtPciplan.Plan.new_from_string(plan.get_xml(), None)
check(again.get_xml() == want and again.get_n_added() == 0, 'planning a planned domain changes nothing')

# Options as GObject properties, a file, and the explanation.
options = VirtPciplan.Options(spare_ports=6)
check(options.get_spare_ports() == 6 and options.props.pcie_to_pci_bridge,
      'options: spare-ports=6, pcie-to-pci-bridge by default')
plan = VirtPciplan.Plan.new_from_file(os.path.join(srcdir, 'qemuxml2argvdata', 'q35-graphics-video.xml'),
                                      options)
check(plan.get_n_empty_hotplug_ports() == 6, 'six empty hot-pluggable ports')
options.props.io_reserve = VirtPciplan.IOReserve.NEVER
check(options.get_io_reserve() == VirtPciplan.IOReserve.NEVER, 'options: io-reserve is an enum')
text = plan.get_explanation()
check(text.startswith("Domain '") and '00  root bus (pcie-root)\n' in text,
      'the explanation is the tree explain prints')

# Errors: GLib.Error in the library's domain with its codes.
try:
    VirtPciplan.Plan.new_from_string('<domain', None)
    check(False, 'a malformed document is refused')
except GLib.Error as e:
    check(e.matches(VirtPciplan.error_quark(), VirtPciplan.Error.CONFIG) and
          e.domain == 'virt-pciplan-error-quark',
          'a malformed document: CONFIG in virt-pciplan-error-quark (%s)' % e.message)
try:
    VirtPciplan.Plan.new_from_file(os.path.join(srcdir, 'qemuxml2argvdata',
                                                'aarch64-virt-mmio-exhausted-error.xml'), None)
    check(False, 'too many virtio-mmio devices are refused')
except GLib.Error as e:
    check(e.matches(VirtPciplan.error_quark(), VirtPciplan.Error.EXHAUSTED) and "'vdbp'" in e.message,
          'out of virtio-mmio transports: EXHAUSTED, naming the device')

check(VirtPciplan.get_version() == os.environ['PP_TEST_VERSION'], 'the version')
print('1..%d' % n)
sys.exit(1 if failed else 0)
