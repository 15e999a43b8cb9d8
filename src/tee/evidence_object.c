/* The JSON evidence object of attested key generation, and the report-data binding it
 * carries. The shape keeps the original Secure-Signer's names (reference/secure-signer.md
 * §2.6: "pk_hex" beside "evidence") with DCAP/SNP evidence in place of the retired EPID
 * report, as reference/tee.md §f recommends:
 *
 *   {"pk_hex": "0x<48-byte BLS public key>",          or "pubkeys": ["0x…", …]
 *    "evidence": {"type": "sgx-dcap-quote" | "tdx-quote" | "sev-snp-report",
 *                 "quote": "<base64 of the quote or report>",
 *                 "certs": "<PEM: SEV-SNP VCEK or VLEK, and ASK or ASVK>",   optional
 *                 "report_data_scheme": "secure-signer/v1/bls-keygen",
 *                 "nonce": "0x<hex>"}}                                     optional
 *
 * Binding (tee_keygen_report_data): report_data = SHA-256(scheme ‖ 0x00 ‖ n as u32
 * big-endian ‖ pk_1 ‖ … ‖ pk_n ‖ nonce) ‖ 32 zero bytes. A domain-separated hash rather
 * than the raw key (the old signer's layout) fits every TEE's 64 bytes, binds any number
 * of keys, and the count keeps keys and nonce from being confused. */
#include <jansson.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/sha256.h"
#include "tee/tee_internal.h"
#include "util/hex.h"

void tee_keygen_report_data(const uint8_t (*pubkeys)[TEE_BLS_PUBKEY_BYTES], size_t n,
			    const uint8_t *nonce, size_t nonce_len, uint8_t out[64])
{
	sha256_ctx h;
	const uint8_t sep = 0;
	const uint8_t count[4] = { (uint8_t)(n >> 24), (uint8_t)(n >> 16), (uint8_t)(n >> 8),
				   (uint8_t)n };
	sha256_init(&h);
	sha256_update(&h, TEE_KEYGEN_SCHEME, strlen(TEE_KEYGEN_SCHEME));
	sha256_update(&h, &sep, 1);
	sha256_update(&h, count, 4);
	for (size_t i = 0; i < n; i++)
		sha256_update(&h, pubkeys[i], TEE_BLS_PUBKEY_BYTES);
	if (nonce_len > 0)
		sha256_update(&h, nonce, nonce_len);
	sha256_final(&h, out);
	memset(out + 32, 0, 32);
}

void tee_check_key_binding(const tee_evidence_object *o,
			   const uint8_t report_data[TEE_REPORT_DATA_BYTES], tee_result *res)
{
	uint8_t want[64];
	tee_keygen_report_data((const uint8_t(*)[TEE_BLS_PUBKEY_BYTES])o->pubkeys, o->n_pubkeys,
			       o->nonce, o->nonce_len, want);
	if (memcmp(want, report_data, 64) != 0)
		tee_fail(res, "key_binding", "the evidence's report data does not bind the %zu "
			 "public key(s) of the object (scheme %s)", o->n_pubkeys, TEE_KEYGEN_SCHEME);
}

void tee_evidence_object_free(tee_evidence_object *o)
{
	free(o->quote);
	free(o->certs);
	memset(o, 0, sizeof(*o));
}

/* Standard base64 (RFC 4648 §4) with padding, nothing else. */
static bool base64_decode(const char *s, size_t len, uint8_t **out, size_t *out_len)
{
	if (len == 0 || len % 4 != 0 || len > (1u << 20))
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
			  c == '+' || c == '/' || (c == '=' && i >= len - 2 && (i == len - 1 || s[len - 1] == '='));
		if (!ok)
			return false;
	}
	uint8_t *b = malloc(len / 4 * 3 + 1);
	if (b == NULL)
		return false;
	int n = EVP_DecodeBlock(b, (const unsigned char *)s, (int)len);
	if (n < 0) {
		free(b);
		return false;
	}
	/* EVP_DecodeBlock counts the padding as zero bytes. */
	n -= (s[len - 1] == '=') + (s[len - 2] == '=');
	*out = b;
	*out_len = (size_t)n;
	return true;
}

static bool pubkey_hex(json_t *v, uint8_t out[TEE_BLS_PUBKEY_BYTES])
{
	return json_is_string(v) && hex_decode(out, TEE_BLS_PUBKEY_BYTES, json_string_value(v),
					       json_string_length(v), HEX_PREFIX_OPTIONAL) == SS_OK;
}

ss_err tee_evidence_object_parse(const char *json, size_t len, tee_evidence_object *o,
				 const char **why)
{
	memset(o, 0, sizeof(*o));
	json_error_t err;
	json_t *root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &err);
	json_t *ev = json_object_get(root, "evidence");
	ss_err rc = SS_ERR_INVALID;
	if (!json_is_object(root) || !json_is_object(ev)) {
		*why = "not an evidence object ({\"pk_hex\"|\"pubkeys\", \"evidence\": {…}})";
		goto out;
	}
	json_t *pk = json_object_get(root, "pk_hex"), *pks = json_object_get(root, "pubkeys");
	if ((pk != NULL) == (pks != NULL)) {
		*why = "the evidence object needs exactly one of pk_hex and pubkeys";
		goto out;
	}
	if (pk != NULL) {
		if (!pubkey_hex(pk, o->pubkeys[0])) {
			*why = "pk_hex is not a 48-byte BLS public key in hex";
			goto out;
		}
		o->n_pubkeys = 1;
	} else {
		size_t i;
		json_t *v;
		if (!json_is_array(pks) || json_array_size(pks) == 0 ||
		    json_array_size(pks) > TEE_MAX_BOUND_KEYS) {
			*why = "pubkeys must be a list of 1 to 64 public keys";
			goto out;
		}
		json_array_foreach(pks, i, v) {
			if (!pubkey_hex(v, o->pubkeys[i])) {
				*why = "pubkeys holds something other than a 48-byte public key in hex";
				goto out;
			}
		}
		o->n_pubkeys = json_array_size(pks);
	}
	const char *type = json_string_value(json_object_get(ev, "type"));
	if (type != NULL && strcmp(type, "sgx-dcap-quote") == 0)
		o->kind = TEE_KIND_SGX;
	else if (type != NULL && strcmp(type, "tdx-quote") == 0)
		o->kind = TEE_KIND_TDX;
	else if (type != NULL && strcmp(type, "sev-snp-report") == 0)
		o->kind = TEE_KIND_SNP;
	else {
		*why = "evidence.type must be sgx-dcap-quote, tdx-quote or sev-snp-report";
		goto out;
	}
	json_t *q = json_object_get(ev, "quote");
	if (!json_is_string(q) ||
	    !base64_decode(json_string_value(q), json_string_length(q), &o->quote, &o->quote_len)) {
		*why = "evidence.quote must be the quote or report in padded standard base64";
		goto out;
	}
	const char *scheme = json_string_value(json_object_get(ev, "report_data_scheme"));
	if (scheme == NULL || strcmp(scheme, TEE_KEYGEN_SCHEME) != 0) {
		*why = "evidence.report_data_scheme must be " TEE_KEYGEN_SCHEME;
		goto out;
	}
	json_t *nonce = json_object_get(ev, "nonce");
	if (nonce != NULL &&
	    (!json_is_string(nonce) ||
	     hex_decode_var(o->nonce, sizeof(o->nonce), &o->nonce_len, json_string_value(nonce),
			    json_string_length(nonce), HEX_PREFIX_OPTIONAL) != SS_OK)) {
		*why = "evidence.nonce must be up to 64 bytes of hex";
		goto out;
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
