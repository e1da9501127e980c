/*
 * pp_libvirt.c: the edge module that talks to libvirt: process-wide set-up,
 * the embedded QEMU driver, connections and domains
 *
 * Domain capabilities are in pp_libvirt_caps.c, attaching a device in
 * pp_libvirt_attach.c.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "pp_libvirtpriv.h"
#include "domain_conf.h"
#include "domain_format.h"
#include "pperror.h"
#include "ppfile.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>


/* ------------------------------------------------------------------ */
/* Errors and process-wide setup                                       */

void
ppLibvirtReportLastError(GError **error)
{
    virErrorPtr err = virGetLastError();

    if (err && err->message)
        g_set_error_literal(error, PP_ERROR, PP_ERROR_LIBVIRT, err->message);
    else
        g_set_error_literal(error, PP_ERROR, PP_ERROR_LIBVIRT,
                            _("libvirt failed without giving a reason"));
    virResetLastError();
}

/* libvirt's default error handler prints every error to stderr; ours
 * reach the caller through GError, and nothing under src/ prints. */
static void
ppLibvirtIgnoreError(void *opaque, virErrorPtr err)
{
}

/* The event loop thread, and the flag that ends it: the module's only
 * global state, set up once per process (ppLibvirtInitialize) and ended
 * once (ppLibvirtShutdown). */
static GThread *ppLibvirtEventThread;
static gint ppLibvirtEventQuit;

static gpointer
ppLibvirtEventLoopRun(gpointer opaque)
{
    while (!g_atomic_int_get(&ppLibvirtEventQuit)) {
        if (virEventRunDefaultImpl() < 0)
            virResetLastError();
    }
    return NULL;
}

/* A timeout that fires once, so that the loop wakes up and sees the flag. */
static void
ppLibvirtEventWake(int timer, void *opaque)
{
    virEventRemoveTimeout(timer);
}

void
ppLibvirtShutdown(void)
{
    GThread *thread = g_steal_pointer(&ppLibvirtEventThread);

    if (!thread)
        return;
    g_atomic_int_set(&ppLibvirtEventQuit, 1);
    if (virEventAddTimeout(0, ppLibvirtEventWake, NULL, NULL) < 0)
        virResetLastError(); /* then the loop's next event ends it */
    g_thread_join(thread);
}

/*
 * The embedded driver refuses to open ("An event loop implementation must
 * be registered") unless the process runs a libvirt event loop: QEMU
 * monitor replies and guest exits arrive through it. As virsh does, run
 * libvirt's default loop in a thread of its own, for the life of the
 * process. This process-wide setup, done once, is the module's only
 * global state.
 */
static gboolean
ppLibvirtInitialize(GError **error)
{
    static gsize once;
    static gboolean ready;

    if (g_once_init_enter(&once)) {
        /* The embedded driver runs in our process, and libvirt logs its
         * warnings to our stderr (e.g. "Domain ... is tainted:
         * high-privileges" for every guest started as root); the domain's
         * log under the embed root gets them too. libvirt reads these
         * variables once, when it initialises; a user who set any of them
         * to debug libvirt gets what they asked for. */
        if (!g_getenv("LIBVIRT_DEBUG") && !g_getenv("LIBVIRT_LOG_OUTPUTS") &&
            !g_getenv("LIBVIRT_LOG_FILTERS"))
            g_setenv("LIBVIRT_LOG_OUTPUTS", "1:file:/dev/null", TRUE);
        virSetErrorFunc(NULL, ppLibvirtIgnoreError);
        if (virInitialize() == 0 && virEventRegisterDefaultImpl() == 0) {
            ppLibvirtEventThread = g_thread_new("pp-libvirt-events", ppLibvirtEventLoopRun, NULL);
            ready = TRUE;
        }
        g_once_init_leave(&once, 1);
    }
    if (!ready) {
        g_set_error(error, PP_ERROR, PP_ERROR_LIBVIRT,
                    _("Cannot initialise libvirt and its event loop"));
        return FALSE;
    }
    return TRUE;
}

/* ------------------------------------------------------------------ */
/* The embedded QEMU driver                                            */

/*
 * The privileged QEMU driver of libvirt 9.0 looks up its user and group
 * when it starts, before it reads qemu.conf, and refuses to open without
 * them ("Failed to parse user 'libvirt-qemu'"). The names are fixed when
 * libvirt is built: Debian uses "libvirt-qemu", upstream's default (Fedora,
 * RHEL) is "qemu". Either will do, since we cannot ask which one it is.
 */
static const char *const ppLibvirtQemuUsers[] = { "libvirt-qemu", "qemu" };

static gboolean
ppLibvirtQemuUserExists(const char *name)
{
    struct passwd pwbuf;
    struct passwd *pw = NULL;
    struct group grbuf;
    struct group *gr = NULL;
    /* Enough for any sane passwd or group entry; ERANGE reads as missing. */
    gsize buflen = 16384;
    g_autofree char *buf = g_malloc(buflen);

    if (getpwnam_r(name, &pwbuf, buf, buflen, &pw) != 0 || !pw)
        return FALSE;
    return getgrnam_r(name, &grbuf, buf, buflen, &gr) == 0 && gr;
}

static gboolean
ppLibvirtCheckQemuUser(GError **error)
{
    size_t i;

    /* Only the privileged driver (euid 0) looks the user up. */
    if (geteuid() != 0)
        return TRUE;
    for (i = 0; i < G_N_ELEMENTS(ppLibvirtQemuUsers); i++) {
        if (ppLibvirtQemuUserExists(ppLibvirtQemuUsers[i]))
            return TRUE;
    }
    g_set_error(error, PP_ERROR, PP_ERROR_LIBVIRT,
                _("libvirt's QEMU driver needs the system user and group '%1$s', which do not exist; create them as root with 'groupadd --system %1$s; useradd --system --no-create-home -g %1$s %1$s' (or install libvirt-daemon-system)"),
                ppLibvirtQemuUsers[0]);
    return FALSE;
}

char *
ppLibvirtEmbedDefaultURI(void)
{
    g_autofree char *root = g_build_filename(g_get_user_state_dir(), "virt-pciplan", "embed",
                                             NULL);
    /* libvirt parses the URI strictly and unescapes the query itself. */
    g_autofree char *escaped = g_uri_escape_string(root, "/", TRUE);

    return g_strdup_printf("qemu:///embed?root=%s", escaped);
}

gboolean
ppLibvirtEmbedPrepare(const char *root, GError **error)
{
    g_autofree char *etc = NULL;
    g_autofree char *conf = NULL;
    g_autofree char *text = NULL;

    g_return_val_if_fail(root != NULL, FALSE);

    if (!g_path_is_absolute(root)) {
        g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                    _("The root '%1$s' of an embedded libvirt driver must be an absolute path"),
                    root);
        return FALSE;
    }
    if (!ppLibvirtCheckQemuUser(error))
        return FALSE;

    etc = g_build_filename(root, "etc", NULL);
    if (g_mkdir_with_parents(etc, 0700) < 0) {
        g_set_error(error, PP_ERROR, PP_ERROR_IO, _("Cannot create '%1$s': %2$s"), etc,
                    g_strerror(errno));
        return FALSE;
    }
    conf = g_build_filename(etc, "qemu.conf", NULL);
    if (g_file_test(conf, G_FILE_TEST_EXISTS))
        return TRUE;

    /*
     * Guests run as whoever runs us (root included, hence "+UID", which
     * libvirt reads as a number) and leave the host alone: no security
     * labels, no cgroups, no mount namespaces, no chown of images.
     * security_default_confined=0 stops libvirt from logging a warning to
     * stderr about the "none" security driver on every open.
     */
    text = g_strdup_printf("# Written by virt-pciplan for libvirt's embedded QEMU driver.\n"
                           "user = \"+%u\"\n"
                           "group = \"+%u\"\n"
                           "dynamic_ownership = 0\n"
                           "remember_owner = 0\n"
                           "security_driver = \"none\"\n"
                           "security_default_confined = 0\n"
                           "cgroup_controllers = [ ]\n"
                           "namespaces = [ ]\n"
                           "stdio_handler = \"file\"\n",
                           (guint)geteuid(), (guint)getegid());
    return ppFileWriteAtomic(conf, text, strlen(text), error);
}

/* The root of a qemu:///embed?root=DIR URI, or NULL for any other URI
 * (libvirt reports the URIs it cannot parse itself). */
static char *
ppLibvirtEmbedRoot(const char *uri)
{
    g_autoptr(GUri) parsed = g_uri_parse(uri, G_URI_FLAGS_ENCODED_QUERY, NULL);
    g_autoptr(GHashTable) params = NULL;
    const char *query;

    if (!parsed || g_strcmp0(g_uri_get_scheme(parsed), "qemu") != 0 ||
        g_strcmp0(g_uri_get_path(parsed), "/embed") != 0 ||
        !(query = g_uri_get_query(parsed)))
        return NULL;
    /* libvirt separates parameters with '&' or ';'. */
    if (!(params = g_uri_parse_params(query, -1, "&;", G_URI_PARAMS_NONE, NULL)))
        return NULL;
    return g_strdup(g_hash_table_lookup(params, "root"));
}

/*
 * libvirt's QEMU driver locks one byte of ROOT/run/qemu/driver.pid for as
 * long as a process has the root open (until the process exits: closing
 * the connection does not release it), and another process then fails
 * with "Failed to acquire pid file ...: Resource temporarily unavailable".
 * Name the process instead. Only called after libvirt failed to open the
 * root, so this process holds no lock on the file: closing a descriptor
 * of a file releases every fcntl lock the process has on it.
 */
static void
ppLibvirtEmbedExplainBusy(const char *root, GError **error)
{
    g_autofree char *path = g_build_filename(root, "run", "qemu", "driver.pid", NULL);
    struct flock lock = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 1 };
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    gboolean held;

    if (fd < 0)
        return;
    held = fcntl(fd, F_GETLK, &lock) == 0 && lock.l_type != F_UNLCK;
    close(fd);
    if (!held)
        return;
    g_clear_error(error);
    g_set_error(error, PP_ERROR, PP_ERROR_LIBVIRT,
                _("libvirt's embedded driver at '%1$s' is in use by process %2$d, and a root serves one process at a time: wait for that process to end (virt-pciplan define --wait ends on Ctrl-C), or use another root"),
                root, (int)lock.l_pid);
}

/* ------------------------------------------------------------------ */
/* Connections and domains                                             */

PpLibvirtConn *
ppLibvirtOpen(const char *uri, GError **error)
{
    g_autoptr(PpLibvirtConn) conn = NULL;
    g_autofree char *root = NULL;

    g_return_val_if_fail(uri != NULL, NULL);

    if ((root = ppLibvirtEmbedRoot(uri)) && !ppLibvirtEmbedPrepare(root, error))
        return NULL;
    if (!ppLibvirtInitialize(error))
        return NULL;

    conn = g_new0(PpLibvirtConn, 1);
    if (!(conn->conn = virConnectOpen(uri))) {
        ppLibvirtReportLastError(error);
        g_prefix_error(error, _("Cannot open '%1$s': "), uri);
        if (root)
            ppLibvirtEmbedExplainBusy(root, error);
        return NULL;
    }
    conn->embedRoot = g_steal_pointer(&root);
    conn->uri = g_strdup(uri);
    /* Errors on a connection go to its own handler before the global one:
     * keep them silent even if the application installs a handler. */
    virConnSetErrorFunc(conn->conn, NULL, ppLibvirtIgnoreError);
    return g_steal_pointer(&conn);
}

/*
 * When the embedded driver opens a root whose guests still run, it starts
 * a thread per guest that reconnects to its QEMU monitor, holding the
 * domain's job while it does. A process that ends meanwhile runs its
 * library destructors under that thread: libvirt 9.0 then dies with
 * SIGSEGV after the command did its work (1 run in 5 to 40). Wait for
 * those jobs: virDomainGetControlInfo() says VIR_DOMAIN_CONTROL_JOB or
 * _OCCUPIED while a domain has one, and takes the domain's lock, which the
 * reconnect holds from the open until its job has begun. Bounded, so that
 * a hung QEMU monitor cannot hang us; libvirt's own monitor timeout is 30 s.
 */
#define PP_LIBVIRT_SETTLE_MS 60000

static void
ppLibvirtWaitForJobs(PpLibvirtConn *conn)
{
    virDomainPtr *doms = NULL;
    gint64 deadline = g_get_monotonic_time() + PP_LIBVIRT_SETTLE_MS * G_TIME_SPAN_MILLISECOND;
    int n = virConnectListAllDomains(conn->conn, &doms, VIR_CONNECT_LIST_DOMAINS_ACTIVE);
    int i;

    if (n < 0)
        virResetLastError();
    for (i = 0; i < n; i++) {
        virDomainControlInfo info;

        while (virDomainGetControlInfo(doms[i], &info, 0) == 0 &&
               (info.state == VIR_DOMAIN_CONTROL_JOB ||
                info.state == VIR_DOMAIN_CONTROL_OCCUPIED) &&
               g_get_monotonic_time() < deadline)
            g_usleep(10 * G_TIME_SPAN_MILLISECOND);
        virResetLastError();
        virDomainFree(doms[i]);
    }
    free(doms);
}

void
ppLibvirtClose(PpLibvirtConn *conn)
{
    if (!conn)
        return;
    if (conn->conn && conn->embedRoot)
        ppLibvirtWaitForJobs(conn);
    if (conn->conn)
        virConnectClose(conn->conn);
    g_free(conn->embedRoot);
    g_free(conn->uri);
    g_free(conn);
}

const char *
ppLibvirtConnGetEmbedRoot(const PpLibvirtConn *conn)
{
    g_return_val_if_fail(conn != NULL, NULL);

    return conn->embedRoot;
}

virDomainPtr
ppLibvirtLookup(PpLibvirtConn *conn, const char *name, GError **error)
{
    virDomainPtr dom = virDomainLookupByName(conn->conn, name);

    if (!dom)
        ppLibvirtReportLastError(error);
    return dom;
}

static gboolean
ppLibvirtDefineFlags(PpLibvirtConn *conn, const char *xml, unsigned int flags,
                     char **ret_dumped_xml, GError **error)
{
    g_autoptr(virDomain) dom = NULL;
    char *dumped;

    g_return_val_if_fail(conn != NULL && xml != NULL, FALSE);

    if (!(dom = virDomainDefineXMLFlags(conn->conn, xml, flags))) {
        ppLibvirtReportLastError(error);
        g_prefix_error(error, _("libvirt refused the domain: "));
        return FALSE;
    }
    if (!ret_dumped_xml)
        return TRUE;
    if (!(dumped = virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_INACTIVE))) {
        ppLibvirtReportLastError(error);
        return FALSE;
    }
    /* libvirt's strings are released with free(), ours with g_free(). */
    *ret_dumped_xml = g_strdup(dumped);
    free(dumped);
    return TRUE;
}

gboolean
ppLibvirtDefine(PpLibvirtConn *conn, const char *xml, char **ret_dumped_xml, GError **error)
{
    return ppLibvirtDefineFlags(conn, xml, 0, ret_dumped_xml, error);
}

gboolean
ppLibvirtDefineValidated(PpLibvirtConn *conn, const char *xml, char **ret_dumped_xml,
                         GError **error)
{
    return ppLibvirtDefineFlags(conn, xml, VIR_DOMAIN_DEFINE_VALIDATE, ret_dumped_xml, error);
}

gboolean
ppLibvirtUndefine(PpLibvirtConn *conn, const char *name, GError **error)
{
    g_autoptr(virDomain) dom = NULL;
    /* Without these flags libvirt refuses to undefine a domain that has
     * an NVRAM file, a managed save image or snapshots. */
    unsigned int flags = VIR_DOMAIN_UNDEFINE_NVRAM | VIR_DOMAIN_UNDEFINE_MANAGED_SAVE |
                         VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA |
                         VIR_DOMAIN_UNDEFINE_CHECKPOINTS_METADATA | VIR_DOMAIN_UNDEFINE_TPM;

    g_return_val_if_fail(conn != NULL && name != NULL, FALSE);

    if (!(dom = ppLibvirtLookup(conn, name, error)))
        return FALSE;
    if (virDomainUndefineFlags(dom, flags) < 0) {
        ppLibvirtReportLastError(error);
        return FALSE;
    }
    return TRUE;
}

gboolean
ppLibvirtStart(PpLibvirtConn *conn, const char *name, GError **error)
{
    g_autoptr(virDomain) dom = NULL;

    g_return_val_if_fail(conn != NULL && name != NULL, FALSE);

    if (!(dom = ppLibvirtLookup(conn, name, error)))
        return FALSE;
    if (virDomainCreate(dom) < 0) {
        ppLibvirtReportLastError(error);
        g_prefix_error(error, _("Cannot start domain '%1$s': "), name);
        return FALSE;
    }
    return TRUE;
}

gboolean
ppLibvirtDestroy(PpLibvirtConn *conn, const char *name, GError **error)
{
    g_autoptr(virDomain) dom = NULL;

    g_return_val_if_fail(conn != NULL && name != NULL, FALSE);

    if (!(dom = ppLibvirtLookup(conn, name, error)))
        return FALSE;
    if (virDomainDestroy(dom) < 0) {
        ppLibvirtReportLastError(error);
        return FALSE;
    }
    return TRUE;
}

gboolean
ppLibvirtGetDomainState(PpLibvirtConn *conn,
                        const char *name,
                        PpLibvirtDomainState *ret_state,
                        GError **error)
{
    g_autoptr(virDomain) dom = NULL;
    int persistent;
    int active;

    g_return_val_if_fail(conn != NULL && name != NULL && ret_state != NULL, FALSE);

    if (!(dom = virDomainLookupByName(conn->conn, name))) {
        virErrorPtr err = virGetLastError();

        if (err && err->code == VIR_ERR_NO_DOMAIN) {
            virResetLastError();
            *ret_state = (PpLibvirtDomainState){ .exists = FALSE };
            return TRUE;
        }
        ppLibvirtReportLastError(error);
        return FALSE;
    }
    if ((persistent = virDomainIsPersistent(dom)) < 0 || (active = virDomainIsActive(dom)) < 0) {
        ppLibvirtReportLastError(error);
        return FALSE;
    }
    *ret_state = (PpLibvirtDomainState){ .exists = TRUE, .persistent = persistent == 1,
                                         .active = active == 1 };
    return TRUE;
}

char *
ppLibvirtDomainXML(virDomainPtr dom, PpLibvirtXMLKind kind, GError **error)
{
    unsigned int flags = 0;
    char *xml;
    char *ret;

    switch (kind) {
    case PP_LIBVIRT_XML_LIVE:
        break;
    case PP_LIBVIRT_XML_INACTIVE:
        flags = VIR_DOMAIN_XML_INACTIVE | VIR_DOMAIN_XML_SECURE;
        break;
    case PP_LIBVIRT_XML_LAST:
        g_return_val_if_reached(NULL);
    }
    if (!(xml = virDomainGetXMLDesc(dom, flags))) {
        ppLibvirtReportLastError(error);
        return NULL;
    }
    ret = g_strdup(xml);
    free(xml);
    return ret;
}

char *
ppLibvirtGetDomainXML(PpLibvirtConn *conn, const char *name, PpLibvirtXMLKind kind, GError **error)
{
    g_autoptr(virDomain) dom = NULL;

    g_return_val_if_fail(conn != NULL && name != NULL, NULL);

    if (!(dom = ppLibvirtLookup(conn, name, error)))
        return NULL;
    return ppLibvirtDomainXML(dom, kind, error);
}

/* The persistent definition of @name, or NULL in *@ret_xml when it has
 * none (an unknown name, or a transient domain). */
static gboolean
ppLibvirtGetPersistentXML(PpLibvirtConn *conn, const char *name, char **ret_xml, GError **error)
{
    PpLibvirtDomainState state;

    if (!ppLibvirtGetDomainState(conn, name, &state, error))
        return FALSE;
    *ret_xml = NULL;
    if (!state.persistent)
        return TRUE;
    return (*ret_xml = ppLibvirtGetDomainXML(conn, name, PP_LIBVIRT_XML_INACTIVE, error)) != NULL;
}

/*
 * Redefining a domain from a file without <uuid> (a domain written by
 * hand, or a plan of one) is what the user means by "update it": as virsh
 * define, libvirt 9.0 refuses a second domain of the same name ("already
 * exists with uuid ..."). Give the document the UUID libvirt has for
 * @def's name, after <name> on a line of its own; a document that names
 * a UUID keeps it (a different one is libvirt's to refuse).
 *
 * Returns: (transfer full) the document to define.
 */
static char *
ppLibvirtAddUUID(PpLibvirtConn *conn, const PpDomainDef *def, const char *planned)
{
    xmlNodePtr root = xmlDocGetRootElement(def->doc);
    xmlNodePtr nameNode = NULL;
    xmlNodePtr cur;
    g_autoptr(virDomain) dom = NULL;
    char uuid[VIR_UUID_STRING_BUFLEN];
    const PpXmlSpan *span;
    gsize bol;

    for (cur = root->children; cur; cur = cur->next) {
        if (cur->type != XML_ELEMENT_NODE || cur->ns)
            continue;
        if (g_str_equal((const char *)cur->name, "uuid"))
            return g_strdup(planned);
        if (g_str_equal((const char *)cur->name, "name"))
            nameNode = cur;
    }
    if (!nameNode || !(span = ppDomainDefNodeSpan(def, nameNode)) ||
        !(dom = virDomainLookupByName(conn->conn, def->name)) ||
        virDomainGetUUIDString(dom, uuid) < 0) {
        virResetLastError();
        return g_strdup(planned);
    }
    for (bol = span->start; bol > 0 && (planned[bol - 1] == ' ' || planned[bol - 1] == '\t'); bol--)
        ;
    return g_strdup_printf("%.*s\n%.*s<uuid>%s</uuid>%s", (int)span->end, planned,
                           (int)(span->start - bol), planned + bol, uuid, planned + span->end);
}

/*
 * Undo a define that went wrong (@why): define @previous again, or
 * undefine @name when it had no persistent definition before. @error
 * gets @why's class and message, and says what became of the domain.
 */
void
ppLibvirtDefineRollback(PpLibvirtConn *conn,
                        const char *name,
                        const char *previous,
                        const GError *why,
                        GError **error)
{
    g_autoptr(GError) undo = NULL;

    if (previous && ppLibvirtDefine(conn, previous, NULL, &undo))
        g_set_error(error, why->domain, why->code,
                    _("%1$s\nThe previous definition of domain '%2$s' was restored."),
                    why->message, name);
    else if (!previous && ppLibvirtUndefine(conn, name, &undo))
        g_set_error(error, why->domain, why->code,
                    _("%1$s\nDomain '%2$s' was undefined again, so nothing is left half defined."),
                    why->message, name);
    else
        g_set_error(error, why->domain, why->code,
                    _("%1$s\nUndoing that failed too, so domain '%2$s' is left as libvirt has it now: %3$s"),
                    why->message, name, undo->message);
}

gboolean
ppLibvirtDefinePlanned(PpLibvirtConn *conn, const char *planned, char **ret_name, GError **error)
{
    g_autoptr(PpDomainDef) def = NULL;
    g_autofree char *withUUID = NULL;
    g_autofree char *previous = NULL;
    g_autofree char *dumped = NULL;
    g_autoptr(GError) changed = NULL;

    g_return_val_if_fail(conn != NULL && planned != NULL, FALSE);

    if (!(def = ppDomainDefParseString(planned, strlen(planned), error)))
        return FALSE;
    if (!def->name) {
        g_set_error(error, PP_ERROR, PP_ERROR_CONFIG, _("The domain has no <name>"));
        return FALSE;
    }
    if (!ppLibvirtGetPersistentXML(conn, def->name, &previous, error))
        return FALSE;
    if (previous)
        planned = withUUID = ppLibvirtAddUUID(conn, def, planned);
    if (!ppLibvirtDefine(conn, planned, &dumped, error))
        return FALSE;
    if (!ppDomainXMLCompare(planned, dumped, &changed)) {
        ppLibvirtDefineRollback(conn, def->name, previous, changed, error);
        return FALSE;
    }
    if (ret_name)
        *ret_name = g_strdup(def->name);
    return TRUE;
}
