/*
 * qemu_commandpriv.h: what the qemu_command*.c files share
 *
 * Not a public header: tools/ and other modules use qemu_command.h.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "qemu_command.h"
#include "xml_util.h"

#include <libxml/tree.h>

/* ------------------------------------------------------------------ */
/* Machines (qemu_command_machine.c)                                   */

const char *ppQemuMachineEmulator(const PpQemuMachine *m, const char *arch);
/* (transfer none) the -machine type for @machine (the XML's, maybe NULL). */
const char *ppQemuMachineCanonical(const PpQemuMachine *m, const char *machine);

/* ------------------------------------------------------------------ */
/* JSON properties (qemu_command_json.c)                               */

/* An ordered set of properties that becomes one JSON object, as libvirt
 * builds -device, -netdev, -blockdev and -object arguments. */
typedef struct _PpQemuProps PpQemuProps;

PpQemuProps *ppQemuPropsNew(void);
void ppQemuPropsFree(PpQemuProps *props);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PpQemuProps, ppQemuPropsFree);

void ppQemuPropsAddStr(PpQemuProps *props, const char *key, const char *value);
void ppQemuPropsAddUInt(PpQemuProps *props, const char *key, guint64 value);
void ppQemuPropsAddInt(PpQemuProps *props, const char *key, gint64 value);
void ppQemuPropsAddBool(PpQemuProps *props, const char *key, gboolean value);
void ppQemuPropsAddNull(PpQemuProps *props, const char *key);
/* Drops @key if present. */
void ppQemuPropsRemove(PpQemuProps *props, const char *key);
/* The value of a string property, NULL if absent or not a string. */
const char *ppQemuPropsGetStr(const PpQemuProps *props, const char *key);
/* Returns: (transfer full) the JSON object text. */
char *ppQemuPropsFormat(const PpQemuProps *props);

/* ------------------------------------------------------------------ */
/* XML access (qemu_command_xml.c)                                     */

/* Every function accepts a NULL node and then returns NULL/absent. */
gboolean ppQemuXmlPropIsYes(xmlNodePtr node, const char *name, const char *yes);
/* An unsigned attribute as libvirt reads it (base 0): FALSE with a
 * PP_ERROR_CONFIG @error if present but invalid; @ret untouched if absent. */
/* A size with libvirt's unit attribute (default KiB), in bytes. */
gboolean ppQemuXmlSizeBytes(xmlNodePtr node,
                            const char *unitAttr,
                            const char *value,
                            const char *what,
                            guint64 *ret,
                            GError **error);

/* ------------------------------------------------------------------ */
/* The build context (qemu_command_build.c)                            */

/* One group of arguments that moves as a whole when -device options are
 * ordered: the backends a device needs, then the device itself. */
typedef struct {
    GPtrArray *backends;        /* char *: "-netdev", "{...}", ... */
    PpQemuProps *device;        /* the -device properties */
    const PpDeviceDef *dev;     /* the XML device it comes from */
    guint rank;                 /* libvirt's emission order of the device kind */
    gint64 subrank;             /* within @rank (controller type and index) */
    guint seq;                  /* creation order, the last tie break */
} PpQemuUnit;

typedef struct {
    const PpDomainDef *def;
    const PpQemuMachine *machine;
    xmlNodePtr root;            /* <domain> */
    GHashTable *pciByIndex;     /* controller index -> const PpDeviceDef * (type='pci') */
    GHashTable *aliases;        /* const PpDeviceDef * -> char * id */
    GHashTable *diskNodes;      /* const PpDeviceDef * -> N of its libvirt-N-format node */
    GHashTable *bootIndex;      /* const PpDeviceDef * -> its bootindex */
    GHashTable *serialPorts;    /* const PpDeviceDef * -> controller << 16 | port, lazily */
    GPtrArray *head;            /* char *: options before the devices */
    GPtrArray *units;           /* PpQemuUnit * */
    GPtrArray *tail;            /* char *: options after the devices */
    GPtrArray *skipped;         /* char *: devices left out */
    gboolean needAudiodev;      /* a sound device wants the silent -audiodev */
    guint isaSerials;           /* isa-serial ports so far */
} PpQemuBuild;

PpQemuBuild *ppQemuBuildNew(const PpDomainDef *def, GError **error);
void ppQemuBuildFree(PpQemuBuild *ctx);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PpQemuBuild, ppQemuBuildFree);

/* The structural checks of ppQemuValidateTopology() (qemu_command_check.c). */
gboolean ppQemuValidateBuild(const PpQemuBuild *ctx, GError **error);
/* Those of them libvirt or QEMU refuse outright (qemu_command_check.c). */
gboolean ppQemuValidateRefused(const PpQemuBuild *ctx, GError **error);

/* (transfer none) a new unit whose -device properties start with "driver". */
PpQemuUnit *ppQemuBuildAddUnit(PpQemuBuild *ctx, const PpDeviceDef *dev, const char *driver);
/* @value: (transfer full) */
void ppQemuUnitAddBackend(PpQemuUnit *unit, const char *option, char *value);
/* (transfer none) the device's id: its <alias>, or libvirt's alias for it. */
const char *ppQemuBuildAlias(const PpQemuBuild *ctx, const PpDeviceDef *dev);
/* Lists @dev among the devices the command line leaves out. */
void ppQemuBuildSkip(PpQemuBuild *ctx, const PpDeviceDef *dev);
/* (transfer none) the <controller type='@type' index='@index'>, or NULL. */
const PpDeviceDef *ppQemuBuildFindController(const PpQemuBuild *ctx, const char *type,
                                             guint index);
/* (transfer full) @str with every comma doubled, for QEMU's key=value syntax. */
char *ppQemuKeyvalEscape(const char *str);

/* (transfer none) the QEMU name of the bus of PCI controller @index
 * ("pcie.0", "pci.3", "ua-rp1"); @user names the device in errors. */
const char *ppQemuBuildPCIBusName(const PpQemuBuild *ctx, guint index, const PpDeviceDef *user,
                                  GError **error);
/* Adds "bootindex" when @dev is a boot device. */
void ppQemuBuildAddBootIndex(const PpQemuBuild *ctx, const PpDeviceDef *dev, PpQemuProps *props);
/* Adds bus, multifunction and addr of @dev's PCI address to @props. */
gboolean ppQemuBuildAddPCIAddress(const PpQemuBuild *ctx,
                                  const PpDeviceDef *dev,
                                  PpQemuProps *props,
                                  GError **error);
/* Like ppQemuBuildAddPCIAddress(), and nothing for a virtio-mmio address
 * (qemu_command_build.c). */
gboolean ppQemuBuildAddBusAddress(const PpQemuBuild *ctx,
                                  const PpDeviceDef *dev,
                                  PpQemuProps *props,
                                  GError **error);

/* ------------------------------------------------------------------ */
/* Aliases (qemu_command_alias.c)                                      */

GHashTable *ppQemuAliasesAssign(const PpDomainDef *def, const PpQemuMachine *machine,
                                GError **error);
const PpDeviceDef *ppQemuPrimaryVideo(const PpDomainDef *def);
/* libvirt's virDiskNameToIndex(): "vda" -> 0, "sdab" -> 27; -1 if invalid. */
int ppQemuDiskNameToIndex(const char *name);

typedef struct {
    guint controller;
    guint bus;
    guint target;
    guint unit;
} PpQemuDriveAddress;

gboolean ppQemuDiskDriveAddress(const PpDeviceDef *dev, PpQemuDriveAddress *ret,
                                GError **error);

/* ------------------------------------------------------------------ */
/* Devices (qemu_command_device.c, _controller.c, _disk.c, _chardev.c) */

/* libvirt 9.0's emission order of a device kind (qemuBuildCommandLine);
 * qemu_command_build.c. */
guint ppQemuDeviceKindRank(PpDeviceKind kind);

gboolean ppQemuBuildDevice(PpQemuBuild *ctx, const PpDeviceDef *dev, GError **error);
gboolean ppQemuBuildController(PpQemuBuild *ctx, const PpDeviceDef *dev, GError **error);
gboolean ppQemuBuildDisk(PpQemuBuild *ctx, const PpDeviceDef *dev, GError **error);
gboolean ppQemuBuildSerial(PpQemuBuild *ctx, const PpDeviceDef *dev, GError **error);
gboolean ppQemuBuildConsole(PpQemuBuild *ctx, const PpDeviceDef *dev, GError **error);
gboolean ppQemuBuildChannel(PpQemuBuild *ctx, const PpDeviceDef *dev, GError **error);
char *ppQemuBuildChardev(const PpDeviceDef *dev, const char *chrId, GError **error);

/* The skip rules (qemu_command_build.c). */

/* FALSE with a PP_ERROR_CONFIG @error unless @dev has a PCI address. */
gboolean ppQemuBuildRequirePCI(const PpDeviceDef *dev, GError **error);
/* Always FALSE, with a PP_ERROR_UNSUPPORTED @error naming @model. */
gboolean ppQemuBuildUnsupportedModel(const PpDeviceDef *dev, const char *model, GError **error);
/* Leave @dev out (TRUE), unless it takes a PCI slot (FALSE, UNSUPPORTED). */
gboolean ppQemuBuildSkipOrFail(PpQemuBuild *ctx, const PpDeviceDef *dev, GError **error);

/* The effective chassis/port of a root or downstream port, and chassisNr
 * of a pci-bridge: the XML's, or libvirt's default when absent. */
guint ppQemuControllerChassis(const PpDeviceDef *ctrl);
guint ppQemuControllerPort(const PpDeviceDef *ctrl);
guint ppQemuControllerChassisNr(const PpDeviceDef *ctrl);

/* ------------------------------------------------------------------ */
/* Virtio (qemu_command_virtio.c)                                      */

typedef enum {
    PP_QEMU_VIRTIO_NET,
    PP_QEMU_VIRTIO_BLK,
    PP_QEMU_VIRTIO_SCSI,
    PP_QEMU_VIRTIO_SERIAL,
    PP_QEMU_VIRTIO_BALLOON,
    PP_QEMU_VIRTIO_RNG,
    PP_QEMU_VIRTIO_9P,
    PP_QEMU_VIRTIO_VSOCK,
    PP_QEMU_VIRTIO_GPU,
    PP_QEMU_VIRTIO_VGA,
    PP_QEMU_VIRTIO_TABLET,
    PP_QEMU_VIRTIO_MOUSE,
    PP_QEMU_VIRTIO_KEYBOARD,
    PP_QEMU_VIRTIO_INPUT_HOST,
    PP_QEMU_VIRTIO_IOMMU,

    PP_QEMU_VIRTIO_LAST
} PpQemuVirtioKind;

typedef enum {
    PP_QEMU_VIRTIO_TRANSITIONAL_DEFAULT = 0, /* model='virtio': QEMU decides by bus */
    PP_QEMU_VIRTIO_TRANSITIONAL_YES,         /* model='virtio-transitional' */
    PP_QEMU_VIRTIO_TRANSITIONAL_NO,          /* model='virtio-non-transitional' */
} PpQemuVirtioModel;

/* The flavour libvirt's model string asks for; FALSE if @model is not a
 * virtio model. */
gboolean ppQemuVirtioModelParse(const char *model, PpQemuVirtioModel *ret);

PpQemuUnit *ppQemuBuildVirtioUnit(PpQemuBuild *ctx,
                                  const PpDeviceDef *dev,
                                  PpQemuVirtioKind kind,
                                  PpQemuVirtioModel model,
                                  GError **error);
