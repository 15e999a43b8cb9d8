/* The signer as a service manager runs it, end to end through the binary: systemd's
 * readiness protocol (READY=1 once the keys are loaded and the listeners accept,
 * STOPPING=1 on SIGTERM, over a fake $NOTIFY_SOCKET, path and abstract), and logging
 * (Web3Signer's --logging level names, --logging-format=json lines with no secret). */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "../server/http_client.h"
#include "crypto/bls.h"
#include "sign_bodies.h"
#include "signer_proc.h"
#include "test.h"
#include "util/hex.h"

#define BODY(r) ((r).body ? (r).body : "")

static char sk_hex[67], pk_hex[99];

static void make_key(void)
{
	bls_init();
	uint8_t sk[32];
	for (int j = 0; j < 32; j++)
		sk[j] = (uint8_t)(0x2a + 11 * j);
	sk[0] = 0x1c;
	bls_secret_key k;
	uint8_t pk[48];
	CHECK(bls_secret_key_from_bytes(&k, sk) == SS_OK);
	bls_sk_to_pk(pk, &k);
	bls_secret_key_wipe(&k);
	hex_encode(sk_hex, sk, 32, true);
	hex_encode(pk_hex, pk, 48, true);
}

/* A datagram socket bound where $NOTIFY_SOCKET will point: a path in dir, or an abstract
 * name ("@...") when abstract. */
static int notify_socket(const char *dir, bool abstract, char *env, size_t cap)
{
	struct sockaddr_un sa;
	memset(&sa, 0, sizeof sa);
	sa.sun_family = AF_UNIX;
	if (abstract)
		snprintf(env, cap, "@ss-test-notify-%ld", (long)getpid());
	else
		snprintf(env, cap, "%s/notify.sock", dir);
	size_t len = strlen(env);
	if (len >= sizeof sa.sun_path)
		return -1;
	memcpy(sa.sun_path, env, len);
	if (abstract)
		sa.sun_path[0] = '\0';
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&sa,
		 (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len)) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Waits up to ms for one datagram; its text in buf, or "" on timeout. */
static void recv_notify(int fd, int ms, char *buf, size_t cap)
{
	buf[0] = '\0';
	struct pollfd p = { fd, POLLIN, 0 };
	if (poll(&p, 1, ms) != 1)
		return;
	ssize_t n = recv(fd, buf, cap - 1, 0);
	buf[n > 0 ? n : 0] = '\0';
}

static void readiness(bool abstract)
{
	make_key();
	signer_proc p;
	CHECK(sp_init(&p));
	CHECK(sp_add_raw_key(&p, "k", sk_hex));
	char env[300];
	int fd = notify_socket(p.dir, abstract, env, sizeof env);
	CHECK_MSG(fd >= 0, "cannot bind %s: %s", env, strerror(errno));
	if (fd < 0)
		goto out;
	setenv("NOTIFY_SOCKET", env, 1);
	bool started = sp_start(&p, NULL);
	unsetenv("NOTIFY_SOCKET");
	CHECK_MSG(started, "secure-signer did not start (dir %s)", p.dir);
	if (!started)
		goto out;
	char msg[512];
	recv_notify(fd, 10000, msg, sizeof msg);
	CHECK_MSG(strstr(msg, "READY=1") != NULL, "no READY=1 datagram (got '%s')", msg);
	CHECK_MSG(strstr(msg, "STATUS=Signing with 1 keys") != NULL, "no STATUS (got '%s')", msg);
	/* Ready means ready: the key is listed and the listener answers. */
	hc_response r;
	CHECK_EQ_U64(hc_request(p.port, "GET", "/api/v1/eth2/publicKeys",
				"Accept: application/json\r\n", NULL, 0, &r), 200);
	CHECK_MSG(strstr(BODY(r), pk_hex) != NULL, "key not listed at READY: %s", BODY(r));
	hc_free(&r);
	/* Exactly one READY, and nothing else until the stop. */
	recv_notify(fd, 200, msg, sizeof msg);
	CHECK_MSG(msg[0] == '\0', "unexpected datagram '%s'", msg);
	CHECK_EQ_U64(sp_stop(&p), 0);
	recv_notify(fd, 2000, msg, sizeof msg);
	CHECK_MSG(strcmp(msg, "STOPPING=1") == 0, "no STOPPING=1 on SIGTERM (got '%s')", msg);
out:
	if (fd >= 0)
		close(fd);
	sp_cleanup(&p);
}

TEST(sd_notify_ready_after_keys_and_stopping_on_sigterm) { readiness(false); }
TEST(sd_notify_abstract_socket) { readiness(true); }

/* A $NOTIFY_SOCKET nobody listens on (the manager went away) must not stop the start. */
TEST(sd_notify_dead_socket_does_not_stop_the_start)
{
	signer_proc p;
	CHECK(sp_init(&p));
	char env[300];
	snprintf(env, sizeof env, "%s/nobody.sock", p.dir);
	setenv("NOTIFY_SOCKET", env, 1);
	bool started = sp_start(&p, NULL);
	unsetenv("NOTIFY_SOCKET");
	CHECK(started);
	hc_response r;
	CHECK_EQ_U64(hc_request(p.port, "GET", "/upcheck", NULL, NULL, 0, &r), 200);
	hc_free(&r);
	CHECK_EQ_U64(sp_stop(&p), 0);
	char path[400];
	snprintf(path, sizeof path, "%s/signer.log", p.dir);
	char *log = test_read_file(path, NULL);
	CHECK_MSG(log && strstr(log, "readiness notification failed"), "no warning in the log");
	free(log);
	sp_cleanup(&p);
}

/* Starts a signer with one key and the extra flags, signs one attestation and asks for
 * an unknown key (a 404, logged), stops it and returns its log. */
static char *run_and_log(const char *const *extra)
{
	make_key();
	signer_proc p;
	CHECK(sp_init(&p));
	CHECK(sp_add_raw_key(&p, "k", sk_hex));
	char *log = NULL;
	if (!sp_start(&p, extra)) {
		CHECK_MSG(false, "secure-signer did not start (dir %s)", p.dir);
		goto out;
	}
	char body[2048], path[400];
	sb_attestation(body, sizeof body, 1, 2, 0x51);
	snprintf(path, sizeof path, "/api/v1/eth2/sign/%s", pk_hex);
	hc_response r;
	CHECK_EQ_U64(hc_request(p.port, "POST", path, "Accept: application/json\r\n", body,
				strlen(body), &r), 200);
	hc_free(&r);
	CHECK_EQ_U64(hc_request(p.port, "GET", "/no/such/route\"\\\x01\xff", NULL, NULL, 0, &r),
		     404);
	hc_free(&r);
	CHECK_EQ_U64(sp_stop(&p), 0);
	snprintf(path, sizeof path, "%s/signer.log", p.dir);
	log = test_read_file(path, NULL);
	CHECK(log != NULL);
out:
	sp_cleanup(&p);
	return log;
}

static size_t count_lines(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += *s == '\n';
	return n;
}

TEST(logging_json_one_object_per_line_no_secret)
{
	const char *flags[] = { "--logging-format=json", "--logging=ALL",
				"--access-logs-enabled=true", NULL };
	char *log = run_and_log(flags);
	if (!log)
		return;
	size_t lines = 0;
	bool saw_access = false;
	for (char *line = log, *nl; *line; line = nl + 1) {
		nl = strchr(line, '\n');
		CHECK_MSG(nl != NULL, "last line unterminated");
		if (!nl)
			break;
		*nl = '\0';
		lines++;
		json_error_t err;
		json_t *o = json_loads(line, 0, &err);
		CHECK_MSG(json_is_object(o), "not a JSON object: %s (%s)", line, err.text);
		/* exactly the stable fields, strings */
		CHECK_MSG(o && json_object_size(o) == 3 &&
				  json_is_string(json_object_get(o, "ts")) &&
				  json_is_string(json_object_get(o, "level")) &&
				  json_is_string(json_object_get(o, "msg")),
			  "fields are not ts, level, msg: %s", line);
		const char *lv = json_string_value(json_object_get(o, "level"));
		CHECK_MSG(lv && (!strcmp(lv, "ERROR") || !strcmp(lv, "WARN") || !strcmp(lv, "INFO") ||
				 !strcmp(lv, "DEBUG") || !strcmp(lv, "TRACE")),
			  "level %s", lv ? lv : "(none)");
		const char *m = json_string_value(json_object_get(o, "msg"));
		if (m && strstr(m, "/no/such/route")) {
			saw_access = true;
			/* the client's address (http_request_client_address) */
			CHECK_MSG(strstr(m, " 127.0.0.1 ") != NULL, "no client address: %s", m);
		}
		json_decref(o);
		/* the secret key (with or without 0x) never reaches the log */
		CHECK_MSG(!strstr(line, sk_hex + 2), "secret key in the log: %s", line);
	}
	CHECK_MSG(lines >= 3, "only %zu log lines", lines);
	CHECK_MSG(saw_access, "the access log line of the odd path is missing");
	free(log);
}

TEST(logging_levels_web3signer_names)
{
	/* OFF: nothing at all, even at start and stop */
	const char *off[] = { "--logging=OFF", NULL };
	char *log = run_and_log(off);
	CHECK_MSG(log && log[0] == '\0', "OFF logged: %s", log ? log : "");
	free(log);
	/* FATAL: nothing either (no message is above ERROR) */
	const char *fatal[] = { "--logging=fatal", NULL };
	log = run_and_log(fatal);
	CHECK_MSG(log && log[0] == '\0', "FATAL logged: %s", log ? log : "");
	free(log);
	/* warn, lower case: warnings (slashing protection off is one) but no INFO line */
	const char *warn[] = { "--logging=warn", "--slashing-protection-enabled=false", NULL };
	log = run_and_log(warn);
	CHECK_MSG(log && !strstr(log, " INFO ") && strstr(log, " WARN "), "warn: %s",
		  log ? log : "");
	free(log);
	/* Info, mixed case, plain format: the ready line */
	const char *info[] = { "--logging=Info", "--logging-format=PLAIN", NULL };
	log = run_and_log(info);
	CHECK_MSG(log && strstr(log, " INFO  secure-signer") && !strstr(log, " DEBUG "),
		  "info: %s", log ? log : "");
	CHECK(log && count_lines(log) >= 2);
	free(log);
	/* ALL prints what TRACE prints: more than INFO */
	const char *all[] = { "--logging=ALL", "--access-logs-enabled=true", NULL };
	log = run_and_log(all);
	CHECK_MSG(log && (strstr(log, " DEBUG ") || strstr(log, " TRACE ")), "ALL: %s",
		  log ? log : "");
	free(log);
}

/* An unknown level or format stops the start with a message naming the option. */
static void refused(const char *opt, const char *expect)
{
	signer_proc p;
	CHECK(sp_init(&p));
	char dd[400];
	snprintf(dd, sizeof dd, "--data-dir=%s", p.data_dir);
	int pipefd[2];
	CHECK(pipe(pipefd) == 0);
	pid_t pid = fork();
	if (pid == 0) {
		dup2(pipefd[1], 2);
		execl(sp_binary(), sp_binary(), "run", "--http-listen-port=0", dd, opt, (char *)NULL);
		_exit(127);
	}
	close(pipefd[1]);
	char err[1024];
	ssize_t n = read(pipefd[0], err, sizeof err - 1);
	err[n > 0 ? n : 0] = '\0';
	close(pipefd[0]);
	int st;
	waitpid(pid, &st, 0);
	CHECK_MSG(WIFEXITED(st) && WEXITSTATUS(st) == 2, "%s: exit %d", opt, WEXITSTATUS(st));
	CHECK_MSG(strstr(err, expect) != NULL, "%s: stderr '%s'", opt, err);
	sp_cleanup(&p);
}

TEST(logging_bad_values_refused)
{
	refused("--logging=loud", "--logging must be OFF, FATAL, ERROR, WARN, INFO, DEBUG, TRACE or ALL");
	refused("--logging-format=xml", "--logging-format must be plain or json");
}
