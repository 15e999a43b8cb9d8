/* Every refusal rule, and its allowed neighbour, through the public API. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "slash_test_util.h"
#include "test.h"

typedef struct {
	char dir[256];
	slash_db *db;
	uint8_t gvr[SLASH_ROOT_BYTES];
	uint8_t pk[SLASH_PUBKEY_BYTES];
} fixture;

static bool setup(fixture *f)
{
	memset(f, 0, sizeof *f);
	memset(f->gvr, 0x11, sizeof f->gvr);
	tdb_key(f->pk, 1);
	if (!tdb_mkdir(f->dir))
		return false;
	f->db = tdb_open(f->dir);
	return f->db != NULL;
}

static void teardown(fixture *f)
{
	slash_close(f->db);
	tdb_rmdir(f->dir);
}

static slash_decision blk(fixture *f, uint64_t slot, uint64_t r)
{
	uint8_t root[32];
	tdb_root(root, r);
	return slash_check_block(f->db, f->pk, f->gvr, slot, root, NULL);
}

static slash_decision att(fixture *f, uint64_t s, uint64_t t, uint64_t r)
{
	uint8_t root[32];
	tdb_root(root, r);
	return slash_check_attestation(f->db, f->pk, f->gvr, s, t, root, NULL);
}

TEST(block_double_proposal_and_resign)
{
	fixture f;
	if (!setup(&f))
		return;
	CHECK(blk(&f, 10, 1) == SLASH_ALLOWED);
	CHECK(blk(&f, 10, 1) == SLASH_ALLOWED); /* identical re-sign */
	CHECK(blk(&f, 10, 2) == SLASH_REFUSED); /* double proposal */
	CHECK(blk(&f, 11, 2) == SLASH_ALLOWED);
	CHECK(blk(&f, 9, 3) == SLASH_REFUSED); /* below the oldest recorded block */
	teardown(&f);
}

TEST(attestation_rules)
{
	fixture f;
	if (!setup(&f))
		return;
	slash_reason why;
	uint8_t root[32];
	tdb_root(root, 1);
	CHECK(slash_check_attestation(f.db, f.pk, f.gvr, 5, 4, root, &why) == SLASH_REFUSED);
	CHECK_MSG(strstr(why.message, "greater than target") != NULL, "%s", why.message);
	CHECK(att(&f, 10, 20, 1) == SLASH_ALLOWED);
	CHECK(att(&f, 10, 20, 1) == SLASH_ALLOWED); /* identical */
	CHECK(att(&f, 10, 20, 2) == SLASH_REFUSED); /* double vote, other root */
	CHECK(att(&f, 11, 20, 1) == SLASH_REFUSED); /* double vote, other source */
	CHECK(att(&f, 11, 19, 3) == SLASH_REFUSED); /* surrounded by (10, 20) */
	tdb_root(root, 4);
	CHECK(slash_check_attestation(f.db, f.pk, f.gvr, 12, 30, root, &why) == SLASH_ALLOWED);
	CHECK(slash_check_attestation(f.db, f.pk, f.gvr, 11, 31, root, &why) == SLASH_REFUSED);
	CHECK_MSG(strstr(why.message, "surround") != NULL, "%s", why.message);
	CHECK(att(&f, 9, 40, 5) == SLASH_REFUSED);  /* below oldest source */
	CHECK(att(&f, 10, 19, 5) == SLASH_REFUSED); /* below oldest target... and surrounded */
	CHECK(att(&f, 30, 31, 6) == SLASH_ALLOWED);
	CHECK(att(&f, 40, 45, 7) == SLASH_ALLOWED);
	CHECK(att(&f, 41, 43, 8) == SLASH_REFUSED); /* surrounded by (40, 45) */
	CHECK(att(&f, 40, 42, 8) == SLASH_ALLOWED); /* below the newest target, no conflict */
	teardown(&f);
}

TEST(gvr_pinned_on_first_use)
{
	fixture f;
	if (!setup(&f))
		return;
	uint8_t other[32], got[32];
	bool pinned = true;
	memset(other, 0x22, sizeof other);
	CHECK(slash_get_gvr(f.db, got, &pinned) == SS_OK && !pinned);
	CHECK(blk(&f, 1, 1) == SLASH_ALLOWED);
	CHECK(slash_get_gvr(f.db, got, &pinned) == SS_OK && pinned);
	CHECK_MEM(got, f.gvr, 32);
	memcpy(f.gvr, other, 32);
	CHECK(blk(&f, 2, 2) == SLASH_REFUSED);
	CHECK(att(&f, 1, 2, 2) == SLASH_REFUSED);
	CHECK(slash_pin_gvr(f.db, other) == SS_ERR_REFUSED);
	/* survives a restart */
	slash_close(f.db);
	f.db = tdb_open(f.dir);
	CHECK(f.db != NULL && blk(&f, 3, 3) == SLASH_REFUSED);
	teardown(&f);
}

TEST(enabled_flag)
{
	fixture f;
	if (!setup(&f))
		return;
	bool en = true;
	CHECK(slash_get_enabled(f.db, f.pk, &en) == SS_ERR_NOT_FOUND);
	CHECK(slash_set_enabled(f.db, f.pk, false) == SS_OK);
	CHECK(slash_get_enabled(f.db, f.pk, &en) == SS_OK && !en);
	CHECK(blk(&f, 1, 1) == SLASH_REFUSED);
	CHECK(att(&f, 1, 2, 1) == SLASH_REFUSED);
	CHECK(slash_set_enabled(f.db, f.pk, true) == SS_OK);
	CHECK(blk(&f, 1, 1) == SLASH_ALLOWED);
	CHECK(att(&f, 1, 2, 1) == SLASH_ALLOWED);
	teardown(&f);
}

TEST(high_watermark)
{
	fixture f;
	if (!setup(&f))
		return;
	slash_watermark w;
	CHECK(slash_get_high_watermark(f.db, &w) == SS_OK && !w.set);
	CHECK(slash_set_high_watermark(f.db, 10, 320) == SS_OK);
	CHECK(slash_get_high_watermark(f.db, &w) == SS_OK && w.set && w.epoch == 10 && w.slot == 320);
	CHECK(blk(&f, 319, 1) == SLASH_ALLOWED);
	CHECK(blk(&f, 320, 1) == SLASH_REFUSED);
	CHECK(att(&f, 8, 9, 1) == SLASH_ALLOWED);
	CHECK(att(&f, 9, 10, 1) == SLASH_REFUSED);
	/* kept across a restart, then cleared */
	slash_close(f.db);
	f.db = tdb_open(f.dir);
	CHECK(f.db != NULL && blk(&f, 321, 1) == SLASH_REFUSED);
	CHECK(slash_clear_high_watermark(f.db) == SS_OK);
	CHECK(slash_get_high_watermark(f.db, &w) == SS_OK && !w.set);
	CHECK(blk(&f, 321, 1) == SLASH_ALLOWED);
	CHECK(att(&f, 9, 10, 1) == SLASH_ALLOWED);
	teardown(&f);
}

TEST(prune_moves_low_watermarks)
{
	fixture f;
	if (!setup(&f))
		return;
	for (uint64_t e = 1; e <= 100; e++) {
		CHECK(att(&f, e - 1, e, e) == SLASH_ALLOWED);
		CHECK(blk(&f, e * 32, e) == SLASH_ALLOWED);
	}
	slash_prune_stats st;
	CHECK(slash_prune(f.db, 0, 32, &st) == SS_ERR_RANGE);
	CHECK(slash_prune(f.db, 10, 32, &st) == SS_OK);
	CHECK_EQ_U64(st.validators, 1);
	CHECK_EQ_U64(st.attestations_deleted, 90); /* targets 1..90 */
	CHECK_EQ_U64(st.blocks_deleted, 90);       /* window starts at 3200-320+1: kept from 2912 */
	slash_low_watermark lw;
	CHECK(slash_get_low_watermark(f.db, f.pk, &lw) == SS_OK);
	CHECK(lw.has_slot && lw.slot == 91 * 32);
	CHECK(lw.has_epochs && lw.target_epoch == 91 && lw.source_epoch == 90);
	/* pruned history stays protected: below the watermark is refused */
	CHECK(att(&f, 50, 51, 999) == SLASH_REFUSED);
	CHECK(blk(&f, 50 * 32 + 1, 999) == SLASH_REFUSED);
	CHECK(att(&f, 90, 91, 91) == SLASH_ALLOWED); /* the kept record re-signs */
	CHECK(att(&f, 100, 101, 101) == SLASH_ALLOWED);
	/* the window moves with the newest record */
	CHECK(slash_prune(f.db, 10, 32, &st) == SS_OK);
	CHECK_EQ_U64(st.attestations_deleted, 1); /* target 91 left the window after 101 */
	teardown(&f);
}

/* After pruning, votes that would be slashable against deleted history stay refused. */
TEST(prune_keeps_protection_of_deleted_history)
{
	fixture f;
	if (!setup(&f))
		return;
	CHECK(att(&f, 5, 6, 1) == SLASH_ALLOWED);
	CHECK(att(&f, 6, 10, 2) == SLASH_ALLOWED);
	CHECK(slash_prune(f.db, 1, 32, NULL) == SS_OK); /* keeps only target 10 */
	slash_low_watermark lw;
	CHECK(slash_get_low_watermark(f.db, f.pk, &lw) == SS_OK && lw.has_epochs);
	CHECK(lw.source_epoch == 6 && lw.target_epoch == 10);
	CHECK(att(&f, 5, 6, 9) == SLASH_REFUSED); /* double vote with the deleted (5, 6) */
	CHECK(att(&f, 4, 7, 9) == SLASH_REFUSED); /* would surround the deleted (5, 6) */
	CHECK(att(&f, 4, 11, 3) == SLASH_REFUSED);
	CHECK(att(&f, 6, 10, 2) == SLASH_ALLOWED); /* the kept record re-signs */
	CHECK(att(&f, 6, 11, 3) == SLASH_ALLOWED);
	teardown(&f);
}

TEST(huge_numbers)
{
	fixture f;
	if (!setup(&f))
		return;
	const uint64_t max = UINT64_MAX;
	CHECK(blk(&f, max - 1, 1) == SLASH_ALLOWED);
	CHECK(blk(&f, max, 1) == SLASH_ALLOWED);
	CHECK(blk(&f, max, 2) == SLASH_REFUSED);
	CHECK(blk(&f, (uint64_t)1 << 63, 3) == SLASH_REFUSED); /* below the oldest */
	CHECK(att(&f, max - 5, max - 1, 1) == SLASH_ALLOWED);
	CHECK(att(&f, max - 6, max, 1) == SLASH_REFUSED);     /* surrounds */
	CHECK(att(&f, max - 4, max - 2, 1) == SLASH_REFUSED); /* surrounded */
	CHECK(att(&f, max - 1, max, 1) == SLASH_ALLOWED);
	teardown(&f);
}

TEST(history_survives_reopen)
{
	fixture f;
	if (!setup(&f))
		return;
	CHECK(att(&f, 1, 2, 1) == SLASH_ALLOWED);
	CHECK(blk(&f, 5, 1) == SLASH_ALLOWED);
	slash_close(f.db);
	f.db = tdb_open(f.dir);
	if (f.db == NULL)
		return;
	CHECK(att(&f, 1, 2, 2) == SLASH_REFUSED);
	CHECK(blk(&f, 5, 2) == SLASH_REFUSED);
	CHECK(att(&f, 1, 2, 1) == SLASH_ALLOWED);
	teardown(&f);
}

TEST(refuses_foreign_sqlite_file)
{
	char dir[256], path[512];
	if (!tdb_mkdir(dir))
		return;
	tdb_path(path, dir);
	CHECK(test_write_text(path, "this is not a database, just text that is long enough to be checked"));
	slash_db *db = NULL;
	CHECK(slash_open_sqlite(&db, path, NULL) != SS_OK);
	CHECK(db == NULL);
	tdb_rmdir(dir);
}

/* Pruning is on by default in the signer: the background pruner moves the watermarks
 * while signing goes on. */
TEST(background_pruner_runs)
{
	char dir[256], path[512];
	if (!tdb_mkdir(dir))
		return;
	tdb_path(path, dir);
	slash_options o;
	slash_options_default(&o);
	CHECK(o.prune_interval_s > 0 && o.prune_keep_epochs == SLASH_PRUNE_DEFAULT_KEEP_EPOCHS);
	o.prune_interval_s = 1;
	o.prune_keep_epochs = 2;
	slash_db *db = NULL;
	CHECK(slash_open_sqlite(&db, path, &o) == SS_OK);
	uint8_t pk[48], gvr[32] = { 1 }, root[32] = { 2 };
	tdb_key(pk, 9);
	slash_low_watermark lw = { .has_epochs = false };
	for (uint64_t e = 1; db != NULL && e < 400 && !lw.has_epochs; e++) {
		CHECK(slash_check_attestation(db, pk, gvr, e - 1, e, root, NULL) == SLASH_ALLOWED);
		struct timespec ts = { 0, 10 * 1000 * 1000 };
		nanosleep(&ts, NULL);
		CHECK(slash_get_low_watermark(db, pk, &lw) == SS_OK);
	}
	CHECK_MSG(lw.has_epochs && lw.target_epoch > 1, "the pruner never ran");
	CHECK(slash_check_attestation(db, pk, gvr, 0, 1, root, NULL) == SLASH_REFUSED);
	slash_close(db);
	tdb_rmdir(dir);
}

/* Two handles on one file (as two processes would be, were it not for the data
 * directory lock): each sees the other's records, cached state notwithstanding. */
TEST(two_handles_on_one_file_stay_consistent)
{
	fixture f;
	if (!setup(&f))
		return;
	slash_db *other = tdb_open(f.dir);
	if (other == NULL) {
		teardown(&f);
		return;
	}
	uint8_t r1[32], r2[32];
	tdb_root(r1, 1);
	tdb_root(r2, 2);
	/* other caches this validator: newest target 1, newest slot 1 */
	CHECK(slash_check_attestation(other, f.pk, f.gvr, 0, 1, r1, NULL) == SLASH_ALLOWED);
	CHECK(slash_check_block(other, f.pk, f.gvr, 1, r1, NULL) == SLASH_ALLOWED);
	/* the first handle signs newer messages */
	CHECK(att(&f, 5, 6, 1) == SLASH_ALLOWED);
	CHECK(blk(&f, 10, 1) == SLASH_ALLOWED);
	/* other must not decide from its stale cache */
	CHECK(slash_check_attestation(other, f.pk, f.gvr, 4, 7, r2, NULL) == SLASH_REFUSED); /* surrounds */
	CHECK(slash_check_attestation(other, f.pk, f.gvr, 5, 6, r2, NULL) == SLASH_REFUSED); /* double */
	CHECK(slash_check_block(other, f.pk, f.gvr, 10, r2, NULL) == SLASH_REFUSED);
	CHECK(slash_set_high_watermark(f.db, 100, 1000) == SS_OK);
	CHECK(slash_check_block(other, f.pk, f.gvr, 2000, r2, NULL) == SLASH_REFUSED);
	slash_close(other);
	teardown(&f);
}

/* A read-only handle beside the writer (`slashing export` / `watermark get` while the
 * signer runs): it sees what the writer committed, and every change through it fails
 * and changes nothing; a file that does not exist is not created. */
TEST(readonly_handle_reads_and_refuses_writes)
{
	fixture f;
	if (!setup(&f))
		return;
	CHECK(att(&f, 5, 6, 1) == SLASH_ALLOWED);
	CHECK(blk(&f, 10, 1) == SLASH_ALLOWED);
	CHECK(slash_set_high_watermark(f.db, 100, 3200) == SS_OK);
	char path[512];
	tdb_path(path, f.dir);
	slash_db *ro = NULL;
	CHECK(slash_open_sqlite_readonly(&ro, path) == SS_OK && ro != NULL);
	if (ro == NULL) {
		teardown(&f);
		return;
	}
	slash_watermark w;
	CHECK(slash_get_high_watermark(ro, &w) == SS_OK && w.epoch == 100 && w.slot == 3200);
	char *a = NULL, *b = NULL;
	CHECK(slash_export_interchange(ro, NULL, 0, &a) == SS_OK);
	CHECK(slash_export_interchange(f.db, NULL, 0, &b) == SS_OK);
	CHECK(a && b && strcmp(a, b) == 0);
	free(a);
	/* every write fails */
	uint8_t r2[32];
	tdb_root(r2, 2);
	CHECK(slash_check_attestation(ro, f.pk, f.gvr, 6, 7, r2, NULL) == SLASH_ERROR);
	CHECK(slash_check_block(ro, f.pk, f.gvr, 11, r2, NULL) == SLASH_ERROR);
	CHECK(slash_set_high_watermark(ro, 1, 32) != SS_OK);
	CHECK(slash_clear_high_watermark(ro) != SS_OK);
	slash_close(ro);
	/* and changed nothing */
	CHECK(slash_export_interchange(f.db, NULL, 0, &a) == SS_OK);
	CHECK(a && strcmp(a, b) == 0);
	free(a);
	free(b);
	CHECK(slash_get_high_watermark(f.db, &w) == SS_OK && w.epoch == 100);
	/* the writer goes on */
	CHECK(att(&f, 6, 7, 2) == SLASH_ALLOWED);
	/* a missing file is an error, not a new database */
	char missing[600];
	snprintf(missing, sizeof missing, "%s/none.sqlite", f.dir);
	CHECK(slash_open_sqlite_readonly(&ro, missing) != SS_OK);
	struct stat st;
	CHECK(stat(missing, &st) != 0);
	teardown(&f);
}

/* watermark-repair: floors for validators whose history elsewhere is unknown. */
TEST(raise_low_watermarks)
{
	fixture f;
	if (!setup(&f))
		return;
	CHECK(att(&f, 10, 11, 1) == SLASH_ALLOWED);
	CHECK(blk(&f, 352, 1) == SLASH_ALLOWED);
	CHECK(slash_raise_low_watermarks(f.db, NULL, 0, 50, 1600) == SS_OK);
	CHECK(att(&f, 49, 60, 2) == SLASH_REFUSED);
	CHECK(att(&f, 50, 49, 2) == SLASH_REFUSED);
	CHECK(blk(&f, 1599, 2) == SLASH_REFUSED);
	CHECK(att(&f, 50, 51, 2) == SLASH_ALLOWED);
	CHECK(blk(&f, 1600, 2) == SLASH_ALLOWED);
	/* never lowered */
	CHECK(slash_raise_low_watermarks(f.db, NULL, 0, 5, 5) == SS_OK);
	slash_low_watermark lw;
	CHECK(slash_get_low_watermark(f.db, f.pk, &lw) == SS_OK);
	CHECK(lw.has_slot && lw.slot == 1600 && lw.has_epochs && lw.source_epoch == 50 && lw.target_epoch == 50);
	/* a named key that was never seen is registered and covered */
	uint8_t fresh[48], r[32];
	tdb_key(fresh, 77);
	tdb_root(r, 3);
	CHECK(slash_get_low_watermark(f.db, fresh, &lw) == SS_ERR_NOT_FOUND);
	CHECK(slash_raise_low_watermarks(f.db, (const uint8_t(*)[48])fresh, 1, 30, 960) == SS_OK);
	CHECK(slash_check_attestation(f.db, fresh, f.gvr, 29, 40, r, NULL) == SLASH_REFUSED);
	CHECK(slash_check_block(f.db, fresh, f.gvr, 959, r, NULL) == SLASH_REFUSED);
	CHECK(slash_check_attestation(f.db, fresh, f.gvr, 30, 40, r, NULL) == SLASH_ALLOWED);
	teardown(&f);
}
