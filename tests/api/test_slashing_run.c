/* The slashing store of a running `secure-signer`, over HTTP: a large interchange
 * import does not stall the signing of other keys, and a store that cannot be written
 * stops the start and turns /healthcheck DOWN. */
#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../server/http_client.h"
#include "crypto/bls.h"
#include "sign_bodies.h"
#include "signer_proc.h"
#include "test.h"
#include "util/hex.h"
#include "util/mono_clock.h"
#include "vectors.h"

static const char JSON_ACCEPT[] = "Accept: application/json\r\n";

/* The public key of the raw key this file's signers hold (sk = 0x2f, 0x30, ...). */
static char sk_hex[67], pk_hex[99];

static bool start_signer(signer_proc *p, const char *const *extra)
{
	uint8_t sk[32], pk[48];
	for (int j = 0; j < 32; j++)
		sk[j] = (uint8_t)(0x2f + j);
	bls_init();
	bls_secret_key k;
	if (bls_secret_key_from_bytes(&k, sk) != SS_OK)
		return false;
	bls_sk_to_pk(pk, &k);
	bls_secret_key_wipe(&k);
	hex_encode(sk_hex, sk, 32, true);
	hex_encode(pk_hex, pk, 48, true);
	return sp_init(p) && sp_add_raw_key(p, "key0", sk_hex) && sp_start(p, extra);
}

static int sign_att(uint16_t port, const char *pk, unsigned long s, unsigned long t, unsigned root)
{
	char body[1024], path[160];
	sb_attestation(body, sizeof body, s, t, root);
	snprintf(path, sizeof path, "/api/v1/eth2/sign/%s", pk);
	hc_response r;
	int st = hc_request(port, "POST", path, JSON_ACCEPT, body, strlen(body), &r);
	hc_free(&r);
	return st;
}

/* ---- a large import next to signing ------------------------------------------------- */

#define KS1_PK "0x98d083489b3b06b8740da2dfec5cc3c01b2086363fe023a9d7dc1f907633b1ff11f7b99b19e0533e969862270061d884"
#define N_IMPORT 20000u

typedef struct {
	uint16_t port;
	atomic_bool stop;
	uint64_t max_ns, n, failed;
} signing_loop;

/* Signs fresh attestations with the file's raw key, one after another, and keeps the
 * slowest answer. */
static void *sign_loop(void *arg)
{
	signing_loop *L = arg;
	for (unsigned long e = 1000; !atomic_load(&L->stop); e++) {
		uint64_t t0 = mono_ns();
		int st = sign_att(L->port, pk_hex, e, e + 1, 1);
		uint64_t dt = mono_ns() - t0;
		if (dt > L->max_ns)
			L->max_ns = dt;
		L->n++;
		L->failed += st != 200;
	}
	return NULL;
}

/* An interchange for KS1_PK of N_IMPORT overlapping attestations (e, e + 10), newest
 * first (EIP-3076 sets no order): none surrounds another, but a record-by-record check
 * looking for a recorded attestation that surrounds the next one has to pass over every
 * newer one recorded before it, n^2 / 2 rows in all. */
static char *big_interchange(void)
{
	size_t cap = 200u * N_IMPORT + 4096, len;
	char *ic = malloc(cap);
	if (ic == NULL)
		return NULL;
	len = (size_t)snprintf(ic, cap,
			       "{\"metadata\":{\"interchange_format_version\":\"5\",\"genesis_validators_root\":"
			       "\"%s\"},\"data\":[{\"pubkey\":\"%s\",\"signed_blocks\":[],\"signed_attestations\":[",
			       SB_GVR, KS1_PK);
	for (unsigned e = N_IMPORT; e-- > 0;)
		len += (size_t)snprintf(ic + len, cap - len,
					"%s{\"source_epoch\":\"%u\",\"target_epoch\":\"%u\",\"signing_root\":\"0x%064x\"}",
					e + 1 < N_IMPORT ? "," : "", e, e + 10, e + 1);
	snprintf(ic + len, cap - len, "]}]}");
	return ic;
}

TEST(import_does_not_stall_signing)
{
	if (!vectors_require())
		return;
	char path[512];
	char *ks = vectors_path(path, sizeof path, "eip2335-keystore/web3signer/valid/bls_keystore.json")
			   ? test_read_file(path, NULL)
			   : NULL;
	char *ic = big_interchange();
	signer_proc p;
	static const char *const flags[] = { "--key-manager-api-enabled", NULL };
	CHECK(ks != NULL && ic != NULL);
	bool started = ks != NULL && ic != NULL && start_signer(&p, flags);
	CHECK_MSG(started, "secure-signer did not start");
	if (!started)
		goto out;
	CHECK_EQ_U64(sign_att(p.port, pk_hex, 998, 999, 1), 200); /* pins the root, warms up */

	json_t *req = json_pack("{s:[s],s:[s],s:s}", "keystores", ks, "passwords", "somepassword",
				"slashing_protection", ic);
	char *body = json_dumps(req, JSON_COMPACT);
	json_decref(req);
	char auth[160];
	snprintf(auth, sizeof auth, "Authorization: Bearer %s\r\n", p.token);

	signing_loop L = { .port = p.port };
	pthread_t th;
	CHECK(pthread_create(&th, NULL, sign_loop, &L) == 0);
	usleep(200 * 1000);
	uint64_t n_before = L.n, t0 = mono_ns();
	hc_response r;
	int st = hc_request(p.port, "POST", "/eth/v1/keystores", auth, body, strlen(body), &r);
	uint64_t import_ns = mono_ns() - t0;
	uint64_t n_during = L.n - n_before;
	atomic_store(&L.stop, true);
	pthread_join(th, NULL);
	printf("import of %u attestations: %.2f s; %llu signatures meanwhile, the slowest %.3f s\n",
	       N_IMPORT, (double)import_ns / 1e9, (unsigned long long)n_during, (double)L.max_ns / 1e9);
	CHECK_MSG(st == 200 && r.body && strstr(r.body, "\"imported\""), "import: %d %s", st,
		  r.body ? r.body : "");
	hc_free(&r);
	free(body);
	CHECK_EQ_U64(L.failed, 0);
	CHECK_MSG(n_during > 0, "no signature completed while the import ran");
	/* A signature of another key must not wait for the import: before, it waited for
	 * nearly all of it (18.4 s of an 18.8 s import). The bound is half the import's own
	 * duration, and at least 1 s, so that a slower build (ASan: a 6 s import, one wait
	 * of 1.4 s seen once under load) measures the same property. */
	uint64_t bound = import_ns / 2 > 1000000000u ? import_ns / 2 : 1000000000u;
	CHECK_MSG(L.max_ns < bound, "a signature waited %.3f s during a %.2f s import",
		  (double)L.max_ns / 1e9, (double)import_ns / 1e9);

	/* The import took effect: a double vote, a surrounded vote and a vote below the
	 * imported history are refused; a vote above it is signed. */
	CHECK_EQ_U64(sign_att(p.port, KS1_PK, 5, 15, 0x77), 412);
	CHECK_EQ_U64(sign_att(p.port, KS1_PK, 100, 105, 0x77), 412);
	CHECK_EQ_U64(sign_att(p.port, KS1_PK, 19995, 20011, 0x77), 412);
	CHECK_EQ_U64(sign_att(p.port, KS1_PK, N_IMPORT, N_IMPORT + 10, 0x77), 200);
	CHECK_EQ_U64(sp_stop(&p), 0);
	sp_cleanup(&p);
out:
	free(ks);
	free(ic);
}

/* ---- a store that cannot be written --------------------------------------------------- */

/* chattr +i / -i on the database and its WAL: the tests run as root, whom file modes do
 * not stop, but an immutable file refuses every write, also through descriptors opened
 * before (EPERM), the way a file system turned read-only does (EROFS). */
static bool set_immutable(const signer_proc *p, bool on)
{
	char cmd[1200];
	snprintf(cmd, sizeof cmd, "chattr %ci %s/slashing.sqlite 2>/dev/null", on ? '+' : '-', p->data_dir);
	bool ok = system(cmd) == 0;
	snprintf(cmd, sizeof cmd, "test ! -e %s/slashing.sqlite-wal || chattr %ci %s/slashing.sqlite-wal 2>/dev/null",
		 p->data_dir, on ? '+' : '-', p->data_dir);
	return system(cmd) == 0 && ok;
}

/* GET /healthcheck: the status, and the slashing check's status and reason into st/why. */
static int healthcheck(uint16_t port, char *st, char *why, size_t cap)
{
	hc_response r;
	int code = hc_request(port, "GET", "/healthcheck", NULL, NULL, 0, &r);
	st[0] = why[0] = '\0';
	json_t *o = json_loads(r.body ? r.body : "", 0, NULL);
	size_t i;
	json_t *c;
	json_array_foreach(json_object_get(o, "checks"), i, c) {
		if (strcmp(json_string_value(json_object_get(c, "id")) ?: "", "slashing-protection-db-health-check") != 0)
			continue;
		snprintf(st, cap, "%s", json_string_value(json_object_get(c, "status")) ?: "");
		snprintf(why, cap, "%s", json_string_value(json_object_get(c, "reason")) ?: "");
	}
	json_decref(o);
	hc_free(&r);
	return code;
}

/* /healthcheck until its status is want, for up to 10 s (the probe runs every 200 ms). */
static int healthcheck_until(uint16_t port, int want, char *st, char *why, size_t cap)
{
	int code = 0;
	for (int i = 0; i < 100 && (code = healthcheck(port, st, why, cap)) != want; i++)
		usleep(100 * 1000);
	return code;
}

TEST(unwritable_store_is_down_and_refuses_start)
{
	signer_proc p;
	static const char *const flags[] = { "--slashing-protection-db-health-check-interval-milliseconds=200",
					     NULL };
	bool started = start_signer(&p, flags);
	CHECK_MSG(started, "secure-signer did not start");
	if (!started)
		return;
	char st[256], why[256];
	CHECK_EQ_U64(sign_att(p.port, pk_hex, 10, 11, 1), 200);
	CHECK_EQ_U64(healthcheck(p.port, st, why, sizeof st), 200);
	CHECK(strcmp(st, "UP") == 0);
	if (!set_immutable(&p, true)) {
		set_immutable(&p, false);
		test_skip("chattr +i is not supported here");
		sp_stop(&p);
		sp_cleanup(&p);
		return;
	}
	/* While running: the store turns unwritable. Signing fails as before, and now
	 * /healthcheck says so, with the reason. */
	CHECK_EQ_U64(sign_att(p.port, pk_hex, 11, 12, 1), 500);
	CHECK_EQ_U64(healthcheck_until(p.port, 503, st, why, sizeof st), 503);
	CHECK_MSG(strcmp(st, "DOWN") == 0, "slashing check %s", st);
	CHECK_MSG(why[0] != '\0', "DOWN without a reason");
	printf("DOWN: %s\n", why);
	/* writable again: UP again, and signing resumes */
	CHECK(set_immutable(&p, false));
	CHECK_EQ_U64(healthcheck_until(p.port, 200, st, why, sizeof st), 200);
	CHECK_EQ_U64(sign_att(p.port, pk_hex, 12, 13, 1), 200);
	CHECK_EQ_U64(sp_stop(&p), 0);

	/* At start-up: the signer refuses to run on a store it cannot write, and says why. */
	CHECK(set_immutable(&p, true));
	CHECK_MSG(!sp_start(&p, flags), "secure-signer started on a store it cannot write");
	if (p.pid)
		sp_stop(&p);
	char logp[400];
	snprintf(logp, sizeof logp, "%s/signer.log", p.dir);
	char *log = test_read_file(logp, NULL);
	CHECK_MSG(log && strstr(log, "slashing protection database cannot be written"), "log: %s",
		  log ? log : "(none)");
	free(log);
	set_immutable(&p, false);
	sp_cleanup(&p);
}
