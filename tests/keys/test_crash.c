/* Crash safety of the sealed store (DESIGN.md invariant 5): a child process imports and
 * generates keys and reports each key once keys_* has returned (durable); the parent
 * kills it with SIGKILL at an arbitrary moment, then opens the store. Every reported key
 * must be there, nothing may fail to open, and every key present must sign: each key
 * is in its old or its new state, never half-written. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "crypto/bls.h"
#include "keys/keys.h"
#include "keys_test_util.h"
#include "test.h"
#include "util/log.h"

static void child(const char *dir, int fd)
{
	log_set_level(LOG_ERROR);
	keys_kek_provider kek;
	keys_store *ks = NULL;
	keys_error err;
	if (keys_kek_file(&kek, NULL) != SS_OK || keys_store_open(&ks, dir, &kek, NULL, &err) != SS_OK)
		_exit(3);
	for (int round = 0;; round++) {
		/* batches of different sizes: some touch one shard, some most of them */
		size_t n = round % 3 == 0 ? 1 : round % 3 == 1 ? 16 : 200;
		uint8_t(*pks)[48] = malloc(n * 48);
		if (keys_generate(ks, n, pks, &err) != SS_OK)
			_exit(4);
		if (write(fd, pks, n * 48) != (ssize_t)(n * 48))
			_exit(5);
		free(pks);
		if (round % 4 == 3) { /* and deletes, reported before they start */
			size_t cnt = keys_count(ks);
			keys_info *v = malloc(cnt * sizeof *v);
			keys_list(ks, v, cnt);
			uint8_t tag[48];
			memset(tag, 0xff, 48); /* marker: the next pubkey is being deleted */
			if (write(fd, tag, 48) != 48 || write(fd, v[0].pubkey, 48) != 48)
				_exit(5);
			if (keys_delete(ks, v[0].pubkey, &err) != SS_OK)
				_exit(6);
			free(v);
		}
	}
}

TEST(kill_during_generate_and_delete)
{
	srand((unsigned)time(NULL));
	for (int trial = 0; trial < 6; trial++) {
		char dir[256];
		kt_tempdir(dir, "crash");
		int p[2];
		CHECK(pipe(p) == 0);
		pid_t pid = fork();
		if (pid == 0) {
			close(p[0]);
			child(dir, p[1]);
			_exit(0);
		}
		close(p[1]);
		usleep((useconds_t)(50000 + rand() % 400000));
		kill(pid, SIGKILL);
		int st;
		waitpid(pid, &st, 0);
		CHECK(WIFSIGNALED(st));
		/* what the child reported as done */
		static uint8_t reported[200000][48];
		static bool deleting[200000];
		size_t n = 0;
		bool next_is_delete = false;
		uint8_t buf[48];
		while (n < 200000 && read(p[0], buf, 48) == 48) {
			static const uint8_t ff[48] = { [0 ... 47] = 0xff };
			if (memcmp(buf, ff, 48) == 0) {
				next_is_delete = true;
				continue;
			}
			memcpy(reported[n], buf, 48);
			deleting[n++] = next_is_delete;
			next_is_delete = false;
		}
		close(p[0]);
		keys_kek_provider kek;
		keys_store *ks = NULL;
		keys_error err;
		keys_load_stats ls;
		CHECK(keys_kek_file(&kek, NULL) == SS_OK);
		CHECK(keys_store_open(&ks, dir, &kek, &ls, &err) == SS_OK);
		if (!ks)
			return;
		CHECK_MSG(ls.sealed_failed == 0, "trial %d: %zu sealed records failed", trial,
			  ls.sealed_failed);
		/* a key reported generated is present unless a later delete of it was reported
		 * (then it may be either: the delete may not have finished) */
		size_t missing = 0;
		for (size_t i = 0; i < n; i++) {
			if (deleting[i])
				continue;
			bool later_delete = false;
			for (size_t j = i + 1; j < n && !later_delete; j++)
				later_delete = deleting[j] && memcmp(reported[j], reported[i], 48) == 0;
			if (!later_delete && !keys_contains(ks, reported[i]))
				missing++;
		}
		CHECK_MSG(missing == 0, "trial %d: %zu committed keys missing", trial, missing);
		size_t cnt = keys_count(ks);
		keys_info *v = malloc((cnt ? cnt : 1) * sizeof *v);
		keys_list(ks, v, cnt);
		size_t bad = 0;
		for (size_t i = 0; i < cnt; i += 1 + cnt / 50) {
			uint8_t sig[96];
			if (keys_sign(ks, v[i].pubkey, (const uint8_t *)"x", 1, sig) != SS_OK ||
			    !bls_verify_vartime(v[i].pubkey, (const uint8_t *)"x", 1, sig))
				bad++;
		}
		CHECK(bad == 0);
		printf("trial %d: %zu keys reported, %zu present after SIGKILL\n", trial, n, cnt);
		free(v);
		keys_store_close(ks);
		kt_rmrf(dir);
	}
}
