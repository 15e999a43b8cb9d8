/* --slashing-protection-db-url to a libpq connection string (cli/slashing_db_url.h):
 * Web3Signer's JDBC URL, URIs and key=value strings, with the user name and password
 * encoded so that no character of theirs can change the other parameters. */
#include <stdlib.h>
#include <string.h>

#include "cli/slashing_db_url.h"
#include "test.h"

static void expect(const char *url, const char *user, const char *pw, const char *want)
{
	char *got = slashing_db_conninfo(url, user, pw);
	if (!want) {
		CHECK_MSG(got == NULL, "%s: expected a refusal, got %s", url ? url : "(null)",
			  got ? got : "");
	} else {
		CHECK_MSG(got && strcmp(got, want) == 0, "%s: got %s, want %s",
			  url ? url : "(null)", got ? got : "(null)", want);
	}
	free(got);
}

TEST(slashing_db_url_forms)
{
	/* Web3Signer's JDBC URL loses its "jdbc:" only. */
	expect("jdbc:postgresql://db.example:5432/web3signer", NULL, NULL,
	       "postgresql://db.example:5432/web3signer");
	expect("postgresql://localhost/ss", NULL, NULL, "postgresql://localhost/ss");
	expect("postgres://localhost/ss", NULL, NULL, "postgres://localhost/ss");
	expect("host=/tmp dbname=ss", NULL, NULL, "host=/tmp dbname=ss");
	/* Not PostgreSQL: refused, never guessed at. */
	expect("jdbc:mysql://localhost/ss", NULL, NULL, NULL);
	expect("localhost", NULL, NULL, NULL);
	expect("", NULL, NULL, NULL);
	expect(NULL, NULL, NULL, NULL);
}

TEST(slashing_db_url_credentials_are_encoded)
{
	expect("jdbc:postgresql://h/db", "signer", "s3cret", "postgresql://h/db?user=signer&password=s3cret");
	expect("postgresql://h/db?sslmode=require", "signer", NULL,
	       "postgresql://h/db?sslmode=require&user=signer");
	expect("postgresql://h/db?", "signer", "pw", "postgresql://h/db?user=signer&password=pw");
	expect("postgresql://h/db?sslmode=require&", "signer", NULL,
	       "postgresql://h/db?sslmode=require&user=signer");
	/* Every character that means something in a URI is percent-encoded. */
	expect("postgresql://h/db", "a b", "p&q=r?s#t%u/v'w",
	       "postgresql://h/db?user=a%20b&password=p%26q%3Dr%3Fs%23t%25u%2Fv%27w");
	/* key=value: single-quoted, ' and \ escaped, so a password cannot add a parameter. */
	expect("host=/tmp dbname=ss", "signer", "x' host='evil\\",
	       "host=/tmp dbname=ss user='signer' password='x\\' host=\\'evil\\\\'");
	expect("host=/tmp dbname=ss", NULL, "", "host=/tmp dbname=ss password=''");
}

/* Found by fuzz_slashing_db_url (tests/cli), whose oracle is libpq's own parser: each of
 * these made the appended credentials change another parameter. */
TEST(slashing_db_url_credentials_cannot_change_other_parameters)
{
	/* key=value ending in an empty value, a lone backslash or an open quote would
	 * swallow " user='u'" (libpq read host=user=''): refused when credentials follow */
	expect("host=", "u", NULL, NULL);
	expect("host=/tmp dbname=a\\", "u", NULL, NULL);
	expect("host=/tmp dbname='a", NULL, "p", NULL);
	expect("host=", NULL, NULL, "host="); /* nothing appended: libpq's business */
	expect("host=/tmp dbname='a b' sslmode=disable", "u", NULL,
	       "host=/tmp dbname='a b' sslmode=disable user='u'");
	/* a "&" before any "?" is part of the host, not a query separator */
	expect("postgresql://h&", "u", NULL, "postgresql://h&?user=u");
	/* a "?" inside the user info ("a?b@h") does not start the query */
	expect("postgresql://a?b@h/db", "u", NULL, "postgresql://a?b@h/db?user=u");
	expect("postgresql://a@h/db?x=1", "u", NULL, "postgresql://a@h/db?x=1&user=u");
}
