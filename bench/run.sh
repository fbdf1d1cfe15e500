#!/bin/sh
# The tcpstep benchmark (see bench/README.md). Usually run as ./run.sh bench.
#
#   bench/run.sh BUILD_DIR [--quick] [--no-big] [--repeat R] [--timeout S]
#                [--seed S] [--packets N] [--connections C]
#                [--big-packets N] [--big-connections C] [--no-live]
#                [--live-runs N]
#
# Generates (or reuses from its cache) a synthetic capture of 1M packets and
# 40k connections and one of 10M packets, then measures CPU time (user+sys)
# and peak RSS of each tool on it, prints a table and the targets of issue 3
# with PASS/FAIL computed from the figures; then the replay index and UI
# (replay_bench, tui_bench) on both captures and the targets of issue 9;
# then, as root, the live UI under a kernel flood (live_flood, issue 10).
#
# Exit status: 0 every target measured and passed; 1 a target failed or
# could not be measured (tcpstep decode missing, a tool timed out...);
# 2 usage or setup error.
set -eu

usage() {
	sed -n '4,7p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

[ $# -ge 1 ] || usage
build=$1
shift
packets=1000000
connections=40000
big_packets=10000000
big_connections=400000
seed=1
repeat=5
tmo=300
big=yes
live=yes
live_runs=3
while [ $# -gt 0 ]; do
	case "$1" in
	--quick) packets=100000 connections=4000 big=no repeat=1 live_runs=1 ;;
	--no-big) big=no ;;
	--no-live) live=no ;;
	--live-runs) live_runs=${2:?}; shift ;;
	--repeat) repeat=${2:?}; shift ;;
	--timeout) tmo=${2:?}; shift ;;
	--seed) seed=${2:?}; shift ;;
	--packets) packets=${2:?}; shift ;;
	--connections) connections=${2:?}; shift ;;
	--big-packets) big_packets=${2:?}; shift ;;
	--big-connections) big_connections=${2:?}; shift ;;
	-h|--help) usage ;;
	*) echo "bench: unknown option '$1'" >&2; usage ;;
	esac
	shift
done
for v in "$packets" "$connections" "$big_packets" "$big_connections" "$seed" "$repeat" "$tmo" "$live_runs"; do
	case "$v" in
	''|*[!0-9]*) echo "bench: '$v' is not a whole number" >&2; exit 2 ;;
	esac
done
[ "$repeat" -ge 1 ] || { echo "bench: --repeat must be at least 1" >&2; exit 2; }

top=$(cd "$(dirname "$0")/.." && pwd)
case "$build" in /*) ;; *) build=$(pwd)/$build ;; esac
gen=$build/bench/gen_pcap
loop=$build/bench/pcap_loop
tcpstep=$build/ui/tcpstep
runstat=$build/bench/runstat
for b in "$gen" "$loop" "$runstat"; do
	[ -x "$b" ] || { echo "bench: $b is not built (ninja -C $build)" >&2; exit 2; }
done

say() { printf '%s\n' "$*" >&2; }

# ---- the captures, cached by generator and parameters ---------------------
cache=${TCPSTEP_BENCH_CACHE:-${TMPDIR:-/tmp}/tcpstep-bench}
mkdir -p "$cache"
# Keyed by the generator binary: the build that makes the bytes. (Two
# build directories of the same source differ in debug paths, so switching
# between them regenerates; keying by source would trust a stale binary.)
genid=$(sha256sum "$gen" | cut -c1-12)
work=$(mktemp -d "${TMPDIR:-/tmp}/tcpstep-bench-run.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM

# capture N C: prints the path of the capture, generating it when missing.
capture() {
	f=$cache/gen-$genid-p$1-c$2-s$seed.pcap
	if [ ! -s "$f" ]; then
		say "bench: generating $1 packets, $2 connections (seed $seed) into $f"
		"$gen" --packets "$1" --connections "$2" --seed "$seed" --output "$f.tmp" \
			2> "$f.log.tmp" || { cat "$f.log.tmp" >&2; rm -f "$f.tmp" "$f.log.tmp"; exit 2; }
		sed 's/\.tmp: /: /' "$f.log.tmp" > "$f.log" && rm -f "$f.log.tmp"
		mv "$f.tmp" "$f"
	fi
	cat "$f.log" >&2
	echo "$f"
}

# Drop captures of other generator versions: they are no longer comparable.
for old in "$cache"/gen-*.pcap; do
	[ -e "$old" ] || continue
	case "$old" in "$cache/gen-$genid-"*) ;; *) rm -f "$old" "$old.log" ;; esac
done

small=$(capture "$packets" "$connections")
if [ "$big" = yes ]; then
	bigf=$(capture "$big_packets" "$big_connections")
fi

# ---- measuring -----------------------------------------------------------
# measure ID OUT CMD...: runs CMD (stdout to OUT) $reps times under runstat
# and records in $work/ID.res one line:
#   ok CPU_S RSS_KB WALL_S | timeout | failed EXIT | n/a REASON
# CPU is the best (least) of the repeats, RSS the largest. Called again for
# the same ID, it adds to the runs already recorded (a failure stays).
measure() {
	id=$1 out=$2
	shift 2
	best='' rss=0 wall=''
	if [ -s "$work/$id.res" ]; then
		read -r st a b c < "$work/$id.res"
		[ "$st" = ok ] || return 0
		best=$a rss=$b wall=$c
	fi
	i=0
	while [ "$i" -lt "$reps" ]; do
		i=$((i + 1))
		"$runstat" --timeout "$tmo" --stats "$work/$id.stat" -- "$@" \
			> "$out" 2> "$work/$id.err" || { echo "failed runstat" > "$work/$id.res"; return 0; }
		read -r u s m e rc < "$work/$id.stat"
		if [ "$rc" = timeout ]; then
			echo "timeout" > "$work/$id.res"
			return 0
		fi
		if [ "$rc" != 0 ]; then
			echo "failed $rc" > "$work/$id.res"
			sed 's/^/    /' "$work/$id.err" | head -5 >&2
			return 0
		fi
		line=$(awk -v u="$u" -v s="$s" -v m="$m" -v e="$e" -v best="$best" -v rss="$rss" -v wall="$wall" \
			'BEGIN { c = u + s; if (best == "" || c < best + 0) { best = c; wall = e }
				 if (m + 0 > rss + 0) rss = m; printf "%.4f %d %.3f", best, rss, wall }')
		best=${line%% *}
		rest=${line#* }
		rss=${rest%% *}
		wall=${rest#* }
	done
	echo "ok $best $rss $wall" > "$work/$id.res"
}

na() { echo "n/a $2" > "$work/$1.res"; }

# Other work on the machine shows up as wall time well above CPU time and
# in the load average, printed with the figures.
load_start=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')

# Everything reads from the page cache, not the disk.
cat "$small" > /dev/null
[ "$big" = yes ] && cat "$bigf" > /dev/null

# tcpstep decode: there, or say why not.
decode_ok=no
decode_why=
if [ ! -x "$tcpstep" ]; then
	decode_why="tcpstep is not built ($tcpstep)"
elif "$tcpstep" decode --help > /dev/null 2>&1; then
	decode_ok=yes
else
	decode_why="tcpstep decode is not available in this build (the capture-decode and capture-tracker work is not merged)"
fi

# tcpstep reads files through a stdio buffer of this size (capture/
# source.c); the second loop reads the same way, to show how much of the
# ratio is reading.
iobuf_kib=$(sed -n 's/^#define SOURCE_FILE_BUFFER (\([0-9]*\) \* 1024).*/\1/p' "$top/capture/source.c")

# The loops and --summary take turns, run by run, so that other work on the
# machine weighs on the ratio's two sides alike.
say "bench: bare libpcap loop, the loop with tcpstep's stdio buffer, tcpstep decode --summary"
[ "$decode_ok" = yes ] || na summary "$decode_why"
[ -n "$iobuf_kib" ] || na loop_buf "SOURCE_FILE_BUFFER not found in capture/source.c"
reps=1
turn=0
while [ "$turn" -lt "$repeat" ]; do
	turn=$((turn + 1))
	measure loop "$work/loop.out" "$loop" "$small"
	[ -z "$iobuf_kib" ] || measure loop_buf "$work/loop_buf.out" "$loop" \
		--stdio-buffer $((iobuf_kib * 1024)) "$small"
	[ "$decode_ok" = no ] || measure summary "$work/summary.out" "$tcpstep" decode --summary "$small"
done
reps=$repeat
if [ "$decode_ok" = yes ]; then
	say "bench: tcpstep decode --json"
	measure json /dev/null "$tcpstep" decode --json "$small"
else
	na json "$decode_why"
fi
if command -v tcptrace > /dev/null; then
	say "bench: tcptrace -n"
	measure tcptrace "$work/tcptrace.out" tcptrace -n "$small"
else
	na tcptrace "tcptrace is not installed"
fi
if command -v tcpdump > /dev/null; then
	say "bench: tcpdump -nn -q"
	measure tcpdump /dev/null tcpdump -nn -q -r "$small"
else
	na tcpdump "tcpdump is not installed"
fi
reps=1 # tshark is slow; once is enough to place it
if command -v tshark > /dev/null; then
	say "bench: tshark -q -z conv,tcp"
	measure tshark "$work/tshark.out" tshark -q -z conv,tcp -r "$small"
else
	na tshark "tshark is not installed"
fi
if [ "$big" = yes ]; then
	say "bench: bare libpcap loop, big capture"
	measure loop_big "$work/loop_big.out" "$loop" "$bigf"
	if [ "$decode_ok" = yes ]; then
		say "bench: tcpstep decode --summary, big capture"
		measure summary_big "$work/summary_big.out" "$tcpstep" decode --summary "$bigf"
	else
		na summary_big "$decode_why"
	fi
else
	na loop_big "skipped (--no-big)"
	na summary_big "skipped (--no-big)"
fi

# ---- the replay UI (issue 9) ---------------------------------------------
# replay_bench times the index beside decode --summary in one process,
# taking turns (best CPU of each), then random jumps checked against a
# direct tracker pass; --index-only under runstat gives indexing's peak
# RSS. tui_bench: the first screen and key-to-redraw. Each prints a last
# line "RESULT key=value ...". rrun ID OUT CMD...: runs CMD once under
# runstat, stdout to OUT; $work/ID.res as measure() writes it.
replay_bench=$build/bench/replay_bench
tui_bench=$build/bench/tui_bench
rrun() {
	id=$1 out=$2
	shift 2
	"$runstat" --timeout "$tmo" --stats "$work/$id.stat" -- "$@" \
		> "$out" 2> "$work/$id.err" || { echo "failed runstat" > "$work/$id.res"; return 0; }
	read -r u s m e rc < "$work/$id.stat"
	if [ "$rc" = timeout ]; then
		echo "timeout" > "$work/$id.res"
	elif [ "$rc" != 0 ]; then
		echo "failed $rc" > "$work/$id.res"
		sed 's/^/    /' "$work/$id.err" | head -5 >&2
	elif ! grep -q '^RESULT ' "$out"; then
		echo "n/a no RESULT line in its output" > "$work/$id.res"
	else
		awk -v u="$u" -v s="$s" -v m="$m" -v e="$e" \
			'BEGIN { printf "ok %.4f %d %.3f\n", u + s, m, e }' > "$work/$id.res"
	fi
}
rrep_big=$repeat
[ "$rrep_big" -le 3 ] || rrep_big=3
if [ -x "$replay_bench" ]; then
	say "bench: replay index beside decode --summary, random jumps ($repeat turns)"
	rrun replay "$work/replay.out" "$replay_bench" --repeat "$repeat" --seeks 1000 "$small"
	if [ "$big" = yes ]; then
		say "bench: the same, big capture ($rrep_big turns, 200 jumps)"
		rrun replay_big "$work/replay_big.out" "$replay_bench" --repeat "$rrep_big" \
			--seeks 200 "$bigf"
		say "bench: replay index alone, big capture (peak RSS)"
		rrun replay_rss "$work/replay_rss.out" "$replay_bench" --index-only "$bigf"
	else
		for id in replay_big replay_rss; do na "$id" "skipped (--no-big)"; done
	fi
else
	for id in replay replay_big replay_rss; do na "$id" "$replay_bench is not built"; done
fi
if [ -x "$tui_bench" ]; then
	say "bench: replay UI, first screen and key-to-redraw"
	rrun tui "$work/tui.out" "$tui_bench" "$small" 1000
else
	na tui "$tui_bench is not built"
fi

# ---- the live UI under a flood (issue 10) ---------------------------------
# live_flood runs the live UI in a 120x40 pty and floods its namespace from
# the kernel peer (bench/flood: 500k segments at 50k/s), live_runs times
# back to back, through `tcpstep demo hello`'s ! and `tcpstep live --exec`
# in turn; a target passes only if it passed in every run. Root only:
# a live session makes a network namespace.
live_flood=$build/bench/live_flood
flood=$build/bench/flood
live_why=
if [ "$live" = no ]; then
	live_why="skipped (--no-live)"
elif [ "$(id -u)" != 0 ]; then
	live_why="skipped: needs root (a live session makes a network namespace and TAPs)"
elif [ ! -x "$live_flood" ] || [ ! -x "$flood" ] || [ ! -x "$tcpstep" ]; then
	live_why="skipped: $live_flood, $flood or $tcpstep is not built"
fi
if [ -z "$live_why" ]; then
	i=0
	while [ "$i" -lt "$live_runs" ]; do
		i=$((i + 1))
		# odd runs through demo hello's !, even ones through live --exec
		mode=demo
		[ $((i % 2)) = 1 ] || mode=live
		echo "$mode" > "$work/live$i.mode"
		say "bench: live UI under a 50k/s kernel flood, run $i of $live_runs ($mode)"
		lrc=0
		"$live_flood" --tcpstep "$tcpstep" --flood "$flood" --mode "$mode" > "$work/live$i.out" \
			2> "$work/live$i.err" || lrc=$?
		echo "$lrc" > "$work/live$i.rc"
	done
fi

# Sanity: the loop must have seen every frame, or its figure means nothing.
check_loop() {
	if [ "$(cut -d' ' -f1 "$work/$1.res")" = ok ]; then
		n=$(awk '{ print $2 }' "$work/$1.out")
		if [ "$n" != "$2" ]; then
			echo "failed (read $n of $2 frames)" > "$work/$1.res"
		fi
	fi
}
check_loop loop "$packets"
check_loop loop_buf "$packets"
[ "$big" = yes ] && check_loop loop_big "$big_packets"

# ---- report --------------------------------------------------------------
cpu_model=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null)
mem_total=$(awk '/^MemTotal/ { printf "%.1f GB", $2 / 1048576 }' /proc/meminfo 2>/dev/null)
echo
echo "tcpstep benchmark  $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "machine: $(nproc) CPUs, ${cpu_model:-unknown CPU}, $mem_total RAM, Linux $(uname -r)," \
	"load average $load_start at start, $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null) at end"
echo "tcpstep: $(git -C "$top" describe --always --dirty 2>/dev/null || echo unknown commit)," \
	"$(tcpdump --version 2>/dev/null | sed -n 2p)"
echo "capture: $small ($packets packets, seed $seed; from the page cache)"
[ "$big" = yes ] && echo "big capture: $bigf ($big_packets packets)"
echo "CPU = user+sys, best of $repeat run(s) (the loops and --summary taking turns; tshark: 1 run); RSS = peak resident set; timeout $tmo s per run"
echo

# row ID LABEL PACKETS
row() {
	read -r st a b c < "$work/$1.res" || true
	case "$st" in
	ok)
		awk -v label="$2" -v n="$3" -v cpu="$a" -v rss="$b" -v wall="$c" -v base="$base_cpu" \
			-v base_n="$packets" '
		BEGIN {
			rel = (base > 0 && n == base_n) ? sprintf("%.2fx", cpu / base) : "-"
			printf "%-34s %9.4f %9.0f %12.0f %9.1f %8.2f %8s\n", label, cpu,
				cpu * 1e9 / n, (cpu > 0 ? n / cpu : 0), rss / 1024, wall, rel
		}'
		;;
	timeout) printf "%-34s   timeout (more than %s s)\n" "$2" "$tmo" ;;
	failed) printf "%-34s   failed: exit status %s\n" "$2" "$a" ;;
	*) printf "%-34s   %s\n" "$2" "$(cut -d' ' -f2- "$work/$1.res")" ;;
	esac
}
base_cpu=0
read -r st a _ < "$work/loop.res" || true
[ "$st" = ok ] && base_cpu=$a
printf "%-34s %9s %9s %12s %9s %8s %8s\n" "tool ($packets packets)" "CPU s" "ns/pkt" "pkts/CPU-s" "RSS MB" "wall s" "vs loop"
row loop "bare libpcap loop (pcap_loop)" "$packets"
row loop_buf "the loop, ${iobuf_kib:-?} KiB stdio buffer" "$packets"
row summary "tcpstep decode --summary" "$packets"
row json "tcpstep decode --json >/dev/null" "$packets"
row tcptrace "tcptrace -n" "$packets"
row tcpdump "tcpdump -nn -q -r >/dev/null" "$packets"
row tshark "tshark -q -z conv,tcp -r" "$packets"
if [ "$big" = yes ]; then
	echo
	printf "%-34s %9s %9s %12s %9s %8s %8s\n" "tool ($big_packets packets)" "CPU s" "ns/pkt" "pkts/CPU-s" "RSS MB" "wall s" ""
	row loop_big "bare libpcap loop (pcap_loop)" "$big_packets"
	row summary_big "tcpstep decode --summary" "$big_packets"
fi

# Targets (issue 3). target LABEL VERDICT DETAIL
status=0
target() {
	printf "%-8s %s: %s\n" "$2" "$1" "$3"
	[ "$2" = PASS ] || status=1
}
field() { # field ID N: Nth field of the result when ok, else empty
	read -r st a b c < "$work/$1.res" || true
	[ "$st" = ok ] || { echo; return; }
	case "$2" in 2) echo "$a" ;; 3) echo "$b" ;; 4) echo "$c" ;; esac
}
why() { # why ID: the reason a result is missing
	read -r st rest < "$work/$1.res" || true
	case "$st" in
	timeout) echo "$1 timed out" ;;
	failed) echo "$1 failed (exit $rest)" ;;
	*) echo "$rest" ;;
	esac
}
# holds A OP K B: prints 1 when A OP K*B holds (numbers, in awk), else 0
holds() {
	awk -v a="$1" -v k="$3" -v b="$4" "BEGIN { a += 0; k += 0; b += 0; print (a $2 k * b) ? 1 : 0 }"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print "inf" }'; }

echo
echo "targets:"
l=$(field loop 2) s=$(field summary 2) j=$(field json 2) tt=$(field tcptrace 2) td=$(field tcpdump 2)
if [ -n "$s" ] && [ -n "$l" ]; then
	v=FAIL; [ "$(holds "$s" '<=' 2 "$l")" = 1 ] && v=PASS
	target "--summary within 2x of the read-and-parse loop" $v \
		"$(ratio "$s" "$l")x the loop's CPU ($s s vs $l s)"
else
	target "--summary within 2x of the read-and-parse loop" UNKNOWN \
		"$(if [ -z "$s" ]; then why summary; else why loop; fi)"
fi
lb=$(field loop_buf 2)
if [ -n "$s" ] && [ -n "$lb" ]; then
	echo "         (for reference, not a target: $(ratio "$s" "$lb")x a loop that reads through" \
		"tcpstep's ${iobuf_kib} KiB stdio buffer, $lb s)"
fi
if [ -n "$s" ] && [ -n "$tt" ]; then
	v=FAIL; [ "$(holds "$tt" '>=' 3 "$s")" = 1 ] && v=PASS
	target "--summary at least 3x faster than tcptrace" $v \
		"$(ratio "$tt" "$s")x faster ($s s vs $tt s)"
else
	target "--summary at least 3x faster than tcptrace" UNKNOWN \
		"$(if [ -z "$s" ]; then why summary; else why tcptrace; fi)"
fi
if [ -n "$j" ] && [ -n "$td" ]; then
	v=FAIL; [ "$(holds "$j" '<' 1 "$td")" = 1 ] && v=PASS
	target "--json faster than tcpdump -nn -q" $v \
		"$(ratio "$td" "$j")x faster ($j s vs $td s)"
else
	target "--json faster than tcpdump -nn -q" UNKNOWN \
		"$(if [ -z "$j" ]; then why json; else why tcpdump; fi)"
fi
m=$(field summary_big 3)
if [ -n "$m" ]; then
	v=FAIL; [ "$(holds "$m" '<' 1 195312.5)" = 1 ] && v=PASS # 200e6 bytes in KiB
	target "$big_packets packets decoded in under 200 MB" $v \
		"peak RSS $(awk -v m="$m" 'BEGIN { printf "%.1f", m * 1024 / 1e6 }') MB (10^6 bytes)"
else
	target "$big_packets packets decoded in under 200 MB" UNKNOWN "$(why summary_big)"
fi

# The replay UI's figures and targets (issue 9). rv ID KEY: KEY's value
# in ID's RESULT line when ID ran, else empty.
rv() {
	[ "$(cut -d' ' -f1 "$work/$1.res")" = ok ] || return 0
	sed -n "s/^RESULT.* $2=\([^ ]*\).*/\1/p" "$work/$1.out"
}
echo
echo "replay UI (issue 9): replay_bench (index beside decode --summary in one process, CPU time, best of the turns; random jumps: frame re-read + connection state, wall) and tui_bench (200x60 off-screen grid)"
for id in replay replay_big; do
	if [ "$id" = replay ]; then n=$packets; else n=$big_packets; fi
	if [ -n "$(rv $id index_cpu)" ]; then
		printf "  %s packets, %s connections: index %s s vs summary %s s (%sx); jumps median %s us, worst %s us (%s); index %s bytes, %s B/packet; longest 50k-frame step %s ms\n" \
			"$n" "$(rv $id conns)" "$(rv $id index_cpu)" "$(rv $id summary_cpu)" "$(rv $id ratio)" \
			"$(rv $id seek_median_us)" "$(rv $id seek_worst_us)" "$(rv $id seeks)" \
			"$(rv $id mem_bytes)" "$(rv $id mem_per_pkt)" "$(rv $id step_ms)"
	else
		printf "  %s packets: %s\n" "$n" "$(why $id)"
	fi
done
if [ -n "$(rv tui first_ms)" ]; then
	echo "  UI, $packets packets: first screen $(rv tui first_ms) ms; $(rv tui keys) keys + redraw with $(rv tui conns) connections in the list: median $(rv tui key_median_ms) ms, worst $(rv tui key_worst_ms) ms (no target in issue 9)"
fi
# verdict LABEL ID KEY OP LIMIT UNIT
verdict() {
	val=$(rv "$2" "$3")
	if [ -z "$val" ]; then
		target "$1" UNKNOWN "$(why "$2")"
	else
		v=FAIL; [ "$(holds "$val" "$4" 1 "$5")" = 1 ] && v=PASS
		target "$1" $v "$val$6"
	fi
}
echo
echo "targets (issue 9):"
verdict "first screen under 0.5 s" tui first_ms '<' 500 " ms"
verdict "complete index within 1.5x decode --summary, $packets packets" replay ratio '<=' 1.5 "x"
verdict "complete index within 1.5x decode --summary, $big_packets packets" replay_big ratio '<=' 1.5 "x"
verdict "every seek under 50 ms, $packets packets" replay seek_worst_us '<' 50000 " us (worst of $(rv replay seeks))"
verdict "every seek under 50 ms, $big_packets packets" replay_big seek_worst_us '<' 50000 " us (worst of $(rv replay_big seeks))"
verdict "index at most 16 bytes a packet, $big_packets packets" replay_big mem_per_pkt '<=' 16 " B/packet (replay_memory; the tracker's open connections not counted)"
mi=$(field replay_rss 3) ms=$(field summary_big 3)
if [ -n "$mi" ] && [ -n "$ms" ]; then
	echo "         (for reference: indexing's peak RSS $(awk -v m="$mi" 'BEGIN { printf "%.1f", m / 1024 }') MB, decode --summary's $(awk -v m="$ms" 'BEGIN { printf "%.1f", m / 1024 }') MB: $(awk -v a="$mi" -v b="$ms" -v n="$big_packets" 'BEGIN { printf "%.1f", (a - b) * 1024 / n }') B/packet more, malloc and slack included)"
fi
verdict "random jumps agree with a direct tracker pass, $packets packets" replay bad '==' 0 " disagree"
verdict "random jumps agree with a direct tracker pass, $big_packets packets" replay_big bad '==' 0 " disagree"

if [ "$decode_ok" = yes ] && [ -s "$work/summary.out" ]; then
	echo
	echo "tcpstep decode --summary printed $(wc -l < "$work/summary.out") lines for the $packets-packet capture" \
		"(tshark: $(grep -c '<->' "$work/tshark.out" 2>/dev/null || echo '?') conversations)"
fi
echo
echo "live UI under a kernel flood (issue 10): live_flood, 500k segments at 50k/s from the kernel peer, 120x40 pty"
if [ -n "$live_why" ]; then
	echo "  $live_why"
	echo
	echo "targets (issue 10):"
	echo "SKIPPED  the live UI under a flood: $live_why"
else
	i=0
	while [ "$i" -lt "$live_runs" ]; do
		i=$((i + 1))
		echo "  run $i, --mode $(cat "$work/live$i.mode") (exit $(cat "$work/live$i.rc")):"
		grep -E '^(flood: sent|CPU during|keys|frame to screen|capture|cleanup)' "$work/live$i.out" |
			sed 's/^/    /'
		sed 's/^/    /' "$work/live$i.err" | head -5
	done
	echo
	echo "targets (issue 10, every run):"
	for t in "no capture drops" "keys answered in under 100 ms" \
		"a frame on screen within 50 ms" "the flood ran and everything was cleaned up"; do
		v=PASS detail=
		i=0
		while [ "$i" -lt "$live_runs" ]; do
			i=$((i + 1))
			line=$(grep -F " $t: " "$work/live$i.out" | head -1)
			st=${line%% *}
			[ -n "$line" ] || st=UNKNOWN
			case "$st" in
			PASS) ;;
			FAIL) v=FAIL ;;
			*) [ "$v" = FAIL ] || v=UNKNOWN ;;
			esac
			detail="$detail${detail:+; }${line#*: }"
			[ -n "$line" ] || detail="$detail(run $i: no verdict)"
		done
		target "$t" $v "$detail"
	done
fi
exit $status
