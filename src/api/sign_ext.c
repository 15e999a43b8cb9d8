/* POST /api/v1/eth2/ext/sign/{identifier}: Web3Signer's signing extension, served with
 * --Xsigning-ext-enabled (reference/web3signer.md §1.10). The one type,
 * PROOF_OF_VALIDATION, proves to a platform that the operator holds a validator key:
 *   body     {"type":"PROOF_OF_VALIDATION","platform":"…","timestamp":"<u64>"},
 *            no other member (Web3Signer rejects unknown fields);
 *   signed   the raw bytes of the body, with no domain and no SSZ;
 *   200      {"payload":"<base64 of the body>","signature":"0x…"};
 *   400      {"error":"Bad Request"}, 404 {"error":"Identifier not found."}.
 * A body that passes is a JSON object longer than 32 bytes, so its signature can never
 * be taken for one over an Ethereum signing root (signer_sign_raw refuses anything
 * shorter), and it never touches the slashing store. */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "api/api_internal.h"
#include "util/base64.h"
#include "util/dec.h"
#include "util/hex.h"

static void reply_error(http_request *req, unsigned status, const char *msg)
{
	http_reply_json(req, status, json_pack("{s:s}", "error", msg));
}

/* Whether body is exactly a PROOF_OF_VALIDATION request. */
static bool valid_body(const char *body, size_t len)
{
	/* Duplicate members would let two readers see different requests. */
	json_t *o = json_loadb(body, len, JSON_REJECT_DUPLICATES, NULL);
	bool ok = json_is_object(o) && json_object_size(o) == 3;
	const json_t *type = json_object_get(o, "type"), *platform = json_object_get(o, "platform"),
		     *ts = json_object_get(o, "timestamp");
	uint64_t t;
	ok = ok && json_is_string(type) && strcmp(json_string_value(type), "PROOF_OF_VALIDATION") == 0 &&
	     json_is_string(platform) && json_is_string(ts) &&
	     dec_parse_u64(json_string_value(ts), json_string_length(ts), &t) == SS_OK;
	json_decref(o);
	return ok;
}

void api_handle_sign_ext(http_request *req, void *app)
{
	api *a = app;
	size_t len;
	const char *body = http_request_body(req, &len);
	if (body == NULL || !valid_body(body, len)) {
		reply_error(req, 400, "Bad Request");
		return;
	}
	uint8_t sig[SIGNER_SIGNATURE_BYTES];
	signer_result res;
	signer_status st = signer_sign_raw(a->cfg.signer, http_request_pubkey(req),
					   (const uint8_t *)body, len, sig, &res);
	if (st == SIGNER_NOT_FOUND) {
		reply_error(req, 404, "Identifier not found.");
		return;
	}
	if (st == SIGNER_MALFORMED) {
		reply_error(req, 400, "Bad Request");
		return;
	}
	if (st != SIGNER_OK) {
		reply_error(req, 500, "Internal Server Error");
		return;
	}
	char *b64 = malloc(BASE64_ENCODED_LEN(len) + 1);
	char hex[2 * SIGNER_SIGNATURE_BYTES + 3];
	if (b64 == NULL) {
		reply_error(req, 500, "Internal Server Error");
		return;
	}
	base64_encode(b64, (const uint8_t *)body, len);
	hex_encode(hex, sig, SIGNER_SIGNATURE_BYTES, true);
	http_reply_json(req, 200, json_pack("{s:s,s:s}", "payload", b64, "signature", hex));
	free(b64);
}
