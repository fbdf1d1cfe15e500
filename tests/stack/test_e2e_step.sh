#!/bin/bash
# Stepping (issue 2): while paused, N steps release exactly N frames; no
# timer fires however long the pause (a SYN held for 10 s of real time is
# sent once, never retransmitted); "advance" moves the clock exactly to the
# next timer deadline.
set -u
. "$(dirname "$0")/e2e_lib.sh"
command -v tcpdump >/dev/null || skip "needs tcpdump to read the recordings"

tcp_frames() { tcpdump -r "$1" -nn -t tcp 2>/dev/null | grep -c .; }

# 1. Both nodes paused from the start. The node holds IP frames only (ARP
#    resolves at once), so the client's SYN is held from its connect. Hold
#    it 10 s of real time, then step the handshake through, one segment a
#    step; extra steps find nothing held and release nothing.
cat >"$e2e_tmp/step.script" <<'S'
server listen 8888
client connect 192.0.2.2:8888
sleep 10000
client step
server step
client step
server step
client step
sleep 1000
S
run_tcpstep step play --headless --paused --raw --msl 1 --timeout 60 \
	--pcap "$e2e_tmp/step.pcap" --script "$e2e_tmp/step.script"
check_eq "step: play exit status" "$rc" 0
steps=$(printf '%s\n' "$out" | grep -Ec '^(server|client) ok step$')
check_eq "step: steps that released a frame" "$steps" 3
check_eq "step: TCP segments on the wire = those steps" "$(tcp_frames "$e2e_tmp/step.pcap")" "$steps"
check_eq "step: steps with nothing held" "$(printf '%s\n' "$out" | grep -Ec '^(server|client) error nothing-held')" 2
wire=$(tcpdump -r "$e2e_tmp/step.pcap" -nn -t tcp 2>/dev/null)
check_eq "step: one SYN, never retransmitted" "$(printf '%s\n' "$wire" | grep -c 'Flags \[S\],')" 1
check_eq "step: one SYN+ACK" "$(printf '%s\n' "$wire" | grep -c 'Flags \[S\.\],')" 1
check_match "step: the client got ESTABLISHED" "$out" '^client state [0-9]+ 192\.0\.2\.3:[0-9]+ 192\.0\.2\.2:8888 SYN_SENT ESTABLISHED '
check_match "step: the server got ESTABLISHED" "$out" '^server state [0-9]+ 192\.0\.2\.2:8888 192\.0\.2\.3:[0-9]+ SYN_RCVD ESTABLISHED '
# The paused clocks did not move during the 10 s hold.
late=$(printf '%s\n' "$out" | awk '$2 == "state" && $3 >= 1000')
check_eq "step: virtual time stood still" "$late" ""
# The SYN crossed 10 s after the connect's ARP request: it was held.
arp=$(tcpdump -r "$e2e_tmp/step.pcap" -nn -tt arp 2>/dev/null | grep 'tell 192\.0\.2\.3' | head -1 | cut -d' ' -f1)
syn=$(tcpdump -r "$e2e_tmp/step.pcap" -nn -tt tcp 2>/dev/null | grep 'Flags \[S\],' | head -1 | cut -d' ' -f1)
held=$(awk -v a="${arp:-0}" -v b="${syn:-0}" 'BEGIN { printf "%d", b - a }')
[ -n "$arp" ] && [ -n "$syn" ] && [ "$held" -ge 10 ] ||
	fail "step: the SYN crossed ${held} s after the ARP request, not after the 10 s hold"

# 2. advance: with the client paused holding its SYN (the server never
#    answers: it is paused and never stepped), each advance moves the
#    client's clock to exactly the NEXT deadline its status reported.
cat >"$e2e_tmp/adv.script" <<'S'
server listen 8888
client connect 192.0.2.2:8888
sleep 300
client status
client advance
client status
client advance
client status
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
