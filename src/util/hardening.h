/* Process hardening done once at start (CONVENTIONS.md "Secrets"). */
#ifndef SS_UTIL_HARDENING_H
#define SS_UTIL_HARDENING_H

#include "util/error.h"

/* No core dumps (RLIMIT_CORE 0), not dumpable or ptrace-attachable by other processes
 * of the same user (PR_SET_DUMPABLE 0). Returns SS_ERR_IO if either call fails. */
ss_err process_harden(void) SS_MUST_USE;

#endif
