/* `tcpstep live`: the lwIP server (and optionally the client) with a kernel
 * peer command run inside the session namespace. */
#ifndef TCPSTEP_LIVE_CMD_H
#define TCPSTEP_LIVE_CMD_H

/* Entry point (see commands.h). */
int live_cmd_main(int argc, char **argv);

#endif
