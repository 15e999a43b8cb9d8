/* The Commit-Boost signing service (signer/commit_boost.h) in-process, on a temporary
 * data directory: the guards in their order (proxy-only, allow-list, unknown key, nonce),
 * replay protection across the 2^63 boundary and across a reopen, proxy ownership and
 * the allow-list over proxies, signatures checked with bls_verify_vartime and k1_recover
 * over roots computed with eth2/commit_boost.h. The HTTP side is tests/commit_boost. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "crypto/bls.h"
#include "crypto/keccak.h"
#include "crypto/secp256k1_key.h"
#include "eth2/commit_boost.h"
#include "keys/keys.h"
#include "keys/keys_aux.h"
#include "signer/commit_boost.h"
#include "test.h"

typedef struct {
	char dir[64];
	keys_store *ks;
	signer_cb *cb;
	uint8_t pk[2][48];
	uint8_t domain[32], chain_id[32];
} fixture;

static void open_fixture(fixture *f, bool fresh)
{
	if (fresh) {
		snprintf(f->dir, sizeof f->dir, "/tmp/ss-cb-svc-XXXXXX");
		CHECK(mkdtemp(f->dir) != NULL);
	}
	keys_kek_provider kek;
	keys_error err = { "" };
	CHECK(keys_kek_file(&kek, NULL) == SS_OK);
	CHECK_MSG(keys_store_open(&f->ks, f->dir, &kek, NULL, &err) == SS_OK, "%s", err.msg);
	if (fresh)
		CHECK(keys_generate(f->ks, 2, f->pk, &err) == SS_OK);
	memset(f->chain_id, 0, 32);
	f->chain_id[31] = 1;
	char e[256];
	CHECK_MSG(signer_cb_new(&f->cb, f->ks, eth2_network_builtin("mainnet"), f->chain_id, f->dir,
				e, sizeof e) == SS_OK, "%s", e);
	uint8_t gfv[4] = { 0 };
	eth2_cb_domain(f->domain, gfv);
}

static void close_fixture(fixture *f)
{
	signer_cb_free(f->cb);
	keys_store_close(f->ks);
}

static void remove_fixture(const fixture *f)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
	CHECK(system(cmd) == 0);
}

static void request_root(const fixture *f, const signer_cb_policy *p, const uint8_t obj[32],
			 uint64_t nonce, uint8_t root[32])
{
	uint8_t info[32];
	eth2_cb_info_root(info, obj, p->signing_id, nonce, f->chain_id);
	eth2_compute_signing_root(root, info, f->domain);
}

static const uint8_t sid_a[32] = { 0xa1, 1 }, sid_b[32] = { 0xb2, 2 };

TEST(guards_nonces_and_ownership)
{
	bls_init();
	fixture f;
	open_fixture(&f, true);
	signer_cb_policy a = { .module = "A", .signing_id = sid_a, .replay_protection = true };
	uint8_t allowed[1][48];
	memcpy(allowed[0], f.pk[0], 48);
	signer_cb_policy b = { .module = "B", .signing_id = sid_b, .allowed = allowed, .n_allowed = 1 };
	signer_cb_policy b_proxy_only = b;
	b_proxy_only.proxy_only = true;
	uint8_t obj[32], root[32], sig[96], unknown[48];
	memset(obj, 7, 32);
	memset(unknown, 0x11, 48);

	/* consensus signatures: the root carries the module's signing id and nonce */
	CHECK(signer_cb_sign_consensus(f.cb, &a, f.pk[1], obj, 5, sig) == SIGNER_CB_OK);
	request_root(&f, &a, obj, 5, root);
	CHECK(bls_verify_vartime(f.pk[1], root, 32, sig));
	/* guards, in order */
	CHECK(signer_cb_sign_consensus(f.cb, &b_proxy_only, f.pk[0], obj, 0, sig) == SIGNER_CB_PROXY_ONLY);
	CHECK(signer_cb_sign_consensus(f.cb, &b, f.pk[1], obj, 0, sig) == SIGNER_CB_KEY_NOT_ALLOWED);
	CHECK(signer_cb_sign_consensus(f.cb, &a, unknown, obj, 9, sig) == SIGNER_CB_UNKNOWN_KEY);
	/* replay protection: monotonic per (module, key), the whole uint64 */
	CHECK(signer_cb_sign_consensus(f.cb, &a, f.pk[1], obj, 5, sig) == SIGNER_CB_NONCE_REUSED);
	CHECK(signer_cb_sign_consensus(f.cb, &a, f.pk[1], obj, 4, sig) == SIGNER_CB_NONCE_REUSED);
	CHECK(signer_cb_sign_consensus(f.cb, &a, f.pk[0], obj, 5, sig) == SIGNER_CB_OK);
	CHECK(signer_cb_sign_consensus(f.cb, &a, f.pk[1], obj, (1ull << 63) + 1, sig) == SIGNER_CB_OK);
	CHECK(signer_cb_sign_consensus(f.cb, &a, f.pk[1], obj, 1ull << 63, sig) == SIGNER_CB_NONCE_REUSED);
	CHECK(signer_cb_sign_consensus(f.cb, &a, f.pk[1], obj, 6, sig) == SIGNER_CB_NONCE_REUSED);
	/* without replay protection nonce 0 is signed again and again */
	CHECK(signer_cb_sign_consensus(f.cb, &b, f.pk[0], obj, 0, sig) == SIGNER_CB_OK);
	CHECK(signer_cb_sign_consensus(f.cb, &b, f.pk[0], obj, 0, sig) == SIGNER_CB_OK);

	/* proxies: generated for a module, usable only by it */
	uint8_t bls_proxy[48], addr[20], tmp[48], del_root[32];
	size_t len = 0;
	CHECK(signer_cb_generate_proxy(f.cb, &a, f.pk[0], KEYS_AUX_PROXY_BLS, true, bls_proxy, &len,
				       sig) == SIGNER_CB_OK && len == 48);
	eth2_cb_delegation_root(root, f.pk[0], bls_proxy, 48);
	eth2_compute_signing_root(del_root, root, f.domain);
	CHECK(bls_verify_vartime(f.pk[0], del_root, 32, sig));
	CHECK(signer_cb_generate_proxy(f.cb, &a, f.pk[0], KEYS_AUX_PROXY_ECDSA, true, tmp, &len,
				       sig) == SIGNER_CB_OK && len == 20);
	memcpy(addr, tmp, 20);
	CHECK(signer_cb_generate_proxy(f.cb, &b, f.pk[1], KEYS_AUX_PROXY_BLS, true, tmp, &len, sig) ==
	      SIGNER_CB_KEY_NOT_ALLOWED);
	CHECK(signer_cb_sign_proxy_bls(f.cb, &a, bls_proxy, obj, 1, sig) == SIGNER_CB_OK);
	request_root(&f, &a, obj, 1, root);
	CHECK(bls_verify_vartime(bls_proxy, root, 32, sig));
	CHECK(signer_cb_sign_proxy_bls(f.cb, &b, bls_proxy, obj, 1, sig) == SIGNER_CB_UNKNOWN_PROXY);
	uint8_t esig[65], pub65[65], got[20];
	CHECK(signer_cb_sign_proxy_ecdsa(f.cb, &a, addr, obj, 2, esig) == SIGNER_CB_OK);
	CHECK(esig[64] == 27 || esig[64] == 28);
	request_root(&f, &a, obj, 2, root);
	esig[64] -= 27;
	CHECK(k1_recover(esig, root, pub65) == SS_OK);
	keccak_eth_address(got, pub65);
	CHECK_MEM(got, addr, 20);
	CHECK(signer_cb_sign_proxy_ecdsa(f.cb, &b, addr, obj, 2, esig) == SIGNER_CB_UNKNOWN_PROXY);
	CHECK(signer_cb_sign_proxy_ecdsa(f.cb, &a, addr, obj, 2, esig) == SIGNER_CB_NONCE_REUSED);
	/* a proxy whose delegator has left the module's allow-list no longer signs */
	uint8_t b_bls[48], b_addr[20], moved[1][48];
	CHECK(signer_cb_generate_proxy(f.cb, &b, f.pk[0], KEYS_AUX_PROXY_BLS, true, b_bls, &len,
				       sig) == SIGNER_CB_OK && len == 48);
	CHECK(signer_cb_generate_proxy(f.cb, &b, f.pk[0], KEYS_AUX_PROXY_ECDSA, true, tmp, &len,
				       sig) == SIGNER_CB_OK && len == 20);
	memcpy(b_addr, tmp, 20);
	CHECK(signer_cb_sign_proxy_bls(f.cb, &b, b_bls, obj, 0, sig) == SIGNER_CB_OK);
	CHECK(signer_cb_sign_proxy_ecdsa(f.cb, &b, b_addr, obj, 0, esig) == SIGNER_CB_OK);
	memcpy(moved[0], f.pk[1], 48);
	signer_cb_policy b_moved = b;
	b_moved.allowed = moved;
	CHECK(signer_cb_sign_proxy_bls(f.cb, &b_moved, b_bls, obj, 0, sig) == SIGNER_CB_UNKNOWN_PROXY);
	CHECK(signer_cb_sign_proxy_ecdsa(f.cb, &b_moved, b_addr, obj, 0, esig) ==
	      SIGNER_CB_UNKNOWN_PROXY);
	/* the legacy owner is another owner: it cannot reach A's proxies */
	size_t sig_len;
	CHECK(signer_cb_sign_legacy(f.cb, true, bls_proxy, 48, obj, sig, &sig_len) ==
	      SIGNER_CB_UNKNOWN_PROXY);
	CHECK(signer_cb_sign_legacy(f.cb, false, f.pk[0], 48, obj, sig, &sig_len) == SIGNER_CB_OK);
	eth2_compute_signing_root(root, obj, f.domain);
	CHECK(sig_len == 96 && bls_verify_vartime(f.pk[0], root, 32, sig));
	close_fixture(&f);

	/* reopened: the nonces and the proxies are still there */
	open_fixture(&f, false);
	CHECK(signer_cb_sign_consensus(f.cb, &a, f.pk[1], obj, (1ull << 63) + 1, sig) ==
	      SIGNER_CB_NONCE_REUSED);
	CHECK(signer_cb_sign_proxy_bls(f.cb, &a, bls_proxy, obj, 2, sig) == SIGNER_CB_OK);
	CHECK(signer_cb_sign_proxy_ecdsa(f.cb, &a, addr, obj, 3, esig) == SIGNER_CB_OK);
	close_fixture(&f);
	remove_fixture(&f);
}

/* Requests of one module racing for proxies: all start together (the barrier), BLS and
 * ECDSA alternately. */
#define RACERS 16
#define RACED_PLACES 4
typedef struct {
	fixture *f;
	const signer_cb_policy *p;
	pthread_barrier_t start;
	atomic_size_t next, ok, too_many;
} race;

static void *race_for_a_proxy(void *arg)
{
	race *r = arg;
	size_t i = atomic_fetch_add(&r->next, 1);
	uint8_t proxy[48], sig[96];
	size_t len;
	pthread_barrier_wait(&r->start);
	signer_cb_status st = signer_cb_generate_proxy(
		r->f->cb, r->p, r->f->pk[0], i % 2 ? KEYS_AUX_PROXY_ECDSA : KEYS_AUX_PROXY_BLS, true,
		proxy, &len, sig);
	if (st == SIGNER_CB_OK)
		atomic_fetch_add(&r->ok, 1);
	else if (st == SIGNER_CB_TOO_MANY_PROXIES)
		atomic_fetch_add(&r->too_many, 1);
	return NULL;
}

/* docs/commit-boost.md "Proxy keys": a module holds at most SIGNER_CB_MAX_PROXIES_PER_OWNER
 * proxies, of both kinds together, also when its requests race for the last place;
 * another module is not held back by it. */
TEST(proxy_limit_per_module)
{
	bls_init();
	fixture f;
	open_fixture(&f, true);
	signer_cb_policy a = { .module = "A", .signing_id = sid_a };
	signer_cb_policy b = { .module = "B", .signing_id = sid_b };
	uint8_t proxy[48], sig[96], first[20], obj[32] = { 9 }, esig[65];
	size_t len, made = 0;
	/* ECDSA: cheaper to generate than EIP-2333 BLS keys */
	for (size_t i = 0; i < SIGNER_CB_MAX_PROXIES_PER_OWNER - RACED_PLACES; i++) {
		made += signer_cb_generate_proxy(f.cb, &a, f.pk[0], KEYS_AUX_PROXY_ECDSA, true, proxy,
						 &len, sig) == SIGNER_CB_OK;
		if (i == 0)
			memcpy(first, proxy, 20);
	}
	/* found by address among them all, the last made as well as the first */
	CHECK(signer_cb_sign_proxy_ecdsa(f.cb, &a, proxy, obj, 0, esig) == SIGNER_CB_OK);
	CHECK(signer_cb_sign_proxy_ecdsa(f.cb, &a, first, obj, 0, esig) == SIGNER_CB_OK);
	CHECK(signer_cb_sign_proxy_ecdsa(f.cb, &b, proxy, obj, 0, esig) == SIGNER_CB_UNKNOWN_PROXY);
	/* the last free places, raced for by more requests at once: each is taken once */
	race r = { .f = &f, .p = &a };
	pthread_t t[RACERS];
	pthread_barrier_init(&r.start, NULL, RACERS);
	for (size_t i = 0; i < RACERS; i++)
		CHECK(pthread_create(&t[i], NULL, race_for_a_proxy, &r) == 0);
	for (size_t i = 0; i < RACERS; i++)
		pthread_join(t[i], NULL);
	pthread_barrier_destroy(&r.start);
	CHECK_EQ_U64(r.ok, RACED_PLACES);
	CHECK_EQ_U64(r.too_many, RACERS - RACED_PLACES);
	made += r.ok;
	CHECK_EQ_U64(made, SIGNER_CB_MAX_PROXIES_PER_OWNER);
	CHECK(signer_cb_generate_proxy(f.cb, &a, f.pk[1], KEYS_AUX_PROXY_ECDSA, true, proxy, &len,
				       sig) == SIGNER_CB_TOO_MANY_PROXIES);
	CHECK(signer_cb_generate_proxy(f.cb, &a, f.pk[0], KEYS_AUX_PROXY_BLS, true, proxy, &len,
				       sig) == SIGNER_CB_TOO_MANY_PROXIES);
	CHECK(keys_aux_list(f.ks, 0, "A", NULL, 0) == SIGNER_CB_MAX_PROXIES_PER_OWNER);
	CHECK(signer_cb_generate_proxy(f.cb, &b, f.pk[0], KEYS_AUX_PROXY_ECDSA, true, proxy, &len,
				       sig) == SIGNER_CB_OK);
	close_fixture(&f);
	remove_fixture(&f);
}

/* Re-imports pk from a keystore exported before its deletion. */
static void reimport(const fixture *f, const char *keystore)
{
	const char *pw = "pw";
	size_t ks_len = strlen(keystore), pw_len = 2;
	keys_import_result res;
	CHECK(keys_import_keystores(f->ks, &keystore, &ks_len, &pw, &pw_len, 1, &res) == SS_OK);
	CHECK_MSG(res.status == KEYS_IMPORT_IMPORTED, "%s", res.message);
}

/* docs/commit-boost.md "Proxy keys": deleting a consensus key (Keymanager DELETE, `keys
 * delete`) stops its proxies, BLS and ECDSA, v0.2.0 and legacy, as if unknown; no new
 * proxy is delegated by it; re-importing the key brings the sealed proxies back. */
TEST(proxies_of_a_deleted_key_do_not_sign)
{
	bls_init();
	fixture f;
	open_fixture(&f, true);
	signer_cb_policy a = { .module = "A", .signing_id = sid_a };
	uint8_t bls_proxy[48], addr[20], l_bls[48], l_ecdsa[48], tmp[48], obj[32], sig[96], esig[65];
	size_t len = 0, sig_len;
	memset(obj, 3, sizeof obj);
	CHECK(signer_cb_generate_proxy(f.cb, &a, f.pk[0], KEYS_AUX_PROXY_BLS, true, bls_proxy, &len,
				       sig) == SIGNER_CB_OK);
	CHECK(signer_cb_generate_proxy(f.cb, &a, f.pk[0], KEYS_AUX_PROXY_ECDSA, true, tmp, &len,
				       sig) == SIGNER_CB_OK && len == 20);
	memcpy(addr, tmp, 20);
	/* legacy proxies: the legacy owner, ECDSA named by its 33-byte key */
	signer_cb_policy legacy = { .module = SIGNER_CB_LEGACY_OWNER };
	CHECK(signer_cb_generate_proxy(f.cb, &legacy, f.pk[0], KEYS_AUX_PROXY_BLS, false, l_bls,
				       &len, sig) == SIGNER_CB_OK);
	CHECK(signer_cb_generate_proxy(f.cb, &legacy, f.pk[0], KEYS_AUX_PROXY_ECDSA, false, l_ecdsa,
				       &len, sig) == SIGNER_CB_OK && len == 33);
	CHECK(signer_cb_sign_proxy_bls(f.cb, &a, bls_proxy, obj, 1, sig) == SIGNER_CB_OK);
	CHECK(signer_cb_sign_proxy_ecdsa(f.cb, &a, addr, obj, 1, esig) == SIGNER_CB_OK);
	CHECK(signer_cb_sign_legacy(f.cb, true, l_bls, 48, obj, sig, &sig_len) == SIGNER_CB_OK);
	CHECK(signer_cb_sign_legacy(f.cb, true, l_ecdsa, 33, obj, sig, &sig_len) == SIGNER_CB_OK);

	char *keystore = NULL;
	keys_kdf_params kdf = { .pbkdf2 = true, .pbkdf2_c = 2 };
	keys_error err = { "" };
	CHECK(keys_export_keystore(f.ks, f.pk[0], "pw", 2, &kdf, &keystore, &err) == SS_OK);
	CHECK(keys_delete(f.ks, f.pk[0], &err) == SS_OK);
	CHECK(signer_cb_sign_proxy_bls(f.cb, &a, bls_proxy, obj, 2, sig) == SIGNER_CB_UNKNOWN_PROXY);
	CHECK(signer_cb_sign_proxy_ecdsa(f.cb, &a, addr, obj, 2, esig) == SIGNER_CB_UNKNOWN_PROXY);
	CHECK(signer_cb_sign_legacy(f.cb, true, l_bls, 48, obj, sig, &sig_len) ==
	      SIGNER_CB_UNKNOWN_PROXY);
	CHECK(signer_cb_sign_legacy(f.cb, true, l_ecdsa, 33, obj, sig, &sig_len) ==
	      SIGNER_CB_UNKNOWN_PROXY);
	CHECK(signer_cb_generate_proxy(f.cb, &a, f.pk[0], KEYS_AUX_PROXY_BLS, true, tmp, &len,
				       sig) == SIGNER_CB_UNKNOWN_KEY);
	/* the proxies stay sealed (the refused generation left nothing behind) */
	CHECK(keys_aux_list(f.ks, 0, NULL, NULL, 0) == 4);
	/* the other consensus key is not affected */
	CHECK(signer_cb_sign_consensus(f.cb, &a, f.pk[1], obj, 2, sig) == SIGNER_CB_OK);

	if (keystore)
		reimport(&f, keystore);
	free(keystore);
	CHECK(signer_cb_sign_proxy_bls(f.cb, &a, bls_proxy, obj, 3, sig) == SIGNER_CB_OK);
	uint8_t root[32];
	request_root(&f, &a, obj, 3, root);
	CHECK(bls_verify_vartime(bls_proxy, root, 32, sig));
	CHECK(signer_cb_sign_proxy_ecdsa(f.cb, &a, addr, obj, 3, esig) == SIGNER_CB_OK);
	CHECK(signer_cb_sign_legacy(f.cb, true, l_bls, 48, obj, sig, &sig_len) == SIGNER_CB_OK);
	CHECK(signer_cb_sign_legacy(f.cb, true, l_ecdsa, 33, obj, sig, &sig_len) == SIGNER_CB_OK);
	close_fixture(&f);
	remove_fixture(&f);
}
