/* log: one line per event, "TIME LEVEL module key=value ...", on stderr.
 *
 * Personal data (phone numbers, NIK, names) must never be passed at info
 * level or above; use log_debug for it, which production does not print. */
#ifndef ADUAN_LOG_H
#define ADUAN_LOG_H

typedef enum { LOG_DEBUG = 0, LOG_INFO = 1, LOG_WARN = 2, LOG_ERROR = 3 } log_level_t;

/* Parses "debug", "info", "warn" or "error"; returns -1 on anything else. */
int log_level_parse(const char *s);
void log_set_level(log_level_t level);

void log_msg(log_level_t level, const char *module, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define log_debug(mod, ...) log_msg(LOG_DEBUG, mod, __VA_ARGS__)
#define log_info(mod, ...)  log_msg(LOG_INFO, mod, __VA_ARGS__)
#define log_warn(mod, ...)  log_msg(LOG_WARN, mod, __VA_ARGS__)
#define log_error(mod, ...) log_msg(LOG_ERROR, mod, __VA_ARGS__)

#endif
