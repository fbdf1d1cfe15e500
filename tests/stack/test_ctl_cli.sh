#!/bin/bash
# The live commands' options are checked before anything is created (no
# root needed): each bad value gets exit status 2 and a message naming it.
set -u
tcpstep=${1:?usage: $0 TCPSTEP}
failures=0

# expect STATUS REGEX ARGS...: tcpstep ARGS exits STATUS, stderr matches.
expect() {
	local want=$1 re=$2 got err
	shift 2
	err=$("$tcpstep" "$@" 2>&1 >/dev/null)
	got=$?
	if [ "$got" != "$want" ] || ! grep -Eq -- "$re" <<<"$err"; then
		echo "FAIL: tcpstep $*: exit $got (want $want), stderr: $err" >&2
		failures=$((failures + 1))
	else
		echo "ok   tcpstep $*"
	fi
}

expect 2 "which demo"                      demo
expect 2 "unknown demo 'goodbye'"          demo goodbye
expect 2 "--seed wants a whole number"     demo hello --seed -1
expect 2 "--seed wants a whole number"     demo hello --seed 12x
expect 2 "--seed wants a whole number"     demo hello --seed 4294967296
expect 2 "--seed needs a value"            demo hello --seed
# --msl: the range decode takes (more than 0, at most 86400).
msl_range="--msl wants seconds, more than 0 and at most 86400"
expect 2 "$msl_range"                      demo hello --msl 0
expect 2 "$msl_range"                      demo hello --msl 0.000
expect 2 "$msl_range"                      demo hello --msl -1
expect 2 "$msl_range"                      demo hello --msl 1e3
expect 2 "$msl_range"                      demo hello --msl 86401
expect 2 "$msl_range"                      live --exec true --msl 86400.5
expect 2 "$msl_range"                      play --msl 0
expect 2 "--timeout wants seconds"         demo hello --timeout 0
expect 2 "--server-mode wants once"        demo hello --server-mode sometimes
expect 2 "--only wants one of: server client" demo hello --only router
expect 2 "--pcap wants a file name"        demo hello --pcap ''
expect 2 "unknown option '--bogus'"        demo hello --bogus
expect 2 "--exec 'COMMAND' is required"    live --headless
expect 2 "--exec wants a command"          live --exec ''
expect 2 "192\.0\.2\.0/24"                 live --exec true --client-to 8.8.8.8:53
expect 2 "192\.0\.2\.0/24"                 live --exec true --client-to 192.0.2.1
expect 2 "192\.0\.2\.0/24"                 live --exec true --client-to 192.0.2.1:0
expect 2 "192\.0\.2\.0/24"                 live --exec true --client-to 192.0.2.255:80
expect 2 "192\.0\.2\.0/24"                 live --exec true --client-to 192.0.2.01:80
expect 2 "not the lwIP server node's own 192\.0\.2\.2:8888" live --exec true --client-to 192.0.2.2:8888
expect 2 "not the lwIP client node's own 192\.0\.2\.3:80" live --exec true --client-to 192.0.2.3:80
expect 2 "--server-mode wants once"        live --exec true --server-mode x
expect 2 "unknown option '--paused'"       live --exec true --paused
expect 2 "a value is needed after '--script'" play --script
expect 1 "cannot read /nonexistent"        play --script /nonexistent/script
expect 2 "unknown command 'nosuch'"        nosuch
expect 0 ""                                demo --help
expect 0 ""                                live --help
expect 0 ""                                play --help

# The root tests' library (e2e_lib.sh) fails, never skips, when a binary
# is not where meson says: a broken path must not pass as "skipped".
here=$(dirname "$0")
lib_fails() {
	local err got
	err=$(bash "$here/test_e2e_hello.sh" "$1" "$2" 2>&1)
	got=$?
	if [ "$got" != 1 ] || ! grep -q "/nonexistent/tcpstep.* is not an executable file" <<<"$err"; then
		echo "FAIL: test_e2e_hello.sh $1 $2: exit $got (want 1), output: $err" >&2
		failures=$((failures + 1))
	else
		echo "ok   e2e_lib.sh fails for $1 $2"
	fi
}
lib_fails /nonexistent/tcpstep "$tcpstep"
lib_fails "$tcpstep" /nonexistent/tcpstep-node

[ "$failures" = 0 ] || exit 1
