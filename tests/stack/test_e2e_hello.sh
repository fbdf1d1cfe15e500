#!/bin/bash
# The article's hello exchange between the lwIP server and the lwIP client
# (tcpstep demo hello): both apps' output exact, and the true state
# sequences on both ends (issue 2, "How it is checked").
set -u
. "$(dirname "$0")/e2e_lib.sh"

# 1. The server's output alone, exactly as the article's server prints it.
run_tcpstep server demo hello --headless --seed 7 --msl 1 --only server --no-states --timeout 30
check_eq "demo exit status" "$rc" 0
port=$(printf '%s\n' "$out" | sed -n '3s/^192\.0\.2\.3:\([0-9][0-9]*\)$/\1/p')
[ -n "$port" ] || fail "no client address on the third server line"
# Byte for byte, newlines included.
printf '%s\n' "192.0.2.2:8888で受付開始しました" "[Remote Address]" "192.0.2.3:$port" \
	"[Message]" "Hello, 192.0.2.2:8888" >"$e2e_tmp/server.want"
cmp -s "$e2e_tmp/server.want" "$e2e_tmp/server.out" ||
	check_eq "server output" "$out" "$(cat "$e2e_tmp/server.want")"

# 2. The client's, same seed so the same port: Go's fmt.Println of a reply
#    that ends in "\n" prints an empty line after it.
run_tcpstep client demo hello --headless --seed 7 --msl 1 --only client --no-states --timeout 30
check_eq "demo exit status" "$rc" 0
printf 'Hello, 192.0.2.3:%s\n\n' "$port" >"$e2e_tmp/client.want"
if ! cmp -s "$e2e_tmp/client.want" "$e2e_tmp/client.out"; then
	fail "client output"
	od -c "$e2e_tmp/client.out" | head -5 >&2
fi

# 3. Everything: true state changes of both ends, in order.
run_tcpstep all demo hello --headless --seed 7 --msl 1 --timeout 30
check_eq "demo exit status" "$rc" 0
check_eq "stderr is empty" "$err" ""
s=$(transitions server "$out")
c=$(transitions client "$out")
listen=$(printf '%s\n' "$out" | grep -c '^server 192\.0\.2\.2:8888 0\.0\.0\.0:0 CLOSED -> LISTEN (')
check_eq "server listens once" "$listen" 1
sc=$(printf '%s\n' "$out" | awk -v r="192.0.2.3:$port" '$1 == "server" && $3 == r && $5 == "->" { print $4 " -> " $6 }' | tr '\n' ' ')
# lwIP's listener makes a new pcb in SYN_RCVD; the server is the active
# closer: FIN_WAIT_1, then FIN_WAIT_2 or straight to TIME_WAIT when the
# client's FIN carries the ACK; TIME_WAIT ends by the 2MSL timer.
case "$sc" in
"CLOSED -> SYN_RCVD SYN_RCVD -> ESTABLISHED ESTABLISHED -> FIN_WAIT_1 FIN_WAIT_1 -> FIN_WAIT_2 FIN_WAIT_2 -> TIME_WAIT TIME_WAIT -> CLOSED "|\
"CLOSED -> SYN_RCVD SYN_RCVD -> ESTABLISHED ESTABLISHED -> FIN_WAIT_1 FIN_WAIT_1 -> TIME_WAIT TIME_WAIT -> CLOSED ") ;;
*) fail "server connection states: $sc" ;;
esac
cc=$(printf '%s\n' "$out" | awk -v l="192.0.2.3:$port" '$1 == "client" && $2 == l && $5 == "->" { print $4 " -> " $6 }' | tr '\n' ' ')
check_eq "client connection states" "$cc" "CLOSED -> SYN_SENT SYN_SENT -> ESTABLISHED ESTABLISHED -> CLOSE_WAIT CLOSE_WAIT -> LAST_ACK LAST_ACK -> CLOSED "
check_match "TIME_WAIT ends by the 2MSL timer" "$out" "^server 192\.0\.2\.2:8888 192\.0\.2\.3:$port TIME_WAIT -> CLOSED \(.*2MSL"
# The apps' lines are all there, as in runs 1 and 2.
apps=$(printf '%s\n' "$out" | grep -Ev '^(server|client) [0-9.]+:[0-9]+ [0-9.]+:[0-9]+ [A-Z_0-9]+ -> |^wire conn ' | sort)
want=$(printf '%s\n' "192.0.2.2:8888で受付開始しました" "[Remote Address]" "192.0.2.3:$port" "[Message]" "Hello, 192.0.2.2:8888" "Hello, 192.0.2.3:$port" "" | sort)
check_eq "app lines of the full run" "$apps" "$want"

# 4. The article's first step: the server handles one connection and
#    exits; the demo still ends once TIME_WAIT is over.
run_tcpstep once demo hello --headless --server-mode once --msl 0.5 --timeout 30
check_eq "once: exit status" "$rc" 0
check_match "once: the listener closes" "$out" '^server 192\.0\.2\.2:8888 0\.0\.0\.0:0 LISTEN -> CLOSED '
check_match "once: TIME_WAIT ends" "$out" '^server 192\.0\.2\.2:8888 192\.0\.2\.3:[0-9]+ TIME_WAIT -> CLOSED '
check_eq "once: stderr is empty" "$err" ""

# 5. Options are checked.
run_tcpstep bad1 demo hello --seed -1
check_eq "bad --seed exit" "$rc" 2
check_match "bad --seed message" "$err" "--seed wants a whole number"
run_tcpstep bad2 demo hello --msl 0
check_eq "bad --msl exit" "$rc" 2
run_tcpstep bad3 demo hello --server-mode sometimes
check_eq "bad --server-mode exit" "$rc" 2
run_tcpstep bad4 demo goodbye
check_eq "unknown demo exit" "$rc" 2
run_tcpstep bad5 demo hello --only router
check_eq "bad --only exit" "$rc" 2

e2e_done
