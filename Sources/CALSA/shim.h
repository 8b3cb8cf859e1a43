#ifndef AUXCHAIN_CALSA_SHIM_H
#define AUXCHAIN_CALSA_SHIM_H
// alsa-lib's public API; nothing of our own beyond the include.
#include <alsa/asoundlib.h>
#endif
