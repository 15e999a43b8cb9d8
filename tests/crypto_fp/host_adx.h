/* Whether the host CPU has BMI2 and ADX, for the valgrind constant-time tests
 * (fp_ct.c, tests/crypto/test_bls_ct.c). Valgrind's virtual CPUID hides ADX although
 * it executes mulx/adcx/adox, so fp_mont_cpu_has_adx() says no under valgrind; the
 * host's /proc/cpuinfo, which valgrind does not rewrite, still tells. Without the ADX
 * kernel in the build the answer is false. */
#ifndef SS_TESTS_HOST_ADX_H
#define SS_TESTS_HOST_ADX_H

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "crypto/fp_mont.h"

static inline bool host_has_adx(void)
{
#ifdef SS_HAVE_ADX_KERNEL
	if (fp_mont_cpu_has_adx())
		return true;
	FILE *f = fopen("/proc/cpuinfo", "r");
	if (f == NULL)
		return false;
	char line[4096];
	bool found = false;
	while (!found && fgets(line, sizeof line, f) != NULL)
		found = strncmp(line, "flags", 5) == 0 && strstr(line, " adx") != NULL &&
			strstr(line, " bmi2") != NULL;
	fclose(f);
	return found;
#else
	return false;
#endif
}

#endif
