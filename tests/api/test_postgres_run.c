/* `secure-signer run --slashing-protection-db-url`: two signers with their own data
 * directories and the same key share one PostgreSQL slashing database, as an operator
 * runs them for high availability. A message signed by one is refused to the other when
 * it conflicts; conflicting requests racing through both at once sign exactly one;
 * refusals hold after kill -9 and restart; nothing is written to a local SQLite file.
 * Runs under tests/slashing/with-postgres.sh (SLASH_TEST_PG), skipped without it. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../server/http_client.h"
#include "crypto/bls.h"
#include "sign_bodies.h"
#include "signer_proc.h"
#include "test.h"
#include "util/hex.h"

static const char SK[] = "0x263dbd792f5b1be47ed85f8938c0f29586af0d3ac7b977f21c278fe1462040e3";
static char pk_hex[99];

static bool key_ready(void)
{
	uint8_t sk[32], pk[48];
	bls_secret_key k;
	if (hex_decode(sk, 32, SK, strlen(SK), HEX_PREFIX_REQUIRED) != SS_OK ||
	    bls_secret_key_from_bytes(&k, sk) != SS_OK)
		return false;
	bls_sk_to_pk(pk, &k);
	bls_secret_key_wipe(&k);
	hex_encode(pk_hex, pk, 48, true);
	return true;
}

static int sign(uint16_t port, const char *body)
{
	char path[160];
	snprintf(path, sizeof path, "/api/v1/eth2/sign/%s", pk_hex);
	hc_response r;
	int st = hc_request(port, "POST", path, "Accept: application/json\r\n", body,
			    strlen(body), &r);
	hc_free(&r);
	return st;
}

/* Starts p with the key and the shared database; extra flags may add credentials. */
static bool start_shared(signer_proc *p, const char *url_flag, const char *extra)
{
	if (!sp_init(p))
		return false;
	sp_add_raw_key(p, "key", SK);
	const char *flags[] = { url_flag, extra, NULL };
	return sp_start(p, flags);
}

typedef struct {
	uint16_t port;
	unsigned root;
	int status;
} racer;

static void *race(void *arg)
{
	racer *r = arg;
	char body[2048];
	sb_attestation(body, sizeof body, 40, 41, r->root);
	r->status = sign(r->port, body);
	return NULL;
}

TEST(shared_postgres_store_across_signers)
{
	const char *pg = getenv("SLASH_TEST_PG");
	if (!pg || !*pg) {
		test_skip("SLASH_TEST_PG is not set (tests/slashing/with-postgres.sh sets it)");
		return;
	}
	bls_init();
	CHECK(key_ready());
	char url_flag[1200];
	snprintf(url_flag, sizeof url_flag, "--slashing-protection-db-url=%s", pg);
	signer_proc a, b;
	memset(&b, 0, sizeof b);
	bool ok = start_shared(&a, url_flag, NULL);
	CHECK_MSG(ok, "signer a did not start (%s)", a.dir);
	if (!ok)
		goto out;
	/* b logs in as the role that needs its password (SCRAM; with-postgres.sh), read
	 * from a file: the password has characters key=value quoting must escape. */
	const char *role = getenv("SLASH_TEST_PG_PW_ROLE");
	const char *password = getenv("SLASH_TEST_PG_PW_PASSWORD");
	const char *pw_conninfo = getenv("SLASH_TEST_PG_PW_CONNINFO");
	CHECK(role && password && pw_conninfo);
	if (!role || !password || !pw_conninfo)
		goto out;
	char pw_path[400], b_url[1200], b_user[200], b_pw[460];
	snprintf(pw_path, sizeof pw_path, "%s/db-password", a.dir);
	FILE *f = fopen(pw_path, "w");
	if (f) {
		fprintf(f, "%s\n", password);
		fclose(f);
	}
	snprintf(b_url, sizeof b_url, "--slashing-protection-db-url=%s", pw_conninfo);
	snprintf(b_user, sizeof b_user, "--slashing-protection-db-username=%s", role);
	snprintf(b_pw, sizeof b_pw, "--slashing-protection-db-password-file=%s", pw_path);
	if (!sp_init(&b)) {
		CHECK_MSG(0, "sp_init");
		goto out;
	}
	sp_add_raw_key(&b, "key", SK);
	ok = sp_start(&b, (const char *[]){ b_url, b_user, b_pw, NULL });
	CHECK_MSG(ok, "signer b did not start (%s)", b.dir);
	if (!ok)
		goto out;

	char body[2048];
	sb_attestation(body, sizeof body, 5, 6, 0x01);
	CHECK_EQ_U64(sign(a.port, body), 200);
	CHECK_EQ_U64(sign(b.port, body), 200); /* the identical vote may be signed again */
	sb_attestation(body, sizeof body, 5, 6, 0x02);
	CHECK_EQ_U64(sign(b.port, body), 412); /* a double vote through the other signer */
	sb_attestation(body, sizeof body, 4, 7, 0x03);
	CHECK_EQ_U64(sign(b.port, body), 412); /* a surround vote */
	sb_block(body, sizeof body, 1000, 0x01);
	CHECK_EQ_U64(sign(b.port, body), 200);
	sb_block(body, sizeof body, 1000, 0x02);
	CHECK_EQ_U64(sign(a.port, body), 412); /* a double proposal */

	/* Conflicting votes for one target racing through both signers: one is signed. */
	racer rs[8];
	pthread_t t[8];
	for (int i = 0; i < 8; i++) {
		rs[i] = (racer){ .port = i % 2 ? b.port : a.port, .root = 0x40u + (unsigned)i };
		pthread_create(&t[i], NULL, race, &rs[i]);
	}
	int signed_ = 0, refused = 0;
	for (int i = 0; i < 8; i++) {
		pthread_join(t[i], NULL);
		signed_ += rs[i].status == 200;
		refused += rs[i].status == 412;
	}
	CHECK_MSG(signed_ == 1 && refused == 7, "%d signed, %d refused of 8 conflicting votes",
		  signed_, refused);

	/* kill -9 and restart: the shared history still refuses. */
	sp_kill9(&a);
	CHECK(sp_start(&a, (const char *[]){ url_flag, NULL }));
	sb_attestation(body, sizeof body, 5, 6, 0x04);
	CHECK_EQ_U64(sign(a.port, body), 412);
	sb_attestation(body, sizeof body, 41, 42, 0x05);
	CHECK_EQ_U64(sign(a.port, body), 200);

	/* The local SQLite file was never created. */
	char sqlite_path[400];
	struct stat st;
	snprintf(sqlite_path, sizeof sqlite_path, "%s/slashing.sqlite", a.data_dir);
	CHECK(stat(sqlite_path, &st) != 0);
	CHECK_EQ_U64(sp_stop(&a), 0);
	CHECK_EQ_U64(sp_stop(&b), 0);
out:
	sp_cleanup(&a);
	if (b.dir[0])
		sp_cleanup(&b);
}

TEST(postgres_url_errors_stop_the_start)
{
	signer_proc p;
	if (!sp_init(&p))
		return;
	sp_add_raw_key(&p, "key", SK);
	/* Not a PostgreSQL URL, and an unreachable server: the signer refuses to start
	 * rather than sign without protection. */
	const char *bad[][2] = {
		{ "--slashing-protection-db-url=jdbc:mysql://localhost/ss", NULL },
		{ "--slashing-protection-db-url=host=/nonexistent-socket-dir dbname=x connect_timeout=2",
		  NULL },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		CHECK_MSG(!sp_start(&p, bad[i]), "started with %s", bad[i][0]);
	sp_cleanup(&p);
}

/* The password reaches the server: with the role that must authenticate, a wrong one
 * stops the start, the right one given as a flag on a postgresql:// URI (where it is
 * percent-encoded) lets it start. */
TEST(postgres_password_is_delivered)
{
	const char *role = getenv("SLASH_TEST_PG_PW_ROLE");
	const char *password = getenv("SLASH_TEST_PG_PW_PASSWORD");
	const char *pw_conninfo = getenv("SLASH_TEST_PG_PW_CONNINFO");
	if (!role || !password || !pw_conninfo) {
		test_skip("SLASH_TEST_PG_PW_* are not set (tests/slashing/with-postgres.sh sets them)");
		return;
	}
	/* "host=<socket dir> dbname=postgres" as a URI: postgresql:///postgres?host=<dir> */
	const char *host = strstr(pw_conninfo, "host=");
	char dir[300] = "";
	if (host)
		snprintf(dir, sizeof dir, "%.*s", (int)strcspn(host + 5, " "), host + 5);
	CHECK(dir[0] == '/');
	char uri[1400], user[200], good[300], bad[300];
	snprintf(uri, sizeof uri, "--slashing-protection-db-url=postgresql:///postgres?host=%s", dir);
	snprintf(user, sizeof user, "--slashing-protection-db-username=%s", role);
	snprintf(bad, sizeof bad, "--slashing-protection-db-password=%s-wrong", password);
	snprintf(good, sizeof good, "--slashing-protection-db-password=%s", password);
	signer_proc p;
	if (!sp_init(&p))
		return;
	sp_add_raw_key(&p, "key", SK);
	CHECK_MSG(!sp_start(&p, (const char *[]){ uri, user, bad, NULL }),
		  "started with a wrong database password");
	bool ok = sp_start(&p, (const char *[]){ uri, user, good, NULL });
	CHECK_MSG(ok, "did not start with the right database password (%s)", p.dir);
	if (ok)
		CHECK_EQ_U64(sp_stop(&p), 0);
	sp_cleanup(&p);
}

static int get_health(uint16_t port, char *body, size_t cap)
{
	hc_response r;
	int st = hc_request(port, "GET", "/healthcheck", NULL, NULL, 0, &r);
	snprintf(body, cap, "%s", r.body ? r.body : "");
	hc_free(&r);
	return st;
}

/* Waits up to 15 s for /healthcheck to answer want, recording the slowest answer (the
 * handler reads the background probe's result, never the database, so every answer
 * comes at once; a handler blocked on the database fails this after one request's
 * 20 s receive timeout instead of hanging the test). */
static bool health_becomes(uint16_t port, int want, char *body, size_t cap, double *slowest)
{
	struct timespec start;
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (int i = 0; i < 150; i++) {
		struct timespec t0, t1;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		int st = get_health(port, body, cap);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
		if (s > *slowest)
			*slowest = s;
		if (st == want)
			return true;
		if ((double)(t1.tv_sec - start.tv_sec) > 15)
			return false;
		usleep(100 * 1000);
	}
	return false;
}

/* Sends sig ("STOP" or "CONT") to the cluster's postmaster and its children, found from
 * <socket dir>/data/postmaster.pid (with-postgres.sh's layout). */
static bool pg_signal(const char *conninfo, const char *sig)
{
	const char *host = strstr(conninfo, "host=");
	if (!host)
		return false;
	char cmd[1024];
	snprintf(cmd, sizeof cmd,
		 "pid=$(head -n 1 '%.*s/data/postmaster.pid') && "
		 "kill -%s $pid $(pgrep -P $pid)",
		 (int)strcspn(host + 5, " "), host + 5, sig);
	return system(cmd) == 0;
}

/* The database goes away and comes back: /healthcheck turns 503 with the database
 * check DOWN and answers at once meanwhile, duties that need no record are still signed,
 * attestations get 500 (never a signature without a record), and everything recovers
 * when the server is back, without a restart. */
TEST(healthcheck_follows_postgres_outage)
{
	const char *pg = getenv("SLASH_TEST_PG"), *stop = getenv("SLASH_TEST_PG_STOP"),
		   *start = getenv("SLASH_TEST_PG_START");
	if (!pg || !*pg || !stop || !start) {
		test_skip("SLASH_TEST_PG_* are not set (tests/slashing/with-postgres.sh sets them)");
		return;
	}
	bls_init();
	CHECK(key_ready());
	char url_flag[1200];
	snprintf(url_flag, sizeof url_flag, "--slashing-protection-db-url=%s", pg);
	signer_proc p;
	if (!sp_init(&p))
		return;
	sp_add_raw_key(&p, "key", SK);
	bool ok = sp_start(&p, (const char *[]){
		url_flag, "--slashing-protection-db-health-check-interval-milliseconds=200",
		"--slashing-protection-db-health-check-timeout-milliseconds=1000", NULL });
	CHECK_MSG(ok, "signer did not start (%s)", p.dir);
	if (!ok)
		goto out;
	char health[4096], body[2048];
	double slowest = 0;
	CHECK_EQ_U64(get_health(p.port, health, sizeof health), 200);

	CHECK(system(stop) == 0);
	CHECK_MSG(health_becomes(p.port, 503, health, sizeof health, &slowest),
		  "healthcheck stayed up with the database stopped: %s", health);
	CHECK_MSG(strstr(health, "\"id\": \"slashing-protection-db-health-check\", \"status\": "
				 "\"DOWN\"") ||
			  strstr(health, "\"id\":\"slashing-protection-db-health-check\",\"status\":"
					 "\"DOWN\""),
		  "%s", health);
	sb_aggregation_slot(body, sizeof body, 5000);
	CHECK_EQ_U64(sign(p.port, body), 200);
	sb_attestation(body, sizeof body, 60, 61, 0x01);
	CHECK_EQ_U64(sign(p.port, body), 500);

	CHECK(system(start) == 0);
	CHECK_MSG(health_becomes(p.port, 200, health, sizeof health, &slowest),
		  "healthcheck did not recover: %s", health);
	CHECK_EQ_U64(sign(p.port, body), 200);
	CHECK_MSG(slowest < 2.0, "a healthcheck took %.1f s", slowest);

	/* A hung database (every server process stopped, connections open and silent):
	 * the probe's read hangs, /healthcheck still answers at once and turns 503 after
	 * the probe timeout, and duties that need no record are still signed. */
	slowest = 0;
	CHECK(pg_signal(pg, "STOP"));
	CHECK_MSG(health_becomes(p.port, 503, health, sizeof health, &slowest),
		  "healthcheck stayed up with the database hung: %s", health);
	sb_aggregation_slot(body, sizeof body, 5001);
	CHECK_EQ_U64(sign(p.port, body), 200);
	CHECK(pg_signal(pg, "CONT"));
	CHECK_MSG(slowest < 2.0, "with the database hung a healthcheck took %.1f s", slowest);
	CHECK_MSG(health_becomes(p.port, 200, health, sizeof health, &slowest),
		  "healthcheck did not recover from the hang: %s", health);
	CHECK_EQ_U64(sp_stop(&p), 0);
out:
	sp_cleanup(&p);
}

/* A database that holds Web3Signer's slashing history (its tables, reference/web3signer.md
 * §3.1) and none of ours: the signer refuses to start on it, since it would begin with
 * an empty history; the offline import that migrates the history runs; then it starts,
 * and refuses what the migrated history forbids. */
TEST(web3signer_history_must_be_migrated_first)
{
	const char *pg = getenv("SLASH_TEST_PG");
	if (!pg || !*pg || !strstr(pg, "dbname=postgres")) {
		test_skip("SLASH_TEST_PG is not set (tests/slashing/with-postgres.sh sets it)");
		return;
	}
	bls_init();
	CHECK(key_ready());
	char cmd[2400], db[1200];
	/* a database of its own: the other tests share "postgres" */
	snprintf(db, sizeof db, "%.*sdbname=ss_w3s_history%s", (int)(strstr(pg, "dbname=postgres") - pg),
		 pg, strstr(pg, "dbname=postgres") + strlen("dbname=postgres"));
	snprintf(cmd, sizeof cmd,
		 "PGOPTIONS='-c client_min_messages=warning' psql '%s' -q -v ON_ERROR_STOP=1 -c 'DROP DATABASE IF EXISTS ss_w3s_history' "
		 "-c 'CREATE DATABASE ss_w3s_history' >/dev/null && psql '%s' -q -v ON_ERROR_STOP=1 "
		 "-c 'CREATE TABLE validators (id SERIAL PRIMARY KEY, public_key BYTEA NOT NULL UNIQUE, "
		 "enabled BOOLEAN NOT NULL DEFAULT true)' "
		 "-c 'CREATE TABLE signed_attestations (validator_id INT NOT NULL REFERENCES validators(id), "
		 "source_epoch NUMERIC(20) NOT NULL, target_epoch NUMERIC(20) NOT NULL, signing_root BYTEA, "
		 "id BIGSERIAL PRIMARY KEY)' "
		 "-c \"INSERT INTO validators (public_key) VALUES (decode('%s', 'hex'))\" "
		 "-c 'INSERT INTO signed_attestations (validator_id, source_epoch, target_epoch) VALUES (1, 40, 41)' "
		 ">/dev/null",
		 pg, db, pk_hex + 2);
	if (system(cmd) != 0) {
		CHECK_MSG(0, "cannot create Web3Signer's tables");
		return;
	}
	char url_flag[1300];
	snprintf(url_flag, sizeof url_flag, "--slashing-protection-db-url=%s", db);
	signer_proc p;
	if (!sp_init(&p))
		return;
	sp_add_raw_key(&p, "key", SK);
	const char *flags[] = { url_flag, NULL };
	CHECK_MSG(!sp_start(&p, flags), "started on an empty history beside Web3Signer's");
	char log[400], grep[600];
	snprintf(log, sizeof log, "%s/signer.log", p.dir);
	snprintf(grep, sizeof grep, "grep -q \"holds Web3Signer's slashing history\" %s", log);
	CHECK_MSG(system(grep) == 0, "no reason given (see %s)", log);
	/* the migration: Web3Signer's export, imported offline into the same database */
	char in[400], cli[2400];
	snprintf(in, sizeof in, "%s/w3s-export.json", p.dir);
	FILE *f = fopen(in, "w");
	if (f) {
		fprintf(f, "{\"metadata\":{\"interchange_format_version\":\"5\","
			   "\"genesis_validators_root\":\"%s\"},\"data\":[{\"pubkey\":\"%s\","
			   "\"signed_blocks\":[],\"signed_attestations\":[{\"source_epoch\":\"40\","
			   "\"target_epoch\":\"41\"}]}]}", SB_GVR, pk_hex);
		fclose(f);
	}
	snprintf(cli, sizeof cli, "%s slashing import --from=%s '--slashing-protection-db-url=%s' "
				  "--data-dir=%s >>%s 2>&1", sp_binary(), in, db, p.data_dir, log);
	CHECK_EQ_U64(system(cli), 0);
	CHECK_MSG(sp_start(&p, flags), "did not start after the migration (see %s)", log);
	if (p.port) {
		char body[2048];
		sb_attestation(body, sizeof body, 40, 41, 0x77); /* a double vote of Web3Signer's */
		CHECK_EQ_U64(sign(p.port, body), 412);
		sb_attestation(body, sizeof body, 41, 42, 0x77);
		CHECK_EQ_U64(sign(p.port, body), 200);
		CHECK(sp_stop(&p) == 0);
	}
	sp_cleanup(&p);
}
