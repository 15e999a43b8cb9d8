/* The page shared by test_oom.c and oom_preload.c (the file named by SS_OOM_CTL). */
#ifndef SS_TEST_OOM_CTL_H
#define SS_TEST_OOM_CTL_H

#include <stdatomic.h>

struct oom_ctl {
	_Atomic long armed;    /* 1: count, fail and track allocations */
	_Atomic long fail_at;  /* the allocation (1, 2, ... since arming) that fails; 0 none */
	_Atomic long count;    /* allocations since arming */
	_Atomic long failed;   /* 1 once fail_at was reached */
	_Atomic long live;     /* tracked blocks not yet freed */
	_Atomic long seen;     /* allocations ever seen: 0 means the shim is not in use */
	_Atomic long overflow; /* the tracking table filled up */
	_Atomic long fail_caller; /* return address of the call that was failed */
	_Atomic long dump;     /* set by the test: the next allocation call writes each
				* unfreed block's caller address to stderr ("oom: left ...") */
};

#endif
