#!/bin/sh
# `tcpstep decode -i lo --write FILE` end to end, in a private network
# namespace this test creates with unshare (only its own loopback; it goes
# away with the process, so nothing is left behind on failure). One TCP
# exchange on 127.0.0.1:8888, then Ctrl-C (SIGINT): the capture must stop
# cleanly with exit 0, report drop counts, flush the recording; the file
# must read in tshark (when installed) and decode to the same segment
# lines the live run printed.
#   live_decode.sh TCPSTEP [COMPARE_TSHARK_PY]
set -u
T=$1
cmp=${2:-}
if [ "$(id -u)" != 0 ]; then
	echo "SKIP: needs root: captures live in a private network namespace"
	exit 77
fi
command -v unshare >/dev/null && command -v ip >/dev/null || {
	echo "SKIP: needs unshare (util-linux) and ip (iproute2)"
	exit 77
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

unshare --net sh -c '
	T=$1; tmp=$2
	ip link set lo up || exit 3
	"$T" decode -i lo --filter "tcp portrange 8888-8889" --write "$tmp/rec.pcap" \
		>"$tmp/live.txt" 2>"$tmp/live.err" &
	pid=$!
	sleep 1
	python3 "$3" || exit 4
	sleep 1
	kill -INT $pid
	wait $pid
	echo $? >"$tmp/rc"
' sh "$T" "$tmp" "$(dirname "$0")/live_traffic.py"

fail=0
rc=$(cat "$tmp/rc" 2>/dev/null || echo none)
[ "$rc" = 0 ] || { echo "FAIL live decode exit status $rc"; fail=1; }
cat "$tmp/live.err"
grep -q "frames captured, .* TCP segments, 0 dropped by kernel" "$tmp/live.err" ||
	{ echo "FAIL no drop counts reported"; fail=1; }
grep -q "frames written to" "$tmp/live.err" || { echo "FAIL recording not reported"; fail=1; }
for want in "CLOSED -> SYN_SENT (sent SYN)" "SYN_SENT -> ESTABLISHED" \
	"ESTABLISHED -> FIN_WAIT_1" "-> TIME_WAIT"; do
	grep -q -- "$want" "$tmp/live.txt" || { echo "FAIL live output lacks '$want'"; fail=1; }
done
# The recording decodes to the same segment lines (and states) as live.
"$T" decode "$tmp/rec.pcap" >"$tmp/file.txt" 2>"$tmp/file.err" ||
	{ echo "FAIL decoding the recording:"; cat "$tmp/file.err"; fail=1; }
grep -v '2MSL timer' "$tmp/live.txt" >"$tmp/live-seg.txt"
if ! diff -u "$tmp/live-seg.txt" "$tmp/file.txt"; then
	echo "FAIL recording decodes differently from the live run"
	fail=1
fi
# how each kernel connection ended, as the summary infers it
"$T" decode --summary "$tmp/rec.pcap" >"$tmp/summary.txt"
cat "$tmp/summary.txt"
for want in "client CLOSED, server TIME_WAIT.*closed by server" \
	":8889: client CLOSED, server CLOSED.*refused (SYN answered by RST)" \
	"client TIME_WAIT, server CLOSED.*closed by client" \
	"client CLOSED, server CLOSED.*reset by client"; do
	grep -q -- "$want" "$tmp/summary.txt" || { echo "FAIL summary lacks '$want'"; fail=1; }
done
n=$(grep -c ' Flags \[' "$tmp/file.txt")
[ "$n" -ge 8 ] || { echo "FAIL only $n segments recorded"; fail=1; }
if command -v tshark >/dev/null; then
	tn=$(tshark -r "$tmp/rec.pcap" -Y tcp 2>/dev/null | wc -l)
	[ "$tn" = "$n" ] || { echo "FAIL tshark reads $tn TCP frames, tcpstep $n"; fail=1; }
	echo "tshark reads $tn TCP frames from the recording"
	# a real kernel exchange (timestamps, window scaling): numbers as tshark's
	if [ -n "$cmp" ] && ! python3 "$cmp" "$T" "$tmp/rec.pcap"; then
		echo "FAIL the recording's segments differ from tshark's"
		fail=1
	fi
else
	echo "note: tshark not installed; recording checked with tcpstep only"
fi
cat "$tmp/live.txt"

# A recording that cannot be written: exit 1, and the reason said once
# (the flush and the close both fail with it). --preserve-status: whether
# tcpstep stops at the failed flush or at the Ctrl-C, its own status counts.
unshare --net sh -c '
	ip link set lo up || exit 3
	timeout --preserve-status -s INT 2 "$1" decode -i lo --write /dev/full 2>"$2/full.err"
	echo $? >"$2/full.rc"
' sh "$T" "$tmp"
frc=$(cat "$tmp/full.rc" 2>/dev/null || echo none)
[ "$frc" = 1 ] || { echo "FAIL --write /dev/full exit status $frc"; fail=1; }
nfull=$(grep -c '/dev/full: cannot write: No space left on device' "$tmp/full.err")
[ "$nfull" = 1 ] || { echo "FAIL the /dev/full error is said $nfull times:"; cat "$tmp/full.err"; fail=1; }

[ $fail = 0 ] && echo "ok   live decode, Ctrl-C, recording"
exit $fail
