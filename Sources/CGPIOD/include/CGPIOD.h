#ifndef AUXCHAIN_CGPIOD_H
#define AUXCHAIN_CGPIOD_H
/// The libgpiod version string this binary runs against.
const char *CGPIOD_version(void);
#endif
