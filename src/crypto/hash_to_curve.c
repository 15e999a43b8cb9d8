/* Hashing to G1 and G2, RFC 9380: expand_message_xmd with SHA-256 (§5.3.1),
 * hash_to_field (§5.2), the simplified SWU map on a curve isogenous to E (§6.6.2,
 * §6.6.3), the isogeny maps (Appendix E.2, E.3) and cofactor clearing (§7, Appendix
 * G.3). The message is public in every use (the signer signs public data), but the
 * code avoids data-dependent branches anyway except in the isogeny's exceptional case.
 * Constants: hash_to_curve_constants.c. */
#include <stdlib.h>
#include <string.h>

#include "crypto/bls_internal.h"
#include "crypto/sha256.h"

extern const fp2 SSWU2_A, SSWU2_B, SSWU2_Z;
extern const fp SSWU2_SQRT_MINUS_NZ3;
extern const fp2 ISO3_XNUM[4], ISO3_XDEN[2], ISO3_YNUM[4], ISO3_YDEN[3];
extern const fp SSWU1_A, SSWU1_B, SSWU1_Z;
extern const fp ISO11_XNUM[12], ISO11_XDEN[10], ISO11_YNUM[16], ISO11_YDEN[15];

const uint8_t BLS_DST_POP_G2[43] = "BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_";

/* RFC 9380 §5.3.1 (and §5.3.3 for DSTs longer than 255 bytes). */
ss_err bls_expand_message_xmd(uint8_t *out, size_t len_in_bytes, const uint8_t *msg,
			      size_t msg_len, const uint8_t *dst, size_t dst_len)
{
	uint8_t dst_hash[SHA256_DIGEST_BYTES];
	if (dst_len > 255) {
		static const char prefix[] = "H2C-OVERSIZE-DST-";
		sha256_ctx c;
		sha256_init(&c);
		sha256_update(&c, prefix, sizeof prefix - 1);
		sha256_update(&c, dst, dst_len);
		sha256_final(&c, dst_hash);
		dst = dst_hash;
		dst_len = sizeof dst_hash;
	}
	size_t ell = (len_in_bytes + 31) / 32;
	if (len_in_bytes == 0 || ell > 255 || len_in_bytes > 65535)
		return SS_ERR_INVALID;
	static const uint8_t z_pad[SHA256_BLOCK_BYTES] = { 0 };
	const uint8_t lib[3] = { (uint8_t)(len_in_bytes >> 8), (uint8_t)len_in_bytes, 0 };
	const uint8_t dst_len_byte = (uint8_t)dst_len;
	uint8_t b0[32], bi[32], tmp[32];
	sha256_ctx c;
	/* b_0 = H(Z_pad || msg || I2OSP(len_in_bytes, 2) || I2OSP(0, 1) || DST_prime) */
	sha256_init(&c);
	sha256_update(&c, z_pad, sizeof z_pad);
	sha256_update(&c, msg, msg_len);
	sha256_update(&c, lib, 3);
	sha256_update(&c, dst, dst_len);
	sha256_update(&c, &dst_len_byte, 1);
	sha256_final(&c, b0);
	memset(bi, 0, sizeof bi);
	for (size_t i = 1; i <= ell; i++) {
		/* b_i = H(strxor(b_0, b_(i-1)) || I2OSP(i, 1) || DST_prime), b_0 xor 0 = b_0 */
		for (int j = 0; j < 32; j++)
			tmp[j] = b0[j] ^ bi[j];
		const uint8_t idx = (uint8_t)i;
		sha256_init(&c);
		sha256_update(&c, tmp, 32);
		sha256_update(&c, &idx, 1);
		sha256_update(&c, dst, dst_len);
		sha256_update(&c, &dst_len_byte, 1);
		sha256_final(&c, bi);
		size_t off = 32 * (i - 1), n = len_in_bytes - off < 32 ? len_in_bytes - off : 32;
		memcpy(out + off, bi, n);
	}
	return SS_OK;
}

/* §5.2 with L = 64: each field element is OS2IP of 64 uniform bytes, reduced mod p. */
void bls_hash_to_field_fp2(fp2 *u, size_t count, const uint8_t *msg, size_t msg_len,
			   const uint8_t *dst, size_t dst_len)
{
	uint8_t buf[2 * 2 * 64];
	if (count > 2 || bls_expand_message_xmd(buf, count * 128, msg, msg_len, dst, dst_len) != SS_OK)
		abort(); /* our bug: the sizes are constants */
	for (size_t i = 0; i < count; i++) {
		fp_from_bytes64_reduce(&u[i].c0, buf + 128 * i);
		fp_from_bytes64_reduce(&u[i].c1, buf + 128 * i + 64);
	}
}

void bls_hash_to_field_fp(fp *u, size_t count, const uint8_t *msg, size_t msg_len,
			  const uint8_t *dst, size_t dst_len)
{
	uint8_t buf[2 * 64];
	if (count > 2 || bls_expand_message_xmd(buf, count * 64, msg, msg_len, dst, dst_len) != SS_OK)
		abort();
	for (size_t i = 0; i < count; i++)
		fp_from_bytes64_reduce(&u[i], buf + 64 * i);
}

/* §6.6.2 simplified SWU for AB != 0 on E2', without any inversion:
 *   tv1 = Z^2 u^4 + Z u^2
 *   x1 = (-B / A) (1 + 1/tv1) = N / D with N = -B (tv1 + 1), D = A tv1
 *        (exceptional tv1 = 0: N = B, D = Z A)
 *   gx1 = x1^3 + A x1 + B = U / D^3, U = N^3 + A N D^2 + B D^3
 *   x2 = Z u^2 x1, gx2 = (Z u^2)^3 gx1 (the identity SSWU is built on)
 *   (x, y) = (x1, sqrt(gx1)) if gx1 is square else (x2, sqrt(gx2)); sgn0(y) = sgn0(u).
 * With M = norm(D) in Fp, gx1 = U conj(D)^3 / M^3 = a / M^4 for a = U conj(D)^3 M, so
 * sqrt(gx1) = sqrt(a) / K with K = M^2. fp2 square roots go through the norm (fp2.c):
 * for the norm n of a, t = n^((p+1)/4) is sqrt(n) when gx1 is square and sqrt(-n)
 * otherwise, and then sqrt(norm((Z u^2)^3 a)) = norm(u)^3 sqrt(-norm(Z)^3) t. Scaling
 * the second exponentiation's base by K^2 divides the root by K (K is a square).
 * So the whole map costs two Fp exponentiations; x is left as the fraction xn / D. */
static void sswu_g2(fp2 *xn, fp2 *d, fp2 *y, const fp2 *u)
{
	fp2 zu2, tv1, n, t, d2, u3, a, a2, x0n;
	fp m, k, k2, nrm, t1, t2, nu, c, x0, s, y0, y1, z, chk;
	fp2_sqr(&zu2, u);
	fp2_mul(&zu2, &zu2, &SSWU2_Z);
	fp2_sqr(&tv1, &zu2);
	fp2_add(&tv1, &tv1, &zu2);
	uint64_t e = fp2_is_zero(&tv1);
	fp2_set_one(&t);
	fp2_add(&n, &tv1, &t);
	fp2_mul(&n, &n, &SSWU2_B);
	fp2_neg(&n, &n);
	fp2_cmov(&n, &SSWU2_B, e);
	fp2_mul(d, &tv1, &SSWU2_A);
	fp2_mul(&t, &SSWU2_Z, &SSWU2_A);
	fp2_cmov(d, &t, e);
	/* U = N (N^2 + A D^2) + B D^3 */
	fp2_sqr(&d2, d);
	fp2_mul(&t, &d2, &SSWU2_A);
	fp2_sqr(&u3, &n);
	fp2_add(&u3, &u3, &t);
	fp2_mul(&u3, &u3, &n);
	fp2_mul(&d2, &d2, d); /* D^3 */
	fp2_mul(&t, &d2, &SSWU2_B);
	fp2_add(&u3, &u3, &t);
	/* a = U conj(D^3) M, K = M^2 */
	fp2_norm(&m, d);
	fp_sqr(&k, &m);
	fp2_conj(&d2, &d2);
	fp2_mul(&a, &u3, &d2);
	fp2_mul_fp(&a, &a, &m);
	/* decide the case and get the norm root */
	fp2_norm(&nrm, &a);
	uint64_t sq1 = fp_sqrt(&t1, &nrm);
	fp2_norm(&nu, u);
	fp_sqr(&c, &nu);
	fp_mul(&c, &c, &nu);
	fp_mul(&c, &c, &SSWU2_SQRT_MINUS_NZ3);
	fp_mul(&t2, &c, &t1);
	fp_cmov(&t2, &t1, sq1);
	fp2_sqr(&t, &zu2);
	fp2_mul(&t, &t, &zu2);
	fp2_mul(&a2, &a, &t);
	fp2_cmov(&a2, &a, sq1); /* the element whose root we take */
	fp2_mul(&x0n, &zu2, &n);
	fp2_cmov(&x0n, &n, sq1);
	*xn = x0n;
	/* y = sqrt(a2) / K, fp2_sqrt_given_norm_root with the exponent base scaled by K^2 */
	fp_add(&x0, &a2.c0, &t2);
	fp_half(&x0, &x0);
	fp_cmov(&x0, &a2.c0, fp_is_zero(&x0));
	fp_sqr(&k2, &k);
	fp_mul(&s, &x0, &k2);
	fp_pow(&s, &s, FP_EXP_INVSQRT); /* 1 / (sqrt(+-x0) K) */
	fp_mul(&y0, &x0, &s);
	fp_sqr(&chk, &y0);
	fp_mul(&chk, &chk, &k2);
	uint64_t x0_square = fp_eq(&chk, &x0);
	fp_mul(&y1, &a2.c1, &s);
	fp_half(&y1, &y1);
	y->c0 = y0;
	y->c1 = y1;
	fp_neg(&z, &y0);
	fp_cmov(&y->c0, &y1, 1 ^ x0_square);
	fp_cmov(&y->c1, &z, 1 ^ x0_square);
	fp2_neg(&t, y);
	fp2_cmov(y, &t, fp2_sgn0(u) ^ fp2_sgn0(y));
}

static void sswu_g1(fp *x, fp *y, const fp *u)
{
	fp zu2, tv1, num, den, x1, x2, gx1, gx2, t, y1, y2;
	fp_sqr(&zu2, u);
	fp_mul(&zu2, &zu2, &SSWU1_Z);
	fp_sqr(&tv1, &zu2);
	fp_add(&tv1, &tv1, &zu2);
	uint64_t e = fp_is_zero(&tv1);
	fp_add(&num, &tv1, &FP_ONE);
	fp_mul(&num, &num, &SSWU1_B);
	fp_neg(&num, &num);
	fp_cmov(&num, &SSWU1_B, e);
	fp_mul(&den, &tv1, &SSWU1_A);
	fp_mul(&t, &SSWU1_Z, &SSWU1_A);
	fp_cmov(&den, &t, e);
	fp_inv(&den, &den);
	fp_mul(&x1, &num, &den);
	fp_sqr(&gx1, &x1);
	fp_add(&gx1, &gx1, &SSWU1_A);
	fp_mul(&gx1, &gx1, &x1);
	fp_add(&gx1, &gx1, &SSWU1_B);
	fp_mul(&x2, &zu2, &x1);
	fp_sqr(&gx2, &x2);
	fp_add(&gx2, &gx2, &SSWU1_A);
	fp_mul(&gx2, &gx2, &x2);
	fp_add(&gx2, &gx2, &SSWU1_B);
	uint64_t sq1 = fp_sqrt(&y1, &gx1);
	fp_sqrt(&y2, &gx2);
	*x = x2;
	fp_cmov(x, &x1, sq1);
	*y = y2;
	fp_cmov(y, &y1, sq1);
	fp_neg(&t, y);
	fp_cmov(y, &t, fp_sgn0(u) ^ fp_sgn0(y));
}

/* Horner evaluation of sum k[i] x^i (n coefficients), plus x^n when monic. */
static void horner1(fp *r, const fp *k, size_t n, bool monic, const fp *x)
{
	fp acc;
	if (monic)
		fp_add(&acc, x, &k[n - 1]);
	else
		acc = k[n - 1];
	for (size_t i = n - 1; i-- > 0;) {
		fp_mul(&acc, &acc, x);
		fp_add(&acc, &acc, &k[i]);
	}
	*r = acc;
}

/* The 3-isogeny of Appendix E.3 applied to the SSWU output with x' = N / D given as a
 * fraction: the polynomials are evaluated homogeneously (monomials N^i D^(3-i)). */
void bls_map_to_g2(g2_point *r, const fp2 *u)
{
	fp2 n, d, y, nd[4], xn, xd, yn, yd, t, bb, dd;
	sswu_g2(&n, &d, &y, u);
	/* homogeneous monomials N^i D^(3-i) for x' = N / D */
	fp2 n2, d2;
	fp2_sqr(&n2, &n);
	fp2_sqr(&d2, &d);
	fp2_mul(&nd[0], &d2, &d);  /* D^3 */
	fp2_mul(&nd[1], &n, &d2);  /* N D^2 */
	fp2_mul(&nd[2], &n2, &d);  /* N^2 D */
	fp2_mul(&nd[3], &n2, &n);  /* N^3 */
	/* xn = XN / D^3, xd = XD / D^2, yn = YN / D^3, yd = YD / D^3 */
	fp2_mul(&xn, &ISO3_XNUM[0], &nd[0]);
	fp2_mul(&yn, &ISO3_YNUM[0], &nd[0]);
	fp2_mul(&yd, &ISO3_YDEN[0], &nd[0]);
	for (int i = 1; i < 4; i++) {
		fp2_mul(&t, &ISO3_XNUM[i], &nd[i]);
		fp2_add(&xn, &xn, &t);
		fp2_mul(&t, &ISO3_YNUM[i], &nd[i]);
		fp2_add(&yn, &yn, &t);
		if (i < 3) {
			fp2_mul(&t, &ISO3_YDEN[i], &nd[i]);
			fp2_add(&yd, &yd, &t);
		}
	}
	fp2_add(&yd, &yd, &nd[3]);
	fp2_mul(&xd, &ISO3_XDEN[0], &d2);
	fp2_mul(&t, &n, &d);
	fp2_mul(&t, &t, &ISO3_XDEN[1]);
	fp2_add(&xd, &xd, &t);
	fp2_add(&xd, &xd, &n2);
	/* x = XN / (XD D) =: a / b, y = y' YN / YD =: c / dd; Jacobian Z = b dd,
	 * X = a b dd^2, Y = c b^3 dd^2. A zero denominator gives Z = 0, the point at
	 * infinity, as §6.6.3 prescribes for the isogeny's exceptional inputs. */
	fp2_mul(&bb, &xd, &d);
	dd = yd;
	fp2_mul(&r->z, &bb, &dd);
	fp2_sqr(&t, &dd);        /* dd^2 */
	fp2_mul(&r->x, &xn, &bb);
	fp2_mul(&r->x, &r->x, &t);
	fp2_mul(&t, &t, &bb);    /* b dd^2 */
	fp2_sqr(&n2, &bb);       /* b^2 */
	fp2_mul(&t, &t, &n2);    /* b^3 dd^2 */
	fp2_mul(&yn, &yn, &y);   /* c */
	fp2_mul(&r->y, &yn, &t);
}

/* Isogeny (x', y') -> (xn/xd, y' yn/yd) written straight into Jacobian coordinates
 * without inversion: Z = xd yd, X = xn yd Z, Y = y' yn xd Z^2 (then X/Z^2 = xn/xd and
 * Y/Z^3 = y' yn/yd). A zero denominator gives Z = 0, the point at infinity, which is
 * what §6.6.3 prescribes for the isogeny's exceptional inputs. */
void bls_map_to_g1(g1_point *r, const fp *u)
{
	fp x, y, xn, xd, yn, yd, t;
	sswu_g1(&x, &y, u);
	horner1(&xn, ISO11_XNUM, 12, false, &x);
	horner1(&xd, ISO11_XDEN, 10, true, &x);
	horner1(&yn, ISO11_YNUM, 16, false, &x);
	horner1(&yd, ISO11_YDEN, 15, true, &x);
	fp_mul(&r->z, &xd, &yd);
	fp_mul(&t, &xn, &yd);
	fp_mul(&r->x, &t, &r->z);
	fp_sqr(&t, &r->z);
	fp_mul(&t, &t, &xd);
	fp_mul(&t, &t, &yn);
	fp_mul(&r->y, &t, &y);
}

/* §3: hash_to_curve = clear_cofactor(map(u0) + map(u1)) */
void bls_hash_to_g2(g2_point *r, const uint8_t *msg, size_t msg_len, const uint8_t *dst,
		    size_t dst_len)
{
	fp2 u[2];
	g2_point q0, q1;
	bls_hash_to_field_fp2(u, 2, msg, msg_len, dst, dst_len);
	bls_map_to_g2(&q0, &u[0]);
	bls_map_to_g2(&q1, &u[1]);
	g2_add_vartime(&q0, &q0, &q1);
	g2_clear_cofactor(r, &q0);
}

/* §3: encode_to_curve = clear_cofactor(map(u0)) */
void bls_encode_to_g2(g2_point *r, const uint8_t *msg, size_t msg_len, const uint8_t *dst,
		      size_t dst_len)
{
	fp2 u;
	g2_point q;
	bls_hash_to_field_fp2(&u, 1, msg, msg_len, dst, dst_len);
	bls_map_to_g2(&q, &u);
	g2_clear_cofactor(r, &q);
}

void bls_hash_to_g1(g1_point *r, const uint8_t *msg, size_t msg_len, const uint8_t *dst,
		    size_t dst_len)
{
	fp u[2];
	g1_point q0, q1;
	bls_hash_to_field_fp(u, 2, msg, msg_len, dst, dst_len);
	bls_map_to_g1(&q0, &u[0]);
	bls_map_to_g1(&q1, &u[1]);
	g1_add_vartime(&q0, &q0, &q1);
	g1_clear_cofactor(r, &q0);
}

void bls_encode_to_g1(g1_point *r, const uint8_t *msg, size_t msg_len, const uint8_t *dst,
		      size_t dst_len)
{
	fp u;
	g1_point q;
	bls_hash_to_field_fp(&u, 1, msg, msg_len, dst, dst_len);
	bls_map_to_g1(&q, &u);
	g1_clear_cofactor(r, &q);
}
