#!/bin/bash
# --write FILE on demo and live: the frames crossing br0 recorded as pcap
# through capture/recorder, flushed as it runs and on exit or Ctrl-C, and
# read cleanly by tshark (when installed) and tcpstep decode; each frame
# taken once, where it entered the bridge, in the order sent (docs/wire.md);
# the inferred "wire" lines and their filters (issue 3, "Recording").
set -u
. "$(dirname "$0")/../stack/e2e_lib.sh"

# frames FILE: the TCP segments tcpstep decode finds in FILE (exit 0 only).
segments() { "$E2E_TCPSTEP" decode "$1" | grep -c ' > .*: Flags \['; }
tshark_ok() {
	command -v tshark >/dev/null || return 0
	local e
	e=$(tshark -n -r "$1" 2>&1 >/dev/null | grep -v 'Running as user')
	[ -z "$e" ] || { fail "tshark on $1: $e"; return 1; }
	tshark -n -r "$1" -Y tcp 2>/dev/null | grep -q . || fail "tshark sees no TCP in $1"
}
# points_ok FILE: each frame once, inbound on its sender's TAP (outbound on
# br0 for the kernel), and never an ACK of a segment not yet recorded,
# which a capture on br0 could show (the receiver's reply passed up before
# the frame it answers).
points_ok() {
	local o
	o=$(python3 "$(dirname "$0")/capture_points.py" "$1" 2>&1) ||
		fail "capture points of $1: $o"
	o=$("$E2E_TCPSTEP" decode --json "$1") || fail "decode --json $1 failed"
	o=$(grep -E '"(acked-unseen|prev-not-captured|out-of-order)"' <<<"$o")
	[ -z "$o" ] || fail "$1 is not in the order sent: $o"
}

# 1. demo: every segment of the exchange, in a file that reads cleanly.
run_tcpstep demo demo hello --headless --seed 3 --msl 0.5 --timeout 30 \
	--write "$e2e_tmp/demo.pcap"
check_eq "demo exit status" "$rc" 0
check_eq "demo stderr" "$err" ""
tshark_ok "$e2e_tmp/demo.pcap"
points_ok "$e2e_tmp/demo.pcap"
d=$("$E2E_TCPSTEP" decode "$e2e_tmp/demo.pcap")
check_eq "decode of the recording exits 0" "$?" 0
# SYN, SYN-ACK, data, its ACK, FIN+data, FIN-ACK, last ACK: at least 7.
n=$(printf '%s\n' "$d" | grep -c ' > .*: Flags \[')
[ "$n" -ge 7 ] || fail "only $n segments recorded"
check_match "the SYN" "$d" '192\.0\.2\.3\.[0-9]+ > 192\.0\.2\.2\.8888: Flags \[S\], seq 0'
check_match "the last ACK" "$d" 'conn 1 192\.0\.2\.3:[0-9]+ LAST_ACK -> CLOSED \(rcvd ACK of FIN\)'
# The inferred lines are there, beside the true ones, and say the same.
check_match "inferred line" "$out" '^wire conn 1 192\.0\.2\.2:8888 FIN_WAIT_1 -> (FIN_WAIT_2|TIME_WAIT) '
check_match "inferred TIME_WAIT end" "$out" '^wire conn 1 192\.0\.2\.2:8888 TIME_WAIT -> CLOSED \(2MSL timer\)$'
check_match "true line" "$out" '^server 192\.0\.2\.2:8888 192\.0\.2\.3:[0-9]+ TIME_WAIT -> CLOSED '

# 2. Filters: --only wire, --no-wire, --no-states.
run_tcpstep onlywire demo hello --headless --seed 3 --msl 0.5 --timeout 30 --only wire
check_eq "--only wire exit" "$rc" 0
check_eq "--only wire prints only wire lines" "$(grep -vc '^wire conn ' <<<"$out")" 0
check_match "--only wire has the handshake" "$out" '^wire conn 1 192\.0\.2\.3:[0-9]+ SYN_SENT -> ESTABLISHED \(rcvd SYN-ACK\)$'
run_tcpstep nowire demo hello --headless --seed 3 --msl 0.5 --timeout 30 --no-wire
check_eq "--no-wire exit" "$rc" 0
check_no_match "--no-wire" "$out" '^wire '
check_match "--no-wire keeps true lines" "$out" '^client .* SYN_SENT -> ESTABLISHED '
run_tcpstep nostates demo hello --headless --seed 3 --msl 0.5 --timeout 30 --no-states
check_no_match "--no-states drops inferred lines too" "$out" ' -> '

# 3. Ctrl-C in the middle (the server waits 1 s before its reply): what was
#    captured is in the file, complete records only.
"$E2E_TCPSTEP" demo hello --headless --seed 3 --msl 0.5 --timeout 30 \
	--write "$e2e_tmp/int.pcap" >"$e2e_tmp/int.out" 2>"$e2e_tmp/int.err" &
pid=$!
wait_for "$e2e_tmp/int.out" '^\[Message\]' 10 || fail "no [Message] before SIGINT"
kill -INT "$pid"
wait "$pid"
rc=$?
check_eq "SIGINT exit status" "$rc" 130
check_clean "$pid" "interrupted demo"
"$E2E_TCPSTEP" decode "$e2e_tmp/int.pcap" >"$e2e_tmp/int.txt" 2>&1
check_eq "decode of the interrupted recording exits 0" "$?" 0
check_match "the data segment was flushed" "$(cat "$e2e_tmp/int.txt")" \
	'192\.0\.2\.3\.[0-9]+ > 192\.0\.2\.2\.8888: Flags \[P\.\], seq 1:23, ack 1, .*length 22'
tshark_ok "$e2e_tmp/int.pcap"

# 4. live: a kernel peer's segments are recorded too.
if command -v nc >/dev/null; then
	run_tcpstep live live --headless --msl 0.5 --timeout 30 --wait-closed \
		--write "$e2e_tmp/live.pcap" \
		--exec "(printf 'Hi\n'; sleep 1.5) | nc -q 0 192.0.2.2 8888"
	check_eq "live exit status" "$rc" 0
	tshark_ok "$e2e_tmp/live.pcap"
	points_ok "$e2e_tmp/live.pcap"
	d=$("$E2E_TCPSTEP" decode "$e2e_tmp/live.pcap")
	check_match "the kernel's SYN" "$d" '192\.0\.2\.1\.[0-9]+ > 192\.0\.2\.2\.8888: Flags \[S\]'
	check_match "the kernel's data" "$d" '192\.0\.2\.1\.[0-9]+ > 192\.0\.2\.2\.8888: Flags \[P\.\], seq 1:4, '
	check_match "inferred kernel endpoint" "$out" '^wire conn 1 192\.0\.2\.1:[0-9]+ CLOSED -> SYN_SENT \(sent SYN\)$'
fi

# 5. A file that cannot be written: one message naming the file once and
#    saying why, nothing left behind; on every live command.
run_tcpstep badwrite demo hello --headless --write /nonexistent-dir/x.pcap
check_eq "unwritable --write exit" "$rc" 1
check_eq "unwritable --write message" "$err" \
	"tcpstep demo hello: cannot record: /nonexistent-dir/x.pcap: No such file or directory"
run_tcpstep badpcap live --headless --pcap /nonexistent-dir/x.pcap --exec true
check_eq "live: unwritable --pcap exit" "$rc" 1
check_eq "live: unwritable --pcap message" "$err" \
	"tcpstep live: cannot record: /nonexistent-dir/x.pcap: No such file or directory"
run_tcpstep badplay play --headless --write "$e2e_tmp" --script /dev/null
check_eq "play: --write DIR exit" "$rc" 1
check_eq "play: --write DIR message" "$err" "tcpstep play: cannot record: $e2e_tmp: Is a directory"
# A write that fails while the session runs: said once, the session ends.
run_tcpstep fullwrite demo hello --headless --msl 0.5 --timeout 30 --write /dev/full
check_eq "--write /dev/full exit" "$rc" 1
check_eq "--write /dev/full message" "$err" \
	"tcpstep: recording: /dev/full: cannot write: No space left on device; ending the session"
run_tcpstep emptywrite demo hello --headless --write ''
check_eq "empty --write exit" "$rc" 2
run_tcpstep stdoutwrite demo hello --headless --write -
check_eq "--write - (the events' stdout) exit" "$rc" 2
check_match "says why" "$err" "would mix the capture with the event lines"

e2e_done
