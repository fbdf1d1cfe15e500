#!/bin/bash
# Stepping (issue 2): while paused, N steps release exactly N frames; no
# timer fires however long the pause (a SYN held for 10 s of real time is
# sent once, never retransmitted); "advance" moves the clock exactly to the
# next timer deadline.
set -u
. "$(dirname "$0")/e2e_lib.sh"
command -v tcpdump >/dev/null || skip "needs tcpdump to read the recordings"

frames() { tcpdump -r "$1" -nn -t 2>/dev/null | grep -c .; }

# 1. Both nodes paused from the start. Step until the client's SYN is the
#    frame it holds (ARP first), hold it 10 s, then finish the handshake.
cat >"$e2e_tmp/step.script" <<'S'
server listen 8888
client connect 192.0.2.2:8888
sleep 1000
client step
server step
client step
server step
client step
server step
sleep 10000
client step
server step
client step
server step
client step
server step
client step
server step
sleep 1000
S
run_tcpstep step play --headless --paused --raw --msl 1 --timeout 60 \
	--pcap "$e2e_tmp/step.pcap" --script "$e2e_tmp/step.script"
check_eq "step: play exit status" "$rc" 0
steps=$(printf '%s\n' "$out" | grep -Ec '^(server|client) ok step$')
check_eq "step: frames on the wire = steps that released one" "$(frames "$e2e_tmp/step.pcap")" "$steps"
[ "$steps" -ge 5 ] || fail "step: only $steps steps released a frame"
wire=$(tcpdump -r "$e2e_tmp/step.pcap" -nn -t tcp 2>/dev/null)
check_eq "step: one SYN, never retransmitted" "$(printf '%s\n' "$wire" | grep -c 'Flags \[S\],')" 1
check_eq "step: one SYN+ACK" "$(printf '%s\n' "$wire" | grep -c 'Flags \[S\.\],')" 1
check_match "step: the client got ESTABLISHED" "$out" '^client state [0-9]+ 192\.0\.2\.3:[0-9]+ 192\.0\.2\.2:8888 SYN_SENT ESTABLISHED '
check_match "step: the server got ESTABLISHED" "$out" '^server state [0-9]+ 192\.0\.2\.2:8888 192\.0\.2\.3:[0-9]+ SYN_RCVD ESTABLISHED '
# The paused clocks did not move during the 10 s hold: every state change
# happened at a virtual time under one second.
late=$(printf '%s\n' "$out" | awk '$2 == "state" && $3 >= 1000')
check_eq "step: virtual time stood still" "$late" ""
# Nothing crossed before the first step: the first frame is the first step's.
first=$(tcpdump -r "$e2e_tmp/step.pcap" -nn -tt 2>/dev/null | head -1 | cut -d' ' -f1)
last=$(tcpdump -r "$e2e_tmp/step.pcap" -nn -tt 2>/dev/null | tail -1 | cut -d' ' -f1)
span=$(awk -v a="$first" -v b="$last" 'BEGIN { printf "%d", b - a }')
[ "$span" -ge 10 ] || fail "step: the frames span $span s, not the 10 s hold"

# 2. advance: with the client paused holding its SYN (the server never
#    answers: it is paused and never stepped), each advance moves the
#    client's clock to exactly the NEXT deadline it reported before.
cat >"$e2e_tmp/adv.script" <<'S'
server listen 8888
client connect 192.0.2.2:8888
sleep 300
client advance
client advance
client advance
S
run_tcpstep adv play --headless --paused --raw --msl 1 --timeout 60 \
	--script "$e2e_tmp/adv.script"
check_eq "advance: play exit status" "$rc" 0
clocks=$(printf '%s\n' "$out" | grep -E '^client clock |^client ok advance$')
# Each advance's clock event comes before its "ok" (docs/control-protocol.md).
bad=$(printf '%s\n' "$clocks" | awk '
	$2 == "clock" { n++; t[n] = $3; nx[n] = $6; next }
	$2 == "ok" {
		adv++
		if (n < 2) { print "no clock events around advance " adv; next }
		if (t[n] != nx[n - 1]) print "advance " adv " landed at " t[n] ", announced " nx[n - 1]
		if (nx[n - 1] == "-") print "advance " adv " without a timer"
	}
	END { if (adv != 3) print adv " advances answered" }')
check_eq "advance: the clock lands on the announced deadline" "$bad" ""

e2e_done
