#!/usr/bin/env python3
"""Compares, segment by segment, what `tcpstep decode --json` says with what
tshark says on the same capture: relative seq and ack, flags and TCP
payload length must be identical, and both must see TCP segments in the
same frames. Frames that are not segments of a connection are left out on
both sides, each for a stated reason: IP fragments (tshark reassembles
them, tcpstep decodes the first alone), ICMP errors (tshark dissects the
quoted TCP header; tcpstep rightly does not), and TCP headers shorter
than 20 bytes (tshark shows a bogus header; tcpstep reports it malformed),
or longer than the IP payload (tshark: a short segment with no length;
tcpstep: malformed).

With --times, each segment's time stamp must be tshark's too, to the
microsecond tcpstep prints (frame.time_epoch, truncated); a frame without
one in tshark (a pcapng simple packet block) is left out of that check.

It also compares how frames are grouped into connections: tshark's
tcp.stream against tcpstep's conn (a SYN-ACK's syn_pkt/syn_conn moves the
SYN frames it names, docs/states.md). Each connection is paired with the
stream of its first frame and the other way round; a frame whose pairs
disagree is a difference.

Differences that follow from a documented rule (docs/states.md: a SYN
with a new ISN that is not answered by a SYN-ACK stays in the old
connection, where Wireshark starts a new stream) are given with
--differ NAME:FRAMES (FRAMES like 20-25,30): those frames must differ, in
numbers or in grouping, and are not counted as failures; a listed frame
that agrees fails too, so a stale list is noticed.

usage: compare_tshark.py [--times] TCPSTEP [--differ NAME:FRAMES]... CAPTURE...
(exit 77 without tshark)
"""
from decimal import Decimal
import json
import shutil
import subprocess
import sys


def tshark_rows(path):
    fields = ["frame.number", "frame.time_epoch", "tcp.stream", "tcp.seq", "tcp.ack", "tcp.flags", "tcp.len",
              "tcp.hdr_len", "icmp.type", "icmpv6.type", "ip.flags.mf",
              "ip.frag_offset", "ipv6.fraghdr.offset", "ipv6.fraghdr.more"]
    cmd = ["tshark", "-n", "-r", path, "-T", "fields", "-E", "separator=\t",
           "-E", "occurrence=f"]
    # Wireshark's defaults for the numbers we compare, spelled out so a
    # user's preferences file cannot change them.
    cmd += ["-o", "tcp.relative_sequence_numbers:TRUE",
            "-o", "tcp.analyze_sequence_numbers:TRUE"]
    for f in fields:
        cmd += ["-e", f]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    rows, skipped, times, streams = {}, {}, {}, {}
    for line in out.splitlines():
        v = dict(zip(fields, line.split("\t")))
        frame = int(v["frame.number"])
        if v["ip.flags.mf"] in ("1", "True") or v["ip.frag_offset"] not in ("", "0") \
                or v["ipv6.fraghdr.offset"] not in ("", "0") \
                or v["ipv6.fraghdr.more"] in ("1", "True"):
            skipped[frame] = "IP fragment"
            continue
        if v["tcp.seq"] == "":
            continue
        if v["icmp.type"] or v["icmpv6.type"]:
            skipped[frame] = "TCP header quoted in an ICMP error"
            continue
        if v["tcp.hdr_len"] and int(v["tcp.hdr_len"]) < 20:
            skipped[frame] = "TCP header length below 20"
            continue
        if v["tcp.len"] == "":
            skipped[frame] = "TCP header longer than the IP payload"
            continue
        rows[frame] = (int(v["tcp.seq"]), int(v["tcp.ack"] or 0),
                       int(v["tcp.flags"], 16) & 0xff, int(v["tcp.len"]))
        if v["frame.time_epoch"]:
            times[frame] = int(Decimal(v["frame.time_epoch"]) * 1000000)
        streams[frame] = int(v["tcp.stream"])
    return rows, skipped, times, streams


FLAG_BITS = {"F": 0x01, "S": 0x02, "R": 0x04, "P": 0x08, ".": 0x10,
             "U": 0x20, "E": 0x40, "W": 0x80}


def tcpstep_rows(tcpstep, path):
    out = subprocess.run([tcpstep, "decode", "--json", path], check=True,
                         capture_output=True, text=True).stdout
    rows, times, conns = {}, {}, {}
    for line in out.splitlines():
        o = json.loads(line)
        if o["type"] != "segment":
            continue
        flags = 0 if o["flags"] == "none" else sum(FLAG_BITS[c] for c in o["flags"])
        rows[o["pkt"]] = (o["seq"], o["ack"], flags, o["len"])
        # the raw text of "ts" (a float would round it)
        ts = line.split('"ts":', 1)[1].split(",", 1)[0]
        times[o["pkt"]] = int(Decimal(ts) * 1000000)
        conns[o["pkt"]] = o["conn"]
        if "syn_pkt" in o:
            for f in conns:
                if f >= o["syn_pkt"] and f < o["pkt"] and conns[f] == o["syn_conn"]:
                    conns[f] = o["conn"]
    return rows, times, conns


def grouping_differs(conns, streams):
    """Frames whose connection and tshark stream are not each other's pair."""
    first_c, first_s = {}, {}
    for f in sorted(conns):
        if f in streams:
            first_c.setdefault(conns[f], streams[f])
            first_s.setdefault(streams[f], conns[f])
    return {f for f in conns if f in streams and
            (first_c[conns[f]] != streams[f] or first_s[streams[f]] != conns[f])}


def parse_frames(text):
    out = set()
    for part in text.split(","):
        lo, _, hi = part.partition("-")
        out.update(range(int(lo), int(hi or lo) + 1))
    return out


def main():
    argv = sys.argv[1:]
    check_times = bool(argv) and argv[0] == "--times"
    if check_times:
        argv = argv[1:]
    if len(argv) < 2:
        print(__doc__)
        return 2
    if not shutil.which("tshark"):
        print("SKIP: tshark is not installed (apt-get install tshark)")
        return 77
    tcpstep, args, differ = argv[0], argv[1:], {}
    while len(args) >= 2 and args[0] == "--differ":
        name, _, frames = args[1].partition(":")
        differ[name] = parse_frames(frames)
        args = args[2:]
    failures, compared = 0, 0
    for path in args:
        want, skipped, want_t, streams = tshark_rows(path)
        got, got_t, conns = tcpstep_rows(tcpstep, path)
        for frame in skipped:
            got.pop(frame, None)
            conns.pop(frame, None)
        name = path.rsplit("/", 1)[-1]
        expected = differ.pop(name, set())
        regrouped = grouping_differs(conns, streams)
        for frame in sorted(set(want) | set(got)):
            w, g = want.get(frame), got.get(frame)
            bad = w != g or frame in regrouped
            if bad and frame in expected:
                continue
            if not bad and frame in expected:
                failures += 1
                print(f"FAIL {name} frame {frame}: listed with --differ but agrees")
            elif w != g:
                failures += 1
                print(f"FAIL {name} frame {frame}: tshark (seq, ack, flags, len) = {w}, "
                      f"tcpstep = {g}")
            elif bad:
                failures += 1
                print(f"FAIL {name} frame {frame}: tshark stream {streams[frame]}, "
                      f"tcpstep conn {conns[frame]}: grouped differently")
            elif check_times and frame in want_t and want_t[frame] != got_t.get(frame):
                failures += 1
                print(f"FAIL {name} frame {frame}: tshark time {want_t[frame]} us, "
                      f"tcpstep {got_t.get(frame)} us")
        compared += len(want)
        print(f"ok   {name}: {len(want)} segments"
              + (f", left out {dict(sorted(skipped.items()))}" if skipped else "")
              + (f", differing as documented: {sorted(expected)}" if expected else ""))
    for name in differ:
        failures += 1
        print(f"FAIL --differ names {name}, which was not compared")
    print(f"{compared} segments compared, {failures} differences")
    return 1 if failures or not compared else 0


if __name__ == "__main__":
    sys.exit(main())
