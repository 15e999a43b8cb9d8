/* Fuzz target for the DCAP quote parser (SGX v3/v4, TDX v4/v5), also run on the parsed
 * quote through the verifier without collateral: any input must give a clean error or a
 * result, never a crash or an out-of-bounds read (ASan in the libFuzzer build). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tee/tee.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* An exact-size copy, so that a read past the end is caught by ASan. */
	uint8_t *buf = malloc(size ? size : 1);
	if (buf == NULL)
		return 0;
	memcpy(buf, data, size);
	tee_dcap_quote q;
	const char *why = NULL;
	if (tee_dcap_parse(buf, size, &q, &why) == SS_OK) {
		if (q.quote_len > size || q.signed_len > q.quote_len)
			abort();
		tee_policy pol;
		tee_policy_default(&pol, 1751587200);
		tee_result res;
		if (tee_dcap_verify(&q, NULL, &pol, &res) != SS_OK)
			abort();
	} else if (why == NULL) {
		abort(); /* every refusal says why */
	}
	free(buf);
	return 0;
}
