/* Fuzz target for the SEV-SNP report parser and the hex-evidence decoder: a clean error
 * or a parsed report, never a crash; decoded hex never grows. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tee/tee.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf = malloc(size ? size : 1);
	if (buf == NULL)
		return 0;
	memcpy(buf, data, size);
	size_t len = size;
	const char *why = NULL;
	if (tee_evidence_unhex(buf, &len, &why) == SS_OK) {
		if (len > size)
			abort();
		tee_snp_report r;
		if (tee_snp_parse(buf, len, &r, &why) == SS_OK) {
			tee_policy pol;
			tee_policy_default(&pol, 1751587200);
			tee_result res;
			if (tee_snp_verify(&r, NULL, 0, &pol, &res) != SS_OK || res.valid)
				abort(); /* no certificates: never valid */
		} else if (why == NULL) {
			abort();
		}
	} else if (why == NULL) {
		abort();
	}
	free(buf);
	return 0;
}
