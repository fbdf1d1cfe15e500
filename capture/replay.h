/* The replay engine: one pass over a capture builds an index from which the
 * UI can show any frame and every connection's state at any frame, forward,
 * back or by jump, without decoding the file again (docs/ui.md;
 * issue "The ncurses UI, part 1").
 *
 * What the index keeps (sized for 10M frames and 400k connections):
 *  - frame offsets in blocks (one file offset every REPLAY_BLOCK frames), so
 *    any frame is a seek and at most REPLAY_BLOCK-1 frames read forward;
 *  - each frame's connection id (0: not a tracked TCP segment) and the
 *    tracker's marks for it, so lists and ladders need no re-decode;
 *  - each connection's frames (frame numbers), its endpoints, and a log of
 *    its transitions (frame, endpoint, from, to, reason, cause, timer);
 *  - per connection and direction the relative-number base(s), so relative
 *    seq/ack of any of its segments come from the segment itself.
 * The state of a connection at frame N is then one walk along its log (a
 * dozen records) and at most 64 of its segments from a checkpoint; no
 * whole-tracker checkpoint is ever taken.
 *
 * Memory (replay.c has the layout): frames in varint-coded blocks (about
 * 3.1 bytes a frame), each connection's segments as varint frame
 * differences and lengths (about 2.8 bytes a segment), 48 bytes a
 * connection plus a few bytes per transition, base change and history
 * letter: 12 bytes a packet on gen_pcap's 1M and 10M captures
 * (bench/replay_bench, replay_memory; issue 9's budget is 16).
 *
 * A transition belongs to the frame that caused it (the `pkt` of `decode
 * --json`): a server's LISTEN -> SYN_RCVD, decided by its SYN-ACK, is at the
 * SYN's frame. "The state at frame N" is the state after every transition
 * whose pkt <= N (timer transitions, TIME_WAIT -> CLOSED, are stamped with
 * the last frame the tracker had seen before the deadline, as in --json).
 *
 * The index is built incrementally (replay_index_step), so a UI can show the
 * first screen at once and stay responsive while a big file is indexed.
 *
 *   char err[REPLAY_ERRBUF_SIZE];
 *   struct replay *r = replay_open(path, &cfg, err);
 *   while (!replay_index_done(r)) replay_index_step(r, 50000);
 *   ...
 *   replay_close(r);
 */
#ifndef TCPSTEP_REPLAY_H
#define TCPSTEP_REPLAY_H

#include <stdbool.h>
#include <stdint.h>

#include "segment.h"
#include "tcpstate.h"
#include "tracker.h"

#define REPLAY_ERRBUF_SIZE 512

struct replay;

struct replay_config {
	const char *filter; /* BPF, tcpdump syntax; NULL or "" for every frame */
	int64_t msl_ns;     /* as tracker_config.msl_ns */
	/* A file still being written (a live session's recording, flushed as
	 * frames come): its end only means "nothing more yet", and a later
	 * replay_index_step picks up what was added; indexing ends at the end
	 * of file after replay_follow_end. */
	bool follow;
};

/* Opens path ("-": standard input, read to its end into a private,
 * unlinked temporary file so it can be seeked; the call returns once the
 * writer closed it) and reads its header. Nothing is indexed yet. NULL
 * with the reason in err. */
struct replay *replay_open(const char *path, const struct replay_config *cfg,
			   char *err);
void replay_close(struct replay *r); /* NULL is fine */

/* Indexes up to max_frames more frames. Returns false once indexing has
 * ended (end of file, or damage: then replay_damage() says why; every frame
 * before the damage stays usable). */
bool replay_index_step(struct replay *r, uint64_t max_frames);
bool replay_index_done(const struct replay *r);
/* follow: the writer has finished; the next end of file ends indexing. */
void replay_follow_end(struct replay *r);
/* follow: whether the last step stopped at the end of what is written. */
bool replay_at_end(const struct replay *r);
/* follow, at the end of what is written: capture time (the wall clock of a
 * live capture, CLOCK_REALTIME ns) has reached now_ns with no frame, so a
 * TIME_WAIT whose 2 x MSL is over ends (a transition at the newest frame).
 * Call it only when every frame captured before now_ns is indexed. */
void replay_advance(struct replay *r, int64_t now_ns);
/* When the tracker's next timer is due (capture time), INT64_MAX: none. */
int64_t replay_next_deadline(const struct replay *r);
/* Fraction of the file's bytes indexed, 0..1 (for stdin: of the spooled
 * copy); 1 once indexing has ended. */
double replay_index_progress(const struct replay *r);
/* NULL, or why indexing stopped early, as the source says it
 * ("x.pcap: after frame 12: truncated dump file; ..."). */
const char *replay_damage(const struct replay *r);

/* Frames indexed so far (frame numbers are 1..replay_frames). */
uint64_t replay_frames(const struct replay *r);
/* Connections seen so far (ids 1..replay_conns). */
uint64_t replay_conns(const struct replay *r);

/* One frame, decoded again from the file on demand. */
struct replay_frame {
	uint64_t pkt;
	int64_t ts_ns;
	bool is_segment;            /* a TCP segment the tracker took */
	struct segment seg;         /* valid when is_segment (payload: see below) */
	/* conn, endpoint, rel seq/ack, marks, dup count (saturated at 262143),
	 * note and note_reason: what tracker_input gave for this segment,
	 * except that a SYN a later SYN-ACK proved opened a new connection
	 * (tracker_seginfo.syn_pkt) is that connection's client's, as the
	 * index moved it; syn_pkt and syn_conn are 0 here. */
	struct tracker_seginfo info;
	/* Up to 256 captured payload bytes, owned by the replay, valid until the
	 * next replay_frame call; seg.payload and seg.payload_caplen point at
	 * the same copy. */
	const uint8_t *payload;
	uint32_t payload_len;
	/* For a frame that is not a segment: a short note ("not IP",
	 * "malformed: ...", "icmp-error", "hidden by the filter": a frame the
	 * filter hid keeps its number but has no time, 0), or "" */
	char note[128];
};
/* false with err set when pkt is out of range or the file cannot be read. */
bool replay_frame(struct replay *r, uint64_t pkt, struct replay_frame *out,
		  char *err);

/* Cheap, from the index (no file access). */
uint64_t replay_frame_conn(const struct replay *r, uint64_t pkt); /* 0: none */
unsigned replay_frame_marks(const struct replay *r, uint64_t pkt);
int64_t replay_frame_time(const struct replay *r, uint64_t pkt);

struct replay_conn {
	uint64_t id;
	uint8_t ip_version;
	uint8_t addr[2][16]; /* [0] client, [1] server */
	uint16_t port[2];
	uint64_t first_pkt, last_pkt;
	bool mid_stream;     /* capture began after the connection opened */
};
bool replay_conn_info(const struct replay *r, uint64_t conn, struct replay_conn *out);

/* Everything the connection list shows for conn at frame pkt. */
struct replay_conn_at {
	enum tcpstate state[2];     /* after every transition with pkt' <= pkt */
	uint64_t segments;          /* its segments with frame <= pkt */
	uint64_t bytes[2];          /* payload bytes sent by each endpoint so far */
	/* How it ended, once it has (else ""): "closed", "reset by client", ... */
	const char *ended;
	/* Zeek-style history of what each side sent up to pkt: S h A D F R for
	 * SYN, SYN-ACK, pure ACK, data, FIN, RST; uppercase the client, lowercase
	 * the server; each letter once per direction as in Zeek. NUL-terminated. */
	char history[24];
	/* With TIME_WAIT: when each endpoint entered it (capture time), else 0. */
	int64_t time_wait_since_ns[2];
};
bool replay_conn_at(const struct replay *r, uint64_t conn, uint64_t pkt,
		    struct replay_conn_at *out);

/* Frames of one connection, in order: count, and the i-th (0-based). */
uint64_t replay_conn_frames(const struct replay *r, uint64_t conn);
uint64_t replay_conn_frame(const struct replay *r, uint64_t conn, uint64_t i);
/* Index i of the first frame of conn >= pkt (replay_conn_frames if none). */
uint64_t replay_conn_frame_lower(const struct replay *r, uint64_t conn, uint64_t pkt);

/* Transitions of one connection, in pkt order. */
struct replay_transition {
	uint64_t pkt;
	int64_t ts_ns;
	int endpoint;            /* 0 client, 1 server */
	enum tcpstate from, to;
	const char *cause;       /* static strings from the tracker */
	const char *reason;
	bool by_timer;
	/* A decided-later transition (docs/states.md: a SYN reaching an
	 * endpoint we know nothing about, a FIN reaching an ESTABLISHED one)
	 * is stamped at the frame that caused it (pkt) but decided by a later
	 * segment: that segment's frame; 0 for every other transition. */
	uint64_t decided_pkt;
};
uint64_t replay_conn_transitions(const struct replay *r, uint64_t conn);
bool replay_conn_transition(const struct replay *r, uint64_t conn, uint64_t i,
			    struct replay_transition *out);

/* The frame of the next transition after pkt (prev: before pkt) of conn,
 * or of any connection when conn is 0; 0 when there is none. */
uint64_t replay_next_transition(const struct replay *r, uint64_t conn, uint64_t pkt);
uint64_t replay_prev_transition(const struct replay *r, uint64_t conn, uint64_t pkt);

/* Bytes of memory the index holds (for the benchmark). */
uint64_t replay_memory(const struct replay *r);

#endif
