#!/bin/bash
# Same --seed, same run: the same event sequence (both nodes, in one
# order) and the same segments on the wire (ISNs, ports), apart from wall
# times. A different seed gives different ISNs.
set -u
. "$(dirname "$0")/e2e_lib.sh"
command -v tcpdump >/dev/null || skip "needs tcpdump to read the recordings"

# The wire without times or MAC addresses: "IP a.b.c.d.port > ...: Flags
# [S], seq N, ..." with absolute sequence numbers (-S).
wire_full() { tcpdump -r "$1" -nn -S -t tcp 2>/dev/null | sed 's/, options \[.*\]//'; }
# One node's lines.
of() { printf '%s\n' "$2" | grep "^$1 "; }

for i in 1 2 3; do
	seed=42
	[ "$i" = 3 ] && seed=43
	run_tcpstep "run$i" demo hello --headless --raw --seed "$seed" --msl 1 \
		--timeout 30 --pcap "$e2e_tmp/run$i.pcap"
	check_eq "run $i exit status" "$rc" 0
	# --raw has the nodes' virtual clock readings (ms since the node
	# started), which follow wall time: drop them, and the timers events,
	# whose deadlines and number follow the TCP timer's phase.
	eval "out$i=\$(printf '%s\n' \"\$out\" | grep -v '^[a-z]* clock \|^[a-z]* timers ' | sed -E 's/^([a-z]+ state) [0-9]+ /\1 /')"
	eval "wire$i=\$(wire_full \"\$e2e_tmp/run$i.pcap\")"
done
[ -n "$wire1" ] || fail "nothing recorded"
check_match "the recording has the SYN" "$wire1" "192\.0\.2\.3\.[0-9]+ > 192\.0\.2\.2\.8888: Flags \[S\], seq [0-9]+"
check_eq "same seed: same server events" "$(of server "$out1")" "$(of server "$out2")"
check_eq "same seed: same client events" "$(of client "$out1")" "$(of client "$out2")"
# and the same interleaving: the lines are merged by their stamps
# (docs/control-protocol.md "Ordering"), the `ok quit`s at the end too
check_eq "same seed: same events of both nodes, in one order" "$out1" "$out2"
check_eq "same seed: same segments" "$wire1" "$wire2"
isn() { printf '%s\n' "$1" | sed -n 's/.*Flags \[S\], seq \([0-9]*\).*/\1/p' | head -1; }
[ "$(isn "$wire1")" != "$(isn "$wire3")" ] || fail "seeds 42 and 43 gave the same client ISN $(isn "$wire1")"

# Without a seed, runs differ (ISN from /dev/urandom).
run_tcpstep r4 demo hello --headless --msl 1 --timeout 30 --pcap "$e2e_tmp/r4.pcap"
run_tcpstep r5 demo hello --headless --msl 1 --timeout 30 --pcap "$e2e_tmp/r5.pcap"
[ "$(isn "$(wire_full "$e2e_tmp/r4.pcap")")" != "$(isn "$(wire_full "$e2e_tmp/r5.pcap")")" ] ||
	fail "two unseeded runs gave the same ISN"

e2e_done
