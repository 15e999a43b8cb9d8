/* End to end, over HTTP to a running `secure-signer run`: POST /api/v1/eth2/sign, the
 * batch of remote-signing-api PR #29. A batch mixing signable, slashable and unknown keys
 * gets 200 / 412 / 404 per item in request order, every signature verifies for its key,
 * and the slashing database (an EIP-3076 export) records exactly the signed ones; invalid
 * batches are 400 as a whole and record nothing; a kill -9 during a batch of attestations
 * loses no record that was answered. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "../server/http_client.h"
#include "crypto/bls.h"
#include "eth2/eth2.h"
#include "sign_bodies.h"
#include "raw_keys.h"
#include "signer_proc.h"
#include "test.h"
#include "util/hex.h"

#define N_KEYS 48
#define N_MANY 600 /* the priority test's batch */
static raw_keys test_keys;
#define sk_hex test_keys.sk_hex
#define pk_hex test_keys.pk_hex
#define pk_bin test_keys.pk

static void make_keys(void)
{
	raw_keys_make(&test_keys, N_MANY, 0x31, 0x31, 3, 17);
}

static bool start_with(signer_proc *p, int nkeys, const char *const *extra)
{
	make_keys();
	if (!sp_init(p))
		return false;
	raw_keys_add(p, &test_keys, (size_t)nkeys, "key");
	bool ok = sp_start(p, extra);
	CHECK_MSG(ok, "secure-signer did not start (dir %s)", p->dir);
	return ok;
}

static bool start(signer_proc *p, int nkeys)
{
	static const char *const none[] = { NULL };
	return start_with(p, nkeys, none);
}

/* The attestation body of sign_bodies.c without its type prefix: {"type":…} as a
 * signing_request member. */
static void batch_body(char *out, size_t cap, const int *keys, size_t n, const char *rq)
{
	size_t off = (size_t)snprintf(out, cap, "{\"identifiers\":[");
	for (size_t i = 0; i < n; i++) {
		if (keys[i] < 0) /* a key the signer does not hold */
			off += (size_t)snprintf(out + off, cap - off, "%s\"0x%096x\"", i ? "," : "", 7u);
		else
			off += (size_t)snprintf(out + off, cap - off, "%s\"%s\"", i ? "," : "",
						pk_hex[keys[i]]);
	}
	snprintf(out + off, cap - off, "],\"signing_request\":%s}", rq);
}

static int post(uint16_t port, const char *body, hc_response *r)
{
	return hc_request(port, "POST", "/api/v1/eth2/sign", "Accept: application/json\r\n", body,
			  strlen(body), r);
}

/* Single request to /sign/{key}. */
static int sign_one(uint16_t port, int k, const char *body)
{
	char path[160];
	snprintf(path, sizeof path, "/api/v1/eth2/sign/%s", pk_hex[k]);
	hc_response r;
	int st = hc_request(port, "POST", path, "Accept: application/json\r\n", body, strlen(body), &r);
	hc_free(&r);
	return st;
}

/* The EIP-3076 export of the stopped signer's database, parsed; NULL on failure. */
static json_t *export_history(signer_proc *p)
{
	static char out[8192];
	char dd[320], file[400];
	snprintf(dd, sizeof dd, "--data-dir=%s", p->data_dir);
	snprintf(file, sizeof file, "%s/export.json", p->dir);
	const char *exp[] = { "slashing", "export", dd, "--to", file, NULL };
	CHECK_MSG(sp_run_cli(exp, NULL, out, sizeof out) == 0, "export failed: %s", out);
	json_error_t je;
	json_t *j = json_load_file(file, 0, &je);
	CHECK_MSG(j != NULL, "export unreadable: %s", je.text);
	return j;
}

/* The signing roots of key k's attestations in an export ("" for none). */
static void attestation_roots(json_t *exp, int k, char *out, size_t cap)
{
	out[0] = '\0';
	size_t i;
	json_t *d;
	json_array_foreach(json_object_get(exp, "data"), i, d) {
		if (strcmp(json_string_value(json_object_get(d, "pubkey")), pk_hex[k]) != 0)
			continue;
		size_t j;
		json_t *a;
		json_array_foreach(json_object_get(d, "signed_attestations"), j, a) {
			const char *r = json_string_value(json_object_get(a, "signing_root"));
			size_t len = strlen(out);
			snprintf(out + len, cap - len, "%s%s", len ? "," : "", r ? r : "?");
		}
	}
}

static void attestation_rq(char *out, size_t cap, unsigned long source, unsigned long target,
			   unsigned root_byte)
{
	sb_attestation(out, cap, source, target, root_byte);
}

TEST(mixed_batch_statuses_signatures_and_records)
{
	static char body[65536], one[2048], rq[2048];
	signer_proc p;
	if (!start(&p, 4))
		goto out;
	/* Key 1 has already attested to target 20 with another root: the batch's vote for
	 * target 20 is a double vote for it. */
	attestation_rq(one, sizeof one, 19, 20, 0x01);
	CHECK_EQ_U64(sign_one(p.port, 1, one), 200);
	attestation_rq(rq, sizeof rq, 19, 20, 0x02);
	const int keys[] = { 0, -1, 1, 2, 3 };
	const int want[] = { 200, 404, 412, 200, 200 };
	batch_body(body, sizeof body, keys, 5, rq);
	hc_response r;
	CHECK_EQ_U64(post(p.port, body, &r), 200);
	json_t *arr = json_loads(r.body ? r.body : "", 0, NULL);
	CHECK_MSG(json_is_array(arr) && json_array_size(arr) == 5, "reply %s", r.body ? r.body : "");
	eth2_signing_request parsed;
	eth2_error err;
	CHECK(eth2_parse_signing_request(eth2_network_builtin("mainnet"), rq, strlen(rq), &parsed,
					 &err) == SS_OK);
	for (size_t i = 0; json_is_array(arr) && i < json_array_size(arr); i++) {
		json_t *it = json_array_get(arr, i);
		const char *id = json_string_value(json_object_get(it, "identifier"));
		char want_id[99];
		if (keys[i] < 0)
			snprintf(want_id, sizeof want_id, "0x%096x", 7u);
		else
			snprintf(want_id, sizeof want_id, "%s", pk_hex[keys[i]]);
		CHECK_MSG(id && strcmp(id, want_id) == 0, "item %zu: identifier %s", i, id ? id : "?");
		if (want[i] == 200) {
			const char *sig = json_string_value(json_object_get(it, "signature"));
			uint8_t s[96];
			CHECK_MSG(sig && hex_decode(s, 96, sig, strlen(sig), HEX_PREFIX_REQUIRED) == SS_OK &&
					  bls_verify_vartime(pk_bin[keys[i]], parsed.signing_root, 32, s),
				  "item %zu: no valid signature", i);
		} else {
			json_t *e = json_object_get(it, "error");
			CHECK_MSG(json_integer_value(json_object_get(e, "code")) == want[i] &&
					  json_is_string(json_object_get(e, "message")) &&
					  json_object_get(it, "signature") == NULL,
				  "item %zu: want error %d", i, want[i]);
		}
	}
	json_decref(arr);
	hc_free(&r);
	CHECK_EQ_U64(sp_stop(&p), 0);

	/* Recorded: the batch's root for keys 0, 2 and 3; key 1 keeps only its first vote. */
	json_t *exp = export_history(&p);
	char roots[1024], want_root[67];
	hex_encode(want_root, parsed.signing_root, 32, true);
	for (int k = 0; exp && k < 4; k++) {
		attestation_roots(exp, k, roots, sizeof roots);
		if (k == 1)
			CHECK_MSG(strstr(roots, want_root) == NULL && roots[0] != '\0',
				  "key 1 (refused) records %s", roots);
		else
			CHECK_MSG(strcmp(roots, want_root) == 0, "key %d records %s", k, roots);
	}
	json_decref(exp);
out:
	sp_cleanup(&p);
}

TEST(invalid_batches_are_400_and_record_nothing)
{
	static char body[1200000], rq[2048];
	signer_proc p;
	if (!start(&p, 2))
		goto out;
	/* One single attestation for key 1 elsewhere, so the database is not empty. */
	static char single[2048];
	attestation_rq(single, sizeof single, 40, 41, 0x06);
	CHECK_EQ_U64(sign_one(p.port, 1, single), 200);
	attestation_rq(rq, sizeof rq, 30, 31, 0x05);
	hc_response r;
	const int two[] = { 0, 1 };
	/* Duplicates after decoding: with and without 0x, any case. */
	snprintf(body, sizeof body, "{\"identifiers\":[\"%s\",\"%s\"],\"signing_request\":%s}",
		 pk_hex[0], pk_hex[0] + 2, rq);
	CHECK_EQ_U64(post(p.port, body, &r), 400);
	hc_free(&r);
	/* Empty, missing, not an array, not a key. */
	const char *bad[] = {
		"{\"identifiers\":[],\"signing_request\":{\"type\":\"RANDAO_REVEAL\"}}",
		"{\"signing_request\":{\"type\":\"RANDAO_REVEAL\"}}",
		"{\"identifiers\":\"0x00\",\"signing_request\":{}}",
		"[]",
		"{\"identifiers\":[\"0x1234\"],\"signing_request\":{\"type\":\"RANDAO_REVEAL\"}}",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		CHECK_MSG(post(p.port, bad[i], &r) == 400, "accepted %s", bad[i]);
		hc_free(&r);
	}
	/* A type PR #29 does not allow in a batch, and a malformed signing request. */
	char blk[2048];
	sb_block(blk, sizeof blk, 1000, 0x01);
	batch_body(body, sizeof body, two, 2, blk);
	CHECK_EQ_U64(post(p.port, body, &r), 400);
	hc_free(&r);
	batch_body(body, sizeof body, two, 2, "{\"type\":\"ATTESTATION\",\"attestation\":{}}");
	CHECK_EQ_U64(post(p.port, body, &r), 400);
	hc_free(&r);
	/* Over the limit of 10,000 identifiers (distinct, so only the count is wrong). */
	size_t off = (size_t)snprintf(body, sizeof body, "{\"identifiers\":[");
	for (unsigned i = 0; i < 10001; i++)
		off += (size_t)snprintf(body + off, sizeof body - off, "%s\"0x%096x\"", i ? "," : "", i);
	snprintf(body + off, sizeof body - off, "],\"signing_request\":%s}", rq);
	CHECK_EQ_U64(post(p.port, body, &r), 400);
	CHECK_MSG(r.body && strstr(r.body, "10000"), "limit not named: %s", r.body ? r.body : "");
	hc_free(&r);
	CHECK_EQ_U64(sp_stop(&p), 0);
	json_t *exp = export_history(&p);
	char roots[256], want_root[67];
	eth2_signing_request parsed;
	eth2_error err;
	CHECK(eth2_parse_signing_request(eth2_network_builtin("mainnet"), single, strlen(single),
					 &parsed, &err) == SS_OK);
	hex_encode(want_root, parsed.signing_root, 32, true);
	attestation_roots(exp, 0, roots, sizeof roots);
	CHECK_MSG(exp && roots[0] == '\0', "key 0 records %s", roots);
	attestation_roots(exp, 1, roots, sizeof roots);
	CHECK_MSG(exp && strcmp(roots, want_root) == 0, "key 1 records %s", roots);
	json_decref(exp);
out:
	sp_cleanup(&p);
}

typedef struct {
	uint16_t port;
	const char *body;
	int status;
	char *reply;
} poster;

static void *post_thread(void *arg)
{
	poster *ps = arg;
	hc_response r;
	ps->status = post(ps->port, ps->body, &r);
	ps->reply = r.body ? strdup(r.body) : NULL;
	hc_free(&r);
	return NULL;
}

/* kill -9 at staggered moments during batches of attestations for every key: after the
 * restart, every key the batch answered with a signature has its record (a conflicting
 * vote for the same target is refused). */
TEST(kill9_during_batch_loses_no_answered_record)
{
	static char body[65536], rq[2048], other[2048];
	int keys[N_KEYS];
	for (int i = 0; i < N_KEYS; i++)
		keys[i] = i;
	unsigned answered = 0;
	for (int round = 0; round < 6; round++) {
		signer_proc p;
		if (!start(&p, N_KEYS))
			break;
		unsigned long target = 100 + (unsigned long)round;
		attestation_rq(rq, sizeof rq, target - 1, target, 0x40 + (unsigned)round);
		batch_body(body, sizeof body, keys, N_KEYS, rq);
		poster ps = { p.port, body, 0, NULL };
		pthread_t t;
		pthread_create(&t, NULL, post_thread, &ps);
		/* From before the first signature to after the answer, on a loaded machine. */
		static const long delay_ms[] = { 0, 10, 30, 60, 150, 1500 };
		struct timespec ts = { delay_ms[round] / 1000, (delay_ms[round] % 1000) * 1000000L };
		nanosleep(&ts, NULL);
		sp_kill9(&p);
		pthread_join(t, NULL);
		if (ps.status == 200) {
			answered++;
			static const char *const none[] = { NULL };
			CHECK(sp_start(&p, none));
			json_t *arr = json_loads(ps.reply ? ps.reply : "", 0, NULL);
			attestation_rq(other, sizeof other, target - 1, target, 0x80 + (unsigned)round);
			for (size_t i = 0; json_is_array(arr) && i < json_array_size(arr); i++) {
				if (json_object_get(json_array_get(arr, i), "signature") == NULL)
					continue;
				CHECK_MSG(sign_one(p.port, (int)i, other) == 412,
					  "round %d: key %zu was answered but its record is lost", round, i);
			}
			json_decref(arr);
			sp_kill9(&p);
		}
		free(ps.reply);
		sp_cleanup(&p);
	}
	/* The staggering must have produced at least one answered batch to check. */
	CHECK_MSG(answered > 0, "no batch was answered before its kill -9");
}

/* Signed AGGREGATION_SLOT requests so far, from the running signer's /metrics. */
static long signed_slots(uint16_t metrics_port)
{
	hc_response r;
	long n = -1;
	if (hc_request(metrics_port, "GET", "/metrics", NULL, NULL, 0, &r) == 200 && r.body) {
		const char *k = "secure_signer_sign_requests_total{type=\"AGGREGATION_SLOT\",outcome=\"ok\"} ";
		const char *at = strstr(r.body, k);
		n = at ? strtol(at + strlen(k), NULL, 10) : 0;
	}
	hc_free(&r);
	return n;
}

/* Single requests keep their priority: with one signing thread, a single request sent
 * while a batch of 600 keys is being signed is answered while most of the batch is still
 * to be signed. Queued all at once, the batch's 600 signatures would all be ahead of it
 * (one FIFO queue); fed a few at a time, at most one per CPU is. The signer's own
 * counter says how much of the batch was signed when the single request was answered:
 * an ordering, not a time limit. */
TEST(single_request_is_not_queued_behind_a_batch)
{
	static char body[N_MANY * 110 + 4096], rq[2048], one[2048];
	static int keys[N_MANY];
	static const char *const opts[] = { "--signing-threads=1", "--metrics-enabled",
					    "--metrics-port=0", NULL };
	signer_proc p;
	if (!start_with(&p, N_MANY, opts))
		goto out;
	for (int i = 0; i < N_MANY; i++)
		keys[i] = i;
	sb_aggregation_slot(rq, sizeof rq, 12000200);
	batch_body(body, sizeof body, keys, N_MANY, rq);
	poster ps = { p.port, body, 0, NULL };
	pthread_t t;
	pthread_create(&t, NULL, post_thread, &ps);
	/* Wait until the batch is being signed. */
	long before = 0;
	for (int i = 0; i < 2000 && before < 10; i++) {
		struct timespec ts = { 0, 1000000L };
		nanosleep(&ts, NULL);
		before = signed_slots(p.metrics_port);
	}
	CHECK_MSG(before >= 10, "the batch did not start (%ld signed)", before);
	/* Three single requests one after another while the batch runs. The counter read
	 * just before each also counts what the batch signs while the request travels, which
	 * a loaded machine can stretch; a wider window (64, or the whole batch) is there on
	 * every try, so the closest of the three is held to the bound. */
	long first_answered = 0, fewest = N_MANY;
	for (int k = 0; k < 3; k++) {
		sb_aggregation_slot(one, sizeof one, 12000201 + (unsigned long)k);
		long just_before = signed_slots(p.metrics_port);
		CHECK_EQ_U64(sign_one(p.port, 0, one), 200);
		long at_single = signed_slots(p.metrics_port);
		if (k == 0)
			first_answered = at_single;
		if (at_single - just_before < fewest)
			fewest = at_single - just_before;
	}
	pthread_join(t, NULL);
	CHECK_EQ_U64(ps.status, 200);
	CHECK_MSG(first_answered > 0 && first_answered < N_MANY / 2,
		  "%ld signatures (this one and the batch's) were made before the single request "
		  "was answered, of the batch's %d", first_answered, N_MANY);
	/* the documented bound: behind one key per signing thread (1 here), plus what the
	 * batch signed while the counter was read and the request sent (a few, at about
	 * 3,000 signatures/s); a window of 64 or the whole batch would exceed it */
	CHECK_MSG(fewest <= 1 + 1 + 16,
		  "at least %ld signatures between sending a single request and its answer",
		  fewest);
	json_t *arr = json_loads(ps.reply ? ps.reply : "", 0, NULL);
	CHECK(json_is_array(arr) && json_array_size(arr) == N_MANY);
	json_decref(arr);
	free(ps.reply);
	CHECK_EQ_U64(sp_stop(&p), 0);
out:
	sp_cleanup(&p);
}
