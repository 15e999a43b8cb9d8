#!/bin/sh
# Runs a test command against a throw-away PostgreSQL cluster (initdb in a temporary
# directory, Unix socket only, trust authentication), with SLASH_TEST_PG set to its
# connection string; removes the cluster afterwards. Exits 77 (ctest SKIP) when the
# PostgreSQL server binaries are not installed. As root, the server runs as the
# postgres system user, since PostgreSQL refuses to run as root.
BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$BIN" ] || [ ! -x "$BIN/initdb" ]; then
	echo "SKIP: PostgreSQL server binaries not found"
	exit 77
fi
DIR=$(mktemp -d "${TMPDIR:-/tmp}/ss-pg-XXXXXX") || exit 1
if [ "$(id -u)" = 0 ]; then
	if ! id postgres >/dev/null 2>&1; then
		echo "SKIP: running as root and there is no postgres user"
		rmdir "$DIR"
		exit 77
	fi
	chown postgres "$DIR"
	PGUSER_NAME=postgres
	as_pg() { runuser -u postgres -- "$@"; }
else
	PGUSER_NAME=$(id -un)
	as_pg() { "$@"; }
fi
cleanup() {
	as_pg "$BIN/pg_ctl" -D "$DIR/data" -m immediate stop >/dev/null 2>&1
	rm -rf "$DIR"
}
trap cleanup EXIT
if ! as_pg "$BIN/initdb" -D "$DIR/data" -A trust -U "$PGUSER_NAME" >"$DIR/initdb.log" 2>&1; then
	cat "$DIR/initdb.log"
	exit 1
fi
# One role must authenticate with a password (SCRAM), so that tests can show a password
# really reaches the server: pg_hba.conf takes the first matching line.
PW_ROLE=ss_password_role
HBA="$DIR/data/pg_hba.conf"
as_pg sh -c "{ echo 'local all $PW_ROLE scram-sha-256'; cat '$HBA'; } > '$HBA.new' && mv '$HBA.new' '$HBA'"
if ! as_pg "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w \
	-o "-k $DIR -c listen_addresses= -c fsync=on -c max_connections=50" start >/dev/null; then
	cat "$DIR/server.log"
	exit 1
fi
SLASH_TEST_PG="host=$DIR user=$PGUSER_NAME dbname=postgres"
# The password has the characters connection strings must quote or encode.
SLASH_TEST_PG_PW_ROLE=$PW_ROLE
SLASH_TEST_PG_PW_PASSWORD="p'w\\x y&z=1"
SLASH_TEST_PG_PW_CONNINFO="host=$DIR dbname=postgres"
PSQL=$(command -v psql || echo "$BIN/psql")
if ! "$PSQL" "$SLASH_TEST_PG" -q -v ON_ERROR_STOP=1 \
	-c "CREATE ROLE $PW_ROLE LOGIN SUPERUSER PASSWORD 'p''w\\x y&z=1'" >/dev/null; then
	echo "cannot create the password role"
	exit 1
fi
export SLASH_TEST_PG_PW_ROLE SLASH_TEST_PG_PW_PASSWORD SLASH_TEST_PG_PW_CONNINFO
# commands an outage test runs through system(): stop the server hard, start it again
if [ "$(id -u)" = 0 ]; then RUN_AS="runuser -u postgres --"; else RUN_AS=""; fi
SLASH_TEST_PG_STOP="$RUN_AS $BIN/pg_ctl -D $DIR/data -m immediate stop >/dev/null 2>&1"
SLASH_TEST_PG_START="$RUN_AS $BIN/pg_ctl -D $DIR/data -l $DIR/server.log -w -o '-k $DIR -c listen_addresses= -c fsync=on -c max_connections=50' start >/dev/null 2>&1"
export SLASH_TEST_PG SLASH_TEST_PG_STOP SLASH_TEST_PG_START
"$@"
rc=$?
exit $rc
