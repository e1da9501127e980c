/* placeholder until the placement engine lands */
#include "internal.h"
