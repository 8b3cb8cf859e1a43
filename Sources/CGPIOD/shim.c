#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <gpiod.h>
#include "CGPIOD.h"

static void CGPIOD_copy_name(char destination[CGPIOD_NAME_SIZE], const char *source)
{
    snprintf(destination, CGPIOD_NAME_SIZE, "%s", source ? source : "");
}

// The v1 header defines GPIOD_LINE_BULK_MAX_LINES; v2's does not.
#ifdef GPIOD_LINE_BULK_MAX_LINES

// libgpiod 1.6: a request is a line object owned by its chip.
struct CGPIOD_request {
    struct gpiod_line *line;
};

const char *CGPIOD_version(void) { return gpiod_version_string(); }

bool CGPIOD_has_kernel_debounce(void) { return false; }

CGPIOD_chip *CGPIOD_chip_open(const char *path)
{
    return (CGPIOD_chip *)gpiod_chip_open(path);
}

void CGPIOD_chip_close(CGPIOD_chip *chip) { gpiod_chip_close((struct gpiod_chip *)chip); }

int CGPIOD_chip_get_info(CGPIOD_chip *chip, CGPIOD_chip_info *info)
{
    struct gpiod_chip *c = (struct gpiod_chip *)chip;
    CGPIOD_copy_name(info->name, gpiod_chip_name(c));
    CGPIOD_copy_name(info->label, gpiod_chip_label(c));
    info->num_lines = gpiod_chip_num_lines(c);
    return 0;
}

static CGPIOD_bias CGPIOD_bias_from_v1(int bias)
{
    switch (bias) {
    case GPIOD_LINE_BIAS_DISABLE: return CGPIOD_BIAS_DISABLED;
    case GPIOD_LINE_BIAS_PULL_UP: return CGPIOD_BIAS_PULL_UP;
    case GPIOD_LINE_BIAS_PULL_DOWN: return CGPIOD_BIAS_PULL_DOWN;
    default: return CGPIOD_BIAS_AS_IS;
    }
}

static int CGPIOD_bias_to_v1_flags(CGPIOD_bias bias)
{
    switch (bias) {
    case CGPIOD_BIAS_DISABLED: return GPIOD_LINE_REQUEST_FLAG_BIAS_DISABLE;
    case CGPIOD_BIAS_PULL_UP: return GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_UP;
    case CGPIOD_BIAS_PULL_DOWN: return GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_DOWN;
    default: return 0;
    }
}

int CGPIOD_chip_get_line_info(CGPIOD_chip *chip, unsigned int offset, CGPIOD_line_info *info)
{
    struct gpiod_line *line = gpiod_chip_get_line((struct gpiod_chip *)chip, offset);
    if (!line)
        return -1;
    info->offset = offset;
    CGPIOD_copy_name(info->name, gpiod_line_name(line));
    CGPIOD_copy_name(info->consumer, gpiod_line_consumer(line));
    info->used = gpiod_line_is_used(line);
    info->direction = gpiod_line_direction(line) == GPIOD_LINE_DIRECTION_OUTPUT
        ? CGPIOD_DIRECTION_OUTPUT : CGPIOD_DIRECTION_INPUT;
    info->active_low = gpiod_line_active_state(line) == GPIOD_LINE_ACTIVE_STATE_LOW;
    info->bias = CGPIOD_bias_from_v1(gpiod_line_bias(line));
    return 0;
}

int CGPIOD_chip_find_line(CGPIOD_chip *chip, const char *name)
{
    struct gpiod_line *line = gpiod_chip_find_line((struct gpiod_chip *)chip, name);
    return line ? (int)gpiod_line_offset(line) : -1;
}

static CGPIOD_request *CGPIOD_request_v1(CGPIOD_chip *chip, unsigned int offset,
                                         const struct gpiod_line_request_config *config, int value)
{
    struct gpiod_line *line = gpiod_chip_get_line((struct gpiod_chip *)chip, offset);
    if (!line)
        return NULL;
    CGPIOD_request *request = malloc(sizeof(*request));
    if (!request)
        return NULL;
    if (gpiod_line_request(line, config, value) < 0) {
        int saved = errno;
        free(request);
        errno = saved;
        return NULL;
    }
    request->line = line;
    return request;
}

CGPIOD_request *CGPIOD_request_output(CGPIOD_chip *chip, unsigned int offset, const char *consumer,
                                      bool active_low, CGPIOD_bias bias, int value)
{
    struct gpiod_line_request_config config = {
        .consumer = consumer,
        .request_type = GPIOD_LINE_REQUEST_DIRECTION_OUTPUT,
        .flags = CGPIOD_bias_to_v1_flags(bias) | (active_low ? GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW : 0),
    };
    return CGPIOD_request_v1(chip, offset, &config, value);
}

CGPIOD_request *CGPIOD_request_input(CGPIOD_chip *chip, unsigned int offset, const char *consumer,
                                     bool active_low, CGPIOD_bias bias, CGPIOD_edges edges,
                                     unsigned long debounce_us)
{
    if (debounce_us != 0) {
        errno = ENOTSUP;
        return NULL;
    }
    int type = GPIOD_LINE_REQUEST_EVENT_BOTH_EDGES;
    if (edges == CGPIOD_EDGES_RISING)
        type = GPIOD_LINE_REQUEST_EVENT_RISING_EDGE;
    else if (edges == CGPIOD_EDGES_FALLING)
        type = GPIOD_LINE_REQUEST_EVENT_FALLING_EDGE;
    struct gpiod_line_request_config config = {
        .consumer = consumer,
        .request_type = type,
        .flags = CGPIOD_bias_to_v1_flags(bias) | (active_low ? GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW : 0),
    };
    return CGPIOD_request_v1(chip, offset, &config, 0);
}

int CGPIOD_request_set_value(CGPIOD_request *request, int value)
{
    return gpiod_line_set_value(request->line, value);
}

int CGPIOD_request_get_value(CGPIOD_request *request) { return gpiod_line_get_value(request->line); }

int CGPIOD_request_get_fd(CGPIOD_request *request) { return gpiod_line_event_get_fd(request->line); }

int CGPIOD_request_read_event(CGPIOD_request *request, CGPIOD_event *event)
{
    struct gpiod_line_event raw;
    if (gpiod_line_event_read(request->line, &raw) < 0)
        return -1;
    event->edge = raw.event_type == GPIOD_LINE_EVENT_RISING_EDGE ? CGPIOD_EDGE_RISING : CGPIOD_EDGE_FALLING;
    event->timestamp_ns = (uint64_t)raw.ts.tv_sec * 1000000000u + (uint64_t)raw.ts.tv_nsec;
    event->offset = gpiod_line_offset(request->line);
    return 0;
}

void CGPIOD_request_release(CGPIOD_request *request)
{
    gpiod_line_release(request->line);
    free(request);
}

#else

// libgpiod 2.x: a request stands on its own and reads events through a buffer.
struct CGPIOD_request {
    struct gpiod_line_request *request;
    struct gpiod_edge_event_buffer *events;
    unsigned int offset;
};

const char *CGPIOD_version(void) { return gpiod_api_version(); }

bool CGPIOD_has_kernel_debounce(void) { return true; }

CGPIOD_chip *CGPIOD_chip_open(const char *path)
{
    return (CGPIOD_chip *)gpiod_chip_open(path);
}

void CGPIOD_chip_close(CGPIOD_chip *chip) { gpiod_chip_close((struct gpiod_chip *)chip); }

int CGPIOD_chip_get_info(CGPIOD_chip *chip, CGPIOD_chip_info *info)
{
    struct gpiod_chip_info *raw = gpiod_chip_get_info((struct gpiod_chip *)chip);
    if (!raw)
        return -1;
    CGPIOD_copy_name(info->name, gpiod_chip_info_get_name(raw));
    CGPIOD_copy_name(info->label, gpiod_chip_info_get_label(raw));
    info->num_lines = (unsigned int)gpiod_chip_info_get_num_lines(raw);
    gpiod_chip_info_free(raw);
    return 0;
}

static CGPIOD_bias CGPIOD_bias_from_v2(enum gpiod_line_bias bias)
{
    switch (bias) {
    case GPIOD_LINE_BIAS_DISABLED: return CGPIOD_BIAS_DISABLED;
    case GPIOD_LINE_BIAS_PULL_UP: return CGPIOD_BIAS_PULL_UP;
    case GPIOD_LINE_BIAS_PULL_DOWN: return CGPIOD_BIAS_PULL_DOWN;
    default: return CGPIOD_BIAS_AS_IS;
    }
}

static enum gpiod_line_bias CGPIOD_bias_to_v2(CGPIOD_bias bias)
{
    switch (bias) {
    case CGPIOD_BIAS_DISABLED: return GPIOD_LINE_BIAS_DISABLED;
    case CGPIOD_BIAS_PULL_UP: return GPIOD_LINE_BIAS_PULL_UP;
    case CGPIOD_BIAS_PULL_DOWN: return GPIOD_LINE_BIAS_PULL_DOWN;
    default: return GPIOD_LINE_BIAS_AS_IS;
    }
}

int CGPIOD_chip_get_line_info(CGPIOD_chip *chip, unsigned int offset, CGPIOD_line_info *info)
{
    struct gpiod_line_info *raw = gpiod_chip_get_line_info((struct gpiod_chip *)chip, offset);
    if (!raw)
        return -1;
    info->offset = offset;
    CGPIOD_copy_name(info->name, gpiod_line_info_get_name(raw));
    CGPIOD_copy_name(info->consumer, gpiod_line_info_get_consumer(raw));
    info->used = gpiod_line_info_is_used(raw);
    info->direction = gpiod_line_info_get_direction(raw) == GPIOD_LINE_DIRECTION_OUTPUT
        ? CGPIOD_DIRECTION_OUTPUT : CGPIOD_DIRECTION_INPUT;
    info->active_low = gpiod_line_info_is_active_low(raw);
    info->bias = CGPIOD_bias_from_v2(gpiod_line_info_get_bias(raw));
    gpiod_line_info_free(raw);
    return 0;
}

int CGPIOD_chip_find_line(CGPIOD_chip *chip, const char *name)
{
    return gpiod_chip_get_line_offset_from_name((struct gpiod_chip *)chip, name);
}

static CGPIOD_request *CGPIOD_request_v2(CGPIOD_chip *chip, unsigned int offset, const char *consumer,
                                         struct gpiod_line_settings *settings, bool with_events)
{
    CGPIOD_request *request = calloc(1, sizeof(*request));
    struct gpiod_line_config *line_config = gpiod_line_config_new();
    struct gpiod_request_config *request_config = gpiod_request_config_new();
    int saved = ENOMEM;
    if (!request || !line_config || !request_config)
        goto fail;
    if (with_events && !(request->events = gpiod_edge_event_buffer_new(1)))
        goto fail;
    gpiod_request_config_set_consumer(request_config, consumer);
    if (gpiod_line_config_add_line_settings(line_config, &offset, 1, settings) < 0) {
        saved = errno;
        goto fail;
    }
    request->request = gpiod_chip_request_lines((struct gpiod_chip *)chip, request_config, line_config);
    if (!request->request) {
        saved = errno;
        goto fail;
    }
    request->offset = offset;
    gpiod_request_config_free(request_config);
    gpiod_line_config_free(line_config);
    gpiod_line_settings_free(settings);
    return request;
fail:
    if (request && request->events)
        gpiod_edge_event_buffer_free(request->events);
    free(request);
    gpiod_request_config_free(request_config);
    gpiod_line_config_free(line_config);
    gpiod_line_settings_free(settings);
    errno = saved;
    return NULL;
}

static struct gpiod_line_settings *CGPIOD_settings(enum gpiod_line_direction direction, bool active_low,
                                                   CGPIOD_bias bias)
{
    struct gpiod_line_settings *settings = gpiod_line_settings_new();
    if (!settings)
        return NULL;
    if (gpiod_line_settings_set_direction(settings, direction) < 0
        || gpiod_line_settings_set_bias(settings, CGPIOD_bias_to_v2(bias)) < 0) {
        int saved = errno;
        gpiod_line_settings_free(settings);
        errno = saved;
        return NULL;
    }
    gpiod_line_settings_set_active_low(settings, active_low);
    return settings;
}

CGPIOD_request *CGPIOD_request_output(CGPIOD_chip *chip, unsigned int offset, const char *consumer,
                                      bool active_low, CGPIOD_bias bias, int value)
{
    struct gpiod_line_settings *settings = CGPIOD_settings(GPIOD_LINE_DIRECTION_OUTPUT, active_low, bias);
    if (!settings)
        return NULL;
    if (gpiod_line_settings_set_output_value(settings, value ? GPIOD_LINE_VALUE_ACTIVE
                                                             : GPIOD_LINE_VALUE_INACTIVE) < 0) {
        int saved = errno;
        gpiod_line_settings_free(settings);
        errno = saved;
        return NULL;
    }
    return CGPIOD_request_v2(chip, offset, consumer, settings, false);
}

CGPIOD_request *CGPIOD_request_input(CGPIOD_chip *chip, unsigned int offset, const char *consumer,
                                     bool active_low, CGPIOD_bias bias, CGPIOD_edges edges,
                                     unsigned long debounce_us)
{
    struct gpiod_line_settings *settings = CGPIOD_settings(GPIOD_LINE_DIRECTION_INPUT, active_low, bias);
    if (!settings)
        return NULL;
    enum gpiod_line_edge edge = GPIOD_LINE_EDGE_BOTH;
    if (edges == CGPIOD_EDGES_RISING)
        edge = GPIOD_LINE_EDGE_RISING;
    else if (edges == CGPIOD_EDGES_FALLING)
        edge = GPIOD_LINE_EDGE_FALLING;
    if (gpiod_line_settings_set_edge_detection(settings, edge) < 0
        || gpiod_line_settings_set_event_clock(settings, GPIOD_LINE_CLOCK_MONOTONIC) < 0) {
        int saved = errno;
        gpiod_line_settings_free(settings);
        errno = saved;
        return NULL;
    }
    gpiod_line_settings_set_debounce_period_us(settings, debounce_us);
    return CGPIOD_request_v2(chip, offset, consumer, settings, true);
}

int CGPIOD_request_set_value(CGPIOD_request *request, int value)
{
    return gpiod_line_request_set_value(request->request, request->offset,
                                        value ? GPIOD_LINE_VALUE_ACTIVE : GPIOD_LINE_VALUE_INACTIVE);
}

int CGPIOD_request_get_value(CGPIOD_request *request)
{
    return (int)gpiod_line_request_get_value(request->request, request->offset);
}

int CGPIOD_request_get_fd(CGPIOD_request *request) { return gpiod_line_request_get_fd(request->request); }

int CGPIOD_request_read_event(CGPIOD_request *request, CGPIOD_event *event)
{
    if (!request->events) {
        errno = EINVAL;
        return -1;
    }
    int count = gpiod_line_request_read_edge_events(request->request, request->events, 1);
    if (count < 0)
        return -1;
    if (count == 0) {
        errno = EAGAIN;
        return -1;
    }
    struct gpiod_edge_event *raw = gpiod_edge_event_buffer_get_event(request->events, 0);
    event->edge = gpiod_edge_event_get_event_type(raw) == GPIOD_EDGE_EVENT_RISING_EDGE
        ? CGPIOD_EDGE_RISING : CGPIOD_EDGE_FALLING;
    event->timestamp_ns = gpiod_edge_event_get_timestamp_ns(raw);
    event->offset = gpiod_edge_event_get_line_offset(raw);
    return 0;
}

void CGPIOD_request_release(CGPIOD_request *request)
{
    gpiod_line_request_release(request->request);
    if (request->events)
        gpiod_edge_event_buffer_free(request->events);
    free(request);
}

#endif
