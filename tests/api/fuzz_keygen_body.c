/* Fuzz target for the optional body of POST /eth/v1/keygen/bls and /secp256k1
 * (api/body_parse.h api_keygen_parse). The first byte picks the route: even, BLS (a
 * count is allowed); odd, secp256k1 (one key per call). Whatever the bytes, the parser
 * answers without crashing or leaking, and what it accepts is a count of 1 to
 * TEE_MAX_BOUND_KEYS, never a count on the secp256k1 route. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/body_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	bool bls = (data[0] & 1) == 0;
	const char *body = (const char *)data + 1;
	size_t len = size - 1;
	size_t count = 0;
	uint8_t nonce[TEE_KEYGEN_NONCE_BYTES];
	char why[API_WHY_MAX] = "";
	int status = api_keygen_parse(body, len, bls ? &count : NULL, nonce, why, sizeof why);
	if (status != 0) {
		if (status != 400 || !why[0])
			abort();
		return 0;
	}
	if (bls && (count < 1 || count > TEE_MAX_BOUND_KEYS))
		abort();
	if (!bls) {
		/* the secp256k1 route accepted the body: it has no count member */
		char w[API_WHY_MAX];
		json_t *root = api_json_object_parse(body, len, w, sizeof w);
		if (root && json_object_get(root, "count"))
			abort();
		json_decref(root);
	}
	return 0;
}
