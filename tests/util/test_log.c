/* util/log.c: Web3Signer's level names as thresholds, and the JSON line format's
 * escaping (RFC 8259 §7) of every byte a message can carry. */
#include <string.h>
#include <unistd.h>

#include "test.h"
#include "util/log.h"

/* Logs one message with the given level threshold and format, returns what was written. */
static void capture(log_level threshold, log_format fmt, char *out, size_t cap,
		    void (*emit)(void))
{
	int fds[2];
	CHECK(pipe(fds) == 0);
	log_set_fd(fds[1]);
	log_set_level(threshold);
	log_set_format(fmt);
	emit();
	log_set_fd(2);
	log_set_level(LOG_INFO);
	log_set_format(LOG_FORMAT_PLAIN);
	close(fds[1]);
	ssize_t n = read(fds[0], out, cap - 1);
	out[n > 0 ? n : 0] = '\0';
	close(fds[0]);
}

static void emit_levels(void)
{
	log_error("e");
	log_warn("w");
	log_info("i");
	log_debug("d");
	log_trace("t");
}

TEST(log_web3signer_levels)
{
	static const struct {
		const char *name;
		log_level level;
		size_t lines;
	} cases[] = {
		{ "OFF", LOG_OFF, 0 },     { "fatal", LOG_FATAL, 0 }, { "Error", LOG_ERROR, 1 },
		{ "WARN", LOG_WARN, 2 },   { "warning", LOG_WARN, 2 }, { "info", LOG_INFO, 3 },
		{ "DEBUG", LOG_DEBUG, 4 }, { "trace", LOG_TRACE, 5 },  { "ALL", LOG_ALL, 5 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		log_level l;
		CHECK_MSG(log_parse_level(cases[i].name, &l) && l == cases[i].level, "%s",
			  cases[i].name);
		char buf[1024];
		capture(l, LOG_FORMAT_PLAIN, buf, sizeof buf, emit_levels);
		size_t lines = 0;
		for (char *p = buf; *p; p++)
			lines += *p == '\n';
		CHECK_MSG(lines == cases[i].lines, "%s: %zu lines: %s", cases[i].name, lines, buf);
	}
	log_level l;
	CHECK(!log_parse_level("verbose", &l) && !log_parse_level("", &l));
	log_format f;
	CHECK(log_parse_format("JSON", &f) && f == LOG_FORMAT_JSON);
	CHECK(log_parse_format("plain", &f) && f == LOG_FORMAT_PLAIN);
	CHECK(!log_parse_format("ecs", &f));
}

static void emit_odd(void)
{
	/* quote, backslash, newline, tab, a control byte, DEL, valid UTF-8 (é, 😀), a lone
	 * continuation byte, a truncated sequence, an overlong '/', a surrogate */
	log_warn("a\"b\\c\nd\te\x01" "f\x7f" "g\xc3\xa9h\xf0\x9f\x98\x80i\x80j\xe2\x82k\xc0\xafl"
		 "\xed\xa0\x80m");
}

TEST(log_json_escapes_every_byte)
{
	char buf[1024];
	capture(LOG_INFO, LOG_FORMAT_JSON, buf, sizeof buf, emit_odd);
	const char *want = ",\"level\":\"WARN\",\"msg\":\"a\\\"b\\\\c\\nd\\te\\u0001f\\u007fg\xc3\xa9h"
			   "\xf0\x9f\x98\x80i\\ufffdj\\ufffd\\ufffdk\\ufffd\\ufffdl\\ufffd\\ufffd"
			   "\\ufffdm\"}\n";
	CHECK_MSG(strncmp(buf, "{\"ts\":\"", 7) == 0, "%s", buf);
	char *rest = strstr(buf, ",\"level\"");
	CHECK_MSG(rest && strcmp(rest, want) == 0, "got %s", buf);
	/* the same message in plain format stays on one line */
	capture(LOG_INFO, LOG_FORMAT_PLAIN, buf, sizeof buf, emit_odd);
	CHECK_MSG(strchr(buf, '\n') == buf + strlen(buf) - 1, "plain line split: %s", buf);
}
