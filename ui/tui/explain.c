/* Explanations: English msgids marked N_() in tables, looked up with
 * dgettext so the library never changes the program's default text domain.
 * Sentences carry {tokens} that we expand ourselves rather than printf
 * formats: a translation may reorder them freely (Japanese puts the
 * subject and the numbers elsewhere), and a catalogue can never smuggle a
 * %n into a format string. */
#include "explain.h"

#include <libintl.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "segment.h"

#define EXPLAIN_DOMAIN "tcpstep"
#define _(s) dgettext(EXPLAIN_DOMAIN, s)
#define N_(s) s

#ifndef TCPSTEP_LOCALEDIR
#define TCPSTEP_LOCALEDIR "/usr/local/share/locale"
#endif
#ifndef TCPSTEP_BUILD_LOCALEDIR
#define TCPSTEP_BUILD_LOCALEDIR TCPSTEP_LOCALEDIR
#endif

/* ---- output: a snprintf-like buffer cut at a character boundary ------- */

struct out {
	char *buf;
	size_t cap, len; /* len: what the whole text needs, may exceed cap */
};

static void out_bytes(struct out *o, const char *s, size_t n)
{
	if (o->len < o->cap && o->cap > 0) {
		size_t room = o->cap - 1 - o->len;
		memcpy(o->buf + o->len, s, n < room ? n : room);
	}
	o->len += n;
}

static void out_str(struct out *o, const char *s)
{
	out_bytes(o, s, strlen(s));
}

static void out_u64(struct out *o, uint64_t v)
{
	char num[24];
	int n = snprintf(num, sizeof num, "%llu", (unsigned long long)v);
	out_bytes(o, num, (size_t)n);
}

/* NUL-terminates; when cut, backs off to the start of the last UTF-8
 * sequence so the caller never gets half a character. */
static size_t out_end(struct out *o)
{
	if (o->cap == 0)
		return o->len;
	if (o->len < o->cap) {
		o->buf[o->len] = '\0';
		return o->len;
	}
	/* kept: buf[0, end); if the last sequence in it is incomplete, drop it */
	size_t end = o->cap - 1, lead = end;
	while (lead > 0 && ((unsigned char)o->buf[lead - 1] & 0xC0) == 0x80)
		lead--;
	if (lead > 0) {
		unsigned char b = (unsigned char)o->buf[lead - 1];
		size_t want = b < 0x80 ? 1 : b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : 2;
		if (end - (lead - 1) < want)
			end = lead - 1;
	}
	o->buf[end] = '\0';
	return o->len;
}

/* ---- token expansion --------------------------------------------------- */

struct vars {
	int endpoint; /* subject of the sentence */
	enum tcpstate to;
	uint64_t seq, last, ack, next, len, n, pkt, win;
	const char *node; /* a live session's node name, as it is */
};

static const char *endpoint_name(int ep, bool capital)
{
	if (ep == 0)
		return capital ? _("The client") : _("the client");
	return capital ? _("The server") : _("the server");
}

static void expand(struct out *o, const char *tmpl, const struct vars *v)
{
	const char *p = tmpl;
	while (*p) {
		const char *open = strchr(p, '{');
		const char *close = open ? strchr(open, '}') : NULL;
		if (!open || !close) {
			out_str(o, p);
			return;
		}
		out_bytes(o, p, (size_t)(open - p));
		size_t n = (size_t)(close - open - 1);
		const char *name = open + 1;
#define TOKEN(t) (n == sizeof(t) - 1 && memcmp(name, t, n) == 0)
		if (TOKEN("End"))
			out_str(o, endpoint_name(v->endpoint, true));
		else if (TOKEN("end"))
			out_str(o, endpoint_name(v->endpoint, false));
		else if (TOKEN("Peer"))
			out_str(o, endpoint_name(!v->endpoint, true));
		else if (TOKEN("peer"))
			out_str(o, endpoint_name(!v->endpoint, false));
		else if (TOKEN("to"))
			out_str(o, tcpstate_to_str(v->to));
		else if (TOKEN("seq"))
			out_u64(o, v->seq);
		else if (TOKEN("last"))
			out_u64(o, v->last);
		else if (TOKEN("ack"))
			out_u64(o, v->ack);
		else if (TOKEN("next"))
			out_u64(o, v->next);
		else if (TOKEN("len"))
			out_u64(o, v->len);
		else if (TOKEN("n"))
			out_u64(o, v->n);
		else if (TOKEN("pkt"))
			out_u64(o, v->pkt);
		else if (TOKEN("win"))
			out_u64(o, v->win);
		else if (TOKEN("node"))
			out_str(o, v->node ? v->node : "?");
		else /* not a token: keep the text as written */
			out_bytes(o, open, n + 2);
#undef TOKEN
		p = close + 1;
	}
}

/* Sentences are joined by a space in English; Japanese sentences end with
 * 。 and run on without one. */
static void sentence(struct out *o, const char *tmpl, const struct vars *v)
{
	if (o->len > 0 && strcmp(explain_lang(), "ja") != 0)
		out_str(o, " ");
	expand(o, _(tmpl), v);
}

/* ---- the reason keys ---------------------------------------------------- */

/* Which numbers of the causing segment a key's explanation adds. */
enum nums {
	NUMS_NONE,
	NUMS_SYN_IN,    /* received a SYN: our ack will be its seq + 1 */
	NUMS_SYNACK_IN, /* received a SYN-ACK: its ack is our ISN + 1 */
	NUMS_ACK_OF_SYN,
	NUMS_FIN_OUT,   /* sent a FIN */
	NUMS_FIN_IN,    /* received a FIN */
	NUMS_FIN_ACKED, /* received the ACK of our FIN */
};

struct reason {
	const char *key;
	const char *text;
	enum nums nums;
};

/* One per key of tracker_reason_key (test_explain checks both ways). */
static const struct reason explain_reasons[] = {
	{"active_open", N_("{End} called connect(): it sends a SYN carrying its initial sequence number (ISN) and moves to SYN_SENT to wait for SYN+ACK. Step 1 of the three-way handshake (RFC 9293 3.5)."), NUMS_NONE},
	{"listen_inferred", N_("{End} was already listening on this port: its SYN+ACK reply proves that a server socket was waiting, so the tool shows it in LISTEN first (RFC 9293 3.5, figure 5)."), NUMS_NONE},
	{"passive_open", N_("{End} received a SYN while listening. It answers with SYN+ACK and moves to SYN_RCVD: step 2 of the three-way handshake (RFC 9293 3.5)."), NUMS_SYN_IN},
	{"synack_rcvd", N_("{End} received the SYN+ACK that answers its SYN. It replies with an ACK and moves to ESTABLISHED: step 3 of the three-way handshake, and data may now flow (RFC 9293 3.5)."), NUMS_SYNACK_IN},
	{"handshake_ack_rcvd", N_("{End} received the ACK of its SYN+ACK. The three-way handshake is complete and it moves to ESTABLISHED (RFC 9293 3.5)."), NUMS_ACK_OF_SYN},
	{"simultaneous_open", N_("{End} had sent a SYN and then received a SYN from {peer}: both opened at the same time. It answers with SYN+ACK and moves to SYN_RCVD (simultaneous open, RFC 9293 3.5, figure 8)."), NUMS_SYN_IN},
	{"simultaneous_open_established", N_("In this simultaneous open, {end} received the SYN+ACK of {peer}, which acknowledges its SYN, and moves to ESTABLISHED (RFC 9293 3.5)."), NUMS_SYNACK_IN},
	{"synack_not_captured", N_("{End} sent an ACK after its SYN, so it must have received a SYN+ACK that the capture missed. The tool moves it to ESTABLISHED (RFC 9293 3.5)."), NUMS_NONE},
	{"syn_not_captured_client", N_("The capture begins at a SYN+ACK addressed to {end}: its SYN was sent before the capture started, so the tool puts it in SYN_SENT without having seen that SYN (RFC 9293 3.5)."), NUMS_NONE},
	{"syn_not_captured_listen", N_("The capture begins at a SYN+ACK sent by {end}: it must have been listening already, so the tool puts it in LISTEN first (RFC 9293 3.5)."), NUMS_NONE},
	{"syn_not_captured_server", N_("{End} sent a SYN+ACK, so it had received a SYN that the capture did not see: the tool moves it to SYN_RCVD (RFC 9293 3.5)."), NUMS_NONE},
	{"midstream_established", N_("The capture began after this connection was opened: {end} sends ACKs, so it is at least ESTABLISHED, the state in which data is exchanged (RFC 9293 3.3.2)."), NUMS_NONE},
	{"active_close", N_("The application of {end} closed the connection (or stopped writing): it sends a FIN and moves to FIN_WAIT_1 to wait for its ACK. It is the side that closes first, the active closer (RFC 9293 3.6)."), NUMS_FIN_OUT},
	{"close_in_syn_rcvd", N_("The application of {end} closed before the handshake finished: a FIN follows its SYN+ACK and it moves to FIN_WAIT_1 (RFC 9293 3.6)."), NUMS_FIN_OUT},
	{"fin_rcvd", N_("{End} received a FIN: {peer} will send no more data. It acknowledges the FIN and moves to CLOSE_WAIT; its application may still send, then close (RFC 9293 3.6)."), NUMS_FIN_IN},
	{"passive_close", N_("The application of {end} closed after the FIN of {peer}: it sends its own FIN and moves to LAST_ACK to wait for the last ACK (RFC 9293 3.6)."), NUMS_FIN_OUT},
	{"fin_acked", N_("{End} received the ACK of its FIN and moves to FIN_WAIT_2. Its own direction is closed; it now waits for the FIN of {peer}, which may still send data (RFC 9293 3.6)."), NUMS_FIN_ACKED},
	{"fin_rcvd_fin_wait_2", N_("{End} received the FIN of {peer} after its own FIN was acknowledged. It acknowledges it and moves to TIME_WAIT, where it waits 2 x MSL before closing (RFC 9293 3.6)."), NUMS_FIN_IN},
	{"fin_ack_rcvd", N_("{End} received the FIN of {peer} together with the ACK of its own FIN, so it skips FIN_WAIT_2 and goes straight to TIME_WAIT (RFC 9293 3.10.7.4)."), NUMS_FIN_IN},
	{"simultaneous_close", N_("{End} had sent its FIN and received the FIN of {peer} before its own was acknowledged: both closed at the same time. It moves to CLOSING to wait for the ACK of its FIN (simultaneous close, RFC 9293 3.6)."), NUMS_FIN_IN},
	{"closing_acked", N_("In this simultaneous close, the FIN of {end} was acknowledged: it moves from CLOSING to TIME_WAIT and waits 2 x MSL (RFC 9293 3.6)."), NUMS_FIN_ACKED},
	{"last_ack_acked", N_("{End} received the ACK of its FIN, the last thing it was waiting for: the side that closed second is done and moves to CLOSED (RFC 9293 3.6)."), NUMS_FIN_ACKED},
	{"time_wait_expired", N_("{End} stayed 2 x MSL in TIME_WAIT (in capture time), long enough for any old copy of a segment to disappear from the network, and is now CLOSED (RFC 9293 3.6)."), NUMS_NONE},
	{"syn_retried", N_("{End} sent the same SYN again, with the same initial sequence number, after its first attempt was refused or reset: the application tried connect() once more, so the connection opens again and it moves to SYN_SENT (RFC 9293 3.5)."), NUMS_NONE},
	{"time_wait_reused", N_("A new SYN on the same addresses and ports ends the TIME_WAIT of {end} early: the pair of ports is reused for a new connection (RFC 9293 3.6.1)."), NUMS_NONE},
	{"superseded", N_("A new handshake took the addresses and ports of this connection: a SYN with a new initial sequence number was answered by a SYN+ACK. So {end} no longer holds this connection, which was abandoned without FIN or RST (a restart after a crash, or a NAT that reused the port), and it moves to {to}; the new handshake is a new connection (RFC 9293 3.10.7.4)."), NUMS_NONE},
	{"syn_new_isn", N_("This SYN carries a new initial sequence number on a connection that is still open. If the receiver still holds the connection, it answers with a challenge ACK and nothing changes (RFC 9293 3.10.7.4, RFC 5961 4.2); if it answers with a SYN+ACK instead, a new connection starts on the same ports."), NUMS_NONE},
	{"rst_sent", N_("{End} sent a RST: it aborts the connection (or had none), with no FIN exchange, and moves to {to} (RFC 9293 3.5.2)."), NUMS_NONE},
	{"synack_answered_by_rst", N_("{End} answered the SYN+ACK with a bare RST instead of an ACK: it had no connection waiting (a port scan, or connect() gave up), so it closes (RFC 9293 3.5.2)."), NUMS_NONE},
	{"rst_rcvd", N_("{End} received a RST with exactly the expected sequence number: the connection is aborted at once, without FIN, and it moves to CLOSED; data not yet delivered is lost (RFC 9293 3.10.7.4)."), NUMS_NONE},
	{"refused", N_("The SYN of {end} was answered by a RST: nothing listens on that port, so the connection was refused and it moves to CLOSED (RFC 9293 3.10.7.3)."), NUMS_NONE},
	{"rst_rcvd_syn_rcvd", N_("{End} received a RST during the handshake: the half-open connection is dropped and it moves back to {to} (RFC 9293 3.10.7.4)."), NUMS_NONE},
	{"rst_rcvd_time_wait", N_("{End} received a RST in TIME_WAIT, which ends TIME_WAIT early as RFC 9293 allows (3.10.7.4); stacks that follow RFC 1337, lwIP among them, ignore such a RST."), NUMS_NONE},
	{"rst_out_of_window", N_("The RST is ignored: its sequence number lies outside the window of the receiver, so it may be forged or a stale leftover (RFC 9293 3.10.7.4)."), NUMS_NONE},
	{"rst_not_exact", N_("The RST is ignored: it falls in the window but is not exactly the next expected byte, so the receiver answers with a challenge ACK (RFC 5961 3.2, RFC 9293 3.10.7.4)."), NUMS_NONE},
	{"rst_syn_sent_unacceptable", N_("The RST is ignored: in SYN_SENT a RST counts only if it acknowledges the SYN (RFC 9293 3.10.7.3)."), NUMS_NONE},
};

#define NREASONS (sizeof explain_reasons / sizeof explain_reasons[0])

static const struct reason *reason_find(const char *key)
{
	if (!key)
		return NULL;
	for (size_t i = 0; i < NREASONS; i++)
		if (strcmp(explain_reasons[i].key, key) == 0)
			return &explain_reasons[i];
	return NULL;
}

/* ---- marks ---------------------------------------------------------------- */

static const char *mark_text(enum tracker_mark m)
{
	switch (m) {
	case TRACKER_MARK_RETRANSMISSION:
		return N_("Retransmission: this segment carries sequence numbers that were already sent. The sender got no ACK in time (or saw duplicate ACKs) and sends them again (RFC 9293 3.8.1, RFC 6298).");
	case TRACKER_MARK_OUT_OF_ORDER:
		return N_("Out of order: this segment arrived after one with higher sequence numbers. The receiver keeps it and puts the bytes back in order (RFC 9293 3.10.7.4).");
	case TRACKER_MARK_DUP_ACK:
		return N_("Duplicate ACK number {n}: the receiver acknowledges the same byte again, usually because a later segment arrived while an earlier one is missing (or because a segment it had already received came again, a retransmission). After three duplicates the sender retransmits at once (fast retransmit, RFC 5681 3.2).");
	case TRACKER_MARK_ZERO_WINDOW:
		return N_("Zero window: the buffer of the receiver is full, so the sender must stop and wait; it sends a small probe now and then to learn when room opens (RFC 9293 3.8.6.1).");
	case TRACKER_MARK_WINDOW_UPDATE:
		return N_("Window update: nothing but the window changes. The receiver now advertises {win} bytes of room, so the sender may send more (RFC 9293 3.8.6).");
	case TRACKER_MARK_KEEP_ALIVE:
		return N_("Keep-alive: an empty probe one byte behind the expected sequence number, sent after a long silence to check that the other side is still there; it is answered with an ACK (RFC 9293 3.8.4).");
	case TRACKER_MARK_ACKED_UNSEEN:
		return N_("ACK of something not yet captured: this ACK covers bytes or a FIN that the capture has not shown yet. The capture point saw the two directions out of order, so the tool changes nothing until that segment appears.");
	case TRACKER_MARK_PREV_NOT_CAPTURED:
		return N_("Previous segment not captured: the sequence numbers jump ahead, so some bytes were sent that the capture missed. The tool cannot show what they were.");
	case TRACKER_MARK_RST_IGNORED:
		return N_("RST ignored: it changes neither endpoint's state, because it does not fit what the receiver expects (RFC 9293 3.10.7.4).");
	}
	return NULL;
}

static void mark_sentences(struct out *o, enum tracker_mark m, const struct explain_seg *s)
{
	const char *t = mark_text(m);
	if (!t)
		return;
	struct vars v = {.endpoint = s->from_endpoint, .n = s->dup_ack_count,
			 .win = s->window};
	sentence(o, t, &v);
	if (m == TRACKER_MARK_RST_IGNORED) {
		/* the note says which rule rejected it; it shares the reason
		 * table since tracker_reason_key lists it there too */
		const struct reason *r = reason_find(s->note_reason);
		if (r)
			sentence(o, r->text, &v);
	}
}

size_t explain_mark(char *buf, size_t cap, enum tracker_mark m, const struct explain_seg *s)
{
	struct out o = {buf, cap, 0};
	mark_sentences(&o, m, s);
	return out_end(&o);
}

/* ---- state changes ---------------------------------------------------- */

size_t explain_reason(char *buf, size_t cap, const char *reason, int endpoint)
{
	struct out o = {buf, cap, 0};
	const struct reason *r = reason_find(reason);
	if (r) {
		struct vars v = {.endpoint = endpoint, .to = TCPSTATE_CLOSED};
		/* the two keys whose target depends on the case say it */
		if (strcmp(r->key, "rst_rcvd_syn_rcvd") == 0)
			v.to = TCPSTATE_LISTEN;
		sentence(&o, r->text, &v);
	}
	return out_end(&o);
}

static void numbers(struct out *o, enum nums nums, const struct explain_change *c)
{
	const struct explain_seg *s = &c->seg;
	struct vars v = {.endpoint = c->endpoint, .seq = s->rel_seq};
	bool syn = s->flags & TCPF_SYN, fin = s->flags & TCPF_FIN,
	     ack = s->flags & TCPF_ACK;

	switch (nums) {
	case NUMS_NONE:
		return;
	case NUMS_SYN_IN:
		if (!syn)
			return;
		v.ack = (uint64_t)(uint32_t)(s->rel_seq + 1);
		sentence(o, N_("Its ack {ack} is {peer}'s ISN + 1: a SYN takes up one sequence number."), &v);
		return;
	case NUMS_SYNACK_IN:
		if (!syn || !ack)
			return;
		v.ack = s->rel_ack;
		sentence(o, N_("The SYN+ACK has ack {ack}, the ISN of {end} + 1: its SYN took up one sequence number, so the first data byte of {end} will be number {ack}."), &v);
		return;
	case NUMS_ACK_OF_SYN:
		if (!ack)
			return;
		v.ack = s->rel_ack;
		sentence(o, N_("The ACK has ack {ack}, the ISN of {end} + 1: the SYN inside the SYN+ACK took up one sequence number."), &v);
		return;
	case NUMS_FIN_OUT:
		if (!fin)
			return;
		v.next = (uint32_t)(s->rel_seq + s->len + 1);
		sentence(o, N_("The FIN is sequence number {seq}; like a SYN it takes up one number, so its ACK will be {next}."), &v);
		return;
	case NUMS_FIN_IN:
		if (!fin)
			return;
		v.next = (uint32_t)(s->rel_seq + s->len + 1);
		sentence(o, N_("The FIN is sequence number {seq}; it takes up one number, so {end} acknowledges it with ack {next}."), &v);
		return;
	case NUMS_FIN_ACKED:
		if (!ack)
			return;
		v.ack = s->rel_ack;
		sentence(o, N_("Ack {ack} is one more than the sequence number of the FIN: it covers the FIN."), &v);
		return;
	}
}

static void unsure_sentences(struct out *o, const struct explain_change *c)
{
	struct vars v = {.endpoint = c->endpoint, .pkt = c->decided_pkt};
	if (c->unsure & EXPLAIN_DECIDED_LATER) {
		if (c->has_seg && (c->seg.flags & TCPF_SYN))
			sentence(o, N_("At this SYN the tool could not yet tell what {end} would do: only its reply in frame {pkt} showed it (a SYN+ACK means it was listening; a RST would mean nothing listened). The change is shown here, at the frame that caused it."), &v);
		else
			sentence(o, N_("At this segment the tool could not yet tell what {end} would do: its next segment, in frame {pkt}, decided it (acknowledging the FIN, or sending a FIN of its own). The change is shown here, at the frame that caused it."), &v);
	}
	if (c->unsure & EXPLAIN_LATE_START)
		sentence(o, N_("The capture began during the handshake: the tool saw only part of it and infers the missing steps from what each endpoint sent next."), &v);
	if (c->unsure & EXPLAIN_MID_STREAM)
		sentence(o, N_("The tool did not see this connection open: without the SYNs it cannot know the initial sequence numbers, so relative numbers count from the first segment captured, and what happened before is unknown."), &v);
}

size_t explain_change(char *buf, size_t cap, const struct explain_change *c)
{
	struct out o = {buf, cap, 0};
	const struct reason *r = reason_find(c->reason);
	struct vars v = {.endpoint = c->endpoint, .to = c->to};

	if (r) {
		sentence(&o, r->text, &v);
		if (c->has_seg && !c->by_timer)
			numbers(&o, r->nums, c);
	} else {
		/* a key this table does not know yet: say at least the change */
		expand(&o, _("{End} moves to {to}."), &v);
	}
	unsure_sentences(&o, c);
	return out_end(&o);
}

/* ---- live: a segment dropped at its receiver ---------------------------- */

size_t explain_data(char *buf, size_t cap, const struct explain_seg *s)
{
	struct out o = {buf, cap, 0};
	struct vars v = {.endpoint = s->from_endpoint, .seq = s->rel_seq, .len = s->len,
			 .last = (uint32_t)(s->rel_seq + s->len - 1)};

	if (s->len > 0)
		sentence(&o, N_("It also carries {len} bytes of data from {end}, sequence numbers {seq} to {last} (RFC 9293 3.4)."), &v);
	return out_end(&o);
}

size_t explain_lost(char *buf, size_t cap, int endpoint, const char *node,
		    bool sender_is_node)
{
	struct out o = {buf, cap, 0};
	struct vars v = {.endpoint = endpoint ? 1 : 0, .node = node};

	if (sender_is_node)
		sentence(&o, N_("Dropped at {node} by d (drop-next-in), so it never arrived: {peer} will retransmit it when its RTO fires (press t)."), &v);
	else
		sentence(&o, N_("Dropped at {node} by d (drop-next-in), so it never arrived: {peer} (the kernel) will retransmit it when its RTO fires."), &v);
	return out_end(&o);
}

/* ---- segments without a state change ------------------------------------ */

size_t explain_segment(char *buf, size_t cap, const struct explain_seg *s, unsigned unsure)
{
	struct out o = {buf, cap, 0};
	bool ack = s->flags & TCPF_ACK;
	struct vars v = {.endpoint = s->from_endpoint, .seq = s->rel_seq,
			 .ack = s->rel_ack, .len = s->len,
			 .last = (uint32_t)(s->rel_seq + s->len - 1)};

	if (s->flags & TCPF_RST)
		sentence(&o, N_("{End} sends a RST to abort the connection (RFC 9293 3.5.2)."), &v);
	else if ((s->flags & TCPF_SYN) && ack)
		sentence(&o, N_("{End} sends a SYN+ACK: it accepts the connection and acknowledges the SYN of {peer} (RFC 9293 3.5)."), &v);
	else if (s->flags & TCPF_SYN)
		sentence(&o, N_("{End} sends a SYN: a request to open a connection (RFC 9293 3.5)."), &v);
	else if (s->flags & TCPF_FIN)
		sentence(&o, N_("{End} sends a FIN: it has no more data to send (RFC 9293 3.6)."), &v);
	else if (s->len > 0 && ack)
		sentence(&o, N_("{End} sends {len} bytes of data, sequence numbers {seq} to {last}, and acknowledges every byte before {ack} (RFC 9293 3.4)."), &v);
	else if (s->len > 0)
		sentence(&o, N_("{End} sends {len} bytes of data, sequence numbers {seq} to {last} (RFC 9293 3.4)."), &v);
	else if (ack)
		sentence(&o, N_("{End} sends a pure ACK, with no data: it tells {peer} that every byte before {ack} has arrived (RFC 9293 3.4)."), &v);
	else
		sentence(&o, N_("{End} sends a segment with neither data nor ACK."), &v);

	for (unsigned bit = 1; bit <= TRACKER_MARK_RST_IGNORED; bit <<= 1)
		if (s->marks & bit)
			mark_sentences(&o, (enum tracker_mark)bit, s);
	if (s->note_reason && !(s->marks & TRACKER_MARK_RST_IGNORED)) {
		/* a note without a mark (a SYN with a new ISN) */
		const struct reason *r = reason_find(s->note_reason);
		if (r)
			sentence(&o, r->text, &v);
	}
	if (unsure & EXPLAIN_MID_STREAM)
		sentence(&o, N_("The tool did not see this connection open: without the SYNs it cannot know the initial sequence numbers, so relative numbers count from the first segment captured, and what happened before is unknown."), &v);
	return out_end(&o);
}

/* ---- catalogue and language ---------------------------------------------- */

int explain_init(const char *localedir)
{
	if (!bindtextdomain(EXPLAIN_DOMAIN, localedir))
		return -1;
	/* UTF-8 whatever LC_CTYPE says: the grid takes UTF-8 and falls back
	 * to ASCII itself, gettext's iconv would turn Japanese into '?' */
	if (!bind_textdomain_codeset(EXPLAIN_DOMAIN, "UTF-8"))
		return -1;
	return 0;
}

const char *explain_localedir(void)
{
	if (access(TCPSTEP_LOCALEDIR "/ja/LC_MESSAGES/" EXPLAIN_DOMAIN ".mo", R_OK) == 0)
		return TCPSTEP_LOCALEDIR;
	return TCPSTEP_BUILD_LOCALEDIR;
}

/* A setlocale() that changes the locale bumps glibc's catalogue generation
 * counter, so the next dgettext reads LANGUAGE again instead of answering
 * from its cache; setting the name already set changes nothing and keeps
 * the cache, hence the detour through "C". */
static int set_messages_locale(const char *name)
{
	setlocale(LC_MESSAGES, "C");
	return setlocale(LC_MESSAGES, name) ? 0 : -1;
}

/* glibc ignores LANGUAGE when LC_MESSAGES is exactly "C" (LANG=C, or a
 * program that never called setlocale). Japanese then needs some other
 * LC_MESSAGES locale: ja_JP.UTF-8 if generated, otherwise C.UTF-8, which
 * every Debian has (libc-bin): with it LANGUAGE=ja picks ja/tcpstep.mo and
 * nothing else about the program changes. */
int explain_set_lang(const char *lang)
{
	if (!lang)
		return -1;
	bool ja = strncmp(lang, "ja", 2) == 0 && (lang[2] == '\0' || lang[2] == '_' || lang[2] == '.');
	bool en = strncmp(lang, "en", 2) == 0 && (lang[2] == '\0' || lang[2] == '_' || lang[2] == '.');
	if (!ja && !en)
		return -1;
	if (setenv("LANGUAGE", ja ? "ja" : "en", 1) != 0)
		return -1;

	const char *cur = setlocale(LC_MESSAGES, NULL);
	char saved[64] = "C";
	if (cur)
		snprintf(saved, sizeof saved, "%s", cur);
	if (ja && (strcmp(saved, "C") == 0 || strcmp(saved, "POSIX") == 0)) {
		if (set_messages_locale("ja_JP.UTF-8") == 0 ||
		    set_messages_locale("C.UTF-8") == 0 ||
		    set_messages_locale("C.utf8") == 0)
			return 0;
		return -1;
	}
	return set_messages_locale(saved);
}

const char *explain_env_lang(void)
{
	const char *language = getenv("LANGUAGE");
	if (language && *language)
		return strncmp(language, "ja", 2) == 0 ? "ja" : "en";
	static const char *const vars[] = {"LC_ALL", "LC_MESSAGES", "LANG"};
	for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) {
		const char *v = getenv(vars[i]);
		if (v && *v)
			return strncmp(v, "ja", 2) == 0 ? "ja" : "en";
	}
	return "en";
}

const char *explain_lang(void)
{
	/* TRANSLATORS: the code of this catalogue's language ("ja"): it tells
	 * the program which language is really in use. */
	const char *l = _("en");
	return strcmp(l, "ja") == 0 ? "ja" : "en";
}
