/* Plain-language explanations of what happened at a replay position, for a
 * student who has never seen TCP, in English or Japanese (gettext, text
 * domain "tcpstep", catalogues in po/).
 *
 *   explain_init(explain_localedir());   // once, before any text
 *   explain_set_lang("ja");              // at any time ("en" or "ja")
 *   struct explain_change c = {.endpoint = 1, .from = TCPSTATE_LISTEN,
 *       .to = TCPSTATE_SYN_RCVD, .reason = "passive_open",
 *       .seg = {.from_endpoint = 0, .flags = TCPF_SYN}, .has_seg = true};
 *   explain_change(buf, sizeof buf, &c);
 *
 * The explain_* text functions read nothing but their arguments and the
 * message catalogue: the same input in the same language gives the same
 * text. Output is UTF-8 whatever the locale's character set. */
#ifndef TCPSTEP_EXPLAIN_H
#define TCPSTEP_EXPLAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tcpstate.h"
#include "tracker.h"

/* The segment at the position, as the ladder shows it. */
struct explain_seg {
	int from_endpoint;      /* 0 client, 1 server: its sender */
	uint8_t flags;          /* TCPF_* (capture/segment.h) */
	uint32_t rel_seq;       /* tracker_seginfo.rel_seq */
	uint32_t rel_ack;       /* tracker_seginfo.rel_ack; meaningful with TCPF_ACK */
	uint32_t len;           /* payload bytes */
	uint32_t window;        /* advertised window, scaled */
	unsigned marks;         /* enum tracker_mark bits */
	unsigned dup_ack_count; /* with TRACKER_MARK_DUP_ACK: 1 for the first */
	const char *note_reason; /* tracker_seginfo.note_reason, or NULL */
};

/* What the tracker could not see, for the uncertainty sentences. */
enum explain_unsure {
	EXPLAIN_MID_STREAM = 1u << 0, /* connection joined after its handshake */
	EXPLAIN_LATE_START = 1u << 1, /* capture began during the handshake */
	EXPLAIN_DECIDED_LATER = 1u << 2, /* proved by a later reply (decided_pkt) */
};

/* One endpoint's state change at the position. */
struct explain_change {
	int endpoint;           /* 0 client, 1 server */
	enum tcpstate from, to;
	const char *reason;     /* tracker_state_change.reason */
	bool by_timer;          /* the 2MSL timer, not a segment */
	bool has_seg;           /* seg is the segment that caused it */
	struct explain_seg seg;
	unsigned unsure;        /* enum explain_unsure bits */
	uint64_t decided_pkt;   /* with EXPLAIN_DECIDED_LATER: the frame of the reply */
};

/* Binds the text domain to localedir (a directory holding
 * ja/LC_MESSAGES/tcpstep.mo) with UTF-8 output. Returns 0, or -1 if
 * gettext refused. */
int explain_init(const char *localedir);

/* Where the catalogues are: the install prefix's locale directory when its
 * tcpstep.mo exists, otherwise the build tree's po/ (so an uninstalled
 * binary and the tests find the .mo that meson built). */
const char *explain_localedir(void);

/* Switches the language of every later explanation: "en" or "ja"
 * (a "ja_JP.UTF-8"-style name counts as "ja"). Works without a Japanese
 * locale installed (see explain.c). Returns 0, or -1 for an unknown
 * language (nothing changed). */
int explain_set_lang(const char *lang);

/* "ja" when the environment asks for Japanese (LANGUAGE's first entry, or
 * else the first set of LC_ALL, LC_MESSAGES, LANG, starts with "ja"),
 * "en" otherwise. For the program's start: setlocale(LC_ALL, "") fails
 * with LANG=ja_JP.UTF-8 where that locale is not generated, and
 * explain_set_lang(explain_env_lang()) still gives Japanese. Call it
 * before explain_set_lang, which sets LANGUAGE itself. */
const char *explain_env_lang(void);

/* "en" or "ja": the language the catalogue in use really gives. */
const char *explain_lang(void);

/* The sentence of one reason key (tracker_reason_key) for endpoint (0
 * client, 1 server), in the current language, without context numbers.
 * Every key has its own. Same buffer contract as explain_change; returns
 * 0 (and writes "") for an unknown key. */
size_t explain_reason(char *buf, size_t cap, const char *reason, int endpoint);

/* The sentence of one mark (a single enum tracker_mark bit) about segment
 * s (its sender, dup_ack_count, window, note_reason). Returns 0 (and
 * writes "") for a value that is not one mark. */
size_t explain_mark(char *buf, size_t cap, enum tracker_mark m, const struct explain_seg *s);

/* The explanation of a state change: what happened, why, the RFC 9293
 * section, the numbers of the segment, and what the tool could not see.
 * Writes a NUL-terminated UTF-8 string into buf (cut at a character
 * boundary when cap is too small) and returns the length it needed, as
 * snprintf does. */
size_t explain_change(char *buf, size_t cap, const struct explain_change *c);

/* The explanation of a segment that changed no state: what it is (data,
 * pure ACK, SYN, FIN, RST, ...) and one sentence per mark. unsure takes
 * EXPLAIN_MID_STREAM. Same buffer contract as explain_change. */
size_t explain_segment(char *buf, size_t cap, const struct explain_seg *s, unsigned unsure);

/* The data a segment carries besides the state change it caused (a FIN
 * with its last bytes, an ACK of the handshake with the first request):
 * one sentence, "" when it carries none. Same buffer contract. */
size_t explain_data(char *buf, size_t cap, const struct explain_seg *s);

/* Live: a segment that crossed the wire and was dropped by the node it was
 * addressed to (drop-next-in, the key d): one sentence saying so, and that
 * its sender will retransmit it when its RTO fires (press t, when the
 * sender is a node whose clock the session steps; a kernel sender keeps
 * its own). endpoint: the receiver (0 client, 1 server); node: the name of
 * the node that dropped it. Same buffer contract as explain_change. */
size_t explain_lost(char *buf, size_t cap, int endpoint, const char *node,
		    bool sender_is_node);

#endif
