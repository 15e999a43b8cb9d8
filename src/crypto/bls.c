/* The Ethereum BLS signature API: ciphersuite BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_
 * (draft-irtf-cfrg-bls-signature-05 §2, §3.3, §4.2.3): minimal-pubkey-size variant,
 * public keys in G1, signatures in G2.
 *
 * Secret-key paths (SkToPk, Sign) run in constant time: fixed-window scalar
 * multiplication with masked table scans (ec_template.h), constant-time inversion for
 * the affine output and branch-free encoding. Everything else sees public data only. */
#include <pthread.h>
#include <string.h>

#include "crypto/bls.h"
#include "crypto/bls_internal.h"
#include "util/secure_mem.h"

/* The GLV window table of the G1 generator, built once (pthread_once, so any thread
 * may be first) so that SkToPk skips 14 additions and an inversion. Montgomery form is
 * the same for both field backends, so the table does not depend on fp_mont_init. */
static g1_affine g1_gen_table[2][16];
static pthread_once_t g1_gen_table_once = PTHREAD_ONCE_INIT;

static void build_g1_gen_table(void)
{
	g1_point g;
	g1_from_affine(&g, &G1_GEN);
	g1_glv_table(g1_gen_table, &g);
}

void bls_init(void)
{
	fp_mont_init();
	pthread_once(&g1_gen_table_once, build_g1_gen_table);
}

ss_err bls_secret_key_from_bytes(bls_secret_key *sk, const uint8_t in[32])
{
	uint64_t l[4], nz = 0;
	for (int i = 0; i < 4; i++) {
		uint64_t v = 0;
		for (int j = 0; j < 8; j++)
			v = (v << 8) | in[8 * (3 - i) + j];
		l[i] = v;
		nz |= v;
	}
	/* KeyGen/KeyValidate for secrets: 0 < sk < r (draft-irtf-cfrg-bls-signature-05 §2.3) */
	uint64_t ok = fr_is_valid(l) & (1 ^ ((~nz & (nz - 1)) >> 63));
	uint64_t mask = ct_mask_u64(ok);
	for (int i = 0; i < 4; i++)
		sk->l[i] = l[i] & mask;
	secure_zero(l, sizeof l);
	return ok ? SS_OK : SS_ERR_INVALID;
}

void bls_secret_key_to_bytes(uint8_t out[32], const bls_secret_key *sk)
{
	for (int i = 0; i < 4; i++)
		for (int j = 0; j < 8; j++)
			out[31 - 8 * i - j] = (uint8_t)(sk->l[i] >> (8 * j));
}

void bls_secret_key_wipe(bls_secret_key *sk)
{
	secure_zero(sk, sizeof *sk);
}

/* SkToPk (§2.4): [sk]G1, compressed. */
void bls_sk_to_pk(uint8_t pk[48], const bls_secret_key *sk)
{
	g1_point r;
	pthread_once(&g1_gen_table_once, build_g1_gen_table);
	g1_mul_glv_table_ct(&r, (const g1_affine(*)[16])g1_gen_table, sk->l);
	g1_compress(pk, &r);
	secure_zero(&r, sizeof r);
}

/* [sk]H, compressed: the secret half of CoreSign, shared by bls_sign and
 * bls_sign_hashed so the two cannot drift apart. H is public; the product is wiped. */
static void sign_point(uint8_t sig[96], const bls_secret_key *sk, const g2_point *h)
{
	g2_point r;
	g2_mul_gls_ct(&r, h, sk->l);
	g2_compress(sig, &r);
	secure_zero(&r, sizeof r);
}

/* CoreSign (§2.6): [sk]hash_to_G2(msg), compressed. */
void bls_sign(uint8_t sig[96], const bls_secret_key *sk, const uint8_t *msg, size_t msg_len)
{
	g2_point h;
	bls_hash_to_g2(&h, msg, msg_len, BLS_DST_POP_G2, sizeof BLS_DST_POP_G2);
	sign_point(sig, sk, &h);
}

_Static_assert(sizeof(bls_hashed_message) == sizeof(g2_point), "bls_hashed_message holds a g2_point");

void bls_hash_message(bls_hashed_message *h, const uint8_t *msg, size_t msg_len)
{
	g2_point p;
	bls_hash_to_g2(&p, msg, msg_len, BLS_DST_POP_G2, sizeof BLS_DST_POP_G2);
	memcpy(h->opaque, &p, sizeof p);
}

void bls_sign_hashed(uint8_t sig[96], const bls_secret_key *sk, const bls_hashed_message *h)
{
	g2_point p;
	memcpy(&p, h->opaque, sizeof p); /* not a cast: the opaque words are not a g2_point (aliasing) */
	sign_point(sig, sk, &p);
}

void bls_fixed_base_build(bls_fixed_base_table *t, const bls_hashed_message *h)
{
	g2_point p;
	memcpy(&p, h->opaque, sizeof p);
	g2_fixed_base_build_vartime(t, &p);
}

/* CoreSign with H(m)'s table: the same point [sk]H(m) as sign_point, compressed the
 * same way, so the bytes are bls_sign's. */
void bls_sign_fixed_base(uint8_t sig[96], const bls_secret_key *sk, const bls_fixed_base_table *t)
{
	g2_point r;
	g2_mul_fixed_base_ct(&r, t, sk->l);
	g2_compress(sig, &r);
	secure_zero(&r, sizeof r);
}

/* KeyValidate (§2.5): decodes, not infinity, in G1. */
bool bls_pubkey_decode_vartime(g1_point *r, const uint8_t pk[48])
{
	if (g1_deserialize_vartime(r, pk, 48) != SS_OK)
		return false;
	if (g1_is_infinity(r))
		return false;
	return g1_in_subgroup_vartime(r);
}

bool bls_signature_decode_vartime(g2_point *r, const uint8_t sig[96])
{
	if (g2_deserialize_vartime(r, sig, 96) != SS_OK)
		return false;
	return g2_in_subgroup_vartime(r);
}

bool bls_key_validate_vartime(const uint8_t pk[48])
{
	g1_point p;
	return bls_pubkey_decode_vartime(&p, pk);
}

/* e(pk, H(m)) * e(-G1, sig) == 1 */
static bool core_verify(const g1_point *pk, const uint8_t *msg, size_t msg_len, const g2_point *sig)
{
	bls_pairing_acc acc;
	g2_point h;
	g1_point ng;
	bls_hash_to_g2(&h, msg, msg_len, BLS_DST_POP_G2, sizeof BLS_DST_POP_G2);
	bls_pairing_acc_init(&acc);
	bls_pairing_acc_add_vartime(&acc, pk, &h);
	g1_from_affine(&ng, &G1_GEN);
	g1_neg(&ng, &ng);
	bls_pairing_acc_add_vartime(&acc, &ng, sig);
	return bls_pairing_acc_is_one_vartime(&acc);
}

bool bls_verify_vartime(const uint8_t pk[48], const uint8_t *msg, size_t msg_len,
			const uint8_t sig[96])
{
	g1_point p;
	g2_point s;
	if (!bls_pubkey_decode_vartime(&p, pk) || !bls_signature_decode_vartime(&s, sig))
		return false;
	return core_verify(&p, msg, msg_len, &s);
}

/* FastAggregateVerify (§3.3.4): every key validated, then CoreVerify with their sum,
 * whose KeyValidate (§2.7 step 4) refuses a sum at infinity: keys that cancel out
 * ({pk, -pk}) would otherwise accept the infinity signature for any message. blst
 * refuses it too. */
bool bls_fast_aggregate_verify_vartime(const uint8_t (*pks)[48], size_t n, const uint8_t *msg,
				       size_t msg_len, const uint8_t sig[96])
{
	if (n == 0)
		return false;
	g1_point agg, p;
	g2_point s;
	g1_set_infinity(&agg);
	for (size_t i = 0; i < n; i++) {
		if (!bls_pubkey_decode_vartime(&p, pks[i]))
			return false;
		g1_add_vartime(&agg, &agg, &p);
	}
	if (g1_is_infinity(&agg))
		return false;
	if (!bls_signature_decode_vartime(&s, sig))
		return false;
	return core_verify(&agg, msg, msg_len, &s);
}

/* AggregateVerify (§2.9; the POP scheme does not require distinct messages):
 * prod e(pk_i, H(m_i)) * e(-G1, sig) == 1. */
bool bls_aggregate_verify_vartime(const uint8_t (*pks)[48], const uint8_t *const *msgs,
				  const size_t *msg_lens, size_t n, const uint8_t sig[96])
{
	if (n == 0)
		return false;
	g2_point s, h;
	g1_point p;
	bls_pairing_acc acc;
	if (!bls_signature_decode_vartime(&s, sig))
		return false;
	bls_pairing_acc_init(&acc);
	for (size_t i = 0; i < n; i++) {
		if (!bls_pubkey_decode_vartime(&p, pks[i]))
			return false;
		bls_hash_to_g2(&h, msgs[i], msg_lens[i], BLS_DST_POP_G2, sizeof BLS_DST_POP_G2);
		bls_pairing_acc_add_vartime(&acc, &p, &h);
	}
	g1_from_affine(&p, &G1_GEN);
	g1_neg(&p, &p);
	bls_pairing_acc_add_vartime(&acc, &p, &s);
	return bls_pairing_acc_is_one_vartime(&acc);
}

/* Aggregate (§2.8): each signature decoded and subgroup-checked, then summed. */
ss_err bls_aggregate_signatures_vartime(uint8_t out[96], const uint8_t (*sigs)[96], size_t n)
{
	if (n == 0)
		return SS_ERR_INVALID;
	g2_point agg, s;
	g2_set_infinity(&agg);
	for (size_t i = 0; i < n; i++) {
		if (!bls_signature_decode_vartime(&s, sigs[i]))
			return SS_ERR_INVALID;
		g2_add_vartime(&agg, &agg, &s);
	}
	g2_compress(out, &agg);
	return SS_OK;
}
