/* Key store benchmark (prints numbers; docs/benchmarks.md records them):
 *  1. restart time: from keys_store_open() (KEK, read shards, AES-GCM open, registry)
 *     until every key is signable, with 1,000 / 10,000 / 100,000 keys already sealed,
 *     each in a fresh child process, plus the memory (RSS) it added per key;
 *  2. cold import rate of EIP-2335 scrypt keystores (n = 262144), on 1 thread and on all
 *     cores.
 *  3. a restart that still reads a keystore directory (all keystores already sealed).
 * Usage: bench_keys [MAX_KEYS (default 100000)] [SCRYPT_KEYSTORES (default 4)]
 *                   [KEYSTORE_DIR_SIZE (default 10000)]
 * Sealed stores are built once under $TMPDIR/ss-bench-keys-<N> and reused. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "crypto/bls.h"
#include "keys/keys.h"
#include "keys/keys_internal.h"
#include "keys/keystore.h"
#include "util/log.h"

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static long rss_kib(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long v = -1;
	while (f && fgets(line, sizeof line, f))
		if (sscanf(line, "VmRSS: %ld", &v) == 1)
			break;
	if (f)
		fclose(f);
	return v;
}

static keys_store *open_dir(const char *dir, keys_load_stats *st)
{
	keys_kek_provider kek;
	keys_store *ks = NULL;
	keys_error err;
	if (keys_kek_file(&kek, NULL) != SS_OK || keys_store_open(&ks, dir, &kek, st, &err) != SS_OK) {
		fprintf(stderr, "open %s: %s\n", dir, err.msg);
		exit(1);
	}
	return ks;
}

static void build_store(const char *dir, size_t n)
{
	char marker[512];
	snprintf(marker, sizeof marker, "%s/complete", dir);
	if (access(marker, F_OK) == 0)
		return;
	mkdir(dir, 0700);
	keys_store *ks = open_dir(dir, NULL);
	double t0 = now();
	keys_error err;
	for (size_t done = keys_count(ks); done < n;) {
		size_t step = n - done < 5000 ? n - done : 5000;
		if (keys_generate(ks, step, NULL, &err) != SS_OK) {
			fprintf(stderr, "generate: %s\n", err.msg);
			exit(1);
		}
		done += step;
	}
	printf("  (built a store of %zu keys in %.1f s, keys_generate)\n", n, now() - t0);
	keys_store_close(ks);
	FILE *f = fopen(marker, "w");
	if (f)
		fclose(f);
}

/* In a fresh process: open, then sign with one key to show the set is live. */
static void restart_child(const char *dir, size_t n)
{
	long rss0 = rss_kib();
	double t0 = now();
	keys_load_stats st;
	keys_store *ks = open_dir(dir, &st);
	double t1 = now();
	keys_info one;
	uint8_t sig[96];
	bool ok = keys_list(ks, &one, 1) == n && keys_sign(ks, one.pubkey, (const uint8_t *)"x", 1, sig) == SS_OK;
	double t2 = now();
	long rss1 = rss_kib();
	printf("%8zu keys: signable after %7.1f ms (open %.1f ms, first signature %.1f ms), "
	       "+%.0f bytes RSS per key, %s\n",
	       n, (t2 - t0) * 1e3, (t1 - t0) * 1e3, (t2 - t1) * 1e3,
	       (double)(rss1 - rss0) * 1024.0 / (double)n, ok && st.sealed_failed == 0 ? "ok" : "FAILED");
	size_t accounted = ks->reg.entries_cap * sizeof(keys_meta) +
			   ks->reg.table_cap * sizeof(uint32_t) +
			   ks->reg.n_slabs * KEYS_SLAB_KEYS * sizeof(bls_secret_key);
	for (unsigned s = 0; s < KEYS_SHARDS; s++)
		accounted += ks->shards[s].cap * KEYS_REC_BYTES;
	printf("          data structures: %.0f bytes per key (registry entry, table slot, secret "
	       "slab share, sealed record)\n",
	       (double)accounted / (double)n);
	keys_store_close(ks);
}

static void scrypt_import(size_t n, unsigned threads)
{
	char dir[256];
	snprintf(dir, sizeof dir, "%s/ss-bench-scrypt-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(dir))
		exit(1);
	char ksd[300], pwf[300];
	snprintf(ksd, sizeof ksd, "%s/ks", dir);
	snprintf(pwf, sizeof pwf, "%s/pw.txt", dir);
	mkdir(ksd, 0700);
	FILE *f = fopen(pwf, "w");
	fputs("benchmark password", f);
	fclose(f);
	for (size_t i = 0; i < n; i++) {
		uint8_t s[32] = { 0x10, (uint8_t)i, (uint8_t)(i >> 8), 3 }, pk[48];
		char *json = NULL, p[400];
		keys_error err;
		if (keys_secret_to_pubkey(pk, s) != SS_OK ||
		    keys_keystore_encrypt(&json, s, pk, NULL, "benchmark password", 18, NULL, &err) != SS_OK)
			exit(1);
		snprintf(p, sizeof p, "%s/k%zu.json", ksd, i);
		f = fopen(p, "w");
		fputs(json, f);
		fclose(f);
		free(json);
	}
	keys_store *ks = open_dir(dir, NULL);
	keys_sources src = { .keystores_dir = ksd, .keystores_password_file = pwf, .threads = threads };
	keys_load_stats st;
	keys_error err;
	double t0 = now();
	if (keys_load_sources(ks, &src, &st, &err) != SS_OK || st.sources_new != n)
		exit(1);
	double dt = now() - t0;
	printf("scrypt n=262144 import, %zu keystores on %u thread(s): %.2f s, %.2f keystores/s\n", n,
	       threads, dt, (double)n / dt);
	keys_store_close(ks);
	char cmd[400];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
}

/* A restart with --keystores-path still set: every keystore is read and parsed for its
 * pubkey, none is decrypted (all already sealed). */
static void keystore_dir_restart(size_t n)
{
	char dir[256];
	snprintf(dir, sizeof dir, "%s/ss-bench-ksdir-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(dir))
		exit(1);
	char ksd[300], pwf[300];
	snprintf(ksd, sizeof ksd, "%s/ks", dir);
	snprintf(pwf, sizeof pwf, "%s/pw.txt", dir);
	mkdir(ksd, 0700);
	FILE *f = fopen(pwf, "w");
	fputs("pw", f);
	fclose(f);
	keys_kdf_params cheap = { true, 0, 1 };
	for (size_t i = 0; i < n; i++) {
		uint8_t s[32] = { 0x11, (uint8_t)i, (uint8_t)(i >> 8), (uint8_t)(i >> 16), 9 }, pk[48];
		char *json = NULL, p[400];
		keys_error err;
		if (keys_secret_to_pubkey(pk, s) != SS_OK ||
		    keys_keystore_encrypt(&json, s, pk, NULL, "pw", 2, &cheap, &err) != SS_OK)
			exit(1);
		snprintf(p, sizeof p, "%s/k%zu.json", ksd, i);
		f = fopen(p, "w");
		fputs(json, f);
		fclose(f);
		free(json);
	}
	keys_store *ks = open_dir(dir, NULL);
	keys_sources src = { .keystores_dir = ksd, .keystores_password_file = pwf };
	keys_load_stats st;
	keys_error err;
	if (keys_load_sources(ks, &src, &st, &err) != SS_OK || st.sources_new != n)
		exit(1);
	keys_store_close(ks);
	double t0 = now();
	ks = open_dir(dir, NULL);
	double t1 = now();
	if (keys_load_sources(ks, &src, &st, &err) != SS_OK || st.sources_new != 0)
		exit(1);
	double t2 = now();
	printf("restart with a keystore directory of %zu sealed keystores: open %.0f ms, "
	       "sources re-read (no decryption) %.0f ms\n",
	       n, (t1 - t0) * 1e3, (t2 - t1) * 1e3);
	keys_store_close(ks);
	char cmd[400];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
}

int main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "--restart") == 0) {
		/* a fresh process (exec'd) so that RSS counts only what the open adds */
		log_set_level(LOG_ERROR);
		restart_child(argv[2], strtoul(argv[3], NULL, 10));
		return 0;
	}
	size_t max = argc > 1 ? strtoul(argv[1], NULL, 10) : 100000;
	size_t scrypt_n = argc > 2 ? strtoul(argv[2], NULL, 10) : 4;
	log_set_level(LOG_ERROR);
	bls_init();
	printf("sealed key store restart (each in a new process):\n");
	for (size_t n = 1000; n <= max; n *= 10) {
		char dir[256];
		snprintf(dir, sizeof dir, "%s/ss-bench-keys-%zu", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", n);
		build_store(dir, n);
		fflush(stdout);
		pid_t pid = fork();
		if (pid == 0) {
			char nbuf[32];
			snprintf(nbuf, sizeof nbuf, "%zu", n);
			execl("/proc/self/exe", argv[0], "--restart", dir, nbuf, (char *)NULL);
			_exit(127);
		}
		waitpid(pid, NULL, 0);
	}
	size_t ksdir_n = argc > 3 ? strtoul(argv[3], NULL, 10) : 10000;
	if (ksdir_n > 0)
		keystore_dir_restart(ksdir_n);
	if (scrypt_n > 0) {
		long cores = sysconf(_SC_NPROCESSORS_ONLN);
		scrypt_import(scrypt_n, 1);
		scrypt_import(scrypt_n, (unsigned)cores);
	}
	return 0;
}
