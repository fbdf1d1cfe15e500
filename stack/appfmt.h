/* The article's app output, byte for byte (docs/control-protocol.md "Apps"): the
 * texts the Go server and client print, formatted without lwIP so they are
 * unit-tested on their own (tests/stack/test_apps_format.c).
 *
 * Every function writes into dst (size dstsize, NUL-terminated when
 * dstsize > 0; text from the wire may itself contain NULs) and returns the
 * full length (excluding the NUL), snprintf-style: >= dstsize means cut. */
#ifndef TCPSTEP_APPFMT_H
#define TCPSTEP_APPFMT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* The largest read the Go code does: buf := make([]byte, 1024). */
#define APPFMT_READ_MAX 1024

/* fmt.Println("IP:PORTで受付開始しました"): "now accepting on IP:PORT". */
size_t appfmt_listening(char *dst, size_t dstsize, uint32_t ip, uint16_t port);

/* fmt.Printf("[Remote Address]\n%s\n", conn.RemoteAddr()) */
size_t appfmt_remote(char *dst, size_t dstsize, uint32_t ip, uint16_t port);

/* fmt.Printf("[Message]\n%s", string(buf[:n])): the text as received, with
 * no newline added. n is cut to APPFMT_READ_MAX like the Go read. */
size_t appfmt_message(char *dst, size_t dstsize, const void *msg, size_t n);

/* fmt.Sprintf("Hello, %s\n", conn.RemoteAddr()): what each side sends, the
 * server with the client's address, the client with the server's. */
size_t appfmt_hello(char *dst, size_t dstsize, uint32_t ip, uint16_t port);

/* fmt.Println(string(res[:n])): the client prints the reply plus a newline
 * (so "Hello, ...\n" shows as a line and an empty line). */
size_t appfmt_reply(char *dst, size_t dstsize, const void *reply, size_t n);

/* log.Fatal(msg): Go's standard logger prefixes the local date and time,
 * "2006/01/02 15:04:05 ", and ends the line with a newline. */
size_t appfmt_fatal(char *dst, size_t dstsize, const struct tm *local,
		    const char *msg);

/* The Go code's fatal messages. */
size_t appfmt_connect_failed(char *dst, size_t dstsize, uint32_t ip,
			     uint16_t port);
size_t appfmt_listen_failed(char *dst, size_t dstsize, uint32_t ip,
			    uint16_t port);
/* "コネクションを確立できませんでした" (accept failed) */
extern const char appfmt_accept_failed[];

#endif
