#include "tcpstate.h"

#include <string.h>

static const char *const tcpstate_names[TCPSTATE_COUNT] = {
	[TCPSTATE_CLOSED] = "CLOSED",
	[TCPSTATE_LISTEN] = "LISTEN",
	[TCPSTATE_SYN_SENT] = "SYN_SENT",
	[TCPSTATE_SYN_RCVD] = "SYN_RCVD",
	[TCPSTATE_ESTABLISHED] = "ESTABLISHED",
	[TCPSTATE_FIN_WAIT_1] = "FIN_WAIT_1",
	[TCPSTATE_FIN_WAIT_2] = "FIN_WAIT_2",
	[TCPSTATE_CLOSE_WAIT] = "CLOSE_WAIT",
	[TCPSTATE_CLOSING] = "CLOSING",
	[TCPSTATE_LAST_ACK] = "LAST_ACK",
	[TCPSTATE_TIME_WAIT] = "TIME_WAIT",
};

const char *tcpstate_to_str(enum tcpstate s)
{
	if ((unsigned)s >= TCPSTATE_COUNT)
		return "?";
	return tcpstate_names[s];
}

int tcpstate_from_str(const char *name, enum tcpstate *out)
{
	for (int i = 0; i < TCPSTATE_COUNT; i++) {
		if (strcmp(name, tcpstate_names[i]) == 0) {
			*out = (enum tcpstate)i;
			return 0;
		}
	}
	return -1;
}
