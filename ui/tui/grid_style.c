/* The style tables (grid_style.h). In colour, the client is cyan and the
 * server yellow everywhere (lifelines, arrows, states, the diagram), so a
 * student follows one side by its colour; flags have their own colours,
 * read on the default background. In monochrome the pairs a student must
 * tell apart differ by attribute: client (bold) / server (underline), the
 * highlighted row (reverse) / normal, SYN (bold) / FIN (underline) / RST
 * (reverse, bold); live, a lost segment (reverse, bold, underlined) / a
 * retransmission (bold, underlined), held segments (dim, underlined: not
 * yet on the wire, like a future arrow, but marked). */
#include "grid_style.h"

#define S(f, b, a) { GRID_COLOR_##f, GRID_COLOR_##b, (a), 1 }
#define BOLD GRID_ATTR_BOLD
#define DIM GRID_ATTR_DIM
#define REV GRID_ATTR_REVERSE
#define UL GRID_ATTR_UNDERLINE

static const struct grid_style schemes[GRID_SCHEME_COUNT][GRID_ROLE_COUNT] = {
	[GRID_SCHEME_COLOR] = {
		[GRID_ROLE_NORMAL] = S(DEFAULT, DEFAULT, 0),
		[GRID_ROLE_DIM] = S(DEFAULT, DEFAULT, DIM),
		[GRID_ROLE_TITLE] = S(DEFAULT, DEFAULT, BOLD),
		[GRID_ROLE_BORDER] = S(BLUE, DEFAULT, 0),
		[GRID_ROLE_STATUS] = S(BLACK, CYAN, 0),
		[GRID_ROLE_KEY] = S(WHITE, BLACK, BOLD), /* bold black on cyan reads as grey */
		[GRID_ROLE_HIGHLIGHT] = S(BLACK, WHITE, 0),
		[GRID_ROLE_CLIENT] = S(CYAN, DEFAULT, 0),
		[GRID_ROLE_SERVER] = S(YELLOW, DEFAULT, 0),
		[GRID_ROLE_STATE_CLIENT] = S(BLACK, CYAN, BOLD),
		[GRID_ROLE_STATE_SERVER] = S(BLACK, YELLOW, BOLD),
		[GRID_ROLE_ARC] = S(MAGENTA, DEFAULT, BOLD),
		[GRID_ROLE_FLAG_SYN] = S(GREEN, DEFAULT, BOLD),
		[GRID_ROLE_FLAG_FIN] = S(MAGENTA, DEFAULT, BOLD),
		[GRID_ROLE_FLAG_RST] = S(RED, DEFAULT, BOLD),
		[GRID_ROLE_FLAG_DATA] = S(DEFAULT, DEFAULT, BOLD),
		[GRID_ROLE_MARK_RETRANS] = S(RED, DEFAULT, 0),
		[GRID_ROLE_MARK_WARN] = S(YELLOW, DEFAULT, BOLD),
		[GRID_ROLE_ERROR] = S(WHITE, RED, BOLD),
		[GRID_ROLE_LOST] = S(RED, DEFAULT, BOLD | UL),
		[GRID_ROLE_HELD] = S(WHITE, BLUE, BOLD),
	},
	[GRID_SCHEME_MONO] = {
		[GRID_ROLE_NORMAL] = S(DEFAULT, DEFAULT, 0),
		[GRID_ROLE_DIM] = S(DEFAULT, DEFAULT, DIM),
		[GRID_ROLE_TITLE] = S(DEFAULT, DEFAULT, BOLD),
		[GRID_ROLE_BORDER] = S(DEFAULT, DEFAULT, 0),
		[GRID_ROLE_STATUS] = S(DEFAULT, DEFAULT, REV),
		[GRID_ROLE_KEY] = S(DEFAULT, DEFAULT, REV | BOLD),
		[GRID_ROLE_HIGHLIGHT] = S(DEFAULT, DEFAULT, REV),
		[GRID_ROLE_CLIENT] = S(DEFAULT, DEFAULT, BOLD),
		[GRID_ROLE_SERVER] = S(DEFAULT, DEFAULT, UL),
		[GRID_ROLE_STATE_CLIENT] = S(DEFAULT, DEFAULT, REV | BOLD),
		[GRID_ROLE_STATE_SERVER] = S(DEFAULT, DEFAULT, REV | UL),
		[GRID_ROLE_ARC] = S(DEFAULT, DEFAULT, BOLD | UL),
		[GRID_ROLE_FLAG_SYN] = S(DEFAULT, DEFAULT, BOLD),
		[GRID_ROLE_FLAG_FIN] = S(DEFAULT, DEFAULT, UL),
		[GRID_ROLE_FLAG_RST] = S(DEFAULT, DEFAULT, REV | BOLD),
		[GRID_ROLE_FLAG_DATA] = S(DEFAULT, DEFAULT, 0),
		[GRID_ROLE_MARK_RETRANS] = S(DEFAULT, DEFAULT, BOLD | UL),
		[GRID_ROLE_MARK_WARN] = S(DEFAULT, DEFAULT, UL),
		[GRID_ROLE_ERROR] = S(DEFAULT, DEFAULT, REV | BOLD),
		[GRID_ROLE_LOST] = S(DEFAULT, DEFAULT, REV | BOLD | UL),
		[GRID_ROLE_HELD] = S(DEFAULT, DEFAULT, DIM | UL),
	},
};

struct grid_style grid_style_of(enum grid_scheme scheme, enum grid_role role)
{
	if ((unsigned)scheme >= GRID_SCHEME_COUNT || (unsigned)role >= GRID_ROLE_COUNT)
		return (struct grid_style)S(DEFAULT, DEFAULT, 0);
	return schemes[scheme][role];
}
