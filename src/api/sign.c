/* POST /api/v1/eth2/sign/{identifier} (reference/web3signer.md §1.1). The signer
 * decides; this maps its status to HTTP and picks JSON or text by Accept. A slashable
 * request is parked while its record is committed (signer_sign_async), so the server
 * thread serves other connections meanwhile, and answered from the commit waiter. */
#include <stdlib.h>
#include <string.h>

#include "api/api_internal.h"
#include "util/hex.h"

typedef struct {
	http_request *req;
	bool json; /* read from the headers before the request is parked */
} sign_ctx;

static void reply(http_request *req, bool json, signer_status st, const uint8_t *sig,
		  const signer_result *res)
{
	switch (st) {
	case SIGNER_OK:
		break;
	case SIGNER_MALFORMED:
	case SIGNER_ROOT_MISMATCH:
		http_reply_error(req, 400, "%s", res->message);
		return;
	case SIGNER_NOT_FOUND:
		http_reply_error(req, 404, "%s", res->message);
		return;
	case SIGNER_REFUSED:
		http_reply_error(req, 412, "%s", res->message);
		return;
	case SIGNER_ERROR:
	case SIGNER_PENDING:
	default:
		http_reply_error(req, 500, "%s", res->message);
		return;
	}
	char hex[2 * SIGNER_SIGNATURE_BYTES + 3];
	hex_encode(hex, sig, SIGNER_SIGNATURE_BYTES, true);
	/* JSON when Accept lists application/json or a wildcard, else the bare hex as
	 * text/plain (Web3Signer's content negotiation; Lodestar needs the JSON form). */
	if (json)
		http_reply_json(req, 200, json_pack("{s:s}", "signature", hex));
	else
		http_reply_bytes(req, 200, "text/plain; charset=utf-8", hex, strlen(hex));
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
	uint8_t sig[SIGNER_SIGNATURE_BYTES];
	signer_result res;
	sign_ctx *c = malloc(sizeof *c);
	if (!c) {
		http_reply_error(req, 500, "Out of memory");
		return;
	}
	c->req = req;
	c->json = http_request_accepts_json(req);
	signer_status st = signer_sign_async(a->cfg.signer, http_request_pubkey(req), body, len,
					     park, answer, c, sig, &res);
	if (st == SIGNER_PENDING)
		return; /* answer() replies and frees c */
	reply(req, c->json, st, sig, &res);
	free(c);
}
