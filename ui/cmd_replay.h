/* tcpstep replay FILE|- ...: the capture in the ncurses UI. */
#ifndef TCPSTEP_CMD_REPLAY_H
#define TCPSTEP_CMD_REPLAY_H

int cmd_replay_main(int argc, char **argv);

/* `tcpstep` with no arguments on a terminal: the bundled recording of the
 * article's hello exchange. Returns the exit status. */
int cmd_replay_default(void);
/* The same with why the live demo could not start, in the status line. */
int cmd_replay_bundled(const char *why);

#endif
