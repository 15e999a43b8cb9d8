/* bls_sign_many (sign_many.c) against bls_sign: batches of every size from 1 to past
 * BLS_SIGN_MANY_MAX, mixing fixed-base and hashed jobs, keys and messages, each
 * signature compared byte for byte with bls_sign of the same key and message; and a
 * point at infinity inside a batch, which must neither disturb the others (it would
 * zero the shared product) nor encode as anything but infinity. Deterministic. */
#include <stdlib.h>
#include <string.h>

#include "crypto/bls.h"
#include "crypto/bls_internal.h"
#include "test.h"

static uint64_t rng_state = 0x13198a2e03707344ull;
static uint64_t rnd(void) { return test_splitmix64(&rng_state); }

static void random_key(bls_secret_key *sk)
{
	uint8_t skb[32];
	do {
		for (int i = 0; i < 32; i++)
			skb[i] = (uint8_t)rnd();
		skb[0] &= 0x7f;
	} while (bls_secret_key_from_bytes(sk, skb) != SS_OK);
}

#define MESSAGES 3
#define MOST (BLS_SIGN_MANY_MAX + 5)

TEST(sign_many_matches_bls_sign)
{
	bls_init();
	uint8_t msg[MESSAGES][32];
	bls_hashed_message h[MESSAGES];
	bls_fixed_base_table *t[MESSAGES];
	for (int m = 0; m < MESSAGES; m++) {
		for (int i = 0; i < 32; i++)
			msg[m][i] = (uint8_t)rnd();
		bls_hash_message(&h[m], msg[m], sizeof msg[m]);
		t[m] = malloc(BLS_FIXED_BASE_TABLE_BYTES);
		if (t[m] == NULL)
			abort();
		bls_fixed_base_build(t[m], &h[m]);
	}
	int mismatches = 0, signatures = 0;
	for (size_t n = 1; n <= MOST; n++) {
		bls_secret_key sk[MOST];
		bls_sign_job job[MOST];
		uint8_t sig[MOST][96];
		int which[MOST];
		for (size_t i = 0; i < n; i++) {
			random_key(&sk[i]);
			which[i] = (int)(rnd() % MESSAGES);
			bool table = rnd() & 1;
			job[i] = (bls_sign_job){ .sk = &sk[i],
						 .table = table ? t[which[i]] : NULL,
						 .h = &h[which[i]],
						 .sig = sig[i] };
		}
		bls_sign_many(job, n);
		for (size_t i = 0; i < n; i++) {
			uint8_t want[96];
			bls_sign(want, &sk[i], msg[which[i]], sizeof msg[which[i]]);
			signatures++;
			if (memcmp(want, sig[i], sizeof want) != 0 && mismatches++ < 5)
				CHECK_MSG(false, "batch of %zu, job %zu: signature differs", n, i);
		}
	}
	CHECK_EQ_U64(mismatches, 0);
	CHECK_EQ_U64(signatures, MOST * (MOST + 1) / 2);
	for (int m = 0; m < MESSAGES; m++)
		free(t[m]);
}

TEST(sign_many_infinity_in_a_batch)
{
	bls_init();
	g2_point inf;
	g2_set_infinity(&inf);
	bls_fixed_base_table *ti = malloc(BLS_FIXED_BASE_TABLE_BYTES);
	if (ti == NULL)
		abort();
	g2_fixed_base_build_vartime(ti, &inf);
	const uint8_t msg[] = "a message";
	bls_hashed_message h;
	bls_hash_message(&h, msg, sizeof msg - 1);
	bls_secret_key sk[3];
	uint8_t sig[3][96];
	bls_sign_job job[3];
	for (int i = 0; i < 3; i++) {
		random_key(&sk[i]);
		job[i] = (bls_sign_job){ .sk = &sk[i], .h = &h, .sig = sig[i] };
	}
	job[1].table = ti; /* the middle job signs the point at infinity */
	bls_sign_many(job, 3);
	uint8_t want_inf[96] = { 0xc0 };
	CHECK(memcmp(sig[1], want_inf, sizeof want_inf) == 0);
	for (int i = 0; i < 3; i += 2) {
		uint8_t want[96];
		bls_sign(want, &sk[i], msg, sizeof msg - 1);
		CHECK_MSG(memcmp(want, sig[i], sizeof want) == 0, "job %d beside infinity", i);
	}
	free(ti);
}

