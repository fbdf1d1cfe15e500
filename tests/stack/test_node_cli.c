/* tcpstep-node's command line: every bad value is refused with a message on
 * stderr and exit status 2 (1 for a set-up failure such as a missing TAP),
 * never a crash or a half-started node. */
#include "../check.h"

#include <fcntl.h>
#include <stdbool.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *node_exe;

/* Runs the node with args (fd 3 is a socket unless no_ctl); returns the
 * exit status, or -1 if killed, and its stderr in err. */
static int run_node(const char *const *args, bool no_ctl, char *err, size_t errlen)
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
	pid_t pid = fork();
	if (pid == 0) {
		int c = fcntl(ctl[1], F_DUPFD, 10);
		dup2(errp[1], 2);
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

static void test_missing_tap_is_refused_not_created(void)
{
	const char *args[] = { "--name", "s", "--tap", "tcpstep-nosuch", "--ip",
			       "192.0.2.2/24", "--app", "server", NULL };
	char err[512];

	CHECK_INT_EQ(run_node(args, false, err, sizeof err), 1);
	CHECK(strstr(err, "no interface 'tcpstep-nosuch'") != NULL);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s PATH-TO-tcpstep-node\n", argv[0]);
		return 2;
	}
	node_exe = argv[1];
	RUN(test_bad_options_exit_2_with_a_message);
	RUN(test_missing_control_fd_exits_2);
	RUN(test_missing_tap_is_refused_not_created);
	CHECK_EXIT();
}
