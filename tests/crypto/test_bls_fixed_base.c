/* Fixed-base signing (g2_fixed_base.c, bls_sign_fixed_base) against the general path:
 * the same point for edge scalars that stress the signed-digit recoding and the GLS
 * split, and byte-identical signatures to bls_sign for thousands of pseudo-random keys
 * and messages (deterministic, so a failure reproduces). The official sign vectors run
 * through the table as well, in test_bls.c. */
#include <stdlib.h>
#include <string.h>

#include "crypto/bls.h"
#include "crypto/bls_internal.h"
#include "test.h"

static uint64_t rng_state = 0x243f6a8885a308d3ull;
static uint64_t rnd(void) { return test_splitmix64(&rng_state); }

static struct bls_fixed_base_table *new_table(const g2_point *a)
{
	struct bls_fixed_base_table *t = malloc(BLS_FIXED_BASE_TABLE_BYTES);
	if (t == NULL)
		abort();
	g2_fixed_base_build_vartime(t, a);
	return t;
}

/* k = sum digit[i] z^i (digits < z), computed as 256-bit integer: k < z^4. */
static void from_gls_digits(uint64_t k[4], const uint64_t digit[4])
{
	memset(k, 0, 4 * sizeof k[0]);
	for (int i = 3; i >= 0; i--) {
		unsigned __int128 carry = digit[i];
		for (int l = 0; l < 4; l++) { /* k = k z + digit[i] */
			carry += (unsigned __int128)k[l] * BLS_X_ABS;
			k[l] = (uint64_t)carry;
			carry >>= 64;
		}
	}
}

/* Scalars whose GLS digits hit every case of the recoding: zero digits (an
 * accumulator left at infinity, Horner on infinity), windows of all ones (the carry
 * chain through every window up to the last), the signed-digit boundary 2^(W-1) and
 * 2^(W-1) + 1 in every window, z - 1 (the largest digit), and 1, r - 1. */
TEST(fixed_base_edge_scalars)
{
	bls_init();
	g2_point g, a, b;
	g2_from_affine(&g, &G2_GEN);
	struct bls_fixed_base_table *t = new_table(&g);
	uint64_t half = 0, half1 = 0; /* 2^(W-1) and 2^(W-1) + 1 in every window */
	for (unsigned j = 0; j < BLS_FIXED_BASE_ROWS && BLS_FIXED_BASE_WINDOW * j < 64; j++) {
		half |= (uint64_t)BLS_FIXED_BASE_ROW_POINTS << (BLS_FIXED_BASE_WINDOW * j);
		half1 |= (uint64_t)(BLS_FIXED_BASE_ROW_POINTS + 1) << (BLS_FIXED_BASE_WINDOW * j);
	}
	half %= BLS_X_ABS;
	half1 %= BLS_X_ABS;
	const uint64_t zm1 = BLS_X_ABS - 1, ones = 0x7fffffffffffffffull;
	const uint64_t digits[][4] = {
		{ 1, 0, 0, 0 },	      { 0, 1, 0, 0 },	    { 0, 0, 1, 0 },
		{ 0, 0, 0, 1 },	      { zm1, 0, 0, 0 },	    { 0, zm1, 0, zm1 },
		{ ones, ones, ones, 0 }, { half, half, half, half }, { half1, half1, half1, half1 },
		{ half, 0, half1, 0 }, { 0, ones, 0, 1 },      { zm1, zm1, zm1, 1 },
		{ 5, 0, 0, 7 },
	};
	for (size_t i = 0; i < sizeof digits / sizeof digits[0]; i++) {
		uint64_t k[4];
		from_gls_digits(k, digits[i]);
		CHECK_MSG(fr_is_valid(k), "edge scalar %zu is not below r", i);
		g2_mul_fixed_base_ct(&a, t, k);
		g2_mul_vartime(&b, &g, k, 256);
		CHECK_MSG(g2_eq_vartime(&a, &b), "edge scalar %zu", i);
	}
	uint64_t rm1[4];
	memcpy(rm1, FR_R, sizeof rm1);
	rm1[0] -= 1;
	g2_mul_fixed_base_ct(&a, t, rm1);
	g2_neg(&b, &g);
	CHECK(g2_eq_vartime(&a, &b)); /* [r - 1]G = -G */
	free(t);
}

/* A table of the point at infinity signs every key to infinity (hash_to_G2 never
 * yields it in practice, but the API must not read garbage if it did). */
TEST(fixed_base_infinity)
{
	bls_init();
	g2_point inf, a;
	g2_set_infinity(&inf);
	struct bls_fixed_base_table *t = new_table(&inf);
	uint64_t k[4] = { 12345, 0, 0, 1 };
	g2_mul_fixed_base_ct(&a, t, k);
	CHECK(g2_is_infinity(&a));
	free(t);
}

/* 64 messages x 64 keys: 4096 signatures, each compared byte for byte with bls_sign
 * of the same key and message. */
TEST(fixed_base_random_keys_match_bls_sign)
{
	bls_init();
	bls_fixed_base_table *t = malloc(BLS_FIXED_BASE_TABLE_BYTES);
	if (t == NULL)
		abort();
	int mismatches = 0, signatures = 0;
	for (int m = 0; m < 64; m++) {
		uint8_t msg[40];
		size_t msg_len = 1 + (size_t)(rnd() % sizeof msg); /* roots are 32, others vary */
		for (size_t i = 0; i < msg_len; i++)
			msg[i] = (uint8_t)rnd();
		bls_hashed_message h;
		bls_hash_message(&h, msg, msg_len);
		bls_fixed_base_build(t, &h);
		for (int n = 0; n < 64; n++) {
			uint8_t skb[32], want[96], got[96];
			bls_secret_key sk;
			do {
				for (int i = 0; i < 32; i++)
					skb[i] = (uint8_t)rnd();
				skb[0] &= 0x7f;
			} while (bls_secret_key_from_bytes(&sk, skb) != SS_OK);
			bls_sign(want, &sk, msg, msg_len);
			bls_sign_fixed_base(got, &sk, t);
			signatures++;
			if (memcmp(want, got, sizeof want) != 0 && mismatches++ < 5)
				CHECK_MSG(false, "message %d key %d: fixed-base signature differs", m, n);
		}
	}
	CHECK_EQ_U64(mismatches, 0);
	CHECK_EQ_U64(signatures, 4096);
	free(t);
}
