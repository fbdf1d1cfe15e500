/* The node's Ethernet netif on a TAP device (or any fd that carries one
 * Ethernet frame per read/write, such as a SOCK_SEQPACKET socketpair in the
 * tests), with a hold queue for stepping:
 *
 * - while holding, TCP segments lwIP sends wait in the driver, in order
 *   (ARP and ICMP frames go out at once: they are plumbing, not the lesson);
 *   tapif_step() writes exactly the oldest one; tapif_set_hold(false)
 *   writes them all, in order;
 * - frames that arrive are processed at once, held or not (a real host
 *   cannot be paused, and the lesson is about what the node does with them);
 * - tapif_drop_next_in() makes the driver drop the next inbound frame, for
 *   retransmission lessons. */
#ifndef TCPSTEP_TAPIF_H
#define TCPSTEP_TAPIF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct tapif;

/* Frames waiting beyond this are dropped (and reported): a bound, so a
 * paused node under load cannot eat the machine's memory. */
#define TAPIF_HOLD_MAX 1024

struct tapif_hooks {
	/* The number of held frames changed. */
	void (*held)(void *user, unsigned count);
	/* An inbound frame is about to go to lwIP (to name the cause of what
	 * it does); after_input runs once lwIP is done with it. */
	void (*before_input)(void *user, const uint8_t *frame, size_t len);
	void (*after_input)(void *user);
	/* An inbound frame was dropped on request (drop-next-in). */
	void (*dropped_in)(void *user, const uint8_t *frame, size_t len);
	/* Something went wrong that the controller should hear about. */
	void (*error)(void *user, const char *key, const char *text);
	void *user;
};

/* Opens the existing TAP device ifname (IFF_TAP | IFF_NO_PI, non-blocking).
 * Refuses a name that is not an existing interface, since TUNSETIFF would
 * otherwise create a new device, and refuses outright in the host's network
 * namespace (PID 1's) or when that cannot be told. Returns the fd, or -1
 * with a message in err. */
int tapif_open(const char *ifname, char *err, size_t errlen);

/* Adds lwIP's netif (the default one) on fd with the given addresses (host
 * byte order) and MAC, and brings it up. Takes ownership of fd. */
struct tapif *tapif_create(int fd, const uint8_t mac[6], uint32_t ip,
			   uint32_t netmask, uint32_t gw,
			   const struct tapif_hooks *hooks);
void tapif_destroy(struct tapif *t);

int tapif_fd(const struct tapif *t);

/* Reads and processes the frames available on the fd (at most max).
 * Returns the number read, or -1 if the fd is closed or failed. */
int tapif_poll(struct tapif *t, int max);

/* A batch: frames lwIP sends between begin and end (not held ones), and
 * held ones that tapif_step or tapif_set_hold(false) release, are written
 * at the end, in order. The node wraps every input, timer and
 * command in one, so the events they cause reach the controller before the
 * frames do, and a peer's reaction cannot overtake them (nests). */
void tapif_begin(struct tapif *t);
void tapif_end(struct tapif *t);

void tapif_set_hold(struct tapif *t, bool hold);
/* Writes the oldest held frame. Returns false if none is held. */
bool tapif_step(struct tapif *t);
unsigned tapif_held(const struct tapif *t);
void tapif_drop_next_in(struct tapif *t);
bool tapif_drop_pending(const struct tapif *t);

#endif
