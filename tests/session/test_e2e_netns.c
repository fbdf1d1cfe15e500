/* Root tests of the session network (session/netns.c): the namespace, bridge and
 * TAP exist inside and nothing in the host namespace; the kernel stays
 * silent on the wire; everything is gone after netns_destroy; stale
 * namespaces of dead sessions are removed and live ones are not. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <pcap/pcap.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../check.h"
#include "netns.h"

static bool exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

/* Runs a shell command, returns its exit status and its first output line. */
static int sh(char *out, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int sh(char *out, size_t size, const char *fmt, ...)
{
	char cmd[512];
	va_list ap;
	FILE *p;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	if (out && size) {
		out[0] = '\0';
		if (fgets(out, (int)size, p))
			out[strcspn(out, "\n")] = '\0';
	}
	while (fgetc(p) != EOF)
		;
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void test_namespace_bridge_and_tap_inside_only(void)
{
	char err[512], path[64], out[256];
	struct netns *ns = netns_create(err, sizeof err);

	CHECK(ns != NULL);
	if (!ns) {
		fprintf(stderr, "netns_create: %s\n", err);
		return;
	}
	CHECK(netns_is_named(ns));
	snprintf(path, sizeof path, "/run/netns/tcpstep-%ld", (long)getpid());
	CHECK_STR_EQ(netns_name(ns), path + strlen("/run/netns/"));
	CHECK(exists(path));
	CHECK(netns_add_tap(ns, "tap-server", err, sizeof err));
	CHECK(!netns_add_tap(ns, "a-name-longer-than-15", err, sizeof err));
	CHECK(strstr(err, "bad interface name") != NULL);

	CHECK_INT_EQ(sh(out, sizeof out,
			"ip -n %s -4 -o addr show dev br0 | awk '{print $4}'",
			netns_name(ns)), 0);
	CHECK_STR_EQ(out, "192.0.2.1/24");
	CHECK_INT_EQ(sh(out, sizeof out,
			"ip -n %s -o link show dev tap-server | grep -o 'master br0'",
			netns_name(ns)), 0);
	CHECK_STR_EQ(out, "master br0");
	/* IPv6 is off inside, so the bridge has no link-local address. */
	CHECK_INT_EQ(sh(out, sizeof out,
			"ip netns exec %s cat /proc/sys/net/ipv6/conf/br0/disable_ipv6",
			netns_name(ns)), 0);
	CHECK_STR_EQ(out, "1");
	CHECK_INT_EQ(sh(out, sizeof out, "ip -n %s -6 -o addr | wc -l",
			netns_name(ns)), 0);
	CHECK_STR_EQ(out, "0");
	/* Nothing in the host namespace. */
	CHECK(sh(NULL, 0, "ip link show dev tap-server 2>/dev/null") != 0);

	netns_destroy(ns);
	CHECK(!exists(path));
}

/* Opens the TAP inside the namespace as a node would (carrier up, so the
 * bridge port forwards), and captures br0 for a while: the kernel must send
 * nothing at all (no router solicitation, MLD, IGMP or STP). */
struct quiet_job {
	pcap_t *p;
	int tapfd;
};

static int open_inside(void *user)
{
	struct quiet_job *job = user;
	char perr[PCAP_ERRBUF_SIZE];
	struct ifreq ifr;

	job->p = pcap_create("br0", perr);
	if (!job->p || pcap_set_promisc(job->p, 1) ||
	    pcap_set_immediate_mode(job->p, 1) || pcap_activate(job->p) < 0)
		return -1;
	job->tapfd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (job->tapfd < 0)
		return -1;
	memset(&ifr, 0, sizeof ifr);
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "tap-client");
	return ioctl(job->tapfd, TUNSETIFF, &ifr);
}

static void test_kernel_stays_silent_on_the_bridge(void)
{
	char err[512], perr[PCAP_ERRBUF_SIZE];
	struct netns *ns = netns_create(err, sizeof err);
	struct quiet_job job = { NULL, -1 };
	int frames = 0;
	time_t end;

	CHECK(ns != NULL);
	if (!ns)
		return;
	CHECK(netns_add_tap(ns, "tap-client", err, sizeof err));
	CHECK_INT_EQ(netns_call_inside(ns, open_inside, &job, err, sizeof err), 0);
	if (job.p && pcap_setnonblock(job.p, 1, perr) == 0) {
		/* Linux sends its first router solicitation within a second
		 * of a link coming up, and MLD reports at once. */
		for (end = time(NULL) + 3; time(NULL) < end;) {
			struct pcap_pkthdr *h;
			const u_char *b;
			int r = pcap_next_ex(job.p, &h, &b);

			if (r == 1)
				frames++;
			else
				usleep(20 * 1000);
		}
	}
	CHECK_INT_EQ(frames, 0);
	if (job.p)
		pcap_close(job.p);
	if (job.tapfd >= 0)
		close(job.tapfd);
	netns_destroy(ns);
}

static void test_stale_namespaces_of_dead_sessions_are_removed(void)
{
	char dead[64], live[64], path[96];
	pid_t d, l;
	int st;

	/* A pid that is surely dead: a child we reaped. */
	d = fork();
	if (d == 0)
		_exit(0);
	waitpid(d, &st, 0);
	/* A live "session": a child that waits. */
	l = fork();
	if (l == 0) {
		pause();
		_exit(0);
	}
	snprintf(dead, sizeof dead, "tcpstep-%ld", (long)d);
	snprintf(live, sizeof live, "tcpstep-%ld", (long)l);
	CHECK_INT_EQ(sh(NULL, 0, "ip netns add %s", dead), 0);
	CHECK_INT_EQ(sh(NULL, 0, "ip netns add %s", live), 0);
	/* Not a count: a tcpstep starting concurrently may remove the dead
	 * one first, which is just as right. */
	netns_remove_stale(NULL, NULL);
	snprintf(path, sizeof path, "/run/netns/%s", dead);
	CHECK(!exists(path));
	snprintf(path, sizeof path, "/run/netns/%s", live);
	CHECK(exists(path));
	kill(l, SIGKILL);
	waitpid(l, &st, 0);
	netns_remove_stale(NULL, NULL);
	CHECK(!exists(path));
	sh(NULL, 0, "ip netns del %s 2>/dev/null; ip netns del %s 2>/dev/null",
	   dead, live);
}

static void test_run_reports_failing_command_clearly(void)
{
	char err[512];
	struct netns *ns = netns_create(err, sizeof err);
	char *argv[] = { "ip", "link", "set", "no-such-dev", "up", NULL };

	CHECK(ns != NULL);
	if (!ns)
		return;
	CHECK(!netns_run(ns, argv, err, sizeof err));
	CHECK(strstr(err, "'ip link set no-such-dev up' failed (exit 1)") != NULL);
	CHECK(strstr(err, "no-such-dev") != NULL);
	netns_destroy(ns);
}

int main(void)
{
	if (geteuid() != 0)
		CHECK_SKIP("needs root: creates network namespaces and TAPs");
	if (sh(NULL, 0, "command -v ip >/dev/null") != 0)
		CHECK_SKIP("needs iproute2's ip");
	RUN(test_namespace_bridge_and_tap_inside_only);
	RUN(test_kernel_stays_silent_on_the_bridge);
	RUN(test_stale_namespaces_of_dead_sessions_are_removed);
	RUN(test_run_reports_failing_command_clearly);
	CHECK_EXIT();
}
