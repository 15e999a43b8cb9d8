/* libFuzzer target for the network config.yaml loader (built with -DSS_FUZZ=ON under
 * clang, like fuzz_signing_request); fuzz_config_replay.c runs its seed corpus
 * (tests/eth2/fuzz_corpus_config) in every build. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eth2/eth2_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0; /* fmemopen refuses an empty buffer */
	FILE *f = fmemopen((void *)data, size, "rb");
	if (f == NULL)
		return 0;
	eth2_network *n = NULL;
	char err[256];
	ss_err e = eth2_network_load_stream(f, &n, err, sizeof err);
	fclose(f);
	/* Invariants: success gives a network whose schedule is in order; failure gives
	 * no network and a message. */
	if (e == SS_OK) {
		if (n == NULL || eth2_network_slots_per_epoch(n) == 0)
			abort();
		for (int i = 1; i < ETH2_FORK__COUNT; i++) {
			uint64_t a = eth2_network_fork_epoch(n, (eth2_fork)(i - 1));
			uint64_t b = eth2_network_fork_epoch(n, (eth2_fork)i);
			if (b != ETH2_FAR_FUTURE_EPOCH && b < a)
				abort();
		}
		(void)eth2_network_fork_at_epoch(n, UINT64_MAX);
	} else if (n != NULL || err[0] == '\0' || memchr(err, 0, sizeof err) == NULL) {
		abort();
	}
	eth2_network_free(n);
	return 0;
}
