/* The session's private network: a network namespace "tcpstep-<pid>" holding
 * bridge br0 (192.0.2.1/24, the kernel's side) and one TAP per lwIP node.
 * Nothing is created in the host namespace: the namespace comes first, and
 * every link is made inside it.
 *
 * As root the namespace is a named one (/run/netns/tcpstep-<pid>, so
 * `ip netns exec tcpstep-<pid> ...` reaches it); netns_destroy removes it,
 * and netns_remove_stale removes those whose pid is dead. As another user
 * the calling process itself moves into a fresh user + network namespace
 * (the `unshare -rn` way): the kernel frees it when the last process in it
 * exits, so nothing can be left behind. Setup errors are written into the
 * caller's err buffer, never printed. */
#ifndef TCPSTEP_NETNS_H
#define TCPSTEP_NETNS_H

#include <stdbool.h>
#include <stddef.h>

struct netns;

/* The kernel's address on the bridge (RFC 5737 TEST-NET-1). */
#define NETNS_BRIDGE "br0"
#define NETNS_BRIDGE_ADDR "192.0.2.1/24"

/* Creates the namespace for this process's session, turns off IPv6 and
 * other kernel chatter in it, and creates br0 with 192.0.2.1/24 up.
 * Returns NULL and a message in err on failure (after undoing what it did). */
struct netns *netns_create(char *err, size_t errsize);

/* Kills every process still inside (SIGKILL) and removes everything
 * netns_create and netns_add_tap made. NULL is harmless. Does not print. */
void netns_destroy(struct netns *ns);

/* "tcpstep-<pid>", or "(user namespace)" when not named. */
const char *netns_name(const struct netns *ns);

/* True when the namespace has a name under /run/netns (root mode). */
bool netns_is_named(const struct netns *ns);

/* Creates TAP device ifname (at most 15 bytes) inside the namespace, enslaves
 * it to br0 and sets it up. The node opens it later with TUNSETIFF. */
bool netns_add_tap(struct netns *ns, const char *ifname, char *err,
		   size_t errsize);

/* Opens (attaches to) TAP ifname inside the namespace as a node would
 * (IFF_TAP | IFF_NO_PI, close-on-exec) and waits until br0 forwards its
 * frames, so nothing a node sends first is lost. Returns the fd (to hand to
 * the node), or -1 with err. */
int netns_open_tap(const struct netns *ns, const char *ifname, char *err,
		   size_t errsize);

/* For a child process after fork, before exec: moves the calling process
 * into the namespace (setns). Async-signal-safe. Returns 0 or -1 (errno). */
int netns_enter(const struct netns *ns);

/* Sends sig to every process inside the namespace other than the caller
 * (nodes, kernel peers and whatever they started). Returns how many. */
int netns_signal_all(const struct netns *ns, int sig);

/* Runs argv (argv[0] looked up in PATH) inside the namespace and waits.
 * Returns true on exit status 0; otherwise false, with the command, its
 * status and its stderr in err. */
bool netns_run(const struct netns *ns, char *const argv[], char *err,
	       size_t errsize);

/* Calls fn(user) with the calling thread switched into the namespace and
 * switches back afterwards, so sockets fn opens (pcap, netlink) belong to
 * the namespace. Returns fn's result, or -1 with a message in err if the
 * switch fails. */
int netns_call_inside(const struct netns *ns, int (*fn)(void *user),
		      void *user, char *err, size_t errsize);

/* Removes namespaces named tcpstep-<pid> whose pid is no longer alive (left
 * by a killed session), killing any process still inside them first. Never
 * touches a live session's namespace or any other name. One named after
 * the calling process is stale too (an earlier process had the pid): call
 * this before netns_create, never while this process has a session. Only
 * as root.
 * Returns the number removed; messages about failures go to err_cb. */
int netns_remove_stale(void (*err_cb)(const char *msg, void *user),
		       void *user);

#endif
