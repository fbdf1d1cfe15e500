/* Making text that came off the wire safe to print on a terminal. */
#ifndef TCPSTEP_TEXTESC_H
#define TCPSTEP_TEXTESC_H

#include <stddef.h>

/* Writes a printable copy of src[0..len) into dst (size dstsize, always
 * NUL-terminated when dstsize > 0). Printable ASCII and well-formed UTF-8
 * pass through; '\\' becomes "\\\\"; \t \r \n and other control bytes, DEL,
 * C1 controls and malformed UTF-8 become C-style escapes (\t, \r, \n, \xHH).
 * If keep_newlines is non-zero, '\n' passes through unchanged.
 * Returns the length the full escaped text needs (excluding the NUL), so
 * a result >= dstsize means the output was cut (never mid-escape). */
size_t textesc_escape(char *dst, size_t dstsize, const void *src, size_t len,
		      int keep_newlines);

#endif
