/* The pcapng reader (capture/pcapng.c) on files built here byte by byte:
 * time stamp resolutions and offsets, byte orders, and every damage it
 * must refuse with a reason instead of reading past a block. */
#include <string.h>

#include "check.h"
#include "decode.h"
#include "framebuild.h"
#include "pcapng.h"

static uint8_t file[4096];
static struct fb w;
static bool be;

static void u32(uint32_t v)
{
	if (be)
		fb_be32(&w, v);
	else
		fb_le32(&w, v);
}

static void u16(uint16_t v)
{
	if (be) {
		fb_be16(&w, v);
	} else {
		fb_u8(&w, (uint8_t)v);
		fb_u8(&w, (uint8_t)(v >> 8));
	}
}

/* A section header of version major.0. */
static void shb(bool big, uint16_t major)
{
	be = big;
	u32(0x0A0D0D0A);
	u32(28);
	u32(0x1A2B3C4D);
	u16(major);
	u16(0);
	u32(0xffffffff);
	u32(0xffffffff);
	u32(28);
}

/* An interface; tsresol < 0: none; offset 0: none. */
static void idb(uint16_t lt, uint32_t snap, int tsresol, int64_t offset)
{
	uint32_t len = 20 + (tsresol >= 0 ? 8 : 0) + (offset ? 12 : 0) +
		       (tsresol >= 0 || offset ? 4 : 0);
	u32(1);
	u32(len);
	u16(lt);
	u16(0);
	u32(snap);
	if (tsresol >= 0) {
		u16(9);
		u16(1);
		fb_u8(&w, (uint8_t)tsresol);
		fb_u8(&w, 0);
		fb_u8(&w, 0);
		fb_u8(&w, 0);
	}
	if (offset) {
		u16(14);
		u16(8);
		uint64_t v = (uint64_t)offset;
		if (be) {
			u32((uint32_t)(v >> 32));
			u32((uint32_t)v);
		} else {
			u32((uint32_t)v);
			u32((uint32_t)(v >> 32));
		}
	}
	if (tsresol >= 0 || offset)
		u32(0);
	u32(len);
}

/* An enhanced packet block of 8 data bytes (caplen and wirelen as given). */
static void epb(uint32_t ifid, uint64_t ts, uint32_t caplen, uint32_t wirelen)
{
	u32(6);
	u32(40);
	u32(ifid);
	u32((uint32_t)(ts >> 32));
	u32((uint32_t)ts);
	u32(caplen);
	u32(wirelen);
	for (int i = 0; i < 8; i++)
		fb_u8(&w, (uint8_t)(0xA0 + i));
	u32(40);
}

static void start(void)
{
	fb_init(&w, file, sizeof(file));
}

/* Opens what was built; NULL with err set on failure. */
static struct pcapng *open_built(FILE **fp, char *err)
{
	*fp = fmemopen(file, w.n ? w.n : 1, "rb");
	CHECK(*fp != NULL);
	if (!*fp)
		return NULL;
	if (!w.n)
		fgetc(*fp); /* an empty stream */
	return pcapng_open(*fp, NULL, 0, err);
}

/* The error pcapng_open gives for what was built. */
static void expect_open_error(const char *want)
{
	char err[PCAPNG_ERRBUF_SIZE] = "";
	FILE *fp;
	struct pcapng *ng = open_built(&fp, err);
	CHECK(ng == NULL);
	CHECK_STR_EQ(err, want);
	pcapng_close(ng);
	if (fp)
		fclose(fp);
}

/* Reads what was built: n frames, then status st with message want. */
static void expect_read(int n, enum pcapng_status st, const char *want)
{
	char err[PCAPNG_ERRBUF_SIZE] = "";
	FILE *fp;
	struct pcapng *ng = open_built(&fp, err);
	struct pcapng_frame f;
	enum pcapng_status got;
	int k = 0;
	CHECK(ng != NULL);
	if (!ng) {
		fprintf(stderr, "open: %s\n", err);
		if (fp)
			fclose(fp);
		return;
	}
	while ((got = pcapng_next(ng, &f, err)) == PCAPNG_FRAME)
		k++;
	CHECK_INT_EQ(k, n);
	CHECK_INT_EQ(got, st);
	if (want)
		CHECK_STR_EQ(err, want);
	pcapng_close(ng);
	fclose(fp);
}

static void test_open_refuses_what_is_no_section(void)
{
	start();
	expect_open_error("the file is empty");
	start();
	shb(false, 1);
	w.n = 20;
	expect_open_error("the file ends inside its section header");
	start();
	shb(false, 2);
	expect_open_error("a section is pcapng version 2.0; tcpstep reads version 1");
	start();
	shb(false, 1);
	file[8] = 0x11; /* the byte-order magic */
	expect_open_error("a section header has no byte-order magic (at offset 0)");
	start();
	fb_le32(&w, 0xa1b2c3d4);
	expect_open_error("not a pcapng file");
}

static void test_damage_is_named_with_its_place(void)
{
	start();
	shb(false, 1);
	idb(1, 65535, -1, 0);
	epb(0, 1, 8, 8);
	epb(1, 2, 8, 8);
	expect_read(1, PCAPNG_DAMAGED, "a packet names interface 1, but its section "
		    "describes 1 interfaces before it");
	start();
	shb(false, 1);
	idb(1, 65535, -1, 0);
	epb(0, 1, 9, 9);
	expect_read(0, PCAPNG_DAMAGED, "a packet block says 9 bytes were captured but holds 8");
	/* a simple packet block before any interface */
	start();
	shb(false, 1);
	u32(3);
	u32(16);
	u32(0);
	u32(16);
	expect_read(0, PCAPNG_DAMAGED, "a packet names interface 0, but its section "
		    "describes 0 interfaces before it");
	start();
	shb(false, 1);
	idb(1, 65535, -1, 0);
	epb(0, 1, 8, 8);
	file[w.n - 4] = 44; /* the trailing length */
	expect_read(0, PCAPNG_DAMAGED, "a block at offset 48 says it is 40 bytes long at "
		    "its start and 44 at its end");
	start();
	shb(false, 1);
	idb(1, 65535, -1, 0);
	u32(0x99);
	u32(20u << 20);
	u32(0);
	expect_read(0, PCAPNG_DAMAGED, "a block at offset 48 says it is 20971520 bytes long, "
		    "more than the 16 MiB a capture uses");
	start();
	shb(false, 1);
	idb(1, 65535, -1, 0);
	u32(0x99);
	u32(14);
	u32(0);
	expect_read(0, PCAPNG_DAMAGED, "a block at offset 48 says it is 14 bytes long, "
		    "where a length is a multiple of 4 and at least 12");
	start();
	shb(false, 1);
	u32(1);
	u32(16);
	u32(1);
	u32(16);
	expect_read(0, PCAPNG_DAMAGED, "an interface description block of 16 bytes is too "
		    "short for its fields (20)");
	/* cut short inside a block, and between blocks (the end) */
	start();
	shb(false, 1);
	idb(1, 65535, -1, 0);
	epb(0, 1, 8, 8);
	w.n -= 5;
	expect_read(0, PCAPNG_CUT_SHORT, "the file ends inside a packet block");
	start();
	shb(false, 1);
	idb(1, 65535, -1, 0);
	epb(0, 1, 8, 8);
	expect_read(1, PCAPNG_EOF, NULL);
}

/* if_tsresol and if_tsoffset, in both byte orders; blocks of unknown
 * type skipped; wirelen never below caplen. */
static void test_times_resolutions_and_offsets(void)
{
	for (int big = 0; big < 2; big++) {
		char err[PCAPNG_ERRBUF_SIZE];
		FILE *fp;
		start();
		shb(big, 1);
		idb(1, 65535, -1, 0);              /* microseconds */
		idb(101, 65535, 9, 0);             /* nanoseconds, raw IP */
		idb(276, 65535, 0x80 | 30, -100);  /* 2^-30 s, 100 s earlier */
		idb(229, 65535, 12, 1767268800);   /* picoseconds from an offset */
		idb(1, 65535, 0x80 | 100, 0);      /* 2^-100 s: all fraction */
		u32(0x12345);                      /* a block nobody knows */
		u32(16);
		u32(0);
		u32(16);
		epb(0, 1767268800123456ull, 8, 8);
		epb(1, 1767268800123456789ull, 8, 8);
		epb(2, (1767268900ull << 30) | (1u << 29), 8, 8);
		epb(3, 123456789012ull, 8, 4);
		epb(4, 1ull << 63, 8, 8);
		struct pcapng *ng = open_built(&fp, err);
		struct pcapng_frame f;
		CHECK(ng != NULL);
		if (!ng) {
			if (fp)
				fclose(fp);
			continue;
		}
		CHECK_INT_EQ(pcapng_first_linktype(ng), DECODE_LINK_ETHERNET);
		CHECK_INT_EQ(pcapng_first_snaplen(ng), 65535);
		static const struct {
			int lt;
			int64_t ns;
		} want[] = {
			{ DECODE_LINK_ETHERNET, 1767268800123456000LL },
			{ DECODE_LINK_RAW, 1767268800123456789LL },
			{ DECODE_LINK_SLL2, 1767268800500000000LL },
			{ DECODE_LINK_IPV6, 1767268800123456789LL }, /* 012 ps cut */
			{ DECODE_LINK_ETHERNET, 0 },
		};
		for (int k = 0; k < 5; k++) {
			CHECK_INT_EQ(pcapng_next(ng, &f, err), PCAPNG_FRAME);
			CHECK_INT_EQ(f.linktype, want[k].lt);
			CHECK_INT_EQ(f.interface, k);
			CHECK_INT_EQ(f.caplen, 8);
			CHECK_INT_EQ(f.wirelen, 8); /* the 4 of frame 4 raised to 8 */
			CHECK_INT_EQ(f.data[0], 0xA0);
			CHECK_INT_EQ(f.data[7], 0xA7);
			CHECK_INT_EQ(f.ts_ns, want[k].ns);
		}
		CHECK_INT_EQ(pcapng_next(ng, &f, err), PCAPNG_EOF);
		pcapng_close(ng);
		fclose(fp);
	}
}

int main(void)
{
	RUN(test_open_refuses_what_is_no_section);
	RUN(test_damage_is_named_with_its_place);
	RUN(test_times_resolutions_and_offsets);
	CHECK_EXIT();
}
