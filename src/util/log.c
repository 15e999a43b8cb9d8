#include "util/log.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

static atomic_int current_level = LOG_INFO;
static atomic_int current_format = LOG_FORMAT_PLAIN;
static atomic_int log_fd = STDERR_FILENO;

void log_set_level(log_level level) { atomic_store(&current_level, (int)level); }
log_level log_get_level(void) { return (log_level)atomic_load(&current_level); }
void log_set_fd(int fd) { atomic_store(&log_fd, fd); }
void log_set_format(log_format f) { atomic_store(&current_format, (int)f); }

bool log_parse_level(const char *name, log_level *out)
{
	static const struct {
		const char *name;
		log_level level;
	} names[] = {
		{ "off", LOG_OFF },   { "fatal", LOG_FATAL }, { "error", LOG_ERROR },
		{ "warn", LOG_WARN }, { "warning", LOG_WARN }, { "info", LOG_INFO },
		{ "debug", LOG_DEBUG }, { "trace", LOG_TRACE }, { "all", LOG_ALL },
	};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		if (strcasecmp(name, names[i].name) == 0) {
			*out = names[i].level;
			return true;
		}
	}
	return false;
}

bool log_parse_format(const char *name, log_format *out)
{
	if (strcasecmp(name, "plain") == 0)
		*out = LOG_FORMAT_PLAIN;
	else if (strcasecmp(name, "json") == 0)
		*out = LOG_FORMAT_JSON;
	else
		return false;
	return true;
}

/* Length of the well-formed UTF-8 sequence at s (RFC 3629 §4), 0 if it is not one. */
static size_t utf8_seq(const unsigned char *s, size_t avail)
{
	unsigned char c = s[0];
	size_t n;
	uint32_t cp;
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if (avail < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* no overlong forms, no surrogates, nothing above U+10FFFF */
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

/* Appends msg as the body of a JSON string (RFC 8259 §7): quote, backslash and control
 * characters escaped, bytes that are not UTF-8 replaced by U+FFFD, so that every line is
 * valid JSON whatever a message quotes (a file name, a client's header). Stops before
 * cap (keeping room for the closing characters). */
static size_t json_escape(char *dst, size_t cap, const char *msg, size_t len)
{
	size_t o = 0;
	const unsigned char *s = (const unsigned char *)msg;
	for (size_t i = 0; i < len;) {
		char tmp[8];
		size_t tn;
		const char *src = tmp;
		unsigned char c = s[i];
		size_t used = 1;
		if (c == '"' || c == '\\') {
			tmp[0] = '\\';
			tmp[1] = (char)c;
			tn = 2;
		} else if (c == '\n' || c == '\t' || c == '\r') {
			tmp[0] = '\\';
			tmp[1] = c == '\n' ? 'n' : (c == '\t' ? 't' : 'r');
			tn = 2;
		} else if (c < 0x20 || c == 0x7f) {
			tn = (size_t)snprintf(tmp, sizeof tmp, "\\u%04x", c);
		} else if (c < 0x80) {
			tmp[0] = (char)c;
			tn = 1;
		} else if ((used = utf8_seq(s + i, len - i)) != 0) {
			src = msg + i;
			tn = used;
		} else {
			used = 1;
			memcpy(tmp, "\\ufffd", 6);
			tn = 6;
		}
		if (o + tn > cap)
			break;
		memcpy(dst + o, src, tn);
		o += tn;
		i += used;
	}
	return o;
}

void log_msg(log_level level, const char *fmt, ...)
{
	if ((int)level > atomic_load(&current_level) || level < LOG_ERROR || level > LOG_TRACE)
		return;
	static const char *const tags[] = { "ERROR", "WARN", "INFO", "DEBUG", "TRACE" };
	char msg[2048], line[2048 * 6 + 128], ts_text[64];
	struct timespec ts;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	snprintf(ts_text, sizeof ts_text, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ",
		 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		 ts.tv_nsec / 1000000);
	va_list ap;
	va_start(ap, fmt);
	int m = vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	size_t mlen = m < 0 ? 0 : ((size_t)m >= sizeof msg ? sizeof msg - 1 : (size_t)m);
	size_t len;
	if (atomic_load(&current_format) == LOG_FORMAT_JSON) {
		/* One object per line with stable field names ts, level, msg (docs/operations.md):
		 * log shippers index them without a grok pattern. */
		len = (size_t)snprintf(line, sizeof line, "{\"ts\":\"%s\",\"level\":\"%s\",\"msg\":\"",
				       ts_text, tags[level]);
		len += json_escape(line + len, sizeof line - len - 4, msg, mlen);
		memcpy(line + len, "\"}\n", 3);
		len += 3;
	} else {
		len = (size_t)snprintf(line, sizeof line, "%s %-5s ", ts_text, tags[level]);
		/* a message never spans lines: a newline inside one would forge a log entry */
		for (size_t i = 0; i < mlen; i++)
			line[len++] = msg[i] == '\n' || msg[i] == '\r' ? ' ' : msg[i];
		line[len++] = '\n';
	}
	/* one write per line so that lines from concurrent threads do not interleave */
	ssize_t w = write(atomic_load(&log_fd), line, len);
	(void)w;
}
