#ifndef AUXCHAIN_CALSA_SHIM_H
#define AUXCHAIN_CALSA_SHIM_H
// alsa-lib's public API, plus the one thing Swift cannot write itself: a variadic C function.
#include <alsa/asoundlib.h>

// alsa-lib prints its own line to stderr for every failed open ("Unknown PCM ..."), once per
// retry while AuxChain waits for a device. AuxChain's errors already carry the code and what it
// was doing, so the library's copies are dropped.
static void CALSA_ignoreLibraryError(const char *file, int line, const char *function, int err, const char *fmt, ...) {
    (void)file; (void)line; (void)function; (void)err; (void)fmt;
}

static inline void CALSA_silenceLibraryErrors(void) {
    snd_lib_error_set_handler(CALSA_ignoreLibraryError);
}
#endif
