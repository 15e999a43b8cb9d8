/* bench_bls: microseconds per operation of the BLS API (docs/benchmarks.md).
 *
 *   bench_bls [--backend auto|adx|portable|both] [--ms N]   table of every operation
 *   bench_bls --serve                                        for compare-blst.mjs
 *
 * In --serve mode each stdin line "OP N" runs operation OP N times and answers
 * "OP <µs per op>" (per signature for the fixed_base_N_keys rows); "backend
 * adx|portable" switches the field backend; "table_bytes" answers the size of a
 * fixed-base table. The comparison
 * script interleaves these requests with blst's runs of the same operation, so both
 * see the same machine load (the machine is shared and noisy).
 *
 * Every operation starts from bytes, as the signer does: Verify includes decompressing
 * and subgroup-checking the public key and the signature; FastAggregateVerify includes
 * KeyValidate of all 64 public keys. The fixed-base rows (docs/bls.md): building H(m)'s
 * table, one signature with a warm table, and a fresh message signed by 1, 8, 64 or
 * 1024 keys through its own table (hash_to_G2 + build + n signatures, per signature). */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypto/bls.h"
#include "crypto/bls_internal.h"
#include "crypto/eip2333.h"
#include "crypto/fp_mont.h"

#define FAV_N 64
#define FB_MAX_KEYS 1024

static struct {
	uint8_t seed[32];
	bls_secret_key sk;
	uint8_t msg[32];     /* the message signed in pk/sig, pks/agg */
	uint8_t msg_var[32]; /* varied by sign and hash_to_g2 so no result is reused */
	uint8_t pk[48], sig[96];
	uint8_t pks[FAV_N][48];
	uint8_t agg[96];
	bls_secret_key keys[FB_MAX_KEYS]; /* signers of one message, fixed-base rows */
	bls_hashed_message h;             /* H(msg), and its table */
	bls_fixed_base_table *table;
	volatile uint64_t sink;
} S;

/* Thread CPU time: the machine is shared, and time spent descheduled is not ours. */
static double now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static void die(const char *what)
{
	fprintf(stderr, "bench_bls: %s\n", what);
	exit(1);
}

/* ---- the operations; each is self-contained and leaves S as it found it ---- */

static void op_keygen(void)
{
	uint8_t skb[32], pk[48];
	bls_secret_key sk;
	S.seed[0]++;
	if (eip2333_derive_master_sk(skb, S.seed, sizeof S.seed) != SS_OK ||
	    bls_secret_key_from_bytes(&sk, skb) != SS_OK)
		die("keygen failed");
	bls_sk_to_pk(pk, &sk);
	S.sink += pk[1];
	bls_secret_key_wipe(&sk);
}

static void op_sk_to_pk(void)
{
	uint8_t pk[48];
	bls_sk_to_pk(pk, &S.sk);
	S.sink += pk[1];
}

static void op_hash_to_g2(void)
{
	g2_point h;
	S.msg_var[0]++;
	bls_hash_to_g2(&h, S.msg_var, sizeof S.msg_var, BLS_DST_POP_G2, sizeof BLS_DST_POP_G2);
	S.sink += h.x.c0.l[0];
}

static void op_sign(void)
{
	uint8_t sig[96];
	S.msg_var[0]++;
	bls_sign(sig, &S.sk, S.msg_var, sizeof S.msg_var);
	S.sink += sig[1];
}

static void op_sign_hashed(void)
{
	uint8_t sig[96];
	bls_sign_hashed(sig, &S.sk, &S.h);
	S.sink += sig[1];
}

/* Building H(m)'s table, H(m) given: the cost the signer pays once per shared message. */
static void op_fixed_base_build(void)
{
	bls_fixed_base_build(S.table, &S.h);
	S.sink += S.table != NULL;
}

/* One signature with a warm table. */
static void op_sign_fixed_base(void)
{
	uint8_t sig[96];
	bls_sign_fixed_base(sig, &S.sk, S.table);
	S.sink += sig[1];
}

/* A fresh message signed by n keys through its own table: hash_to_G2, the table
 * build and n fixed-base signatures, reported per signature (OPS[].per = n). */
static void fixed_base_keys(int n)
{
	uint8_t sig[96];
	bls_hashed_message h;
	S.msg_var[0]++;
	bls_hash_message(&h, S.msg_var, sizeof S.msg_var);
	bls_fixed_base_build(S.table, &h);
	for (int i = 0; i < n; i++) {
		bls_sign_fixed_base(sig, &S.keys[i], S.table);
		S.sink += sig[1];
	}
}
/* Warm-table signatures of n keys in one bls_sign_many call (a signing thread that
 * took n queued requests of one root): one inversion for all, per signature. */
static void sign_many_fixed_base(size_t n)
{
	uint8_t sig[BLS_SIGN_MANY_MAX][96];
	bls_sign_job job[BLS_SIGN_MANY_MAX];
	for (size_t i = 0; i < n; i++)
		job[i] = (bls_sign_job){ .sk = &S.keys[i], .table = S.table, .sig = sig[i] };
	bls_sign_many(job, n);
	S.sink += sig[n - 1][1];
}
static void op_sign_many_fixed_base_4(void) { sign_many_fixed_base(4); }
static void op_sign_many_fixed_base_8(void) { sign_many_fixed_base(8); }

static void op_fixed_base_k1(void) { fixed_base_keys(1); }
static void op_fixed_base_k8(void) { fixed_base_keys(8); }
static void op_fixed_base_k64(void) { fixed_base_keys(64); }
static void op_fixed_base_k1024(void) { fixed_base_keys(1024); }

static void op_verify(void)
{
	if (!bls_verify_vartime(S.pk, S.msg, sizeof S.msg, S.sig))
		die("verify rejected a valid signature");
}

static void op_sig_decompress_check(void)
{
	g2_point q;
	if (g2_deserialize_vartime(&q, S.sig, 96) != SS_OK || !g2_in_subgroup_vartime(&q))
		die("signature decode failed");
}

static void op_pk_decompress_check(void)
{
	if (!bls_key_validate_vartime(S.pk))
		die("KeyValidate failed");
}

static void op_fav64(void)
{
	if (!bls_fast_aggregate_verify_vartime(S.pks, FAV_N, S.msg, sizeof S.msg, S.agg))
		die("FastAggregateVerify rejected a valid aggregate");
}

static const struct op {
	const char *name;
	void (*fn)(void);
	int per; /* results per call: times are reported per result */
} OPS[] = {
	{ "keygen", op_keygen, 1 },	/* EIP-2333 derive_master_SK + SkToPk */
	{ "sk_to_pk", op_sk_to_pk, 1 },
	{ "hash_to_g2", op_hash_to_g2, 1 },
	{ "sign", op_sign, 1 },
	{ "sign_hashed", op_sign_hashed, 1 },
	{ "fixed_base_build", op_fixed_base_build, 1 },
	{ "sign_fixed_base", op_sign_fixed_base, 1 },
	{ "sign_many_fixed_base_4", op_sign_many_fixed_base_4, 4 },
	{ "sign_many_fixed_base_8", op_sign_many_fixed_base_8, 8 },
	{ "fixed_base_1_key", op_fixed_base_k1, 1 },
	{ "fixed_base_8_keys", op_fixed_base_k8, 8 },
	{ "fixed_base_64_keys", op_fixed_base_k64, 64 },
	{ "fixed_base_1024_keys", op_fixed_base_k1024, FB_MAX_KEYS },
	{ "verify", op_verify, 1 },
	{ "sig_decompress_check", op_sig_decompress_check, 1 },
	{ "pk_decompress_check", op_pk_decompress_check, 1 },
	{ "fast_aggregate_verify_64", op_fav64, 1 },
};
#define N_OPS (sizeof OPS / sizeof OPS[0])

static void setup(void)
{
	for (int i = 0; i < 32; i++) {
		S.seed[i] = (uint8_t)(i * 7 + 1);
		S.msg[i] = (uint8_t)(0xa5 ^ i);
	}
	uint8_t skb[32];
	if (eip2333_derive_master_sk(skb, S.seed, 32) != SS_OK ||
	    bls_secret_key_from_bytes(&S.sk, skb) != SS_OK)
		die("setup: key");
	bls_sk_to_pk(S.pk, &S.sk);
	bls_sign(S.sig, &S.sk, S.msg, sizeof S.msg);
	/* 64 signers of one message and their aggregate */
	static uint8_t sigs[FAV_N][96];
	for (uint32_t i = 0; i < FAV_N; i++) {
		bls_secret_key k;
		eip2333_derive_child_sk(skb, S.seed, i);
		if (bls_secret_key_from_bytes(&k, skb) != SS_OK)
			die("setup: child key");
		bls_sk_to_pk(S.pks[i], &k);
		bls_sign(sigs[i], &k, S.msg, sizeof S.msg);
		bls_secret_key_wipe(&k);
	}
	if (bls_aggregate_signatures_vartime(S.agg, sigs, FAV_N) != SS_OK)
		die("setup: aggregate");
	for (uint32_t i = 0; i < FB_MAX_KEYS; i++) {
		eip2333_derive_child_sk(skb, S.seed, 1000 + i);
		if (bls_secret_key_from_bytes(&S.keys[i], skb) != SS_OK)
			die("setup: fixed-base key");
	}
	S.table = malloc(BLS_FIXED_BASE_TABLE_BYTES);
	if (S.table == NULL)
		die("setup: out of memory");
	bls_hash_message(&S.h, S.msg, sizeof S.msg);
	bls_fixed_base_build(S.table, &S.h);
	uint8_t a[96], b[96]; /* the benchmark measures the right thing */
	bls_sign_fixed_base(a, &S.sk, S.table);
	if (memcmp(a, S.sig, sizeof a) != 0 || (bls_sign_hashed(b, &S.sk, &S.h), memcmp(b, S.sig, sizeof b)) != 0)
		die("setup: fixed-base or hashed signature differs from bls_sign");
}

/* Runs op n times; µs per op. */
static double time_op(const struct op *op, long n)
{
	double t0 = now_us();
	for (long i = 0; i < n; i++)
		op->fn();
	return (now_us() - t0) / ((double)n * op->per);
}

/* Best of several timed runs, each of at least ms milliseconds. */
static double measure(const struct op *op, double ms)
{
	double once = time_op(op, 1) * op->per; /* warm up and size the runs */
	long n = (long)(ms * 1000 / (once > 1 ? once : 1));
	if (n < 2)
		n = 2;
	double best = 1e300;
	for (int rep = 0; rep < 3; rep++) {
		double t = time_op(op, n);
		if (t < best)
			best = t;
	}
	return best;
}

static bool set_backend(const char *name)
{
	if (strcmp(name, "portable") == 0) {
		fp_mont_asm = false;
		return true;
	}
	if (strcmp(name, "adx") == 0) {
#ifdef SS_HAVE_ADX_KERNEL
		if (!fp_mont_cpu_has_adx())
			return false;
		fp_mont_asm = true;
		return true;
#else
		return false; /* built without the assembly kernels */
#endif
	}
	return false;
}

static const struct op *find_op(const char *name)
{
	for (size_t i = 0; i < N_OPS; i++)
		if (strcmp(OPS[i].name, name) == 0)
			return &OPS[i];
	return NULL;
}

static int serve(void)
{
	char *line = NULL;
	size_t cap = 0;
	while (getline(&line, &cap, stdin) > 0) {
		char name[64];
		long n;
		if (strncmp(line, "table_bytes", 11) == 0) {
			printf("table_bytes %u\n", (unsigned)BLS_FIXED_BASE_TABLE_BYTES);
		} else if (sscanf(line, "backend %63s", name) == 1) {
			printf("backend %s\n", set_backend(name) ? name : "unavailable");
		} else if (sscanf(line, "%63s %ld", name, &n) == 2 && n > 0 && find_op(name)) {
			printf("%s %.2f\n", name, time_op(find_op(name), n));
		} else {
			printf("bad\n");
		}
		fflush(stdout);
	}
	free(line);
	return 0;
}

int main(int argc, char **argv)
{
	const char *backend = "auto";
	double ms = 300;
	bool serve_mode = false;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--backend") == 0 && i + 1 < argc)
			backend = argv[++i];
		else if (strcmp(argv[i], "--ms") == 0 && i + 1 < argc)
			ms = atof(argv[++i]);
		else if (strcmp(argv[i], "--serve") == 0)
			serve_mode = true;
		else {
			fprintf(stderr, "usage: bench_bls [--backend auto|adx|portable|both]"
					" [--ms N] | --serve\n");
			return 2;
		}
	}
	bls_init();
	setup();
	if (serve_mode)
		return serve();

	const char *list[2];
	int nb = 0;
	if (strcmp(backend, "both") == 0) {
		list[nb++] = "adx";
		list[nb++] = "portable";
	} else if (strcmp(backend, "auto") == 0) {
		list[nb++] = fp_mont_using_asm() ? "adx" : "portable";
	} else {
		list[nb++] = backend;
	}
	printf("%-26s", "operation (µs/op)");
	for (int b = 0; b < nb; b++)
		printf(" %12s", list[b]);
	printf("\n");
	for (int b = 0; b < nb; b++)
		if (!set_backend(list[b]))
			die("backend unavailable on this CPU");
	for (size_t i = 0; i < N_OPS; i++) {
		printf("%-26s", OPS[i].name);
		for (int b = 0; b < nb; b++) {
			set_backend(list[b]);
			printf(" %12.1f", measure(&OPS[i], ms));
			fflush(stdout);
		}
		printf("\n");
	}
	return 0;
}
