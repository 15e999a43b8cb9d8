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
#include "keys/keys_internal.h"
#include "keys/keystore.h"
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

/* Batches are atomic as a whole: a child imports prepared batches of keystores; after
 * SIGKILL each batch is entirely present or entirely absent, and every batch the child
 * reported done is present. */
enum { BATCHES = 12, PER_BATCH = 40 };
static char *batch_json[BATCHES][PER_BATCH];
static uint8_t batch_pk[BATCHES][PER_BATCH][48];

static void import_child(const char *dir, int fd)
{
	log_set_level(LOG_ERROR);
	keys_kek_provider kek;
	keys_store *ks = NULL;
	keys_error err;
	if (keys_kek_file(&kek, NULL) != SS_OK || keys_store_open(&ks, dir, &kek, NULL, &err) != SS_OK)
		_exit(3);
	for (int b = 0; b < BATCHES; b++) {
		const char *pw[PER_BATCH];
		size_t kl[PER_BATCH], pl[PER_BATCH];
		keys_import_result res[PER_BATCH];
		for (int i = 0; i < PER_BATCH; i++) {
			pw[i] = "pw";
			pl[i] = 2;
			kl[i] = strlen(batch_json[b][i]);
		}
		if (keys_import_keystores(ks, (const char *const *)batch_json[b], kl, pw, pl, PER_BATCH, res) != SS_OK)
			_exit(4);
		for (int i = 0; i < PER_BATCH; i++)
			if (res[i].status != KEYS_IMPORT_IMPORTED)
				_exit(5);
		if (write(fd, &b, sizeof b) != sizeof b)
			_exit(6);
	}
	_exit(0);
}

TEST(kill_during_batch_import_all_or_nothing)
{
	bls_init();
	for (int b = 0; b < BATCHES; b++)
		for (int i = 0; i < PER_BATCH; i++) {
			uint8_t s[32] = { 0x21, (uint8_t)b, (uint8_t)i, 0x5a };
			keys_kdf_params kdf = { true, 0, 1 };
			keys_error err;
			CHECK(keys_secret_to_pubkey(batch_pk[b][i], s) == SS_OK);
			CHECK(keys_keystore_encrypt(&batch_json[b][i], s, batch_pk[b][i], NULL, "pw", 2, &kdf, &err) == SS_OK);
		}
	for (int trial = 0; trial < 5; trial++) {
		char dir[256];
		kt_tempdir(dir, "crash");
		int p[2];
		CHECK(pipe(p) == 0);
		pid_t pid = fork();
		if (pid == 0) {
			close(p[0]);
			import_child(dir, p[1]);
		}
		close(p[1]);
		usleep((useconds_t)(20000 + rand() % 200000));
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		int done = -1, b;
		while (read(p[0], &b, sizeof b) == sizeof b)
			done = b;
		close(p[0]);
		keys_kek_provider kek;
		keys_store *ks = NULL;
		keys_error err;
		keys_load_stats ls;
		CHECK(keys_kek_file(&kek, NULL) == SS_OK);
		CHECK(keys_store_open(&ks, dir, &kek, &ls, &err) == SS_OK);
		if (!ks)
			return;
		CHECK(ls.sealed_failed == 0);
		int complete = 0;
		for (b = 0; b < BATCHES; b++) {
			int present = 0;
			for (int i = 0; i < PER_BATCH; i++)
				present += keys_contains(ks, batch_pk[b][i]);
			CHECK_MSG(present == 0 || present == PER_BATCH,
				  "trial %d: batch %d half imported (%d/%d)", trial, b, present, PER_BATCH);
			CHECK_MSG(b > done || present == PER_BATCH, "trial %d: reported batch %d lost", trial, b);
			complete += present == PER_BATCH;
		}
		printf("trial %d: %d batches reported, %d present after SIGKILL\n", trial, done + 1, complete);
		keys_store_close(ks);
		kt_rmrf(dir);
	}
	for (int b = 0; b < BATCHES; b++)
		for (int i = 0; i < PER_BATCH; i++)
			free(batch_json[b][i]);
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
