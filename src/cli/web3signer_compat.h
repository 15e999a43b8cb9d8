/* Web3Signer's command line, accepted as it is (issue "A drop-in for Web3Signer
 * operators"; reference/web3signer.md §4.3, §5):
 *
 *   secure-signer [global options] eth2 [eth2 options] [export|import|watermark-repair ...]
 *
 * with Web3Signer's option names and value syntax (--opt=value, --opt value, booleans
 * bare or =true/false, comma lists, -l), its WEB3SIGNER_<OPT> / WEB3SIGNER_ETH2_<OPT>
 * environment variables and its --config-file YAML (eth2.-prefixed keys). Every option
 * Web3Signer documents is in one table: the same as ours, accepted with one warning where
 * we implement it differently, or refused with the reason (cloud vaults, push metrics,
 * Swagger UI, ...), never ignored silently. */
#ifndef SS_CLI_WEB3SIGNER_COMPAT_H
#define SS_CLI_WEB3SIGNER_COMPAT_H

#include <stdbool.h>

/* True when argv (argv[0] is the program) is a Web3Signer command line: an "eth2"
 * subcommand, or options before any subcommand. */
bool w3s_is_command_line(int argc, char **argv);

/* Runs a Web3Signer command line as the equivalent Secure-Signer command: the options
 * become SECURE_SIGNER_* environment variables (so run_config_load reads them as it
 * reads any), then `run` or `slashing export|import|watermark` is called. Returns the
 * exit status; 2 after a usage error or a refused option, named on stderr. */
int w3s_main(int argc, char **argv);

#endif
