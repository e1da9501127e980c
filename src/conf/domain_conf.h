/*
 * domain_conf.h: the parts of a libvirt <domain> that PCI planning reads
 *
 * The model is a view over the libxml2 tree of the user's document: every
 * element the planner may edit keeps a pointer to its node, and the
 * document's original text is kept so that the writer (domain_format.c)
 * can splice additions into it and leave every other byte alone.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "internal.h"
#include "xml_spans.h"

#include <libxml/tree.h>

/* No domain in libvirt's test suite has more than a few hundred devices;
 * QEMU itself cannot take more than ~8000 PCI functions in one domain. */
#define PP_DOMAIN_MAX_DEVICES 16384

/* Same as PP_FILE_MAX_INPUT: a 4000-device planned domain is a few MiB. */
#define PP_DOMAIN_MAX_INPUT (16 * 1024 * 1024)

typedef enum {
    PP_TRISTATE_ABSENT = 0,
    PP_TRISTATE_YES,
    PP_TRISTATE_NO,

    PP_TRISTATE_LAST
} PpTristate;

typedef enum {
    PP_DEVICE_DISK,
    PP_DEVICE_CONTROLLER,
    PP_DEVICE_INTERFACE,
    PP_DEVICE_HOSTDEV,
    PP_DEVICE_VIDEO,
    PP_DEVICE_SOUND,
    PP_DEVICE_WATCHDOG,
    PP_DEVICE_RNG,
    PP_DEVICE_MEMBALLOON,
    PP_DEVICE_INPUT,
    PP_DEVICE_SERIAL,
    PP_DEVICE_CONSOLE,
    PP_DEVICE_PARALLEL,
    PP_DEVICE_CHANNEL,
    PP_DEVICE_IOMMU,
    PP_DEVICE_VSOCK,
    PP_DEVICE_SHMEM,
    PP_DEVICE_PANIC,
    PP_DEVICE_FILESYSTEM,
    PP_DEVICE_MEMORY,
    PP_DEVICE_CRYPTO,
    PP_DEVICE_TPM,
    PP_DEVICE_REDIRDEV,
    PP_DEVICE_HUB,
    PP_DEVICE_SMARTCARD,
    PP_DEVICE_GRAPHICS,
    PP_DEVICE_AUDIO,
    PP_DEVICE_EMULATOR,
    PP_DEVICE_LEASE,
    PP_DEVICE_OTHER, /* an element we do not know; kept, never placed */

    PP_DEVICE_LAST
} PpDeviceKind;

const char *ppDeviceKindToString(PpDeviceKind kind);
PpDeviceKind ppDeviceKindFromString(const char *name);

typedef enum {
    PP_ADDRESS_NONE = 0, /* no <address> element */
    PP_ADDRESS_PCI,
    PP_ADDRESS_VIRTIO_MMIO,
    PP_ADDRESS_DRIVE,
    PP_ADDRESS_VIRTIO_SERIAL,
    PP_ADDRESS_CCID,
    PP_ADDRESS_USB,
    PP_ADDRESS_SPAPR_VIO,
    PP_ADDRESS_CCW,
    PP_ADDRESS_ISA,
    PP_ADDRESS_DIMM,
    PP_ADDRESS_UNASSIGNED,
    PP_ADDRESS_VIRTIO_S390,
    PP_ADDRESS_OTHER, /* kept as given */

    PP_ADDRESS_LAST
} PpAddressType;

const char *ppAddressTypeToString(PpAddressType type);
PpAddressType ppAddressTypeFromString(const char *name);

typedef struct {
    guint domain;
    guint bus;
    guint slot;
    guint function;
    PpTristate multifunction;
} PpPCIAddress;

typedef struct {
    PpAddressType type;
    /* For PCI: all four numbers zero means "any PCI slot", as in libvirt
     * (virPCIDeviceAddressIsEmpty); the element may also carry no numbers. */
    PpPCIAddress pci;
} PpDeviceAddress;

gboolean ppPCIAddressIsEmpty(const PpPCIAddress *addr);
char *ppPCIAddressFormat(const PpPCIAddress *addr);

typedef enum {
    PP_CONTROLLER_MODEL_NONE = 0, /* no model attribute */
    PP_CONTROLLER_MODEL_PCI_ROOT,
    PP_CONTROLLER_MODEL_PCIE_ROOT,
    PP_CONTROLLER_MODEL_PCI_BRIDGE,
    PP_CONTROLLER_MODEL_DMI_TO_PCI_BRIDGE,
    PP_CONTROLLER_MODEL_PCIE_ROOT_PORT,
    PP_CONTROLLER_MODEL_PCIE_SWITCH_UPSTREAM_PORT,
    PP_CONTROLLER_MODEL_PCIE_SWITCH_DOWNSTREAM_PORT,
    PP_CONTROLLER_MODEL_PCI_EXPANDER_BUS,
    PP_CONTROLLER_MODEL_PCIE_EXPANDER_BUS,
    PP_CONTROLLER_MODEL_PCIE_TO_PCI_BRIDGE,

    PP_CONTROLLER_MODEL_LAST
} PpPCIControllerModel;

const char *ppPCIControllerModelToString(PpPCIControllerModel model);
PpPCIControllerModel ppPCIControllerModelFromString(const char *name);

/* The value of the preferredConnection hint. */
typedef enum {
    PP_CONNECTION_NONE = 0,
    PP_CONNECTION_PCI_ROOT,
    PP_CONNECTION_PCIE_ROOT,
    PP_CONNECTION_PCIE_ROOT_PORT,
    PP_CONNECTION_PCIE_SWITCH_DOWNSTREAM_PORT,
    PP_CONNECTION_PCI_BRIDGE,
    PP_CONNECTION_PCIE_TO_PCI_BRIDGE,
    PP_CONNECTION_PCIE_EXPANDER_BUS,
    PP_CONNECTION_PCI_EXPANDER_BUS,
    PP_CONNECTION_PCI,
    PP_CONNECTION_PCIE,
    PP_CONNECTION_VIRTIO_MMIO,

    PP_CONNECTION_LAST
} PpConnection;

const char *ppConnectionToString(PpConnection conn);
PpConnection ppConnectionFromString(const char *name);

/* The per-device hints of virt-pciplan, read from the device's <target>. */
typedef struct {
    PpTristate hotpluggable;
    PpConnection preferredConnection;
    int numaNode; /* -1 when absent */
    char *p2pGroup; /* owned; NULL when absent (README.md, "P2P groups") */
} PpDeviceHints;

/* A P2P group name: 1..PP_P2P_GROUP_MAX_LEN of [A-Za-z0-9._:-]. */
#define PP_P2P_GROUP_MAX_LEN 64

typedef struct {
    int index;            /* -1 when absent */
    PpPCIControllerModel pciModel; /* only for type='pci' */
    char *modelName;      /* <model name='...'/> */
    int chassisNr;        /* <target chassisNr>, -1 when absent */
    int chassis;          /* <target chassis>, -1 when absent */
    int port;             /* <target port>, -1 when absent */
    int busNr;            /* <target busNr>, -1 when absent */
    int numaNode;         /* <target><node>, -1 when absent */
    PpTristate hotplug;   /* <target hotplug> */
} PpControllerInfo;

typedef struct _PpDeviceDef PpDeviceDef;
struct _PpDeviceDef {
    PpDeviceKind kind;
    xmlNodePtr node;
    guint ordinal;        /* position among the <devices> children */
    guint kindOrdinal;    /* position among the devices of its kind */

    /* Identification, as far as PCI planning cares: */
    char *type;           /* the element's type= (disk, controller, interface, hostdev...) */
    char *model;          /* model= attribute or <model type=|name=> */
    char *bus;            /* disk <target bus>, input/redirdev bus= */
    char *device;         /* disk device= */
    char *driverName;     /* <driver name|type> (filesystem virtiofs, hostdev vfio) */
    char *targetType;     /* <target type> (serial pci-serial, console virtio) */
    char *dev;            /* <target dev> (disk, interface), for error messages */
    char *mac;            /* interface <mac address>, for error messages */
    char *alias;          /* <alias name> */
    char *aliasDropped;   /* the user's alias libvirt would drop, replaced by ->alias */
    gboolean primary;     /* video <model primary='yes'> */

    PpDeviceAddress addr;
    xmlNodePtr addrNode;  /* NULL when the device had no <address> */

    PpDeviceHints hints;
    PpControllerInfo ctrl; /* only for PP_DEVICE_CONTROLLER */

    /* Set by the planner, read by the writer (domain_format.c): */
    gboolean added;       /* not in the user's document (node is NULL) */
    gboolean addrChanged; /* addr differs from the document's <address> */
    gboolean indexAdded;  /* a controller given an index= it lacked */
    gboolean targetChanged; /* a controller given a busNr it lacked */
    gboolean aliasAdded;  /* given an alias (ua-...) it lacked */
    gboolean hintsFromMetadata; /* hints read back from <metadata> (libvirt dropped them) */
    gboolean groupFromHost;  /* hints.p2pGroup derived from the host's sysfs */
    gboolean numaFromHost;   /* hints.numaNode derived from the host's sysfs and <numatune> */
    gboolean ioReserveZero;  /* a root port that gets io-reserve=0 */
    gboolean ioReserveKnown; /* the document already says io-reserve for it */
};

/* The project's XML namespace, for hints mirrored under <metadata>. */
#define PP_HINTS_NAMESPACE "urn:virt-pciplan:hints:1"
/* libvirt's QEMU namespace, for <qemu:override>. */
#define PP_QEMU_NAMESPACE "http://libvirt.org/schemas/domain/qemu/1.0"

typedef enum {
    PP_FIRMWARE_DEFAULT = 0, /* nothing said: SeaBIOS on x86, UEFI on virt */
    PP_FIRMWARE_BIOS,
    PP_FIRMWARE_EFI,

    PP_FIRMWARE_LAST
} PpFirmware;

typedef struct _PpDomainDef PpDomainDef;
struct _PpDomainDef {
    /* The user's document, kept verbatim for the writer. */
    char *text;
    gsize len;
    xmlDocPtr doc;
    PpXmlSpans *spans;
    GHashTable *nodeSpans; /* xmlNodePtr -> span index + 1 */

    xmlNodePtr devicesNode; /* NULL when the domain has no <devices> */

    char *virtType;   /* <domain type> */
    char *name;
    char *arch;       /* <os><type arch> */
    char *machine;    /* <os><type machine> */
    PpFirmware firmware;
    char *loader;     /* <os><loader> path */
    gboolean acpi;    /* <features><acpi/> */
    guint64 memoryKiB;
    guint vcpus;
    GArray *numaCells; /* guint cell ids from <cpu><numa><cell id> */

    GPtrArray *devices; /* PpDeviceDef, document order */

    xmlNodePtr metadataNode; /* <metadata>, or NULL */
    xmlNodePtr hintsNode;    /* our element under <metadata>, or NULL */
    xmlNodePtr overrideNode; /* <qemu:override>, or NULL */
    char *qemuPrefix;        /* prefix the root declares for PP_QEMU_NAMESPACE, or NULL */
    gboolean qemuPrefixTaken; /* the root binds "qemu" to another namespace */
    GHashTable *aliases;     /* alias -> PpDeviceDef, every alias in use */
    guint kindCounts[PP_DEVICE_LAST]; /* devices of each kind */
};

PpDomainDef *ppDomainDefParseString(const char *text, gsize len, GError **error);
void ppDomainDefFree(PpDomainDef *def);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PpDomainDef, ppDomainDefFree);

/* A human name for a device in error messages: alias, else kind and
 * identifying attributes, e.g. "disk 'vda'" or "interface #2 (virtio)". */
char *ppDeviceDefDescribe(const PpDeviceDef *dev);

const PpXmlSpan *ppDomainDefNodeSpan(const PpDomainDef *def, xmlNodePtr node);

gboolean ppDomainDefHasNumaCell(const PpDomainDef *def, guint id);

/* Append a device the planner created; @def takes ownership. */
void ppDomainDefAddDevice(PpDomainDef *def, PpDeviceDef *dev);
PpDeviceDef *ppDeviceDefNew(PpDeviceKind kind);
void ppDeviceDefFree(PpDeviceDef *dev);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PpDeviceDef, ppDeviceDefFree);

/* Give @dev an alias (ua-...) unique in @def, unless it has one libvirt
 * keeps (see domain_conf.c). */
void ppDomainDefEnsureAlias(PpDomainDef *def, PpDeviceDef *dev);
gboolean ppDomainAliasKeptByLibvirt(const char *alias);

/* Does @hints hold any hint (hotpluggable, preferredConnection, numaNode, p2pGroup)?
 * The one test of "has hints": a hint is never silently ignored. */
gboolean ppDeviceHintsPresent(const PpDeviceHints *hints);

/* Give @dev a new address; the writer will edit or add its <address>. */
void ppDeviceDefSetAddress(PpDeviceDef *dev, const PpDeviceAddress *addr);
