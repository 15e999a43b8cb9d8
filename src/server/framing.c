/* Framing checks (framing.h). Each refusal cites the rule it enforces. */
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include <microhttpd.h>

#include "server/framing.h"

typedef struct {
	unsigned content_length, host, transfer_encoding;
	size_t bytes; /* the header section's size, as "name: value\r\n" lines */
} header_counts;

static enum MHD_Result count_header(void *cls, enum MHD_ValueKind kind, const char *key,
				    const char *value)
{
	header_counts *c = cls;
	(void)kind;
	c->bytes += strlen(key) + (value ? strlen(value) : 0) + 4;
	if (strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH) == 0)
		c->content_length++;
	else if (strcasecmp(key, MHD_HTTP_HEADER_HOST) == 0)
		c->host++;
	else if (strcasecmp(key, MHD_HTTP_HEADER_TRANSFER_ENCODING) == 0)
		c->transfer_encoding++;
	return MHD_YES;
}

static enum MHD_Result add_argument(void *cls, enum MHD_ValueKind kind, const char *key,
				    const char *value)
{
	size_t *n = cls;
	(void)kind;
	*n += strlen(key) + (value ? strlen(value) + 1 : 0) + 1; /* "?k=v" or "&k=v" */
	return MHD_YES;
}

/* RFC 9110 §5.6.2: a method is a token of tchar. */
static bool is_tchar(unsigned char ch)
{
	if ((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z'))
		return true;
	return ch != '\0' && strchr("!#$%&'*+-.^_`|~", ch) != NULL;
}

/* libmicrohttpd 0.9.75 cuts the request line in place: it writes a NUL over the first
 * space, skips further spaces and points url after them, in the same buffer. A NUL byte
 * inside the method ("GET\0X /upcheck") therefore shows as a method shorter than the
 * distance to url, with something other than spaces in between. Any method token
 * reaching the URL through this gap is refused. */
static bool method_has_nul(const char *method, const char *url)
{
	size_t len = strlen(method);
	if (url <= method + len || url > method + len + 4096)
		return false; /* not the layout above: nothing can be concluded */
	for (const char *p = method + len + 1; p < url; p++)
		if (*p != ' ')
			return true;
	return false;
}

http_framing http_framing_check(struct MHD_Connection *conn, const char *method,
				const char *url)
{
	if (!*method || method_has_nul(method, url))
		return (http_framing){ 400, "Malformed request method" };
	for (const char *p = method; *p; p++)
		if (!is_tchar((unsigned char)*p))
			return (http_framing){ 400, "Malformed request method" };
	/* RFC 9112 §3: a server answers 414 to a request target longer than it is
	 * willing to parse; RFC 6585 §5: 431 to a header section too large. Our own
	 * limits lie well inside libmicrohttpd's connection memory
	 * (HTTP_CONNECTION_MEMORY), so that these answers are ours, in JSON; only a head
	 * larger than that memory still gets libmicrohttpd's own HTML answer. */
	size_t target = strlen(url);
	/* libmicrohttpd hands the query string over as arguments, not in url. */
	MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, add_argument, &target);
	if (target > HTTP_URI_MAX)
		return (http_framing){ 414, "Request target longer than "
					    HTTP_STR(HTTP_URI_MAX) " bytes" };
	header_counts c = { 0, 0, 0, 0 };
	MHD_get_connection_values(conn, MHD_HEADER_KIND, count_header, &c);
	if (c.bytes > HTTP_HEADERS_MAX)
		return (http_framing){ 431, "Request header fields larger than "
					    HTTP_STR(HTTP_HEADERS_MAX) " bytes" };
	/* RFC 9112 §6.3 (5): differing or repeated Content-Length values are an
	 * unrecoverable framing error. A repeat of the same value is refused too: no
	 * client of the signer sends one. */
	if (c.content_length > 1)
		return (http_framing){ 400, "More than one Content-Length header" };
	/* RFC 9112 §3.2: a request with more than one Host header is answered 400. */
	if (c.host > 1)
		return (http_framing){ 400, "More than one Host header" };
	if (c.transfer_encoding) {
		/* RFC 9112 §6.1: Transfer-Encoding with Content-Length may be a smuggling
		 * attempt; the server must close the connection after answering. */
		if (c.content_length)
			return (http_framing){ 400,
					       "Both Transfer-Encoding and Content-Length given" };
		/* RFC 9112 §6.1: a coding the server does not understand is answered 501.
		 * Only "chunked" (alone, once) is supported. */
		const char *te =
			MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
						    MHD_HTTP_HEADER_TRANSFER_ENCODING);
		if (c.transfer_encoding > 1 || !te || strcasecmp(te, "chunked") != 0)
			return (http_framing){ 501, "Unsupported Transfer-Encoding: only "
						    "chunked is implemented" };
	}
	return (http_framing){ 0, NULL };
}
