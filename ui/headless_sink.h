/* The headless output: a session sink (session/event.h) that turns typed
 * events into the text lines `tcpstep demo|live|play --headless` print
 * (README "Live sessions"), with the options' filters applied to the events
 * in one place, before anything is formatted:
 *
 *   app output     exactly as the app printed it, control bytes escaped
 *   state change   <node> <local> <remote> <FROM> -> <TO> (<cause>)
 *   playground     <node> #<id> received: <text> / connected / ...
 *   kernel peer    kernel <line>
 *   wire           wire conn N ip:port FROM -> TO (cause): `tcpstep
 *                  decode`'s state line with "wire " in front
 *   --raw          <node> <protocol line> for every node event instead
 *
 * Errors, notices and a node's death go to stderr as "tcpstep: ...". */
#ifndef TCPSTEP_HEADLESS_SINK_H
#define TCPSTEP_HEADLESS_SINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "event.h"

struct session;

struct headless_filter {
	const char *only;       /* only this node's events, or "wire" (NULL: all) */
	bool show_states;       /* true state changes, and the inferred ones */
	bool show_app;          /* app output and playground lines */
	bool show_wire;         /* the states inferred from the wire */
	bool raw;               /* every node event as "NODE <protocol line>" */
};

struct headless_sink {
	struct headless_filter f;
	FILE *out, *err;
	struct session *s;      /* stopped when out fails (set once it exists) */
};

/* Room for any headless line: a protocol line's text, each byte escaped
 * to at most 4, and the words around it. */
#define HEADLESS_LINE_MAX (4 * 4096 + 256)

/* Whether the filter shows ev on the output (stdout); the one place the
 * options --only, --no-states, --no-app, --no-wire and --raw act. */
bool headless_shown(const struct headless_filter *f,
		    const struct session_event *ev);

/* ev's output line (no newline) into buf, raw or not; false for a kind that
 * has none (it may still have a stderr line, headless_format_err). */
bool headless_format(char *buf, size_t size, const struct session_event *ev,
		     bool raw);

/* ev's stderr line (without "tcpstep: " and the newline) into buf; false
 * for a kind that has none. raw: the error answers are not repeated there
 * (the raw line shows them). */
bool headless_format_err(char *buf, size_t size,
			 const struct session_event *ev, bool raw);

/* The wire's line for a TRACKER_EV_STATE event (see above), last_pkt the
 * frame of the newest segment seen when it happened. */
void headless_format_wire_state(char *buf, size_t size,
				const struct tracker_event *ev,
				uint64_t last_pkt);

void headless_sink_init(struct headless_sink *h, FILE *out, FILE *err,
			const struct headless_filter *f);
/* The sink to put in session_config.sinks. */
struct session_sink headless_sink_get(struct headless_sink *h);
/* Once the session exists: stop it when the output fails, and when the
 * output is a pipe whose reader has gone (tcpstep ... | head), which
 * would otherwise never be learnt while nothing is printed. */
void headless_sink_attach(struct headless_sink *h, struct session *s);

#endif
