/* End to end: the network checks of the signer and the configuration every command
 * shares, as an operator meets them — the real `secure-signer` binary, over HTTP, with
 * its CLI in other processes on the same data directory (issue "No path to a slashing
 * or a lock-out", items 2-5).
 *
 *   - a known network's genesis validators root: another root is refused (400) and
 *     records nothing; the store is bound at creation and a store of another chain
 *     stops the start; --genesis-validators-root for a config.yaml network;
 *   - far-future slots and epochs: refused (412) before the slashing check, so they
 *     record nothing and cannot lock the validator out;
 *   - SECURE_SIGNER_DATA_DIR honoured by `slashing import` as by `run`;
 *   - one process per data directory: a running signer stops every offline writer,
 *     and an offline writer stops `run`. */
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../server/http_client.h"
#include "crypto/bls.h"
#include "sign_bodies.h"
#include "signer_proc.h"
#include "test.h"
#include "util/datadir.h"
#include "util/hex.h"

#define MAINNET_GENESIS 1606824023ull
#define MAINNET_EPOCH_SECONDS (32ull * 12ull)
/* A root that is no public network's (Web3Signer's documentation example). */
#define OTHER_GVR "0x04700007fabc8282644aed6d1c7c9e21d38a03a0c4ba193f3afe428824b3a673"

static char sk_hex[67], pk_hex[99];

static void make_key(void)
{
	static bool done;
	if (done)
		return;
	bls_init();
	uint8_t sk[32], pk[48];
	for (int j = 0; j < 32; j++)
		sk[j] = (uint8_t)(0x2b + 5 * j);
	bls_secret_key k;
	CHECK(bls_secret_key_from_bytes(&k, sk) == SS_OK);
	bls_sk_to_pk(pk, &k);
	bls_secret_key_wipe(&k);
	hex_encode(sk_hex, sk, 32, true);
	hex_encode(pk_hex, pk, 48, true);
	done = true;
}

static bool prepare(signer_proc *p)
{
	make_key();
	return sp_init(p) && sp_add_raw_key(p, "key", sk_hex);
}

static bool start(signer_proc *p, const char *const *extra)
{
	bool ok = sp_start(p, extra);
	CHECK_MSG(ok, "secure-signer did not start (log %s/signer.log)", p->dir);
	return ok;
}

/* POST the body for the key; returns the status, the reply's message in msg. */
static int sign(uint16_t port, const char *body, char *msg, size_t cap)
{
	char path[160];
	snprintf(path, sizeof path, "/api/v1/eth2/sign/%s", pk_hex);
	hc_response r;
	int st = hc_request(port, "POST", path, "Accept: application/json\r\n", body, strlen(body), &r);
	snprintf(msg, cap, "%s", r.body ? r.body : "");
	hc_free(&r);
	return st;
}

/* body with every occurrence of mainnet's root replaced by root. */
static void with_root(char *body, const char *root)
{
	for (char *g = strstr(body, SB_GVR); g; g = strstr(g + 1, SB_GVR))
		memcpy(g, root, strlen(root));
}

/* The mainnet epoch of the wall clock, at least margin seconds before the next epoch
 * begins (it waits past a boundary that is closer), so that a test's expectation at
 * the boundary of the tolerance cannot flip while its request is in flight. */
static uint64_t mainnet_epoch_now(unsigned margin)
{
	for (;;) {
		uint64_t t = (uint64_t)time(NULL) - MAINNET_GENESIS;
		uint64_t left = MAINNET_EPOCH_SECONDS - t % MAINNET_EPOCH_SECONDS;
		if (left > margin)
			return t / MAINNET_EPOCH_SECONDS;
		sleep((unsigned)left + 1);
	}
}

static char *read_text(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *buf = calloc(1, 1 << 20);
	size_t n = buf ? fread(buf, 1, (1 << 20) - 1, f) : 0;
	(void)n;
	fclose(f);
	return buf;
}

static char err_text[8192];

/* Runs `secure-signer args...` (NULL-terminated) in dir with stdin from in_fd (-1:
 * /dev/null) and, when env_data_dir is set, SECURE_SIGNER_DATA_DIR=env_data_dir;
 * stderr is kept in err_text. Returns the exit status (-1 if killed). */
static int cli(const char *dir, const char *env_data_dir, int in_fd, ...)
{
	const char *argv[32];
	int n = 0;
	argv[n++] = sp_binary();
	va_list ap;
	va_start(ap, in_fd);
	for (const char *a = va_arg(ap, const char *); a && n < 31; a = va_arg(ap, const char *))
		argv[n++] = a;
	va_end(ap);
	argv[n] = NULL;
	char errp[400];
	snprintf(errp, sizeof errp, "%s/cli.err", dir);
	pid_t pid = fork();
	if (pid == 0) {
		int e = open(errp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		int i = in_fd >= 0 ? in_fd : open("/dev/null", O_RDONLY);
		int o = open("/dev/null", O_WRONLY);
		if (e < 0 || i < 0 || o < 0 || dup2(e, 2) < 0 || dup2(i, 0) < 0 || dup2(o, 1) < 0 ||
		    chdir(dir) != 0)
			_exit(127);
		if (env_data_dir)
			setenv("SECURE_SIGNER_DATA_DIR", env_data_dir, 1);
		else
			unsetenv("SECURE_SIGNER_DATA_DIR");
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	int st = 0;
	waitpid(pid, &st, 0);
	char *t = read_text(errp);
	snprintf(err_text, sizeof err_text, "%s", t ? t : "");
	free(t);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static bool log_contains(const signer_proc *p, const char *needle)
{
	char path[400];
	snprintf(path, sizeof path, "%s/signer.log", p->dir);
	char *t = read_text(path);
	bool found = t && strstr(t, needle);
	free(t);
	return found;
}

/* ---- item 2: the genesis validators root ------------------------------------------- */

/* mainnet knows its root: a request from another chain is refused with 400 naming both
 * roots, whatever its type, and records nothing; the store was bound to mainnet's root
 * when it was created, so the first request could not bind it to another chain (which
 * then refused every real mainnet attestation: a lock-out). */
TEST(foreign_root_refused_on_known_network)
{
	signer_proc p;
	if (!prepare(&p) || !start(&p, NULL))
		goto out;
	uint64_t e = mainnet_epoch_now(0);
	char body[2048], msg[1024];
	sb_attestation(body, sizeof body, e - 1, e, 0x11);
	with_root(body, OTHER_GVR);
	CHECK_EQ_U64(sign(p.port, body, msg, sizeof msg), 400);
	CHECK_MSG(strstr(msg, SB_GVR) && strstr(msg, OTHER_GVR) && strstr(msg, "expected"), "%s", msg);
	snprintf(body, sizeof body, "{\"type\":\"RANDAO_REVEAL\",%s,\"randao_reveal\":{\"epoch\":\"%llu\"}}",
		 SB_FORK, (unsigned long long)e);
	with_root(body, OTHER_GVR);
	CHECK_EQ_U64(sign(p.port, body, msg, sizeof msg), 400);
	/* the same epochs on mainnet: nothing was recorded or bound by the refused one */
	sb_attestation(body, sizeof body, e - 1, e, 0x12);
	CHECK_MSG(sign(p.port, body, msg, sizeof msg) == 200, "%s", msg);
	CHECK_EQ_U64(sp_stop(&p), 0);
	/* the export shows mainnet's root and the one attestation */
	char out[400];
	snprintf(out, sizeof out, "%s/export.json", p.dir);
	CHECK_MSG(cli(p.dir, NULL, -1, "slashing", "export", "--to", out, "--data-dir", p.data_dir, NULL) == 0,
		  "%s", err_text);
	char *t = read_text(out);
	CHECK(t && strstr(t, SB_GVR) && !strstr(t, OTHER_GVR));
	free(t);
out:
	sp_cleanup(&p);
}

/* A config.yaml network has no known root: without --genesis-validators-root the
 * first request binds the store (documented risk); with it, another root is refused.
 * A store bound to one chain then refuses to serve another: `run` does not start. */
TEST(store_bound_to_another_chain_stops_the_start)
{
	signer_proc p;
	if (!prepare(&p))
		goto out;
	char cfg[400], netopt[420];
	snprintf(cfg, sizeof cfg, "%s/config.yaml", p.dir);
	/* mainnet's fork schedule, no genesis time: only the root is at stake here */
	CHECK(test_write_text(cfg, "PRESET_BASE: mainnet\nCONFIG_NAME: devnet\n"
			      "GENESIS_FORK_VERSION: 0x10000000\nALTAIR_FORK_VERSION: 0x11000000\n"
			      "ALTAIR_FORK_EPOCH: 0\nBELLATRIX_FORK_VERSION: 0x12000000\n"
			      "BELLATRIX_FORK_EPOCH: 0\nCAPELLA_FORK_VERSION: 0x13000000\n"
			      "CAPELLA_FORK_EPOCH: 0\nDENEB_FORK_VERSION: 0x14000000\nDENEB_FORK_EPOCH: 0\n"
			      "ELECTRA_FORK_VERSION: 0x15000000\nELECTRA_FORK_EPOCH: 0\n"));
	snprintf(netopt, sizeof netopt, "--network=%s", cfg);
	const char *const pinned[] = { netopt, "--genesis-validators-root=" OTHER_GVR, NULL };
	if (!start(&p, pinned))
		goto out;
	char body[2048], msg[1024];
	sb_attestation(body, sizeof body, 5, 6, 0x21);
	CHECK_EQ_U64(sign(p.port, body, msg, sizeof msg), 400); /* mainnet's root: not this chain */
	CHECK_MSG(strstr(msg, OTHER_GVR) && strstr(msg, SB_GVR), "%s", msg);
	with_root(body, OTHER_GVR);
	CHECK_MSG(sign(p.port, body, msg, sizeof msg) == 200, "%s", msg);
	CHECK_EQ_U64(sp_stop(&p), 0);
	/* the same data directory as mainnet's: bound to OTHER_GVR, so no start */
	CHECK(!sp_start(&p, NULL));
	CHECK_MSG(log_contains(&p, OTHER_GVR) && log_contains(&p, SB_GVR) &&
		  log_contains(&p, "another chain"), "log in %s", p.dir);
	/* an option that contradicts a built-in network is refused too */
	const char *const contradict[] = { "--network=mainnet", "--genesis-validators-root=" OTHER_GVR, NULL };
	CHECK(!sp_start(&p, contradict));
	CHECK(log_contains(&p, "differs from mainnet's"));
	/* the config.yaml network without the option: today's pinning, which this store
	 * already has */
	const char *const unpinned[] = { netopt, NULL };
	if (start(&p, unpinned)) {
		CHECK(log_contains(&p, "first signing request's root will bind"));
		sb_attestation(body, sizeof body, 6, 7, 0x22);
		CHECK_EQ_U64(sign(p.port, body, msg, sizeof msg), 412); /* mainnet's root: not the store's */
		with_root(body, OTHER_GVR);
		CHECK_MSG(sign(p.port, body, msg, sizeof msg) == 200, "%s", msg);
		CHECK_EQ_U64(sp_stop(&p), 0);
	}
out:
	sp_cleanup(&p);
}

/* ---- item 3: far-future slots and epochs -------------------------------------------- */

/* One request with a far-future target used to be signed and recorded, and EIP-3076
 * then refused every real attestation of the validator until the chain got there. Now
 * it is refused with 412 before the slashing check and the next real one is signed;
 * the same for a block. The default tolerance is 2 epochs. */
TEST(far_future_refused_and_not_recorded)
{
	signer_proc p;
	if (!prepare(&p) || !start(&p, NULL))
		goto out;
	uint64_t e = mainnet_epoch_now(30);
	char body[2048], msg[1024];
	sb_attestation(body, sizeof body, e, e + 100000, 0x31);
	CHECK_EQ_U64(sign(p.port, body, msg, sizeof msg), 412);
	CHECK_MSG(strstr(msg, "far-future") && strstr(msg, "nothing was recorded"), "%s", msg);
	sb_attestation(body, sizeof body, e + 3, e + 3, 0x32); /* just past the tolerance */
	CHECK_EQ_U64(sign(p.port, body, msg, sizeof msg), 412);
	sb_attestation(body, sizeof body, e - 1, e, 0x33);
	CHECK_MSG(sign(p.port, body, msg, sizeof msg) == 200, "%s", msg);
	sb_attestation(body, sizeof body, e, e + 2, 0x34); /* within it */
	CHECK_MSG(sign(p.port, body, msg, sizeof msg) == 200, "%s", msg);

	sb_block(body, sizeof body, (unsigned long)((e + 1000) * 32), 0x35);
	CHECK_EQ_U64(sign(p.port, body, msg, sizeof msg), 412);
	CHECK_MSG(strstr(msg, "block slot"), "%s", msg);
	sb_block(body, sizeof body, (unsigned long)(e * 32 + 1), 0x36);
	CHECK_MSG(sign(p.port, body, msg, sizeof msg) == 200, "%s", msg);
	CHECK_EQ_U64(sp_stop(&p), 0);

	/* --future-epoch-tolerance=0: the next epoch is already too far */
	const char *const strict[] = { "--future-epoch-tolerance=0", NULL };
	if (start(&p, strict)) {
		e = mainnet_epoch_now(30);
		sb_attestation(body, sizeof body, e + 1, e + 1, 0x37);
		CHECK_EQ_U64(sign(p.port, body, msg, sizeof msg), 412);
		sb_block(body, sizeof body, (unsigned long)(e * 32 + 2), 0x38);
		CHECK_MSG(sign(p.port, body, msg, sizeof msg) == 200, "%s", msg);
		CHECK_EQ_U64(sp_stop(&p), 0);
	}
out:
	sp_cleanup(&p);
}

/* A config.yaml network's clock: --genesis-time (or MIN_GENESIS_TIME) with its own
 * SLOT_DURATION_MS and SLOTS_PER_EPOCH; without either, no clock and no refusal (the
 * test networks' behaviour). */
TEST(config_network_clock)
{
	signer_proc p;
	if (!prepare(&p))
		goto out;
	char cfg[400], netopt[420], gt[64];
	snprintf(cfg, sizeof cfg, "%s/config.yaml", p.dir);
	/* 4-second slots (as today's configs give them), 8 slots per epoch: 32-second epochs */
	CHECK(test_write_text(cfg, "PRESET_BASE: mainnet\nSLOT_DURATION_MS: 4000\nSLOTS_PER_EPOCH: 8\n"
			      "GENESIS_FORK_VERSION: 0x10000000\nALTAIR_FORK_VERSION: 0x11000000\n"
			      "ALTAIR_FORK_EPOCH: 0\nBELLATRIX_FORK_VERSION: 0x12000000\n"
			      "BELLATRIX_FORK_EPOCH: 0\nCAPELLA_FORK_VERSION: 0x13000000\n"
			      "CAPELLA_FORK_EPOCH: 0\nDENEB_FORK_VERSION: 0x14000000\nDENEB_FORK_EPOCH: 0\n"
			      "ELECTRA_FORK_VERSION: 0x15000000\nELECTRA_FORK_EPOCH: 0\n"));
	snprintf(netopt, sizeof netopt, "--network=%s", cfg);
	/* genesis 100 epochs and 2 seconds ago: the current epoch is 100 for 30 seconds */
	snprintf(gt, sizeof gt, "--genesis-time=%llu", (unsigned long long)time(NULL) - 100 * 32 - 2);
	const char *const clocked[] = { netopt, gt, NULL };
	char body[2048], msg[1024];
	if (start(&p, clocked)) {
		sb_attestation(body, sizeof body, 100, 103, 0x41);
		CHECK_EQ_U64(sign(p.port, body, msg, sizeof msg), 412);
		CHECK_MSG(strstr(msg, "current epoch 100"), "%s", msg);
		sb_attestation(body, sizeof body, 100, 102, 0x42);
		CHECK_MSG(sign(p.port, body, msg, sizeof msg) == 200, "%s", msg);
		CHECK_EQ_U64(sp_stop(&p), 0);
	}
	/* no genesis time known: far-future epochs are signed as before, with a warning */
	const char *const unclocked[] = { netopt, NULL };
	if (start(&p, unclocked)) {
		CHECK(log_contains(&p, "far-future slots and epochs cannot be refused"));
		sb_attestation(body, sizeof body, 102, 1000000, 0x43);
		CHECK_MSG(sign(p.port, body, msg, sizeof msg) == 200, "%s", msg);
		CHECK_EQ_U64(sp_stop(&p), 0);
	}
out:
	sp_cleanup(&p);
}

/* ---- item 4: one resolution of the data directory ----------------------------------- */

/* The reporter's sequence: SECURE_SIGNER_DATA_DIR set, no --data-dir anywhere.
 * `slashing import` of the validator's history must land in that directory (it wrote a
 * new ./secure-signer-data), so that `run`, which honours the variable, refuses the
 * conflicting attestation (it answered 200). */
TEST(env_data_dir_is_every_commands)
{
	signer_proc p;
	if (!prepare(&p))
		goto out;
	p.data_dir_from_env = true;
	uint64_t e = mainnet_epoch_now(0);
	char in[400], doc[2048];
	snprintf(in, sizeof in, "%s/history.json", p.dir);
	snprintf(doc, sizeof doc,
		 "{\"metadata\":{\"interchange_format_version\":\"5\",\"genesis_validators_root\":\"%s\"},"
		 "\"data\":[{\"pubkey\":\"%s\",\"signed_blocks\":[],\"signed_attestations\":["
		 "{\"source_epoch\":\"%llu\",\"target_epoch\":\"%llu\",\"signing_root\":\"0x%064x\"}]}]}",
		 SB_GVR, pk_hex, (unsigned long long)e - 2, (unsigned long long)e - 1, 0x77u);
	CHECK(test_write_text(in, doc));
	CHECK_MSG(cli(p.dir, p.data_dir, -1, "slashing", "import", "--from", in, NULL) == 0, "%s", err_text);
	char stray[400];
	struct stat sb;
	snprintf(stray, sizeof stray, "%s/secure-signer-data", p.dir);
	CHECK_MSG(stat(stray, &sb) != 0, "slashing import wrote %s", stray);
	if (!start(&p, NULL))
		goto out;
	CHECK_MSG(stat(stray, &sb) != 0, "run wrote %s", stray);
	char body[2048], msg[1024];
	sb_attestation(body, sizeof body, e - 2, e - 1, 0x78); /* a double vote */
	CHECK_MSG(sign(p.port, body, msg, sizeof msg) == 412, "%s", msg);
	sb_attestation(body, sizeof body, e - 1, e, 0x79);
	CHECK_MSG(sign(p.port, body, msg, sizeof msg) == 200, "%s", msg);
	CHECK_EQ_U64(sp_stop(&p), 0);
	/* keys finds the same directory through the variable (it is locked while in use) */
	CHECK_MSG(cli(p.dir, p.data_dir, -1, "keys", "list", NULL) == 0, "%s", err_text);
	CHECK_MSG(stat(stray, &sb) != 0, "keys list wrote %s", stray);
out:
	sp_cleanup(&p);
}

/* ---- item 5: one process per data directory ----------------------------------------- */

/* A running signer holds its data directory for its whole life: every offline writer
 * fails with a clear message and changes nothing. And the other way round: while an
 * offline writer works (an import still reading its file from stdin), `run` does not
 * start. */
TEST(one_process_per_data_directory)
{
	signer_proc p;
	if (!prepare(&p) || !start(&p, NULL))
		goto out;
	char body[2048], msg[1024], in[400], pw[400];
	uint64_t e = mainnet_epoch_now(0);
	sb_attestation(body, sizeof body, e - 1, e, 0x51);
	CHECK_MSG(sign(p.port, body, msg, sizeof msg) == 200, "%s", msg);
	snprintf(in, sizeof in, "%s/history.json", p.dir);
	snprintf(pw, sizeof pw, "%s/pw.txt", p.dir);
	char doc[512];
	snprintf(doc, sizeof doc,
		 "{\"metadata\":{\"interchange_format_version\":\"5\",\"genesis_validators_root\":\"%s\"},"
		 "\"data\":[]}", SB_GVR);
	CHECK(test_write_text(in, doc) && test_write_text(pw, "password\n"));
	const char *dd = p.data_dir;
	/* each must fail for the lock, not for anything after it: the message says so */
#define REFUSED(what, ...)                                                                   \
	do {                                                                                 \
		int rc_ = cli(p.dir, NULL, -1, __VA_ARGS__, "--data-dir", dd, NULL);         \
		CHECK_MSG(rc_ == 1 && strstr(err_text, "in use") && strstr(err_text, dd),    \
			  "%s while the signer runs: exit %d: %s", what, rc_, err_text);     \
	} while (0)
	REFUSED("slashing import", "slashing", "import", "--from", in);
	REFUSED("slashing prune", "slashing", "prune");
	REFUSED("slashing watermark set", "slashing", "watermark", "set", "--epoch", "1", "--slot", "1");
	REFUSED("keys generate", "keys", "generate", "--count", "1");
	REFUSED("keys import", "keys", "import", "--keystore", in, "--password-file", pw);
	REFUSED("keys delete", "keys", "delete", pk_hex);
#undef REFUSED
	/* nothing changed: the signer still signs with its key, without a high watermark */
	sb_attestation(body, sizeof body, e, e + 1, 0x52);
	CHECK_MSG(sign(p.port, body, msg, sizeof msg) == 200, "%s", msg);
	CHECK_EQ_U64(sp_stop(&p), 0);

	/* an import reading its file from a pipe holds the directory until it ends */
	int fds[2];
	CHECK(pipe(fds) == 0);
	pid_t importer = fork();
	if (importer == 0) {
		close(fds[1]);
		_exit(cli(p.dir, NULL, fds[0], "slashing", "import", "--from", "-", "--data-dir", dd, NULL));
	}
	close(fds[0]);
	/* wait until it holds the lock (and waits for its input) */
	bool held = false;
	for (int i = 0; i < 200 && !held; i++) {
		datadir probe;
		ss_err pe = datadir_open(&probe, dd);
		if (pe == SS_OK)
			datadir_close(&probe);
		held = pe == SS_ERR_EXISTS;
		if (!held)
			usleep(50 * 1000);
	}
	CHECK(held);
	CHECK(!sp_start(&p, NULL));
	CHECK_MSG(log_contains(&p, "in use"), "log in %s", p.dir);
	CHECK(write(fds[1], doc, strlen(doc)) == (ssize_t)strlen(doc));
	close(fds[1]);
	int st = 0;
	waitpid(importer, &st, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	/* the import ended: the signer starts */
	if (start(&p, NULL))
		CHECK_EQ_U64(sp_stop(&p), 0);
out:
	sp_cleanup(&p);
}
