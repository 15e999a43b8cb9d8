/* `secure-signer client`: the operator's side of Secure-Signer's own API (issue 13 §6; the
 * original's client, reference/secure-signer.md §7), against a running signer over HTTP
 * (cli/http_client.h) with the Keymanager token:
 *
 *   keygen            POST /eth/v1/keygen/bls with a fresh nonce; with --verify the
 *                     evidence is checked by `evidence verify` (tee/) and must bind that
 *                     nonce, or nothing is written
 *   import-encrypted  POST /eth/v1/keygen/secp256k1 with a fresh nonce, the evidence
 *                     verified (always: a password is never encrypted to a key whose
 *                     evidence fails), the password ECIES-encrypted here (crypto/ecies.h),
 *                     then POST /eth/v1/keystores with encrypted_passwords
 *   deposit           POST /api/v1/eth2/deposit, the launchpad file written out
 *
 * Exit status: 0 done, 1 refused or failed (the reason on stderr), 2 usage. */
#include <stdarg.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/common_options.h"
#include "cli/http_client.h"
#include "crypto/ecies.h"
#include "util/file.h"
#include "util/hex.h"
#include "util/random.h"
#include "util/secure_mem.h"

#define PROG "secure-signer client"
#define MAX_FILE (16u << 20)

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: " PROG " keygen --url URL --token-file FILE [--count N] [--nonce HEX]\n"
		"           [--out FILE] [--verify [--allow-simulated] [--expect-mrenclave HEX]]\n"
		"       " PROG " import-encrypted --url URL --token-file FILE --keystore FILE\n"
		"           --password-file FILE [--slashing-protection FILE] [--allow-simulated]\n"
		"           [--expect-mrenclave HEX]\n"
		"       " PROG " deposit --url URL --token-file FILE --pubkey KEY[,KEY...]\n"
		"           (--withdrawal-credentials HEX | --execution-address ADDR [--compounding])\n"
		"           [--amount GWEI] [--genesis-fork-version HEX] [--out FILE]\n\n"
		"Talks to a running signer (secure-signer run --key-manager-api-enabled) over HTTP.\n\n"
		"  --url URL               the signer, http://HOST[:PORT][/PREFIX] (plain HTTP:\n"
		"                          use an SSH tunnel or a local TLS proxy across machines)\n"
		"  --token-file FILE       the Keymanager token (<data-dir>/keymanager.token)\n"
		"  --count N               keys to generate (1-1000, default 1)\n"
		"  --nonce HEX             the 32-byte nonce bound into the evidence (default:\n"
		"                          fresh random bytes)\n"
		"  --verify                verify the keygen evidence before writing anything\n"
		"                          (import-encrypted always verifies)\n"
		"  --allow-simulated       accept simulated evidence (a signer run with --tee sim;\n"
		"                          development only)\n"
		"  --expect-mrenclave HEX  the SGX MRENCLAVE the evidence must carry\n"
		"  --keystore FILE         an EIP-2335 keystore\n"
		"  --password-file FILE    its password, encrypted here to the signer's attested\n"
		"                          secp256k1 key: it never travels in clear\n"
		"  --slashing-protection FILE  an EIP-3076 interchange to import with the key\n"
		"  --pubkey KEY,...        validator keys the signer holds\n"
		"  --withdrawal-credentials HEX  32 bytes (0x00, 0x01 or 0x02 prefix)\n"
		"  --execution-address ADDR  0x01 credentials to this 20-byte address (0x02 with\n"
		"                          --compounding)\n"
		"  --amount GWEI           default 32000000000 (32 ETH)\n"
		"  --genesis-fork-version HEX  default: the signer's network\n"
		"  --out FILE              write the answer here (default: standard output)\n");
}

typedef struct {
	const char *url, *token_file, *nonce, *out, *expect_mrenclave;
	const char *keystore, *password_file, *slashing, *pubkeys, *wc, *address, *amount, *fork;
	long count;
	bool verify, allow_simulated, compounding;
} client_opts;

static bool fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static bool fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, PROG ": ");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	return false;
}

/* A usage error of an action: the message, and exit status 2. */
static int usage_error(const char *msg)
{
	fail("%s", msg);
	return 2;
}

/* POST/GET; the answer parsed as JSON into *out when it is (NULL otherwise); false with
 * the reason printed when the signer cannot be reached or answers other than 200. */
static bool call(const client_opts *o, const char *token, const char *method, const char *path,
		 json_t *body, json_t **out)
{
	*out = NULL;
	char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
	cli_http_response r;
	char why[256];
	ss_err e = cli_http_request(o->url, method, path, token, text, &r, why);
	if (text) {
		secure_zero(text, strlen(text));
		free(text);
	}
	if (e != SS_OK)
		return fail("%s", why);
	*out = json_loadb(r.body, r.body_len, 0, NULL);
	bool ok = r.status == 200;
	if (!ok) {
		const char *msg = json_string_value(json_object_get(*out, "message"));
		fprintf(stderr, PROG ": %s %s: HTTP %d: %s\n", method, path, r.status,
			msg ? msg : r.body);
	}
	cli_http_response_free(&r);
	return ok;
}

static bool write_out(const client_opts *o, json_t *j)
{
	char *text = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	if (!text)
		return fail("out of memory");
	size_t n = strlen(text);
	char *t2 = realloc(text, n + 2);
	if (!t2) {
		free(text);
		return fail("out of memory");
	}
	text = t2;
	text[n] = '\n';
	text[n + 1] = '\0';
	bool ok = o->out ? file_write_atomic(o->out, text, n + 1, 0644) == SS_OK
			 : fwrite(text, 1, n + 1, stdout) == n + 1 && fflush(stdout) == 0;
	free(text);
	if (!ok)
		return fail("cannot write %s", o->out ? o->out : "standard output");
	return true;
}

/* The nonce: --nonce, or 32 fresh random bytes; as "0x…" in hex[67]. */
static bool make_nonce(const client_opts *o, char hex[67])
{
	uint8_t n[32];
	if (o->nonce) {
		if (hex_decode(n, 32, o->nonce, strlen(o->nonce), HEX_PREFIX_OPTIONAL) != SS_OK)
			return fail("--nonce must be 32 bytes in hex");
	} else if (random_bytes(n, sizeof n) != SS_OK) {
		return fail("no randomness for the nonce");
	}
	hex_encode(hex, n, 32, true);
	return true;
}

/* The evidence object verified as `secure-signer evidence verify` verifies it (tee/,
 * with the same options), in memory, its report printed on stderr; and its nonce must
 * be the one we sent, or the evidence could be a replay. */
static bool verify_evidence(const client_opts *o, json_t *obj, const char *nonce)
{
	const char *got = json_string_value(json_object_get(json_object_get(obj, "evidence"), "nonce"));
	if (!got || strcasecmp(got, nonce) != 0)
		return fail("the evidence does not carry the nonce %s we sent (a replay?)", nonce);
	char *text = json_dumps(obj, JSON_COMPACT);
	if (text == NULL)
		return fail("out of memory");
	char *argv[5];
	int argc = 0;
	argv[argc++] = "verify";
	if (o->allow_simulated)
		argv[argc++] = "--allow-simulated";
	if (o->expect_mrenclave) {
		argv[argc++] = "--expect-mrenclave";
		argv[argc++] = (char *)o->expect_mrenclave;
	}
	argv[argc] = NULL;
	/* the verifier prints its JSON report on stdout: keep stdout for our answer */
	fflush(stdout);
	int saved = dup(1);
	dup2(2, 1);
	int rc = cli_evidence_verify_text(text, strlen(text), "the signer's evidence object", argc,
					  argv);
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	free(text);
	if (rc != 0)
		return fail("the signer's evidence does not verify (report above)");
	return true;
}

static int do_keygen(const client_opts *o, const char *token)
{
	char nonce[67];
	if (!make_nonce(o, nonce))
		return 1;
	if (o->count < 1 || o->count > 1000)
		return usage_error("--count must be from 1 to 1000");
	json_t *rq = json_pack("{s:I, s:s}", "count", (json_int_t)o->count, "nonce", nonce), *ans;
	bool ok = call(o, token, "POST", "/eth/v1/keygen/bls", rq, &ans);
	json_decref(rq);
	ok = ok && (!o->verify || verify_evidence(o, ans, nonce)) && write_out(o, ans);
	json_decref(ans);
	return ok ? 0 : 1;
}

static int do_import(const client_opts *o, const char *token)
{
	if (!o->keystore || !o->password_file)
		return usage_error("import-encrypted needs --keystore and --password-file");
	char nonce[67], *ks = NULL, *pw = NULL, *sp = NULL;
	size_t ks_len = 0, pw_len = 0, sp_len = 0;
	int rc = 1;
	json_t *key = NULL, *ans = NULL, *rq = NULL;
	uint8_t *ct = NULL;
	char *ct_hex = NULL;
	if (file_read_all(o->keystore, MAX_FILE, &ks, &ks_len) != SS_OK) {
		fail("cannot read %s", o->keystore);
		goto out;
	}
	if (file_read_secret(o->password_file, 4096, &pw, &pw_len) != SS_OK) {
		fail("cannot read %s", o->password_file);
		goto out;
	}
	if (o->slashing && file_read_all(o->slashing, MAX_FILE, &sp, &sp_len) != SS_OK) {
		fail("cannot read %s", o->slashing);
		goto out;
	}
	if (!make_nonce(o, nonce))
		goto out;
	rq = json_pack("{s:s}", "nonce", nonce);
	if (!call(o, token, "POST", "/eth/v1/keygen/secp256k1", rq, &key))
		goto out;
	if (!verify_evidence(o, key, nonce)) {
		fail("refusing to encrypt the password to a key whose evidence fails");
		goto out;
	}
	const char *pk_hex = json_string_value(json_object_get(key, "pk_hex"));
	uint8_t pk[33];
	if (!pk_hex || hex_decode(pk, sizeof pk, pk_hex, strlen(pk_hex), HEX_PREFIX_OPTIONAL) != SS_OK) {
		fail("the signer answered no 33-byte pk_hex");
		goto out;
	}
	/* the password as the file holds it (EIP-2335 strips control characters such as a
	 * final newline when the signer derives the key) */
	size_t ct_len = 0;
	ct = malloc(pw_len + ECIES_OVERHEAD);
	ct_hex = ct ? malloc(2 * (pw_len + ECIES_OVERHEAD) + 3) : NULL;
	if (!ct_hex || ecies_seal(pk, sizeof pk, (const uint8_t *)pw, pw_len, ct,
				  pw_len + ECIES_OVERHEAD, &ct_len) != SS_OK) {
		fail("cannot encrypt the password");
		goto out;
	}
	hex_encode(ct_hex, ct, ct_len, true);
	json_decref(rq);
	rq = json_pack("{s:[s#], s:[s], s:s}", "keystores", ks, ks_len, "encrypted_passwords",
		       ct_hex, "encrypting_pk", pk_hex);
	if (sp)
		json_object_set_new(rq, "slashing_protection", json_stringn(sp, sp_len));
	if (!call(o, token, "POST", "/eth/v1/keystores", rq, &ans))
		goto out;
	const char *st = json_string_value(json_object_get(json_array_get(json_object_get(ans, "data"), 0), "status"));
	if (!st || strcmp(st, "error") == 0) {
		const char *m = json_string_value(json_object_get(json_array_get(json_object_get(ans, "data"), 0), "message"));
		fail("the signer did not import %s: %s", o->keystore, m ? m : "no status");
		goto out;
	}
	printf("%s %s (password encrypted to %s)\n", st, o->keystore, pk_hex);
	rc = 0;
out:
	if (pw)
		secure_free(pw);
	free(ks);
	free(sp);
	free(ct);
	free(ct_hex);
	json_decref(rq);
	json_decref(key);
	json_decref(ans);
	return rc;
}

static int do_deposit(const client_opts *o, const char *token)
{
	/* --withdrawal-credentials goes to the signer as given, which checks it (a copy
	 * into a 32-byte buffer here cut one too long into a valid other value) */
	char from_address[67];
	const char *wc = o->wc;
	if ((o->wc != NULL) == (o->address != NULL))
		return usage_error("give --withdrawal-credentials or --execution-address");
	if (o->address) {
		uint8_t a[20];
		if (hex_decode(a, sizeof a, o->address, strlen(o->address), HEX_PREFIX_OPTIONAL) != SS_OK)
			return usage_error("--execution-address must be 20 bytes in hex");
		uint8_t c[32] = { o->compounding ? 0x02 : 0x01 };
		memcpy(c + 12, a, 20);
		hex_encode(from_address, c, 32, true);
		wc = from_address;
	}
	if (!o->pubkeys)
		return usage_error("deposit needs --pubkey");
	json_t *list = json_array();
	const char *p = o->pubkeys;
	for (;;) {
		size_t n = strcspn(p, ",");
		json_array_append_new(list, json_pack("{s:s#, s:s, s:s}", "pubkey", p, n,
						      "withdrawal_credentials", wc, "amount",
						      o->amount ? o->amount : "32000000000"));
		if (!p[n])
			break;
		p += n + 1;
	}
	json_t *rq = json_pack("{s:o}", "deposits", list), *ans;
	if (o->fork)
		json_object_set_new(rq, "genesis_fork_version", json_string(o->fork));
	bool ok = call(o, token, "POST", "/api/v1/eth2/deposit", rq, &ans) && write_out(o, ans);
	json_decref(rq);
	json_decref(ans);
	return ok ? 0 : 1;
}

enum { O_URL = 1, O_TOKEN, O_COUNT, O_NONCE, O_OUT, O_VERIFY, O_SIM, O_MRE, O_KS, O_PW,
       O_SP, O_PK, O_WC, O_ADDR, O_COMP, O_AMOUNT, O_FORK };

/* The client's options, read by the offline commands' one parser (usage() describes
 * them; each action uses those it needs). */
static const cli_opt client_table[] = {
	{ "url", O_URL, true, "URL", "" },
	{ "token-file", O_TOKEN, true, "FILE", "" },
	{ "count", O_COUNT, true, "N", "" },
	{ "nonce", O_NONCE, true, "HEX", "" },
	{ "out", O_OUT, true, "FILE", "" },
	{ "verify", O_VERIFY, false, NULL, "" },
	{ "allow-simulated", O_SIM, false, NULL, "" },
	{ "expect-mrenclave", O_MRE, true, "HEX", "" },
	{ "keystore", O_KS, true, "FILE", "" },
	{ "password-file", O_PW, true, "FILE", "" },
	{ "slashing-protection", O_SP, true, "FILE", "" },
	{ "pubkey", O_PK, true, "KEYS", "" },
	{ "withdrawal-credentials", O_WC, true, "HEX", "" },
	{ "execution-address", O_ADDR, true, "ADDRESS", "" },
	{ "compounding", O_COMP, false, NULL, "" },
	{ "amount", O_AMOUNT, true, "GWEI", "" },
	{ "genesis-fork-version", O_FORK, true, "HEX", "" },
};

static bool on_client_opt(void *ctx, int id, const char *v)
{
	client_opts *o = ctx;
	switch (id) {
	case O_URL: o->url = v; break;
	case O_TOKEN: o->token_file = v; break;
	case O_COUNT: {
		char *end;
		o->count = strtol(v, &end, 10);
		if (*end || end == v)
			o->count = 0; /* refused with the range message by keygen */
		break;
	}
	case O_NONCE: o->nonce = v; break;
	case O_OUT: o->out = v; break;
	case O_VERIFY: o->verify = true; break;
	case O_SIM: o->allow_simulated = true; break;
	case O_MRE: o->expect_mrenclave = v; break;
	case O_KS: o->keystore = v; break;
	case O_PW: o->password_file = v; break;
	case O_SP: o->slashing = v; break;
	case O_PK: o->pubkeys = v; break;
	case O_WC: o->wc = v; break;
	case O_ADDR: o->address = v; break;
	case O_COMP: o->compounding = true; break;
	case O_AMOUNT: o->amount = v; break;
	case O_FORK: o->fork = v; break;
	default: return false;
	}
	return true;
}

int cli_cmd_client(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	const char *action = argv[1];
	if (strcmp(action, "keygen") != 0 && strcmp(action, "import-encrypted") != 0 &&
	    strcmp(action, "deposit") != 0) {
		fprintf(stderr, PROG ": unknown action '%s'\n\n", action);
		usage(stderr);
		return 2;
	}
	client_opts o = { .count = 1 };
	const char *pos[1];
	int n_pos = 0;
	bool help = false;
	int rc = cli_opts_parse(PROG, client_table, sizeof client_table / sizeof client_table[0],
				argc - 2, argv + 2, on_client_opt, &o, NULL, pos, 0, &n_pos, &help);
	if (help) {
		usage(stdout);
		return 0;
	}
	if (rc >= 0)
		return rc;
	if (!o.url || !o.token_file) {
		fprintf(stderr, PROG " %s: --url and --token-file are required\n\n", action);
		usage(stderr);
		return 2;
	}
	char *token = cli_read_first_line(o.token_file);
	if (!token) {
		fprintf(stderr, PROG ": cannot read a token from %s\n", o.token_file);
		return 2;
	}
	rc = strcmp(action, "keygen") == 0	    ? do_keygen(&o, token)
		 : strcmp(action, "deposit") == 0 ? do_deposit(&o, token)
						  : do_import(&o, token);
	secure_zero(token, strlen(token));
	free(token);
	return rc;
}
