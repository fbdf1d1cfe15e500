/* TEST DOUBLE of ui/tui/grid.h for test_view_diagram only: grid.c is being
 * written on another branch, and the integrator replaces this file with it
 * on merge. It implements just what view_diagram.c and its test call.
 * Simplification: text is taken as ASCII; any other byte is drawn as '?'
 * (the real grid decodes UTF-8). The view only writes ASCII text. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grid.h"

struct grid {
	int w, h;
	bool ascii;
	struct grid_rect clip;
	struct grid_cell *cells;
};

struct grid *grid_create(int w, int h)
{
	struct grid *g = calloc(1, sizeof(*g));
	if (!g)
		return NULL;
	if (w < 0 || h < 0)
		w = h = 0;
	g->cells = calloc((size_t)w * (size_t)h + 1, sizeof(*g->cells));
	if (!g->cells) {
		free(g);
		return NULL;
	}
	g->w = w;
	g->h = h;
	grid_clear(g);
	return g;
}

void grid_destroy(struct grid *g)
{
	if (g)
		free(g->cells);
	free(g);
}

int grid_width(const struct grid *g) { return g->w; }
int grid_height(const struct grid *g) { return g->h; }
void grid_set_ascii(struct grid *g, bool ascii) { g->ascii = ascii; }
bool grid_ascii(const struct grid *g) { return g->ascii; }

void grid_clear(struct grid *g)
{
	for (int i = 0; i < g->w * g->h; i++)
		g->cells[i] = (struct grid_cell){' ', GRID_ROLE_NORMAL};
	grid_unclip(g);
}

void grid_unclip(struct grid *g)
{
	g->clip = (struct grid_rect){0, 0, g->w, g->h};
}

void grid_clip(struct grid *g, struct grid_rect r)
{
	int x1 = r.x > 0 ? r.x : 0, y1 = r.y > 0 ? r.y : 0;
	int x2 = r.x + r.w < g->w ? r.x + r.w : g->w;
	int y2 = r.y + r.h < g->h ? r.y + r.h : g->h;
	g->clip = (struct grid_rect){x1, y1, x2 > x1 ? x2 - x1 : 0, y2 > y1 ? y2 - y1 : 0};
}

struct grid_cell grid_get(const struct grid *g, int x, int y)
{
	if (x < 0 || y < 0 || x >= g->w || y >= g->h)
		return (struct grid_cell){' ', GRID_ROLE_NORMAL};
	return g->cells[y * g->w + x];
}

static bool in_clip(const struct grid *g, int x, int y)
{
	return x >= g->clip.x && y >= g->clip.y && x < g->clip.x + g->clip.w &&
	       y < g->clip.y + g->clip.h;
}

void grid_put(struct grid *g, int x, int y, uint32_t ch, enum grid_role role)
{
	if (in_clip(g, x, y))
		g->cells[y * g->w + x] = (struct grid_cell){ch, (uint8_t)role};
}

int grid_text(struct grid *g, int x, int y, int maxw, enum grid_role role,
	      const char *utf8)
{
	int n = 0;
	for (const unsigned char *p = (const unsigned char *)utf8; *p; p++) {
		if (maxw >= 0 && n >= maxw)
			break;
		if (maxw < 0 && x + n >= g->clip.x + g->clip.w)
			break;
		grid_put(g, x + n, y, *p >= 0x20 && *p < 0x7f ? *p : '?', role);
		n++;
	}
	return n;
}

int grid_textf(struct grid *g, int x, int y, int maxw, enum grid_role role,
	       const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return grid_text(g, x, y, maxw, role, buf);
}

int grid_text_width(const char *utf8)
{
	return (int)strlen(utf8);
}

uint32_t grid_glyph(const struct grid *g, enum grid_glyph which)
{
	static const uint32_t uni[GRID_G_COUNT] = {
		0x2500, 0x2502, 0x250c, 0x2510, 0x2514, 0x2518,
		0x251c, 0x2524, 0x252c, 0x2534, 0x253c,
		0x2192, 0x2190, 0x2191, 0x2193, 0x2588, 0x2591, 0x2022,
	};
	static const char asc[GRID_G_COUNT + 1] = "-|+++++++++><^v#:*";
	if ((unsigned)which >= GRID_G_COUNT)
		return '?';
	return g->ascii ? (uint32_t)asc[which] : uni[which];
}

char grid_role_letter(enum grid_role role)
{
	static const char letters[GRID_ROLE_COUNT + 1] = ".dtbskhcvCSAyfrDmwe";
	return (unsigned)role < GRID_ROLE_COUNT ? letters[role] : '?';
}

static size_t put_utf8(char *o, uint32_t c)
{
	if (c < 0x80) {
		o[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		o[0] = (char)(0xc0 | (c >> 6));
		o[1] = (char)(0x80 | (c & 0x3f));
		return 2;
	}
	o[0] = (char)(0xe0 | (c >> 12));
	o[1] = (char)(0x80 | ((c >> 6) & 0x3f));
	o[2] = (char)(0x80 | (c & 0x3f));
	return 3;
}

char *grid_render_text(const struct grid *g, bool with_roles)
{
	size_t cap = (size_t)(g->w * 3 + 1) * (size_t)g->h * 2 + 2;
	char *out = malloc(cap), *o = out;
	if (!out)
		return NULL;
	for (int pass = 0; pass < (with_roles ? 2 : 1); pass++) {
		if (pass)
			*o++ = '\n';
		for (int y = 0; y < g->h; y++) {
			char *line = o, *end = o;
			for (int x = 0; x < g->w; x++) {
				struct grid_cell c = g->cells[y * g->w + x];
				if (pass)
					*o++ = grid_role_letter((enum grid_role)c.role);
				else
					o += put_utf8(o, c.ch);
				if (pass ? c.role != GRID_ROLE_NORMAL : c.ch != ' ')
					end = o;
			}
			o = end > line ? end : line;
			*o++ = '\n';
		}
	}
	*o = '\0';
	return out;
}
