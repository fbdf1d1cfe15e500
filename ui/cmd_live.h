/* `tcpstep live`: the lwIP server (and optionally the client) with a kernel
 * peer command run inside the session namespace. */
#ifndef TCPSTEP_CMD_LIVE_H
#define TCPSTEP_CMD_LIVE_H

/* Entry point (see commands.h). */
int cmd_live_main(int argc, char **argv);

#endif
