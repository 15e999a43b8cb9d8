/* GET /api/v1/eth2/highWatermark (reference/web3signer.md §1.6): the global high
 * watermark as decimal strings, or {} when none is set. Served only with slashing
 * protection on (routes.c). */
#include "api/api_internal.h"
#include "util/dec.h"

void api_handle_high_watermark(http_request *req, void *app)
{
	api *a = app;
	slash_watermark wm;
	if (slash_get_high_watermark(a->cfg.slashing, &wm) != SS_OK) {
		http_reply_error(req, 500, "Cannot read the high watermark");
		return;
	}
	if (!wm.set) {
		http_reply_json(req, 200, json_object());
		return;
	}
	char e[DEC_U64_MAX_CHARS], s[DEC_U64_MAX_CHARS];
	dec_format_u64(e, wm.epoch);
	dec_format_u64(s, wm.slot);
	http_reply_json(req, 200, json_pack("{s:s,s:s}", "epoch", e, "slot", s));
}
