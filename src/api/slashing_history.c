/* GET and POST /api/v1/eth2/slashing-protection: the EIP-3076 slashing history over HTTP
 * while the signer runs (the original Secure-Signer's TODO "an endpoint to GET the
 * EIP-3076 slashing-protection database", reference/secure-signer.md §6; issue 13 §5).
 * GET answers the bytes `secure-signer slashing export` writes (both call
 * slash_export_interchange_file); POST imports with the CLI's rules
 * (slash_import_interchange: a malformed or slashable file is refused whole and nothing
 * changes). Behind the Keymanager token, and served only with slashing protection on. */
#include <stdlib.h>
#include <string.h>

#include "api/api_internal.h"
#include "util/hex_list.h"
#include "util/log.h"

/* The ?pubkey= list into *keys (malloc'ed, *n entries); false with the reply made. */
static bool parse_pubkeys(http_request *req, const char *list,
			  uint8_t (**keys)[SLASH_PUBKEY_BYTES], size_t *n)
{
	uint8_t *flat = NULL;
	const char *bad;
	size_t bad_len;
	ss_err e = hex_decode_list(list, SLASH_PUBKEY_BYTES, &flat, n, &bad, &bad_len);
	*keys = (uint8_t(*)[SLASH_PUBKEY_BYTES])flat;
	if (e == SS_ERR_NOMEM)
		http_reply_error(req, 500, "Out of memory");
	else if (e != SS_OK)
		http_reply_error(req, 400, "pubkey: \"%.*s\" is not a 48-byte public key in hex",
				 (int)(bad_len > 100 ? 100 : bad_len), bad);
	return e == SS_OK;
}

void api_handle_slashing_get(http_request *req, void *app)
{
	api *a = app;
	uint8_t(*keys)[SLASH_PUBKEY_BYTES] = NULL;
	size_t n = 0;
	const char *q = http_request_query(req, "pubkey");
	if (q != NULL && !parse_pubkeys(req, q, &keys, &n))
		return;
	char *text = NULL;
	size_t len = 0;
	ss_err err = slash_export_interchange_file(
		a->cfg.slashing, (const uint8_t(*)[SLASH_PUBKEY_BYTES])keys, n, &text, &len);
	free(keys);
	if (err == SS_ERR_NOT_FOUND) {
		http_reply_error(req, 404, "The slashing history is empty (no genesis validators "
					   "root yet)");
		return;
	}
	if (err != SS_OK) {
		log_error("slashing history export: %s", ss_strerror(err));
		http_reply_error(req, 500, "Export failed: %s", ss_strerror(err));
		return;
	}
	http_reply_bytes(req, 200, "application/json", text, len);
	free(text);
}

/* On the import admin thread, one import at a time with Keymanager imports. */
static void import_history(http_request *req, api *a, uint64_t unused)
{
	(void)unused;
	size_t len = 0;
	const char *body = http_request_body(req, &len);
	slash_reason why = { "" };
	ss_err err = slash_import_interchange(a->cfg.slashing, body, len, NULL, 0, &why);
	if (err == SS_ERR_INVALID || err == SS_ERR_RANGE) {
		http_reply_error(req, 400, "%s; nothing was imported", why.message);
		return;
	}
	if (err == SS_ERR_REFUSED) {
		http_reply_error(req, 409, "%s; nothing was imported", why.message);
		return;
	}
	if (err != SS_OK) {
		log_error("slashing history import: %s (%s)", why.message, ss_strerror(err));
		http_reply_error(req, 500, "Import failed: %s; nothing was imported",
				 ss_strerror(err));
		return;
	}
	log_info("slashing history imported over HTTP (%zu bytes)", len);
	http_reply_json(req, 200, json_pack("{s:s}", "message", "imported"));
}

void api_handle_slashing_post(http_request *req, void *app)
{
	api *a = app;
	api_run_on_admin_thread(req, a, &a->admin, import_history, 0, NULL);
}
