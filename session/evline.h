/* One event line from a node (docs/control-protocol.md "Events"), parsed
 * and checked into a typed session event (event.h). No I/O, so it is
 * unit-tested without a node. Formatting is the sinks' (ui/headless_sink.c). */
#ifndef TCPSTEP_EVLINE_H
#define TCPSTEP_EVLINE_H

#include <stddef.h>

#include "ctlmsg.h"
#include "event.h"

/* Room for an event's decoded text: at most a line. */
#define EVLINE_TEXT_MAX (CTLMSG_LINE_MAX + 1)

/* Parses line[0..len) (split in place; without its stamp) into ev: kind,
 * fields and text (decoded into text[EVLINE_TEXT_MAX], which ev->text then
 * points to). The caller fills stamp, node, node_name and raw. Returns 0;
 * or -1 for a malformed line, with ev->kind SESSION_EV_NODE_MALFORMED and
 * ev->text saying what is wrong (a static string). */
int evline_parse(struct session_event *ev, char *line, size_t len,
		 char text[EVLINE_TEXT_MAX]);

#endif
