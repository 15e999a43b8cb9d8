/* secure-signer: dispatch to a subcommand (cli/commands.h). */
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/web3signer_compat.h"
#include "util/hardening.h"

const cli_command cli_commands[] = {
	{ "run", "start the signer service (HTTP API)", cli_cmd_run },
	{ "keys", "manage validator keys in the data directory", cli_cmd_keys },
	{ "slashing", "import, export, prune slashing-protection data", cli_cmd_slashing },
	{ "signing-root", "print the signing root of a Web3Signer request read on stdin",
	  cli_cmd_signing_root },
	{ "config", "check a configuration (run options, environment, config file) without "
		    "starting", cli_cmd_config },
	{ "evidence", "verify TEE attestation evidence (SGX, TDX, SEV-SNP) offline",
	  cli_cmd_evidence },
	{ "tee", "show the TEE this signer runs in (tee info)", cli_cmd_tee },
	{ "client", "attested keygen, encrypted import, deposit data against a running signer",
	  cli_cmd_client },
	{ NULL, NULL, NULL },
};

static void usage(FILE *out)
{
	fprintf(out, "Usage: secure-signer COMMAND [OPTIONS]\n\n"
		     "A remote signer for Ethereum proof-of-stake validators.\n\nCommands:\n");
	for (const cli_command *c = cli_commands; c->name; c++)
		fprintf(out, "  %-14s %s\n", c->name, c->summary);
	fprintf(out, "\nRun 'secure-signer COMMAND --help' for a command's options.\n"
		     "Web3Signer's command line is accepted as it is: secure-signer [options] eth2\n"
		     "[options] [export|import|watermark-repair] (secure-signer eth2 --help).\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("secure-signer 0.1.0\n");
		return 0;
	}
	/* Every subcommand may hold secrets (keys import/generate/export decrypt keys; run
	 * signs): no core dumps and no ptrace by other processes, before anything is read. */
	if (process_harden() != SS_OK) {
		fprintf(stderr, "secure-signer: cannot disable core dumps (setrlimit/prctl failed)\n");
		return 1;
	}
	for (const cli_command *c = cli_commands; c->name; c++)
		if (strcmp(argv[1], c->name) == 0)
			return c->run(argc - 1, argv + 1);
	/* `secure-signer [options] eth2 [options] ...`: Web3Signer's command line */
	if (w3s_is_command_line(argc, argv))
		return w3s_main(argc, argv);
	fprintf(stderr, "secure-signer: unknown command '%s'\n\n", argv[1]);
	usage(stderr);
	return 2;
}
