/* The state-diagram view: golden screens of each layout (UTF-8 and ASCII),
 * every state in every diagram layout, an arc lit for every transition the
 * tracker may emit, the roles of lit states, and tiny rectangles.
 * argv[1]: the golden directory. TCPSTEP_GOLDEN_UPDATE=1 rewrites the
 * goldens instead of comparing (then read the diff). */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "grid.h"
#include "tcpstate.h"
#include "tracker.h"
#include "view_diagram.h"

static const char *golden_dir;

static struct view_diagram_input input(enum tcpstate c, enum tcpstate s)
{
	return (struct view_diagram_input){.client = c, .server = s};
}

/* A w x h grid with the diagram drawn over all of it. */
static struct grid *drawn(int w, int h, bool ascii, const struct view_diagram_input *in)
{
	struct grid *g = grid_create(w, h);
	if (!g)
		abort();
	grid_set_ascii(g, ascii);
	view_diagram_draw(g, (struct grid_rect){0, 0, w, h}, in);
	return g;
}

static char *read_all(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	static char buf[1 << 16];
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return strdup(buf);
}

static void golden(const char *name, struct grid *g, bool with_roles)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s/%s", golden_dir, name);
	char *got = grid_render_text(g, with_roles);
	CHECK(got != NULL);
	const char *upd = getenv("TCPSTEP_GOLDEN_UPDATE");
	if (upd && *upd && strcmp(upd, "0")) {
		FILE *f = fopen(path, "wb");
		CHECK(f != NULL);
		if (f) {
			fputs(got, f);
			fclose(f);
		}
	} else {
		char *want = read_all(path);
		CHECK(want != NULL);
		if (want && strcmp(got, want)) {
			fprintf(stderr, "%s differs; got:\n%s", path, got);
			check_failures++;
		}
		free(want);
	}
	free(got);
}

/* The input of the golden screens: a handshake half done, the client's
 * last transition lit. */
static struct view_diagram_input golden_input(void)
{
	struct view_diagram_input in = input(TCPSTATE_ESTABLISHED, TCPSTATE_SYN_RCVD);
	in.have_last = true;
	in.last_endpoint = 0;
	in.last_from = TCPSTATE_SYN_SENT;
	in.last_to = TCPSTATE_ESTABLISHED;
	return in;
}

static void test_goldens_of_every_layout(void)
{
	static const struct {
		const char *name;
		int w, h;
		bool ascii, roles;
	} cases[] = {
		{"diagram-full.txt", 90, 30, false, true},
		{"diagram-full-ascii.txt", 90, 30, true, false},
		{"diagram-wide.txt", 78, 12, false, true},
		{"diagram-wide-ascii.txt", 78, 12, true, false},
		{"diagram-tall.txt", 38, 15, false, true},
		{"diagram-tall-ascii.txt", 38, 15, true, false},
		{"diagram-line.txt", 40, 2, false, true},
	};
	struct view_diagram_input in = golden_input();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct grid *g = drawn(cases[i].w, cases[i].h, cases[i].ascii, &in);
		golden(cases[i].name, g, cases[i].roles);
		grid_destroy(g);
	}
}

static void test_layout_is_chosen_by_size(void)
{
	CHECK_INT_EQ(view_diagram_layout_for(90, 30), VIEW_DIAGRAM_FULL);
	CHECK_INT_EQ(view_diagram_layout_for(200, 60), VIEW_DIAGRAM_FULL);
	CHECK_INT_EQ(view_diagram_layout_for(89, 30), VIEW_DIAGRAM_WIDE);
	CHECK_INT_EQ(view_diagram_layout_for(78, 12), VIEW_DIAGRAM_WIDE);
	CHECK_INT_EQ(view_diagram_layout_for(77, 15), VIEW_DIAGRAM_TALL);
	CHECK_INT_EQ(view_diagram_layout_for(38, 15), VIEW_DIAGRAM_TALL);
	CHECK_INT_EQ(view_diagram_layout_for(37, 15), VIEW_DIAGRAM_LINE);
	CHECK_INT_EQ(view_diagram_layout_for(78, 11), VIEW_DIAGRAM_LINE);
	CHECK_INT_EQ(view_diagram_layout_for(0, 5), VIEW_DIAGRAM_NONE);
}

static void test_every_state_appears_in_every_diagram_layout(void)
{
	static const int sizes[][2] = {{90, 30}, {78, 12}, {38, 15}};
	struct view_diagram_input in = input(TCPSTATE_CLOSED, TCPSTATE_CLOSED);
	for (size_t i = 0; i < 3; i++) {
		for (int ascii = 0; ascii < 2; ascii++) {
			struct grid *g = drawn(sizes[i][0], sizes[i][1], ascii, &in);
			char *text = grid_render_text(g, false);
			for (int s = 0; s < TCPSTATE_COUNT; s++) {
				char want[32];
				snprintf(want, sizeof(want), "[%s]",
					 tcpstate_to_str((enum tcpstate)s));
				if (!strstr(text, want)) {
					fprintf(stderr, "%dx%d: no %s\n", sizes[i][0],
						sizes[i][1], want);
					check_failures++;
				}
			}
			free(text);
			grid_destroy(g);
		}
	}
}

static int count_role(const struct grid *g, enum grid_role role)
{
	int n = 0;
	for (int y = 0; y < grid_height(g); y++)
		for (int x = 0; x < grid_width(g); x++)
			n += grid_get(g, x, y).role == role;
	return n;
}

/* Every transition the tracker may emit lights cells of its own in the full
 * layout, and no two transitions light the same set; one it may not emit
 * lights nothing. */
static void test_every_legal_transition_has_a_lit_arc_in_full(void)
{
	static unsigned char lit[TCPSTATE_COUNT * TCPSTATE_COUNT][90 * 30];
	int nlit = 0, legal = 0;
	for (int f = 0; f < TCPSTATE_COUNT; f++) {
		for (int t = 0; t < TCPSTATE_COUNT; t++) {
			struct view_diagram_input in = input(TCPSTATE_LISTEN, TCPSTATE_LISTEN);
			in.have_last = true;
			in.last_from = (enum tcpstate)f;
			in.last_to = (enum tcpstate)t;
			struct grid *g = drawn(90, 30, false, &in);
			int arc = count_role(g, GRID_ROLE_ARC);
			if (tracker_transition_legal(in.last_from, in.last_to)) {
				legal++;
				if (arc == 0) {
					fprintf(stderr, "no lit arc for %s -> %s\n",
						tcpstate_to_str(in.last_from),
						tcpstate_to_str(in.last_to));
					check_failures++;
				}
				CHECK(*view_diagram_arc_label(in.last_from, in.last_to));
				for (int i = 0; i < 90 * 30; i++)
					lit[nlit][i] = grid_get(g, i % 90, i / 90).role ==
						       GRID_ROLE_ARC;
				for (int k = 0; k < nlit; k++)
					CHECK(memcmp(lit[k], lit[nlit], 90 * 30) != 0);
				nlit++;
			} else {
				CHECK_INT_EQ(arc, 0);
			}
			grid_destroy(g);
		}
	}
	CHECK_INT_EQ(legal, 28);
}

/* The compact layouts have an arc of their own for every legal transition
 * but those their caption tells alone: CLOSE or RST into CLOSED (all but
 * LAST_ACK's and TIME_WAIT's ways out), SYN_RCVD back to LISTEN, the
 * mid-stream join, and in the wide one the simultaneous open. Those light
 * nothing above the caption. */
static void check_compact_arcs(int W, int H, int CAPTION, bool wide, int want)
{
	static unsigned char lit[TCPSTATE_COUNT * TCPSTATE_COUNT][90 * 30];
	int nlit = 0;
	for (int f = 0; f < TCPSTATE_COUNT; f++) {
		for (int t = 0; t < TCPSTATE_COUNT; t++) {
			enum tcpstate from = (enum tcpstate)f, to = (enum tcpstate)t;
			if (!tracker_transition_legal(from, to))
				continue;
			bool captioned = (to == TCPSTATE_CLOSED && from != TCPSTATE_LAST_ACK &&
					  from != TCPSTATE_TIME_WAIT) ||
					 (from == TCPSTATE_SYN_RCVD && to == TCPSTATE_LISTEN) ||
					 (from == TCPSTATE_CLOSED && to == TCPSTATE_ESTABLISHED) ||
					 (wide && from == TCPSTATE_SYN_SENT &&
					  to == TCPSTATE_SYN_RCVD);
			struct view_diagram_input in = input(TCPSTATE_LISTEN, TCPSTATE_LISTEN);
			in.have_last = true;
			in.last_from = from;
			in.last_to = to;
			struct grid *g = drawn(W, H, false, &in);
			int n = 0;
			unsigned char *cells = lit[nlit];
			for (int i = 0; i < W * CAPTION; i++) {
				cells[i] = grid_get(g, i % W, i / W).role == GRID_ROLE_ARC;
				n += cells[i];
			}
			if (captioned != (n == 0)) {
				fprintf(stderr, "%dx%d: %s -> %s lights %d cells\n", W, H,
					tcpstate_to_str(from), tcpstate_to_str(to), n);
				check_failures++;
			}
			if (n) {
				for (int k = 0; k < nlit; k++)
					CHECK(memcmp(lit[k], cells, (size_t)(W * CAPTION)) != 0);
				nlit++;
			}
			grid_destroy(g);
		}
	}
	CHECK_INT_EQ(nlit, want);
}

static void test_compact_layouts_draw_all_but_the_captioned_arcs(void)
{
	check_compact_arcs(38, 15, 13, false, 18); /* tall: 80x24 */
	check_compact_arcs(78, 12, 11, true, 17);  /* wide */
}

/* Finds "[NAME]" on the screen; the cell of the '['. */
static bool find_state(const struct grid *g, enum tcpstate s, int *fx, int *fy)
{
	const char *name = tcpstate_to_str(s);
	int len = (int)strlen(name);
	for (int y = 0; y < grid_height(g); y++) {
		for (int x = 0; x + len + 1 < grid_width(g); x++) {
			bool ok = grid_get(g, x, y).ch == '[' &&
				  grid_get(g, x + len + 1, y).ch == ']';
			for (int i = 0; ok && i < len; i++)
				ok = grid_get(g, x + 1 + i, y).ch == (uint32_t)name[i];
			if (ok) {
				*fx = x;
				*fy = y;
				return true;
			}
		}
	}
	return false;
}

static void test_lit_states_carry_their_endpoints_roles(void)
{
	static const int sizes[][2] = {{90, 30}, {78, 12}, {38, 15}};
	for (size_t i = 0; i < 3; i++) {
		struct view_diagram_input in = input(TCPSTATE_SYN_SENT, TCPSTATE_LISTEN);
		struct grid *g = drawn(sizes[i][0], sizes[i][1], false, &in);
		int x, y;
		CHECK(find_state(g, TCPSTATE_SYN_SENT, &x, &y));
		CHECK_INT_EQ(grid_get(g, x + 1, y).role, GRID_ROLE_STATE_CLIENT);
		CHECK_INT_EQ(grid_get(g, x - 1, y).ch, 'C');
		CHECK_INT_EQ(grid_get(g, x - 1, y).role, GRID_ROLE_STATE_CLIENT);
		CHECK(grid_get(g, x + 10, y).ch != 'S');
		CHECK(find_state(g, TCPSTATE_LISTEN, &x, &y));
		CHECK_INT_EQ(grid_get(g, x + 1, y).role, GRID_ROLE_STATE_SERVER);
		CHECK_INT_EQ(grid_get(g, x + 8, y).ch, 'S');
		CHECK_INT_EQ(grid_get(g, x + 8, y).role, GRID_ROLE_STATE_SERVER);
		CHECK(find_state(g, TCPSTATE_TIME_WAIT, &x, &y));
		CHECK_INT_EQ(grid_get(g, x + 1, y).role, GRID_ROLE_NORMAL);
		/* Nothing else is lit: one name of 8 and one of 6, brackets
		 * and one marker each, and the legend's letter. */
		CHECK_INT_EQ(count_role(g, GRID_ROLE_STATE_CLIENT), 8 + 3 + 1);
		CHECK_INT_EQ(count_role(g, GRID_ROLE_STATE_SERVER), 6 + 3 + 1);
		grid_destroy(g);

		/* Both in one state: the name once, a marker each. */
		in = input(TCPSTATE_ESTABLISHED, TCPSTATE_ESTABLISHED);
		g = drawn(sizes[i][0], sizes[i][1], false, &in);
		CHECK(find_state(g, TCPSTATE_ESTABLISHED, &x, &y));
		CHECK_INT_EQ(grid_get(g, x - 1, y).ch, 'C');
		CHECK_INT_EQ(grid_get(g, x - 1, y).role, GRID_ROLE_STATE_CLIENT);
		CHECK_INT_EQ(grid_get(g, x + 13, y).ch, 'S');
		CHECK_INT_EQ(grid_get(g, x + 13, y).role, GRID_ROLE_STATE_SERVER);
		CHECK_INT_EQ(grid_get(g, x + 1, y).role, GRID_ROLE_STATE_CLIENT);
		grid_destroy(g);
	}
}

/* The line of text at row y, trailing spaces trimmed (the UTF-8 render). */
static char *row_text(const struct grid *g, int y)
{
	char *all = grid_render_text(g, false), *p = all;
	for (int i = 0; i < y && p; i++) {
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	char *out = strdup(p ? p : "");
	char *nl = strchr(out, '\n');
	if (nl)
		*nl = '\0';
	free(all);
	return out;
}

/* The compact layouts have no labels: the last transition is lit where it
 * has an arc and always said in words on the caption line. */
static void test_compact_layouts_caption_the_last_transition(void)
{
	struct view_diagram_input in = golden_input();
	struct grid *g = drawn(78, 12, true, &in);
	char *cap = row_text(g, 11);
	CHECK_STR_EQ(cap, "client SYN_SENT -> ESTABLISHED: rcv SYN,ACK / snd ACK");
	int ncap = (int)strlen(cap) - 1; /* the space after the arrow is not lit */
	CHECK(count_role(g, GRID_ROLE_ARC) > ncap + 2);
	free(cap);
	grid_destroy(g);

	/* Not drawn in the wide layout: only the caption is lit. */
	in.last_endpoint = 1;
	in.last_from = TCPSTATE_SYN_SENT;
	in.last_to = TCPSTATE_SYN_RCVD;
	g = drawn(78, 12, true, &in);
	cap = row_text(g, 11);
	CHECK_STR_EQ(cap, "server SYN_SENT -> SYN_RCVD: rcv SYN / snd SYN,ACK (both opened)");
	int lit = 0;
	for (int x = 0; x < 78; x++)
		lit += grid_get(g, x, 11).role == GRID_ROLE_ARC;
	CHECK_INT_EQ(count_role(g, GRID_ROLE_ARC), lit);
	CHECK(lit >= (int)strlen(cap) - 2);
	free(cap);
	grid_destroy(g);

	/* The tall one puts a label too long for its width on the next line. */
	in = golden_input();
	g = drawn(38, 15, false, &in);
	cap = row_text(g, 14);
	CHECK_STR_EQ(cap, "  rcv SYN,ACK / snd ACK");
	CHECK_INT_EQ(grid_get(g, 2, 14).role, GRID_ROLE_ARC);
	free(cap);
	grid_destroy(g);
}

/* CLOSED is drawn twice, as in the RFC's figure (where it starts and where
 * it ends); both are lit. */
static void test_both_closed_names_are_lit(void)
{
	struct view_diagram_input in = input(TCPSTATE_CLOSED, TCPSTATE_LISTEN);
	struct grid *g = drawn(90, 30, false, &in);
	/* two names of 6 with brackets and markers, and the legend's C */
	CHECK_INT_EQ(count_role(g, GRID_ROLE_STATE_CLIENT), 2 * (6 + 3) + 1);
	grid_destroy(g);
}

static void test_line_fallback_names_both_states(void)
{
	struct view_diagram_input in = input(TCPSTATE_ESTABLISHED, TCPSTATE_SYN_RCVD);
	struct grid *g = drawn(40, 3, false, &in);
	char *text = grid_render_text(g, false);
	CHECK_STR_EQ(text, "client ESTABLISHED  server SYN_RCVD\n\n\n");
	CHECK_INT_EQ(grid_get(g, 7, 0).role, GRID_ROLE_STATE_CLIENT);
	CHECK_INT_EQ(grid_get(g, 27, 0).role, GRID_ROLE_STATE_SERVER);
	free(text);
	grid_destroy(g);
}

/* A rectangle too small for anything, or for the line, writes nothing
 * outside itself, whatever layout it gets. */
static void test_tiny_rectangles_stay_inside(void)
{
	static const struct grid_rect rects[] = {
		{5, 5, 0, 0}, {5, 5, 1, 1}, {5, 5, 10, 3}, {0, 0, 10, 3},
		{15, 8, 10, 3}, {-3, -2, 10, 3}, {2, 1, 40, 15}, {1, 1, 85, 12},
	};
	struct view_diagram_input in = golden_input();
	for (size_t i = 0; i < sizeof(rects) / sizeof(rects[0]); i++) {
		struct grid *g = grid_create(20 + 80 * (rects[i].w > 30), 10 + 10 * (rects[i].w > 30));
		int w = grid_width(g), h = grid_height(g);
		for (int y = 0; y < h; y++)
			for (int x = 0; x < w; x++)
				grid_put(g, x, y, '#', GRID_ROLE_DIM);
		view_diagram_draw(g, rects[i], &in);
		int inside_changed = 0;
		for (int y = 0; y < h; y++) {
			for (int x = 0; x < w; x++) {
				struct grid_cell c = grid_get(g, x, y);
				bool inside = x >= rects[i].x && x < rects[i].x + rects[i].w &&
					      y >= rects[i].y && y < rects[i].y + rects[i].h;
				if (!inside)
					CHECK(c.ch == '#' && c.role == GRID_ROLE_DIM);
				else
					inside_changed += c.ch != '#';
			}
		}
		if (rects[i].w >= 10 && rects[i].y >= 0)
			CHECK(inside_changed > 0);
		else if (rects[i].w < 10)
			CHECK_INT_EQ(inside_changed, rects[i].w);
		grid_destroy(g);
	}
}

int main(int argc, char **argv)
{
	golden_dir = argc > 1 ? argv[1] : "tests/ui/golden";
	RUN(test_goldens_of_every_layout);
	RUN(test_layout_is_chosen_by_size);
	RUN(test_every_state_appears_in_every_diagram_layout);
	RUN(test_every_legal_transition_has_a_lit_arc_in_full);
	RUN(test_compact_layouts_draw_all_but_the_captioned_arcs);
	RUN(test_lit_states_carry_their_endpoints_roles);
	RUN(test_compact_layouts_caption_the_last_transition);
	RUN(test_both_closed_names_are_lit);
	RUN(test_line_fallback_names_both_states);
	RUN(test_tiny_rectangles_stay_inside);
	CHECK_EXIT();
}
