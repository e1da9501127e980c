#!/bin/sh
# Every source file that marks messages for translation with _() or N_()
# must be listed in po/POTFILES, or its messages never reach translators.
set -eu
top=$1
cd "$top"
missing=0
for f in $(grep -rlE '\b_\(|\bN_\(' src tools --include='*.c' | sort); do
    if ! grep -qx "$f" po/POTFILES; then
        echo "not ok: $f uses _() but is not in po/POTFILES"
        missing=1
    fi
done
for f in $(grep -v '^#' po/POTFILES); do
    [ -f "$f" ] || { echo "not ok: po/POTFILES lists $f, which does not exist"; missing=1; }
done
exit $missing
