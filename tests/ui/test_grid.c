/* The cell grid without a terminal: clipping, boxes, the substitution of
 * hostile code points, widths, the text backend and the style tables. */
#include "check.h"
#include "grid.h"
#include "grid_style.h"

/* The text of row y of g (trailing spaces trimmed), into a static buffer. */
static const char *row(const struct grid *g, int y)
{
	static char buf[1024];
	char *all = grid_render_text(g, false);
	buf[0] = '\0';
	if (!all)
		return buf;
	const char *p = all;
	for (int i = 0; i < y && p; i++) {
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	if (p) {
		size_t n = strcspn(p, "\n");
		if (n >= sizeof(buf))
			n = sizeof(buf) - 1;
		memcpy(buf, p, n);
		buf[n] = '\0';
	}
	free(all);
	return buf;
}

static void test_new_grid_is_blank_and_out_of_range_reads_are_spaces(void)
{
	struct grid *g = grid_create(4, 2);
	CHECK(g != NULL);
	CHECK_INT_EQ(grid_width(g), 4);
	CHECK_INT_EQ(grid_height(g), 2);
	CHECK_INT_EQ(grid_get(g, 3, 1).ch, ' ');
	CHECK_INT_EQ(grid_get(g, -1, 0).ch, ' ');
	CHECK_INT_EQ(grid_get(g, 4, 0).ch, ' ');
	CHECK_INT_EQ(grid_get(g, 0, 2).role, GRID_ROLE_NORMAL);
	char *t = grid_render_text(g, false);
	CHECK_STR_EQ(t, "\n\n");
	free(t);
	grid_destroy(g);
	grid_destroy(NULL);
}

static void test_writes_are_clipped_to_grid_and_clip_rect(void)
{
	struct grid *g = grid_create(10, 3);
	CHECK_INT_EQ(grid_text(g, 7, 0, -1, GRID_ROLE_NORMAL, "abcdef"), 3);
	CHECK_STR_EQ(row(g, 0), "       abc");
	grid_put(g, -1, 0, 'x', GRID_ROLE_NORMAL);
	grid_put(g, 10, 0, 'x', GRID_ROLE_NORMAL);
	grid_put(g, 0, 3, 'x', GRID_ROLE_NORMAL);
	grid_put(g, 0, -1, 'x', GRID_ROLE_NORMAL);
	CHECK_STR_EQ(row(g, 0), "       abc");
	/* a text starting left of the grid: its cells still count */
	CHECK_INT_EQ(grid_text(g, -2, 1, -1, GRID_ROLE_NORMAL, "xyzw"), 4);
	CHECK_STR_EQ(row(g, 1), "zw");

	grid_clear(g);
	grid_clip(g, (struct grid_rect){ 2, 1, 3, 1 });
	CHECK_INT_EQ(grid_text(g, 0, 1, -1, GRID_ROLE_NORMAL, "0123456789"), 5);
	grid_text(g, 0, 0, -1, GRID_ROLE_NORMAL, "above");
	grid_text(g, 0, 2, -1, GRID_ROLE_NORMAL, "below");
	CHECK_STR_EQ(row(g, 0), "");
	CHECK_STR_EQ(row(g, 1), "  234");
	CHECK_STR_EQ(row(g, 2), "");
	grid_fill(g, (struct grid_rect){ 0, 0, 10, 3 }, '#', GRID_ROLE_DIM);
	CHECK_STR_EQ(row(g, 1), "  ###");
	CHECK_STR_EQ(row(g, 0), "");
	/* maxw within the clip */
	grid_unclip(g);
	CHECK_INT_EQ(grid_text(g, 0, 2, 2, GRID_ROLE_NORMAL, "hello"), 2);
	CHECK_STR_EQ(row(g, 2), "he");
	/* a clip outside the grid draws nothing */
	grid_clip(g, (struct grid_rect){ 20, 20, 5, 5 });
	grid_put(g, 0, 0, 'Q', GRID_ROLE_NORMAL);
	CHECK_INT_EQ(grid_get(g, 0, 0).ch, ' ');
	/* huge rectangles do not overflow */
	grid_clip(g, (struct grid_rect){ 1, 0, 2147483647, 2147483647 });
	grid_put(g, 9, 2, 'Z', GRID_ROLE_NORMAL);
	CHECK_INT_EQ(grid_get(g, 9, 2).ch, 'Z');
	grid_put(g, 0, 2, 'Z', GRID_ROLE_NORMAL);
	CHECK_INT_EQ(grid_get(g, 0, 2).ch, 'h');
	grid_destroy(g);
}

static void test_box_in_utf8_and_ascii_with_title(void)
{
	struct grid *g = grid_create(12, 3);
	grid_box(g, (struct grid_rect){ 0, 0, 12, 3 }, GRID_ROLE_BORDER, "Conns");
	CHECK_STR_EQ(row(g, 0), "┌─ Conns ──┐");
	CHECK_STR_EQ(row(g, 1), "│          │");
	CHECK_STR_EQ(row(g, 2), "└──────────┘");
	CHECK_INT_EQ(grid_get(g, 0, 0).role, GRID_ROLE_BORDER);
	CHECK_INT_EQ(grid_get(g, 3, 0).role, GRID_ROLE_TITLE);

	grid_set_ascii(g, true);
	CHECK(grid_ascii(g));
	grid_clear(g);
	/* a title longer than the frame is cut inside the corners */
	grid_box(g, (struct grid_rect){ 0, 0, 12, 3 }, GRID_ROLE_BORDER, "Connections");
	CHECK_STR_EQ(row(g, 0), "+- Connec -+");
	CHECK_STR_EQ(row(g, 1), "|          |");
	CHECK_STR_EQ(row(g, 2), "+----------+");
	CHECK_INT_EQ(grid_glyph(g, GRID_G_ARROW_R), '>');
	CHECK_INT_EQ(grid_glyph(g, GRID_G_ARROW_L), '<');
	grid_set_ascii(g, false);
	CHECK_INT_EQ(grid_glyph(g, GRID_G_ARROW_R), 0x2192);
	CHECK_INT_EQ(grid_glyph(g, GRID_G_CROSS), 0x253C);
	/* every glyph in either set is on the list of printables */
	for (int i = 0; i < GRID_G_COUNT; i++) {
		grid_set_ascii(g, false);
		CHECK_INT_EQ(grid_cp_width(grid_glyph(g, (enum grid_glyph)i)), 1);
		grid_set_ascii(g, true);
		CHECK(grid_glyph(g, (enum grid_glyph)i) < 0x7F);
	}
	/* a box clipped by the grid edge, and one too small to draw */
	grid_set_ascii(g, true);
	grid_clear(g);
	grid_box(g, (struct grid_rect){ 8, 1, 10, 5 }, GRID_ROLE_BORDER, NULL);
	grid_box(g, (struct grid_rect){ 0, 0, 1, 3 }, GRID_ROLE_BORDER, NULL);
	CHECK_STR_EQ(row(g, 0), "");
	CHECK_STR_EQ(row(g, 1), "        +---");
	CHECK_STR_EQ(row(g, 2), "        |");
	grid_destroy(g);
}

/* Each hostile input, what the grid must show for "a<input>b". */
static void test_hostile_code_points_are_substituted(void)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
		{ "a\x1b[2Jb", "a?[2Jb" },           /* ESC */
		{ "a\xc2\x9b" "2Jb", "a?2Jb" },       /* CSI U+009B */
		{ "a\x9b" "b", "a?b" },               /* a raw 0x9b byte */
		{ "a\x7f" "b", "a?b" },               /* DEL */
		{ "a\rb\nc\td\x01", "a?b?c?d?" },     /* C0 */
		{ "a\xe2\x80\xae" "b", "a?b" },       /* RLO U+202E */
		{ "a\xe2\x81\xa6" "b", "a?b" },       /* LRI U+2066 */
		{ "a\xd8\x9c" "b", "a?b" },           /* ALM U+061C */
		{ "a\xe2\x80\x8e" "b", "a?b" },       /* LRM U+200E */
		{ "a\xe2\x80\x8d" "b", "a?b" },       /* ZWJ U+200D */
		{ "a\xe2\x80\x8b" "b", "a?b" },       /* ZWSP U+200B */
		{ "a\xe2\x81\xa0" "b", "a?b" },       /* WJ U+2060 */
		{ "a\xef\xbb\xbf" "b", "a?b" },       /* BOM U+FEFF */
		{ "a\xcc\x81" "b", "a?b" },           /* combining U+0301 */
		{ "a\xc2\xad" "b", "a?b" },           /* soft hyphen */
		{ "a\xe2\x80\xa8" "b", "a?b" },       /* line separator */
		{ "a\xf0\x9f\x98\x80" "b", "a?b" },   /* emoji U+1F600 */
		{ "a\xee\x80\x80" "b", "a?b" },       /* private use U+E000 */
		{ "a\xff\xfe" "b", "a??b" },          /* invalid bytes */
		{ "a\xc0\xaf" "b", "a??b" },          /* overlong '/' */
		{ "a\xed\xa0\x80" "b", "a???b" },     /* surrogate U+D800 */
		{ "a\xf4\x90\x80\x80" "b", "a????b" },/* above U+10FFFF */
		{ "a\xe6\xbc" "b", "a??b" },          /* cut short mid-line */
		{ "ab\xe6\xbc", "ab??" },             /* cut short at the end */
		{ "ab\xf0", "ab?" },
		{ "a\xc3\xa9" "b", "a\xc3\xa9" "b" }, /* é is kept */
		{ "a\xce\xa9\xd0\x96" "b", "a\xce\xa9\xd0\x96" "b" }, /* Ω Ж */
		{ "a\xe2\x86\x92" "b", "a\xe2\x86\x92" "b" },         /* → */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct grid *g = grid_create(20, 1);
		grid_text(g, 0, 0, -1, GRID_ROLE_NORMAL, cases[i].in);
		CHECK_STR_EQ(row(g, 0), cases[i].want);
		CHECK_INT_EQ(grid_text_width(cases[i].in), grid_text_width(cases[i].want));
		/* no cell holds a control or an unlisted code point */
		for (int x = 0; x < 20; x++) {
			uint32_t ch = grid_get(g, x, 0).ch;
			CHECK(ch == GRID_WIDE_TAIL || grid_cp_width(ch) > 0);
		}
		grid_destroy(g);
	}
	/* grid_put substitutes as well */
	struct grid *g = grid_create(3, 1);
	grid_put(g, 0, 0, 0x1b, GRID_ROLE_NORMAL);
	grid_put(g, 1, 0, 0x202E, GRID_ROLE_NORMAL);
	grid_put(g, 2, 0, 0x110000, GRID_ROLE_NORMAL);
	CHECK_STR_EQ(row(g, 0), "???");
	grid_destroy(g);
}

static void test_wide_characters_take_two_cells_and_never_split(void)
{
	struct grid *g = grid_create(6, 1);
	/* 漢 U+6F22, あ U+3042 */
	CHECK_INT_EQ(grid_text_width("\xe6\xbc\xa2" "a\xe3\x81\x82"), 5);
	CHECK_INT_EQ(grid_cp_width(0x6F22), 2);
	CHECK_INT_EQ(grid_cp_width(0xFF71), 1); /* halfwidth katakana */
	CHECK_INT_EQ(grid_text(g, 0, 0, -1, GRID_ROLE_CLIENT, "\xe6\xbc\xa2" "a\xe3\x81\x82"), 5);
	CHECK_STR_EQ(row(g, 0), "\xe6\xbc\xa2" "a\xe3\x81\x82");
	CHECK_INT_EQ(grid_get(g, 0, 0).ch, 0x6F22);
	CHECK_INT_EQ(grid_get(g, 1, 0).ch, GRID_WIDE_TAIL);
	CHECK_INT_EQ(grid_get(g, 1, 0).role, GRID_ROLE_CLIENT);
	/* overwriting the tail blanks the lead, and the lead the tail */
	grid_put(g, 1, 0, 'x', GRID_ROLE_NORMAL);
	CHECK_STR_EQ(row(g, 0), " xa\xe3\x81\x82");
	grid_put(g, 3, 0, 'y', GRID_ROLE_NORMAL);
	CHECK_STR_EQ(row(g, 0), " xay");
	/* a wide character that does not fit the limit ends the text */
	grid_clear(g);
	CHECK_INT_EQ(grid_text(g, 0, 0, 3, GRID_ROLE_NORMAL, "\xe6\xbc\xa2\xe6\xbc\xa2"), 2);
	CHECK_INT_EQ(grid_text(g, 5, 0, -1, GRID_ROLE_NORMAL, "\xe6\xbc\xa2"), 0);
	CHECK_STR_EQ(row(g, 0), "\xe6\xbc\xa2");
	/* a wide character written half over another one */
	grid_clear(g);
	grid_text(g, 0, 0, -1, GRID_ROLE_NORMAL, "\xe6\xbc\xa2\xe6\xbc\xa2");
	grid_put(g, 1, 0, 0x3042, GRID_ROLE_NORMAL);
	CHECK_STR_EQ(row(g, 0), " \xe3\x81\x82");
	CHECK_INT_EQ(grid_get(g, 3, 0).ch, ' ');
	grid_destroy(g);
}

/* Every cell printable, every wide lead followed by its tail and every tail
 * preceded by a wide lead. */
static bool grid_consistent(const struct grid *g)
{
	for (int y = 0; y < grid_height(g); y++)
		for (int x = 0; x < grid_width(g); x++) {
			uint32_t ch = grid_get(g, x, y).ch;
			if (ch == GRID_WIDE_TAIL) {
				if (x == 0 || grid_cp_width(grid_get(g, x - 1, y).ch) != 2)
					return false;
			} else if (grid_cp_width(ch) == 2) {
				if (x + 1 >= grid_width(g) || grid_get(g, x + 1, y).ch != GRID_WIDE_TAIL)
					return false;
			} else if (grid_cp_width(ch) != 1) {
				return false;
			}
		}
	return true;
}

static void test_random_bytes_and_writes_keep_the_grid_consistent(void)
{
	/* bytes biased towards UTF-8 lead and continuation bytes, wide
	 * characters and controls; a fixed LCG so a failure repeats */
	static const unsigned char pool[] = {
		'a', ' ', 0x1b, 0x7f, 0x80, 0x9b, 0xbf, 0xc2, 0xc3, 0xcc, 0xe2,
		0xe3, 0xe6, 0xef, 0xf0, 0xf4, 0xff, 0x81, 0xbc, 0xa2, 0x80, 0x8d,
	};
	uint32_t seed = 12345;
	struct grid *g = grid_create(17, 4);
	bool ok = true;
	for (int round = 0; round < 20000 && ok; round++) {
		char text[24];
		seed = seed * 1103515245u + 12345u;
		int len = (int)((seed >> 16) % (sizeof(text) - 1));
		for (int i = 0; i < len; i++) {
			seed = seed * 1103515245u + 12345u;
			text[i] = (char)pool[(seed >> 16) % sizeof(pool)];
		}
		text[len] = '\0';
		seed = seed * 1103515245u + 12345u;
		int x = (int)((seed >> 8) % 21) - 2, y = (int)((seed >> 20) % 5);
		switch ((seed >> 28) % 4) {
		case 0:
			grid_clip(g, (struct grid_rect){ x, y, (int)(seed % 9), 3 });
			break;
		case 1:
			grid_unclip(g);
			break;
		case 2:
			grid_put(g, x, y, (seed & 1) ? 0x6F22 : 'k', GRID_ROLE_KEY);
			break;
		default:
			break;
		}
		int n = grid_text(g, x, y, (int)(seed % 7) - 1, GRID_ROLE_CLIENT, text);
		if (n > grid_text_width(text))
			ok = false;
		if (!grid_consistent(g))
			ok = false;
	}
	CHECK(ok);
	char *t = grid_render_text(g, true);
	CHECK(t != NULL && strlen(t) > 0);
	free(t);
	grid_destroy(g);
}

static void test_textf_formats_long_text(void)
{
	struct grid *g = grid_create(8, 1);
	CHECK_INT_EQ(grid_textf(g, 0, 0, -1, GRID_ROLE_NORMAL, "pkt %d/%d", 12, 40), 8);
	CHECK_STR_EQ(row(g, 0), "pkt 12/4");
	char big[2000];
	memset(big, 'z', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	CHECK_INT_EQ(grid_textf(g, 0, 0, -1, GRID_ROLE_NORMAL, "%s!", big), 8);
	CHECK_STR_EQ(row(g, 0), "zzzzzzzz");
	grid_destroy(g);
}

static void test_render_text_with_roles(void)
{
	struct grid *g = grid_create(6, 2);
	grid_text(g, 0, 0, -1, GRID_ROLE_CLIENT, "SYN");
	grid_paint(g, 0, 0, 3, GRID_ROLE_FLAG_SYN);
	grid_paint(g, 2, 0, 1, GRID_ROLE_HIGHLIGHT);
	grid_text(g, 2, 1, -1, GRID_ROLE_SERVER, "ok");
	char *t = grid_render_text(g, true);
	CHECK_STR_EQ(t, "SYN\n  ok\n-- roles\nyyh...\n..ss..\n");
	free(t);
	t = grid_render_text(g, false);
	CHECK_STR_EQ(t, "SYN\n  ok\n");
	free(t);
	/* paint keeps characters and is clipped */
	grid_paint(g, -3, 1, 100, GRID_ROLE_ERROR);
	CHECK_INT_EQ(grid_get(g, 2, 1).ch, 'o');
	CHECK_INT_EQ(grid_get(g, 5, 1).role, GRID_ROLE_ERROR);
	CHECK_INT_EQ(grid_get(g, 0, 1).role, GRID_ROLE_ERROR);
	grid_destroy(g);
}

static void test_role_letters_and_names_are_unique(void)
{
	for (int a = 0; a < GRID_ROLE_COUNT; a++) {
		CHECK(grid_role_letter((enum grid_role)a) != '?');
		CHECK(strcmp(grid_role_name((enum grid_role)a), "?") != 0);
		CHECK(grid_role_letter((enum grid_role)a) != ' ');
		for (int b = a + 1; b < GRID_ROLE_COUNT; b++) {
			CHECK(grid_role_letter((enum grid_role)a) != grid_role_letter((enum grid_role)b));
			CHECK(strcmp(grid_role_name((enum grid_role)a), grid_role_name((enum grid_role)b)) != 0);
		}
	}
	CHECK_INT_EQ(grid_role_letter(GRID_ROLE_NORMAL), '.');
	CHECK_STR_EQ(grid_role_name(GRID_ROLE_FLAG_SYN), "flag_syn");
	CHECK_INT_EQ(grid_role_letter(GRID_ROLE_COUNT), '?');
}

static void test_resize_to_zero_and_back(void)
{
	struct grid *g = grid_create(5, 2);
	grid_text(g, 0, 0, -1, GRID_ROLE_NORMAL, "hello");
	CHECK(grid_resize(g, 0, 0));
	CHECK_INT_EQ(grid_width(g), 0);
	CHECK_INT_EQ(grid_height(g), 0);
	CHECK_INT_EQ(grid_text(g, 0, 0, -1, GRID_ROLE_NORMAL, "x"), 0);
	grid_box(g, (struct grid_rect){ 0, 0, 5, 5 }, GRID_ROLE_BORDER, "t");
	grid_fill(g, (struct grid_rect){ 0, 0, 5, 5 }, '#', GRID_ROLE_NORMAL);
	char *t = grid_render_text(g, true);
	CHECK_STR_EQ(t, "-- roles\n");
	free(t);
	/* 7 x 0 is 0 x 0 */
	CHECK(grid_resize(g, 7, 0));
	CHECK_INT_EQ(grid_width(g), 0);
	CHECK(grid_resize(g, 3, 2));
	CHECK_INT_EQ(grid_width(g), 3);
	CHECK_INT_EQ(grid_text(g, 0, 1, -1, GRID_ROLE_NORMAL, "back!"), 3);
	t = grid_render_text(g, false);
	CHECK_STR_EQ(t, "\nbac\n");
	free(t);
	grid_destroy(g);
	g = grid_create(0, 0);
	CHECK(g != NULL);
	grid_destroy(g);
}

static void test_every_role_has_a_style_in_both_schemes(void)
{
	for (int s = 0; s < GRID_SCHEME_COUNT; s++)
		for (int r = 0; r < GRID_ROLE_COUNT; r++)
			CHECK_INT_EQ(grid_style_of((enum grid_scheme)s, (enum grid_role)r).set, 1);
	/* mono uses no colour at all */
	for (int r = 0; r < GRID_ROLE_COUNT; r++) {
		struct grid_style st = grid_style_of(GRID_SCHEME_MONO, (enum grid_role)r);
		CHECK_INT_EQ(st.fg, GRID_COLOR_DEFAULT);
		CHECK_INT_EQ(st.bg, GRID_COLOR_DEFAULT);
	}
	CHECK_INT_EQ(grid_style_of(GRID_SCHEME_COUNT, GRID_ROLE_NORMAL).attr, 0);
}

static bool looks_same(enum grid_scheme s, enum grid_role a, enum grid_role b)
{
	struct grid_style x = grid_style_of(s, a), y = grid_style_of(s, b);
	return x.fg == y.fg && x.bg == y.bg && x.attr == y.attr;
}

static void test_roles_a_student_compares_look_different_in_both_schemes(void)
{
	static const enum grid_role pairs[][2] = {
		{ GRID_ROLE_CLIENT, GRID_ROLE_SERVER },
		{ GRID_ROLE_STATE_CLIENT, GRID_ROLE_STATE_SERVER },
		{ GRID_ROLE_HIGHLIGHT, GRID_ROLE_NORMAL },
		{ GRID_ROLE_DIM, GRID_ROLE_NORMAL },
		{ GRID_ROLE_FLAG_SYN, GRID_ROLE_FLAG_FIN },
		{ GRID_ROLE_FLAG_SYN, GRID_ROLE_FLAG_RST },
		{ GRID_ROLE_FLAG_FIN, GRID_ROLE_FLAG_RST },
		{ GRID_ROLE_STATE_CLIENT, GRID_ROLE_CLIENT },
		{ GRID_ROLE_STATE_SERVER, GRID_ROLE_SERVER },
		{ GRID_ROLE_MARK_RETRANS, GRID_ROLE_NORMAL },
		{ GRID_ROLE_MARK_WARN, GRID_ROLE_NORMAL },
		{ GRID_ROLE_ERROR, GRID_ROLE_NORMAL },
		{ GRID_ROLE_LOST, GRID_ROLE_NORMAL },
		{ GRID_ROLE_LOST, GRID_ROLE_MARK_RETRANS },
		{ GRID_ROLE_LOST, GRID_ROLE_FLAG_RST },
		{ GRID_ROLE_HELD, GRID_ROLE_NORMAL },
		{ GRID_ROLE_HELD, GRID_ROLE_DIM },
		{ GRID_ROLE_HELD, GRID_ROLE_CLIENT },
		{ GRID_ROLE_HELD, GRID_ROLE_SERVER },
	};
	for (int s = 0; s < GRID_SCHEME_COUNT; s++)
		for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++)
			CHECK(!looks_same((enum grid_scheme)s, pairs[i][0], pairs[i][1]));
	CHECK_INT_EQ(grid_style_of(GRID_SCHEME_MONO, GRID_ROLE_HIGHLIGHT).attr, GRID_ATTR_REVERSE);
}

int main(void)
{
	RUN(test_new_grid_is_blank_and_out_of_range_reads_are_spaces);
	RUN(test_writes_are_clipped_to_grid_and_clip_rect);
	RUN(test_box_in_utf8_and_ascii_with_title);
	RUN(test_hostile_code_points_are_substituted);
	RUN(test_wide_characters_take_two_cells_and_never_split);
	RUN(test_random_bytes_and_writes_keep_the_grid_consistent);
	RUN(test_textf_formats_long_text);
	RUN(test_render_text_with_roles);
	RUN(test_role_letters_and_names_are_unique);
	RUN(test_resize_to_zero_and_back);
	RUN(test_every_role_has_a_style_in_both_schemes);
	RUN(test_roles_a_student_compares_look_different_in_both_schemes);
	CHECK_EXIT();
}
