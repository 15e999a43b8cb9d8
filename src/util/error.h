/* Error codes shared by every module: 0 is success, everything else says what went
 * wrong in a way a caller can map to an HTTP status or a CLI exit code. */
#ifndef SS_UTIL_ERROR_H
#define SS_UTIL_ERROR_H

#define SS_MUST_USE __attribute__((warn_unused_result))

typedef enum {
	SS_OK = 0,
	SS_ERR_INVALID,   /* malformed input: bad syntax, wrong length, missing field */
	SS_ERR_RANGE,     /* a number outside its allowed range */
	SS_ERR_NOT_FOUND, /* an unknown key, file or record */
	SS_ERR_EXISTS,    /* the thing is already there */
	SS_ERR_REFUSED,   /* a rule refused the operation (slashing protection) */
	SS_ERR_RETRY,     /* temporary failure: the same call may succeed later */
	SS_ERR_IO,        /* file system or database failure */
	SS_ERR_NOMEM,     /* allocation failed */
	SS_ERR_CRYPTO,    /* a cryptographic check failed (bad MAC, wrong password) */
	SS_ERR_UNSUPPORTED, /* valid but not supported here */
	SS_ERR_INTERNAL,  /* our bug: an invariant did not hold */
	SS_ERR__COUNT
} ss_err;

/* A short lowercase English phrase for the code; never NULL. */
const char *ss_strerror(ss_err err);

#endif
