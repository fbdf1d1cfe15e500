/* `tcpstep demo`: classroom scenarios between two lwIP nodes. */
#ifndef TCPSTEP_CMD_DEMO_H
#define TCPSTEP_CMD_DEMO_H

/* Entry point (see commands.h). */
int cmd_demo_main(int argc, char **argv);

#endif
