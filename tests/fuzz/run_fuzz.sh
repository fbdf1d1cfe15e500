#!/bin/sh
# A bounded fuzz run of fuzz_decode.c (or fuzz_pcapng.c) under ASan and
# UBSan, as a test:
#   run_fuzz.sh SOURCE_ROOT SEED_DIR [SECONDS [TARGET]]
# TARGET: decode (the default) or pcapng; for pcapng the seeds are the
# *.pcapng files in SEED_DIR.
# Builds the target with clang in a temporary directory (the normal build
# does not need clang), starts from a copy of the seed corpus, and fails on
# any crash, leak, sanitizer report or timeout. Exit 77 (skip) without clang
# or without its libFuzzer runtime.
set -u
src=$1
seeds=$2
secs=${3:-30}
target=${4:-decode}
case "$target" in
decode) sources="$src/capture/decode.c $src/capture/tracker.c $src/capture/slab.c
	$src/capture/output.c $src/common/tcpstate.c $src/common/textesc.c"
	pattern='*' ;;
pcapng) sources="$src/capture/pcapng.c $src/capture/decode.c"
	pattern='*.pcapng' ;;
*) echo "run_fuzz.sh: unknown target '$target'" >&2; exit 2 ;;
esac

if ! command -v clang >/dev/null 2>&1; then
	echo "SKIP: clang is not installed (apt-get install clang)"
	exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

cat > "$tmp/probe.c" <<'C'
#include <stddef.h>
#include <stdint.h>
int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);
int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }
C
if ! clang -fsanitize=fuzzer "$tmp/probe.c" -o "$tmp/probe" 2>/dev/null; then
	echo "SKIP: clang has no libFuzzer runtime (libclang-rt-dev)"
	exit 77
fi

pcap_cflags=$(pkg-config --cflags libpcap 2>/dev/null || true)
clang -std=c11 -g -O1 -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	$pcap_cflags -I"$src/capture" -I"$src/common" \
	"$src/tests/fuzz/fuzz_$target.c" $sources \
	-o "$tmp/fuzz_$target" || { echo "FAIL: cannot build the fuzz target"; exit 1; }

findings=$(pwd)/fuzz-findings
mkdir "$tmp/corpus"
cp "$seeds"/$pattern "$tmp/corpus/" 2>/dev/null || true
cd "$tmp"
# -rss_limit_mb: the tracker's memory must stay bounded by open connections.
if ./fuzz_$target -max_total_time="$secs" -timeout=10 -rss_limit_mb=1024 \
	-print_final_stats=1 corpus >fuzz.log 2>&1; then
	tail -n 12 fuzz.log
	echo "ok   fuzz_$target ran ${secs}s without a finding"
	exit 0
fi
tail -n 60 fuzz.log
mkdir -p "$findings"
cp crash-* leak-* timeout-* oom-* "$findings/" 2>/dev/null || true
echo "FAIL fuzz_$target: finding saved in $findings (reproduce: fuzz_$target FILE)"
exit 1
