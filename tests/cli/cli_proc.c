/* cli_proc.h: running the binary for the tests of tests/cli. */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli_proc.h"
#include "signer_proc.h"

/* Starts the binary with argv (argv[0] is replaced by the binary) and the environment
 * plus env (NAME=VALUE strings, NULL-terminated), in directory cwd, output to log. */
bool spawn(proc *p, const char *cwd, const char *log, char *const *argv,
		  const char *const *env)
{
	memset(p, 0, sizeof *p);
	snprintf(p->log, sizeof p->log, "%s", log);
	p->pid = fork();
	if (p->pid < 0)
		return false;
	if (p->pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (fd < 0 || chdir(cwd) != 0)
			_exit(126);
		dup2(fd, 1);
		dup2(fd, 2);
		for (int i = 0; env && env[i]; i++)
			putenv((char *)env[i]);
		char *args[64];
		int n = 0;
		args[n++] = (char *)sp_binary();
		for (int i = 1; argv[i] && n < 63; i++)
			args[n++] = argv[i];
		args[n] = NULL;
		execv(args[0], args);
		_exit(127);
	}
	return true;
}

/* Waits for the process to exit (at most 30 s); its exit status, or -1. */
int wait_exit(proc *p)
{
	for (int i = 0; i < 300; i++) {
		int st;
		if (waitpid(p->pid, &st, WNOHANG) == p->pid) {
			p->pid = 0;
			return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
		}
		usleep(100 * 1000);
	}
	kill(p->pid, SIGKILL);
	waitpid(p->pid, NULL, 0);
	p->pid = 0;
	return -1;
}

/* Waits until <ports_dir>/web3signer.ports names the HTTP port (Web3Signer's
 * --data-path file). False if the process exits first or 60 s pass. */
bool wait_ports(proc *p, const char *ports_dir)
{
	char path[500];
	snprintf(path, sizeof path, "%s/web3signer.ports", ports_dir);
	for (int i = 0; i < 600; i++) {
		FILE *f = fopen(path, "r");
		if (f) {
			unsigned v;
			char line[64];
			while (fgets(line, sizeof line, f))
				if (sscanf(line, "http-port=%u", &v) == 1)
					p->port = (uint16_t)v;
			fclose(f);
			if (p->port)
				return true;
		}
		int st;
		if (waitpid(p->pid, &st, WNOHANG) == p->pid) {
			p->pid = 0;
			return false;
		}
		usleep(100 * 1000);
	}
	return false;
}

void stop(proc *p)
{
	if (p->pid > 0) {
		kill(p->pid, SIGTERM);
		waitpid(p->pid, NULL, 0);
		p->pid = 0;
	}
}

/* How many times text occurs in the file. */
int count_in(const char *path, const char *text)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	static char buf[1 << 20];
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	int c = 0;
	for (const char *s = buf; (s = strstr(s, text)) != NULL; s++)
		c++;
	return c;
}

