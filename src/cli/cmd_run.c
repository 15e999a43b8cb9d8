/* Placeholder until its module lands: says so plainly instead of pretending. */
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"

int cli_cmd_run(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--help") == 0) {
		printf("Usage: secure-signer run\n\nNot available in this build yet.\n");
		return 0;
	}
	fprintf(stderr, "secure-signer run: not available in this build yet\n");
	return 1;
}
