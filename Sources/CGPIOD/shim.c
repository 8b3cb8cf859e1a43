#include <gpiod.h>
#include "CGPIOD.h"

#ifdef GPIOD_LINE_BULK_MAX_LINES
const char *CGPIOD_version(void) { return gpiod_version_string(); }
#else
const char *CGPIOD_version(void) { return gpiod_api_version(); }
#endif
