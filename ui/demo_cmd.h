/* `tcpstep demo`: classroom scenarios between two lwIP nodes. */
#ifndef TCPSTEP_DEMO_CMD_H
#define TCPSTEP_DEMO_CMD_H

/* Entry point (see commands.h). */
int demo_cmd_main(int argc, char **argv);

#endif
