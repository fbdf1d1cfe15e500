/* `tcpstep play`: the socket-call playground, headless: two lwIP nodes in
 * manual mode driven by a script of control commands. */
#ifndef TCPSTEP_CMD_PLAY_H
#define TCPSTEP_CMD_PLAY_H

/* Entry point (see commands.h). */
int cmd_play_main(int argc, char **argv);

#endif
