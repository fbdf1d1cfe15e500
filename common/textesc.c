#include "textesc.h"

#include <stdint.h>
#include <string.h>

/* Length of the well-formed UTF-8 sequence at s (at most n bytes), or 0.
 * Rejects overlong forms, surrogates, code points above U+10FFFF and C1
 * controls (U+0080..U+009F), which terminals also interpret. */
static size_t utf8_seq_len(const uint8_t *s, size_t n)
{
	uint32_t cp;
	size_t len;

	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) ||
	    (cp >= 0x80 && cp <= 0x9f))
		return 0;
	return len;
}

size_t textesc_escape(char *dst, size_t dstsize, const void *src, size_t len,
		      int keep_newlines)
{
	static const char hex[] = "0123456789abcdef";
	const uint8_t *s = src;
	size_t need = 0, out = 0;
	int cut = 0;

	for (size_t i = 0; i < len;) {
		char tmp[4];
		const char *piece = tmp;
		size_t plen, adv = 1;
		uint8_t c = s[i];

		if (c == '\\') {
			piece = "\\\\";
			plen = 2;
		} else if (c == '\n' && keep_newlines) {
			piece = "\n";
			plen = 1;
		} else if (c == '\n' || c == '\r' || c == '\t') {
			tmp[0] = '\\';
			tmp[1] = c == '\n' ? 'n' : c == '\r' ? 'r' : 't';
			plen = 2;
		} else if (c >= 0x20 && c < 0x7f) {
			tmp[0] = (char)c;
			plen = 1;
		} else if (c >= 0x80 && (adv = utf8_seq_len(s + i, len - i)) > 0) {
			piece = (const char *)s + i;
			plen = adv;
		} else {
			adv = 1;
			tmp[0] = '\\';
			tmp[1] = 'x';
			tmp[2] = hex[c >> 4];
			tmp[3] = hex[c & 15];
			plen = 4;
		}
		if (!cut && dstsize > 0 && out + plen < dstsize) {
			memcpy(dst + out, piece, plen);
			out += plen;
		} else {
			cut = 1;
		}
		need += plen;
		i += adv;
	}
	if (dstsize > 0)
		dst[out] = '\0';
	return need;
}
