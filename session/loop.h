/* One event loop for the controller, in the shape of Redis's ae.c: file
 * descriptors with read/write interest and one-shot or repeating timers on
 * the monotonic clock (ctlmsg_now_ns, the clock of the event stamps), each
 * with a callback and a `void *user`; before-sleep hooks; loop_run until
 * loop_stop. The session, the wire tap, a kernel peer's pipe, a play
 * script and the terminal all register here, and the loop sleeps until an
 * fd is ready or the next timer is due: nothing polls in slices. Signals
 * come in through a signalfd registered like any other fd.
 *
 * Callbacks may add and remove fds and timers, their own included: an fd
 * removed during a pass gets no more callbacks in that pass, and a timer
 * removed (or added) during a pass is not fired in it. One thread. */
#ifndef TCPSTEP_LOOP_H
#define TCPSTEP_LOOP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct loop;

enum {
	LOOP_READ = 1u,   /* readable, or hung up / in error */
	LOOP_WRITE = 2u,
};

/* mask: what it is ready for (LOOP_READ, LOOP_WRITE; an error or hang-up
 * is reported as whatever was asked for). */
typedef void loop_fd_fn(struct loop *l, int fd, unsigned mask, void *user);

/* Returns LOOP_TIMER_DONE to end the timer, or the delay (ns) until it
 * fires again. */
#define LOOP_TIMER_DONE (-1)
typedef int64_t loop_timer_fn(struct loop *l, long long id, void *user);

typedef void loop_hook_fn(struct loop *l, void *user);

/* NULL with the reason in err. */
struct loop *loop_create(char *err, size_t errsize);
/* Frees the loop (not the fds: their owners close them). NULL is fine. */
void loop_destroy(struct loop *l);

/* Watches fd for mask (LOOP_READ and/or LOOP_WRITE; 0 watches only for
 * errors, as for a pipe's write end whose reader may go away). Adding an
 * fd already watched replaces its mask, callback and user. False with err
 * (epoll refuses regular files: they are always ready). */
bool loop_add_fd(struct loop *l, int fd, unsigned mask, loop_fd_fn *fn,
		 void *user, char *err, size_t errsize);
/* Stops watching fd (harmless if it is not watched). */
void loop_del_fd(struct loop *l, int fd);

/* A timer due delay_ns from now. Returns its id (> 0), or -1 when out of
 * memory. */
long long loop_add_timer(struct loop *l, int64_t delay_ns, loop_timer_fn *fn,
			 void *user);
/* False if there is no such timer (fired and done, or removed). */
bool loop_del_timer(struct loop *l, long long id);

/* Called before every sleep, in the order added (the session arms its
 * timers there, a UI redraws). At most LOOP_HOOKS_MAX; false when full. */
#define LOOP_HOOKS_MAX 8
bool loop_add_hook(struct loop *l, loop_hook_fn *fn, void *user);
/* Removes the hook added with the same fn and user (harmless if none). */
void loop_del_hook(struct loop *l, loop_hook_fn *fn, void *user);

/* The number of the pass running (or last run): a callback that reads
 * several fds at once does it once a pass. */
uint64_t loop_pass(const struct loop *l);

/* One pass: waits until an fd is ready, a timer is due, or max_wait_ns
 * has passed (-1: no limit of its own; 0: do not sleep), then runs the
 * callbacks of what is ready and the timers that are due. The
 * before-sleep hook runs first. Returns the number of callbacks run. */
int loop_once(struct loop *l, int64_t max_wait_ns);

/* Passes until loop_stop is called (from a callback). */
void loop_run(struct loop *l);
void loop_stop(struct loop *l);
/* True once loop_stop has been called (until the next loop_run). */
bool loop_stopped(const struct loop *l);

/* How many times the loop has waited (every pass waits once, maybe for
 * no time): for the tests, a loop with nothing due must sleep, not spin. */
uint64_t loop_wakeups(const struct loop *l);

#endif
