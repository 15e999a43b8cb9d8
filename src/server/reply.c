/* Building replies: handlers call one of these; server.c turns the result into an MHD
 * response. Error bodies are always {"message": "..."} (issue 7; DESIGN.md §2.4). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/request.h"

#define CT_JSON "application/json; charset=utf-8"

void http_request_clear_reply(http_request *req)
{
	free(req->reply);
	req->reply = NULL;
	req->reply_len = 0;
	while (req->headers) {
		http_header_kv *h = req->headers;
		req->headers = h->next;
		free(h->name);
		free(h->value);
		free(h);
	}
	req->replied = 0;
}

/* Last resort when memory runs out: a static body cannot fail. */
static void reply_oom(http_request *req)
{
	http_request_clear_reply(req);
	req->status = 500;
	req->content_type = CT_JSON;
	req->replied = 1;
}

/* Every reply ends here: req takes ownership of body (malloc'd, NUL-terminated). */
static void set_reply(http_request *req, unsigned status, const char *content_type,
		      char *body, size_t len)
{
	free(req->reply);
	req->reply = body;
	req->reply_len = len;
	req->status = status;
	req->content_type = content_type;
	req->replied = 1;
}

void http_reply_bytes(http_request *req, unsigned status, const char *content_type,
		      const char *body, size_t len)
{
	char *copy = malloc(len + 1);
	if (!copy) {
		reply_oom(req);
		return;
	}
	memcpy(copy, body, len);
	copy[len] = '\0';
	set_reply(req, status, content_type, copy, len);
}

/* Serialises and releases obj; NULL (a failed json_pack) is reported as out of memory
 * rather than through http_reply_error, which itself comes here. */
static void reply_json_or_oom(http_request *req, unsigned status, json_t *obj, size_t flags)
{
	if (!obj) {
		reply_oom(req);
		return;
	}
	char *s = json_dumps(obj, flags);
	json_decref(obj);
	if (!s) {
		reply_oom(req);
		return;
	}
	set_reply(req, status, CT_JSON, s, strlen(s));
}

void http_reply_json(http_request *req, unsigned status, json_t *obj)
{
	if (!obj) {
		http_reply_error(req, 500, "Internal Server Error");
		return;
	}
	reply_json_or_oom(req, status, obj, JSON_COMPACT | JSON_ENCODE_ANY);
}

void http_reply_error(http_request *req, unsigned status, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	reply_json_or_oom(req, status, json_pack("{s:s}", "message", msg), JSON_COMPACT);
}

void http_reply_header(http_request *req, const char *name, const char *value)
{
	http_header_kv *h = calloc(1, sizeof *h);
	if (!h)
		return;
	h->name = strdup(name);
	h->value = strdup(value);
	if (!h->name || !h->value) {
		free(h->name);
		free(h->value);
		free(h);
		return;
	}
	h->next = req->headers;
	req->headers = h;
}
