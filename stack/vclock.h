/* The node's virtual clock: what lwIP's sys_now() reads.
 *
 * It runs at a speed factor (0.1x to 100x) of the real monotonic clock, or
 * stands still while paused. Timers fire only when it moves, and it moves
 * from one timer deadline to the next, firing each in turn: lwIP re-arms its
 * TCP timer from sys_now() (timeouts.c, tcpip_tcp_timer), so a single jump
 * over several deadlines would fire that timer once instead of once per
 * interval (and e.g. end TIME_WAIT late).
 *
 * Independent of lwIP: the timer list is reached through two callbacks, so
 * the clock is unit-tested against a fake list (tests/stack/test_clock.c). */
#ifndef TCPSTEP_VCLOCK_H
#define TCPSTEP_VCLOCK_H

#include <stdbool.h>
#include <stdint.h>

#define VCLOCK_SPEED_MIN 0.1
#define VCLOCK_SPEED_MAX 100.0

/* Caller-owned; fields are private to vclock.c (read them through the
 * accessors). */
struct vclock {
	uint64_t now_ms;     /* virtual time, ms since start */
	bool running;
	double speed;
	/* While running: virtual time base_ms corresponds to real anchor_ns.
	 * Re-anchored on every run/speed change, so a change applies from
	 * that moment on. */
	uint64_t base_ms;
	uint64_t anchor_ns;
};

/* The timer list the clock drives. next_deadline returns false if no timer
 * is pending, else sets *deadline_ms (virtual, absolute). fire runs every
 * timer due at or before the current virtual time (sys_check_timeouts). */
struct vclock_timers {
	bool (*next_deadline)(void *user, uint64_t *deadline_ms);
	void (*fire)(void *user);
	void *user;
};

/* Starts at virtual time 0, running or paused, at the given speed (clamped
 * to the allowed range). real_ns is the current CLOCK_MONOTONIC time. */
void vclock_init(struct vclock *c, uint64_t real_ns, bool running, double speed);

uint64_t vclock_now(const struct vclock *c);
bool vclock_running(const struct vclock *c);
double vclock_speed(const struct vclock *c);

/* Run / pause take effect at real time real_ns; the virtual time does not
 * jump. vclock_set_speed returns -1 (and changes nothing) for a speed
 * outside [VCLOCK_SPEED_MIN, VCLOCK_SPEED_MAX] or not a number. */
void vclock_run(struct vclock *c, uint64_t real_ns);
void vclock_pause(struct vclock *c, uint64_t real_ns);
int vclock_set_speed(struct vclock *c, uint64_t real_ns, double speed);

/* While running: moves the virtual time to where real_ns says it should be,
 * deadline by deadline: for each pending deadline up to that time, sets the
 * clock to exactly that deadline and fires, then re-reads the next deadline
 * (a fired timer may re-arm itself). Stops early after max_fires firings
 * (so a loop cannot starve the caller's I/O); returns the number fired. While
 * paused: does nothing and returns 0. */
unsigned vclock_catch_up(struct vclock *c, uint64_t real_ns,
			 const struct vclock_timers *t, unsigned max_fires);

/* While paused: moves the clock to the next deadline (if it lies in the
 * future) and fires it. Returns false if no timer is pending or the clock is
 * running (nothing changes then). *fired_at receives the new time. */
bool vclock_advance(struct vclock *c, const struct vclock_timers *t,
		    uint64_t *fired_at);

/* While paused: moves the clock to target_ms, deadline by deadline: every
 * pending deadline up to target_ms is fired at exactly its time (a fired
 * timer may re-arm itself), then the clock rests at target_ms. Stops early
 * after max_fires firings (the clock then rests at the last one). Returns
 * the number fired; 0 and nothing changes while running or if target_ms is
 * in the past. */
unsigned vclock_advance_to(struct vclock *c, const struct vclock_timers *t,
			   uint64_t target_ms, unsigned max_fires);

/* While running: how many real milliseconds until the virtual clock reaches
 * deadline_ms (rounded up, at least 0); -1 when paused (wait for I/O only).
 * For the poll(2) timeout. */
int vclock_real_wait_ms(const struct vclock *c, uint64_t real_ns,
			uint64_t deadline_ms);

/* The current CLOCK_MONOTONIC time in ns. */
uint64_t vclock_real_ns(void);

#endif
