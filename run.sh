#!/bin/sh
# Quick start. As root on a fresh Debian 12 machine, each of these installs
# what it needs, builds, and runs:
#
#   ./run.sh demo    the article's hello exchange between two lwIP nodes
#   ./run.sh test    the whole test suite; ends with "N passed, N failed"
#
# Other verbs: build (just build), bench (benchmarks, see bench/README.md).
set -eu
top=$(cd "$(dirname "$0")" && pwd)
cd "$top"
build=${TCPSTEP_BUILD:-build}

setup() {
	scripts/setup.sh "$@"
	if [ ! -f "$build/build.ninja" ]; then
		meson setup "$build" >/dev/null
	fi
	ninja -C "$build" >/dev/null || ninja -C "$build"
}

case "${1:-}" in
build)
	setup
	;;
demo)
	shift
	setup
	exec "$build/ui/tcpstep" demo hello "$@"
	;;
test)
	shift
	setup
	rc=0
	meson test -C "$build" --no-rebuild --print-errorlogs "$@" || rc=$?
	python3 scripts/test-summary.py "$build/meson-logs/testlog.json" || rc=1
	exit "$rc"
	;;
bench)
	shift
	scripts/setup.sh bench
	setup
	exec bench/run.sh "$build" "$@"
	;;
*)
	echo "usage: $0 demo|test|build|bench" >&2
	exit 2
	;;
esac
