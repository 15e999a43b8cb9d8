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
#include "api/body_parse.h"
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

/* Checks the body's shape and limits (body_parse.h); the checks and their order are
 * the handler's: nothing here decrypts or imports. */
int api_import_parse(json_t *root, api_import_body *b, char *why, size_t cap)
{
	memset(b, 0, sizeof *b);
	json_t *jks = json_object_get(root, "keystores");
	json_t *jpw = json_object_get(root, "passwords");
	json_t *jsp = json_object_get(root, "slashing_protection");
	json_t *jpk = json_object_get(root, "encrypting_pk");
	/* the original's one-keystore body becomes a list of one */
	b->single = json_object_get(root, "keystore") != NULL;
	if (b->single) {
		b->one_ks = json_pack("[O]", json_object_get(root, "keystore"));
		b->one_ct = json_pack("[O?]", json_object_get(root, "ct_password_hex"));
		jks = b->one_ks;
		jpw = b->one_ct;
		jpk = json_object_get(root, "encrypting_pk_hex");
		if (!json_is_string(json_array_get(b->one_ct, 0))) {
			snprintf(why, cap, "ct_password_hex must be the ECIES ciphertext of the "
					   "keystore's password in hex");
			return 400;
		}
	}
	b->encrypted = b->single || json_object_get(root, "encrypted_passwords") != NULL;
	if (!b->single && b->encrypted) {
		if (json_object_get(root, "passwords") != NULL) {
			snprintf(why, cap, "give passwords or encrypted_passwords, not both");
			return 400;
		}
		jpw = json_object_get(root, "encrypted_passwords");
	}
	if (!json_is_array(jks) || !json_is_array(jpw)) {
		snprintf(why, cap, b->encrypted ? "keystores and encrypted_passwords must be arrays"
						: "keystores and passwords must be arrays");
		return 400;
	}
	size_t n = json_array_size(jks);
	if (n != json_array_size(jpw)) {
		snprintf(why, cap, "keystores and %s must have the same length (%zu != %zu)",
			 b->encrypted ? "encrypted_passwords" : "passwords", n, json_array_size(jpw));
		return 400;
	}
	if (n > SIGNER_KM_MAX_KEYSTORES) {
		snprintf(why, cap,
			 "%zu keystores in one request, above this signer's limit of %u; split the "
			 "import",
			 n, SIGNER_KM_MAX_KEYSTORES);
		return 400;
	}
	for (size_t i = 0; i < n; i++) {
		json_t *k = json_array_get(jks, i), *p = json_array_get(jpw, i);
		if (!(json_is_string(k) || json_is_object(k)) || !json_is_string(p)) {
			snprintf(why, cap,
				 "keystores[%zu] must be a keystore and passwords[%zu] a string", i, i);
			return 400;
		}
	}
	if (jsp && !json_is_null(jsp)) {
		b->sp = string_or_json(jsp, &b->sp_len);
		json_t *check = b->sp ? json_loadb(b->sp, b->sp_len, 0, NULL) : NULL;
		bool ok = check && json_is_object(check);
		json_decref(check);
		if (!ok) {
			snprintf(why, cap, "slashing_protection must be an EIP-3076 interchange");
			return 400;
		}
	}
	if (b->encrypted && n > 0 &&
	    (!json_is_string(jpk) ||
	     hex_decode(b->encrypting_pk, sizeof b->encrypting_pk, json_string_value(jpk),
			json_string_length(jpk), HEX_PREFIX_OPTIONAL) != SS_OK)) {
		snprintf(why, cap, "%s must be a 33-byte compressed secp256k1 public key in hex",
			 b->single ? "encrypting_pk_hex" : "encrypting_pk");
		return 400;
	}
	b->keystores = jks;
	b->passwords = jpw;
	b->n = n;
	return 0;
}

void api_import_body_free(api_import_body *b)
{
	json_decref(b->one_ks);
	json_decref(b->one_ct);
	free(b->sp);
	memset(b, 0, sizeof *b);
}

uint8_t *api_import_ciphertext(const api_import_body *b, size_t i, size_t *len, char *why,
			       size_t cap)
{
	*len = 0;
	json_t *c = json_array_get(b->passwords, i);
	size_t hl = json_string_length(c), ct_len = 0;
	/* a password of up to 64 KiB */
	uint8_t *ct = !json_is_string(c) || hl / 2 > ECIES_OVERHEAD + (1u << 16)
			      ? NULL
			      : malloc(hl / 2 + 1);
	if (!ct || hex_decode_var(ct, hl / 2 + 1, &ct_len, json_string_value(c), hl,
				  HEX_PREFIX_OPTIONAL) != SS_OK ||
	    ct_len <= ECIES_OVERHEAD) {
		free(ct);
		if (b->single)
			snprintf(why, cap, "ct_password_hex");
		else
			snprintf(why, cap, "encrypted_passwords[%zu]", i);
		size_t at = strlen(why);
		snprintf(why + at, cap - at, " must be an ECIES ciphertext in hex (ephemeral key, "
					     "nonce, tag, AES-256-GCM ciphertext)");
		return NULL;
	}
	*len = ct_len;
	return ct;
}

/* Decrypts the n ciphertexts of b with its attested key into secure buffers pw[i]
 * (pw_len[i]); false with the 400 made. The caller frees every non-NULL pw[i] with
 * secure_free. */
static bool decrypt_passwords(http_request *req, api *a, const api_import_body *b, char **pw,
			      size_t *pw_len)
{
	const char *f_pk = b->single ? "encrypting_pk_hex" : "encrypting_pk";
	for (size_t i = 0; i < b->n; i++) {
		char at[48], why[API_WHY_MAX];
		if (b->single)
			snprintf(at, sizeof at, "ct_password_hex");
		else
			snprintf(at, sizeof at, "encrypted_passwords[%zu]", i);
		size_t ct_len;
		uint8_t *ct = api_import_ciphertext(b, i, &ct_len, why, sizeof why);
		if (!ct) {
			http_reply_error(req, 400, "%s", why);
			return false;
		}
		pw[i] = secure_alloc(ct_len - ECIES_OVERHEAD + 1);
		if (!pw[i]) {
			free(ct);
			http_reply_error(req, 500, "Out of memory");
			return false;
		}
		ss_err e = keys_aux_ecies_open(a->cfg.keys, b->encrypting_pk, ct, ct_len,
					       (uint8_t *)pw[i], ct_len - ECIES_OVERHEAD, &pw_len[i]);
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
	api_import_body b;
	char **ks = NULL, **dec = NULL;
	size_t *ks_len = NULL, *pw_len = NULL;
	const char **pw = NULL;
	keys_import_result *res = NULL;
	char why[API_WHY_MAX];
	int status = api_import_parse(root, &b, why, sizeof why);
	size_t n = b.n;
	if (status != 0) {
		http_reply_error(req, (unsigned)status, "%s", why);
		goto release;
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
	if (b.encrypted && !decrypt_passwords(req, a, &b, dec, pw_len))
		goto release;
	for (size_t i = 0; i < n; i++) {
		ks[i] = string_or_json(json_array_get(b.keystores, i), &ks_len[i]);
		if (b.encrypted) {
			pw[i] = dec[i];
		} else {
			pw[i] = json_string_value(json_array_get(b.passwords, i));
			pw_len[i] = json_string_length(json_array_get(b.passwords, i));
		}
		if (!ks[i]) {
			http_reply_error(req, 500, "Out of memory");
			goto release;
		}
	}
	signer_km_import_req rq = { (const char *const *)ks, ks_len, pw, pw_len, n,
				    b.sp, b.sp_len, true };
	char kwhy[KEYS_ERROR_MAX + 32];
	/* releases the ticket */
	ss_err e = signer_km_import(a->km, ticket, &rq, res, kwhy, sizeof kwhy);
	if (e == SS_ERR_RANGE || e == SS_ERR_INVALID || e == SS_ERR_REFUSED) {
		http_reply_error(req, 400, "%s", kwhy);
		goto out;
	}
	if (e != SS_OK) {
		log_error("keymanager import: %s", kwhy);
		http_reply_error(req, 500, "%s", kwhy);
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
			if (b.single && res[i].status != KEYS_IMPORT_ERROR)
				json_object_set_new(o, "message", json_string(hex));
		}
	}
	/* the original's body imports one keystore: its failure is the request's */
	http_reply_json(req, b.single && res[0].status == KEYS_IMPORT_ERROR ? 400 : 200,
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
	if (dec)
		for (size_t i = 0; i < n; i++)
			secure_free(dec[i]); /* wipes the plaintext password */
	free(dec);
	api_import_body_free(&b);
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
