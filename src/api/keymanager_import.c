/* POST /eth/v1/keystores (spec/keymanager/flows/README.md "Import"): parses the request
 * and answers; the import itself, with its slashing-history merge and the enabling of
 * the imported keys, is the key lifecycle's (signer/keymanager.h signer_km_import),
 * shared with `secure-signer keys import`. Over the request limits (docs/keys.md
 * "Key-derivation limits") the whole request is a 400 and nothing is decrypted.
 *
 * ECIES-encrypted passwords (the original Secure-Signer's import, reference/
 * secure-signer.md §2.2; issue 13 §3): instead of "passwords", "encrypted_passwords"
 * (hex ciphertexts) with "encrypting_pk", one of the signer's attested secp256k1 keys
 * (POST /eth/v1/keygen/secp256k1); or the original's one-keystore body {keystore,
 * ct_password_hex, encrypting_pk_hex, slashing_protection}. Every password is decrypted
 * before anything is imported: a ciphertext that does not decrypt, or a key that is not
 * ours, refuses the whole request with a 400 naming it. The plaintexts live in secure
 * memory and are wiped when the import ends. */
#include <stdlib.h>
#include <string.h>

#include "api/api_internal.h"
#include "crypto/ecies.h"
#include "keys/aux_ecies.h"
#include "util/hex.h"
#include "util/log.h"
#include "util/secure_mem.h"

/* A JSON string member, or an object member serialised (some tools send the keystore
 * or the interchange as an object rather than as the spec's string). */
static char *string_or_json(json_t *v, size_t *len)
{
	char *s = NULL;
	if (json_is_string(v)) {
		*len = json_string_length(v);
		s = malloc(*len + 1);
		if (s) {
			memcpy(s, json_string_value(v), *len);
			s[*len] = '\0';
		}
	} else if (json_is_object(v)) {
		s = json_dumps(v, JSON_COMPACT);
		*len = s ? strlen(s) : 0;
	}
	return s;
}

/* Decrypts the n ciphertexts of jct (hex strings) with the attested key jpk into
 * secure buffers pw[i] (pw_len[i]); false with the 400 made. The caller frees every
 * non-NULL pw[i] with secure_free. `single` names the fields of the original's body. */
static bool decrypt_passwords(http_request *req, api *a, json_t *jct, json_t *jpk, bool single,
			      size_t n, char **pw, size_t *pw_len)
{
	const char *f_pk = single ? "encrypting_pk_hex" : "encrypting_pk";
	uint8_t pk[33];
	if (!json_is_string(jpk) ||
	    hex_decode(pk, sizeof pk, json_string_value(jpk), json_string_length(jpk),
		       HEX_PREFIX_OPTIONAL) != SS_OK) {
		http_reply_error(req, 400, "%s must be a 33-byte compressed secp256k1 public key in hex",
				 f_pk);
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		char at[48];
		if (single)
			snprintf(at, sizeof at, "ct_password_hex");
		else
			snprintf(at, sizeof at, "encrypted_passwords[%zu]", i);
		json_t *c = json_array_get(jct, i);
		size_t hl = json_string_length(c), ct_len = 0;
		/* a password of up to 64 KiB */
		uint8_t *ct = !json_is_string(c) || hl / 2 > ECIES_OVERHEAD + (1u << 16)
				      ? NULL
				      : malloc(hl / 2 + 1);
		if (!ct || hex_decode_var(ct, hl / 2 + 1, &ct_len, json_string_value(c), hl,
					  HEX_PREFIX_OPTIONAL) != SS_OK ||
		    ct_len <= ECIES_OVERHEAD) {
			free(ct);
			http_reply_error(req, 400, "%s must be an ECIES ciphertext in hex (ephemeral key, "
					 "nonce, tag, AES-256-GCM ciphertext)", at);
			return false;
		}
		pw[i] = secure_alloc(ct_len - ECIES_OVERHEAD + 1);
		if (!pw[i]) {
			free(ct);
			http_reply_error(req, 500, "Out of memory");
			return false;
		}
		ss_err e = keys_aux_ecies_open(a->cfg.keys, pk, ct, ct_len, (uint8_t *)pw[i],
					       ct_len - ECIES_OVERHEAD, &pw_len[i]);
		free(ct);
		if (e == SS_ERR_NOT_FOUND) {
			http_reply_error(req, 400, "%s is not an attested secp256k1 key of this signer "
					 "(POST /eth/v1/keygen/secp256k1); nothing was imported", f_pk);
			return false;
		}
		if (e != SS_OK) {
			http_reply_error(req, 400, "%s does not decrypt with %s (encrypted to another "
					 "key, or altered); nothing was imported", at, f_pk);
			return false;
		}
		pw[i][pw_len[i]] = '\0';
	}
	return true;
}

/* On the import admin thread (admin_thread.c); ticket from the handler. */
static void import_keystores(http_request *req, api *a, uint64_t ticket)
{
	json_t *root = api_parse_object(req);
	if (!root) {
		signer_km_ticket_release(a->km, ticket);
		return;
	}
	json_t *jks = json_object_get(root, "keystores");
	json_t *jpw = json_object_get(root, "passwords");
	json_t *jsp = json_object_get(root, "slashing_protection");
	json_t *jpk = json_object_get(root, "encrypting_pk");
	char *sp = NULL;
	size_t sp_len = 0, n = 0;
	char **ks = NULL, **dec = NULL;
	size_t *ks_len = NULL, *pw_len = NULL;
	const char **pw = NULL;
	keys_import_result *res = NULL;
	/* the original's one-keystore body becomes a list of one */
	bool single = json_object_get(root, "keystore") != NULL;
	json_t *one_ks = NULL, *one_ct = NULL;
	if (single) {
		one_ks = json_pack("[O]", json_object_get(root, "keystore"));
		one_ct = json_pack("[O?]", json_object_get(root, "ct_password_hex"));
		jks = one_ks;
		jpw = one_ct;
		jpk = json_object_get(root, "encrypting_pk_hex");
		if (!json_is_string(json_array_get(one_ct, 0))) {
			http_reply_error(req, 400, "ct_password_hex must be the ECIES ciphertext of the "
						   "keystore's password in hex");
			goto release;
		}
	}
	bool encrypted = single || json_object_get(root, "encrypted_passwords") != NULL;
	if (!single && encrypted) {
		if (json_object_get(root, "passwords") != NULL) {
			http_reply_error(req, 400, "give passwords or encrypted_passwords, not both");
			goto release;
		}
		jpw = json_object_get(root, "encrypted_passwords");
	}
	if (!json_is_array(jks) || !json_is_array(jpw)) {
		http_reply_error(req, 400, encrypted ? "keystores and encrypted_passwords must be arrays"
						     : "keystores and passwords must be arrays");
		goto release;
	}
	n = json_array_size(jks);
	if (n != json_array_size(jpw)) {
		http_reply_error(req, 400,
				 "keystores and %s must have the same length (%zu != %zu)",
				 encrypted ? "encrypted_passwords" : "passwords", n,
				 json_array_size(jpw));
		goto release;
	}
	if (n > SIGNER_KM_MAX_KEYSTORES) {
		http_reply_error(req, 400,
				 "%zu keystores in one request, above this signer's limit of %u; split the import",
				 n, SIGNER_KM_MAX_KEYSTORES);
		goto release;
	}
	for (size_t i = 0; i < n; i++) {
		json_t *k = json_array_get(jks, i), *p = json_array_get(jpw, i);
		if (!(json_is_string(k) || json_is_object(k)) || !json_is_string(p)) {
			http_reply_error(req, 400,
					 "keystores[%zu] must be a keystore and passwords[%zu] a "
					 "string", i, i);
			goto release;
		}
	}
	if (jsp && !json_is_null(jsp)) {
		sp = string_or_json(jsp, &sp_len);
		json_t *check = sp ? json_loadb(sp, sp_len, 0, NULL) : NULL;
		bool ok = check && json_is_object(check);
		json_decref(check);
		if (!ok) {
			http_reply_error(req, 400,
					 "slashing_protection must be an EIP-3076 interchange");
			goto release;
		}
	}
	if (n == 0) {
		http_reply_json(req, 200, json_pack("{s:[]}", "data"));
		goto release;
	}

	ks = calloc(n, sizeof *ks);
	ks_len = calloc(n, sizeof *ks_len);
	pw = calloc(n, sizeof *pw);
	pw_len = calloc(n, sizeof *pw_len);
	res = calloc(n, sizeof *res);
	dec = calloc(n, sizeof *dec);
	if (!ks || !ks_len || !pw || !pw_len || !res || !dec) {
		http_reply_error(req, 500, "Out of memory");
		goto release;
	}
	if (encrypted && !decrypt_passwords(req, a, jpw, jpk, single, n, dec, pw_len))
		goto release;
	for (size_t i = 0; i < n; i++) {
		ks[i] = string_or_json(json_array_get(jks, i), &ks_len[i]);
		if (encrypted) {
			pw[i] = dec[i];
		} else {
			pw[i] = json_string_value(json_array_get(jpw, i));
			pw_len[i] = json_string_length(json_array_get(jpw, i));
		}
		if (!ks[i]) {
			http_reply_error(req, 500, "Out of memory");
			goto release;
		}
	}
	signer_km_import_req rq = { (const char *const *)ks, ks_len, pw, pw_len, n,
				    sp, sp_len, true };
	char why[KEYS_ERROR_MAX + 32];
	/* releases the ticket */
	ss_err e = signer_km_import(a->km, ticket, &rq, res, why, sizeof why);
	if (e == SS_ERR_RANGE || e == SS_ERR_INVALID || e == SS_ERR_REFUSED) {
		http_reply_error(req, 400, "%s", why);
		goto out;
	}
	if (e != SS_OK) {
		log_error("keymanager import: %s", why);
		http_reply_error(req, 500, "%s", why);
		goto out;
	}
	json_t *data = json_array();
	for (size_t i = 0; i < n; i++) {
		static const char *const st[] = { "imported", "duplicate", "error" };
		json_t *o = json_pack("{s:s}", "status", st[res[i].status]);
		if (res[i].status == KEYS_IMPORT_ERROR)
			json_object_set_new(o, "message", json_string(res[i].message));
		json_array_append_new(data, o);
		if (res[i].have_pubkey) {
			char hex[99];
			api_pubkey_hex(hex, res[i].pubkey);
			log_info("keymanager import %s: %s", hex, st[res[i].status]);
			/* the original answered the imported key in "message" */
			if (single && res[i].status != KEYS_IMPORT_ERROR)
				json_object_set_new(o, "message", json_string(hex));
		}
	}
	/* the original's body imports one keystore: its failure is the request's */
	http_reply_json(req, single && res[0].status == KEYS_IMPORT_ERROR ? 400 : 200,
			json_pack("{s:o}", "data", data));
	goto out;
release:
	signer_km_ticket_release(a->km, ticket);
out:
	if (ks)
		for (size_t i = 0; i < n; i++)
			free(ks[i]);
	free(ks);
	free(ks_len);
	free(pw);
	free(pw_len);
	if (res)
		memset(res, 0, n * sizeof *res);
	free(res);
	free(sp);
	if (dec)
		for (size_t i = 0; i < n; i++)
			secure_free(dec[i]); /* wipes the plaintext password */
	free(dec);
	json_decref(one_ks);
	json_decref(one_ct);
	json_decref(root);
}

static void release_ticket(api *a, uint64_t ticket)
{
	signer_km_ticket_release(a->km, ticket);
}

void api_handle_keystores_post(http_request *req, void *app)
{
	api *a = app;
	/* The ticket orders this import before any DELETE received from now on, even one
	 * that runs while this import still waits for its turn (signer/keymanager.h). */
	api_run_on_admin_thread(req, a, &a->admin, import_keystores, signer_km_ticket(a->km),
				release_ticket);
}
