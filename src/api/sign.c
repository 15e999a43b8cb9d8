/* POST /api/v1/eth2/sign/{identifier} (reference/web3signer.md §1.1). The signer
 * decides; this maps its status to HTTP and picks JSON or text by Accept. */
#include <string.h>

#include "api/api_internal.h"
#include "util/hex.h"

void api_handle_sign(http_request *req, void *app)
{
	api *a = app;
	size_t len;
	const char *body = http_request_body(req, &len);
	uint8_t sig[SIGNER_SIGNATURE_BYTES];
	signer_result res;
	switch (signer_sign(a->cfg.signer, http_request_pubkey(req), body, len, sig, &res)) {
	case SIGNER_OK:
		break;
	case SIGNER_MALFORMED:
	case SIGNER_ROOT_MISMATCH:
		http_reply_error(req, 400, "%s", res.message);
		return;
	case SIGNER_NOT_FOUND:
		http_reply_error(req, 404, "%s", res.message);
		return;
	case SIGNER_REFUSED:
		http_reply_error(req, 412, "%s", res.message);
		return;
	case SIGNER_ERROR:
	default:
		http_reply_error(req, 500, "%s", res.message);
		return;
	}
	char hex[2 * SIGNER_SIGNATURE_BYTES + 3];
	hex_encode(hex, sig, sizeof sig, true);
	/* JSON when Accept lists application/json or a wildcard, else the bare hex as
	 * text/plain (Web3Signer's content negotiation; Lodestar needs the JSON form). */
	if (http_request_accepts_json(req))
		http_reply_json(req, 200, json_pack("{s:s}", "signature", hex));
	else
		http_reply_bytes(req, 200, "text/plain; charset=utf-8", hex, strlen(hex));
}
