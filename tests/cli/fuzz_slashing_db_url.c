/* Fuzz target for --slashing-protection-db-url (cli/slashing_db_url.h). The input is
 * "url\0user\0password" (missing fields are NULL). The oracle is libpq's own parser,
 * PQconninfoParse, which reads the string exactly as the server connection will:
 *  - whatever conninfo we produce must parse;
 *  - the user and password we were given come out byte for byte;
 *  - they change nothing else: host, port, dbname and sslmode are those of the URL alone.
 * The credentials come from a file or the environment, never from a client, but a
 * password holding ' \ & = ? # or a space must still not become a parameter. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "cli/slashing_db_url.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The value of keyword in a parsed conninfo (NULL when unset). */
static const char *opt(const PQconninfoOption *o, const char *keyword)
{
	for (; o && o->keyword; o++)
		if (strcmp(o->keyword, keyword) == 0)
			return o->val;
	return NULL;
}

static int same(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 3);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = buf[size + 1] = buf[size + 2] = '\0';
	/* split at the first two NULs */
	const char *url = buf, *user = NULL, *pw = NULL;
	size_t n1 = strlen(buf);
	if (n1 < size) {
		user = buf + n1 + 1;
		size_t n2 = strlen(user);
		if (n1 + 1 + n2 < size)
			pw = user + n2 + 1;
	}
	char *conninfo = slashing_db_conninfo(url, user, pw);
	if (conninfo) {
		char *err = NULL;
		PQconninfoOption *got = PQconninfoParse(conninfo, &err);
		/* the URL's own parameters, when libpq reads it (credentials added last win,
		 * so a URL that names its own user or password is not compared) */
		const char *base_str = strncmp(url, "jdbc:", 5) == 0 ? url + 5 : url;
		PQconninfoOption *base = PQconninfoParse(base_str, NULL);
		if (base && !got)
			abort(); /* a URL libpq reads became one it cannot read */
		if (got) {
			if (user && *user && !opt(base, "user") && !same(opt(got, "user"), user))
				abort();
			if (pw && *pw && !opt(base, "password") && !same(opt(got, "password"), pw))
				abort();
			static const char *const kept[] = { "host", "port", "dbname", "sslmode",
							    "hostaddr", "options" };
			for (size_t i = 0; base && i < sizeof kept / sizeof kept[0]; i++)
				if (!same(opt(got, kept[i]), opt(base, kept[i])))
					abort();
			PQconninfoFree(got);
		}
		PQconninfoFree(base);
		PQfreemem(err);
		/* it holds the password */
		memset(conninfo, 0, strlen(conninfo));
		free(conninfo);
	}
	free(buf);
	return 0;
}
