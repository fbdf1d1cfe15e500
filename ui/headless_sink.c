/* The headless output (headless_sink.h). */
#include "headless_sink.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>

#include "output.h"
#include "session.h"
#include "textesc.h"

static bool is_node_event(const struct session_event *ev)
{
	return ev->node >= 0;
}

bool headless_shown(const struct headless_filter *f,
		    const struct session_event *ev)
{
	if (is_node_event(ev)) {
		if (f->only && strcmp(f->only, ev->node_name))
			return false;
		if (f->raw)
			return ev->raw != NULL;
		switch (ev->kind) {
		case SESSION_EV_NODE_STATE:
			return f->show_states;
		case SESSION_EV_APP_OUT:
		case SESSION_EV_PLAY:
			return f->show_app;
		default:
			return false;
		}
	}
	switch (ev->kind) {
	case SESSION_EV_PEER_OUT:
		/* The peer is not a node: --only picks a node (or the wire). */
		return !f->only && (f->show_app || f->raw);
	case SESSION_EV_WIRE_STATE:
		return !f->raw && f->show_states && f->show_wire &&
		       (!f->only || !strcmp(f->only, "wire"));
	default:
		return false;
	}
}

void headless_format_wire_state(char *buf, size_t size,
				const struct tracker_event *ev,
				uint64_t last_pkt)
{
	char text[256];

	/* decode's own text (output.c), marked as the wire's */
	output_format_state(text, sizeof text, ev, last_pkt);
	snprintf(buf, size, "wire %s", text);
}

/* ev's text, escaped for a terminal. */
static const char *esc_text(char *dst, size_t size,
			    const struct session_event *ev)
{
	textesc_escape(dst, size, ev->text, ev->text_len, 0);
	return dst;
}

bool headless_format(char *buf, size_t size, const struct session_event *ev,
		     bool raw)
{
	char t[HEADLESS_LINE_MAX];

	if (raw && is_node_event(ev) && ev->raw) {
		textesc_escape(t, sizeof t, ev->raw, ev->raw_len, 0);
		snprintf(buf, size, "%s %s", ev->node_name, t);
		return true;
	}
	switch (ev->kind) {
	case SESSION_EV_NODE_STATE:
		snprintf(buf, size, "%s %s %s %s -> %s (%s)", ev->node_name,
			 ev->u.state.local, ev->u.state.remote,
			 tcpstate_to_str(ev->u.state.from),
			 tcpstate_to_str(ev->u.state.to),
			 esc_text(t, sizeof t, ev));
		return true;
	case SESSION_EV_APP_OUT:
		snprintf(buf, size, "%s", esc_text(t, sizeof t, ev));
		return true;
	case SESSION_EV_PLAY:
		switch (ev->u.play.what) {
		case SESSION_PLAY_DATA:
			snprintf(buf, size, "%s #%u received: %s", ev->node_name,
				 ev->u.play.id, esc_text(t, sizeof t, ev));
			break;
		case SESSION_PLAY_ERROR:
			snprintf(buf, size, "%s #%u error: %s", ev->node_name,
				 ev->u.play.id, esc_text(t, sizeof t, ev));
			break;
		case SESSION_PLAY_EOF:
			snprintf(buf, size, "%s #%u end of stream (FIN received)",
				 ev->node_name, ev->u.play.id);
			break;
		default:
			snprintf(buf, size, "%s #%u connected", ev->node_name,
				 ev->u.play.id);
			break;
		}
		return true;
	case SESSION_EV_PEER_OUT:
		snprintf(buf, size, "kernel %s", esc_text(t, sizeof t, ev));
		return true;
	case SESSION_EV_WIRE_STATE:
		headless_format_wire_state(buf, size, &ev->u.wire_state.ev,
					   ev->u.wire_state.last_pkt);
		return true;
	default:
		return false;
	}
}

bool headless_format_err(char *buf, size_t size,
			 const struct session_event *ev, bool raw)
{
	char t[HEADLESS_LINE_MAX];

	switch (ev->kind) {
	case SESSION_EV_ANSWER:
		if (ev->u.answer.ok || raw)
			return false;
		snprintf(buf, size, "%s: error %s%s%s", ev->node_name,
			 ev->u.answer.key, ev->text_len ? ": " : "",
			 ev->text_len ? esc_text(t, sizeof t, ev) : "");
		return true;
	case SESSION_EV_NODE_MALFORMED: {
		/* Enough of the line to recognise it. */
		char line[100];
		size_t need = textesc_escape(line, sizeof line, ev->raw,
					     ev->raw_len, 0);

		snprintf(buf, size, "%s: malformed event (%s): %s%s",
			 ev->node_name, ev->text, line,
			 need >= sizeof line ? "..." : "");
		return true;
	}
	case SESSION_EV_NODE_DIED:
		snprintf(buf, size, "node %s %s; ending the session",
			 ev->node_name, ev->text);
		return true;
	case SESSION_EV_NOTICE:
		/* The session's own words; escaped all the same (they may
		 * quote what a node sent). */
		textesc_escape(buf, size, ev->text, ev->text_len, 0);
		return true;
	default:
		return false;
	}
}

static void on_event(const struct session_event *ev, void *user)
{
	struct headless_sink *h = user;
	char line[HEADLESS_LINE_MAX + 64];

	if (headless_shown(&h->f, ev) &&
	    headless_format(line, sizeof line, ev, h->f.raw)) {
		fprintf(h->out, "%s\n", line);
		fflush(h->out);
		/* Nobody reads any more (tcpstep ... | head): end the
		 * session the way SIGPIPE would have, quietly. */
		if (ferror(h->out) && h->s && !session_stop_status(h->s)) {
			int e = errno;

			if (e != EPIPE)
				fprintf(h->err, "tcpstep: writing events: %s\n",
					strerror(e));
			session_stop(h->s, e == EPIPE ? 128 + SIGPIPE : 1);
		}
	}
	if (headless_format_err(line, sizeof line, ev, h->f.raw))
		fprintf(h->err, "tcpstep: %s\n", line);
}

void headless_sink_init(struct headless_sink *h, FILE *out, FILE *err,
			const struct headless_filter *f)
{
	memset(h, 0, sizeof *h);
	h->f = *f;
	h->out = out;
	h->err = err;
}

struct session_sink headless_sink_get(struct headless_sink *h)
{
	struct session_sink k = {
		.event = on_event,
		.user = h,
		/* What it prints; wire segments are not among them, so the
		 * session does not even queue them. */
		.kinds = ~0ull & ~SESSION_EV_BIT(SESSION_EV_WIRE_SEGMENT),
	};

	return k;
}

static void on_reader_gone(struct loop *l, int fd, unsigned mask, void *user)
{
	struct headless_sink *h = user;

	(void)mask;
	/* Level-triggered: stop watching once it has said it. */
	loop_del_fd(l, fd);
	session_stop(h->s, 128 + SIGPIPE);
}

void headless_sink_attach(struct headless_sink *h, struct session *s)
{
	struct stat st;
	int fd = fileno(h->out);

	h->s = s;
	/* A pipe's write end reports an error once its reader has gone.
	 * Files cannot be watched (EPERM) and need not be. */
	if (fd >= 0 && fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode))
		loop_add_fd(session_loop(s), fd, 0, on_reader_gone, h, NULL, 0);
}
