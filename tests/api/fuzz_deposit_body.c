/* Fuzz target for the body of POST /api/v1/eth2/deposit (api/body_parse.h
 * api_deposit_parse, after the server's own JSON reader): whatever the bytes, the parser
 * answers without crashing or leaking, and what it accepts keeps the route's promises
 * (reference/secure-signer.md §2.2; deposit.c): 1 to 1000 deposits, each of at least
 * 1 ETH and representable, with withdrawal credentials of a known prefix, for a fork
 * version of a known network. The configured network is mainnet. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/body_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const eth2_network *net = eth2_network_builtin("mainnet");
	if (!net)
		abort();
	char why[API_WHY_MAX] = "";
	json_t *root = api_json_object_parse((const char *)data, size, why, sizeof why);
	if (!root) {
		if (!why[0])
			abort(); /* a refusal always says why */
		return 0;
	}
	api_deposit_body b;
	int status = api_deposit_parse(root, net, &b, why, sizeof why);
	if (status != 0) {
		if ((status != 400 && status != 500) || !why[0] || b.ms || b.n)
			abort();
	} else {
		if (!b.ms || b.n < 1 || b.n > 1000 || (!b.many && b.n != 1) || !b.network)
			abort();
		for (size_t i = 0; i < b.n; i++) {
			const eth2_deposit_message *m = &b.ms[i];
			uint8_t p = m->withdrawal_credentials[0];
			if (m->amount < 1000000000ull || m->amount > (uint64_t)INT64_MAX || p > 0x02)
				abort();
			if (p != 0x00)
				for (size_t j = 1; j < 12; j++)
					if (m->withdrawal_credentials[j])
						abort();
		}
	}
	free(b.ms);
	json_decref(root);
	return 0;
}
