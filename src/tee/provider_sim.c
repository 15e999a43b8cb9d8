/* tee/: the "sim" provider (issue 11 §1) — software only, for development, demos and
 * tests on machines without a TEE. It behaves like the SGX providers so that every path
 * that consumes evidence or a sealing key runs end to end:
 *
 *  - evidence is an SGX DCAP quote v3 (sgx_quote_3.h layout, reference/tee.md §e): a
 *    report body with the simulated MRENCLAVE and the caller's report data, signed by an
 *    attestation key that a QE report binds (report_data = SHA-256(attestation key ‖ QE
 *    auth data) ‖ 0^32), the QE report signed by the PCK-like leaf of the simulation
 *    chain (sim_chain.c), the chain as certification data type 5;
 *  - the sealing key is HKDF-SHA256 (RFC 5869) of the data directory's simulation
 *    secret with the measurement as info, as EGETKEY binds the seal key to MRENCLAVE:
 *    another measurement gives another key;
 *  - info says simulated, and opening it logs a warning that cannot be missed.
 *
 * The simulated MRENCLAVE is SHA-256("secure-signer/tee/sim/mrenclave/v1"); tests
 * simulate another build with SECURE_SIGNER_SIM_MRENCLAVE (64 hex digits, test only). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/sha256.h"
#include "tee/sim.h"
#include "util/hex.h"
#include "util/log.h"

#define QE_AUTH_BYTES 32
#define SGX_FLAG_INIT 0x01u
#define SGX_FLAG_MODE64BIT 0x04u

typedef struct {
	tee_provider base;
	tee_sim_chain chain;
	uint8_t mrenclave[32], mrsigner[32];
	EVP_PKEY *att_key;  /* the simulated Quoting Enclave's attestation key, per open */
	uint8_t att_pub[64];
	uint8_t qe_report[TEE_SGX_REPORT_BYTES];
	uint8_t qe_report_sig[64];
	uint8_t qe_auth[QE_AUTH_BYTES];
} sim_provider;

/* An sgx_report_body_t (384 bytes; reference/tee.md §e body offsets). */
static void report_body(uint8_t out[TEE_SGX_REPORT_BYTES], const uint8_t mrenclave[32],
			const uint8_t mrsigner[32], uint16_t prod_id, uint16_t svn,
			const uint8_t report_data[64])
{
	memset(out, 0, TEE_SGX_REPORT_BYTES);
	out[48] = SGX_FLAG_INIT | SGX_FLAG_MODE64BIT; /* attributes.flags: never DEBUG */
	out[56] = 0x03;                               /* attributes.xfrm: x87, SSE */
	memcpy(out + 64, mrenclave, 32);
	memcpy(out + 128, mrsigner, 32);
	tee_put_le16(out + 256, prod_id);
	tee_put_le16(out + 258, svn);
	memcpy(out + 320, report_data, 64);
}

/* The measurement: SECURE_SIGNER_SIM_MRENCLAVE when set (tests), else the label's hash. */
static ss_err measurement(uint8_t out[32], char *why)
{
	const char *v = getenv(TEE_SIM_MRENCLAVE_ENV);
	if (v == NULL || !*v) {
		sha256(out, TEE_SIM_MRENCLAVE_LABEL, strlen(TEE_SIM_MRENCLAVE_LABEL));
		return SS_OK;
	}
	if (hex_decode(out, 32, v, strlen(v), HEX_PREFIX_OPTIONAL) != SS_OK) {
		snprintf(why, TEE_WHY_MAX, "sim: %s must be 32 bytes of hex (64 digits)",
			 TEE_SIM_MRENCLAVE_ENV);
		return SS_ERR_INVALID;
	}
	return SS_OK;
}

static void sim_close(tee_provider *p)
{
	sim_provider *s = (sim_provider *)p;
	if (s == NULL)
		return;
	tee_sim_chain_close(&s->chain);
	EVP_PKEY_free(s->att_key);
	free(s);
}

static ss_err sim_open(const tee_open_options *o, tee_provider **out, char *why)
{
	*out = NULL;
	sim_provider *s = calloc(1, sizeof *s);
	if (s == NULL)
		return SS_ERR_NOMEM;
	s->base.ops = &tee_provider_sim;
	ss_err e = measurement(s->mrenclave, why);
	if (e == SS_OK)
		e = tee_sim_chain_open(o->data_dir, &s->chain, why);
	if (e != SS_OK) {
		sim_close(&s->base);
		return e;
	}
	sha256(s->mrsigner, TEE_SIM_MRSIGNER_LABEL, strlen(TEE_SIM_MRSIGNER_LABEL));
	/* The simulated QE: a fresh attestation key per start, vouched for by a QE report
	 * signed with the PCK-like key (sgx_quote_3.h sgx_ql_ecdsa_sig_data_t). */
	for (int i = 0; i < QE_AUTH_BYTES; i++)
		s->qe_auth[i] = (uint8_t)i; /* Intel's QE sends 0, 1, …, 31 too */
	s->att_key = EVP_EC_gen("P-256");
	uint8_t qe_mr[32], rd[64] = { 0 };
	sha256_ctx h;
	if (s->att_key == NULL || !tee_sim_pub_xy(s->att_key, s->att_pub)) {
		snprintf(why, TEE_WHY_MAX, "sim: cannot create an attestation key");
		sim_close(&s->base);
		return SS_ERR_CRYPTO;
	}
	sha256_init(&h);
	sha256_update(&h, s->att_pub, 64);
	sha256_update(&h, s->qe_auth, QE_AUTH_BYTES);
	sha256_final(&h, rd);
	sha256(qe_mr, TEE_SIM_QE_LABEL, strlen(TEE_SIM_QE_LABEL));
	report_body(s->qe_report, qe_mr, qe_mr, 1, 1, rd);
	if (!tee_sim_sign_raw(s->chain.pck_key, s->qe_report, sizeof s->qe_report,
			      s->qe_report_sig)) {
		snprintf(why, TEE_WHY_MAX, "sim: cannot sign the QE report");
		sim_close(&s->base);
		return SS_ERR_CRYPTO;
	}
	char m[65];
	hex_encode(m, s->mrenclave, 32, false);
	log_warn("TEE SIMULATION (--tee sim): this signer runs in NO trusted execution "
		 "environment. Keys are protected by the host only, the sealing key and the "
		 "evidence come from files in %s/" TEE_SIM_DIR ", and no verifier accepts the "
		 "evidence unless told to allow simulation. Simulated MRENCLAVE %s. For "
		 "development and tests only.",
		 o->data_dir, m);
	*out = &s->base;
	return SS_OK;
}

static ss_err sim_evidence(tee_provider *p, const uint8_t report_data[64], tee_evidence *out,
			   char *why)
{
	sim_provider *s = (sim_provider *)p;
	/* header 48 ‖ body 384 ‖ sig_len 4 ‖ sig 64 ‖ att key 64 ‖ QE report 384 ‖ QE sig
	 * 64 ‖ u16 auth len ‖ auth ‖ u16 cert type ‖ u32 cert size ‖ chain */
	size_t sig_len = 64 + 64 + TEE_SGX_REPORT_BYTES + 64 + 2 + QE_AUTH_BYTES + 2 + 4 +
			 s->chain.chain_len;
	size_t len = TEE_QUOTE_HEADER_BYTES + TEE_SGX_REPORT_BYTES + 4 + sig_len;
	uint8_t *q = calloc(1, len);
	char *certs = malloc(s->chain.chain_len);
	if (q == NULL || certs == NULL) {
		free(q);
		free(certs);
		return SS_ERR_NOMEM;
	}
	tee_put_le16(q + 0, 3);  /* version */
	tee_put_le16(q + 2, 2);  /* ECDSA-256 with P-256 */
	tee_put_le16(q + 8, 1);  /* qe_svn */
	tee_put_le16(q + 10, 1); /* pce_svn */
	memcpy(q + 12, tee_sim_qe_vendor_id, 16);
	report_body(q + 48, s->mrenclave, s->mrsigner, 1, 1, report_data);
	uint8_t *d = q + 432;
	tee_put_le32(d, (uint32_t)sig_len);
	d += 4;
	if (!tee_sim_sign_raw(s->att_key, q, 432, d)) {
		free(q);
		free(certs);
		snprintf(why, TEE_WHY_MAX, "sim: cannot sign the quote");
		return SS_ERR_CRYPTO;
	}
	d += 64;
	memcpy(d, s->att_pub, 64);
	d += 64;
	memcpy(d, s->qe_report, TEE_SGX_REPORT_BYTES);
	d += TEE_SGX_REPORT_BYTES;
	memcpy(d, s->qe_report_sig, 64);
	d += 64;
	tee_put_le16(d, QE_AUTH_BYTES);
	memcpy(d + 2, s->qe_auth, QE_AUTH_BYTES);
	d += 2 + QE_AUTH_BYTES;
	tee_put_le16(d, 5); /* PCK certificate chain */
	tee_put_le32(d + 2, (uint32_t)s->chain.chain_len);
	memcpy(d + 6, s->chain.chain_pem, s->chain.chain_len);
	memcpy(certs, s->chain.chain_pem, s->chain.chain_len);
	out->type = TEE_EVIDENCE_SIMULATED;
	out->quote = q;
	out->quote_len = len;
	out->certs = certs;
	out->certs_len = s->chain.chain_len - 1; /* the PEM text, without the NUL */
	return SS_OK;
}

/* seal = HKDF-SHA256(salt "secure-signer/tee/sim/seal/v1", IKM secret, info MRENCLAVE),
 * as EGETKEY binds the seal key to MRENCLAVE. */
static ss_err sim_seal_key(tee_provider *p, uint8_t key[TEE_SEAL_KEY_BYTES], char *why)
{
	(void)why;
	sim_provider *s = (sim_provider *)p;
	hkdf_sha256_32(key, TEE_SIM_SEAL_SALT, strlen(TEE_SIM_SEAL_SALT), s->chain.secret,
		       TEE_SIM_SECRET_BYTES, s->mrenclave, sizeof s->mrenclave);
	return SS_OK;
}

static void sim_info(const tee_provider *p, tee_info *out)
{
	const sim_provider *s = (const sim_provider *)p;
	out->platform = TEE_PLATFORM_SIM;
	out->provider = "sim";
	out->simulated = true;
	out->can_attest = true;
	out->can_seal = true;
	out->debug = false;
	memcpy(out->measurement, s->mrenclave, 32);
	out->measurement_len = 32;
	memcpy(out->signer, s->mrsigner, 32);
	out->has_signer = true;
	snprintf(out->versions, sizeof out->versions, "isv_prod_id=1 isv_svn=1 quote=sgx-dcap-v3");
	snprintf(out->note, sizeof out->note,
		 "SIMULATION: no TEE; keys are protected by the host only and the evidence is "
		 "signed by a software key chain kept in the data directory");
}

const tee_provider_ops tee_provider_sim = {
	.name = "sim",
	.open = sim_open,
	.evidence = sim_evidence,
	.seal_key = sim_seal_key,
	.info = sim_info,
	.close = sim_close,
};
