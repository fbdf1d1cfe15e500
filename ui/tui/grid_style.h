/* How each style role looks (htop's CRT.c): one table per scheme, a colour
 * scheme and a monochrome one that tells roles apart by attribute alone, for
 * terminals without colour and for NO_COLOR. Pure data with its own colour
 * and attribute names, no curses, so tests can check the tables; term.c
 * turns an entry into a curses pair and attributes. Drawing code names
 * roles (grid.h), never colours. */
#ifndef TCPSTEP_GRID_STYLE_H
#define TCPSTEP_GRID_STYLE_H

#include <stdint.h>

#include "grid.h"

/* The eight ANSI colours and the terminal's own default. */
enum grid_color {
	GRID_COLOR_DEFAULT = 0,
	GRID_COLOR_BLACK,
	GRID_COLOR_RED,
	GRID_COLOR_GREEN,
	GRID_COLOR_YELLOW,
	GRID_COLOR_BLUE,
	GRID_COLOR_MAGENTA,
	GRID_COLOR_CYAN,
	GRID_COLOR_WHITE,
};

enum grid_attr {
	GRID_ATTR_BOLD = 1 << 0,
	GRID_ATTR_DIM = 1 << 1,
	GRID_ATTR_REVERSE = 1 << 2,
	GRID_ATTR_UNDERLINE = 1 << 3,
};

enum grid_scheme {
	GRID_SCHEME_COLOR = 0,
	GRID_SCHEME_MONO,
	GRID_SCHEME_COUNT
};

struct grid_style {
	uint8_t fg, bg; /* enum grid_color */
	uint8_t attr;   /* enum grid_attr bits */
	uint8_t set;    /* 1 in every entry of the tables, so a test can tell
			 * a role left out (all zero) from one that is plain */
};

/* The style of role in scheme; an unknown scheme or role gives the plain
 * style (default colours, no attributes). */
struct grid_style grid_style_of(enum grid_scheme scheme, enum grid_role role);

#endif
