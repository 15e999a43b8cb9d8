/* Out-of-memory injection over the request path: a running `secure-signer` whose
 * allocator fails on demand (oom_preload.c, LD_PRELOAD) is sent one signing request
 * again and again, with the 1st, 2nd, ... Nth allocation made anywhere in the process
 * while that request is in flight failing in turn (N is how many the request makes).
 * Each time: the signer answers with the signature, a JSON error, or (when even the
 * answer could not be allocated) a closed connection; it does not crash; every block
 * allocated during the request is freed once it is over (no leak); and the next request
 * is signed as before. */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../server/http_client.h"
#include "crypto/bls.h"
#include "oom_ctl.h"
#include "sign_bodies.h"
#include "signer_proc.h"
#include "test.h"
#include "util/hex.h"

/* Waits up to 3 s for the blocks tracked during a request to be freed. Called after the
 * next, unwatched request has been answered: the server thread frees the poll array it
 * allocated (and holds while it waits in poll) only once it wakes up again. */
static long settle(struct oom_ctl *c, long base)
{
	for (int i = 0; i < 1500 && atomic_load(&c->live) > base; i++)
		usleep(2 * 1000);
	return atomic_load(&c->live);
}

/* Has the shim write the callers of the blocks left (into the signer's log) and
 * prints them with the signer's executable mappings, to resolve with addr2line. */
static void report_leak(const signer_proc *p, struct oom_ctl *c)
{
	atomic_store(&c->dump, 1);
	hc_response r;
	hc_request(p->port, "GET", "/upcheck", NULL, NULL, 0, &r); /* an allocation */
	hc_free(&r);
	usleep(100 * 1000);
	char cmd[800];
	snprintf(cmd, sizeof cmd, "grep 'oom: left' %s/signer.log >&2; grep ' r-xp ' /proc/%d/maps >&2",
		 p->dir, (int)p->pid);
	if (system(cmd) != 0)
		fprintf(stderr, "(no caller report)\n");
}

/* The signature of a 200 body, {"signature":"0x.."} or the bare hex, copied into sig. */
static bool signature_of(const hc_response *r, char sig[200])
{
	if (!r->body)
		return false;
	const char *s = strstr(r->body, "\"signature\":\"");
	s = s ? s + 13 : r->body;
	return sscanf(s, "%199[0-9a-fx]", sig) == 1 && strlen(sig) == 194;
}

/* Sends the request with its i-th allocation failing, checks the answer, that the signer
 * lives, and that the next request is signed as before. False when the signer died. */
static bool fail_once(signer_proc *p, struct oom_ctl *c, const char *path, const char *body,
		      const char *want, long i, unsigned *signed_ok, unsigned *errors,
		      unsigned *closed, unsigned *missed)
{
	hc_response r;
	char got[200];
	atomic_store(&c->count, 0);
	atomic_store(&c->failed, 0);
	atomic_store(&c->fail_at, i);
	atomic_store(&c->armed, 1);
	int st = hc_request(p->port, "POST", path, NULL, body, strlen(body), &r);
	atomic_store(&c->armed, 0);
	if (!atomic_load(&c->failed))
		(*missed)++; /* this request made fewer allocations than i */
	if (st == 200) {
		CHECK_MSG(signature_of(&r, got) && strcmp(got, want) == 0,
			  "allocation %ld: a 200 with another body: %s", i, r.body);
		(*signed_ok)++;
	} else if (st != 0) {
		/* an error is the documented JSON, never HTML or an empty page */
		CHECK_MSG(st >= 400 && r.body && strstr(r.body, "\"message\""),
			  "allocation %ld: status %d body %s", i, st, r.body ? r.body : "");
		(*errors)++;
	} else {
		(*closed)++; /* not even the answer could be allocated */
	}
	hc_free(&r);
	int wst;
	if (waitpid(p->pid, &wst, WNOHANG) == p->pid) {
		CHECK_MSG(0, "allocation %ld failing: the signer died (status %d)", i, wst);
		p->pid = 0;
		return false;
	}
	CHECK_EQ_U64(hc_request(p->port, "POST", path, NULL, body, strlen(body), &r), 200);
	CHECK(signature_of(&r, got) && strcmp(got, want) == 0);
	hc_free(&r);
	return true;
}

TEST(every_allocation_of_a_request_failing_in_turn)
{
	uint8_t sk[32], pk[48];
	for (int j = 0; j < 32; j++)
		sk[j] = (uint8_t)(0x2a + 5 * j);
	bls_init();
	bls_secret_key k;
	CHECK(bls_secret_key_from_bytes(&k, sk) == SS_OK);
	bls_sk_to_pk(pk, &k);
	bls_secret_key_wipe(&k);
	char sk_hex[67], pk_hex[99], path[160];
	hex_encode(sk_hex, sk, 32, true);
	hex_encode(pk_hex, pk, 48, true);
	snprintf(path, sizeof path, "/api/v1/eth2/sign/%s", pk_hex);

	signer_proc p;
	if (!sp_init(&p) || !sp_add_raw_key(&p, "k", sk_hex)) {
		CHECK(0);
		return;
	}
	char ctl_path[400];
	snprintf(ctl_path, sizeof ctl_path, "%s/oom.ctl", p.dir);
	int fd = open(ctl_path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	CHECK(fd >= 0 && ftruncate(fd, 4096) == 0);
	struct oom_ctl *c = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (c == MAP_FAILED) {
		CHECK(0);
		sp_cleanup(&p);
		return;
	}

	setenv("SS_OOM_CTL", ctl_path, 1);
	/* slashing protection off: the request path without the database, whose page cache
	 * may grow during any request and would read as a leak; one server thread, so that
	 * the next request wakes the thread that served the watched one */
	const char *flags[] = { "--slashing-protection-enabled=false", "--http-threads=1", NULL };
	bool started = sp_start_preloaded(&p, flags, OOM_PRELOAD);
	unsetenv("SS_OOM_CTL");
	if (!started) {
		CHECK_MSG(0, "the signer did not start");
		goto out;
	}
	if (atomic_load(&c->seen) == 0) {
		/* the AddressSanitizer build links its allocator into the executable */
		test_skip("malloc is not interposable in this build");
		goto out;
	}

	char body[2048], want[200] = "";
	sb_aggregation_slot(body, sizeof body, 4242);
	hc_response r;
	for (int i = 0; i < 2; i++) { /* warm up: caches and lazy initialisation */
		CHECK_EQ_U64(hc_request(p.port, "POST", path, NULL, body, strlen(body), &r), 200);
		CHECK(signature_of(&r, want));
		hc_free(&r);
	}

	/* how many allocations one request makes, and that a good one leaks nothing */
	atomic_store(&c->count, 0);
	atomic_store(&c->fail_at, 0);
	atomic_store(&c->armed, 1);
	CHECK_EQ_U64(hc_request(p.port, "POST", path, NULL, body, strlen(body), &r), 200);
	atomic_store(&c->armed, 0);
	hc_free(&r);
	long n = atomic_load(&c->count);
	CHECK_EQ_U64(hc_request(p.port, "POST", path, NULL, body, strlen(body), &r), 200);
	hc_free(&r);
	CHECK_MSG(settle(c, 0) == 0, "a successful request left %ld blocks", atomic_load(&c->live));
	CHECK_MSG(n > 10, "only %ld allocations seen in a request", n);
	if (n > 3000)
		n = 3000;

	unsigned signed_ok = 0, errors = 0, closed = 0, missed = 0, kept = 0;
	long base = 0; /* blocks kept for the life of a thread (see below) */
	for (long i = 1; i <= n; i++) {
		long left = 0;
		/* A failure may leave a block for good when a library allocates per-thread
		 * state on its first error (OpenSSL's error queue does). That is no leak if
		 * the same failure again leaves nothing more: a leak grows with each request. */
		for (int again = 0; again < 2; again++) {
			if (!fail_once(&p, c, path, body, want, i, &signed_ok, &errors, &closed,
				       &missed))
				goto out;
			left = settle(c, base);
			if (left == base)
				break;
			if (again == 0)
				base = left;
		}
		CHECK_MSG(left == base, "allocation %ld of %ld failing: a block is leaked on every "
					"request (%ld left)", i, n, left);
		if (left != base) {
			report_leak(&p, c);
			break;
		}
		kept = (unsigned)base;
	}
	CHECK_MSG(kept <= 8, "%u blocks kept by threads: more than the threads that serve", kept);
	CHECK(atomic_load(&c->overflow) == 0);
	fprintf(stderr, "%ld allocations per request; with each failing: %u signed anyway, "
			"%u JSON errors, %u connections closed, %u beyond the request; %u block(s) kept "
			"for a thread's life\n",
		n, signed_ok, errors, closed, missed, kept);
	/* the failures did reach our code: some of them were answered with an error */
	CHECK(errors > 0);
out:
	if (p.pid)
		CHECK(sp_stop(&p) == 0);
	munmap(c, 4096);
	sp_cleanup(&p);
}
