# Shared helpers of the root end-to-end tests (tests/stack/test_e2e_*.sh).
# Sourced by each test after `set -u`; the test is called by meson as
#   test_e2e_X.sh TCPSTEP_BINARY TCPSTEP_NODE_BINARY
# Exit codes follow meson: 0 pass, 1 fail, 77 skip.

E2E_TCPSTEP=${1:?usage: $0 TCPSTEP TCPSTEP_NODE}
E2E_NODE=${2:?usage: $0 TCPSTEP TCPSTEP_NODE}
export TCPSTEP_NODE="$E2E_NODE"
E2E_DIR=$(cd "$(dirname "$0")" && pwd)
e2e_failures=0
e2e_tmp=$(mktemp -d "${TMPDIR:-/tmp}/tcpstep-e2e.XXXXXX")
trap 'rm -rf "$e2e_tmp"' EXIT

skip() { echo "SKIP: $*"; exit 77; }

# A binary missing where meson says it is (a broken path in meson.build) is
# a failure, checked first: as a skip it would turn every root test into a
# skip. Only the missing privilege is a reason to skip.
for e2e_bin in "$E2E_TCPSTEP" "$E2E_NODE"; do
	if [ ! -f "$e2e_bin" ] || [ ! -x "$e2e_bin" ]; then
		echo "FAIL: $e2e_bin is not an executable file (is its path in meson.build right?)" >&2
		exit 1
	fi
done
[ "$(id -u)" = 0 ] || skip "needs root: creates network namespaces and TAP devices"

fail() {
	echo "FAIL: $*" >&2
	e2e_failures=$((e2e_failures + 1))
}

# check_eq WHAT GOT WANT
check_eq() {
	if [ "$2" != "$3" ]; then
		fail "$1"
		printf '  got:\n%s\n  want:\n%s\n' "$2" "$3" >&2
		if command -v diff >/dev/null; then
			diff <(printf '%s\n' "$3") <(printf '%s\n' "$2") >&2
		fi
	fi
}

# check_match WHAT TEXT EXTENDED-REGEX (some line of TEXT matches)
check_match() {
	if ! printf '%s\n' "$2" | grep -Eq -- "$3"; then
		fail "$1: no line matches /$3/"
		printf '%s\n' "$2" | sed 's/^/  | /' >&2
	fi
}

check_no_match() {
	if printf '%s\n' "$2" | grep -Eq -- "$3"; then
		fail "$1: a line matches /$3/"
		printf '%s\n' "$2" | sed 's/^/  | /' >&2
	fi
}

# Nothing of session PID is left: no namespace, no process inside it, and
# never anything in the host namespace.
check_clean() {
	local pid=$1 what=$2
	if [ -e "/run/netns/tcpstep-$pid" ]; then
		fail "$what: namespace tcpstep-$pid left behind"
		ip netns del "tcpstep-$pid" 2>/dev/null
	fi
	for dev in br0 tap-server tap-client; do
		# Only this session's devices could be named so, and they are
		# only ever made inside its namespace.
		if ip link show dev "$dev" >/dev/null 2>&1; then
			fail "$what: $dev exists in the host namespace"
		fi
	done
}

# run_tcpstep NAME ARGS...: runs tcpstep, stdout in $e2e_tmp/NAME.out,
# stderr in $e2e_tmp/NAME.err, exit status in $rc, pid in $e2e_pid; then
# checks that the session left nothing behind.
run_tcpstep() {
	local name=$1
	shift
	"$E2E_TCPSTEP" "$@" >"$e2e_tmp/$name.out" 2>"$e2e_tmp/$name.err" &
	e2e_pid=$!
	wait "$e2e_pid"
	rc=$?
	out=$(cat "$e2e_tmp/$name.out")
	err=$(cat "$e2e_tmp/$name.err")
	check_clean "$e2e_pid" "$name"
}

# Decodes the protocol's percent-encoding (docs/control-protocol.md).
pct_decode() {
	local s=$1
	[ "$s" = - ] && return 0
	printf '%b' "$(printf '%s' "$s" | sed 's/\\/\\\\/g; s/%\([0-9A-F][0-9A-F]\)/\\x\1/g')"
}

# Lines of a headless run that are true state changes of NODE, as
# "FROM -> TO" only (causes are the node's wording).
transitions() {
	printf '%s\n' "$2" | awk -v n="$1" '$1 == n && $5 == "->" { print $4 " -> " $6 }'
}

# The child process of tcpstep PID that is node NAME.
node_pid() {
	local parent=$1 name=$2 p
	for p in /proc/[0-9]*; do
		[ "$(awk '{print $4}' "$p/stat" 2>/dev/null)" = "$parent" ] || continue
		if tr '\0' ' ' <"$p/cmdline" 2>/dev/null | grep -q -- "--name $name "; then
			echo "${p#/proc/}"
			return 0
		fi
	done
	return 1
}

# wait_for FILE REGEX SECONDS: waits until a line of FILE matches.
wait_for() {
	local i
	for i in $(seq $(($3 * 10))); do
		grep -Eq -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

e2e_done() {
	if [ "$e2e_failures" -ne 0 ]; then
		echo "$e2e_failures check(s) failed"
		exit 1
	fi
	echo "all checks passed"
	exit 0
}
