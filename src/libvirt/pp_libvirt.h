/*
 * pp_libvirt.h: the edge module that talks to libvirt
 *
 * Everything here goes through libvirt's public API only (libvirt.so owns
 * the vir* namespace; its internals are not ours to call). Planning itself
 * never needs a connection: this module defines planned domains, reads
 * domain capabilities, and checks that libvirt left a plan as it was.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "internal.h"
#include "domain_conf.h"
#include "domain_compare.h"

typedef struct _PpLibvirtConn PpLibvirtConn;

/**
 * ppLibvirtEmbedDefaultURI:
 *
 * The embedded QEMU driver rooted under the user's state directory:
 * qemu:///embed?root=$XDG_STATE_HOME/virt-pciplan/embed, where
 * XDG_STATE_HOME defaults to ~/.local/state.
 *
 * Returns: (transfer full) the URI; free with g_free().
 */
char *ppLibvirtEmbedDefaultURI(void);

/**
 * ppLibvirtEmbedPrepare:
 * @root: (transfer none) absolute path of an embedded driver's root
 *
 * Makes @root usable by libvirt's embedded QEMU driver when running as
 * any user, root included: creates @root/etc/qemu.conf (only if missing,
 * so a hand-edited one is kept) that runs guests as the calling user with
 * no security driver, cgroups or namespaces, and checks that the QEMU
 * user libvirt looks up exists. Creates no users itself.
 *
 * Returns: TRUE on success; FALSE with @error set (PP_ERROR_CONFIG for a
 * relative @root, PP_ERROR_IO, PP_ERROR_LIBVIRT when the user is missing).
 */
gboolean ppLibvirtEmbedPrepare(const char *root, GError **error);

/**
 * ppLibvirtOpen:
 * @uri: (transfer none) a libvirt URI; qemu:///embed?root=DIR is
 *       prepared with ppLibvirtEmbedPrepare() first, and refused with a
 *       message naming the process when another process uses DIR (the
 *       embedded driver serves one process per root, for its lifetime)
 *
 * Opens a read-write connection. The first call sets libvirt up for the
 * whole process: its error reporting and logging are silenced (nothing
 * under src/ prints; LIBVIRT_LOG_OUTPUTS is set unless the user set a
 * LIBVIRT_DEBUG/LIBVIRT_LOG_* variable, so make the first call before
 * starting threads), and its default event loop is registered and run in
 * a background thread, because the embedded driver refuses to open
 * without one; callers must not register another event loop.
 *
 * Returns: (transfer full) the connection, free with ppLibvirtClose(); or
 * NULL with @error set.
 */
PpLibvirtConn *ppLibvirtOpen(const char *uri, GError **error);

/**
 * ppLibvirtClose:
 * @conn: (transfer full) (nullable) a connection
 *
 * Closes @conn. Guests keep running: with libvirt 9.0's embedded driver
 * too, whose QEMU processes outlive the connection and the process, and
 * are taken over by the next process that opens the root. The driver
 * itself, and its lock on the root, stay until the process exits.
 */
void ppLibvirtClose(PpLibvirtConn *conn);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PpLibvirtConn, ppLibvirtClose);

/**
 * ppLibvirtShutdown:
 *
 * Ends what ppLibvirtOpen() started for the process: stops libvirt's
 * event loop and joins its thread. Call it once, after every connection
 * is closed with ppLibvirtClose() (which waits for the embedded driver's
 * jobs on running guests), and before the process exits, so that no
 * libvirt thread runs while the process's destructors do. A no-op when no
 * connection was ever opened.
 */
void ppLibvirtShutdown(void);

/**
 * ppLibvirtConnGetEmbedRoot:
 * @conn: (transfer none) a connection
 *
 * Returns: (transfer none) (nullable) the root of the embedded driver
 * @conn uses, or NULL when it is not an embedded one.
 */
const char *ppLibvirtConnGetEmbedRoot(const PpLibvirtConn *conn);

/**
 * ppLibvirtReportLastError:
 *
 * The one place where libvirt errors become GErrors: sets @error to
 * PP_ERROR_LIBVIRT with the message of libvirt's last error in this
 * thread, then clears that error so it cannot leak into a later message.
 */
void ppLibvirtReportLastError(GError **error);

/**
 * ppLibvirtDefine:
 * @conn: (transfer none) a connection
 * @xml: (transfer none) a domain XML document
 * @ret_dumped_xml: (out) (optional) (transfer full) the inactive XML
 *                  libvirt holds after the define; free with g_free()
 *
 * Defines (or redefines, for an existing name) a persistent domain. No
 * schema validation is asked for, as `virsh define` asks for none: a
 * plan keeps whatever the user's XML holds, and libvirt accepts what its
 * schema does not know. The planned output itself validates (its hints
 * are only under <metadata>), which ppLibvirtDefineValidated() checks.
 *
 * Returns: TRUE on success; FALSE with @error set (PP_ERROR_LIBVIRT).
 */
gboolean ppLibvirtDefine(PpLibvirtConn *conn,
                         const char *xml,
                         char **ret_dumped_xml,
                         GError **error);

/**
 * ppLibvirtDefineValidated:
 *
 * Like ppLibvirtDefine(), with libvirt's own schema check first
 * (VIR_DOMAIN_DEFINE_VALIDATE, what `virsh define --validate` does): a
 * document the schema refuses is not defined.
 */
gboolean ppLibvirtDefineValidated(PpLibvirtConn *conn,
                                  const char *xml,
                                  char **ret_dumped_xml,
                                  GError **error);

/**
 * ppLibvirtUndefine:
 * @conn: (transfer none) a connection
 * @name: (transfer none) the domain's name
 *
 * Removes a domain's persistent definition together with its NVRAM file,
 * managed save image and snapshot/checkpoint metadata: it is meant for
 * domains this program defined (checks in a scratch embed root).
 *
 * Returns: TRUE on success; FALSE with @error set (PP_ERROR_LIBVIRT).
 */
gboolean ppLibvirtUndefine(PpLibvirtConn *conn, const char *name, GError **error);

/**
 * ppLibvirtStart:
 * @conn: (transfer none) a connection
 * @name: (transfer none) a defined domain's name
 *
 * Returns: TRUE once QEMU runs the domain; FALSE with @error set
 * (PP_ERROR_LIBVIRT).
 */
gboolean ppLibvirtStart(PpLibvirtConn *conn, const char *name, GError **error);

/**
 * ppLibvirtDestroy:
 * @conn: (transfer none) a connection
 * @name: (transfer none) a running domain's name
 *
 * Stops the domain's QEMU at once (no guest shutdown).
 *
 * Returns: TRUE on success; FALSE with @error set (PP_ERROR_LIBVIRT).
 */
gboolean ppLibvirtDestroy(PpLibvirtConn *conn, const char *name, GError **error);

/* What a domain name stands for on a connection. */
typedef struct {
    gboolean exists;     /* some domain has the name */
    gboolean persistent; /* it has a persistent definition */
    gboolean active;     /* it runs (or is paused) */
} PpLibvirtDomainState;

/**
 * ppLibvirtGetDomainState:
 * @conn: (transfer none) a connection
 * @name: (transfer none) a domain's name
 * @ret_state: (out) written on success; ->exists is FALSE for an unknown
 *             name, which is not an error
 *
 * Returns: TRUE on success; FALSE with @error set (PP_ERROR_LIBVIRT).
 */
gboolean ppLibvirtGetDomainState(PpLibvirtConn *conn,
                                 const char *name,
                                 PpLibvirtDomainState *ret_state,
                                 GError **error);

typedef enum {
    PP_LIBVIRT_XML_LIVE,     /* the running domain, as QEMU has it now */
    PP_LIBVIRT_XML_INACTIVE, /* the persistent definition, fit to define again */

    PP_LIBVIRT_XML_LAST
} PpLibvirtXMLKind;

/**
 * ppLibvirtGetDomainXML:
 * @conn: (transfer none) a connection
 * @name: (transfer none) a domain's name
 * @kind: which definition
 *
 * The inactive XML includes security-sensitive values (graphics
 * passwords...), as `virsh edit` asks for them: a definition without
 * them would drop them when defined again.
 *
 * Returns: (transfer full) the XML, free with g_free(); or NULL with
 * @error set (PP_ERROR_LIBVIRT).
 */
char *ppLibvirtGetDomainXML(PpLibvirtConn *conn,
                            const char *name,
                            PpLibvirtXMLKind kind,
                            GError **error);

/**
 * ppLibvirtDefinePlanned:
 * @conn: (transfer none) a connection
 * @planned: (transfer none) a planned domain XML document
 * @ret_name: (out) (optional) (transfer full) the domain's name
 *
 * Defines @planned and checks with ppDomainXMLCompare() that
 * libvirt kept its PCI topology. When libvirt changed it, the domain's
 * previous persistent definition is defined again (or the domain is
 * undefined when it had none), so no half-applied plan is left behind.
 *
 * Returns: TRUE on success; FALSE with @error set: PP_ERROR_INTERNAL
 * naming each change libvirt made, PP_ERROR_LIBVIRT when libvirt refused
 * the domain, or the error of parsing @planned.
 */
gboolean ppLibvirtDefinePlanned(PpLibvirtConn *conn,
                                const char *planned,
                                char **ret_name,
                                GError **error);

/* What libvirt says about one emulator and machine type. */
typedef struct {
    char *emulator; /* the QEMU binary, e.g. /usr/bin/qemu-system-x86_64 */
    char *arch;
    char *virtType; /* "qemu" (TCG) or "kvm" */
    char *machine;  /* canonical, versioned name: q35 -> pc-q35-7.2 */
    GStrv devices;  /* device kinds the emulator supports: disk, video, rng... */
    GHashTable *enums; /* "kind.enum", e.g. "video.modelType" -> GStrv of values */
    GPtrArray *unknown; /* translated sentences: what libvirt did not tell */
} PpLibvirtDomainCaps;

/**
 * ppLibvirtGetDomainCapabilities:
 * @conn: (transfer none) a connection
 * @emulator: (transfer none) (nullable) QEMU binary; NULL for the default
 * @arch: (transfer none) (nullable) guest architecture; NULL for the host's
 * @machine: (transfer none) (nullable) machine type, canonical or alias
 * @virtType: (transfer none) (nullable) "qemu" or "kvm"
 *
 * Asks libvirt which device models the emulator has for the machine type
 * (virConnectGetDomainCapabilities). libvirt 9.0 lists device models
 * (disk buses and models, video, rng, tpm, hostdev...) but not PCI
 * controller models; such gaps are listed in ->unknown.
 *
 * Returns: (transfer full) the capabilities, free with
 * ppLibvirtDomainCapsFree(); or NULL with @error set.
 */
PpLibvirtDomainCaps *ppLibvirtGetDomainCapabilities(PpLibvirtConn *conn,
                                                    const char *emulator,
                                                    const char *arch,
                                                    const char *machine,
                                                    const char *virtType,
                                                    GError **error);

/**
 * ppLibvirtDomainCapsGetEnum:
 * @caps: (transfer none) capabilities
 * @kind: (transfer none) device element, e.g. "video"
 * @name: (transfer none) enum name, e.g. "modelType"
 *
 * Returns: (transfer none) the values libvirt listed, or NULL when it
 * listed none (which means "unknown", not "none").
 */
const char *const *ppLibvirtDomainCapsGetEnum(const PpLibvirtDomainCaps *caps,
                                              const char *kind,
                                              const char *name);

void ppLibvirtDomainCapsFree(PpLibvirtDomainCaps *caps);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PpLibvirtDomainCaps, ppLibvirtDomainCapsFree);

/**
 * ppLibvirtGetDomainCapabilitiesForDef:
 * @conn: (transfer none) a connection
 * @def: (transfer none) a parsed domain
 *
 * ppLibvirtGetDomainCapabilities() for @def's <emulator>, architecture,
 * machine type and domain type (libvirt's defaults for those it lacks).
 *
 * Returns: (transfer full) the capabilities, or NULL with @error set.
 */
PpLibvirtDomainCaps *ppLibvirtGetDomainCapabilitiesForDef(PpLibvirtConn *conn,
                                                          const PpDomainDef *def,
                                                          GError **error);

/**
 * ppLibvirtDomainCapsHasPCIController:
 * @caps: (transfer none) capabilities
 * @model: a PCI controller model
 *
 * Returns: PP_TRISTATE_YES or _NO when libvirt lists the PCI controller
 * models the emulator has, PP_TRISTATE_ABSENT when it does not say
 * (libvirt 9.0 never does): the caller keeps its built-in default then.
 */
PpTristate ppLibvirtDomainCapsHasPCIController(const PpLibvirtDomainCaps *caps,
                                               PpPCIControllerModel model);

/* Where an attached device goes; neither flag means the domain's current
 * state, as libvirt's VIR_DOMAIN_AFFECT_CURRENT: live when it runs. */
typedef enum {
    PP_LIBVIRT_ATTACH_LIVE = 1 << 0,   /* hot-plug into the running guest */
    PP_LIBVIRT_ATTACH_CONFIG = 1 << 1, /* the persistent definition */
} PpLibvirtAttachFlags;

/**
 * PpLibvirtPlanFunc:
 * @def: the domain with the new device last under <devices>
 * @live: TRUE when @def is a running guest's: nothing may be added, the
 *        device must go into a free hot-pluggable place that exists
 * @opaque: the caller's data
 *
 * The planner, as the caller sets it up: this module talks to libvirt
 * and does not link QEMU's placement policy, which lives above it.
 *
 * Returns: TRUE when @def is planned; FALSE with @error set.
 */
typedef gboolean (*PpLibvirtPlanFunc)(PpDomainDef *def,
                                      gboolean live,
                                      gpointer opaque,
                                      GError **error);

/* What ppLibvirtAttach() did. */
typedef struct {
    unsigned int flags;   /* PpLibvirtAttachFlags done, CURRENT resolved */
    char *device;         /* a human name for the device */
    PpPCIAddress address; /* where it went, if hasAddress */
    gboolean hasAddress;  /* FALSE for a device that takes no PCI slot */
    guint added;          /* devices the plan added to the persistent definition */
} PpLibvirtAttachResult;

void ppLibvirtAttachResultClear(PpLibvirtAttachResult *res);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(PpLibvirtAttachResult, ppLibvirtAttachResultClear);

/**
 * ppLibvirtAttach:
 * @conn: (transfer none) a connection
 * @name: (transfer none) the domain's name
 * @devxml: (transfer none) a document whose root element is one device
 * @flags: PpLibvirtAttachFlags
 * @plan: (scope call) plans the domain with the device appended
 * @opaque: (closure) passed to @plan
 * @ret: (out caller-allocates) what was done; clear it with
 *       ppLibvirtAttachResultClear()
 *
 * Places one new device into an existing domain and hands it to libvirt
 * with its planned <address>, so libvirt has nothing left to choose.
 * Live: the running guest's XML is planned with @live TRUE and the device
 * hot-plugged (virDomainAttachDeviceFlags). Config: the persistent
 * definition is planned, where controllers may be added, and defined as
 * a whole with ppLibvirtDefinePlanned(): added controllers must be in the
 * persistent definition, which an attach cannot put there. With both, the
 * definition gets the device at its live address, and is restored if the
 * hot-plug fails. Existing devices never move: a plan that moves one is
 * refused. Each result is checked against what libvirt then reports.
 *
 * Returns: TRUE on success; FALSE with @error set: PP_ERROR_CONFIG for a
 * bad device or a state that does not allow the request, the planner's
 * error (PP_ERROR_EXHAUSTED when no hot-pluggable place is free),
 * PP_ERROR_LIBVIRT, or PP_ERROR_INTERNAL when a plan would move a device
 * or libvirt changed it.
 */
gboolean ppLibvirtAttach(PpLibvirtConn *conn,
                         const char *name,
                         const char *devxml,
                         unsigned int flags,
                         PpLibvirtPlanFunc plan,
                         gpointer opaque,
                         PpLibvirtAttachResult *ret,
                         GError **error);
