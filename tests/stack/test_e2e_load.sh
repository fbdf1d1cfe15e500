#!/bin/bash
# Load (issue 2): 200 concurrent kernel connections to the lwIP server,
# bounded in count and time and inside the session namespace, exhaust
# lwIP's pools gracefully (refused, reset or dropped; the node does not
# crash) and the server serves normally afterwards.
set -u
. "$(dirname "$0")/e2e_lib.sh"
command -v python3 >/dev/null || skip "needs python3"
command -v tcpdump >/dev/null || skip "needs tcpdump to read the recording"

run_tcpstep load live --headless --msl 1 --timeout 90 --no-states \
	--pcap "$e2e_tmp/load.pcap" --exec "python3 '$E2E_DIR/e2e_load.py' 200 20"
check_eq "load script status (final exchange exact, all ended in time)" "$rc" 0
# The load script's output comes as "kernel LINE" (escaped: \ is \\).
check_match "tally" "$out" '^kernel load: 200 connections: served [0-9]+'
served=$(printf '%s\n' "$out" | sed -n 's/^kernel load: 200 connections: served \([0-9]*\).*/\1/p')
[ "${served:-0}" -ge 1 ] || fail "no connection of the 200 was served"
check_match "the server answered the final exchange" "$out" "^kernel load: final reply b'Hello, 192\.0\.2\.1:[0-9]+\\\\\\\\n'$"
check_match "and printed its message" "$out" '^after the load$'
check_no_match "the node did not die" "$err" "node server"
# The pools really ran out: SYNs were dropped (the kernel sent some again)
# or connections refused or reset.
syns=$(tcpdump -r "$e2e_tmp/load.pcap" -nn -t 'tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn' 2>/dev/null | grep -c .)
turned=$(printf '%s\n' "$out" | sed -n 's/^kernel load: .*refused \([0-9]*\), reset \([0-9]*\).*/\1 \2/p')
echo "load: $syns SYNs for 201 connections; refused, reset: $turned"
[ "$syns" -gt 201 ] || [ "${turned:-0 0}" != "0 0" ] ||
	fail "200 connections did not exhaust the server's pools (no SYN dropped, none refused)"
printf '%s\n' "$out" | grep '^kernel load:'

e2e_done
