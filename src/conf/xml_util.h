/*
 * xml_util.h: reading libxml2 nodes the way libvirt's XML is read
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "internal.h"

#include <libxml/tree.h>

/* (transfer full) the attribute @name of @node (NULL-safe), or NULL. */
char *ppXmlProp(xmlNodePtr node, const char *name);

/* The first child element @name without a namespace, or NULL. */
xmlNodePtr ppXmlChild(xmlNodePtr node, const char *name);

/* (transfer full) attribute @name of child @child, or NULL. */
char *ppXmlChildProp(xmlNodePtr node, const char *child, const char *name);

/* (transfer full) the stripped text of @node, NULL if empty. */
char *ppXmlText(xmlNodePtr node);

/*
 * An unsigned number the way libvirt parses one (strtoul with base 0, so
 * "0x1f", "31" and "037" are the same), into @ret if the attribute is set
 * (@present, optional, says whether it was). @what names the element in
 * errors (PP_ERROR_CONFIG).
 */
gboolean ppXmlPropUInt(xmlNodePtr node,
                       const char *name,
                       guint64 max,
                       const char *what,
                       gboolean *present,
                       guint64 *ret,
                       GError **error);
