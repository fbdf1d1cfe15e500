/* `tcpstep play`: the socket-call playground, headless: two lwIP nodes in
 * manual mode driven by a script of control commands. */
#ifndef TCPSTEP_PLAY_CMD_H
#define TCPSTEP_PLAY_CMD_H

/* Entry point (see commands.h). */
int play_cmd_main(int argc, char **argv);

#endif
