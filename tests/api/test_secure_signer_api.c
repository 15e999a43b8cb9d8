/* End to end: Secure-Signer's own routes (reference/secure-signer.md §2.2, issue 13) on the
 * real binary over HTTP: the slashing history (GET equals `secure-signer slashing export`
 * byte for byte, POST refuses what `slashing import` refuses and changes nothing), and
 * deposit data (the launchpad's format, signatures that verify, every refusal rule).
 * The cross-checks against independent implementations (eciesjs, @lodestar/types,
 * @chainsafe/blst) are in npm-secure-signer/. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../server/http_client.h"
#include "crypto/bls.h"
#include "eth2/eth2.h"
#include "sign_bodies.h"
#include "raw_keys.h"
#include "signer_proc.h"
#include "test.h"
#include "util/hex.h"
#include "vectors.h"

#define BODY(r) ((r).body ? (r).body : "")
static const char *const KM_FLAGS[] = { "--key-manager-api-enabled", NULL };
/* ... and a simulated TEE, for attested key generation */
static const char *const SIM_FLAGS[] = { "--key-manager-api-enabled", "--tee=sim", NULL };

/* Three file-raw keys: sk_hex[i] / pk_hex[i] (pk_raw[i]). */
static raw_keys test_keys;
#define sk_hex test_keys.sk_hex
#define pk_hex test_keys.pk_hex
#define pk_raw test_keys.pk

static void make_keys(void)
{
	raw_keys_make(&test_keys, 3, 0x1a, 0x31, 7, 13);
}

static bool start(signer_proc *p, const char *const *flags)
{
	CHECK(sp_init(p));
	CHECK(raw_keys_add(p, &test_keys, 3, "k"));
	if (!sp_start(p, flags)) {
		CHECK_MSG(0, "secure-signer did not start (dir %s)", p->dir);
		return false;
	}
	return true;
}

static char auth_hdr[200];
static const char *auth(const signer_proc *p)
{
	snprintf(auth_hdr, sizeof auth_hdr,
		 "Authorization: Bearer %s\r\nAccept: application/json\r\n", p->token);
	return auth_hdr;
}

/* POST /api/v1/eth2/sign/<pk> (pk as "0x…"); the status. */
static int sign_as(const signer_proc *p, const char *pk, const char *body)
{
	char path[700];
	snprintf(path, sizeof path, "/api/v1/eth2/sign/%s", pk);
	hc_response r;
	int st = hc_request(p->port, "POST", path, "Accept: application/json\r\n", body,
			    strlen(body), &r);
	hc_free(&r);
	return st;
}

static int sign(const signer_proc *p, int k, const char *body)
{
	return sign_as(p, pk_hex[k], body);
}

static int sign_att(const signer_proc *p, int k, unsigned long s, unsigned long t, unsigned b)
{
	char body[2048];
	sb_attestation(body, sizeof body, s, t, b);
	return sign(p, k, body);
}

/* GET /api/v1/eth2/slashing-protection[query]: the body (malloc'ed) or NULL; *status. */
static char *get_history(const signer_proc *p, const char *query, int *status, size_t *len)
{
	char path[600];
	snprintf(path, sizeof path, "/api/v1/eth2/slashing-protection%s", query ? query : "");
	hc_response r;
	*status = hc_request(p->port, "GET", path, auth(p), NULL, 0, &r);
	char *b = NULL;
	if (r.body) {
		b = malloc(r.body_len + 1);
		memcpy(b, r.body, r.body_len);
		b[r.body_len] = '\0';
		*len = r.body_len;
	}
	hc_free(&r);
	return b;
}

static int post(const signer_proc *p, const char *path, const char *body, char *out,
		size_t cap)
{
	hc_response r;
	int st = hc_request(p->port, "POST", path, auth(p), body, strlen(body), &r);
	if (out)
		snprintf(out, cap, "%s", BODY(r));
	hc_free(&r);
	return st;
}

/* ---- the slashing history over HTTP ------------------------------------------------- */

/* The test keys an interchange's "data" holds, one bit per key (bit k: pk_hex[k]);
 * 0x100 for an entry of any other key or a key listed twice. */
static unsigned history_keys(json_t *interchange)
{
	unsigned bits = 0;
	size_t i;
	json_t *e;
	json_array_foreach(json_object_get(interchange, "data"), i, e) {
		const char *pk = json_string_value(json_object_get(e, "pubkey"));
		unsigned bit = 0x100;
		for (int k = 0; k < 3 && pk; k++)
			if (strcasecmp(pk, pk_hex[k]) == 0)
				bit = 1u << k;
		bits |= bits & bit ? 0x100 : bit;
	}
	return bits;
}

TEST(slashing_history_get_equals_cli_export_byte_for_byte)
{
	make_keys();
	signer_proc p;
	if (!start(&p, KM_FLAGS))
		goto out;
	CHECK_EQ_U64(sign_att(&p, 0, 3, 4, 1), 200);
	CHECK_EQ_U64(sign_att(&p, 1, 5, 9, 2), 200);
	char body[2048];
	sb_block(body, sizeof body, 77, 3);
	CHECK_EQ_U64(sign(&p, 2, body), 200);

	int st = 0;
	size_t all_len = 0, one_len = 0, n;
	char *all = get_history(&p, NULL, &st, &all_len);
	CHECK_EQ_U64(st, 200);
	char q[300];
	snprintf(q, sizeof q, "?pubkey=%s,%s", pk_hex[1], pk_hex[2]);
	char *some = get_history(&p, q, &st, &one_len);
	CHECK_EQ_U64(st, 200);
	/* bad input: a clear 400; no token: 401 */
	char *bad = get_history(&p, "?pubkey=0x1234", &st, &n);
	CHECK_EQ_U64(st, 400);
	CHECK_MSG(bad && strstr(bad, "48-byte"), "%s", bad ? bad : "");
	free(bad);
	hc_response r;
	CHECK_EQ_U64(hc_request(p.port, "GET", "/api/v1/eth2/slashing-protection", NULL, NULL, 0,
				&r), 401);
	hc_free(&r);
	CHECK_EQ_U64(sp_stop(&p), 0);

	/* the CLI on the stopped signer's database writes the same bytes */
	char dd[400], file[400], file2[400], keys[300], outbuf[2048];
	snprintf(dd, sizeof dd, "--data-dir=%s", p.data_dir);
	snprintf(file, sizeof file, "%s/export.json", p.dir);
	snprintf(file2, sizeof file2, "%s/export2.json", p.dir);
	snprintf(keys, sizeof keys, "%s,%s", pk_hex[1], pk_hex[2]);
	const char *exp[] = { "slashing", "export", dd, "--to", file, NULL };
	CHECK_MSG(sp_run_cli(exp, NULL, outbuf, sizeof outbuf) == 0, "%s", outbuf);
	const char *exp2[] = { "slashing", "export", dd, "--to", file2, "--pubkeys", keys, NULL };
	CHECK_MSG(sp_run_cli(exp2, NULL, outbuf, sizeof outbuf) == 0, "%s", outbuf);
	size_t f_len = 0, f2_len = 0;
	char *f = test_read_file(file, &f_len), *f2 = test_read_file(file2, &f2_len);
	CHECK(all && f && all_len == f_len && memcmp(all, f, f_len) == 0);
	CHECK(some && f2 && one_len == f2_len && memcmp(some, f2, f2_len) == 0);
	/* and it is the history: the three keys, and the filtered export the two asked for */
	json_t *j = all ? json_loads(all, 0, NULL) : NULL, *j2 = some ? json_loads(some, 0, NULL) : NULL;
	CHECK(history_keys(j) == 07);
	CHECK(history_keys(j2) == 06);
	json_decref(j);
	json_decref(j2);
	free(f);
	free(f2);
	free(all);
	free(some);
out:
	sp_cleanup(&p);
}

/* On a network whose genesis validators root the signer does not know (minimal), the
 * store stays unbound until the first request pins it: until then there is no history
 * of any chain to export, and GET says so (404) rather than answering an interchange
 * with an invented root. */
TEST(slashing_history_get_is_404_before_a_chain_is_pinned)
{
	make_keys();
	signer_proc p;
	const char *const flags[] = { "--key-manager-api-enabled", "--network=minimal", NULL };
	if (!start(&p, flags))
		goto out;
	int st = 0;
	size_t len = 0;
	char *b = get_history(&p, NULL, &st, &len);
	CHECK_MSG(st == 404 && b && strstr(b, "empty"), "%d %s", st, b ? b : "");
	free(b);
	CHECK_EQ_U64(sp_stop(&p), 0);
out:
	sp_cleanup(&p);
}

/* An interchange for key k holding attestations (s, t, root byte) and nothing else. */
static void interchange(char *out, size_t cap, const char *gvr, int k, const char *atts)
{
	snprintf(out, cap,
		 "{\"metadata\":{\"interchange_format_version\":\"5\",\"genesis_validators_root\":"
		 "\"%s\"},\"data\":[{\"pubkey\":\"%s\",\"signed_blocks\":[],"
		 "\"signed_attestations\":[%s]}]}",
		 gvr, pk_hex[k], atts);
}

TEST(slashing_history_post_imports_with_the_cli_rules)
{
	make_keys();
	signer_proc p;
	if (!start(&p, KM_FLAGS))
		goto out;
	CHECK_EQ_U64(sign_att(&p, 0, 3, 4, 1), 200);
	int st = 0;
	size_t before_len = 0, after_len = 0;
	char *before = get_history(&p, NULL, &st, &before_len);
	CHECK_EQ_U64(st, 200);

	/* refused whole: a double vote inside the file, a vote surrounding the stored one,
	 * another network's root, and malformed text; the history is unchanged after each */
	char ic[4][2048], msg[1024];
	const char *r1 = "\"0x1111111111111111111111111111111111111111111111111111111111111111\"";
	const char *r2 = "\"0x2222222222222222222222222222222222222222222222222222222222222222\"";
	char atts[512];
	snprintf(atts, sizeof atts,
		 "{\"source_epoch\":\"10\",\"target_epoch\":\"20\",\"signing_root\":%s},"
		 "{\"source_epoch\":\"11\",\"target_epoch\":\"20\",\"signing_root\":%s}", r1, r2);
	interchange(ic[0], sizeof ic[0], SB_GVR, 1, atts);
	snprintf(atts, sizeof atts,
		 "{\"source_epoch\":\"2\",\"target_epoch\":\"5\",\"signing_root\":%s}", r1);
	interchange(ic[1], sizeof ic[1], SB_GVR, 0, atts);
	snprintf(atts, sizeof atts,
		 "{\"source_epoch\":\"50\",\"target_epoch\":\"60\",\"signing_root\":%s}", r1);
	interchange(ic[2], sizeof ic[2],
		    "0x0000000000000000000000000000000000000000000000000000000000000042", 2, atts);
	snprintf(ic[3], sizeof ic[3], "{\"metadata\": {\"interchange_format_version\": \"5\"");
	const int want[] = { 409, 409, 409, 400 };
	for (int i = 0; i < 4; i++) {
		st = post(&p, "/api/v1/eth2/slashing-protection", ic[i], msg, sizeof msg);
		CHECK_MSG(st == want[i], "case %d: %d %s", i, st, msg);
		CHECK_MSG(strstr(msg, "nothing was imported") != NULL, "case %d: %s", i, msg);
	}
	char *after = get_history(&p, NULL, &st, &after_len);
	CHECK(before && after && before_len == after_len && memcmp(before, after, after_len) == 0);
	free(after);

	/* a good file imports while the signer runs and protects at once */
	snprintf(atts, sizeof atts,
		 "{\"source_epoch\":\"10\",\"target_epoch\":\"20\",\"signing_root\":%s}", r1);
	char good[2048];
	interchange(good, sizeof good, SB_GVR, 1, atts);
	st = post(&p, "/api/v1/eth2/slashing-protection", good, msg, sizeof msg);
	CHECK_MSG(st == 200, "%d %s", st, msg);
	CHECK_EQ_U64(sign_att(&p, 1, 12, 15, 1), 412); /* surrounded by (10, 20) */
	CHECK_EQ_U64(sign_att(&p, 1, 20, 21, 1), 200);
	CHECK_EQ_U64(sp_stop(&p), 0);

	/* the CLI refuses the same files */
	char dd[400], file[400], outbuf[2048];
	snprintf(dd, sizeof dd, "--data-dir=%s", p.data_dir);
	snprintf(file, sizeof file, "%s/refused.json", p.dir);
	for (int i = 0; i < 4; i++) {
		CHECK(test_write_text(file, ic[i]));
		const char *imp[] = { "slashing", "import", dd, "--from", file, NULL };
		CHECK_MSG(sp_run_cli(imp, NULL, outbuf, sizeof outbuf) == 1, "case %d: %s", i, outbuf);
		CHECK_MSG(strstr(outbuf, "nothing was imported") != NULL, "case %d: %s", i, outbuf);
	}
	free(before);
out:
	sp_cleanup(&p);
}

/* ---- deposit data ------------------------------------------------------------------- */

static const char WC01[] = "0x010000000000000000000000a94f5374fce5edbc8e2a8697c15331677e6ebf0b";

/* POST /api/v1/eth2/deposit; the parsed reply (NULL unless JSON) and *status. */
static json_t *deposit(const signer_proc *p, const char *body, int *status, char *msg,
		       size_t cap)
{
	hc_response r;
	*status = hc_request(p->port, "POST", "/api/v1/eth2/deposit", auth(p), body, strlen(body),
			     &r);
	snprintf(msg, cap, "%s", BODY(r));
	json_t *j = json_loads(BODY(r), 0, NULL);
	hc_free(&r);
	return j;
}

static bool hex_member(json_t *o, const char *name, uint8_t *out, size_t len)
{
	const char *s = json_string_value(json_object_get(o, name));
	/* the launchpad's format: hex without 0x */
	return s && strncmp(s, "0x", 2) != 0 && hex_decode(out, len, s, strlen(s), HEX_PREFIX_FORBIDDEN) == SS_OK;
}

/* One entry of the answer against the request: the signature verifies over the deposit
 * signing root of fork, and the roots are the deposit's. */
static void check_entry(json_t *e, int k, const char *wc_hex, uint64_t amount,
			const uint8_t fork[4], const char *network)
{
	eth2_deposit_message m;
	uint8_t sig[96], mr[32], dr[32], fv[4], want[32];
	CHECK(hex_member(e, "pubkey", m.pubkey, 48) && memcmp(m.pubkey, pk_raw[k], 48) == 0);
	CHECK(hex_member(e, "withdrawal_credentials", m.withdrawal_credentials, 32));
	uint8_t wc[32];
	CHECK(hex_decode(wc, 32, wc_hex, strlen(wc_hex), HEX_PREFIX_OPTIONAL) == SS_OK);
	CHECK(memcmp(wc, m.withdrawal_credentials, 32) == 0);
	CHECK(json_is_integer(json_object_get(e, "amount")));
	m.amount = (uint64_t)json_integer_value(json_object_get(e, "amount"));
	CHECK_EQ_U64(m.amount, amount);
	CHECK(hex_member(e, "signature", sig, 96));
	CHECK(hex_member(e, "deposit_message_root", mr, 32));
	CHECK(hex_member(e, "deposit_data_root", dr, 32));
	CHECK(hex_member(e, "fork_version", fv, 4) && memcmp(fv, fork, 4) == 0);
	const char *nn = json_string_value(json_object_get(e, "network_name"));
	CHECK_MSG(nn && strcmp(nn, network) == 0, "network_name %s", nn ? nn : "(none)");
	CHECK(json_is_string(json_object_get(e, "deposit_cli_version")));
	eth2_deposit_message_root(want, &m);
	CHECK(memcmp(want, mr, 32) == 0);
	eth2_deposit_data_root(want, &m, sig);
	CHECK(memcmp(want, dr, 32) == 0);
	eth2_deposit_signing_root(want, &m, fork);
	CHECK(bls_verify_vartime(m.pubkey, want, 32, sig));
}

TEST(deposit_data_in_the_launchpad_format)
{
	make_keys();
	/* the fields of a real deposit-CLI file are the fields we answer */
	char vpath[512];
	json_t *vec = NULL;
	if (vectors_require() &&
	    vectors_path(vpath, sizeof vpath, "deposit-data/ethstaker-docs-deposit_data-hoodi.json"))
		vec = json_load_file(vpath, 0, NULL);
	CHECK(json_is_array(vec));
	signer_proc p;
	if (!start(&p, KM_FLAGS))
		goto out;
	char body[4096], msg[65536];
	int st;
	/* the original's one-key shape, with its quoted amount, on hoodi */
	snprintf(body, sizeof body,
		 "{\"signingRoot\": \"0x00\", \"genesis_fork_version\": \"0x10000910\", "
		 "\"deposit\": {\"pubkey\": \"%s\", \"withdrawal_credentials\": \"%s\", "
		 "\"amount\": \"32000000000\"}}", pk_hex[0], WC01);
	json_t *one = deposit(&p, body, &st, msg, sizeof msg);
	CHECK_MSG(st == 200 && json_is_object(one), "%d %s", st, msg);
	const uint8_t hoodi[4] = { 0x10, 0x00, 0x09, 0x10 }, mainnet[4] = { 0, 0, 0, 0 };
	check_entry(one, 0, WC01, 32000000000ull, hoodi, "hoodi");
	const char *key;
	json_t *v;
	json_t *ref = json_array_get(vec, 0);
	json_object_foreach(ref, key, v) {
		if (strcmp(key, "deposit_cli_version") == 0)
			continue;
		CHECK_MSG(json_object_get(one, key) != NULL, "missing %s", key);
		CHECK_MSG(json_typeof(json_object_get(one, key)) == json_typeof(v), "type of %s", key);
	}
	CHECK_EQ_U64(json_object_size(one), json_object_size(ref));
	json_decref(one);

	/* many keys, default network (mainnet), 0x00 and 0x02 credentials */
	const char *wc0 = "0x00aa000000000000000000000000000000000000000000000000000000000011";
	const char *wc2 = "0x020000000000000000000000a94f5374fce5edbc8e2a8697c15331677e6ebf0b";
	snprintf(body, sizeof body,
		 "{\"deposits\": [{\"pubkey\": \"%s\", \"withdrawal_credentials\": \"%s\", "
		 "\"amount\": 1000000000}, {\"pubkey\": \"%s\", \"withdrawal_credentials\": \"%s\", "
		 "\"amount\": \"2048000000000\"}]}", pk_hex[1], wc0, pk_hex[2], wc2);
	json_t *many = deposit(&p, body, &st, msg, sizeof msg);
	CHECK_MSG(st == 200 && json_array_size(many) == 2, "%d %s", st, msg);
	check_entry(json_array_get(many, 0), 1, wc0, 1000000000ull, mainnet, "mainnet");
	check_entry(json_array_get(many, 1), 2, wc2, 2048000000000ull, mainnet, "mainnet");
	json_decref(many);

	/* refusals, each naming what is wrong; nothing is signed */
	struct {
		const char *pk, *wc, *amount, *fork;
		int status;
		const char *says;
	} bad[] = {
		{ pk_hex[0], WC01, "999999999", "0x00000000", 400, "minimum" },
		{ pk_hex[0], "0x030000000000000000000000a94f5374fce5edbc8e2a8697c15331677e6ebf0b",
		  "32000000000", "0x00000000", 400, "0x03" },
		{ pk_hex[0], "0x010000000000000000000001a94f5374fce5edbc8e2a8697c15331677e6ebf0b",
		  "32000000000", "0x00000000", 400, "11 zero bytes" },
		{ pk_hex[0], "0x0100", "32000000000", "0x00000000", 400, "32 bytes" },
		{ "0xa99a76ed7796f7be22d5b7e85deeb7c5677e88e511e0b337618f8c4eb61349b4bf2d153f649f7b53359fe8b94a38e44c",
		  WC01, "32000000000", "0x00000000", 404, "no key" },
		{ pk_hex[0], WC01, "32000000000", "0x12345678", 400, "no network" },
		{ pk_hex[0], WC01, "-1", "0x00000000", 400, "amount" },
		{ pk_hex[0], WC01, "9223372036854775808", "0x00000000", 400, "not a possible deposit" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		snprintf(body, sizeof body,
			 "{\"genesis_fork_version\": \"%s\", \"deposits\": [{\"pubkey\": \"%s\", "
			 "\"withdrawal_credentials\": \"%s\", \"amount\": \"32000000000\"}, "
			 "{\"pubkey\": \"%s\", \"withdrawal_credentials\": \"%s\", \"amount\": \"%s\"}]}",
			 bad[i].fork, pk_hex[1], WC01, bad[i].pk, bad[i].wc, bad[i].amount);
		json_t *j = deposit(&p, body, &st, msg, sizeof msg);
		CHECK_MSG(st == bad[i].status && strstr(msg, bad[i].says), "case %zu: %d %s", i, st,
			  msg);
		json_decref(j);
	}
	json_t *j = deposit(&p, "{\"deposits\": []}", &st, msg, sizeof msg);
	CHECK_EQ_U64(st, 400);
	json_decref(j);
	/* the original's one-key shape names its network: no default to sign for */
	snprintf(body, sizeof body,
		 "{\"deposit\": {\"pubkey\": \"%s\", \"withdrawal_credentials\": \"%s\", "
		 "\"amount\": \"32000000000\"}}", pk_hex[0], WC01);
	j = deposit(&p, body, &st, msg, sizeof msg);
	CHECK_MSG(st == 400 && strstr(msg, "genesis_fork_version is required"), "%d %s", st, msg);
	json_decref(j);
	j = deposit(&p, "{\"deposit\": {}, \"deposits\": []}", &st, msg, sizeof msg);
	CHECK_EQ_U64(st, 400);
	json_decref(j);
	/* behind the Keymanager token */
	hc_response r;
	CHECK_EQ_U64(hc_request(p.port, "POST", "/api/v1/eth2/deposit", NULL, "{}", 2, &r), 401);
	hc_free(&r);
	CHECK_EQ_U64(sp_stop(&p), 0);
out:
	json_decref(vec);
	sp_cleanup(&p);
}

/* ---- attested key generation (--tee sim) ------------------------------------------- */

/* `secure-signer evidence verify [--allow-simulated] --evidence <obj>`: exit status;
 * out gets what it printed. */
static int verify_obj(const signer_proc *p, json_t *obj, bool allow_sim, char *out, size_t cap)
{
	char file[400];
	snprintf(file, sizeof file, "%s/evidence-%d.json", p->dir, rand());
	char *text = json_dumps(obj, JSON_COMPACT);
	CHECK(text && test_write_text(file, text));
	free(text);
	const char *with[] = { "evidence", "verify", "--allow-simulated", "--evidence", file, NULL };
	const char *without[] = { "evidence", "verify", "--evidence", file, NULL };
	int st = sp_run_cli(allow_sim ? with : without, NULL, out, cap);
	unlink(file);
	return st;
}

static int sign_slot(const signer_proc *p, const char *pk)
{
	char body[1024];
	sb_aggregation_slot(body, sizeof body, 1234);
	return sign_as(p, pk, body);
}

TEST(attested_bls_keygen_binds_the_keys_in_order)
{
	make_keys();
	signer_proc p;
	if (!start(&p, SIM_FLAGS))
		goto out;
	char msg[200000], out[65536];
	const char *nonce = "0x5eed000000000000000000000000000000000000000000000000000000000001";
	char body[256];
	snprintf(body, sizeof body, "{\"count\": 5, \"nonce\": \"%s\"}", nonce);
	int st = post(&p, "/eth/v1/keygen/bls", body, msg, sizeof msg);
	CHECK_MSG(st == 200, "%d %.300s", st, msg);
	json_t *o = json_loads(msg, 0, NULL);
	json_t *ev = json_object_get(o, "evidence"), *data = json_object_get(o, "data");
	json_t *pks = json_object_get(ev, "pubkeys");
	CHECK_EQ_U64(json_array_size(data), 5);
	CHECK_EQ_U64(json_array_size(pks), 5);
	CHECK(json_equal(json_object_get(o, "pk_hex"), json_array_get(pks, 0)));
	CHECK(strcmp(json_string_value(json_object_get(ev, "type")) ?: "", "simulated") == 0);
	CHECK(strcmp(json_string_value(json_object_get(ev, "binding")) ?: "",
		     "secure-signer/keygen/bls/v1") == 0);
	CHECK(strcmp(json_string_value(json_object_get(ev, "nonce")) ?: "", nonce) == 0);
	char gen[5][99];
	for (size_t i = 0; i < 5; i++) {
		snprintf(gen[i], sizeof gen[i], "%s",
			 json_string_value(json_object_get(json_array_get(data, i), "pubkey")) ?: "");
		CHECK(strcmp(gen[i], json_string_value(json_array_get(pks, i)) ?: "") == 0);
		CHECK_MSG(sign_slot(&p, gen[i]) == 200, "generated key %zu signs at once", i);
	}
	/* the evidence verifies and binds exactly those keys in that order */
	st = verify_obj(&p, o, true, out, sizeof out);
	CHECK_MSG(st == 0 && strstr(out, "\"valid\": true"), "%d %.600s", st, out);
	CHECK_MSG(verify_obj(&p, o, false, out, sizeof out) == 2, "simulated refused: %.300s", out);
	/* tampered: two keys swapped (in the list and in data), one key replaced, the nonce */
	json_t *t = json_deep_copy(o);
	json_t *tp = json_object_get(json_object_get(t, "evidence"), "pubkeys"), *td = json_object_get(t, "data");
	json_t *a1 = json_incref(json_array_get(tp, 1)), *a2 = json_incref(json_array_get(tp, 2));
	json_array_set_new(tp, 1, a2);
	json_array_set_new(tp, 2, a1);
	json_t *d1 = json_incref(json_array_get(td, 1)), *d2 = json_incref(json_array_get(td, 2));
	json_array_set_new(td, 1, d2);
	json_array_set_new(td, 2, d1);
	CHECK_EQ_U64(verify_obj(&p, t, true, out, sizeof out), 1);
	CHECK_MSG(strstr(out, "key_binding"), "%.600s", out);
	json_decref(t);
	t = json_deep_copy(o);
	json_object_del(t, "data");
	json_array_set_new(json_object_get(json_object_get(t, "evidence"), "pubkeys"), 4,
			   json_string(pk_hex[0]));
	CHECK_EQ_U64(verify_obj(&p, t, true, out, sizeof out), 1);
	json_decref(t);
	t = json_deep_copy(o);
	json_object_set_new(json_object_get(t, "evidence"), "nonce", json_string(
		"0x5eed000000000000000000000000000000000000000000000000000000000002"));
	CHECK_EQ_U64(verify_obj(&p, t, true, out, sizeof out), 1);
	json_decref(t);

	/* bad requests generate nothing */
	const char *bad[] = { "{\"count\": 0}", "{\"count\": 1001}", "{\"count\": \"2\"}",
			      "{\"nonce\": \"0x12\"}", "[1]" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		st = post(&p, "/eth/v1/keygen/bls", bad[i], msg, sizeof msg);
		CHECK_MSG(st == 400, "%s: %d %s", bad[i], st, msg);
	}
	hc_response r;
	CHECK_EQ_U64(hc_request(p.port, "GET", "/api/v1/eth2/publicKeys", NULL, NULL, 0, &r), 200);
	json_t *all = json_loads(BODY(r), 0, NULL);
	CHECK_EQ_U64(json_array_size(all), 3 + 5);
	json_decref(all);
	hc_free(&r);
	/* the most keys one call makes: 1000, in one object the verifier reads */
	static char big[1 << 20];
	st = post(&p, "/eth/v1/keygen/bls", "{\"count\": 1000}", big, sizeof big);
	CHECK_MSG(st == 200, "%d %.300s", st, big);
	json_t *thousand = json_loads(big, 0, NULL);
	CHECK_EQ_U64(json_array_size(json_object_get(thousand, "data")), 1000);
	st = verify_obj(&p, thousand, true, out, sizeof out);
	CHECK_MSG(st == 0, "%d %.300s", st, out);
	json_decref(thousand);
	/* no body: one key, zero nonce */
	st = post(&p, "/eth/v1/keygen/bls", "", msg, sizeof msg);
	CHECK_MSG(st == 200, "%d %.300s", st, msg);
	json_t *one = json_loads(msg, 0, NULL);
	CHECK_EQ_U64(json_array_size(json_object_get(one, "data")), 1);
	CHECK_EQ_U64(verify_obj(&p, one, true, out, sizeof out), 0);
	json_decref(one);
	CHECK_EQ_U64(sp_stop(&p), 0);

	/* after a restart the generated keys still sign, attestations too */
	if (!sp_start(&p, SIM_FLAGS)) {
		CHECK_MSG(0, "secure-signer did not restart");
		json_decref(o);
		goto out;
	}
	char att[2048];
	sb_attestation(att, sizeof att, 1, 2, 1);
	for (size_t i = 0; i < 5; i++)
		CHECK_MSG(sign_as(&p, gen[i], att) == 200, "generated key %zu after a restart", i);
	json_decref(o);
	CHECK_EQ_U64(sp_stop(&p), 0);
out:
	sp_cleanup(&p);
}

TEST(attested_secp256k1_keygen_and_its_evidence)
{
	make_keys();
	signer_proc p;
	if (!start(&p, SIM_FLAGS))
		goto out;
	char msg[200000], out[65536];
	int st = post(&p, "/eth/v1/keygen/secp256k1", "", msg, sizeof msg);
	CHECK_MSG(st == 200, "%d %.300s", st, msg);
	json_t *o = json_loads(msg, 0, NULL);
	const char *pk = json_string_value(json_object_get(o, "pk_hex"));
	CHECK(pk && strlen(pk) == 68 && (strncmp(pk, "0x02", 4) == 0 || strncmp(pk, "0x03", 4) == 0));
	json_t *ev = json_object_get(o, "evidence");
	CHECK(strcmp(json_string_value(json_object_get(ev, "binding")) ?: "",
		     "secure-signer/keygen/secp256k1/v1") == 0);
	st = verify_obj(&p, o, true, out, sizeof out);
	CHECK_MSG(st == 0 && strstr(out, pk ? pk : "?"), "%d %.600s", st, out);
	/* another key claimed: the binding fails */
	json_t *t = json_deep_copy(o);
	char other[69];
	snprintf(other, sizeof other, "%s", pk ? pk : "");
	other[67] = other[67] == '0' ? '1' : '0';
	json_object_set_new(t, "pk_hex", json_string(other));
	json_object_set_new(json_object_get(t, "evidence"), "pubkeys", json_pack("[s]", other));
	CHECK_EQ_U64(verify_obj(&p, t, true, out, sizeof out), 1);
	json_decref(t);
	/* a second key; GET lists both, oldest first, and so after a restart */
	st = post(&p, "/eth/v1/keygen/secp256k1",
		  "{\"nonce\": \"0x0101010101010101010101010101010101010101010101010101010101010101\"}",
		  msg, sizeof msg);
	CHECK_EQ_U64(st, 200);
	json_t *o2 = json_loads(msg, 0, NULL);
	CHECK_EQ_U64(verify_obj(&p, o2, true, out, sizeof out), 0);
	CHECK_EQ_U64(post(&p, "/eth/v1/keygen/secp256k1", "{\"count\": 2}", msg, sizeof msg), 400);
	char want[400];
	snprintf(want, sizeof want, "{\"data\": [{\"pubkey\": \"%s\"}, {\"pubkey\": \"%s\"}]}",
		 pk ? pk : "", json_string_value(json_object_get(o2, "pk_hex")) ?: "");
	json_t *jw = json_loads(want, 0, NULL);
	for (int round = 0; round < 2; round++) {
		hc_response r;
		CHECK_EQ_U64(hc_request(p.port, "GET", "/eth/v1/keygen/secp256k1", auth(&p), NULL, 0,
					&r), 200);
		json_t *got = json_loads(BODY(r), 0, NULL);
		CHECK_MSG(json_equal(got, jw), "round %d: %s", round, BODY(r));
		json_decref(got);
		hc_free(&r);
		CHECK_EQ_U64(sp_stop(&p), 0);
		if (round == 0 && !sp_start(&p, SIM_FLAGS)) {
			CHECK_MSG(0, "secure-signer did not restart");
			break;
		}
	}
	json_decref(jw);
	json_decref(o2);
	json_decref(o);
out:
	sp_cleanup(&p);
}

/* ---- secure-signer client ------------------------------------------------------------ */

#define KS1_PK "0x98d083489b3b06b8740da2dfec5cc3c01b2086363fe023a9d7dc1f907633b1ff11f7b99b19e0533e969862270061d884"
#define KS2_PK "0xa46bf94016af71e55ca0518fe6a8bd3852e01b3f959780a4faf3bbe461ac553c0a83f232cc5f2a4b827d8d3455b706e4"

TEST(client_keygen_import_encrypted_and_deposit)
{
	make_keys();
	char ks1[512], ks2[512];
	if (!vectors_require() ||
	    !vectors_path(ks1, sizeof ks1, "eip2335-keystore/web3signer/valid/bls_keystore.json") ||
	    !vectors_path(ks2, sizeof ks2, "eip2335-keystore/web3signer/valid/bls_keystore_2.json")) {
		CHECK_MSG(0, "keystore vectors missing");
		return;
	}
	signer_proc p;
	if (!start(&p, SIM_FLAGS))
		goto out;
	char url[64], tok[400], outf[400], pw1[400], pw2[400], out[65536];
	snprintf(url, sizeof url, "http://127.0.0.1:%u", p.port);
	snprintf(tok, sizeof tok, "%s/keymanager.token", p.data_dir);
	snprintf(outf, sizeof outf, "%s/keygen.json", p.dir);
	snprintf(pw1, sizeof pw1, "%s/pw1.txt", p.dir);
	snprintf(pw2, sizeof pw2, "%s/pw2.txt", p.dir);
	CHECK(test_write_text(pw1, "somepassword\n") && test_write_text(pw2, "otherpassword\n"));

	/* keygen: simulated evidence is refused unless allowed, and then nothing is written */
	const char *kg_strict[] = { "client", "keygen", "--url", url, "--token-file", tok,
				    "--count", "3", "--verify", "--out", outf, NULL };
	CHECK_MSG(sp_run_cli(kg_strict, NULL, out, sizeof out) == 1 && strstr(out, "does not verify"), "%s", out);
	/* verified in memory: the report names the object, not a temporary file */
	CHECK_MSG(strstr(out, "the signer's evidence object: simulated evidence") &&
			  !strstr(out, "/tmp/"), "%s", out);
	CHECK(access(outf, F_OK) != 0);
	const char *kg_mre[] = { "client", "keygen", "--url", url, "--token-file", tok, "--verify",
				 "--allow-simulated", "--expect-mrenclave",
				 "0000000000000000000000000000000000000000000000000000000000000000",
				 "--out", outf, NULL };
	CHECK_MSG(sp_run_cli(kg_mre, NULL, out, sizeof out) == 1, "%s", out);
	CHECK(access(outf, F_OK) != 0);
	const char *kg[] = { "client", "keygen", "--url", url, "--token-file", tok, "--count", "3",
			     "--verify", "--allow-simulated", "--out", outf, NULL };
	CHECK_MSG(sp_run_cli(kg, NULL, out, sizeof out) == 0, "%s", out);
	json_t *o = json_load_file(outf, 0, NULL);
	json_t *data = json_object_get(o, "data");
	CHECK_EQ_U64(json_array_size(data), 3);
	for (size_t i = 0; i < json_array_size(data); i++)
		CHECK_EQ_U64(sign_slot(&p, json_string_value(json_object_get(json_array_get(data, i),
									    "pubkey")) ?: "0x"), 200);
	json_decref(o);

	/* import-encrypted: refused to a key whose evidence fails (here: simulated, not
	 * allowed), nothing imported; then imported, and the key signs */
	const char *imp_strict[] = { "client", "import-encrypted", "--url", url, "--token-file", tok,
				     "--keystore", ks2, "--password-file", pw2, NULL };
	CHECK_MSG(sp_run_cli(imp_strict, NULL, out, sizeof out) == 1 && strstr(out, "refusing to encrypt"),
		  "%s", out);
	CHECK_EQ_U64(sign_slot(&p, KS2_PK), 404);
	const char *imp_wrong[] = { "client", "import-encrypted", "--url", url, "--token-file", tok,
				    "--keystore", ks2, "--password-file", pw1, "--allow-simulated", NULL };
	CHECK_MSG(sp_run_cli(imp_wrong, NULL, out, sizeof out) == 1, "%s", out);
	CHECK_EQ_U64(sign_slot(&p, KS2_PK), 404);
	const char *imp[] = { "client", "import-encrypted", "--url", url, "--token-file", tok,
			      "--keystore", ks1, "--password-file", pw1, "--allow-simulated", NULL };
	CHECK_MSG(sp_run_cli(imp, NULL, out, sizeof out) == 0 && strstr(out, "imported"), "%s", out);
	CHECK_EQ_U64(sign_slot(&p, KS1_PK), 200);

	/* deposit: the launchpad file for two keys, 0x01 credentials from an address */
	char keys[300];
	snprintf(keys, sizeof keys, "%s,%s", pk_hex[0], pk_hex[1]);
	snprintf(outf, sizeof outf, "%s/deposit_data.json", p.dir);
	const char *dep[] = { "client", "deposit", "--url", url, "--token-file", tok, "--pubkey", keys,
			      "--execution-address", "0xa94f5374fce5edbc8e2a8697c15331677e6ebf0b",
			      "--out", outf, NULL };
	CHECK_MSG(sp_run_cli(dep, NULL, out, sizeof out) == 0, "%s", out);
	json_t *d = json_load_file(outf, 0, NULL);
	CHECK_EQ_U64(json_array_size(d), 2);
	const uint8_t mainnet[4] = { 0, 0, 0, 0 };
	for (int i = 0; i < 2 && json_array_size(d) == 2; i++)
		check_entry(json_array_get(d, (size_t)i), i, WC01, 32000000000ull, mainnet, "mainnet");
	json_decref(d);
	const char *dep_bad[] = { "client", "deposit", "--url", url, "--token-file", tok, "--pubkey",
				  pk_hex[0], "--execution-address", "0x1234", NULL };
	CHECK_EQ_U64(sp_run_cli(dep_bad, NULL, out, sizeof out), 2);
	/* credentials one byte too long are refused by the signer, not cut to 32 bytes */
	char wc33[80];
	snprintf(wc33, sizeof wc33, "%s00", WC01);
	const char *dep_long[] = { "client", "deposit", "--url", url, "--token-file", tok,
				   "--pubkey", pk_hex[0], "--withdrawal-credentials", wc33, NULL };
	CHECK_MSG(sp_run_cli(dep_long, NULL, out, sizeof out) == 1 && strstr(out, "32 bytes"),
		  "%s", out);
	const char *bad_url[] = { "client", "deposit", "--url", "https://example", "--token-file",
				  tok, "--pubkey", pk_hex[0], "--withdrawal-credentials", WC01, NULL };
	CHECK_MSG(sp_run_cli(bad_url, NULL, out, sizeof out) == 1 && strstr(out, "http://"), "%s", out);
	CHECK_EQ_U64(sp_stop(&p), 0);
out:
	sp_cleanup(&p);
}

/* Without a TEE that attests, attested key generation is a clear 501 and makes no key:
 * never keys with fake evidence. */
TEST(keygen_without_a_tee_is_501_and_generates_nothing)
{
	make_keys();
	signer_proc p;
	const char *const flags[] = { "--key-manager-api-enabled", "--tee=none", NULL };
	if (!start(&p, flags))
		goto out;
	char msg[2048];
	int st = post(&p, "/eth/v1/keygen/bls", "{\"count\": 3}", msg, sizeof msg);
	CHECK_MSG(st == 501 && strstr(msg, "--tee"), "%d %s", st, msg);
	st = post(&p, "/eth/v1/keygen/secp256k1", "", msg, sizeof msg);
	CHECK_MSG(st == 501 && strstr(msg, "--tee"), "%d %s", st, msg);
	hc_response r;
	CHECK_EQ_U64(hc_request(p.port, "GET", "/eth/v1/keygen/secp256k1", auth(&p), NULL, 0, &r),
		     200);
	CHECK_MSG(strstr(BODY(r), "\"data\": []") || strstr(BODY(r), "\"data\":[]"), "%s", BODY(r));
	hc_free(&r);
	CHECK_EQ_U64(hc_request(p.port, "GET", "/api/v1/eth2/publicKeys", NULL, NULL, 0, &r), 200);
	json_t *keys = json_loads(BODY(r), 0, NULL);
	CHECK_EQ_U64(json_array_size(keys), 3); /* the three file keys only */
	json_decref(keys);
	hc_free(&r);
	CHECK_EQ_U64(sp_stop(&p), 0);
out:
	sp_cleanup(&p);
}

TEST(routes_are_off_without_the_keymanager_api)
{
	make_keys();
	signer_proc p;
	if (!start(&p, NULL))
		goto out;
	static const char *const paths[][2] = {
		{ "GET", "/api/v1/eth2/slashing-protection" },
		{ "POST", "/api/v1/eth2/slashing-protection" },
		{ "POST", "/api/v1/eth2/deposit" },
		{ "POST", "/eth/v1/keygen/bls" },
		{ "POST", "/eth/v1/keygen/secp256k1" },
		{ "GET", "/eth/v1/keygen/secp256k1" },
	};
	for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
		hc_response r;
		int st = hc_request(p.port, paths[i][0], paths[i][1], NULL, "{}", 2, &r);
		CHECK_MSG(st == 404, "%s %s: %d", paths[i][0], paths[i][1], st);
		hc_free(&r);
	}
	CHECK_EQ_U64(sp_stop(&p), 0);
out:
	sp_cleanup(&p);
}



/* The slashing history routes exist only with slashing protection on (routes.c): with it
 * off there is no history to give or to take, so they are 404, as the high-watermark
 * route is, while the other Keymanager-token routes stay. */
TEST(slashing_history_routes_need_slashing_protection)
{
	make_keys();
	signer_proc p;
	const char *const flags[] = { "--key-manager-api-enabled",
				      "--slashing-protection-enabled=false", NULL };
	if (!start(&p, flags))
		goto out;
	char msg[2048];
	int st = 0;
	size_t len = 0;
	free(get_history(&p, NULL, &st, &len));
	CHECK_MSG(st == 404, "GET: %d", st);
	st = post(&p, "/api/v1/eth2/slashing-protection", "{}", msg, sizeof msg);
	CHECK_MSG(st == 404, "POST: %d %s", st, msg);
	st = post(&p, "/api/v1/eth2/deposit", "{}", msg, sizeof msg);
	CHECK_MSG(st == 400, "deposit is still served: %d %s", st, msg);
	CHECK_EQ_U64(sp_stop(&p), 0);
out:
	sp_cleanup(&p);
}
