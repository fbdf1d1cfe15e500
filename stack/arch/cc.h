/* lwIP architecture description for tcpstep nodes: Linux, gcc or clang,
 * C11 with <stdint.h> and <inttypes.h> (lwip/arch.h then needs only the
 * items below). */
#ifndef TCPSTEP_ARCH_CC_H
#define TCPSTEP_ARCH_CC_H

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

/* Byte order from the C library (glibc's <endian.h> defines BYTE_ORDER,
 * LITTLE_ENDIAN and BIG_ENDIAN as lwIP expects), not lwIP's little-endian
 * default. */
#include <endian.h>
#ifndef BYTE_ORDER
#error "<endian.h> did not define BYTE_ORDER"
#endif

/* Use the C library's errno values (lwip/errno.h would define its own). */
#define LWIP_ERRNO_STDINCLUDE 1

/* rand() is replaced by the seeded generator in lwipopts.h (LWIP_RAND). */

/* Diagnostics go to stderr: stdout is not used by a node (events go over
 * the control socket), and the controller shows a node's stderr. */
static inline void port_diag(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
static inline void port_diag(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}
/* lwIP calls LWIP_PLATFORM_DIAG(("fmt", args)). */
#define LWIP_PLATFORM_DIAG(x) \
	do { \
		port_diag x; \
	} while (0)
#define LWIP_PLATFORM_ASSERT(x) \
	do { \
		fprintf(stderr, "lwip assertion \"%s\" failed at %s:%d\n", x, \
			__FILE__, __LINE__); \
		fflush(NULL); \
		abort(); \
	} while (0)

#endif
