/* Fuzz target for the JSON evidence object of attested keygen (evidence_object.c): a
 * clean error or a parsed object whose lengths stay in bounds, never a crash or leak. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tee/tee.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static tee_evidence_object o; /* 48 KiB of keys: not on the stack */
	const char *why = NULL;
	ss_err rc = tee_evidence_object_parse((const char *)data, size, &o, &why);
	if (rc == SS_OK) {
		/* BLS keys, or (the secp256k1 binding) exactly the one secp256k1 key */
		if (o.quote == NULL || o.n_pubkeys > TEE_MAX_BOUND_KEYS ||
		    (o.k1 ? o.n_pubkeys != 0 : o.n_pubkeys == 0))
			abort();
		uint8_t rd[64] = { 0 };
		tee_result res;
		memset(&res, 0, sizeof(res));
		tee_check_key_binding(&o, rd, &res);
		tee_evidence_object_free(&o);
	} else if (rc == SS_ERR_INVALID && why == NULL) {
		abort();
	}
	return 0;
}
