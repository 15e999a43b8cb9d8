/* Running the secure-signer binary as an operator does, for the tests of tests/cli:
 * any argv and environment, output to a log file, then waiting for it to exit or to
 * write Web3Signer's web3signer.ports. */
#ifndef SS_TEST_CLI_PROC_H
#define SS_TEST_CLI_PROC_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

typedef struct {
	pid_t pid;
	char log[400];
	uint16_t port;
} proc;

/* Starts the binary with argv (argv[0] is replaced by the binary) and the environment
 * plus env (NAME=VALUE strings, NULL-terminated), in directory cwd, output to log. */
bool spawn(proc *p, const char *cwd, const char *log, char *const *argv, const char *const *env);
/* Waits for the process to exit (at most 30 s); its exit status, or -1. */
int wait_exit(proc *p);
/* Waits until <ports_dir>/web3signer.ports names the HTTP port. False if the process
 * exits first or 60 s pass. */
bool wait_ports(proc *p, const char *ports_dir);
void stop(proc *p);
/* How many times text occurs in the file (-1: unreadable). */
int count_in(const char *path, const char *text);

#endif
