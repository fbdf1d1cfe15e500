#!/bin/bash
# The headless output is in causal order, always, and one --seed gives one
# full output (docs/control-protocol.md "Ordering"): the same seeded demo
# run 20 times prints the same lines in the same order, the inferred wire
# lines included; and in every run each cause comes before its effect on
# the other node (and the wire's view of a segment between the two).
set -u
. "$(dirname "$0")/e2e_lib.sh"

runs=${E2E_ORDER_RUNS:-20}

# first_line OUT REGEX: the number of the first line matching, or 0.
first_line() {
	printf '%s\n' "$1" | grep -En -m1 -- "$2" | cut -d: -f1 | grep . || echo 0
}

# before WHAT OUT REGEX-A REGEX-B: A's first line comes before B's.
before() {
	local a b
	a=$(first_line "$2" "$3")
	b=$(first_line "$2" "$4")
	if [ "$a" = 0 ] || [ "$b" = 0 ]; then
		fail "$1: missing line (/$3/ at $a, /$4/ at $b)"
		printf '%s\n' "$2" | sed 's/^/  | /' >&2
	elif [ "$a" -ge "$b" ]; then
		fail "$1: /$3/ (line $a) is not before /$4/ (line $b)"
		printf '%s\n' "$2" | sed 's/^/  | /' >&2
	fi
}

S='^server 192\.0\.2\.2:8888 192\.0\.2\.3:[0-9]+ '
C='^client 192\.0\.2\.3:[0-9]+ 192\.0\.2\.2:8888 '
W='^wire conn 1 '

causal_pairs() {
	local o=$2 w=$1
	before "$w: server listens, then prints its start-up line" "$o" \
		'^server 192\.0\.2\.2:8888 0\.0\.0\.0:0 CLOSED -> LISTEN ' '^192\.0\.2\.2:8888で受付開始しました$'
	before "$w: client connect() before the server gets the SYN" "$o" \
		"${C}CLOSED -> SYN_SENT \(connect\(\) called\)" "${S}CLOSED -> SYN_RCVD \(rcvd SYN\)"
	before "$w: server SYN_RCVD before the client gets the SYN+ACK" "$o" \
		"${S}CLOSED -> SYN_RCVD " "${C}SYN_SENT -> ESTABLISHED "
	before "$w: client ESTABLISHED before the server's" "$o" \
		"${C}SYN_SENT -> ESTABLISHED " "${S}SYN_RCVD -> ESTABLISHED "
	before "$w: server ESTABLISHED before [Remote Address]" "$o" \
		"${S}SYN_RCVD -> ESTABLISHED " '^\[Remote Address\]$'
	before "$w: client ESTABLISHED (then its send) before [Message]" "$o" \
		"${C}SYN_SENT -> ESTABLISHED " '^\[Message\]$'
	before "$w: server close() before the client gets the FIN" "$o" \
		"${S}ESTABLISHED -> FIN_WAIT_1 \(close\(\) called\)" "${C}ESTABLISHED -> CLOSE_WAIT \(rcvd FIN\)"
	before "$w: server's reply sent (with its FIN) before the client prints it" "$o" \
		"${S}ESTABLISHED -> FIN_WAIT_1 " '^Hello, 192\.0\.2\.3:[0-9]+$'
	before "$w: client LAST_ACK before the server gets its FIN" "$o" \
		"${C}CLOSE_WAIT -> LAST_ACK " "${S}FIN_WAIT_1 -> (TIME_WAIT|FIN_WAIT_2) "
	before "$w: server TIME_WAIT before the client gets its ACK" "$o" \
		"${S}[A-Z_12]+ -> TIME_WAIT " "${C}LAST_ACK -> CLOSED \(rcvd ACK"
	# The wire's view of a segment sits between its sender's cause and the
	# receiver's reaction.
	if printf '%s\n' "$o" | grep -q "$W"; then
		before "$w: client connect() before the wire sees the SYN" "$o" \
			"${C}CLOSED -> SYN_SENT " "${W}192\.0\.2\.3:[0-9]+ CLOSED -> SYN_SENT "
		before "$w: the wire sees the SYN before the server gets it" "$o" \
			"${W}192\.0\.2\.3:[0-9]+ CLOSED -> SYN_SENT " "${S}CLOSED -> SYN_RCVD "
		before "$w: client ESTABLISHED before the wire sees its ACK" "$o" \
			"${C}SYN_SENT -> ESTABLISHED " "${W}192\.0\.2\.2:8888 SYN_RCVD -> ESTABLISHED "
		before "$w: the wire sees the ACK before the server gets it" "$o" \
			"${W}192\.0\.2\.2:8888 SYN_RCVD -> ESTABLISHED " "${S}SYN_RCVD -> ESTABLISHED "
		before "$w: server close() before the wire sees its FIN" "$o" \
			"${S}ESTABLISHED -> FIN_WAIT_1 " "${W}192\.0\.2\.2:8888 ESTABLISHED -> FIN_WAIT_1 "
		before "$w: the wire sees the server's FIN before the client gets it" "$o" \
			"${W}192\.0\.2\.3:[0-9]+ ESTABLISHED -> CLOSE_WAIT " "${C}ESTABLISHED -> CLOSE_WAIT "
	fi
}

# 1. Twenty runs, one seed: one output, and causal in each run.
for i in $(seq "$runs"); do
	run_tcpstep "run$i" demo hello --headless --seed 1 --msl 0.2 --timeout 30
	check_eq "run $i: exit status" "$rc" 0
	check_eq "run $i: stderr" "$err" ""
	causal_pairs "run $i" "$out"
	if [ "$i" = 1 ]; then
		first=$out
		# a real run: both apps' lines and every state change are there
		# (12 if the server passes through FIN_WAIT_2)
		n=$(printf '%s\n' "$out" | grep -Ec '^(server|client) [0-9.:]+ [0-9.:]+ [A-Z_12]+ -> ')
		[ "$n" = 11 ] || [ "$n" = 12 ] || fail "run 1: $n true state changes, not 11 or 12"
		check_match "run 1: the client's reply" "$out" '^Hello, 192\.0\.2\.3:[0-9]+$'
	fi
done
# One output: if not, say which runs printed what, against the output most
# runs printed (the odd run may be the first).
variants=$(cd "$e2e_tmp" && for i in $(seq "$runs"); do
	printf '%s run%s\n' "$(md5sum <"run$i.out" | cut -c1-32)" "$i"
done | sort -k1,1 -s)
if [ "$(cut -d' ' -f1 <<<"$variants" | sort -u | wc -l)" != 1 ]; then
	common=$(cut -d' ' -f1 <<<"$variants" | uniq -c | sort -rn | awk 'NR == 1 { print $2 }')
	ref=$(awk -v h="$common" '$1 == h { print $2; exit }' <<<"$variants")
	for h in $(cut -d' ' -f1 <<<"$variants" | uniq); do
		[ "$h" = "$common" ] && continue
		who=$(awk -v h="$h" '$1 == h { printf "%s ", $2 }' <<<"$variants")
		fail "${who}printed another sequence than the $(grep -c "^$common" <<<"$variants") runs like $ref (same --seed)"
		diff "$e2e_tmp/$ref.out" "$e2e_tmp/${who%% *}.out" >&2
	done
fi
first=$(cat "$e2e_tmp/run1.out")

# 2. Another seed: another client port, same causal order.
run_tcpstep seed2 demo hello --headless --seed 2 --msl 0.2 --timeout 30
check_eq "seed 2: exit status" "$rc" 0
causal_pairs "seed 2" "$out"
[ "$out" != "$first" ] || fail "seeds 1 and 2 printed the same run"

# 3. --raw is merged the same way: the protocol lines (stamp removed) in
#    causal order across the nodes.
run_tcpstep raw demo hello --headless --raw --seed 1 --msl 0.2 --timeout 30
check_eq "raw: exit status" "$rc" 0
check_no_match "raw: no stamp word shown" "$out" '^[a-z]+ @'
RS='^server state [0-9]+ 192\.0\.2\.2:8888 192\.0\.2\.3:[0-9]+ '
RC='^client state [0-9]+ 192\.0\.2\.3:[0-9]+ 192\.0\.2\.2:8888 '
before "raw: client ESTABLISHED before the server's" "$out" \
	"${RC}SYN_SENT ESTABLISHED " "${RS}SYN_RCVD ESTABLISHED "
before "raw: client LAST_ACK before the server's TIME_WAIT" "$out" \
	"${RC}CLOSE_WAIT LAST_ACK " "${RS}FIN_WAIT_1 TIME_WAIT "
before "raw: the client's app-done before the server's TIME_WAIT ends" "$out" \
	'^client app-done 0$' "${RS}TIME_WAIT CLOSED "

e2e_done
