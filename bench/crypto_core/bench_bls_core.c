/* Microseconds per BLS operation (issue 3 "Speed"). A benchmark prints numbers; it
 * never fails. `bench_bls_core [iterations]`; SECURE_SIGNER_NO_ASM=1 measures the
 * portable field kernel. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypto/bls.h"
#include "crypto/bls_internal.h"

static double now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts); /* CPU time: the machine is shared */
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

#define BENCH(label, iters, body)                                               \
	do {                                                                    \
		double best = 1e30;                                             \
		for (int rep = 0; rep < 3; rep++) {                             \
			double t0 = now_us();                                   \
			for (int it_ = 0; it_ < (iters); it_++) {               \
				body;                                           \
			}                                                       \
			double t = (now_us() - t0) / (iters);                   \
			if (t < best)                                           \
				best = t;                                       \
		}                                                               \
		printf("%-34s %10.2f us\n", label, best);                       \
	} while (0)

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 20;
	if (n <= 0)
		n = 20;
	bls_init();
	printf("backend: %s\n", fp_mont_using_asm() ? "x86-64 ADX" : "portable C");
	uint8_t skb[32], msg[32], pk[48], sig[96];
	for (int i = 0; i < 32; i++) {
		skb[i] = (uint8_t)(i * 7 + 1);
		msg[i] = (uint8_t)i;
	}
	bls_secret_key sk;
	if (bls_secret_key_from_bytes(&sk, skb) != SS_OK)
		return 1;
	volatile uint64_t sink = 0;
	fp a = FP_ONE, b = G1_GEN.x;
	BENCH("fp_mul", n * 10000, { fp_mul(&a, &a, &b); });
	sink += a.l[0];
	fp2 c = G2_GEN.x;
	BENCH("fp2_mul", n * 5000, { fp2_mul(&c, &c, &G2_GEN.y); });
	BENCH("fp_inv", n * 10, { fp_inv(&a, &a); });
	BENCH("SkToPk", n, { bls_sk_to_pk(pk, &sk); });
	g2_point h;
	BENCH("hash_to_G2", n, { bls_hash_to_g2(&h, msg, 32, BLS_DST_POP_G2, sizeof BLS_DST_POP_G2); });
	BENCH("Sign", n, { bls_sign(sig, &sk, msg, 32); });
	bls_hashed_message hm;
	bls_hash_message(&hm, msg, 32);
	BENCH("Sign, message already hashed", n, { bls_sign_hashed(sig, &sk, &hm); });
	g2_point s;
	BENCH("sig decompress + subgroup check", n, { sink += bls_signature_decode_vartime(&s, sig); });
	g1_point p;
	BENCH("pk decompress + subgroup check", n, { sink += bls_pubkey_decode_vartime(&p, pk); });
	fp12 e;
	BENCH("pairing", n, { bls_pairing_vartime(&e, &G1_GEN, &G2_GEN); });
	BENCH("  Miller loop (1 pair)", n, { bls_miller_loop_n_vartime(&e, &G1_GEN, &G2_GEN, 1); });
	BENCH("  final exponentiation", n, { bls_final_exp(&e, &e); });
	BENCH("Verify", n, { sink += bls_verify_vartime(pk, msg, 32, sig); });
	static uint8_t pks[64][48], sigs[64][96];
	for (int i = 0; i < 64; i++) {
		skb[0] = (uint8_t)i;
		bls_secret_key k;
		if (bls_secret_key_from_bytes(&k, skb) != SS_OK)
			return 1;
		bls_sk_to_pk(pks[i], &k);
		bls_sign(sigs[i], &k, msg, 32);
	}
	uint8_t agg[96];
	if (bls_aggregate_signatures_vartime(agg, (const uint8_t(*)[96])sigs, 64) != SS_OK)
		return 1;
	BENCH("FastAggregateVerify (64 keys)", n / 4 + 1,
	      { sink += bls_fast_aggregate_verify_vartime((const uint8_t(*)[48])pks, 64, msg, 32, agg); });
	(void)sink;
	return 0;
}
