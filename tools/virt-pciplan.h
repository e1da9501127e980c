/*
 * virt-pciplan.h: what the subcommands of the CLI share
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "internal.h"
#include "domain_conf.h"
#include "qemu_domain_address.h"

/*
 * Exit statuses, documented in README.md and --help; scripts rely on them.
 */
typedef enum {
    PP_EXIT_OK = 0,
    PP_EXIT_CONFIG = 1,   /* invalid input, or a plan that cannot be made */
    PP_EXIT_USAGE = 2,    /* bad command line */
    PP_EXIT_LIBVIRT = 3,  /* libvirt refused or failed */
    PP_EXIT_IO = 4,       /* a file could not be read or written */
    PP_EXIT_INTERNAL = 5, /* a bug in virt-pciplan */
} PpExitStatus;

/* Print @error (if any) the one way the CLI prints errors, and map its
 * class to an exit status. */
/*
 * --quiet and --debug (PP_QUIET, PP_DEBUG in the environment, which the
 * libvirt helper inherits): with PP_DEBUG=1 the messages of g_debug() in
 * the log domain "virt-pciplan" go to standard error, as GLib's own
 * G_MESSAGES_DEBUG=virt-pciplan (or all) does. Call first in main().
 */
void ppToolSetupLogging(void);
/* TRUE under --quiet: notes (not warnings, not errors) stay unsaid. */
gboolean ppToolQuiet(void);

int ppToolReportError(const GError *error);
/*
 * As ppToolReportError(), and also writes the error to standard output as
 * JSON (docs/json.md): {"error": {"code": EXIT, "class": ..., "message":
 * ..., "device": ..., "hint": ..., "fix": ...}}.
 */
int ppToolReportErrorJson(const GError *error);

/* Write @data to @path atomically, or to standard output for NULL or "-". */
gboolean ppToolWriteOutput(const char *path, const char *data, gsize len, GError **error);

/* Refuse (G_OPTION_ERROR: exit status 2) an @output that is @input, also
 * through another path or as standard input, unless @inPlace. */
gboolean ppToolCheckOutput(const char *cmd, const char *input, const char *output,
                           gboolean inPlace, GError **error);

/* Flush standard output: @status, or PP_EXIT_IO (with a message) when
 * what the command printed could not be written. Every main() returns
 * through it. */
int ppToolFinish(int status);

/* Make exit() itself (GLib's --help path) exit 4 when standard output
 * could not be written; call once, early in main(). */
void ppToolCheckOutputAtExit(void);

/* Read and parse a domain from @path, or "-" for standard input. */
gboolean ppToolLoadDomain(const char *path, PpDomainDef **ret_def, GError **error);

/* Read, parse and plan a domain; @ret_plan may be NULL. */
gboolean ppToolPlanFile(const char *path,
                        const PpPlanOptions *opts,
                        PpDomainDef **ret_def,
                        PpPlan **ret_plan,
                        GError **error);

/* Check a --spare-ports value into @opts; prints the usage error itself. */
/* Notes about the plan on stderr (devices placed below their preference). */
void ppToolPrintPlanNotes(const PpPlan *plan);
gboolean ppToolCheckSpareSlots(const char *cmd, int spareSlots, PpPlanOptions *opts);
gboolean ppToolCheckSpares(const char *cmd, int spares, PpPlanOptions *opts);

/* The --io-reserve option entry every planning command takes. */
#define PP_TOOL_IO_RESERVE_ENTRY(var) \
    { "io-reserve", 0, 0, G_OPTION_ARG_STRING, &(var), \
      N_("io-reserve=0 on I/O-free root ports through <qemu:override>, which libvirt marks as tainting the domain: 'auto' (default) only where the firmware needs it (OVMF on q35, AAVMF with expander buses), 'never', or 'always'"), \
      N_("auto|never|always") }

/* Check an --io-reserve value (NULL: the default) into @opts; prints the
 * usage error itself. */
gboolean ppToolCheckIOReserve(const char *cmd, const char *value, PpPlanOptions *opts);

/* Say on standard error what @plan did about io-reserve: the overrides it
 * added and that libvirt will mark the domain tainted, or the ones the
 * firmware needed that --io-reserve=never left out. */
void ppToolNoteIOReserve(const PpPlan *plan);

/* Subcommands: each gets argv from its own name on. */
int ppCmdPlan(int argc, char **argv);
int ppCmdExplain(int argc, char **argv);
int ppCmdArgv(int argc, char **argv);
int ppCmdOrder(int argc, char **argv);
int ppCmdDefine(int argc, char **argv);
int ppCmdAttach(int argc, char **argv);

/* virt-pciplan-libvirt dumpxml [-c URI] NAME: the persistent XML of a
 * domain, secrets included, for plan/explain/argv --domain. */
int ppCmdDumpXML(int argc, char **argv);

/* plan/explain/argv --domain NAME [-c URI]: the domain's persistent XML
 * read through virt-pciplan-libvirt (this process does not load libvirt).
 * Returns an exit status; on PP_EXIT_OK *@ret_xml is set (transfer full).
 * The helper prints its own errors. */
int ppToolReadDomainFromLibvirt(const char *name, const char *uri, char **ret_xml);

/* The --domain and --connect option entries of plan, explain and argv. */
#define PP_TOOL_DOMAIN_ENTRIES(domain, uri) \
    { "domain", 0, 0, G_OPTION_ARG_STRING, &(domain), \
      N_("Plan the defined domain NAME, read from libvirt (its persistent XML, secrets included) instead of a file"), \
      N_("NAME") }, \
    { "connect", 'c', 0, G_OPTION_ARG_STRING, &(uri), \
      N_("With --domain: libvirt URI (default: $LIBVIRT_DEFAULT_URI, else libvirt's embedded QEMU driver under $XDG_STATE_HOME/virt-pciplan/embed)"), \
      N_("URI") }
