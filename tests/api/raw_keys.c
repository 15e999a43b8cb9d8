/* raw_keys.h: deterministic test keys. */
#include <stdio.h>
#include <stdlib.h>

#include "crypto/bls.h"
#include "raw_keys.h"
#include "test.h"
#include "util/hex.h"

void raw_keys_make(raw_keys *k, size_t n, uint8_t first, unsigned base, unsigned mul_j,
		   unsigned mul_i)
{
	if (k->n)
		return;
	bls_init();
	k->sk_hex = calloc(n, sizeof *k->sk_hex);
	k->pk_hex = calloc(n, sizeof *k->pk_hex);
	k->pk = calloc(n, sizeof *k->pk);
	if (!k->sk_hex || !k->pk_hex || !k->pk)
		abort();
	for (size_t i = 0; i < n; i++) {
		uint8_t sk[32];
		for (unsigned j = 0; j < 32; j++)
			sk[j] = (uint8_t)(base + mul_j * j + mul_i * i);
		sk[0] = first;
		if (n > 256)
			sk[1] = (uint8_t)(i >> 8);
		bls_secret_key s;
		CHECK(bls_secret_key_from_bytes(&s, sk) == SS_OK);
		bls_sk_to_pk(k->pk[i], &s);
		bls_secret_key_wipe(&s);
		hex_encode(k->sk_hex[i], sk, 32, true);
		hex_encode(k->pk_hex[i], k->pk[i], 48, true);
	}
	k->n = n;
}

bool raw_keys_add(signer_proc *p, const raw_keys *k, size_t n, const char *prefix)
{
	bool ok = true;
	for (size_t i = 0; i < n && ok; i++) {
		char name[32];
		snprintf(name, sizeof name, "%s%zu", prefix, i);
		ok = sp_add_raw_key(p, name, k->sk_hex[i]);
	}
	return ok;
}
