/* The node control protocol codec (docs/control-protocol.md): line framing,
 * word splitting, percent-encoding of free text, and strict number and
 * address parsing. Independent of lwIP, so the controller links it too.
 *
 * Nothing here allocates; every function checks its input and reports a
 * malformed value as a return code, never by crashing or reading past it. */
#ifndef TCPSTEP_CTLMSG_H
#define TCPSTEP_CTLMSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A line is at most this many bytes including its '\n'. */
#define CTLMSG_LINE_MAX 4096
/* Most words a message may have (the longest, `state`, has 7). */
#define CTLMSG_MAX_WORDS 16

/* --- Reading lines ------------------------------------------------------- */

enum ctlmsg_line_status {
	CTLMSG_LINE_OK,       /* a complete line, '\n' removed */
	CTLMSG_LINE_TOO_LONG, /* a line over CTLMSG_LINE_MAX was discarded */
};

/* Called once per line. `line` is NUL-terminated (the '\n' removed) and
 * writable until the callback returns; `len` excludes the NUL. A line may
 * contain a NUL byte (from the peer): `len` is authoritative. For
 * CTLMSG_LINE_TOO_LONG, line is the first bytes of the discarded line
 * (truncated, for an error message) and len their length. */
typedef void (*ctlmsg_line_fn)(void *user, enum ctlmsg_line_status status,
			       char *line, size_t len);

/* Splits a byte stream into lines. Caller-owned memory: init, then feed. */
struct ctlmsg_reader {
	char buf[CTLMSG_LINE_MAX + 1];
	size_t len;
	bool discarding; /* inside an over-long line, dropping up to '\n' */
};

void ctlmsg_reader_init(struct ctlmsg_reader *r);

/* Feeds len bytes; calls fn for every line they complete. */
void ctlmsg_reader_feed(struct ctlmsg_reader *r, const void *data, size_t len,
			ctlmsg_line_fn fn, void *user);

/* Reads what is available on fd (one read(2)) and feeds it. Returns the
 * number of bytes read (> 0), 0 at end of file, or -1 with errno set
 * (EAGAIN/EINTR included; the caller decides). */
long ctlmsg_reader_read_fd(struct ctlmsg_reader *r, int fd, ctlmsg_line_fn fn,
			   void *user);

/* Bytes of an unfinished line still buffered (a peer that closes with a
 * partial line sent something malformed). */
size_t ctlmsg_reader_pending(const struct ctlmsg_reader *r);

/* --- Words --------------------------------------------------------------- */

/* Splits a line in place into words separated by single spaces. Returns the
 * number of words (>= 1), or -1 if the line is empty, has an empty word
 * (leading, trailing or double space), a byte outside 0x21..0x7e other than
 * the separating spaces (control bytes, NUL, non-ASCII: words are ASCII,
 * free text is percent-encoded), or more than maxwords words. len is the
 * line's length (it may contain a NUL, which is rejected); line[len] must be
 * writable (a NUL is stored there), as it is for lines from the reader. */
int ctlmsg_split(char *line, size_t len, char **words, int maxwords);

/* --- Percent-encoding ---------------------------------------------------- */

/* Encodes src[0..len): bytes 0x21..0x7e other than '%' are copied, every
 * other byte becomes %HH (upper-case hex). Writes at most dstsize bytes
 * including a NUL (always NUL-terminated when dstsize > 0, never cut inside an
 * escape). Returns the length the whole encoding needs (excluding the NUL):
 * a result >= dstsize means it was cut. */
size_t ctlmsg_pct_encode(char *dst, size_t dstsize, const void *src,
			 size_t len);

/* Free text as one protocol word: the percent-encoding, except that empty
 * text is the word "-" (a word cannot be empty) and the one-byte text "-" is
 * "%2D", so the two never collide. Same return contract as
 * ctlmsg_pct_encode. */
size_t ctlmsg_text_encode(char *dst, size_t dstsize, const void *src,
			  size_t len);

/* Decodes a percent-encoded word into dst (size dstsize; the result is also
 * NUL-terminated, but may contain NUL bytes: *outlen is authoritative).
 * Returns 0, or -1 for a malformed escape (`%` not followed by two hex
 * digits), a raw byte outside 0x21..0x7e, or a result that does not fit. */
int ctlmsg_pct_decode(char *dst, size_t dstsize, const char *src,
		      size_t *outlen);

/* Decodes a free-text word written by ctlmsg_text_encode ("-" is empty
 * text). Same contract as ctlmsg_pct_decode. */
int ctlmsg_text_decode(char *dst, size_t dstsize, const char *src,
		       size_t *outlen);

/* --- Numbers and addresses ------------------------------------------------ */

/* Strict unsigned decimal: one or more digits, nothing else (no sign, no
 * spaces, no leading zeros except "0" itself), value <= max.
 * Returns 0 and sets *out, or -1. */
int ctlmsg_parse_uint(const char *s, uint64_t max, uint64_t *out);

/* A decimal number such as "0.5", "2", "100" within [min, max]: digits with an
 * optional '.' and fraction digits, no sign, no exponent, no "inf"/"nan".
 * Returns 0 and sets *out, or -1. */
int ctlmsg_parse_decimal(const char *s, double min, double max, double *out);

/* Seconds in ctlmsg_parse_decimal's grammar ("2", "0.5", "0.001": digits,
 * an optional '.' and at most 9 fraction digits) into nanoseconds, exactly
 * and without floating point, so neither the locale (LC_NUMERIC's comma)
 * nor rounding can change it; -1 if s is not such a number or not within
 * [min_ns, max_ns]. */
int ctlmsg_parse_seconds(const char *s, int64_t min_ns, int64_t max_ns,
			 int64_t *out_ns);

/* ns (>= 0) as the shortest such decimal ("0.5", "2", "0.000000001") into
 * buf, which holds at least CTLMSG_SECONDS_MAX bytes. */
#define CTLMSG_SECONDS_MAX 32
void ctlmsg_format_seconds(char buf[CTLMSG_SECONDS_MAX], int64_t ns);

/* The maximum segment lifetime, as every --msl takes it (tcpstep decode,
 * replay, demo, live, play and tcpstep-node): more than 0, at most a day.
 * One parser, so they all accept the same text. */
#define CTLMSG_MSL_MAX_NS (86400LL * 1000000000LL)
int ctlmsg_parse_msl(const char *s, int64_t *out_ns);

/* Dotted-quad IPv4 "a.b.c.d", each part 0..255 in decimal without leading
 * zeros (so "010" is not silently octal). *addr is in host byte order
 * (192.0.2.2 is 0xc0000202). Returns 0, or -1. */
int ctlmsg_parse_ipv4(const char *s, uint32_t *addr);

/* "a.b.c.d:port", port 1..65535 (0 only if allow_port0). Returns 0, or -1. */
int ctlmsg_parse_addrport(const char *s, bool allow_port0, uint32_t *addr,
			  uint16_t *port);

/* "a.b.c.d/nn", nn 0..32. Returns 0, or -1. */
int ctlmsg_parse_cidr(const char *s, uint32_t *addr, unsigned *prefix);

/* Network safety: nodes only ever address 192.0.2.0/24 (RFC 5737
 * TEST-NET-1), the session's private network. ip in host byte order. */
bool ctlmsg_addr_on_test_net(uint32_t ip);

/* Formats "a.b.c.d:port" into dst (at least CTLMSG_ADDRPORT_MAX bytes). */
#define CTLMSG_ADDRPORT_MAX 22
void ctlmsg_format_addrport(char *dst, uint32_t addr, uint16_t port);

/* --- Writing messages ------------------------------------------------------ */

/* Builds one message line in caller memory. Any word that does not fit (the
 * whole line, '\n' included, must stay within CTLMSG_LINE_MAX) or is not a
 * valid word sets `overflow`; ctlmsg_out_end then fails. */
struct ctlmsg_out {
	char buf[CTLMSG_LINE_MAX + 1];
	size_t len;
	bool overflow;
	size_t limit; /* the line may have this many bytes, '\n' included */
};

void ctlmsg_out_init(struct ctlmsg_out *o, const char *verb);
/* For an event (node -> controller): like ctlmsg_out_init, but keeps
 * CTLMSG_STAMP_MAX bytes of the line free for the stamp that
 * ctlmsg_out_end_stamped puts in front. */
void ctlmsg_out_init_event(struct ctlmsg_out *o, const char *verb);
/* Appends a word as is; it must be non-empty and bytes 0x21..0x7e only. */
void ctlmsg_out_word(struct ctlmsg_out *o, const char *word);
/* Appends a printf-formatted word (same rules). */
void ctlmsg_out_wordf(struct ctlmsg_out *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Appends free text, percent-encoded, as one word (see ctlmsg_text_encode). */
void ctlmsg_out_text(struct ctlmsg_out *o, const void *text, size_t len);
/* Appends text like ctlmsg_out_text, but cuts it (at a byte boundary, never
 * inside an escape) so the line fits with `reserve` bytes left for words
 * still to come; sets *cut if it did. */
void ctlmsg_out_text_fit(struct ctlmsg_out *o, const void *text, size_t len,
			 size_t reserve, bool *cut);
/* Terminates the line with '\n'. Returns its length, or -1 on overflow. */
long ctlmsg_out_end(struct ctlmsg_out *o);
/* Terminates the line and puts the stamp word "@NS " in front of it (see
 * "Stamps" below). Returns the whole line's length, or -1 on overflow or
 * if the stamp does not fit (always fits after ctlmsg_out_init_event). */
long ctlmsg_out_end_stamped(struct ctlmsg_out *o, uint64_t stamp_ns);

/* --- Stamps (docs/control-protocol.md "Ordering") --------------------------- */

/* Every event line starts with a stamp word: '@' and the CLOCK_MONOTONIC
 * time in nanoseconds (strict decimal) at which the node wrote it, then a
 * space. At most this many bytes, the space included. */
#define CTLMSG_STAMP_MAX 22

/* CLOCK_MONOTONIC now, in nanoseconds. */
uint64_t ctlmsg_now_ns(void);

/* Takes the stamp word off the front of an event line: on success *line
 * and *len are moved past it and *stamp_ns is set. Returns 1 if the line
 * was stamped, 0 if it has no stamp (it does not start with '@'; left as
 * is), -1 for a malformed stamp ('@' without a strict decimal number and a
 * space before the verb). */
int ctlmsg_take_stamp(char **line, size_t *len, uint64_t *stamp_ns);

/* Writes all of buf to fd, retrying on EINTR and short writes. Returns 0 or
 * -1 with errno set. */
int ctlmsg_write_all(int fd, const void *buf, size_t len);

#endif
