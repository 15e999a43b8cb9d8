/* The blocking HTTP/1.1 client of `secure-signer client` (http_client.h). The answer is
 * read until the server closes the connection (we send Connection: close), bounded in
 * size and time; Content-Length, when present, trims it. */
#include <errno.h>
#include <netdb.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "cli/http_client.h"
#include "util/secure_mem.h"

#define MAX_ANSWER (64u << 20) /* a keygen answer of 1000 keys is well below this */
#define TIMEOUT_S 300          /* scrypt imports and 1000-key keygens take a while */

/* http://host[:port][/prefix] → host, port, prefix (without a trailing slash). */
static bool parse_url(const char *url, char *host, size_t hcap, char *port, size_t pcap,
		      char *prefix, size_t xcap)
{
	if (strncmp(url, "http://", 7) != 0)
		return false;
	const char *h = url + 7, *end = h + strcspn(h, "/");
	const char *colon = NULL;
	if (*h == '[') { /* [v6]:port */
		const char *rb = memchr(h, ']', (size_t)(end - h));
		if (!rb)
			return false;
		if ((size_t)(rb - h - 1) >= hcap)
			return false;
		memcpy(host, h + 1, (size_t)(rb - h - 1));
		host[rb - h - 1] = '\0';
		colon = rb + 1 < end && rb[1] == ':' ? rb + 1 : NULL;
	} else {
		colon = memchr(h, ':', (size_t)(end - h));
		const char *he = colon ? colon : end;
		if (he == h || (size_t)(he - h) >= hcap)
			return false;
		memcpy(host, h, (size_t)(he - h));
		host[he - h] = '\0';
	}
	if (colon) {
		size_t n = (size_t)(end - colon - 1);
		if (n == 0 || n >= pcap || strspn(colon + 1, "0123456789") < n)
			return false;
		memcpy(port, colon + 1, n);
		port[n] = '\0';
	} else {
		snprintf(port, pcap, "80");
	}
	size_t xl = strlen(end);
	while (xl > 0 && end[xl - 1] == '/')
		xl--;
	if (xl >= xcap)
		return false;
	memcpy(prefix, end, xl);
	prefix[xl] = '\0';
	return true;
}

static int connect_to(const char *host, const char *port, char *why)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM }, *res;
	int rc = getaddrinfo(host, port, &hints, &res);
	if (rc != 0) {
		snprintf(why, 256, "cannot resolve %s: %s", host, gai_strerror(rc));
		return -1;
	}
	int fd = -1, err = 0;
	for (struct addrinfo *a = res; a && fd < 0; a = a->ai_next) {
		fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
		if (fd < 0) {
			err = errno;
			continue;
		}
		struct timeval tv = { .tv_sec = TIMEOUT_S };
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
		if (connect(fd, a->ai_addr, a->ai_addrlen) != 0) {
			err = errno;
			close(fd);
			fd = -1;
		}
	}
	freeaddrinfo(res);
	if (fd < 0)
		snprintf(why, 256, "cannot connect to %s:%s: %s", host, port, strerror(err));
	return fd;
}

static bool send_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		p += w;
		n -= (size_t)w;
	}
	return true;
}

/* The status line, headers and body of a whole answer (http_client.h). The head ends at
 * the first CRLF CRLF; only Content-Length is read from it, and it can only trim the
 * body (a server that closes early has sent what it sent). */
ss_err cli_http_parse_response(char *buf, size_t len, cli_http_response *out, char *why)
{
	memset(out, 0, sizeof *out);
	int status = 0;
	char *sep = strstr(buf, "\r\n\r\n");
	if (sscanf(buf, "HTTP/1.%*d %d", &status) != 1 || !sep) {
		snprintf(why, 256, "the answer is not HTTP");
		return SS_ERR_INVALID;
	}
	*sep = '\0';
	size_t body_off = (size_t)(sep + 4 - buf), blen_in = len - body_off;
	for (char *h = strstr(buf, "\r\n"); h; h = strstr(h + 2, "\r\n"))
		if (strncasecmp(h + 2, "Content-Length:", 15) == 0) {
			size_t cl = strtoull(h + 17, NULL, 10);
			if (cl < blen_in)
				blen_in = cl;
		}
	out->status = status;
	out->body = malloc(blen_in + 1);
	if (!out->body) {
		snprintf(why, 256, "out of memory");
		return SS_ERR_NOMEM;
	}
	memcpy(out->body, buf + body_off, blen_in);
	out->body[blen_in] = '\0';
	out->body_len = blen_in;
	return SS_OK;
}

ss_err cli_http_request(const char *url_base, const char *method, const char *path,
			const char *token, const char *body, cli_http_response *out, char *why)
{
	memset(out, 0, sizeof *out);
	char host[256], port[8], prefix[512];
	if (!parse_url(url_base, host, sizeof host, port, sizeof port, prefix, sizeof prefix)) {
		snprintf(why, 256, "--url must be http://HOST[:PORT][/PREFIX], not \"%.100s\"",
			 url_base);
		return SS_ERR_INVALID;
	}
	int fd = connect_to(host, port, why);
	if (fd < 0)
		return SS_ERR_IO;
	size_t blen = body ? strlen(body) : 0;
	size_t hcap = strlen(method) + strlen(prefix) + strlen(path) + strlen(host) +
		      (token ? strlen(token) : 0) + 256;
	char *head = malloc(hcap);
	int hn = head ? snprintf(head, hcap,
				 "%s %s%s HTTP/1.1\r\nHost: %s:%s\r\nConnection: close\r\n"
				 "Accept: application/json\r\n%s%s%s%sContent-Length: %zu\r\n\r\n",
				 method, prefix, path, host, port,
				 token ? "Authorization: Bearer " : "", token ? token : "",
				 token ? "\r\n" : "",
				 body ? "Content-Type: application/json\r\n" : "", blen)
		      : -1;
	if (hn >= (int)hcap)
		hn = -1;
	ss_err e = SS_ERR_IO;
	char *buf = NULL;
	size_t len = 0, cap = 0;
	if (hn < 0 || !send_all(fd, head, (size_t)hn) || (blen && !send_all(fd, body, blen))) {
		snprintf(why, 256, "cannot send the request to %.200s:%s", host, port);
		goto out;
	}
	for (;;) {
		if (cap - len < 65536) {
			if (cap > MAX_ANSWER) {
				snprintf(why, 256, "the answer is larger than %u bytes", MAX_ANSWER);
				goto out;
			}
			cap = cap ? 2 * cap : 131072;
			char *nb = realloc(buf, cap + 1);
			if (!nb) {
				snprintf(why, 256, "out of memory");
				goto out;
			}
			buf = nb;
		}
		ssize_t r = recv(fd, buf + len, cap - len, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			snprintf(why, 256, "no answer from %.200s:%s: %s", host, port, strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	if (!buf)
		buf = calloc(1, 1);
	if (!buf)
		goto out;
	buf[len] = '\0';
	e = cli_http_parse_response(buf, len, out, why);
	if (e == SS_ERR_INVALID)
		snprintf(why, 256, "%.200s:%s did not answer HTTP", host, port);
	if (e != SS_OK)
		e = SS_ERR_IO;
out:
	if (head) /* it holds the bearer token, which the caller wipes from its own copy */
		secure_zero(head, hcap);
	free(head);
	free(buf);
	close(fd);
	return e;
}

void cli_http_response_free(cli_http_response *r)
{
	free(r->body);
	memset(r, 0, sizeof *r);
}
