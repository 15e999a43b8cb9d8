/* Test HTTP client (http_client.h). */
#define _GNU_SOURCE /* strcasestr */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "http_client.h"

int hc_connect_from(uint16_t port, const char *source)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	struct timeval tv = { 20, 0 };
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	if (source) {
		struct sockaddr_in src = { 0 };
		src.sin_family = AF_INET;
		if (inet_pton(AF_INET, source, &src.sin_addr) != 1 ||
		    bind(fd, (struct sockaddr *)&src, sizeof src) != 0) {
			close(fd);
			return -1;
		}
	}
	struct sockaddr_in sa = { 0 };
	sa.sin_family = AF_INET;
	sa.sin_port = htons(port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

int hc_connect(uint16_t port) { return hc_connect_from(port, NULL); }

static int send_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int read_reply(int fd, hc_response *out)
{
	size_t cap = 8192, len = 0;
	char *buf = malloc(cap);
	if (!buf)
		return 0;
	for (;;) {
		if (len + 4096 + 1 > cap) {
			cap *= 2;
			char *b = realloc(buf, cap);
			if (!b)
				break;
			buf = b;
		}
		ssize_t r = recv(fd, buf + len, 4096, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		len += (size_t)r;
	}
	buf[len] = '\0';
	char *sep = strstr(buf, "\r\n\r\n");
	if (!sep || strncmp(buf, "HTTP/1.", 7) != 0) {
		free(buf);
		return 0;
	}
	size_t head_len = (size_t)(sep - buf);
	out->head = malloc(head_len + 1);
	out->body_len = len - head_len - 4;
	out->body = malloc(out->body_len + 1);
	if (!out->head || !out->body) {
		free(buf);
		return 0;
	}
	memcpy(out->head, buf, head_len);
	out->head[head_len] = '\0';
	memcpy(out->body, sep + 4, out->body_len);
	out->body[out->body_len] = '\0';
	out->status = atoi(buf + 9);
	free(buf);
	return out->status;
}

int hc_raw(uint16_t port, const char *raw, size_t len, hc_response *out)
{
	return hc_raw_from(port, NULL, raw, len, out);
}

int hc_raw_from(uint16_t port, const char *source, const char *raw, size_t len,
		hc_response *out)
{
	memset(out, 0, sizeof *out);
	int fd = hc_connect_from(port, source);
	if (fd < 0)
		return 0;
	if (send_all(fd, raw, len) == 0)
		read_reply(fd, out);
	close(fd);
	return out->status;
}

int hc_request(uint16_t port, const char *method, const char *path, const char *headers,
	       const char *body, size_t body_len, hc_response *out)
{
	memset(out, 0, sizeof *out);
	size_t cap = strlen(path) + (headers ? strlen(headers) : 0) + 256;
	char *head = malloc(cap);
	if (!head)
		return 0;
	/* A body is JSON unless the caller says otherwise: the server refuses bodies of
	 * any other media type (415), as consensus clients always send this header. */
	bool typed = headers && strcasestr(headers, "Content-Type:") != NULL;
	int n = snprintf(head, cap,
			 "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\n%s%sContent-Length: %zu\r\n"
			 "Connection: close\r\n\r\n",
			 method, path, headers ? headers : "",
			 body_len && !typed ? "Content-Type: application/json\r\n" : "", body_len);
	int fd = hc_connect(port);
	if (fd < 0) {
		free(head);
		return 0;
	}
	if (send_all(fd, head, (size_t)n) == 0 && (body_len == 0 || send_all(fd, body, body_len) == 0))
		read_reply(fd, out);
	else
		read_reply(fd, out); /* an early refusal may arrive before the body is sent */
	close(fd);
	free(head);
	return out->status;
}

const char *hc_header(const hc_response *r, const char *name, char *buf, size_t cap)
{
	if (!r->head)
		return NULL;
	size_t n = strlen(name);
	const char *p = strstr(r->head, "\r\n");
	while (p) {
		p += 2;
		if (strncasecmp(p, name, n) == 0 && p[n] == ':') {
			const char *v = p + n + 1;
			while (*v == ' ')
				v++;
			size_t l = strcspn(v, "\r\n");
			if (l >= cap)
				l = cap - 1;
			memcpy(buf, v, l);
			buf[l] = '\0';
			return buf;
		}
		p = strstr(p, "\r\n");
	}
	return NULL;
}

void hc_free(hc_response *r)
{
	free(r->head);
	free(r->body);
	memset(r, 0, sizeof *r);
}
