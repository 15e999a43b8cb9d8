/* Levelled logging to stderr. Secrets never reach it: secret material lives in
 * structs (bls_secret_key, the key store's records), never in char arrays that a
 * format string could print, so passing one to a %s is a -Wformat error; messages
 * about keys name the public key, never the secret, password or keystore body. */
#ifndef SS_UTIL_LOG_H
#define SS_UTIL_LOG_H

#include <stdbool.h>

typedef enum {
	LOG_ERROR = 0,
	LOG_WARN = 1,
	LOG_INFO = 2,
	LOG_DEBUG = 3,
	LOG_TRACE = 4
} log_level;

/* Sets the most verbose level printed (default LOG_INFO). */
void log_set_level(log_level level);
log_level log_get_level(void);

/* Parses "error", "warn", "info", "debug", "trace" (case-insensitive). */
bool log_parse_level(const char *name, log_level *out);

/* Sends log lines to fd instead of stderr (tests capture them this way). */
void log_set_fd(int fd);

void log_msg(log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_trace(...) log_msg(LOG_TRACE, __VA_ARGS__)

#endif
