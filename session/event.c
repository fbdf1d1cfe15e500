/* Names of the session's event kinds, and a node's clock (event.h). */
#include "event.h"

void session_clock_set(struct session_clock *c, const struct session_event *ev)
{
	c->known = true;
	c->running = ev->u.clock.running;
	c->speed = ev->u.clock.speed;
	c->vtime_ms = ev->vtime_ms;
	c->stamp_ns = ev->stamp_ns;
	c->has_next = ev->u.clock.has_next;
	c->next_ms = ev->u.clock.next_ms;
}

uint64_t session_clock_now_ns(const struct session_clock *c, uint64_t now_ns)
{
	uint64_t t = c->vtime_ms * 1000000ull;

	if (!c->known)
		return 0;
	if (c->running && now_ns > c->stamp_ns)
		t += (uint64_t)((double)(now_ns - c->stamp_ns) * c->speed);
	return t;
}

const char *session_event_kind_name(enum session_event_kind kind)
{
	static const char *const names[SESSION_EV_KINDS] = {
		[SESSION_EV_NODE_STARTED] = "node-started",
		[SESSION_EV_NODE_DIED] = "node-died",
		[SESSION_EV_NODE_STATE] = "node-state",
		[SESSION_EV_APP_OUT] = "app-out",
		[SESSION_EV_PLAY] = "play",
		[SESSION_EV_CONN] = "conn",
		[SESSION_EV_CONNS] = "conns",
		[SESSION_EV_HELD] = "held",
		[SESSION_EV_DROPPED] = "dropped",
		[SESSION_EV_FIRED] = "fired",
		[SESSION_EV_CLOCK] = "clock",
		[SESSION_EV_TIMERS] = "timers",
		[SESSION_EV_APP_DONE] = "app-done",
		[SESSION_EV_ANSWER] = "answer",
		[SESSION_EV_NODE_OTHER] = "node-other",
		[SESSION_EV_NODE_MALFORMED] = "node-malformed",
		[SESSION_EV_PEER_OUT] = "peer-out",
		[SESSION_EV_WIRE_SEGMENT] = "wire-segment",
		[SESSION_EV_WIRE_STATE] = "wire-state",
		[SESSION_EV_NOTICE] = "notice",
	};

	return (unsigned)kind < SESSION_EV_KINDS && names[kind] ? names[kind]
								: "?";
}
