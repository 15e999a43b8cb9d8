/* Keymanager DELETE (keymanager.h signer_km_delete; spec/keymanager/flows/README.md
 * "Delete"): each key is disabled in the slashing store (durable: blocks and
 * attestations are refused from then on, even after a restart), then removed from the
 * sealed store and the registry, and the history of every deleted or inactive key is
 * exported. */
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "signer/keymanager_internal.h"
#include "util/hex.h"
#include "util/log.h"

/* An interchange with no data (EIP-3076 v5), with the pinned root when there is one. */
static char *empty_interchange(slash_db *db)
{
	json_t *meta = json_pack("{s:s}", "interchange_format_version", "5");
	uint8_t gvr[32];
	bool pinned = false;
	if (db && slash_get_gvr(db, gvr, &pinned) == SS_OK && pinned) {
		char hex[67];
		hex_encode(hex, gvr, 32, true);
		json_object_set_new(meta, "genesis_validators_root", json_string(hex));
	}
	json_t *o = json_pack("{s:o,s:[]}", "metadata", meta, "data");
	char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	return s;
}

/* True when the exported interchange holds any record for pk. */
static bool has_history(json_t *ic, const uint8_t pk[48])
{
	json_t *data = json_object_get(ic, "data");
	size_t i;
	json_t *v;
	json_array_foreach(data, i, v) {
		json_t *p = json_object_get(v, "pubkey");
		uint8_t k[48];
		if (!json_is_string(p) ||
		    hex_decode(k, 48, json_string_value(p), json_string_length(p),
			       HEX_PREFIX_OPTIONAL) != SS_OK || memcmp(k, pk, 48) != 0)
			continue;
		if (json_array_size(json_object_get(v, "signed_blocks")) > 0 ||
		    json_array_size(json_object_get(v, "signed_attestations")) > 0)
			return true;
	}
	return false;
}

static bool reported(signer_km_delete_status st)
{
	return st == SIGNER_KM_DELETED || st == SIGNER_KM_NOT_ACTIVE;
}

/* Removes from the interchange's data every entry whose key is not reported deleted
 * or not_active; true when anything was removed. */
static bool keep_only_reported(json_t *ic, const uint8_t (*pks)[48],
			       const signer_km_delete_result *res, size_t n)
{
	json_t *data = json_object_get(ic, "data");
	bool changed = false;
	for (size_t i = json_array_size(data); i-- > 0;) {
		json_t *p = json_object_get(json_array_get(data, i), "pubkey");
		uint8_t k[48];
		bool keep = false;
		if (json_is_string(p) &&
		    hex_decode(k, 48, json_string_value(p), json_string_length(p),
			       HEX_PREFIX_OPTIONAL) == SS_OK)
			for (size_t j = 0; j < n && !keep; j++)
				keep = reported(res[j].status) && memcmp(pks[j], k, 48) == 0;
		if (!keep) {
			json_array_remove(data, i);
			changed = true;
		}
	}
	return changed;
}

static void fail(signer_km_delete_result *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void fail(signer_km_delete_result *r, const char *fmt, ...)
{
	r->status = SIGNER_KM_DELETE_ERROR;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->message, sizeof r->message, fmt, ap);
	va_end(ap);
}

ss_err signer_km_delete(signer_km *km, const uint8_t (*pks)[KEYS_PUBKEY_BYTES], size_t n,
			signer_km_delete_result *res, char **interchange)
{
	*interchange = NULL;
	uint8_t(*exp)[KEYS_PUBKEY_BYTES] = calloc(n ? n : 1, sizeof *exp);
	if (exp == NULL)
		return SS_ERR_NOMEM;
	memset(res, 0, n * sizeof *res);
	pthread_mutex_lock(&km->lock);
	for (size_t i = 0; i < n; i++) {
		char hex[2 * KEYS_PUBKEY_BYTES + 3];
		hex_encode(hex, pks[i], KEYS_PUBKEY_BYTES, true);
		/* Whatever happens below, an import received before this delete and still
		 * pending must not bring the key back (keymanager.h). */
		km_record_delete(km, pks[i]);
		keys_info info;
		if (!keys_get_info(km->keys, pks[i], &info)) {
			res[i].status = SIGNER_KM_NOT_FOUND;
			continue;
		}
		if (signer_km_readonly(&info)) {
			fail(&res[i], "Unable to delete readonly key: %s", hex);
			continue;
		}
		/* Disable first and durably: from here on no block or attestation can be
		 * signed with this key by any path, even if the next step fails. */
		if (km->slashing && slash_set_enabled(km->slashing, pks[i], false) != SS_OK) {
			fail(&res[i], "%s", "Cannot disable the key in the slashing protection store");
			continue;
		}
		keys_error kerr = { { 0 } };
		ss_err e = keys_delete(km->keys, pks[i], &kerr);
		if (e == SS_ERR_NOT_FOUND) {
			res[i].status = SIGNER_KM_NOT_FOUND;
		} else if (e != SS_OK) {
			fail(&res[i], "Cannot delete the key: %s", kerr.msg);
		} else {
			res[i].status = SIGNER_KM_DELETED;
			log_info("keymanager: deleted %s", hex);
		}
	}
	pthread_mutex_unlock(&km->lock);

	/* Export the history of deleted and inactive keys (flows/README.md step 3). */
	size_t m = 0;
	for (size_t i = 0; i < n; i++)
		if (res[i].status == SIGNER_KM_DELETED || res[i].status == SIGNER_KM_NOT_FOUND)
			memcpy(exp[m++], pks[i], KEYS_PUBKEY_BYTES);
	char *ic_text = NULL;
	ss_err e = SS_ERR_NOT_FOUND;
	if (km->slashing && m > 0)
		e = slash_export_interchange(km->slashing, (const uint8_t(*)[KEYS_PUBKEY_BYTES])exp,
					     m, &ic_text);
	free(exp);
	if (e == SS_OK) {
		json_t *ic = json_loads(ic_text, 0, NULL);
		for (size_t i = 0; i < n; i++)
			if (res[i].status == SIGNER_KM_NOT_FOUND && ic && has_history(ic, pks[i]))
				res[i].status = SIGNER_KM_NOT_ACTIVE;
		/* Only keys reported deleted or not_active may appear in the export
		 * (flows/README.md, "Notes"): drop entries of keys left not_found. */
		if (ic && keep_only_reported(ic, pks, res, n)) {
			char *t = json_dumps(ic, JSON_COMPACT);
			if (t) {
				free(ic_text);
				ic_text = t;
			}
		}
		json_decref(ic);
	} else {
		free(ic_text);
		ic_text = empty_interchange(km->slashing);
		if (e != SS_ERR_NOT_FOUND)
			for (size_t i = 0; i < n; i++)
				if (res[i].status == SIGNER_KM_DELETED ||
				    res[i].status == SIGNER_KM_NOT_FOUND)
					fail(&res[i], "Exporting slashing protection data failed: %s",
					     ss_strerror(e));
	}
	if (ic_text == NULL)
		return SS_ERR_NOMEM;
	*interchange = ic_text;
	return SS_OK;
}
