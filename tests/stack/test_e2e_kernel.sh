#!/bin/bash
# Kernel peers inside the session namespace (tcpstep live): nc and curl
# against the lwIP server, and the lwIP client against a kernel nc server.
set -u
. "$(dirname "$0")/e2e_lib.sh"
command -v nc >/dev/null || skip "needs nc (netcat-openbsd)"
command -v curl >/dev/null || skip "needs curl"

# 1. nc sends a line; the server prints it and answers "Hello, <nc's addr>".
#    Debian's nc -q shuts down its sending side (FIN) when its stdin ends,
#    which would make the kernel the first closer; keeping stdin open 2 s
#    lets the server close first, as in the article, then -q 0 quits.
run_tcpstep nc live --headless --msl 1 --timeout 30 --wait-closed \
	--exec "(printf 'Hi from the kernel\n'; sleep 2) | nc -q 0 192.0.2.2 8888"
check_eq "live exit status is nc's" "$rc" 0
# nc's own output comes among the events as "kernel LINE".
port=$(printf '%s\n' "$out" | sed -n 's/^kernel Hello, 192\.0\.2\.1:\([0-9][0-9]*\)$/\1/p')
[ -n "$port" ] || fail "nc did not print the server's reply"
check_eq "server output with nc" "$(grep -Ev '^(server|wire) ' <<<"$out")" "192.0.2.2:8888で受付開始しました
[Remote Address]
192.0.2.1:$port
[Message]
Hi from the kernel
kernel Hello, 192.0.2.1:$port"
sc=$(printf '%s\n' "$out" | awk -v r="192.0.2.1:$port" '$1 == "server" && $3 == r && $5 == "->" { print $4 " -> " $6 }' | tr '\n' ' ')
case "$sc" in
"CLOSED -> SYN_RCVD SYN_RCVD -> ESTABLISHED ESTABLISHED -> FIN_WAIT_1 FIN_WAIT_1 -> FIN_WAIT_2 FIN_WAIT_2 -> TIME_WAIT TIME_WAIT -> CLOSED "|\
"CLOSED -> SYN_RCVD SYN_RCVD -> ESTABLISHED ESTABLISHED -> FIN_WAIT_1 FIN_WAIT_1 -> TIME_WAIT TIME_WAIT -> CLOSED ") ;;
*) fail "server states with nc: $sc" ;;
esac

# 2. curl: the server speaks no HTTP. It prints curl's request as the
#    message and answers "Hello, ...\n", which curl >= 7.66 refuses as an
#    HTTP/0.9 reply (exit 1, "Received HTTP/0.9 when not allowed"); the
#    article's older curl said "Empty reply from server". Both are the
#    expected complaint. With --http0.9 curl shows the reply.
run_tcpstep curl live --headless --msl 1 --timeout 30 \
	--exec "curl -sS http://192.0.2.2:8888/"
check_eq "live exit status is curl's (HTTP/0.9 refused)" "$rc" 1
check_match "curl's complaint" "$err" "HTTP/0\.9|Empty reply"
check_match "the request is the message" "$out" '^GET / HTTP/1\.1\\r$'
check_match "curl's Host header" "$out" '^Host: 192\.0\.2\.2:8888\\r$'

run_tcpstep curl09 live --headless --msl 1 --timeout 30 --no-states \
	--exec "curl -sS --http0.9 http://192.0.2.2:8888/"
check_eq "curl --http0.9 exit status" "$rc" 0
check_match "curl shows the reply" "$out" '^kernel Hello, 192\.0\.2\.1:[0-9]+$'

# 3. The lwIP client against a kernel server that COMMAND starts (nc -l on
#    the kernel's address); the client retries while refused.
run_tcpstep kserver live --headless --msl 1 --timeout 30 --wait-closed \
	--client-to 192.0.2.1:9000 \
	--exec "printf 'Hi from the kernel server\n' | nc -l -q 5 192.0.2.1 9000"
check_eq "live exit status is nc's" "$rc" 0
check_match "the client's message reached nc" "$out" '^kernel Hello, 192\.0\.2\.1:9000$'
check_match "the client printed the reply" "$out" '^Hi from the kernel server$'
cc=$(printf '%s\n' "$out" | awk '$1 == "client" && $3 == "192.0.2.1:9000" && $5 == "->" { print $4 " -> " $6 }' | tr '\n' ' ')
# Attempts refused before nc listened (RST: SYN_SENT -> CLOSED, retried).
while [ "${cc#CLOSED -> SYN_SENT SYN_SENT -> CLOSED }" != "$cc" ]; do
	cc=${cc#CLOSED -> SYN_SENT SYN_SENT -> CLOSED }
done
case "$cc" in
# The client closes first here (after one reply), so it is the active closer.
"CLOSED -> SYN_SENT SYN_SENT -> ESTABLISHED ESTABLISHED -> FIN_WAIT_1 FIN_WAIT_1 -> FIN_WAIT_2 FIN_WAIT_2 -> TIME_WAIT TIME_WAIT -> CLOSED "|\
"CLOSED -> SYN_SENT SYN_SENT -> ESTABLISHED ESTABLISHED -> FIN_WAIT_1 FIN_WAIT_1 -> TIME_WAIT TIME_WAIT -> CLOSED "|\
"CLOSED -> SYN_SENT SYN_SENT -> ESTABLISHED ESTABLISHED -> CLOSE_WAIT CLOSE_WAIT -> LAST_ACK LAST_ACK -> CLOSED "|\
"CLOSED -> SYN_SENT SYN_SENT -> ESTABLISHED ESTABLISHED -> FIN_WAIT_1 FIN_WAIT_1 -> CLOSING CLOSING -> TIME_WAIT TIME_WAIT -> CLOSED ") ;;
*) fail "client states against the kernel server: $cc" ;;
esac

# A kernel server that ends the moment it has served the client (nc sends
# its FIN at once and exits): the client did connect, so COMMAND's 0 stands,
# even though its exit may be seen before the client's ESTABLISHED is read.
run_tcpstep kquick live --headless --msl 1 --timeout 30 \
	--client-to 192.0.2.1:9000 --exec "nc -l -q 0 192.0.2.1 9000 </dev/null"
check_eq "quick kernel server: exit status" "$rc" 0
check_match "quick kernel server: the client connected" "$out" '^client 192\.0\.2\.3:[0-9]+ 192\.0\.2\.1:9000 SYN_SENT -> ESTABLISHED'

# 4. The command's status is tcpstep's; options are checked.
run_tcpstep status live --headless --exec "exit 3"
check_eq "live passes COMMAND's status on" "$rc" 3
run_tcpstep noexec live --headless
check_eq "live without --exec" "$rc" 2
run_tcpstep badto live --headless --exec true --client-to 8.8.8.8:53
check_eq "live --client-to off the session network" "$rc" 2
check_match "says which network" "$err" "192\.0\.2\.0/24"

# 5. The kernel peer's output: prefixed "kernel", escaped like wire text,
#    and its last line printed even without a newline; hidden by --only.
run_tcpstep peerout live --headless --no-states --exec "printf 'one\\n\\033[2Jtwo\\nlast'"
check_eq "peer output status" "$rc" 0
check_eq "peer output lines" "$(grep '^kernel ' <<<"$out")" 'kernel one
kernel \x1b[2Jtwo
kernel last'
check_no_match "no raw escape byte" "$out" $'\033'
run_tcpstep peeronly live --headless --only server --exec "echo hidden"
check_no_match "--only server hides the peer" "$out" 'hidden'

# 6. The lwIP client that cannot connect (nothing listens on 192.0.2.1:9009)
#    gives up after its 5 s of retries: live says so and exits 1 at once,
#    rather than 0 (or waiting for COMMAND).
t0=$(date +%s)
run_tcpstep giveup live --headless --timeout 60 --client-to 192.0.2.1:9009 \
	--exec "sleep 40"
took=$(($(date +%s) - t0))
check_eq "client gave up: exit status" "$rc" 1
check_match "client gave up: says so" "$err" "the lwIP client gave up: it could not connect to 192\.0\.2\.1:9009"
[ "$took" -lt 30 ] || fail "client gave up: live waited $took s for COMMAND"

#    And COMMAND ending first, while the client still retries, is no success
#    either: nothing will accept it any more (it used to exit 0). The client
#    is judged as COMMAND ends, not after its retries; COMMAND's own failure
#    status is kept.
t0=$(date +%s)
run_tcpstep cmdfirst live --headless --timeout 60 --client-to 192.0.2.1:9009 \
	--exec "sleep 1"
took=$(($(date +%s) - t0))
check_eq "COMMAND ended first: exit status" "$rc" 1
check_match "COMMAND ended first: says so" "$err" "the lwIP client never connected to 192\.0\.2\.1:9009: COMMAND ended \(status 0\)"
[ "$took" -lt 5 ] || fail "COMMAND ended first: live took $took s"
run_tcpstep cmdfirst3 live --headless --timeout 60 --client-to 192.0.2.1:9009 \
	--exec "exit 3"
check_eq "COMMAND ended first, failing: its status" "$rc" 3
check_match "COMMAND ended first, failing: says so" "$err" "the lwIP client never connected to 192\.0\.2\.1:9009: COMMAND ended \(status 3\)"

# 7. --timeout is one deadline for the whole run: COMMAND takes 4 s, then
#    --wait-closed waits on a connection nc keeps open; --timeout 5 ends
#    it all at 5 s (it used to start again after COMMAND: 9 s).
t0=$(date +%s.%N)
run_tcpstep deadline live --headless --msl 1 --timeout 5 --wait-closed \
	--exec "(printf 'Hi\\n'; sleep 30) | nc 192.0.2.2 8888 & sleep 4"
took=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
check_eq "one deadline: exit status" "$rc" 124
check_match "one deadline: says what was left" "$err" "gave up after 5 s \(--timeout\): connections still open"
awk -v t="$took" 'BEGIN { exit !(t < 8) }' || fail "one deadline: --timeout 5 took $took s"

e2e_done
