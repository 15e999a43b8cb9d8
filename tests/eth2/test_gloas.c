/* Gloas requests without Node.js: signing roots at the EIP-7916 progressive-subtree
 * boundaries (1, 1+4, 1+4+16 chunks) against values @lodestar/types 1.48 computed
 * (tests/eth2/npm-lodestar pins the same packages; the script that printed them builds
 * the same messages with ssz.gloas.ExecutionPayloadBid / AggregateAndProof and
 * config.getDomain on Sepolia with Gloas at 353024), and the refusals: unknown or
 * pre-Gloas version tags, slots before the fork, two alias keys at once, GENERIC without
 * its members; the protected GENERIC domain types. */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "eth2/eth2.h"
#include "test.h"
#include "util/hex.h"

#define GVR "0xd8ea171f3c94aea21ebc42a1ed61052acf3f9209c00e4efbaaddac09ed9b8078"
#define FORK                                                                                \
	"\"fork_info\":{\"fork\":{\"previous_version\":\"0x90000075\",\"current_version\":" \
	"\"0x90000076\",\"epoch\":\"353024\"},\"genesis_validators_root\":\"" GVR "\"}"

static void fill_hex(char *out, size_t nbytes, unsigned b)
{
	out[0] = '0';
	out[1] = 'x';
	for (size_t i = 0; i < nbytes; i++)
		snprintf(out + 2 + 2 * i, 3, "%02x", b & 0xff);
}

static const eth2_network *sepolia(void)
{
	return eth2_network_builtin("sepolia");
}

static void expect_root(const char *body, const char *want)
{
	eth2_signing_request rq;
	eth2_error err;
	ss_err e = eth2_parse_signing_request(sepolia(), body, strlen(body), &rq, &err);
	CHECK_MSG(e == SS_OK, "refused: %s: %s", err.field, err.message);
	char got[67];
	hex_encode(got, rq.signing_root, 32, true);
	CHECK_MSG(e != SS_OK || strcmp(got, want) == 0, "root %s, Lodestar %s", got, want);
}

static void expect_refusal(const char *body, const char *field)
{
	eth2_signing_request rq;
	eth2_error err;
	CHECK_MSG(eth2_parse_signing_request(sepolia(), body, strlen(body), &rq, &err) != SS_OK,
		  "accepted: %s", body);
	CHECK_MSG(strcmp(err.field, field) == 0, "field %s (%s), want %s", err.field, err.message,
		  field);
}

/* ExecutionPayloadBid with n KZG commitments (byte i+1 repeated): the list is progressive. */
TEST(bid_roots_at_progressive_boundaries)
{
	static const struct {
		unsigned n;
		const char *root;
	} want[] = {
		{ 0, "0x170d8cdb59e5ae03e101b0e3fa05ec7db91d91f0286e9dcbff3c183a5d1003d6" },
		{ 1, "0x6a021083100ae75474f5971cd68b3880cd882852be03214dd00265200361c3ce" },
		{ 2, "0x288d1f3fe0407f25829b7b24b9a5aa7ffe8bf98674d3258a454ef222e923b2d7" },
		{ 5, "0x60932f8385f65f5f87cd704e9de15c7aa44f80246929dd23ff72b7138d23f0ea" },
		{ 6, "0xb510c00e2f6e49f31b65db5e9ec83639284fc6e5d63365b21a4c1165d3b80c6e" },
		{ 21, "0x384614135a04a3411c46c645435a5e8918e227211c49b220987b99fd17592d78" },
		{ 22, "0x0b1dfb9ddad748243b3975e70300297626d197ce0ab2d583719d7d57c4e22d9a" },
	};
	static char body[16384], list[8192];
	char h[8][200];
	fill_hex(h[1], 32, 1);
	fill_hex(h[2], 32, 2);
	fill_hex(h[3], 32, 3);
	fill_hex(h[4], 32, 4);
	fill_hex(h[5], 32, 5);
	fill_hex(h[6], 20, 0x11);
	for (size_t k = 0; k < sizeof want / sizeof want[0]; k++) {
		size_t off = 0;
		for (unsigned i = 0; i < want[k].n; i++) {
			char c[100];
			fill_hex(c, 48, i + 1);
			off += (size_t)snprintf(list + off, sizeof list - off, "%s\"%s\"", i ? "," : "", c);
		}
		list[off] = '\0';
		snprintf(body, sizeof body,
			 "{\"type\":\"EXECUTION_PAYLOAD_BID\",%s,\"execution_payload_bid\":{\"version\":"
			 "\"GLOAS\",\"data\":{\"parent_block_hash\":\"%s\",\"parent_block_root\":\"%s\","
			 "\"block_hash\":\"%s\",\"prev_randao\":\"%s\",\"fee_recipient\":\"%s\","
			 "\"gas_limit\":\"60000000\",\"builder_index\":\"5\",\"slot\":\"11300000\","
			 "\"value\":\"1000\",\"execution_payment\":\"0\",\"blob_kzg_commitments\":[%s],"
			 "\"execution_requests_root\":\"%s\"}}}",
			 FORK, h[1], h[2], h[3], h[4], h[6], list, h[5]);
		expect_root(body, want[k].root);
	}
}

/* A Gloas AggregateAndProof whose aggregation_bits (a progressive bitlist) has every
 * third bit set, at lengths around the 256-bit chunk and the 1+4 chunk subtrees. */
TEST(gloas_aggregate_roots_at_progressive_boundaries)
{
	static const struct {
		unsigned bits;
		const char *root;
	} want[] = {
		{ 0, "0x2e6367b213c2ee177d1300dc17cc6954e8050a194928cf43f65d2dc8e609597f" },
		{ 1, "0x0960fed29289ad2c661672549c30e43a20a10c30da033e31595c0c9083510fc5" },
		{ 255, "0x5a36c8832e581f88f768d8005dd70c8ed62c7859ebe66508eee0d51843f89020" },
		{ 256, "0x631ee0a22f04700f31033853124daa0d790adf0f5dc482841ea7b5aee4c5101b" },
		{ 257, "0xa376d725cf019ef757ef986e145c89e8ea0a4af6953d6e9302bd0d0aa3af0078" },
		{ 1280, "0xb530b1f9056490c84b98a726b46045a8d3aa6e916bc0a83b3777381e70629d33" },
		{ 1281, "0x0076f565df48324137d9ea85e4bc7d4ef4266d3b72f92f7acdc6b919d3a9513d" },
	};
	static char body[16384], bits_hex[2 * 200 + 3];
	char r6[67], r7[67], r8[67], s9[195], s10[195];
	fill_hex(r6, 32, 6);
	fill_hex(r7, 32, 7);
	fill_hex(r8, 32, 8);
	fill_hex(s9, 96, 9);
	fill_hex(s10, 96, 10);
	for (size_t k = 0; k < sizeof want / sizeof want[0]; k++) {
		/* SSZ bitlist: the bits, then the length delimiter bit. */
		uint8_t b[200] = { 0 };
		unsigned n = want[k].bits;
		for (unsigned i = 0; i < n; i += 3)
			b[i / 8] |= (uint8_t)(1u << (i % 8));
		b[n / 8] |= (uint8_t)(1u << (n % 8));
		hex_encode(bits_hex, b, n / 8 + 1, true);
		snprintf(body, sizeof body,
			 "{\"type\":\"AGGREGATE_AND_PROOF_V2\",%s,\"aggregate_and_proof\":{\"version\":"
			 "\"GLOAS\",\"data\":{\"aggregator_index\":\"7\",\"aggregate\":{"
			 "\"aggregation_bits\":\"%s\",\"data\":{\"slot\":\"11300000\",\"index\":\"1\","
			 "\"beacon_block_root\":\"%s\",\"source\":{\"epoch\":\"353123\",\"root\":\"%s\"},"
			 "\"target\":{\"epoch\":\"353125\",\"root\":\"%s\"}},\"signature\":\"%s\","
			 "\"committee_bits\":\"0x0800000000000000\"},\"selection_proof\":\"%s\"}}}",
			 FORK, bits_hex, r6, r7, r8, s9, s10);
		expect_root(body, want[k].root);
	}
}

#define PAD                                                                                   \
	"{\"beacon_block_root\":\"0x0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d\"," \
	"\"slot\":\"%s\",\"payload_present\":true,\"blob_data_available\":false}"

TEST(gloas_refusals)
{
	char body[2048], pad[512];
	snprintf(pad, sizeof pad, PAD, "11300000");
	/* A version tag that is not a fork, or a fork before Gloas. */
	snprintf(body, sizeof body,
		 "{\"type\":\"PAYLOAD_ATTESTATION_MESSAGE\",%s,\"payload_attestation_message\":"
		 "{\"version\":\"gloas\",\"data\":%s}}", FORK, pad);
	expect_refusal(body, "payload_attestation_message.version");
	snprintf(body, sizeof body,
		 "{\"type\":\"PAYLOAD_ATTESTATION_MESSAGE\",%s,\"payload_attestation_message\":"
		 "{\"version\":\"ELECTRA\",\"data\":%s}}", FORK, pad);
	expect_refusal(body, "payload_attestation_message.version");
	/* The standard key and Lighthouse's at once: which one would be signed? */
	snprintf(body, sizeof body,
		 "{\"type\":\"PAYLOAD_ATTESTATION\",%s,\"payload_attestation_message\":%s,"
		 "\"payload_attestation_data\":%s}", FORK, pad, pad);
	expect_refusal(body, "payload_attestation_data");
	/* The last slot before Sepolia's Gloas fork (epoch 353024). */
	snprintf(pad, sizeof pad, PAD, "11296767");
	snprintf(body, sizeof body,
		 "{\"type\":\"PAYLOAD_ATTESTATION\",%s,\"payload_attestation_data\":%s}", FORK, pad);
	expect_refusal(body, "payload_attestation_data.slot");
	/* fork_info is required except for BUILDER_REQUEST_AUTH and GENERIC. */
	snprintf(pad, sizeof pad, PAD, "11300000");
	snprintf(body, sizeof body,
		 "{\"type\":\"PAYLOAD_ATTESTATION\",\"payload_attestation_data\":%s}", pad);
	expect_refusal(body, "fork_info");
	/* Missing message, missing data in the wrapper, an envelope with no payload. */
	snprintf(body, sizeof body, "{\"type\":\"PROPOSER_PREFERENCES\",%s}", FORK);
	expect_refusal(body, "proposer_preferences");
	snprintf(body, sizeof body,
		 "{\"type\":\"BUILDER_REQUEST_AUTH\",\"builder_request_auth\":{\"version\":\"GLOAS\"}}");
	expect_refusal(body, "builder_request_auth.data");
	snprintf(body, sizeof body,
		 "{\"type\":\"EXECUTION_PAYLOAD_ENVELOPE\",%s,\"execution_payload_envelope\":"
		 "{\"version\":\"GLOAS\",\"data\":{\"builder_index\":\"1\"}}}", FORK);
	expect_refusal(body, "execution_payload_envelope.data.payload");
	/* ByteList over its limit: BuilderRequestAuth.data holds at most 4096 bytes. */
	static char big[2 * 4097 + 300];
	int off = snprintf(big, sizeof big,
			   "{\"type\":\"REQUEST_AUTH\",\"request_auth\":{\"slot\":\"11300000\",\"data\":\"0x");
	for (int i = 0; i < 4097; i++)
		off += snprintf(big + off, sizeof big - (size_t)off, "ab");
	snprintf(big + off, sizeof big - (size_t)off, "\"}}");
	expect_refusal(big, "request_auth.data");
	/* GENERIC needs both members of signing_data, each 32 bytes. */
	expect_refusal("{\"type\":\"GENERIC\",\"signing_data\":{\"object_root\":"
		       "\"0x2121212121212121212121212121212121212121212121212121212121212121\"}}",
		       "signing_data.domain");
	expect_refusal("{\"type\":\"GENERIC\"}", "signing_data");
}

/* GENERIC's root is htr(SigningData{object_root, domain}) of the request's values. */
TEST(generic_root_and_protected_domains)
{
	const char *body = "{\"type\":\"GENERIC\",\"signing_data\":{\"object_root\":"
			   "\"0x2121212121212121212121212121212121212121212121212121212121212121\","
			   "\"domain\":\"0x02000000aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}}";
	eth2_signing_request rq;
	eth2_error err;
	CHECK(eth2_parse_signing_request(sepolia(), body, strlen(body), &rq, &err) == SS_OK);
	uint8_t o[32], d[32], want[32];
	memset(o, 0x21, 32);
	memset(d, 0xaa, 32);
	memcpy(d, "\x02\x00\x00\x00", 4);
	eth2_compute_signing_root(want, o, d);
	CHECK_MEM(rq.signing_root, want, 32);
	CHECK(!rq.has_gvr);
	static const uint8_t prot[][4] = { { 0, 0, 0, 0 },    { 1, 0, 0, 0 },  { 0x0b, 0, 0, 0 },
					   { 0x0c, 0, 0, 0 }, { 0x0d, 0, 0, 0 }, { 0x0b, 0, 0, 1 } };
	for (size_t i = 0; i < sizeof prot / sizeof prot[0]; i++)
		CHECK(eth2_generic_domain_protected(prot[i]));
	static const uint8_t free_[][4] = { { 2, 0, 0, 0 }, { 5, 0, 0, 0 }, { 0x0e, 0, 0, 0 },
					    { 0, 0, 0, 1 }, { 0x6d, 0x6d, 0x6f, 0x43 } };
	for (size_t i = 0; i < sizeof free_ / sizeof free_[0]; i++)
		CHECK(!eth2_generic_domain_protected(free_[i]));
}
