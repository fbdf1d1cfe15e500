/* One event line from a node (docs/control-protocol.md): parsed, checked,
 * and turned into its headless text. No I/O, so it is unit-tested without
 * a node or a terminal. */
#ifndef TCPSTEP_EVLINE_H
#define TCPSTEP_EVLINE_H

#include <stdbool.h>
#include <stddef.h>

#include "ctlmsg.h"
#include "tcpstate.h"

/* Decoded text is at most a line; escaped, each byte may take 4. */
#define EVLINE_TEXT_MAX (CTLMSG_LINE_MAX * 4 + 64)

enum evline_kind {
	EVLINE_OTHER,     /* valid, nothing to print (held, clock, conns, new
			   * events this controller does not know yet) */
	EVLINE_HELLO,
	EVLINE_OUT,       /* app output: text is the line */
	EVLINE_STATE,     /* true state change: text is the headless line */
	EVLINE_PLAY,      /* playground connection event: text is the line */
	EVLINE_CONN,      /* id (and listener) */
	EVLINE_APP_DONE,  /* status */
	EVLINE_OK,
	EVLINE_ERROR,     /* text is "KEY: message" (or "KEY") */
};

struct evline {
	enum evline_kind kind;
	char local[32], remote[32];   /* STATE; "0.0.0.0:0" for "-" */
	enum tcpstate from, to;       /* STATE */
	int status;                   /* APP_DONE */
	char id[16];                  /* CONN */
	char verb[16];                /* OK: the command answered */
	bool listener;                /* CONN */
	char text[EVLINE_TEXT_MAX];   /* terminal-safe (textesc_escape) */
};

/* Parses the event line[0..len) that node `node` sent (line is split in
 * place). Returns 0, or -1 for a malformed event with *why saying what is
 * wrong (a static string). */
int evline_parse(struct evline *ev, const char *node, char *line, size_t len,
		 const char **why);

#endif
