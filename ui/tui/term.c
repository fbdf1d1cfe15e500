/* The curses backend (term.h). The only file that includes curses. */
#include <errno.h>
#include <fcntl.h>
#include <langinfo.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>
#include <wchar.h>

#include <curses.h>
/* setupterm, tigetstr (and macros named after every capability). By its
 * directory, since this module's own header is term.h too. */
#include <ncursesw/term.h>

#include "grid_style.h"
#include "term.h"

/* The reset sequence the crash handler writes: sized for the few
 * capabilities captured, which are short in every terminfo entry. */
#define TERM_RESET_MAX 256

/* File-static because curses is one per process (see term.h). */
static struct {
	bool open;
	bool color;
	bool utf8;
	FILE *tty;      /* /dev/tty, or NULL when stdin/stdout are used */
	int fd;         /* what term_fd() gives, and where the reset goes */
	SCREEN *screen;
	/* for the crash handler: written only while no handler can run */
	struct termios saved;
	bool saved_ok;
	char reset[TERM_RESET_MAX];
	size_t reset_len;
} term = { .fd = -1 };

static volatile sig_atomic_t term_crash_armed;

static bool cap_ok(const char *s)
{
	return s && s != (const char *)-1 && *s;
}

/* Appends a terminfo string to the reset sequence, if it fits whole. */
static void reset_add(const char *cap)
{
	if (!cap_ok(cap))
		return;
	size_t n = strlen(cap);
	if (term.reset_len + n > sizeof(term.reset))
		return;
	memcpy(term.reset + term.reset_len, cap, n);
	term.reset_len += n;
}

/* Checks TERM with setupterm (which, given an error pointer, returns
 * instead of exiting as initscr would) and captures the reset sequence. */
static bool check_terminal(int fd, char *err, size_t errlen)
{
	const char *type = getenv("TERM");
	if (!type || !*type) {
		snprintf(err, errlen, "TERM is not set: cannot drive the terminal");
		return false;
	}
	int e = 0;
	if (setupterm((char *)type, fd, &e) != OK) {
		if (e == -1)
			snprintf(err, errlen, "no terminfo database found for TERM '%s'", type);
		else
			snprintf(err, errlen, "unknown or unusable terminal type '%s' (TERM)", type);
		return false;
	}
	bool usable = cap_ok(tigetstr("cup")) && cap_ok(tigetstr("clear"));
	if (usable) {
		term.reset_len = 0;
		reset_add(tigetstr("sgr0"));
		reset_add(tigetstr("cnorm"));
		reset_add(tigetstr("rmkx"));
		/* curses turns xterm mouse reporting on when the entry has kmous;
		 * these private modes are what it sets */
		if (cap_ok(tigetstr("kmous")))
			reset_add("\033[?1000l\033[?1002l\033[?1006l");
		reset_add(tigetstr("rmcup"));
	}
	del_curterm(cur_term);
	if (!usable) {
		snprintf(err, errlen,
			 "terminal type '%s' (TERM) cannot move the cursor; "
			 "set TERM to your terminal, e.g. xterm-256color", type);
		return false;
	}
	return true;
}

static short curses_color(uint8_t c, short dflt)
{
	static const short map[] = {
		[GRID_COLOR_BLACK] = COLOR_BLACK, [GRID_COLOR_RED] = COLOR_RED,
		[GRID_COLOR_GREEN] = COLOR_GREEN, [GRID_COLOR_YELLOW] = COLOR_YELLOW,
		[GRID_COLOR_BLUE] = COLOR_BLUE, [GRID_COLOR_MAGENTA] = COLOR_MAGENTA,
		[GRID_COLOR_CYAN] = COLOR_CYAN, [GRID_COLOR_WHITE] = COLOR_WHITE,
	};
	if (c == GRID_COLOR_DEFAULT || c >= sizeof(map) / sizeof(map[0]))
		return dflt;
	return map[c];
}

/* One pair per role, numbered role + 1. */
static void init_pairs(void)
{
	short fg = -1, bg = -1;
	if (use_default_colors() != OK)
		fg = COLOR_WHITE, bg = COLOR_BLACK;
	for (int r = 0; r < GRID_ROLE_COUNT; r++) {
		struct grid_style s = grid_style_of(GRID_SCHEME_COLOR, (enum grid_role)r);
		init_pair((short)(r + 1), curses_color(s.fg, fg), curses_color(s.bg, bg));
	}
}

bool term_open(char *err, size_t errlen)
{
	if (term.open) {
		snprintf(err, errlen, "the terminal is already open");
		return false;
	}
	FILE *tty = fopen("/dev/tty", "r+e");
	int fd;
	if (tty) {
		fd = fileno(tty);
	} else if (isatty(STDIN_FILENO) && isatty(STDOUT_FILENO)) {
		fd = STDOUT_FILENO;
	} else {
		snprintf(err, errlen, "not a terminal (no /dev/tty: %s)", strerror(errno));
		return false;
	}
	if (!check_terminal(fd, err, errlen))
		goto fail;
	term.saved_ok = tcgetattr(fd, &term.saved) == 0;
	SCREEN *s = tty ? newterm(NULL, tty, tty) : newterm(NULL, stdout, stdin);
	if (!s) {
		snprintf(err, errlen, "curses could not open the terminal '%s'",
			 getenv("TERM"));
		goto fail;
	}
	term.screen = s;
	term.tty = tty;
	term.fd = fd;
	term.open = true;
	term.utf8 = term_utf8();
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25); /* Esc alone should not feel slow */
	curs_set(0);
	mouseinterval(0); /* report presses at once, no click timing */
	/* Every button event, also those the UI ignores (releases, buttons 2
	 * and 3): ncurses (6.4, lib_getch.c) drops an event outside the mask
	 * and then reads the next key with a blocking read(2), whatever
	 * nodelay says. A click's release arriving after its press was read
	 * (always, with a person's click) then froze the UI until the next
	 * input: no redraw, no resize, no play step (the monkey test's
	 * "stale frame"). key_from_code() turns the unused ones into NONE. */
	mousemask(ALL_MOUSE_EVENTS, NULL);
	const char *nc = getenv("NO_COLOR");
	term.color = has_colors() && !(nc && *nc) && start_color() == OK;
	if (term.color)
		init_pairs();
	term_crash_armed = 1;
	return true;
fail:
	if (tty)
		fclose(tty);
	return false;
}

void term_close(void)
{
	if (!term.open)
		return;
	term_crash_armed = 0;
	term.open = false;
	mousemask(0, NULL);
	curs_set(1);
	endwin();
	delscreen(term.screen);
	term.screen = NULL;
	if (term.tty)
		fclose(term.tty);
	term.tty = NULL;
	term.fd = -1;
}

bool term_is_open(void)
{
	return term.open;
}

int term_fd(void)
{
	return term.open ? term.fd : -1;
}

static bool key_from_code(int code, struct term_key *k)
{
	switch (code) {
	case KEY_UP: k->kind = TERM_KEY_UP; break;
	case KEY_DOWN: k->kind = TERM_KEY_DOWN; break;
	case KEY_LEFT: k->kind = TERM_KEY_LEFT; break;
	case KEY_RIGHT: k->kind = TERM_KEY_RIGHT; break;
	case KEY_HOME: k->kind = TERM_KEY_HOME; break;
	case KEY_END: k->kind = TERM_KEY_END; break;
	case KEY_PPAGE: k->kind = TERM_KEY_PGUP; break;
	case KEY_NPAGE: k->kind = TERM_KEY_PGDN; break;
	case KEY_BTAB: k->kind = TERM_KEY_BACKTAB; break;
	case KEY_ENTER: k->kind = TERM_KEY_ENTER; break;
	case KEY_BACKSPACE: k->kind = TERM_KEY_BACKSPACE; break;
	case KEY_RESIZE: k->kind = TERM_KEY_RESIZE; break;
	case KEY_MOUSE: {
		MEVENT ev;
		if (getmouse(&ev) != OK)
			break;
		k->x = ev.x;
		k->y = ev.y;
		if (ev.bstate & (BUTTON1_PRESSED | BUTTON1_CLICKED | BUTTON1_DOUBLE_CLICKED |
				 BUTTON1_TRIPLE_CLICKED))
			k->kind = TERM_KEY_CLICK;
		else if (ev.bstate & BUTTON4_PRESSED)
			k->kind = TERM_KEY_WHEEL_UP;
		else if (ev.bstate & BUTTON5_PRESSED)
			k->kind = TERM_KEY_WHEEL_DOWN;
		break;
	}
	default:
		break; /* a key the UI has no use for: NONE */
	}
	return true;
}

bool term_read_key(struct term_key *k)
{
	*k = (struct term_key){ .kind = TERM_KEY_NONE };
	if (!term.open)
		return false;
	wint_t wc;
	int r = wget_wch(stdscr, &wc);
	if (r == ERR)
		return false;
	if (r == KEY_CODE_YES)
		return key_from_code((int)wc, k);
	switch (wc) {
	case '\t': k->kind = TERM_KEY_TAB; break;
	case '\r': case '\n': k->kind = TERM_KEY_ENTER; break;
	case 8: case 127: k->kind = TERM_KEY_BACKSPACE; break;
	case 27: k->kind = TERM_KEY_ESC; break;
	default:
		if (wc < 32) {
			k->kind = TERM_KEY_CTRL;
			k->ch = (uint32_t)wc + '`'; /* 1 -> 'a' */
		} else if (wc != 0x7F && !(wc >= 0x80 && wc < 0xA0)) {
			k->kind = TERM_KEY_CHAR;
			k->ch = (uint32_t)wc;
		}
		break;
	}
	return true;
}

void term_size(int *w, int *h)
{
	if (!term.open) {
		*w = *h = 0;
		return;
	}
	int rows, cols;
	getmaxyx(stdscr, rows, cols);
	*w = cols;
	*h = rows;
}

void term_resized(void)
{
	struct winsize ws;
	if (!term.open || ioctl(term.fd, TIOCGWINSZ, &ws) != 0 || !ws.ws_row || !ws.ws_col)
		return;
	/* resize_term, not resizeterm: that one queues a KEY_RESIZE on every
	 * call (ncurses 6.4), which the loop would read as one more resize at
	 * the next key. */
	resize_term(ws.ws_row, ws.ws_col);
	/* Repaint in full even when the size is the one curses had: a
	 * terminal that was resized and back (tmux sends the two sizes 10 ms
	 * apart, and they arrive as one SIGWINCH) has cut what it showed, and
	 * curses' diff against its old idea of the screen would not redraw
	 * what was cut. */
	clearok(curscr, TRUE);
}

bool term_color(void)
{
	return term.open && term.color;
}

bool term_utf8(void)
{
	const char *cs = nl_langinfo(CODESET);
	return cs && (!strcmp(cs, "UTF-8") || !strcmp(cs, "utf8"));
}

static attr_t curses_attr(uint8_t a)
{
	attr_t r = A_NORMAL;
	if (a & GRID_ATTR_BOLD)
		r |= A_BOLD;
	if (a & GRID_ATTR_DIM)
		r |= A_DIM;
	if (a & GRID_ATTR_REVERSE)
		r |= A_REVERSE;
	if (a & GRID_ATTR_UNDERLINE)
		r |= A_UNDERLINE;
	return r;
}

void term_draw(const struct grid *g)
{
	if (!term.open)
		return;
	enum grid_scheme scheme = term.color ? GRID_SCHEME_COLOR : GRID_SCHEME_MONO;
	int sw, sh;
	term_size(&sw, &sh);
	int w = grid_width(g) < sw ? grid_width(g) : sw;
	int h = grid_height(g) < sh ? grid_height(g) : sh;
	/* the whole screen is rewritten in curses' buffer; doupdate sends only
	 * what differs from what the terminal shows */
	werase(stdscr);
	for (int y = 0; y < h; y++) {
		for (int x = 0; x < w; x++) {
			struct grid_cell c = grid_get(g, x, y);
			if (c.ch == GRID_WIDE_TAIL && term.utf8)
				continue; /* drawn with its lead */
			uint32_t ch = c.ch;
			if (!term.utf8 && (ch == GRID_WIDE_TAIL || ch > 0x7E))
				ch = '?';
			else if (grid_cp_width(ch) == 2 && x + 1 >= sw)
				ch = '?'; /* the screen cuts it in half */
			struct grid_style s = grid_style_of(scheme, (enum grid_role)c.role);
			wchar_t wcs[2] = { (wchar_t)ch, 0 };
			cchar_t cc;
			setcchar(&cc, wcs, curses_attr(s.attr),
				 term.color ? (short)(c.role + 1) : 0, NULL);
			mvwadd_wch(stdscr, y, x, &cc);
		}
	}
	wnoutrefresh(stdscr);
	doupdate();
}

/* Async-signal-safe: write(2), tcsetattr(3) and raise(3) only; the
 * handler was installed with SA_RESETHAND, so the re-raised signal (or the
 * fault repeating on return) takes the default action. */
static void crash_handler(int sig)
{
	if (term_crash_armed) {
		term_crash_armed = 0;
		size_t done = 0;
		while (done < term.reset_len) {
			ssize_t n = write(term.fd, term.reset + done, term.reset_len - done);
			if (n <= 0)
				break;
			done += (size_t)n;
		}
		if (term.saved_ok)
			tcsetattr(term.fd, TCSANOW, &term.saved);
	}
	raise(sig);
}

void term_install_signal_handlers(void)
{
	static const int sigs[] = { SIGSEGV, SIGABRT, SIGBUS, SIGFPE };
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = crash_handler;
	sa.sa_flags = SA_RESETHAND;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
}
