/* The live commands on the terminal UI (live_ui.h). */
#include "live_ui.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd_replay.h"
#include "live_model.h"

bool live_ui_wanted(const struct headless_opts *o)
{
	return !o->headless && isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
}

int live_ui_spawn(struct session *s, struct tui_feed *feed, const char *name,
		  const char *ip, const char *const args[], char *err,
		  size_t errsize)
{
	int index = session_node_count(s);

	/* its first events come while it starts */
	if (!live_model_add_node(feed->lm, index, name, ip)) {
		snprintf(err, errsize, "too many nodes for the screen (%d)",
			 LIVE_MAX_NODES);
		return -1;
	}
	return session_spawn_node(s, name, ip, args, err, errsize);
}

static bool listening(struct session *s, void *user)
{
	return session_node_listening(s, *(const int *)user);
}

int live_ui_paused_server(struct session *s, struct tui_feed *feed,
			  const char *const server_args[], char *err,
			  size_t errsize)
{
	int server = live_ui_spawn(s, feed, "server", SESSION_SERVER_IP,
				   server_args, err, errsize);

	if (server < 0)
		return -1;
	switch (session_wait(s, listening, &server, 5000)) {
	case SESSION_WAIT_DONE:
		break;
	case SESSION_WAIT_TIMEOUT:
		snprintf(err, errsize, "the server did not listen within 5 s");
		return -1;
	default:
		snprintf(err, errsize, "the server ended before it listened");
		return -1;
	}
	if (session_command(s, server, "pause", 2000, err, errsize) != 1)
		return -1;
	return server;
}

int live_ui_run(struct headless_opts *o, const struct live_ui *u)
{
	char tmp[] = "/tmp/tcpstep-live-XXXXXX.pcap", err[1024];
	struct tui_feed feed;
	struct session *s;
	int rc = 1, fd = -1;

	memset(&feed, 0, sizeof feed);
	if (!o->cfg.pcap_path) {
		fd = mkstemps(tmp, 5);
		if (fd < 0) {
			fprintf(stderr, "tcpstep %s: a file for the recording: %s\n",
				u->cmd, strerror(errno));
			return 1;
		}
		close(fd);
		o->cfg.pcap_path = tmp;
	}
	feed.lm = live_model_create();
	if (!feed.lm) {
		fprintf(stderr, "tcpstep %s: out of memory\n", u->cmd);
		if (fd >= 0)
			unlink(tmp);
		return 1;
	}
	o->cfg.survive_node_death = true; /* shown dead; q still cleans up */
	o->cfg.wire_on_node_clock = true; /* paused, the wire's TIME_WAIT too */
	o->cfg.sinks[0] = tui_feed_sink(&feed);
	o->cfg.nsinks = 1;
	s = session_create(&o->cfg, err, sizeof err);
	if (!s) {
		if (fd >= 0)
			unlink(tmp);
		live_model_destroy(feed.lm);
		return cmd_replay_bundled(err);
	}
	if (u->start(s, &feed, u->user, err, sizeof err)) {
		struct tui_opts to = {
			.path = o->cfg.pcap_path,
			.title = u->title,
			.msl_ns = o->cfg.msl_ns ? o->cfg.msl_ns : 2000000000LL,
		};

		rc = tui_run_live(&to, s, &feed);
	} else {
		fprintf(stderr, "tcpstep %s: %s\n", u->cmd,
			session_stop_status(s) ? "stopped" : err);
		rc = session_stop_status(s) ? session_stop_status(s) : 1;
	}
	if (u->stop)
		u->stop(s, u->user);
	session_destroy(s);
	if (fd >= 0)
		unlink(tmp);
	live_model_destroy(feed.lm);
	return rc;
}
