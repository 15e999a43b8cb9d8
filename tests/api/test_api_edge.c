/* End to end: the real `secure-signer run` binary against what reaches it from outside
 * its consensus client. A web page open in the operator's browser (a cross-origin
 * "simple" POST) must neither sign nor record anything; a second signer started on a
 * port in use must stop with a clear error instead of sharing the port. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../server/http_client.h"
#include "crypto/bls.h"
#include "sign_bodies.h"
#include "signer_proc.h"
#include "test.h"
#include "util/hex.h"

static char sk_hex[67], pk_hex[99];

static void make_key(void)
{
	bls_init();
	uint8_t sk[32], pk[48];
	for (int j = 0; j < 32; j++)
		sk[j] = (uint8_t)(0x2a + 11 * j);
	sk[0] = 0x1f;
	bls_secret_key k;
	CHECK(bls_secret_key_from_bytes(&k, sk) == SS_OK);
	bls_sk_to_pk(pk, &k);
	bls_secret_key_wipe(&k);
	hex_encode(sk_hex, sk, 32, true);
	hex_encode(pk_hex, pk, 48, true);
}

static bool start_signer(signer_proc *p, const char *const *extra)
{
	make_key();
	if (!sp_init(p))
		return false;
	CHECK(sp_add_raw_key(p, "key0", sk_hex));
	bool ok = sp_start(p, extra);
	CHECK_MSG(ok, "secure-signer did not start (dir %s)", p->dir);
	return ok;
}

/* POSTs body to the sign route as raw bytes with the given extra headers. */
static int sign_raw(uint16_t port, const char *headers, const char *body, hc_response *r)
{
	char raw[4096];
	int n = snprintf(raw, sizeof raw,
			 "POST /api/v1/eth2/sign/%s HTTP/1.1\r\nHost: localhost\r\n%s"
			 "Content-Length: %zu\r\nConnection: close\r\n\r\n%s",
			 pk_hex, headers, strlen(body), body);
	CHECK(n > 0 && (size_t)n < sizeof raw);
	return hc_raw(port, raw, (size_t)n, r);
}

TEST(browser_cross_origin_post_signs_and_records_nothing)
{
	signer_proc p;
	if (!start_signer(&p, NULL)) /* the default: no --http-cors-origins */
		goto out;
	char evil[2048], good[2048];
	/* The page's attestation and the validator's own one have the same epochs and
	 * different roots: had the page's been recorded, the validator's would be a
	 * double vote and refused (412). */
	sb_attestation(evil, sizeof evil, 100, 101, 0xee);
	sb_attestation(good, sizeof good, 100, 101, 0x01);
	hc_response r;
	/* What fetch(url, {method: "POST", mode: "no-cors", body}) sends. */
	CHECK_EQ_U64(sign_raw(p.port, "Origin: https://evil.example\r\n"
				      "Content-Type: text/plain;charset=UTF-8\r\n", evil, &r), 403);
	CHECK_MSG(r.body && strstr(r.body, "\"message\""), "not a JSON error: %s",
		  r.body ? r.body : "");
	hc_free(&r);
	/* An HTML form (no Origin from older browsers): refused by its body type. */
	CHECK_EQ_U64(sign_raw(p.port, "Content-Type: application/x-www-form-urlencoded\r\n", evil,
			      &r), 415);
	hc_free(&r);
	CHECK_EQ_U64(sign_raw(p.port, "Content-Type: text/plain\r\n", evil, &r), 415);
	hc_free(&r);
	/* A preflight for a JSON POST from the page is refused as well. */
	char pre[512];
	int n = snprintf(pre, sizeof pre,
			 "OPTIONS /api/v1/eth2/sign/%s HTTP/1.1\r\nHost: localhost\r\n"
			 "Origin: https://evil.example\r\nAccess-Control-Request-Method: POST\r\n"
			 "Access-Control-Request-Headers: content-type\r\nConnection: close\r\n\r\n",
			 pk_hex);
	CHECK_EQ_U64(hc_raw(p.port, pre, (size_t)n, &r), 403);
	hc_free(&r);
	/* The consensus client's request for the same epochs is still signed. */
	CHECK_EQ_U64(sign_raw(p.port, "Content-Type: application/json; charset=utf-8\r\n"
				      "Accept: application/json\r\n", good, &r), 200);
	CHECK_MSG(r.body && strstr(r.body, "\"signature\""), "no signature: %s",
		  r.body ? r.body : "");
	hc_free(&r);
	CHECK_EQ_U64(sp_stop(&p), 0);
	/* After a restart (the record is in the database, not only in memory) the page's
	 * attestation is now the double vote. */
	if (!sp_start(&p, NULL))
		goto out;
	CHECK_EQ_U64(sign_raw(p.port, "Content-Type: application/json\r\n", evil, &r), 412);
	hc_free(&r);
	CHECK_EQ_U64(sp_stop(&p), 0);
out:
	sp_cleanup(&p);
}

/* Runs `secure-signer run` in the foreground with args and waits (up to 30 s) for it to
 * exit; returns its exit status (-1 if it kept running), its output in log. */
static int run_to_exit(const char *const *args, const char *log)
{
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execv(args[0], (char *const *)args);
		_exit(127);
	}
	for (int i = 0; i < 300; i++) {
		int st;
		if (waitpid(pid, &st, WNOHANG) == pid)
			return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
		usleep(100 * 1000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return -1;
}

TEST(second_signer_on_a_port_in_use_stops)
{
	signer_proc a, b;
	memset(&b, 0, sizeof b);
	if (!start_signer(&a, NULL))
		goto out;
	CHECK(sp_init(&b)); /* its own data directory: only the port is shared */
	char port_arg[40], dd[320], kc[320], log[320], needle[64];
	snprintf(port_arg, sizeof port_arg, "--http-listen-port=%u", a.port);
	snprintf(dd, sizeof dd, "--data-dir=%s", b.data_dir);
	snprintf(kc, sizeof kc, "--key-config-path=%s", b.key_dir);
	snprintf(log, sizeof log, "%s/second.log", b.dir);
	const char *args[] = { sp_binary(), "run", port_arg, dd, kc, NULL };
	int rc = run_to_exit(args, log);
	CHECK_MSG(rc > 0, "the second signer did not stop with an error (status %d)", rc);
	char *text = NULL;
	FILE *f = fopen(log, "r");
	if (f) {
		text = calloc(1, 65536);
		if (text)
			(void)!fread(text, 1, 65535, f);
		fclose(f);
	}
	snprintf(needle, sizeof needle, "127.0.0.1:%u", a.port);
	CHECK_MSG(text && strstr(text, needle) && strstr(text, "in use"),
		  "the error does not name %s and the cause: %s", needle, text ? text : "");
	free(text);
	/* The first signer still answers every request. */
	hc_response r;
	for (int i = 0; i < 20; i++) {
		CHECK_EQ_U64(hc_request(a.port, "GET", "/upcheck", NULL, NULL, 0, &r), 200);
		hc_free(&r);
	}
	CHECK_EQ_U64(sp_stop(&a), 0);
out:
	sp_cleanup(&a);
	sp_cleanup(&b);
}

/* True once the server has closed fd; never blocks. */
static bool peer_closed(int fd)
{
	char b[256];
	ssize_t n = recv(fd, b, sizeof b, MSG_DONTWAIT);
	return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
}

TEST(slowloris_is_cut_and_health_checks_answer)
{
	signer_proc p;
	static const char *const flags[] = { "--http-request-timeout-seconds=2",
					     "--http-max-connections-per-client=4",
					     "--metrics-enabled", "--metrics-port=0", NULL };
	if (!start_signer(&p, flags))
		goto out;
	enum { SLOW = 12 };
	int fd[SLOW];
	static const char head[] = "POST /api/v1/eth2/sign/0x00 HTTP/1.1\r\nHost: localhost\r\n";
	for (int i = 0; i < SLOW; i++) {
		fd[i] = hc_connect(p.port);
		if (fd[i] >= 0)
			(void)send(fd[i], head, sizeof head - 1, MSG_NOSIGNAL);
	}
	/* While they dribble: health checks from another local address, and metrics. */
	int open_after = SLOW;
	for (int tick = 0; tick < 40 && (tick <= 2 || open_after > 0); tick++) {
		usleep(200 * 1000);
		open_after = 0;
		for (int i = 0; i < SLOW; i++) {
			if (fd[i] < 0)
				continue;
			if (peer_closed(fd[i])) {
				close(fd[i]);
				fd[i] = -1;
				continue;
			}
			open_after++;
			(void)send(fd[i], "x", 1, MSG_NOSIGNAL);
		}
		if (tick == 2) {
			CHECK_MSG(open_after <= 4, "%d slow connections held from one address",
				  open_after);
			hc_response r;
			const char up[] = "GET /upcheck HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
			CHECK_EQ_U64(hc_raw_from(p.port, "127.0.0.2", up, sizeof up - 1, &r), 200);
			hc_free(&r);
			const char hc[] = "GET /healthcheck HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
			CHECK_EQ_U64(hc_raw_from(p.port, "127.0.0.2", hc, sizeof hc - 1, &r), 200);
			hc_free(&r);
			CHECK_EQ_U64(hc_request(p.metrics_port, "GET", "/metrics", NULL, NULL, 0, &r), 200);
			hc_free(&r);
		}
	}
	/* One byte every 200 ms, so never idle: all cut at the 2 s deadline (8 s allowed
	 * for a loaded machine; the idle timeout would never fire). */
	CHECK_MSG(open_after == 0, "%d slow connections still open after 8 s", open_after);
	for (int i = 0; i < SLOW; i++)
		if (fd[i] >= 0)
			close(fd[i]);
	/* The address's share is free again: a signature from it. */
	char body[2048];
	sb_attestation(body, sizeof body, 3, 4, 0x07);
	hc_response r;
	CHECK_EQ_U64(sign_raw(p.port, "Content-Type: application/json\r\n", body, &r), 200);
	hc_free(&r);
	CHECK_EQ_U64(sp_stop(&p), 0);
out:
	sp_cleanup(&p);
}
