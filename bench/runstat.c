/* runstat: runs a command and reports what it cost, for bench/run.sh.
 *
 *   runstat --timeout SECONDS --stats FILE -- COMMAND [ARGS...]
 *
 * The command inherits stdin/stdout/stderr. When it ends, FILE gets one
 * line: "USER_S SYS_S MAXRSS_KB WALL_S STATUS", where STATUS is the exit
 * status, 128+N when killed by signal N, or "timeout". CPU times come from
 * wait4()'s rusage in microseconds: GNU time prints only hundredths, too
 * coarse for a baseline loop that runs in tens of milliseconds. On timeout
 * the command's whole process group gets SIGTERM, then SIGKILL 5 s later.
 * runstat's own exit status is 0 when it could run the command and write
 * FILE, 2 otherwise.
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double tv_s(struct timeval tv)
{
	return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

static void usage(void)
{
	fprintf(stderr, "usage: runstat --timeout SECONDS --stats FILE -- COMMAND [ARGS...]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	double limit = 0;
	const char *stats = NULL;
	int i = 1;

	for (; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		if (i + 1 >= argc)
			usage();
		if (strcmp(argv[i], "--timeout") == 0) {
			char *end;
			limit = strtod(argv[++i], &end);
			if (*end != '\0' || !(limit > 0))
				usage();
		} else if (strcmp(argv[i], "--stats") == 0) {
			stats = argv[++i];
		} else {
			usage();
		}
	}
	if (i >= argc || !stats || limit <= 0)
		usage();

	FILE *out = fopen(stats, "w");
	if (!out) {
		fprintf(stderr, "runstat: %s: %s\n", stats, strerror(errno));
		return 2;
	}
	double start = now_s();
	pid_t pid = fork();
	if (pid < 0) {
		fprintf(stderr, "runstat: fork: %s\n", strerror(errno));
		return 2;
	}
	if (pid == 0) {
		setpgid(0, 0); /* so a timeout can stop the command's children too */
		execvp(argv[i], argv + i);
		fprintf(stderr, "runstat: %s: %s\n", argv[i], strerror(errno));
		_exit(127);
	}
	setpgid(pid, pid);

	/* Poll wait4 so that no signal handler (and no global) is needed. */
	struct rusage ru;
	int status = 0;
	bool timed_out = false, killed = false;
	double term_at = 0;
	for (;;) {
		pid_t r = wait4(pid, &status, WNOHANG, &ru);
		if (r == pid)
			break;
		if (r < 0 && errno != EINTR) {
			fprintf(stderr, "runstat: wait4: %s\n", strerror(errno));
			return 2;
		}
		double t = now_s();
		if (!timed_out && t - start > limit) {
			timed_out = true;
			term_at = t;
			kill(-pid, SIGTERM);
		} else if (timed_out && !killed && t - term_at > 5) {
			killed = true;
			kill(-pid, SIGKILL);
		}
		struct timespec nap = {0, 2000000}; /* 2 ms: negligible next to the runs */
		nanosleep(&nap, NULL);
	}
	double wall = now_s() - start;
	char st[32];
	if (timed_out)
		snprintf(st, sizeof(st), "timeout");
	else if (WIFSIGNALED(status))
		snprintf(st, sizeof(st), "%d", 128 + WTERMSIG(status));
	else
		snprintf(st, sizeof(st), "%d", WEXITSTATUS(status));
	/* ru_maxrss is in kilobytes on Linux (getrusage(2)). */
	fprintf(out, "%.6f %.6f %ld %.6f %s\n", tv_s(ru.ru_utime), tv_s(ru.ru_stime),
		ru.ru_maxrss, wall, st);
	if (fclose(out) != 0) {
		fprintf(stderr, "runstat: %s: %s\n", stats, strerror(errno));
		return 2;
	}
	return 0;
}
