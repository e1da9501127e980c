/*
 * pperror.c: the virt-pciplan GError domain
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "pperror.h"

typedef struct {
    char *device;
    char *hint;
    char *fix;
} PpErrorPrivate;

/* The private data sits before the GError, aligned as GLib lays it out
 * (what G_DEFINE_EXTENDED_ERROR computes, gerror.h). */
static PpErrorPrivate *
ppErrorPrivateOf(const GError *error)
{
    const gsize align = 2 * sizeof(gsize);
    const gsize size = (sizeof(PpErrorPrivate) + (align - 1)) & -align;

    return (PpErrorPrivate *)((guint8 *)error - size);
}

static PpErrorPrivate *
ppErrorGetPrivate(const GError *error)
{
    if (!error || error->domain != PP_ERROR)
        return NULL;
    return ppErrorPrivateOf(error);
}

static void
ppErrorPrivateInit(GError *error)
{
    PpErrorPrivate *priv = ppErrorPrivateOf(error);

    priv->device = priv->hint = priv->fix = NULL;
}

static void
ppErrorPrivateCopy(const GError *src, GError *dest)
{
    const PpErrorPrivate *from = ppErrorPrivateOf(src);
    PpErrorPrivate *to = ppErrorPrivateOf(dest);

    to->device = g_strdup(from->device);
    to->hint = g_strdup(from->hint);
    to->fix = g_strdup(from->fix);
}

static void
ppErrorPrivateClear(GError *error)
{
    PpErrorPrivate *priv = ppErrorPrivateOf(error);

    g_clear_pointer(&priv->device, g_free);
    g_clear_pointer(&priv->hint, g_free);
    g_clear_pointer(&priv->fix, g_free);
}

GQuark
ppErrorQuark(void)
{
    static gsize quark;

    if (g_once_init_enter(&quark)) {
        GQuark q = g_error_domain_register_static("virt-pciplan-error-quark",
                                                  sizeof(PpErrorPrivate), ppErrorPrivateInit,
                                                  ppErrorPrivateCopy, ppErrorPrivateClear);

        g_once_init_leave(&quark, q);
    }
    return (GQuark)quark;
}

void
ppErrorSetDetails(GError *error, const char *device, const char *hint, const char *fix)
{
    PpErrorPrivate *priv = ppErrorGetPrivate(error);

    if (!priv)
        return;
    g_free(priv->device);
    g_free(priv->hint);
    g_free(priv->fix);
    priv->device = g_strdup(device);
    priv->hint = g_strdup(hint);
    priv->fix = g_strdup(fix);
}

const char *
ppErrorGetDevice(const GError *error)
{
    PpErrorPrivate *priv = ppErrorGetPrivate(error);

    return priv ? priv->device : NULL;
}

const char *
ppErrorGetHint(const GError *error)
{
    PpErrorPrivate *priv = ppErrorGetPrivate(error);

    return priv ? priv->hint : NULL;
}

const char *
ppErrorGetFix(const GError *error)
{
    PpErrorPrivate *priv = ppErrorGetPrivate(error);

    return priv ? priv->fix : NULL;
}

const char *
ppErrorCodeToString(PpErrorCode code)
{
    switch (code) {
    case PP_ERROR_CONFIG:
        return "config";
    case PP_ERROR_UNSUPPORTED:
        return "unsupported";
    case PP_ERROR_EXHAUSTED:
        return "exhausted";
    case PP_ERROR_INTERNAL:
        return "internal";
    case PP_ERROR_LIBVIRT:
        return "libvirt";
    case PP_ERROR_IO:
        return "io";
    case PP_ERROR_LAST:
        break;
    }
    return "unknown";
}
