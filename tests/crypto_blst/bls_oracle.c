/* bls_oracle: our BLS implementation behind a line protocol, so that a Node.js script
 * can compare it with @chainsafe/blst (crosscheck.mjs). One command per line on stdin,
 * one answer line per command on stdout. Hex is bare (no 0x); "-" is the empty message.
 *
 *   backend                        -> "adx" | "portable"
 *   pk <sk>                        -> <pk> | "err" (sk not in [1, r))
 *   ps <sk> <msg>                  -> "<pk> <sig>" | "err"
 *   sign <sk> <msg>                -> <sig> | "err"
 *   fb <msg> <n> <sk1..skn>        -> "<sig1> .. <sign>" (fixed-base: one table of
 *                                     H(msg), n signatures from it; "err" for a bad sk)
 *   verify <pk> <msg> <sig>        -> "1" | "0"
 *   fav <n> <pk1..pkn> <msg> <sig> -> "1" | "0"
 *   agg <n> <sig1..sign>           -> <sig> | "err"
 *   av <n> (<pk> <msg>)*n <sig>    -> "1" | "0"   AggregateVerify
 *   bv <n> (<pk> <msg> <sig>)*n    -> "1" | "0"   batch verification
 *   anything malformed             -> "bad" (a bug in the script, never a decision) */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/bls.h"
#include "crypto/fp_mont.h"
#include "util/hex.h"

#define MAX_MSG 4096
#define MAX_N 512
#define MAX_SET_MSG 512 /* per-message limit in av and bv */

static char *next_tok(char **save)
{
	return strtok_r(NULL, " \t\r\n", save);
}

static bool get_hex(uint8_t *out, size_t len, char **save)
{
	const char *t = next_tok(save);
	return t != NULL && hex_decode(out, len, t, strlen(t), HEX_PREFIX_FORBIDDEN) == SS_OK;
}

static bool get_msg(uint8_t *out, size_t *len, char **save)
{
	const char *t = next_tok(save);
	if (t == NULL)
		return false;
	if (strcmp(t, "-") == 0) {
		*len = 0;
		return true;
	}
	return hex_decode_var(out, MAX_MSG, len, t, strlen(t), HEX_PREFIX_FORBIDDEN) == SS_OK;
}

static bool get_count(size_t *n, char **save)
{
	const char *t = next_tok(save);
	if (t == NULL)
		return false;
	char *end;
	unsigned long v = strtoul(t, &end, 10);
	if (*end != '\0' || v > MAX_N)
		return false;
	*n = v;
	return true;
}

static void put_hex(const uint8_t *b, size_t len, const char *after)
{
	char buf[2 * BLS_SIGNATURE_BYTES + 1];
	hex_encode(buf, b, len, false);
	fputs(buf, stdout);
	fputs(after, stdout);
}

static uint8_t pks[MAX_N][BLS_PUBKEY_BYTES];
static uint8_t sigs[MAX_N][BLS_SIGNATURE_BYTES];
static uint8_t msg[MAX_MSG];
static uint8_t set_msgs[MAX_N][MAX_SET_MSG];
static const uint8_t *set_msg_ptrs[MAX_N];
static size_t set_msg_lens[MAX_N];

/* A message of at most MAX_SET_MSG bytes into set slot i. */
static bool get_set_msg(size_t i, char **save)
{
	size_t len;
	if (!get_msg(msg, &len, save) || len > MAX_SET_MSG)
		return false;
	memcpy(set_msgs[i], msg, len);
	set_msg_ptrs[i] = set_msgs[i];
	set_msg_lens[i] = len;
	return true;
}

/* Runs one command; false when the line is malformed. */
static bool run(char *line)
{
	char *save;
	const char *cmd = strtok_r(line, " \t\r\n", &save);
	uint8_t skb[32], pk[48], sig[96];
	size_t len, n;
	bls_secret_key sk;
	if (cmd == NULL)
		return false;
	if (strcmp(cmd, "backend") == 0) {
		puts(fp_mont_using_asm() ? "adx" : "portable");
		return true;
	}
	if (strcmp(cmd, "pk") == 0 || strcmp(cmd, "ps") == 0 || strcmp(cmd, "sign") == 0) {
		bool want_pk = cmd[0] == 'p', want_sig = strcmp(cmd, "pk") != 0;
		if (!get_hex(skb, 32, &save) || (want_sig && !get_msg(msg, &len, &save)))
			return false;
		if (bls_secret_key_from_bytes(&sk, skb) != SS_OK) {
			puts("err");
			return true;
		}
		if (want_pk) {
			bls_sk_to_pk(pk, &sk);
			put_hex(pk, 48, want_sig ? " " : "\n");
		}
		if (want_sig) {
			bls_sign(sig, &sk, msg, len);
			put_hex(sig, 96, "\n");
		}
		bls_secret_key_wipe(&sk);
		return true;
	}
	if (strcmp(cmd, "fb") == 0) {
		static bls_fixed_base_table *table;
		bls_hashed_message h;
		if (!get_msg(msg, &len, &save) || !get_count(&n, &save))
			return false;
		if (table == NULL && (table = malloc(BLS_FIXED_BASE_TABLE_BYTES)) == NULL)
			return false;
		bls_hash_message(&h, msg, len);
		bls_fixed_base_build(table, &h);
		for (size_t i = 0; i < n; i++) {
			if (!get_hex(skb, 32, &save))
				return false;
			if (bls_secret_key_from_bytes(&sk, skb) != SS_OK) {
				fputs(i + 1 < n ? "err " : "err\n", stdout);
				continue;
			}
			bls_sign_fixed_base(sig, &sk, table);
			bls_secret_key_wipe(&sk);
			put_hex(sig, 96, i + 1 < n ? " " : "\n");
		}
		if (n == 0)
			puts("");
		return true;
	}
	if (strcmp(cmd, "verify") == 0) {
		if (!get_hex(pk, 48, &save) || !get_msg(msg, &len, &save) ||
		    !get_hex(sig, 96, &save))
			return false;
		puts(bls_verify_vartime(pk, msg, len, sig) ? "1" : "0");
		return true;
	}
	if (strcmp(cmd, "fav") == 0) {
		if (!get_count(&n, &save))
			return false;
		for (size_t i = 0; i < n; i++)
			if (!get_hex(pks[i], 48, &save))
				return false;
		if (!get_msg(msg, &len, &save) || !get_hex(sig, 96, &save))
			return false;
		puts(bls_fast_aggregate_verify_vartime(pks, n, msg, len, sig) ? "1" : "0");
		return true;
	}
	if (strcmp(cmd, "agg") == 0) {
		if (!get_count(&n, &save))
			return false;
		for (size_t i = 0; i < n; i++)
			if (!get_hex(sigs[i], 96, &save))
				return false;
		if (bls_aggregate_signatures_vartime(sig, sigs, n) != SS_OK)
			puts("err");
		else
			put_hex(sig, 96, "\n");
		return true;
	}
	if (strcmp(cmd, "av") == 0) {
		if (!get_count(&n, &save))
			return false;
		for (size_t i = 0; i < n; i++)
			if (!get_hex(pks[i], 48, &save) || !get_set_msg(i, &save))
				return false;
		if (!get_hex(sig, 96, &save))
			return false;
		puts(bls_aggregate_verify_vartime(pks, set_msg_ptrs, set_msg_lens, n, sig) ? "1"
											  : "0");
		return true;
	}
	if (strcmp(cmd, "bv") == 0) {
		if (!get_count(&n, &save))
			return false;
		for (size_t i = 0; i < n; i++)
			if (!get_hex(pks[i], 48, &save) || !get_set_msg(i, &save) ||
			    !get_hex(sigs[i], 96, &save))
				return false;
		puts(bls_batch_verify_vartime(pks, set_msg_ptrs, set_msg_lens, sigs, n) ? "1" : "0");
		return true;
	}
	return false;
}

int main(void)
{
	bls_init();
	/* the script waits for each batch's answers before closing stdin */
	setvbuf(stdout, NULL, _IOLBF, 0);
	char *line = NULL;
	size_t cap = 0;
	while (getline(&line, &cap, stdin) > 0) {
		if (!run(line))
			puts("bad");
	}
	free(line);
	return 0;
}
