#ifndef AUXCHAIN_CGPIOD_H
#define AUXCHAIN_CGPIOD_H

// A version-neutral C API over libgpiod 1.6 (Debian 12) and 2.x (Debian 13).
// shim.c is the one place that knows which one it was built against.
//
// Every function that can fail returns NULL or -1 and leaves errno set.
// A request must be released before the chip it came from is closed
// (libgpiod 1.6 keeps a request's line inside its chip).

#include <stdbool.h>
#include <stdint.h>

#if defined(__has_attribute)
#if __has_attribute(enum_extensibility)
#define CGPIOD_CLOSED_ENUM __attribute__((enum_extensibility(closed)))
#endif
#endif
#ifndef CGPIOD_CLOSED_ENUM
#define CGPIOD_CLOSED_ENUM
#endif

/// The kernel's limit for chip and line names, labels and consumers, with the NUL.
#define CGPIOD_NAME_SIZE 32

typedef struct CGPIOD_chip CGPIOD_chip;
typedef struct CGPIOD_request CGPIOD_request;

typedef enum CGPIOD_CLOSED_ENUM {
    CGPIOD_BIAS_AS_IS = 0,
    CGPIOD_BIAS_DISABLED,
    CGPIOD_BIAS_PULL_UP,
    CGPIOD_BIAS_PULL_DOWN,
} CGPIOD_bias;

typedef enum CGPIOD_CLOSED_ENUM {
    CGPIOD_DIRECTION_INPUT = 0,
    CGPIOD_DIRECTION_OUTPUT,
} CGPIOD_direction;

/// Which edges an input request reports.
typedef enum CGPIOD_CLOSED_ENUM {
    CGPIOD_EDGES_RISING = 0,
    CGPIOD_EDGES_FALLING,
    CGPIOD_EDGES_BOTH,
} CGPIOD_edges;

/// One edge, in logical terms: rising means the line became active.
typedef enum CGPIOD_CLOSED_ENUM {
    CGPIOD_EDGE_RISING = 0,
    CGPIOD_EDGE_FALLING,
} CGPIOD_edge;

typedef struct {
    char name[CGPIOD_NAME_SIZE];
    char label[CGPIOD_NAME_SIZE];
    unsigned int num_lines;
} CGPIOD_chip_info;

typedef struct {
    unsigned int offset;
    /// Empty when the line has no name.
    char name[CGPIOD_NAME_SIZE];
    /// Empty when the line is unused or its user gave no name.
    char consumer[CGPIOD_NAME_SIZE];
    bool used;
    CGPIOD_direction direction;
    bool active_low;
    CGPIOD_bias bias;
} CGPIOD_line_info;

typedef struct {
    CGPIOD_edge edge;
    /// CLOCK_MONOTONIC, in nanoseconds.
    uint64_t timestamp_ns;
    unsigned int offset;
} CGPIOD_event;

/// The libgpiod version string this binary runs against.
const char *CGPIOD_version(void);

/// True when the library can ask the kernel to debounce inputs (libgpiod 2.x).
bool CGPIOD_has_kernel_debounce(void);

/// Opens a GPIO character device such as /dev/gpiochip0.
CGPIOD_chip *CGPIOD_chip_open(const char *path);
void CGPIOD_chip_close(CGPIOD_chip *chip);
int CGPIOD_chip_get_info(CGPIOD_chip *chip, CGPIOD_chip_info *info);
int CGPIOD_chip_get_line_info(CGPIOD_chip *chip, unsigned int offset, CGPIOD_line_info *info);
/// The offset of the line with this name; -1 with errno ENOENT when there is none.
int CGPIOD_chip_find_line(CGPIOD_chip *chip, const char *name);

/// Requests one output line; `value` (0 or 1, logical) is driven from the moment of the request.
CGPIOD_request *CGPIOD_request_output(CGPIOD_chip *chip, unsigned int offset, const char *consumer,
                                      bool active_low, CGPIOD_bias bias, int value);
/// Requests one input line with edge events. A non-zero `debounce_us` fails with ENOTSUP
/// when `CGPIOD_has_kernel_debounce()` is false.
CGPIOD_request *CGPIOD_request_input(CGPIOD_chip *chip, unsigned int offset, const char *consumer,
                                     bool active_low, CGPIOD_bias bias, CGPIOD_edges edges,
                                     unsigned long debounce_us);
/// Sets the logical value (0 or 1) of an output request.
int CGPIOD_request_set_value(CGPIOD_request *request, int value);
/// The logical value (0 or 1) of the requested line, or -1.
int CGPIOD_request_get_value(CGPIOD_request *request);
/// The file descriptor that becomes readable when an input request has an event.
int CGPIOD_request_get_fd(CGPIOD_request *request);
/// Reads one event; blocks when none is queued.
int CGPIOD_request_read_event(CGPIOD_request *request, CGPIOD_event *event);
void CGPIOD_request_release(CGPIOD_request *request);

#endif
