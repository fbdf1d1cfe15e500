#!/bin/sh
# Re-records the classroom captures: demos/record.sh [NAME...] (as root,
# from anywhere; default: all). For each demo it runs the session that
# recorded it, with --seed 1 (the lwIP nodes' ISNs and ports repeat; a
# kernel peer's ISN and port are the kernel's own, random) and --msl 1, and
# writes
#   demos/NAME/NAME.pcap      the frames crossing br0 (tcpstep --write)
#   demos/NAME/session.txt    what the session printed: apps' lines, true
#                             (server/client) and inferred (wire) states
#   demos/NAME/expected.txt   `tcpstep decode NAME.pcap`, the golden text
# Read the new expected.txt before committing it: a golden file is only as
# right as the eyes that read it (the golden suite compares against it).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${TCPSTEP_BUILD:-$top/build}
tcpstep=$build/ui/tcpstep
export TCPSTEP_NODE="$build/stack/tcpstep-node"
[ -x "$tcpstep" ] || { echo "build first: ./run.sh build" >&2; exit 1; }
cd "$top/demos"
[ $# -gt 0 ] || set -- hello hello-kernel halfclose halfclose-kernel abort \
	abort-kernel refused refused-kernel simclose simclose-kernel
for name in "$@"; do
	d=$name
	opts="--headless --seed 1 --msl 1 --timeout 60 --write $d/$name.pcap"
	case $name in
	hello)
		# shellcheck disable=SC2086
		"$tcpstep" demo hello $opts >"$d/session.txt" ;;
	hello-kernel)
		# The article's curl step with nc: a kernel client sends a line
		# and keeps its input open so the server closes first.
		# shellcheck disable=SC2086
		"$tcpstep" live $opts --wait-closed \
			--exec "(printf 'Hello from the kernel\n'; sleep 2) | nc -q 0 192.0.2.2 8888" \
			>"$d/session.txt" ;;
	*)
		# shellcheck disable=SC2086
		"$tcpstep" play $opts --script "$d/script.play" >"$d/session.txt" ;;
	esac
	"$tcpstep" decode "$d/$name.pcap" >"$d/expected.txt"
	echo "recorded $d/$name.pcap ($(grep -c ' > ' "$d/expected.txt") segments)"
done
