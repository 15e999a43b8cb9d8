/* util/: hex and decimal codecs, secure memory, constant-time helpers, data dir lock. */
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test.h"
#include "util/ct.h"
#include "util/datadir.h"
#include "util/dec.h"
#include "util/error.h"
#include "util/file.h"
#include "util/random.h"
#include "util/hardening.h"
#include "util/hex.h"
#include "util/log.h"
#include "util/secure_mem.h"

TEST(hex_roundtrip_and_prefix_rules)
{
	uint8_t out[4];
	CHECK(hex_decode(out, 4, "0xdeadBEEF", 10, HEX_PREFIX_REQUIRED) == SS_OK);
	CHECK(out[0] == 0xde && out[3] == 0xef);
	CHECK(hex_decode(out, 4, "deadbeef", 8, HEX_PREFIX_REQUIRED) == SS_ERR_INVALID);
	CHECK(hex_decode(out, 4, "0xdeadbeef", 10, HEX_PREFIX_FORBIDDEN) == SS_ERR_INVALID);
	CHECK(hex_decode(out, 4, "deadbeef", 8, HEX_PREFIX_OPTIONAL) == SS_OK);
	CHECK(hex_decode(out, 4, "0xdeadbee", 9, HEX_PREFIX_REQUIRED) == SS_ERR_INVALID);
	CHECK(hex_decode(out, 4, "0xdeadbeef00", 12, HEX_PREFIX_REQUIRED) == SS_ERR_INVALID);
	CHECK(hex_decode(out, 4, "0xdeadbeeg", 10, HEX_PREFIX_REQUIRED) == SS_ERR_INVALID);
	CHECK(hex_decode(out, 0, "0x", 2, HEX_PREFIX_REQUIRED) == SS_OK);
	char enc[11];
	uint8_t in[4] = { 0x00, 0x9a, 0xff, 0x10 };
	hex_encode(enc, in, 4, true);
	CHECK(strcmp(enc, "0x009aff10") == 0);
	hex_encode(enc, in, 4, false);
	CHECK(strcmp(enc, "009aff10") == 0);
}

TEST(hex_ct_agrees_with_vartime_on_every_byte)
{
	/* every byte value as both digits, upper and lower case */
	for (int b = 0; b < 256; b++) {
		char s[3], u[3];
		snprintf(s, sizeof s, "%02x", b);
		snprintf(u, sizeof u, "%02X", b);
		uint8_t x = 0, y = 0, z = 0;
		CHECK(hex_decode(&x, 1, s, 2, HEX_PREFIX_FORBIDDEN) == SS_OK);
		CHECK(hex_decode_ct(&y, 1, s, 2, HEX_PREFIX_FORBIDDEN) == SS_OK);
		CHECK(hex_decode_ct(&z, 1, u, 2, HEX_PREFIX_FORBIDDEN) == SS_OK);
		CHECK(x == b && y == b && z == b);
	}
	/* every non-digit character is refused by both, and the output is wiped */
	for (int c = 0; c < 256; c++) {
		bool digit = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
		char s[3] = { '0', (char)c, 0 };
		uint8_t x = 0x55, y = 0x55;
		ss_err e1 = hex_decode(&x, 1, s, 2, HEX_PREFIX_FORBIDDEN);
		ss_err e2 = hex_decode_ct(&y, 1, s, 2, HEX_PREFIX_FORBIDDEN);
		CHECK_MSG((e1 == SS_OK) == digit && (e2 == SS_OK) == digit, "char %d", c);
		if (!digit)
			CHECK(y == 0);
	}
}

TEST(hex_decode_var_bounds)
{
	uint8_t out[3];
	size_t n = 99;
	CHECK(hex_decode_var(out, 3, &n, "0xabcd", 6, HEX_PREFIX_REQUIRED) == SS_OK && n == 2);
	CHECK(hex_decode_var(out, 3, &n, "0xabcdef01", 10, HEX_PREFIX_REQUIRED) == SS_ERR_INVALID);
	CHECK(hex_decode_var(out, 3, &n, "0xabc", 5, HEX_PREFIX_REQUIRED) == SS_ERR_INVALID);
}

TEST(decimal_uint64_full_range)
{
	uint64_t v = 1;
	CHECK(dec_parse_u64("0", 1, &v) == SS_OK && v == 0);
	CHECK(dec_parse_u64("18446744073709551615", 20, &v) == SS_OK && v == UINT64_MAX);
	CHECK(dec_parse_u64("18446744073709551616", 20, &v) == SS_ERR_RANGE);
	CHECK(dec_parse_u64("99999999999999999999999", 23, &v) == SS_ERR_RANGE);
	CHECK(dec_parse_u64("9007199254740993", 16, &v) == SS_OK && v == 9007199254740993ull);
	CHECK(dec_parse_u64("007", 3, &v) == SS_OK && v == 7);
	v = 42;
	CHECK(dec_parse_u64("", 0, &v) == SS_ERR_INVALID);
	CHECK(dec_parse_u64("-1", 2, &v) == SS_ERR_INVALID);
	CHECK(dec_parse_u64("+1", 2, &v) == SS_ERR_INVALID);
	CHECK(dec_parse_u64("1.0", 3, &v) == SS_ERR_INVALID);
	CHECK(dec_parse_u64("1e3", 3, &v) == SS_ERR_INVALID);
	CHECK(dec_parse_u64(" 1", 2, &v) == SS_ERR_INVALID);
	CHECK(dec_parse_u64("99999999999999999999x", 21, &v) == SS_ERR_INVALID);
	CHECK(v == 42);
	char buf[DEC_U64_MAX_CHARS];
	CHECK(dec_format_u64(buf, UINT64_MAX) == 20 && strcmp(buf, "18446744073709551615") == 0);
	CHECK(dec_format_u64(buf, 0) == 1 && strcmp(buf, "0") == 0);
}

TEST(ct_helpers)
{
	CHECK(ct_is_zero_u64(0) == 1 && ct_is_zero_u64(1) == 0 && ct_is_zero_u64(UINT64_MAX) == 0);
	CHECK(ct_is_zero_u64(1ull << 63) == 0);
	CHECK(ct_eq_u64(5, 5) == 1 && ct_eq_u64(5, 6) == 0);
	CHECK(ct_select_u64(1, 7, 9) == 7 && ct_select_u64(0, 7, 9) == 9);
	CHECK(ct_memeq("abc", "abc", 3) == 1 && ct_memeq("abc", "abd", 3) == 0);
	uint8_t d[3] = { 1, 2, 3 }, s[3] = { 4, 5, 6 };
	ct_cmov(d, s, 3, 0);
	CHECK(d[0] == 1);
	ct_cmov(d, s, 3, 1);
	CHECK(d[0] == 4 && d[2] == 6);
}

TEST(secure_alloc_is_zeroed_usable_and_freed)
{
	for (size_t n = 1; n < 20000; n = n * 3 + 1) {
		uint8_t *p = secure_alloc(n);
		CHECK(p != NULL);
		if (p == NULL)
			continue;
		for (size_t i = 0; i < n; i++)
			CHECK(p[i] == 0);
		memset(p, 0xa5, n);
		secure_free(p);
	}
	CHECK(secure_alloc(0) == NULL);
	secure_free(NULL);
}

/* Reading one byte past a secure block must fault: the block ends at a guard page. */
TEST(secure_alloc_overread_hits_guard_page)
{
	pid_t pid = fork();
	if (pid == 0) {
		volatile uint8_t *p = secure_alloc(32);
		uint8_t x = p[32]; /* one past the end */
		_exit(x == 0 ? 3 : 4);
	}
	int status = 0;
	waitpid(pid, &status, 0);
	bool segv = WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV;
#ifdef SS_SANITIZE
	/* AddressSanitizer catches the SEGV itself, reports it and exits with 1 */
	segv = segv || (WIFEXITED(status) && WEXITSTATUS(status) == 1);
#endif
	CHECK_MSG(segv, "child status %d: the over-read did not fault", status);
}

/* secure_free on memory secure_alloc did not return is our bug: it aborts, at once
 * (it reads only the header-sized bytes before the pointer), not after a wild walk. */
TEST(secure_free_aborts_on_a_foreign_pointer)
{
	pid_t pid = fork();
	if (pid == 0) {
		static uint8_t not_secure[256];
		int devnull = open("/dev/null", O_WRONLY);
		if (devnull >= 0)
			dup2(devnull, 2); /* the expected message */
		secure_free(not_secure + 128);
		_exit(0);
	}
	int status = 0;
	waitpid(pid, &status, 0);
	CHECK_MSG(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT, "child status %d", status);
	/* a block of several pages is found and freed as well */
	uint8_t *p = secure_alloc(3 * 4096 + 5);
	CHECK(p != NULL);
	if (p != NULL) {
		p[0] = 1;
		p[3 * 4096 + 4] = 2;
		secure_free(p);
	}
}

TEST(datadir_lock_is_exclusive)
{
	char dir[] = "/tmp/ss-datadir-XXXXXX";
	CHECK(mkdtemp(dir) != NULL);
	datadir a, b;
	CHECK(datadir_open(&a, dir) == SS_OK);
	/* flock locks belong to open file descriptions: a second open in this process
	 * conflicts exactly as another process would */
	CHECK(datadir_open(&b, dir) == SS_ERR_EXISTS);
	datadir_close(&a);
	CHECK(datadir_open(&b, dir) == SS_OK);
	datadir_close(&b);
	char path[4200];
	snprintf(path, sizeof path, "%s/.lock", dir);
	unlink(path);
	rmdir(dir);
}

TEST(log_levels_filter_and_parse)
{
	int fds[2];
	CHECK(pipe(fds) == 0);
	log_set_fd(fds[1]);
	log_set_level(LOG_WARN);
	log_info("hidden %d", 1);
	log_warn("shown %d", 2);
	log_set_fd(2);
	log_set_level(LOG_INFO);
	close(fds[1]);
	char buf[512] = { 0 };
	ssize_t n = read(fds[0], buf, sizeof buf - 1);
	close(fds[0]);
	CHECK(n > 0 && strstr(buf, "shown 2") != NULL && strstr(buf, "hidden") == NULL);
	log_level l;
	CHECK(log_parse_level("DEBUG", &l) && l == LOG_DEBUG);
	CHECK(!log_parse_level("loud", &l));
	CHECK(strcmp(ss_strerror(SS_ERR_REFUSED), "refused") == 0);
}

/* process_harden (called first by `secure-signer run`): no core file can be written and
 * the process is not dumpable (no ptrace attach by the same user, no /proc/PID/mem).
 * Run in a child, since it is irreversible. */
TEST(process_harden_disables_core_dumps)
{
	pid_t pid = fork();
	if (pid == 0) {
		struct rlimit rl = { 1 << 20, RLIM_INFINITY };
		/* start from a state that allows core dumps */
		(void)setrlimit(RLIMIT_CORE, &rl);
		(void)prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
		if (process_harden() != SS_OK)
			_exit(3);
		if (getrlimit(RLIMIT_CORE, &rl) != 0 || rl.rlim_cur != 0 || rl.rlim_max != 0)
			_exit(4);
		if (prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != 0)
			_exit(5);
		_exit(0);
	}
	int status = 0;
	waitpid(pid, &status, 0);
	CHECK_MSG(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child status %d", status);
}

/* The mapping that holds a secure block is excluded from core dumps (MADV_DONTDUMP:
 * VmFlags "dd" in /proc/self/smaps) and locked in RAM (mlock: "lo") unless
 * RLIMIT_MEMLOCK refused it, which secure_mem_all_locked() reports. */
TEST(secure_alloc_is_locked_and_not_dumped)
{
	uint8_t *p = secure_alloc(64);
	CHECK(p != NULL);
	if (p == NULL)
		return;
	FILE *f = fopen("/proc/self/smaps", "r");
	CHECK(f != NULL);
	if (f == NULL) {
		secure_free(p);
		return;
	}
	char line[512];
	bool in_block = false, found = false, dd = false, lo = false;
	while (fgets(line, sizeof line, f) != NULL) {
		unsigned long lo_addr, hi_addr;
		if (sscanf(line, "%lx-%lx ", &lo_addr, &hi_addr) == 2 && strchr(line, '-') < strchr(line, ' ')) {
			in_block = (uintptr_t)p >= lo_addr && (uintptr_t)p < hi_addr;
			continue;
		}
		if (in_block && strncmp(line, "VmFlags:", 8) == 0) {
			found = true;
			dd = strstr(line, " dd") != NULL;
			lo = strstr(line, " lo") != NULL;
		}
	}
	fclose(f);
	CHECK_MSG(found, "no smaps entry for the secure block");
	CHECK_MSG(dd, "secure block not marked MADV_DONTDUMP");
#ifdef SS_SANITIZE
	(void)lo; /* AddressSanitizer intercepts mlock() as a no-op that returns 0 */
#else
	CHECK_MSG(lo || !secure_mem_all_locked(), "secure block not mlocked");
#endif
	secure_free(p);
}

/* Every error code has its own message (a code added to the enum without one would
 * print "unknown error"); codes outside the enum give "unknown error", never NULL. */
TEST(every_error_code_has_a_message)
{
	for (int e = 0; e < SS_ERR__COUNT; e++) {
		const char *m = ss_strerror((ss_err)e);
		CHECK_MSG(m != NULL && m[0] != '\0' && strcmp(m, "unknown error") != 0, "code %d", e);
		for (int f = 0; f < e; f++)
			CHECK_MSG(strcmp(m, ss_strerror((ss_err)f)) != 0, "codes %d and %d share a message", f, e);
	}
	CHECK(strcmp(ss_strerror((ss_err)SS_ERR__COUNT), "unknown error") == 0);
	CHECK(strcmp(ss_strerror((ss_err)-1), "unknown error") == 0);
}

TEST(file_read_all_bounds_and_kinds)
{
	char dir[] = "/tmp/ss-file-XXXXXX";
	CHECK(mkdtemp(dir) != NULL);
	char path[256], empty[256];
	snprintf(path, sizeof path, "%s/f", dir);
	snprintf(empty, sizeof empty, "%s/e", dir);
	CHECK(test_write_file(path, "hello\0world", 11));
	CHECK(test_write_file(empty, "", 0));
	char *buf = NULL;
	size_t len = 0;
	CHECK(file_read_all(path, 11, &buf, &len) == SS_OK && len == 11 && buf[11] == '\0' &&
	      memcmp(buf, "hello\0world", 11) == 0);
	free(buf);
	CHECK(file_read_all(path, 10, &buf, &len) == SS_ERR_RANGE && buf == NULL);
	CHECK(file_read_all(empty, 0, &buf, &len) == SS_OK && len == 0 && buf[0] == '\0');
	free(buf);
	CHECK(file_read_all(dir, 100, &buf, &len) == SS_ERR_INVALID && buf == NULL);
	char missing[300];
	snprintf(missing, sizeof missing, "%s/none", dir);
	CHECK(file_read_all(missing, 100, &buf, &len) == SS_ERR_NOT_FOUND && buf == NULL);
	/* "-" is a name, not standard input (a caller opts in with file_read_stdin) */
	CHECK(file_read_all("-", 100, &buf, &len) == SS_ERR_NOT_FOUND && buf == NULL);
	/* no overflow for the largest limits */
	CHECK(file_read_all(path, SIZE_MAX, &buf, &len) == SS_OK && len == 11);
	free(buf);
	unlink(path);
	unlink(empty);
	rmdir(dir);
}

/* Standard input: a pipe that grows the buffer past 64 KiB, and is bounded. */
TEST(file_read_all_stdin)
{
	for (int over = 0; over < 2; over++) {
		int fds[2];
		CHECK(pipe(fds) == 0);
		pid_t pid = fork();
		if (pid == 0) {
			close(fds[0]);
			char block[1000];
			memset(block, 'a', sizeof block);
			for (int i = 0; i < 200; i++) /* 200,000 bytes */
				if (write(fds[1], block, sizeof block) != (ssize_t)sizeof block)
					_exit(1);
			_exit(0);
		}
		close(fds[1]);
		int saved = dup(STDIN_FILENO);
		dup2(fds[0], STDIN_FILENO);
		close(fds[0]);
		char *buf = NULL;
		size_t len = 0;
		ss_err e = file_read_stdin(over ? 199999 : 200000, &buf, &len);
		dup2(saved, STDIN_FILENO);
		close(saved);
		if (over) {
			CHECK(e == SS_ERR_RANGE && buf == NULL);
		} else {
			CHECK(e == SS_OK && len == 200000 && buf[0] == 'a' && buf[199999] == 'a');
		}
		free(buf);
		int status;
		waitpid(pid, &status, 0);
	}
}

TEST(random_bytes_fills_and_differs)
{
	uint8_t a[64] = { 0 }, b[64] = { 0 }, zero[64] = { 0 };
	CHECK(random_bytes(a, sizeof a) == SS_OK && random_bytes(b, sizeof b) == SS_OK);
	/* 2^-512 chance of a false failure */
	CHECK(memcmp(a, b, sizeof a) != 0 && memcmp(a, zero, sizeof a) != 0);
	CHECK(random_bytes(a, 0) == SS_OK);
}
