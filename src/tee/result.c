/* The verification result: failed checks collected in order, so that the command can
 * print every reason at once (issue 12 §5: "each check that failed and why"). */
#include <stdio.h>
#include <string.h>

#include "tee/tee_internal.h"

void tee_fail(tee_result *res, const char *check, const char *fmt, ...)
{
	res->valid = false;
	if (res->n_failures >= TEE_MAX_FAILURES)
		return;
	tee_failure *f = &res->failures[res->n_failures++];
	f->check = check;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(f->why, sizeof(f->why), fmt, ap);
	va_end(ap);
}

bool tee_failed(const tee_result *res, const char *check)
{
	for (unsigned i = 0; i < res->n_failures; i++)
		if (strcmp(res->failures[i].check, check) == 0)
			return true;
	return false;
}
