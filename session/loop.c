/* The controller's event loop (loop.h): epoll for the fds, a list of
 * timers sorted by deadline (a session has a handful), ae.c's rules for
 * what a callback may change. */
#include "loop.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "ctlmsg.h"
#include "errbuf.h"

#define LOOP_EVENTS_MAX 32

struct loop_fd {
	unsigned mask;      /* 0 and fn NULL: not watched */
	bool watched;
	uint32_t gen;       /* bumped on every add and del: stale epoll results */
	loop_fd_fn *fn;
	void *user;
};

struct loop_timer {
	long long id;       /* -1 once removed (freed after the pass) */
	uint64_t when;      /* ctlmsg_now_ns */
	uint64_t pass;      /* the pass it was added in: not fired in it */
	loop_timer_fn *fn;
	void *user;
	struct loop_timer *next;
};

struct loop_hook {
	loop_hook_fn *fn;
	void *user;
};

struct loop {
	int epfd;
	struct loop_fd *fds;
	size_t nfds;        /* entries in fds (highest fd + 1 ever watched) */
	struct loop_timer *timers; /* sorted by when, then id */
	long long next_id;
	uint64_t pass;
	bool stop;
	bool in_timers;     /* firing: removals only mark */
	struct loop_hook hooks[LOOP_HOOKS_MAX];
	int nhooks;
	uint64_t wakeups;
};

struct loop *loop_create(char *err, size_t errsize)
{
	struct loop *l = calloc(1, sizeof *l);

	if (!l) {
		errbuf_set(err, errsize, "out of memory");
		return NULL;
	}
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (l->epfd < 0) {
		errbuf_set(err, errsize, "epoll_create1: %s", strerror(errno));
		free(l);
		return NULL;
	}
	l->next_id = 1;
	return l;
}

void loop_destroy(struct loop *l)
{
	if (!l)
		return;
	while (l->timers) {
		struct loop_timer *t = l->timers;

		l->timers = t->next;
		free(t);
	}
	free(l->fds);
	close(l->epfd);
	free(l);
}

static uint32_t epoll_mask(unsigned mask)
{
	return (mask & LOOP_READ ? EPOLLIN : 0u) |
	       (mask & LOOP_WRITE ? EPOLLOUT : 0u);
}

bool loop_add_fd(struct loop *l, int fd, unsigned mask, loop_fd_fn *fn,
		 void *user, char *err, size_t errsize)
{
	struct loop_fd *f;
	struct epoll_event ev = { 0 };

	if (fd < 0 || !fn) {
		errbuf_set(err, errsize, "loop: bad descriptor %d", fd);
		return false;
	}
	if ((size_t)fd >= l->nfds) {
		size_t n = l->nfds ? l->nfds : 16;
		struct loop_fd *p;

		while (n <= (size_t)fd)
			n *= 2;
		p = realloc(l->fds, n * sizeof *p);
		if (!p) {
			errbuf_set(err, errsize, "out of memory");
			return false;
		}
		memset(p + l->nfds, 0, (n - l->nfds) * sizeof *p);
		l->fds = p;
		l->nfds = n;
	}
	f = &l->fds[fd];
	f->gen++;
	ev.events = epoll_mask(mask);
	ev.data.u64 = (uint64_t)(unsigned)fd | (uint64_t)f->gen << 32;
	if (epoll_ctl(l->epfd, f->watched ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, fd,
		      &ev) < 0) {
		errbuf_set(err, errsize, "epoll_ctl: %s", strerror(errno));
		return false;
	}
	f->watched = true;
	f->mask = mask;
	f->fn = fn;
	f->user = user;
	return true;
}

void loop_del_fd(struct loop *l, int fd)
{
	struct loop_fd *f;

	if (fd < 0 || (size_t)fd >= l->nfds || !l->fds[fd].watched)
		return;
	f = &l->fds[fd];
	/* The fd may be closed already (then epoll has dropped it). */
	epoll_ctl(l->epfd, EPOLL_CTL_DEL, fd, NULL);
	f->watched = false;
	f->gen++;
	f->fn = NULL;
	f->user = NULL;
	f->mask = 0;
}

static void insert_timer(struct loop *l, struct loop_timer *t)
{
	struct loop_timer **p = &l->timers;

	while (*p && ((*p)->when < t->when ||
		      ((*p)->when == t->when && (*p)->id < t->id)))
		p = &(*p)->next;
	t->next = *p;
	*p = t;
}

static uint64_t deadline(int64_t delay_ns)
{
	uint64_t now = ctlmsg_now_ns();

	return delay_ns <= 0 ? now : now + (uint64_t)delay_ns;
}

long long loop_add_timer(struct loop *l, int64_t delay_ns, loop_timer_fn *fn,
			 void *user)
{
	struct loop_timer *t = calloc(1, sizeof *t);

	if (!t || !fn) {
		free(t);
		return -1;
	}
	t->id = l->next_id++;
	t->when = deadline(delay_ns);
	t->pass = l->pass;
	t->fn = fn;
	t->user = user;
	insert_timer(l, t);
	return t->id;
}

static void free_removed(struct loop *l)
{
	struct loop_timer **p = &l->timers;

	while (*p) {
		if ((*p)->id < 0) {
			struct loop_timer *t = *p;

			*p = t->next;
			free(t);
		} else {
			p = &(*p)->next;
		}
	}
}

bool loop_del_timer(struct loop *l, long long id)
{
	for (struct loop_timer *t = l->timers; t; t = t->next)
		if (t->id == id && id > 0) {
			t->id = -1;
			if (!l->in_timers)
				free_removed(l);
			return true;
		}
	return false;
}

bool loop_add_hook(struct loop *l, loop_hook_fn *fn, void *user)
{
	if (!fn || l->nhooks == LOOP_HOOKS_MAX)
		return false;
	l->hooks[l->nhooks].fn = fn;
	l->hooks[l->nhooks].user = user;
	l->nhooks++;
	return true;
}

void loop_del_hook(struct loop *l, loop_hook_fn *fn, void *user)
{
	for (int i = 0; i < l->nhooks; i++)
		if (l->hooks[i].fn == fn && l->hooks[i].user == user) {
			memmove(&l->hooks[i], &l->hooks[i + 1],
				(size_t)(l->nhooks - i - 1) * sizeof l->hooks[0]);
			l->nhooks--;
			return;
		}
}

uint64_t loop_pass(const struct loop *l)
{
	return l->pass;
}

/* The first live timer (removed ones may linger until the pass ends). */
static const struct loop_timer *first_timer(const struct loop *l)
{
	for (const struct loop_timer *t = l->timers; t; t = t->next)
		if (t->id > 0)
			return t;
	return NULL;
}

/* Fires every timer due now that was not added in this pass, each once;
 * a repeating one is put back in its place. */
static int fire_timers(struct loop *l)
{
	uint64_t now = ctlmsg_now_ns();
	int ran = 0;
	bool again = true;

	l->in_timers = true;
	while (again) {
		again = false;
		for (struct loop_timer *t = l->timers; t; t = t->next) {
			int64_t next;
			long long id = t->id;

			if (id < 0 || t->pass == l->pass || t->when > now)
				continue;
			/* Not again in this pass, whatever it returns. */
			t->pass = l->pass;
			next = t->fn(l, id, t->user);
			ran++;
			if (t->id != id)        /* removed by its callback */
				break;
			if (next == LOOP_TIMER_DONE) {
				t->id = -1;
			} else {
				/* Back in its place by the new deadline (the
				 * walk starts over after every callback). */
				struct loop_timer **p = &l->timers;

				while (*p != t)
					p = &(*p)->next;
				*p = t->next;
				t->when = deadline(next);
				insert_timer(l, t);
			}
			again = true;
			break;
		}
	}
	l->in_timers = false;
	free_removed(l);
	return ran;
}

int loop_once(struct loop *l, int64_t max_wait_ns)
{
	struct epoll_event ev[LOOP_EVENTS_MAX];
	const struct loop_timer *t;
	int64_t wait = max_wait_ns;
	int timeout_ms, n, ran = 0;

	l->pass++;
	/* A hook may remove itself: walk a copy. */
	int nh = l->nhooks;
	struct loop_hook hooks[LOOP_HOOKS_MAX];

	memcpy(hooks, l->hooks, sizeof hooks);
	for (int i = 0; i < nh; i++)
		hooks[i].fn(l, hooks[i].user);
	t = first_timer(l);
	if (t) {
		uint64_t now = ctlmsg_now_ns();
		int64_t due = t->when > now ? (int64_t)(t->when - now) : 0;

		if (wait < 0 || due < wait)
			wait = due;
	}
	if (l->stop)
		wait = 0;
	/* Rounded up: waking before the deadline would be a wasted pass. */
	if (wait < 0)
		timeout_ms = -1;
	else if (wait / 1000000 >= 0x7fffffff)
		timeout_ms = 0x7fffffff;
	else
		timeout_ms = (int)((wait + 999999) / 1000000);
	n = epoll_wait(l->epfd, ev, LOOP_EVENTS_MAX, timeout_ms);
	l->wakeups++;
	if (n < 0)
		n = 0; /* EINTR: signals come through a signalfd anyway */
	for (int i = 0; i < n; i++) {
		int fd = (int)(ev[i].data.u64 & 0xffffffffu);
		uint32_t gen = (uint32_t)(ev[i].data.u64 >> 32);
		struct loop_fd *f;
		unsigned mask = 0;

		if ((size_t)fd >= l->nfds)
			continue;
		f = &l->fds[fd];
		/* Removed, or removed and added again, since epoll said so. */
		if (!f->watched || f->gen != gen)
			continue;
		if (ev[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR))
			mask |= f->mask & LOOP_READ;
		if (ev[i].events & (EPOLLOUT | EPOLLERR | EPOLLHUP))
			mask |= f->mask & LOOP_WRITE;
		/* Watched for errors only (mask 0): report the error. */
		if (!f->mask && (ev[i].events & (EPOLLERR | EPOLLHUP)))
			mask = LOOP_READ | LOOP_WRITE;
		if (mask) {
			f->fn(l, fd, mask, f->user);
			ran++;
		}
	}
	ran += fire_timers(l);
	return ran;
}

void loop_run(struct loop *l)
{
	l->stop = false;
	while (!l->stop)
		loop_once(l, -1);
}

void loop_stop(struct loop *l)
{
	l->stop = true;
}

bool loop_stopped(const struct loop *l)
{
	return l->stop;
}

uint64_t loop_wakeups(const struct loop *l)
{
	return l->wakeups;
}
