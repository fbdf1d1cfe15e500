#!/bin/bash
# Root: the live demo in the UI as a teacher uses it, in tmux at 100x30:
# `tcpstep demo hello` opens paused before the first segment, with the
# client's SYN held; each n sends exactly one segment (the connection's
# segment count goes up by one, the ladder shows it, the states move as the
# headless demo says); Left goes back and Right returns; t fires the next
# timer; Space runs every node and the exchange ends (CLOSED on both ends,
# TIME_WAIT included); q exits 0 and leaves no namespace, no node process
# and the terminal as it was (stty -a equal). Then at 80x24, Ctrl-C; then a
# node SIGKILLed mid-lesson is shown dead and the screen stays usable; the
# playground's half-close and abort keys; and without a live session, the
# reason and the recording.
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

# A live session is slower to answer than a file: give the screen 8 s.
EXPECT_SECONDS=8
. "$(dirname "$0")/tmux_lib.sh"

# The connection row's segment count.
segs() {
	screen | sed -n 's/^│ *1 192\.0\.2\.3:[0-9]* *192\.0\.2\.2:8888\( *[A-Z_12]*[*!]\{0,1\}\)\{4\} *\([0-9]*\) .*/\2/p' | head -1
}

# Our own processes only (other tests may run sessions at the same time):
# each run's tcpstep and its nodes carry a marker in their environment.
marked() {
	local p
	for p in /proc/[0-9]*; do
		grep -qaz "^TCPSTEP_TEST_MARK=$1\$" "$p/environ" 2>/dev/null && echo "${p#/proc/}"
	done
}
# tcpstep and its nodes (not the shell that runs it)
ours() {
	local p
	for p in $(marked "$mark"); do
		case "$(cat /proc/$p/comm 2>/dev/null)" in
		tcpstep | tcpstep-node) echo "$p" ;;
		esac
	done
}
nodes_left() { ours | wc -l; }
netns_left() { ip netns list 2>/dev/null | grep -c "^tcpstep-$tpid\b" ; }

# start NAME W H [TCPSTEP ARGS]: the UI in a shell in tmux (default: the
# hello demo).
start() {
	local name=$1 w=$2 h=$3 i args=${4:-demo hello --seed 1 --msl 0.5}
	mark="$name-$$"
	T kill-session -t ui 2>/dev/null
	T new-session -d -s ui -x "$w" -y "$h" "env TERM=xterm-256color LANG=C.UTF-8 LC_ALL=C.UTF-8 TCPSTEP_TEST_MARK=$mark sh"
	T set-option -t ui status off >/dev/null
	wait_for '^[$#]' || fail "$name: no shell prompt"
	keys "stty -a > $tmp/$name.before; $tcpstep $args; echo rc=\$? > $tmp/$name.rc; stty -a > $tmp/$name.after" Enter
	# its tcpstep, whose namespace is tcpstep-PID
	tpid=
	for ((i = 0; i < 100; i++)); do
		for p in $(marked "$mark"); do
			[ "$(cat /proc/$p/comm 2>/dev/null)" = tcpstep ] && tpid=$p
		done
		[ -n "$tpid" ] && break
		sleep 0.05
	done
	[ -n "$tpid" ] || fail "$name: tcpstep did not start"
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
	[ "$(nodes_left)" = 0 ] || fail "$name: processes left: $(ours | xargs -r ps -o pid=,args= -p)"
	[ "$(netns_left)" = 0 ] || fail "$name: namespaces left: $(ip netns list)"
}

# --- 100x30: stepping the whole exchange -------------------------------------
start live 100 30
expect 'LIVE paused: 1 held at client' "opens paused, the client's SYN held" 15
expect 'Connections \(0\)' "nothing on the wire yet"
expect '│ +│ ‖ 1 held at client \(n sends it\) +│' "the held SYN waits at the client's lifeline in the ladder"
keys n
expect '│[> ] *5 .*SYN seq=0' "n: the SYN on the wire, in the ladder"
expect '1 held at server' "its SYN-ACK waits at the paused server"
# The wire cannot tell yet that the server listened: its answer decides
# it (docs/states.md, "decided later").
expect 'client wire  client lwIP  server wire  server lwIP' "the wire's and lwIP's states side by side"
expect '192\.0\.2\.3:[0-9]+ +192\.0\.2\.2:8888 +SYN_SENT +SYN_SENT +CLOSED +SYN_RCVD\*' "client SYN_SENT; the server's state not yet known from the wire, lwIP's SYN_RCVD marked: its SYN-ACK is held"
[ "$(segs)" = 1 ] || fail "one segment after one n (segs: $(segs))"
keys n
expect 'SYN,ACK seq=0 ack=1' "n: the SYN-ACK"
expect '192\.0\.2\.3:[0-9]+ +192\.0\.2\.2:8888 +ESTABLISHED +ESTABLISHED +SYN_RCVD +SYN_RCVD ' "client ESTABLISHED, server SYN_RCVD (decided by its SYN-ACK), lwIP agreeing"
[ "$(segs)" = 2 ] || fail "two segments after two n (segs: $(segs))"
keys n
expect '192\.0\.2\.3:[0-9]+ +192\.0\.2\.2:8888 +ESTABLISHED +ESTABLISHED +ESTABLISHED +ESTABLISHED ' "n: the ACK: both ESTABLISHED, on the wire and in lwIP"
[ "$(segs)" = 3 ] || fail "three segments after three n (segs: $(segs))"
# Back through what happened, and forward to the present again.
before=$(screen | grep -o 'pkt [0-9]*/[0-9]*' | head -1)
keys Left
expect 'pkt 6/' "Left: one segment back (the SYN-ACK)"
keys Right
expect "$before" "Right: the present again ($before)"
# One classroom clock: + and - change every node's speed together.
keys +
expect "every node.s clock at 2x" "+: every node's clock at 2x"
expect 'LIVE paused 2x' "the status line says the speed"
keys -
expect "every node.s clock at 1x" "-: back to 1x"
# Send what is held, then fire timers until the server's reply comes.
for i in $(seq 1 5); do keys n; sleep 0.3; done
keys t
expect 'fired: ' "t: a timer fired, and which is said"
# Run everything: the exchange ends, TIME_WAIT's 2 x MSL (1 s) included.
keys ' '
expect 'LIVE running' "Space: every node runs"
expect '192\.0\.2\.3:[0-9]+ +192\.0\.2\.2:8888 +CLOSED +CLOSED +CLOSED +CLOSED' "the exchange ends: CLOSED both ends" 15
expect 'Output \(apps, kernel peer\)' "the apps' output has a pane of its own"
expect 'server: \[Message\]' "the article's server's lines in it"
expect 'client: Hello, 192\.0\.2\.3:[0-9]+' "and the client's"
# A kernel peer, as in the article: curl to the lwIP server.
keys '!'
expect 'kernel peer command \(Enter runs\): curl -sS --http0\.9 http://192\.0\.2\.2:8888/' "! offers curl to the server"
# a space typed at the prompt is the command's, not the clocks'
keys ' '
keys BSpace
keys Enter
expect 'kernel: Hello, 192\.0\.2\.1:[0-9]+' "curl's answer from the lwIP server appears" 10
expect 'Connections \(2\)' "its connection is on the wire too"
keys q
finished live 0

# --- 80x24: Ctrl-C mid-lesson ------------------------------------------------
start ctrlc 80 24
expect 'LIVE paused' "80x24: opens paused" 15
keys n
expect 'SYN seq=0' "80x24: n sends the SYN"
keys C-c
finished ctrlc 130

# --- A node killed mid-lesson: shown dead, the rest usable, q cleans up --------
start dead 100 30
expect 'LIVE paused' "opens paused" 15
keys n
expect 'SYN seq=0' "n sends the SYN"
expect 'lwIP now: client SYN_SENT' "lwIP's own states atop the explanation"
# this run's client node only (other tests may run sessions meanwhile)
victim=
for p in $(ours); do
	tr '\0' ' ' < /proc/$p/cmdline 2>/dev/null | grep -q -- '--name client' && victim=$p
done
[ -n "$victim" ] && kill -KILL "$victim" || fail "no client node of this run to kill"
expect 'client DEAD' "the killed node is shown dead"
keys '?'
expect 'Keys \(' "the screen still answers keys (? opens the help)"
keys Escape
reject 'Keys \(' "and closes it"
keys q
finished dead 0

# --- The socket playground: half-close from the client, abort at the server --
start play 110 30
expect 'LIVE paused' "opens paused" 15
for i in 1 2 3; do keys n; sleep 0.4; done
expect '192\.0\.2\.3:[0-9]+ +192\.0\.2\.2:8888 +ESTABLISHED +ESTABLISHED +ESTABLISHED +ESTABLISHED' "handshake done"
keys w
expect 'shutdown\(write\) at: c client, s server' "w asks which end"
keys c
expect 'client: shutdown\(write\) done' "the client's half-close is done"
expect '1 held at client' "its FIN waits at the paused client"
keys n
# On the wire the server's CLOSE_WAIT is decided by its ACK of the FIN,
# still held at it; lwIP's own state says it at once.
expect '192\.0\.2\.3:[0-9]+ +192\.0\.2\.2:8888 +FIN_WAIT_1 +FIN_WAIT_1 +ESTABLISHED +CLOSE_WAIT\*' "n: the FIN on the wire: client FIN_WAIT_1; lwIP's server in CLOSE_WAIT already, its ACK held"
expect 'lwIP now: client FIN_WAIT_1, server CLOSE_WAIT' "lwIP: the server is in CLOSE_WAIT already"
keys X
keys s
expect 'server: abort done' "the server aborts (linger 0)"
for i in 1 2 3; do keys n; sleep 0.4; done
expect '│←.* RST(,ACK)? seq=' "the server's RST on the wire, in the ladder"
expect '192\.0\.2\.3:[0-9]+ +192\.0\.2\.2:8888 +CLOSED +CLOSED +CLOSED +CLOSED' "RST: both CLOSED, no TIME_WAIT, in lwIP too"
keys q
finished play 0

# --- d then t: a lost segment and its retransmission ------------------------
start drop 110 30
expect 'LIVE paused' "opens paused" 15
keys n
sleep 0.4
keys n
expect 'SYN,ACK seq=0 ack=1' "the SYN-ACK is in"
keys d
keys s
expect 'server: drop the next segment arriving done' "d s: the server drops the next arriving segment"
keys n
expect 'len=22' "the client's data on the wire (lost at the server)"
expect '│[> ] *7 +│─+ PSH,ACK seq=1 ack=1 len=22 LOST ─+× │' "the ladder draws it lost, short of the server's lifeline"
expect 'Dropped at server by d \(drop-next-in\)' "the explanation says where it was dropped"
keys t
expect 'fired: client.s tcp timer' "t: the client's timer fires, straight to what it does"
expect '1 held at client' "its retransmission waits at the paused client"
expect '│ +│ ‖ 1 held at client \(n sends it\) +│' "the ladder shows it waiting at the client's lifeline"
keys n
expect 'RETRANS' "n: the retransmission, marked in the ladder"
expect '│[> ] *8 +│─+ PSH,ACK seq=1 ack=1 len=22 RETRANS ─+→│' "the retransmission reaches the server, below the lost one"
expect '│ +7 +│─+ PSH,ACK seq=1 ack=1 len=22 LOST ─+× │' "the lost arrow stays drawn"
# A kernel peer while the nodes are paused: its segments cannot be held.
keys '!'
expect 'kernel peer command' "! at a paused session"
keys Enter
expect 'kernel 192\.0\.2\.1 sent: it cannot be paused' "the screen says the kernel's segment was not held" 10
keys q
finished drop 0

# --- The playground: tcpstep play, every socket call by key --------------------
start playground 100 30 'play --msl 0.5'
expect 'LIVE paused' "play opens paused, two lwIP nodes and nothing else" 15
expect 'playground: l listen, c connect, s send' "the output pane says what to press"
keys l
expect 'listen at: c client, s server' "l asks which node"
keys s
expect 'server: listen on port \(Enter\): 8888_' "listen offers the article's port"
keys Enter
expect 'server: listen done' "the server listens"
keys c c
expect 'client: connect to \(Enter\): 192\.0\.2\.2:8888_' "connect offers the server's listener"
keys BSpace BSpace BSpace BSpace x Enter
expect "connect: '192\\.0\\.2\\.2:x' is not IP:PORT" "a bad address is said, nothing is sent"
keys c c
keys Enter
expect 'client: connect done \(n sends what it sent\)' "connect answered at once: nothing blocks"
expect '1 held at client' "its SYN waits at the paused client"
for i in 1 2 3; do keys n; sleep 0.4; done
expect '192\.0\.2\.3:[0-9]+ +192\.0\.2\.2:8888 +ESTABLISHED +ESTABLISHED +ESTABLISHED +ESTABLISHED' "three n: the handshake, wire and lwIP agreeing"
keys s c
expect 'client: send \(\\n newline, Enter\): hello\\n_' "s offers a line to send"
keys Enter
expect 'client: send done' "the client wrote it"
keys n
expect 'PSH,ACK seq=1 ack=1 len=6' "n: the 6 bytes on the wire"
expect 'server: conn [0-9]+ read 6 bytes: hello\\n' "the server's socket read them (escaped), in the output pane"
keys w c
expect 'client: shutdown\(write\) done' "w c: the client half-closes"
for i in 1 2 3; do keys n; sleep 0.4; done
expect '192\.0\.2\.3:[0-9]+ +192\.0\.2\.2:8888 +FIN_WAIT_2 +FIN_WAIT_2 +CLOSE_WAIT +CLOSE_WAIT ' "half-closed: FIN_WAIT_2 and CLOSE_WAIT, wire and lwIP agreeing"
expect 'server: conn [0-9]+ read the end \(the peer.s FIN\)' "the server read the end of the stream"
keys x s
expect 'server: close done' "x s: the server closes too"
for i in 1 2 3; do keys n; sleep 0.4; done
expect '192\.0\.2\.3:[0-9]+ +192\.0\.2\.2:8888 +TIME_WAIT +TIME_WAIT +CLOSED +CLOSED ' "closed: the client in TIME_WAIT, the server CLOSED, wire and lwIP agreeing"
# a resize in the middle of a lesson, and back
T resize-window -t ui -x 80 -y 24
expect 'client state server state' "at 80x24 the wire's states only (lwIP's in the explanation)"
# the explanation first; lwIP's view follows it there (Tab Tab: from the
# ladder to the explanation; Down scrolls it)
keys Tab Tab
for i in $(seq 1 12); do
	wait_for 'lwIP now: client TIME_WAIT,' 1 && break
	keys Down
done
expect 'lwIP now: client TIME_WAIT,' "lwIP's states in the explanation, after what happened"
T resize-window -t ui -x 100 -y 30
expect 'client wire  client lwIP  server wire  server lwIP' "back at 100x30: side by side again"
keys q
finished playground 0

# --- play --script on the screen: the script waits for the teacher's n ------
cat > "$tmp/lesson.txt" <<'SCRIPT'
# the handshake, one segment per n
server listen 8888
client connect 192.0.2.2:8888
wait client ESTABLISHED
client send $conn Hi%0A
wait server CLOSE_WAIT
SCRIPT
start script 100 30 "play --msl 0.5 --script $tmp/lesson.txt"
expect 'script: line 4: waiting for client ESTABLISHED' "the script runs to its first wait" 15
expect '1 held at client' "the client's SYN held"
for i in 1 2; do keys n; sleep 0.4; done
expect 'script: line 5: client send [0-9]+ Hi%0A' "ESTABLISHED: the script goes on, \$conn replaced"
expect 'script: line 6: waiting for server CLOSE_WAIT' "and waits again"
keys n
expect '192\.0\.2\.3:[0-9]+ +192\.0\.2\.2:8888 +ESTABLISHED +ESTABLISHED +ESTABLISHED +ESTABLISHED' "the ACK: the handshake done"
keys q
finished script 0

# --- live --exec on the screen: a kernel peer against the lwIP server --------
start kernel 100 30 "live --msl 0.5 --exec 'curl -sS --http0.9 http://192.0.2.2:8888/'"
expect '1 held at server' "the kernel's SYN came (it cannot be paused); the server's answer waits" 15
expect '192\.0\.2\.1:[0-9]+ +192\.0\.2\.2:8888 +SYN_SENT +kernel ' "a kernel end: inferred only"
keys ' '
expect 'kernel: Hello, 192\.0\.2\.1:[0-9]+' "Space: the exchange runs, curl's output in the pane" 10
expect 'kernel: \(ended, exit status 0\)' "curl's end is said"
keys q
finished kernel 0

# --- tcpstep with no arguments: the same live demo ---------------------------
T kill-session -t ui 2>/dev/null
T new-session -d -s ui -x 100 -y 30 "env TERM=xterm-256color LANG=C.UTF-8 $tcpstep; echo rc=\$? > $tmp/noargs.rc; sleep 30"
expect 'LIVE paused: 1 held at client' "tcpstep alone opens the live demo, paused" 15
keys q
for ((i = 0; i < 100; i++)); do [ -s "$tmp/noargs.rc" ] && break; sleep 0.05; done
grep -q 'rc=0' "$tmp/noargs.rc" 2>/dev/null || fail "no arguments: q did not exit 0"

# --- A live session that cannot start: the reason, and the recording --------
T kill-session -t ui 2>/dev/null
T new-session -d -s ui -x 100 -y 30 "env TERM=xterm-256color LANG=C.UTF-8 TCPSTEP_NODE=/nonexistent $tcpstep demo hello; echo rc=\$? > $tmp/fallback.rc; sleep 30"
expect 'recording \(no live demo: TCPSTEP_NODE=' "no live session: the status line says why"
expect 'pkt 1/11' "and the bundled recording opens instead"
keys q
for ((i = 0; i < 100; i++)); do [ -s "$tmp/fallback.rc" ] && break; sleep 0.05; done
grep -q 'rc=0' "$tmp/fallback.rc" 2>/dev/null || fail "fallback: q did not exit 0"

if [ "$failures" -ne 0 ]; then
	echo "$failures failures"
	exit 1
fi
echo "all checks passed"
