#!/usr/bin/env python3
"""Checks where a session's recording (--write) took its frames
(docs/wire.md, "Where the wire is captured"): every frame once, where it
entered the bridge, in the order it was sent.

  capture_points.py FILE.pcap...

The file must be Linux cooked v2 (the header names each frame's interface
and direction). Every IPv4 frame of an lwIP node (192.0.2.2, .3, ...) must
have come in by one interface of its own, inbound; every frame of the
kernel (192.0.2.1) must have gone out by one interface, br0, that no node
uses; no frame may be there twice (the same IP packet taken again where the
bridge passes it up or where it leaves the other TAP). Prints what is
wrong and exits 1; exits 0 and prints a one-line summary when all is well.
Reads the file itself, so it needs neither tshark nor tcpstep.
"""
import struct
import sys

LINKTYPE_LINUX_SLL2 = 276
PACKET_OUTGOING = 4
ETH_P_IP = 0x0800
KERNEL = "192.0.2.1"


def frames(path):
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        raise ValueError("shorter than a pcap header")
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        end = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        end = ">"
    else:
        raise ValueError("not a pcap file")
    linktype = struct.unpack(end + "I", data[20:24])[0]
    off, n = 24, 0
    while off < len(data):
        if off + 16 > len(data):
            raise ValueError(f"record header of frame {n + 1} cut short")
        incl = struct.unpack(end + "I", data[off + 8:off + 12])[0]
        body = data[off + 16:off + 16 + incl]
        if len(body) != incl:
            raise ValueError(f"frame {n + 1} cut short")
        n += 1
        yield n, linktype, body
        off += 16 + incl


def ip4(b):
    return ".".join(str(x) for x in b)


def main():
    if len(sys.argv) < 2:
        print(__doc__.strip().splitlines()[0], file=sys.stderr)
        return 2
    return max(check(path) for path in sys.argv[1:])


def check(path):
    errors = []
    iface_of = {}   # source IP -> set of interface indexes
    outgoing = {}   # source IP -> set of "out"/"in"
    seen = {}       # IP packet bytes -> first frame number
    count = 0
    try:
        for n, linktype, body in frames(path):
            count = n
            if linktype != LINKTYPE_LINUX_SLL2:
                errors.append(f"link type {linktype}, not Linux cooked v2 "
                              f"({LINKTYPE_LINUX_SLL2})")
                break
            if len(body) < 20:
                errors.append(f"frame {n}: shorter than its cooked header")
                continue
            proto, _, ifindex, _, pkttype = struct.unpack(">HHIHB",
                                                          body[:11])
            payload = body[20:]
            if proto != ETH_P_IP or len(payload) < 20:
                continue  # ARP: still once, but has no IP to name it by
            src = ip4(payload[12:16])
            iface_of.setdefault(src, set()).add(ifindex)
            outgoing.setdefault(src, set()).add(
                "out" if pkttype == PACKET_OUTGOING else "in")
            key = bytes(payload)
            if key in seen:
                errors.append(f"frame {n} is frame {seen[key]} again "
                              f"(from {src})")
            else:
                seen[key] = n
    except (OSError, ValueError) as e:
        print(f"{path}: {e}", file=sys.stderr)
        return 1
    if not iface_of and not errors:
        errors.append("no IPv4 frame at all")
    for src, ifs in sorted(iface_of.items()):
        want = {"out"} if src == KERNEL else {"in"}
        if len(ifs) != 1:
            errors.append(f"{src}'s frames were taken on interfaces "
                          f"{sorted(ifs)}, not on one")
        if outgoing[src] != want:
            errors.append(f"{src}'s frames were taken going "
                          f"{'/'.join(sorted(outgoing[src]))}, not "
                          f"{'/'.join(want)}")
    owners = {}
    for src, ifs in iface_of.items():
        for i in ifs:
            owners.setdefault(i, set()).add(src)
    for i, srcs in sorted(owners.items()):
        if len(srcs) > 1:
            errors.append(f"interface {i} carried frames of "
                          f"{', '.join(sorted(srcs))}")
    for e in errors:
        print(f"{path}: {e}", file=sys.stderr)
    if errors:
        return 1
    print(f"{path}: {count} frames, each once where it entered the bridge "
          f"({', '.join(f'{s} on {min(i)}' for s, i in sorted(iface_of.items()))})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
