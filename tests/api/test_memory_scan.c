/* Secrets left in a running signer's memory: the test reads /proc/<pid>/mem of a real
 * `secure-signer` after it loaded a Web3Signer YAML key file (type file-raw, at start
 * and again by POST /reload) and looks for the privateKey's text anywhere in it: in
 * live buffers, in freed heap blocks, in libraries' buffers. The key itself lives in
 * the signer's secure memory as 32 binary bytes, which is its place; its hex text, as
 * the file holds it, must be gone once the file is parsed (docs/keys.md, "Secrets in
 * memory"). The same for a Keymanager import's password, and for a Commit-Boost
 * module's inline jwt_secret, whose text has its place in secure memory only. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../server/http_client.h"
#include "crypto/sha256.h"
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

/* One mapping of /proc/<pid>/smaps: its range, readable or not, its name, and whether it
 * is kept out of core dumps (VmFlags "dd"), as util/secure_mem.h's allocations are. */
typedef struct {
	unsigned long lo, hi;
	bool readable, secure;
	char name[256];
} mapping;

/* The mappings of pid (malloc'ed, *n of them); NULL when smaps cannot be read. */
static mapping *read_mappings(pid_t pid, size_t *n)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/smaps", (int)pid);
	FILE *f = fopen(path, "r");
	if (f == NULL)
		return NULL;
	mapping *maps = NULL;
	size_t cap = 0;
	*n = 0;
	char line[512];
	while (fgets(line, sizeof line, f)) {
		unsigned long lo, hi;
		char perms[8];
		if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perms) == 3) {
			if (*n == cap) {
				cap = cap ? 2 * cap : 256;
				mapping *m = realloc(maps, cap * sizeof *m);
				if (m == NULL)
					break;
				maps = m;
			}
			mapping *m = &maps[(*n)++];
			memset(m, 0, sizeof *m);
			m->lo = lo;
			m->hi = hi;
			m->readable = perms[0] == 'r';
			(void)sscanf(line, "%*s %*s %*s %*s %*s %255[^\n]", m->name);
		} else if (*n && strncmp(line, "VmFlags:", 8) == 0) {
			maps[*n - 1].secure = strstr(line, " dd ") || strstr(line, " dd\n");
		}
	}
	fclose(f);
	return maps;
}

/* Scans every readable mapping of pid; -1 when its memory cannot be read. With in_secure,
 * what is found in secure memory (the place of a live secret) is counted there and not
 * in the result. */
static long scan_process(pid_t pid, const pattern *pat, long *in_secure)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/mem", (int)pid);
	int mem = open(path, O_RDONLY);
	size_t n_maps = 0;
	mapping *maps = mem >= 0 ? read_mappings(pid, &n_maps) : NULL;
	if (maps == NULL) {
		if (mem >= 0)
			close(mem);
		return -1;
	}
	long found = 0;
	if (in_secure)
		*in_secure = 0;
	size_t scanned = 0;
	unsigned char *buf = malloc(1 << 20);
	for (size_t i = 0; buf && i < n_maps; i++) {
		const mapping *m = &maps[i];
		if (!m->readable || strstr(m->name, "[vvar]") || strstr(m->name, "[vsyscall]"))
			continue;
		long *count = in_secure && m->secure ? in_secure : &found;
		const char *what = m->name[0] ? m->name : m->secure ? "secure memory" : "anonymous memory";
		for (unsigned long a = m->lo; a < m->hi;) {
			size_t n = m->hi - a < (1u << 20) ? m->hi - a : (1u << 20);
			ssize_t got = pread(mem, buf, n, (off_t)a);
			if (got <= 0)
				break;
			scanned += (size_t)got;
			*count += (long)scan(buf, (size_t)got, pat, a, what);
			/* overlap the next chunk so a window across the boundary is seen */
			a += (unsigned long)got > WINDOW ? (unsigned long)got - WINDOW : (unsigned long)got;
		}
	}
	printf("scanned %zu bytes of process %d\n", scanned, (int)pid);
	free(buf);
	free(maps);
	close(mem);
	return scanned > 0 ? found : -1;
}

/* The windows of a 64-character text. */
static void pattern_of(pattern *pat, const char *text)
{
	for (int w = 0; w < N_WINDOWS; w++)
		for (int i = 0; i < WINDOW; i++)
			pat->masked[w][i] = (char)(text[w * STRIDE + i] ^ MASK);
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
	pattern_of(&pat, hex + 2);

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

	long found = scan_process(p.pid, &pat, NULL);
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
	pattern_of(&pat, pw + 2);

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
		long found = scan_process(p.pid, &pat, NULL);
		if (found < 0)
			test_skip("cannot read /proc/<pid>/mem of the signer (no CAP_SYS_PTRACE?)");
		else
			CHECK_MSG(found == 0, "the password is still in the signer's memory (%ld places)", found);
		CHECK_EQ_U64(sp_stop(&p), 0);
	}
	sp_cleanup(&p);
	free(ks);
}

/* base64url without padding (RFC 7515 §2), for the test's admin JWT. */
static size_t b64url(char *out, const uint8_t *in, size_t n)
{
	static const char d[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	size_t o = 0;
	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (i + 1 < n ? (uint32_t)in[i + 1] << 8 : 0) |
			     (i + 2 < n ? in[i + 2] : 0);
		size_t digits = n - i >= 3 ? 4 : n - i + 1;
		for (size_t k = 0; k < digits; k++)
			out[o++] = d[(v >> (18 - 6 * k)) & 63];
	}
	out[o] = '\0';
	return o;
}

/* "Authorization: Bearer <JWT>" for an admin route (docs/commit-boost.md "Admin routes"). */
static void admin_auth(char *out, size_t cap, const char *secret, const char *route)
{
	char claims[160], signed_part[512], sig_b64[64];
	snprintf(claims, sizeof claims, "{\"admin\":true,\"route\":\"%s\",\"exp\":%lld}", route,
		 (long long)time(NULL) + 300);
	static const char header[] = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";
	size_t n = b64url(signed_part, (const uint8_t *)header, strlen(header));
	signed_part[n++] = '.';
	b64url(signed_part + n, (const uint8_t *)claims, strlen(claims));
	uint8_t mac[32];
	hmac_sha256(mac, (const uint8_t *)secret, strlen(secret), signed_part, strlen(signed_part));
	b64url(sig_b64, mac, sizeof mac);
	snprintf(out, cap, "Authorization: Bearer %s.%s\r\n", signed_part, sig_b64);
}

/* A Commit-Boost module's inline jwt_secret in the modules file (docs/commit-boost.md
 * "Modules"): parsed at start and again by POST /reload, its text must be nowhere in
 * the signer's memory but in secure memory, where the module's secret lives for the
 * HMAC (found there: the scan does see the text when it is present). */
TEST(inline_jwt_secret_does_not_stay_in_memory)
{
	if (!scan_possible())
		return;
	/* 64 letters that appear nowhere else */
	char secret[65];
	uint64_t seed = 0x6a77745f736372;
	for (int i = 0; i < 64; i++)
		secret[i] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"[test_splitmix64(&seed) % 52];
	secret[64] = '\0';
	pattern pat;
	pattern_of(&pat, secret);

	signer_proc p;
	char modules[400], admin[400], mflag[450], aflag[450];
	bool ok = sp_init(&p);
	snprintf(modules, sizeof modules, "%s/cb-modules.yaml", p.dir);
	snprintf(admin, sizeof admin, "%s/cb-admin.secret", p.dir);
	FILE *f = ok ? fopen(modules, "w") : NULL;
	ok = f && fprintf(f, "modules:\n  - id: SCAN\n    signing_id: \"0x%064d\"\n    jwt_secret: \"%s\"\n",
			  7, secret) > 0;
	ok = f && fclose(f) == 0 && ok;
	memset(secret, 0, sizeof secret); /* only the file and the masked windows hold it now */
	f = ok ? fopen(admin, "w") : NULL;
	ok = f && fputs("admin-secret-of-the-scan\n", f) >= 0 && fclose(f) == 0;
	snprintf(mflag, sizeof mflag, "--commit-boost-modules-file=%s", modules);
	snprintf(aflag, sizeof aflag, "--commit-boost-admin-jwt-secret-file=%s", admin);
	const char *const flags[] = { "--network=mainnet", "--commit-boost-api-enabled",
				      "--commit-boost-http-listen-port=0", mflag, aflag, NULL };
	ok = ok && sp_start(&p, flags) && p.cb_port;
	CHECK_MSG(ok, "secure-signer did not start with the Commit-Boost API");
	if (ok) {
		/* parsed at start; once more by a reload */
		char auth[512];
		admin_auth(auth, sizeof auth, "admin-secret-of-the-scan", "/reload");
		hc_response r;
		CHECK_EQ_U64(hc_request(p.cb_port, "POST", "/reload", auth, NULL, 0, &r), 200);
		hc_free(&r);
		CHECK_EQ_U64(hc_request(p.cb_port, "GET", "/status", NULL, NULL, 0, &r), 200);
		hc_free(&r);
		long in_secure = 0;
		long found = scan_process(p.pid, &pat, &in_secure);
		if (found < 0) {
			test_skip("cannot read /proc/<pid>/mem of the signer (no CAP_SYS_PTRACE?)");
		} else {
			CHECK_MSG(found == 0, "the jwt_secret is in the signer's memory outside secure "
					      "memory (%ld places)", found);
			CHECK_MSG(in_secure > 0, "the module's live secret was not found in secure "
						 "memory: the scan cannot see the text");
		}
		CHECK_EQ_U64(sp_stop(&p), 0);
	}
	sp_cleanup(&p);
}
