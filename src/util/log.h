/* Levelled logging to stderr, as plain lines or one JSON object per line. Secrets never
 * reach it: secret material lives in structs (bls_secret_key, the key store's records),
 * never in char arrays that a format string could print, so passing one to a %s is a
 * -Wformat error; messages about keys name the public key, never the secret, password
 * or keystore body. */
#ifndef SS_UTIL_LOG_H
#define SS_UTIL_LOG_H

#include <stdbool.h>

/* Message levels are ERROR..TRACE. OFF, FATAL and ALL are thresholds only, for
 * Web3Signer's --logging names (Log4j's: OFF, FATAL, ERROR, WARN, INFO, DEBUG, TRACE,
 * ALL, reference/web3signer.md §6): OFF prints nothing, FATAL prints nothing either (the
 * signer has no message above ERROR: a failure that stops it is an ERROR), ALL prints
 * what TRACE prints. */
typedef enum {
	LOG_OFF = -2,
	LOG_FATAL = -1,
	LOG_ERROR = 0,
	LOG_WARN = 1,
	LOG_INFO = 2,
	LOG_DEBUG = 3,
	LOG_TRACE = 4,
	LOG_ALL = 5
} log_level;

typedef enum {
	LOG_FORMAT_PLAIN = 0, /* 2026-12-06T01:02:03.456Z INFO  message */
	LOG_FORMAT_JSON       /* {"ts":"2026-12-06T01:02:03.456Z","level":"INFO","msg":"message"} */
} log_format;

/* Sets the most verbose level printed (default LOG_INFO). */
void log_set_level(log_level level);
log_level log_get_level(void);

/* Parses OFF, FATAL, ERROR, WARN, INFO, DEBUG, TRACE, ALL (case-insensitive); "warning"
 * is accepted for WARN. */
bool log_parse_level(const char *name, log_level *out);

/* Parses "plain" or "json" (case-insensitive). */
bool log_parse_format(const char *name, log_format *out);
void log_set_format(log_format f);

/* Sends log lines to fd instead of stderr (tests capture them this way). */
void log_set_fd(int fd);

void log_msg(log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_trace(...) log_msg(LOG_TRACE, __VA_ARGS__)

#endif
