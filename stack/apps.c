#include "apps.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "appfmt.h"

/* --- Server -----------------------------------------------------------------
 *
 * Go's server: listen, print the start-up line, then for each accepted
 * connection print [Remote Address] and the peer, read once (at most 1024
 * bytes) and print [Message] and the text, then (final version) wait 1 s,
 * write "Hello, <peer>\n" and close. The earlier versions in the article:
 * handle one connection and exit; a sequential loop with a 5 s handler.
 *
 * lwIP has no accept queue (the accept callback runs when the handshake
 * completes), so the sequential and once modes queue accepted connections
 * themselves, as the kernel's backlog would for Go; their data waits in
 * lwIP unacknowledged by tcp_recved() until the handler reads it, like data
 * in a socket buffer. */

enum sphase {
	S_QUEUED,  /* accepted by TCP, not yet by the app's loop */
	S_READING, /* handler started, waiting for the message */
	S_WAITING, /* handler sleeping (1 s or 5 s) */
};

struct server;

struct sconn {
	struct server *srv;
	struct tcp_pcb *pcb; /* NULL once closed or freed by lwIP */
	unsigned id;
	enum sphase phase;
	struct pbuf *rx; /* received, not yet read */
	bool fin;        /* the peer sent FIN (read returns EOF) */
	bool close_on_fin; /* see sconn_close_soon */
	uint32_t peer_ip;
	uint16_t peer_port;
	struct node_timer timer;
	struct sconn *next;  /* in the server's queue */
	struct sconn *older, *newer; /* all live connections of the server */
};

struct server {
	struct node *node;
	enum node_server_mode mode;
	struct tcp_pcb *listener;
	unsigned listener_id;
	struct sconn *active; /* sequential/once: the one being handled */
	struct sconn *queue;  /* sequential/once: waiting, oldest first */
	struct sconn *newest; /* every live sconn, for server_destroy */
	bool exited;
	/* accept failures, reported at most once per second (a SYN flood
	 * must not flood the controller too) */
	unsigned accept_failures;
	uint64_t accept_reported_at;
	bool accept_reported;
};

struct client;

struct apps {
	struct node *node;
	struct server *server;
	struct client *client;
};

static void sconn_start(struct sconn *sc);
static void sconn_close(struct sconn *sc);
static void sconn_finish(struct sconn *sc);

static void out_str(struct node *n, const char *buf, size_t len, size_t cap)
{
	node_out(n, buf, len < cap ? len : cap - 1);
}

static void queue_remove(struct server *srv, struct sconn *sc)
{
	for (struct sconn **p = &srv->queue; *p; p = &(*p)->next) {
		if (*p == sc) {
			*p = sc->next;
			sc->next = NULL;
			return;
		}
	}
}

static void sconn_link(struct server *srv, struct sconn *sc)
{
	sc->older = srv->newest;
	if (srv->newest)
		srv->newest->newer = sc;
	srv->newest = sc;
}

/* Unlinks and frees an sconn whose pcb is closed, gone or detached. */
static void sconn_free(struct sconn *sc)
{
	struct server *srv = sc->srv;

	if (sc->newer)
		sc->newer->older = sc->older;
	else
		srv->newest = sc->older;
	if (sc->older)
		sc->older->newer = sc->newer;
	if (sc->rx)
		pbuf_free(sc->rx);
	free(sc);
}

/* Go's program ends (main returns, or log.Fatal exits): the kernel closes
 * the listener and every connection, with FIN, or RST where data was left
 * unread (tcp.c tcp_close_shutdown does the same). fatal: the log.Fatal
 * message, printed first, as Go does before exiting. */
static void server_exit(struct server *srv, int status, const char *fatal)
{
	struct node *n = srv->node;

	if (srv->exited)
		return;
	srv->exited = true;
	if (fatal)
		node_fatal(n, fatal);
	srv->active = NULL;
	srv->queue = NULL;
	while (srv->newest) {
		struct sconn *sc = srv->newest;
		node_timer_cancel(&sc->timer);
		if (sc->pcb) {
			if (sc->rx)
				node_tcp_abort(n, sc->pcb);
			else
				node_tcp_close(n, sc->pcb);
			sc->pcb = NULL;
		}
		node_conn_remove(n, sc->id);
		sconn_free(sc);
	}
	if (srv->listener) {
		node_conn_remove(n, srv->listener_id);
		node_tcp_close(n, srv->listener);
		srv->listener = NULL;
	}
	if (!fatal)
		node_app_done(n, status);
}

static void sconn_reply_and_close(void *arg)
{
	struct sconn *sc = arg;
	char hello[64];

	if (sc->pcb) {
		size_t len = appfmt_hello(hello, sizeof hello, sc->peer_ip,
					  sc->peer_port);
		/* conn.Write then conn.Close: the reply and the FIN leave in
		 * one segment, so the client reads the reply in CLOSE_WAIT and
		 * its close is the passive one (CLOSE_WAIT -> LAST_ACK), as it
		 * is for the Go client, which closes well after the server's
		 * FIN has arrived. The error is ignored, as in the Go code. */
		node_tcp_write(sc->srv->node, sc->pcb, hello, len, false);
	}
	sconn_close(sc);
}

static void sconn_close_cb(void *arg)
{
	sconn_close(arg);
}

/* conn.Close() from inside a recv callback. If the peer's FIN came with the
 * data, lwIP delivers it right after this callback and counts it in the
 * receive window only then, so closing now would send RST (tcp.c
 * tcp_close_shutdown, rcv_wnd != TCP_WND_MAX): close on the FIN callback
 * instead, in the same segment's processing. */
static void sconn_close_soon(struct sconn *sc)
{
	if (sc->pcb && sc->pcb->state == CLOSE_WAIT && !sc->fin)
		sc->close_on_fin = true;
	else
		sconn_close(sc);
}

/* conn.Read(buf) returned: print what it read, then the rest of the
 * handler. */
static void sconn_read_done(struct sconn *sc)
{
	struct server *srv = sc->srv;
	struct node *n = srv->node;
	char buf[APPFMT_READ_MAX + 32];
	char data[APPFMT_READ_MAX];
	size_t len = 0, cap = sizeof buf;

	if (sc->rx) {
		len = pbuf_copy_partial(sc->rx, data, APPFMT_READ_MAX, 0);
		/* Everything received counts as read (tcp_recved): closing
		 * with unread data would send RST instead of FIN (tcp.c
		 * tcp_close_shutdown). Bytes past the first 1024 are dropped;
		 * the Go server would never read them either. */
		if (sc->pcb)
			tcp_recved(sc->pcb, sc->rx->tot_len);
		pbuf_free(sc->rx);
		sc->rx = NULL;
	}
	out_str(n, buf, appfmt_message(buf, cap, data, len), cap);

	sc->phase = S_WAITING;
	switch (srv->mode) {
	case NODE_SERVER_CONCURRENT:
		/* time.Sleep(1 * time.Second) on the node's clock */
		if (!node_timer_start(n, &sc->timer, 1000, "server 1 s wait",
				      sconn_reply_and_close, sc))
			sconn_reply_and_close(sc);
		break;
	case NODE_SERVER_SEQUENTIAL:
		/* the article's slow handler: time.Sleep(5 * time.Second) */
		if (!node_timer_start(n, &sc->timer, 5000, "server 5 s handler",
				      sconn_close_cb, sc))
			sconn_close(sc);
		break;
	case NODE_SERVER_ONCE:
		sconn_close_soon(sc);
		break;
	}
}

static void sconn_try_read(struct sconn *sc)
{
	/* Read blocks until data, EOF or an error (pcb gone) */
	if (sc->phase == S_READING && (sc->rx || sc->fin || !sc->pcb))
		sconn_read_done(sc);
}

static void sconn_start(struct sconn *sc)
{
	struct node *n = sc->srv->node;
	char buf[64];

	out_str(n, buf, appfmt_remote(buf, sizeof buf, sc->peer_ip, sc->peer_port),
		sizeof buf);
	sc->phase = S_READING;
	sconn_try_read(sc);
}

/* The handler is over (closed, or the connection died): free it and let a
 * sequential loop take the next one. */
static void sconn_finish(struct sconn *sc)
{
	struct server *srv = sc->srv;
	struct node *n = srv->node;
	bool was_active = srv->active == sc;

	node_timer_cancel(&sc->timer);
	if (sc->phase == S_QUEUED)
		queue_remove(srv, sc);
	node_conn_remove(n, sc->id);
	sconn_free(sc);
	if (!was_active)
		return;
	srv->active = NULL;
	if (srv->mode == NODE_SERVER_ONCE) {
		server_exit(srv, 0, NULL);
	} else if (srv->queue) {
		struct sconn *next = srv->queue;
		srv->queue = next->next;
		next->next = NULL;
		srv->active = next;
		sconn_start(next);
	}
}

/* conn.Close() */
static void sconn_close(struct sconn *sc)
{
	if (sc->pcb) {
		struct tcp_pcb *pcb = sc->pcb;
		sc->pcb = NULL;
		node_tcp_close(sc->srv->node, pcb);
	}
	sconn_finish(sc);
}

static err_t sconn_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
	struct sconn *sc = arg;

	(void)err;
	if (!sc) {
		/* closed by us: lwIP's own tcp_recv_null behaviour */
		if (p) {
			tcp_recved(pcb, p->tot_len);
			pbuf_free(p);
		}
		return ERR_OK;
	}
	node_enter(sc->srv->node);
	if (!p) {
		sc->fin = true;
		if (sc->close_on_fin) {
			sconn_close(sc);
			return ERR_OK;
		}
	} else if (sc->phase == S_WAITING) {
		/* after the one read: nobody reads it, but it is consumed so
		 * the close still sends FIN */
		tcp_recved(pcb, p->tot_len);
		pbuf_free(p);
		return ERR_OK;
	} else if (sc->rx) {
		pbuf_cat(sc->rx, p);
	} else {
		sc->rx = p;
	}
	sconn_try_read(sc);
	return ERR_OK;
}

static void sconn_err(void *arg, err_t err)
{
	struct sconn *sc = arg;

	(void)err;
	if (!sc)
		return;
	node_enter_gone(sc->srv->node, sc->pcb);
	sc->pcb = NULL; /* already freed by lwIP */
	if (sc->phase == S_READING) {
		/* conn.Read fails: the Go code prints an empty message */
		sconn_read_done(sc);
		return;
	}
	sconn_finish(sc);
}

/* A controller command closes or aborts this connection. */
static void sconn_release(void *owner)
{
	struct sconn *sc = owner;

	sc->pcb = NULL; /* the node closes it */
	sconn_finish(sc);
}

static const struct node_conn_ops sconn_ops = { sconn_release };

static err_t server_accept(void *arg, struct tcp_pcb *newpcb, err_t err)
{
	struct server *srv = arg;
	struct node *n = srv->node;
	struct sconn *sc;

	node_enter(n);
	if (err != ERR_OK || !newpcb) {
		/* lwIP could not allocate the connection (tcp_in.c
		 * tcp_listen_input): the SYN is dropped and the peer retries.
		 * Go would log.Fatal here; a classroom server keeps serving. */
		srv->accept_failures++;
		if (!srv->accept_reported ||
		    node_now(n) - srv->accept_reported_at >= 1000) {
			char msg[256];
			snprintf(msg, sizeof msg,
				 "%s (%u SYN(s) dropped: lwIP's pcb pool is full)",
				 appfmt_accept_failed, srv->accept_failures);
			node_error(n, "accept-failed", msg);
			srv->accept_failures = 0;
			srv->accept_reported = true;
			srv->accept_reported_at = node_now(n);
		}
		return ERR_VAL;
	}
	if (srv->exited)
		return ERR_VAL;
	sc = calloc(1, sizeof *sc);
	if (!sc) {
		node_error(n, "accept-failed", "out of memory");
		return ERR_MEM; /* lwIP aborts newpcb */
	}
	sc->srv = srv;
	sc->pcb = newpcb;
	sc->peer_ip = lwip_ntohl(ip4_addr_get_u32(&newpcb->remote_ip));
	sc->peer_port = newpcb->remote_port;
	sc->phase = S_QUEUED;
	sconn_link(srv, sc);
	tcp_arg(newpcb, sc);
	tcp_recv(newpcb, sconn_recv);
	tcp_err(newpcb, sconn_err);
	sc->id = node_conn_add(n, newpcb, false, &sconn_ops, sc);

	if (srv->mode == NODE_SERVER_CONCURRENT) {
		sconn_start(sc); /* go func() { ... }() */
	} else if (!srv->active) {
		srv->active = sc;
		sconn_start(sc);
	} else {
		struct sconn **p = &srv->queue;
		while (*p)
			p = &(*p)->next;
		*p = sc;
	}
	return ERR_OK;
}

/* A controller command closes the listener: Go's listen.Accept() then
 * fails, and the server ends with log.Fatal (its connections closed by the
 * kernel at exit). */
static void server_listener_release(void *owner)
{
	struct server *srv = owner;

	srv->listener = NULL; /* the node closes it */
	server_exit(srv, 1, appfmt_accept_failed);
}

static const struct node_conn_ops listener_ops = { server_listener_release };

static struct server *server_start(struct node *n)
{
	struct server *srv = calloc(1, sizeof *srv);
	char buf[128];
	err_t err;

	if (!srv)
		return NULL;
	srv->node = n;
	srv->mode = node_server_mode(n);
	srv->listener = node_tcp_listen(n, node_port(n), &err);
	if (!srv->listener) {
		appfmt_listen_failed(buf, sizeof buf, node_ip(n), node_port(n));
		node_fatal(n, buf);
		srv->exited = true;
		return srv;
	}
	tcp_arg(srv->listener, srv);
	tcp_accept(srv->listener, server_accept);
	srv->listener_id = node_conn_add(n, srv->listener, true, &listener_ops, srv);
	out_str(n, buf, appfmt_listening(buf, sizeof buf, node_ip(n), node_port(n)),
		sizeof buf);
	return srv;
}

static void server_destroy(struct server *srv)
{
	if (!srv)
		return;
	/* the node is going away: leave lwIP's pcbs without callbacks into
	 * freed memory (netif_remove will abort them) */
	while (srv->newest) {
		struct sconn *sc = srv->newest;
		if (sc->pcb)
			node_tcp_detach(sc->pcb);
		node_timer_cancel(&sc->timer);
		sconn_free(sc);
	}
	if (srv->listener) {
		tcp_arg(srv->listener, NULL);
		tcp_accept(srv->listener, NULL);
	}
	free(srv);
}

/* --- Client -----------------------------------------------------------------
 *
 * Go's client: dial (log.Fatal if it cannot), write "Hello, <server>\n",
 * read once (at most 1024 bytes), fmt.Println it, close. Concurrent-mode
 * server connections are not tracked here after close: the server's sconns
 * are freed as they finish. */

enum cphase { C_CONNECTING, C_READING, C_CLOSE_ON_FIN, C_DONE };

struct client {
	struct node *node;
	struct tcp_pcb *pcb;
	unsigned id;
	enum cphase phase;
	uint64_t started;
	struct node_timer retry;
};

static void client_attempt(void *arg);

static void client_finish(struct client *c, int status)
{
	struct node *n = c->node;

	c->phase = C_DONE;
	if (c->pcb) {
		struct tcp_pcb *pcb = c->pcb;
		c->pcb = NULL;
		node_conn_remove(n, c->id);
		node_tcp_close(n, pcb); /* defer conn.Close() */
	} else {
		node_conn_remove(n, c->id);
	}
	node_app_done(n, status);
}

static void client_connect_failed(struct client *c)
{
	char msg[128];

	c->phase = C_DONE;
	appfmt_connect_failed(msg, sizeof msg, node_connect_ip(c->node),
			      node_connect_port(c->node));
	node_fatal(c->node, msg);
}

static void client_print_reply(struct client *c, const void *data, size_t len)
{
	char buf[APPFMT_READ_MAX + 2];

	out_str(c->node, buf, appfmt_reply(buf, sizeof buf, data, len), sizeof buf);
}

static err_t client_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
	struct client *c = arg;
	char data[APPFMT_READ_MAX];
	size_t len = 0;

	(void)err;
	if (c && c->phase == C_CLOSE_ON_FIN && !p) {
		node_enter(c->node);
		client_finish(c, 0);
		return ERR_OK;
	}
	if (!c || c->phase != C_READING) {
		if (p) {
			tcp_recved(pcb, p->tot_len);
			pbuf_free(p);
		}
		return ERR_OK;
	}
	node_enter(c->node);
	if (p) {
		len = pbuf_copy_partial(p, data, sizeof data, 0);
		tcp_recved(pcb, p->tot_len); /* so close sends FIN, not RST */
		pbuf_free(p);
	}
	/* fmt.Println(string(res[:n])): n = 0 at EOF */
	client_print_reply(c, data, len);
	if (p && pcb->state == CLOSE_WAIT) {
		/* The FIN came with the data and lwIP hands it over right after
		 * this callback (tcp_in.c, TF_GOT_FIN). Closing now would send
		 * RST, because lwIP counts the FIN in the receive window only
		 * then (tcp_close_shutdown: rcv_wnd != TCP_WND_MAX). Close on
		 * the FIN callback instead: same segment, no time passes. */
		c->phase = C_CLOSE_ON_FIN;
		return ERR_OK;
	}
	client_finish(c, 0);
	return ERR_OK;
}

static void client_err(void *arg, err_t err)
{
	struct client *c = arg;

	if (!c)
		return;
	node_enter_gone(c->node, c->pcb);
	c->pcb = NULL; /* freed by lwIP */
	node_conn_remove(c->node, c->id);
	if (c->phase == C_CONNECTING) {
		/* refused (RST): retry for up to --connect-retry-ms, on the
		 * node's clock, every 200 ms */
		if (err == ERR_RST &&
		    node_now(c->node) - c->started + 200 <=
			    node_connect_retry_ms(c->node) &&
		    node_timer_start(c->node, &c->retry, 200, "client connect retry",
				     client_attempt, c))
			return;
		client_connect_failed(c);
	} else if (c->phase == C_READING) {
		/* conn.Read fails: n = 0, Println prints an empty line */
		client_print_reply(c, "", 0);
		client_finish(c, 0);
	} else if (c->phase == C_CLOSE_ON_FIN) {
		client_finish(c, 0); /* the reply was printed already */
	}
}

static err_t client_connected(void *arg, struct tcp_pcb *pcb, err_t err)
{
	struct client *c = arg;
	char hello[64];

	if (!c)
		return ERR_OK;
	node_enter(c->node);
	if (err != ERR_OK)
		return ERR_OK; /* lwIP reports failures through client_err */
	c->phase = C_READING;
	/* fmt.Sprintf("Hello, %s\n", conn.RemoteAddr()): the server */
	size_t len = appfmt_hello(hello, sizeof hello,
				  lwip_ntohl(ip4_addr_get_u32(&pcb->remote_ip)),
				  pcb->remote_port);
	node_tcp_write(c->node, pcb, hello, len, true);
	return ERR_OK;
}

static void client_release(void *owner)
{
	struct client *c = owner;

	c->pcb = NULL; /* the node closes it */
	if (c->phase == C_READING || c->phase == C_CLOSE_ON_FIN) {
		if (c->phase == C_READING)
			client_print_reply(c, "", 0);
		c->phase = C_DONE;
		node_app_done(c->node, 0);
	} else if (c->phase == C_CONNECTING) {
		client_connect_failed(c);
	}
}

static const struct node_conn_ops client_ops = { client_release };

static void client_attempt(void *arg)
{
	struct client *c = arg;
	struct tcp_pcb *pcb = tcp_new();
	err_t err;

	if (!pcb) {
		client_connect_failed(c);
		return;
	}
	tcp_arg(pcb, c);
	tcp_recv(pcb, client_recv);
	tcp_err(pcb, client_err);
	c->pcb = pcb;
	err = node_tcp_connect(c->node, pcb, node_connect_ip(c->node),
			       node_connect_port(c->node), client_connected);
	if (err != ERR_OK) {
		node_tcp_detach(pcb);
		tcp_abort(pcb);
		c->pcb = NULL;
		client_connect_failed(c);
		return;
	}
	c->id = node_conn_add(c->node, pcb, false, &client_ops, c);
}

static struct client *client_start(struct node *n)
{
	struct client *c = calloc(1, sizeof *c);

	if (!c)
		return NULL;
	c->node = n;
	c->phase = C_CONNECTING;
	c->started = node_now(n);
	client_attempt(c);
	return c;
}

static void client_destroy(struct client *c)
{
	if (!c)
		return;
	node_timer_cancel(&c->retry);
	if (c->pcb)
		node_tcp_detach(c->pcb);
	free(c);
}

/* --- Both ------------------------------------------------------------------ */

struct apps *apps_start(struct node *n, enum node_app app)
{
	struct apps *a = calloc(1, sizeof *a);

	if (!a)
		return NULL;
	a->node = n;
	if (app == NODE_APP_SERVER)
		a->server = server_start(n);
	else if (app == NODE_APP_CLIENT)
		a->client = client_start(n);
	return a;
}

void apps_destroy(struct apps *a)
{
	if (!a)
		return;
	server_destroy(a->server);
	client_destroy(a->client);
	free(a);
}
