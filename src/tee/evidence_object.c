/* The JSON evidence object of attested key generation, and the report-data binding it
 * carries, as `POST /eth/v1/keygen/bls` answers (issue "The original Secure-Signer's
 * API"; the original's names "pk_hex" beside "evidence", reference/secure-signer.md §2.6,
 * with DCAP/SNP evidence in place of the retired EPID report):
 *
 *   {"pk_hex": "0x<the first key>",                                       optional
 *    "evidence": {"type": "sgx-dcap-quote" | "tdx-quote" | "sev-snp-report" | "simulated",
 *                 "quote": "<base64 of the quote or report>",
 *                 "certs": "<PEM: SEV-SNP VCEK or VLEK, and ASK or ASVK>",   optional
 *                 "report_data": "0x<64 bytes>",                           optional
 *                 "binding": "secure-signer/keygen/bls/v1",
 *                 "nonce": "0x<32 bytes>",                 optional, 32 zero bytes
 *                 "pubkeys": ["0x…", …]},        the keys bound, in order (1..1000)
 *    "data": [{"pubkey": "0x…"}, …]}                    optional, the same keys
 *
 * A single-key object may name its key with "pk_hex" alone. Where the keys are named
 * twice they must agree, and "report_data" must be the binding: an object that says one
 * thing in its JSON and another in its quote is refused, not half believed.
 *
 * Binding (tee_keygen_report_data): report_data = SHA-256("secure-signer/keygen/bls/v1"
 * ‖ nonce ‖ pk_1 ‖ … ‖ pk_n) ‖ 32 zero bytes. Simulated evidence (a development signer's
 * under --tee sim, not hardware; its "certs" is the simulation chain) is refused unless
 * the caller allows it (tee_evidence_object_parse_ex, `--allow-simulated`). */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/sha256.h"
#include "tee/tee_internal.h"
#include "util/base64.h"
#include "util/hex.h"

void tee_keygen_report_data(const uint8_t (*pubkeys)[TEE_BLS_PUBKEY_BYTES], size_t n,
			    const uint8_t nonce[TEE_KEYGEN_NONCE_BYTES], uint8_t out[64])
{
	sha256_ctx h;
	sha256_init(&h);
	sha256_update(&h, TEE_KEYGEN_BINDING, strlen(TEE_KEYGEN_BINDING));
	sha256_update(&h, nonce, TEE_KEYGEN_NONCE_BYTES);
	for (size_t i = 0; i < n; i++)
		sha256_update(&h, pubkeys[i], TEE_BLS_PUBKEY_BYTES);
	sha256_final(&h, out);
	memset(out + 32, 0, 32);
}

void tee_keygen_k1_report_data(const uint8_t pub33[TEE_K1_PUBKEY_BYTES],
			       const uint8_t nonce[TEE_KEYGEN_NONCE_BYTES], uint8_t out[64])
{
	sha256_ctx h;
	sha256_init(&h);
	sha256_update(&h, TEE_KEYGEN_K1_BINDING, strlen(TEE_KEYGEN_K1_BINDING));
	sha256_update(&h, nonce, TEE_KEYGEN_NONCE_BYTES);
	sha256_update(&h, pub33, TEE_K1_PUBKEY_BYTES);
	sha256_final(&h, out);
	memset(out + 32, 0, 32);
}

void tee_check_key_binding(const tee_evidence_object *o,
			   const uint8_t report_data[TEE_REPORT_DATA_BYTES], tee_result *res)
{
	uint8_t want[64];
	if (o->k1)
		tee_keygen_k1_report_data(o->k1_pub, o->nonce, want);
	else
		tee_keygen_report_data((const uint8_t(*)[TEE_BLS_PUBKEY_BYTES])o->pubkeys,
				       o->n_pubkeys, o->nonce, want);
	if (memcmp(want, report_data, 64) != 0)
		tee_fail(res, "key_binding", "the evidence's report data does not bind the %zu "
			 "public key(s) of the object (binding %s)", o->k1 ? (size_t)1 : o->n_pubkeys,
			 o->k1 ? TEE_KEYGEN_K1_BINDING : TEE_KEYGEN_BINDING);
	else if (o->has_report_data && memcmp(o->report_data, report_data, 64) != 0)
		tee_fail(res, "key_binding", "the object's report_data is not the evidence's");
}

void tee_evidence_object_free(tee_evidence_object *o)
{
	free(o->quote);
	free(o->certs);
	memset(o, 0, sizeof(*o));
}

/* The quote: standard base64 (RFC 4648 §4) with padding, nothing else
 * (util/base64.h), of at most 1 MiB of text, and not empty. */
static bool quote_base64_decode(const char *s, size_t len, uint8_t **out, size_t *out_len)
{
	if (len == 0 || len > (1u << 20))
		return false;
	uint8_t *b = malloc(len / 4 * 3 + 1);
	if (b == NULL)
		return false;
	if (base64_decode(b, len / 4 * 3, out_len, s, len) != SS_OK) {
		free(b);
		return false;
	}
	*out = b;
	return true;
}

static bool pubkey_hex(json_t *v, uint8_t out[TEE_BLS_PUBKEY_BYTES])
{
	return json_is_string(v) && hex_decode(out, TEE_BLS_PUBKEY_BYTES, json_string_value(v),
					       json_string_length(v), HEX_PREFIX_OPTIONAL) == SS_OK;
}

/* The key of a secp256k1 keygen object (POST /eth/v1/keygen/secp256k1): pk_hex and/or
 * evidence.pubkeys, exactly one 33-byte compressed key, the same in both. */
static bool parse_k1_key(json_t *pk, json_t *pks, tee_evidence_object *o, const char **why)
{
	uint8_t a[TEE_K1_PUBKEY_BYTES], b[TEE_K1_PUBKEY_BYTES];
	bool has_a = pk != NULL, has_b = pks != NULL;
	if (has_a && (!json_is_string(pk) ||
		      hex_decode(a, sizeof a, json_string_value(pk), json_string_length(pk),
				 HEX_PREFIX_OPTIONAL) != SS_OK)) {
		*why = "pk_hex is not a 33-byte compressed secp256k1 public key in hex";
		return false;
	}
	json_t *v = json_array_get(pks, 0);
	if (has_b && (!json_is_array(pks) || json_array_size(pks) != 1 || !json_is_string(v) ||
		      hex_decode(b, sizeof b, json_string_value(v), json_string_length(v),
				 HEX_PREFIX_OPTIONAL) != SS_OK)) {
		*why = "evidence.pubkeys of a secp256k1 binding must hold one 33-byte public key";
		return false;
	}
	if (!has_a && !has_b) {
		*why = "the evidence object names no key (evidence.pubkeys or pk_hex)";
		return false;
	}
	if (has_a && has_b && memcmp(a, b, sizeof a) != 0) {
		*why = "pk_hex is not the key of evidence.pubkeys";
		return false;
	}
	o->k1 = true;
	memcpy(o->k1_pub, has_a ? a : b, TEE_K1_PUBKEY_BYTES);
	o->n_pubkeys = 0;
	return true;
}

ss_err tee_evidence_object_parse(const char *json, size_t len, tee_evidence_object *o,
				 const char **why)
{
	return tee_evidence_object_parse_ex(json, len, false, o, why);
}

ss_err tee_evidence_object_parse_ex(const char *json, size_t len, bool allow_simulated,
				    tee_evidence_object *o, const char **why)
{
	memset(o, 0, sizeof(*o));
	json_error_t err;
	json_t *root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &err);
	json_t *ev = json_object_get(root, "evidence");
	ss_err rc = SS_ERR_INVALID;
	if (!json_is_object(root) || !json_is_object(ev)) {
		*why = "not an evidence object ({\"pk_hex\", \"evidence\": {…}})";
		goto out;
	}
	/* the keys bound: evidence.pubkeys, or pk_hex alone for one key */
	json_t *pk = json_object_get(root, "pk_hex"), *pks = json_object_get(ev, "pubkeys");
	const char *binding = json_string_value(json_object_get(ev, "binding"));
	if (binding != NULL && strcmp(binding, TEE_KEYGEN_K1_BINDING) == 0) {
		if (!parse_k1_key(pk, pks, o, why))
			goto out;
		goto keys_done;
	}
	if (pks != NULL) {
		size_t i;
		json_t *v;
		if (!json_is_array(pks) || json_array_size(pks) == 0 ||
		    json_array_size(pks) > TEE_MAX_BOUND_KEYS) {
			*why = "evidence.pubkeys must be a list of 1 to 1000 public keys";
			goto out;
		}
		json_array_foreach(pks, i, v) {
			if (!pubkey_hex(v, o->pubkeys[i])) {
				*why = "evidence.pubkeys holds something other than a 48-byte public key "
				       "in hex";
				goto out;
			}
		}
		o->n_pubkeys = json_array_size(pks);
	}
	if (pk != NULL) {
		uint8_t first[TEE_BLS_PUBKEY_BYTES];
		if (!pubkey_hex(pk, first)) {
			*why = "pk_hex is not a 48-byte BLS public key in hex";
			goto out;
		}
		if (o->n_pubkeys == 0) {
			memcpy(o->pubkeys[0], first, sizeof first);
			o->n_pubkeys = 1;
		} else if (memcmp(first, o->pubkeys[0], sizeof first) != 0) {
			*why = "pk_hex is not the first of evidence.pubkeys";
			goto out;
		}
	}
	if (o->n_pubkeys == 0) {
		*why = "the evidence object names no key (evidence.pubkeys or pk_hex)";
		goto out;
	}
	json_t *data = json_object_get(root, "data");
	if (data != NULL) {
		size_t i;
		json_t *v;
		if (!json_is_array(data) || json_array_size(data) != o->n_pubkeys) {
			*why = "data must list the same keys as evidence.pubkeys";
			goto out;
		}
		json_array_foreach(data, i, v) {
			uint8_t k[TEE_BLS_PUBKEY_BYTES];
			if (!pubkey_hex(json_object_get(v, "pubkey"), k) ||
			    memcmp(k, o->pubkeys[i], sizeof k) != 0) {
				*why = "data must list the same keys as evidence.pubkeys, in order";
				goto out;
			}
		}
	}
keys_done:;
	const char *type = json_string_value(json_object_get(ev, "type"));
	if (type != NULL && strcmp(type, "sgx-dcap-quote") == 0)
		o->kind = TEE_KIND_SGX;
	else if (type != NULL && strcmp(type, "tdx-quote") == 0)
		o->kind = TEE_KIND_TDX;
	else if (type != NULL && strcmp(type, "sev-snp-report") == 0)
		o->kind = TEE_KIND_SNP;
	else if (type != NULL && strcmp(type, "simulated") == 0 && allow_simulated)
		o->kind = TEE_KIND_SIM;
	else if (type != NULL && strcmp(type, "simulated") == 0) {
		*why = "simulated evidence comes from a development signer (--tee sim), not from "
		       "TEE hardware, and is refused unless --allow-simulated is given";
		goto out;
	} else {
		*why = "evidence.type must be sgx-dcap-quote, tdx-quote or sev-snp-report";
		goto out;
	}
	json_t *q = json_object_get(ev, "quote");
	if (!json_is_string(q) ||
	    !quote_base64_decode(json_string_value(q), json_string_length(q), &o->quote, &o->quote_len)) {
		*why = "evidence.quote must be the quote or report in padded standard base64";
		goto out;
	}
	if (binding == NULL ||
	    (strcmp(binding, TEE_KEYGEN_BINDING) != 0 && strcmp(binding, TEE_KEYGEN_K1_BINDING) != 0)) {
		*why = "evidence.binding must be " TEE_KEYGEN_BINDING " or " TEE_KEYGEN_K1_BINDING;
		goto out;
	}
	json_t *nonce = json_object_get(ev, "nonce");
	if (nonce != NULL &&
	    (!json_is_string(nonce) ||
	     hex_decode(o->nonce, TEE_KEYGEN_NONCE_BYTES, json_string_value(nonce),
			json_string_length(nonce), HEX_PREFIX_OPTIONAL) != SS_OK)) {
		*why = "evidence.nonce must be 32 bytes of hex";
		goto out;
	}
	json_t *rd = json_object_get(ev, "report_data");
	if (rd != NULL) {
		if (!json_is_string(rd) ||
		    hex_decode(o->report_data, sizeof o->report_data, json_string_value(rd),
			       json_string_length(rd), HEX_PREFIX_OPTIONAL) != SS_OK) {
			*why = "evidence.report_data must be 64 bytes of hex";
			goto out;
		}
		o->has_report_data = true;
	}
	json_t *certs = json_object_get(ev, "certs");
	if (certs != NULL) {
		if (!json_is_string(certs) || json_string_length(certs) == 0) {
			*why = "evidence.certs must be PEM certificates";
			goto out;
		}
		o->certs_len = json_string_length(certs);
		o->certs = malloc(o->certs_len + 1);
		if (o->certs == NULL) {
			rc = SS_ERR_NOMEM;
			goto out;
		}
		memcpy(o->certs, json_string_value(certs), o->certs_len + 1);
	}
	rc = SS_OK;
out:
	json_decref(root);
	if (rc != SS_OK)
		tee_evidence_object_free(o);
	return rc;
}
