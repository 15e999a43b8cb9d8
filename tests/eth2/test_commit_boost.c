/* Commit-Boost signing roots: the vectors V1-V5 of reference/signing-apis-2026.md §8.3
 * (V1, V2 and V5's Web3Signer form match Commit-Boost's and Web3Signer's own tests; V3
 * and V2's signatures and V4's roots were computed with @chainsafe/blst), and the
 * domains of §8.2. The keys are the public test keys of Web3Signer's
 * SigningRootGeneratorTest that V4 and V5 name. */
#include <stdio.h>
#include <string.h>

#include "crypto/bls.h"
#include "crypto/keccak.h"
#include "crypto/secp256k1_key.h"
#include "eth2/commit_boost.h"
#include "test.h"
#include "util/hex.h"

#define DELEGATOR_SK "3ee2224386c82ffea477e2adf28a2929f5c349165a4196158c7f3a2ecca40f35"
#define BLS_PROXY_SK "32ae313afff2daa2ef7005a7f834bdf291855608fe82c24d30be6ac2017093a8"
#define SECP_PROXY_SK "8f2a55949038a9610f50fb23b5883af3b4ecb3c3bb792cbcefbd1542c692be63"

static void unhex(uint8_t *out, size_t n, const char *s)
{
	CHECK(hex_decode(out, n, s, strlen(s), HEX_PREFIX_OPTIONAL) == SS_OK);
}

static void expect_hex(const uint8_t *got, size_t n, const char *want, const char *what)
{
	uint8_t w[128];
	unhex(w, n, want);
	bool ok = memcmp(got, w, n) == 0;
	test_count_case(ok);
	CHECK_MSG(ok, "%s differs", what);
}

static void domain_of(uint8_t out[32], const char *network)
{
	uint8_t gfv[4];
	eth2_network_genesis_fork_version(eth2_network_builtin(network), gfv);
	eth2_cb_domain(out, gfv);
}

static void chain_id_be(uint8_t out[32], uint64_t id)
{
	memset(out, 0, 32);
	for (unsigned i = 0; i < 8; i++)
		out[31 - i] = (uint8_t)(id >> (8 * i));
}

static void sk_from_hex(bls_secret_key *sk, const char *hex)
{
	uint8_t b[32];
	unhex(b, 32, hex);
	CHECK(bls_secret_key_from_bytes(sk, b) == SS_OK);
}

TEST(domains)
{
	static const struct {
		const char *net, *domain;
		uint64_t chain_id;
	} v[] = {
		{ "mainnet", "6d6d6f43f5a5fd42d16a20302798ef6ed309979b43003d2320d9f0e8ea9831a9", 1 },
		{ "holesky", "6d6d6f435b83a23759c560b2d0c64576e1dcfc34ea94c4988f3e0d9f77f05387", 17000 },
		{ "sepolia", "6d6d6f43d3010778cd08ee514b08fe67b6c503b510987a4ce43f42306d97c67c",
		  11155111 },
		{ "hoodi", "6d6d6f43719103511efa4f1362ff2a50996cccf329cc84cb410c5e5c7d351d03", 560048 },
	};
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		uint8_t d[32], gfv[4];
		char what[32];
		domain_of(d, v[i].net);
		snprintf(what, sizeof what, "%s domain", v[i].net);
		expect_hex(d, 32, v[i].domain, what);
		uint64_t id = 0;
		eth2_network_genesis_fork_version(eth2_network_builtin(v[i].net), gfv);
		CHECK(eth2_cb_known_chain_id(gfv, &id));
		CHECK_EQ_U64(id, v[i].chain_id);
	}
}

/* V1: Holesky, object_root 0x01*32, no signing info (the legacy form). */
TEST(v1_legacy_root)
{
	uint8_t d[32], obj[32], root[32];
	domain_of(d, "holesky");
	memset(obj, 1, 32);
	eth2_compute_signing_root(root, obj, d);
	expect_hex(root, 32, "219ca7a673b2cbbf67bec6c9f60f78bd051336d57b68d1540190f30667e86725",
		   "V1 signing root");
}

/* V2 (Hoodi, nonce 42) and V3 (mainnet, nonce 0): info root, signing root, signature of
 * object_root 0x01*32 and signing ID 0x02*32 under the delegator key. */
TEST(v2_v3_prop_commit)
{
	static const struct {
		const char *name, *net;
		uint64_t chain_id, nonce;
		const char *info, *root, *sig;
	} v[] = {
		{ "V2", "hoodi", 560048, 42,
		  "fd0081d9a3b93ae94f552a753fa282632ef2fd00520e0b6bb6158afd31028ac7",
		  "0b95fcdb3f003fc6f0fd3238d906f359809e97fe7ec71f56771cb05bee4150bd",
		  "8cc3298cc1c7f082e23b22f33b33f71d739dbc5b73560a181a4e5194b0cf1eeec873e4a820f005ff"
		  "019735a161421fc403db3b54851e2746fc89795371cc024ddd3435e74ccbe4be5e41d0742da9b81"
		  "09f8c17485f6f64c183223283440f21ee" },
		{ "V3", "mainnet", 1, 0,
		  "f2bf312079fa401aafac58d0f7d80d25eaa94e4a93f6e120e442a78f35296076",
		  "54eae8413e0cc87a52da32173f541630f829ba167d9c459fc91dfc77b1a50213",
		  "80dc0fce347d42b47718cf09baca2b0eb71eeb11d90a8afc47605aabfe085f3058d6da3fe8475247"
		  "74fb0170813526230528dcb870ed5a74d91045400a5aedaa9e69ad46e8c0964e4df7139c0e044da"
		  "194b039f7694e199f9246babcb0fa69f3" },
	};
	uint8_t data[32], sid[32], cid[32], info[32], d[32], root[32], sig[96];
	memset(data, 1, 32);
	memset(sid, 2, 32);
	bls_secret_key sk;
	sk_from_hex(&sk, DELEGATOR_SK);
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		char what[32];
		chain_id_be(cid, v[i].chain_id);
		eth2_cb_info_root(info, data, sid, v[i].nonce, cid);
		snprintf(what, sizeof what, "%s info root", v[i].name);
		expect_hex(info, 32, v[i].info, what);
		domain_of(d, v[i].net);
		eth2_compute_signing_root(root, info, d);
		snprintf(what, sizeof what, "%s signing root", v[i].name);
		expect_hex(root, 32, v[i].root, what);
		bls_sign(sig, &sk, root, 32);
		snprintf(what, sizeof what, "%s signature", v[i].name);
		expect_hex(sig, 96, v[i].sig, what);
	}
	bls_secret_key_wipe(&sk);
}

/* V4: BLS proxy delegation; the reference gives the mainnet root in full and the
 * signature, Holesky and Sepolia roots by their ends. */
TEST(v4_bls_delegation)
{
	bls_secret_key del, prx;
	sk_from_hex(&del, DELEGATOR_SK);
	sk_from_hex(&prx, BLS_PROXY_SK);
	uint8_t dpk[48], ppk[48], obj[32], d[32], root[32], sig[96];
	bls_sk_to_pk(dpk, &del);
	bls_sk_to_pk(ppk, &prx);
	char hex[200];
	hex_encode(hex, dpk, 48, false);
	CHECK(strncmp(hex, "989d3472", 8) == 0 && strcmp(hex + 92, "09bf") == 0);
	hex_encode(hex, ppk, 48, false);
	CHECK(strncmp(hex, "b6ee692d", 8) == 0 && strcmp(hex + 92, "415f") == 0);
	eth2_cb_delegation_root(obj, dpk, ppk, 48);
	domain_of(d, "mainnet");
	eth2_compute_signing_root(root, obj, d);
	expect_hex(root, 32, "36700803956402c24e232e5da8d7dda12796ba96e49177f37daab87dd852f0cd",
		   "V4 mainnet root");
	bls_sign(sig, &del, root, 32);
	hex_encode(hex, sig, 96, false);
	CHECK_MSG(strncmp(hex, "99c73910", 8) == 0 && strcmp(hex + 188, "3f2e") == 0,
		  "V4 signature %s", hex);
	domain_of(d, "holesky");
	eth2_compute_signing_root(root, obj, d);
	hex_encode(hex, root, 32, false);
	CHECK_MSG(strncmp(hex, "db1b2010", 8) == 0 && strcmp(hex + 60, "45b6") == 0,
		  "V4 holesky root %s", hex);
	domain_of(d, "sepolia");
	eth2_compute_signing_root(root, obj, d);
	hex_encode(hex, root, 32, false);
	CHECK_MSG(strncmp(hex, "99615a14", 8) == 0 && strcmp(hex + 60, "505e") == 0,
		  "V4 sepolia root %s", hex);
	bls_secret_key_wipe(&del);
	bls_secret_key_wipe(&prx);
}

/* V5: ECDSA proxy delegation, mainnet, in both forms: Web3Signer's 33-byte compressed
 * key and Commit-Boost's 20-byte address (keccak of the uncompressed key). */
TEST(v5_ecdsa_delegation)
{
	bls_secret_key del;
	sk_from_hex(&del, DELEGATOR_SK);
	uint8_t dpk[48], k1sk[32], pub33[33], pub65[65], addr[20], obj[32], d[32], root[32];
	bls_sk_to_pk(dpk, &del);
	unhex(k1sk, 32, SECP_PROXY_SK);
	CHECK(k1_public(k1sk, pub33, pub65) == SS_OK);
	keccak_eth_address(addr, pub65);
	expect_hex(addr, 20, "fe3b557e8fb62b89f4916b721be55ceb828dbd73", "V5 address");
	char hex[80];
	hex_encode(hex, pub33, 33, false);
	CHECK_MSG(strncmp(hex, "0209b02f", 8) == 0 && strcmp(hex + 62, "b792") == 0,
		  "V5 compressed key %s", hex);
	domain_of(d, "mainnet");
	eth2_cb_delegation_root(obj, dpk, pub33, 33);
	eth2_compute_signing_root(root, obj, d);
	expect_hex(root, 32, "419a4f6b748659b3ac4fc3534f3767fffe78127d210af0b2e1c1c8e7b345cf64",
		   "V5 Web3Signer-form root");
	eth2_cb_delegation_root(obj, dpk, addr, 20);
	eth2_compute_signing_root(root, obj, d);
	expect_hex(root, 32, "49e362cfb52b5421ab8a7fe71eb7f622f24ebd6a2d124b9035163a12eab6d10e",
		   "V5 CB-form root");
	bls_secret_key_wipe(&del);
}
