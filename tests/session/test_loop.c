/* The controller's event loop (session/loop.c): fds and timers fire in
 * order, callbacks may add and remove fds and timers (their own too), and a
 * loop with nothing due sleeps instead of spinning. */
#define _GNU_SOURCE /* pipe2 */
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include "../check.h"
#include "ctlmsg.h"
#include "loop.h"

#define MS 1000000LL

static struct loop *new_loop(void)
{
	char err[128];
	struct loop *l = loop_create(err, sizeof err);

	if (!l) {
		fprintf(stderr, "loop_create: %s\n", err);
		exit(1);
	}
	return l;
}

/* What fired, in order. */
static char trace[256];

static void note(const char *what)
{
	size_t n = strlen(trace);

	snprintf(trace + n, sizeof trace - n, "%s%s", n ? " " : "", what);
}

static int64_t timer_note(struct loop *l, long long id, void *user)
{
	(void)l;
	(void)id;
	note(user);
	return LOOP_TIMER_DONE;
}

/* Passes until nothing is left to fire (at most n). */
static void run_passes(struct loop *l, int n)
{
	for (int i = 0; i < n; i++)
		loop_once(l, 100 * MS);
}

static void test_timers_in_deadline_order(void)
{
	struct loop *l = new_loop();

	trace[0] = '\0';
	loop_add_timer(l, 30 * MS, timer_note, "c");
	loop_add_timer(l, 10 * MS, timer_note, "a");
	loop_add_timer(l, 20 * MS, timer_note, "b");
	/* Same deadline: in the order they were added. */
	loop_add_timer(l, 0, timer_note, "x");
	loop_add_timer(l, 0, timer_note, "y");
	run_passes(l, 6);
	CHECK_STR_EQ(trace, "x y a b c");
	loop_destroy(l);
}

static int repeats;

/* Repeats every *user ns (20 ms if NULL) until `repeats` reaches 5. */
static int64_t timer_repeat(struct loop *l, long long id, void *user)
{
	(void)l;
	(void)id;
	return ++repeats < 5 ? (user ? *(int64_t *)user : 20 * MS)
			     : LOOP_TIMER_DONE;
}

static void test_repeating_timer(void)
{
	struct loop *l = new_loop();
	uint64_t t0 = ctlmsg_now_ns();
	long long id;

	repeats = 0;
	id = loop_add_timer(l, 20 * MS, timer_repeat, NULL);
	CHECK(id > 0);
	while (repeats < 5 && ctlmsg_now_ns() - t0 < 2000 * MS)
		loop_once(l, -1);
	CHECK_INT_EQ(repeats, 5);
	/* Five deadlines 20 ms apart: at least 100 ms. */
	CHECK(ctlmsg_now_ns() - t0 >= 100 * MS);
	/* Done: it is gone. */
	CHECK(!loop_del_timer(l, id));
	loop_destroy(l);
}

static long long self_id, other_id;
static int self_fired, other_fired;

/* Removes itself though it asks to repeat: must not fire again. */
static int64_t timer_remove_self(struct loop *l, long long id, void *user)
{
	(void)user;
	self_fired++;
	CHECK(loop_del_timer(l, id));
	return 1 * MS;
}

/* Removes the other timer, due in the same pass: it must not fire. */
static int64_t timer_remove_other(struct loop *l, long long id, void *user)
{
	(void)id;
	(void)user;
	self_fired++;
	CHECK(loop_del_timer(l, other_id));
	return LOOP_TIMER_DONE;
}

static int64_t timer_other(struct loop *l, long long id, void *user)
{
	(void)l;
	(void)id;
	(void)user;
	other_fired++;
	return LOOP_TIMER_DONE;
}

static void test_timer_removed_from_callbacks(void)
{
	struct loop *l = new_loop();

	self_fired = other_fired = 0;
	self_id = loop_add_timer(l, 0, timer_remove_self, NULL);
	run_passes(l, 4);
	CHECK_INT_EQ(self_fired, 1);
	CHECK(!loop_del_timer(l, self_id));

	self_fired = 0;
	loop_add_timer(l, 0, timer_remove_other, NULL);
	other_id = loop_add_timer(l, 0, timer_other, NULL);
	run_passes(l, 4);
	CHECK_INT_EQ(self_fired, 1);
	CHECK_INT_EQ(other_fired, 0);
	loop_destroy(l);
}

/* A timer that adds a timer due at once: the new one fires in the next
 * pass, not in this one (so a callback cannot keep a pass going). */
static int64_t timer_adds(struct loop *l, long long id, void *user)
{
	(void)id;
	(void)user;
	note("adder");
	loop_add_timer(l, 0, timer_note, "added");
	return LOOP_TIMER_DONE;
}

static void test_timer_added_in_pass_waits(void)
{
	struct loop *l = new_loop();

	trace[0] = '\0';
	loop_add_timer(l, 0, timer_adds, NULL);
	loop_once(l, 0);
	CHECK_STR_EQ(trace, "adder");
	loop_once(l, 0);
	CHECK_STR_EQ(trace, "adder added");
	loop_destroy(l);
}

struct pipes {
	int a[2], b[2];
	int a_seen, b_seen;
};

static void drain(int fd)
{
	char buf[64];

	while (read(fd, buf, sizeof buf) > 0)
		;
}

static void on_b(struct loop *l, int fd, unsigned mask, void *user)
{
	struct pipes *p = user;

	(void)l;
	CHECK(mask & LOOP_READ);
	drain(fd);
	p->b_seen++;
	note("b");
}

/* a's callback starts watching b, which is readable already. */
static void on_a_adds_b(struct loop *l, int fd, unsigned mask, void *user)
{
	struct pipes *p = user;
	char err[64];

	CHECK(mask == LOOP_READ);
	drain(fd);
	p->a_seen++;
	note("a");
	CHECK(loop_add_fd(l, p->b[0], LOOP_READ, on_b, p, err, sizeof err));
}

static void open_pipes(struct pipes *p)
{
	memset(p, 0, sizeof *p);
	if (pipe2(p->a, O_NONBLOCK | O_CLOEXEC) < 0 ||
	    pipe2(p->b, O_NONBLOCK | O_CLOEXEC) < 0) {
		perror("pipe2");
		exit(1);
	}
}

static void close_pipes(struct pipes *p)
{
	close(p->a[0]);
	close(p->a[1]);
	close(p->b[0]);
	close(p->b[1]);
}

static void test_callback_adds_fd(void)
{
	struct loop *l = new_loop();
	struct pipes p;
	char err[64];

	trace[0] = '\0';
	open_pipes(&p);
	CHECK(write(p.a[1], "x", 1) == 1);
	CHECK(write(p.b[1], "y", 1) == 1);
	CHECK(loop_add_fd(l, p.a[0], LOOP_READ, on_a_adds_b, &p, err,
			  sizeof err));
	run_passes(l, 2);
	CHECK_INT_EQ(p.a_seen, 1);
	CHECK_INT_EQ(p.b_seen, 1);
	CHECK_STR_EQ(trace, "a b");
	/* Drained: nothing more fires. */
	loop_once(l, 0);
	CHECK_INT_EQ(p.a_seen + p.b_seen, 2);
	loop_del_fd(l, p.a[0]);
	loop_del_fd(l, p.b[0]);
	close_pipes(&p);
	loop_destroy(l);
}

/* Whichever of a and b comes first removes the other: exactly one runs,
 * though both were ready in the same epoll result. */
static void on_removes_other(struct loop *l, int fd, unsigned mask, void *user)
{
	struct pipes *p = user;

	(void)mask;
	drain(fd);
	if (fd == p->a[0]) {
		p->a_seen++;
		loop_del_fd(l, p->b[0]);
	} else {
		p->b_seen++;
		loop_del_fd(l, p->a[0]);
	}
}

static void test_fd_removed_in_same_pass(void)
{
	struct loop *l = new_loop();
	struct pipes p;
	char err[64];

	open_pipes(&p);
	CHECK(write(p.a[1], "x", 1) == 1);
	CHECK(write(p.b[1], "y", 1) == 1);
	CHECK(loop_add_fd(l, p.a[0], LOOP_READ, on_removes_other, &p, err,
			  sizeof err));
	CHECK(loop_add_fd(l, p.b[0], LOOP_READ, on_removes_other, &p, err,
			  sizeof err));
	CHECK_INT_EQ(loop_once(l, 100 * MS), 1);
	CHECK_INT_EQ(p.a_seen + p.b_seen, 1);
	/* The removed one stays silent though its data is still there. */
	loop_once(l, 0);
	CHECK_INT_EQ(p.a_seen + p.b_seen, 1);
	close_pipes(&p);
	loop_destroy(l);
}

static unsigned seen_mask;

static void on_mask(struct loop *l, int fd, unsigned mask, void *user)
{
	(void)l;
	(void)fd;
	(void)user;
	seen_mask |= mask;
}

static void test_write_and_error_interest(void)
{
	struct loop *l = new_loop();
	struct pipes p;
	char err[64];

	open_pipes(&p);
	seen_mask = 0;
	CHECK(loop_add_fd(l, p.a[1], LOOP_WRITE, on_mask, NULL, err,
			  sizeof err));
	loop_once(l, 100 * MS);
	CHECK_INT_EQ(seen_mask, LOOP_WRITE);
	/* Errors only (a pipe whose reader may go away): silent until the
	 * reader closes, then reported. */
	seen_mask = 0;
	CHECK(loop_add_fd(l, p.a[1], 0, on_mask, NULL, err, sizeof err));
	loop_once(l, 20 * MS);
	CHECK_INT_EQ(seen_mask, 0);
	close(p.a[0]);
	p.a[0] = open("/dev/null", O_RDONLY); /* so close_pipes closes something */
	loop_once(l, 100 * MS);
	CHECK(seen_mask != 0);
	loop_del_fd(l, p.a[1]);
	/* Regular files cannot be watched: a clear error, not a crash. */
	CHECK(!loop_add_fd(l, p.a[0], LOOP_READ, on_mask, NULL, err,
			   sizeof err));
	CHECK(strstr(err, "epoll_ctl") != NULL);
	close_pipes(&p);
	loop_destroy(l);
}

static int hooks;

static void hook(struct loop *l, void *user)
{
	(void)l;
	(void)user;
	hooks++;
}

static int64_t timer_stop(struct loop *l, long long id, void *user)
{
	(void)id;
	(void)user;
	loop_stop(l);
	return LOOP_TIMER_DONE;
}

static void test_run_stop_and_hook(void)
{
	struct loop *l = new_loop();

	hooks = 0;
	CHECK(loop_add_hook(l, hook, NULL));
	loop_add_timer(l, 30 * MS, timer_stop, NULL);
	loop_run(l);
	CHECK(loop_stopped(l));
	CHECK(hooks >= 1);
	/* Removed: not called again. */
	loop_del_hook(l, hook, NULL);
	hooks = 0;
	loop_once(l, 0);
	CHECK_INT_EQ(hooks, 0);
	loop_destroy(l);
}

/* Nothing due for a second: the loop sleeps through it. A busy loop (or
 * one waking in slices) would wake hundreds of times. */
static void test_no_busy_wait(void)
{
	struct loop *l = new_loop();
	struct pipes p;
	char err[64];
	uint64_t t0;

	open_pipes(&p);
	CHECK(loop_add_fd(l, p.a[0], LOOP_READ, on_mask, NULL, err,
			  sizeof err));
	loop_add_timer(l, 1000 * MS, timer_stop, NULL);
	t0 = ctlmsg_now_ns();
	loop_run(l);
	CHECK(ctlmsg_now_ns() - t0 >= 1000 * MS);
	CHECK(loop_wakeups(l) <= 2);
	fprintf(stderr, "idle second: %llu wake-ups\n",
		(unsigned long long)loop_wakeups(l));
	close_pipes(&p);
	loop_destroy(l);

	/* A 100 ms repeating timer over a second: about ten. */
	l = new_loop();
	repeats = -5; /* ten firings, then done */
	static int64_t every = 100 * MS;
	loop_add_timer(l, 100 * MS, timer_repeat, &every);
	loop_add_timer(l, 1050 * MS, timer_stop, NULL);
	loop_run(l);
	CHECK_INT_EQ(repeats, 5);
	CHECK(loop_wakeups(l) >= 10 && loop_wakeups(l) <= 13);
	loop_destroy(l);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	RUN(test_timers_in_deadline_order);
	RUN(test_repeating_timer);
	RUN(test_timer_removed_from_callbacks);
	RUN(test_timer_added_in_pass_waits);
	RUN(test_callback_adds_fd);
	RUN(test_fd_removed_in_same_pass);
	RUN(test_write_and_error_interest);
	RUN(test_run_stop_and_hook);
	RUN(test_no_busy_wait);
	CHECK_EXIT();
}
