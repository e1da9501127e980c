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
#include "pp_libvirt.h"

#include <locale.h>
#include <stdio.h>

int
main(int argc, char **argv)
{
    int status;

    setlocale(LC_ALL, "");
    bindtextdomain(GETTEXT_PACKAGE, LOCALEDIR);
    bind_textdomain_codeset(GETTEXT_PACKAGE, "UTF-8");
    textdomain(GETTEXT_PACKAGE);
    ppToolSetupLogging();
    ppToolCheckOutputAtExit();

    /* Each command closes its connection before it returns; then the
     * event loop stops, so that the process ends with libvirt idle. */
    if (argc >= 2 && g_str_equal(argv[1], "define")) {
        status = ppCmdDefine(argc - 1, argv + 1);
        ppLibvirtShutdown();
        return ppToolFinish(status);
    }
    if (argc >= 2 && g_str_equal(argv[1], "attach")) {
        status = ppCmdAttach(argc - 1, argv + 1);
        ppLibvirtShutdown();
        return ppToolFinish(status);
    }
    if (argc >= 2 && g_str_equal(argv[1], "dumpxml")) {
        status = ppCmdDumpXML(argc - 1, argv + 1);
        ppLibvirtShutdown();
        return ppToolFinish(status);
    }
    g_printerr(_("virt-pciplan-libvirt: runs 'virt-pciplan define' and 'virt-pciplan attach'; run those instead\n"));
    return PP_EXIT_USAGE;
}
