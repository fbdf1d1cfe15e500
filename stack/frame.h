/* A minimal look into an Ethernet frame: is it an IPv4 TCP segment, and
 * with which flags. Every byte is read through bounds-checked big-endian
 * getters; a short or malformed frame is simply "not TCP". */
#ifndef TCPSTEP_FRAME_H
#define TCPSTEP_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FRAME_TCP_FIN 0x01
#define FRAME_TCP_SYN 0x02
#define FRAME_TCP_RST 0x04
#define FRAME_TCP_PSH 0x08
#define FRAME_TCP_ACK 0x10

/* Returns true and sets *flags (the TCP flags byte) and *payload (data
 * bytes) if frame is Ethernet II / IPv4 / TCP, the first fragment, with
 * consistent lengths. */
bool frame_tcp_info(const uint8_t *frame, size_t len, uint8_t *flags,
		    size_t *payload);

/* The cause a received segment gives to the state changes it makes:
 * "rcvd RST", "rcvd SYN-ACK", "rcvd SYN", "rcvd FIN", "rcvd ACK" or
 * "rcvd data" (no ACK, unusual); NULL for a frame that is not TCP. */
const char *frame_rcvd_cause(const uint8_t *frame, size_t len);

#endif
