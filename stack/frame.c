#include "frame.h"

/* Bounds-checked big-endian getters: false when off the end. */
static bool get_u8(const uint8_t *p, size_t len, size_t off, uint8_t *v)
{
	if (off >= len)
		return false;
	*v = p[off];
	return true;
}

static bool get_u16(const uint8_t *p, size_t len, size_t off, uint16_t *v)
{
	if (off > len || len - off < 2)
		return false;
	*v = (uint16_t)(p[off] << 8 | p[off + 1]);
	return true;
}

bool frame_tcp_info(const uint8_t *frame, size_t len, uint8_t *flags,
		    size_t *payload)
{
	const size_t ip = 14; /* Ethernet II header */
	uint16_t ethertype, total, frag;
	uint8_t vihl, proto, doff, fl;

	if (!get_u16(frame, len, 12, &ethertype) || ethertype != 0x0800)
		return false;
	if (!get_u8(frame, len, ip, &vihl) || vihl >> 4 != 4)
		return false;
	size_t ihl = (size_t)(vihl & 15) * 4;
	/* RFC 791: total length covers header and data; fragments other than
	 * the first carry no TCP header */
	if (ihl < 20 || !get_u16(frame, len, ip + 2, &total) ||
	    !get_u16(frame, len, ip + 6, &frag) || (frag & 0x1fff) != 0 ||
	    !get_u8(frame, len, ip + 9, &proto) || proto != 6)
		return false;
	if (total < ihl + 20 || total > len - ip)
		return false;
	size_t tcp = ip + ihl;
	/* RFC 9293 section 3.1: data offset in 32-bit words, flags at 13 */
	if (!get_u8(frame, len, tcp + 12, &doff) ||
	    !get_u8(frame, len, tcp + 13, &fl))
		return false;
	size_t thl = (size_t)(doff >> 4) * 4;
	if (thl < 20 || ihl + thl > total)
		return false;
	if (flags)
		*flags = fl;
	if (payload)
		*payload = total - ihl - thl;
	return true;
}

const char *frame_rcvd_cause(const uint8_t *frame, size_t len)
{
	uint8_t f;
	size_t data;

	if (!frame_tcp_info(frame, len, &f, &data))
		return NULL;
	if (f & FRAME_TCP_RST)
		return "rcvd RST";
	if ((f & FRAME_TCP_SYN) && (f & FRAME_TCP_ACK))
		return "rcvd SYN-ACK"; /* the decoder's word (docs/states.md) */
	if (f & FRAME_TCP_SYN)
		return "rcvd SYN";
	if (f & FRAME_TCP_FIN)
		return "rcvd FIN";
	if (f & FRAME_TCP_ACK)
		return "rcvd ACK";
	return "rcvd data";
}
