/* The key registry: agreement with a simple model over random adds and removes (the
 * open-addressing table's backward-shift deletion and the dense-array moves), and
 * concurrent signing while other threads add and remove keys. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/bls.h"
#include "keys/keys.h"
#include "keys/keys_internal.h"
#include "keys_test_util.h"
#include "test.h"
#include "util/ct_check.h"

static void fake_key(uint8_t pk[48], bls_secret_key *sk, uint32_t i)
{
	memset(pk, 0, 48);
	/* collide often: only a few distinct hash bytes (bytes 8..15) */
	pk[8] = (uint8_t)(i % 7);
	memcpy(pk + 20, &i, 4);
	pk[47] = (uint8_t)i;
	for (int k = 0; k < 4; k++)
		sk->l[k] = (uint64_t)i * 1000 + (uint64_t)k;
}

TEST(registry_matches_model)
{
	keys_registry r;
	CHECK(keys_reg_init(&r) == SS_OK);
	enum { N = 5000 };
	static bool present[N];
	memset(present, 0, sizeof present);
	srand(12345);
	size_t count = 0;
	for (int step = 0; step < 40000; step++) {
		uint32_t i = (uint32_t)(rand() % N);
		uint8_t pk[48];
		bls_secret_key sk;
		keys_meta m;
		memset(&m, 0, sizeof m);
		fake_key(pk, &sk, i);
		memcpy(m.pubkey, pk, 48);
		if (rand() % 3) {
			bool added;
			CHECK(keys_reg_add(&r, &m, &sk, 1, &added) == SS_OK);
			CHECK(added == !present[i]);
			if (!present[i])
				count++;
			present[i] = true;
		} else {
			CHECK(keys_reg_remove(&r, pk) == present[i]);
			if (present[i])
				count--;
			present[i] = false;
		}
		if (step % 5000 == 0 || step == 39999) {
			CHECK(keys_reg_count(&r) == count);
			for (uint32_t k = 0; k < N; k++) {
				bls_secret_key got, want;
				fake_key(pk, &want, k);
				bool f = keys_reg_get_secret(&r, pk, &got);
				CHECK(f == present[k]);
				if (f)
					CHECK(memcmp(&got, &want, sizeof got) == 0);
			}
		}
	}
	keys_reg_destroy(&r);
}

/* Memory: the registry's own cost per key (the secret's 32 bytes aside). */
TEST(registry_memory_per_key)
{
	keys_registry r;
	CHECK(keys_reg_init(&r) == SS_OK);
	enum { N = 100000 };
	for (uint32_t i = 0; i < N; i++) {
		uint8_t pk[48];
		bls_secret_key sk;
		keys_meta m;
		memset(&m, 0, sizeof m);
		fake_key(pk, &sk, i);
		pk[9] = (uint8_t)(i >> 8);
		pk[10] = (uint8_t)(i >> 16);
		memcpy(m.pubkey, pk, 48);
		CHECK(keys_reg_add(&r, &m, &sk, 1, NULL) == SS_OK);
	}
	size_t bytes = r.entries_cap * sizeof(keys_meta) + r.table_cap * sizeof(uint32_t) +
		       r.n_slabs * KEYS_SLAB_KEYS * sizeof(bls_secret_key);
	printf("registry: %zu keys, %.0f bytes per key (including the secret)\n", (size_t)N,
	       (double)bytes / N);
	CHECK(bytes / N < 1024);
	keys_reg_destroy(&r);
}

/* Signers look up stable keys while a writer adds and removes churn keys: stable keys
 * are always found with the right secret; churn keys are found only with theirs. */
typedef struct {
	keys_registry *r;
	atomic_bool stop;
	atomic_long lookups, errors;
} race_ctx;

enum { STABLE = 200, CHURN = 2000 };

static void *reader(void *arg)
{
	race_ctx *c = arg;
	uint32_t i = 0;
	while (!atomic_load(&c->stop)) {
		uint8_t pk[48];
		bls_secret_key want, got;
		uint32_t k = (i++ * 7919u) % (STABLE + CHURN);
		fake_key(pk, &want, k);
		bool f = keys_reg_get_secret(c->r, pk, &got);
		if ((k < STABLE && !f) || (f && memcmp(&got, &want, sizeof got) != 0))
			atomic_fetch_add(&c->errors, 1);
		atomic_fetch_add(&c->lookups, 1);
	}
	return NULL;
}

static void *writer(void *arg)
{
	race_ctx *c = arg;
	for (int round = 0; round < 20; round++) {
		for (uint32_t k = STABLE; k < STABLE + CHURN; k++) {
			uint8_t pk[48];
			bls_secret_key sk;
			keys_meta m;
			memset(&m, 0, sizeof m);
			fake_key(pk, &sk, k);
			memcpy(m.pubkey, pk, 48);
			if (keys_reg_add(c->r, &m, &sk, 1, NULL) != SS_OK)
				atomic_fetch_add(&c->errors, 1);
		}
		for (uint32_t k = STABLE; k < STABLE + CHURN; k++) {
			uint8_t pk[48];
			bls_secret_key sk;
			fake_key(pk, &sk, k);
			if (!keys_reg_remove(c->r, pk))
				atomic_fetch_add(&c->errors, 1);
		}
	}
	atomic_store(&c->stop, true);
	return NULL;
}

TEST(registry_concurrent_lookups_with_adds_and_removes)
{
	keys_registry r;
	CHECK(keys_reg_init(&r) == SS_OK);
	for (uint32_t k = 0; k < STABLE; k++) {
		uint8_t pk[48];
		bls_secret_key sk;
		keys_meta m;
		memset(&m, 0, sizeof m);
		fake_key(pk, &sk, k);
		memcpy(m.pubkey, pk, 48);
		CHECK(keys_reg_add(&r, &m, &sk, 1, NULL) == SS_OK);
	}
	race_ctx c = { .r = &r };
	atomic_init(&c.stop, false);
	atomic_init(&c.lookups, 0);
	atomic_init(&c.errors, 0);
	pthread_t t[4];
	for (int i = 0; i < 3; i++)
		pthread_create(&t[i], NULL, reader, &c);
	pthread_create(&t[3], NULL, writer, &c);
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	CHECK_MSG(atomic_load(&c.errors) == 0, "%ld errors in %ld lookups", atomic_load(&c.errors),
		  atomic_load(&c.lookups));
	CHECK(atomic_load(&c.lookups) > 1000);
	CHECK(keys_reg_count(&r) == STABLE);
	keys_reg_destroy(&r);
}

/* The same through the public API with real keys: signing never fails for a key that
 * stays, while other keys are generated and deleted. */
typedef struct {
	keys_store *ks;
	uint8_t stable[4][48];
	atomic_bool stop;
	atomic_long signed_ok, errors;
} api_ctx;

static void *api_signer(void *arg)
{
	api_ctx *c = arg;
	for (int i = 0; !atomic_load(&c->stop); i++) {
		uint8_t sig[96], msg[32] = { (uint8_t)i };
		if (keys_sign(c->ks, c->stable[i % 4], msg, sizeof msg, sig) != SS_OK)
			atomic_fetch_add(&c->errors, 1);
		else
			atomic_fetch_add(&c->signed_ok, 1);
	}
	return NULL;
}

TEST(store_signing_during_generate_and_delete)
{
	char dir[256];
	kt_tempdir(dir, "reg");
	keys_kek_provider kek;
	CHECK(keys_kek_file(&kek, NULL) == SS_OK);
	api_ctx c;
	memset(&c, 0, sizeof c);
	keys_error err = { "" };
	CHECK(keys_store_open(&c.ks, dir, &kek, NULL, &err) == SS_OK);
	if (!c.ks)
		return;
	CHECK(keys_generate(c.ks, 4, c.stable, &err) == SS_OK);
	atomic_init(&c.stop, false);
	pthread_t t;
	pthread_create(&t, NULL, api_signer, &c);
	for (int round = 0; round < 10; round++) {
		uint8_t pks[8][48];
		CHECK(keys_generate(c.ks, 8, pks, &err) == SS_OK);
		for (int i = 0; i < 8; i++)
			CHECK(keys_delete(c.ks, pks[i], &err) == SS_OK);
	}
	atomic_store(&c.stop, true);
	pthread_join(t, NULL);
	CHECK(atomic_load(&c.errors) == 0 && atomic_load(&c.signed_ok) > 0);
	CHECK(keys_count(c.ks) == 4);
	keys_store_close(c.ks);
	kt_rmrf(dir);
}

/* For valgrind (ss_ct_test): with every secret in the registry's slabs marked secret,
 * signing through the registry (lookup, copy out under the lock, BLS sign, wipe) and
 * moving secrets on removal never branch or index on a secret. */
TEST(ct_sign_through_registry)
{
	char dir[256];
	kt_tempdir(dir, "ct");
	keys_kek_provider kek;
	keys_store *ks = NULL;
	keys_error err;
	CHECK(keys_kek_file(&kek, NULL) == SS_OK);
	CHECK(keys_store_open(&ks, dir, &kek, NULL, &err) == SS_OK);
	if (!ks)
		return;
	uint8_t pks[3][48];
	CHECK(keys_generate(ks, 3, pks, &err) == SS_OK);
	for (size_t i = 0; i < ks->reg.n_slabs; i++)
		CT_SECRET(ks->reg.slabs[i], KEYS_SLAB_KEYS * sizeof(bls_secret_key));
	uint8_t sig[96];
	static const uint8_t msg[32] = { 1, 2, 3 };
	CHECK(keys_sign(ks, pks[2], msg, sizeof msg, sig) == SS_OK);
	CT_PUBLIC(sig, sizeof sig);
	CHECK(keys_reg_remove(&ks->reg, pks[0])); /* moves pks[2]'s secret into slot 0 */
	CHECK(keys_sign(ks, pks[2], msg, sizeof msg, sig) == SS_OK);
	CT_PUBLIC(sig, sizeof sig);
	for (size_t i = 0; i < ks->reg.n_slabs; i++)
		CT_PUBLIC(ks->reg.slabs[i], KEYS_SLAB_KEYS * sizeof(bls_secret_key));
	CHECK(bls_verify_vartime(pks[2], msg, sizeof msg, sig));
	keys_store_close(ks);
	kt_rmrf(dir);
}
