#include "vclock.h"

#include <math.h>
#include <time.h>

static double clamp_speed(double speed)
{
	if (!(speed >= VCLOCK_SPEED_MIN)) /* also catches NaN */
		return VCLOCK_SPEED_MIN;
	return speed > VCLOCK_SPEED_MAX ? VCLOCK_SPEED_MAX : speed;
}

void vclock_init(struct vclock *c, uint64_t real_ns, bool running, double speed)
{
	c->now_ms = 0;
	c->running = running;
	c->speed = clamp_speed(speed);
	c->base_ms = 0;
	c->anchor_ns = real_ns;
}

uint64_t vclock_now(const struct vclock *c)
{
	return c->now_ms;
}

bool vclock_running(const struct vclock *c)
{
	return c->running;
}

double vclock_speed(const struct vclock *c)
{
	return c->speed;
}

/* Where a running clock should be at real_ns (never behind now_ms). */
static uint64_t target_ms(const struct vclock *c, uint64_t real_ns)
{
	uint64_t t = c->base_ms;

	if (real_ns > c->anchor_ns)
		t += (uint64_t)floor((double)(real_ns - c->anchor_ns) * c->speed / 1e6);
	return t > c->now_ms ? t : c->now_ms;
}

static void reanchor(struct vclock *c, uint64_t real_ns)
{
	c->base_ms = c->now_ms;
	c->anchor_ns = real_ns;
}

void vclock_run(struct vclock *c, uint64_t real_ns)
{
	if (!c->running) {
		c->running = true;
		reanchor(c, real_ns);
	}
}

void vclock_pause(struct vclock *c, uint64_t real_ns)
{
	/* The caller catches up to real_ns before pausing if it wants the
	 * elapsed time to count; the clock itself just stops where it is. */
	(void)real_ns;
	c->running = false;
}

int vclock_set_speed(struct vclock *c, uint64_t real_ns, double speed)
{
	if (!(speed >= VCLOCK_SPEED_MIN && speed <= VCLOCK_SPEED_MAX))
		return -1;
	c->speed = speed;
	reanchor(c, real_ns);
	return 0;
}

unsigned vclock_catch_up(struct vclock *c, uint64_t real_ns,
			 const struct vclock_timers *t, unsigned max_fires)
{
	unsigned fired = 0;
	uint64_t target, d;

	if (!c->running)
		return 0;
	target = target_ms(c, real_ns);
	while (t->next_deadline(t->user, &d) && d <= target) {
		if (fired == max_fires)
			return fired; /* resume from here on the next call */
		if (d > c->now_ms)
			c->now_ms = d;
		t->fire(t->user);
		fired++;
	}
	c->now_ms = target;
	return fired;
}

bool vclock_advance(struct vclock *c, const struct vclock_timers *t,
		    uint64_t *fired_at)
{
	uint64_t d;

	if (c->running || !t->next_deadline(t->user, &d))
		return false;
	if (d > c->now_ms)
		c->now_ms = d;
	t->fire(t->user);
	if (fired_at)
		*fired_at = c->now_ms;
	return true;
}

unsigned vclock_advance_to(struct vclock *c, const struct vclock_timers *t,
			   uint64_t target_ms, unsigned max_fires)
{
	unsigned fired = 0;
	uint64_t d;

	if (c->running || target_ms < c->now_ms)
		return 0;
	while (fired < max_fires && t->next_deadline(t->user, &d) &&
	       d <= target_ms) {
		if (d > c->now_ms)
			c->now_ms = d;
		t->fire(t->user);
		fired++;
	}
	if (fired < max_fires)
		c->now_ms = target_ms;
	return fired;
}

int vclock_real_wait_ms(const struct vclock *c, uint64_t real_ns,
			uint64_t deadline_ms)
{
	if (!c->running)
		return -1;
	if (deadline_ms <= target_ms(c, real_ns))
		return 0;
	/* real time at which base_ms + elapsed * speed reaches the deadline */
	double due_ns = (double)c->anchor_ns +
			(double)(deadline_ms - c->base_ms) * 1e6 / c->speed;
	double wait = ceil((due_ns - (double)real_ns) / 1e6);
	if (wait < 0)
		return 0;
	return wait > 60000 ? 60000 : (int)wait;
}

uint64_t vclock_real_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}
