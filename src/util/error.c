#include "util/error.h"

const char *ss_strerror(ss_err err)
{
	static const char *const names[SS_ERR__COUNT] = {
		[SS_OK] = "ok",
		[SS_ERR_INVALID] = "invalid input",
		[SS_ERR_RANGE] = "value out of range",
		[SS_ERR_NOT_FOUND] = "not found",
		[SS_ERR_EXISTS] = "already exists",
		[SS_ERR_REFUSED] = "refused",
		[SS_ERR_RETRY] = "temporary failure, try again",
		[SS_ERR_IO] = "input/output error",
		[SS_ERR_NOMEM] = "out of memory",
		[SS_ERR_CRYPTO] = "cryptographic check failed",
		[SS_ERR_UNSUPPORTED] = "not supported",
		[SS_ERR_INTERNAL] = "internal error",
	};
	if ((unsigned)err >= SS_ERR__COUNT || names[err] == 0)
		return "unknown error";
	return names[err];
}
