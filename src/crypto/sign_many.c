/* Several signatures at once (bls_sign_many, bls.h): each [sk_i]H(m_i) as bls_sign
 * would compute it, then all of them made affine with one field inversion instead of
 * one each (Montgomery's trick, as in g2_fixed_base.c's table build). The inversion
 * is a ~380-squaring exponentiation (fp_inv), about a fifth of a fixed-base signature
 * (docs/benchmarks.md), so a signing thread that takes a few queued requests at once
 * saves most of it.
 *
 * Constant time in the keys: n is public; every product, the one inversion and the
 * walk back are the same operations whatever the points, and a point at infinity (Z =
 * 0, impossible for a valid key and a hashed message, but not excluded by type) has
 * its Z replaced by one under a mask so it cannot zero the product for the others;
 * its encoding is then the infinity encoding, as g2_compress gives. */
#include <string.h>

#include "crypto/bls.h"
#include "crypto/bls_internal.h"
#include "util/secure_mem.h"


/* The secret temporaries, wiped before return (CONVENTIONS.md "Secrets"). */
typedef struct {
	g2_point r[BLS_SIGN_MANY_MAX];
	uint64_t inf[BLS_SIGN_MANY_MAX];
	fp2 z[BLS_SIGN_MANY_MAX], prefix[BLS_SIGN_MANY_MAX];
	fp2 inv, zi, zi2;
	g2_affine t;
} sign_many_scratch;

static void point_of(g2_point *r, const bls_sign_job *j)
{
	if (j->table != NULL) {
		g2_mul_fixed_base_ct(r, j->table, j->sk->l);
		return;
	}
	g2_point h;
	memcpy(&h, j->h->opaque, sizeof h); /* not a cast: aliasing (bls.c) */
	g2_mul_gls_ct(r, &h, j->sk->l);
}

void bls_sign_many(const bls_sign_job *jobs, size_t n)
{
	if (n == 0)
		return;
	if (n > BLS_SIGN_MANY_MAX) { /* public: split, never refuse */
		bls_sign_many(jobs, BLS_SIGN_MANY_MAX);
		bls_sign_many(jobs + BLS_SIGN_MANY_MAX, n - BLS_SIGN_MANY_MAX);
		return;
	}
	sign_many_scratch s;
	fp2 one;
	fp2_set_one(&one);
	for (size_t i = 0; i < n; i++) {
		point_of(&s.r[i], &jobs[i]);
		s.inf[i] = g2_is_infinity(&s.r[i]);
		s.z[i] = s.r[i].z;
		fp2_cmov(&s.z[i], &one, s.inf[i]);
		if (i == 0)
			s.prefix[0] = s.z[0];
		else
			fp2_mul(&s.prefix[i], &s.prefix[i - 1], &s.z[i]);
	}
	fp2_inv(&s.inv, &s.prefix[n - 1]);
	for (size_t i = n; i-- > 0;) {
		/* inv = 1 / (z_0 ... z_i): 1/z_i = inv * prefix_(i-1), and inv * z_i is
		 * 1 / (z_0 ... z_(i-1)) for the next step */
		if (i > 0) {
			fp2_mul(&s.zi, &s.inv, &s.prefix[i - 1]);
			fp2_mul(&s.inv, &s.inv, &s.z[i]);
		} else {
			s.zi = s.inv;
		}
		fp2_sqr(&s.zi2, &s.zi);
		fp2_mul(&s.t.x, &s.r[i].x, &s.zi2); /* x = X / Z^2 */
		fp2_mul(&s.zi2, &s.zi2, &s.zi);
		fp2_mul(&s.t.y, &s.r[i].y, &s.zi2); /* y = Y / Z^3 */
		g2_compress_affine(jobs[i].sig, &s.t, s.inf[i]);
	}
	secure_zero(&s, sizeof s);
}
