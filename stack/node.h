/* A tcpstep node: one lwIP stack in one process, on one TAP, driven by a
 * controller over a control socket (docs/control-protocol.md).
 *
 * node.c owns the run-time: the virtual clock, the TAP netif, the true-state
 * walker, the connection ids, the manual (socket playground) commands and
 * the event stream. The article's apps (apps.c) run on top of it and reach
 * lwIP's API through the node_* wrappers below, so every API call is followed
 * by a true-state walk with the call as its cause. */
#ifndef TCPSTEP_NODE_H
#define TCPSTEP_NODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lwip/tcp.h"

enum node_app {
	NODE_APP_SERVER,
	NODE_APP_CLIENT,
	NODE_APP_MANUAL,
};

enum node_server_mode {
	NODE_SERVER_ONCE,       /* handle one connection, then exit */
	NODE_SERVER_SEQUENTIAL, /* one at a time, 5 s handler */
	NODE_SERVER_CONCURRENT, /* the article's final version */
};

struct node;
struct apps;

struct node_config {
	const char *name;
	uint32_t ip, netmask, gw; /* host order */
	uint8_t mac[6];
	int control_fd;
	int frame_fd; /* an open frame fd (tests), or -1 to open `tap` */
	const char *tap;
	uint64_t seed;
	unsigned long msl_ms;
	bool paused;
	double speed;
	enum node_app app;
	enum node_server_mode server_mode;
	uint16_t port;             /* server: port to listen on */
	uint32_t connect_ip;       /* client: server to connect to */
	uint16_t connect_port;
	uint32_t connect_retry_ms; /* client: retry while refused, this long */
	/* The app (stack/apps.h), started by node_run and stopped by
	 * node_destroy: hooks, so that the node knows no app and the apps
	 * call only the node (no circle between the two files). start returns
	 * the app's state, NULL only when out of memory; both NULL: no app
	 * (the manual mode needs none). */
	struct apps *(*app_start)(struct node *n, enum node_app app);
	void (*app_stop)(struct apps *app);
};

struct node;

/* Sets up lwIP, the netif and the app. Returns NULL with a message in err on
 * failure. Only one node per process (lwIP is global). */
struct node *node_create(const struct node_config *cfg, char *err,
			 size_t errlen);
/* Runs the poll loop until `quit`, the controller hangs up or the TAP
 * fails. Returns the process exit status (0, or 1 after a fatal error). */
int node_run(struct node *n);
void node_destroy(struct node *n);

/* --- For the apps ---------------------------------------------------------- */

uint32_t node_ip(const struct node *n);
uint16_t node_port(const struct node *n);
uint32_t node_connect_ip(const struct node *n);
uint16_t node_connect_port(const struct node *n);
uint32_t node_connect_retry_ms(const struct node *n);
enum node_server_mode node_server_mode(const struct node *n);
uint64_t node_now(const struct node *n);

/* At the entry of every raw-API callback: walk the pcb lists, so changes
 * lwIP made before calling back are reported with the current cause. */
void node_enter(struct node *n);

/* At the entry of an error callback: pcb (the one lwIP reports dead; only
 * its address is used) is reported CLOSED even if lwIP unlinks it later. */
void node_enter_gone(struct node *n, const struct tcp_pcb *pcb);

/* The app's standard output (bytes; reported one line at a time). */
void node_out(struct node *n, const void *text, size_t len);
/* log.Fatal(msg): the Go logger's timestamped line, then app-done 1. */
void node_fatal(struct node *n, const char *msg);
/* The app finished with this status (reported once). */
void node_app_done(struct node *n, int status);
/* A problem the controller should hear about (KEY stable, TEXT free). */
void node_error(struct node *n, const char *key, const char *text);
/* An lwIP err_t as text for the controller, never empty: lwIP's own
 * lwip_strerr() is "" unless lwIP is built with LWIP_DEBUG (lwip/err.h).
 * The meaning of lwIP 2.1.3's err.c table, with the ERR_ name and the errno
 * its err_to_errno() maps it to, e.g. "address in use (lwIP ERR_USE,
 * EADDRINUSE)". */
const char *node_err_str(err_t err);

/* lwIP API calls, each followed by a true-state walk naming the call. */
struct tcp_pcb *node_tcp_listen(struct node *n, uint16_t port, err_t *err);
err_t node_tcp_connect(struct node *n, struct tcp_pcb *pcb, uint32_t ip,
		       uint16_t port, tcp_connected_fn connected);
/* tcp_write (copied); with push, tcp_output sends it now. Without, it waits
 * for lwIP's next output, so a close right after puts the FIN on the same
 * segment (tcp_out.c tcp_send_fin). */
err_t node_tcp_write(struct node *n, struct tcp_pcb *pcb, const void *data,
		     size_t len, bool push);
err_t node_tcp_shutdown_write(struct node *n, struct tcp_pcb *pcb);
/* tcp_close, falling back to tcp_abort if lwIP cannot close now (out of
 * memory for the FIN), as lwiperf.c does. Returns ERR_OK or ERR_ABRT. The
 * pcb's callbacks are cleared first: lwIP's tcp_recv_null then consumes what
 * still arrives. */
err_t node_tcp_close(struct node *n, struct tcp_pcb *pcb);
void node_tcp_abort(struct node *n, struct tcp_pcb *pcb);
/* Clears the pcb's callbacks and arg (a listener's accept), so lwIP calls
 * nothing of ours any more: before freeing the state they point to. The
 * pcb stays lwIP's. (node_tcp_close and node_tcp_abort do it themselves.) */
void node_tcp_detach(struct tcp_pcb *pcb);

/* Connection ids (the `conn` event), so controller commands can reach any
 * connection, the apps' too. release is called when a command closes or
 * aborts the connection: the owner drops its state (its pcb is about to be
 * closed by the node). */
struct node_conn_ops {
	void (*release)(void *owner);
};
unsigned node_conn_add(struct node *n, struct tcp_pcb *pcb, bool listener,
		       const struct node_conn_ops *ops, void *owner);
void node_conn_remove(struct node *n, unsigned id);

/* One-shot timers on the node's clock for the apps, counted against the
 * budget lwipopts.h reserves in MEMP_NUM_SYS_TIMEOUT. fn runs after a
 * true-state walk. Start returns false (and does nothing) if the budget is
 * spent. */
struct node_timer {
	struct node *node;
	void (*fn)(void *arg);
	void *arg;
	const char *name; /* shown when `advance` fires it */
	bool armed;
};
bool node_timer_start(struct node *n, struct node_timer *t, uint32_t ms,
		      const char *name, void (*fn)(void *arg), void *arg);
void node_timer_cancel(struct node_timer *t);

#endif
