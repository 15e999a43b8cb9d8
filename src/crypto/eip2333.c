/* EIP-2333 key derivation and EIP-2334 paths (see eip2333.h). HMAC-SHA256 is
 * crypto/hmac_sha256.c (allocation-free, cannot fail); HKDF (RFC 5869) is written out on top of it so that HKDF-Extract
 * can take IKM ‖ I2OSP(0, 1) without copying the secret into a buffer. */
#include "crypto/eip2333.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/sha256.h"
#include "util/ct.h"
#include "util/ct_check.h"
#include "util/secure_mem.h"

typedef struct {
	const uint8_t *p;
	size_t n;
} part;

/* HMAC-SHA256(key, parts[0] ‖ … ‖ parts[n-1]), allocation-free (crypto/hmac_sha256.c). */
static void hmac_parts(uint8_t out[32], const uint8_t *key, size_t key_len, const part *parts,
		       size_t n)
{
	hmac_sha256_ctx h;
	hmac_sha256_init(&h, key, key_len);
	for (size_t i = 0; i < n; i++)
		hmac_sha256_update(&h, parts[i].p, parts[i].n);
	hmac_sha256_final(&h, out);
}

/* RFC 5869 HKDF-Expand(PRK, info, L) for L <= 255 * 32. */
static void hkdf_expand(uint8_t *okm, size_t len, const uint8_t prk[32], const uint8_t *info,
			size_t info_len)
{
	uint8_t t[32];
	size_t t_len = 0;
	for (uint8_t i = 1; len > 0; i++) {
		part p[3] = { { t, t_len }, { info, info_len }, { &i, 1 } };
		hmac_parts(t, prk, 32, p, 3);
		t_len = 32;
		size_t take = len < 32 ? len : 32;
		memcpy(okm, t, take);
		okm += take;
		len -= take;
	}
	secure_zero(t, sizeof t);
}

/* The group order r of BLS12-381, little-endian 64-bit limbs (EIP-2333 "r"). */
static const uint64_t R[4] = { 0xffffffff00000001ULL, 0x53bda402fffe5bfeULL,
			       0x3339d80809a1d805ULL, 0x73eda753299d7d48ULL };

/* acc = OS2IP(in[0..len)) mod r, by shifting the number in one bit at a time and
 * subtracting r under a mask whenever acc >= r. acc < r < 2^255 keeps 2*acc+1 inside
 * 256 bits. Only public positions index the input; no branch depends on its value. */
static void mod_r_be(uint64_t acc[4], const uint8_t *in, size_t len)
{
	acc[0] = acc[1] = acc[2] = acc[3] = 0;
	for (size_t i = 0; i < len * 8; i++) {
		uint64_t bit = (uint64_t)(in[i / 8] >> (7 - i % 8)) & 1;
		acc[3] = (acc[3] << 1) | (acc[2] >> 63);
		acc[2] = (acc[2] << 1) | (acc[1] >> 63);
		acc[1] = (acc[1] << 1) | (acc[0] >> 63);
		acc[0] = (acc[0] << 1) | bit;
		uint64_t t[4], borrow = 0;
		for (int k = 0; k < 4; k++) {
			unsigned __int128 d = (unsigned __int128)acc[k] - R[k] - borrow;
			t[k] = (uint64_t)d;
			borrow = (uint64_t)(d >> 127); /* 1 when the subtraction wrapped */
		}
		/* borrow == 0 means acc >= r: take t. */
		for (int k = 0; k < 4; k++)
			acc[k] = ct_select_u64(borrow, acc[k], t[k]);
		secure_zero(t, sizeof t);
	}
}

static void limbs_to_be(uint8_t out[32], const uint64_t l[4])
{
	for (int i = 0; i < 32; i++)
		out[31 - i] = (uint8_t)(l[i / 8] >> (8 * (i % 8)));
}

void eip2333_hkdf_mod_r(uint8_t sk[EIP2333_SK_BYTES], const uint8_t *ikm, size_t ikm_len)
{
	/* EIP-2333 HKDF_mod_r: salt starts as "BLS-SIG-KEYGEN-SALT-" and is hashed before
	 * every attempt; L = 48 = ceil(3 * ceil(log2(r)) / 16); key_info = "". */
	static const char SALT0[] = "BLS-SIG-KEYGEN-SALT-";
	uint8_t salt[32];
	const uint8_t zero = 0;
	const uint8_t info[2] = { 0, 48 }; /* key_info ‖ I2OSP(L, 2) */
	struct {
		uint8_t prk[32];
		uint8_t okm[48];
		uint64_t acc[4];
	} s;
	sha256(salt, SALT0, sizeof SALT0 - 1);
	for (;;) {
		part p[2] = { { ikm, ikm_len }, { &zero, 1 } };
		hmac_parts(s.prk, salt, sizeof salt, p, 2); /* HKDF-Extract(salt, IKM ‖ I2OSP(0, 1)) */
		hkdf_expand(s.okm, sizeof s.okm, s.prk, info, sizeof info);
		mod_r_be(s.acc, s.okm, sizeof s.okm);
		/* Revealing only "SK == 0" (probability ~2^-255) is allowed: the loop must
		 * know whether to try again. */
		uint64_t is_zero = ct_is_zero_u64(s.acc[0] | s.acc[1] | s.acc[2] | s.acc[3]);
		CT_PUBLIC(&is_zero, sizeof is_zero);
		if (!is_zero)
			break;
		sha256(salt, salt, sizeof salt);
	}
	limbs_to_be(sk, s.acc);
	secure_zero(&s, sizeof s);
}

void eip2333_ikm_to_lamport_sk(uint8_t out[EIP2333_LAMPORT_CHUNKS][32], const uint8_t *ikm,
			       size_t ikm_len, const uint8_t *salt, size_t salt_len)
{
	uint8_t prk[32];
	part p[1] = { { ikm, ikm_len } };
	hmac_parts(prk, salt, salt_len, p, 1); /* HKDF-Extract(salt, IKM) */
	hkdf_expand(&out[0][0], EIP2333_LAMPORT_CHUNKS * 32, prk, NULL, 0);
	secure_zero(prk, sizeof prk);
}

void eip2333_parent_sk_to_lamport_pk(uint8_t out[32], const uint8_t parent[EIP2333_SK_BYTES],
				     uint32_t index)
{
	const uint8_t salt[4] = { (uint8_t)(index >> 24), (uint8_t)(index >> 16),
				  (uint8_t)(index >> 8), (uint8_t)index };
	struct {
		uint8_t lamport[EIP2333_LAMPORT_CHUNKS][32];
		uint8_t not_ikm[32];
		uint8_t h[32];
		sha256_ctx pk;
	} s;
	/* lamport_PK = SHA256(lamport_0[i]) for all i, then SHA256(lamport_1[i]);
	 * compressed_lamport_PK = SHA256(lamport_PK). Hashed as a stream. */
	sha256_init(&s.pk);
	eip2333_ikm_to_lamport_sk(s.lamport, parent, 32, salt, sizeof salt);
	for (int i = 0; i < EIP2333_LAMPORT_CHUNKS; i++) {
		sha256(s.h, s.lamport[i], 32);
		sha256_update(&s.pk, s.h, 32);
	}
	for (int i = 0; i < 32; i++)
		s.not_ikm[i] = (uint8_t)~parent[i]; /* flip_bits(IKM) */
	eip2333_ikm_to_lamport_sk(s.lamport, s.not_ikm, 32, salt, sizeof salt);
	for (int i = 0; i < EIP2333_LAMPORT_CHUNKS; i++) {
		sha256(s.h, s.lamport[i], 32);
		sha256_update(&s.pk, s.h, 32);
	}
	sha256_final(&s.pk, out);
	secure_zero(&s, sizeof s);
}

void eip2333_derive_child_sk(uint8_t child[EIP2333_SK_BYTES],
			     const uint8_t parent[EIP2333_SK_BYTES], uint32_t index)
{
	uint8_t compressed[32];
	eip2333_parent_sk_to_lamport_pk(compressed, parent, index);
	eip2333_hkdf_mod_r(child, compressed, sizeof compressed);
	secure_zero(compressed, sizeof compressed);
}

ss_err eip2333_derive_master_sk(uint8_t sk[EIP2333_SK_BYTES], const uint8_t *seed,
				size_t seed_len)
{
	if (seed_len < EIP2333_MIN_SEED_BYTES) {
		secure_zero(sk, EIP2333_SK_BYTES);
		return SS_ERR_INVALID;
	}
	eip2333_hkdf_mod_r(sk, seed, seed_len);
	return SS_OK;
}

ss_err eip2334_parse_path(const char *path, uint32_t indices[EIP2334_MAX_DEPTH], size_t *n)
{
	*n = 0;
	if (path[0] != 'm')
		return SS_ERR_INVALID;
	const char *p = path + 1;
	size_t count = 0;
	while (*p) {
		if (*p != '/' || count == EIP2334_MAX_DEPTH)
			return SS_ERR_INVALID;
		p++;
		if (*p < '0' || *p > '9' || (p[0] == '0' && p[1] >= '0' && p[1] <= '9'))
			return SS_ERR_INVALID; /* empty component, sign, or leading zero */
		uint64_t v = 0;
		while (*p >= '0' && *p <= '9') {
			v = v * 10 + (uint64_t)(*p - '0');
			if (v > UINT32_MAX)
				return SS_ERR_INVALID;
			p++;
		}
		indices[count++] = (uint32_t)v;
	}
	*n = count;
	return SS_OK;
}

ss_err eip2333_derive_path(uint8_t sk[EIP2333_SK_BYTES], const uint8_t *seed, size_t seed_len,
			   const char *path)
{
	uint32_t idx[EIP2334_MAX_DEPTH];
	size_t n;
	ss_err e = eip2334_parse_path(path, idx, &n);
	if (e == SS_OK)
		e = eip2333_derive_master_sk(sk, seed, seed_len);
	if (e != SS_OK) {
		secure_zero(sk, EIP2333_SK_BYTES);
		return e;
	}
	uint8_t child[EIP2333_SK_BYTES];
	for (size_t i = 0; i < n; i++) {
		eip2333_derive_child_sk(child, sk, idx[i]);
		memcpy(sk, child, sizeof child);
	}
	secure_zero(child, sizeof child);
	return SS_OK;
}
