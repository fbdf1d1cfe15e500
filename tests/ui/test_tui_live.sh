#!/bin/bash
# Root: the live demo in the UI as a teacher uses it, in tmux at 100x30:
# `tcpstep demo hello` opens paused before the first segment, with the
# client's SYN held; each n sends exactly one segment (the connection's
# segment count goes up by one, the ladder shows it, the states move as the
# headless demo says); Left goes back and Right returns; t fires the next
# timer; Space runs every node and the exchange ends (CLOSED on both ends,
# TIME_WAIT included); q exits 0 and leaves no namespace, no node process
# and the terminal as it was (stty -a equal). Then at 80x24, Ctrl-C.
#
# usage: test_tui_live.sh TCPSTEP
set -u
tcpstep=$(realpath "${1:?usage: $0 TCPSTEP}")

if [ "$(id -u)" != 0 ]; then
	echo "SKIP: needs root (a live session makes a network namespace and TAPs)"
	exit 77
fi
if ! command -v tmux >/dev/null; then
	echo "SKIP: tmux is not installed (scripts/setup.sh installs it)"
	exit 77
fi

tmp=$(mktemp -d)
sock="$tmp/tmux.sock"
failures=0
cleanup() {
	tmux -S "$sock" kill-server 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

T() { tmux -S "$sock" "$@"; }
screen() { T capture-pane -p -t ui; }
keys() { T send-keys -t ui "$@"; }

fail() {
	echo "FAIL: $*" >&2
	echo "--- screen:" >&2
	screen >&2
	failures=$((failures + 1))
}

wait_for() {
	local re=$1 limit=${2:-8} i
	for ((i = 0; i < limit * 20; i++)); do
		screen | grep -Eq -- "$re" && return 0
		sleep 0.05
	done
	return 1
}

expect() {
	if wait_for "$1" "${3:-8}"; then
		echo "ok   $2"
	else
		fail "$2: no /$1/ on the screen"
	fi
}

# The connection row's segment count.
segs() {
	screen | sed -n 's/^│ *1 192\.0\.2\.3:[0-9]* *192\.0\.2\.2:8888 *[A-Z_12]* *[A-Z_12]* *\([0-9]*\) .*/\1/p' | head -1
}

nodes_left() { pgrep -x tcpstep-node | wc -l; }
netns_left() { ip netns list 2>/dev/null | grep -c '^tcpstep-' ; }

T new-session -d -s keep -x 80 -y 24 "sleep 600"

start() {
	local name=$1 w=$2 h=$3
	T kill-session -t ui 2>/dev/null
	T new-session -d -s ui -x "$w" -y "$h" "env TERM=xterm-256color LANG=C.UTF-8 LC_ALL=C.UTF-8 sh"
	T set-option -t ui status off >/dev/null
	wait_for '^[$#]' || fail "$name: no shell prompt"
	keys "stty -a > $tmp/$name.before; $tcpstep demo hello --seed 1 --msl 0.5; echo rc=\$? > $tmp/$name.rc; stty -a > $tmp/$name.after" Enter
}

finished() {
	local name=$1 want=$2 i
	for ((i = 0; i < 200; i++)); do
		[ -s "$tmp/$name.after" ] && break
		sleep 0.05
	done
	if [ ! -s "$tmp/$name.after" ]; then
		fail "$name: the UI did not end"
	elif ! cmp -s "$tmp/$name.before" "$tmp/$name.after"; then
		fail "$name: stty -a differs after: $(diff "$tmp/$name.before" "$tmp/$name.after" | head -5)"
	elif ! grep -q "rc=$want" "$tmp/$name.rc"; then
		fail "$name: exit status $(cat "$tmp/$name.rc"), not $want"
	else
		echo "ok   $name: ended with $want, the terminal as it was"
	fi
	for ((i = 0; i < 40; i++)); do
		[ "$(nodes_left)" = 0 ] && [ "$(netns_left)" = 0 ] && break
		sleep 0.05
	done
	[ "$(nodes_left)" = 0 ] || fail "$name: tcpstep-node processes left: $(pgrep -ax tcpstep-node)"
	[ "$(netns_left)" = 0 ] || fail "$name: namespaces left: $(ip netns list)"
}

# --- 100x30: stepping the whole exchange -------------------------------------
start live 100 30
expect 'LIVE paused: 1 held at client' "opens paused, the client's SYN held" 15
expect 'Connections \(0\)' "nothing on the wire yet"
keys n
expect '│[> ] *5 .*SYN seq=0' "n: the SYN on the wire, in the ladder"
expect '1 held at server' "its SYN-ACK waits at the paused server"
# The wire cannot tell yet that the server listened: its answer decides
# it (docs/states.md, "decided later").
expect '192\.0\.2\.3:[0-9]+ +192\.0\.2\.2:8888 +SYN_SENT +CLOSED' "client SYN_SENT; the server's state not yet known from the wire"
[ "$(segs)" = 1 ] || fail "one segment after one n (segs: $(segs))"
keys n
expect 'SYN,ACK seq=0 ack=1' "n: the SYN-ACK"
expect '192\.0\.2\.3:[0-9]+ +192\.0\.2\.2:8888 +ESTABLISHED +SYN_RCVD' "client ESTABLISHED, server SYN_RCVD (decided by its SYN-ACK)"
[ "$(segs)" = 2 ] || fail "two segments after two n (segs: $(segs))"
keys n
expect '192\.0\.2\.3:[0-9]+ +192\.0\.2\.2:8888 +ESTABLISHED +ESTABLISHED' "n: the ACK: both ESTABLISHED"
[ "$(segs)" = 3 ] || fail "three segments after three n (segs: $(segs))"
# Back through what happened, and forward to the present again.
before=$(screen | grep -o 'pkt [0-9]*/[0-9]*' | head -1)
keys Left
expect 'pkt 6/' "Left: one segment back (the SYN-ACK)"
keys Right
expect "$before" "Right: the present again ($before)"
# Send what is held, then fire timers until the server's reply comes.
for i in $(seq 1 5); do keys n; sleep 0.3; done
keys t
expect 'fired: ' "t: a timer fired, and which is said"
# Run everything: the exchange ends, TIME_WAIT's 2 x MSL (1 s) included.
keys ' '
expect 'LIVE running' "Space: every node runs"
expect '192\.0\.2\.3:[0-9]+ +192\.0\.2\.2:8888 +CLOSED +CLOSED' "the exchange ends: CLOSED both ends" 15
keys q
finished live 0

# --- 80x24: Ctrl-C mid-lesson ------------------------------------------------
start ctrlc 80 24
expect 'LIVE paused' "80x24: opens paused" 15
keys n
expect 'SYN seq=0' "80x24: n sends the SYN"
keys C-c
finished ctrlc 130

if [ "$failures" -ne 0 ]; then
	echo "$failures failures"
	exit 1
fi
echo "all checks passed"
