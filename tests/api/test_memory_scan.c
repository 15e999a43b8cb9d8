/* Secrets left in a running signer's memory: the test reads /proc/<pid>/mem of a real
 * `secure-signer` after it loaded a Web3Signer YAML key file (type file-raw, at start
 * and again by POST /reload) and looks for the privateKey's text anywhere in it: in
 * live buffers, in freed heap blocks, in libraries' buffers. The key itself lives in
 * the signer's secure memory as 32 binary bytes, which is its place; its hex text, as
 * the file holds it, must be gone once the file is parsed (docs/keys.md, "Secrets in
 * memory"). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../server/http_client.h"
#include "signer_proc.h"
#include "test.h"
#include "util/hex.h"
#include "vectors.h"
#include <jansson.h>

/* Windows of the key's text: WINDOW characters every STRIDE, so any piece of at least
 * WINDOW + STRIDE - 1 characters left anywhere is found. A fragment of a freed block
 * loses its first 16 bytes to the allocator's list pointers, but not more. */
#define WINDOW 12
#define STRIDE 4
#define N_WINDOWS ((64 - WINDOW) / STRIDE + 1)

/* The windows are kept XOR-masked, so that this process never holds the text either
 * (it does not matter for the signer's memory, but keeps the search honest). */
#define MASK 0x5a

typedef struct {
	char masked[N_WINDOWS][WINDOW];
} pattern;

static bool match_at(const unsigned char *p, const char *masked)
{
	for (int i = 0; i < WINDOW; i++)
		if ((p[i] ^ MASK) != (unsigned char)masked[i])
			return false;
	return true;
}

/* Counts the windows found in [buf, buf + n); reports the first one's place. */
static size_t scan(const unsigned char *buf, size_t n, const pattern *pat, unsigned long base, const char *what)
{
	size_t found = 0;
	for (size_t i = 0; i + WINDOW <= n; i++) {
		unsigned char c = buf[i] ^ MASK;
		for (int w = 0; w < N_WINDOWS; w++)
			if ((unsigned char)pat->masked[w][0] == c && match_at(buf + i, pat->masked[w])) {
				if (found++ < 20)
					printf("key text (window %d) at %#lx in %s\n", w, base + i, what);
				break;
			}
	}
	return found;
}

/* Scans every readable mapping of pid; -1 when /proc/<pid>/mem cannot be read. */
static long scan_process(pid_t pid, const pattern *pat)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/maps", (int)pid);
	FILE *maps = fopen(path, "r");
	snprintf(path, sizeof path, "/proc/%d/mem", (int)pid);
	int mem = open(path, O_RDONLY);
	if (maps == NULL || mem < 0) {
		if (maps)
			fclose(maps);
		if (mem >= 0)
			close(mem);
		return -1;
	}
	long found = 0;
	size_t scanned = 0;
	char line[512];
	unsigned char *buf = malloc(1 << 20);
	while (buf && fgets(line, sizeof line, maps)) {
		unsigned long lo, hi;
		char perms[8], name[256] = "";
		if (sscanf(line, "%lx-%lx %7s %*s %*s %*s %255[^\n]", &lo, &hi, perms, name) < 3 || perms[0] != 'r')
			continue;
		if (strstr(name, "[vvar]") || strstr(name, "[vsyscall]"))
			continue;
		for (unsigned long a = lo; a < hi;) {
			size_t n = hi - a < (1u << 20) ? hi - a : (1u << 20);
			ssize_t got = pread(mem, buf, n, (off_t)a);
			if (got <= 0)
				break;
			scanned += (size_t)got;
			found += (long)scan(buf, (size_t)got, pat, a, name[0] ? name : "anonymous memory");
			/* overlap the next chunk so a window across the boundary is seen */
			a += (unsigned long)got > WINDOW ? (unsigned long)got - WINDOW : (unsigned long)got;
		}
	}
	printf("scanned %zu bytes of process %d\n", scanned, (int)pid);
	free(buf);
	fclose(maps);
	close(mem);
	return scanned > 0 ? found : -1;
}

/* The windows of a 64-character text (from its third character: after "0x"). */
static void pattern_of(pattern *pat, const char *text)
{
	for (int w = 0; w < N_WINDOWS; w++)
		for (int i = 0; i < WINDOW; i++)
			pat->masked[w][i] = (char)(text[2 + w * STRIDE + i] ^ MASK);
}

/* The sanitizer build's signer maps terabytes (ASan's shadow and its allocator's
 * reserved heap, where the copies to find would be): reading it page by page takes
 * hours. The scan runs in the plain build, which is the one an operator runs. */
static bool scan_possible(void)
{
#ifdef SS_SANITIZE
	test_skip("the sanitizer build's address space is too large to scan");
	return false;
#else
	return true;
#endif
}

TEST(yaml_private_key_text_does_not_stay_in_memory)
{
	if (!scan_possible())
		return;
	/* a fixed, valid secret key; its text goes into the key file only */
	uint8_t sk[32];
	for (int j = 0; j < 32; j++)
		sk[j] = (uint8_t)(0x31 + 5 * j);
	sk[0] = 0x2a;
	char hex[67];
	hex_encode(hex, sk, 32, true);
	pattern pat;
	pattern_of(&pat, hex);

	signer_proc p;
	bool ok = sp_init(&p) && sp_add_raw_key(&p, "key0", hex);
	memset(hex, 0, sizeof hex); /* only the file and the masked windows hold it now */
	ok = ok && sp_start(&p, NULL);
	CHECK_MSG(ok, "secure-signer did not start");
	if (!ok) {
		sp_cleanup(&p);
		return;
	}
	/* loaded at start; once more by a reload, on its own thread */
	hc_response r;
	CHECK_EQ_U64(hc_request(p.port, "POST", "/reload", NULL, "", 0, &r), 202);
	hc_free(&r);
	for (int i = 0; i < 50; i++) { /* the reload runs in the background */
		CHECK_EQ_U64(hc_request(p.port, "GET", "/reload", NULL, NULL, 0, &r), 200);
		bool running = r.body && strstr(r.body, "running");
		hc_free(&r);
		if (!running)
			break;
		usleep(100 * 1000);
	}
	CHECK_EQ_U64(hc_request(p.port, "GET", "/api/v1/eth2/publicKeys", NULL, NULL, 0, &r), 200);
	CHECK(r.body && strstr(r.body, "0x") != NULL);
	hc_free(&r);

	long found = scan_process(p.pid, &pat);
	if (found < 0)
		test_skip("cannot read /proc/<pid>/mem of the signer (no CAP_SYS_PTRACE?)");
	else
		CHECK_MSG(found == 0, "the privateKey text is still in the signer's memory (%ld places)", found);
	CHECK_EQ_U64(sp_stop(&p), 0);
	sp_cleanup(&p);
}

/* A Keymanager import carries keystore passwords in its JSON body, which passes through
 * libmicrohttpd's connection buffer, our body buffer and jansson's strings. After the
 * request is answered and its connection closed, none may hold the password. The
 * password here is wrong on purpose (the import answers "error" for the key), so no
 * scrypt runs and the only copies are the ones the request path made. */
TEST(keymanager_password_does_not_stay_in_memory)
{
	if (!scan_possible() || !vectors_require())
		return;
	char path[512];
	char *ks = vectors_path(path, sizeof path, "eip2335-keystore/web3signer/valid/bls_keystore.json")
			   ? test_read_file(path, NULL)
			   : NULL;
	CHECK(ks != NULL);
	/* "0x" + 64 characters that appear nowhere else */
	char pw[67] = "0x";
	for (int i = 0; i < 64; i++)
		pw[2 + i] = (char)("QJXZVKWYqjxzvkwy"[(i * 7 + 3) % 16]);
	pw[66] = '\0';
	pattern pat;
	pattern_of(&pat, pw);

	signer_proc p;
	static const char *const flags[] = { "--key-manager-api-enabled", NULL };
	bool ok = ks != NULL && sp_init(&p) && sp_start(&p, flags);
	CHECK_MSG(ok, "secure-signer did not start");
	if (ok) {
		/* the password first: the body then grows past it while it is read */
		json_t *req = json_pack("{s:[s],s:[s]}", "passwords", pw + 2, "keystores", ks);
		memset(pw, 0, sizeof pw);
		char *body = json_dumps(req, JSON_COMPACT);
		json_decref(req);
		char auth[160];
		snprintf(auth, sizeof auth, "Authorization: Bearer %s\r\n", p.token);
		hc_response r;
		CHECK_EQ_U64(hc_request(p.port, "POST", "/eth/v1/keystores", auth, body, strlen(body), &r), 200);
		CHECK_MSG(r.body && strstr(r.body, "\"error\""), "import: %s", r.body ? r.body : "");
		hc_free(&r);
		free(body);
		/* another request, so the server is past the first one's cleanup */
		CHECK_EQ_U64(hc_request(p.port, "GET", "/upcheck", NULL, NULL, 0, &r), 200);
		hc_free(&r);
		long found = scan_process(p.pid, &pat);
		if (found < 0)
			test_skip("cannot read /proc/<pid>/mem of the signer (no CAP_SYS_PTRACE?)");
		else
			CHECK_MSG(found == 0, "the password is still in the signer's memory (%ld places)", found);
		CHECK_EQ_U64(sp_stop(&p), 0);
	}
	sp_cleanup(&p);
	free(ks);
}
