/* POST /api/v1/eth2/deposit: deposit data for keys the signer holds, in the staking
 * launchpad's deposit_data-*.json format (reference/secure-signer.md §2.2 "DepositRequest"
 * / "DepositResponse"; issue 13 §4, and the original's issue #27, several keys in one
 * file). Two bodies:
 *
 *   the original's, one key, answered with one object:
 *     {"genesis_fork_version": "0x…", "deposit": {"pubkey", "withdrawal_credentials",
 *      "amount"}, "signingRoot": ignored}
 *   many keys, answered with the launchpad's list:
 *     {"genesis_fork_version": "0x…" (default: the configured network's),
 *      "deposits": [{"pubkey", "withdrawal_credentials", "amount"}, …]}
 *
 * Every deposit is checked before any is signed, and one bad deposit refuses the whole
 * request: amounts below 1 ETH (the launchpad's minimum deposit), withdrawal credentials
 * other than 0x00 ‖ 31 bytes, or 0x01/0x02 ‖ 11 zero bytes ‖ an address (consensus
 * specs: BLS_WITHDRAWAL_PREFIX, ETH1_ADDRESS_WITHDRAWAL_PREFIX, Electra
 * COMPOUNDING_WITHDRAWAL_PREFIX), a fork version of no network we know (a deposit signed
 * for the wrong network is silently ignored by the beacon chain, and its ether lost), and
 * keys the signer does not hold (404). */
#include <stdlib.h>
#include <string.h>

#include "api/api_internal.h"
#include "api/body_parse.h"
#include "util/dec.h"
#include "util/hex.h"
#include "util/log.h"

#define DEPOSIT_MIN_GWEI 1000000000ull /* 1 ETH */
#define DEPOSIT_MAX_PER_REQUEST 1000u
/* The launchpad refuses a file without a deposit-cli version and compares it to its
 * minimum; we follow the file format of deposit-cli 2.3.0, as the original's client did
 * (reference/secure-signer.md §7). */
#define DEPOSIT_CLI_VERSION "2.3.0"

static const char *const known_networks[] = { "mainnet", "sepolia", "holesky", "hoodi",
					       "gnosis" };

/* The network whose genesis fork version is v: the configured one first (a custom
 * config.yaml), then the built-in ones; NULL when none. */
static const char *network_name_of(const eth2_network *configured,
				   const uint8_t v[ETH2_VERSION_BYTES])
{
	uint8_t g[ETH2_VERSION_BYTES];
	if (configured) {
		eth2_network_genesis_fork_version(configured, g);
		if (memcmp(g, v, sizeof g) == 0)
			return eth2_network_name(configured);
	}
	for (size_t i = 0; i < sizeof known_networks / sizeof known_networks[0]; i++) {
		const eth2_network *n = eth2_network_builtin(known_networks[i]);
		if (!n)
			continue;
		eth2_network_genesis_fork_version(n, g);
		if (memcmp(g, v, sizeof g) == 0)
			return known_networks[i];
	}
	return NULL;
}

static bool hex_field(json_t *o, const char *name, uint8_t *out, size_t len)
{
	json_t *v = json_object_get(o, name);
	return json_is_string(v) && hex_decode(out, len, json_string_value(v),
					       json_string_length(v), HEX_PREFIX_OPTIONAL) == SS_OK;
}

/* Parses and checks one deposit; false with *why set. */
static bool parse_deposit(json_t *d, eth2_deposit_message *m, char *why, size_t cap)
{
	if (!json_is_object(d)) {
		snprintf(why, cap, "must be an object {pubkey, withdrawal_credentials, amount}");
		return false;
	}
	if (!hex_field(d, "pubkey", m->pubkey, sizeof m->pubkey)) {
		snprintf(why, cap, "pubkey must be a 48-byte public key in hex");
		return false;
	}
	if (!hex_field(d, "withdrawal_credentials", m->withdrawal_credentials, 32)) {
		snprintf(why, cap, "withdrawal_credentials must be 32 bytes in hex");
		return false;
	}
	const uint8_t *wc = m->withdrawal_credentials;
	if (wc[0] == 0x01 || wc[0] == 0x02) {
		for (size_t i = 1; i < 12; i++)
			if (wc[i] != 0) {
				snprintf(why, cap,
					 "withdrawal_credentials 0x%02x… must be the prefix, 11 zero "
					 "bytes and a 20-byte execution address",
					 wc[0]);
				return false;
			}
	} else if (wc[0] != 0x00) {
		snprintf(why, cap,
			 "withdrawal_credentials must start with 0x00 (BLS), 0x01 (execution "
			 "address) or 0x02 (compounding), not 0x%02x",
			 wc[0]);
		return false;
	}
	json_t *a = json_object_get(d, "amount");
	uint64_t amount = 0;
	bool ok = false;
	if (json_is_string(a))
		ok = dec_parse_u64(json_string_value(a), json_string_length(a), &amount) == SS_OK;
	else if (json_is_integer(a) && json_integer_value(a) >= 0) {
		amount = (uint64_t)json_integer_value(a);
		ok = true;
	}
	if (!ok) {
		snprintf(why, cap, "amount must be a number of Gwei (a decimal string or number)");
		return false;
	}
	if (amount < DEPOSIT_MIN_GWEI) {
		snprintf(why, cap, "amount %llu Gwei is below the 1 ETH (1000000000 Gwei) minimum",
			 (unsigned long long)amount);
		return false;
	}
	if (amount > (uint64_t)INT64_MAX) {
		snprintf(why, cap, "amount %llu Gwei is not a possible deposit",
			 (unsigned long long)amount);
		return false;
	}
	m->amount = amount;
	return true;
}

static json_t *deposit_json(const eth2_deposit_message *m, const uint8_t sig[96],
			    const uint8_t fork[ETH2_VERSION_BYTES], const char *network)
{
	char pk[2 * 48 + 1], wc[2 * 32 + 1], s[2 * 96 + 1], mr[2 * 32 + 1], dr[2 * 32 + 1],
		fv[2 * 4 + 1];
	uint8_t r[ETH2_ROOT_BYTES];
	hex_encode(pk, m->pubkey, 48, false);
	hex_encode(wc, m->withdrawal_credentials, 32, false);
	hex_encode(s, sig, 96, false);
	eth2_deposit_message_root(r, m);
	hex_encode(mr, r, 32, false);
	eth2_deposit_data_root(r, m, sig);
	hex_encode(dr, r, 32, false);
	hex_encode(fv, fork, 4, false);
	return json_pack("{s:s, s:s, s:I, s:s, s:s, s:s, s:s, s:s, s:s}", "pubkey", pk,
			 "withdrawal_credentials", wc, "amount", (json_int_t)m->amount,
			 "signature", s, "deposit_message_root", mr, "deposit_data_root", dr,
			 "fork_version", fv, "network_name", network, "deposit_cli_version",
			 DEPOSIT_CLI_VERSION);
}

/* The body's deposits, checked (body_parse.h): the fork version and every deposit,
 * before the handler looks at keys or signs. */
int api_deposit_parse(json_t *root, const eth2_network *net, api_deposit_body *out, char *why,
		      size_t cap)
{
	memset(out, 0, sizeof *out);
	json_t *one = json_object_get(root, "deposit");
	json_t *many = json_object_get(root, "deposits");
	if ((one != NULL) == (many != NULL)) {
		snprintf(why, cap, "give either \"deposit\" (one key) or \"deposits\" (a list)");
		return 400;
	}
	out->many = many != NULL;
	if (json_object_get(root, "genesis_fork_version")) {
		if (!hex_field(root, "genesis_fork_version", out->fork, sizeof out->fork)) {
			snprintf(why, cap, "genesis_fork_version must be 4 bytes in hex");
			return 400;
		}
	} else if (many) {
		eth2_network_genesis_fork_version(net, out->fork);
	} else {
		snprintf(why, cap, "genesis_fork_version is required");
		return 400;
	}
	out->network = network_name_of(net, out->fork);
	if (!out->network) {
		char fv[11];
		hex_encode(fv, out->fork, 4, true);
		snprintf(why, cap,
			 "genesis_fork_version %s is of no network this signer knows (mainnet, "
			 "sepolia, holesky, hoodi, gnosis or the configured network); a deposit "
			 "signed for another network is lost",
			 fv);
		return 400;
	}
	size_t n = many ? json_array_size(many) : 1;
	if (many && (!json_is_array(many) || n == 0 || n > DEPOSIT_MAX_PER_REQUEST)) {
		snprintf(why, cap, "deposits must be a list of 1 to %u deposits",
			 DEPOSIT_MAX_PER_REQUEST);
		return 400;
	}
	out->ms = calloc(n, sizeof *out->ms);
	if (!out->ms) {
		snprintf(why, cap, "Out of memory");
		return 500;
	}
	out->n = n;
	char w[200];
	for (size_t i = 0; i < n; i++) {
		if (!parse_deposit(many ? json_array_get(many, i) : one, &out->ms[i], w, sizeof w)) {
			if (many)
				snprintf(why, cap, "deposits[%zu]: %s; nothing was signed", i, w);
			else
				snprintf(why, cap, "deposit: %s", w);
			free(out->ms);
			memset(out, 0, sizeof *out);
			return 400;
		}
	}
	return 0;
}

void api_handle_deposit(http_request *req, void *app)
{
	api *a = app;
	json_t *root = api_parse_object(req);
	if (!root)
		return;
	api_deposit_body b;
	char why[API_WHY_MAX];
	int status = api_deposit_parse(root, a->cfg.net, &b, why, sizeof why);
	json_decref(root);
	if (status != 0) {
		http_reply_error(req, (unsigned)status, "%s", why);
		return;
	}
	eth2_deposit_message *ms = b.ms;
	size_t n = b.n;
	json_t *out = NULL;
	/* every key first: an unknown key refuses the request before anything is signed */
	for (size_t i = 0; i < n; i++)
		if (!keys_contains(a->cfg.keys, ms[i].pubkey)) {
			char pk[99];
			api_pubkey_hex(pk, ms[i].pubkey);
			char at[32] = "deposit";
			if (b.many)
				snprintf(at, sizeof at, "deposits[%zu]", i);
			http_reply_error(req, 404, "%s: no key %s in this signer; nothing was signed",
					 at, pk);
			goto out;
		}
	out = json_array();
	for (size_t i = 0; i < n; i++) {
		uint8_t sig[SIGNER_SIGNATURE_BYTES];
		signer_result res;
		signer_status st = signer_sign_deposit(a->cfg.signer, &ms[i], b.fork, sig, &res);
		if (st != SIGNER_OK) {
			http_reply_error(req, api_signer_http_status(st), "%s", res.message);
			goto out;
		}
		json_array_append_new(out, deposit_json(&ms[i], sig, b.fork, b.network));
	}
	if (b.many) {
		http_reply_json(req, 200, out);
	} else {
		http_reply_json(req, 200, json_incref(json_array_get(out, 0)));
		json_decref(out);
	}
	out = NULL;
out:
	json_decref(out);
	free(ms);
}
