/* ZCash serialisation of G1 and G2 points (the format of the IETF BLS signature draft
 * Appendix, and of every Ethereum client). The three high bits of the first byte are
 *   bit 7  C: compressed (x only) encoding
 *   bit 6  I: the point at infinity; every other bit of the encoding must be zero
 *   bit 5  S: in compressed form, y is the lexicographically larger root; must be 0 in
 *             uncompressed form and at infinity
 * Fp2 coordinates are written c1 first, then c0. Coordinates must be canonical (< p).
 * Encoders run in constant time (they may serialise a point computed from a secret
 * before it is published); decoders handle public input and may branch. */
#include <string.h>

#include "crypto/bls_internal.h"

#define FLAG_C 0x80
#define FLAG_I 0x40
#define FLAG_S 0x20

/* masks every byte with keep (0x00 or 0xff) and ORs the flags in */
static void finish(uint8_t *out, size_t n, uint64_t inf, uint64_t sign, uint8_t c)
{
	uint8_t keep = (uint8_t)(0 - (1 ^ inf));
	for (size_t i = 0; i < n; i++)
		out[i] &= keep;
	out[0] |= (uint8_t)(c | (FLAG_I & (uint8_t)(0 - inf)) | (FLAG_S & (uint8_t)(0 - (sign & (1 ^ inf)))));
}

void g1_compress(uint8_t out[48], const g1_point *a)
{
	g1_affine t;
	g1_to_affine(&t, a);
	fp_to_bytes(out, &t.x);
	finish(out, 48, g1_is_infinity(a), fp_is_lex_largest(&t.y), FLAG_C);
}

void g1_serialize(uint8_t out[96], const g1_point *a)
{
	g1_affine t;
	g1_to_affine(&t, a);
	fp_to_bytes(out, &t.x);
	fp_to_bytes(out + 48, &t.y);
	finish(out, 96, g1_is_infinity(a), 0, 0);
}

void g2_compress(uint8_t out[96], const g2_point *a)
{
	g2_affine t;
	g2_to_affine(&t, a);
	g2_compress_affine(out, &t, g2_is_infinity(a));
}

void g2_compress_affine(uint8_t out[96], const g2_affine *t, uint64_t inf)
{
	fp_to_bytes(out, &t->x.c1);
	fp_to_bytes(out + 48, &t->x.c0);
	finish(out, 96, inf, fp2_is_lex_largest(&t->y), FLAG_C);
}

void g2_serialize(uint8_t out[192], const g2_point *a)
{
	g2_affine t;
	g2_to_affine(&t, a);
	fp_to_bytes(out, &t.x.c1);
	fp_to_bytes(out + 48, &t.x.c0);
	fp_to_bytes(out + 96, &t.y.c1);
	fp_to_bytes(out + 144, &t.y.c0);
	finish(out, 192, g2_is_infinity(a), 0, 0);
}

/* Checks the length against the C flag and the infinity encoding. Returns 1 when the
 * input is a valid infinity, 0 when decoding must go on, -1 when invalid. */
static int check_header(const uint8_t *in, size_t len, size_t compressed_len, bool *compressed)
{
	uint8_t flags = in[0] & 0xe0;
	if (len == compressed_len)
		*compressed = true;
	else if (len == 2 * compressed_len)
		*compressed = false;
	else
		return -1;
	if (((flags & FLAG_C) != 0) != *compressed)
		return -1;
	if (!*compressed && (flags & FLAG_S))
		return -1;
	if (flags & FLAG_I) {
		if (flags & FLAG_S)
			return -1;
		if (in[0] & 0x1f)
			return -1;
		for (size_t i = 1; i < len; i++)
			if (in[i])
				return -1;
		return 1;
	}
	return 0;
}

/* Reads a 48-byte coordinate, ignoring the flag bits when first is true. */
static bool read_fp(fp *r, const uint8_t *in, bool first)
{
	uint8_t buf[48];
	memcpy(buf, in, 48);
	if (first)
		buf[0] &= 0x1f;
	return fp_from_bytes(r, buf) == 1;
}

ss_err g1_deserialize_vartime(g1_point *r, const uint8_t *in, size_t len)
{
	bool compressed;
	if (len == 0)
		return SS_ERR_INVALID;
	int h = check_header(in, len, 48, &compressed);
	if (h < 0)
		return SS_ERR_INVALID;
	if (h == 1) {
		g1_set_infinity(r);
		return SS_OK;
	}
	g1_affine a;
	if (!read_fp(&a.x, in, true))
		return SS_ERR_INVALID;
	if (compressed) {
		fp y2;
		fp_sqr(&y2, &a.x);
		fp_mul(&y2, &y2, &a.x);
		fp_add(&y2, &y2, &G1_B);
		if (!fp_sqrt(&a.y, &y2))
			return SS_ERR_INVALID;
		if (fp_is_lex_largest(&a.y) != (uint64_t)((in[0] & FLAG_S) != 0))
			fp_neg(&a.y, &a.y);
	} else {
		if (!read_fp(&a.y, in + 48, false))
			return SS_ERR_INVALID;
		if (!g1_affine_on_curve(&a))
			return SS_ERR_INVALID;
	}
	g1_from_affine(r, &a);
	return SS_OK;
}

ss_err g2_deserialize_vartime(g2_point *r, const uint8_t *in, size_t len)
{
	bool compressed;
	if (len == 0)
		return SS_ERR_INVALID;
	int h = check_header(in, len, 96, &compressed);
	if (h < 0)
		return SS_ERR_INVALID;
	if (h == 1) {
		g2_set_infinity(r);
		return SS_OK;
	}
	g2_affine a;
	if (!read_fp(&a.x.c1, in, true) || !read_fp(&a.x.c0, in + 48, false))
		return SS_ERR_INVALID;
	if (compressed) {
		fp2 y2;
		fp2_sqr(&y2, &a.x);
		fp2_mul(&y2, &y2, &a.x);
		fp2_add(&y2, &y2, &G2_B);
		if (!fp2_sqrt(&a.y, &y2))
			return SS_ERR_INVALID;
		if (fp2_is_lex_largest(&a.y) != (uint64_t)((in[0] & FLAG_S) != 0))
			fp2_neg(&a.y, &a.y);
	} else {
		if (!read_fp(&a.y.c1, in + 96, false) || !read_fp(&a.y.c0, in + 144, false))
			return SS_ERR_INVALID;
		if (!g2_affine_on_curve(&a))
			return SS_ERR_INVALID;
	}
	g2_from_affine(r, &a);
	return SS_OK;
}
