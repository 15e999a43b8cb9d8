/* What one signing request's bytes cost over loopback TCP with no HTTP server behind
 * them: a responder that answers each read with a fixed response of the signer's size
 * (one epoll thread, or --threads T), driven like bench_server drives the signer (C
 * keep-alive connections, one request outstanding on each). It prints requests per
 * second and the CPU time per request of the responder, of the driver and of the whole
 * machine (proc_cpu.c), so bench_server's per-thread table reads against the floor any
 * HTTP server pays on this machine: recv, send, epoll and the wake-ups between two
 * processes (docs/benchmarks.md, issue 18).
 *
 * usage: loopback_floor [--connections C] [--requests N] [--threads T]
 *                       [--request-bytes B] [--response-bytes B] */
#define _GNU_SOURCE /* accept4 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "proc_cpu.h"

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int listen_fd;
static char *response;
static size_t response_len;

static void no_delay(int fd)
{
	int one = 1;
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

/* One responder thread: accepts, and answers every read with the fixed response (a
 * request of these sizes arrives in one read over loopback). */
static void *respond(void *arg)
{
	(void)arg;
	int ep = epoll_create1(EPOLL_CLOEXEC);
	struct epoll_event le = { .events = EPOLLIN | EPOLLEXCLUSIVE, .data.fd = listen_fd };
	epoll_ctl(ep, EPOLL_CTL_ADD, listen_fd, &le);
	char buf[65536];
	struct epoll_event ev[64];
	for (;;) {
		int k = epoll_wait(ep, ev, 64, -1);
		for (int i = 0; i < k; i++) {
			int fd = ev[i].data.fd;
			if (fd == listen_fd) {
				int c = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
				if (c < 0)
					continue;
				no_delay(c);
				struct epoll_event ce = { .events = EPOLLIN, .data.fd = c };
				epoll_ctl(ep, EPOLL_CTL_ADD, c, &ce);
				continue;
			}
			ssize_t n = recv(fd, buf, sizeof buf, 0);
			if (n <= 0) {
				close(fd);
				continue;
			}
			(void)send(fd, response, response_len, MSG_NOSIGNAL);
		}
	}
	return NULL;
}

/* An HTTP message: the start line, the header lines that the message's kind needs,
 * Content-Length, and a body of body bytes. */
static char *make_message(const char *start, const char *headers, size_t body, size_t *len)
{
	char head[512];
	int h = snprintf(head, sizeof head, "%s\r\n%sContent-Length: %zu\r\n\r\n", start,
			 headers, body);
	char *b = malloc((size_t)h + body);
	if (!b)
		return NULL;
	memcpy(b, head, (size_t)h);
	memset(b + h, 'a', body);
	*len = (size_t)h + body;
	return b;
}

int main(int argc, char **argv)
{
	int conns = 16, threads = 1;
	long total = 200000;
	/* 764 bytes in and 279 out with these bodies: a little under bench_server's Electra
	 * ATTESTATION (793 bytes sent) and the signer's answer (about 330 with headers) */
	size_t req_body = 560, resp_body = 207;
	for (int i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--connections") == 0)
			conns = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "--requests") == 0)
			total = atol(argv[i + 1]);
		else if (strcmp(argv[i], "--threads") == 0)
			threads = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "--request-bytes") == 0)
			req_body = (size_t)atol(argv[i + 1]);
		else if (strcmp(argv[i], "--response-bytes") == 0)
			resp_body = (size_t)atol(argv[i + 1]);
		else {
			fprintf(stderr, "unknown option %s\n", argv[i]);
			return 2;
		}
	}
	if (conns < 1 || conns > 1024 || threads < 1 || total < conns) {
		fprintf(stderr, "need 1-1024 connections, threads >= 1, requests >= connections\n");
		return 2;
	}
	/* a sign request's line and headers, as bench_server sends them */
	char start[160];
	snprintf(start, sizeof start, "POST /api/v1/eth2/sign/0x%096d HTTP/1.1", 0);
	size_t req_len;
	char *req = make_message(start, "Host: 127.0.0.1\r\nContent-Type: application/json\r\n",
				 req_body, &req_len);
	response = make_message("HTTP/1.1 200 OK", "Content-Type: application/json\r\n", resp_body,
				&response_len);
	if (!req || !response)
		return 1;

	listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t alen = sizeof a;
	if (listen_fd < 0 || bind(listen_fd, (struct sockaddr *)&a, sizeof a) != 0 ||
	    listen(listen_fd, 1024) != 0 || getsockname(listen_fd, (struct sockaddr *)&a, &alen) != 0) {
		perror("listen");
		return 1;
	}
	pid_t responder = fork();
	if (responder == 0) {
		for (int t = 1; t < threads; t++) {
			pthread_t th;
			pthread_create(&th, NULL, respond, NULL);
		}
		respond(NULL);
		_exit(0);
	}
	close(listen_fd);

	int ep = epoll_create1(EPOLL_CLOEXEC);
	int *fds = calloc((size_t)conns, sizeof *fds);
	if (!fds)
		return 1;
	for (int i = 0; i < conns; i++) {
		fds[i] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fds[i] < 0 || connect(fds[i], (struct sockaddr *)&a, sizeof a) != 0) {
			perror("connect");
			kill(responder, SIGKILL);
			return 1;
		}
		no_delay(fds[i]);
		struct epoll_event e = { .events = EPOLLIN, .data.u32 = (uint32_t)i };
		epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &e);
	}

	proc_cpu before, after, total_cpu;
	memset(&total_cpu, 0, sizeof total_cpu);
	proc_cpu_sample(&before, responder);
	double t0 = now_s();
	long sent = 0, done = 0;
	for (int i = 0; i < conns; i++, sent++)
		(void)send(fds[i], req, req_len, MSG_NOSIGNAL);
	char buf[65536];
	struct epoll_event ev[64];
	while (done < total) {
		int k = epoll_wait(ep, ev, 64, 10000);
		if (k <= 0) {
			fprintf(stderr, "no progress for 10 s\n");
			kill(responder, SIGKILL);
			return 1;
		}
		for (int i = 0; i < k; i++) {
			int c = (int)ev[i].data.u32;
			/* one response per read at these sizes, as for requests */
			if (recv(fds[c], buf, sizeof buf, 0) <= 0) {
				fprintf(stderr, "connection %d failed\n", c);
				kill(responder, SIGKILL);
				return 1;
			}
			done++;
			if (sent < total) {
				(void)send(fds[c], req, req_len, MSG_NOSIGNAL);
				sent++;
			}
		}
	}
	double dt = now_s() - t0;
	proc_cpu_sample(&after, responder);
	proc_cpu_accumulate(&total_cpu, &after, &before);
	kill(responder, SIGKILL);
	waitpid(responder, NULL, 0);

	printf("loopback floor: %d connections, %d responder thread(s), %zu-byte requests, "
	       "%zu-byte responses\n",
	       conns, threads, req_len, response_len);
	printf("%.0f requests/s\n", (double)total / dt);
	proc_cpu_print(&total_cpu, (double)total, "responder");
	free(fds);
	free(req);
	free(response);
	return 0;
}
