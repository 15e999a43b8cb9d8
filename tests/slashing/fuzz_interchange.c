/* Fuzz target for the EIP-3076 interchange importer (CONVENTIONS.md: every parser has
 * one). Properties checked on every input: import never crashes; a failed import
 * changes nothing (the export before and after are equal); and whatever we export can
 * always be imported back (it is our own history, so it is never slashable against
 * itself). One store, created on first use, accumulates what succeeds. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "slashing/slashing.h"

static slash_db *db;
static char store_dir[64];

/* The store lives for the whole run; remove it when the process ends. */
static void remove_store(void)
{
	const char *suffix[] = { "/slashing.sqlite", "/slashing.sqlite-wal", "/slashing.sqlite-shm" };
	slash_close(db);
	db = NULL;
	for (int i = 0; i < 3; i++) {
		char p[96];
		snprintf(p, sizeof p, "%s%s", store_dir, suffix[i]);
		unlink(p);
	}
	rmdir(store_dir);
}

static char *snapshot(void)
{
	char *out = NULL;
	ss_err err = slash_export_interchange(db, NULL, 0, &out);
	if (err == SS_ERR_NOT_FOUND)
		return strdup("");
	if (err != SS_OK)
		abort();
	return out;
}

static void open_store(void)
{
	char path[96];
	snprintf(store_dir, sizeof store_dir, "/tmp/ss-fuzz-interchange-XXXXXX");
	if (mkdtemp(store_dir) == NULL)
		abort();
	snprintf(path, sizeof path, "%s/slashing.sqlite", store_dir);
	slash_options o;
	slash_options_default(&o);
	o.writer_thread = false;
	if (slash_open_sqlite(&db, path, &o) != SS_OK)
		abort();
	atexit(remove_store);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (db == NULL)
		open_store();
	char *before = snapshot();
	slash_reason why;
	ss_err err = slash_import_interchange(db, (const char *)data, size, NULL, 0, &why);
	char *after = snapshot();
	if (err != SS_OK && strcmp(before, after) != 0) {
		fprintf(stderr, "a failed import (%s) changed the store\n", why.message);
		abort();
	}
	if (err != SS_OK && why.message[0] == '\0') {
		fprintf(stderr, "an import failed without a reason\n");
		abort();
	}
	if (after[0] != '\0' && slash_import_interchange(db, after, strlen(after), NULL, 0, &why) != SS_OK) {
		fprintf(stderr, "our own export does not import: %s\n", why.message);
		abort();
	}
	free(before);
	free(after);
	return 0;
}
