/* TEST DOUBLE of ui/tui/grid.c: the subset of grid.h the ladder and
 * connection-list tests use, written so those views could be tested while
 * grid.c was written in parallel. On merge the integrator links the real
 * grid.c instead and deletes this file. Text is ASCII here (anything else
 * becomes '?'); clipping and trimming follow grid.h's contract. */
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
	g->cells = calloc((size_t)(w > 0 ? w : 1) * (size_t)(h > 0 ? h : 1), sizeof(*g->cells));
	if (!g->cells) {
		free(g);
		return NULL;
	}
	g->w = w, g->h = h;
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

void grid_unclip(struct grid *g)
{
	g->clip = (struct grid_rect){ 0, 0, g->w, g->h };
}

void grid_clear(struct grid *g)
{
	for (int i = 0; i < g->w * g->h; i++)
		g->cells[i] = (struct grid_cell){ ' ', GRID_ROLE_NORMAL };
	grid_unclip(g);
}

void grid_clip(struct grid *g, struct grid_rect r)
{
	int x0 = r.x > 0 ? r.x : 0, y0 = r.y > 0 ? r.y : 0;
	int x1 = r.x + r.w < g->w ? r.x + r.w : g->w;
	int y1 = r.y + r.h < g->h ? r.y + r.h : g->h;
	g->clip = (struct grid_rect){ x0, y0, x1 > x0 ? x1 - x0 : 0, y1 > y0 ? y1 - y0 : 0 };
}

static bool inside(const struct grid *g, int x, int y)
{
	return x >= g->clip.x && x < g->clip.x + g->clip.w &&
	       y >= g->clip.y && y < g->clip.y + g->clip.h;
}

struct grid_cell grid_get(const struct grid *g, int x, int y)
{
	if (x < 0 || y < 0 || x >= g->w || y >= g->h)
		return (struct grid_cell){ ' ', GRID_ROLE_NORMAL };
	return g->cells[y * g->w + x];
}

void grid_put(struct grid *g, int x, int y, uint32_t ch, enum grid_role role)
{
	if (inside(g, x, y))
		g->cells[y * g->w + x] = (struct grid_cell){ ch, (uint8_t)role };
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
		if ((*p & 0xc0) == 0x80) /* a continuation byte: one '?' per code point */
			continue;
		grid_put(g, x + n, y, *p >= 0x20 && *p < 0x7f ? *p : '?', role);
		n++;
	}
	return n;
}

int grid_textf(struct grid *g, int x, int y, int maxw, enum grid_role role,
	       const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return grid_text(g, x, y, maxw, role, buf);
}

int grid_text_width(const char *utf8)
{
	int n = 0;
	for (const unsigned char *p = (const unsigned char *)utf8; *p; p++)
		n += (*p & 0xc0) != 0x80;
	return n;
}

void grid_paint(struct grid *g, int x, int y, int w, enum grid_role role)
{
	for (int i = 0; i < w; i++)
		if (inside(g, x + i, y))
			g->cells[y * g->w + x + i].role = (uint8_t)role;
}

void grid_fill(struct grid *g, struct grid_rect r, uint32_t ch, enum grid_role role)
{
	for (int y = r.y; y < r.y + r.h; y++)
		for (int x = r.x; x < r.x + r.w; x++)
			grid_put(g, x, y, ch, role);
}

uint32_t grid_glyph(const struct grid *g, enum grid_glyph which)
{
	static const uint32_t uni[GRID_G_COUNT] = {
		0x2500, 0x2502, 0x250c, 0x2510, 0x2514, 0x2518, 0x251c, 0x2524,
		0x252c, 0x2534, 0x253c, 0x2192, 0x2190, 0x2191, 0x2193, 0x2588,
		0x2591, 0x2022,
	};
	static const char asc[GRID_G_COUNT + 1] = "-|+++++++++><^v#:*";
	if (which < 0 || which >= GRID_G_COUNT)
		return '?';
	return g->ascii ? (uint32_t)asc[which] : uni[which];
}

void grid_hline(struct grid *g, int x, int y, int w, enum grid_role role)
{
	for (int i = 0; i < w; i++)
		grid_put(g, x + i, y, grid_glyph(g, GRID_G_HLINE), role);
}

void grid_vline(struct grid *g, int x, int y, int h, enum grid_role role)
{
	for (int i = 0; i < h; i++)
		grid_put(g, x, y + i, grid_glyph(g, GRID_G_VLINE), role);
}

static size_t utf8_put(char *o, uint32_t c)
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

/* Text only: the goldens of these views check roles through grid_get. */
char *grid_render_text(const struct grid *g, bool with_roles)
{
	(void)with_roles;
	char *s = malloc((size_t)g->h * ((size_t)g->w * 3 + 1) + 1);
	if (!s)
		return NULL;
	size_t n = 0;
	for (int y = 0; y < g->h; y++) {
		size_t keep = n;
		for (int x = 0; x < g->w; x++) {
			uint32_t c = g->cells[y * g->w + x].ch;
			n += utf8_put(s + n, c);
			if (c != ' ')
				keep = n;
		}
		n = keep;
		s[n++] = '\n';
	}
	s[n] = '\0';
	return s;
}
