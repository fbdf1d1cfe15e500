/* A misbehaving stand-in for tcpstep-node, for the controller's root tests
 * (test_e2e_ctl_robust.sh): it speaks the control protocol badly on
 * purpose, as chosen by $FAKE_NODE_MODE, so the controller's handling of
 * bad input from a node can be checked without breaking the real node.
 *   garbage  malformed and over-long events between valid ones
 *   hangup   says hello and listens, then closes its control socket
 *   silent   never says hello
 *   partial  ends with half a line and exits 0 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void put(const char *s)
{
	size_t len = strlen(s);

	if (write(3, s, len) != (ssize_t)len)
		exit(1);
}

int main(int argc, char **argv)
{
	const char *mode = getenv("FAKE_NODE_MODE");
	const char *name = "server";
	char buf[256];

	for (int i = 1; i + 1 < argc; i++)
		if (!strcmp(argv[i], "--name"))
			name = argv[i + 1];
	if (!mode)
		mode = "garbage";
	if (!strcmp(mode, "silent")) {
		sleep(30);
		return 0;
	}
	snprintf(buf, sizeof buf, "hello %s 192.0.2.2 02:00:c0:00:02:02\n", name);
	put(buf);
	if (!strcmp(mode, "garbage")) {
		static char longline[10000];

		put("\n");
		put("state\n");
		put("state 1 nonsense - CLOSED LISTEN x\n");
		put("state 1 192.0.2.2:8888 - CLOSED NOT_A_STATE x\n");
		put("app-done -3\n");
		put("out bad%ZZescape\n");
		put("out \x1b[2J%1B[31mred\n");
		put("out %1B[31mred\n");
		put("frobnicate 1 2 3\n");
		put("conn 99999999999 192.0.2.2:8888 -\n");
		memset(longline, 'x', sizeof longline - 2);
		longline[sizeof longline - 2] = '\n';
		put(longline);
		/* stamps (docs/control-protocol.md "Ordering"): a bad one, one
		 * from the future (must not hold the output back for ever),
		 * one from long ago (must not jump ahead of earlier lines) */
		put("@12x out bad%20stamp\n");
		put("@18446744073709551615 out from%20the%20future\n");
		put("@1 out from%20long%20ago\n");
		put("out after%20the%20garbage\n");
	}
	put("state 5 192.0.2.2:8888 - CLOSED LISTEN listen()%20called\n");
	if (!strcmp(mode, "hangup")) {
		close(3);
		sleep(30);
		return 0;
	}
	if (!strcmp(mode, "partial")) {
		put("out half a li");
		return 0;
	}
	/* Answer quit like the real node, then exit. */
	while (read(3, buf, sizeof buf) > 0)
		if (strstr(buf, "quit")) {
			put("ok quit\n");
			return 0;
		}
	return 0;
}
