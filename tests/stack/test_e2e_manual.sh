#!/bin/bash
# The socket-call playground (tcpstep play, nodes in manual mode): the
# scenarios of the 2006 notes, with true states on both ends and the
# segments on the wire (issue 2, "How it is checked").
set -u
. "$(dirname "$0")/e2e_lib.sh"
command -v tcpdump >/dev/null || skip "needs tcpdump to read the recordings"

# play NAME: runs the script on stdin with a recording; $out, $err, $rc,
# $wire (tcpdump's text of the TCP segments, no times).
play() {
	local name=$1
	cat >"$e2e_tmp/$name.script"
	run_tcpstep "$name" play --headless --msl 1 --timeout 60 \
		--pcap "$e2e_tmp/$name.pcap" --script "$e2e_tmp/$name.script"
	wire=$(tcpdump -r "$e2e_tmp/$name.pcap" -nn -t tcp 2>/dev/null)
	check_eq "$name: play exit status" "$rc" 0
	[ "$rc" = 0 ] || printf '%s\n' "$err" | sed 's/^/  stderr| /' >&2
}

# seq_of NODE: the node's transitions on its (only) connection, one line.
seq_of() {
	printf '%s\n' "$out" | awk -v n="$1" '$1 == n && $5 == "->" && $3 != "0.0.0.0:0" { printf "%s ", $6 }'
}

count() { printf '%s\n' "$wire" | grep -Ec -- "$1"; }

# Half-close: the client shuts down writing (FIN) and can still receive.
play halfclose <<'S'
server listen 8888
client connect 192.0.2.2:8888
wait client ESTABLISHED
wait server ESTABLISHED
client shutdown $conn
wait client FIN_WAIT_2
wait server CLOSE_WAIT
server send $conn still%20here%0A
sleep 300
server close $conn
wait server CLOSED
wait client TIME_WAIT
wait client CLOSED 5000
S
check_eq "half-close: client states" "$(seq_of client)" "SYN_SENT ESTABLISHED FIN_WAIT_1 FIN_WAIT_2 TIME_WAIT CLOSED "
check_eq "half-close: server states" "$(seq_of server)" "SYN_RCVD ESTABLISHED CLOSE_WAIT LAST_ACK CLOSED "
check_match "half-close: data reaches the half-closed client" "$wire" '192\.0\.2\.2\.8888 > 192\.0\.2\.3\.[0-9]+: Flags \[P\.\].* length 11'
check_eq "half-close: no RST" "$(count 'Flags \[R')" 0

# Abort (SO_LINGER 0): RST, no TIME_WAIT on either side.
play abort <<'S'
server listen 8888
client connect 192.0.2.2:8888
wait client ESTABLISHED
wait server ESTABLISHED
client abort $conn
wait server CLOSED
S
check_eq "abort: client states" "$(seq_of client)" "SYN_SENT ESTABLISHED CLOSED "
check_eq "abort: server states" "$(seq_of server)" "SYN_RCVD ESTABLISHED CLOSED "
check_eq "abort: one RST from the client" "$(count '192\.0\.2\.3\.[0-9]+ > 192\.0\.2\.2\.8888: Flags \[R')" 1
check_no_match "abort: no TIME_WAIT" "$out" "TIME_WAIT"
check_eq "abort: no FIN" "$(count 'Flags \[F')" 0

# Connect to a closed port: the server's stack answers RST.
play closedport <<'S'
client connect 192.0.2.2:9999
wait client CLOSED
S
check_eq "closed port: client states" "$(seq_of client)" "SYN_SENT CLOSED "
check_eq "closed port: RST from port 9999" "$(count '192\.0\.2\.2\.9999 > 192\.0\.2\.3\.[0-9]+: Flags \[R\.\]')" 1

# Data after close: the client has closed (tcp_close), the server still
# sends; lwIP answers data on a closed pcb with RST (tcp_in.c, TF_RXCLOSED).
play afterclose <<'S'
server listen 8888
client connect 192.0.2.2:8888
wait client ESTABLISHED
wait server ESTABLISHED
client close $conn
wait client FIN_WAIT_2
wait server CLOSE_WAIT
server send $conn late%0A
wait client CLOSED
wait server CLOSED
S
check_eq "data after close: client states" "$(seq_of client)" "SYN_SENT ESTABLISHED FIN_WAIT_1 FIN_WAIT_2 CLOSED "
check_eq "data after close: server states" "$(seq_of server)" "SYN_RCVD ESTABLISHED CLOSE_WAIT CLOSED "
check_eq "data after close: RST from the client" "$(count '192\.0\.2\.3\.[0-9]+ > 192\.0\.2\.2\.8888: Flags \[R')" 1

# Simultaneous close: both FINs are sent before either arrives (both nodes
# paused, FINs held, then released one by one): both go through CLOSING.
play simclose <<'S'
server listen 8888
client connect 192.0.2.2:8888
wait client ESTABLISHED
wait server ESTABLISHED
sleep 300
server pause
client pause
server close $conn
client close $conn
server step
client step
server run
client run
wait server CLOSED 5000
wait client CLOSED 5000
S
check_eq "simultaneous close: client states" "$(seq_of client)" "SYN_SENT ESTABLISHED FIN_WAIT_1 CLOSING TIME_WAIT CLOSED "
check_eq "simultaneous close: server states" "$(seq_of server)" "SYN_RCVD ESTABLISHED FIN_WAIT_1 CLOSING TIME_WAIT CLOSED "

# Connect before the app accepts: the listening stack completes the
# handshake and acknowledges data a kernel client sends at once, before the
# server app has done anything with the connection.
play early <<'S'
server listen 8888
exec (printf 'early\n'; sleep 1) | nc -q 0 192.0.2.2 8888
wait server ESTABLISHED
wait server CLOSE_WAIT
server close $conn
wait server CLOSED
wait-exec 5000
S
check_match "early: the kernel's data" "$wire" '192\.0\.2\.1\.[0-9]+ > 192\.0\.2\.2\.8888: Flags \[P\.\].* length 6'
check_match "early: acknowledged by lwIP" "$wire" '192\.0\.2\.2\.8888 > 192\.0\.2\.1\.[0-9]+: Flags \[\.\], ack 7,'
check_match "early: the server saw the data" "$out" '^server #[0-9]+ received: early\\n$'
check_eq "early: no retransmitted data" "$(count '192\.0\.2\.1\.[0-9]+ > 192\.0\.2\.2\.8888: Flags \[P\.\].* length 6')" 1

# A call lwIP refuses is reported with lwIP's reason in words (lwip_strerr
# is "" in a build without LWIP_DEBUG), and the session goes on.
play duplisten <<'S'
server listen 8888
server listen 8888
S
check_match "second listen: the reason" "$err" '^tcpstep: server: error listen-failed: address in use \(lwIP ERR_USE, EADDRINUSE\)$'

# Script errors are reported with the line.
printf 'server listen 8888\nwait server NOT_A_STATE\n' >"$e2e_tmp/bad.script"
run_tcpstep bad play --headless --script "$e2e_tmp/bad.script"
check_eq "bad script exit" "$rc" 1
check_match "bad script message" "$err" "bad.script:2: unknown state 'NOT_A_STATE'"

# Script input is bounded: a line (here of NUL bytes, which a line-length
# check by strlen would miss) longer than the protocol allows is refused at
# once, without reading on, and a NUL byte in a short line is refused too.
head -c 10000000 /dev/zero >"$e2e_tmp/nul.script"
run_tcpstep nul play --headless --timeout 30 --script "$e2e_tmp/nul.script"
check_eq "NUL script exit" "$rc" 1
check_match "NUL script message" "$err" "nul.script:1: line too long"
printf 'server listen 8888\n\0\n' >"$e2e_tmp/nul2.script"
run_tcpstep nul2 play --headless --timeout 30 --script "$e2e_tmp/nul2.script"
check_eq "NUL byte exit" "$rc" 1
check_match "NUL byte message" "$err" "nul2.script:2: NUL byte"

# --timeout is one deadline for the whole script: a long sleep line, and a
# pipe that says nothing, both end at the deadline with 124.
elapsed_since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }
printf 'server listen 8888\nsleep 600000\n' >"$e2e_tmp/long.script"
t0=$(date +%s.%N)
run_tcpstep long play --headless --timeout 2 --script "$e2e_tmp/long.script"
took=$(elapsed_since "$t0")
check_eq "long sleep: exit status" "$rc" 124
check_match "long sleep: says so" "$err" "long.script:2: gave up after 2 s \(--timeout\)"
awk -v t="$took" 'BEGIN { exit !(t < 6) }' || fail "long sleep: --timeout 2 took $took s"
t0=$(date +%s.%N)
# (a process substitution, so `wait` waits for tcpstep alone; sleep's
# stderr away from meson's pipe, so meson need not wait for it)
"$E2E_TCPSTEP" play --headless --timeout 2 >"$e2e_tmp/quiet.out" 2>"$e2e_tmp/quiet.err" < <(sleep 10 2>/dev/null) &
e2e_pid=$!
wait "$e2e_pid"
rc=$?
took=$(elapsed_since "$t0")
check_clean "$e2e_pid" "quiet pipe"
check_eq "quiet pipe: exit status" "$rc" 124
check_match "quiet pipe: says so" "$(cat "$e2e_tmp/quiet.err")" "stdin: gave up after 2 s \(--timeout\) waiting for line 1"
awk -v t="$took" 'BEGIN { exit !(t < 6) }' || fail "quiet pipe: --timeout 2 took $took s"
# and SIGTERM while it waits for a line ends it at once, cleanly.
"$E2E_TCPSTEP" play --headless >"$e2e_tmp/term.out" 2>"$e2e_tmp/term.err" < <(sleep 10 2>/dev/null) &
e2e_pid=$!
sleep 1
kill -TERM "$e2e_pid"
wait "$e2e_pid"
rc=$?
check_clean "$e2e_pid" "SIGTERM while reading"
check_eq "SIGTERM while reading: exit status" "$rc" 143

e2e_done
