/* The off-screen cell grid every TUI view draws into (docs/ui.md).
 * A view never calls curses: it writes cells (one printable code point of
 * known width and a style role) into a grid; a backend copies the grid to
 * the terminal (term.c, the only file that includes curses) or renders it as
 * plain text (grid_render_text, which the golden tests compare).
 *
 * Coordinates are 0-based, x to the right, y down. Every write is clipped to
 * the grid (and to the current clip rectangle), so a view can draw without
 * checking bounds and a tiny terminal never crashes anything.
 *
 * Text passed to grid_text()/grid_textf() (and code points to grid_put) is
 * UTF-8. Anything that is not on a built-in list of printable code points of
 * known width (controls, C1, DEL, bidi and zero-width code points, combining
 * marks, emoji, malformed UTF-8) is drawn as a visible substitute ('?'), so
 * the grid only ever holds printable cells and what came off the wire can
 * never move the cursor or change the terminal. The list does not depend on
 * the locale (grid_cp_width). Wire text should still be escaped with textesc
 * first so a student sees "\r" rather than "?".
 *
 * Wide characters (the Japanese explanations: kana, CJK ideographs,
 * fullwidth forms) take two cells: the first holds the code point, the
 * second GRID_WIDE_TAIL with the same role. Overwriting either half turns the
 * other half into a space, so a grid never holds half a wide character; a
 * wide character that would straddle the clip edge is not written.
 */
#ifndef TCPSTEP_GRID_H
#define TCPSTEP_GRID_H

#include <stdbool.h>
#include <stdint.h>

/* Style roles: what a cell means, not how it looks. The one table that maps a
 * role to colours and attributes (colour and monochrome) is in grid_style.c. */
enum grid_role {
	GRID_ROLE_NORMAL = 0,
	GRID_ROLE_DIM,          /* not yet reached, or less important */
	GRID_ROLE_TITLE,        /* pane titles */
	GRID_ROLE_BORDER,       /* pane frames */
	GRID_ROLE_STATUS,       /* the status line */
	GRID_ROLE_KEY,          /* a key name in the status line / help */
	GRID_ROLE_HIGHLIGHT,    /* the current position / selected row */
	GRID_ROLE_CLIENT,       /* the client endpoint (its lifeline, arrows, state) */
	GRID_ROLE_SERVER,       /* the server endpoint */
	GRID_ROLE_STATE_CLIENT, /* the client's current state lit in the diagram */
	GRID_ROLE_STATE_SERVER, /* the server's current state lit in the diagram */
	GRID_ROLE_ARC,          /* the arc of the last transition */
	GRID_ROLE_FLAG_SYN,
	GRID_ROLE_FLAG_FIN,
	GRID_ROLE_FLAG_RST,
	GRID_ROLE_FLAG_DATA,    /* a segment carrying payload */
	GRID_ROLE_MARK_RETRANS, /* retransmission, out of order, prev not captured */
	GRID_ROLE_MARK_WARN,    /* dup ack, zero window, ignored RST */
	GRID_ROLE_ERROR,        /* damaged file, too small, dead node */
	GRID_ROLE_LOST,         /* live: a segment dropped at its receiver */
	GRID_ROLE_HELD,         /* live: segments held at a paused sender */
	GRID_ROLE_COUNT
};

struct grid_cell {
	uint32_t ch;      /* a printable code point, or GRID_WIDE_TAIL */
	uint8_t role;     /* enum grid_role */
};

/* The right half of a wide character (ch of the cell on its left). */
#define GRID_WIDE_TAIL 0u

/* The cells code point cp takes in the grid: 1, 2 (wide), or 0 when it is
 * not on the list of printables and is drawn as '?'. */
int grid_cp_width(uint32_t cp);

struct grid_rect {
	int x, y, w, h;
};

struct grid;

/* NULL on allocation failure. A grid of 0 x 0 is valid (draws nothing). */
struct grid *grid_create(int w, int h);
void grid_destroy(struct grid *g); /* NULL is fine */
/* Resizes and clears; false on allocation failure (the grid is then 0 x 0). */
bool grid_resize(struct grid *g, int w, int h);
int grid_width(const struct grid *g);
int grid_height(const struct grid *g);

/* Box-drawing and arrow glyphs (UTF-8) or their ASCII stand-ins. */
void grid_set_ascii(struct grid *g, bool ascii);
bool grid_ascii(const struct grid *g);

/* Fills the whole grid with spaces of GRID_ROLE_NORMAL, clip reset. */
void grid_clear(struct grid *g);
/* Restricts later writes to r (intersected with the grid); grid_unclip
 * restores the whole grid. Coordinates stay absolute. */
void grid_clip(struct grid *g, struct grid_rect r);
void grid_unclip(struct grid *g);

/* One cell; out-of-range reads give a space of role NORMAL. */
struct grid_cell grid_get(const struct grid *g, int x, int y);
/* One code point, substituted like text; a wide one takes (x, y) and
 * (x + 1, y), and is not written unless both are inside the clip. */
void grid_put(struct grid *g, int x, int y, uint32_t ch, enum grid_role role);

/* Writes UTF-8 text from (x, y) on one line, at most maxw cells (maxw < 0:
 * to the clip edge). Returns the cells the text took up to that limit (cells
 * left of the clip count, so a caller's layout does not shift). A wide
 * character that does not fit the limit ends the text. */
int grid_text(struct grid *g, int x, int y, int maxw, enum grid_role role,
	      const char *utf8);
int grid_textf(struct grid *g, int x, int y, int maxw, enum grid_role role,
	       const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* Cells text would take (after substitution; wide = 2), for layout. */
int grid_text_width(const char *utf8);

/* Sets the role of w cells from (x, y), keeping their characters. */
void grid_paint(struct grid *g, int x, int y, int w, enum grid_role role);
void grid_fill(struct grid *g, struct grid_rect r, uint32_t ch, enum grid_role role);

/* Lines and boxes with box-drawing characters (ASCII: - | +). */
enum grid_glyph {
	GRID_G_HLINE, GRID_G_VLINE,
	GRID_G_TL, GRID_G_TR, GRID_G_BL, GRID_G_BR,
	GRID_G_TEE_L, GRID_G_TEE_R, GRID_G_TEE_T, GRID_G_TEE_B, GRID_G_CROSS,
	GRID_G_ARROW_R, GRID_G_ARROW_L, GRID_G_ARROW_U, GRID_G_ARROW_D,
	GRID_G_BLOCK_FULL, GRID_G_BLOCK_LIGHT, /* timer bars */
	GRID_G_BULLET,
	GRID_G_LOST,            /* where a lost segment ends: × or x */
	GRID_G_COUNT
};
uint32_t grid_glyph(const struct grid *g, enum grid_glyph which);
void grid_hline(struct grid *g, int x, int y, int w, enum grid_role role);
void grid_vline(struct grid *g, int x, int y, int h, enum grid_role role);
/* A frame around r with an optional title in its top edge. */
void grid_box(struct grid *g, struct grid_rect r, enum grid_role role,
	      const char *title);

/* The text backend: the grid as UTF-8 lines, trailing spaces trimmed, each
 * line ending in '\n' (a wide character's tail cell adds nothing). Roles are
 * dropped, or (with_roles) a line "-- roles" and a second block follow in
 * which each cell (tails too) is one letter of its role (grid_role_letter),
 * every line the full grid width, so golden tests can check styles as well
 * as text. malloc'd; NULL on allocation failure. */
char *grid_render_text(const struct grid *g, bool with_roles);
char grid_role_letter(enum grid_role role);
const char *grid_role_name(enum grid_role role);

#endif
