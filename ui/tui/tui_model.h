/* The replay UI's model (htop's split: the model holds what is shown, key
 * handlers change it and say what must be redrawn; tui_view.c draws it into
 * the cell grid; tui.c owns the terminal and the loop). No terminal, no
 * curses, no I/O beyond the replay's file: the tests drive it directly.
 *
 * The position is a frame number of the capture (1..frames). Everything on
 * screen is computed from (replay index, position, selection), so the state
 * shown is the same however the position was reached. */
#ifndef TCPSTEP_TUI_MODEL_H
#define TCPSTEP_TUI_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#include "replay.h"

struct live_model;

/* Live: the output lines kept for the screen (the apps', the kernel
 * peer's, a script's). */
#define TUI_OUTPUT_LINES 32

enum tui_pane {
	TUI_PANE_CONNS,
	TUI_PANE_LADDER,
	TUI_PANE_DIAGRAM,
	TUI_PANE_EXPLAIN,
	TUI_PANE_COUNT
};

/* What a key handler did (htop's HandlerResult). */
enum tui_result {
	TUI_IGNORED = 0,
	TUI_HANDLED = 1 << 0,
	TUI_REDRAW = 1 << 1,
	TUI_QUIT = 1 << 2,
};

/* A prompt being typed on the status line ('g' frame number, '/' filter). */
enum tui_prompt {
	TUI_PROMPT_NONE,
	TUI_PROMPT_GOTO,
	TUI_PROMPT_FILTER,
	TUI_PROMPT_COMMAND,   /* live: what a live key asks (its label says what:
			       * a kernel peer's command line, a port, ...) */
};

#define TUI_SPEED_MIN 0.1
#define TUI_SPEED_MAX 100.0
/* A gap in capture time longer than this (at the chosen speed) is cut to it
 * while playing, and the status line says so. */
#define TUI_MAX_GAP_NS 2000000000LL

struct tui_model {
	struct replay *rp;     /* not owned */
	const char *title;     /* file name shown in the status line */
	const char *banner;    /* extra status text ("bundled recording ..."), or NULL */
	bool live;             /* a live session: banner is its status, its keys */
	/* Live: what lwIP itself holds for the selected connection now (true
	 * states, how they compare with the wire's, the running timers),
	 * shown atop the explanation; written by the loop before each draw. */
	char live_note[512];
	/* Live: the session's model (true states, held frames, timers), read
	 * by the views, never written; NULL in a replay. live_now_ns is
	 * CLOCK_MONOTONIC at the draw (for the nodes' clocks), set with it. */
	const struct live_model *lm;
	uint64_t live_now_ns;
	bool command_ready;    /* Enter at the command prompt: input holds it */
	char prompt_label[64]; /* the command prompt's question */
	/* Live: the apps' and the kernel peer's last output lines (escaped),
	 * oldest first, shown at the bottom of the explanation. */
	char output[TUI_OUTPUT_LINES][128];
	int noutput;
	int64_t msl_ns;

	uint64_t pos;          /* current frame, 0 while the file has none */
	uint64_t sel;          /* selected connection id, 0 for none */
	uint64_t conn_top;     /* first connection row shown (scroll; kept by the view) */
	enum tui_pane pane;

	bool absolute;         /* absolute sequence numbers */
	bool hide_future;      /* future arrows hidden (else dimmed) */
	bool help;             /* the help screen is up */
	int help_top;          /* its first row shown (Up / Down scroll it) */
	bool help_more;        /* the view found more rows below (when last drawn) */
	bool ja;               /* Japanese explanations */
	bool ascii;            /* the terminal shows ASCII only: no Japanese */
	int explain_top;       /* first row of the explanation shown (scroll) */
	bool explain_more;     /* the view found more text below (when last drawn) */

	bool playing;
	double speed;          /* capture seconds per real second */
	bool gap_cut;          /* the last play step cut a long gap */

	enum tui_prompt prompt;
	char input[160];       /* what is typed at the prompt */
	char filter[64];       /* the connection filter in force ("" none) */
	char message[160];     /* a one-off message for the status line */

	/* Connections passing the filter, in id order (rebuilt when the
	 * filter or the number of connections changes). */
	uint64_t *visible;
	uint64_t nvisible, cap_visible;
	uint64_t visible_for_conns; /* replay_conns() when last rebuilt */
	int64_t visible_for_pos_bucket; /* the filter also matches states */
};

void tui_model_init(struct tui_model *m, struct replay *rp, const char *title,
		    int64_t msl_ns);
void tui_model_finish(struct tui_model *m);

/* Called after each indexing step: picks a first position and selection
 * once there are frames, and keeps the connection list current. */
unsigned tui_model_indexed(struct tui_model *m);

/* Movement. Each returns TUI_REDRAW when something changed. */
unsigned tui_model_goto(struct tui_model *m, uint64_t pkt);
/* One segment of the selected connection forward (dir 1) or back (-1);
 * with no connection selected, one frame. */
unsigned tui_model_step(struct tui_model *m, int dir);
/* One frame of the whole capture, any connection; the selection follows
 * the frame's connection. */
unsigned tui_model_step_any(struct tui_model *m, int dir);
/* Next / previous state transition of the selected connection (any:
 * of any connection, and the selection follows). */
unsigned tui_model_transition(struct tui_model *m, int dir, bool any);
unsigned tui_model_select(struct tui_model *m, int delta);
unsigned tui_model_select_conn(struct tui_model *m, uint64_t conn);
unsigned tui_model_set_filter(struct tui_model *m, const char *filter);

/* Playing: the real time in ns until the next frame is due, or -1 when not
 * playing. tui_model_play_tick moves one frame on and stops at the end. */
int64_t tui_model_play_delay_ns(const struct tui_model *m);
unsigned tui_model_play_tick(struct tui_model *m);
unsigned tui_model_toggle_play(struct tui_model *m);
unsigned tui_model_speed(struct tui_model *m, int dir);

/* Keys: a printable character is its code point; the rest are these. */
enum tui_key {
	TUI_KEY_UP = 0x110000,
	TUI_KEY_DOWN,
	TUI_KEY_LEFT,
	TUI_KEY_RIGHT,
	TUI_KEY_SLEFT,   /* Shift-Left */
	TUI_KEY_SRIGHT,  /* Shift-Right */
	TUI_KEY_HOME,
	TUI_KEY_END,
	TUI_KEY_PGUP,
	TUI_KEY_PGDN,
	TUI_KEY_TAB,
	TUI_KEY_BTAB,
	TUI_KEY_ENTER,
	TUI_KEY_BACKSPACE,
	TUI_KEY_ESC,
};

/* Live: opens the command prompt with a default command. */
unsigned tui_model_command_prompt(struct tui_model *m, const char *label,
				  const char *initial);

/* A key through the one table of actions. */
unsigned tui_model_key(struct tui_model *m, int key);

/* The table of keys, for the help screen and the status line. */
struct tui_keyhelp {
	const char *keys;  /* "Right n" */
	const char *what;  /* "one segment forward" */
};
/* The i-th help row (0-based); false past the last. */
bool tui_model_keyhelp(unsigned i, struct tui_keyhelp *out);

/* Does a connection pass the filter? (address, port or state substring) */
bool tui_model_conn_matches(const struct tui_model *m, uint64_t conn);

/* What the view worked out while drawing that the model keeps for the next
 * keys and the next draw (tui_view_draw returns it in its layout, the loop
 * stores it with tui_model_viewed): the connection list's scroll, moved so
 * that the selection is in view; the explanation's scroll, kept inside its
 * text; whether the explanation has more text below its pane. */
struct tui_view_state {
	uint64_t conn_top;
	int explain_top;
	bool explain_more;
	int help_top;
	bool help_more;
};
void tui_model_viewed(struct tui_model *m, const struct tui_view_state *v);

#endif
