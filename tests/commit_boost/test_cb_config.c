/* The inline jwt_secret of the Commit-Boost modules file (src/api/cb_yaml_secret.c): the
 * forms libyaml is kept from seeing are masked in the copy it parses, and every form,
 * masked or not, reads back as the same secret as before (a form the mask misjudges
 * is parsed from the original). The memory of a running signer is scanned for the
 * secret by tests/api/test_memory_scan.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <yaml.h>

#include "api/cb_internal.h"
#include "test.h"

#define SID "\"0x0101010101010101010101010101010101010101010101010101010101010101\""
#define SID2 "\"0x0202020202020202020202020202020202020202020202020202020202020202\""

/* cb_registry_load of yaml written to a temporary file; NULL with err when refused. */
static cb_registry *load(const char *yaml, char *err, size_t cap)
{
	char path[] = "/tmp/ss-cb-config-XXXXXX";
	int fd = mkstemp(path);
	CHECK(fd >= 0);
	if (fd < 0)
		return NULL;
	CHECK(write(fd, yaml, strlen(yaml)) == (ssize_t)strlen(yaml));
	close(fd);
	api_cb_config cfg = { .modules_file = path };
	cb_registry *r = cb_registry_load(&cfg, err, cap);
	unlink(path);
	return r;
}

/* Module id's secret read from yaml is want. */
static void check_secret(const char *yaml, const char *id, const char *want)
{
	char err[512] = "";
	cb_registry *r = load(yaml, err, sizeof err);
	CHECK_MSG(r != NULL, "refused: %s\n%s", err, yaml);
	const cb_module *m = r ? cb_registry_find(r, id) : NULL;
	CHECK_MSG(m && m->secret && m->secret_len == strlen(want) &&
			  memcmp(m->secret, want, m->secret_len) == 0,
		  "secret of\n%s\nis %.*s, not %s", yaml, m && m->secret ? (int)m->secret_len : 0,
		  m && m->secret ? m->secret : "", want);
	cb_registry_release(r);
}

/* How many values of yaml are masked (with the secret nowhere in the masked copy when
 * any is), and whether the masked copy parses as the original would (cb_yaml_exact):
 * then it is the copy that is read, and libyaml never saw the secret. */
static size_t masked_count(const char *yaml, const char *secret, bool *exact)
{
	size_t len = strlen(yaml);
	char *masked = malloc(len + 1);
	cb_yaml_span spans[8];
	cb_yaml_source src = { .text = yaml, .spans = spans };
	src.n = cb_yaml_mask(yaml, len, masked, spans, 8);
	CHECK_MSG(src.n == 0 || strstr(masked, secret) == NULL, "%s is still in\n%s", secret, masked);
	yaml_parser_t parser;
	yaml_document_t doc;
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_string(&parser, (const unsigned char *)masked, len);
	bool loaded = yaml_parser_load(&parser, &doc);
	*exact = loaded && cb_yaml_exact(&src, &doc);
	if (loaded)
		yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	free(masked);
	return src.n;
}

typedef struct {
	const char *name, *yaml, *secret;
	bool masked; /* the copy libyaml parses has it masked */
	bool exact;  /* and that copy is the one read: libyaml never sees the secret */
} secret_case;

/* module A with signing_id, then the line(s) of its jwt_secret */
#define A_WITH(secret_lines) "modules:\n  - id: A\n    signing_id: " SID "\n" secret_lines

static const secret_case cases[] = {
	{ "double quoted", A_WITH("    jwt_secret: \"s3cr#t: v@lue\"\n"), "s3cr#t: v@lue", true,
	  true },
	{ "single quoted, comment, before signing_id",
	  "modules:\n  - id: A\n    jwt_secret: 'sec \"ret\"'  # c\n    signing_id: " SID "\n",
	  "sec \"ret\"", true, true },
	{ "plain, comment", A_WITH("    jwt_secret: plain-Secret_1#x  # comment\n"),
	  "plain-Secret_1#x", true, true },
	{ "first key of the entry, quoted key",
	  "modules:\n  - \"jwt_secret\": first\n    id: A\n    signing_id: " SID "\n", "first", true,
	  true },
	{ "CRLF", "modules:\r\n  - id: A\r\n    signing_id: " SID "\r\n    jwt_secret: crlf-secret\r\n",
	  "crlf-secret", true, true },
	{ "after UTF-8 text", "# \xc3\xa9\xe2\x82\xac\n" A_WITH("    jwt_secret: \"after-utf8\"\n"),
	  "after-utf8", true, true },
	/* forms left to libyaml: read as before */
	{ "escape", A_WITH("    jwt_secret: \"a\\tb\"\n"), "a\tb", false, true },
	{ "quote in single quotes", A_WITH("    jwt_secret: 'it''s'\n"), "it's", false, true },
	{ "flow mapping", "modules:\n  - {id: A, signing_id: " SID ", jwt_secret: flow}\n", "flow",
	  false, true },
	{ "block scalar", A_WITH("    jwt_secret: |\n      block\n"), "block\n", false, true },
	/* masked, but the mask does not come back as it went: parsed from the original */
	{ "plain on two lines", A_WITH("    jwt_secret: two\n      lines\n"), "two lines", true,
	  false },
	{ "the key inside another scalar",
	  "modules:\n  - id: B\n    signing_id: " SID2 "\n    jwt_secret: \"first\n"
	  "      jwt_secret: second\n      third\"\n  - id: A\n    signing_id: " SID "\n"
	  "    jwt_secret: real\n",
	  "real", true, false },
};

TEST(every_jwt_secret_form_reads_back_the_same)
{
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const secret_case *c = &cases[i];
		bool exact;
		size_t n = masked_count(c->yaml, c->secret, &exact);
		CHECK_MSG((n > 0) == c->masked && exact == c->exact, "%s: %zu masked, %s", c->name,
			  n, exact ? "exact" : "not exact");
		check_secret(c->yaml, "A", c->secret);
	}
	/* B's secret is a quoted scalar over three lines, the second looking like the key
	 * and its value: that "value" was masked, no scalar starts there, so the original is
	 * what is read */
	check_secret(cases[sizeof cases / sizeof cases[0] - 1].yaml, "B",
		     "first jwt_secret: second third");
}

/* Refusals name the module, never the secret, as before. */
TEST(a_bad_jwt_secret_is_refused)
{
	char err[512] = "";
	CHECK(!load(A_WITH("    jwt_secret: \"\"\n"), err, sizeof err));
	CHECK(strstr(err, "module A: jwt_secret must be a non-empty string") != NULL);
	char big[1024];
	snprintf(big, sizeof big, A_WITH("    jwt_secret: %0600d\n"), 7);
	CHECK(!load(big, err, sizeof err));
	CHECK(strstr(err, "module A: jwt_secret must be a non-empty string") != NULL);
	CHECK(!load(A_WITH("    jwt_secret: [1]\n"), err, sizeof err));
}
