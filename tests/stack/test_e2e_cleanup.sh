#!/bin/bash
# Clean-up (issue 2): nothing remains after a normal exit, SIGINT, SIGTERM,
# SIGKILL of a node, or SIGKILL of tcpstep itself (the next start removes
# what that one left).
set -u
. "$(dirname "$0")/e2e_lib.sh"

# Durations no other process uses, so leftovers are recognisably ours even
# when other test runs share the machine.
t1="617.$$"
t2="618.$$"

# start_live NAME: tcpstep live with a long-running kernel peer; waits
# until the server listens. Sets $e2e_pid.
start_live() {
	"$E2E_TCPSTEP" live --headless --timeout 60 \
		--exec "sleep $t1 & sleep $t2; echo never" \
		>"$e2e_tmp/$1.out" 2>"$e2e_tmp/$1.err" &
	e2e_pid=$!
	wait_for "$e2e_tmp/$1.out" '^server .* CLOSED -> LISTEN ' 10 ||
		fail "$1: the server did not start listening"
}

# Processes whose network namespace is the session's.
inside() {
	local ns=$1 ino p
	ino=$(stat -L -c %i "/run/netns/$ns" 2>/dev/null) || return 0
	for p in /proc/[0-9]*; do
		[ "$(stat -L -c %i "$p/ns/net" 2>/dev/null)" = "$ino" ] && echo "${p#/proc/}"
	done
}

# 1. Normal exit (every run_tcpstep checks this too).
run_tcpstep normal live --headless --exec "true"
check_eq "normal exit status" "$rc" 0

# 1b. Nobody reads the events any more (| head): it ends like SIGPIPE.
"$E2E_TCPSTEP" live --headless --exec "sleep $t1" 2>"$e2e_tmp/pipe.err" | head -1 >/dev/null &
wait $!
for i in $(seq 50); do
	pgrep -f -x -- "sleep $t1" >/dev/null || break
	sleep 0.1
done
left=$(ps -eo pid=,args= | awk -v a="$t1" '$2 == "sleep" && $3 == a')
check_eq "no kernel peer left when stdout closed" "$left" ""

# 2. SIGINT and SIGTERM: exit 128+N, the peer's background job is gone too.
for sig in INT TERM; do
	start_live "sig$sig"
	ns="tcpstep-$e2e_pid"
	[ -e "/run/netns/$ns" ] || fail "SIG$sig: no namespace $ns while running"
	[ -n "$(inside "$ns")" ] || fail "SIG$sig: no process inside $ns while running"
	kill -"$sig" "$e2e_pid"
	wait "$e2e_pid"
	rc=$?
	want=$((128 + $(kill -l "$sig")))
	check_eq "exit status after SIG$sig" "$rc" "$want"
	check_clean "$e2e_pid" "SIG$sig"
	sleep 0.2
	left=$(ps -eo pid=,args= | awk -v a="$t1" -v b="$t2" '$2 == "sleep" && ($3 == a || $3 == b)')
	check_eq "no kernel peer left after SIG$sig" "$left" ""
	check_match "says it cleans up" "$(cat "$e2e_tmp/sig$sig.err")" "cleaning up"
done

# 3. SIGKILL of a node: the controller notices, says so, exits 1, cleans up.
start_live nodekill
np=$(node_pid "$e2e_pid" server)
if [ -z "$np" ]; then
	fail "cannot find the server node's pid"
	kill "$e2e_pid"
fi
[ -n "$np" ] && kill -KILL "$np"
wait "$e2e_pid"
rc=$?
check_eq "exit status after the node was killed" "$rc" 1
check_match "names the dead node" "$(cat "$e2e_tmp/nodekill.err")" "node server .*(killed by signal 9|closed its control socket)"
check_clean "$e2e_pid" "node SIGKILL"

# 4. SIGKILL of tcpstep: the nodes die with it (parent-death signal); the
#    namespace stays until the next start, which removes it with whatever
#    is still inside.
start_live selfkill
old=$e2e_pid
np=$(node_pid "$old" server)
kill -KILL "$old"
wait "$old" 2>/dev/null
for i in $(seq 20); do
	[ -n "$np" ] && [ -e "/proc/$np" ] || break
	sleep 0.1
done
[ -n "$np" ] && [ -e "/proc/$np" ] && fail "the node outlived a SIGKILLed tcpstep"
run_tcpstep after live --headless --exec "true"
check_eq "the next session runs" "$rc" 0
[ -e "/run/netns/tcpstep-$old" ] && fail "the stale namespace tcpstep-$old was not removed"
sleep 0.2
left=$(ps -eo pid=,args= | awk -v a="$t1" -v b="$t2" '$2 == "sleep" && ($3 == a || $3 == b)')
check_eq "no process left from the killed session" "$left" ""

# 5. A stale namespace carrying tcpstep's own pid (left by an earlier
#    process with the same pid: pids are reused) is removed like any other,
#    so `ip netns add` does not fail on it. The subshell's pid is tcpstep's
#    after exec.
(ip netns add "tcpstep-$BASHPID" && exec "$E2E_TCPSTEP" live --headless --exec true) \
	>"$e2e_tmp/ownpid.out" 2>"$e2e_tmp/ownpid.err" &
e2e_pid=$!
wait "$e2e_pid"
rc=$?
check_eq "a stale namespace with our pid: exit status" "$rc" 0
check_no_match "a stale namespace with our pid: no failure" "$(cat "$e2e_tmp/ownpid.err")" "failed|File exists"
check_clean "$e2e_pid" "stale namespace with our pid"

e2e_done
