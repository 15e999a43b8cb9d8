#include "test.h"

#include <stdarg.h>
#include <stdlib.h>

#define MAX_TESTS 1024

static struct {
	const char *name;
	test_fn fn;
} tests[MAX_TESTS];
static int n_tests;
static bool current_failed, current_skipped;
static const char *current_name;
static long cases_passed, cases_failed;

void test_register(const char *name, test_fn fn)
{
	if (n_tests == MAX_TESTS) {
		fprintf(stderr, "too many tests\n");
		abort();
	}
	tests[n_tests].name = name;
	tests[n_tests].fn = fn;
	n_tests++;
}

void test_fail_at(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "FAIL %s (%s:%d): ", current_name ? current_name : "?", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	current_failed = true;
}

void test_count_case(bool passed)
{
	if (passed)
		cases_passed++;
	else
		cases_failed++;
}

void test_skip(const char *reason)
{
	printf("SKIP %s: %s\n", current_name ? current_name : "?", reason);
	current_skipped = true;
}

/* Runs the named tests (all when no name is given). A name may also be a sub-case
 * name that a table-driven test understands: such tests read test_selected_case(). */
static const char *selected_case;
const char *test_selected_case(void) { return selected_case; }

int main(int argc, char **argv)
{
	int passed = 0, failed = 0, skipped = 0;
	bool any_test_named = false;
	/* A name that matches no test selects a vector case inside every test; only one
	 * case name at a time. */
	for (int a = 1; a < argc; a++) {
		bool is_test_name = false;
		for (int j = 0; j < n_tests; j++)
			if (strcmp(argv[a], tests[j].name) == 0)
				is_test_name = true;
		if (is_test_name) {
			any_test_named = true;
			continue;
		}
		if (selected_case != NULL) {
			fprintf(stderr, "give one case name at a time (%s, %s)\n", selected_case, argv[a]);
			return 2;
		}
		selected_case = argv[a];
	}
	for (int i = 0; i < n_tests; i++) {
		bool run = !any_test_named; /* every test, or those named */
		for (int a = 1; a < argc && !run; a++)
			if (strcmp(argv[a], tests[i].name) == 0)
				run = true;
		if (!run)
			continue;
		current_name = tests[i].name;
		current_failed = current_skipped = false;
		tests[i].fn();
		if (current_failed) {
			printf("FAIL %s\n", tests[i].name);
			failed++;
		} else if (current_skipped) {
			skipped++;
		} else {
			printf("ok   %s\n", tests[i].name);
			passed++;
		}
	}
	if (cases_passed + cases_failed > 0)
		printf("vector cases: %ld passed, %ld failed\n", cases_passed, cases_failed);
	/* A case name that no test knows (a typo) must not look like a green run. */
	if (selected_case != NULL && cases_passed + cases_failed == 0 && skipped == 0) {
		printf("FAIL no test has a case named %s\n", selected_case);
		failed++;
	}
	printf("%d passed, %d failed, %d skipped\n", passed, failed, skipped);
	if (failed > 0)
		return 1;
	/* A run where anything was skipped is reported as skipped (ctest SKIP), never as
	 * passed: a missing vectors folder must not look like a green vector test. */
	if (skipped > 0)
		return 77;
	return 0;
}
