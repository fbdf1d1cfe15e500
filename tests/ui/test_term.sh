#!/bin/sh
# The curses backend as a person sees it, in a detached tmux session at
# 80x24 (lazygit's way: act, then assert what the screen shows):
#  - the demo draws its box (UTF-8 glyphs), decodes keys, clicks and the
#    wheel, 'q' ends it with 0, and `stty -a`
#    in the pane is the same before and after, the screen restored;
#  - LANG=C draws the ASCII stand-ins;
#  - TERM=dumb exits 2 with a clear message and writes nothing to the tty;
#  - a crash (abort) restores the tty through the crash handler.
# Usage: test_term.sh PATH/TO/term_demo
set -u
demo=$1

if ! command -v tmux >/dev/null 2>&1; then
	echo "SKIP: tmux is not installed (apt-get install tmux)"
	exit 77
fi

dir=$(mktemp -d)
sock="tcpstep-term-$$"
T() { LC_ALL=C.UTF-8 tmux -L "$sock" -f /dev/null "$@"; }
# No trap: dash leaks memory in one and the valgrind setup runs this
# script under memcheck. Every session ends by itself within 60 s anyway.
cleanup() { T kill-server >/dev/null 2>&1; rm -rf "$dir"; }
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# Waits up to 10 s for a file to exist.
wait_file() {
	i=0
	while [ ! -e "$1" ]; do
		i=$((i + 1))
		[ $i -gt 100 ] && return 1
		sleep 0.1
	done
}

# Waits up to 10 s for the pane to show a fixed string.
wait_pane() {
	i=0
	while ! T capture-pane -p -t "$1" | grep -qF -- "$2"; do
		i=$((i + 1))
		[ $i -gt 100 ] && return 1
		sleep 0.1
	done
}

# start NAME ENV... -- ARGS: runs the demo in a new 80x24 session with the
# environment given, `stty -a` saved before and after, its exit status in
# NAME.rc, its stdout and stderr in NAME.out and NAME.err.
start() {
	name=$1
	shift
	envs=
	while [ "$1" != "--" ]; do envs="$envs $1"; shift; done
	shift
	cat >"$dir/$name.sh" <<SCRIPT
stty -a >"$dir/$name.before"
env $envs "$demo" $* >"$dir/$name.out" 2>"$dir/$name.err"
echo \$? >"$dir/$name.rc.tmp"
stty -a >"$dir/$name.after"
mv "$dir/$name.rc.tmp" "$dir/$name.rc"
exec sleep 60
SCRIPT
	T new-session -d -s "$name" -x 80 -y 24 "sh $dir/$name.sh"
}

check_stty() {
	if ! cmp -s "$dir/$1.before" "$dir/$1.after"; then
		fail "$1: stty -a differs after the demo:"
		diff "$dir/$1.before" "$dir/$1.after"
	fi
}

check_rc() {
	wait_file "$dir/$1.rc" || { fail "$1: the demo did not end"; return; }
	rc=$(cat "$dir/$1.rc")
	[ "$rc" = "$2" ] || fail "$1: exit status $rc, want $2 (stderr: $(cat "$dir/$1.err"))"
}

# Sends keys to the demo and checks the events it decoded (its line 8).
keys() {
	want=$1
	shift
	T send-keys -t utf8 "$@"
	wait_pane utf8 "keys: $want" ||
		fail "keys $*: want '$want', the demo saw '$(T capture-pane -p -t utf8 | sed -n 8p)'"
}

# 1. UTF-8: the box, the roles' text, ESC from the "wire" substituted; key
# and mouse decoding (TERM=screen: mouse events in X10 form, ESC [ M b x y,
# each byte 32 + value, coordinates from 1).
start utf8 LC_ALL=C.UTF-8 TERM=screen --
if wait_pane utf8 "┌─ tcpstep ─"; then
	screen=$(T capture-pane -p -t utf8)
	echo "$screen" | grep -qF "│ client SYN_SENT → server LISTEN" ||
		fail "utf8: no client/server line"
	echo "$screen" | grep -qF "pkt 1/3 ?[31mwire" ||
		fail "utf8: the ESC in the text was not drawn as '?'"
	echo "$screen" | grep -qF "└──────" || fail "utf8: no bottom edge"
	echo "$screen" | grep -qE "size 80x24" || fail "utf8: the demo saw a size other than 80x24"
else
	fail "utf8: the box never appeared:"
	T capture-pane -p -t utf8
fi
keys "up down left right home end" Up Down Left Right Home End
keys "pgup pgdn tab backtab enter backspace" PPage NPage Tab BTab Enter BSpace
keys "esc" Escape
keys "ctrl:U+0061 char:U+00E9 char:U+0078" C-a é x
keys "click@4,2" -l "$(printf '\033[M %%#')"
keys "wheel_up@9,5" -l "$(printf '\033[M`*&')"
keys "wheel_down@9,5" -l "$(printf '\033[Ma*&')"
# a resize reaches the demo as an event, and it redraws at the new size
T resize-window -t utf8 -x 60 -y 20
wait_pane utf8 "size 60x20" || fail "resize: the demo did not redraw at 60x20"
T resize-window -t utf8 -x 80 -y 24
wait_pane utf8 "size 80x24" || fail "resize: the demo did not redraw at 80x24"
T send-keys -t utf8 q
check_rc utf8 0
check_stty utf8
# the alternate screen is left: the box is gone
T capture-pane -p -t utf8 | grep -qF "tcpstep" && fail "utf8: the screen was not restored"

# 2. LANG=C: ASCII glyphs.
start ascii LC_ALL=C LANG=C --
if wait_pane ascii "+- tcpstep -"; then
	T capture-pane -p -t ascii | grep -qF "| client SYN_SENT > server LISTEN" ||
		fail "ascii: no ASCII arrow line"
	T capture-pane -p -t ascii | grep -q "[^ -~]" && fail "ascii: non-ASCII on the screen"
else
	fail "ascii: the ASCII box never appeared:"
	T capture-pane -p -t ascii
fi
T send-keys -t ascii q
check_rc ascii 0
check_stty ascii

# 3. TERM=dumb: refused, exit 2, a message on stderr, nothing on the tty.
start dumb TERM=dumb LC_ALL=C.UTF-8 --
check_rc dumb 2
grep -q "term_demo: terminal type 'dumb' (TERM) cannot move the cursor" "$dir/dumb.err" ||
	fail "dumb: unclear message: $(cat "$dir/dumb.err")"
[ -s "$dir/dumb.out" ] && fail "dumb: wrote to stdout: $(cat "$dir/dumb.out")"
T capture-pane -p -t dumb | grep -q '[^ ]' && fail "dumb: something was written to the terminal"
check_stty dumb

# 3b. TERM unset and unknown: the same refusal.
start noterm -u TERM --
check_rc noterm 2
grep -q "TERM is not set" "$dir/noterm.err" || fail "noterm: $(cat "$dir/noterm.err")"
start badterm TERM=no-such-terminal --
check_rc badterm 2
grep -q "unknown or unusable terminal type 'no-such-terminal'" "$dir/badterm.err" ||
	fail "badterm: $(cat "$dir/badterm.err")"

# 4. A crash after drawing: SIGABRT's default action (exit 134) and the tty
# restored by the handler.
start crash LC_ALL=C.UTF-8 -- crash
check_rc crash 134
check_stty crash
T capture-pane -p -t crash | grep -qF "tcpstep" && fail "crash: the screen was not restored"

cleanup
if [ $failures -ne 0 ]; then
	echo "$failures failure(s)"
	exit 1
fi
echo "ok: box, keys and mouse, q, stty, ASCII, TERM=dumb/unset/unknown, crash"
