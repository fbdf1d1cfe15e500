/* pcap recorder on libpcap's dumper (pcap_dump_open on a "dead" handle of
 * the source's link type), so tshark, tcpdump and tcpstep read the result. */
#include "recorder.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct recorder {
	pcap_t *dead;
	pcap_dumper_t *d;
	char name[256];
	unsigned long long frames;
	bool failed;
	char why[SOURCE_ERRBUF_SIZE]; /* the first failure, once failed */
};

static bool io_error(struct recorder *r, char *errbuf, const char *what)
{
	r->failed = true;
	snprintf(r->why, sizeof(r->why), "%s: %s: %s", r->name, what,
		 errno ? strerror(errno) : "write error");
	snprintf(errbuf, SOURCE_ERRBUF_SIZE, "%s", r->why);
	return false;
}

/* A failed recorder keeps failing with its first reason, so a caller's
 * errbuf always holds one when false is returned. */
static bool failed(const struct recorder *r, char *errbuf)
{
	snprintf(errbuf, SOURCE_ERRBUF_SIZE, "%s", r->why);
	return false;
}

/* pcap_dump_open's messages already start with the file's name ("x.pcap:
 * No such file or directory", "standard output" for "-"; sf-pcap.c):
 * add the name only to one that does not, so it is never said twice. */
static void open_error(const struct recorder *r, char *errbuf)
{
	const char *why = pcap_geterr(r->dead);
	size_t n = strlen(r->name);

	if (strncmp(why, r->name, n) == 0 && why[n] == ':')
		snprintf(errbuf, SOURCE_ERRBUF_SIZE, "%s", why);
	else
		snprintf(errbuf, SOURCE_ERRBUF_SIZE, "%s: %s", r->name, why);
}

struct recorder *recorder_open(const char *path, int linktype, int snaplen,
			       char *errbuf)
{
	struct recorder *r = calloc(1, sizeof(*r));

	if (!r) {
		snprintf(errbuf, SOURCE_ERRBUF_SIZE, "%s: out of memory", path);
		return NULL;
	}
	snprintf(r->name, sizeof(r->name), "%s",
		 strcmp(path, "-") == 0 ? "standard output" : path);
	r->dead = pcap_open_dead(linktype, snaplen > 0 ? snaplen : SOURCE_DEFAULT_SNAPLEN);
	if (!r->dead) {
		snprintf(errbuf, SOURCE_ERRBUF_SIZE, "%s: out of memory", r->name);
		free(r);
		return NULL;
	}
	r->d = pcap_dump_open(r->dead, path);
	if (!r->d) {
		open_error(r, errbuf);
		pcap_close(r->dead);
		free(r);
		return NULL;
	}
	return r;
}

bool recorder_write(struct recorder *r, const struct source_frame *f, char *errbuf)
{
	struct pcap_pkthdr h;
	int64_t us = f->ts_ns / 1000;

	if (r->failed)
		return failed(r, errbuf);
	memset(&h, 0, sizeof(h));
	h.ts.tv_sec = (time_t)(us / 1000000);
	h.ts.tv_usec = (suseconds_t)(us % 1000000);
	h.caplen = f->caplen;
	h.len = f->wirelen < f->caplen ? f->caplen : f->wirelen;
	errno = 0;
	pcap_dump((u_char *)r->d, &h, f->data);
	if (ferror(pcap_dump_file(r->d)))
		return io_error(r, errbuf, "cannot write");
	r->frames++;
	return true;
}

bool recorder_flush(struct recorder *r, char *errbuf)
{
	if (r->failed)
		return failed(r, errbuf);
	errno = 0;
	if (pcap_dump_flush(r->d) != 0)
		return io_error(r, errbuf, "cannot write");
	return true;
}

unsigned long long recorder_frames(const struct recorder *r)
{
	return r->frames;
}

bool recorder_close(struct recorder *r, char *errbuf)
{
	bool ok;

	if (!r)
		return true;
	/* The final write: pcap_dump_close's fclose then has nothing left
	 * to write (it reports nothing either). */
	ok = recorder_flush(r, errbuf);
	pcap_dump_close(r->d);
	pcap_close(r->dead);
	free(r);
	return ok;
}
