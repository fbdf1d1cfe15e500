#include "nodepair.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ctlmsg.h"
#include "frame.h"

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static bool spawn(struct nodepair *p, int who, const char *const *extra)
{
	int ctl[2], wire[2];
	struct np_node *n = &p->n[who];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, ctl) < 0)
		return false;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, wire) < 0)
		return false;
	n->pid = fork();
	if (n->pid < 0)
		return false;
	if (n->pid == 0) {
		const char *argv[64];
		int a = 0;

		/* the node's ends as fds 3 (control) and 4 (frames); via
		 * high numbers first so neither clobbers the other, and dup2
		 * clears close-on-exec */
		int c = fcntl(ctl[1], F_DUPFD, 10), w = fcntl(wire[1], F_DUPFD, 10);
		dup2(c, 3);
		dup2(w, 4);
		argv[a++] = p->exe;
		argv[a++] = "--name";
		argv[a++] = who == NP_SERVER ? "server" : "client";
		argv[a++] = "--ip";
		argv[a++] = who == NP_SERVER ? "192.0.2.2/24" : "192.0.2.3/24";
		argv[a++] = "--frame-fd";
		argv[a++] = "4";
		for (int i = 0; extra && extra[i] && a < 62; i++)
			argv[a++] = extra[i];
		argv[a] = NULL;
		execv(p->exe, (char *const *)argv);
		_exit(127);
	}
	close(ctl[1]);
	close(wire[1]);
	n->ctl = ctl[0];
	n->wire = wire[0];
	fcntl(n->wire, F_SETFL, O_NONBLOCK);
	return true;
}

bool np_start(struct nodepair *p, const char *exe, const char *const *server_args,
	      const char *const *client_args)
{
	memset(p, 0, sizeof *p);
	p->exe = exe;
	p->n[0].pid = p->n[1].pid = -1;
	signal(SIGPIPE, SIG_IGN);
	if (!spawn(p, NP_SERVER, server_args))
		return false;
	/* let the server listen before the client connects */
	int from = 0;
	if (!np_wait(p, NP_SERVER, "clock", &from, 3000))
		return false;
	np_pump(p, 50);
	return spawn(p, NP_CLIENT, client_args);
}

static uint32_t be32(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static void record(struct nodepair *p, int from, const uint8_t *f, size_t len)
{
	uint8_t flags;
	size_t payload;

	p->frames++;
	if (!frame_tcp_info(f, len, &flags, &payload) || p->nsegs == NP_MAX_SEGS)
		return;
	/* frame_tcp_info checked the IPv4 and TCP header lengths */
	size_t tcp = 14 + (size_t)(f[14] & 15) * 4;
	struct np_seg *s = &p->segs[p->nsegs++];
	s->from = from;
	s->flags = flags;
	s->sport = (uint16_t)(f[tcp] << 8 | f[tcp + 1]);
	s->dport = (uint16_t)(f[tcp + 2] << 8 | f[tcp + 3]);
	s->seq = be32(f + tcp + 4);
	s->ack = be32(f + tcp + 8);
	s->payload = payload;
}

static void read_events(struct np_node *n)
{
	ssize_t r = read(n->ctl, n->rbuf + n->rlen, sizeof n->rbuf - 1 - n->rlen);

	if (r <= 0)
		return;
	n->rlen += (size_t)r;
	char *nl;
	while ((nl = memchr(n->rbuf, '\n', n->rlen)) != NULL) {
		size_t len = (size_t)(nl - n->rbuf);
		char *line = n->rbuf;
		uint64_t stamp = 0;
		uint64_t before = n->nevents ? n->stamps[n->nevents - 1] : 0;

		/* every event is stamped, never earlier than the one before */
		if (ctlmsg_take_stamp(&line, &len, &stamp) != 1 || stamp < before)
			n->bad_stamps++;
		if (n->nevents < NP_MAX_EVENTS) {
			char *e = malloc(len + 1);
			memcpy(e, line, len);
			e[len] = '\0';
			n->stamps[n->nevents] = stamp;
			n->events[n->nevents++] = e;
		}
		len = (size_t)(nl - n->rbuf);
		memmove(n->rbuf, nl + 1, n->rlen - len - 1);
		n->rlen -= len + 1;
	}
	if (n->rlen == sizeof n->rbuf - 1)
		n->rlen = 0; /* an over-long line: the node never sends one */
}

void np_pump(struct nodepair *p, int ms)
{
	long end = now_ms() + ms;

	do {
		/* control and wire fds of each node that exists */
		struct pollfd use[4];
		nfds_t k = 0;
		for (int who = 0; who < 2; who++) {
			if (p->n[who].pid <= 0)
				continue;
			use[k++] = (struct pollfd){ .fd = p->n[who].ctl, .events = POLLIN };
			use[k++] = (struct pollfd){ .fd = p->n[who].wire, .events = POLLIN };
		}
		long left = end - now_ms();
		if (poll(use, k, left > 0 ? (int)left : 0) <= 0)
			continue;
		for (nfds_t i = 0; i < k; i++) {
			if (!(use[i].revents & POLLIN))
				continue;
			for (int who = 0; who < 2; who++) {
				if (use[i].fd == p->n[who].ctl) {
					read_events(&p->n[who]);
				} else if (use[i].fd == p->n[who].wire) {
					uint8_t f[2048];
					ssize_t r;
					while ((r = read(p->n[who].wire, f, sizeof f)) > 0) {
						record(p, who, f, (size_t)r);
						if (p->n[!who].pid > 0)
							(void)!write(p->n[!who].wire, f, (size_t)r);
					}
				}
			}
		}
	} while (now_ms() < end);
}

const char *np_wait(struct nodepair *p, int who, const char *prefix,
		    int *from, int timeout_ms)
{
	long end = now_ms() + timeout_ms;
	size_t plen = strlen(prefix);

	for (;;) {
		struct np_node *n = &p->n[who];
		for (int i = *from; i < n->nevents; i++) {
			if (strncmp(n->events[i], prefix, plen) == 0) {
				*from = i + 1;
				return n->events[i];
			}
		}
		if (now_ms() >= end)
			return NULL;
		np_pump(p, 10);
	}
}

void np_send_raw(struct nodepair *p, int who, const void *data, size_t len)
{
	(void)!write(p->n[who].ctl, data, len);
}

const char *np_cmd(struct nodepair *p, int who, const char *line)
{
	int from = p->n[who].nevents;
	long end = now_ms() + 5000;

	np_send_raw(p, who, line, strlen(line));
	np_send_raw(p, who, "\n", 1);
	for (;;) {
		struct np_node *n = &p->n[who];
		for (int i = from; i < n->nevents; i++)
			if (strncmp(n->events[i], "ok ", 3) == 0 ||
			    strncmp(n->events[i], "error ", 6) == 0)
				return n->events[i];
		if (now_ms() >= end)
			return NULL;
		np_pump(p, 5);
	}
}

bool np_stop(struct nodepair *p)
{
	bool ok = true;

	for (int who = 0; who < 2; who++) {
		struct np_node *n = &p->n[who];
		if (n->pid <= 0)
			continue;
		np_send_raw(p, who, "quit\n", 5);
	}
	for (int who = 0; who < 2; who++) {
		struct np_node *n = &p->n[who];
		int st = 0;
		if (n->pid <= 0)
			continue;
		/* bounded: a node that hangs is killed and the test fails */
		for (int i = 0; i < 300 && waitpid(n->pid, &st, WNOHANG) == 0; i++)
			usleep(10000);
		if (waitpid(n->pid, &st, WNOHANG) == 0) {
			kill(n->pid, SIGKILL);
			waitpid(n->pid, &st, 0);
			ok = false;
		}
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
			fprintf(stderr, "node %d: exit status 0x%x\n", who, st);
			ok = false;
		}
		close(n->ctl);
		close(n->wire);
		for (int i = 0; i < n->nevents; i++)
			free(n->events[i]);
		n->nevents = 0;
		n->pid = -1;
	}
	return ok;
}

bool np_word(const char *event, int i, char *dst, size_t dstsize)
{
	char line[CTLMSG_LINE_MAX];
	char *w[CTLMSG_MAX_WORDS];
	size_t len = strlen(event);

	if (len >= sizeof line)
		return false;
	memcpy(line, event, len + 1);
	int nw = ctlmsg_split(line, len, w, CTLMSG_MAX_WORDS);
	if (nw <= i)
		return false;
	return ctlmsg_text_decode(dst, dstsize, w[i], NULL) == 0;
}

void np_outs(const struct nodepair *p, int who, char *dst, size_t dstsize)
{
	size_t len = 0;

	dst[0] = '\0';
	for (int i = 0; i < p->n[who].nevents; i++) {
		char text[CTLMSG_LINE_MAX];
		if (strncmp(p->n[who].events[i], "out ", 4) != 0 ||
		    !np_word(p->n[who].events[i], 1, text, sizeof text))
			continue;
		len += (size_t)snprintf(dst + len, len < dstsize ? dstsize - len : 0,
					"%s\n", text);
		if (len >= dstsize)
			return;
	}
}

void np_states(const struct nodepair *p, int who, uint16_t port, char *dst,
	       size_t dstsize)
{
	size_t len = 0;

	dst[0] = '\0';
	for (int i = 0; i < p->n[who].nevents; i++) {
		const char *e = p->n[who].events[i];
		char local[32], remote[32], from[16], to[16], cause[64];
		if (strncmp(e, "state ", 6) != 0 ||
		    !np_word(e, 2, local, sizeof local) ||
		    !np_word(e, 3, remote, sizeof remote) ||
		    !np_word(e, 4, from, sizeof from) || !np_word(e, 5, to, sizeof to) ||
		    !np_word(e, 6, cause, sizeof cause))
			continue;
		if (port) {
			char want[8];
			snprintf(want, sizeof want, ":%u", (unsigned)port);
			const char *lp = strrchr(local, ':'), *rp = strrchr(remote, ':');
			if (strcmp(lp, want) != 0 && strcmp(rp, want) != 0)
				continue;
		}
		len += (size_t)snprintf(dst + len, len < dstsize ? dstsize - len : 0,
					"%s%s>%s(%s)", len ? " " : "", from, to, cause);
		if (len >= dstsize)
			return;
	}
}

long np_state_time(const struct nodepair *p, int who, const char *from,
		   const char *to)
{
	for (int i = 0; i < p->n[who].nevents; i++) {
		const char *e = p->n[who].events[i];
		char t[24], f[16], o[16];
		if (strncmp(e, "state ", 6) == 0 && np_word(e, 1, t, sizeof t) &&
		    np_word(e, 4, f, sizeof f) && np_word(e, 5, o, sizeof o) &&
		    strcmp(f, from) == 0 && strcmp(o, to) == 0)
			return atol(t);
	}
	return -1;
}

uint64_t np_state_stamp(const struct nodepair *p, int who, const char *from,
			const char *to)
{
	for (int i = 0; i < p->n[who].nevents; i++) {
		const char *e = p->n[who].events[i];
		char f[16], o[16];
		if (strncmp(e, "state ", 6) == 0 &&
		    np_word(e, 4, f, sizeof f) && np_word(e, 5, o, sizeof o) &&
		    strcmp(f, from) == 0 && strcmp(o, to) == 0)
			return p->n[who].stamps[i];
	}
	return 0;
}

int np_tcp_segments(const struct nodepair *p)
{
	return p->nsegs;
}

const char *np_node_exe_arg(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s PATH-TO-tcpstep-node\n", argv[0]);
		exit(2);
	}
	return argv[1];
}
