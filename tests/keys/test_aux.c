/* keys/keys_aux.h on temporary data directories: auxiliary keys of every kind are
 * generated, listed per owner, found by address (secp256k1), signed with, survive a
 * restart, are deleted durably; a tampered or wrongly keyed aux.sealed loads nothing,
 * refuses changes, and is left byte for byte as it was. */
#include <stdlib.h>
#include <string.h>

#include "crypto/bls.h"
#include "crypto/keccak.h"
#include "crypto/secp256k1_key.h"
#include "keys/keys.h"
#include "keys/keys_aux.h"
#include "keys_test_util.h"
#include "test.h"
#include "util/file.h"

static keys_store *open_store(const char *dir, const char *kek_path)
{
	keys_kek_provider kek;
	CHECK(keys_kek_file(&kek, kek_path) == SS_OK);
	keys_store *ks = NULL;
	keys_error err = { "" };
	ss_err e = keys_store_open(&ks, dir, &kek, NULL, &err);
	CHECK_MSG(e == SS_OK, "open: %s", err.msg);
	return ks;
}

static bool bls_signs(keys_store *ks, const uint8_t pk[48])
{
	static const uint8_t msg[] = "proxy message";
	uint8_t sig[96];
	return keys_aux_sign_bls(ks, pk, msg, sizeof msg, sig) == SS_OK &&
	       bls_verify_vartime(pk, msg, sizeof msg, sig);
}

static bool ecdsa_signs(keys_store *ks, keys_aux_kind kind, const uint8_t pub33[33])
{
	uint8_t hash[32], sig[65], rec65[65], pub65[65];
	memset(hash, 0x5a, sizeof hash);
	return keys_aux_sign_ecdsa(ks, kind, pub33, hash, sig) == SS_OK &&
	       k1_recover(sig, hash, rec65) == SS_OK && k1_pub_parse(pub33, 33, NULL, pub65) == SS_OK &&
	       memcmp(rec65, pub65, 65) == 0;
}

TEST(generate_list_sign_restart_delete)
{
	char dir[256];
	kt_tempdir(dir, "aux");
	keys_store *ks = open_store(dir, NULL);
	keys_error err = { "" };
	uint8_t delegator[48];
	memset(delegator, 0xab, sizeof delegator);
	keys_aux_info bls_a, bls_b, ec_a, enc;
	CHECK(keys_aux_generate(ks, KEYS_AUX_PROXY_BLS, "module-a", delegator, &bls_a, &err) == SS_OK);
	CHECK(keys_aux_generate(ks, KEYS_AUX_PROXY_BLS, "module-b", delegator, &bls_b, &err) == SS_OK);
	CHECK(keys_aux_generate(ks, KEYS_AUX_PROXY_ECDSA, "module-a", delegator, &ec_a, &err) == SS_OK);
	CHECK(keys_aux_generate(ks, KEYS_AUX_SECP256K1, NULL, NULL, &enc, &err) == SS_OK);
	CHECK(bls_a.pub_len == 48 && ec_a.pub_len == 33 && enc.pub_len == 33);
	CHECK(memcmp(bls_a.pub, bls_b.pub, 48) != 0);
	CHECK(bls_a.has_delegator && memcmp(bls_a.delegator, delegator, 48) == 0 && !enc.has_delegator);
	/* Validator keys and auxiliary keys do not mix. */
	CHECK(keys_count(ks) == 0);

	keys_aux_info list[8];
	CHECK(keys_aux_list(ks, 0, NULL, list, 8) == 4);
	CHECK(keys_aux_list(ks, KEYS_AUX_PROXY_BLS, "module-a", list, 8) == 1 &&
	      memcmp(list[0].pub, bls_a.pub, 48) == 0);
	CHECK(keys_aux_list(ks, 0, "module-a", list, 8) == 2);
	CHECK(keys_aux_list(ks, 0, "module-c", list, 8) == 0);
	CHECK(keys_aux_list(ks, KEYS_AUX_SECP256K1, NULL, list, 0) == 1);
	size_t n = 9;
	keys_aux_info *snap = keys_aux_list_alloc(ks, 0, "module-a", &n);
	CHECK(snap && n == 2 && memcmp(snap[0].pub, bls_a.pub, 48) == 0 &&
	      memcmp(snap[1].pub, ec_a.pub, 33) == 0);
	free(snap);
	snap = keys_aux_list_alloc(ks, 0, "module-c", &n);
	CHECK(snap && n == 0);
	free(snap);

	CHECK(bls_signs(ks, bls_a.pub) && bls_signs(ks, bls_b.pub));
	CHECK(ecdsa_signs(ks, KEYS_AUX_PROXY_ECDSA, ec_a.pub));
	CHECK(ecdsa_signs(ks, KEYS_AUX_SECP256K1, enc.pub));
	/* A key is found only under its own kind. */
	uint8_t hash[32] = { 0 }, sig[65];
	CHECK(keys_aux_sign_ecdsa(ks, KEYS_AUX_SECP256K1, ec_a.pub, hash, sig) == SS_ERR_NOT_FOUND);

	/* ECDH with the encryption key agrees with the peer's side. */
	uint8_t peer_sk[32], peer_pub[33], p1[65], p2[65];
	CHECK(k1_generate(peer_sk, peer_pub) == SS_OK);
	CHECK(keys_aux_ecdh(ks, enc.pub, peer_pub, 33, p1) == SS_OK);
	CHECK(k1_ecdh_point(peer_sk, enc.pub, 33, p2) == SS_OK);
	CHECK_MEM(p1, p2, 65);
	CHECK(keys_aux_ecdh(ks, ec_a.pub, peer_pub, 33, p1) == SS_ERR_NOT_FOUND);
	keys_store_close(ks);

	ks = open_store(dir, NULL);
	CHECK(keys_aux_list(ks, 0, NULL, list, 8) == 4);
	CHECK(list[0].kind == KEYS_AUX_PROXY_BLS && strcmp(list[0].owner, "module-a") == 0 &&
	      memcmp(list[0].pub, bls_a.pub, 48) == 0); /* oldest first */
	CHECK(bls_signs(ks, bls_a.pub) && ecdsa_signs(ks, KEYS_AUX_PROXY_ECDSA, ec_a.pub));
	CHECK(keys_aux_delete(ks, KEYS_AUX_PROXY_BLS, bls_a.pub, 48, &err) == SS_OK);
	CHECK(keys_aux_delete(ks, KEYS_AUX_PROXY_BLS, bls_a.pub, 48, &err) == SS_ERR_NOT_FOUND);
	CHECK(!bls_signs(ks, bls_a.pub));
	/* the entries after the deleted one moved down with their secrets, before any reload */
	CHECK(bls_signs(ks, bls_b.pub) && ecdsa_signs(ks, KEYS_AUX_PROXY_ECDSA, ec_a.pub) &&
	      ecdsa_signs(ks, KEYS_AUX_SECP256K1, enc.pub));
	keys_store_close(ks);

	ks = open_store(dir, NULL);
	CHECK(keys_aux_list(ks, 0, NULL, list, 8) == 3);
	CHECK(!keys_aux_get(ks, KEYS_AUX_PROXY_BLS, bls_a.pub, 48, NULL));
	CHECK(keys_aux_get(ks, KEYS_AUX_PROXY_BLS, bls_b.pub, 48, list) &&
	      strcmp(list[0].owner, "module-b") == 0);
	CHECK(bls_signs(ks, bls_b.pub) && ecdsa_signs(ks, KEYS_AUX_SECP256K1, enc.pub));
	keys_store_close(ks);
	kt_rmrf(dir);
}

TEST(bad_input_is_refused)
{
	char dir[256];
	kt_tempdir(dir, "aux");
	keys_store *ks = open_store(dir, NULL);
	keys_error err = { "" };
	char owner[KEYS_AUX_OWNER_MAX + 1];
	memset(owner, 'm', sizeof owner - 1);
	owner[sizeof owner - 1] = '\0';
	CHECK(keys_aux_generate(ks, KEYS_AUX_PROXY_BLS, owner, NULL, NULL, &err) == SS_ERR_INVALID);
	CHECK(keys_aux_generate(ks, (keys_aux_kind)9, NULL, NULL, NULL, &err) == SS_ERR_INVALID);
	CHECK(keys_aux_list(ks, 0, NULL, NULL, 0) == 0);
	char path[512];
	snprintf(path, sizeof path, "%s/keys/aux.sealed", dir);
	CHECK(access(path, F_OK) != 0); /* nothing written */
	keys_store_close(ks);
	kt_rmrf(dir);
}

static void read_file(const char *path, char **buf, size_t *len)
{
	CHECK(file_read_all(path, 1 << 20, buf, len) == SS_OK);
}

TEST(tampered_or_foreign_file_loads_nothing_and_stays)
{
	char dir[256], path[512], other_kek[512];
	kt_tempdir(dir, "aux");
	snprintf(path, sizeof path, "%s/keys/aux.sealed", dir);
	snprintf(other_kek, sizeof other_kek, "%s/other.kek", dir);
	keys_store *ks = open_store(dir, NULL);
	keys_error err = { "" };
	keys_aux_info a;
	CHECK(keys_aux_generate(ks, KEYS_AUX_PROXY_ECDSA, "m", NULL, &a, &err) == SS_OK);
	CHECK(keys_aux_generate(ks, KEYS_AUX_PROXY_ECDSA, "m", NULL, &a, &err) == SS_OK);
	keys_store_close(ks);
	char *orig = NULL;
	size_t orig_len = 0;
	read_file(path, &orig, &orig_len);

	/* Another KEK: nothing loads, nothing may change, the file stays as it was. */
	ks = open_store(dir, other_kek);
	CHECK(keys_aux_list(ks, 0, NULL, NULL, 0) == 0);
	CHECK(keys_aux_generate(ks, KEYS_AUX_PROXY_ECDSA, "m", NULL, NULL, &err) == SS_ERR_CRYPTO);
	CHECK(strstr(err.msg, "authenticate") != NULL);
	CHECK(keys_aux_delete(ks, KEYS_AUX_PROXY_ECDSA, a.pub, 33, &err) == SS_ERR_CRYPTO);
	keys_store_close(ks);
	char *now = NULL;
	size_t now_len = 0;
	read_file(path, &now, &now_len);
	CHECK(now_len == orig_len && memcmp(now, orig, orig_len) == 0);
	free(now);

	/* Dropping the last record (count fixed up) breaks the whole-file MAC. */
	char *cut = malloc(orig_len);
	memcpy(cut, orig, orig_len);
	cut[8] = 1;
	memmove(cut + 16 + 236, cut + 16 + 2 * 236, orig_len - 16 - 2 * 236);
	kt_write(path, cut, orig_len - 236);
	ks = open_store(dir, NULL);
	CHECK(keys_aux_list(ks, 0, NULL, NULL, 0) == 0);
	keys_store_close(ks);

	/* A flipped bit anywhere: nothing loads. */
	for (size_t off = 0; off < orig_len; off += 37) {
		memcpy(cut, orig, orig_len);
		cut[off] ^= 0x10;
		kt_write(path, cut, orig_len);
		ks = open_store(dir, NULL);
		CHECK_MSG(keys_aux_list(ks, 0, NULL, NULL, 0) == 0, "bit flip at %zu loaded", off);
		keys_store_close(ks);
	}
	/* The original opens again with both keys. */
	kt_write(path, orig, orig_len);
	ks = open_store(dir, NULL);
	CHECK(keys_aux_list(ks, KEYS_AUX_PROXY_ECDSA, "m", NULL, 0) == 2);
	CHECK(ecdsa_signs(ks, KEYS_AUX_PROXY_ECDSA, a.pub));
	keys_store_close(ks);
	free(cut);
	free(orig);
	kt_rmrf(dir);
}

/* A store whose only sealed file is aux.sealed (an attested secp256k1 key generated
 * before any validator key) is not empty for a read-only reader: it asks for the KEK and
 * opens the file. Before, it counted only shard files, so the reader derived the aux
 * keys from an all-zero sealing key: the real file "failed to authenticate" (a false
 * tampering alarm, its keys missing) and a file forged under those public keys would
 * have opened. */
TEST(read_only_store_with_only_auxiliary_keys_opens_them)
{
	char dir[256];
	kt_tempdir(dir, "aux");
	keys_store *ks = open_store(dir, NULL);
	keys_error err = { "" };
	keys_aux_info enc;
	CHECK(keys_aux_generate(ks, KEYS_AUX_SECP256K1, NULL, NULL, &enc, &err) == SS_OK);
	CHECK(keys_count(ks) == 0);
	keys_store_close(ks);

	keys_kek_provider kek;
	CHECK(keys_kek_file(&kek, NULL) == SS_OK);
	keys_store *ro = NULL;
	ss_err e = keys_store_open_readonly(&ro, dir, &kek, NULL, &err);
	CHECK_MSG(e == SS_OK, "open read-only: %s", err.msg);
	keys_aux_info got;
	CHECK(keys_aux_list(ro, KEYS_AUX_SECP256K1, NULL, &got, 1) == 1);
	CHECK(memcmp(got.pub, enc.pub, 33) == 0);
	/* still a reader: no change */
	CHECK(keys_aux_generate(ro, KEYS_AUX_SECP256K1, NULL, NULL, NULL, &err) == SS_ERR_REFUSED);
	keys_store_close(ro);
	kt_rmrf(dir);
}

/* The Ethereum address of a secp256k1 key, from its compressed key, the slow way. */
static void address_of(const uint8_t pub33[33], uint8_t addr[20])
{
	uint8_t pub65[65];
	CHECK(k1_pub_parse(pub33, 33, NULL, pub65) == SS_OK);
	keccak_eth_address(addr, pub65);
}

/* keys_aux_get_by_address: the address kept in each secp256k1 entry is its key's, both
 * when generated and when loaded, and a lookup finds the entry by it, per owner, among
 * many (the last one made as well as the first). */
TEST(ecdsa_keys_are_found_by_their_address)
{
	char dir[256];
	kt_tempdir(dir, "aux");
	keys_store *ks = open_store(dir, NULL);
	keys_error err = { "" };
	enum { N = 64 };
	keys_aux_info made[N], got, bls;
	uint8_t addr[20];
	for (size_t i = 0; i < N; i++) {
		CHECK(keys_aux_generate(ks, KEYS_AUX_PROXY_ECDSA, i % 2 ? "odd" : "even", NULL,
					&made[i], &err) == SS_OK);
		address_of(made[i].pub, addr);
		CHECK_MEM(made[i].address, addr, 20);
	}
	CHECK(keys_aux_generate(ks, KEYS_AUX_PROXY_BLS, "even", NULL, &bls, &err) == SS_OK);
	static const uint8_t zero[20];
	CHECK_MEM(bls.address, zero, 20); /* BLS keys have none */
	CHECK(!keys_aux_get_by_address(ks, KEYS_AUX_PROXY_BLS, NULL, zero, &got));
	keys_store_close(ks);

	ks = open_store(dir, NULL); /* the addresses of loaded keys */
	for (size_t i = 0; i < N; i += N - 1) {
		memset(&got, 0, sizeof got);
		CHECK(keys_aux_get_by_address(ks, KEYS_AUX_PROXY_ECDSA, i % 2 ? "odd" : "even",
					      made[i].address, &got));
		CHECK_MEM(got.pub, made[i].pub, 33);
		CHECK_MEM(got.address, made[i].address, 20);
		CHECK(keys_aux_get_by_address(ks, KEYS_AUX_PROXY_ECDSA, NULL, made[i].address, NULL));
		/* another owner's, or under another kind: not found */
		CHECK(!keys_aux_get_by_address(ks, KEYS_AUX_PROXY_ECDSA, i % 2 ? "even" : "odd",
					       made[i].address, NULL));
		CHECK(!keys_aux_get_by_address(ks, KEYS_AUX_SECP256K1, NULL, made[i].address, NULL));
		CHECK(ecdsa_signs(ks, KEYS_AUX_PROXY_ECDSA, got.pub));
	}
	keys_aux_info all[N + 1];
	CHECK(keys_aux_list(ks, 0, NULL, all, N + 1) == N + 1);
	for (size_t i = 0; i < N; i++) {
		address_of(all[i].pub, addr);
		CHECK_MEM(all[i].address, addr, 20);
	}
	keys_store_close(ks);
	kt_rmrf(dir);
}

/* keys_aux_generate_capped: an owner holds at most owner_max keys, both kinds counted;
 * other owners are not held back; nothing is written for a refused key. */
TEST(generate_capped_per_owner)
{
	char dir[256];
	kt_tempdir(dir, "aux");
	keys_store *ks = open_store(dir, NULL);
	keys_error err = { "" };
	CHECK(keys_aux_generate_capped(ks, KEYS_AUX_PROXY_ECDSA, "m", NULL, 2, NULL, &err) == SS_OK);
	CHECK(keys_aux_generate_capped(ks, KEYS_AUX_PROXY_BLS, "m", NULL, 2, NULL, &err) == SS_OK);
	CHECK(keys_aux_generate_capped(ks, KEYS_AUX_PROXY_ECDSA, "m", NULL, 2, NULL, &err) ==
	      SS_ERR_REFUSED);
	CHECK(strstr(err.msg, "already holds 2") != NULL);
	CHECK(keys_aux_generate_capped(ks, KEYS_AUX_PROXY_BLS, "m", NULL, 3, NULL, &err) == SS_OK);
	CHECK(keys_aux_generate_capped(ks, KEYS_AUX_PROXY_ECDSA, "n", NULL, 2, NULL, &err) == SS_OK);
	CHECK(keys_aux_generate_capped(ks, KEYS_AUX_SECP256K1, NULL, NULL, 1, NULL, &err) == SS_OK);
	CHECK(keys_aux_generate_capped(ks, KEYS_AUX_SECP256K1, NULL, NULL, 1, NULL, &err) ==
	      SS_ERR_REFUSED);
	CHECK(keys_aux_generate_capped(ks, KEYS_AUX_SECP256K1, NULL, NULL, 0, NULL, &err) == SS_OK);
	CHECK(keys_aux_list(ks, 0, "m", NULL, 0) == 3);
	keys_store_close(ks);
	ks = open_store(dir, NULL); /* what was refused was never sealed */
	CHECK(keys_aux_list(ks, 0, NULL, NULL, 0) == 6);
	keys_store_close(ks);
	kt_rmrf(dir);
}
