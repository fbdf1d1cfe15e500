# Sourced by the tmux tests (test_tui_tmux.sh, test_tui_live.sh): a private
# tmux server in a temporary folder, the screen of its pane "ui", keys, and
# checks that wait for the screen instead of sleeping. Sets tmp, sock and
# failures; removes the server and the folder on exit.
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

# wait_for REGEX [SECONDS]: until the screen matches (grep -E).
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

# expect REGEX WHAT [SECONDS]: the screen shows REGEX soon (within SECONDS,
# else $EXPECT_SECONDS, else 5).
expect() {
	if wait_for "$1" "${3:-${EXPECT_SECONDS:-5}}"; then
		echo "ok   $2"
	else
		fail "$2: no /$1/ on the screen"
	fi
}

# reject REGEX WHAT: the screen soon no longer shows REGEX (a redraw has
# removed it; waiting for that, not for a fixed time).
reject() {
	local i
	for ((i = 0; i < 100; i++)); do
		if ! screen | grep -Eq -- "$1"; then
			echo "ok   $2"
			return
		fi
		sleep 0.05
	done
	fail "$2: /$1/ is on the screen"
}

# A session that lives for the whole test, so that killing the UI's session
# never leaves the server empty (tmux exits then, racing the next start).
T new-session -d -s keep -x 80 -y 24 "sleep 600"
