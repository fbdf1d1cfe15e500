/* live_flood: the live UI under a kernel flood (issue 10, "Fast and
 * steady"). It runs tcpstep's live UI in a pseudo-terminal of 120x40,
 * reads what the UI draws through a small terminal emulator (the
 * xterm-256color sequences ncurses sends), starts bench/flood as the
 * session's kernel peer, and during the flood:
 *
 *  - presses ? every ~200 ms (each press after the last was answered):
 *    the help screen opens ("Keys (any key closes this)") or closes (the
 *    main screen's "Connections (" title without the help box): key to
 *    screen, from the write to the pty to the first byte read back that
 *    completes the change;
 *  - watches the connection list's title "Connections (N)": the flood's
 *    probes (a segment from a new port every 200 ms, flood.c) each add a
 *    connection; frame to screen is from the probe's send (flood's
 *    CLOCK_MONOTONIC stamp, the same clock here) to the count showing it;
 *
 * then quits with q, reads the UI's last line on standard error ("tcpstep:
 * the capture saw N frames, the kernel dropped D": libpcap's counters) and
 * prints the figures and PASS/FAIL against the targets: no frame dropped,
 * every key under 100 ms, every probe on screen within 50 ms. Exit status
 * 0 all passed, 1 a target failed or could not be measured, 2 usage or
 * setup error. Everything it starts is ended and checked: q, then SIGTERM,
 * then SIGKILL; it is the subreaper of what the UI starts (nodes, the
 * flood), which it kills if left; and the namespace tcpstep-PID must be
 * gone (else it is removed, and that is a FAIL).
 *
 *   live_flood [--tcpstep PATH] [--flood PATH] [--count N] [--rate R]
 *              [--mode demo|live] [--key-ms M] [--keep DIR]
 *
 * --mode demo (default): `tcpstep demo hello --msl 0.5`, Space runs the
 * nodes (the article's exchange), then ! and the prompt start the flood.
 * --mode live: `tcpstep live --exec` with the flood as COMMAND (the lwIP
 * server alone). In both, Space first runs the nodes (a paused server
 * would hold its every RST), and the flood waits for a file this program
 * creates once the UI is ready. Needs root (a live session makes a
 * network namespace). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <locale.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

#define COLS 120
#define ROWS 40
#define KEY_TIMEOUT_NS 2000000000LL /* a key unanswered this long: a FAIL */
#define KEY_TARGET_MS 100.0
#define FRAME_TARGET_MS 50.0
#define MAX_SAMPLES 4096

#define HELP_TEXT "Keys (any key closes this)"
#define MAIN_TEXT "Connections ("

static int64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* --- A terminal emulator, as much of xterm as ncurses uses ------------------ */

enum vt_state { VT_GROUND, VT_ESC, VT_CSI, VT_OSC, VT_OSC_ESC, VT_CHARSET };

struct vt {
	uint32_t cell[ROWS][COLS];
	int x, y, top, bot;   /* cursor; scroll region rows top..bot */
	int sx, sy;           /* saved cursor */
	bool wrap_pending, insert, acs;
	uint32_t last;        /* the last character printed (REP) */
	enum vt_state st;
	int par[16], npar;
	char priv;            /* a CSI's private marker or intermediate */
	uint32_t u8;          /* UTF-8 decoding */
	int u8left;
	int answer_fd;        /* where a cursor position report goes */
	unsigned long long unknown; /* sequences it does not know (a check) */
};

static void vt_reset(struct vt *v, int answer_fd)
{
	memset(v, 0, sizeof *v);
	for (int y = 0; y < ROWS; y++)
		for (int x = 0; x < COLS; x++)
			v->cell[y][x] = ' ';
	v->bot = ROWS - 1;
	v->answer_fd = answer_fd;
}

static void vt_clear_row(struct vt *v, int y, int from, int to)
{
	for (int x = from < 0 ? 0 : from; x < COLS && x <= to; x++)
		v->cell[y][x] = ' ';
}

/* n lines up (n > 0) or down (n < 0) within rows top..bot. */
static void vt_scroll(struct vt *v, int top, int bot, int n)
{
	if (top > bot)
		return;
	int h = bot - top + 1;

	if (n > h)
		n = h;
	if (n < -h)
		n = -h;
	if (n > 0) {
		memmove(v->cell[top], v->cell[top + n], sizeof v->cell[0] * (size_t)(h - n));
		for (int y = bot - n + 1; y <= bot; y++)
			vt_clear_row(v, y, 0, COLS - 1);
	} else if (n < 0) {
		n = -n;
		memmove(v->cell[top + n], v->cell[top], sizeof v->cell[0] * (size_t)(h - n));
		for (int y = top; y < top + n; y++)
			vt_clear_row(v, y, 0, COLS - 1);
	}
}

static void vt_linefeed(struct vt *v)
{
	if (v->y == v->bot)
		vt_scroll(v, v->top, v->bot, 1);
	else if (v->y < ROWS - 1)
		v->y++;
}

static int clampi(int a, int lo, int hi)
{
	return a < lo ? lo : a > hi ? hi : a;
}

/* DEC special graphics, as ncurses' acsc names them for xterm. */
static uint32_t vt_acs(uint32_t c)
{
	switch (c) {
	case 'j': return 0x2518;
	case 'k': return 0x2510;
	case 'l': return 0x250c;
	case 'm': return 0x2514;
	case 'n': return 0x253c;
	case 'q': return 0x2500;
	case 't': return 0x251c;
	case 'u': return 0x2524;
	case 'v': return 0x2534;
	case 'w': return 0x252c;
	case 'x': return 0x2502;
	default: return c;
	}
}

static void vt_put(struct vt *v, uint32_t c)
{
	int w = c < 0x80 ? 1 : wcwidth((wchar_t)c);

	if (w < 0)
		w = 1;
	if (w == 0)
		return; /* a combining mark: kept with nothing */
	if (v->acs && c < 0x80)
		c = vt_acs(c);
	if (v->wrap_pending) {
		v->wrap_pending = false;
		v->x = 0;
		vt_linefeed(v);
	}
	if (v->insert && COLS - v->x - w > 0) {
		memmove(&v->cell[v->y][v->x + w], &v->cell[v->y][v->x],
			sizeof(uint32_t) * (size_t)(COLS - v->x - w));
	}
	v->cell[v->y][v->x] = c;
	if (w == 2 && v->x + 1 < COLS)
		v->cell[v->y][v->x + 1] = 0; /* the wide character's tail */
	v->last = c;
	v->x += w;
	if (v->x >= COLS) {
		v->x = COLS - 1;
		v->wrap_pending = true;
	}
}

static int vt_arg(const struct vt *v, int i, int def)
{
	return i < v->npar && v->par[i] > 0 ? v->par[i] : def;
}

static void vt_csi(struct vt *v, char f)
{
	int n = vt_arg(v, 0, 1);

	if (v->priv && f != 'h' && f != 'l' && f != 'm' && f != 'p' && f != 'c')
		return; /* private modes and the like: nothing on the screen */
	v->wrap_pending = false;
	switch (f) {
	case '@':
		n = clampi(n, 0, COLS - v->x);
		memmove(&v->cell[v->y][v->x + n], &v->cell[v->y][v->x],
			sizeof(uint32_t) * (size_t)(COLS - v->x - n));
		vt_clear_row(v, v->y, v->x, v->x + n - 1);
		break;
	case 'A': v->y = clampi(v->y - n, v->y >= v->top ? v->top : 0, ROWS - 1); break;
	case 'B': v->y = clampi(v->y + n, 0, v->y <= v->bot ? v->bot : ROWS - 1); break;
	case 'C': v->x = clampi(v->x + n, 0, COLS - 1); break;
	case 'D': v->x = clampi(v->x - n, 0, COLS - 1); break;
	case 'E': v->y = clampi(v->y + n, 0, ROWS - 1); v->x = 0; break;
	case 'F': v->y = clampi(v->y - n, 0, ROWS - 1); v->x = 0; break;
	case 'G': case '`': v->x = clampi(n - 1, 0, COLS - 1); break;
	case 'd': v->y = clampi(n - 1, 0, ROWS - 1); break;
	case 'H': case 'f':
		v->y = clampi(vt_arg(v, 0, 1) - 1, 0, ROWS - 1);
		v->x = clampi(vt_arg(v, 1, 1) - 1, 0, COLS - 1);
		break;
	case 'J': {
		int m = v->npar ? v->par[0] : 0;

		if (m == 0) {
			vt_clear_row(v, v->y, v->x, COLS - 1);
			for (int y = v->y + 1; y < ROWS; y++)
				vt_clear_row(v, y, 0, COLS - 1);
		} else if (m == 1) {
			vt_clear_row(v, v->y, 0, v->x);
			for (int y = 0; y < v->y; y++)
				vt_clear_row(v, y, 0, COLS - 1);
		} else {
			for (int y = 0; y < ROWS; y++)
				vt_clear_row(v, y, 0, COLS - 1);
		}
		break;
	}
	case 'K': {
		int m = v->npar ? v->par[0] : 0;

		vt_clear_row(v, v->y, m == 0 ? v->x : 0, m == 1 || m == 2 ? (m == 1 ? v->x : COLS - 1)
									 : COLS - 1);
		break;
	}
	case 'L':
		if (v->y >= v->top && v->y <= v->bot)
			vt_scroll(v, v->y, v->bot, -n);
		v->x = 0;
		break;
	case 'M':
		if (v->y >= v->top && v->y <= v->bot)
			vt_scroll(v, v->y, v->bot, n);
		v->x = 0;
		break;
	case 'P':
		n = clampi(n, 0, COLS - v->x);
		memmove(&v->cell[v->y][v->x], &v->cell[v->y][v->x + n],
			sizeof(uint32_t) * (size_t)(COLS - v->x - n));
		vt_clear_row(v, v->y, COLS - n, COLS - 1);
		break;
	case 'S': vt_scroll(v, v->top, v->bot, n); break;
	case 'T': vt_scroll(v, v->top, v->bot, -n); break;
	case 'X': vt_clear_row(v, v->y, v->x, v->x + n - 1); break;
	case 'b':
		for (int i = 0; i < n && i < COLS * ROWS; i++)
			vt_put(v, v->last);
		break;
	case 'h': case 'l':
		if (!v->priv && vt_arg(v, 0, 0) == 4)
			v->insert = f == 'h';
		break;
	case 'r':
		v->top = clampi(vt_arg(v, 0, 1) - 1, 0, ROWS - 1);
		v->bot = clampi(vt_arg(v, 1, ROWS) - 1, 0, ROWS - 1);
		if (v->top >= v->bot) {
			v->top = 0;
			v->bot = ROWS - 1;
		}
		v->x = v->y = 0;
		break;
	case 'n':
		if (vt_arg(v, 0, 0) == 6 && v->answer_fd >= 0) {
			char b[32];
			int len = snprintf(b, sizeof b, "\033[%d;%dR", v->y + 1, v->x + 1);

			if (write(v->answer_fd, b, (size_t)len) < 0)
				v->unknown++;
		}
		break;
	case 'm': case 'p': case 'c': case 't': case 's': case 'u': case 'g':
		break;
	default:
		v->unknown++;
		break;
	}
}

static void vt_esc(struct vt *v, unsigned char c)
{
	v->st = VT_GROUND;
	switch (c) {
	case '[': v->st = VT_CSI; v->npar = 0; v->priv = 0; memset(v->par, 0, sizeof v->par); break;
	case ']': case 'P': case '_': case '^': v->st = VT_OSC; break;
	case '(': case ')': case '*': case '+': v->priv = (char)c; v->st = VT_CHARSET; break;
	case '7': v->sx = v->x; v->sy = v->y; break;
	case '8': v->x = v->sx; v->y = v->sy; v->wrap_pending = false; break;
	case 'M':
		if (v->y == v->top)
			vt_scroll(v, v->top, v->bot, -1);
		else if (v->y > 0)
			v->y--;
		break;
	case 'D': vt_linefeed(v); break;
	case 'E': v->x = 0; vt_linefeed(v); break;
	case 'c': vt_reset(v, v->answer_fd); break;
	case '=': case '>': case '\\': case 'H': break;
	default: v->unknown++; break;
	}
}

static void vt_feed(struct vt *v, const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = p[i];

		switch (v->st) {
		case VT_ESC:
			vt_esc(v, c);
			continue;
		case VT_CHARSET:
			if (v->priv == '(')
				v->acs = c == '0';
			v->priv = 0;
			v->st = VT_GROUND;
			continue;
		case VT_OSC:
			if (c == 0x07)
				v->st = VT_GROUND;
			else if (c == 0x1b)
				v->st = VT_OSC_ESC;
			continue;
		case VT_OSC_ESC:
			v->st = c == '\\' ? VT_GROUND : VT_OSC;
			continue;
		case VT_CSI:
			if (c >= '0' && c <= '9') {
				if (!v->npar)
					v->npar = 1;
				if (v->npar <= 16 && v->par[v->npar - 1] < 100000)
					v->par[v->npar - 1] = v->par[v->npar - 1] * 10 + (c - '0');
			} else if (c == ';' || c == ':') {
				if (!v->npar)
					v->npar = 1;
				if (v->npar < 16)
					v->par[v->npar++] = 0;
			} else if (c >= 0x3c && c <= 0x3f) {
				v->priv = (char)c;
			} else if (c >= 0x20 && c <= 0x2f) {
				v->priv = (char)c; /* an intermediate (! of DECSTR) */
			} else if (c >= 0x40 && c <= 0x7e) {
				v->st = VT_GROUND;
				vt_csi(v, (char)c);
			} else if (c == 0x1b) {
				v->st = VT_ESC;
			}
			continue;
		case VT_GROUND:
			break;
		}
		if (v->u8left) {
			if ((c & 0xc0) == 0x80) {
				v->u8 = v->u8 << 6 | (c & 0x3f);
				if (--v->u8left == 0)
					vt_put(v, v->u8);
				continue;
			}
			v->u8left = 0;
			vt_put(v, 0xfffd);
		}
		if (c >= 0xc0 && c < 0xf8) {
			v->u8left = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : 1;
			v->u8 = c & (c >= 0xf0 ? 0x07 : c >= 0xe0 ? 0x0f : 0x1f);
			continue;
		}
		if (c >= 0x80) {
			vt_put(v, 0xfffd);
			continue;
		}
		switch (c) {
		case 0x1b: v->st = VT_ESC; break;
		case '\r': v->x = 0; v->wrap_pending = false; break;
		case '\n': case 0x0b: case 0x0c: v->wrap_pending = false; vt_linefeed(v); break;
		case '\b': if (v->x > 0) v->x--; v->wrap_pending = false; break;
		case '\t': v->x = clampi((v->x / 8 + 1) * 8, 0, COLS - 1); break;
		case 0x0e: case 0x0f: case 0x07: case 0: break;
		default:
			if (c >= 0x20 && c < 0x7f)
				vt_put(v, c);
			break;
		}
	}
}

/* The screen as UTF-8 text, a line per row. */
static void vt_text(const struct vt *v, char *out, size_t size)
{
	size_t n = 0;

	for (int y = 0; y < ROWS; y++) {
		for (int x = 0; x < COLS; x++) {
			uint32_t c = v->cell[y][x];
			char b[8];
			int len;

			if (!c)
				continue;
			if (c < 0x80) {
				b[0] = (char)c;
				len = 1;
			} else if (c < 0x800) {
				b[0] = (char)(0xc0 | c >> 6);
				b[1] = (char)(0x80 | (c & 0x3f));
				len = 2;
			} else if (c < 0x10000) {
				b[0] = (char)(0xe0 | c >> 12);
				b[1] = (char)(0x80 | (c >> 6 & 0x3f));
				b[2] = (char)(0x80 | (c & 0x3f));
				len = 3;
			} else {
				b[0] = (char)(0xf0 | c >> 18);
				b[1] = (char)(0x80 | (c >> 12 & 0x3f));
				b[2] = (char)(0x80 | (c >> 6 & 0x3f));
				b[3] = (char)(0x80 | (c & 0x3f));
				len = 4;
			}
			if (n + (size_t)len + 2 < size) {
				memcpy(out + n, b, (size_t)len);
				n += (size_t)len;
			}
		}
		if (n + 2 < size)
			out[n++] = '\n';
	}
	out[n] = '\0';
}

/* --- The run ------------------------------------------------------------------ */

struct opts {
	const char *tcpstep, *flood, *mode, *keep;
	unsigned long long count, rate;
	unsigned key_ms;
};

struct bench {
	struct opts o;
	char dir[64];
	char script[128], go[128], report[128], errpath[128], screen[128];
	int master;
	pid_t child;
	bool child_done;
	int child_status;
	struct vt vt;
	char text[ROWS * (COLS * 4 + 1) + 1];
	int64_t last_output;
	/* samples */
	double key_ms[MAX_SAMPLES];
	int nkeys, key_timeouts;
	int64_t conn_seen[MAX_SAMPLES]; /* when the title first showed >= i */
	long conns_now;
	bool failed_setup, pty_closed;
};

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
}

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "live_flood: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
}

static long title_conns(const char *text)
{
	const char *p = strstr(text, MAIN_TEXT);

	if (!p)
		return -1;
	p += strlen(MAIN_TEXT);
	if (*p < '0' || *p > '9')
		return -1;
	return strtol(p, NULL, 10);
}

/* Reads what the UI wrote (waiting up to ms), feeds the emulator, and
 * notes when the connection count moved. False once the pty is closed. */
static bool pump(struct bench *b, int ms)
{
	struct pollfd p = { .fd = b->master, .events = POLLIN };
	unsigned char buf[65536];
	bool any = false;

	int r = poll(&p, 1, ms);

	if (r < 0)
		return errno == EINTR;
	if (r == 0)
		return true;
	for (;;) {
		ssize_t n = read(b->master, buf, sizeof buf);

		if (n > 0) {
			vt_feed(&b->vt, buf, (size_t)n);
			any = true;
			if ((size_t)n < sizeof buf)
				break;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			break;
		b->pty_closed = true;
		break; /* 0 or EIO: the UI's side is closed */
	}
	if (any) {
		int64_t now = mono_ns();

		b->last_output = now;
		vt_text(&b->vt, b->text, sizeof b->text);
		long c = title_conns(b->text);

		if (c > b->conns_now) {
			for (long i = b->conns_now + 1; i <= c && i < MAX_SAMPLES; i++)
				if (i >= 0)
					b->conn_seen[i] = now;
			b->conns_now = c;
		}
	}
	return !b->pty_closed;
}

static bool has(const struct bench *b, const char *s)
{
	return strstr(b->text, s) != NULL;
}

/* Pumps until the screen holds s (or, with absent, no longer holds it), up
 * to timeout_ms; the time it was first seen, or -1. */
static int64_t wait_screen(struct bench *b, const char *s, bool absent, int timeout_ms)
{
	int64_t end = mono_ns() + (int64_t)timeout_ms * 1000000LL;

	for (;;) {
		if (has(b, s) != absent)
			return b->last_output ? b->last_output : mono_ns();
		int64_t left = (end - mono_ns()) / 1000000LL;

		if (left <= 0 || interrupted)
			return -1;
		if (!pump(b, (int)(left < 50 ? left : 50)))
			return has(b, s) != absent ? mono_ns() : -1;
	}
}

static bool send_keys(struct bench *b, const char *keys, size_t n)
{
	while (n) {
		ssize_t w = write(b->master, keys, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		keys += w;
		n -= (size_t)w;
	}
	return true;
}

static bool file_has(const char *path, const char *s)
{
	FILE *f = fopen(path, "r");
	char line[1024];
	bool found = false;

	if (!f)
		return false;
	while (!found && fgets(line, sizeof line, f))
		found = strstr(line, s) != NULL;
	fclose(f);
	return found;
}

static bool write_script(struct bench *b)
{
	FILE *f = fopen(b->script, "w");

	if (!f)
		return false;
	/* The flood waits (at most 60 s) for the UI to be ready. */
	fprintf(f, "i=0\n"
		"while [ ! -e '%s' ]; do\n"
		"  i=$((i + 1)); [ $i -le 1200 ] || { echo 'flood: not started'; exit 1; }\n"
		"  sleep 0.05\n"
		"done\n"
		"exec '%s' --count %llu --rate %llu --report '%s'\n",
		b->go, b->o.flood, b->o.count, b->o.rate, b->report);
	return fclose(f) == 0;
}

static void start_ui(struct bench *b)
{
	struct winsize ws = { .ws_row = ROWS, .ws_col = COLS };
	pid_t pid = forkpty(&b->master, NULL, NULL, &ws);

	if (pid < 0) {
		say("forkpty: %s", strerror(errno));
		b->failed_setup = true;
		return;
	}
	if (pid == 0) {
		int fd = open(b->errpath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		char cmd[256];

		if (fd >= 0)
			dup2(fd, STDERR_FILENO);
		setenv("TERM", "xterm-256color", 1);
		setenv("LANG", "C.UTF-8", 1);
		setenv("LC_ALL", "C.UTF-8", 1);
		unsetenv("LANGUAGE");
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		if (!strcmp(b->o.mode, "live")) {
			snprintf(cmd, sizeof cmd, "sh %s", b->script);
			execl(b->o.tcpstep, "tcpstep", "live", "--exec", cmd, (char *)NULL);
		} else {
			execl(b->o.tcpstep, "tcpstep", "demo", "hello", "--msl", "0.5",
			      (char *)NULL);
		}
		dprintf(fd, "live_flood: cannot run %s: %s\n", b->o.tcpstep, strerror(errno));
		_exit(127);
	}
	b->child = pid;
	fcntl(b->master, F_SETFL, O_NONBLOCK);
}

static bool reap_child(struct bench *b, int timeout_ms)
{
	int64_t end = mono_ns() + (int64_t)timeout_ms * 1000000LL;

	while (!b->child_done) {
		pid_t r = waitpid(b->child, &b->child_status, WNOHANG);

		if (r == b->child) {
			b->child_done = true;
			break;
		}
		if (mono_ns() > end)
			return false;
		/* keep the pty drained so the UI never blocks writing */
		if (!pump(b, 20)) {
			struct timespec d = { 0, 20000000 };

			nanosleep(&d, NULL);
		}
	}
	return true;
}

/* Processes left after the UI ended: as subreaper, whatever the UI
 * started and did not end is now a child of ours. Kills and reaps them;
 * how many there were. */
static int kill_leftovers(void)
{
	int left = 0;

	for (int round = 0; round < 50; round++) {
		int found = 0;
		char path[64], line[512];
		FILE *f;

		/* children of ours, from /proc/self/task/.../children */
		snprintf(path, sizeof path, "/proc/self/task/%d/children", (int)getpid());
		f = fopen(path, "r");
		if (f) {
			if (fgets(line, sizeof line, f)) {
				char *s = line, *end;

				for (long pid = strtol(s, &end, 10); end != s; pid = strtol(s, &end, 10)) {
					s = end;
					if (pid > 0) {
						kill((pid_t)pid, SIGKILL);
						found++;
					}
				}
			}
			fclose(f);
		}
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
		if (!found)
			break;
		if (round == 0)
			left = found;
		struct timespec d = { 0, 20000000 };

		nanosleep(&d, NULL);
	}
	return left;
}

/* The UI's namespace: gone, or removed here (a FAIL). True if it was gone. */
static bool netns_gone(pid_t pid)
{
	char name[64], path[128];
	struct stat st;

	snprintf(name, sizeof name, "tcpstep-%d", (int)pid);
	snprintf(path, sizeof path, "/run/netns/%s", name);
	if (stat(path, &st) < 0)
		return true;
	say("namespace %s was left behind: removing it", name);
	pid_t p = fork();

	if (p == 0) {
		execlp("ip", "ip", "netns", "delete", name, (char *)NULL);
		_exit(127);
	}
	if (p > 0)
		waitpid(p, NULL, 0);
	if (stat(path, &st) == 0) {
		umount2(path, MNT_DETACH);
		unlink(path);
	}
	return false;
}

static bool path_in(char *out, size_t size, const char *dir, const char *name)
{
	int n = snprintf(out, size, "%s/%s", dir, name);

	return n > 0 && (size_t)n < size;
}

/* CPU seconds (user + system) of pid, or -1. */
static double cpu_of(pid_t pid)
{
	char path[64], buf[1024];
	FILE *f;
	unsigned long long ut, st;
	char *p;

	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	size_t n = fread(buf, 1, sizeof buf - 1, f);

	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')'); /* the name may hold spaces */
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
			 &ut, &st) != 2)
		return -1;
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

/* Seconds pid has waited, runnable, for a CPU (schedstat), or -1. */
static double runq_wait_of(pid_t pid)
{
	char path[64];
	unsigned long long run, wait;
	FILE *f;
	int n;

	snprintf(path, sizeof path, "/proc/%d/schedstat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	n = fscanf(f, "%llu %llu", &run, &wait);
	fclose(f);
	return n == 2 ? (double)wait / 1e9 : -1;
}

/* The CPU seconds of the UI's process and, apart, of its children (the
 * nodes and the kernel peer's shell), as they are now. */
static void cpu_now(pid_t ui, double *self, double *children)
{
	char path[64], line[1024];
	FILE *f;

	*self = cpu_of(ui);
	*children = 0;
	snprintf(path, sizeof path, "/proc/%d/task/%d/children", (int)ui, (int)ui);
	f = fopen(path, "r");
	if (!f)
		return;
	if (fgets(line, sizeof line, f)) {
		char *s = line, *end;

		for (long pid = strtol(s, &end, 10); end != s; pid = strtol(s, &end, 10)) {
			double c = cpu_of((pid_t)pid);

			s = end;
			if (c > 0)
				*children += c;
		}
	}
	fclose(f);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: live_flood [--tcpstep PATH] [--flood PATH] [--count N] [--rate R]\n"
		"                  [--mode demo|live] [--key-ms M] [--keep DIR]\n");
}

static bool parse(int argc, char **argv, struct opts *o)
{
	o->tcpstep = "build/ui/tcpstep";
	o->flood = "build/bench/flood";
	o->mode = "demo";
	o->count = 500000;
	o->rate = 50000;
	o->key_ms = 200;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		char *end;

		if (!v) {
			usage(stderr);
			return false;
		}
		i++;
		if (!strcmp(a, "--tcpstep")) {
			o->tcpstep = v;
		} else if (!strcmp(a, "--flood")) {
			o->flood = v;
		} else if (!strcmp(a, "--mode") && (!strcmp(v, "demo") || !strcmp(v, "live"))) {
			o->mode = v;
		} else if (!strcmp(a, "--keep")) {
			o->keep = v;
		} else if (!strcmp(a, "--count") || !strcmp(a, "--rate") || !strcmp(a, "--key-ms")) {
			unsigned long long n = strtoull(v, &end, 10);

			if (*end || !*v || n == 0 || n > 10000000ULL) {
				usage(stderr);
				return false;
			}
			if (a[2] == 'c')
				o->count = n;
			else if (a[2] == 'r')
				o->rate = n;
			else
				o->key_ms = (unsigned)n;
		} else {
			usage(stderr);
			return false;
		}
	}
	return true;
}

/* The i-th probe's send time from the flood's report, or -1. */
static int load_probes(const char *path, int64_t *sent, int max)
{
	FILE *f = fopen(path, "r");
	char line[256];
	int n = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof line, f)) {
		unsigned long long k;
		unsigned port;
		long long ts;

		if (sscanf(line, "PROBE %llu %u %lld", &k, &port, &ts) == 3 && k >= 1 &&
		    k <= (unsigned long long)max) {
			sent[k - 1] = ts;
			if ((int)k > n)
				n = (int)k;
		}
	}
	fclose(f);
	return n;
}

static void verdict(int *status, bool measured, bool pass, const char *what, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
static void verdict(int *status, bool measured, bool pass, const char *what, const char *fmt, ...)
{
	va_list ap;

	printf("%-8s %s: ", !measured ? "UNKNOWN" : pass ? "PASS" : "FAIL", what);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!measured || !pass)
		*status = 1;
}

int main(int argc, char **argv)
{
	static struct bench bb;
	struct bench *b = &bb;
	int status = 0;
	int64_t flood_start = 0, flood_end = 0;
	double cpu_ui0 = -1, cpu_ui1 = -1, cpu_kids0 = 0, cpu_kids1 = 0;
	double wait_ui0 = -1, wait_ui1 = -1;
	long base_conns = -1;
	char loadavg[128] = "?\n";

	setlocale(LC_CTYPE, "C.UTF-8");
	if (!parse(argc, argv, &b->o))
		return 2;
	if (geteuid() != 0) {
		say("needs root (a live session makes a network namespace)");
		return 2;
	}
	if (access(b->o.tcpstep, X_OK) || access(b->o.flood, X_OK)) {
		say("%s or %s is not built", b->o.tcpstep, b->o.flood);
		return 2;
	}
	char *t = realpath(b->o.tcpstep, NULL), *fl = realpath(b->o.flood, NULL);

	if (!t || !fl)
		return 2;
	b->o.tcpstep = t;
	b->o.flood = fl;
	snprintf(b->dir, sizeof b->dir, "/tmp/tcpstep-flood.XXXXXX");
	if (!mkdtemp(b->dir)) {
		say("mkdtemp: %s", strerror(errno));
		return 2;
	}
	if (!path_in(b->script, sizeof b->script, b->dir, "run") ||
	    !path_in(b->go, sizeof b->go, b->dir, "go") ||
	    !path_in(b->report, sizeof b->report, b->dir, "report") ||
	    !path_in(b->errpath, sizeof b->errpath, b->dir, "stderr") ||
	    !path_in(b->screen, sizeof b->screen, b->dir, "screen")) {
		rmdir(b->dir);
		return 2;
	}
	vt_reset(&b->vt, -1);
	b->master = -1;
	b->conns_now = -1;

	struct sigaction sa = { .sa_handler = on_signal };
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	prctl(PR_SET_CHILD_SUBREAPER, 1);

	if (!write_script(b)) {
		say("cannot write %s", b->script);
		status = 2;
		goto cleanup;
	}
	start_ui(b);
	if (b->failed_setup) {
		status = 2;
		goto cleanup;
	}
	b->vt.answer_fd = b->master;
	int64_t t_start = mono_ns();
	bool demo = !strcmp(b->o.mode, "demo");

	/* the first screen */
	int64_t first = wait_screen(b, "LIVE paused", false, 20000);
	if (first < 0) {
		say("no first screen within 20 s");
		status = 1;
		goto quit;
	}
	printf("first screen after %.0f ms\n", (double)(first - t_start) / 1e6);
	/* run the nodes: a paused server would hold its every RST */
	send_keys(b, " ", 1);
	if (wait_screen(b, "LIVE running", false, 5000) < 0) {
		say("Space did not run the nodes");
		status = 1;
		goto quit;
	}
	if (demo) {
		/* the article's exchange: let it end (TIME_WAIT 1 s) */
		if (wait_screen(b, "CLOSED", false, 15000) < 0) {
			say("the demo's exchange did not run");
			status = 1;
			goto quit;
		}
		struct timespec d = { 1, 500000000 };
		nanosleep(&d, NULL);
		pump(b, 100);
		/* the flood through the prompt: ! offers curl; clear it */
		send_keys(b, "!", 1);
		if (wait_screen(b, "(Enter runs)", false, 5000) < 0) {
			say("! opened no prompt");
			status = 1;
			goto quit;
		}
		char del[70], cmd[160];

		memset(del, 0x7f, sizeof del);
		send_keys(b, del, sizeof del);
		if (snprintf(cmd, sizeof cmd, "sh %s", b->script) >= (int)sizeof cmd) {
			status = 2;
			goto quit;
		}
		send_keys(b, cmd, strlen(cmd));
		char want[200];
		snprintf(want, sizeof want, "(Enter runs): %s", cmd);
		if (wait_screen(b, want, false, 5000) < 0) {
			say("the prompt does not show the command typed");
			status = 1;
			goto quit;
		}
		send_keys(b, "\r", 1);
		if (wait_screen(b, "kernel peer started", false, 5000) < 0) {
			say("the kernel peer did not start");
			status = 1;
			goto quit;
		}
	}
	pump(b, 200);
	base_conns = b->conns_now;
	/* go: the flood starts */
	int gfd = open(b->go, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (gfd < 0) {
		say("cannot create %s", b->go);
		status = 2;
		goto quit;
	}
	close(gfd);
	cpu_now(b->child, &cpu_ui0, &cpu_kids0);
	wait_ui0 = runq_wait_of(b->child);
	flood_start = mono_ns();
	printf("flood started (%llu segments at %llu/s) with %ld connections on screen\n",
	       b->o.count, b->o.rate, base_conns);
	fflush(stdout);

	/* keys every key_ms while the flood runs (its RESULT line) */
	bool help = false;
	int64_t deadline = flood_start + (int64_t)((double)b->o.count / (double)b->o.rate * 1e9) +
			   30000000000LL;
	int64_t next_key = flood_start + 300000000LL;

	while (!interrupted) {
		int64_t now = mono_ns();

		if (file_has(b->report, "RESULT")) {
			flood_end = now;
			/* before the flood's process ends */
			cpu_now(b->child, &cpu_ui1, &cpu_kids1);
			wait_ui1 = runq_wait_of(b->child);
			break;
		}
		if (now > deadline) {
			say("the flood did not end in time");
			status = 1;
			break;
		}
		if (now < next_key) {
			if (!pump(b, (int)((next_key - now) / 1000000LL) + 1))
				break;
			continue;
		}
		/* a key, and its effect on the screen */
		int64_t sent = mono_ns();

		send_keys(b, "?", 1);
		int64_t seen = help ? wait_screen(b, HELP_TEXT, true, KEY_TIMEOUT_NS / 1000000)
				    : wait_screen(b, HELP_TEXT, false, KEY_TIMEOUT_NS / 1000000);
		if (seen < sent) {
			b->key_timeouts++;
			say("a key was not answered within %lld ms", KEY_TIMEOUT_NS / 1000000LL);
		} else if (b->nkeys < MAX_SAMPLES) {
			b->key_ms[b->nkeys++] = (double)(seen - sent) / 1e6;
		}
		/* what the screen shows, not what was expected (after a
		 * key that went unanswered they may differ) */
		help = has(b, HELP_TEXT);
		next_key = sent + (int64_t)b->o.key_ms * 1000000LL;
		if (next_key < mono_ns())
			next_key = mono_ns();
	}
	/* close the help screen, and the last frames onto the screen */
	if (help) {
		send_keys(b, "?", 1);
		wait_screen(b, HELP_TEXT, true, 2000);
	}
	int64_t tail_end = mono_ns() + 1000000000LL;
	while (mono_ns() < tail_end && pump(b, 50))
		;
	FILE *lf = fopen("/proc/loadavg", "r");
	if (!lf || !fgets(loadavg, sizeof loadavg, lf))
		snprintf(loadavg, sizeof loadavg, "?\n");
	if (lf)
		fclose(lf);
	/* the last screen, kept with --keep */
	FILE *sf = fopen(b->screen, "w");
	if (sf) {
		fputs(b->text, sf);
		fclose(sf);
	}

quit:
	if (b->master >= 0 && !b->child_done) {
		send_keys(b, "q", 1);
		if (!reap_child(b, 10000)) {
			say("q did not end the UI within 10 s: SIGTERM");
			status = 1;
			kill(b->child, SIGTERM);
			if (!reap_child(b, 5000)) {
				say("SIGTERM did not end it within 5 s: SIGKILL");
				kill(b->child, SIGKILL);
				reap_child(b, 5000);
			}
		}
	}
cleanup:
	if (b->child > 0 && !b->child_done) {
		kill(b->child, SIGKILL);
		waitpid(b->child, &b->child_status, 0);
		b->child_done = true;
	}
	int left = kill_leftovers();
	bool ns_ok = b->child > 0 ? netns_gone(b->child) : true;
	if (b->master >= 0)
		close(b->master);

	/* figures */
	unsigned long long cap_frames = 0, cap_dropped = 0;
	bool cap_known = false;
	FILE *ef = fopen(b->errpath, "r");
	if (ef) {
		char line[512];

		while (fgets(line, sizeof line, ef)) {
			if (sscanf(line, "tcpstep: the capture saw %llu frames, the kernel dropped %llu",
				   &cap_frames, &cap_dropped) == 2)
				cap_known = true;
			else if (line[0] != '\n')
				fprintf(stderr, "  tcpstep: %s", line);
		}
		fclose(ef);
	}
	unsigned long long flood_sent = 0;
	ef = fopen(b->report, "r");
	if (ef) {
		char line[512];

		while (fgets(line, sizeof line, ef)) {
			if (!strncmp(line, "flood: ", 7))
				printf("%s", line);
			sscanf(line, "RESULT sent=%llu", &flood_sent);
		}
		fclose(ef);
	}
	static int64_t probe_sent[MAX_SAMPLES];
	int nprobes = load_probes(b->report, probe_sent, MAX_SAMPLES);
	static double frame_ms[MAX_SAMPLES];
	int nframe = 0, unseen = 0;

	for (int k = 1; k <= nprobes && base_conns >= 0; k++) {
		/* the flood's connection is base + 1, probe k base + 1 + k */
		long idx = base_conns + 1 + k;

		if (idx >= MAX_SAMPLES || !probe_sent[k - 1])
			continue;
		if (!b->conn_seen[idx] || idx > b->conns_now)
			unseen++;
		else
			frame_ms[nframe++] = (double)(b->conn_seen[idx] - probe_sent[k - 1]) / 1e6;
	}
	printf("\n");
	if (flood_end) {
		double wall = (double)(flood_end - flood_start) / 1e9;

		printf("flood: %.2f s from go to its report\n", wall);
		if (cpu_ui0 >= 0 && cpu_ui1 >= 0)
			printf("CPU during the flood: tcpstep %.2f s (%.0f%% of a core; %.2f s more "
			       "runnable, waiting for a CPU), its children (nodes, flood) %.2f s; "
			       "load average %s", cpu_ui1 - cpu_ui0, 100 * (cpu_ui1 - cpu_ui0) / wall,
			       wait_ui1 - wait_ui0, cpu_kids1 - cpu_kids0, loadavg);
	}
	if (b->vt.unknown)
		printf("(terminal emulator: %llu sequences it does not know)\n", b->vt.unknown);
	qsort(b->key_ms, (size_t)b->nkeys, sizeof(double), cmp_double);
	qsort(frame_ms, (size_t)nframe, sizeof(double), cmp_double);
	double kmed = b->nkeys ? b->key_ms[b->nkeys / 2] : 0, kmax = b->nkeys ? b->key_ms[b->nkeys - 1] : 0;
	double fmed = nframe ? frame_ms[nframe / 2] : 0, fmax = nframe ? frame_ms[nframe - 1] : 0;
	printf("keys (? open/close help) during the flood: %d answered, %d unanswered within %lld ms; "
	       "median %.1f ms, 90th %.1f ms, worst %.1f ms\n", b->nkeys, b->key_timeouts,
	       KEY_TIMEOUT_NS / 1000000LL, kmed, b->nkeys ? b->key_ms[b->nkeys * 9 / 10] : 0, kmax);
	printf("frame to screen (probe sent -> connection count on screen): %d seen, %d not seen; "
	       "median %.1f ms, 90th %.1f ms, worst %.1f ms\n", nframe, unseen, fmed,
	       nframe ? frame_ms[nframe * 9 / 10] : 0, fmax);
	if (cap_known)
		printf("capture: %llu frames read, %llu dropped by the kernel (libpcap)\n", cap_frames,
		       cap_dropped);
	if (cap_dropped)
		printf("(frames were dropped: a probe lost in the capture shifts the connection "
		       "numbers, so frame to screen is approximate)\n");
	printf("cleanup: UI exit %s %d; %d process(es) left and killed; namespace tcpstep-%d %s\n",
	       b->child_done && WIFEXITED(b->child_status) ? "status" : "signal",
	       b->child_done && WIFEXITED(b->child_status) ? WEXITSTATUS(b->child_status)
							   : WTERMSIG(b->child_status),
	       left, (int)b->child, ns_ok ? "removed by tcpstep" : "LEFT (removed here)");
	char dropped[32];

	if (cap_known)
		snprintf(dropped, sizeof dropped, "%llu", cap_dropped);
	else
		snprintf(dropped, sizeof dropped, "unknown");
	printf("RESULT keys=%d key_timeouts=%d key_median_ms=%.1f key_worst_ms=%.1f probes=%d "
	       "probes_unseen=%d frame_median_ms=%.1f frame_worst_ms=%.1f frames=%llu dropped=%s\n",
	       b->nkeys, b->key_timeouts, kmed, kmax, nframe, unseen, fmed, fmax, cap_frames,
	       dropped);
	if (interrupted)
		printf("interrupted: the figures are of a part of the run\n");
	printf("\n");
	bool flood_ok = flood_sent == b->o.count;

	verdict(&status, cap_known, cap_dropped == 0, "no capture drops",
		cap_known ? "%llu of %llu frames dropped" : "the UI's exit line was not read (%llu, %llu)",
		cap_dropped, cap_frames + cap_dropped);
	verdict(&status, b->nkeys > 0 || b->key_timeouts > 0,
		b->key_timeouts == 0 && kmax < KEY_TARGET_MS, "keys answered in under 100 ms",
		"worst %.1f ms of %d (%d unanswered)", kmax, b->nkeys, b->key_timeouts);
	verdict(&status, nframe > 0, unseen == 0 && fmax <= FRAME_TARGET_MS,
		"a frame on screen within 50 ms", "worst %.1f ms of %d probes (%d not seen)", fmax,
		nframe, unseen);
	verdict(&status, true, flood_ok && left == 0 && ns_ok && b->child_done,
		"the flood ran and everything was cleaned up",
		"%llu of %llu segments sent; %d process(es) left, namespace %s", flood_sent,
		b->o.count, left, ns_ok ? "removed" : "left");
	if (b->o.keep) {
		pid_t p = fork();
		int st = 1;

		if (p == 0) {
			execlp("cp", "cp", "-r", b->dir, b->o.keep, (char *)NULL);
			_exit(127);
		}
		if (p < 0 || waitpid(p, &st, 0) < 0 || st != 0)
			say("could not keep %s in %s", b->dir, b->o.keep);
	}
	unlink(b->script);
	unlink(b->go);
	unlink(b->report);
	unlink(b->errpath);
	unlink(b->screen);
	rmdir(b->dir);
	free(t);
	free(fl);
	return status;
}
