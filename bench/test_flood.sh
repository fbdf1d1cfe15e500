#!/bin/sh
# bench/flood and bench/live_flood, checked (the benchmark itself is
# bench/run.sh's, not a test):
#
#   test_flood.sh FLOOD TCPSTEP            (suite unit: no privilege)
#   test_flood.sh --live LIVE_FLOOD FLOOD TCPSTEP   (suite root)
#
# Without --live: flood refuses destinations and sources outside
# 192.0.2.0/24, floods that last over 120 s, and running in a namespace
# whose routes lead elsewhere (this one: a host or a container with a
# default route); with --pcap it writes exactly N segments, one
# connection plus a probe from a new port every 200 ms of schedule, both
# checksums right (tshark checks them when installed), the sequence
# numbers moving on by the payload; tcpstep decode reads them.
# With --live: a small flood through the live UI in a pty: the UI's exit
# line gives the capture's counters (every segment and lwIP's RST to each
# seen), the probes reach the screen, and nothing is left behind.
set -u
fails=0
fail() { echo "FAIL $*"; fails=$((fails + 1)); }
ok() { echo "ok   $*"; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/test-flood.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

if [ "${1:-}" = --live ]; then
	live_flood=$2 flood=$3 tcpstep=$4
	if [ "$(id -u)" != 0 ]; then
		echo "SKIP: needs root (a live session makes a network namespace)"
		exit 77
	fi
	"$live_flood" --tcpstep "$tcpstep" --flood "$flood" --count 4000 --rate 4000 \
		> "$tmp/out" 2> "$tmp/err"
	rc=$?
	sed 's/^/    /' "$tmp/out"
	frames=$(sed -n 's/^capture: \([0-9]*\) frames read.*/\1/p' "$tmp/out")
	# 4000 segments, lwIP's RST to each, the demo's exchange, ARP
	if [ -z "$frames" ]; then
		fail "the UI's exit line (the capture's counters) was not read: $(cat "$tmp/err")"
	elif [ "$frames" -lt 8000 ]; then
		fail "the capture saw $frames frames, fewer than the 4000 segments and their RSTs"
	else
		ok "the UI's exit line: the capture saw $frames frames"
	fi
	grep -q '^flood: sent 4000 of 4000 TCP segments' "$tmp/out" ||
		fail "the flood's report is missing or short"
	grep -q '^PASS     the flood ran and everything was cleaned up' "$tmp/out" ||
		fail "the flood did not run, or something was left behind"
	grep -Eq '^frame to screen .*: [1-9][0-9]* seen, 0 not seen' "$tmp/out" ||
		fail "the probes did not all reach the screen"
	grep -Eq '^keys .*: [1-9][0-9]* answered, 0 unanswered' "$tmp/out" ||
		fail "keys were not answered"
	# rc 1 is a missed target (a shared machine); 2 or more is an error
	[ "$rc" -le 1 ] || fail "live_flood exited $rc"
	ip netns list 2>/dev/null | grep -q "tcpstep-$(sed -n 's/.*namespace tcpstep-\([0-9]*\).*/\1/p' "$tmp/out") " &&
		fail "its namespace is still there"
	[ "$fails" = 0 ] && ok "live_flood: a small flood through the live UI, cleaned up"
	exit $((fails > 0))
fi

flood=${1:?usage: $0 FLOOD TCPSTEP}
tcpstep=${2:?usage: $0 FLOOD TCPSTEP}

# refusals: exit 2, and the reason
refuse() {
	what=$1
	shift
	"$flood" "$@" > "$tmp/out" 2> "$tmp/err"
	rc=$?
	if [ "$rc" != 2 ]; then
		fail "$what: exit $rc, not 2"
	elif ! grep -q "$what" "$tmp/err"; then
		fail "$what: the reason is not said: $(cat "$tmp/err")"
	else
		ok "refused: $what"
	fi
}
refuse "192.0.2.0/24" --dst 10.0.0.1
refuse "192.0.2.0/24" --dst 192.0.3.2
refuse "192.0.2.0/24" --dst 192.0.2.255
refuse "192.0.2.0/24" --src 198.51.100.1
refuse "more than 120 s" --count 10000 --rate 10
# Here (the test's own namespace) a route leads out of 192.0.2.0/24, or
# 192.0.2.1 is not ours: either way nothing may be sent.
"$flood" --count 10 > "$tmp/out" 2> "$tmp/err"
rc=$?
if [ "$rc" = 0 ]; then
	fail "flood sent in a namespace that is not a session's"
elif grep -Eq "refusing|no interface here has" "$tmp/err"; then
	ok "refused outside a session's namespace: $(head -1 "$tmp/err")"
else
	fail "outside a session's namespace: exit $rc, $(cat "$tmp/err")"
fi

# the dry run: 1000 segments over 0.1 s of schedule at 10k/s (probes at
# 200 ms: none), then 1000 at 1000/s (1 s: 4 probes)
"$flood" --count 1000 --rate 10000 --pcap "$tmp/a.pcap" > "$tmp/out" 2>&1 ||
	fail "--pcap: $(cat "$tmp/out")"
"$flood" --count 1000 --rate 1000 --payload 100 --pcap "$tmp/b.pcap" > "$tmp/out" 2>&1 ||
	fail "--pcap: $(cat "$tmp/out")"
grep -q "wrote 1000 TCP segments (4 probes)" "$tmp/out" || fail "--pcap: $(cat "$tmp/out")"
"$tcpstep" decode "$tmp/b.pcap" > "$tmp/b.txt" 2>&1 || fail "tcpstep decode: $(head -3 "$tmp/b.txt")"
n=$(grep -c ' > 192\.0\.2\.2\.9: ' "$tmp/b.txt")
[ "$n" = 1000 ] || fail "decode shows $n segments to 192.0.2.2:9, not 1000"
n=$(grep -c '^[0-9:.]* 192\.0\.2\.1\.40000 > ' "$tmp/b.txt")
[ "$n" = 996 ] || fail "decode shows $n segments of the flood's connection, not 996"
for p in 40001 40002 40003 40004; do
	grep -q "192\.0\.2\.1\.$p > 192\.0\.2\.2\.9: Flags \[\.\]" "$tmp/b.txt" ||
		fail "probe from port $p missing"
done
# sequence numbers: relative 1:101, 101:201, ... (payload 100)
grep -q 'seq 1:101,' "$tmp/b.txt" && grep -q 'seq 101:201,' "$tmp/b.txt" &&
	grep -q 'seq 99501:99601,' "$tmp/b.txt" ||
	fail "the flood's sequence numbers do not move on by the payload"
"$tcpstep" decode --summary "$tmp/a.pcap" > "$tmp/a.txt" 2>&1
n=$(grep -c '^conn ' "$tmp/a.txt")
[ "$n" = 1 ] || fail "0.1 s of schedule: $n connections, not 1 (no probe yet)"
[ "$fails" = 0 ] && ok "--pcap: exactly N segments, one connection and the probes, decoded"

if command -v tshark > /dev/null; then
	for f in a b; do
		bad=$(tshark -r "$tmp/$f.pcap" -o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE \
			-Y 'ip.checksum.status != 1 || tcp.checksum.status != 1' 2>/dev/null | wc -l)
		good=$(tshark -r "$tmp/$f.pcap" -o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE \
			-Y 'ip.checksum.status == 1 && tcp.checksum.status == 1' 2>/dev/null | wc -l)
		if [ "$bad" != 0 ] || [ "$good" != 1000 ]; then
			fail "$f.pcap: checksums: $good good, $bad not"
		else
			ok "$f.pcap: both checksums right on all 1000 (tshark)"
		fi
	done
else
	echo "note: tshark is not installed: checksums not checked"
fi
exit $((fails > 0))
