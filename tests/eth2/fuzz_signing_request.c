/* libFuzzer target for the signing-request parser (CONVENTIONS.md: every parser has a
 * fuzz target). Built with -DSS_FUZZ=ON under clang:
 *   CC=clang cmake -S . -B build-fuzz -DSS_FUZZ=ON && cmake --build build-fuzz --target fuzz_signing_request
 *   ./build-fuzz/tests/eth2/fuzz_signing_request tests/eth2/fuzz_corpus
 * The same function runs in every normal build through fuzz_replay.c over the seed
 * corpus (and any crash inputs kept there as regressions). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "eth2/eth2.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const nets[] = { "mainnet", "minimal", "gnosis", "sepolia" };
	for (size_t i = 0; i < sizeof nets / sizeof nets[0]; i++) {
		eth2_signing_request out;
		eth2_error err;
		ss_err e = eth2_parse_signing_request(eth2_network_builtin(nets[i]), (const char *)data,
						      size, &out, &err);
		/* Invariants: success has no error kind and a type; failure zeroes the output
		 * and always says something. */
		if (e == SS_OK) {
			if (err.kind != ETH2_ERR_NONE || (unsigned)out.type >= ETH2_SIGN__COUNT)
				abort();
		} else {
			static const eth2_signing_request zero;
			if (memcmp(&out, &zero, sizeof out) != 0 || err.kind == ETH2_ERR_NONE ||
			    err.message[0] == '\0' || memchr(err.field, 0, sizeof err.field) == NULL ||
			    memchr(err.message, 0, sizeof err.message) == NULL)
				abort();
		}
	}
	return 0;
}
