/* End to end, over HTTP to a running `secure-signer run --network=sepolia` (Gloas since
 * epoch 353024): the five Gloas types of remote-signing-api v1.4.0 and the pre-standard
 * forms Lighthouse and Grandine send are signed (signing-apis-2026.md §8.4), the
 * signatures verify over the roots eth2/ computes (the Lodestar cross-check pins those
 * roots), aliases sign the same roots, none of them is written to the slashing database
 * (checked in an EIP-3076 export), and ATTESTATION at Gloas is signed with either
 * payload-presence vote (index 0 or 1). GENERIC (remote-signing-api PR #29) is refused
 * for every protected domain type while slashing protection is on, and signed otherwise. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "../server/http_client.h"
#include "crypto/bls.h"
#include "eth2/eth2.h"
#include "raw_keys.h"
#include "signer_proc.h"
#include "test.h"
#include "util/hex.h"

#define N_KEYS 3
static raw_keys test_keys;
#define sk_hex test_keys.sk_hex
#define pk_hex test_keys.pk_hex
#define pk_bin test_keys.pk

static void make_keys(void)
{
	raw_keys_make(&test_keys, N_KEYS, 0x2b, 0x2b, 5, 11);
}

static bool start(signer_proc *p, const char *const *extra)
{
	make_keys();
	if (!sp_init(p))
		return false;
	raw_keys_add(p, &test_keys, N_KEYS, "key");
	bool ok = sp_start(p, extra);
	CHECK_MSG(ok, "secure-signer did not start (dir %s)", p->dir);
	return ok;
}

/* Sepolia at Gloas: fork_info as a validator client sends it there. */
#define GVR "0xd8ea171f3c94aea21ebc42a1ed61052acf3f9209c00e4efbaaddac09ed9b8078"
#define FORK                                                                                \
	"\"fork_info\":{\"fork\":{\"previous_version\":\"0x90000075\",\"current_version\":" \
	"\"0x90000076\",\"epoch\":\"353024\"},\"genesis_validators_root\":\"" GVR "\"}"
#define SLOT "11300000" /* epoch 353125 */
#define R(b) "\"0x" b b b b b b b b b b b b b b b b b b b b b b b b b b b b b b b b "\""
#define ADDR "\"0x1111111111111111111111111111111111111111\""

/* Signs body with key i on the given route; expects status; on 200 checks the signature
 * over the root eth2/ computes for sepolia and copies it (hex) to sig_out. */
static void sign_expect(uint16_t port, int i, const char *body, int status, char *sig_out)
{
	char path[160];
	snprintf(path, sizeof path, "/api/v1/eth2/sign/%s", pk_hex[i]);
	hc_response r;
	int st = hc_request(port, "POST", path, "Accept: application/json\r\n", body, strlen(body), &r);
	CHECK_MSG(st == status, "expected %d, got %d: %s\n  body %.300s", status, st,
		  r.body ? r.body : "", body);
	if (st == 200) {
		json_t *o = json_loads(r.body ? r.body : "", 0, NULL);
		const char *sig = o ? json_string_value(json_object_get(o, "signature")) : NULL;
		uint8_t s[96];
		CHECK(sig && hex_decode(s, 96, sig, strlen(sig), HEX_PREFIX_REQUIRED) == SS_OK);
		eth2_signing_request rq;
		eth2_error err;
		CHECK(eth2_parse_signing_request(eth2_network_builtin("sepolia"), body, strlen(body),
						 &rq, &err) == SS_OK);
		CHECK_MSG(sig && bls_verify_vartime(pk_bin[i], rq.signing_root, 32, s),
			  "signature does not verify");
		if (sig_out && sig)
			snprintf(sig_out, 200, "%s", sig);
		json_decref(o);
	}
	hc_free(&r);
}

static const char *const SEPOLIA[] = { "--network=sepolia", NULL };

TEST(gloas_types_signed_aliases_agree_nothing_recorded)
{
	static char body[8192], a[200], b[200];
	signer_proc p;
	if (!start(&p, SEPOLIA))
		goto out;
	/* EXECUTION_PAYLOAD_BID, version-wrapped. */
	snprintf(body, sizeof body,
		 "{\"type\":\"EXECUTION_PAYLOAD_BID\",%s,\"execution_payload_bid\":{\"version\":"
		 "\"GLOAS\",\"data\":{\"parent_block_hash\":%s,\"parent_block_root\":%s,"
		 "\"block_hash\":%s,\"prev_randao\":%s,\"fee_recipient\":%s,\"gas_limit\":"
		 "\"60000000\",\"builder_index\":\"5\",\"slot\":\"" SLOT "\",\"value\":\"1000\","
		 "\"execution_payment\":\"0\",\"blob_kzg_commitments\":[\"0x%096x\"],"
		 "\"execution_requests_root\":%s}}}",
		 FORK, R("01"), R("02"), R("03"), R("04"), ADDR, 7u, R("05"));
	sign_expect(p.port, 0, body, 200, NULL);

	/* EXECUTION_PAYLOAD_ENVELOPE: wrapped, then bare as Lighthouse sends it. */
	static char payload[4096];
	snprintf(payload, sizeof payload,
		 "{\"payload\":{\"parent_hash\":%s,\"fee_recipient\":%s,\"state_root\":%s,"
		 "\"receipts_root\":%s,\"logs_bloom\":\"0x%0512d\",\"prev_randao\":%s,"
		 "\"block_number\":\"9\",\"gas_limit\":\"60000000\",\"gas_used\":\"21000\","
		 "\"timestamp\":\"1791300000\",\"extra_data\":\"0x6869\",\"base_fee_per_gas\":"
		 "\"115792089237316195423570985008687907853269984665640564039457584007913129639935\","
		 "\"block_hash\":%s,\"transactions\":[\"0x02f8\",\"0x\"],\"withdrawals\":[{\"index\":"
		 "\"1\",\"validator_index\":\"2\",\"address\":%s,\"amount\":\"3\"}],"
		 "\"blob_gas_used\":\"0\",\"excess_blob_gas\":\"0\",\"block_access_list\":\"0xc0\","
		 "\"slot_number\":\"" SLOT "\"},\"execution_requests\":{\"deposits\":[],"
		 "\"withdrawals\":[],\"consolidations\":[],\"builder_deposits\":[],"
		 "\"builder_exits\":[]},\"builder_index\":\"5\",\"beacon_block_root\":%s,"
		 "\"parent_beacon_block_root\":%s}",
		 R("06"), ADDR, R("07"), R("08"), 0, R("09"), R("0a"), ADDR, R("0b"), R("0c"));
	snprintf(body, sizeof body,
		 "{\"type\":\"EXECUTION_PAYLOAD_ENVELOPE\",%s,\"execution_payload_envelope\":"
		 "{\"version\":\"GLOAS\",\"data\":%s}}", FORK, payload);
	sign_expect(p.port, 0, body, 200, a);
	snprintf(body, sizeof body,
		 "{\"type\":\"EXECUTION_PAYLOAD_ENVELOPE\",%s,\"execution_payload_envelope\":%s}",
		 FORK, payload);
	sign_expect(p.port, 0, body, 200, b);
	CHECK_MSG(strcmp(a, b) == 0, "bare and wrapped envelopes signed differently");

	/* PAYLOAD_ATTESTATION_MESSAGE and both pre-standard forms: one root, one signature. */
	const char *pad = "{\"beacon_block_root\":" R("0d") ",\"slot\":\"" SLOT "\","
			  "\"payload_present\":true,\"blob_data_available\":false}";
	snprintf(body, sizeof body,
		 "{\"type\":\"PAYLOAD_ATTESTATION_MESSAGE\",%s,\"payload_attestation_message\":"
		 "{\"version\":\"GLOAS\",\"data\":%s}}", FORK, pad);
	sign_expect(p.port, 0, body, 200, a);
	snprintf(body, sizeof body,
		 "{\"type\":\"PAYLOAD_ATTESTATION\",%s,\"payload_attestation_data\":%s}", FORK, pad);
	sign_expect(p.port, 0, body, 200, b);
	CHECK_MSG(strcmp(a, b) == 0, "PAYLOAD_ATTESTATION alias signed a different root");
	snprintf(body, sizeof body,
		 "{\"type\":\"payload_attestation\",%s,\"payload_attestation_message\":"
		 "{\"version\":\"GLOAS\",\"data\":%s}}", FORK, pad);
	sign_expect(p.port, 0, body, 200, b);
	CHECK_MSG(strcmp(a, b) == 0, "Grandine's PAYLOAD_ATTESTATION signed a different root");

	/* PROPOSER_PREFERENCES. */
	snprintf(body, sizeof body,
		 "{\"type\":\"PROPOSER_PREFERENCES\",%s,\"proposer_preferences\":{\"version\":"
		 "\"GLOAS\",\"data\":{\"dependent_root\":%s,\"proposal_slot\":\"" SLOT "\","
		 "\"validator_index\":\"9\",\"fee_recipient\":%s,\"target_gas_limit\":"
		 "\"60000000\"}}}", FORK, R("0e"), ADDR);
	sign_expect(p.port, 0, body, 200, NULL);

	/* BUILDER_REQUEST_AUTH needs no fork_info; Lighthouse's REQUEST_AUTH agrees. */
	snprintf(body, sizeof body,
		 "{\"type\":\"BUILDER_REQUEST_AUTH\",\"builder_request_auth\":{\"version\":"
		 "\"GLOAS\",\"data\":{\"data\":\"0x0102\",\"slot\":\"" SLOT "\"}}}");
	sign_expect(p.port, 0, body, 200, a);
	snprintf(body, sizeof body,
		 "{\"type\":\"REQUEST_AUTH\",%s,\"request_auth\":{\"data\":\"0x0102\",\"slot\":"
		 "\"" SLOT "\"}}", FORK);
	sign_expect(p.port, 0, body, 200, b);
	CHECK_MSG(strcmp(a, b) == 0, "REQUEST_AUTH alias signed a different root");

	/* Bad input: a clear 400 and nothing signed. */
	snprintf(body, sizeof body,
		 "{\"type\":\"PROPOSER_PREFERENCES\",%s,\"proposer_preferences\":{\"version\":"
		 "\"FULU\",\"data\":{\"dependent_root\":%s,\"proposal_slot\":\"" SLOT "\","
		 "\"validator_index\":\"9\",\"fee_recipient\":%s,\"target_gas_limit\":\"1\"}}}",
		 FORK, R("0e"), ADDR);
	sign_expect(p.port, 0, body, 400, NULL);
	snprintf(body, sizeof body,
		 "{\"type\":\"PAYLOAD_ATTESTATION_MESSAGE\",%s,\"payload_attestation_message\":"
		 "{\"version\":\"GLOAS\",\"data\":{\"beacon_block_root\":" R("0d") ",\"slot\":"
		 "\"11296767\",\"payload_present\":true,\"blob_data_available\":false}}}", FORK);
	sign_expect(p.port, 0, body, 400, NULL); /* the last slot before Sepolia's Gloas */

	/* ATTESTATION at Gloas: index is the payload-presence vote; both values are signed
	 * (two validators of one committee, one seeing the payload, one not). */
	for (int idx = 0; idx <= 1; idx++) {
		snprintf(body, sizeof body,
			 "{\"type\":\"ATTESTATION\",%s,\"attestation\":{\"slot\":\"" SLOT "\","
			 "\"index\":\"%d\",\"beacon_block_root\":%s,\"source\":{\"epoch\":\"353123\","
			 "\"root\":%s},\"target\":{\"epoch\":\"353125\",\"root\":%s}}}",
			 FORK, idx, R("0f"), R("10"), R("11"));
		sign_expect(p.port, 1 + idx, body, 200, NULL);
	}
	CHECK_EQ_U64(sp_stop(&p), 0);

	/* The slashing database holds the two attestations and nothing for key 0. */
	static char out[65536];
	char dd[320];
	snprintf(dd, sizeof dd, "--data-dir=%s", p.data_dir);
	char file[400];
	snprintf(file, sizeof file, "%s/export.json", p.dir);
	/* The store is bound to Sepolia's chain: the export names the network too. */
	const char *exp[] = { "slashing", "export", dd, "--network=sepolia", "--to", file, NULL };
	CHECK_EQ_U64(sp_run_cli(exp, NULL, out, sizeof out), 0);
	size_t len;
	char *text = test_read_file(file, &len);
	CHECK_MSG(text != NULL, "no export: %s", out);
	if (text) {
		CHECK_MSG(strstr(text, pk_hex[0] + 2) == NULL && strstr(text, pk_hex[0]) == NULL,
			  "a Gloas type was recorded: %s", text);
		CHECK_MSG(strstr(text, pk_hex[1]) && strstr(text, pk_hex[2]),
			  "attestations not recorded: %s", text);
		free(text);
	}
out:
	sp_cleanup(&p);
}

/* A GENERIC body for an object root under domain type dt (and a fixed fork data root of
 * 28 bytes). */
static void generic(char *out, size_t cap, const char *dt)
{
	snprintf(out, cap,
		 "{\"type\":\"GENERIC\",\"signing_data\":{\"object_root\":%s,\"domain\":\"0x%s"
		 "%s\"}}",
		 R("21"), dt, "aabbccddeeff00112233445566778899aabbccddeeff001122334455");
}

static const char *const PROTECTED[] = {
	"00000000", /* BEACON_PROPOSER */
	"01000000", /* BEACON_ATTESTER */
	"0b000000", /* BEACON_BUILDER */
	"0c000000", /* PTC_ATTESTER */
	"0d000000", /* PROPOSER_PREFERENCES */
	"0b000001", /* BUILDER_REQUEST_AUTH */
};
static const char *const ALLOWED[] = { "02000000", "05000000", "0e000000", "6d6d6f43" };

TEST(generic_refused_for_protected_domains_with_slashing_on)
{
	char body[1024];
	signer_proc p;
	if (!start(&p, SEPOLIA))
		goto out;
	for (size_t i = 0; i < sizeof PROTECTED / sizeof PROTECTED[0]; i++) {
		generic(body, sizeof body, PROTECTED[i]);
		sign_expect(p.port, 0, body, 412, NULL);
	}
	for (size_t i = 0; i < sizeof ALLOWED / sizeof ALLOWED[0]; i++) {
		generic(body, sizeof body, ALLOWED[i]);
		sign_expect(p.port, 0, body, 200, NULL);
	}
	/* Malformed: a short domain, a missing object root. */
	sign_expect(p.port, 0, "{\"type\":\"GENERIC\",\"signing_data\":{\"object_root\":" R("21")
			       ",\"domain\":\"0x0200\"}}", 400, NULL);
	sign_expect(p.port, 0, "{\"type\":\"GENERIC\",\"signing_data\":{\"domain\":" R("02") "}}",
		    400, NULL);
	CHECK_EQ_U64(sp_stop(&p), 0);
	sp_cleanup(&p);

	/* Slashing protection off: the operator signs what it is asked. */
	static const char *const off[] = { "--network=sepolia",
					   "--slashing-protection-enabled=false", NULL };
	if (!start(&p, off))
		goto out;
	for (size_t i = 0; i < sizeof PROTECTED / sizeof PROTECTED[0]; i++) {
		generic(body, sizeof body, PROTECTED[i]);
		sign_expect(p.port, 0, body, 200, NULL);
	}
	CHECK_EQ_U64(sp_stop(&p), 0);
out:
	sp_cleanup(&p);
}
