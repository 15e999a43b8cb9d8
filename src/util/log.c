#include "util/log.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

static atomic_int current_level = LOG_INFO;
static atomic_int log_fd = STDERR_FILENO;

void log_set_level(log_level level) { atomic_store(&current_level, (int)level); }
log_level log_get_level(void) { return (log_level)atomic_load(&current_level); }
void log_set_fd(int fd) { atomic_store(&log_fd, fd); }

bool log_parse_level(const char *name, log_level *out)
{
	static const char *const names[] = { "error", "warn", "info", "debug", "trace" };
	for (int i = 0; i < 5; i++) {
		if (strcasecmp(name, names[i]) == 0) {
			*out = (log_level)i;
			return true;
		}
	}
	return false;
}

void log_msg(log_level level, const char *fmt, ...)
{
	if ((int)level > atomic_load(&current_level))
		return;
	static const char *const tags[] = { "ERROR", "WARN", "INFO", "DEBUG", "TRACE" };
	char line[2048];
	struct timespec ts;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	int n = snprintf(line, sizeof line, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ %-5s ",
			 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
			 tm.tm_sec, ts.tv_nsec / 1000000, tags[level]);
	va_list ap;
	va_start(ap, fmt);
	int m = vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
	va_end(ap);
	size_t len = (size_t)n + (m < 0 ? 0 : (size_t)m);
	if (len > sizeof line - 2)
		len = sizeof line - 2;
	line[len++] = '\n';
	/* one write per line so that lines from concurrent threads do not interleave */
	ssize_t w = write(atomic_load(&log_fd), line, len);
	(void)w;
}
