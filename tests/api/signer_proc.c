/* signer_proc.h: spawning secure-signer for end-to-end tests. */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "signer_proc.h"

const char *sp_binary(void)
{
	const char *b = getenv("SS_SIGNER_BINARY");
	return b ? b : SS_BINARY;
}

int sp_run_cli(const char *const *args, const char *env_kv, char *out, size_t cap)
{
	char logp[] = "/tmp/ss-cli-XXXXXX";
	int fd = mkstemp(logp);
	if (fd < 0)
		return -1;
	const char *argv[32];
	int n = 0;
	argv[n++] = sp_binary();
	for (int i = 0; args[i] && n < 31; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	pid_t pid = fork();
	if (pid == 0) {
		dup2(fd, 1);
		dup2(fd, 2);
		if (env_kv)
			putenv((char *)env_kv);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	int st = -1;
	waitpid(pid, &st, 0);
	out[0] = '\0';
	ssize_t r = pread(fd, out, cap - 1, 0);
	if (r > 0)
		out[r] = '\0';
	close(fd);
	unlink(logp);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

int sp_run_shell(char *out, size_t cap, const char *fmt, ...)
{
	char args[4096], cmd[8192];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(args, sizeof args, fmt, ap);
	va_end(ap);
	snprintf(cmd, sizeof cmd,
		 "%s %s 2>/tmp/ss-shell-stderr.$$; rc=$?; echo '--stderr--'; "
		 "cat /tmp/ss-shell-stderr.$$; rm -f /tmp/ss-shell-stderr.$$; exit $rc",
		 sp_binary(), args);
	FILE *p = popen(cmd, "r");
	size_t n = p ? fread(out, 1, cap - 1, p) : 0;
	out[n] = '\0';
	int st = p ? pclose(p) : -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

bool sp_init(signer_proc *p)
{
	memset(p, 0, sizeof *p);
	const char *tmp = getenv("TMPDIR");
	snprintf(p->dir, sizeof p->dir, "%s/ss-api-XXXXXX", tmp ? tmp : "/tmp");
	if (!mkdtemp(p->dir))
		return false;
	snprintf(p->data_dir, sizeof p->data_dir, "%s/data", p->dir);
	snprintf(p->key_dir, sizeof p->key_dir, "%s/keys", p->dir);
	return mkdir(p->key_dir, 0700) == 0;
}

bool sp_add_raw_key(signer_proc *p, const char *name, const char *sk_hex)
{
	char path[400];
	snprintf(path, sizeof path, "%s/%s.yaml", p->key_dir, name);
	FILE *f = fopen(path, "w");
	if (!f)
		return false;
	fprintf(f, "type: \"file-raw\"\nkeyType: \"BLS\"\nprivateKey: \"%s\"\n", sk_hex);
	return fclose(f) == 0;
}

static bool read_ports(signer_proc *p)
{
	char path[400];
	snprintf(path, sizeof path, "%s/secure-signer.ports", p->data_dir);
	FILE *f = fopen(path, "r");
	if (!f)
		return false;
	char line[128];
	unsigned v;
	while (fgets(line, sizeof line, f)) {
		if (sscanf(line, "http-port=%u", &v) == 1)
			p->port = (uint16_t)v;
		else if (sscanf(line, "metrics-port=%u", &v) == 1)
			p->metrics_port = (uint16_t)v;
		else if (sscanf(line, "commit-boost-port=%u", &v) == 1)
			p->cb_port = (uint16_t)v;
	}
	fclose(f);
	return p->port != 0;
}

bool sp_start(signer_proc *p, const char *const *extra)
{
	char ports[400], dd[320], kc[320], logp[320];
	snprintf(ports, sizeof ports, "%s/secure-signer.ports", p->data_dir);
	unlink(ports);
	p->port = p->metrics_port = p->cb_port = 0;
	snprintf(dd, sizeof dd, "--data-dir=%s", p->data_dir);
	snprintf(kc, sizeof kc, "--key-config-path=%s", p->key_dir);
	snprintf(logp, sizeof logp, "%s/signer.log", p->dir);
	const char *argv[64];
	int n = 0;
	argv[n++] = sp_binary();
	argv[n++] = "run";
	argv[n++] = "--http-listen-port=0";
	if (!p->data_dir_from_env)
		argv[n++] = dd;
	argv[n++] = kc;
	for (int i = 0; extra && extra[i] && n < 62; i++)
		argv[n++] = extra[i];
	argv[n] = NULL;
	pid_t pid = fork();
	if (pid < 0)
		return false;
	if (pid == 0) {
		int fd = open(logp, O_WRONLY | O_CREAT | O_APPEND, 0600);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		if (p->data_dir_from_env &&
		    (setenv("SECURE_SIGNER_DATA_DIR", p->data_dir, 1) != 0 || chdir(p->dir) != 0))
			_exit(127);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	p->pid = pid;
	for (int i = 0; i < 600; i++) {
		if (read_ports(p))
			break;
		int st;
		if (waitpid(pid, &st, WNOHANG) == pid) {
			p->pid = 0;
			fprintf(stderr, "secure-signer exited early; log in %s\n", logp);
			return false;
		}
		usleep(100 * 1000);
	}
	if (!p->port)
		return false;
	char tp[400];
	snprintf(tp, sizeof tp, "%s/keymanager.token", p->data_dir);
	FILE *f = fopen(tp, "r");
	if (f) {
		if (fgets(p->token, sizeof p->token, f))
			p->token[strcspn(p->token, "\r\n")] = '\0';
		fclose(f);
	}
	return true;
}

int sp_stop(signer_proc *p)
{
	if (!p->pid)
		return -1;
	kill(p->pid, SIGTERM);
	for (int i = 0; i < 300; i++) {
		int st;
		if (waitpid(p->pid, &st, WNOHANG) == p->pid) {
			p->pid = 0;
			return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
		}
		usleep(100 * 1000);
	}
	sp_kill9(p);
	return -1;
}

void sp_kill9(signer_proc *p)
{
	if (!p->pid)
		return;
	kill(p->pid, SIGKILL);
	waitpid(p->pid, NULL, 0);
	p->pid = 0;
}

void sp_cleanup(signer_proc *p)
{
	if (p->pid)
		sp_kill9(p);
	if (p->dir[0] && !getenv("SS_KEEP_TEST_DIRS")) {
		char cmd[600];
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", p->dir);
		int rc = system(cmd);
		(void)rc;
	}
}

static char *env_dup(const char *name)
{
	return getenv(name) ? strdup(getenv(name)) : NULL;
}

static void env_restore(const char *name, char *old)
{
	if (old)
		setenv(name, old, 1);
	else
		unsetenv(name);
	free(old);
}

bool sp_start_preloaded(signer_proc *p, const char *const *flags, const char *preload)
{
	char *old_preload = env_dup("LD_PRELOAD"), *old_asan = env_dup("ASAN_OPTIONS");
	setenv("LD_PRELOAD", preload, 1);
	/* the sanitizer build's runtime sits in the executable, ahead of the shim anyway */
	char asan[512];
	snprintf(asan, sizeof asan, "%s%sverify_asan_link_order=0", old_asan ? old_asan : "",
		 old_asan ? ":" : "");
	setenv("ASAN_OPTIONS", asan, 1);
	bool ok = sp_start(p, flags);
	env_restore("LD_PRELOAD", old_preload); /* only the signer gets the shim */
	env_restore("ASAN_OPTIONS", old_asan);
	return ok;
}
