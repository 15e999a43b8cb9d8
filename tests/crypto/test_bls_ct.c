/* Constant-time check of the secret-key paths (CONVENTIONS.md "Secrets"): run under
 * valgrind memcheck by ctest (ss_ct_test) with the secret key marked undefined, so any
 * branch or memory index that depends on it is reported as an error. Only the outputs
 * (public key, signatures) are declassified. Parsing the key (bls_secret_key_from_bytes),
 * bls_sign_hashed, the fixed-base path (bls_sign_fixed_base, whose table is public
 * and stays defined) and bls_sign_many (both kinds of job, one shared inversion) are
 * checked too. Outside valgrind it still checks that
 * the outputs verify, so the program cannot pass by doing nothing. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/bls.h"
#include "crypto/fp_mont.h"
#include "util/ct_check.h"

#include "../crypto_fp/host_adx.h"

/* bls_init() would pick the portable kernel under valgrind (its CPUID hides ADX), so
 * the ADX path would go unchecked: unless SECURE_SIGNER_NO_ASM asks for the portable
 * one, take the ADX kernel whenever the host has it. */
static void select_backend(void)
{
#ifdef SS_HAVE_ADX_KERNEL
	const char *no_asm = getenv("SECURE_SIGNER_NO_ASM");
	if (no_asm != NULL && no_asm[0] != '\0' && no_asm[0] != '0')
		return;
	if (host_has_adx())
		fp_mont_asm = true;
#endif
}

int main(void)
{
	bls_init();
	select_backend();
	printf("field backend: %s\n", fp_mont_using_asm() ? "adx" : "portable");
	static const uint8_t skb[2][32] = {
		{ 0x47, 0xb8, 0x19, 0x2d, 0x77, 0xbf, 0x87, 0x1b, 0x62, 0xe8, 0x78, 0x59, 0xd6, 0x53, 0x92, 0x27,
		  0x25, 0x72, 0x4a, 0x5c, 0x03, 0x1a, 0xfe, 0xab, 0xc6, 0x0b, 0xce, 0xf5, 0xff, 0x66, 0x51, 0x38 },
		{ 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		  0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01 },
	};
	const uint8_t msg[] = "constant-time signing test";
	int failures = 0;
	bls_fixed_base_table *table = malloc(BLS_FIXED_BASE_TABLE_BYTES);
	if (table == NULL)
		return 1;
	for (int i = 0; i < 2; i++) {
		bls_secret_key sk;
		uint8_t pk[48], sig[96], kb[32];
		/* the key is secret from its bytes on: parsing and the range check too; only
		 * whether it was in range is declassified */
		memcpy(kb, skb[i], sizeof kb);
		CT_SECRET(kb, sizeof kb);
		ss_err e = bls_secret_key_from_bytes(&sk, kb);
		CT_PUBLIC(&e, sizeof e);
		if (e != SS_OK)
			return 1;
		bls_sk_to_pk(pk, &sk);
		bls_sign(sig, &sk, msg, sizeof msg - 1);
		bls_hashed_message hm;
		uint8_t sig2[96];
		bls_hash_message(&hm, msg, sizeof msg - 1);
		bls_sign_hashed(sig2, &sk, &hm);
		uint8_t sig3[96];
		bls_fixed_base_build(table, &hm);
		bls_sign_fixed_base(sig3, &sk, table);
		uint8_t many[2][96];
		const bls_sign_job jobs[2] = {
			{ .sk = &sk, .table = table, .sig = many[0] },
			{ .sk = &sk, .h = &hm, .sig = many[1] },
		};
		bls_sign_many(jobs, 2);
		CT_PUBLIC(many, sizeof many);
		CT_PUBLIC(pk, sizeof pk);
		CT_PUBLIC(sig, sizeof sig);
		CT_PUBLIC(sig2, sizeof sig2);
		CT_PUBLIC(sig3, sizeof sig3);
		if (memcmp(sig, sig2, sizeof sig) != 0) {
			fprintf(stderr, "key %d: bls_sign_hashed differs from bls_sign\n", i);
			failures++;
		}
		if (memcmp(sig, sig3, sizeof sig) != 0) {
			fprintf(stderr, "key %d: bls_sign_fixed_base differs from bls_sign\n", i);
			failures++;
		}
		for (int j = 0; j < 2; j++)
			if (memcmp(sig, many[j], sizeof sig) != 0) {
				fprintf(stderr, "key %d: bls_sign_many job %d differs from bls_sign\n", i, j);
				failures++;
			}
		bls_secret_key_wipe(&sk);
		if (!bls_verify_vartime(pk, msg, sizeof msg - 1, sig)) {
			fprintf(stderr, "key %d: signature does not verify\n", i);
			failures++;
		}
	}
	free(table);
	printf("%s\n", failures ? "FAILED" : "ok");
	return failures ? 1 : 0;
}
