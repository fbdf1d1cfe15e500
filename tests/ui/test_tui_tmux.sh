#!/bin/bash
# The replay UI as a person uses it, in a real terminal (tmux): replay the
# article's hello exchange at 80x24, step with n and watch both endpoints
# move through their states in the connection list and the state diagram,
# step back, jump with g and ], resize below 80x24 and back, switch to
# Japanese, run under LANG=C (ASCII) and TERM=vt100 (no colour), and leave
# with q: the terminal's settings (stty -a) are the same before and after.
#
# usage: test_tui_tmux.sh TCPSTEP SOURCE_ROOT
set -u
tcpstep=$(realpath "${1:?usage: $0 TCPSTEP SOURCE_ROOT}")
src=$(realpath "${2:?usage: $0 TCPSTEP SOURCE_ROOT}")
pcap="$src/demos/hello/hello.pcap"

if ! command -v tmux >/dev/null; then
	echo "SKIP: tmux is not installed (scripts/setup.sh installs it)"
	exit 77
fi

. "$(dirname "$0")/tmux_lib.sh"


# conn_states CLIENT SERVER: the connection row shows both states.
conn_states() {
	expect "192\.0\.2\.3:55104 .*192\.0\.2\.2:8888 .*$1 .*$2" "connection row: client $1, server $2"
}

# start NAME ENV...: a shell in an 80x24 pane that records stty -a, runs the
# UI, then records stty -a again.
start() {
	local name=$1
	shift
	T kill-session -t ui 2>/dev/null
	T new-session -d -s ui -x 80 -y 24 "env $* sh"
	T set-option -t ui status off >/dev/null
	wait_for '^[$#]' || fail "$name: no shell prompt"
	keys "stty -a > $tmp/$name.before; $tcpstep replay $pcap $EXTRA; echo rc=\$? > $tmp/$name.rc; stty -a > $tmp/$name.after" Enter
}

# finish NAME: q leaves the UI and the terminal as it was.
finish() {
	local name=$1 i
	keys q
	for ((i = 0; i < 100; i++)); do
		[ -s "$tmp/$name.after" ] && break
		sleep 0.05
	done
	if [ ! -s "$tmp/$name.after" ]; then
		fail "$name: q did not end the UI"
	elif ! cmp -s "$tmp/$name.before" "$tmp/$name.after"; then
		fail "$name: stty -a differs after q: $(diff "$tmp/$name.before" "$tmp/$name.after" | head -5)"
	elif ! grep -q 'rc=0' "$tmp/$name.rc"; then
		fail "$name: exit status $(cat "$tmp/$name.rc")"
	else
		echo "ok   $name: q restored the terminal (stty -a equal), exit 0"
	fi
}

# --- English, UTF-8, colour ---------------------------------------------------
EXTRA=
start en TERM=xterm-256color LANG=C.UTF-8 LC_ALL=C.UTF-8
expect 'pkt 1/11 .*paused' "starts paused at the first frame"
expect 'Connections' "connections pane"
expect 'not TCP|ARP' "frame 1 is explained as not TCP"
keys n
expect 'pkt 5/11' "n goes to the first segment (the SYN, frame 5)"
conn_states SYN_SENT SYN_RCVD
expect '>  5 .*SYN seq=0' "the SYN is the current row of the ladder"
keys n
expect 'pkt 6/11' "n: the SYN-ACK"
conn_states ESTABLISHED SYN_RCVD
keys n
expect 'pkt 7/11' "n: the client's data"
conn_states ESTABLISHED ESTABLISHED
keys n n
expect 'pkt 9/11' "n n: the server's FIN"
conn_states CLOSE_WAIT FIN_WAIT_1
keys n
expect 'pkt 10/11' "n: the client's FIN"
conn_states LAST_ACK TIME_WAIT
expect 'TIME_WAIT 2xMSL' "the TIME_WAIT countdown"
keys n
conn_states CLOSED TIME_WAIT
keys p p
expect 'pkt 9/11' "p p steps back"
conn_states CLOSE_WAIT FIN_WAIT_1
keys g
expect 'go to frame' "g prompts for a frame"
keys 5 Enter
expect 'pkt 5/11' "g 5 jumps to the SYN"
conn_states SYN_SENT SYN_RCVD
keys ']'
expect 'pkt 6/11' "] goes to the next state change"
keys '?'
expect 'Keys \(Up/Down scroll, any other key closes\)' "? shows the help; at 80x24 it is taller than the screen"
reject 'history: S SYN' "its last rows are below"
keys NPage NPage NPage
expect 'history: S SYN' "PgDn scrolls the help to its end"
expect 'Keys \(' "the help is still up"
keys Escape
reject 'Keys \(' "any other key closes the help"
# A click as a person makes it: the press read first, its release on its
# own a moment later (SGR mouse reports, as xterm sends them), on the status
# line, where a click does nothing. The release must not leave the UI
# waiting for more input (ncurses did, in a blocking read, when the release
# was not in the mouse mask): the resize right after it is drawn.
sgr() { keys -l $'\e'"[<$1;$(($2 + 1));$(($3 + 1))$4"; }
sgr 0 2 23 M
sleep 0.3
sgr 0 2 23 m
sleep 0.3
T resize-window -t ui -x 60 -y 20
expect 'terminal too small' "60x20 after a click's lone release: the too-small notice"
reject 'Connections' "60x20: nothing else drawn"
T resize-window -t ui -x 80 -y 24
expect 'Connections' "back to 80x24: the screen again"
expect 'pkt 6/11' "the position survived the resize"
keys L
expect '説明' "L switches to Japanese"
keys L
expect 'What happened' "L switches back to English"
expect '─|│' "UTF-8 box drawing"
finish en

# --- Japanese from the command line -------------------------------------------
EXTRA="--lang ja --at 5"
start ja TERM=xterm-256color LANG=C.UTF-8 LC_ALL=C.UTF-8
expect 'pkt 5/11' "--at 5"
expect '説明' "--lang ja: the Japanese explanation pane"
finish ja

# --- ASCII and no colour --------------------------------------------------------
EXTRA=
start ascii TERM=vt100 LANG=C LC_ALL=C
expect 'pkt 1/11' "LANG=C TERM=vt100: the UI runs"
expect '\+-+' "LANG=C: ASCII frames"
reject '─|│' "LANG=C: no box-drawing characters"
keys n
conn_states SYN_SENT SYN_RCVD
finish ascii

# --- A capture cut short: replayed up to the damage, and the status line says why
head -c $(( $(stat -c %s "$pcap") - 30 )) "$pcap" > "$tmp/cut.pcap"
T kill-session -t ui 2>/dev/null
T new-session -d -s ui -x 80 -y 24 "env TERM=xterm LANG=C.UTF-8 $tcpstep replay $tmp/cut.pcap; sleep 5"
expect 'damaged: cut short after frame 10' "a cut-short file: the status line says why"
keys End
expect 'pkt [0-9]+/[0-9]+ ' "a cut-short file: its frames can be reached"
keys q
for ((i = 0; i < 100; i++)); do
	[ "$(T display-message -p -t ui '#{pane_current_command}')" = tcpstep ] || break
	sleep 0.05
done

# --- Resized and back while the UI cannot read its signals (stopped; not
# under an interactive shell, whose job control would take the terminal
# back): it gets one SIGWINCH for both, with the size it already had, while
# tmux has cut its screen to 60x20 meanwhile. It must repaint every cell.
T kill-session -t ui 2>/dev/null
T new-session -d -s ui -x 80 -y 24 "env TERM=xterm-256color LANG=C.UTF-8 LC_ALL=C.UTF-8 $tcpstep replay $pcap --at 7; sleep 5"
T set-option -t ui status off >/dev/null
expect 'pkt 7/11' "the UI for the resize while stopped"
ui_pid=
for p in /proc/[0-9]*; do
	[ "$(cat "$p/comm" 2>/dev/null)" = tcpstep ] &&
		[ "$(cut -d' ' -f4 "$p/stat" 2>/dev/null)" = "$(T display-message -p -t ui '#{pane_pid}')" ] &&
		ui_pid=${p#/proc/}
done
tty_size() { stty -F "$(T display-message -p -t ui '#{pane_tty}')" size; }
# until_size ROWS COLS: the pane's tty has that size (tmux sets it up to
# 250 ms after the resize)
until_size() {
	local i
	for ((i = 0; i < 100; i++)); do
		[ "$(tty_size)" = "$1 $2" ] && return 0
		sleep 0.05
	done
	return 1
}
if [ -z "$ui_pid" ]; then
	fail "resize while stopped: no tcpstep process under the pane"
else
	whole=$(screen)
	kill -STOP "$ui_pid"
	T resize-window -t ui -x 60 -y 20
	until_size 20 60 || fail "resize while stopped: the tty never became 60x20"
	T resize-window -t ui -x 80 -y 24
	until_size 24 80 || fail "resize while stopped: the tty never came back to 80x24"
	kill -CONT "$ui_pid"
	for ((i = 0; i < 100; i++)); do
		[ "$(screen)" = "$whole" ] && break
		sleep 0.05
	done
	if [ "$(screen)" = "$whole" ]; then
		echo "ok   resized and back while stopped: the screen is whole again"
	else
		fail "resized and back while stopped: the screen differs from before"
	fi
fi
keys q

# --- An unusable TERM: a clear message, exit 2
T kill-session -t ui 2>/dev/null
T new-session -d -s ui -x 80 -y 24 "sh"
wait_for '^[$#]' || fail "TERM=dumb: no shell prompt"
keys "TERM=dumb $tcpstep replay $pcap; echo rc=\$?" Enter
expect 'rc=2' "TERM=dumb: exit 2"
expect 'TERM|terminal' "TERM=dumb: a message that names the terminal"

# --- Not a terminal -------------------------------------------------------------
"$tcpstep" replay "$pcap" >"$tmp/pipe.out" 2>&1 </dev/null
rc=$?
out=$(cat "$tmp/pipe.out")
if [ "$rc" = 2 ] && grep -q 'not a terminal' <<<"$out"; then
	echo "ok   replay to a pipe: a clear message"
else
	fail "replay to a pipe said: $out"
fi

if [ "$failures" -ne 0 ]; then
	echo "$failures check(s) failed" >&2
	exit 1
fi
echo "all checks passed"
