/* Keymanager writes off the server threads. An import decrypts keystores (scrypt or
 * PBKDF2 with hundreds of thousands of rounds: about a second each) and a delete exports
 * and commits slashing history; libmicrohttpd keeps each connection on one server
 * thread, so a handler doing that on a server thread would stall every signing request
 * of the connections that share it, for as long as the import runs. Instead the request
 * is parked and the work runs on an admin thread, which sets the reply and resumes the
 * request: imports on one (one at a time, in arrival order), deletes on another, so that
 * a DELETE, the emergency stop of a key, never waits behind queued imports
 * (signer/keymanager.h orders a delete and an import of the same key).
 * The handler reads only its body and sets its reply: no libmicrohttpd call touches the
 * parked connection until it is resumed. */
#include <stdlib.h>

#include "api/api_internal.h"

typedef struct {
	work_item item; /* first: the queue hands back this address */
	http_request *req;
	api *a;
	api_admin_fn fn;
	uint64_t arg;
} admin_call;

static void run_call(work_item *item)
{
	admin_call *c = (admin_call *)(void *)item;
	http_request *req = c->req;
	c->fn(req, c->a, c->arg);
	free(c);
	http_request_resume(req);
}

void api_run_on_admin_thread(http_request *req, api *a, work_queue *q, api_admin_fn fn,
			     uint64_t arg, void (*done)(api *a, uint64_t arg))
{
	admin_call *c = malloc(sizeof *c);
	if (!c) {
		if (done)
			done(a, arg);
		http_reply_error(req, 500, "Out of memory");
		return;
	}
	c->item.run = run_call;
	c->req = req;
	c->a = a;
	c->fn = fn;
	c->arg = arg;
	http_request_suspend(req);
	work_queue_submit(q, &c->item);
}
