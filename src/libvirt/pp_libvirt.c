/*
 * pp_libvirt.c: the edge module that talks to libvirt
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "pp_libvirt.h"
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

G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlDoc, xmlFreeDoc);

struct _PpLibvirtConn {
    virConnectPtr conn;
    char *embedRoot; /* NULL unless qemu:///embed */
};

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

static gpointer
ppLibvirtEventLoopRun(gpointer opaque)
{
    for (;;) {
        if (virEventRunDefaultImpl() < 0)
            virResetLastError();
    }
    return NULL;
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
            g_thread_unref(g_thread_new("pp-libvirt-events", ppLibvirtEventLoopRun, NULL));
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
    /* Errors on a connection go to its own handler before the global one:
     * keep them silent even if the application installs a handler. */
    virConnSetErrorFunc(conn->conn, NULL, ppLibvirtIgnoreError);
    return g_steal_pointer(&conn);
}

void
ppLibvirtClose(PpLibvirtConn *conn)
{
    if (!conn)
        return;
    if (conn->conn)
        virConnectClose(conn->conn);
    g_free(conn->embedRoot);
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

gboolean
ppLibvirtDefine(PpLibvirtConn *conn, const char *xml, char **ret_dumped_xml, GError **error)
{
    g_autoptr(virDomain) dom = NULL;
    char *dumped;

    g_return_val_if_fail(conn != NULL && xml != NULL, FALSE);

    if (!(dom = virDomainDefineXML(conn->conn, xml))) {
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

static char *
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
 * Undo a define that went wrong (@why): define @previous again, or
 * undefine @name when it had no persistent definition before. @error
 * gets @why's class and message, and says what became of the domain.
 */
static void
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
    if (!ppLibvirtGetPersistentXML(conn, def->name, &previous, error) ||
        !ppLibvirtDefine(conn, planned, &dumped, error))
        return FALSE;
    if (!ppLibvirtCompareDomainXML(planned, dumped, &changed)) {
        ppLibvirtDefineRollback(conn, def->name, previous, changed, error);
        return FALSE;
    }
    if (ret_name)
        *ret_name = g_strdup(def->name);
    return TRUE;
}

/* ------------------------------------------------------------------ */
/* Domain capabilities                                                 */

static xmlNodePtr
ppLibvirtXmlChild(xmlNodePtr node, const char *name)
{
    xmlNodePtr cur;

    for (cur = node ? node->children : NULL; cur; cur = cur->next) {
        if (cur->type == XML_ELEMENT_NODE && g_str_equal((const char *)cur->name, name))
            return cur;
    }
    return NULL;
}

/* Returns: (transfer full) the stripped text of @node's child @name. */
static char *
ppLibvirtXmlChildText(xmlNodePtr node, const char *name)
{
    xmlNodePtr child = ppLibvirtXmlChild(node, name);
    xmlChar *text;
    char *ret;

    if (!child || !(text = xmlNodeGetContent(child)))
        return NULL;
    ret = g_strstrip(g_strdup((const char *)text));
    xmlFree(text);
    return ret;
}

static gboolean
ppLibvirtXmlPropIs(xmlNodePtr node, const char *name, const char *value)
{
    xmlChar *val = xmlGetNoNsProp(node, (const xmlChar *)name);
    gboolean ret = val && g_str_equal((const char *)val, value);

    xmlFree(val);
    return ret;
}

/* Record every <enum name='N'><value>V</value>...</enum> of a device kind. */
static void
ppLibvirtDomainCapsParseEnums(PpLibvirtDomainCaps *caps, xmlNodePtr kind)
{
    xmlNodePtr en;

    for (en = kind->children; en; en = en->next) {
        g_autoptr(GStrvBuilder) values = NULL;
        xmlChar *name;
        xmlNodePtr val;

        if (en->type != XML_ELEMENT_NODE || !g_str_equal((const char *)en->name, "enum") ||
            !(name = xmlGetNoNsProp(en, (const xmlChar *)"name")))
            continue;
        values = g_strv_builder_new();
        for (val = en->children; val; val = val->next) {
            xmlChar *text;

            if (val->type != XML_ELEMENT_NODE || !g_str_equal((const char *)val->name, "value") ||
                !(text = xmlNodeGetContent(val)))
                continue;
            g_strv_builder_add(values, (const char *)text);
            xmlFree(text);
        }
        g_hash_table_replace(caps->enums, g_strdup_printf("%s.%s", (const char *)kind->name,
                                                             (const char *)name),
                             g_strv_builder_end(values));
        xmlFree(name);
    }
}

static PpLibvirtDomainCaps *
ppLibvirtDomainCapsParse(const char *xml, GError **error)
{
    g_autoptr(PpLibvirtDomainCaps) caps = g_new0(PpLibvirtDomainCaps, 1);
    g_autoptr(GStrvBuilder) devices = g_strv_builder_new();
    g_autoptr(xmlDoc) doc = NULL;
    xmlNodePtr root;
    xmlNodePtr devicesNode;
    xmlNodePtr kind;

    doc = xmlReadMemory(xml, (int)strlen(xml), "domcapabilities.xml", NULL,
                        XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    root = doc ? xmlDocGetRootElement(doc) : NULL;
    if (!root || !g_str_equal((const char *)root->name, "domainCapabilities")) {
        g_set_error(error, PP_ERROR, PP_ERROR_LIBVIRT,
                    _("libvirt returned domain capabilities that are not a <domainCapabilities> document"));
        return NULL;
    }

    caps->enums = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                        (GDestroyNotify)g_strfreev);
    caps->unknown = g_ptr_array_new_with_free_func(g_free);
    caps->emulator = ppLibvirtXmlChildText(root, "path");
    caps->arch = ppLibvirtXmlChildText(root, "arch");
    caps->virtType = ppLibvirtXmlChildText(root, "domain");
    caps->machine = ppLibvirtXmlChildText(root, "machine");

    devicesNode = ppLibvirtXmlChild(root, "devices");
    for (kind = devicesNode ? devicesNode->children : NULL; kind; kind = kind->next) {
        if (kind->type != XML_ELEMENT_NODE)
            continue;
        if (ppLibvirtXmlPropIs(kind, "supported", "yes"))
            g_strv_builder_add(devices, (const char *)kind->name);
        ppLibvirtDomainCapsParseEnums(caps, kind);
    }
    caps->devices = g_strv_builder_end(devices);

    if (!caps->machine)
        g_ptr_array_add(caps->unknown,
                        g_strdup(_("libvirt did not give the canonical name of the machine type")));
    if (!ppLibvirtDomainCapsGetEnum(caps, "controller", "model"))
        g_ptr_array_add(caps->unknown,
                        g_strdup(_("libvirt does not list which PCI controller models the emulator has")));
    return g_steal_pointer(&caps);
}

PpLibvirtDomainCaps *
ppLibvirtGetDomainCapabilities(PpLibvirtConn *conn,
                               const char *emulator,
                               const char *arch,
                               const char *machine,
                               const char *virtType,
                               GError **error)
{
    PpLibvirtDomainCaps *caps;
    char *xml;

    g_return_val_if_fail(conn != NULL, NULL);

    if (!(xml = virConnectGetDomainCapabilities(conn->conn, emulator, arch, machine, virtType,
                                                0))) {
        ppLibvirtReportLastError(error);
        return NULL;
    }
    caps = ppLibvirtDomainCapsParse(xml, error);
    free(xml);
    return caps;
}

const char *const *
ppLibvirtDomainCapsGetEnum(const PpLibvirtDomainCaps *caps, const char *kind, const char *name)
{
    g_autofree char *key = NULL;

    g_return_val_if_fail(caps != NULL && kind != NULL && name != NULL, NULL);

    key = g_strdup_printf("%s.%s", kind, name);
    return g_hash_table_lookup(caps->enums, key);
}

void
ppLibvirtDomainCapsFree(PpLibvirtDomainCaps *caps)
{
    if (!caps)
        return;
    g_free(caps->emulator);
    g_free(caps->arch);
    g_free(caps->virtType);
    g_free(caps->machine);
    g_strfreev(caps->devices);
    g_clear_pointer(&caps->enums, g_hash_table_unref);
    g_clear_pointer(&caps->unknown, g_ptr_array_unref);
    g_free(caps);
}

/* The text of @def's <emulator>, or NULL. (transfer full) */
static char *
ppLibvirtDomainDefEmulator(const PpDomainDef *def)
{
    guint i;

    for (i = 0; i < def->devices->len; i++) {
        const PpDeviceDef *dev = g_ptr_array_index(def->devices, i);
        xmlChar *text;
        char *ret;

        if (dev->kind != PP_DEVICE_EMULATOR || !(text = xmlNodeGetContent(dev->node)))
            continue;
        ret = g_strstrip(g_strdup((const char *)text));
        xmlFree(text);
        if (*ret)
            return ret;
        g_free(ret);
    }
    return NULL;
}

PpLibvirtDomainCaps *
ppLibvirtGetDomainCapabilitiesForDef(PpLibvirtConn *conn, const PpDomainDef *def, GError **error)
{
    g_autofree char *emulator = NULL;

    g_return_val_if_fail(conn != NULL && def != NULL, NULL);

    emulator = ppLibvirtDomainDefEmulator(def);
    return ppLibvirtGetDomainCapabilities(conn, emulator, def->arch, def->machine, def->virtType,
                                          error);
}

PpTristate
ppLibvirtDomainCapsHasPCIController(const PpLibvirtDomainCaps *caps, PpPCIControllerModel model)
{
    const char *const *models;

    g_return_val_if_fail(caps != NULL, PP_TRISTATE_ABSENT);

    if (!(models = ppLibvirtDomainCapsGetEnum(caps, "controller", "model")))
        return PP_TRISTATE_ABSENT;
    return g_strv_contains(models, ppPCIControllerModelToString(model)) ? PP_TRISTATE_YES
                                                                       : PP_TRISTATE_NO;
}

/* ------------------------------------------------------------------ */
/* Comparing the planned XML with what libvirt made of it              */

static gboolean
ppLibvirtIsPCIController(const PpDeviceDef *dev)
{
    return dev->kind == PP_DEVICE_CONTROLLER && g_strcmp0(dev->type, "pci") == 0;
}

/* libvirt, like QEMU, reads an all-zero PCI address as "any slot". */
static gboolean
ppLibvirtHasPCIAddress(const PpDeviceDef *dev)
{
    return dev->addr.type == PP_ADDRESS_PCI && !ppPCIAddressIsEmpty(&dev->addr.pci);
}

/* Returns: (transfer full) "DDDD:BB:SS.F", with multifunction='on' when
 * set (libvirt writes 'off' only if told, and it means the default). */
static char *
ppLibvirtAddressFormat(const PpDeviceDef *dev)
{
    g_autofree char *addr = ppPCIAddressFormat(&dev->addr.pci);

    if (dev->addr.pci.multifunction == PP_TRISTATE_YES)
        return g_strdup_printf("%s multifunction='on'", addr);
    return g_steal_pointer(&addr);
}

/*
 * What a device is, for matching across the two documents: its element,
 * and for controllers their type (a USB controller is not a SCSI one).
 * Returns: (transfer full)
 */
static char *
ppLibvirtDeviceKey(const PpDeviceDef *dev)
{
    g_autofree char *addr = ppLibvirtAddressFormat(dev);

    if (dev->kind == PP_DEVICE_CONTROLLER)
        return g_strdup_printf("controller type='%s' %s", dev->type ? dev->type : "", addr);
    return g_strdup_printf("%s %s", (const char *)dev->node->name, addr);
}

/*
 * A device of libvirt's document, named without ppDeviceDefDescribe()'s
 * position, which counts devices in a document the reader never sees.
 * Returns: (transfer full)
 */
static char *
ppLibvirtDescribeDefined(const PpDeviceDef *dev)
{
    const char *name = (const char *)dev->node->name;

    if (dev->alias || dev->kind == PP_DEVICE_CONTROLLER ||
        (dev->kind == PP_DEVICE_DISK && dev->dev))
        return ppDeviceDefDescribe(dev);
    if (dev->model)
        return g_strdup_printf("%s (%s)", name, dev->model);
    return g_strdup(name);
}

/* Index -> PCI controller, for the PCI controllers of @def that have one. */
static GHashTable *
ppLibvirtPCIControllersByIndex(const PpDomainDef *def)
{
    GHashTable *byIndex = g_hash_table_new(g_direct_hash, g_direct_equal);
    guint i;

    for (i = 0; i < def->devices->len; i++) {
        PpDeviceDef *dev = g_ptr_array_index(def->devices, i);

        if (ppLibvirtIsPCIController(dev) && dev->ctrl.index >= 0)
            g_hash_table_insert(byIndex, GINT_TO_POINTER(dev->ctrl.index), dev);
    }
    return byIndex;
}

static void
ppLibvirtComparePCIAddress(const PpDeviceDef *planned, const PpDeviceDef *defined,
                           GPtrArray *diffs)
{
    g_autofree char *what = ppDeviceDefDescribe(planned);
    g_autofree char *from = ppLibvirtAddressFormat(planned);
    g_autofree char *to = ppLibvirtAddressFormat(defined);
    gboolean hadAddr = ppLibvirtHasPCIAddress(planned);
    gboolean hasAddr = ppLibvirtHasPCIAddress(defined);

    if (!hadAddr && hasAddr)
        g_ptr_array_add(diffs, g_strdup_printf(_("libvirt gave %1$s the address %2$s"), what, to));
    else if (hadAddr && !hasAddr)
        g_ptr_array_add(diffs, g_strdup_printf(_("libvirt dropped the address %2$s of %1$s"),
                                               what, from));
    else if (hadAddr && !g_str_equal(from, to))
        g_ptr_array_add(diffs, g_strdup_printf(_("libvirt moved %1$s from %2$s to %3$s"), what,
                                               from, to));
}

/*
 * PCI controllers are matched by index: the index is the number of the
 * bus the controller provides, which every device address below it names.
 */
static void
ppLibvirtComparePCIControllers(const PpDomainDef *planned, const PpDomainDef *defined,
                               GPtrArray *diffs)
{
    g_autoptr(GHashTable) byIndex = ppLibvirtPCIControllersByIndex(planned);
    guint i;

    for (i = 0; i < defined->devices->len; i++) {
        PpDeviceDef *dev = g_ptr_array_index(defined->devices, i);
        g_autofree char *what = NULL;
        PpDeviceDef *orig;

        if (!ppLibvirtIsPCIController(dev))
            continue;
        orig = g_hash_table_lookup(byIndex, GINT_TO_POINTER(dev->ctrl.index));
        if (!orig) {
            g_autofree char *addr = ppLibvirtAddressFormat(dev);

            what = ppLibvirtDescribeDefined(dev);
            if (ppLibvirtHasPCIAddress(dev))
                g_ptr_array_add(diffs, g_strdup_printf(_("libvirt added %1$s at %2$s"), what,
                                                       addr));
            else
                g_ptr_array_add(diffs, g_strdup_printf(_("libvirt added %1$s"), what));
            continue;
        }
        g_hash_table_remove(byIndex, GINT_TO_POINTER(dev->ctrl.index));
        if (g_strcmp0(orig->model, dev->model) != 0) {
            what = ppDeviceDefDescribe(orig);
            g_ptr_array_add(diffs, g_strdup_printf(_("libvirt changed the model of %1$s to '%2$s'"),
                                                   what, dev->model ? dev->model : ""));
        }
        ppLibvirtComparePCIAddress(orig, dev, diffs);
    }

    /* Report in the planned document's order, not the hash table's. */
    for (i = 0; i < planned->devices->len; i++) {
        PpDeviceDef *dev = g_ptr_array_index(planned->devices, i);
        g_autofree char *what = NULL;

        if (!ppLibvirtIsPCIController(dev))
            continue;
        what = ppDeviceDefDescribe(dev);
        if (dev->ctrl.index < 0)
            g_ptr_array_add(diffs, g_strdup_printf(_("The plan gives %1$s no index, so libvirt numbered it"),
                                                   what));
        else if (g_hash_table_lookup(byIndex, GINT_TO_POINTER(dev->ctrl.index)) == dev)
            g_ptr_array_add(diffs, g_strdup_printf(_("%1$s is missing after define"), what));
    }
}

/* Key -> how many devices of @def have it, over the devices with a PCI
 * address that are not PCI controllers. */
static GHashTable *
ppLibvirtDeviceKeysCount(const PpDomainDef *def)
{
    GHashTable *counts = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    guint i;

    for (i = 0; i < def->devices->len; i++) {
        PpDeviceDef *dev = g_ptr_array_index(def->devices, i);
        char *key;

        if (ppLibvirtIsPCIController(dev) || !ppLibvirtHasPCIAddress(dev))
            continue;
        key = ppLibvirtDeviceKey(dev);
        g_hash_table_replace(counts, key,
                             GUINT_TO_POINTER(GPOINTER_TO_UINT(g_hash_table_lookup(counts, key)) + 1));
    }
    return counts;
}

/* Take one device with @key from @counts; FALSE when none is left. */
static gboolean
ppLibvirtDeviceKeyTake(GHashTable *counts, const char *key)
{
    guint count = GPOINTER_TO_UINT(g_hash_table_lookup(counts, key));

    if (count == 0)
        return FALSE;
    g_hash_table_insert(counts, g_strdup(key), GUINT_TO_POINTER(count - 1));
    return TRUE;
}

/*
 * Every other device is matched by what it is and where it sits, as a
 * multiset: libvirt reorders devices, and which of two identical disks
 * got which of two planned slots does not change the topology. A device
 * the plan left without an address, or that libvirt added (a USB
 * controller, a memballoon, a SATA controller) shows up as unmatched.
 */
static void
ppLibvirtCompareDevices(const PpDomainDef *planned, const PpDomainDef *defined, GPtrArray *diffs)
{
    g_autoptr(GHashTable) plannedKeys = ppLibvirtDeviceKeysCount(planned);
    g_autoptr(GHashTable) definedKeys = ppLibvirtDeviceKeysCount(defined);
    guint i;

    for (i = 0; i < defined->devices->len; i++) {
        PpDeviceDef *dev = g_ptr_array_index(defined->devices, i);
        g_autofree char *key = NULL;
        g_autofree char *what = NULL;
        g_autofree char *addr = NULL;

        if (ppLibvirtIsPCIController(dev) || !ppLibvirtHasPCIAddress(dev))
            continue;
        key = ppLibvirtDeviceKey(dev);
        if (ppLibvirtDeviceKeyTake(plannedKeys, key))
            continue;
        what = ppLibvirtDescribeDefined(dev);
        addr = ppLibvirtAddressFormat(dev);
        g_ptr_array_add(diffs, g_strdup_printf(_("After define, %1$s is at %2$s, where the plan has no such device"),
                                               what, addr));
    }

    for (i = 0; i < planned->devices->len; i++) {
        PpDeviceDef *dev = g_ptr_array_index(planned->devices, i);
        g_autofree char *key = NULL;
        g_autofree char *what = NULL;
        g_autofree char *addr = NULL;

        if (ppLibvirtIsPCIController(dev) || !ppLibvirtHasPCIAddress(dev))
            continue;
        key = ppLibvirtDeviceKey(dev);
        if (ppLibvirtDeviceKeyTake(definedKeys, key))
            continue;
        what = ppDeviceDefDescribe(dev);
        addr = ppLibvirtAddressFormat(dev);
        g_ptr_array_add(diffs, g_strdup_printf(_("The plan puts %1$s at %2$s, but after define no such device is there"),
                                               what, addr));
    }
}

gboolean
ppLibvirtCompareDomainXML(const char *planned, const char *defined, GError **error)
{
    g_autoptr(PpDomainDef) plannedDef = NULL;
    g_autoptr(PpDomainDef) definedDef = NULL;
    g_autoptr(GPtrArray) diffs = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GString) text = NULL;
    guint i;

    g_return_val_if_fail(planned != NULL && defined != NULL, FALSE);

    if (!(plannedDef = ppDomainDefParseString(planned, strlen(planned), error)))
        return FALSE;
    if (!(definedDef = ppDomainDefParseString(defined, strlen(defined), error))) {
        g_prefix_error(error, _("Cannot read the XML libvirt returned: "));
        return FALSE;
    }

    ppLibvirtComparePCIControllers(plannedDef, definedDef, diffs);
    ppLibvirtCompareDevices(plannedDef, definedDef, diffs);
    if (diffs->len == 0)
        return TRUE;

    text = g_string_new(NULL);
    for (i = 0; i < diffs->len && i < PP_LIBVIRT_COMPARE_MAX_REPORTED; i++)
        g_string_append_printf(text, "\n  %s", (const char *)g_ptr_array_index(diffs, i));
    if (diffs->len > PP_LIBVIRT_COMPARE_MAX_REPORTED)
        g_string_append_printf(text, _("\n  ... and %1$u more"),
                               diffs->len - PP_LIBVIRT_COMPARE_MAX_REPORTED);
    g_set_error(error, PP_ERROR, PP_ERROR_INTERNAL,
                _("libvirt changed the planned PCI topology of domain '%1$s':%2$s"),
                plannedDef->name ? plannedDef->name : "", text->str);
    return FALSE;
}

/* ------------------------------------------------------------------ */
/* Attaching a planned device                                          */

void
ppLibvirtAttachResultClear(PpLibvirtAttachResult *res)
{
    g_clear_pointer(&res->device, g_free);
}

/* One view of the domain (running, or persistent) planned with the new
 * device in it. */
typedef struct {
    char *planned;      /* the whole planned document */
    char *element;      /* live only: the device, with its planned <address> */
    char *device;       /* a human name for the device */
    PpDeviceAddress addr;
    guint added;        /* devices the plan added besides it */
} PpLibvirtAttachStep;

static void
ppLibvirtAttachStepClear(PpLibvirtAttachStep *step)
{
    g_free(step->planned);
    g_free(step->element);
    g_free(step->device);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(PpLibvirtAttachStep, ppLibvirtAttachStepClear);

/* The one element of @devxml (an XML declaration and comments around it
 * are dropped). Returns: (transfer full) its text, or NULL with @error. */
static char *
ppLibvirtDeviceElement(const char *devxml, GError **error)
{
    g_autoptr(PpXmlSpans) spans = NULL;
    const PpXmlSpan *root = NULL;
    guint i;

    if (!(spans = ppXmlSpansScan(devxml, strlen(devxml), error))) {
        g_prefix_error(error, _("Cannot read the device XML: "));
        return NULL;
    }
    for (i = 0; i < spans->spans->len; i++) {
        const PpXmlSpan *span = &g_array_index(spans->spans, PpXmlSpan, i);

        if (span->depth > 0)
            continue;
        if (root) {
            g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                        _("The device XML must hold exactly one device element, not several"));
            return NULL;
        }
        root = span;
    }
    if (!root) {
        g_set_error(error, PP_ERROR, PP_ERROR_CONFIG, _("The device XML holds no element"));
        return NULL;
    }
    return g_strndup(devxml + root->start, root->end - root->start);
}

/*
 * @base, a domain libvirt returned, with @element appended as the last
 * child of its <devices>. Returns: (transfer full) the parsed result.
 */
static PpDomainDef *
ppLibvirtAppendDevice(const char *base, const char *element, GError **error)
{
    g_autoptr(PpDomainDef) def = NULL;
    g_autoptr(GString) text = NULL;
    const PpXmlSpan *devices;
    const PpDeviceDef *dev;

    if (!(def = ppDomainDefParseString(base, strlen(base), error)))
        return NULL;
    if (!def->devicesNode || (devices = ppDomainDefNodeSpan(def, def->devicesNode))->empty) {
        g_set_error(error, PP_ERROR, PP_ERROR_LIBVIRT,
                    _("libvirt returned domain '%1$s' without devices"),
                    def->name ? def->name : "");
        return NULL;
    }
    text = g_string_new_len(base, devices->endStart);
    g_string_append_printf(text, "  %s\n  ", element);
    g_string_append(text, base + devices->endStart);

    g_clear_pointer(&def, ppDomainDefFree);
    if (!(def = ppDomainDefParseString(text->str, text->len, error))) {
        g_prefix_error(error, _("Cannot read the device XML: "));
        return NULL;
    }
    dev = g_ptr_array_index(def->devices, def->devices->len - 1);
    if (dev->kind == PP_DEVICE_OTHER) {
        g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                    _("<%1$s> is not a device element libvirt knows"),
                    (const char *)dev->node->name);
        return NULL;
    }
    return g_steal_pointer(&def);
}

/*
 * The devices a domain has are where its guest's drivers, and the user's
 * tools, expect them: a plan for one more device must leave every one of
 * them where it is (the planner keeps the addresses it is given, so this
 * catches planner bugs), and a running guest can take nothing but the
 * device itself.
 */
static gboolean
ppLibvirtAttachCheckPlan(const PpDomainDef *def, const PpDeviceDef *newdev, gboolean live,
                         GError **error)
{
    g_autofree char *what = ppDeviceDefDescribe(newdev);
    guint i;

    for (i = 0; i < def->devices->len; i++) {
        const PpDeviceDef *dev = g_ptr_array_index(def->devices, i);
        g_autofree char *other = NULL;
        g_autofree char *addr = NULL;

        if (dev == newdev || (dev->added && !live) || (!dev->added && !dev->addrChanged))
            continue;
        other = ppDeviceDefDescribe(dev);
        if (dev->added) {
            g_set_error(error, PP_ERROR, PP_ERROR_INTERNAL,
                        _("The plan for %1$s adds %2$s, which a running guest cannot take"),
                        what, other);
            return FALSE;
        }
        addr = ppPCIAddressFormat(&dev->addr.pci);
        g_set_error(error, PP_ERROR, PP_ERROR_INTERNAL,
                    _("The plan for %1$s moves %2$s to %3$s, but a device the domain has never moves"),
                    what, other, addr);
        return FALSE;
    }
    return TRUE;
}

/* The last device of the planned document @planned. (transfer full) */
static char *
ppLibvirtPlannedDeviceElement(const char *planned, GError **error)
{
    g_autoptr(PpDomainDef) def = NULL;
    const PpDeviceDef *dev;
    const PpXmlSpan *span;

    if (!(def = ppDomainDefParseString(planned, strlen(planned), error)))
        return NULL;
    dev = g_ptr_array_index(def->devices, def->devices->len - 1);
    span = ppDomainDefNodeSpan(def, dev->node);
    return g_strndup(def->text + span->start, span->end - span->start);
}

/*
 * Plan @base (the running guest's XML when @live, else the persistent
 * definition) with @element appended. A live plan adds nothing, so the
 * device stays the last element of <devices>, where it is taken from.
 */
static gboolean
ppLibvirtAttachPlan(const char *base,
                    const char *element,
                    gboolean live,
                    PpLibvirtPlanFunc plan,
                    gpointer opaque,
                    PpLibvirtAttachStep *step,
                    GError **error)
{
    g_autoptr(PpDomainDef) def = NULL;
    PpDeviceDef *dev;
    gsize len = 0;
    guint i;

    if (!(def = ppLibvirtAppendDevice(base, element, error)))
        return FALSE;
    dev = g_ptr_array_index(def->devices, def->devices->len - 1);
    step->device = ppDeviceDefDescribe(dev);
    if (live && dev->hints.hotpluggable == PP_TRISTATE_NO) {
        g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                    _("%1$s has hotpluggable='no', but adding a device to a running guest is a hot-plug: drop the hint, or attach with --config only"),
                    step->device);
        return FALSE;
    }
    if (!plan(def, live, opaque, error)) {
        if (live)
            g_prefix_error(error, _("Cannot hot-plug %1$s into running domain '%2$s': "),
                           step->device, def->name ? def->name : "");
        else
            g_prefix_error(error, _("Cannot add %1$s to the definition of domain '%2$s': "),
                           step->device, def->name ? def->name : "");
        return FALSE;
    }
    if (!ppLibvirtAttachCheckPlan(def, dev, live, error))
        return FALSE;
    step->addr = dev->addr;
    for (i = 0; i < def->devices->len; i++)
        step->added += ((PpDeviceDef *)g_ptr_array_index(def->devices, i))->added;
    if (!(step->planned = ppDomainDefFormat(def, &len, error)))
        return FALSE;
    return !live || (step->element = ppLibvirtPlannedDeviceElement(step->planned, error));
}

/* Resolve @flags against the domain's state, as virsh does, and refuse
 * what the state does not allow with the option that would work. */
static gboolean
ppLibvirtAttachResolveFlags(PpLibvirtConn *conn, const char *name, unsigned int *flags,
                            GError **error)
{
    PpLibvirtDomainState state;

    if (!ppLibvirtGetDomainState(conn, name, &state, error))
        return FALSE;
    if (!state.exists) {
        g_set_error(error, PP_ERROR, PP_ERROR_CONFIG, _("libvirt has no domain '%1$s'"), name);
        return FALSE;
    }
    if (*flags == 0)
        *flags = state.active ? PP_LIBVIRT_ATTACH_LIVE : PP_LIBVIRT_ATTACH_CONFIG;
    if ((*flags & PP_LIBVIRT_ATTACH_LIVE) && !state.active) {
        g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                    _("Domain '%1$s' is not running, so nothing can be hot-plugged into it; attach with --config to change its definition"),
                    name);
        return FALSE;
    }
    if ((*flags & PP_LIBVIRT_ATTACH_CONFIG) && !state.persistent) {
        g_set_error(error, PP_ERROR, PP_ERROR_CONFIG,
                    _("Domain '%1$s' is transient and has no definition to change; attach with --live only"),
                    name);
        return FALSE;
    }
    return TRUE;
}

/* Hot-plug the planned device, then check that the running guest is as
 * planned: libvirt takes the <address> as given, or refuses. */
static gboolean
ppLibvirtAttachLive(PpLibvirtConn *conn, const char *name, const PpLibvirtAttachStep *step,
                    GError **error)
{
    g_autoptr(virDomain) dom = NULL;
    g_autofree char *now = NULL;

    if (!(dom = ppLibvirtLookup(conn, name, error)))
        return FALSE;
    if (virDomainAttachDeviceFlags(dom, step->element, VIR_DOMAIN_AFFECT_LIVE) < 0) {
        ppLibvirtReportLastError(error);
        g_prefix_error(error, _("libvirt did not hot-plug %1$s into domain '%2$s': "),
                       step->device, name);
        return FALSE;
    }
    if (!(now = ppLibvirtDomainXML(dom, PP_LIBVIRT_XML_LIVE, error)))
        return FALSE;
    if (!ppLibvirtCompareDomainXML(step->planned, now, error)) {
        g_prefix_error(error, _("%1$s is hot-plugged into domain '%2$s', but not as planned: "),
                       step->device, name);
        return FALSE;
    }
    return TRUE;
}

/* Plan, and apply, the persistent half of an attach; *@ret_previous is
 * the definition it replaced. */
static gboolean
ppLibvirtAttachConfig(PpLibvirtConn *conn,
                      const char *name,
                      const char *element,
                      PpLibvirtPlanFunc plan,
                      gpointer opaque,
                      PpLibvirtAttachStep *step,
                      char **ret_previous,
                      GError **error)
{
    g_autofree char *previous = NULL;

    if (!(previous = ppLibvirtGetDomainXML(conn, name, PP_LIBVIRT_XML_INACTIVE, error)) ||
        !ppLibvirtAttachPlan(previous, element, FALSE, plan, opaque, step, error) ||
        !ppLibvirtDefinePlanned(conn, step->planned, NULL, error))
        return FALSE;
    *ret_previous = g_steal_pointer(&previous);
    return TRUE;
}

gboolean
ppLibvirtAttach(PpLibvirtConn *conn,
                const char *name,
                const char *devxml,
                unsigned int flags,
                PpLibvirtPlanFunc plan,
                gpointer opaque,
                PpLibvirtAttachResult *ret,
                GError **error)
{
    g_auto(PpLibvirtAttachStep) live = { 0 };
    g_auto(PpLibvirtAttachStep) config = { 0 };
    g_autofree char *element = NULL;
    g_autofree char *liveBase = NULL;
    g_autofree char *previous = NULL;
    g_autoptr(GError) hotplug = NULL;
    const PpLibvirtAttachStep *done;

    g_return_val_if_fail(conn != NULL && name != NULL && devxml != NULL, FALSE);
    g_return_val_if_fail(plan != NULL && ret != NULL, FALSE);

    if (!(element = ppLibvirtDeviceElement(devxml, error)) ||
        !ppLibvirtAttachResolveFlags(conn, name, &flags, error))
        return FALSE;
    if ((flags & PP_LIBVIRT_ATTACH_LIVE) &&
        (!(liveBase = ppLibvirtGetDomainXML(conn, name, PP_LIBVIRT_XML_LIVE, error)) ||
         !ppLibvirtAttachPlan(liveBase, element, TRUE, plan, opaque, &live, error)))
        return FALSE;
    /* With both, the definition takes the device at its live address: the
     * guest must find it in the same place after a restart. The
     * definition goes first because it can be undone and a hot-plug
     * cannot. */
    if ((flags & PP_LIBVIRT_ATTACH_CONFIG) &&
        !ppLibvirtAttachConfig(conn, name, live.element ? live.element : element, plan, opaque,
                               &config, &previous, error))
        return FALSE;
    if ((flags & PP_LIBVIRT_ATTACH_LIVE) && !ppLibvirtAttachLive(conn, name, &live, &hotplug)) {
        if (previous)
            ppLibvirtDefineRollback(conn, name, previous, hotplug, error);
        else
            g_propagate_error(error, g_steal_pointer(&hotplug));
        return FALSE;
    }

    done = (flags & PP_LIBVIRT_ATTACH_LIVE) ? &live : &config;
    *ret = (PpLibvirtAttachResult){ .flags = flags,
                                    .device = g_strdup(done->device),
                                    .address = done->addr.pci,
                                    .hasAddress = done->addr.type == PP_ADDRESS_PCI,
                                    .added = config.added };
    return TRUE;
}
