/* See blst_rate.h. The script's path is compiled in (SS_BLST_RATE_SCRIPT). */
#include <stdio.h>
#include <string.h>

#include "blst_rate.h"

double blst_rate(const char *node_modules, int threads, double seconds, double *us_per_sign)
{
	char cmd[1024];
	snprintf(cmd, sizeof cmd, "NODE_PATH='%s' node '%s' %d %.2f", node_modules,
		 SS_BLST_RATE_SCRIPT, threads, seconds);
	FILE *p = popen(cmd, "r");
	if (!p) {
		fprintf(stderr, "blst rate: cannot run node\n");
		return 0;
	}
	char line[512];
	double rate = 0, us = 0;
	while (fgets(line, sizeof line, p)) {
		const char *r = strstr(line, "rate="), *u = strstr(line, "us_per_sign_cpu=");
		if (r && u && sscanf(r, "rate=%lf", &rate) == 1)
			sscanf(u, "us_per_sign_cpu=%lf", &us);
	}
	if (pclose(p) != 0 || rate <= 0) {
		fprintf(stderr, "blst rate: %s failed (is @chainsafe/blst in %s?)\n",
			SS_BLST_RATE_SCRIPT, node_modules);
		return 0;
	}
	if (us_per_sign)
		*us_per_sign = us;
	return rate;
}
