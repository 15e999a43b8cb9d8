/* Fuzz target for the collateral JSON parser (QuoteCollateralV3 shape): a clean error or
 * a parsed collateral, never a crash or a leak. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tee/tee.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	tee_collateral *c = NULL;
	const char *why = NULL;
	ss_err rc = tee_collateral_parse((const char *)data, size, &c, &why);
	if (rc == SS_OK && c == NULL)
		abort();
	if (rc == SS_ERR_INVALID && why == NULL)
		abort();
	tee_collateral_free(c);
	return 0;
}
