/* The virtual clock (stack/vclock.c) against a fake timer list that behaves
 * like lwIP's: a periodic timer that re-arms itself from "now" when it fires
 * (timeouts.c tcpip_tcp_timer), plus one-shot timers. */
#include "../check.h"
#include "vclock.h"

#define MS 1000000ull /* ns per ms */

struct fake_timers {
	const struct vclock *clock;
	/* periodic timer re-armed from now, like lwIP's TCP timer */
	bool periodic_on;
	uint64_t periodic_due, periodic_interval;
	unsigned periodic_fired;
	uint64_t fired_at[64];
	/* a one-shot */
	bool oneshot_on;
	uint64_t oneshot_due;
	unsigned oneshot_fired;
};

static bool fake_next(void *user, uint64_t *deadline)
{
	struct fake_timers *f = user;
	bool any = false;

	if (f->periodic_on) {
		*deadline = f->periodic_due;
		any = true;
	}
	if (f->oneshot_on && (!any || f->oneshot_due < *deadline)) {
		*deadline = f->oneshot_due;
		any = true;
	}
	return any;
}

/* Like sys_check_timeouts(): fires every timer due at the clock's now. */
static void fake_fire(void *user)
{
	struct fake_timers *f = user;
	uint64_t now = vclock_now(f->clock);

	if (f->oneshot_on && f->oneshot_due <= now) {
		f->oneshot_on = false;
		f->oneshot_fired++;
	}
	if (f->periodic_on && f->periodic_due <= now) {
		if (f->periodic_fired < 64)
			f->fired_at[f->periodic_fired] = now;
		f->periodic_fired++;
		f->periodic_due = now + f->periodic_interval; /* from now */
	}
}

static struct vclock_timers fake_list(struct fake_timers *f)
{
	struct vclock_timers t = { fake_next, fake_fire, f };
	return t;
}

static void test_running_clock_follows_real_time(void)
{
	struct vclock c;

	vclock_init(&c, 1000 * MS, true, 1.0);
	struct fake_timers f = { .clock = &c };
	struct vclock_timers t = fake_list(&f);

	CHECK_INT_EQ(vclock_now(&c), 0);
	vclock_catch_up(&c, 1250 * MS, &t, 100);
	CHECK_INT_EQ(vclock_now(&c), 250);
	/* never goes backwards, even if real time does */
	vclock_catch_up(&c, 1100 * MS, &t, 100);
	CHECK_INT_EQ(vclock_now(&c), 250);
}

static void test_catch_up_fires_deadline_by_deadline(void)
{
	struct vclock c;

	vclock_init(&c, 0, true, 1.0);
	struct fake_timers f = { .clock = &c, .periodic_on = true,
				 .periodic_due = 100, .periodic_interval = 100 };
	struct vclock_timers t = fake_list(&f);

	/* 1 s late in one go: a single jump would fire the re-arming timer
	 * once; deadline by deadline it fires 10 times, each at its time. */
	unsigned n = vclock_catch_up(&c, 1050 * MS, &t, 1000);
	CHECK_INT_EQ(n, 10);
	CHECK_INT_EQ(f.periodic_fired, 10);
	for (unsigned i = 0; i < 10; i++)
		CHECK_INT_EQ(f.fired_at[i], 100 * (i + 1));
	CHECK_INT_EQ(vclock_now(&c), 1050);
	CHECK_INT_EQ(f.periodic_due, 1100);
}

static void test_catch_up_respects_max_fires(void)
{
	struct vclock c;

	vclock_init(&c, 0, true, 1.0);
	struct fake_timers f = { .clock = &c, .periodic_on = true,
				 .periodic_due = 100, .periodic_interval = 100 };
	struct vclock_timers t = fake_list(&f);

	CHECK_INT_EQ(vclock_catch_up(&c, 1000 * MS, &t, 3), 3);
	CHECK_INT_EQ(vclock_now(&c), 300); /* stopped at the last deadline */
	CHECK_INT_EQ(vclock_catch_up(&c, 1000 * MS, &t, 100), 7);
	CHECK_INT_EQ(vclock_now(&c), 1000);
}

static void test_paused_clock_fires_nothing(void)
{
	struct vclock c;

	vclock_init(&c, 0, true, 1.0);
	struct fake_timers f = { .clock = &c, .periodic_on = true,
				 .periodic_due = 100, .periodic_interval = 100 };
	struct vclock_timers t = fake_list(&f);

	vclock_catch_up(&c, 50 * MS, &t, 100);
	vclock_pause(&c, 50 * MS);
	/* an hour of real time passes */
	CHECK_INT_EQ(vclock_catch_up(&c, 3600000 * MS, &t, 100), 0);
	CHECK_INT_EQ(vclock_now(&c), 50);
	CHECK_INT_EQ(f.periodic_fired, 0);
	CHECK_INT_EQ(vclock_real_wait_ms(&c, 3600000 * MS, 100), -1);

	/* resuming continues from 50, not from the real time */
	vclock_run(&c, 3600000 * MS);
	vclock_catch_up(&c, 3600000 * MS + 60 * MS, &t, 100);
	CHECK_INT_EQ(vclock_now(&c), 110);
	CHECK_INT_EQ(f.periodic_fired, 1);
	CHECK_INT_EQ(f.fired_at[0], 100);
}

static void test_advance_fires_exactly_the_next_deadline(void)
{
	struct vclock c;
	uint64_t at = 0;

	vclock_init(&c, 0, false, 1.0);
	struct fake_timers f = { .clock = &c, .periodic_on = true,
				 .periodic_due = 100, .periodic_interval = 100,
				 .oneshot_on = true, .oneshot_due = 250 };
	struct vclock_timers t = fake_list(&f);

	CHECK(vclock_advance(&c, &t, &at));
	CHECK_INT_EQ(at, 100);
	CHECK_INT_EQ(f.periodic_fired, 1);
	CHECK_INT_EQ(f.oneshot_fired, 0);
	CHECK(vclock_advance(&c, &t, &at));
	CHECK(vclock_advance(&c, &t, &at));
	CHECK_INT_EQ(at, 250);
	CHECK_INT_EQ(f.periodic_fired, 2);
	CHECK_INT_EQ(f.oneshot_fired, 1);
	CHECK(vclock_advance(&c, &t, &at));
	CHECK_INT_EQ(at, 300);
	CHECK_INT_EQ(f.periodic_fired, 3);

	/* nothing pending: nothing happens */
	f.periodic_on = false;
	CHECK(!vclock_advance(&c, &t, &at));
	CHECK_INT_EQ(vclock_now(&c), 300);

	/* advance is refused while running (the clock moves by itself) */
	f.periodic_on = true;
	vclock_run(&c, 0);
	CHECK(!vclock_advance(&c, &t, &at));
}

static void test_speed_scales_and_is_bounded(void)
{
	struct vclock c;

	vclock_init(&c, 0, true, 1.0);
	struct fake_timers f = { .clock = &c };
	struct vclock_timers t = fake_list(&f);

	CHECK_INT_EQ(vclock_set_speed(&c, 0, 100), 0);
	vclock_catch_up(&c, 10 * MS, &t, 10);
	CHECK_INT_EQ(vclock_now(&c), 1000);
	/* a change applies from its moment: 10 ms more at 0.1x = 1 ms */
	CHECK_INT_EQ(vclock_set_speed(&c, 10 * MS, 0.1), 0);
	vclock_catch_up(&c, 20 * MS, &t, 10);
	CHECK_INT_EQ(vclock_now(&c), 1001);
	CHECK_INT_EQ(vclock_set_speed(&c, 20 * MS, 0.09), -1);
	CHECK_INT_EQ(vclock_set_speed(&c, 20 * MS, 100.5), -1);
	CHECK_INT_EQ(vclock_set_speed(&c, 20 * MS, 0.0 / 0.0), -1);
	CHECK(vclock_speed(&c) > 0.099 && vclock_speed(&c) < 0.101);

	/* init clamps */
	vclock_init(&c, 0, false, 1000);
	CHECK(vclock_speed(&c) == VCLOCK_SPEED_MAX);
}

static void test_real_wait_until_deadline(void)
{
	struct vclock c;

	vclock_init(&c, 0, true, 2.0);
	/* at 2x, virtual 100 ms is 50 real ms away */
	CHECK_INT_EQ(vclock_real_wait_ms(&c, 0, 100), 50);
	CHECK_INT_EQ(vclock_real_wait_ms(&c, 20 * MS, 100), 30);
	CHECK_INT_EQ(vclock_real_wait_ms(&c, 60 * MS, 100), 0);
	vclock_set_speed(&c, 0, 0.5);
	CHECK_INT_EQ(vclock_real_wait_ms(&c, 0, 100), 200);
}

static void test_real_clock_is_monotonic(void)
{
	uint64_t a = vclock_real_ns(), b = vclock_real_ns();

	CHECK(a > 0);
	CHECK(b >= a);
}

static void test_advance_to_fires_each_deadline_and_rests_at_target(void)
{
	struct vclock c;

	vclock_init(&c, 0, false, 1.0);
	struct fake_timers f = { .clock = &c, .periodic_on = true,
				 .periodic_due = 100, .periodic_interval = 100,
				 .oneshot_on = true, .oneshot_due = 250 };
	struct vclock_timers t = fake_list(&f);

	/* 100, 200, 250, 300 fire at their times; the clock rests at 320 */
	CHECK_INT_EQ(vclock_advance_to(&c, &t, 320, 100), 4);
	CHECK_INT_EQ(vclock_now(&c), 320);
	CHECK_INT_EQ(f.periodic_fired, 3);
	CHECK_INT_EQ(f.fired_at[2], 300);
	CHECK_INT_EQ(f.oneshot_fired, 1);
	/* nothing due before the target: the clock just moves */
	CHECK_INT_EQ(vclock_advance_to(&c, &t, 350, 100), 0);
	CHECK_INT_EQ(vclock_now(&c), 350);
	/* not backwards */
	CHECK_INT_EQ(vclock_advance_to(&c, &t, 10, 100), 0);
	CHECK_INT_EQ(vclock_now(&c), 350);
	/* the budget: stops at the last deadline fired */
	CHECK_INT_EQ(vclock_advance_to(&c, &t, 1000, 2), 2);
	CHECK_INT_EQ(vclock_now(&c), 500);
	/* running: nothing */
	vclock_run(&c, 0);
	CHECK_INT_EQ(vclock_advance_to(&c, &t, 2000, 100), 0);
}

int main(void)
{
	RUN(test_running_clock_follows_real_time);
	RUN(test_catch_up_fires_deadline_by_deadline);
	RUN(test_catch_up_respects_max_fires);
	RUN(test_paused_clock_fires_nothing);
	RUN(test_advance_fires_exactly_the_next_deadline);
	RUN(test_advance_to_fires_each_deadline_and_rests_at_target);
	RUN(test_speed_scales_and_is_bounded);
	RUN(test_real_wait_until_deadline);
	RUN(test_real_clock_is_monotonic);
	CHECK_EXIT();
}
