#include "appfmt.h"

#include <stdio.h>
#include <string.h>

#include "ctlmsg.h"

/* The Go code's Japanese texts, UTF-8 as in the article. */

const char appfmt_accept_failed[] = "コネクションを確立できませんでした";

static const char listening_suffix[] = "で受付開始しました";
static const char connect_failed_suffix[] = "に接続できませんでした";
static const char listen_failed_suffix[] = "のリッスンに失敗しました";

/* Appends raw bytes at *len, keeping dst NUL-terminated; counts all. */
static void put(char *dst, size_t dstsize, size_t *len, const void *src,
		size_t n)
{
	if (*len < dstsize) {
		size_t room = dstsize - *len - 1;
		size_t k = n < room ? n : room;

		memcpy(dst + *len, src, k);
		dst[*len + k] = '\0';
	}
	*len += n;
}

static void put_str(char *dst, size_t dstsize, size_t *len, const char *s)
{
	put(dst, dstsize, len, s, strlen(s));
}

static void put_addr(char *dst, size_t dstsize, size_t *len, uint32_t ip,
		     uint16_t port)
{
	char a[CTLMSG_ADDRPORT_MAX];

	ctlmsg_format_addrport(a, ip, port);
	put_str(dst, dstsize, len, a);
}

static size_t start(char *dst, size_t dstsize)
{
	if (dstsize > 0)
		dst[0] = '\0';
	return 0;
}

size_t appfmt_listening(char *dst, size_t dstsize, uint32_t ip, uint16_t port)
{
	size_t len = start(dst, dstsize);

	put_addr(dst, dstsize, &len, ip, port);
	put_str(dst, dstsize, &len, listening_suffix);
	put_str(dst, dstsize, &len, "\n");
	return len;
}

size_t appfmt_remote(char *dst, size_t dstsize, uint32_t ip, uint16_t port)
{
	size_t len = start(dst, dstsize);

	put_str(dst, dstsize, &len, "[Remote Address]\n");
	put_addr(dst, dstsize, &len, ip, port);
	put_str(dst, dstsize, &len, "\n");
	return len;
}

size_t appfmt_message(char *dst, size_t dstsize, const void *msg, size_t n)
{
	size_t len = start(dst, dstsize);

	put_str(dst, dstsize, &len, "[Message]\n");
	put(dst, dstsize, &len, msg, n < APPFMT_READ_MAX ? n : APPFMT_READ_MAX);
	return len;
}

size_t appfmt_hello(char *dst, size_t dstsize, uint32_t ip, uint16_t port)
{
	size_t len = start(dst, dstsize);

	put_str(dst, dstsize, &len, "Hello, ");
	put_addr(dst, dstsize, &len, ip, port);
	put_str(dst, dstsize, &len, "\n");
	return len;
}

size_t appfmt_reply(char *dst, size_t dstsize, const void *reply, size_t n)
{
	size_t len = start(dst, dstsize);

	put(dst, dstsize, &len, reply, n < APPFMT_READ_MAX ? n : APPFMT_READ_MAX);
	put_str(dst, dstsize, &len, "\n");
	return len;
}

size_t appfmt_fatal(char *dst, size_t dstsize, const struct tm *local,
		    const char *msg)
{
	char stamp[64];
	size_t len = start(dst, dstsize);

	/* Go's log.LstdFlags = Ldate | Ltime: "2009/01/23 01:23:23 " */
	snprintf(stamp, sizeof stamp, "%04d/%02d/%02d %02d:%02d:%02d ",
		 local->tm_year + 1900, local->tm_mon + 1, local->tm_mday,
		 local->tm_hour, local->tm_min, local->tm_sec);
	put_str(dst, dstsize, &len, stamp);
	put_str(dst, dstsize, &len, msg);
	/* log.Output adds a newline unless the message ends in one */
	if (msg[0] == '\0' || msg[strlen(msg) - 1] != '\n')
		put_str(dst, dstsize, &len, "\n");
	return len;
}

size_t appfmt_connect_failed(char *dst, size_t dstsize, uint32_t ip,
			     uint16_t port)
{
	size_t len = start(dst, dstsize);

	put_str(dst, dstsize, &len, "tcp://");
	put_addr(dst, dstsize, &len, ip, port);
	put_str(dst, dstsize, &len, connect_failed_suffix);
	return len;
}

size_t appfmt_listen_failed(char *dst, size_t dstsize, uint32_t ip,
			    uint16_t port)
{
	size_t len = start(dst, dstsize);

	put_str(dst, dstsize, &len, "tcp://");
	put_addr(dst, dstsize, &len, ip, port);
	put_str(dst, dstsize, &len, listen_failed_suffix);
	return len;
}
