/* End to end: the real `secure-signer run` binary over HTTP. Every route of the API
 * table is called, with every error status it can give; slashing refusals are checked
 * before and after kill -9; the Keymanager API imports, lists, deletes (with export)
 * and re-imports keystores; a malformed-request corpus gets 4xx and the server keeps
 * serving. The last test fails if a route of api_all_routes() was never called. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../server/http_client.h"
#include "api/api.h"
#include "crypto/bls.h"
#include "eth2/eth2.h"
#include "sign_bodies.h"
#include "raw_keys.h"
#include "signer_proc.h"
#include "test.h"
#include "util/hex.h"
#include "vectors.h"

#include <openssl/evp.h>

static const char JSON_ACCEPT[] = "Accept: application/json\r\n";
#define BODY(r) ((r).body ? (r).body : "")

/* ---- route coverage ---------------------------------------------------------------- */

#define MAX_SEEN 64
static struct {
	http_method m;
	char path[160];
} seen[MAX_SEEN];
static size_t n_seen;
static int tests_run;

static void record(const char *method, const char *path)
{
	http_method m = http_method_parse(method);
	char p[160];
	snprintf(p, sizeof p, "%.*s", (int)strcspn(path, "?"), path);
	for (size_t i = 0; i < n_seen; i++)
		if (seen[i].m == m && strcmp(seen[i].path, p) == 0)
			return;
	if (n_seen < MAX_SEEN) {
		seen[n_seen].m = m;
		snprintf(seen[n_seen].path, sizeof seen[n_seen].path, "%s", p);
		n_seen++;
	}
}

static int call(uint16_t port, const char *method, const char *path, const char *hdrs,
		const char *body, hc_response *r)
{
	record(method, path);
	return hc_request(port, method, path, hdrs, body, body ? strlen(body) : 0, r);
}

/* ---- keys -------------------------------------------------------------------------- */

#define N_KEYS 4
static raw_keys test_keys;
#define sk_hex test_keys.sk_hex
#define pk_hex test_keys.pk_hex
#define pk_bin test_keys.pk

static void make_keys(void)
{
	raw_keys_make(&test_keys, N_KEYS, 0x1f, 0x1f, 7, 13);
}

static bool start_with_keys(signer_proc *p, const char *const *extra)
{
	make_keys();
	if (!sp_init(p))
		return false;
	raw_keys_add(p, &test_keys, N_KEYS, "key");
	bool ok = sp_start(p, extra);
	CHECK_MSG(ok, "secure-signer did not start (dir %s)", p->dir);
	tests_run++;
	return ok;
}

/* ---- request bodies ---------------------------------------------------------------- */

/* Signs body with key i, expects status; on 200 checks the signature over the root
 * computed from the same body (JSON reply). */
static void sign_expect(uint16_t port, int i, const char *body, int status)
{
	char path[160];
	snprintf(path, sizeof path, "/api/v1/eth2/sign/%s", pk_hex[i]);
	hc_response r;
	int st = call(port, "POST", path, JSON_ACCEPT, body, &r);
	CHECK_MSG(st == status, "expected %d, got %d: %s", status, st, r.body ? r.body : "");
	if (st == 200) {
		json_t *o = json_loads(BODY(r), 0, NULL);
		const char *sig = o ? json_string_value(json_object_get(o, "signature")) : NULL;
		uint8_t s[96];
		CHECK(sig && hex_decode(s, 96, sig, strlen(sig), HEX_PREFIX_REQUIRED) == SS_OK);
		eth2_signing_request rq;
		eth2_error err;
		CHECK(eth2_parse_signing_request(eth2_network_builtin("mainnet"), body, strlen(body),
						 &rq, &err) == SS_OK);
		CHECK_MSG(sig && bls_verify_vartime(pk_bin[i], rq.signing_root, 32, s),
			  "signature does not verify");
		json_decref(o);
	} else if (st >= 400) {
		json_t *o = json_loads(r.body ? r.body : "", 0, NULL);
		CHECK_MSG(o && json_is_string(json_object_get(o, "message")),
			  "error body is not {\"message\"}: %s", r.body ? r.body : "");
		json_decref(o);
	}
	hc_free(&r);
}

static const char *const STD_FLAGS[] = { "--key-manager-api-enabled", "--metrics-enabled",
					 "--metrics-port=0", NULL };

/* ---- tests ------------------------------------------------------------------------- */

TEST(upcheck_healthcheck_public_keys_high_watermark)
{
	signer_proc p;
	if (!start_with_keys(&p, STD_FLAGS))
		goto out;
	hc_response r;
	char buf[128];
	CHECK_EQ_U64(call(p.port, "GET", "/upcheck", NULL, NULL, &r), 200);
	CHECK(strcmp(BODY(r), "OK") == 0);
	CHECK(hc_header(&r, "Content-Type", buf, sizeof buf) && strstr(buf, "text/plain"));
	hc_free(&r);

	CHECK_EQ_U64(call(p.port, "GET", "/healthcheck", NULL, NULL, &r), 200);
	json_t *o = json_loads(BODY(r), 0, NULL);
	CHECK(o && strcmp(json_string_value(json_object_get(o, "status")), "UP") == 0);
	CHECK(o && strcmp(json_string_value(json_object_get(o, "outcome")), "UP") == 0);
	CHECK(o && strstr(BODY(r), "\"default-check\"") && strstr(BODY(r), "slashing-protection-db-health-check") &&
	      strstr(BODY(r), "\"keys-check\"") && strstr(BODY(r), "\"config-files-loading\""));
	CHECK(strstr(BODY(r), "\"keys-loaded\":4") != NULL);
	json_decref(o);
	hc_free(&r);

	CHECK_EQ_U64(call(p.port, "GET", "/api/v1/eth2/publicKeys", JSON_ACCEPT, NULL, &r), 200);
	o = json_loads(BODY(r), 0, NULL);
	CHECK(json_is_array(o) && json_array_size(o) == N_KEYS);
	for (int i = 0; i < N_KEYS; i++)
		CHECK_MSG(strstr(BODY(r), pk_hex[i]) != NULL, "key %d not listed", i);
	json_decref(o);
	hc_free(&r);
	CHECK_EQ_U64(call(p.port, "GET", "/api/v1/eth2/publicKeys", "Accept: text/html\r\n", NULL, &r), 406);
	hc_free(&r);

	CHECK_EQ_U64(call(p.port, "GET", "/api/v1/eth2/highWatermark", NULL, NULL, &r), 200);
	CHECK(strcmp(BODY(r), "{}") == 0);
	hc_free(&r);
	CHECK_EQ_U64(call(p.port, "POST", "/upcheck", NULL, "", &r), 405);
	hc_free(&r);
	CHECK_EQ_U64(sp_stop(&p), 0);
out:
	sp_cleanup(&p);
}

TEST(sign_every_simple_type_and_negotiate_content)
{
	signer_proc p;
	if (!start_with_keys(&p, STD_FLAGS))
		goto out;
	char body[2048];
	sb_attestation(body, sizeof body, 1, 2, 0xaa);
	sign_expect(p.port, 0, body, 200);
	sign_expect(p.port, 0, body, 200); /* the identical attestation may be re-signed */
	sb_block(body, sizeof body, 12000000, 0x01);
	sign_expect(p.port, 1, body, 200);
	sb_aggregation_slot(body, sizeof body, 12000001);
	sign_expect(p.port, 2, body, 200);
	snprintf(body, sizeof body, "{\"type\":\"RANDAO_REVEAL\",%s,\"randao_reveal\":{\"epoch\":\"375000\"}}", SB_FORK);
	sign_expect(p.port, 2, body, 200);
	snprintf(body, sizeof body, "{\"type\":\"SYNC_COMMITTEE_MESSAGE\",%s,\"sync_committee_message\":{\"beacon_block_root\":\"0x%064x\",\"slot\":\"12000002\"}}", SB_FORK, 5u);
	sign_expect(p.port, 3, body, 200);
	snprintf(body, sizeof body, "{\"type\":\"VOLUNTARY_EXIT\",%s,\"voluntary_exit\":{\"epoch\":\"375000\",\"validator_index\":\"12\"}}", SB_FORK);
	sign_expect(p.port, 3, body, 200);
	/* The two types without fork_info. */
	snprintf(body, sizeof body, "{\"type\":\"DEPOSIT\",\"deposit\":{\"pubkey\":\"%s\",\"withdrawal_credentials\":\"0x%064x\",\"amount\":\"32000000000\",\"genesis_fork_version\":\"0x00000000\"}}", pk_hex[3], 1u);
	sign_expect(p.port, 3, body, 200);
	snprintf(body, sizeof body, "{\"type\":\"VALIDATOR_REGISTRATION\",\"validator_registration\":{\"fee_recipient\":\"0x%040x\",\"gas_limit\":\"30000000\",\"timestamp\":\"1700000000\",\"pubkey\":\"%s\"}}", 0xabu, pk_hex[3]);
	sign_expect(p.port, 3, body, 200);

	/* Accept decides the format: text for text/plain and for no Accept at all. */
	char path[160];
	snprintf(path, sizeof path, "/api/v1/eth2/sign/%s", pk_hex[2]);
	hc_response r;
	char ct[128];
	CHECK_EQ_U64(call(p.port, "POST", path, "Accept: text/plain\r\n", body, &r), 200);
	CHECK(r.body_len == 194 && strncmp(r.body, "0x", 2) == 0);
	CHECK(hc_header(&r, "Content-Type", ct, sizeof ct) && strstr(ct, "text/plain"));
	hc_free(&r);
	CHECK_EQ_U64(call(p.port, "POST", path, NULL, body, &r), 200);
	CHECK(r.body_len == 194);
	hc_free(&r);
	CHECK_EQ_U64(call(p.port, "POST", path, "Accept: */*\r\n", body, &r), 200);
	CHECK(r.body[0] == '{');
	hc_free(&r);
	CHECK_EQ_U64(sp_stop(&p), 0);
out:
	sp_cleanup(&p);
}

TEST(slashing_refusals_hold_after_kill9)
{
	signer_proc p;
	if (!start_with_keys(&p, STD_FLAGS))
		goto out;
	char a[2048], b[2048];
	/* Double block proposal. */
	sb_block(a, sizeof a, 12000100, 0x10);
	sb_block(b, sizeof b, 12000100, 0x11);
	sign_expect(p.port, 0, a, 200);
	sign_expect(p.port, 0, b, 412);
	/* Double vote. */
	sb_attestation(a, sizeof a, 100, 101, 0x20);
	sb_attestation(b, sizeof b, 100, 101, 0x21);
	sign_expect(p.port, 1, a, 200);
	sign_expect(p.port, 1, b, 412);
	/* Surround votes, both ways. */
	sb_attestation(a, sizeof a, 200, 205, 0x30);
	sign_expect(p.port, 2, a, 200);
	sb_attestation(b, sizeof b, 199, 206, 0x31); /* surrounds the signed one */
	sign_expect(p.port, 2, b, 412);
	sb_attestation(b, sizeof b, 201, 204, 0x32); /* surrounded by it */
	sign_expect(p.port, 2, b, 412);
	/* The genesis validators root of another chain on a slashable type: mainnet knows
	 * its root, so the request is malformed before slashing protection sees it
	 * (tests/api/test_network_safety.c has the rest). */
	char other[2048];
	sb_block(other, sizeof other, 12000200, 0x40);
	char *g = strstr(other, SB_GVR + 2);
	if (g)
		memcpy(g, "ff", 2);
	sign_expect(p.port, 3, other, 400);

	/* No clean shutdown: what was answered 200 was durable. */
	sp_kill9(&p);
	CHECK(sp_start(&p, STD_FLAGS));
	sb_block(b, sizeof b, 12000100, 0x11);
	sign_expect(p.port, 0, b, 412);
	sb_block(a, sizeof a, 12000100, 0x10);
	sign_expect(p.port, 0, a, 200);
	sb_attestation(b, sizeof b, 100, 101, 0x21);
	sign_expect(p.port, 1, b, 412);
	sb_attestation(b, sizeof b, 199, 206, 0x31);
	sign_expect(p.port, 2, b, 412);
	sb_attestation(b, sizeof b, 201, 204, 0x32);
	sign_expect(p.port, 2, b, 412);
	CHECK_EQ_U64(sp_stop(&p), 0);
out:
	sp_cleanup(&p);
}

TEST(malformed_requests_get_4xx_and_server_keeps_serving)
{
	signer_proc p;
	if (!start_with_keys(&p, STD_FLAGS))
		goto out;
	char path[160];
	snprintf(path, sizeof path, "/api/v1/eth2/sign/%s", pk_hex[0]);
	char good[2048];
	sb_attestation(good, sizeof good, 3, 4, 0x55);
	char wrong_root[2200];
	snprintf(wrong_root, sizeof wrong_root, "%.*s,\"signingRoot\":\"0x%064x\"}",
		 (int)strlen(good) - 1, good, 0x77u);
	char short_hex[2048];
	snprintf(short_hex, sizeof short_hex, "%s", good);
	char *bbr = strstr(short_hex, "\"beacon_block_root\":\"0x");
	if (bbr)
		memcpy(bbr + 23, "zz", 2);
	const char *const corpus[] = {
		"", "{", "[]", "null", "\"ATTESTATION\"", "{\"type\":1}", "{\"type\":\"NOPE\"}",
		"{\"type\":\"ATTESTATION\"}",
		"{\"type\":\"ATTESTATION\",\"attestation\":{\"slot\":32}}",
		"{\"type\":\"AGGREGATION_SLOT\",\"aggregation_slot\":{\"slot\":\"-1\"}}",
		"{\"type\":\"AGGREGATION_SLOT\",\"aggregation_slot\":{\"slot\":\"18446744073709551616\"}}",
		"{\"type\":\"RANDAO_REVEAL\",\"randao_reveal\":{\"epoch\":\"1\"},\"fork_info\":{\"fork\":{\"previous_version\":\"0x00\",\"current_version\":\"0x00000000\",\"epoch\":\"0\"},\"genesis_validators_root\":\"0x00\"}}",
		"\xff\xfe garbage", wrong_root, short_hex,
	};
	for (size_t i = 0; i < sizeof corpus / sizeof corpus[0]; i++) {
		hc_response r;
		int st = call(p.port, "POST", path, JSON_ACCEPT, corpus[i], &r);
		CHECK_MSG(st == 400, "corpus[%zu] gave %d: %s", i, st, r.body ? r.body : "");
		hc_free(&r);
	}
	/* Wrong identifiers. */
	hc_response r;
	CHECK_EQ_U64(call(p.port, "POST", "/api/v1/eth2/sign/0x1234", NULL, good, &r), 400);
	hc_free(&r);
	char unknown[160];
	snprintf(unknown, sizeof unknown, "/api/v1/eth2/sign/0x%096x", 0x42u);
	CHECK_EQ_U64(call(p.port, "POST", unknown, NULL, good, &r), 404);
	hc_free(&r);
	/* A body over the limit, declared and actually sent. */
	size_t big = API_SIGN_BODY_LIMIT + 10;
	char *huge = malloc(big + 1);
	memset(huge, ' ', big);
	huge[big] = '\0';
	CHECK_EQ_U64(call(p.port, "POST", path, NULL, huge, &r), 413);
	hc_free(&r);
	free(huge);
	CHECK_EQ_U64(call(p.port, "GET", path, NULL, NULL, &r), 405);
	hc_free(&r);
	CHECK_EQ_U64(call(p.port, "GET", "/api/v1/eth2/nothing", NULL, NULL, &r), 404);
	hc_free(&r);
	/* Slow client holding a half-sent request, and the server still answers others. */
	int fd = hc_connect(p.port);
	const char part[] = "POST /api/v1/eth2/sign/0x00 HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100\r\n\r\n{";
	if (fd >= 0)
		CHECK(send(fd, part, sizeof part - 1, MSG_NOSIGNAL) > 0);
	sign_expect(p.port, 0, good, 200);
	if (fd >= 0)
		close(fd);
	/* Random mutations of valid bodies of several types (seeded, reproducible): any
	 * answer but a 5xx or a dropped connection is fine. */
	char bodies[3][2048];
	sb_attestation(bodies[0], sizeof bodies[0], 50, 51, 0x56);
	sb_block(bodies[1], sizeof bodies[1], 12003000, 0x57);
	sb_aggregation_slot(bodies[2], sizeof bodies[2], 12000001);
	unsigned seed = 12345;
	int bad = 0;
	for (int i = 0; i < 300; i++) {
		char m[2048];
		const char *src = bodies[i % 3];
		size_t len = strlen(src);
		memcpy(m, src, len + 1);
		int edits = 1 + (int)(rand_r(&seed) % 4);
		for (int k = 0; k < edits; k++) {
			size_t at = (size_t)rand_r(&seed) % len;
			switch (rand_r(&seed) % 3) {
			case 0: m[at] = (char)(rand_r(&seed) & 0xff); break;
			case 1: m[at] = "0123456789abcdefxX\"{}[],:-"[rand_r(&seed) % 26]; break;
			case 2: len = at; m[len] = '\0'; break;
			}
		}
		int st = call(p.port, "POST", path, JSON_ACCEPT, m, &r);
		if (st == 0 || st >= 500) {
			bad++;
			fprintf(stderr, "mutation %d gave %d: %.300s\n", i, st, m);
		}
		hc_free(&r);
	}
	CHECK_MSG(bad == 0, "%d mutated requests got 5xx or no answer", bad);
	CHECK_EQ_U64(call(p.port, "GET", "/upcheck", NULL, NULL, &r), 200);
	hc_free(&r);
	CHECK_EQ_U64(sp_stop(&p), 0);
out:
	sp_cleanup(&p);
}

/* Conflicting requests racing over separate connections: exactly one is signed
 * (DESIGN.md §2, invariant 2). */
typedef struct {
	uint16_t port;
	int key;
	char body[2048];
	int status;
} race_arg;

static void *race_one(void *arg)
{
	race_arg *a = arg;
	char path[160];
	snprintf(path, sizeof path, "/api/v1/eth2/sign/%s", pk_hex[a->key]);
	hc_response r;
	a->status = hc_request(a->port, "POST", path, JSON_ACCEPT, a->body, strlen(a->body), &r);
	hc_free(&r);
	return NULL;
}

TEST(racing_conflicts_sign_exactly_one)
{
	signer_proc p;
	if (!start_with_keys(&p, STD_FLAGS))
		goto out;
	enum { N = 16 };
	static race_arg args[2][N];
	pthread_t t[2][N];
	for (int i = 0; i < N; i++) {
		args[0][i].port = args[1][i].port = p.port;
		args[0][i].key = 0;
		args[1][i].key = 1;
		sb_block(args[0][i].body, sizeof args[0][i].body, 12345678, 0x60 + (unsigned)i);
		sb_attestation(args[1][i].body, sizeof args[1][i].body, 300, 301, 0x60 + (unsigned)i);
	}
	for (int k = 0; k < 2; k++)
		for (int i = 0; i < N; i++)
			pthread_create(&t[k][i], NULL, race_one, &args[k][i]);
	for (int k = 0; k < 2; k++) {
		int ok = 0, refused = 0;
		for (int i = 0; i < N; i++) {
			pthread_join(t[k][i], NULL);
			ok += args[k][i].status == 200;
			refused += args[k][i].status == 412;
		}
		CHECK_MSG(ok == 1 && refused == N - 1, "%s race: %d signed, %d refused",
			  k ? "attestation" : "block", ok, refused);
	}
	CHECK_EQ_U64(sp_stop(&p), 0);
out:
	sp_cleanup(&p);
}

/* kill -9 in the middle of a stream of signatures: after the restart, every
 * attestation that was answered 200 before the kill is in the history (a double vote
 * against it is refused). Nothing released may have been lost. The telling check is
 * each key's last released vote: had it been lost, a different vote at its target
 * would be the newest in the history and be signed. */
#define STREAM_MAX 4000
typedef struct {
	uint16_t port;
	int key;
	volatile int *stop;
	unsigned long signed_targets[STREAM_MAX];
	_Atomic int n_signed;
} stream_arg;

static void *stream_votes(void *arg)
{
	stream_arg *a = arg;
	char path[160], body[2048];
	snprintf(path, sizeof path, "/api/v1/eth2/sign/%s", pk_hex[a->key]);
	for (unsigned long t = 1000; !*a->stop && a->n_signed < STREAM_MAX; t++) {
		sb_attestation(body, sizeof body, t - 1, t, 0x70);
		hc_response r;
		int st = hc_request(a->port, "POST", path, JSON_ACCEPT, body, strlen(body), &r);
		hc_free(&r);
		if (st == 200) {
			a->signed_targets[a->n_signed] = t;
			atomic_fetch_add(&a->n_signed, 1);
		}
		else if (st == 0)
			break; /* killed */
	}
	return NULL;
}

TEST(kill9_mid_stream_loses_no_released_signature)
{
	signer_proc p;
	if (!start_with_keys(&p, STD_FLAGS))
		goto out;
	static stream_arg args[N_KEYS];
	pthread_t t[N_KEYS];
	volatile int stop = 0;
	for (int k = 0; k < N_KEYS; k++) {
		memset(&args[k], 0, sizeof args[k]);
		args[k].port = p.port;
		args[k].key = k;
		args[k].stop = &stop;
		pthread_create(&t[k], NULL, stream_votes, &args[k]);
	}
	/* Kill once the stream is well under way (however slow the machine is). */
	for (int i = 0; i < 400; i++) {
		int n = 0;
		for (int k = 0; k < N_KEYS; k++)
			n += atomic_load(&args[k].n_signed);
		if (n >= 200)
			break;
		usleep(25 * 1000);
	}
	usleep(50 * 1000);
	sp_kill9(&p);
	stop = 1;
	int total = 0;
	for (int k = 0; k < N_KEYS; k++) {
		pthread_join(t[k], NULL);
		total += args[k].n_signed;
	}
	CHECK_MSG(total > 0, "nothing was signed before the kill");
	printf("  %d attestations released before kill -9\n", total);
	CHECK(sp_start(&p, STD_FLAGS));
	int forgotten = 0;
	char path[512], body[2048];
	for (int k = 0; k < N_KEYS; k++) {
		snprintf(path, sizeof path, "/api/v1/eth2/sign/%s", pk_hex[k]);
		for (int i = 0; i < args[k].n_signed; i++) {
			unsigned long tg = args[k].signed_targets[i];
			sb_attestation(body, sizeof body, tg - 1, tg, 0x71); /* a different vote */
			hc_response r;
			if (call(p.port, "POST", path, JSON_ACCEPT, body, &r) != 412)
				forgotten++;
			hc_free(&r);
		}
	}
	CHECK_MSG(forgotten == 0, "%d of %d released attestations were forgotten", forgotten, total);
	CHECK_EQ_U64(sp_stop(&p), 0);
out:
	sp_cleanup(&p);
}

/* ---- keymanager -------------------------------------------------------------------- */

static char *keystore_text(const char *rel)
{
	char path[512];
	if (!vectors_path(path, sizeof path, rel))
		return NULL;
	return test_read_file(path, NULL);
}

static char auth_hdr[160];
static const char *auth(const signer_proc *p)
{
	snprintf(auth_hdr, sizeof auth_hdr, "Authorization: Bearer %s\r\n", p->token);
	return auth_hdr;
}

/* Sends a Keymanager request (req is consumed) and parses a 200's body: the data[].status
 * values joined by commas into out; returns the HTTP status and the body (or NULL). */
static int km_call(const signer_proc *p, const char *method, json_t *req, char *out, size_t cap,
		   json_t **body_out)
{
	char *body = json_dumps(req, JSON_COMPACT);
	json_decref(req);
	hc_response r;
	int st = call(p->port, method, "/eth/v1/keystores", auth(p), body, &r);
	free(body);
	out[0] = '\0';
	json_t *o = st == 200 ? json_loads(BODY(r), 0, NULL) : NULL;
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(o, "data"), i, v) {
		if (out[0])
			strncat(out, ",", cap - strlen(out) - 1);
		strncat(out, json_string_value(json_object_get(v, "status")), cap - strlen(out) - 1);
	}
	hc_free(&r);
	*body_out = o;
	return st;
}

/* POSTs keystores with passwords (and an optional interchange); statuses into out. */
static int km_import(const signer_proc *p, const char *const *ks, const char *const *pw, size_t n,
		     const char *interchange, char *out, size_t cap)
{
	json_t *req = json_pack("{s:[],s:[]}", "keystores", "passwords");
	for (size_t i = 0; i < n; i++) {
		json_array_append_new(json_object_get(req, "keystores"), json_string(ks[i]));
		json_array_append_new(json_object_get(req, "passwords"), json_string(pw[i]));
	}
	if (interchange)
		json_object_set_new(req, "slashing_protection", json_string(interchange));
	json_t *o;
	int st = km_call(p, "POST", req, out, cap, &o);
	json_decref(o);
	return st;
}

/* DELETEs keys; statuses into out, the interchange string into *ic (malloc'ed). */
static int km_delete(const signer_proc *p, const char *const *pks, size_t n, char *out, size_t cap,
		     char **ic)
{
	json_t *req = json_pack("{s:[]}", "pubkeys");
	for (size_t i = 0; i < n; i++)
		json_array_append_new(json_object_get(req, "pubkeys"), json_string(pks[i]));
	json_t *o;
	int st = km_call(p, "DELETE", req, out, cap, &o);
	*ic = json_is_string(json_object_get(o, "slashing_protection"))
		      ? strdup(json_string_value(json_object_get(o, "slashing_protection")))
		      : NULL;
	json_decref(o);
	return st;
}

#define KS1_PK "0x98d083489b3b06b8740da2dfec5cc3c01b2086363fe023a9d7dc1f907633b1ff11f7b99b19e0533e969862270061d884"
#define KS2_PK "0xa46bf94016af71e55ca0518fe6a8bd3852e01b3f959780a4faf3bbe461ac553c0a83f232cc5f2a4b827d8d3455b706e4"

static void sign_hex(uint16_t port, const char *pk, const char *body, int status)
{
	char path[160];
	snprintf(path, sizeof path, "/api/v1/eth2/sign/%s", pk);
	hc_response r;
	int st = call(port, "POST", path, JSON_ACCEPT, body, &r);
	CHECK_MSG(st == status, "sign with %.10s: expected %d, got %d: %s", pk, status, st,
		  r.body ? r.body : "");
	hc_free(&r);
}

TEST(keymanager_import_list_delete_reimport)
{
	if (!vectors_require())
		return;
	char *ks1 = keystore_text("eip2335-keystore/web3signer/valid/bls_keystore.json");
	char *ks2 = keystore_text("eip2335-keystore/web3signer/valid/bls_keystore_2.json");
	CHECK(ks1 && ks2);
	signer_proc p;
	if (!ks1 || !ks2 || !start_with_keys(&p, STD_FLAGS))
		goto out_free;
	CHECK(strlen(p.token) == 64);
	char tpath[400];
	snprintf(tpath, sizeof tpath, "%s/keymanager.token", p.data_dir);
	struct stat tst;
	CHECK(stat(tpath, &tst) == 0 && (tst.st_mode & 0777) == 0600);
	hc_response r;
	/* The token is required: 401 without, 403 when wrong. */
	CHECK_EQ_U64(call(p.port, "GET", "/eth/v1/keystores", NULL, NULL, &r), 401);
	hc_free(&r);
	CHECK_EQ_U64(call(p.port, "GET", "/eth/v1/keystores", "Authorization: Bearer nope\r\n", NULL, &r), 403);
	hc_free(&r);
	CHECK_EQ_U64(call(p.port, "POST", "/eth/v1/keystores", "Authorization: Bearer nope\r\n", "{}", &r), 403);
	hc_free(&r);
	CHECK_EQ_U64(call(p.port, "DELETE", "/eth/v1/keystores", NULL, "{}", &r), 401);
	hc_free(&r);

	/* Bad requests change nothing. */
	CHECK_EQ_U64(call(p.port, "POST", "/eth/v1/keystores", auth(&p), "{", &r), 400);
	hc_free(&r);
	CHECK_EQ_U64(call(p.port, "POST", "/eth/v1/keystores", auth(&p),
			  "{\"keystores\":[\"{}\"],\"passwords\":[]}", &r), 400);
	hc_free(&r);
	CHECK_EQ_U64(call(p.port, "POST", "/eth/v1/keystores", auth(&p),
			  "{\"keystores\":[],\"passwords\":[]}", &r), 200);
	CHECK(strcmp(BODY(r), "{\"data\":[]}") == 0);
	hc_free(&r);
	CHECK_EQ_U64(call(p.port, "DELETE", "/eth/v1/keystores", auth(&p), "{\"pubkeys\":[\"0x12\"]}", &r), 400);
	hc_free(&r);
	CHECK_EQ_U64(call(p.port, "DELETE", "/eth/v1/keystores", auth(&p), "[]", &r), 400);
	hc_free(&r);

	/* Import two keystores with history for the first; a wrong password is a per-key
	 * error and imports nothing for that key. */
	char ic[1024];
	snprintf(ic, sizeof ic,
		 "{\"metadata\":{\"interchange_format_version\":\"5\",\"genesis_validators_root\":\"%s\"},"
		 "\"data\":[{\"pubkey\":\"%s\",\"signed_blocks\":[],\"signed_attestations\":"
		 "[{\"source_epoch\":\"10\",\"target_epoch\":\"20\",\"signing_root\":\"0x%064x\"}]}]}",
		 SB_GVR, KS1_PK, 0x99u);
	const char *ks[] = { ks1, ks2 };
	const char *bad_pw[] = { "somepassword", "wrong" };
	char st[128];
	CHECK_EQ_U64(km_import(&p, ks, bad_pw, 2, ic, st, sizeof st), 200);
	CHECK_MSG(strcmp(st, "imported,error") == 0, "statuses %s", st);
	CHECK_EQ_U64(call(p.port, "GET", "/eth/v1/keystores", auth(&p), NULL, &r), 200);
	CHECK(strstr(BODY(r), KS1_PK) != NULL);
	CHECK(strstr(BODY(r), KS2_PK) == NULL);
	CHECK(strstr(BODY(r), "\"readonly\":true") != NULL); /* the file-raw keys */
	hc_free(&r);
	const char *pw[] = { "somepassword", "otherpassword" };
	CHECK_EQ_U64(km_import(&p, ks, pw, 2, NULL, st, sizeof st), 200);
	CHECK_MSG(strcmp(st, "duplicate,imported") == 0, "statuses %s", st);

	/* The imported history protects key 1: a vote inside (10,20) is refused. */
	char a[2048];
	sb_attestation(a, sizeof a, 12, 15, 0x01);
	sign_hex(p.port, KS1_PK, a, 412);
	sb_attestation(a, sizeof a, 21, 22, 0x02);
	sign_hex(p.port, KS1_PK, a, 200);
	sb_attestation(a, sizeof a, 21, 22, 0x02);
	sign_hex(p.port, KS2_PK, a, 200);

	/* Delete key 1 (with export), an unknown key, and a readonly key. */
	char unknown[99];
	snprintf(unknown, sizeof unknown, "0x%096x", 0x42u);
	const char *del[] = { KS1_PK, unknown, pk_hex[0] };
	char *exported = NULL;
	CHECK_EQ_U64(km_delete(&p, del, 3, st, sizeof st, &exported), 200);
	CHECK_MSG(strcmp(st, "deleted,not_found,error") == 0, "statuses %s", st);
	CHECK(exported && strstr(exported, &KS1_PK[2]) && strstr(exported, "\"22\""));
	CHECK(exported && strstr(exported, pk_hex[0] + 2) == NULL);
	sign_hex(p.port, KS1_PK, a, 404);
	char *again = NULL;
	CHECK_EQ_U64(km_delete(&p, del, 1, st, sizeof st, &again), 200);
	CHECK_MSG(strcmp(st, "not_active") == 0, "statuses %s", st);
	free(again);

	/* A restart does not bring the deleted key back. */
	CHECK_EQ_U64(sp_stop(&p), 0);
	CHECK(sp_start(&p, STD_FLAGS));
	CHECK_EQ_U64(call(p.port, "GET", "/eth/v1/keystores", auth(&p), NULL, &r), 200);
	CHECK(strstr(BODY(r), KS1_PK) == NULL && strstr(BODY(r), KS2_PK) != NULL);
	hc_free(&r);
	sign_hex(p.port, KS1_PK, a, 404);

	/* Re-import with the exported history: it signs again, and its history holds. */
	const char *ks1_only[] = { ks1 };
	CHECK_EQ_U64(km_import(&p, ks1_only, pw, 1, exported, st, sizeof st), 200);
	CHECK_MSG(strcmp(st, "imported") == 0, "statuses %s", st);
	sign_hex(p.port, KS1_PK, a, 200); /* identical to what it signed before */
	sb_attestation(a, sizeof a, 21, 22, 0x03);
	sign_hex(p.port, KS1_PK, a, 412); /* double vote against the re-imported history */
	sb_attestation(a, sizeof a, 22, 23, 0x04);
	sign_hex(p.port, KS1_PK, a, 200);
	/* Malformed interchange: 400 and nothing imported. */
	const char *ks2_only[] = { ks2 };
	char del2[8];
	char *ic2 = NULL;
	const char *d2[] = { KS2_PK };
	CHECK_EQ_U64(km_delete(&p, d2, 1, del2, sizeof del2, &ic2), 200);
	free(ic2);
	CHECK_EQ_U64(km_import(&p, ks2_only, pw + 1, 1, "{\"metadata\":{}}", st, sizeof st), 400);
	CHECK_EQ_U64(call(p.port, "GET", "/eth/v1/keystores", auth(&p), NULL, &r), 200);
	CHECK(strstr(BODY(r), KS2_PK) == NULL);
	hc_free(&r);
	free(exported);
	CHECK_EQ_U64(sp_stop(&p), 0);
	/* Passwords and tokens never reach the log. */
	char logp[400];
	snprintf(logp, sizeof logp, "%s/signer.log", p.dir);
	char *log = test_read_file(logp, NULL);
	CHECK(log && strstr(log, "keymanager") != NULL);
	CHECK_MSG(log && !strstr(log, "somepassword") && !strstr(log, "otherpassword") &&
			  !strstr(log, p.token),
		  "a password or the token was logged");
	free(log);
	sp_cleanup(&p);
out_free:
	free(ks1);
	free(ks2);
}

/* ---- reload and health ------------------------------------------------------------- */

static const char *reload_status(uint16_t port, char *buf, size_t cap)
{
	hc_response r;
	buf[0] = '\0';
	if (call(port, "GET", "/reload", NULL, NULL, &r) == 200) {
		json_t *o = json_loads(BODY(r), 0, NULL);
		snprintf(buf, cap, "%s", o ? json_string_value(json_object_get(o, "status")) : "");
		json_decref(o);
	}
	hc_free(&r);
	return buf;
}

/* An import decrypts keystores for about a second each; it runs on the admin thread,
 * so signing requests on other connections are answered meanwhile, even when a single
 * server thread serves every connection (before, that thread was busy for the whole
 * import and every request waited for it). */
typedef struct {
	const signer_proc *p;
	const char *ks[2], *pw[2];
	int status;
	char statuses[64];
	struct timespec done;
} import_job;

static void *import_in_background(void *arg)
{
	import_job *j = arg;
	j->status = km_import(j->p, j->ks, j->pw, 2, NULL, j->statuses, sizeof j->statuses);
	clock_gettime(CLOCK_MONOTONIC, &j->done);
	return NULL;
}

static double seconds_between(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

TEST(keymanager_import_does_not_stall_signing)
{
	if (!vectors_require())
		return;
	/* A scrypt keystore (n = 262144, 256 MiB: the slow one) and a PBKDF2 one. */
	import_job j = { .status = -1 };
	j.ks[0] = keystore_text("eip2335-keystore/chainsafe-bls-keystore/scrypt-0.json");
	j.ks[1] = keystore_text("eip2335-keystore/web3signer/valid/bls_keystore_2.json");
	CHECK(j.ks[0] && j.ks[1]);
	json_t *scrypt_ks = j.ks[0] ? json_loads(j.ks[0], 0, NULL) : NULL;
	j.pw[0] = json_string_value(json_object_get(scrypt_ks, "password"));
	j.pw[1] = "otherpassword";
	CHECK(j.pw[0] != NULL);
	static const char *const one_thread[] = { "--key-manager-api-enabled", "--http-threads=1",
						   NULL };
	signer_proc p;
	if (!j.ks[0] || !j.ks[1] || !j.pw[0] || !start_with_keys(&p, one_thread))
		goto out_free;
	j.p = &p;
	struct timespec t0, signed_at;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pthread_t t;
	CHECK(pthread_create(&t, NULL, import_in_background, &j) == 0);
	/* Sign only once the import is decrypting (its "import: checking 2 key(s)" line),
	 * so that a blocking import could not finish before the signatures start. */
	char logp[400];
	snprintf(logp, sizeof logp, "%s/signer.log", p.dir);
	bool importing = false;
	for (int i = 0; i < 1000 && !importing; i++) {
		char *log = test_read_file(logp, NULL);
		importing = log && strstr(log, "import: checking 2 key(s)") != NULL;
		free(log);
		if (!importing)
			usleep(2 * 1000);
	}
	CHECK_MSG(importing, "the import never started (log %s)", logp);
	int answered = 0;
	for (int i = 0; i < 5; i++) {
		char body[1024];
		sb_aggregation_slot(body, sizeof body, 7000ul + (unsigned long)i);
		sign_expect(p.port, i % N_KEYS, body, 200);
		answered++;
	}
	clock_gettime(CLOCK_MONOTONIC, &signed_at);
	pthread_join(t, NULL);
	CHECK_EQ_U64(j.status, 200);
	CHECK_MSG(strcmp(j.statuses, "imported,imported") == 0, "statuses %s", j.statuses);
	double sign_s = seconds_between(&t0, &signed_at), import_s = seconds_between(&t0, &j.done);
	CHECK_MSG(answered == 5 && sign_s < import_s,
		  "5 signatures took %.3f s, the import %.3f s: signing waited for the import",
		  sign_s, import_s);
	if (getenv("SS_TEST_VERBOSE"))
		fprintf(stderr, "signed after %.3f s, imported after %.3f s\n", sign_s, import_s);
	CHECK_EQ_U64(sp_stop(&p), 0);
	sp_cleanup(&p);
out_free:
	json_decref(scrypt_ks);
	free((void *)j.ks[0]);
	free((void *)j.ks[1]);
}

TEST(reload_and_healthcheck_down_on_key_errors)
{
	if (!vectors_require())
		return;
	char *ks = keystore_text("eip2335-keystore/eip2335_scrypt_keystore.json");
	CHECK(ks);
	signer_proc p;
	make_keys();
	if (!ks || !sp_init(&p))
		goto out_free;
	char dir[400], pwdir[400], path[500];
	snprintf(dir, sizeof dir, "%s/keystores", p.dir);
	snprintf(pwdir, sizeof pwdir, "%s/passwords", p.dir);
	CHECK(mkdir(dir, 0700) == 0 && mkdir(pwdir, 0700) == 0);
	snprintf(path, sizeof path, "%s/v1.json", dir);
	CHECK(test_write_text(path, ks));
	snprintf(path, sizeof path, "%s/v1.txt", pwdir);
	CHECK(test_write_text(path, "not the password"));
	char a1[450], a2[450];
	snprintf(a1, sizeof a1, "--keystores-path=%s", dir);
	snprintf(a2, sizeof a2, "--keystores-passwords-path=%s", pwdir);
	const char *extra[] = { a1, a2, NULL };
	tests_run++;
	if (!sp_start(&p, extra)) {
		CHECK_MSG(0, "secure-signer did not start");
		goto out;
	}
	hc_response r;
	char st[64];
	CHECK_EQ_U64(reload_status(p.port, st, sizeof st)[0] ? 1 : 0, 1);
	CHECK(strcmp(st, "idle") == 0);
	/* A key that cannot be loaded: the signer is not healthy. */
	CHECK_EQ_U64(call(p.port, "GET", "/healthcheck", NULL, NULL, &r), 503);
	CHECK(strstr(BODY(r), "\"keystores-bulk-loading\"") && strstr(BODY(r), "\"error-count\":1") &&
	      strstr(BODY(r), "\"outcome\":\"DOWN\""));
	hc_free(&r);
	/* Reload runs in the background; a second one meanwhile is a 409. The wrong
	 * password costs a scrypt (n = 2^18), so the first is still running. */
	CHECK_EQ_U64(call(p.port, "POST", "/reload", NULL, NULL, &r), 202);
	CHECK(strstr(BODY(r), "\"accepted\"") != NULL);
	hc_free(&r);
	CHECK_EQ_U64(call(p.port, "POST", "/reload", NULL, NULL, &r), 409);
	CHECK(strstr(BODY(r), "already in progress") != NULL);
	hc_free(&r);
	for (int i = 0; i < 300 && strcmp(reload_status(p.port, st, sizeof st), "running") == 0; i++)
		usleep(100 * 1000);
	CHECK_MSG(strcmp(st, "completed_with_errors") == 0, "reload status %s", st);
	CHECK_EQ_U64(call(p.port, "GET", "/reload", NULL, NULL, &r), 200);
	CHECK(strstr(BODY(r), "lastOperationTime") && strstr(BODY(r), "1 signer loading error"));
	hc_free(&r);
	/* Fix the password; the next reload loads the key and the signer is healthy. */
	snprintf(path, sizeof path, "%s/v1.txt", pwdir);
	CHECK(test_write_text(path, "\xf0\x9d\x94\xb1\xf0\x9d\x94\xa2\xf0\x9d\x94\xb0\xf0\x9d\x94\xb1\xf0\x9d\x94\xad\xf0\x9d\x94\x9e\xf0\x9d\x94\xb0\xf0\x9d\x94\xb0\xf0\x9d\x94\xb4\xf0\x9d\x94\xac\xf0\x9d\x94\xaf\xf0\x9d\x94\xa1\xf0\x9f\x94\x91"));
	CHECK_EQ_U64(call(p.port, "POST", "/reload", NULL, NULL, &r), 202);
	hc_free(&r);
	for (int i = 0; i < 300 && strcmp(reload_status(p.port, st, sizeof st), "running") == 0; i++)
		usleep(100 * 1000);
	CHECK_MSG(strcmp(st, "completed") == 0, "reload status %s", st);
	CHECK_EQ_U64(call(p.port, "GET", "/healthcheck", NULL, NULL, &r), 200);
	hc_free(&r);
	CHECK_EQ_U64(call(p.port, "GET", "/api/v1/eth2/publicKeys", NULL, NULL, &r), 200);
	CHECK(strstr(BODY(r), "9612d7a727c9d0a22e185a1c768478dfe919cada9266988cb32359c11f2b7b27f4ae4040902382ae2910c15e2b420d07") != NULL);
	hc_free(&r);
	CHECK_EQ_U64(sp_stop(&p), 0);
out:
	sp_cleanup(&p);
out_free:
	free(ks);
}

/* ---- metrics, auth, configuration sources ------------------------------------------ */

TEST(metrics_listener)
{
	signer_proc p;
	if (!start_with_keys(&p, STD_FLAGS))
		goto out;
	CHECK(p.metrics_port != 0);
	char body[2048];
	sb_attestation(body, sizeof body, 1, 2, 0xbb);
	sign_expect(p.port, 0, body, 200);
	sign_expect(p.port, 0, "{", 400);
	hc_response r;
	const char *names[] = {
		"signing_bls_signing_duration_count 1", "http_bls_malformed_request_count_total 1",
		"signing_signers_loaded_count 4", "eth2_slashingprotection_permitted_signings_total 1",
		"eth2_slashingprotection_prevented_signings_total 0",
		"signing_bls_missing_identifier_count_total 0",
		"secure_signer_sign_requests_total{type=\"ATTESTATION\",outcome=\"ok\"} 1",
		"secure_signer_sign_phase_seconds_bucket{type=\"ATTESTATION\",phase=\"slashing\",le=\"+Inf\"} 1",
		"secure_signer_sign_phase_seconds_count{type=\"ATTESTATION\",phase=\"sign\"} 1",
		/* one signature, its root hashed once (the hashed-message cache) */
		"signer_hash_cache_hits_total 0", "signer_hash_cache_misses_total 1",
		/* nothing in flight; the one attestation in one transaction */
		"secure_signer_signing_in_flight 0", "secure_signer_slashing_transactions_total 1",
		"secure_signer_slashing_checks_total 1", "secure_signer_slashing_queue_depth 0",
	};
	/* The in-flight gauge drops just after the answer is sent: scrape until it has
	 * (at most 2 s), then every line must be there. */
	for (int tries = 0;; tries++) {
		CHECK_EQ_U64(call(p.metrics_port, "GET", "/metrics", NULL, NULL, &r), 200);
		if (tries == 200 || strstr(BODY(r), "secure_signer_signing_in_flight 0\n"))
			break;
		hc_free(&r);
		usleep(10 * 1000);
	}
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		CHECK_MSG(r.body && strstr(BODY(r), names[i]), "metrics lack '%s'", names[i]);
	hc_free(&r);
	/* The metrics listener serves nothing else, and the API does not serve metrics. */
	CHECK_EQ_U64(hc_request(p.metrics_port, "GET", "/upcheck", NULL, NULL, 0, &r), 404);
	hc_free(&r);
	CHECK_EQ_U64(hc_request(p.port, "GET", "/metrics", NULL, NULL, 0, &r), 404);
	hc_free(&r);
	const char evil[] = "GET /metrics HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n";
	CHECK_EQ_U64(hc_raw(p.metrics_port, evil, sizeof evil - 1, &r), 403);
	hc_free(&r);
	CHECK_EQ_U64(sp_stop(&p), 0);
out:
	sp_cleanup(&p);
}

TEST(signing_token_host_allowlist_env_and_config_file)
{
	signer_proc p;
	make_keys();
	if (!sp_init(&p))
		return;
	for (int i = 0; i < N_KEYS; i++) {
		char name[16];
		snprintf(name, sizeof name, "key%d", i);
		sp_add_raw_key(&p, name, sk_hex[i]);
	}
	char tok[400], cfgp[400], a1[450], a2[450];
	snprintf(tok, sizeof tok, "%s/sign.token", p.dir);
	CHECK(test_write_text(tok, "s3cret-signing-token\n"));
	snprintf(cfgp, sizeof cfgp, "%s/config.yaml", p.dir);
	char yaml[600];
	/* Web3Signer-style keys, one with its eth2. prefix, and a list value. */
	snprintf(yaml, sizeof yaml,
		 "http-host-allowlist: [localhost, 127.0.0.1, signer.internal]\n"
		 "eth2.slashing-protection-enabled: false\n"
		 "http-bearer-token-file: %s\n", tok);
	CHECK(test_write_text(cfgp, yaml));
	snprintf(a1, sizeof a1, "--config-file=%s", cfgp);
	snprintf(a2, sizeof a2, "--logging=debug");
	const char *extra[] = { a1, a2, "--access-logs-enabled", NULL };
	setenv("SECURE_SIGNER_KEY_MANAGER_API_ENABLED", "true", 1);
	tests_run++;
	bool ok = sp_start(&p, extra);
	unsetenv("SECURE_SIGNER_KEY_MANAGER_API_ENABLED");
	CHECK(ok);
	if (!ok)
		goto out;
	hc_response r;
	char path[160], body[2048];
	snprintf(path, sizeof path, "/api/v1/eth2/sign/%s", pk_hex[0]);
	sb_attestation(body, sizeof body, 5, 6, 0x01);
	CHECK_EQ_U64(call(p.port, "POST", path, NULL, body, &r), 401);
	hc_free(&r);
	CHECK_EQ_U64(call(p.port, "POST", path, "Authorization: Bearer bad\r\n", body, &r), 403);
	hc_free(&r);
	CHECK_EQ_U64(call(p.port, "POST", path, "Authorization: Bearer s3cret-signing-token\r\n", body, &r), 200);
	hc_free(&r);
	/* Slashing protection off (from the config file): no 412 and no high watermark. */
	sb_attestation(body, sizeof body, 5, 6, 0x02);
	CHECK_EQ_U64(call(p.port, "POST", path, "Authorization: Bearer s3cret-signing-token\r\n", body, &r), 200);
	hc_free(&r);
	CHECK_EQ_U64(hc_request(p.port, "GET", "/api/v1/eth2/highWatermark",
				"Authorization: Bearer s3cret-signing-token\r\n", NULL, 0, &r), 404);
	hc_free(&r);
	/* Keymanager on (from the environment). */
	CHECK(strlen(p.token) == 64);
	CHECK_EQ_U64(call(p.port, "GET", "/eth/v1/keystores", auth(&p), NULL, &r), 200);
	hc_free(&r);
	/* Host allow-list from the file. */
	const char in[] = "GET /upcheck HTTP/1.1\r\nHost: signer.internal:9000\r\nConnection: close\r\n\r\n";
	CHECK_EQ_U64(hc_raw(p.port, in, sizeof in - 1, &r), 200);
	hc_free(&r);
	const char out_[] = "GET /upcheck HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n";
	CHECK_EQ_U64(hc_raw(p.port, out_, sizeof out_ - 1, &r), 403);
	CHECK(r.body && strcmp(BODY(r), "{\"message\":\"Host not authorized.\"}") == 0);
	hc_free(&r);
	CHECK_EQ_U64(sp_stop(&p), 0);
	/* The access log names requests; no token ever reaches the log, even at debug. */
	char logp[400];
	snprintf(logp, sizeof logp, "%s/signer.log", p.dir);
	char *log = test_read_file(logp, NULL);
	CHECK(log && strstr(log, "GET /eth/v1/keystores 200"));
	CHECK(log && strstr(log, "/api/v1/eth2/sign/") && strstr(log, " 401 "));
	CHECK_MSG(log && !strstr(log, "s3cret-signing-token"), "the signing token was logged");
	CHECK_MSG(log && p.token[0] && !strstr(log, p.token), "the keymanager token was logged");
	free(log);
out:
	sp_cleanup(&p);
}

TEST(second_instance_on_same_data_dir_is_refused)
{
	signer_proc p;
	if (!start_with_keys(&p, STD_FLAGS))
		goto out;
	signer_proc q = p;
	q.pid = 0;
	/* The same data dir: the lock is held, so the second process exits with 1. */
	CHECK(!sp_start(&q, STD_FLAGS));
	CHECK_EQ_U64(sp_stop(&p), 0);
out:
	sp_cleanup(&p);
}

/* ---- command line ------------------------------------------------------------------ */

TEST(cli_help_and_usage_errors)
{
	static char out[65536];
	signer_proc p;
	if (!sp_init(&p))
		return;
	char dd[320], cfg[400], cfgarg[420], bad_yaml[400], bad_yaml_arg[420];
	snprintf(dd, sizeof dd, "--data-dir=%s", p.data_dir);
	const char *help[] = { "run", "--help", NULL };
	CHECK_EQ_U64(sp_run_cli(help, NULL, out, sizeof out), 0);
	CHECK(strstr(out, "--http-listen-port") && strstr(out, "SECURE_SIGNER_HTTP_LISTEN_PORT") &&
	      strstr(out, "--key-manager-api-enabled") && strstr(out, "default: 9000"));
	const char *bogus[] = { "run", "--bogus", NULL };
	CHECK_EQ_U64(sp_run_cli(bogus, NULL, out, sizeof out), 2);
	CHECK(strstr(out, "unknown option") != NULL);
	const char *port[] = { "run", "--http-listen-port=70000", NULL };
	CHECK_EQ_U64(sp_run_cli(port, NULL, out, sizeof out), 2);
	const char *noval[] = { "run", "--http-listen-port", NULL };
	CHECK_EQ_U64(sp_run_cli(noval, NULL, out, sizeof out), 2);
	const char *level[] = { "run", "--logging=loud", NULL };
	CHECK_EQ_U64(sp_run_cli(level, NULL, out, sizeof out), 2);
	const char *boolv[] = { "run", "--metrics-enabled=maybe", NULL };
	CHECK_EQ_U64(sp_run_cli(boolv, NULL, out, sizeof out), 2);
	const char *plain[] = { "run", "positional", NULL };
	CHECK_EQ_U64(sp_run_cli(plain, NULL, out, sizeof out), 2);
	static char env_bad[] = "SECURE_SIGNER_METRICS_PORT=abc";
	const char *env_run[] = { "run", dd, NULL };
	CHECK_EQ_U64(sp_run_cli(env_run, env_bad, out, sizeof out), 2);
	CHECK(strstr(out, "SECURE_SIGNER_METRICS_PORT") != NULL);
	snprintf(bad_yaml, sizeof bad_yaml, "%s/bad.yaml", p.dir);
	CHECK(test_write_text(bad_yaml, "http-listen-port: 9000\nno-such-option: 1\n"));
	snprintf(bad_yaml_arg, sizeof bad_yaml_arg, "--config-file=%s", bad_yaml);
	const char *yaml[] = { "run", bad_yaml_arg, NULL };
	CHECK_EQ_U64(sp_run_cli(yaml, NULL, out, sizeof out), 2);
	CHECK(strstr(out, "no-such-option") != NULL);
	snprintf(cfg, sizeof cfg, "%s/nested.yaml", p.dir);
	CHECK(test_write_text(cfg, "http-listen-port:\n  nested: 1\n"));
	snprintf(cfgarg, sizeof cfgarg, "--config-file=%s", cfg);
	const char *nested[] = { "run", cfgarg, NULL };
	CHECK_EQ_U64(sp_run_cli(nested, NULL, out, sizeof out), 2);
	/* Valid syntax, impossible setup: exit 1 with a message. */
	const char *net[] = { "run", dd, "--http-listen-port=0", "--network=/nonexistent/config.yaml", NULL };
	CHECK_EQ_U64(sp_run_cli(net, NULL, out, sizeof out), 1);
	CHECK(strstr(out, "--network") != NULL);
	const char *pw[] = { "run", dd, "--http-listen-port=0", "--keystores-passwords-path=/x",
			     "--keystores-password-file=/y", NULL };
	CHECK_EQ_U64(sp_run_cli(pw, NULL, out, sizeof out), 1);
	CHECK(strstr(out, "mutually exclusive") != NULL);
	const char *host[] = { "run", dd, "--http-listen-port=0", "--http-listen-host=not-an-ip", NULL };
	CHECK_EQ_U64(sp_run_cli(host, NULL, out, sizeof out), 1);
	sp_cleanup(&p);
}

/* The slashing store cannot make a record durable (fsync fails in the running binary,
 * tests/api/fsync_fault_preload.c): a slashable request gets 500 and no signature,
 * other types are still signed, and once the disk works again the store recovers
 * without a restart, having recorded nothing for the refused request. */
TEST(sign_answers_500_when_slashing_store_fails)
{
	signer_proc p;
	char tdir[256], trigger[300];
	char *old_preload = getenv("LD_PRELOAD") ? strdup(getenv("LD_PRELOAD")) : NULL;
	char *old_asan = getenv("ASAN_OPTIONS") ? strdup(getenv("ASAN_OPTIONS")) : NULL;
	snprintf(tdir, sizeof tdir, "%s/ss-fault-XXXXXX",
		 getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(tdir)) {
		CHECK_MSG(0, "mkdtemp %s", tdir);
		tdir[0] = '\0';
		goto out_env;
	}
	snprintf(trigger, sizeof trigger, "%s/fail-fsync", tdir);
	setenv("LD_PRELOAD", FSYNC_FAULT_PRELOAD, 1);
	setenv("SS_FSYNC_FAULT_FILE", trigger, 1);
	/* The sanitizer build's runtime need not come first for this small shim. */
	char asan[512];
	snprintf(asan, sizeof asan, "%s%sverify_asan_link_order=0", old_asan ? old_asan : "",
		 old_asan ? ":" : "");
	setenv("ASAN_OPTIONS", asan, 1);
	bool started = start_with_keys(&p, STD_FLAGS);
	/* Only the signer gets the shim: restore this process's environment at once. */
	if (old_preload)
		setenv("LD_PRELOAD", old_preload, 1);
	else
		unsetenv("LD_PRELOAD");
	if (old_asan)
		setenv("ASAN_OPTIONS", old_asan, 1);
	else
		unsetenv("ASAN_OPTIONS");
	unsetenv("SS_FSYNC_FAULT_FILE");
	if (!started)
		goto out_env;
	char a[2048], path[160];
	sb_attestation(a, sizeof a, 5, 6, 0x01);
	sign_expect(p.port, 0, a, 200); /* the disk works */

	CHECK(test_write_text(trigger, "")); /* the disk fails */
	sb_attestation(a, sizeof a, 6, 7, 0x02);
	snprintf(path, sizeof path, "/api/v1/eth2/sign/%s", pk_hex[0]);
	hc_response r;
	CHECK_EQ_U64(call(p.port, "POST", path, JSON_ACCEPT, a, &r), 500);
	CHECK_MSG(strstr(BODY(r), "Slashing protection store failed") != NULL &&
			  strstr(BODY(r), "signature") == NULL,
		  "body %s", BODY(r));
	hc_free(&r);
	sb_block(a, sizeof a, 300, 0x03);
	sign_expect(p.port, 1, a, 500);
	char agg[1024];
	sb_aggregation_slot(agg, sizeof agg, 321);
	sign_expect(p.port, 0, agg, 200); /* nothing to record: still signed */

	CHECK(unlink(trigger) == 0); /* the disk works again */
	sb_attestation(a, sizeof a, 6, 7, 0x03);
	sign_expect(p.port, 0, a, 200); /* another vote for target 7: nothing was recorded */
	sb_attestation(a, sizeof a, 6, 7, 0x02);
	sign_expect(p.port, 0, a, 412); /* the failed one is now a double vote */
	CHECK_EQ_U64(sp_stop(&p), 0);
	sp_cleanup(&p);
out_env:
	if (tdir[0]) {
		unlink(trigger);
		rmdir(tdir);
	}
	free(old_preload);
	free(old_asan);
}

TEST(high_watermark_is_reported_and_enforced)
{
	static char out[8192];
	signer_proc p;
	if (!start_with_keys(&p, STD_FLAGS))
		goto out;
	char body[2048];
	sb_attestation(body, sizeof body, 10, 11, 0x01);
	sign_expect(p.port, 0, body, 200);
	CHECK_EQ_U64(sp_stop(&p), 0);
	/* Set it offline (the signer holds the data dir while running). */
	char dd[320];
	snprintf(dd, sizeof dd, "--data-dir=%s", p.data_dir);
	const char *set[] = { "slashing", "watermark", "set", "--epoch", "20", "--slot", "640", dd, NULL };
	CHECK_EQ_U64(sp_run_cli(set, NULL, out, sizeof out), 0);
	CHECK(sp_start(&p, STD_FLAGS));
	hc_response r;
	CHECK_EQ_U64(call(p.port, "GET", "/api/v1/eth2/highWatermark", NULL, NULL, &r), 200);
	CHECK_MSG(strcmp(BODY(r), "{\"epoch\":\"20\",\"slot\":\"640\"}") == 0, "got %s", BODY(r));
	hc_free(&r);
	sb_attestation(body, sizeof body, 12, 19, 0x02);
	sign_expect(p.port, 0, body, 200);
	sb_attestation(body, sizeof body, 19, 20, 0x03); /* target at the watermark */
	sign_expect(p.port, 0, body, 412);
	sb_block(body, sizeof body, 639, 0x04);
	sign_expect(p.port, 1, body, 200);
	sb_block(body, sizeof body, 640, 0x05);
	sign_expect(p.port, 1, body, 412);
	CHECK_EQ_U64(sp_stop(&p), 0);
out:
	sp_cleanup(&p);
}

/* Web3Signer's signing extension (--Xsigning-ext-enabled, reference/web3signer.md §1.10):
 * off by default (404); on, PROOF_OF_VALIDATION signs the raw body bytes and answers
 * {payload: base64 of the body, signature}; anything else in the body is a 400
 * {"error":"Bad Request"}, an unknown key 404 {"error":"Identifier not found."}. */
static void ext_expect(uint16_t port, const char *pk, const char *body, int status,
		       const char *error)
{
	char path[200];
	snprintf(path, sizeof path, "/api/v1/eth2/ext/sign/%s", pk);
	hc_response r;
	int st = call(port, "POST", path, JSON_ACCEPT, body, &r);
	CHECK_MSG(st == status, "expected %d, got %d: %s", status, st, BODY(r));
	json_t *o = json_loads(BODY(r), 0, NULL);
	if (error)
		CHECK_MSG(o && json_is_string(json_object_get(o, "error")) &&
				  strcmp(json_string_value(json_object_get(o, "error")), error) == 0,
			  "error body %s", BODY(r));
	json_decref(o);
	hc_free(&r);
}

TEST(ext_sign_proof_of_validation)
{
	static const char body[] =
		"{\"type\":\"PROOF_OF_VALIDATION\",\"platform\":\"AT\",\"timestamp\":\"1700000000\"}";
	signer_proc p;
	if (!start_with_keys(&p, STD_FLAGS))
		goto out;
	ext_expect(p.port, pk_hex[0], body, 404, NULL); /* off by default */
	CHECK_EQ_U64(sp_stop(&p), 0);
	sp_cleanup(&p);
	static const char *const on[] = { "--Xsigning-ext-enabled=true", NULL };
	if (!start_with_keys(&p, on))
		goto out;
	char path[200];
	snprintf(path, sizeof path, "/api/v1/eth2/ext/sign/%s", pk_hex[1]);
	hc_response r;
	CHECK_EQ_U64(call(p.port, "POST", path, JSON_ACCEPT, body, &r), 200);
	json_t *o = json_loads(BODY(r), 0, NULL);
	const char *payload = o ? json_string_value(json_object_get(o, "payload")) : NULL;
	const char *sig = o ? json_string_value(json_object_get(o, "signature")) : NULL;
	/* The payload is the body, base64; the signature is over the body's bytes. */
	unsigned char raw[256];
	int n = payload ? EVP_DecodeBlock(raw, (const unsigned char *)payload, (int)strlen(payload))
			: -1;
	size_t blen = strlen(body);
	CHECK_MSG(n >= (int)blen && memcmp(raw, body, blen) == 0, "payload %s", payload ? payload : "");
	uint8_t s[96];
	CHECK(sig && hex_decode(s, 96, sig, strlen(sig), HEX_PREFIX_REQUIRED) == SS_OK);
	CHECK_MSG(sig && bls_verify_vartime(pk_bin[1], (const uint8_t *)body, blen, s),
		  "signature is not over the body");
	json_decref(o);
	hc_free(&r);
	/* Bad bodies: unknown member, wrong type, timestamp not a uint64 string, not JSON. */
	ext_expect(p.port, pk_hex[1],
		   "{\"type\":\"PROOF_OF_VALIDATION\",\"platform\":\"AT\",\"timestamp\":\"1\",\"x\":1}",
		   400, "Bad Request");
	ext_expect(p.port, pk_hex[1], "{\"type\":\"ATTESTATION\",\"platform\":\"AT\",\"timestamp\":\"1\"}",
		   400, "Bad Request");
	ext_expect(p.port, pk_hex[1], "{\"type\":\"PROOF_OF_VALIDATION\",\"platform\":\"AT\",\"timestamp\":1}",
		   400, "Bad Request");
	ext_expect(p.port, pk_hex[1], "not json", 400, "Bad Request");
	char unknown[99];
	snprintf(unknown, sizeof unknown, "0x%096x", 1u);
	ext_expect(p.port, unknown, body, 404, "Identifier not found.");
	CHECK_EQ_U64(sp_stop(&p), 0);
out:
	sp_cleanup(&p);
}

/* POST /api/v1/eth2/sign (PR #29 batch) answers per key, in request order; the details
 * are in test_sign_batch. */
TEST(batch_route_signs_per_key)
{
	signer_proc p;
	if (!start_with_keys(&p, STD_FLAGS))
		goto out;
	char body[1024];
	snprintf(body, sizeof body,
		 "{\"identifiers\":[\"%s\",\"%s\"],\"signing_request\":{\"type\":\"AGGREGATION_SLOT\","
		 "%s,\"aggregation_slot\":{\"slot\":\"12000100\"}}}", pk_hex[2], pk_hex[0], SB_FORK);
	hc_response r;
	CHECK_EQ_U64(call(p.port, "POST", "/api/v1/eth2/sign", JSON_ACCEPT, body, &r), 200);
	json_t *arr = json_loads(BODY(r), 0, NULL);
	CHECK(json_is_array(arr) && json_array_size(arr) == 2);
	char one[512];
	sb_aggregation_slot(one, sizeof one, 12000100);
	eth2_signing_request rq;
	eth2_error err;
	CHECK(eth2_parse_signing_request(eth2_network_builtin("mainnet"), one, strlen(one), &rq,
					 &err) == SS_OK);
	for (size_t i = 0; i < json_array_size(arr); i++) {
		int k = i == 0 ? 2 : 0;
		json_t *it = json_array_get(arr, i);
		const char *id = json_string_value(json_object_get(it, "identifier"));
		const char *sig = json_string_value(json_object_get(it, "signature"));
		uint8_t s[96];
		CHECK_MSG(id && strcmp(id, pk_hex[k]) == 0, "item %zu is %s", i, id ? id : "?");
		CHECK(sig && hex_decode(s, 96, sig, strlen(sig), HEX_PREFIX_REQUIRED) == SS_OK &&
		      bls_verify_vartime(pk_bin[k], rq.signing_root, 32, s));
	}
	json_decref(arr);
	hc_free(&r);
	CHECK_EQ_U64(call(p.port, "POST", "/api/v1/eth2/sign", JSON_ACCEPT,
			  "{\"identifiers\":[],\"signing_request\":{}}", &r), 400);
	hc_free(&r);
	CHECK_EQ_U64(sp_stop(&p), 0);
out:
	sp_cleanup(&p);
}

/* Secure-Signer's own routes (issue 13) answer through the table; their behaviour is
 * tested in test_secure_signer_api.c and npm-secure-signer/. Under --tee sim. */
TEST(secure_signer_routes_answer)
{
	signer_proc p;
	const char *const flags[] = { "--key-manager-api-enabled", "--tee=sim", NULL };
	if (!start_with_keys(&p, flags))
		return;
	hc_response r;
	char body[600];
	snprintf(body, sizeof body,
		 "{\"deposits\":[{\"pubkey\":\"%s\",\"withdrawal_credentials\":\"0x00%062d\","
		 "\"amount\":\"32000000000\"}]}", pk_hex[0], 0);
	CHECK_EQ_U64(call(p.port, "POST", "/api/v1/eth2/deposit", auth(&p), body, &r), 200);
	hc_free(&r);
	CHECK_EQ_U64(call(p.port, "GET", "/api/v1/eth2/slashing-protection", auth(&p), NULL, &r), 200);
	hc_free(&r);
	CHECK_EQ_U64(call(p.port, "POST", "/api/v1/eth2/slashing-protection", auth(&p), "{", &r), 400);
	hc_free(&r);
	CHECK_EQ_U64(call(p.port, "POST", "/eth/v1/keygen/bls", auth(&p), "{\"count\":2}", &r), 200);
	hc_free(&r);
	CHECK_EQ_U64(call(p.port, "POST", "/eth/v1/keygen/secp256k1", auth(&p), NULL, &r), 200);
	hc_free(&r);
	CHECK_EQ_U64(call(p.port, "GET", "/eth/v1/keygen/secp256k1", auth(&p), NULL, &r), 200);
	CHECK(strstr(BODY(r), "\"pubkey\"") != NULL);
	hc_free(&r);
	CHECK_EQ_U64(sp_stop(&p), 0);
	sp_cleanup(&p);
}

/* Must stay the last test of this file: every route of the table was called. */
TEST(every_route_was_exercised)
{
	if (test_selected_case() || tests_run < 6) {
		test_skip("needs the whole suite");
		return;
	}
	size_t n;
	const http_route *routes = api_all_routes(&n);
	bool hit[64] = { false };
	for (size_t i = 0; i < n_seen; i++) {
		size_t idx;
		uint8_t pk[48];
		if (http_route_match(routes, n, seen[i].m, seen[i].path, &idx, pk, NULL) ==
		    HTTP_MATCH_OK)
			hit[idx] = true;
	}
	for (size_t i = 0; i < n; i++)
		CHECK_MSG(hit[i], "route %s %s was never exercised", http_method_name(routes[i].method),
			  routes[i].pattern);
}
