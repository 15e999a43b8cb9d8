/* --slashing-protection-db-url (Web3Signer's option) to a libpq connection string. */
#ifndef SS_CLI_SLASHING_DB_URL_H
#define SS_CLI_SLASHING_DB_URL_H

/* url is Web3Signer's JDBC form jdbc:postgresql://host[:port]/db[?params] (its "jdbc:"
 * is dropped), a postgresql:// or postgres:// URI, or a libpq key=value string. user and
 * password (either may be NULL) are added as percent-encoded URI query parameters or as
 * quoted key=value pairs. Returns a malloc'ed string, which holds the password: the
 * caller wipes it. NULL when url is none of these forms (or out of memory). */
char *slashing_db_conninfo(const char *url, const char *user, const char *password);

#endif
