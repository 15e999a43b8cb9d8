/* Runs the real `secure-signer run` binary for end-to-end tests: a fresh temporary
 * directory per instance (data dir, key configs), port 0 for every listener, and the
 * ports read back from <data-dir>/secure-signer.ports. */
#ifndef SS_TEST_SIGNER_PROC_H
#define SS_TEST_SIGNER_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

typedef struct {
	char dir[256];      /* temporary root */
	char data_dir[300];
	char key_dir[300];  /* Web3Signer YAML key files */
	pid_t pid;
	uint16_t port, metrics_port;
	uint16_t cb_port;   /* the Commit-Boost listener's, when enabled */
	char token[80];     /* keymanager token */
	/* Give the data directory as SECURE_SIGNER_DATA_DIR instead of --data-dir, and
	 * start in dir (so that a default ./secure-signer-data would land there). */
	bool data_dir_from_env;
} signer_proc;

/* Creates the directories (dir under $TMPDIR). */
bool sp_init(signer_proc *p);

/* Writes a file-raw key config for the 32-byte secret key (hex with 0x). */
bool sp_add_raw_key(signer_proc *p, const char *name, const char *sk_hex);

/* Starts the binary with the standard test flags plus extra (NULL-terminated) and
 * waits until it listens (false after 60 s or if it exits). */
bool sp_start(signer_proc *p, const char *const *extra);

/* sp_start with LD_PRELOAD=preload (and ASan told not to insist on being first) for the
 * signer alone: the test's own environment is restored afterwards. */
bool sp_start_preloaded(signer_proc *p, const char *const *flags, const char *preload);

/* SIGTERM and wait; returns the exit status (-1 if it had to be killed). */
int sp_stop(signer_proc *p);

/* SIGKILL and wait (no clean shutdown). */
void sp_kill9(signer_proc *p);

/* Removes the temporary directory. */
void sp_cleanup(signer_proc *p);

/* The path of the binary under test. */
const char *sp_binary(void);

/* Runs `secure-signer ARGS...` (args NULL-terminated, at most 30) to completion, with
 * env_kv ("NAME=value") added to its environment when not NULL; its stdout and stderr
 * into out (NUL-terminated, truncated to cap). Returns the exit status, -1 if it did not
 * exit normally. */
int sp_run_cli(const char *const *args, const char *env_kv, char *out, size_t cap);

/* Runs `secure-signer <args>` through the shell (args is a printf format: quoting is the
 * caller's); out receives its stdout, then a line "--stderr--", then its stderr
 * (NUL-terminated, truncated to cap). Returns the exit status, -1 if it did not exit. */
int sp_run_shell(char *out, size_t cap, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
