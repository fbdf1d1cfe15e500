/* TCP connection states (RFC 9293 section 3.3.2), shared by the stack's true
 * states and the capture tracker's inferred ones so both print the same names.
 * The order matches lwIP's enum tcp_state (lwip/tcpbase.h), which stack/
 * relies on to convert without a table. */
#ifndef TCPSTEP_TCPSTATE_H
#define TCPSTEP_TCPSTATE_H

enum tcpstate {
	TCPSTATE_CLOSED = 0,
	TCPSTATE_LISTEN,
	TCPSTATE_SYN_SENT,
	TCPSTATE_SYN_RCVD,
	TCPSTATE_ESTABLISHED,
	TCPSTATE_FIN_WAIT_1,
	TCPSTATE_FIN_WAIT_2,
	TCPSTATE_CLOSE_WAIT,
	TCPSTATE_CLOSING,
	TCPSTATE_LAST_ACK,
	TCPSTATE_TIME_WAIT,
	TCPSTATE_COUNT
};

/* "CLOSED", "LISTEN", ..., "TIME_WAIT"; "?" for a value out of range. */
const char *tcpstate_to_str(enum tcpstate s);

/* Parses a name as printed by tcpstate_to_str (case-sensitive).
 * Returns 0 and sets *out, or -1 for an unknown name. */
int tcpstate_from_str(const char *name, enum tcpstate *out);

#endif
