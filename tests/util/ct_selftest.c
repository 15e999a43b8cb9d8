/* Proves the constant-time harness catches a leak: one function branches on a secret
 * (must be reported by valgrind), one is branch-free (must pass). ctest runs the leaky
 * case expecting memcheck's report, the clean case expecting none. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "util/ct.h"
#include "util/ct_check.h"

/* Deliberately leaky: the branch depends on the secret's value. */
static __attribute__((noinline)) int leaky_is_zero(const uint8_t *secret, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (secret[i] != 0)
			return 0;
	return 1;
}

static __attribute__((noinline)) int clean_is_zero(const uint8_t *secret, size_t n)
{
	uint8_t acc = 0;
	for (size_t i = 0; i < n; i++)
		acc |= secret[i];
	return (int)ct_is_zero_u64(acc);
}

int main(int argc, char **argv)
{
	uint8_t secret[32];
	memset(secret, 0, sizeof secret);
	secret[7] = 1;
	CT_SECRET(secret, sizeof secret);
	int leaky = argc > 1 && strcmp(argv[1], "leaky") == 0;
	int r = leaky ? leaky_is_zero(secret, sizeof secret) : clean_is_zero(secret, sizeof secret);
	CT_PUBLIC(&r, sizeof r); /* the result itself is declassified */
	printf("%s: result %d\n", leaky ? "leaky" : "clean", r);
	return r == 0 ? 0 : 1;
}
