/* Recording frames to a pcap file as they arrive (tcpdump -w), for
 * `--write FILE` on live captures. Frames go through libpcap's dumper; the
 * caller flushes once per pass of its poll loop so the file on disk trails
 * the screen by at most one pass, and closes it on exit or Ctrl-C (a signal
 * handler only sets a flag; the loop then calls recorder_close):
 *
 *   struct recorder *r = recorder_open(path, source_linktype(src),
 *                                      source_snaplen(src), err);
 *   ... for each frame: recorder_write(r, &frame);
 *   ... each loop pass: recorder_flush(r, err);
 *   recorder_close(r, err);
 */
#ifndef TCPSTEP_RECORDER_H
#define TCPSTEP_RECORDER_H

#include <stdbool.h>

#include "source.h"

/* Error messages name the file; SOURCE_ERRBUF_SIZE bytes. */
struct recorder;

/* "-" writes to standard output. NULL on failure, reason in errbuf. */
struct recorder *recorder_open(const char *path, int linktype, int snaplen,
			       char *errbuf);

/* Appends one frame (its first caplen bytes; timestamps kept to the
 * microsecond). False when the write failed (disk full, ...). */
bool recorder_write(struct recorder *r, const struct source_frame *f, char *errbuf);

/* Pushes buffered frames to the file. */
bool recorder_flush(struct recorder *r, char *errbuf);

/* Frames written so far. */
unsigned long long recorder_frames(const struct recorder *r);

/* Flushes and closes; false if anything written was lost. NULL is fine.
 * Once a write or flush has failed, this and every later call return
 * false with that first failure in errbuf. */
bool recorder_close(struct recorder *r, char *errbuf);

#endif
