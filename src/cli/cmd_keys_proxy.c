/* `secure-signer keys proxy list|delete`: the operator's view of the Commit-Boost proxy
 * keys the signer generated for modules (keys/keys_aux.h; docs/commit-boost.md "Proxy
 * keys"). list opens the store read-only, so it runs beside a running signer; delete
 * holds the data directory's lock, so the signer must be stopped (cmd_keys.c decides). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "keys/keys_aux.h"
#include "signer/commit_boost.h"
#include "util/hex.h"

static int proxy_list(keys_store *ks)
{
	size_t n;
	keys_aux_info *all = keys_aux_list_alloc(ks, 0, NULL, &n);
	if (!all) {
		fprintf(stderr, "secure-signer keys proxy list: out of memory\n");
		return 1;
	}
	for (size_t i = 0; i < n; i++) {
		const keys_aux_info *k = &all[i];
		if (k->kind != KEYS_AUX_PROXY_BLS && k->kind != KEYS_AUX_PROXY_ECDSA)
			continue;
		char pub[99], del[99] = "-", addr[43] = "";
		hex_encode(pub, k->pub, k->pub_len, true);
		if (k->has_delegator)
			hex_encode(del, k->delegator, 48, true);
		if (k->kind == KEYS_AUX_PROXY_ECDSA)
			hex_encode(addr, k->address, 20, true);
		/* kind, proxy (BLS key or ECDSA address), module, delegator, ECDSA key */
		printf("%s %s %s %s%s%s\n", k->kind == KEYS_AUX_PROXY_BLS ? "bls" : "ecdsa",
		       k->kind == KEYS_AUX_PROXY_BLS ? pub : addr, k->owner[0] ? k->owner : "-", del,
		       k->kind == KEYS_AUX_PROXY_ECDSA ? " " : "",
		       k->kind == KEYS_AUX_PROXY_ECDSA ? pub : "");
	}
	free(all);
	return 0;
}

/* Deletes the proxy named by a BLS key (48 bytes), an ECDSA key (33) or an ECDSA
 * address (20), as `proxy list` prints them. */
static int proxy_delete(keys_store *ks, const char *arg)
{
	uint8_t id[48];
	size_t len = 0;
	if (hex_decode_var(id, sizeof id, &len, arg, strlen(arg), HEX_PREFIX_OPTIONAL) != SS_OK ||
	    (len != 48 && len != 33 && len != 20)) {
		fprintf(stderr, "secure-signer keys proxy delete: expected a BLS proxy key (48 "
				"bytes), an ECDSA proxy key (33) or address (20), in hex\n");
		return 2;
	}
	keys_aux_kind kind = len == 48 ? KEYS_AUX_PROXY_BLS : KEYS_AUX_PROXY_ECDSA;
	const uint8_t *pub = id;
	size_t pub_len = len;
	keys_aux_info px;
	if (len == 20) {
		pub_len = keys_aux_get_by_address(ks, KEYS_AUX_PROXY_ECDSA, NULL, id, &px) ? px.pub_len : 0;
		pub = px.pub;
	}
	keys_error err = { "" };
	ss_err e = pub_len ? keys_aux_delete(ks, kind, pub, pub_len, &err) : SS_ERR_NOT_FOUND;
	if (e == SS_ERR_NOT_FOUND) {
		fprintf(stderr, "secure-signer keys proxy delete: no such proxy key\n");
		return 1;
	}
	if (e != SS_OK) {
		fprintf(stderr, "secure-signer keys proxy delete: %s\n",
			err.msg[0] ? err.msg : ss_strerror(e));
		return 1;
	}
	printf("deleted %s\n", arg);
	return 0;
}

int cli_keys_proxy(keys_store *ks, int nargs, const char *const *args)
{
	if (nargs == 1 && strcmp(args[0], "list") == 0)
		return proxy_list(ks);
	if (nargs == 2 && strcmp(args[0], "delete") == 0)
		return proxy_delete(ks, args[1]);
	fprintf(stderr, "secure-signer keys proxy: expected 'list' or 'delete PROXY'\n");
	return 2;
}
