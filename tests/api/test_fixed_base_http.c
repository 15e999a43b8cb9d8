/* Fixed-base signing as an operator meets it: a running `secure-signer run` with 20
 * keys, each asked over HTTP to sign the same AGGREGATION_SLOT (one signing root, as
 * every attester of a slot signs one AttestationData since EIP-7549). From the 8th
 * signer on (HASH_CACHE_DEFAULT_BUILD_AFTER) the signatures come from the root's
 * fixed-base table, which /metrics shows, and every answer is byte for byte bls_sign's
 * over the signing root; a second root signed by fewer keys uses no table. Also
 * 16 concurrent connections signing one root: the signing threads take the queued
 * requests in batches (signer_signing_batches_total) and all answers are still
 * bls_sign's. */
#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../server/http_client.h"
#include "crypto/bls.h"
#include "eth2/eth2.h"
#include "sign_bodies.h"
#include "signer/hash_cache.h"
#include "signer_proc.h"
#include "test.h"
#include "util/hex.h"

#define N_KEYS 20
#define JSON_ACCEPT "Content-Type: application/json\r\nAccept: application/json\r\n"

static bls_secret_key sk[N_KEYS];
static char sk_hex[N_KEYS][67], pk_hex[N_KEYS][99];

static bool start(signer_proc *p)
{
	bls_init();
	if (!sp_init(p))
		return false;
	for (int i = 0; i < N_KEYS; i++) {
		uint8_t b[32], pk[48];
		for (int j = 0; j < 32; j++)
			b[j] = (uint8_t)(0x29 + 11 * j + 17 * i);
		b[0] = 0x21; /* below r */
		if (bls_secret_key_from_bytes(&sk[i], b) != SS_OK)
			return false;
		bls_sk_to_pk(pk, &sk[i]);
		hex_encode(sk_hex[i], b, 32, true);
		hex_encode(pk_hex[i], pk, 48, true);
		char name[16];
		snprintf(name, sizeof name, "key%d", i);
		if (!sp_add_raw_key(p, name, sk_hex[i]))
			return false;
	}
	/* two signing threads whatever the machine: with one per core on a large machine, 16
	 * connections would each find a thread free and nothing would queue to be batched */
	static const char *const flags[] = { "--metrics-enabled", "--metrics-port=0",
					     "--signing-threads=2", NULL };
	bool ok = sp_start(p, flags);
	CHECK_MSG(ok, "secure-signer did not start (dir %s)", p->dir);
	return ok;
}

/* Signs body with key i over HTTP; true when the answer is 200 and exactly bls_sign
 * of the signing root the body describes. */
static bool sign_is_bls_sign(uint16_t port, int i, const char *body)
{
	char path[160];
	snprintf(path, sizeof path, "/api/v1/eth2/sign/%s", pk_hex[i]);
	hc_response r;
	int st = hc_request(port, "POST", path, JSON_ACCEPT, body, strlen(body), &r);
	bool ok = false;
	json_t *o = st == 200 ? json_loads(r.body, 0, NULL) : NULL;
	const char *sig = o ? json_string_value(json_object_get(o, "signature")) : NULL;
	uint8_t got[96], want[96];
	eth2_signing_request rq;
	eth2_error err;
	if (sig && hex_decode(got, 96, sig, strlen(sig), HEX_PREFIX_REQUIRED) == SS_OK &&
	    eth2_parse_signing_request(eth2_network_builtin("mainnet"), body, strlen(body), &rq,
				       &err) == SS_OK) {
		bls_sign(want, &sk[i], rq.signing_root, 32);
		ok = memcmp(got, want, 96) == 0;
	}
	json_decref(o);
	hc_free(&r);
	return ok;
}

/* The value of a counter line "name value" in /metrics; -1 when absent. */
static long long metric(uint16_t port, const char *name)
{
	hc_response r;
	long long v = -1;
	if (hc_request(port, "GET", "/metrics", NULL, NULL, 0, &r) == 200 && r.body) {
		char key[128];
		snprintf(key, sizeof key, "\n%s ", name);
		const char *at = strstr(r.body, key);
		if (at)
			v = atoll(at + strlen(key));
	}
	hc_free(&r);
	return v;
}

TEST(shared_root_signed_through_its_table)
{
	signer_proc p;
	if (!start(&p))
		goto out;
	char shared[1024], lone[1024];
	sb_aggregation_slot(shared, sizeof shared, 12000000);
	sb_aggregation_slot(lone, sizeof lone, 12000001);
	for (int i = 0; i < 3; i++)
		CHECK_MSG(sign_is_bls_sign(p.port, i, lone), "lone root, key %d", i);
	CHECK_EQ_U64(metric(p.metrics_port, "signer_fixed_base_signatures_total"), 0);
	for (int i = 0; i < N_KEYS; i++)
		CHECK_MSG(sign_is_bls_sign(p.port, i, shared), "shared root, key %d", i);
	CHECK_EQ_U64(metric(p.metrics_port, "signer_fixed_base_signatures_total"),
		     N_KEYS - HASH_CACHE_DEFAULT_BUILD_AFTER + 1);
	/* one request at a time: every signing thread's batch is that one request */
	CHECK_EQ_U64(metric(p.metrics_port, "signer_signing_batches_total"), 3 + N_KEYS);
	CHECK_EQ_U64(sp_stop(&p), 0);
out:
	sp_cleanup(&p);
}

/* 16 connections sign one root at once (a slot's burst): whichever request builds the
 * table, the others keep being answered, and every signature is bls_sign's. */
typedef struct {
	uint16_t port;
	int t;
	const char *body;
	_Atomic int *bad;
} burst_arg;

static void *burst(void *p)
{
	burst_arg *a = p;
	for (int n = 0; n < 5; n++) {
		int i = (a->t * 5 + n) % N_KEYS;
		if (!sign_is_bls_sign(a->port, i, a->body))
			atomic_fetch_add(a->bad, 1);
	}
	return NULL;
}

TEST(burst_on_one_root_equal_bls_sign)
{
	signer_proc p;
	if (!start(&p))
		goto out;
	char body[1024];
	sb_aggregation_slot(body, sizeof body, 12000032);
	_Atomic int bad = 0;
	pthread_t th[16];
	burst_arg args[16];
	for (int t = 0; t < 16; t++) {
		args[t] = (burst_arg){ p.port, t, body, &bad };
		CHECK(pthread_create(&th[t], NULL, burst, &args[t]) == 0);
	}
	for (int t = 0; t < 16; t++)
		pthread_join(th[t], NULL);
	CHECK_EQ_U64(atomic_load(&bad), 0);
	/* 80 signatures of one root: how many came from the table depends on how the
	 * requests raced the build, but the table was built and used */
	CHECK(metric(p.metrics_port, "signer_fixed_base_signatures_total") > 0);
	/* 16 requests in flight, one signing thread per CPU: requests queue while others are
	 * signed, and a thread takes what queued as one batch (one shared inversion), so
	 * the 80 signatures came in fewer batches, and each was still its own key's */
	uint64_t batches = metric(p.metrics_port, "signer_signing_batches_total");
	CHECK(batches > 0 && batches < 80);
	CHECK_EQ_U64(metric(p.metrics_port, "signer_hash_cache_hits_total") +
			     metric(p.metrics_port, "signer_hash_cache_misses_total"),
		     80);
	CHECK_EQ_U64(sp_stop(&p), 0);
out:
	sp_cleanup(&p);
}
