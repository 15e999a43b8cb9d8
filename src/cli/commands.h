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
int cli_cmd_config(int argc, char **argv);       /* cmd_config.c: config check */
int cli_cmd_tee(int argc, char **argv);
int cli_cmd_client(int argc, char **argv);       /* cmd_client.c: a running signer's own API */          /* cmd_tee.c: tee info */

/* The table main() dispatches on, in the order --help lists them. */
extern const cli_command cli_commands[];

#endif
