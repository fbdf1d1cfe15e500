/* tui_bench: how quickly the replay UI shows its first screen on a big
 * capture, and how long a key takes from the handler to a finished redraw
 * once the connection list is long. It drives the same model and view code
 * the terminal UI runs (ui/tui/tui_model.c, tui_view.c) into an off-screen
 * grid of projector size, so what is timed is everything but curses' own
 * output.
 *
 *   tui_bench FILE [KEYS]     (KEYS: default 1000)
 *
 * First screen: replay_open, the first indexing slice the UI takes before
 * it opens the terminal (20,000 frames), and one full draw.
 * Keys: after the whole file is indexed, KEYS random keys from the movement
 * keys (n p N P ] [ } { Up Down PgUp PgDn Home End), each followed by a full
 * draw, as the loop does; median and worst of key + draw.
 * A last line "RESULT key=value ..." is for bench/run.sh. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "explain.h"
#include "grid.h"
#include "replay.h"
#include "tui_model.h"
#include "tui_view.h"

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: %s FILE [KEYS]\n", argv[0]);
		return 2;
	}
	int nkeys = argc == 3 ? atoi(argv[2]) : 1000;
	if (nkeys <= 0)
		nkeys = 1000;
	explain_init(explain_localedir());
	explain_set_lang("en");

	char err[REPLAY_ERRBUF_SIZE];
	struct replay_config rc = { .msl_ns = 60000000000LL };
	double t0 = now_s();
	struct replay *r = replay_open(argv[1], &rc, err);
	if (!r) {
		fprintf(stderr, "tui_bench: %s\n", err);
		return 1;
	}
	replay_index_step(r, 20000);
	struct tui_model m;
	tui_model_init(&m, r, "bench", rc.msl_ns);
	tui_model_indexed(&m);
	struct grid *g = grid_create(200, 60);
	struct tui_layout *lay = malloc(sizeof(*lay));
	if (!g || !lay)
		return 1;
	tui_view_draw(g, &m, lay);
	tui_model_viewed(&m, &lay->view);
	double first = now_s() - t0;

	while (replay_index_step(r, 200000))
		tui_model_indexed(&m);
	tui_model_indexed(&m);
	double indexed = now_s() - t0;

	static const int keys[] = { 'n', 'p', 'N', 'P', ']', '[', '}', '{', TUI_KEY_UP,
				    TUI_KEY_DOWN, TUI_KEY_PGUP, TUI_KEY_PGDN, TUI_KEY_HOME,
				    TUI_KEY_END };
	double *lat = malloc(sizeof(double) * (size_t)nkeys);
	if (!lat)
		return 1;
	srand(1);
	for (int i = 0; i < nkeys; i++) {
		int k = keys[(size_t)rand() % (sizeof(keys) / sizeof(keys[0]))];
		double a = now_s();
		tui_model_key(&m, k);
		tui_view_draw(g, &m, lay);
		tui_model_viewed(&m, &lay->view);
		lat[i] = now_s() - a;
	}
	qsort(lat, (size_t)nkeys, sizeof(double), cmp_double);
	printf("file %s: %llu frames, %llu connections in the list\n", argv[1],
	       (unsigned long long)replay_frames(r), (unsigned long long)m.nvisible);
	printf("first screen       %.1f ms (open, first 20k-frame slice, one 200x60 draw)\n",
	       first * 1e3);
	printf("whole index        %.3f s (while the screen is usable)\n", indexed);
	printf("%d keys + redraw   median %.2f ms, worst %.2f ms\n", nkeys,
	       lat[nkeys / 2] * 1e3, lat[nkeys - 1] * 1e3);
	printf("RESULT frames=%llu conns=%llu first_ms=%.1f indexed_s=%.3f keys=%d "
	       "key_median_ms=%.2f key_worst_ms=%.2f\n",
	       (unsigned long long)replay_frames(r), (unsigned long long)m.nvisible, first * 1e3,
	       indexed, nkeys, lat[nkeys / 2] * 1e3, lat[nkeys - 1] * 1e3);
	free(lat);
	free(lay);
	grid_destroy(g);
	tui_model_finish(&m);
	replay_close(r);
	return 0;
}
