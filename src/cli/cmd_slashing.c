/* Placeholder until its module lands: says so plainly instead of pretending. */
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"

int cli_cmd_slashing(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--help") == 0) {
		printf("Usage: secure-signer slashing\n\nNot available in this build yet.\n");
		return 0;
	}
	fprintf(stderr, "secure-signer slashing: not available in this build yet\n");
	return 1;
}
