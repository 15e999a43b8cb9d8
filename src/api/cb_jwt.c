/* Commit-Boost's module authentication (reference/signing-apis-2026.md §8.1, from
 * Commit-Boost's crates/common/src/utils.rs validate_jwt and signer/src/service.rs): an
 * HS256 JWT per module in "Authorization: Bearer", whose claims are
 *   exp           - checked with 10 s of leeway,
 *   module        - the module id whose secret signs the token (admin: "admin": true),
 *   route         - equal to the request path,
 *   payload_hash  - "0x" + keccak256(raw body), present iff the request has a body.
 * Every failure is 401 "unauthorized" and is counted per client address; after
 * max_failures (3) failures the address gets 429 for lockout_seconds (300)
 * (cb_lockout.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <jansson.h>

#include "api/cb_internal.h"
#include "crypto/keccak.h"
#include "crypto/sha256.h"
#include "util/ct.h"
#include "util/hex.h"
#include "util/log.h"
#include "util/mono_clock.h"

#define JWT_LEEWAY_SECONDS 10
#define JWT_MAX_BYTES 4096

static int b64url_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '-')
		return 62;
	if (c == '_')
		return 63;
	return -1;
}

/* RFC 7515 §2: base64url without padding. */
bool cb_base64url_decode(const char *in, size_t len, uint8_t *out, size_t cap,
			 size_t *out_len)
{
	if (len % 4 == 1)
		return false;
	size_t n = 0;
	uint32_t acc = 0;
	unsigned bits = 0;
	for (size_t i = 0; i < len; i++) {
		int v = b64url_value(in[i]);
		if (v < 0)
			return false;
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (n >= cap)
				return false;
			out[n++] = (uint8_t)(acc >> bits);
		}
	}
	/* the leftover bits of the last digit must be zero (canonical encoding) */
	if (bits && (acc & ((1u << bits) - 1)))
		return false;
	*out_len = n;
	return true;
}

static int64_t mono_seconds(void)
{
	return (int64_t)(mono_ns() / 1000000000u);
}

/* The JWT's parts decoded: header and claims as JSON, the signature bytes. */
typedef struct {
	json_t *header, *claims;
	uint8_t sig[64];
	size_t sig_len;
	const char *signed_part; /* header.payload, as received */
	size_t signed_len;
} jwt_parts;

static json_t *decode_json_part(const char *p, size_t len)
{
	uint8_t buf[JWT_MAX_BYTES];
	size_t n;
	if (!cb_base64url_decode(p, len, buf, sizeof buf, &n))
		return NULL;
	json_t *j = json_loadb((const char *)buf, n, JSON_REJECT_DUPLICATES, NULL);
	if (j && !json_is_object(j)) {
		json_decref(j);
		return NULL;
	}
	return j;
}

static bool jwt_split(const char *tok, jwt_parts *out)
{
	size_t len = strlen(tok);
	if (len > JWT_MAX_BYTES)
		return false;
	const char *d1 = strchr(tok, '.');
	const char *d2 = d1 ? strchr(d1 + 1, '.') : NULL;
	if (!d1 || !d2 || strchr(d2 + 1, '.'))
		return false;
	out->header = decode_json_part(tok, (size_t)(d1 - tok));
	out->claims = decode_json_part(d1 + 1, (size_t)(d2 - d1 - 1));
	out->signed_part = tok;
	out->signed_len = (size_t)(d2 - tok);
	return out->header && out->claims &&
	       cb_base64url_decode(d2 + 1, strlen(d2 + 1), out->sig, sizeof out->sig,
				   &out->sig_len);
}

/* The checks after the signature: exp, route, payload_hash. why names the failure. */
static bool claims_ok(const json_t *claims, http_request *req, const char **why)
{
	json_t *exp = json_object_get(claims, "exp");
	if (!json_is_integer(exp)) {
		*why = "exp missing";
		return false;
	}
	/* now - leeway > exp: the leeway is subtracted from the clock, since exp + leeway
	 * overflows for an exp near 2^63 (undefined, and in practice a date in the past) */
	if ((int64_t)time(NULL) - JWT_LEEWAY_SECONDS > (int64_t)json_integer_value(exp)) {
		*why = "expired";
		return false;
	}
	const char *route = json_string_value(json_object_get(claims, "route"));
	if (!route || strcmp(route, http_request_path(req)) != 0) {
		*why = "route claim does not match the path";
		return false;
	}
	size_t body_len;
	const char *body = http_request_body(req, &body_len);
	json_t *ph = json_object_get(claims, "payload_hash");
	if (body_len == 0) {
		if (ph && !json_is_null(ph)) {
			*why = "payload_hash without a body";
			return false;
		}
		return true;
	}
	const char *phs = json_string_value(ph);
	uint8_t want[32], got[32];
	if (!phs || hex_decode(want, 32, phs, strlen(phs), HEX_PREFIX_OPTIONAL) != SS_OK) {
		*why = "body without a payload_hash";
		return false;
	}
	keccak256(got, body, body_len);
	if (memcmp(want, got, 32) != 0) {
		*why = "payload_hash does not match the body";
		return false;
	}
	return true;
}

/* The token of req checked as Commit-Boost checks it: on success the module (admin: NULL)
 * into *mod; on failure why says what failed and *module_id names the module claimed. */
static bool token_ok(http_request *req, bool admin, const cb_registry *reg,
		     const cb_module **mod, const char **module_id, const char **why)
{
	jwt_parts jp;
	memset(&jp, 0, sizeof jp);
	bool ok = false;
	*why = "no bearer token";
	const char *auth = http_request_header(req, "Authorization");
	if (!auth || strncasecmp(auth, "Bearer ", 7) != 0)
		goto out;
	*why = "malformed token";
	if (!jwt_split(auth + 7, &jp))
		goto out;
	const char *alg = json_string_value(json_object_get(jp.header, "alg"));
	if (!alg || strcmp(alg, "HS256") != 0) {
		*why = "alg is not HS256";
		goto out;
	}
	const char *secret;
	size_t secret_len;
	if (admin) {
		*module_id = "admin";
		*why = "not an admin token";
		if (!json_is_true(json_object_get(jp.claims, "admin")) || !reg->admin_secret)
			goto out;
		secret = reg->admin_secret;
		secret_len = reg->admin_secret_len;
	} else {
		const char *m = json_string_value(json_object_get(jp.claims, "module"));
		*why = "unknown module";
		if (!m)
			goto out;
		*mod = cb_registry_find(reg, m);
		if (!*mod)
			goto out;
		*module_id = (*mod)->id;
		*why = "module has no secret (revoked)";
		if (!(*mod)->secret)
			goto out;
		secret = (*mod)->secret;
		secret_len = (*mod)->secret_len;
	}
	uint8_t mac[32];
	hmac_sha256(mac, (const uint8_t *)secret, secret_len, jp.signed_part, jp.signed_len);
	*why = "bad signature";
	if (jp.sig_len != 32 || !ct_memeq(mac, jp.sig, 32))
		goto out;
	ok = claims_ok(jp.claims, req, why);
out:
	json_decref(jp.header);
	json_decref(jp.claims);
	return ok;
}

bool cb_authenticate(api_cb *cb, http_request *req, bool admin, cb_registry **reg_out,
		     const cb_module **mod_out)
{
	char addr[64];
	http_request_client_address(req, addr, sizeof addr);
	/* an address already locked out costs no verification */
	if (cb_lockout_refused(&cb->lockout, addr, mono_seconds())) {
		cb_reply_text(req, 429, "too many requests");
		return false;
	}
	const char *why = "";
	const char *module_id = "-";
	cb_registry *reg = cb_registry_get(cb);
	const cb_module *mod = NULL;
	bool ok = token_ok(req, admin, reg, &mod, &module_id, &why);
	/* the answer and the failure count in one step (cb_lockout.c) */
	switch (cb_lockout_settle(&cb->lockout, addr, ok, mono_seconds())) {
	case CB_LOCKOUT_PASS:
		*reg_out = reg;
		*mod_out = mod;
		return true;
	case CB_LOCKOUT_FAILED:
		log_info("commit-boost: %s from %s: unauthorized (%s, module %s)",
			 http_request_path(req), addr, why, module_id);
		cb_registry_release(reg);
		cb_reply_text(req, 401, "unauthorized");
		return false;
	case CB_LOCKOUT_LOCKED:
		break;
	}
	cb_registry_release(reg);
	cb_reply_text(req, 429, "too many requests");
	return false;
}
