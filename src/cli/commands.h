/* The subcommands of `secure-signer`. Each lives in its own cmd_<name>.c, parses its
 * own options (run: run_config.h; the others: common_options.h cli_opts_parse), prints
 * its own --help, and returns the process exit code: 0 success, 1 failure, 2 usage
 * error. */
#ifndef SS_CLI_COMMANDS_H
#define SS_CLI_COMMANDS_H

typedef int (*cli_command_fn)(int argc, char **argv);

typedef struct {
	const char *name;
	const char *summary;
	cli_command_fn run;
} cli_command;

int cli_cmd_run(int argc, char **argv);          /* cmd_run.c: the signer daemon */
int cli_cmd_signing_root(int argc, char **argv); /* cmd_signing_root.c */
int cli_cmd_slashing(int argc, char **argv);     /* cmd_slashing.c */
int cli_cmd_keys(int argc, char **argv);         /* cmd_keys.c */
/* cmd_keys_proxy.c: `keys proxy list|delete PROXY` on an open store (args after "proxy") */
struct keys_store;
int cli_keys_proxy(struct keys_store *ks, int nargs, const char *const *args);
int cli_cmd_evidence(int argc, char **argv);     /* cmd_evidence.c */
/* cmd_evidence.c: `evidence verify` on evidence already in memory (client keygen and
 * import-encrypted --verify): argv as `evidence verify` takes it from "verify" on, its
 * policy options without --evidence; ev is NUL-terminated, label names it in messages.
 * Prints the report on stdout; returns the exit status `evidence verify` would. */
int cli_evidence_verify_text(char *ev, size_t ev_len, const char *label, int argc,
			     char **argv);
int cli_cmd_config(int argc, char **argv);       /* cmd_config.c: config check */
int cli_cmd_tee(int argc, char **argv);
int cli_cmd_client(int argc, char **argv);       /* cmd_client.c: a running signer's own API */          /* cmd_tee.c: tee info */

/* The table main() dispatches on, in the order --help lists them. */
extern const cli_command cli_commands[];

#endif
