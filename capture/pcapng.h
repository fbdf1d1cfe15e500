/* A pcapng reader of tcpstep's own (draft-ietf-opsawg-pcapng), for the
 * files libpcap refuses: interfaces of different link types in one file
 * (a capture on several interfaces at once, as Wireshark and dumpcap write
 * it). It reads every section in its own byte order; per interface the
 * link type, snap length, if_tsresol and if_tsoffset; enhanced, simple and
 * obsolete packet blocks; and skips every other block. Each frame carries
 * its interface's link type.
 *
 *   struct pcapng *ng = pcapng_open(fp, NULL, 0, err);
 *   struct pcapng_frame f;
 *   while ((r = pcapng_next(ng, &f, err)) == PCAPNG_FRAME) ...
 *   pcapng_close(ng); // fp stays the caller's
 *
 * Every length is checked against the block that holds it: a damaged or
 * hostile file is an error with the reason in words, never a read past
 * the data. */
#ifndef TCPSTEP_PCAPNG_H
#define TCPSTEP_PCAPNG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define PCAPNG_ERRBUF_SIZE 256

/* The largest block read: libpcap's limit too (16 MiB); a frame is at
 * most 256 KiB. */
#define PCAPNG_MAX_BLOCK (16u * 1024 * 1024)

struct pcapng;

struct pcapng_frame {
	int64_t ts_ns;       /* nanoseconds since the Unix epoch */
	uint32_t caplen;     /* bytes captured */
	uint32_t wirelen;    /* bytes on the wire (at least caplen) */
	int linktype;        /* the interface's, as libpcap's DLT_* */
	uint32_t interface;  /* its index in the section */
	const uint8_t *data; /* valid until the next pcapng_* call on ng */
};

/* frame->linktype of a record that is no frame but that Wireshark numbers
 * as one (a custom block, a systemd journal entry, a sysdig event): a
 * reader counts it, so that frame numbers stay Wireshark's, and skips it. */
#define PCAPNG_NOT_A_FRAME (-1)

enum pcapng_status {
	PCAPNG_FRAME,     /* *frame is filled */
	PCAPNG_EOF,       /* the file ended between blocks */
	PCAPNG_CUT_SHORT, /* the file ended inside a block: errbuf says which */
	PCAPNG_DAMAGED,   /* a block is impossible, or reading failed: errbuf */
};

/* True when b (4 bytes) starts a pcapng file (a section header block). */
bool pcapng_is_magic(const uint8_t *b);

/* Reads the section header and the blocks up to the first interface
 * description (or the first packet). prefix: the nprefix first bytes of
 * the file, already read from fp by a caller that looked at the magic
 * (NULL, 0: none). NULL on failure, with the reason in words in errbuf
 * (PCAPNG_ERRBUF_SIZE bytes, no file name). fp stays open and the
 * caller's: pcapng_close does not close it. */
struct pcapng *pcapng_open(FILE *fp, const uint8_t *prefix, size_t nprefix,
			   char *errbuf);
void pcapng_close(struct pcapng *ng); /* NULL is fine */

/* The next packet block, of any interface, or a record Wireshark numbers
 * (linktype PCAPNG_NOT_A_FRAME, caplen 0). */
enum pcapng_status pcapng_next(struct pcapng *ng, struct pcapng_frame *frame,
			       char *errbuf);

/* The file offset of the next block. pcapng_seek goes to an offset
 * pcapng_tell gave (this reader or another on the same file): a block
 * boundary. The interfaces there are those of the section that offset is
 * in; a section not read yet is read up to it first (its header and
 * interfaces; its packets are passed over). false with errbuf set when the
 * stream cannot seek or the offset is not a block boundary. */
int64_t pcapng_tell(const struct pcapng *ng);
bool pcapng_seek(struct pcapng *ng, int64_t offset, char *errbuf);

/* The first interface's link type (DLT_*) and snap length; -1 and 0 when
 * no interface came before the first packet. */
int pcapng_first_linktype(const struct pcapng *ng);
uint32_t pcapng_first_snaplen(const struct pcapng *ng);

#endif
