/* Constant-time check of the Fp kernels (CONVENTIONS.md "Secrets"): run under valgrind
 * by ss_ct_test with the inputs marked undefined (CT_SECRET), memcheck reports any
 * branch or memory index that depends on them. Both kernels are called directly, so
 * the ADX one is checked whether or not fp_mont_init() would pick it.
 * Exit 77 (skip) is not used: the portable kernel is always checked. */
#include <stdio.h>
#include <string.h>

#include "crypto/fp_mont.h"
#include "host_adx.h"
#include "util/ct_check.h"

int main(void)
{
	/* arbitrary values below p, including an all-ones pattern */
	uint64_t a[6] = { 0x0123456789abcdefull, ~0ull, 0x1111111111111111ull,
			  0xfedcba9876543210ull, ~0ull, 0x0a0111ea397fe69aull };
	uint64_t b[6] = { ~0ull, 1, 0, ~0ull, 0x4b1ba7b6434bacd7ull, 0x1a0111ea397fe699ull };
	uint64_t r[6], s[6];
	bool adx = host_has_adx();
	for (int i = 0; i < 64; i++) {
		CT_SECRET(a, sizeof a);
		CT_SECRET(b, sizeof b);
		fp_mul_mont_portable(r, a, b);
		fp_sqr_mont_portable(s, a);
		memcpy(a, r, sizeof a);
		memcpy(b, s, sizeof b);
#ifdef SS_HAVE_ADX_KERNEL
		if (adx) {
			fp_mul_mont_adx(r, a, b);
			fp_sqr_mont_adx(s, b);
			memcpy(a, r, sizeof a);
			memcpy(b, s, sizeof b);
		}
#endif
	}
	/* Fp2: (a + b u) * (b + a u) */
	uint64_t x[12], y[12], z[12];
	memcpy(x, a, 48); memcpy(x + 6, b, 48);
	memcpy(y, b, 48); memcpy(y + 6, a, 48);
	for (int i = 0; i < 16; i++) {
		CT_SECRET(x, sizeof x);
		CT_SECRET(y, sizeof y);
		fp2_mul_mont_portable(z, x, y);
		fp2_sqr_mont_portable(x, z);
#ifdef SS_HAVE_ADX_KERNEL
		if (adx) {
			fp2_mul_mont_adx(z, x, y);
			fp2_sqr_mont_adx(y, z);
		}
#endif
	}
	a[0] ^= x[0] ^ y[0];
	/* lazy reduction: wide product, then REDC */
	uint64_t w[12];
	for (int i = 0; i < 16; i++) {
		CT_SECRET(x, sizeof x);
		fp_mul_wide_portable(w, x, x + 6);
		fp_redc_portable(x, w);
#ifdef SS_HAVE_ADX_KERNEL
		if (adx) {
			fp_mul_wide_adx(w, x, x + 6);
			fp_redc_adx(x + 6, w);
		}
#endif
	}
	a[0] ^= x[0] ^ x[6];
	CT_PUBLIC(a, sizeof a);
	printf("fp_ct: portable%s kernels ran on secret inputs; a[0]=%016llx\n",
	       adx ? " and adx" : "", (unsigned long long)a[0]);
	return 0;
}
