#include "port.h"

#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include "lwip/ip4_addr.h"
#include "lwip/priv/tcp_priv.h"
#include "lwip/sys.h"
#include "lwip/timeouts.h"
#include "lwip/etharp.h"
#include "port_hooks.h"

/* Read by lwIP through TCP_MSL (lwipopts.h). 2 s: a classroom default short
 * enough to watch TIME_WAIT end, long enough to see it. */
unsigned long port_tcp_msl_ms = 2000;

static const struct vclock *port_clock;
static uint64_t port_rand_state;
static uint64_t port_isn_key;
static uint32_t port_isn_count;

/* splitmix64 (Steele, Lea, Flood 2014): a tiny, well-mixed generator;
 * quality is plenty for ports and ISNs in a teaching tool (this is not a
 * defence against off-path attackers). */
static uint64_t splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15u);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

void port_init(uint64_t seed, uint32_t node_ip, const struct vclock *clock,
	       unsigned long msl_ms)
{
	uint64_t s = seed ^ ((uint64_t)node_ip << 17) ^ node_ip;

	port_clock = clock;
	port_tcp_msl_ms = msl_ms;
	port_rand_state = splitmix64(&s);
	port_isn_key = splitmix64(&s);
	port_isn_count = 0;
}

uint64_t port_random_seed(void)
{
	uint64_t seed = 0;
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		ssize_t n = read(fd, &seed, sizeof seed);
		close(fd);
		if (n == (ssize_t)sizeof seed)
			return seed;
	}
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 20) ^
	       ((uint64_t)getpid() << 40);
}

u32_t sys_now(void)
{
	/* Wraps after 49 days, which lwIP's timer arithmetic handles. */
	return port_clock ? (u32_t)vclock_now(port_clock) : 0;
}

unsigned int port_rand(void)
{
	return (unsigned int)(splitmix64(&port_rand_state) >> 32);
}

/* RFC 6528: ISN = M + F(localip, localport, remoteip, remoteport, secretkey).
 * F is a keyed mix of the 4-tuple. RFC 6528's M is a 4 us clock; here it is
 * a per-node connection counter times 64000 (the old BSD increment), so ISNs
 * still move forward for a reused 4-tuple but do not depend on real-time
 * jitter: the same --seed gives the same ISNs. */
u32_t port_tcp_isn(const ip_addr_t *local_ip, u16_t local_port,
		   const ip_addr_t *remote_ip, u16_t remote_port)
{
	uint64_t s = port_isn_key ^
		     ((uint64_t)ip4_addr_get_u32(local_ip) << 32 |
		      ip4_addr_get_u32(remote_ip));
	s ^= (uint64_t)local_port << 48 ^ (uint64_t)remote_port << 8;
	uint32_t f = (uint32_t)(splitmix64(&s) >> 32);

	return f + 64000u * ++port_isn_count;
}

static bool lwip_next_deadline(void *user, uint64_t *deadline_ms)
{
	u32_t sleep = sys_timeouts_sleeptime();

	(void)user;
	if (sleep == SYS_TIMEOUTS_SLEEPTIME_INFINITE)
		return false;
	*deadline_ms = (port_clock ? vclock_now(port_clock) : 0) + sleep;
	return true;
}

static void lwip_fire(void *user)
{
	(void)user;
	port_check_timeouts(NULL);
}

const struct vclock_timers port_lwip_timers = {
	.next_deadline = lwip_next_deadline,
	.fire = lwip_fire,
	.user = NULL,
};

/* lwIP's tcp_timer starts at 0 and tcp_tmr runs tcp_slowtmr when
 * ++tcp_timer is odd: its first call is a slow one. */
static bool port_tcp_next_is_slow = true;

/* The TCP timer's entry: timeouts.c's static tcpip_tcp_timer, known as the
 * one pending timeout that is neither a cyclic timer (ARP) nor an app's. */
static bool tcp_timer_deadline(port_timer_name_fn app_name_fn,
			       uint64_t *deadline_ms)
{
	uint64_t now = port_clock ? vclock_now(port_clock) : 0;

	for (struct sys_timeo *t = *sys_timeouts_get_next_timeout(); t;
	     t = t->next) {
		if (t->h == lwip_cyclic_timer ||
		    (app_name_fn && app_name_fn(t->h, t->arg)))
			continue;
		/* t->time is sys_now()'s u32 (wraps after 49 days of node
		 * time): the distance from now is what counts. */
		*deadline_ms = now + (uint32_t)(t->time - (uint32_t)now);
		if ((int32_t)(t->time - (uint32_t)now) < 0)
			*deadline_ms = now;
		return true;
	}
	return false;
}

void port_check_timeouts(port_timer_name_fn app_name_fn)
{
	uint64_t due, now = port_clock ? vclock_now(port_clock) : 0;
	bool tcp_due = tcp_timer_deadline(app_name_fn, &due) && due <= now;
	u32_t ticks = tcp_ticks;

	sys_check_timeouts();
	if (tcp_ticks != ticks)
		port_tcp_next_is_slow = false;
	else if (tcp_due)
		port_tcp_next_is_slow = true;
}

bool port_next_tcp_tick(port_timer_name_fn app_name_fn, uint64_t *deadline_ms)
{
	return tcp_timer_deadline(app_name_fn, deadline_ms);
}

bool port_next_slow_tick(port_timer_name_fn app_name_fn, uint64_t *deadline_ms)
{
	if (!tcp_timer_deadline(app_name_fn, deadline_ms))
		return false;
	if (!port_tcp_next_is_slow)
		*deadline_ms += TCP_TMR_INTERVAL;
	return true;
}

const char *port_next_timer_name(port_timer_name_fn app_name_fn)
{
	struct sys_timeo *t = *sys_timeouts_get_next_timeout();

	if (!t)
		return NULL;
	if (t->h == lwip_cyclic_timer) {
		const struct lwip_cyclic_timer *c = t->arg;

		if (c->handler == etharp_tmr)
			return "arp";
		if (c->handler == tcp_tmr)
			return "tcp";
		return "lwip";
	}
	const char *name = app_name_fn ? app_name_fn(t->h, t->arg) : NULL;
	/* The TCP timer is re-armed through timeouts.c's static
	 * tcpip_tcp_timer, the only lwIP one-shot left with our options. */
	return name ? name : "tcp";
}
