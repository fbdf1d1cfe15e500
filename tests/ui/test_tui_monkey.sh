#!/bin/bash
# Monkey test of the replay UI in a real terminal (tmux): replay a few
# captures and, for a bounded time, send random keys from the whole key
# table, random mouse clicks and wheel events (SGR mouse sequences, the
# format ncurses asks xterm-256color for), and random resizes from 20x5 to
# 250x80. After every burst the UI must still be running and the screen must
# be the UI (a status line with "pkt ") or the "terminal too small" notice.
# At the end: 80x24, q, exit status 0 and stty -a as before. Under an ASan
# build any sanitizer report fails the test (log_path into the temp dir).
#
# The issue asks for 60 s; the suite runs 20 s in all to stay short:
#   TCPSTEP_MONKEY_SECONDS=60 meson test -C build tui-monkey
# The seed is printed; TCPSTEP_MONKEY_SEED=N reproduces a run (the same
# keys in the same order; timing in tmux may still differ).
# A screen that is neither the UI nor the notice 3 s after a burst fails.
# (It found the UI blocked in ncurses after a click's lone release, showing
# the frame of the previous size until the next key: docs/ui.md.)
# TCPSTEP_MONKEY_STRICT=0 only notes such a screen if an unused key (F12)
# brings it back.
#
# With --live first (root): the same on live sessions (`play`, the socket
# playground, and `demo hello`), with the live keys too (n t l c s w x X d !
# and the c/s answers); at the end no namespace of ours is left.
#
# usage: test_tui_monkey.sh [--live] TCPSTEP SOURCE_ROOT [CAPTURE_DIR]
set -u
live=
if [ "${1:-}" = --live ]; then
	live=1
	shift
	if [ "$(id -u)" != 0 ]; then
		echo "SKIP: --live needs root (a live session makes a network namespace)"
		exit 77
	fi
fi
tcpstep=$(realpath "${1:?usage: $0 TCPSTEP SOURCE_ROOT [CAPTURE_DIR]}")
src=$(realpath "${2:?usage: $0 TCPSTEP SOURCE_ROOT [CAPTURE_DIR]}")
capdir=${3:-}

if ! command -v tmux >/dev/null; then
	echo "SKIP: tmux is not installed (scripts/setup.sh installs it)"
	exit 77
fi

seconds=${TCPSTEP_MONKEY_SECONDS:-20}
seed=${TCPSTEP_MONKEY_SEED:-$(( (RANDOM << 15) | RANDOM ))}
RANDOM=$seed
echo "seed $seed (TCPSTEP_MONKEY_SEED=$seed reproduces), $seconds s"

tmp=$(mktemp -d)
sock="$tmp/tmux.sock"
failures=0
stale=0
cleanup() {
	tmux -S "$sock" kill-server 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

# Sanitizer reports go to files, not to the pane, so they cannot be missed.
export ASAN_OPTIONS="log_path=$tmp/asan:abort_on_error=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export UBSAN_OPTIONS="log_path=$tmp/ubsan:print_stacktrace=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"

T() { tmux -S "$sock" "$@"; }
screen() { T capture-pane -p -t ui; }

# The keys sent so far in this run, to say how to get back to a failure.
log=()

fail() {
	echo "FAIL: $*" >&2
	echo "--- screen:" >&2
	screen >&2
	echo "--- events on this capture so far (seed $seed):" >&2
	printf '%s\n' "${log[@]}" >&2
	failures=$((failures + 1))
}

wait_for() {
	local re=$1 limit=${2:-5} i
	for ((i = 0; i < limit * 20; i++)); do
		if screen | grep -Eq -- "$re"; then
			return 0
		fi
		sleep 0.05
	done
	return 1
}

keys() { T send-keys -t ui "$@"; }

# Every key of docs/ui.md's table but q, as tmux names them.
keytab=(n p N P Space + - Home End g 0 1 2 3 4 5 6 7 8 9 Enter Escape ']' '['
	'}' '{' Up Down Left Right PPage NPage Tab BTab a f / L '?' h BSpace)
# Live, the session's keys too (a kernel peer's command from '!' runs in the
# session's own namespace; typed text may follow it).
if [ -n "$live" ]; then
	keytab+=(n n n t t l c s w x X d '!' c s c s)
fi
# Text for the prompts (g, /): digits, address characters, a state name.
texts=(1 12 999999 0 192.0.2 : ESTAB TIME_WAIT 8888 'x y' . abc)

# sgr B X Y [m]: an SGR mouse event at 0-based X, Y (press; m = release).
sgr() { keys -l $'\e'"[<$1;$(($2 + 1));$(($3 + 1))${4:-M}"; }
click() { sgr 0 "$1" "$2"; sgr 0 "$1" "$2" m; }

# alive NAME: the UI is still the pane's foreground process.
alive() {
	local cmd
	cmd=$(T display-message -p -t ui '#{pane_current_command}')
	[ "$cmd" = tcpstep ]
}

# sane: the screen is the UI or the too-small notice (it may take a moment
# to redraw after a resize).
sane() {
	# (a live key's question takes the whole status line: "... (Enter): ")
	wait_for 'pkt [0-9]|terminal too small|Enter( runs)?\): ' 3
}

# status_pkt: the position in the status line.
status_pkt() { screen | grep -Eo 'pkt [0-9]+' | tail -1; }

pcaps=("$src"/demos/*/*.pcap)
# The generated test captures too, except those the replay refuses at once
# (empty, not a capture, an unsupported link type): decode says why on its
# first line; a file damaged after frame N still replays up to the damage.
if [ -n "$capdir" ] && [ -d "$capdir" ]; then
	for f in "$(realpath "$capdir")"/*.pcap; do
		if err=$("$tcpstep" decode "$f" 2>&1 >/dev/null) || grep -q 'after frame' <<<"$err"; then
			pcaps+=("$f")
		fi
	done
fi
# A few captures: hello always (the click check knows its layout), then
# random others, so that every run still fits the time.
picked=("$src/demos/hello/hello.pcap")
for ((i = 0; i < 3; i++)); do
	picked+=("${pcaps[RANDOM % ${#pcaps[@]}]}")
done
# live: what runs is a command, not a file
[ -n "$live" ] && picked=("play --msl 0.5" "demo hello --msl 0.5")
per=$(( (seconds + ${#picked[@]} - 1) / ${#picked[@]} ))

# A session that lives for the whole test, so that killing the UI's session
# never leaves the server empty: tmux exits then, and a new session started
# at that moment goes down with it ("no server running").
T new-session -d -s keep -x 80 -y 24 "sleep 600"

tpids=()
run=0
for pcap in "${picked[@]}"; do
	run=$((run + 1))
	name=run$run
	log=("== $pcap")
	echo "-- $(basename "$pcap") for $per s"
	T kill-session -t ui 2>/dev/null
	T new-session -d -s ui -x 80 -y 24 "env TERM=xterm-256color LANG=C.UTF-8 LC_ALL=C.UTF-8 TCPSTEP_MONKEY_MARK=$$ sh"
	T set-option -t ui status off >/dev/null
	wait_for '^[$#]' || fail "$name: no shell prompt"
	what="replay $pcap"
	[ -n "$live" ] && what=$pcap
	keys "stty -a > $tmp/$name.before; $tcpstep $what; echo rc=\$? > $tmp/$name.rc; stty -a > $tmp/$name.after" Enter
	if ! wait_for 'pkt [0-9]' 10; then
		fail "$name: the UI did not start on $pcap"
		continue
	fi
	# live: this session's tcpstep, whose namespace is tcpstep-PID
	if [ -n "$live" ]; then
		for p in /proc/[0-9]*; do
			[ "$(cat "$p/comm" 2>/dev/null)" = tcpstep ] &&
				grep -qaz "^TCPSTEP_MONKEY_MARK=$$\$" "$p/environ" 2>/dev/null &&
				tpids+=("${p#/proc/}")
		done
	fi

	if [ "$run" = 1 ] && [ -z "$live" ]; then
		# A click must select something: the first connection's row in the
		# connection list at the first frame selects it; a click on a segment
		# of the ladder moves the position there. Try the ladder's rows until
		# the position moves.
		moved=
		before=$(status_pkt)
		for ((y = 5; y < 16 && !moved; y++)); do
			click 20 "$y"
			sleep 0.15
			[ "$(status_pkt)" != "$before" ] && moved=$y
		done
		if [ -n "$moved" ]; then
			echo "ok   a click on ladder row $moved moved the position: $before -> $(status_pkt)"
		else
			fail "no click on the ladder moved the position from $before"
		fi
	fi

	before_failures=$failures
	end=$((SECONDS + per))
	bursts=0
	while ((SECONDS < end)); do
		bursts=$((bursts + 1))
		n=$((1 + RANDOM % 12))
		for ((k = 0; k < n; k++)); do
			r=$((RANDOM % 100))
			if ((r < 70)); then
				key=${keytab[RANDOM % ${#keytab[@]}]}
				log+=("key $key")
				keys "$key"
			elif ((r < 76)); then
				text=${texts[RANDOM % ${#texts[@]}]}
				log+=("text '$text'")
				keys -l "$text"
			elif ((r < 88)); then
				x=$((RANDOM % 100)) y=$((RANDOM % 40))
				log+=("click $x,$y")
				click "$x" "$y"
			elif ((r < 96)); then
				b=$((64 + RANDOM % 2)) x=$((RANDOM % 100)) y=$((RANDOM % 40))
				log+=("wheel $b $x,$y")
				sgr "$b" "$x" "$y"
			else
				w=$((20 + RANDOM % 231)) h=$((5 + RANDOM % 76))
				log+=("resize ${w}x$h")
				T resize-window -t ui -x "$w" -y "$h"
			fi
		done
		sleep 0.05
		if ! alive; then
			fail "$name: the UI died after burst $bursts on $pcap ($(cat "$tmp/$name.rc" 2>/dev/null))"
			break
		fi
		if ! sane; then
			# Say whether it is a hang or a missed redraw: does a key
			# that changes nothing (an unused one) bring the screen back?
			size=$(T display-message -p -t ui '#{pane_width}x#{pane_height}')
			echo "--- screen before the key:" >&2
			screen | sed '/^$/d' | head -8 >&2
			keys F12
			if sane; then
				# A stale screen that a key brought back: the UI
				# was waiting for input (docs/ui.md). A failure
				# unless TCPSTEP_MONKEY_STRICT=0.
				stale=$((stale + 1))
				echo "note: $name: burst $bursts at $size: stale screen for 3 s, back after an unused key (F12)"
				if [ "${TCPSTEP_MONKEY_STRICT:-1}" != 0 ]; then
					fail "$name: stale screen after burst $bursts at $size"
					break
				fi
				continue
			fi
			fail "$name: after burst $bursts at $size neither the UI nor the too-small notice for 6 s, even after a key"
			break
		fi
	done
	if ((failures == before_failures)); then
		echo "ok   $name: $bursts bursts on $(basename "$pcap"), still running, screen sane"
	fi

	# Leave as a person would: a normal size, out of any prompt, then q.
	# tmux applies a pane's resize a moment later: wait for it and for the
	# redraw, so that stty -a after q sees 80x24 as before.
	T resize-window -t ui -x 80 -y 24
	for ((i = 0; i < 40; i++)); do
		[ "$(T display-message -p -t ui '#{pane_width}x#{pane_height}')" = 80x24 ] && break
		sleep 0.05
	done
	keys Escape
	sleep 0.3
	if alive; then
		keys q
	fi
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
done

# live: every session removed its namespace (tcpstep-PID)
if [ -n "$live" ]; then
	for ((i = 0; i < 60; i++)); do
		left=
		for pid in "${tpids[@]}"; do
			ip netns list 2>/dev/null | grep -q "^tcpstep-$pid\b" && left+=" tcpstep-$pid"
		done
		[ -z "$left" ] && break
		sleep 0.1
	done
	if [ "${#tpids[@]}" = 0 ]; then
		echo "FAIL: no live session's tcpstep was seen" >&2
		failures=$((failures + 1))
	elif [ -n "$left" ]; then
		echo "FAIL: namespaces left:$left" >&2
		failures=$((failures + 1))
	else
		echo "ok   the namespaces of the ${#tpids[@]} sessions are gone"
	fi
fi

for f in "$tmp"/asan* "$tmp"/ubsan*; do
	[ -e "$f" ] || continue
	echo "FAIL: sanitizer report $(basename "$f") (seed $seed):" >&2
	cat "$f" >&2
	failures=$((failures + 1))
done

if [ "$failures" -ne 0 ]; then
	echo "$failures check(s) failed (seed $seed)" >&2
	exit 1
fi
echo "all checks passed (seed $seed; $stale stale screen(s) that came back)"
