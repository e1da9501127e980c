/*
 * virt-pciplan-libvirt.c: define and attach, the commands that need libvirt
 *
 * virt-pciplan execs this program (installed in libexecdir) for define
 * and attach, with its own argument vector: argv[0] is what the user ran,
 * argv[1] the command. Keeping libvirt here leaves the planner's own
 * start-up free of it; see tools/virt-pciplan.c.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "virt-pciplan.h"

#include <locale.h>
#include <stdio.h>

int
main(int argc, char **argv)
{
    setlocale(LC_ALL, "");
    bindtextdomain(GETTEXT_PACKAGE, LOCALEDIR);
    bind_textdomain_codeset(GETTEXT_PACKAGE, "UTF-8");
    textdomain(GETTEXT_PACKAGE);

    if (argc >= 2 && g_str_equal(argv[1], "define"))
        return ppToolFinish(ppCmdDefine(argc - 1, argv + 1));
    if (argc >= 2 && g_str_equal(argv[1], "attach"))
        return ppToolFinish(ppCmdAttach(argc - 1, argv + 1));
    g_printerr(_("virt-pciplan-libvirt: runs 'virt-pciplan define' and 'virt-pciplan attach'; run those instead\n"));
    return PP_EXIT_USAGE;
}
