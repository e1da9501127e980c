/*
 * qemu_command_machine.c: the machine type and emulator of a command line
 *
 * The machine families and their facts are one table, in
 * qemu_domain_address.c, shared with placement.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "qemu_commandpriv.h"
#include "pperror.h"

#include <string.h>

/* The -machine type: libvirt 9.0 turns the short names into QEMU 7.2's
 * current versioned type. */
const char *
ppQemuMachineCanonical(const PpQemuMachine *m, const char *machine)
{
    if (!machine || g_str_equal(machine, m->alias))
        return m->canonical;
    return machine;
}

/* (transfer none) QEMU's binary for @arch (NULL: the family's own), which
 * the lookup accepted. */
const char *
ppQemuMachineEmulator(const PpQemuMachine *m, const char *arch)
{
    if (arch && m->arch32 && g_str_equal(arch, m->arch32))
        return m->emulator32;
    return m->emulator;
}
