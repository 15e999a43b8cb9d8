/* The binary's output as JSON (run_json.h). */
#include <stdarg.h>
#include <stdio.h>
#include <sys/wait.h>

#include "run_json.h"
#include "test.h"

char run_out[1 << 17];

int run_json(json_t **out, const char *fmt, ...)
{
	char args[4096], cmd[4600];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(args, sizeof args, fmt, ap);
	va_end(ap);
	snprintf(cmd, sizeof cmd, "%s %s 2>/dev/null", SS_SECURE_SIGNER_BIN, args);
	FILE *p = popen(cmd, "r");
	size_t n = p ? fread(run_out, 1, sizeof run_out - 1, p) : 0;
	run_out[n] = '\0';
	int st = p ? pclose(p) : -1;
	json_error_t err;
	*out = json_loads(run_out, 0, &err);
	CHECK_MSG(*out != NULL, "not JSON: %.200s (%s)", run_out, args);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}
