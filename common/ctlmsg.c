#include "ctlmsg.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Bytes allowed raw inside a word: visible ASCII. */
static bool is_word_byte(unsigned char c)
{
	return c >= 0x21 && c <= 0x7e;
}

/* --- Reading lines ------------------------------------------------------- */

void ctlmsg_reader_init(struct ctlmsg_reader *r)
{
	r->len = 0;
	r->discarding = false;
}

size_t ctlmsg_reader_pending(const struct ctlmsg_reader *r)
{
	return r->len;
}

void ctlmsg_reader_feed(struct ctlmsg_reader *r, const void *data, size_t len,
			ctlmsg_line_fn fn, void *user)
{
	const char *p = data;

	while (len > 0) {
		const char *nl = memchr(p, '\n', len);
		size_t chunk = nl ? (size_t)(nl - p) : len;

		if (!r->discarding) {
			/* The line's content may be CTLMSG_LINE_MAX - 1 bytes,
			 * plus the '\n'. */
			size_t room = CTLMSG_LINE_MAX - 1 - r->len;
			size_t take = chunk < room ? chunk : room;

			memcpy(r->buf + r->len, p, take);
			r->len += take;
			if (chunk > room)
				r->discarding = true;
		}
		if (!nl)
			return;
		r->buf[r->len] = '\0';
		fn(user, r->discarding ? CTLMSG_LINE_TOO_LONG : CTLMSG_LINE_OK,
		   r->buf, r->len);
		r->len = 0;
		r->discarding = false;
		p = nl + 1;
		len -= chunk + 1;
	}
}

long ctlmsg_reader_read_fd(struct ctlmsg_reader *r, int fd, ctlmsg_line_fn fn,
			   void *user)
{
	char tmp[4096];
	ssize_t n = read(fd, tmp, sizeof tmp);

	if (n > 0)
		ctlmsg_reader_feed(r, tmp, (size_t)n, fn, user);
	return (long)n;
}

/* --- Words --------------------------------------------------------------- */

int ctlmsg_split(char *line, size_t len, char **words, int maxwords)
{
	int n = 0;
	size_t i = 0;

	if (len == 0 || maxwords <= 0)
		return -1;
	while (i < len) {
		size_t start = i;

		while (i < len && line[i] != ' ') {
			if (!is_word_byte((unsigned char)line[i]))
				return -1;
			i++;
		}
		if (i == start || n == maxwords)
			return -1; /* empty word, or too many */
		words[n++] = line + start;
		if (i < len) {
			line[i++] = '\0';
			if (i == len)
				return -1; /* trailing space */
		}
	}
	line[len] = '\0';
	return n;
}

/* --- Percent-encoding ---------------------------------------------------- */

size_t ctlmsg_pct_encode(char *dst, size_t dstsize, const void *src,
			 size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *s = src;
	size_t need = 0, out = 0;
	bool cut = false;

	for (size_t i = 0; i < len; i++) {
		char piece[3];
		size_t plen;

		if (is_word_byte(s[i]) && s[i] != '%') {
			piece[0] = (char)s[i];
			plen = 1;
		} else {
			piece[0] = '%';
			piece[1] = hex[s[i] >> 4];
			piece[2] = hex[s[i] & 15];
			plen = 3;
		}
		if (!cut && out + plen < dstsize) {
			memcpy(dst + out, piece, plen);
			out += plen;
		} else {
			cut = true;
		}
		need += plen;
	}
	if (dstsize > 0)
		dst[out] = '\0';
	return need;
}

size_t ctlmsg_text_encode(char *dst, size_t dstsize, const void *src,
			  size_t len)
{
	const char *text = len == 0 ? "-" : len == 1 && *(const char *)src == '-' ? "%2D" : NULL;

	if (text) {
		size_t n = strlen(text);

		if (dstsize > n)
			memcpy(dst, text, n + 1);
		else if (dstsize > 0)
			dst[0] = '\0';
		return n;
	}
	return ctlmsg_pct_encode(dst, dstsize, src, len);
}

static int hex_value(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int ctlmsg_pct_decode(char *dst, size_t dstsize, const char *src,
		      size_t *outlen)
{
	size_t out = 0;

	if (dstsize == 0)
		return -1;
	for (size_t i = 0; src[i] != '\0';) {
		unsigned char c = (unsigned char)src[i];

		if (!is_word_byte(c))
			return -1;
		if (c == '%') {
			/* src[i + 1] is read only if it is not the NUL. */
			int hi = hex_value((unsigned char)src[i + 1]);
			int lo = hi < 0 ? -1 : hex_value((unsigned char)src[i + 2]);

			if (lo < 0)
				return -1;
			c = (unsigned char)(hi << 4 | lo);
			i += 3;
		} else {
			i++;
		}
		if (out + 1 >= dstsize)
			return -1;
		dst[out++] = (char)c;
	}
	dst[out] = '\0';
	if (outlen)
		*outlen = out;
	return 0;
}

int ctlmsg_text_decode(char *dst, size_t dstsize, const char *src,
		       size_t *outlen)
{
	if (strcmp(src, "-") == 0) {
		if (dstsize == 0)
			return -1;
		dst[0] = '\0';
		if (outlen)
			*outlen = 0;
		return 0;
	}
	return ctlmsg_pct_decode(dst, dstsize, src, outlen);
}

/* --- Numbers and addresses ------------------------------------------------ */

int ctlmsg_parse_uint(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (!s || s[0] == '\0' || (s[0] == '0' && s[1] != '\0'))
		return -1;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		unsigned d = (unsigned)(*p - '0');
		if (d > max || v > (max - d) / 10)
			return -1; /* v * 10 + d would exceed max (or wrap) */
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

int ctlmsg_parse_decimal(const char *s, double min, double max, double *out)
{
	double v = 0, scale = 1;
	bool dot = false, digits = false;
	size_t n = 0;

	if (!s)
		return -1;
	for (const char *p = s; *p; p++, n++) {
		if (n > 32)
			return -1; /* nobody means a 33-digit speed */
		if (*p == '.' && !dot) {
			dot = true;
		} else if (*p >= '0' && *p <= '9') {
			digits = true;
			if (dot) {
				scale /= 10;
				v += (*p - '0') * scale;
			} else {
				v = v * 10 + (*p - '0');
			}
		} else {
			return -1;
		}
	}
	if (!digits || !isfinite(v) || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int ctlmsg_parse_seconds(const char *s, int64_t min_ns, int64_t max_ns,
			 int64_t *out_ns)
{
	int64_t whole = 0, frac = 0, scale = 1000000000;
	int nfrac = 0;
	bool dot = false, digits = false;

	if (!s)
		return -1;
	for (const char *p = s; *p; p++) {
		if (*p == '.' && !dot) {
			dot = true;
		} else if (*p >= '0' && *p <= '9') {
			digits = true;
			if (dot) {
				if (++nfrac > 9)
					return -1;
				scale /= 10;
				frac += (*p - '0') * scale;
			} else {
				/* Beyond any range a caller has: not a time. */
				if (whole > INT64_MAX / 1000000000 / 10)
					return -1;
				whole = whole * 10 + (*p - '0');
			}
		} else {
			return -1;
		}
	}
	if (!digits || whole > (INT64_MAX - frac) / 1000000000)
		return -1;
	int64_t ns = whole * 1000000000 + frac;
	if (ns < min_ns || ns > max_ns)
		return -1;
	*out_ns = ns;
	return 0;
}

void ctlmsg_format_seconds(char buf[CTLMSG_SECONDS_MAX], int64_t ns)
{
	int64_t whole = ns / 1000000000, frac = ns % 1000000000;
	int n;

	if (ns < 0) {
		snprintf(buf, CTLMSG_SECONDS_MAX, "0");
		return;
	}
	n = snprintf(buf, CTLMSG_SECONDS_MAX, "%lld", (long long)whole);
	if (frac) {
		n += snprintf(buf + n, (size_t)(CTLMSG_SECONDS_MAX - n),
			      ".%09lld", (long long)frac);
		while (buf[n - 1] == '0')
			buf[--n] = '\0';
	}
}

int ctlmsg_parse_msl(const char *s, int64_t *out_ns)
{
	return ctlmsg_parse_seconds(s, 1, CTLMSG_MSL_MAX_NS, out_ns);
}

/* Parses one dotted-quad part (1-3 digits, 0..255) at *p; advances *p. */
static int parse_octet(const char **p, unsigned *out)
{
	const char *s = *p;
	unsigned v = 0;
	int n = 0;

	while (s[n] >= '0' && s[n] <= '9') {
		if (n == 3)
			return -1;
		v = v * 10 + (unsigned)(s[n] - '0');
		n++;
	}
	if (n == 0 || v > 255 || (n > 1 && s[0] == '0'))
		return -1;
	*p = s + n;
	*out = v;
	return 0;
}

/* Parses a.b.c.d at the start of s; *end points after it. */
static int parse_ipv4_prefix(const char *s, uint32_t *addr, const char **end)
{
	uint32_t a = 0;

	for (int i = 0; i < 4; i++) {
		unsigned part;

		if (i > 0) {
			if (*s != '.')
				return -1;
			s++;
		}
		if (parse_octet(&s, &part) < 0)
			return -1;
		a = a << 8 | part;
	}
	*addr = a;
	*end = s;
	return 0;
}

int ctlmsg_parse_ipv4(const char *s, uint32_t *addr)
{
	const char *end;
	uint32_t a;

	if (!s || parse_ipv4_prefix(s, &a, &end) < 0 || *end != '\0')
		return -1;
	*addr = a;
	return 0;
}

int ctlmsg_parse_addrport(const char *s, bool allow_port0, uint32_t *addr,
			  uint16_t *port)
{
	const char *end;
	uint32_t a;
	uint64_t p;

	if (!s || parse_ipv4_prefix(s, &a, &end) < 0 || *end != ':' ||
	    ctlmsg_parse_uint(end + 1, 65535, &p) < 0 || (p == 0 && !allow_port0))
		return -1;
	*addr = a;
	*port = (uint16_t)p;
	return 0;
}

int ctlmsg_parse_cidr(const char *s, uint32_t *addr, unsigned *prefix)
{
	const char *end;
	uint32_t a;
	uint64_t n;

	if (!s || parse_ipv4_prefix(s, &a, &end) < 0 || *end != '/' ||
	    ctlmsg_parse_uint(end + 1, 32, &n) < 0)
		return -1;
	*addr = a;
	*prefix = (unsigned)n;
	return 0;
}

bool ctlmsg_addr_on_test_net(uint32_t ip)
{
	return (ip & 0xffffff00u) == 0xc0000200u;
}

void ctlmsg_format_addrport(char *dst, uint32_t addr, uint16_t port)
{
	snprintf(dst, CTLMSG_ADDRPORT_MAX, "%u.%u.%u.%u:%u",
		 (unsigned)(addr >> 24), (unsigned)(addr >> 16 & 255),
		 (unsigned)(addr >> 8 & 255), (unsigned)(addr & 255),
		 (unsigned)port);
}

/* --- Writing messages ------------------------------------------------------ */

/* Room for a word's bytes: the line plus its '\n' stays within the limit. */
static size_t out_room(const struct ctlmsg_out *o)
{
	/* a separating space, then the word, then '\n' */
	size_t used = o->len + 1 + 1;
	return used >= o->limit ? 0 : o->limit - used;
}

static void out_start(struct ctlmsg_out *o, const char *verb, size_t limit)
{
	o->len = 0;
	o->overflow = false;
	o->buf[0] = '\0';
	o->limit = limit;
	size_t n = strlen(verb);
	bool ok = n > 0 && n < o->limit - 1;
	for (size_t i = 0; ok && i < n; i++)
		ok = is_word_byte((unsigned char)verb[i]);
	if (!ok) {
		o->overflow = true;
		return;
	}
	memcpy(o->buf, verb, n + 1);
	o->len = n;
}

void ctlmsg_out_init(struct ctlmsg_out *o, const char *verb)
{
	out_start(o, verb, CTLMSG_LINE_MAX);
}

void ctlmsg_out_init_event(struct ctlmsg_out *o, const char *verb)
{
	out_start(o, verb, CTLMSG_LINE_MAX - CTLMSG_STAMP_MAX);
}

void ctlmsg_out_word(struct ctlmsg_out *o, const char *word)
{
	size_t n = strlen(word);

	if (o->overflow)
		return;
	for (size_t i = 0; i < n; i++)
		if (!is_word_byte((unsigned char)word[i]))
			n = 0; /* invalid: treat as overflow below */
	if (n == 0 || n > out_room(o)) {
		o->overflow = true;
		return;
	}
	o->buf[o->len++] = ' ';
	memcpy(o->buf + o->len, word, n + 1);
	o->len += n;
}

void ctlmsg_out_wordf(struct ctlmsg_out *o, const char *fmt, ...)
{
	char tmp[CTLMSG_LINE_MAX];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof tmp) {
		o->overflow = true;
		return;
	}
	ctlmsg_out_word(o, tmp);
}

void ctlmsg_out_text_fit(struct ctlmsg_out *o, const void *text, size_t len,
			 size_t reserve, bool *cut)
{
	size_t room = out_room(o);

	if (cut)
		*cut = false;
	if (o->overflow)
		return;
	room = room > reserve ? room - reserve : 0;
	if (room == 0) {
		o->overflow = true;
		return;
	}
	size_t need = ctlmsg_text_encode(o->buf + o->len + 1, room + 1, text, len);
	if (need > room) {
		if (!cut) {
			o->overflow = true;
			o->buf[o->len] = '\0';
			return;
		}
		/* Cut at an escape boundary. If not even one escape fits
		 * (room < 3 and the first byte needs one), give up. */
		*cut = true;
		if (o->buf[o->len + 1] == '\0') {
			o->overflow = true;
			o->buf[o->len] = '\0';
			return;
		}
		need = strlen(o->buf + o->len + 1);
	}
	o->buf[o->len] = ' ';
	o->len += 1 + need;
}

void ctlmsg_out_text(struct ctlmsg_out *o, const void *text, size_t len)
{
	ctlmsg_out_text_fit(o, text, len, 0, NULL);
}

long ctlmsg_out_end(struct ctlmsg_out *o)
{
	if (o->overflow || o->len + 1 > o->limit)
		return -1;
	o->buf[o->len++] = '\n';
	o->buf[o->len] = '\0';
	return (long)o->len;
}

int ctlmsg_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

long ctlmsg_out_end_stamped(struct ctlmsg_out *o, uint64_t stamp_ns)
{
	char stamp[CTLMSG_STAMP_MAX + 1];
	int n = snprintf(stamp, sizeof stamp, "@%llu ",
			 (unsigned long long)stamp_ns);

	if (o->overflow || n <= 0 || (size_t)n > CTLMSG_STAMP_MAX ||
	    o->len + 1 + (size_t)n > CTLMSG_LINE_MAX)
		return -1;
	memmove(o->buf + n, o->buf, o->len);
	memcpy(o->buf, stamp, (size_t)n);
	o->len += (size_t)n;
	o->buf[o->len++] = '\n';
	o->buf[o->len] = '\0';
	return (long)o->len;
}

/* --- Stamps ------------------------------------------------------------------ */

uint64_t ctlmsg_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int ctlmsg_take_stamp(char **line, size_t *len, uint64_t *stamp_ns)
{
	char word[CTLMSG_STAMP_MAX];
	const char *sp;
	size_t n;

	if (*len == 0 || (*line)[0] != '@')
		return 0;
	sp = memchr(*line, ' ', *len);
	/* "@" + at most 20 digits, then the space and a verb */
	if (!sp || (n = (size_t)(sp - *line)) < 2 || n >= sizeof word ||
	    (size_t)(sp - *line) + 1 >= *len)
		return -1;
	memcpy(word, *line + 1, n - 1);
	word[n - 1] = '\0';
	if (ctlmsg_parse_uint(word, UINT64_MAX, stamp_ns) < 0)
		return -1;
	*line += n + 1;
	*len -= n + 1;
	return 1;
}
