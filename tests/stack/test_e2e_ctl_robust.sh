#!/bin/bash
# The controller against a misbehaving node (e2e_fake_node): malformed,
# over-long and hostile events are reported and skipped, never a crash or
# raw control bytes on the terminal; a node that hangs up or never says
# hello ends the session cleanly with a clear message.
set -u
. "$(dirname "$0")/e2e_lib.sh"
# Here the "node" is the fake (the second argument).

FAKE_NODE_MODE=garbage run_tcpstep garbage live --headless --exec "true"
check_eq "garbage: exit status is the command's" "$rc" 0
check_match "garbage: an empty line is reported" "$err" "malformed event"
check_match "garbage: a bad address is reported" "$err" "malformed event \(bad address in a state event\): state 1 nonsense"
check_match "garbage: a bad state name is reported" "$err" "unknown TCP state in a state event"
check_match "garbage: a bad status is reported" "$err" "app-done wants a status 0\.\.255"
check_match "garbage: a bad escape is reported" "$err" "bad text in an out event"
check_match "garbage: over-long line" "$err" "over-long event line discarded"
check_no_match "garbage: an unknown event is skipped quietly" "$err$out" "frobnicate"
check_match "garbage: later events still work" "$out" "^after the garbage$"
check_match "garbage: a bad stamp is reported" "$err" "malformed event \(bad stamp\): @12x out bad%20stamp"
check_no_match "garbage: the badly stamped line is not shown" "$out" "bad stamp"
# A node's lines keep their order whatever their stamps say.
check_eq "garbage: stamped lines in the node's order" \
	"$(printf '%s\n' "$out" | grep -E '^(from the future|from long ago|after the garbage)$')" \
	"$(printf '%s\n' "from the future" "from long ago" "after the garbage")"
check_match "garbage: the listener" "$out" "^server 192\.0\.2\.2:8888 0\.0\.0\.0:0 CLOSED -> LISTEN \(listen\(\) called\)$"
check_match "garbage: encoded control bytes shown escaped" "$out" '^\\x1b\[31mred$'
check_match "garbage: raw control bytes rejected, shown escaped" "$err" 'malformed event \(not a protocol line.*\): out \\x1b\[2J'
if printf '%s%s' "$out" "$err" | grep -q $'\x1b'; then
	fail "garbage: a raw ESC reached the terminal"
fi

FAKE_NODE_MODE=hangup run_tcpstep hangup live --headless --exec "sleep 20"
check_eq "hangup: exit status" "$rc" 1
check_match "hangup: message" "$err" "node server closed its control socket"

FAKE_NODE_MODE=silent run_tcpstep silent live --headless --exec "true"
check_eq "silent: exit status" "$rc" 1
check_match "silent: message" "$err" "did not say hello within 5000 ms"

FAKE_NODE_MODE=partial run_tcpstep partial live --headless --exec "sleep 20"
check_eq "partial: exit status" "$rc" 1
check_match "partial: the cut-off event is reported" "$err" "last event was cut off \(13 bytes"

e2e_done
