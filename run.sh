#!/bin/sh
# Quick start. As root on a fresh Debian 12 machine, each of these installs
# what it needs, builds, and runs:
#
#   ./run.sh demo    the article's hello exchange between two lwIP nodes
#   ./run.sh test    the whole test suite, then again under ASan/UBSan and
#                    valgrind; ends with "N passed, N failed" over all runs
#                    (--quick: only the plain run)
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
	passes="plain asan valgrind"
	if [ "${1:-}" = --quick ]; then
		passes=plain
		shift
	fi
	setup
	rc=0
	logs=
	# The plain and ASan passes mostly wait (protocol timers in namespaces,
	# tmux): a plain pass on 2 cores used 94 s of CPU in 203 s with one
	# test a core, so they run two tests a core. The valgrind pass is
	# bound by the CPU: one a core. TCPSTEP_TEST_JOBS=N sets the first.
	cores=$(nproc 2>/dev/null || echo 2)
	jobs=${TCPSTEP_TEST_JOBS:-$((2 * cores))}
	# 1. the whole suite; 2. the same under ASan/UBSan (the fuzz test is an
	# ASan build already); 3. unit and golden tests under valgrind memcheck.
	for pass in $passes; do
		echo "== $pass" >&2
		case $pass in
		plain) log="$build/meson-logs/testlog.json" ;;
		asan) log="$build-asan/meson-logs/testlog.json" ;;
		valgrind) log="$build/meson-logs/testlog-valgrind.json" ;;
		esac
		# A pass whose build breaks leaves no log, which counts as a failure.
		rm -f "$log"
		logs="$logs $log"
		case $pass in
		plain)
			meson test -C "$build" --no-rebuild --print-errorlogs \
				--num-processes "$jobs" "$@" || rc=1
			;;
		asan)
			asan="$build-asan"
			if [ ! -f "$asan/build.ninja" ]; then
				meson setup "$asan" -Db_sanitize=address,undefined >/dev/null
			fi
			ninja -C "$asan" >/dev/null || ninja -C "$asan" || { rc=1; continue; }
			meson test -C "$asan" --no-rebuild --print-errorlogs --no-suite fuzz \
				--num-processes "$jobs" "$@" || rc=1
			;;
		valgrind)
			meson test -C "$build" --no-rebuild --print-errorlogs --setup valgrind \
				--num-processes "$cores" "$@" || rc=1
			;;
		esac
	done
	python3 scripts/test-summary.py $logs || rc=1
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
