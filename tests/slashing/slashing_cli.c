/* A minimal `secure-signer` for the CLI tests: only the slashing command, so the tests
 * do not depend on every other module building. Invoked exactly like the real binary:
 * `slashing_cli slashing ACTION ...`. */
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"

int main(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "slashing") != 0) {
		fprintf(stderr, "usage: %s slashing ACTION [OPTIONS]\n", argv[0]);
		return 2;
	}
	return cli_cmd_slashing(argc - 1, argv + 1);
}
