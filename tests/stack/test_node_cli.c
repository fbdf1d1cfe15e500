/* tcpstep-node's command line: every bad value is refused with a message on
 * stderr and exit status 2 (1 for a set-up failure such as a missing TAP),
 * never a crash or a half-started node. */
#define _GNU_SOURCE /* unshare, CLONE_NEWNET */
#include "../check.h"
#include "nodepair.h"

#include <fcntl.h>
#include <sched.h>
#include <stdbool.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *node_exe;

/* Where run_node_in starts the node (both need root). */
enum {
	/* A new, empty network namespace, freed when the node exits. */
	IN_PRIVATE_NET = 1,
	/* New PID and mount namespaces with their own /proc, whose PID 1 is
	 * a helper left in this test's network namespace: so /proc/1 can be
	 * read even where the real init hides its namespaces (containers). */
	IN_OWN_INIT = 2,
};

/* In the child: becomes, below a PID 1 of its own, the node's process
 * (IN_OWN_INIT). Returns only in that process; exits on failure (126: the
 * system does not allow it). */
static void own_init(void)
{
	pid_t init, node;
	int st;

	if (unshare(CLONE_NEWNS | CLONE_NEWPID) < 0 ||
	    /* The new /proc must not reach the host's mount table. */
	    mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) < 0)
		_exit(126);
	init = fork();
	if (init < 0)
		_exit(126);
	if (init > 0) {
		waitpid(init, &st, 0);
		_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 126);
	}
	/* PID 1 of the new namespace. */
	if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  NULL) < 0)
		_exit(126);
	node = fork();
	if (node < 0)
		_exit(126);
	if (node > 0) {
		waitpid(node, &st, 0);
		_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 126);
	}
}

/* Runs the node with args (fd 3 is a socket unless no_ctl; where flags
 * say); returns the exit status, or -1 if killed (126/127 if it could not
 * start), and its stderr in err. */
static int run_node_in(const char *const *args, bool no_ctl, int flags,
		       char *err, size_t errlen)
{
	int ctl[2], errp[2];
	const char *argv[32];
	int a = 0, st;

	socketpair(AF_UNIX, SOCK_STREAM, 0, ctl);
	CHECK_INT_EQ(pipe(errp), 0);
	argv[a++] = node_exe;
	for (int i = 0; args[i] && a < 31; i++)
		argv[a++] = args[i];
	argv[a] = NULL;
	fflush(NULL); /* nothing buffered twice by the children */
	pid_t pid = fork();
	if (pid == 0) {
		int c = fcntl(ctl[1], F_DUPFD, 10);
		dup2(errp[1], 2);
		if (flags & IN_OWN_INIT)
			own_init();
		if ((flags & IN_PRIVATE_NET) && unshare(CLONE_NEWNET) < 0)
			_exit(126);
		if (no_ctl)
			close(3);
		else
			dup2(c, 3);
		execv(node_exe, (char *const *)argv);
		_exit(127);
	}
	close(ctl[1]);
	close(errp[1]);
	/* a node that started would wait for commands: end it */
	close(ctl[0]);
	ssize_t n = read(errp[0], err, errlen - 1);
	err[n > 0 ? n : 0] = '\0';
	close(errp[0]);
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int run_node(const char *const *args, bool no_ctl, char *err, size_t errlen)
{
	return run_node_in(args, no_ctl, 0, err, errlen);
}

static void test_bad_options_exit_2_with_a_message(void)
{
	static const char *const cases[][12] = {
		{ "--name", "s", "--tap", "t", "--app", "server", NULL }, /* no --ip */
		{ "--name", "s", "--tap", "t", "--ip", "192.0.2.2/24", NULL }, /* no --app */
		{ "--name", "s p", "--tap", "t", "--ip", "192.0.2.2/24", "--app", "server", NULL },
		{ "--name", "s", "--tap", "t", "--ip", "192.0.2.2", "--app", "server", NULL },
		{ "--name", "s", "--tap", "t", "--ip", "10.0.0.2/24", "--app", "server", NULL },
		{ "--name", "s", "--tap", "t", "--ip", "192.0.2.256/24", "--app", "server", NULL },
		{ "--name", "s", "--tap", "t", "--ip", "192.0.2.2/24", "--app", "bogus", NULL },
		{ "--name", "s", "--tap", "t", "--ip", "192.0.2.2/24", "--app", "server", "--port", "0", NULL },
		{ "--name", "s", "--tap", "t", "--ip", "192.0.2.2/24", "--app", "server", "--msl", "-1", NULL },
		{ "--name", "s", "--tap", "t", "--ip", "192.0.2.2/24", "--app", "server", "--speed", "1000", NULL },
		{ "--name", "s", "--tap", "t", "--ip", "192.0.2.2/24", "--app", "server", "--seed", "x", NULL },
		{ "--name", "s", "--tap", "t", "--ip", "192.0.2.2/24", "--app", "server", "--mac", "01:00:00:00:00:01", NULL },
		{ "--name", "s", "--tap", "t", "--ip", "192.0.2.2/24", "--app", "server", "--mac", "zz:00:00:00:00:01", NULL },
		{ "--name", "s", "--tap", "t", "--ip", "192.0.2.2/24", "--app", "client", "--connect", "8.8.8.8:53", NULL },
		{ "--name", "s", "--tap", "t", "--ip", "192.0.2.2/24", "--app", "server", "--server-mode", "fast", NULL },
		{ "--name", "s", "--tap", "t", "--ip", "192.0.2.2/24", "--app", "server", "--control-fd", "99", NULL },
		{ "--name", "s", "--tap", "t", "--ip", "192.0.2.2/24", "--app", "server", "extra", NULL },
		{ "--bogus", NULL },
	};
	char err[1024];

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int st = run_node(cases[i], false, err, sizeof err);
		if (st != 2)
			fprintf(stderr, "case %zu: status %d: %s\n", i, st, err);
		CHECK_INT_EQ(st, 2);
		CHECK(strstr(err, "tcpstep-node") != NULL || strstr(err, "usage") != NULL);
	}
}

static void test_missing_control_fd_exits_2(void)
{
	const char *args[] = { "--name", "s", "--tap", "t", "--ip", "192.0.2.2/24",
			       "--app", "server", NULL };
	char err[512];

	CHECK_INT_EQ(run_node(args, true, err, sizeof err), 2);
	CHECK(strstr(err, "control fd 3 is not open") != NULL);
}

/* Network safety: in the host's network namespace the node refuses to
 * open a TAP by name, before looking the name up: the missing TAP is not
 * what it complains about. Nothing is created: the name does not exist. */
static void test_tap_in_host_namespace_is_refused(void)
{
	const char *args[] = { "--name", "s", "--tap", "tcpstep-nosuch", "--ip",
			       "192.0.2.2/24", "--app", "server", NULL };
	struct stat self, init;
	char err[512];

	/* As run: this test's namespace, with the system's /proc/1. */
	CHECK_INT_EQ(run_node(args, false, err, sizeof err), 1);
	CHECK(strstr(err, "no interface") == NULL);
	if (stat("/proc/self/ns/net", &self) < 0 ||
	    stat("/proc/1/ns/net", &init) < 0) {
		/* Init's namespace cannot be read (not root, or a container
		 * that hides PID 1): refused all the same, saying why. */
		CHECK(strstr(err, "refusing to open TAP 'tcpstep-nosuch': cannot "
			     "tell whether this network namespace is private "
			     "(/proc/1/ns/net: ") != NULL);
	} else if (self.st_dev == init.st_dev && self.st_ino == init.st_ino) {
		CHECK(strstr(err, "refusing to open TAP 'tcpstep-nosuch' in the "
			     "host's network namespace") != NULL);
	} else {
		printf("note: this test runs outside init's network namespace\n");
	}

	/* With a PID 1 that can be read and shares the node's namespace. */
	if (geteuid() != 0) {
		printf("note: not root: own-init case skipped\n");
		return;
	}
	int st = run_node_in(args, false, IN_OWN_INIT, err, sizeof err);
	if (st == 126) {
		printf("note: no PID namespace with its own /proc here: own-init "
		       "case skipped\n");
		return;
	}
	CHECK_INT_EQ(st, 1);
	CHECK(strstr(err, "refusing to open TAP 'tcpstep-nosuch' in the host's "
		     "network namespace (that of PID 1)") != NULL);
}

/* Inside a private namespace the same TAP name passes the namespace check
 * and is refused for not existing (TUNSETIFF would create it). */
static void test_missing_tap_is_refused_not_created(void)
{
	const char *args[] = { "--name", "s", "--tap", "tcpstep-nosuch", "--ip",
			       "192.0.2.2/24", "--app", "server", NULL };
	char err[512];
	int st;

	if (geteuid() != 0) {
		printf("note: not root, no private namespace: case skipped\n");
		return;
	}
	st = run_node_in(args, false, IN_OWN_INIT | IN_PRIVATE_NET, err,
			 sizeof err);
	if (st == 126) {
		/* Without a readable PID 1 the node refuses any TAP by
		 * name, private namespace or not. */
		st = run_node_in(args, false, IN_PRIVATE_NET, err, sizeof err);
		CHECK_INT_EQ(st, 1);
		CHECK(strstr(err, "refusing to open TAP") != NULL ||
		      strstr(err, "no interface 'tcpstep-nosuch'") != NULL);
		printf("note: no PID namespace with its own /proc here\n");
		return;
	}
	CHECK_INT_EQ(st, 1);
	CHECK(strstr(err, "no interface 'tcpstep-nosuch'") != NULL);
}

/* Starts the node on a --frame-fd socketpair with `--msl msl`; true if it
 * says hello (it started), false if it exited first (its stderr in err). */
static bool node_starts(const char *msl, char *err, size_t errlen)
{
	int ctl[2], wire[2], errp[2], st;
	char buf[256];
	ssize_t n;

	err[0] = '\0';
	CHECK_INT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, ctl), 0);
	CHECK_INT_EQ(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, wire), 0);
	CHECK_INT_EQ(pipe(errp), 0);
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		int c = fcntl(ctl[1], F_DUPFD, 10), w = fcntl(wire[1], F_DUPFD, 10);

		dup2(errp[1], 2);
		dup2(c, 3);
		dup2(w, 4);
		execl(node_exe, node_exe, "--name", "s", "--frame-fd", "4", "--ip",
		      "192.0.2.2/24", "--app", "manual", "--msl", msl,
		      (char *)NULL);
		_exit(127);
	}
	close(ctl[1]);
	close(wire[1]);
	close(errp[1]);
	n = read(ctl[0], buf, sizeof buf - 1);
	buf[n > 0 ? n : 0] = '\0';
	close(ctl[0]); /* the controller hangs up: the node ends */
	n = read(errp[0], err, errlen - 1);
	err[n > 0 ? n : 0] = '\0';
	close(errp[0]);
	waitpid(pid, &st, 0);
	close(wire[0]);
	/* its first event, after the stamp word "@NS " */
	char *ev = buf[0] == '@' ? strchr(buf, ' ') : NULL;
	return ev && strncmp(ev + 1, "hello ", 6) == 0;
}

/* --frame-fd (a socketpair in tests, which touches no interface) is allowed
 * in the host namespace: the node starts and says hello. */
static void test_frame_fd_runs_in_host_namespace(void)
{
	char err[512];

	CHECK(node_starts("2", err, sizeof err));
}

/* --msl takes what `tcpstep decode --msl` takes: more than 0, at most
 * 86400 seconds (below 1 ms counts as 1 ms). */
static void test_msl_range_is_decodes(void)
{
	static const char *const good[] = { "0.05", "0.0001", "86400", "7200.5" };
	static const char *const badv[] = { "0", "0.000", "86400.001", "86401",
					    "-1", "1e3" };
	char err[512];

	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		bool ok = node_starts(good[i], err, sizeof err);

		if (!ok)
			fprintf(stderr, "--msl %s: %s\n", good[i], err);
		CHECK(ok);
	}
	for (size_t i = 0; i < sizeof badv / sizeof badv[0]; i++) {
		CHECK(!node_starts(badv[i], err, sizeof err));
		CHECK(strstr(err, "expected seconds, more than 0 and at most "
			     "86400") != NULL);
	}
}

int main(int argc, char **argv)
{
	node_exe = np_node_exe_arg(argc, argv);
	RUN(test_bad_options_exit_2_with_a_message);
	RUN(test_missing_control_fd_exits_2);
	RUN(test_tap_in_host_namespace_is_refused);
	RUN(test_missing_tap_is_refused_not_created);
	RUN(test_frame_fd_runs_in_host_namespace);
	RUN(test_msl_range_is_decodes);
	CHECK_EXIT();
}
