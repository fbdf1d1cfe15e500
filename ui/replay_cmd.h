/* tcpstep replay FILE|- ...: the capture in the ncurses UI. */
#ifndef TCPSTEP_REPLAY_CMD_H
#define TCPSTEP_REPLAY_CMD_H

int replay_cmd_main(int argc, char **argv);

/* `tcpstep` with no arguments on a terminal: the bundled recording of the
 * article's hello exchange. Returns the exit status. */
int replay_cmd_default(void);

#endif
