/* POST /api/v1/eth2/sign/{identifier} (reference/web3signer.md §1.1). The signer
 * decides; this maps its status to HTTP and picks JSON or text by Accept. A request
 * that passes its checks is parked while it is signed and, for a slashable type, its
 * record committed (signer_sign_async), so the server thread serves other connections
 * meanwhile; it is answered from the signing thread or the slashing writer. */
#include <stdlib.h>
#include <string.h>

#include "api/api_internal.h"
#include "util/hex.h"

typedef struct {
	http_request *req;
	bool json; /* read from the headers before the request is parked */
} sign_ctx;

unsigned api_signer_http_status(signer_status st)
{
	switch (st) {
	case SIGNER_OK: return 200;
	case SIGNER_MALFORMED:
	case SIGNER_ROOT_MISMATCH: return 400;
	case SIGNER_NOT_FOUND: return 404;
	case SIGNER_REFUSED: return 412;
	case SIGNER_ERROR:
	case SIGNER_PENDING:
	default: return 500;
	}
}

static void reply(http_request *req, bool json, signer_status st, const uint8_t *sig,
		  const signer_result *res)
{
	if (st == SIGNER_OK && !sig)
		st = SIGNER_ERROR; /* not reachable: a signature only comes through answer() */
	if (st != SIGNER_OK) {
		http_reply_error(req, api_signer_http_status(st), "%s", res->message);
		return;
	}
	/* JSON when Accept lists application/json or a wildcard, else the bare hex as
	 * text/plain (Web3Signer's content negotiation; Lodestar needs the JSON form).
	 * The JSON is written in place: hex needs no escaping, and this is every signing
	 * request, so it skips jansson's object, its string copies and their wiped frees. */
	static const char head[] = "{\"signature\":\"", tail[] = "\"}";
	char out[sizeof head - 1 + 2 * SIGNER_SIGNATURE_BYTES + 2 + sizeof tail];
	char *hex = out + sizeof head - 1;
	hex_encode(hex, sig, SIGNER_SIGNATURE_BYTES, true);
	size_t hex_len = strlen(hex);
	if (!json) {
		http_reply_bytes(req, 200, "text/plain; charset=utf-8", hex, hex_len);
		return;
	}
	memcpy(out, head, sizeof head - 1);
	memcpy(hex + hex_len, tail, sizeof tail); /* with its NUL */
	http_reply_bytes(req, 200, "application/json; charset=utf-8", out,
			 sizeof head - 1 + hex_len + sizeof tail - 1);
}

static void park(void *arg)
{
	http_request_suspend(((sign_ctx *)arg)->req);
}

static void answer(void *arg, signer_status st, const uint8_t sig[SIGNER_SIGNATURE_BYTES],
		   const signer_result *res)
{
	sign_ctx *c = arg;
	http_request *req = c->req;
	reply(req, c->json, st, sig, res);
	free(c);
	http_request_resume(req);
}

void api_handle_sign(http_request *req, void *app)
{
	api *a = app;
	size_t len;
	const char *body = http_request_body(req, &len);
	signer_result res;
	sign_ctx *c = malloc(sizeof *c);
	if (!c) {
		http_reply_error(req, 500, "Out of memory");
		return;
	}
	c->req = req;
	c->json = http_request_accepts_json(req);
	signer_status st = signer_sign_async(a->cfg.signer, http_request_pubkey(req), body, len,
					     park, answer, c, &res);
	if (st == SIGNER_PENDING)
		return; /* answer() replies and frees c */
	reply(req, c->json, st, NULL, &res);
	free(c);
}
