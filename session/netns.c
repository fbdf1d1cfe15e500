/* The session's network namespace, bridge and TAP devices.
 *
 * Links are made with iproute2's `ip`, run with a checked exit status and its
 * stderr kept for the error message: the same commands a teacher would type,
 * so a failure reads the way they would expect. Sysctls are written directly
 * from /proc/sys inside the namespace (net sysctls follow the writer's netns,
 * net/sysctl_net.c). */
#define _GNU_SOURCE /* setns, unshare, CLONE_NEWNET */
#include "netns.h"

#include "errbuf.h"
#include "textesc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define NETNS_RUN_DIR "/run/netns"

struct netns {
	char name[32];
	int fd;       /* /run/netns/<name> when named, else -1 */
	bool named;
	int ntaps;
	char taps[8][16];
};


/* What an unprivileged user needs when namespaces are refused. */
static const char *netns_privilege_hint(void)
{
	return "a live session needs CAP_NET_ADMIN: run tcpstep as root (sudo), "
	       "or allow unprivileged user namespaces (sysctl "
	       "kernel.unprivileged_userns_clone=1 on Debian, "
	       "user.max_user_namespaces > 0, and no AppArmor restriction "
	       "kernel.apparmor_restrict_unprivileged_userns=0); replaying a "
	       "pcap file needs no privileges at all";
}

const char *netns_name(const struct netns *ns)
{
	return ns->named ? ns->name : "(user namespace)";
}

bool netns_is_named(const struct netns *ns)
{
	return ns->named;
}

int netns_enter(const struct netns *ns)
{
	if (!ns->named)
		return 0; /* the whole process is already inside */
	return setns(ns->fd, CLONE_NEWNET);
}

/* Joins argv into "a b c" for messages. */
static void join_argv(char *dst, size_t size, char *const argv[])
{
	size_t n = 0;

	dst[0] = '\0';
	for (int i = 0; argv[i] && n + 1 < size; i++) {
		int w = snprintf(dst + n, size - n, "%s%s", i ? " " : "",
				 argv[i]);
		if (w < 0)
			break;
		n += (size_t)w;
	}
}

/* Runs argv inside the namespace, keeping its stderr (and its stdout too if
 * with_stdout) in out. Returns the wait status, or -1 with err. */
static int run_capture(const struct netns *ns, char *const argv[],
		       bool with_stdout, char *out, size_t outsize, char *err,
		       size_t errsize)
{
	int pfd[2];
	size_t got = 0;
	int status;
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC) < 0) {
		errbuf_set(err, errsize, "pipe: %s", strerror(errno));
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		errbuf_set(err, errsize, "fork: %s", strerror(errno));
		close(pfd[0]);
		close(pfd[1]);
		return -1;
	}
	if (pid == 0) {
		sigset_t none;
		int devnull = open("/dev/null", O_RDWR);

		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		if (devnull >= 0) {
			dup2(devnull, 0);
			dup2(devnull, 1);
		}
		if (with_stdout)
			dup2(pfd[1], 1);
		dup2(pfd[1], 2);
		if (netns_enter(ns) < 0) {
			dprintf(2, "setns: %s", strerror(errno));
			_exit(126);
		}
		execvp(argv[0], argv);
		dprintf(2, "cannot run %s: %s", argv[0], strerror(errno));
		_exit(127);
	}
	close(pfd[1]);
	for (;;) {
		ssize_t r = read(pfd[0], out + got, outsize - 1 - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
		if (got == outsize - 1) {
			char sink[256];
			while (read(pfd[0], sink, sizeof sink) > 0)
				;
			break;
		}
	}
	out[got] = '\0';
	close(pfd[0]);
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			errbuf_set(err, errsize, "waitpid: %s", strerror(errno));
			return -1;
		}
	}
	return status;
}

bool netns_run(const struct netns *ns, char *const argv[], char *err,
	       size_t errsize)
{
	char cmd[256], out[512], esc[sizeof out * 4];
	size_t got;
	int status = run_capture(ns, argv, false, out, sizeof out, err, errsize);

	if (status < 0)
		return false;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return true;
	join_argv(cmd, sizeof cmd, argv);
	got = strlen(out);
	while (got && (out[got - 1] == '\n' || out[got - 1] == ' '))
		out[--got] = '\0';
	/* One line: its lines joined, anything else unprintable escaped
	 * (the one escaper, textesc). */
	for (size_t i = 0; i < got; i++)
		if (out[i] == '\n')
			out[i] = ' ';
	textesc_escape(esc, sizeof esc, out, got, 0);
	if (WIFEXITED(status))
		errbuf_set(err, errsize, "'%s' failed (exit %d)%s%s", cmd,
		       WEXITSTATUS(status), got ? ": " : "", esc);
	else
		errbuf_set(err, errsize, "'%s' killed by signal %d", cmd,
		       WIFSIGNALED(status) ? WTERMSIG(status) : 0);
	return false;
}

int netns_call_inside(const struct netns *ns, int (*fn)(void *user),
		      void *user, char *err, size_t errsize)
{
	int self, rc;

	if (!ns->named)
		return fn(user);
	self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self < 0) {
		errbuf_set(err, errsize, "open /proc/self/ns/net: %s",
		       strerror(errno));
		return -1;
	}
	if (setns(ns->fd, CLONE_NEWNET) < 0) {
		errbuf_set(err, errsize, "setns %s: %s", ns->name, strerror(errno));
		close(self);
		return -1;
	}
	rc = fn(user);
	if (setns(self, CLONE_NEWNET) < 0) {
		/* Staying in the session namespace would make later host
		 * operations wrong; there is no sane way on. */
		perror("tcpstep: setns back to the host namespace");
		abort();
	}
	close(self);
	return rc;
}

/* Writes value to /proc/sys/<path> inside the namespace. A missing file
 * (IPv6 compiled out, say) is fine: the chatter it would stop cannot exist. */
struct sysctl_job {
	const char *path;
	const char *value;
	int err;
};

static int sysctl_write(void *user)
{
	struct sysctl_job *job = user;
	char full[128];
	int fd;
	size_t len = strlen(job->value);

	snprintf(full, sizeof full, "/proc/sys/%s", job->path);
	fd = open(full, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		job->err = errno == ENOENT ? 0 : errno;
		return job->err ? -1 : 0;
	}
	if (write(fd, job->value, len) != (ssize_t)len) {
		job->err = errno;
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

static bool set_sysctl(const struct netns *ns, const char *path,
		       const char *value, char *err, size_t errsize)
{
	struct sysctl_job job = { path, value, 0 };
	int rc = netns_call_inside(ns, sysctl_write, &job, err, errsize);

	if (rc < 0 && job.err) {
		errbuf_set(err, errsize, "sysctl %s=%s in %s: %s", path, value,
		       netns_name(ns), strerror(job.err));
		return false;
	}
	return rc == 0;
}

static bool ip(const struct netns *ns, char *err, size_t errsize, ...)
{
	char *argv[24];
	int n = 0;
	va_list ap;

	argv[n++] = "ip";
	va_start(ap, errsize);
	for (char *a; n < 23 && (a = va_arg(ap, char *)) != NULL;)
		argv[n++] = a;
	va_end(ap);
	argv[n] = NULL;
	return netns_run(ns, argv, err, errsize);
}

/* Root: a named namespace, so `ip netns exec tcpstep-<pid>` reaches it. */
static bool create_named(struct netns *ns, char *err, size_t errsize)
{
	char path[64];
	struct netns host = { .fd = -1, .named = false };

	snprintf(ns->name, sizeof ns->name, "tcpstep-%ld", (long)getpid());
	if (!ip(&host, err, errsize, "netns", "add", ns->name, (char *)NULL))
		return false;
	snprintf(path, sizeof path, NETNS_RUN_DIR "/%s", ns->name);
	ns->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (ns->fd < 0) {
		errbuf_set(err, errsize, "open %s: %s", path, strerror(errno));
		ip(&host, NULL, 0, "netns", "del", ns->name, (char *)NULL);
		return false;
	}
	ns->named = true;
	return true;
}

static bool write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	size_t len = strlen(text);
	bool ok;

	if (fd < 0)
		return false;
	ok = write(fd, text, len) == (ssize_t)len;
	close(fd);
	return ok;
}

/* Not root: this process becomes root of a new user namespace owning a new
 * network namespace (user_namespaces(7)); its children inherit both. */
static bool create_userns(struct netns *ns, char *err, size_t errsize)
{
	uid_t uid = getuid();
	gid_t gid = getgid();
	char map[64];

	if (unshare(CLONE_NEWUSER | CLONE_NEWNET) < 0) {
		errbuf_set(err, errsize,
		       "cannot create a user + network namespace (%s); %s",
		       strerror(errno), netns_privilege_hint());
		return false;
	}
	snprintf(map, sizeof map, "0 %ld 1", (long)uid);
	if (!write_file("/proc/self/uid_map", map) ||
	    !write_file("/proc/self/setgroups", "deny") ||
	    (snprintf(map, sizeof map, "0 %ld 1", (long)gid),
	     !write_file("/proc/self/gid_map", map))) {
		errbuf_set(err, errsize, "cannot map ids in the user namespace (%s); %s",
		       strerror(errno), netns_privilege_hint());
		return false;
	}
	snprintf(ns->name, sizeof ns->name, "tcpstep-%ld", (long)getpid());
	ns->fd = -1;
	ns->named = false;
	return true;
}

struct netns *netns_create(char *err, size_t errsize)
{
	/* Off before br0 exists, so no IPv6 address, DAD, router solicitation
	 * or MLD report is ever sent ("default" applies to new links). */
	static const char *const quiet[][2] = {
		{ "net/ipv6/conf/all/disable_ipv6", "1" },
		{ "net/ipv6/conf/default/disable_ipv6", "1" },
		/* No ARP announcements beyond what a lesson needs. */
		{ "net/ipv4/conf/all/arp_notify", "0" },
		{ "net/ipv4/conf/default/arp_notify", "0" },
	};
	struct netns *ns = calloc(1, sizeof *ns);

	if (!ns) {
		errbuf_set(err, errsize, "out of memory");
		return NULL;
	}
	ns->fd = -1;
	if (geteuid() == 0 ? !create_named(ns, err, errsize)
			   : !create_userns(ns, err, errsize)) {
		free(ns);
		return NULL;
	}
	for (size_t i = 0; i < sizeof quiet / sizeof quiet[0]; i++)
		if (!set_sysctl(ns, quiet[i][0], quiet[i][1], err, errsize))
			goto fail;
	/* STP off and no forward delay: ports forward as soon as a node opens
	 * its TAP, and no BPDUs cross the wire. No multicast snooping, so the
	 * bridge never sends IGMP queries. */
	if (!ip(ns, err, errsize, "link", "set", "lo", "up", (char *)NULL) ||
	    !ip(ns, err, errsize, "link", "add", NETNS_BRIDGE, "type", "bridge",
		"stp_state", "0", "forward_delay", "0", "mcast_snooping", "0",
		(char *)NULL) ||
	    !ip(ns, err, errsize, "addr", "add", NETNS_BRIDGE_ADDR, "dev",
		NETNS_BRIDGE, (char *)NULL) ||
	    !ip(ns, err, errsize, "link", "set", NETNS_BRIDGE, "up",
		(char *)NULL))
		goto fail;
	return ns;
fail:
	netns_destroy(ns);
	return NULL;
}

bool netns_add_tap(struct netns *ns, const char *ifname, char *err,
		   size_t errsize)
{
	if (strlen(ifname) == 0 || strlen(ifname) > 15) {
		errbuf_set(err, errsize, "bad interface name '%s'", ifname);
		return false;
	}
	if (ns->ntaps == (int)(sizeof ns->taps / sizeof ns->taps[0])) {
		errbuf_set(err, errsize, "too many TAP devices");
		return false;
	}
	/* Creating and opening a TAP both open /dev/net/tun; Debian makes it
	 * 0666, some systems 0600, which no user namespace can get round. */
	if (!ns->named && access("/dev/net/tun", R_OK | W_OK) != 0) {
		errbuf_set(err, errsize,
		       "cannot open /dev/net/tun (%s): TAP devices need it "
		       "readable and writable (Debian's default is mode 0666); "
		       "%s", strerror(errno), netns_privilege_hint());
		return false;
	}
	if (!ip(ns, err, errsize, "tuntap", "add", "dev", ifname, "mode", "tap",
		(char *)NULL))
		return false;
	snprintf(ns->taps[ns->ntaps++], sizeof ns->taps[0], "%s", ifname);
	return ip(ns, err, errsize, "link", "set", ifname, "master",
		  NETNS_BRIDGE, "up", (char *)NULL);
}

void netns_destroy(struct netns *ns)
{
	struct netns host = { .fd = -1, .named = false };

	if (!ns)
		return;
	/* A kernel peer's children (a shell's background jobs) are ours too. */
	netns_signal_all(ns, SIGKILL);
	/* Deleting the namespace frees its links once no process is left in
	 * it; deleting them first makes that true even if a straggler is. */
	for (int i = ns->ntaps - 1; i >= 0; i--)
		ip(ns, NULL, 0, "link", "del", ns->taps[i], (char *)NULL);
	ip(ns, NULL, 0, "link", "del", NETNS_BRIDGE, (char *)NULL);
	if (ns->named) {
		close(ns->fd);
		ip(&host, NULL, 0, "netns", "del", ns->name, (char *)NULL);
	}
	free(ns);
}

/* "tcpstep-<digits>" -> pid, else 0. */
static pid_t stale_pid(const char *name)
{
	const char *p = name + strlen("tcpstep-");
	char *end;
	long v;

	if (strncmp(name, "tcpstep-", strlen("tcpstep-")) != 0 || !*p ||
	    *p < '1' || *p > '9')
		return 0;
	errno = 0;
	v = strtol(p, &end, 10);
	if (errno || *end || v <= 0 || v > 0x7fffffffL)
		return 0;
	return (pid_t)v;
}

/* Kills every process whose network namespace is the one at path: a node or
 * a kernel peer left behind by a session that was killed. */
static int kill_inside(const char *path, int sig)
{
	struct stat st_ns, st;
	DIR *d;
	struct dirent *e;
	int n = 0;

	if (stat(path, &st_ns) < 0)
		return 0;
	d = opendir("/proc");
	if (!d)
		return 0;
	while ((e = readdir(d)) != NULL) {
		char p[64];
		char *end;
		long pid = strtol(e->d_name, &end, 10);

		if (*end || pid <= 1 || pid == (long)getpid())
			continue;
		snprintf(p, sizeof p, "/proc/%ld/ns/net", pid);
		if (stat(p, &st) == 0 && st.st_ino == st_ns.st_ino &&
		    st.st_dev == st_ns.st_dev && kill((pid_t)pid, sig) == 0)
			n++;
	}
	closedir(d);
	return n;
}

int netns_signal_all(const struct netns *ns, int sig)
{
	char path[64];

	if (ns->named)
		snprintf(path, sizeof path, NETNS_RUN_DIR "/%s", ns->name);
	else
		snprintf(path, sizeof path, "/proc/self/ns/net");
	return kill_inside(path, sig);
}

int netns_remove_stale(void (*err_cb)(const char *msg, void *user),
		       void *user)
{
	struct netns host = { .fd = -1, .named = false };
	DIR *d;
	struct dirent *e;
	int removed = 0;

	if (geteuid() != 0)
		return 0;
	d = opendir(NETNS_RUN_DIR);
	if (!d)
		return 0;
	while ((e = readdir(d)) != NULL) {
		char err[512], path[300];
		pid_t pid = stale_pid(e->d_name);

		if (!pid)
			continue;
		/* One with our own pid was left by an earlier process that
		 * had it (pids are reused, a container restarts from 1): this
		 * process makes its own only after this call, and `ip netns
		 * add` would fail on the old one. */
		if (pid != getpid() && (kill(pid, 0) == 0 || errno != ESRCH))
			continue; /* alive (or not ours to judge): leave it */
		snprintf(path, sizeof path, NETNS_RUN_DIR "/%s", e->d_name);
		kill_inside(path, SIGKILL);
		if (ip(&host, err, sizeof err, "netns", "del", e->d_name,
		       (char *)NULL))
			removed++;
		else if (err_cb)
			err_cb(err, user);
	}
	closedir(d);
	return removed;
}

struct tap_job {
	const char *ifname;
	int fd;
	int err;
};

static int open_tap_inside(void *user)
{
	struct tap_job *job = user;
	struct ifreq ifr;

	job->fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (job->fd < 0) {
		job->err = errno;
		return -1;
	}
	memset(&ifr, 0, sizeof ifr);
	/* As the node would open it (docs/control-protocol.md): Ethernet
	 * frames, no packet-information header, one frame per read/write. */
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", job->ifname);
	if (ioctl(job->fd, TUNSETIFF, &ifr) < 0) {
		job->err = errno;
		close(job->fd);
		job->fd = -1;
		return -1;
	}
	return 0;
}

/* True once br0 forwards frames from ifname. */
static bool port_forwarding(const struct netns *ns, const char *ifname)
{
	char out[4096];
	char *argv[] = { "ip", "-d", "-o", "link", "show", "dev",
			 (char *)ifname, NULL };
	int st = run_capture(ns, argv, true, out, sizeof out, NULL, 0);

	return st == 0 && strstr(out, "bridge_slave state forwarding") != NULL;
}

int netns_open_tap(const struct netns *ns, const char *ifname, char *err,
		   size_t errsize)
{
	struct tap_job job = { ifname, -1, 0 };

	if (netns_call_inside(ns, open_tap_inside, &job, err, errsize) < 0) {
		if (job.err)
			errbuf_set(err, errsize, "cannot open TAP %s: %s", ifname,
			       strerror(job.err));
		return -1;
	}
	/* The carrier came up as we attached, but the bridge hears of it
	 * through the kernel's link watch, which batches events up to a
	 * second apart (net/core/link_watch.c): until then br0 drops what the
	 * TAP sends, such as the node's first ARP request. */
	for (int i = 0; i < 300; i++) {
		if (port_forwarding(ns, ifname))
			return job.fd;
		usleep(10 * 1000);
	}
	errbuf_set(err, errsize, "bridge port %s did not start forwarding within "
	       "3 s", ifname);
	close(job.fd);
	return -1;
}
