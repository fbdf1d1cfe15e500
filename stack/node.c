#include "node.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "appfmt.h"
#include "ctlmsg.h"
#include "frame.h"
#include "lwip/priv/tcp_priv.h"
#include "lwip/init.h"
#include "lwip/timeouts.h"
#include "pcbtimers.h"
#include "port.h"
#include "tapif.h"
#include "truestate.h"

/* Connection ids: every pcb the node or its app holds. */
#define NODE_MAX_CONNS (MEMP_NUM_TCP_PCB + MEMP_NUM_TCP_PCB_LISTEN)
/* An app line longer than this is reported in pieces (the Go server prints
 * a 1024-byte message at most, plus its label). */
#define NODE_OUT_LINE_MAX 1280
/* Timer firings per loop pass before I/O gets a turn again. */
#define NODE_MAX_FIRES 256

struct node_conn {
	unsigned id; /* 0: free slot */
	struct tcp_pcb *pcb;
	bool listener;
	const struct node_conn_ops *ops;
	void *owner;
};

/* A connection the controller drives (listen/connect commands). */
struct manual_conn {
	struct node *node;
	unsigned id;
	struct tcp_pcb *pcb;
};

struct node {
	struct node_config cfg;
	struct vclock clock;
	struct tapif *tap;
	struct truestate *ts;
	struct apps *app;       /* cfg.app_start's state, or NULL */
	struct vclock_timers timers; /* lwIP's, with causes around them */
	const char *ambient;         /* cause of what lwIP does right now */
	unsigned last_conns;

	int ctl_fd;
	struct ctlmsg_reader reader;
	bool quit, ctl_gone;
	int status;

	char outline[NODE_OUT_LINE_MAX];
	size_t outlen;
	bool app_done;

	struct node_conn conns[NODE_MAX_CONNS];
	unsigned next_id;
	unsigned app_timeouts; /* armed node_timers */
	unsigned long visible_events; /* state, held, out, ... (for advance) */
	/* The timers last reported per pcb (`timers` events). */
	struct pcb_timers_seen {
		const struct tcp_pcb *pcb;
		uint32_t local_ip, remote_ip;
		uint16_t local_port, remote_port;
		struct pcbtimers t;
	} timers_seen[NODE_MAX_CONNS];
	unsigned ntimers_seen;
};

/* --- Events ---------------------------------------------------------------- */

/* Writes one event, stamped (docs/control-protocol.md "Ordering"). The
 * stamp is read after whatever caused the event (the frame was read, the
 * timer fired) and the write blocks until the line is in the controller's
 * socket buffer; a step's frames leave only after it (tapif_begin/
 * tapif_end around every input, timer and command). So a peer's reaction
 * is stamped after this line, and this line is readable before the peer
 * can react: the controller merges by stamp. */
static void emit(struct node *n, struct ctlmsg_out *o)
{
	/* what a lesson shows happening (advance-until-event stops on it) */
	static const char *const visible[] = {
		"state ", "held ", "out ", "data ", "eof ", "conn-error ",
		"connected ", "app-done ", "dropped ",
	};
	bool shows = false;

	for (size_t i = 0; i < sizeof visible / sizeof visible[0]; i++)
		if (strncmp(o->buf, visible[i], strlen(visible[i])) == 0)
			shows = true;

	long len = ctlmsg_out_end_stamped(o, ctlmsg_now_ns());

	if (len < 0 || n->ctl_gone)
		return;
	if (shows)
		n->visible_events++;
	if (ctlmsg_write_all(n->ctl_fd, o->buf, (size_t)len) < 0) {
		/* the controller is gone: nothing left to do for us */
		n->ctl_gone = true;
		n->quit = true;
	}
}

static void addr_word(struct ctlmsg_out *o, uint32_t ip, uint16_t port)
{
	char a[CTLMSG_ADDRPORT_MAX];

	ctlmsg_format_addrport(a, ip, port);
	ctlmsg_out_word(o, a);
}

void node_error(struct node *n, const char *key, const char *text)
{
	struct ctlmsg_out o;
	bool cut;

	ctlmsg_out_init_event(&o, "error");
	ctlmsg_out_word(&o, key);
	ctlmsg_out_text_fit(&o, text, strlen(text), 0, &cut);
	emit(n, &o);
}

static void emit_ok(struct node *n, const char *verb)
{
	struct ctlmsg_out o;

	ctlmsg_out_init_event(&o, "ok");
	ctlmsg_out_word(&o, verb);
	emit(n, &o);
}

static void emit_clock(struct node *n)
{
	struct ctlmsg_out o;
	uint64_t d;

	ctlmsg_out_init_event(&o, "clock");
	ctlmsg_out_wordf(&o, "%llu", (unsigned long long)vclock_now(&n->clock));
	ctlmsg_out_word(&o, vclock_running(&n->clock) ? "running" : "paused");
	ctlmsg_out_wordf(&o, "%g", vclock_speed(&n->clock));
	if (port_lwip_timers.next_deadline(NULL, &d))
		ctlmsg_out_wordf(&o, "%llu", (unsigned long long)d);
	else
		ctlmsg_out_word(&o, "-");
	emit(n, &o);
}

static void emit_conn(struct node *n, unsigned id, struct tcp_pcb *pcb,
		      bool listener)
{
	struct ctlmsg_out o;

	ctlmsg_out_init_event(&o, "conn");
	ctlmsg_out_wordf(&o, "%u", id);
	addr_word(&o, lwip_ntohl(ip4_addr_get_u32(&pcb->local_ip)),
		  pcb->local_port);
	if (listener)
		ctlmsg_out_word(&o, "-");
	else
		addr_word(&o, lwip_ntohl(ip4_addr_get_u32(&pcb->remote_ip)),
			  pcb->remote_port);
	emit(n, &o);
}

static void on_state_change(void *user, const struct truestate_change *c)
{
	struct node *n = user;
	struct ctlmsg_out o;
	const char *cause = c->cause ? c->cause : "unknown";

	ctlmsg_out_init_event(&o, "state");
	ctlmsg_out_wordf(&o, "%llu", (unsigned long long)vclock_now(&n->clock));
	addr_word(&o, c->local_ip, c->local_port);
	addr_word(&o, c->remote_ip, c->remote_port);
	ctlmsg_out_word(&o, tcpstate_to_str(c->from));
	ctlmsg_out_word(&o, tcpstate_to_str(c->to));
	ctlmsg_out_text(&o, cause, strlen(cause));
	emit(n, &o);

	/* lwIP frees some pcbs without any callback (tcp.c tcp_slowtmr at
	 * the end of TIME_WAIT): an id must not keep pointing at one. The
	 * walk reports every pcb that is gone, so forget it here; lookups
	 * then answer unknown-id (conn_lookup). */
	if (c->to == TCPSTATE_CLOSED)
		for (unsigned i = 0; i < NODE_MAX_CONNS; i++)
			if (n->conns[i].id && n->conns[i].pcb == c->pcb)
				n->conns[i].pcb = NULL;
}

static const char *timer_name(void (*handler)(void *), void *arg);

static void timers_word(struct ctlmsg_out *o, int64_t deadline)
{
	if (deadline == PCBTIMERS_NONE)
		ctlmsg_out_word(o, "-");
	else
		ctlmsg_out_wordf(o, "%lld", (long long)deadline);
}

/* `timers T LOCAL REMOTE RTO RTX PERSIST KEEPALIVE DELACK TIMEWAIT` for every
 * active or TIME_WAIT pcb whose timers changed since they were last said
 * (deadlines in node ms, docs/control-protocol.md). Not while lwIP's TCP
 * timer is between its calls (inside tcp_tmr, where the counters are half
 * updated): the walk after it says them. */
static void emit_timers(struct node *n)
{
	struct tcp_pcb *lists[2] = { tcp_active_pcbs, tcp_tw_pcbs };
	struct pcb_timers_seen seen[NODE_MAX_CONNS];
	unsigned nseen = 0;
	uint64_t slow, fast;

	if (!port_next_slow_tick(timer_name, &slow) ||
	    !port_next_tcp_tick(timer_name, &fast))
		return;
	for (int l = 0; l < 2; l++)
		for (struct tcp_pcb *pcb = lists[l]; pcb && nseen < NODE_MAX_CONNS;
		     pcb = pcb->next) {
			struct pcb_timers_seen *now = &seen[nseen++], *before = NULL;

			now->pcb = pcb;
			now->local_ip = lwip_ntohl(ip4_addr_get_u32(&pcb->local_ip));
			now->remote_ip = lwip_ntohl(ip4_addr_get_u32(&pcb->remote_ip));
			now->local_port = pcb->local_port;
			now->remote_port = pcb->remote_port;
			pcbtimers_read(pcb, slow, fast, &now->t);
			for (unsigned i = 0; i < n->ntimers_seen; i++) {
				struct pcb_timers_seen *b = &n->timers_seen[i];

				if (b->pcb == pcb && b->local_ip == now->local_ip &&
				    b->remote_ip == now->remote_ip &&
				    b->local_port == now->local_port &&
				    b->remote_port == now->remote_port)
					before = b;
			}
			if (before && pcbtimers_equal(&before->t, &now->t))
				continue;

			struct ctlmsg_out o;
			char a[CTLMSG_ADDRPORT_MAX], b[CTLMSG_ADDRPORT_MAX];

			ctlmsg_format_addrport(a, now->local_ip, now->local_port);
			ctlmsg_format_addrport(b, now->remote_ip, now->remote_port);
			ctlmsg_out_init_event(&o, "timers");
			ctlmsg_out_wordf(&o, "%llu",
					 (unsigned long long)vclock_now(&n->clock));
			ctlmsg_out_word(&o, a);
			ctlmsg_out_word(&o, b);
			ctlmsg_out_wordf(&o, "%u", (unsigned)now->t.rto_ms);
			timers_word(&o, now->t.rtx);
			timers_word(&o, now->t.persist);
			timers_word(&o, now->t.keepalive);
			timers_word(&o, now->t.delack);
			timers_word(&o, now->t.timewait);
			emit(n, &o);
		}
	memcpy(n->timers_seen, seen, nseen * sizeof seen[0]);
	n->ntimers_seen = nseen;
}

/* Walks the pcb lists (skipping `gone`, see truestate_sync_gone) and
 * reports changes with this cause, then the timers that changed. */
static void sync_states_gone(struct node *n, const char *cause, const void *gone)
{
	truestate_sync_gone(n->ts, cause, gone);
	unsigned conns = truestate_conns(n->ts);
	if (conns != n->last_conns) {
		struct ctlmsg_out o;

		n->last_conns = conns;
		ctlmsg_out_init_event(&o, "conns");
		ctlmsg_out_wordf(&o, "%u", conns);
		emit(n, &o);
	}
	emit_timers(n);
}

static void sync_states(struct node *n, const char *cause)
{
	sync_states_gone(n, cause, NULL);
}

void node_enter(struct node *n)
{
	sync_states(n, n->ambient ? n->ambient : "unknown");
}

void node_enter_gone(struct node *n, const struct tcp_pcb *pcb)
{
	sync_states_gone(n, n->ambient ? n->ambient : "unknown", pcb);
}

/* --- App output -------------------------------------------------------------- */

static void flush_line(struct node *n)
{
	struct ctlmsg_out o;

	ctlmsg_out_init_event(&o, "out");
	ctlmsg_out_text(&o, n->outline, n->outlen);
	emit(n, &o);
	n->outlen = 0;
}

void node_out(struct node *n, const void *text, size_t len)
{
	const char *p = text;

	for (size_t i = 0; i < len; i++) {
		if (p[i] == '\n') {
			flush_line(n);
			continue;
		}
		if (n->outlen == sizeof n->outline)
			flush_line(n);
		n->outline[n->outlen++] = p[i];
	}
}

void node_app_done(struct node *n, int status)
{
	struct ctlmsg_out o;

	if (n->app_done)
		return;
	n->app_done = true;
	/* a last line without its newline is still output */
	if (n->outlen > 0)
		flush_line(n);
	ctlmsg_out_init_event(&o, "app-done");
	ctlmsg_out_wordf(&o, "%d", status);
	emit(n, &o);
}

void node_fatal(struct node *n, const char *msg)
{
	char buf[512];
	time_t now = time(NULL);
	struct tm tm;

	localtime_r(&now, &tm);
	size_t len = appfmt_fatal(buf, sizeof buf, &tm, msg);
	node_out(n, buf, len < sizeof buf ? len : sizeof buf - 1);
	node_app_done(n, 1);
}

/* --- lwIP errors ----------------------------------------------------------------- */

const char *node_err_str(err_t err)
{
	/* the texts of lwIP 2.1.3 src/api/err.c (err_strerr, LWIP_DEBUG only)
	 * and its err_to_errno_table, so a socket programmer recognises them */
	switch (err) {
	case ERR_OK: return "no error (lwIP ERR_OK)";
	case ERR_MEM: return "out of memory (lwIP ERR_MEM, ENOMEM)";
	case ERR_BUF: return "buffer error (lwIP ERR_BUF, ENOBUFS)";
	case ERR_TIMEOUT: return "timeout (lwIP ERR_TIMEOUT, EWOULDBLOCK)";
	case ERR_RTE: return "routing problem (lwIP ERR_RTE, EHOSTUNREACH)";
	case ERR_INPROGRESS: return "operation in progress (lwIP ERR_INPROGRESS, EINPROGRESS)";
	case ERR_VAL: return "illegal value (lwIP ERR_VAL, EINVAL)";
	case ERR_WOULDBLOCK: return "operation would block (lwIP ERR_WOULDBLOCK, EWOULDBLOCK)";
	case ERR_USE: return "address in use (lwIP ERR_USE, EADDRINUSE)";
	case ERR_ALREADY: return "already connecting (lwIP ERR_ALREADY, EALREADY)";
	case ERR_ISCONN: return "already connected (lwIP ERR_ISCONN, EISCONN)";
	case ERR_CONN: return "not connected (lwIP ERR_CONN, ENOTCONN)";
	case ERR_IF: return "low-level netif error (lwIP ERR_IF)";
	case ERR_ABRT: return "connection aborted (lwIP ERR_ABRT, ECONNABORTED)";
	case ERR_RST: return "connection reset (lwIP ERR_RST, ECONNRESET)";
	case ERR_CLSD: return "connection closed (lwIP ERR_CLSD, ENOTCONN)";
	case ERR_ARG: return "illegal argument (lwIP ERR_ARG, EIO)";
	}
	return "unknown lwIP error";
}

/* --- API wrappers -------------------------------------------------------------- */

uint32_t node_ip(const struct node *n) { return n->cfg.ip; }
uint16_t node_port(const struct node *n) { return n->cfg.port; }
uint32_t node_connect_ip(const struct node *n) { return n->cfg.connect_ip; }
uint16_t node_connect_port(const struct node *n) { return n->cfg.connect_port; }
uint32_t node_connect_retry_ms(const struct node *n) { return n->cfg.connect_retry_ms; }
enum node_server_mode node_server_mode(const struct node *n) { return n->cfg.server_mode; }
uint64_t node_now(const struct node *n) { return vclock_now(&n->clock); }

/* Runs before an API call: changes still pending are lwIP's, not the
 * call's. */
static void api_begin(struct node *n)
{
	node_enter(n);
}

struct tcp_pcb *node_tcp_listen(struct node *n, uint16_t port, err_t *err)
{
	struct tcp_pcb *pcb, *lpcb;
	ip4_addr_t any;

	api_begin(n);
	pcb = tcp_new();
	if (!pcb) {
		*err = ERR_MEM;
		return NULL;
	}
	/* the node's own address, so the start-up line names what is really
	 * listened on */
	ip4_addr_set_u32(&any, lwip_htonl(n->cfg.ip));
	*err = tcp_bind(pcb, &any, port);
	if (*err != ERR_OK) {
		tcp_close(pcb);
		return NULL;
	}
	lpcb = tcp_listen_with_backlog_and_err(pcb, TCP_DEFAULT_LISTEN_BACKLOG, err);
	if (!lpcb) {
		tcp_close(pcb);
		return NULL;
	}
	sync_states(n, "listen() called");
	return lpcb;
}

err_t node_tcp_connect(struct node *n, struct tcp_pcb *pcb, uint32_t ip,
		       uint16_t port, tcp_connected_fn connected)
{
	ip4_addr_t a;
	err_t err;

	api_begin(n);
	ip4_addr_set_u32(&a, lwip_htonl(ip));
	err = tcp_connect(pcb, &a, port, connected);
	sync_states(n, "connect() called");
	return err;
}

err_t node_tcp_write(struct node *n, struct tcp_pcb *pcb, const void *data,
		     size_t len, bool push)
{
	err_t err;

	api_begin(n);
	if (len > 0xffff)
		return ERR_VAL;
	err = tcp_write(pcb, data, (u16_t)len, TCP_WRITE_FLAG_COPY);
	if (err == ERR_OK && push)
		err = tcp_output(pcb);
	sync_states(n, "send() called");
	return err;
}

err_t node_tcp_shutdown_write(struct node *n, struct tcp_pcb *pcb)
{
	err_t err;

	api_begin(n);
	err = tcp_shutdown(pcb, 0, 1);
	sync_states(n, "shutdown() called");
	return err;
}

void node_tcp_detach(struct tcp_pcb *pcb)
{
	tcp_arg(pcb, NULL);
	if (pcb->state == LISTEN) {
		tcp_accept(pcb, NULL);
		return;
	}
	tcp_recv(pcb, NULL);
	tcp_err(pcb, NULL);
	tcp_sent(pcb, NULL);
	tcp_poll(pcb, NULL, 0);
}

err_t node_tcp_close(struct node *n, struct tcp_pcb *pcb)
{
	err_t err;

	api_begin(n);
	node_tcp_detach(pcb);
	/* No abort fallback (lwiperf.c has one for older lwIP): lwIP
	 * 2.1.3's tcp_close does not fail for a valid pcb. Without memory
	 * for the FIN it sets TF_CLOSEPEND, returns ERR_OK and sends the FIN
	 * from tcp_tmr later (tcp_close_shutdown_fin), and an abort here
	 * would free a pcb lwIP still closes. */
	err = tcp_close(pcb);
	sync_states(n, "close() called");
	if (err != ERR_OK)
		node_error(n, "close-failed", node_err_str(err));
	return err;
}

void node_tcp_abort(struct node *n, struct tcp_pcb *pcb)
{
	api_begin(n);
	node_tcp_detach(pcb);
	tcp_abort(pcb);
	sync_states(n, "abort() called");
}

/* --- Connection ids ----------------------------------------------------------- */

static struct node_conn *conn_find(struct node *n, unsigned id)
{
	for (unsigned i = 0; id && i < NODE_MAX_CONNS; i++)
		if (n->conns[i].id == id)
			return &n->conns[i];
	return NULL;
}

unsigned node_conn_add(struct node *n, struct tcp_pcb *pcb, bool listener,
		       const struct node_conn_ops *ops, void *owner)
{
	for (unsigned i = 0; i < NODE_MAX_CONNS; i++) {
		struct node_conn *c = &n->conns[i];

		if (c->id)
			continue;
		c->id = ++n->next_id;
		c->pcb = pcb;
		c->listener = listener;
		c->ops = ops;
		c->owner = owner;
		emit_conn(n, c->id, pcb, listener);
		return c->id;
	}
	return 0; /* cannot happen: no more pcbs than slots */
}

void node_conn_remove(struct node *n, unsigned id)
{
	struct node_conn *c = conn_find(n, id);

	if (c)
		memset(c, 0, sizeof *c);
}

/* --- Timers ------------------------------------------------------------------ */

static void timer_trampoline(void *arg)
{
	struct node_timer *t = arg;
	struct node *n = t->node;

	t->armed = false;
	n->app_timeouts--;
	node_enter(n);
	t->fn(t->arg);
}

bool node_timer_start(struct node *n, struct node_timer *t, uint32_t ms,
		      const char *name, void (*fn)(void *arg), void *arg)
{
	if (t->armed || n->app_timeouts >= TCPSTEP_APP_TIMEOUTS) {
		node_error(n, "timer-budget", "no timer left for the app");
		return false;
	}
	t->node = n;
	t->fn = fn;
	t->arg = arg;
	t->name = name;
	t->armed = true;
	n->app_timeouts++;
	sys_timeout(ms, timer_trampoline, t);
	return true;
}

void node_timer_cancel(struct node_timer *t)
{
	if (!t->armed)
		return;
	sys_untimeout(timer_trampoline, t);
	t->armed = false;
	t->node->app_timeouts--;
}

static const char *timer_name(void (*handler)(void *), void *arg)
{
	if (handler == timer_trampoline)
		return ((struct node_timer *)arg)->name;
	return NULL;
}

/* lwIP's timer list with causes: what a timer changes is "tcp timer" (and
 * truestate names the specific timer), apps' timers name their own calls. */
static bool timers_next(void *user, uint64_t *deadline)
{
	(void)user;
	return port_lwip_timers.next_deadline(NULL, deadline);
}

static void timers_fire(void *user)
{
	struct node *n = user;
	const char *saved = n->ambient;

	n->ambient = TRUESTATE_CAUSE_TIMER;
	tapif_begin(n->tap);
	port_check_timeouts(timer_name);
	sync_states(n, TRUESTATE_CAUSE_TIMER);
	tapif_end(n->tap);
	n->ambient = saved;
}

/* --- Manual connections (the socket playground) ------------------------------ */

static void manual_free(struct manual_conn *m)
{
	node_conn_remove(m->node, m->id);
	free(m);
}

static void manual_release(void *owner)
{
	struct manual_conn *m = owner;

	/* the node closes the pcb; the id goes with this struct */
	m->pcb = NULL;
	free(m);
}

static const struct node_conn_ops manual_ops = { manual_release };

static void emit_id_event(struct node *n, const char *verb, unsigned id,
			  const void *text, size_t len)
{
	struct ctlmsg_out o;

	ctlmsg_out_init_event(&o, verb);
	ctlmsg_out_wordf(&o, "%u", id);
	if (text)
		ctlmsg_out_text(&o, text, len);
	emit(n, &o);
}

static err_t manual_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
	struct manual_conn *m = arg;

	(void)err;
	if (!m) {
		if (p) {
			tcp_recved(pcb, p->tot_len);
			pbuf_free(p);
		}
		return ERR_OK;
	}
	node_enter(m->node);
	if (!p) {
		emit_id_event(m->node, "eof", m->id, NULL, 0);
		return ERR_OK;
	}
	/* The playground reads everything at once (so close sends FIN) and
	 * shows it in pieces that fit a control line even percent-encoded. */
	for (struct pbuf *q = p; q; q = q->next)
		for (u16_t off = 0; off < q->len; off += 1024) {
			u16_t k = q->len - off < 1024 ? q->len - off : 1024;
			emit_id_event(m->node, "data", m->id,
				      (const char *)q->payload + off, k);
		}
	tcp_recved(pcb, p->tot_len);
	pbuf_free(p);
	return ERR_OK;
}

static void manual_err(void *arg, err_t err)
{
	struct manual_conn *m = arg;

	if (!m)
		return;
	node_enter_gone(m->node, m->pcb);
	/* ERR_CLSD: our FIN (after shutdown) was acknowledged in LAST_ACK and
	 * lwIP freed the pcb (tcp_in.c, TF_CLOSED) */
	const char *why = err == ERR_RST ? "connection reset (RST received)" :
			  err == ERR_ABRT ? "connection aborted" :
			  err == ERR_CLSD ? "connection closed" :
					    node_err_str(err);
	emit_id_event(m->node, "conn-error", m->id, why, strlen(why));
	manual_free(m);
}

static err_t manual_connected(void *arg, struct tcp_pcb *pcb, err_t err)
{
	struct manual_conn *m = arg;

	(void)pcb;
	if (!m)
		return ERR_OK;
	node_enter(m->node);
	if (err == ERR_OK)
		emit_id_event(m->node, "connected", m->id, NULL, 0);
	return ERR_OK;
}

/* The state of a manual connection, its callbacks set on pcb; not yet
 * given an id (connect does that only once lwIP has taken the SYN). */
static struct manual_conn *manual_alloc(struct node *n, struct tcp_pcb *pcb,
					bool listener)
{
	struct manual_conn *m = calloc(1, sizeof *m);

	if (!m)
		return NULL;
	m->node = n;
	m->pcb = pcb;
	tcp_arg(pcb, m);
	if (!listener) {
		tcp_recv(pcb, manual_recv);
		tcp_err(pcb, manual_err);
	}
	return m;
}

static struct manual_conn *manual_new(struct node *n, struct tcp_pcb *pcb,
				      bool listener)
{
	struct manual_conn *m = manual_alloc(n, pcb, listener);

	if (m)
		m->id = node_conn_add(n, pcb, listener, &manual_ops, m);
	return m;
}

static err_t manual_accept(void *arg, struct tcp_pcb *newpcb, err_t err)
{
	struct manual_conn *l = arg;

	if (!l)
		return ERR_VAL;
	node_enter(l->node);
	if (err != ERR_OK || !newpcb) {
		node_error(l->node, "accept-failed", "lwIP could not allocate the connection");
		return ERR_VAL;
	}
	if (!manual_new(l->node, newpcb, false))
		return ERR_MEM;
	return ERR_OK;
}

/* --- Commands ---------------------------------------------------------------- */

static void catch_up(struct node *n)
{
	vclock_catch_up(&n->clock, vclock_real_ns(), &n->timers, UINT32_MAX);
}

static bool parse_id(struct node *n, const char *w, struct node_conn **c)
{
	uint64_t id;

	if (ctlmsg_parse_uint(w, UINT32_MAX, &id) < 0) {
		node_error(n, "bad-message", "connection id must be a number");
		return false;
	}
	*c = conn_find(n, (unsigned)id);
	if (*c && !(*c)->pcb) {
		/* its pcb is gone (on_state_change): drop the id now */
		if ((*c)->ops == &manual_ops)
			free((*c)->owner);
		memset(*c, 0, sizeof **c);
		*c = NULL;
	}
	if (!*c) {
		node_error(n, "unknown-id", "no such connection (closed, or never opened)");
		return false;
	}
	return true;
}

/* Hands a connection from its owner to the node and returns its pcb. */
static struct tcp_pcb *take_conn(struct node *n, struct node_conn *c)
{
	struct tcp_pcb *pcb = c->pcb;
	unsigned id = c->id;

	if (c->ops && c->ops->release)
		c->ops->release(c->owner);
	node_conn_remove(n, id); /* the owner may have done so already */
	return pcb;
}

static void cmd_listen(struct node *n, char **w)
{
	uint64_t port;
	err_t err;

	if (ctlmsg_parse_uint(w[1], 65535, &port) < 0 || port == 0) {
		node_error(n, "bad-message", "listen PORT: port must be 1..65535");
		return;
	}
	struct tcp_pcb *l = node_tcp_listen(n, (uint16_t)port, &err);
	if (!l) {
		node_error(n, "listen-failed", node_err_str(err));
		return;
	}
	tcp_accept(l, manual_accept);
	if (!manual_new(n, l, true)) {
		node_tcp_close(n, l);
		node_error(n, "listen-failed", "out of memory");
		return;
	}
	emit_ok(n, "listen");
}

static void cmd_connect(struct node *n, char **w)
{
	uint32_t ip;
	uint16_t port;

	if (ctlmsg_parse_addrport(w[1], false, &ip, &port) < 0) {
		node_error(n, "bad-message", "connect IP:PORT: bad address");
		return;
	}
	if (!ctlmsg_addr_on_test_net(ip)) {
		node_error(n, "outside-test-net", "tcpstep only talks to 192.0.2.0/24 (RFC 5737)");
		return;
	}
	struct tcp_pcb *pcb = tcp_new();
	if (!pcb) {
		node_error(n, "connect-failed", "no free pcb (lwIP's pool is empty)");
		return;
	}
	struct manual_conn *m = manual_alloc(n, pcb, false);
	if (!m) {
		tcp_close(pcb);
		node_error(n, "connect-failed", "out of memory");
		return;
	}
	err_t err = node_tcp_connect(n, pcb, ip, port, manual_connected);
	if (err != ERR_OK) {
		node_tcp_detach(pcb);
		tcp_abort(pcb);
		free(m);
		node_error(n, "connect-failed", node_err_str(err));
		return;
	}
	m->id = node_conn_add(n, pcb, false, &manual_ops, m);
	emit_ok(n, "connect");
}

static void cmd_send(struct node *n, char **w)
{
	char data[CTLMSG_LINE_MAX];
	struct node_conn *c;
	size_t len;

	if (!parse_id(n, w[1], &c))
		return;
	if (ctlmsg_text_decode(data, sizeof data, w[2], &len) < 0) {
		node_error(n, "bad-message", "send ID TEXT: bad percent-encoding");
		return;
	}
	if (c->listener) {
		node_error(n, "not-connected", "cannot send on a listener");
		return;
	}
	if (len > tcp_sndbuf(c->pcb)) {
		node_error(n, "no-buffer", "not enough room in the send buffer");
		return;
	}
	err_t err = node_tcp_write(n, c->pcb, data, len, true);
	if (err != ERR_OK) {
		node_error(n, "send-failed", node_err_str(err));
		return;
	}
	emit_ok(n, "send");
}

static void cmd_shutdown(struct node *n, char **w)
{
	struct node_conn *c;

	if (!parse_id(n, w[1], &c))
		return;
	if (c->listener) {
		node_error(n, "not-connected", "cannot shut down a listener");
		return;
	}
	err_t err = node_tcp_shutdown_write(n, c->pcb);
	if (err != ERR_OK) {
		node_error(n, "shutdown-failed", node_err_str(err));
		return;
	}
	emit_ok(n, "shutdown");
}

static void cmd_close(struct node *n, char **w, bool abort)
{
	struct node_conn *c;

	if (!parse_id(n, w[1], &c))
		return;
	bool listener = c->listener;
	struct tcp_pcb *pcb = take_conn(n, c);
	if (abort && !listener)
		node_tcp_abort(n, pcb);
	else
		node_tcp_close(n, pcb);
	emit_ok(n, abort ? "abort" : "close");
}

/* Node time `advance-until-event` may skip at most: 10 minutes covers any
 * lwIP timeout (SYN retries, FIN_WAIT_2, TIME_WAIT with --msl 300). */
#define NODE_ADVANCE_MAX_MS (10 * 60 * 1000)

/* advance: fire exactly the next timer deadline. until_event: go on,
 * deadline by deadline, until a deadline does something a lesson shows
 * (a state change, a held segment, app output), e.g. straight to a
 * retransmission or to the end of TIME_WAIT. */
static void cmd_advance(struct node *n, bool until_event)
{
	uint64_t at = vclock_now(&n->clock), start = at;
	const char *name;
	struct ctlmsg_out o;
	unsigned long before;
	unsigned fired = 0;

	if (vclock_running(&n->clock)) {
		node_error(n, "not-paused", "advance works while paused");
		return;
	}
	do {
		before = n->visible_events;
		name = port_next_timer_name(timer_name);
		if (!name || !vclock_advance(&n->clock, &n->timers, &at))
			break;
		fired++;
	} while (until_event && n->visible_events == before &&
		 at - start < NODE_ADVANCE_MAX_MS && !n->quit);
	if (fired == 0) {
		node_error(n, "no-timer", "no timer is pending");
		return;
	}
	ctlmsg_out_init_event(&o, "fired");
	ctlmsg_out_wordf(&o, "%llu", (unsigned long long)at);
	ctlmsg_out_text(&o, name, strlen(name));
	if (until_event)
		ctlmsg_out_wordf(&o, "%u", fired);
	emit(n, &o);
	emit_clock(n);
	emit_ok(n, until_event ? "advance-until-event" : "advance");
}

static void cmd_run(struct node *n, char **w)
{
	(void)w;
	vclock_run(&n->clock, vclock_real_ns());
	tapif_set_hold(n->tap, false);
	emit_clock(n);
	emit_ok(n, "run");
}

static void cmd_pause(struct node *n, char **w)
{
	(void)w;
	vclock_pause(&n->clock, vclock_real_ns());
	tapif_set_hold(n->tap, true);
	emit_clock(n);
	emit_ok(n, "pause");
}

static void cmd_step(struct node *n, char **w)
{
	(void)w;
	if (!tapif_step(n->tap))
		node_error(n, "nothing-held", "no frame is held");
	else
		emit_ok(n, "step");
}

static void cmd_advance_one(struct node *n, char **w)
{
	(void)w;
	cmd_advance(n, false);
}

static void cmd_advance_until_event(struct node *n, char **w)
{
	(void)w;
	cmd_advance(n, true);
}

/* advance-to T: while paused, the clock goes to node time T (at most
 * NODE_ADVANCE_MAX_MS on), firing every deadline up to it at its time: how
 * a controller keeps several nodes' clocks in step while it advances one to
 * its next timer. */
static void cmd_advance_to(struct node *n, char **w)
{
	uint64_t now = vclock_now(&n->clock), target;
	unsigned fired;

	if (vclock_running(&n->clock)) {
		node_error(n, "not-paused", "advance-to works while paused");
		return;
	}
	if (ctlmsg_parse_uint(w[1], UINT64_MAX, &target) < 0) {
		node_error(n, "bad-message", "advance-to wants a time in ms");
		return;
	}
	if (target < now) {
		node_error(n, "in-the-past", "the clock does not go back");
		return;
	}
	if (target - now > NODE_ADVANCE_MAX_MS) {
		node_error(n, "too-far", "advance-to goes at most 10 minutes on");
		return;
	}
	/* 10 minutes of the 100 ms TCP timer, ARP's and the apps': a bound
	 * only a timer re-arming itself at once would reach. */
	fired = vclock_advance_to(&n->clock, &n->timers, target, 20000);
	if (vclock_now(&n->clock) != target) {
		/* a timer that re-arms itself at once, over and over */
		node_error(n, "timer-budget", "too many timers on the way");
		emit_clock(n);
		return;
	}
	if (fired) {
		struct ctlmsg_out o;

		ctlmsg_out_init_event(&o, "fired");
		ctlmsg_out_wordf(&o, "%llu", (unsigned long long)target);
		ctlmsg_out_text(&o, "advance-to", strlen("advance-to"));
		ctlmsg_out_wordf(&o, "%u", fired);
		emit(n, &o);
	}
	emit_clock(n);
	emit_ok(n, "advance-to");
}

static void cmd_speed(struct node *n, char **w)
{
	double f;

	if (ctlmsg_parse_decimal(w[1], VCLOCK_SPEED_MIN, VCLOCK_SPEED_MAX, &f) < 0 ||
	    vclock_set_speed(&n->clock, vclock_real_ns(), f) < 0) {
		node_error(n, "bad-message", "speed F: F must be 0.1 to 100");
		return;
	}
	emit_clock(n);
	emit_ok(n, "speed");
}

static void cmd_drop_next_in(struct node *n, char **w)
{
	(void)w;
	tapif_drop_next_in(n->tap);
	emit_ok(n, "drop-next-in");
}

static void cmd_status(struct node *n, char **w)
{
	struct ctlmsg_out o;

	(void)w;
	emit_clock(n);
	ctlmsg_out_init_event(&o, "held");
	ctlmsg_out_wordf(&o, "%u", tapif_held(n->tap));
	emit(n, &o);
	ctlmsg_out_init_event(&o, "conns");
	ctlmsg_out_wordf(&o, "%u", truestate_conns(n->ts));
	emit(n, &o);
	emit_ok(n, "status");
}

static void cmd_close_conn(struct node *n, char **w)
{
	cmd_close(n, w, false);
}

static void cmd_abort(struct node *n, char **w)
{
	cmd_close(n, w, true);
}

static void cmd_quit(struct node *n, char **w)
{
	(void)w;
	emit_ok(n, "quit");
	n->quit = true;
}

struct command {
	const char *verb;
	int words; /* including the verb */
	void (*handler)(struct node *n, char **w);
};

static const struct command commands[] = {
	{ "run", 1, cmd_run }, { "pause", 1, cmd_pause }, { "step", 1, cmd_step },
	{ "advance", 1, cmd_advance_one },
	{ "advance-until-event", 1, cmd_advance_until_event },
	{ "advance-to", 2, cmd_advance_to },
	{ "speed", 2, cmd_speed }, { "drop-next-in", 1, cmd_drop_next_in },
	{ "status", 1, cmd_status },
	{ "listen", 2, cmd_listen }, { "connect", 2, cmd_connect },
	{ "send", 3, cmd_send }, { "shutdown", 2, cmd_shutdown },
	{ "close", 2, cmd_close_conn }, { "abort", 2, cmd_abort },
	{ "quit", 1, cmd_quit },
};

static void handle_command(struct node *n, char **w, int nw)
{
	const struct command *cmd = NULL;

	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (strcmp(w[0], commands[i].verb) == 0)
			cmd = &commands[i];
	if (!cmd) {
		node_error(n, "unknown-command", w[0]);
		return;
	}
	if (nw != cmd->words) {
		char msg[64];
		snprintf(msg, sizeof msg, "%s takes %d argument(s)", cmd->verb,
			 cmd->words - 1);
		node_error(n, "bad-message", msg);
		return;
	}
	/* time that passed while we waited for this command counts first */
	catch_up(n);
	cmd->handler(n, w);
}

static void on_line(void *user, enum ctlmsg_line_status st, char *line,
		    size_t len)
{
	struct node *n = user;
	char *w[CTLMSG_MAX_WORDS];
	int nw;

	if (st == CTLMSG_LINE_TOO_LONG) {
		node_error(n, "line-too-long", "a control line exceeded 4096 bytes and was ignored");
		return;
	}
	nw = ctlmsg_split(line, len, w, CTLMSG_MAX_WORDS);
	if (nw < 0) {
		node_error(n, "bad-message", "empty line, bad spacing, a control or non-ASCII byte, or too many words");
		return;
	}
	tapif_begin(n->tap);
	handle_command(n, w, nw);
	tapif_end(n->tap);
}

/* --- TAP hooks ----------------------------------------------------------------- */

static void on_held(void *user, unsigned count)
{
	struct node *n = user;
	struct ctlmsg_out o;

	ctlmsg_out_init_event(&o, "held");
	ctlmsg_out_wordf(&o, "%u", count);
	emit(n, &o);
}

static void on_before_input(void *user, const uint8_t *frame, size_t len)
{
	struct node *n = user;
	const char *cause = frame_rcvd_cause(frame, len);

	n->ambient = cause ? cause : "rcvd frame";
	tapif_begin(n->tap);
}

static void on_after_input(void *user)
{
	struct node *n = user;

	sync_states(n, n->ambient);
	n->ambient = NULL;
	tapif_end(n->tap);
}

static void on_dropped_in(void *user, const uint8_t *frame, size_t len)
{
	struct node *n = user;
	struct ctlmsg_out o;
	const char *what = frame_rcvd_cause(frame, len);

	/* "rcvd SYN" -> "SYN": what was dropped */
	what = what ? what + 5 : "non-TCP frame";
	ctlmsg_out_init_event(&o, "dropped");
	ctlmsg_out_wordf(&o, "%llu", (unsigned long long)vclock_now(&n->clock));
	ctlmsg_out_text(&o, what, strlen(what));
	emit(n, &o);
}

static void on_tap_error(void *user, const char *key, const char *text)
{
	node_error(user, key, text);
}

/* --- Life cycle ------------------------------------------------------------------ */

struct node *node_create(const struct node_config *cfg, char *err, size_t errlen)
{
	static bool lwip_up; /* lwIP can be initialised once per process */
	struct node *n;
	int fd = cfg->frame_fd;

	if (lwip_up) {
		snprintf(err, errlen, "one node per process");
		return NULL;
	}
	n = calloc(1, sizeof *n);
	if (!n) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	n->cfg = *cfg;
	n->ctl_fd = cfg->control_fd;
	/* events are written whole, blocking (the controller reads them all);
	 * a non-blocking fd inherited from the controller would make a busy
	 * moment look like a hang-up */
	int fl = fcntl(n->ctl_fd, F_GETFL);
	if (fl >= 0 && (fl & O_NONBLOCK))
		fcntl(n->ctl_fd, F_SETFL, fl & ~O_NONBLOCK);
	ctlmsg_reader_init(&n->reader);
	n->ts = truestate_create(on_state_change, n);
	if (!n->ts) {
		snprintf(err, errlen, "out of memory");
		free(n);
		return NULL;
	}
	n->timers = (struct vclock_timers){ timers_next, timers_fire, n };
	vclock_init(&n->clock, vclock_real_ns(), !cfg->paused, cfg->speed);

	if (fd < 0) {
		fd = tapif_open(cfg->tap, err, errlen);
		if (fd < 0) {
			truestate_destroy(n->ts);
			free(n);
			return NULL;
		}
	}
	port_init(cfg->seed, cfg->ip, &n->clock, cfg->msl_ms);
	lwip_init();
	lwip_up = true;

	struct tapif_hooks hooks = {
		.held = on_held,
		.before_input = on_before_input,
		.after_input = on_after_input,
		.dropped_in = on_dropped_in,
		.error = on_tap_error,
		.user = n,
	};
	n->tap = tapif_create(fd, cfg->mac, cfg->ip, cfg->netmask, cfg->gw, &hooks);
	if (!n->tap) {
		snprintf(err, errlen, "cannot set up the netif");
		close(fd);
		truestate_destroy(n->ts);
		free(n);
		return NULL;
	}
	tapif_set_hold(n->tap, cfg->paused);
	return n;
}

static void emit_hello(struct node *n)
{
	struct ctlmsg_out o;
	char ip[CTLMSG_ADDRPORT_MAX];
	const uint8_t *m = n->cfg.mac;

	ctlmsg_format_addrport(ip, n->cfg.ip, 0);
	*strrchr(ip, ':') = '\0';
	ctlmsg_out_init_event(&o, "hello");
	ctlmsg_out_text(&o, n->cfg.name, strlen(n->cfg.name));
	ctlmsg_out_word(&o, ip);
	ctlmsg_out_wordf(&o, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2],
			 m[3], m[4], m[5]);
	emit(n, &o);
}

int node_run(struct node *n)
{
	emit_hello(n);
	emit_clock(n);
	n->ambient = NULL;
	tapif_begin(n->tap);
	if (n->cfg.app_start)
		n->app = n->cfg.app_start(n, n->cfg.app);
	tapif_end(n->tap);
	if (n->cfg.app_start && !n->app) {
		node_error(n, "out-of-memory", "cannot start the app");
		return 1;
	}

	while (!n->quit) {
		struct pollfd pfd[2] = {
			{ .fd = tapif_fd(n->tap), .events = POLLIN },
			{ .fd = n->ctl_fd, .events = POLLIN },
		};
		uint64_t d;
		int timeout = -1;

		unsigned fired = vclock_catch_up(&n->clock, vclock_real_ns(),
						 &n->timers, NODE_MAX_FIRES);
		if (n->quit)
			break;
		if (fired == NODE_MAX_FIRES)
			timeout = 0;
		else if (timers_next(n, &d))
			timeout = vclock_real_wait_ms(&n->clock, vclock_real_ns(), d);

		if (poll(pfd, 2, timeout) < 0) {
			if (errno == EINTR)
				continue;
			node_error(n, "poll-failed", strerror(errno));
			n->status = 1;
			break;
		}
		if (pfd[0].revents & (POLLIN | POLLERR | POLLHUP)) {
			catch_up(n);
			if (tapif_poll(n->tap, 64) < 0) {
				node_error(n, "tap-failed", "the TAP device failed or went away");
				n->status = 1;
				break;
			}
		}
		if (pfd[1].revents & (POLLIN | POLLERR | POLLHUP)) {
			long r = ctlmsg_reader_read_fd(&n->reader, n->ctl_fd, on_line, n);
			if (r == 0 || (r < 0 && errno != EINTR && errno != EAGAIN)) {
				/* the controller hung up: a node never outlives it */
				n->ctl_gone = true;
				break;
			}
		}
	}
	return n->status;
}

void node_destroy(struct node *n)
{
	if (!n)
		return;
	n->ctl_gone = true; /* no events after `ok quit` */
	if (n->cfg.app_stop && n->app)
		n->cfg.app_stop(n->app);
	/* manual connections: free their state, leave lwIP no callbacks into
	 * it (netif_remove below aborts the pcbs) */
	for (unsigned i = 0; i < NODE_MAX_CONNS; i++) {
		struct node_conn *c = &n->conns[i];
		if (c->id && c->ops == &manual_ops) {
			if (c->pcb)
				node_tcp_detach(c->pcb);
			free(c->owner);
		}
	}
	tapif_destroy(n->tap);
	truestate_destroy(n->ts);
	free(n);
}
