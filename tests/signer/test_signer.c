/* The signing service in-process (signer/signer.h), without HTTP: both entry points give
 * the same answers, the asynchronous one calls done exactly once (or not at all when it
 * answers at once), a refused signature is all zeros, and the per-phase metrics move. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto/bls.h"
#include "eth2/eth2.h"
#include "keys/keys.h"
#include "signer/network_guard.h"
#include "signer/signer.h"
#include "slashing/slashing.h"
#include "test.h"
#include "util/hex.h"

static const char FORK[] = "\"fork_info\":{\"fork\":{\"previous_version\":\"0x04000000\","
			   "\"current_version\":\"0x05000000\",\"epoch\":\"364032\"},"
			   "\"genesis_validators_root\":\"0x04700007fabc8282644aed6d1c7c9e21d38a03a0c4ba193f3afe428824b3a673\"}";

typedef struct {
	char dir[64];
	keys_store *ks;
	slash_db *db;
	signer *s;
	uint8_t pk[48];
} fixture;

static bool setup(fixture *f)
{
	memset(f, 0, sizeof *f);
	snprintf(f->dir, sizeof f->dir, "/tmp/ss-signer-XXXXXX");
	if (!mkdtemp(f->dir))
		return false;
	bls_init();
	uint8_t sk[32];
	for (int i = 0; i < 32; i++)
		sk[i] = (uint8_t)(0x21 + i);
	bls_secret_key k;
	if (bls_secret_key_from_bytes(&k, sk) != SS_OK)
		return false;
	bls_sk_to_pk(f->pk, &k);
	bls_secret_key_wipe(&k);
	char path[160], skh[67];
	snprintf(path, sizeof path, "%s/keys", f->dir);
	if (mkdir(path, 0700) != 0)
		return false;
	hex_encode(skh, sk, 32, true);
	snprintf(path, sizeof path, "%s/keys/k.yaml", f->dir);
	FILE *y = fopen(path, "w");
	if (!y)
		return false;
	fprintf(y, "type: \"file-raw\"\nprivateKey: \"%s\"\n", skh);
	fclose(y);
	keys_kek_provider kek;
	memset(&kek, 0, sizeof kek);
	keys_error err;
	memset(&err, 0, sizeof err);
	char data[100], keydir[120];
	snprintf(data, sizeof data, "%s/data", f->dir);
	snprintf(keydir, sizeof keydir, "%s/keys", f->dir);
	if (mkdir(data, 0700) != 0 || keys_kek_file(&kek, NULL) != SS_OK ||
	    keys_store_open(&f->ks, data, &kek, NULL, &err) != SS_OK)
		return false;
	keys_sources src = { .key_config_dir = keydir };
	if (keys_load_sources(f->ks, &src, NULL, &err) != SS_OK || keys_count(f->ks) != 1)
		return false;
	snprintf(path, sizeof path, "%s/slashing.sqlite", data);
	if (slash_open_sqlite(&f->db, path, NULL) != SS_OK)
		return false;
	signer_config c = { .net = eth2_network_builtin("mainnet"), .keys = f->ks,
			    .slashing = f->db, .signing_threads = 2 };
	return signer_new(&f->s, &c) == SS_OK;
}

static void teardown(fixture *f)
{
	signer_free(f->s);
	if (f->db)
		slash_close(f->db);
	if (f->ks)
		keys_store_close(f->ks);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
	int rc = system(cmd);
	(void)rc;
}

/* setup, or a recorded failure and the fixture torn down. */
static bool setup_or_fail(fixture *f)
{
	if (setup(f))
		return true;
	CHECK_MSG(0, "fixture");
	teardown(f);
	return false;
}

static void att(char *out, size_t cap, unsigned long s, unsigned long t, unsigned root)
{
	snprintf(out, cap,
		 "{\"type\":\"ATTESTATION\",%s,\"attestation\":{\"slot\":\"%lu\",\"index\":\"0\","
		 "\"beacon_block_root\":\"0x%064x\",\"source\":{\"epoch\":\"%lu\",\"root\":"
		 "\"0x%064x\"},\"target\":{\"epoch\":\"%lu\",\"root\":\"0x%064x\"}}}",
		 FORK, t * 32, root, s, 0u, t, 0u);
}

static bool verifies(const uint8_t pk[48], const char *body, const uint8_t sig[96])
{
	eth2_signing_request rq;
	eth2_error err;
	return eth2_parse_signing_request(eth2_network_builtin("mainnet"), body, strlen(body),
					  &rq, &err) == SS_OK &&
	       bls_verify_vartime(pk, rq.signing_root, 32, sig);
}

static bool all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

TEST(sync_statuses)
{
	fixture f;
	if (!setup_or_fail(&f))
		return;
	char b[2048];
	uint8_t sig[96];
	signer_result r;
	att(b, sizeof b, 1, 2, 0xa1);
	CHECK(signer_sign(f.s, f.pk, b, strlen(b), sig, &r) == SIGNER_OK);
	CHECK(verifies(f.pk, b, sig));
	CHECK(signer_sign(f.s, f.pk, b, strlen(b), sig, &r) == SIGNER_OK); /* re-sign */
	att(b, sizeof b, 1, 2, 0xa2);
	CHECK(signer_sign(f.s, f.pk, b, strlen(b), sig, &r) == SIGNER_REFUSED);
	CHECK(all_zero(sig, 96));
	CHECK(strstr(r.message, "Slashing protection") != NULL);
	CHECK(signer_sign(f.s, f.pk, "{", 1, sig, &r) == SIGNER_MALFORMED);
	uint8_t other[48];
	memset(other, 0x11, sizeof other);
	att(b, sizeof b, 2, 3, 0xa3);
	CHECK(signer_sign(f.s, other, b, strlen(b), sig, &r) == SIGNER_NOT_FOUND);
	signer_metrics *m = signer_get_metrics(f.s);
	CHECK_EQ_U64(atomic_load(&m->permitted), 2);
	CHECK_EQ_U64(atomic_load(&m->prevented), 1);
	CHECK_EQ_U64(atomic_load(&m->malformed), 1);
	CHECK_EQ_U64(atomic_load(&m->missing_identifier), 1);
	CHECK_EQ_U64(atomic_load(&m->requests[ETH2_SIGN_ATTESTATION][SIGNER_OUTCOME_OK]), 2);
	CHECK(atomic_load(&m->phase[ETH2_SIGN_ATTESTATION][SIGNER_PHASE_SLASHING].count) == 3);
	teardown(&f);
}

typedef struct {
	_Atomic int deferred, done;
	signer_status st;
	uint8_t sig[96];
	pthread_mutex_t mu;
	pthread_cond_t cv;
} async_ctx;

static void on_defer(void *p) { atomic_fetch_add(&((async_ctx *)p)->deferred, 1); }

static void on_done(void *p, signer_status st, const uint8_t sig[96], const signer_result *res)
{
	async_ctx *c = p;
	(void)res;
	pthread_mutex_lock(&c->mu);
	c->st = st;
	memcpy(c->sig, sig, 96);
	atomic_fetch_add(&c->done, 1);
	pthread_cond_broadcast(&c->cv);
	pthread_mutex_unlock(&c->mu);
}

static void ctx_init(async_ctx *c)
{
	memset(c, 0, sizeof *c);
	pthread_mutex_init(&c->mu, NULL);
	pthread_cond_init(&c->cv, NULL);
}

/* The answer of an asynchronous call that returned st: done()'s when pending. */
static signer_status wait_answer(async_ctx *c, signer_status st)
{
	if (st == SIGNER_PENDING) {
		pthread_mutex_lock(&c->mu);
		while (!atomic_load(&c->done))
			pthread_cond_wait(&c->cv, &c->mu);
		pthread_mutex_unlock(&c->mu);
		st = c->st;
	}
	return st;
}

static signer_status run_async(fixture *f, const char *body, async_ctx *c, int *deferred)
{
	ctx_init(c);
	signer_result r;
	signer_status st = wait_answer(c, signer_sign_async(f->s, f->pk, body, strlen(body),
							    on_defer, on_done, c, &r));
	usleep(20 * 1000); /* a second done() would show up here */
	*deferred = atomic_load(&c->deferred);
	return st;
}

TEST(async_answers_once_and_matches_sync)
{
	fixture f;
	if (!setup_or_fail(&f))
		return;
	char b[2048];
	async_ctx c;
	int deferred;
	att(b, sizeof b, 5, 6, 0xb1);
	CHECK(run_async(&f, b, &c, &deferred) == SIGNER_OK);
	CHECK_EQ_U64(deferred, 1);
	CHECK_EQ_U64(atomic_load(&c.done), 1);
	CHECK(verifies(f.pk, b, c.sig));
	att(b, sizeof b, 5, 6, 0xb2); /* double vote */
	CHECK(run_async(&f, b, &c, &deferred) == SIGNER_REFUSED);
	CHECK_EQ_U64(atomic_load(&c.done), 1);
	CHECK(all_zero(c.sig, 96));
	/* Not slashable: also signed on a signing thread, deferred and answered once. */
	snprintf(b, sizeof b, "{\"type\":\"AGGREGATION_SLOT\",%s,\"aggregation_slot\":{\"slot\":\"12000001\"}}", FORK);
	CHECK(run_async(&f, b, &c, &deferred) == SIGNER_OK);
	CHECK_EQ_U64(deferred, 1);
	CHECK_EQ_U64(atomic_load(&c.done), 1);
	CHECK(verifies(f.pk, b, c.sig));
	/* Errors found by the checks are answered at once, neither callback called. */
	CHECK(run_async(&f, "[]", &c, &deferred) == SIGNER_MALFORMED);
	CHECK_EQ_U64(deferred + atomic_load(&c.done), 0);
	uint8_t other[48];
	memcpy(other, f.pk, 48);
	other[47] ^= 1;
	signer_result r;
	CHECK(signer_sign_async(f.s, other, b, strlen(b), on_defer, on_done, &c, &r) ==
	      SIGNER_NOT_FOUND);
	CHECK_EQ_U64(atomic_load(&c.deferred) + atomic_load(&c.done), 0);
	teardown(&f);
}

TEST(free_waits_for_operations_in_flight)
{
	fixture f;
	if (!setup_or_fail(&f))
		return;
	char b[2048];
	att(b, sizeof b, 7, 8, 0xc1);
	async_ctx c;
	memset(&c, 0, sizeof c);
	pthread_mutex_init(&c.mu, NULL);
	pthread_cond_init(&c.cv, NULL);
	signer_result r;
	CHECK(signer_sign_async(f.s, f.pk, b, strlen(b), on_defer, on_done, &c, &r) ==
	      SIGNER_PENDING);
	/* Its record is still being committed: freeing the signer now must wait for the
	 * answer, not leave the slashing writer a callback into freed memory. */
	signer_free(f.s);
	f.s = NULL;
	CHECK_EQ_U64(atomic_load(&c.done), 1);
	CHECK(c.st == SIGNER_OK);
	CHECK(verifies(f.pk, b, c.sig));
	teardown(&f);
}

/* signer_sign_parsed_async (the batch route's entry): a request parsed once signs with
 * the key as the text form does, goes through the same slashing check (a double vote is
 * refused), answers an unknown key at once, and does not observe the parse phase again. */
static signer_status run_parsed(fixture *f, const uint8_t *pk, const eth2_signing_request *rq,
				async_ctx *c)
{
	ctx_init(c);
	signer_result r;
	return wait_answer(c, signer_sign_parsed_async(f->s, pk, rq, on_defer, on_done, c, &r));
}

TEST(parsed_request_signs_once_parsed)
{
	fixture f;
	if (!setup_or_fail(&f))
		return;
	const eth2_network *net = eth2_network_builtin("mainnet");
	signer_metrics *m = signer_get_metrics(f.s);
	char b[2048];
	eth2_signing_request rq;
	eth2_error err;
	async_ctx c;
	snprintf(b, sizeof b, "{\"type\":\"AGGREGATION_SLOT\",%s,\"aggregation_slot\":{\"slot\":\"12000077\"}}", FORK);
	CHECK(eth2_parse_signing_request(net, b, strlen(b), &rq, &err) == SS_OK);
	uint64_t parses = atomic_load(&m->phase[ETH2_SIGN_AGGREGATION_SLOT][SIGNER_PHASE_PARSE].count);
	CHECK(run_parsed(&f, f.pk, &rq, &c) == SIGNER_OK);
	CHECK_EQ_U64(atomic_load(&c.deferred), 1);
	CHECK(verifies(f.pk, b, c.sig));
	/* the same bytes as the text entry gives */
	uint8_t sig_text[96];
	signer_result r;
	CHECK(signer_sign(f.s, f.pk, b, strlen(b), sig_text, &r) == SIGNER_OK);
	CHECK(memcmp(sig_text, c.sig, 96) == 0);
	CHECK_EQ_U64(atomic_load(&m->phase[ETH2_SIGN_AGGREGATION_SLOT][SIGNER_PHASE_PARSE].count),
		     parses + 1); /* the text entry's parse only */
	/* slashable: recorded, and a double vote refused with a zero signature */
	att(b, sizeof b, 9, 10, 0xd1);
	CHECK(eth2_parse_signing_request(net, b, strlen(b), &rq, &err) == SS_OK);
	CHECK(run_parsed(&f, f.pk, &rq, &c) == SIGNER_OK);
	CHECK(verifies(f.pk, b, c.sig));
	att(b, sizeof b, 9, 10, 0xd2);
	CHECK(eth2_parse_signing_request(net, b, strlen(b), &rq, &err) == SS_OK);
	CHECK(run_parsed(&f, f.pk, &rq, &c) == SIGNER_REFUSED);
	CHECK(all_zero(c.sig, 96));
	/* an unknown key is answered at once, neither callback called */
	uint8_t other[48];
	memcpy(other, f.pk, 48);
	other[47] ^= 1;
	memset(&c, 0, sizeof c);
	CHECK(signer_sign_parsed_async(f.s, other, &rq, on_defer, on_done, &c, &r) ==
	      SIGNER_NOT_FOUND);
	CHECK_EQ_U64(atomic_load(&c.deferred) + atomic_load(&c.done), 0);
	teardown(&f);
}

/* The network checks at their boundaries, with a fixed clock (signer/network_guard.h;
 * the running binary is tested over HTTP by test_network_safety). Mainnet: 32 slots of
 * 12 s. */
TEST(network_guard_boundaries)
{
	const uint64_t genesis = 1606824023, epoch_s = 32 * 12;
	signer_config c = { .net = eth2_network_builtin("mainnet"), .check_future = true,
			    .genesis_time = genesis, .future_epoch_tolerance = 2 };
	eth2_signing_request rq;
	memset(&rq, 0, sizeof rq);
	char msg[384];
	const uint64_t now = genesis + 1000 * epoch_s + epoch_s - 1; /* the last second of epoch 1000 */
	rq.type = ETH2_SIGN_ATTESTATION;
	rq.source_epoch = 1001;
	rq.target_epoch = 1002;
	CHECK(signer_guard_future(&c, &rq, now, msg, sizeof msg));
	rq.target_epoch = 1003;
	CHECK(!signer_guard_future(&c, &rq, now, msg, sizeof msg));
	CHECK_MSG(strstr(msg, "target epoch 1003") && strstr(msg, "current epoch 1000"), "%s", msg);
	CHECK(signer_guard_future(&c, &rq, now + 1, msg, sizeof msg)); /* epoch 1001 began */
	rq.source_epoch = 1004; /* source > target: the source is the far one */
	CHECK(!signer_guard_future(&c, &rq, now + 1, msg, sizeof msg) && strstr(msg, "source epoch 1004"));
	rq.type = ETH2_SIGN_BLOCK_V2;
	rq.slot = 1003 * 32 - 1;
	CHECK(signer_guard_future(&c, &rq, now, msg, sizeof msg));
	rq.slot = 1003 * 32;
	CHECK(!signer_guard_future(&c, &rq, now, msg, sizeof msg) && strstr(msg, "block slot"));
	rq.type = ETH2_SIGN_RANDAO_REVEAL; /* not slashable: never refused */
	CHECK(signer_guard_future(&c, &rq, now, msg, sizeof msg));
	/* before genesis the current epoch is 0 */
	rq.type = ETH2_SIGN_BLOCK;
	rq.slot = 2 * 32 + 31;
	CHECK(signer_guard_future(&c, &rq, genesis - 3600, msg, sizeof msg));
	rq.slot = 3 * 32;
	CHECK(!signer_guard_future(&c, &rq, genesis - 3600, msg, sizeof msg));
	/* a tolerance that overflows is no limit; tolerance 0 allows only the current epoch */
	c.future_epoch_tolerance = UINT64_MAX;
	rq.slot = UINT64_MAX;
	CHECK(signer_guard_future(&c, &rq, now, msg, sizeof msg));
	c.future_epoch_tolerance = 0;
	rq.slot = 1000 * 32 + 31;
	CHECK(signer_guard_future(&c, &rq, now, msg, sizeof msg));
	rq.slot = 1001 * 32;
	CHECK(!signer_guard_future(&c, &rq, now, msg, sizeof msg));
	c.check_future = false;
	CHECK(signer_guard_future(&c, &rq, now, msg, sizeof msg));

	/* the root: refused only when known and different, never for a type without one */
	rq.type = ETH2_SIGN_ATTESTATION;
	rq.has_gvr = true;
	CHECK(signer_guard_gvr(&c, &rq, msg, sizeof msg)); /* check_gvr off */
	c.check_gvr = true;
	CHECK(eth2_network_genesis_validators_root(c.net, c.gvr));
	memcpy(rq.genesis_validators_root, c.gvr, 32);
	CHECK(signer_guard_gvr(&c, &rq, msg, sizeof msg));
	rq.genesis_validators_root[31] ^= 1;
	CHECK(!signer_guard_gvr(&c, &rq, msg, sizeof msg));
	CHECK_MSG(strstr(msg, "expected 0x4b363db94e286120d76eb905340fdd4e54bfe9f06bf33ff6cf5ad27f511bfe95") &&
		  strstr(msg, "received 0x4b363db94e286120d76eb905340fdd4e54bfe9f06bf33ff6cf5ad27f511bfe94"), "%s", msg);
	rq.has_gvr = false; /* DEPOSIT, VALIDATOR_REGISTRATION */
	CHECK(signer_guard_gvr(&c, &rq, msg, sizeof msg));
}

/* signer_sign_raw (ext/sign's PROOF_OF_VALIDATION): the message itself is signed, never
 * one of 32 bytes or fewer (it could stand for a signing root), an unknown key is
 * NOT_FOUND, and nothing reaches the slashing store. */
TEST(sign_raw_refuses_root_sized_messages)
{
	fixture f;
	if (!setup_or_fail(&f))
		return;
	uint8_t msg[33], sig[96];
	memset(msg, 0x5a, sizeof msg);
	signer_result r;
	CHECK(signer_sign_raw(f.s, f.pk, msg, 32, sig, &r) == SIGNER_MALFORMED);
	CHECK(all_zero(sig, 96));
	CHECK(signer_sign_raw(f.s, f.pk, msg, 0, sig, &r) == SIGNER_MALFORMED);
	CHECK(signer_sign_raw(f.s, f.pk, msg, 33, sig, &r) == SIGNER_OK);
	CHECK(bls_verify_vartime(f.pk, msg, 33, sig));
	uint8_t other[48];
	memset(other, 0x11, sizeof other);
	CHECK(signer_sign_raw(f.s, other, msg, 33, sig, &r) == SIGNER_NOT_FOUND);
	CHECK(all_zero(sig, 96));
	signer_metrics *m = signer_get_metrics(f.s);
	CHECK_EQ_U64(atomic_load(&m->permitted), 0);
	CHECK_EQ_U64(atomic_load(&m->prevented), 0);
	teardown(&f);
}
