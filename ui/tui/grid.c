/* The off-screen cell grid (grid.h): storage, clipping, text with
 * substitution, lines and boxes, and the plain-text backend. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grid.h"

struct grid {
	int w, h;
	struct grid_rect clip; /* always inside 0,0,w,h */
	bool ascii;
	struct grid_cell *cells; /* h rows of w */
};

/* The width a code point is stored with: 1, 2 (East Asian wide), or 0 for
 * "not stored, substitute '?'". A built-in allow-list rather than wcwidth():
 * the answer must not depend on the process locale or the C library's
 * Unicode version, and what is not known to be a harmless printable of
 * width 1 or 2 in every terminal (controls, C1, DEL, soft hyphen, bidi
 * controls, zero-width and combining marks, emoji whose width terminals
 * disagree on, unassigned code points, surrogates, private use) is left out.
 * The ranges cover Latin, Greek, Cyrillic, the punctuation, arrows, maths,
 * box drawing and shapes the views use, and Japanese (kana, CJK ideographs,
 * full- and halfwidth forms) for the Japanese explanations. */
struct width_range {
	uint32_t lo, hi;
	uint8_t width;
};

static const struct width_range width_ranges[] = {
	{ 0x0020, 0x007E, 1 },   /* ASCII printables (not DEL) */
	{ 0x00A0, 0x00AC, 1 },   /* Latin-1 (not C1, not U+00AD soft hyphen) */
	{ 0x00AE, 0x02FF, 1 },   /* Latin-1, Latin Extended-A/B, IPA, modifiers */
	{ 0x0370, 0x0377, 1 },   /* Greek (not the combining 0300-036F) */
	{ 0x037A, 0x037F, 1 },
	{ 0x0384, 0x038A, 1 },
	{ 0x038C, 0x038C, 1 },
	{ 0x038E, 0x03A1, 1 },
	{ 0x03A3, 0x0482, 1 },   /* Greek, Cyrillic (not combining 0483-0489) */
	{ 0x048A, 0x052F, 1 },
	{ 0x1E00, 0x1EFF, 1 },   /* Latin Extended Additional (Vietnamese) */
	{ 0x2010, 0x2027, 1 },   /* punctuation: not 200B-200F, 2028-202E */
	{ 0x2030, 0x205E, 1 },   /* not 205F-206F (spaces, invisibles, bidi) */
	{ 0x2070, 0x2071, 1 },
	{ 0x2074, 0x208E, 1 },
	{ 0x2090, 0x209C, 1 },
	{ 0x20A0, 0x20C0, 1 },   /* currency */
	{ 0x2100, 0x218B, 1 },   /* letterlike, number forms */
	{ 0x2190, 0x2319, 1 },   /* arrows, maths, technical (not 231A/B emoji) */
	{ 0x231C, 0x2328, 1 },
	{ 0x232B, 0x23E8, 1 },   /* not the emoji 23E9-23FF */
	{ 0x2400, 0x2426, 1 },   /* control pictures: a visible NUL, LF, ... */
	{ 0x2500, 0x25FC, 1 },   /* box drawing, blocks, shapes (not 25FD/E) */
	{ 0x25FF, 0x25FF, 1 },
	{ 0x2800, 0x28FF, 1 },   /* braille */
	{ 0x3000, 0x3029, 2 },   /* CJK symbols (not the combining 302A-302F) */
	{ 0x3030, 0x303E, 2 },
	{ 0x3041, 0x3096, 2 },   /* hiragana (not the combining 3099/309A) */
	{ 0x309B, 0x30FF, 2 },   /* katakana */
	{ 0x31F0, 0x31FF, 2 },   /* katakana phonetic extensions */
	{ 0x3400, 0x4DBF, 2 },   /* CJK extension A */
	{ 0x4E00, 0x9FFF, 2 },   /* CJK unified ideographs */
	{ 0xF900, 0xFAFF, 2 },   /* CJK compatibility ideographs */
	{ 0xFF01, 0xFF60, 2 },   /* fullwidth forms */
	{ 0xFF61, 0xFF9F, 1 },   /* halfwidth katakana */
	{ 0xFFE0, 0xFFE6, 2 },
};

static int cp_width(uint32_t cp)
{
	size_t lo = 0, hi = sizeof(width_ranges) / sizeof(width_ranges[0]);
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (cp < width_ranges[mid].lo)
			hi = mid;
		else if (cp > width_ranges[mid].hi)
			lo = mid + 1;
		else
			return width_ranges[mid].width;
	}
	return 0;
}

int grid_cp_width(uint32_t cp)
{
	return cp_width(cp);
}

/* Decodes one code point from s (at least one byte before the NUL). A
 * malformed, overlong, surrogate, out-of-range or truncated sequence
 * consumes one byte and gives U+FFFD, which cp_width() refuses, so each bad
 * byte shows as one '?'. */
static uint32_t utf8_next(const unsigned char **sp)
{
	const unsigned char *s = *sp;
	unsigned char c = s[0];
	uint32_t cp, min;
	int n;

	if (c < 0x80) {
		*sp = s + 1;
		return c;
	}
	if (c >= 0xC2 && c <= 0xDF)
		n = 1, cp = c & 0x1F, min = 0x80;
	else if (c >= 0xE0 && c <= 0xEF)
		n = 2, cp = c & 0x0F, min = 0x800;
	else if (c >= 0xF0 && c <= 0xF4)
		n = 3, cp = c & 0x07, min = 0x10000;
	else
		goto bad;
	for (int i = 1; i <= n; i++) {
		if ((s[i] & 0xC0) != 0x80) /* also stops at the NUL */
			goto bad;
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		goto bad;
	*sp = s + 1 + n;
	return cp;
bad:
	*sp = s + 1;
	return 0xFFFD;
}

struct grid *grid_create(int w, int h)
{
	struct grid *g = calloc(1, sizeof(*g));
	if (!g)
		return NULL;
	if (!grid_resize(g, w, h)) {
		free(g);
		return NULL;
	}
	return g;
}

void grid_destroy(struct grid *g)
{
	if (!g)
		return;
	free(g->cells);
	free(g);
}

bool grid_resize(struct grid *g, int w, int h)
{
	if (w < 0)
		w = 0;
	if (h < 0)
		h = 0;
	struct grid_cell *cells = NULL;
	if (w > 0 && h > 0) {
		cells = malloc((size_t)w * (size_t)h * sizeof(*cells));
		if (!cells) {
			free(g->cells);
			g->cells = NULL;
			g->w = g->h = 0;
			g->clip = (struct grid_rect){ 0, 0, 0, 0 };
			return false;
		}
	} else {
		w = h = 0;
	}
	free(g->cells);
	g->cells = cells;
	g->w = w;
	g->h = h;
	grid_clear(g);
	return true;
}

int grid_width(const struct grid *g)
{
	return g->w;
}

int grid_height(const struct grid *g)
{
	return g->h;
}

void grid_set_ascii(struct grid *g, bool ascii)
{
	g->ascii = ascii;
}

bool grid_ascii(const struct grid *g)
{
	return g->ascii;
}

void grid_clear(struct grid *g)
{
	size_t n = (size_t)g->w * (size_t)g->h;
	for (size_t i = 0; i < n; i++)
		g->cells[i] = (struct grid_cell){ ' ', GRID_ROLE_NORMAL };
	grid_unclip(g);
}

void grid_clip(struct grid *g, struct grid_rect r)
{
	int x0 = r.x < 0 ? 0 : r.x, y0 = r.y < 0 ? 0 : r.y;
	/* in long long so a huge w or h cannot overflow */
	long long x1 = (long long)r.x + (r.w > 0 ? r.w : 0);
	long long y1 = (long long)r.y + (r.h > 0 ? r.h : 0);
	if (x1 > g->w)
		x1 = g->w;
	if (y1 > g->h)
		y1 = g->h;
	if (x1 < x0 || y1 < y0) {
		g->clip = (struct grid_rect){ 0, 0, 0, 0 };
		return;
	}
	g->clip = (struct grid_rect){ x0, y0, (int)x1 - x0, (int)y1 - y0 };
}

void grid_unclip(struct grid *g)
{
	g->clip = (struct grid_rect){ 0, 0, g->w, g->h };
}

static bool in_clip(const struct grid *g, int x, int y)
{
	return x >= g->clip.x && x < g->clip.x + g->clip.w &&
	       y >= g->clip.y && y < g->clip.y + g->clip.h;
}

static struct grid_cell *cell_at(struct grid *g, int x, int y)
{
	return &g->cells[(size_t)y * (size_t)g->w + (size_t)x];
}

struct grid_cell grid_get(const struct grid *g, int x, int y)
{
	if (x < 0 || y < 0 || x >= g->w || y >= g->h)
		return (struct grid_cell){ ' ', GRID_ROLE_NORMAL };
	return g->cells[(size_t)y * (size_t)g->w + (size_t)x];
}

/* Overwrites one cell (inside the grid) so no half of a wide character is
 * left behind: the other half of a wide character it hits becomes a space,
 * even outside the clip, since half a wide character cannot be drawn. */
static void set_cell(struct grid *g, int x, int y, uint32_t ch, uint8_t role)
{
	struct grid_cell *c = cell_at(g, x, y);
	if (c->ch == GRID_WIDE_TAIL && x > 0)
		cell_at(g, x - 1, y)->ch = ' ';
	else if (c->ch != GRID_WIDE_TAIL && x + 1 < g->w &&
		 cell_at(g, x + 1, y)->ch == GRID_WIDE_TAIL)
		cell_at(g, x + 1, y)->ch = ' ';
	c->ch = ch;
	c->role = role;
}

/* Writes code point cp at (x, y) after substitution; returns the cells it
 * took (0 when clipped). A wide character that does not fit whole in the
 * clip is not written. */
static int put_cp(struct grid *g, int x, int y, uint32_t cp, enum grid_role role)
{
	int width = cp_width(cp);
	if (width == 0)
		cp = '?', width = 1;
	if (!in_clip(g, x, y) || (width == 2 && !in_clip(g, x + 1, y)))
		return 0;
	set_cell(g, x, y, cp, (uint8_t)role);
	if (width == 2) {
		/* the tail first clears what the lead's old tail was */
		set_cell(g, x + 1, y, GRID_WIDE_TAIL, (uint8_t)role);
		cell_at(g, x, y)->ch = cp;
	}
	return width;
}

void grid_put(struct grid *g, int x, int y, uint32_t ch, enum grid_role role)
{
	put_cp(g, x, y, ch, role);
}

int grid_text(struct grid *g, int x, int y, int maxw, enum grid_role role,
	      const char *utf8)
{
	const unsigned char *s = (const unsigned char *)utf8;
	long long limit = (long long)g->clip.x + g->clip.w - x;
	if (maxw >= 0 && maxw < limit)
		limit = maxw;
	int done = 0;
	while (*s && done < limit) {
		uint32_t cp = utf8_next(&s);
		int width = cp_width(cp) ? cp_width(cp) : 1;
		if (done + width > limit)
			break;
		/* cells left of the clip count as written, so a line scrolled
		 * off to the left keeps its layout */
		put_cp(g, x + done, y, cp, role);
		done += width;
	}
	return done;
}

int grid_textf(struct grid *g, int x, int y, int maxw, enum grid_role role,
	       const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return 0;
	if ((size_t)n < sizeof(buf))
		return grid_text(g, x, y, maxw, role, buf);
	char *big = malloc((size_t)n + 1);
	if (!big)
		return grid_text(g, x, y, maxw, role, buf); /* cut short */
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	int r = grid_text(g, x, y, maxw, role, big);
	free(big);
	return r;
}

int grid_text_width(const char *utf8)
{
	const unsigned char *s = (const unsigned char *)utf8;
	int n = 0;
	while (*s) {
		int width = cp_width(utf8_next(&s));
		n += width ? width : 1;
	}
	return n;
}

void grid_paint(struct grid *g, int x, int y, int w, enum grid_role role)
{
	for (int i = 0; i < w; i++)
		if (in_clip(g, x + i, y))
			cell_at(g, x + i, y)->role = (uint8_t)role;
}

void grid_fill(struct grid *g, struct grid_rect r, uint32_t ch, enum grid_role role)
{
	for (int y = r.y; y < r.y + r.h; y++) {
		if (y < g->clip.y || y >= g->clip.y + g->clip.h)
			continue;
		for (int x = r.x; x < r.x + r.w; x++)
			if (put_cp(g, x, y, ch, role) == 2)
				x++;
	}
}

/* UTF-8 and ASCII glyphs, in enum grid_glyph order. */
static const uint32_t glyphs_utf8[GRID_G_COUNT] = {
	0x2500, 0x2502,                 /* ─ │ */
	0x250C, 0x2510, 0x2514, 0x2518, /* ┌ ┐ └ ┘ */
	0x251C, 0x2524, 0x252C, 0x2534, 0x253C, /* ├ ┤ ┬ ┴ ┼ */
	0x2192, 0x2190, 0x2191, 0x2193, /* → ← ↑ ↓ */
	0x2588, 0x2591,                 /* █ ░ */
	0x2022,                         /* • */
	0x00D7,                         /* × */
};
static const uint32_t glyphs_ascii[GRID_G_COUNT] = {
	'-', '|',
	'+', '+', '+', '+',
	'+', '+', '+', '+', '+',
	'>', '<', '^', 'v',
	'#', '.',
	'*',
	'x',
};

uint32_t grid_glyph(const struct grid *g, enum grid_glyph which)
{
	if ((unsigned)which >= GRID_G_COUNT)
		return '?';
	return g->ascii ? glyphs_ascii[which] : glyphs_utf8[which];
}

void grid_hline(struct grid *g, int x, int y, int w, enum grid_role role)
{
	uint32_t ch = grid_glyph(g, GRID_G_HLINE);
	for (int i = 0; i < w; i++)
		put_cp(g, x + i, y, ch, role);
}

void grid_vline(struct grid *g, int x, int y, int h, enum grid_role role)
{
	uint32_t ch = grid_glyph(g, GRID_G_VLINE);
	for (int i = 0; i < h; i++)
		put_cp(g, x, y + i, ch, role);
}

void grid_box(struct grid *g, struct grid_rect r, enum grid_role role,
	      const char *title)
{
	if (r.w < 2 || r.h < 2)
		return; /* no room for a frame */
	int x1 = r.x + r.w - 1, y1 = r.y + r.h - 1;
	grid_hline(g, r.x + 1, r.y, r.w - 2, role);
	grid_hline(g, r.x + 1, y1, r.w - 2, role);
	grid_vline(g, r.x, r.y + 1, r.h - 2, role);
	grid_vline(g, x1, r.y + 1, r.h - 2, role);
	put_cp(g, r.x, r.y, grid_glyph(g, GRID_G_TL), role);
	put_cp(g, x1, r.y, grid_glyph(g, GRID_G_TR), role);
	put_cp(g, r.x, y1, grid_glyph(g, GRID_G_BL), role);
	put_cp(g, x1, y1, grid_glyph(g, GRID_G_BR), role);
	/* " title " after the corner and one line cell, inside the corners */
	if (title && *title && r.w >= 6) {
		int room = r.w - 4;
		int x = r.x + 2;
		put_cp(g, x, r.y, ' ', role);
		int n = grid_text(g, x + 1, r.y, room - 2, GRID_ROLE_TITLE, title);
		put_cp(g, x + 1 + n, r.y, ' ', role);
	}
}

static const struct {
	char letter;
	const char *name;
} role_info[GRID_ROLE_COUNT] = {
	[GRID_ROLE_NORMAL] = { '.', "normal" },
	[GRID_ROLE_DIM] = { 'd', "dim" },
	[GRID_ROLE_TITLE] = { 't', "title" },
	[GRID_ROLE_BORDER] = { 'b', "border" },
	[GRID_ROLE_STATUS] = { 'l', "status" },
	[GRID_ROLE_KEY] = { 'k', "key" },
	[GRID_ROLE_HIGHLIGHT] = { 'h', "highlight" },
	[GRID_ROLE_CLIENT] = { 'c', "client" },
	[GRID_ROLE_SERVER] = { 's', "server" },
	[GRID_ROLE_STATE_CLIENT] = { 'C', "state_client" },
	[GRID_ROLE_STATE_SERVER] = { 'S', "state_server" },
	[GRID_ROLE_ARC] = { 'a', "arc" },
	[GRID_ROLE_FLAG_SYN] = { 'y', "flag_syn" },
	[GRID_ROLE_FLAG_FIN] = { 'f', "flag_fin" },
	[GRID_ROLE_FLAG_RST] = { 'r', "flag_rst" },
	[GRID_ROLE_FLAG_DATA] = { 'D', "flag_data" },
	[GRID_ROLE_MARK_RETRANS] = { 'R', "mark_retrans" },
	[GRID_ROLE_MARK_WARN] = { 'w', "mark_warn" },
	[GRID_ROLE_ERROR] = { 'e', "error" },
	[GRID_ROLE_LOST] = { 'x', "lost" },
	[GRID_ROLE_HELD] = { 'H', "held" },
};

char grid_role_letter(enum grid_role role)
{
	if ((unsigned)role >= GRID_ROLE_COUNT || !role_info[role].letter)
		return '?';
	return role_info[role].letter;
}

const char *grid_role_name(enum grid_role role)
{
	if ((unsigned)role >= GRID_ROLE_COUNT || !role_info[role].name)
		return "?";
	return role_info[role].name;
}

static size_t utf8_put(char *out, uint32_t cp)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xE0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	out[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

char *grid_render_text(const struct grid *g, bool with_roles)
{
	size_t cells = (size_t)g->w * (size_t)g->h;
	/* 4 bytes a cell and a newline a line, then the roles block */
	size_t cap = cells * 4 + (size_t)g->h + 1;
	if (with_roles)
		cap += sizeof("-- roles\n") + cells + (size_t)g->h;
	char *out = malloc(cap);
	if (!out)
		return NULL;
	size_t n = 0;
	for (int y = 0; y < g->h; y++) {
		size_t keep = n;
		for (int x = 0; x < g->w; x++) {
			uint32_t ch = g->cells[(size_t)y * (size_t)g->w + (size_t)x].ch;
			if (ch == GRID_WIDE_TAIL)
				continue;
			n += utf8_put(out + n, ch);
			if (ch != ' ')
				keep = n;
		}
		n = keep;
		out[n++] = '\n';
	}
	if (with_roles) {
		memcpy(out + n, "-- roles\n", 9);
		n += 9;
		for (int y = 0; y < g->h; y++) {
			for (int x = 0; x < g->w; x++)
				out[n++] = grid_role_letter(
					g->cells[(size_t)y * (size_t)g->w + (size_t)x].role);
			out[n++] = '\n';
		}
	}
	out[n] = '\0';
	return out;
}
