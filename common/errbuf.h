/* Setup errors written into a caller's buffer, the way libpcap's errbuf
 * works: functions that can fail take (char *err, size_t errsize). */
#ifndef TCPSTEP_ERRBUF_H
#define TCPSTEP_ERRBUF_H

#include <stddef.h>

/* printf into err (always terminated); a NULL or empty buffer is ignored. */
void errbuf_set(char *err, size_t errsize, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
