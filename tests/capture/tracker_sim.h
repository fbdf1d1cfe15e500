/* A small driver for the tracker tests: two endpoints, client (0) at
 * 192.0.2.3:49152 and server (1) at 192.0.2.2:8888, that send hand-built
 * segments with sequence numbers kept like a real stack would, and a log
 * of every state change as text ("C CLOSED>SYN_SENT active_open; ...").
 * Every event is checked on the way: a legal transition, and its "from"
 * equal to the state the previous event left (the tracker never skips). */
#ifndef TCPSTEP_TRACKER_SIM_H
#define TCPSTEP_TRACKER_SIM_H

#include <stdbool.h>
#include <stdint.h>

#include "tracker.h"

#define SIM_MAX_CONNS 64

struct sim {
	struct tracker *t;
	uint64_t pkt;
	int64_t ts;     /* capture time of the next segment, ns */
	int64_t step;   /* added to ts after each segment (default 1 ms) */
	uint32_t nxt[2];  /* next sequence number each endpoint sends */
	uint16_t win[2];  /* raw window each endpoint advertises */
	uint16_t port[2];
	uint8_t addr[2][4];
	char log[8192];   /* state changes since sim_clear_log */
	struct tracker_seginfo last; /* for the last segment sent */
	struct tracker_event last_state; /* the last STATE event */
	struct tracker_conn_summary sum; /* the last CONN summary */
	uint64_t sum_conn;  /* its connection id */
	unsigned nsum;      /* CONN events seen */
	unsigned nstate;    /* STATE events seen */
	enum tcpstate st[SIM_MAX_CONNS + 1][2]; /* states as the events say */
	bool bad;           /* an illegal or discontinuous event was seen */
	int64_t msl;        /* as given to sim_init (0: the default 60 s) */
	uint64_t mark_count[16];
	struct tracker_event evs[256]; /* the STATE events, in order */
	unsigned nevs;
};

/* msl_ns 0: the default. ISNs: client 1000, server 5000. */
void sim_init(struct sim *s, int64_t msl_ns);
void sim_finish(struct sim *s); /* tracker_finish + drain */
void sim_free(struct sim *s);

/* Sends a segment from endpoint e with the given flags (TCPF_*) and len
 * payload bytes. seq is the sender's next sequence number; the ACK field
 * (when TCPF_ACK is set) acknowledges everything the other end sent. */
void sim_send(struct sim *s, int e, uint8_t flags, uint32_t len);
/* The same with an explicit acknowledgement number. */
void sim_send_ack(struct sim *s, int e, uint8_t flags, uint32_t len,
		  uint32_t ack);
/* Fully explicit; the sender's nxt is not changed. */
void sim_raw(struct sim *s, int e, uint8_t flags, uint32_t seq, uint32_t ack,
	     uint32_t len, uint16_t win);
/* Builds (does not send) a segment from e. */
void sim_build(const struct sim *s, struct segment *seg, int e, uint8_t flags,
	       uint32_t seq, uint32_t ack, uint32_t len, uint16_t win);
/* Feeds a prepared segment (pkt and ts are set here). */
void sim_feed(struct sim *s, struct segment *seg);
/* Advances capture time and fires timers. */
void sim_advance(struct sim *s, int64_t ns);

void sim_clear_log(struct sim *s);

/* The usual openings and closings, logged like any other segment. */
void sim_handshake(struct sim *s);           /* SYN, SYN-ACK, ACK */
void sim_close_by(struct sim *s, int e);     /* FIN, ACK, FIN, ACK */

/* Advances capture time past the one-MSL linger of closed connections
 * (default MSL unless msl_ns was given) and returns how many connections
 * the tracker still holds. */
uint64_t sim_open_after_linger(struct sim *s);

/* Current state of endpoint e of connection conn, per the events. */
enum tcpstate sim_state(const struct sim *s, uint64_t conn, int e);

#endif
