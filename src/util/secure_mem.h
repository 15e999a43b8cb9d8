/* Memory for secrets (CONVENTIONS.md "Secrets"): one wipe function the compiler cannot
 * elide, and one allocator that keeps key material out of swap and core dumps and puts
 * it against a guard page so that reading past it faults. */
#ifndef SS_UTIL_SECURE_MEM_H
#define SS_UTIL_SECURE_MEM_H

#include <stdbool.h>
#include <stddef.h>

/* Wipes n bytes at p; built on explicit_bzero, so it survives dead-store elimination. */
void secure_zero(void *p, size_t n);

/* Allocates n bytes (n > 0) of zeroed memory for secrets: its own mapping between two
 * PROT_NONE guard pages, the block ending exactly at the upper guard page, mlock'ed
 * when RLIMIT_MEMLOCK allows (a warning is logged once when it does not), excluded from
 * core dumps (MADV_DONTDUMP) and from fork children (MADV_DONTFORK). Returns NULL when
 * the mapping fails. Each allocation costs at least three pages: for many small keys,
 * use one allocation holding an array of them. */
void *secure_alloc(size_t n);

/* Wipes and unmaps a block from secure_alloc; NULL is ignored. Aborts on a pointer
 * that secure_alloc did not return, or whose header (just below it) was overwritten:
 * our bug, not input. */
void secure_free(void *p);

/* True when every secure_alloc so far could be mlock'ed. */
bool secure_mem_all_locked(void);

#endif
