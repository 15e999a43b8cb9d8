/* EIP-3076 interchange import: the slashability checks and the merge plan of one
 * validator, in O(n log n).
 *
 * interchange_import.c hands over every record of one validator: what the store already
 * holds (stored = true) and what the file brings, from every entry of the file that
 * names this key. A pair of records is slashable (consensus-specs
 * is_slashable_attestation_data; EIP-3076 conditions 1 and 3) when
 *   - blocks: same slot, both signing roots known and different;
 *   - attestations: same target and a different source, or same target and source with
 *     both roots known and different (double vote); or one strictly surrounds the other
 *     (s1 < s2 and t2 < t1).
 * The import is refused when any such pair holds a record of the file (two stored
 * records are never compared: the store refused that when they were signed), or a file
 * attestation has source > target. The answer does not depend on the order of the
 * records; the reference is the pairwise comparison of tests/slashing/test_import_model.c.
 *
 * Double votes: sorting by (target, order) puts each target's records next to each
 * other. Surround: sorting by source and sweeping upwards, keep the greatest target seen
 * among records of strictly smaller source, once over all records and once over the
 * file's only; a file record below the first, or a stored record below the second, is
 * surrounded by a record that makes the pair slashable. Every pair that contains a file
 * record is found this way, and no other. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "slashing/slashing_internal.h"

/* The one record kept for a slot or target (the stored one, or the file's first): its
 * root becomes known_root when every record of the group has that root (known_root not
 * NULL), else unknown, which refuses every later message there. True when it must be
 * written: a new record, or a stored one whose root becomes unknown. */
static bool merge_kept(bool stored, bool *has_root, uint8_t root[SLASH_ROOT_BYTES],
		       const uint8_t *known_root)
{
	if (stored && !(*has_root && known_root == NULL))
		return false;
	*has_root = known_root != NULL;
	if (known_root)
		memcpy(root, known_root, SLASH_ROOT_BYTES);
	else
		memset(root, 0, SLASH_ROOT_BYTES);
	return true;
}

/* The file order of a record, for the error message: stored records come first, and a
 * conflict names the later record of its pair, the one whose import would have created
 * it. */
static uint64_t order_of(bool stored, uint32_t entry, uint32_t item)
{
	return stored ? 0 : ((uint64_t)entry << 32 | item) + 1;
}

static int cmp_block(const void *pa, const void *pb)
{
	const slash_imp_block *a = pa, *b = pb;
	if (a->rec.slot != b->rec.slot)
		return a->rec.slot < b->rec.slot ? -1 : 1;
	uint64_t oa = order_of(a->stored, a->entry, a->item), ob = order_of(b->stored, b->entry, b->item);
	return oa < ob ? -1 : oa > ob;
}

static int cmp_att_target(const void *pa, const void *pb)
{
	const slash_imp_att *a = pa, *b = pb;
	if (a->rec.target != b->rec.target)
		return a->rec.target < b->rec.target ? -1 : 1;
	uint64_t oa = order_of(a->stored, a->entry, a->item), ob = order_of(b->stored, b->entry, b->item);
	return oa < ob ? -1 : oa > ob;
}

static int cmp_att_source(const void *pa, const void *pb)
{
	const slash_imp_att *a = pa, *b = pb;
	if (a->rec.source != b->rec.source)
		return a->rec.source < b->rec.source ? -1 : 1;
	return cmp_att_target(pa, pb);
}

static void name_block(char *out, size_t n, const slash_imp_block *b)
{
	snprintf(out, n, "data[%u].signed_blocks[%u]", b->entry, b->item);
}

static void name_att(char *out, size_t n, const slash_imp_att *a)
{
	snprintf(out, n, "data[%u].signed_attestations[%u]", a->entry, a->item);
}

static const slash_imp_att *later_att(const slash_imp_att *x, const slash_imp_att *y)
{
	return order_of(x->stored, x->entry, x->item) > order_of(y->stored, y->entry, y->item) ? x : y;
}

ss_err slash_import_plan_blocks(slash_imp_block *b, size_t n, slash_reason *why)
{
	char item[96];
	if (n > 0) /* qsort(NULL, 0, ...) is undefined (C11 7.22.5) */
		qsort(b, n, sizeof *b, cmp_block);
	for (size_t i = 0; i < n;) {
		size_t end = i + 1;
		while (end < n && b[end].rec.slot == b[i].rec.slot)
			end++;
		/* EIP-3076 condition 1: two known, different roots at one slot */
		const slash_imp_block *known = NULL;
		bool all_known = true;
		for (size_t k = i; k < end; k++) {
			b[k].write = false;
			if (!b[k].rec.has_root) {
				all_known = false;
				continue;
			}
			if (known == NULL) {
				known = &b[k];
			} else if (memcmp(known->rec.root, b[k].rec.root, SLASH_ROOT_BYTES) != 0) {
				/* b[k] is the later of the pair: the group is in file order */
				name_block(item, sizeof item, &b[k]);
				slash_reasonf(why, "%s: slashable: a different block at slot %llu is already "
						   "recorded (in the database or earlier in this file)",
					      item, (unsigned long long)b[k].rec.slot);
				return SS_ERR_REFUSED;
			}
		}
		/* One record per slot: the stored one (first in the group) or the file's
		 * first. "Unknown" wins: a missing root refuses every block at the slot. */
		slash_imp_block *keep = &b[i];
		keep->write = merge_kept(keep->stored, &keep->rec.has_root, keep->rec.root,
					 all_known ? known->rec.root : NULL);
		i = end;
	}
	return SS_OK;
}

/* Double votes and the merged record of each target. */
static ss_err plan_targets(slash_imp_att *a, size_t n, slash_reason *why)
{
	char item[96];
	if (n > 0) /* qsort(NULL, 0, ...) is undefined (C11 7.22.5) */
		qsort(a, n, sizeof *a, cmp_att_target);
	for (size_t i = 0; i < n;) {
		size_t end = i + 1;
		while (end < n && a[end].rec.target == a[i].rec.target)
			end++;
		const slash_imp_att *known = NULL;
		bool all_known = true;
		for (size_t k = i; k < end; k++) {
			a[k].write = false;
			const slash_imp_att *other = NULL;
			if (a[k].rec.source != a[i].rec.source)
				other = &a[i];
			else if (a[k].rec.has_root && known != NULL &&
				 memcmp(known->rec.root, a[k].rec.root, SLASH_ROOT_BYTES) != 0)
				other = known;
			if (other != NULL) {
				name_att(item, sizeof item, &a[k]);
				slash_reasonf(why, "%s: slashable: double vote: another attestation (%llu, %llu) "
						   "is already recorded for target epoch %llu",
					      item, (unsigned long long)other->rec.source,
					      (unsigned long long)other->rec.target,
					      (unsigned long long)a[k].rec.target);
				return SS_ERR_REFUSED;
			}
			if (!a[k].rec.has_root)
				all_known = false;
			else if (known == NULL)
				known = &a[k];
		}
		slash_imp_att *keep = &a[i];
		keep->write = merge_kept(keep->stored, &keep->rec.has_root, keep->rec.root,
					 all_known ? known->rec.root : NULL);
		i = end;
	}
	return SS_OK;
}

/* EIP-3076 condition 3, both directions, by one sweep in source order. */
static ss_err check_surround(slash_imp_att *a, size_t n, slash_reason *why)
{
	char item[96];
	if (n > 0) /* qsort(NULL, 0, ...) is undefined (C11 7.22.5) */
		qsort(a, n, sizeof *a, cmp_att_source);
	const slash_imp_att *max_all = NULL, *max_file = NULL; /* over sources below the group's */
	for (size_t i = 0; i < n;) {
		size_t end = i + 1;
		while (end < n && a[end].rec.source == a[i].rec.source)
			end++;
		for (size_t k = i; k < end; k++) {
			const slash_imp_att *outer = NULL;
			if (!a[k].stored && max_all != NULL && max_all->rec.target > a[k].rec.target)
				outer = max_all;
			else if (a[k].stored && max_file != NULL && max_file->rec.target > a[k].rec.target)
				outer = max_file;
			if (outer != NULL) {
				const slash_imp_att *named = later_att(outer, &a[k]);
				const slash_imp_att *other = named == outer ? &a[k] : outer;
				name_att(item, sizeof item, named);
				slash_reasonf(why, "%s: slashable: (%llu, %llu) and the recorded (%llu, %llu) "
						   "surround one another",
					      item, (unsigned long long)named->rec.source,
					      (unsigned long long)named->rec.target,
					      (unsigned long long)other->rec.source,
					      (unsigned long long)other->rec.target);
				return SS_ERR_REFUSED;
			}
		}
		for (size_t k = i; k < end; k++) {
			if (max_all == NULL || a[k].rec.target > max_all->rec.target)
				max_all = &a[k];
			if (!a[k].stored && (max_file == NULL || a[k].rec.target > max_file->rec.target))
				max_file = &a[k];
		}
		i = end;
	}
	return SS_OK;
}

ss_err slash_import_plan_atts(slash_imp_att *a, size_t n, slash_reason *why)
{
	char item[96];
	for (size_t k = 0; k < n; k++)
		if (!a[k].stored && a[k].rec.source > a[k].rec.target) {
			name_att(item, sizeof item, &a[k]);
			slash_reasonf(why, "%s: slashable: source epoch %llu is greater than target epoch %llu",
				      item, (unsigned long long)a[k].rec.source,
				      (unsigned long long)a[k].rec.target);
			return SS_ERR_REFUSED;
		}
	ss_err err = plan_targets(a, n, why);
	if (err == SS_OK)
		err = check_surround(a, n, why);
	return err;
}
