/* Two real tcpstep-node processes, "server" (192.0.2.2) and "client"
 * (192.0.2.3), without root: each node's frames go over a SOCK_SEQPACKET
 * socketpair (--frame-fd) to this process, which relays them to the other
 * node and records every TCP segment; each node's control socket is a
 * socketpair too. So tests see exactly what crosses the "wire" and every
 * event, as the controller would. */
#ifndef TCPSTEP_TEST_NODEPAIR_H
#define TCPSTEP_TEST_NODEPAIR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define NP_SERVER 0
#define NP_CLIENT 1
#define NP_MAX_EVENTS 512
#define NP_MAX_SEGS 256

struct np_seg {
	int from;        /* NP_SERVER or NP_CLIENT */
	uint8_t flags;   /* TCP flags */
	uint32_t seq, ack;
	uint16_t sport, dport;
	size_t payload;
};

struct np_node {
	pid_t pid;
	int ctl;   /* our end of the control socket */
	int wire;  /* our end of its frame socket */
	char rbuf[8192];
	size_t rlen;
	/* events without their stamp word, and the stamps (ns) */
	char *events[NP_MAX_EVENTS];
	uint64_t stamps[NP_MAX_EVENTS];
	int nevents;
	/* events without a valid stamp, or stamped before the one before */
	int bad_stamps;
};

struct nodepair {
	const char *exe;
	struct np_node n[2];
	struct np_seg segs[NP_MAX_SEGS];
	int nsegs;
	int frames; /* all frames relayed, TCP or not */
};

/* Starts both nodes. args are extra options per node (NULL-terminated
 * arrays), e.g. {"--app", "server", NULL}. Returns false on failure. */
bool np_start(struct nodepair *p, const char *exe, const char *const *server_args,
	      const char *const *client_args);
/* Relays frames and reads events for about ms milliseconds. */
void np_pump(struct nodepair *p, int ms);
/* Pumps until node `who` has an event starting with prefix at index >=
 * *from (updated to the index found + 1); returns the event or NULL on
 * timeout. */
const char *np_wait(struct nodepair *p, int who, const char *prefix,
		    int *from, int timeout_ms);
/* Sends a command line (without '\n') and waits for its `ok` or `error`
 * answer, which it returns (NULL on timeout). */
const char *np_cmd(struct nodepair *p, int who, const char *line);
/* Sends raw bytes on the control socket (for malformed input). */
void np_send_raw(struct nodepair *p, int who, const void *data, size_t len);
/* quit, wait for both processes, free everything. Returns true if both
 * exited with status 0. */
bool np_stop(struct nodepair *p);

/* The decoded text of an event's word i (0 = verb), into dst. */
bool np_word(const char *event, int i, char *dst, size_t dstsize);
/* Collects node `who`'s `out` lines (decoded), joined with '\n' after each. */
void np_outs(const struct nodepair *p, int who, char *dst, size_t dstsize);
/* Collects node `who`'s state changes as "FROM>TO(cause)" joined by ' ',
 * for the connection whose local or remote port is `port` (0: all). */
void np_states(const struct nodepair *p, int who, uint16_t port, char *dst,
	       size_t dstsize);
/* The T of the first state event FROM -> TO of node who, or -1. */
long np_state_time(const struct nodepair *p, int who, const char *from,
		   const char *to);
/* The stamp of the first state event FROM -> TO of node who, or 0. */
uint64_t np_state_stamp(const struct nodepair *p, int who, const char *from,
			const char *to);
/* Counts the TCP segments relayed so far. */
int np_tcp_segments(const struct nodepair *p);

/* The node executable the test was given (argv[1], as meson passes it);
 * exits 2 with a usage line when there is none. */
const char *np_node_exe_arg(int argc, char **argv);

#endif
