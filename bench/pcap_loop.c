/* pcap_loop: the benchmark's baseline, a bare libpcap read-and-parse loop.
 *
 *   pcap_loop [--stdio-buffer BYTES] FILE
 *
 * Reads every frame with pcap_loop() and parses Ethernet (with 802.1Q/QinQ
 * tags), IPv4, IPv6 (skipping extension headers) and the TCP header
 * (ports, seq, ack, flags, data offset, window, payload length from the IP
 * length), through bounds-checked getters, as a decoder must at minimum. It
 * keeps no per-connection state and prints nothing per packet: it is the
 * floor a real decoder is compared against. It prints one line of totals
 * (which also keeps the compiler from dropping the parsing).
 *
 * By default libpcap opens the file itself (pcap_open_offline: a stdio
 * stream with its default buffer, one page). --stdio-buffer BYTES opens
 * it as tcpstep does (capture/source.c: fopen, setvbuf with that many
 * bytes, pcap_fopen_offline), so the benchmark can also show the loop
 * reading exactly as tcpstep reads.
 */
#include <pcap/pcap.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct totals {
	uint64_t frames, tcp, ipv4, ipv6, other, short_frames;
	uint64_t payload_bytes;
	uint64_t syn, fin, rst;
	uint32_t mix; /* folds in every parsed field */
};

/* Big-endian reads that fail instead of reading past the captured bytes. */
static bool get8(const u_char *p, uint32_t len, uint32_t off, uint8_t *v)
{
	if (off >= len)
		return false;
	*v = p[off];
	return true;
}

static bool get16(const u_char *p, uint32_t len, uint32_t off, uint16_t *v)
{
	if (off > len || len - off < 2)
		return false;
	*v = (uint16_t)(p[off] << 8 | p[off + 1]);
	return true;
}

static bool get32(const u_char *p, uint32_t len, uint32_t off, uint32_t *v)
{
	if (off > len || len - off < 4)
		return false;
	*v = (uint32_t)p[off] << 24 | (uint32_t)p[off + 1] << 16 |
	     (uint32_t)p[off + 2] << 8 | p[off + 3];
	return true;
}

static void parse_tcp(struct totals *t, const u_char *p, uint32_t len, uint32_t off,
		      uint32_t ip_payload)
{
	uint16_t sport, dport, win;
	uint32_t seq, ack;
	uint8_t doff, flags;
	if (!get16(p, len, off, &sport) || !get16(p, len, off + 2, &dport) ||
	    !get32(p, len, off + 4, &seq) || !get32(p, len, off + 8, &ack) ||
	    !get8(p, len, off + 12, &doff) || !get8(p, len, off + 13, &flags) ||
	    !get16(p, len, off + 14, &win)) {
		t->short_frames++;
		return;
	}
	uint32_t hl = (uint32_t)(doff >> 4) * 4;
	if (hl < 20 || hl > ip_payload) {
		t->short_frames++;
		return;
	}
	t->tcp++;
	t->payload_bytes += ip_payload - hl;
	t->syn += (flags & 0x02) != 0;
	t->fin += (flags & 0x01) != 0;
	t->rst += (flags & 0x04) != 0;
	t->mix ^= seq ^ ack ^ ((uint32_t)sport << 16 | dport) ^ win;
}

static void on_frame(u_char *user, const struct pcap_pkthdr *h, const u_char *p)
{
	struct totals *t = (struct totals *)user;
	uint32_t len = h->caplen, off = 12;
	uint16_t type;

	t->frames++;
	if (!get16(p, len, off, &type)) {
		t->short_frames++;
		return;
	}
	off += 2;
	/* 802.1Q and 802.1ad (QinQ) tags. */
	while (type == 0x8100 || type == 0x88a8) {
		if (!get16(p, len, off + 2, &type)) {
			t->short_frames++;
			return;
		}
		off += 4;
	}
	if (type == 0x0800) {
		uint8_t vihl, proto;
		uint16_t total, frag;
		if (!get8(p, len, off, &vihl) || !get16(p, len, off + 2, &total) ||
		    !get16(p, len, off + 6, &frag) || !get8(p, len, off + 9, &proto)) {
			t->short_frames++;
			return;
		}
		uint32_t ihl = (uint32_t)(vihl & 0x0f) * 4;
		t->ipv4++;
		/* Only the first fragment carries the TCP header. */
		if ((vihl >> 4) != 4 || ihl < 20 || total < ihl || proto != 6 ||
		    (frag & 0x1fff) != 0) {
			t->other++;
			return;
		}
		parse_tcp(t, p, len, off + ihl, total - ihl);
	} else if (type == 0x86dd) {
		uint16_t plen;
		uint8_t nh;
		if (!get16(p, len, off + 4, &plen) || !get8(p, len, off + 6, &nh)) {
			t->short_frames++;
			return;
		}
		t->ipv6++;
		off += 40;
		uint32_t left = plen;
		/* Hop-by-hop, routing, destination options (RFC 8200 4.1);
		 * a fragment header only when it is the first fragment. */
		while (nh == 0 || nh == 43 || nh == 60 || nh == 44) {
			uint8_t next, elen;
			uint32_t hl;
			if (!get8(p, len, off, &next) || !get8(p, len, off + 1, &elen)) {
				t->short_frames++;
				return;
			}
			if (nh == 44) {
				uint16_t fo;
				if (!get16(p, len, off + 2, &fo)) {
					t->short_frames++;
					return;
				}
				if ((fo & 0xfff8) != 0) {
					t->other++;
					return;
				}
				hl = 8;
			} else {
				hl = ((uint32_t)elen + 1) * 8;
			}
			if (hl > left) {
				t->other++;
				return;
			}
			left -= hl;
			off += hl;
			nh = next;
		}
		if (nh != 6) {
			t->other++;
			return;
		}
		parse_tcp(t, p, len, off, left);
	} else {
		t->other++;
	}
}

int main(int argc, char **argv)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct totals t;

	long bufsize = 0;
	char *end = NULL;
	if (argc == 4 && strcmp(argv[1], "--stdio-buffer") == 0) {
		bufsize = strtol(argv[2], &end, 10);
		if (!*argv[2] || *end || bufsize < 1 || bufsize > (1L << 30)) {
			fprintf(stderr, "pcap_loop: --stdio-buffer wants 1 to 2^30 bytes\n");
			return 2;
		}
		argv += 2;
		argc -= 2;
	}
	if (argc != 2 || argv[1][0] == '-' ) {
		fprintf(stderr, "usage: pcap_loop [--stdio-buffer BYTES] FILE\n");
		return 2;
	}
	memset(&t, 0, sizeof(t));
	pcap_t *pc;
	char *iobuf = NULL;
	if (bufsize) {
		FILE *fp = fopen(argv[1], "rb");
		iobuf = malloc((size_t)bufsize);
		if (!fp || !iobuf) {
			fprintf(stderr, "pcap_loop: %s: cannot open\n", argv[1]);
			if (fp)
				fclose(fp);
			free(iobuf);
			return 1;
		}
		setvbuf(fp, iobuf, _IOFBF, (size_t)bufsize);
		pc = pcap_fopen_offline(fp, errbuf);
		if (!pc)
			fclose(fp);
	} else {
		pc = pcap_open_offline(argv[1], errbuf);
	}
	if (!pc) {
		fprintf(stderr, "pcap_loop: %s: %s\n", argv[1], errbuf);
		free(iobuf);
		return 1;
	}
	if (pcap_datalink(pc) != DLT_EN10MB) {
		fprintf(stderr, "pcap_loop: %s: link type %s, only Ethernet is parsed\n", argv[1],
			pcap_datalink_val_to_name(pcap_datalink(pc)));
		pcap_close(pc);
		free(iobuf);
		return 1;
	}
	int rc = pcap_loop(pc, -1, on_frame, (u_char *)&t);
	if (rc == PCAP_ERROR) {
		fprintf(stderr, "pcap_loop: %s: %s (after %llu frames)\n", argv[1], pcap_geterr(pc),
			(unsigned long long)t.frames);
		pcap_close(pc);
		free(iobuf);
		return 1;
	}
	pcap_close(pc);
	free(iobuf); /* after pcap_close closed the stream using it */
	printf("frames %llu tcp %llu ipv4 %llu ipv6 %llu other %llu short %llu "
	       "payload_bytes %llu syn %llu fin %llu rst %llu mix %08x\n",
	       (unsigned long long)t.frames, (unsigned long long)t.tcp,
	       (unsigned long long)t.ipv4, (unsigned long long)t.ipv6,
	       (unsigned long long)t.other, (unsigned long long)t.short_frames,
	       (unsigned long long)t.payload_bytes, (unsigned long long)t.syn,
	       (unsigned long long)t.fin, (unsigned long long)t.rst, t.mix);
	return 0;
}
