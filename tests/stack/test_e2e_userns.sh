#!/bin/bash
# As a normal user (nobody), tcpstep makes its own user + network namespace
# and runs a live session in it (issue 2, "The network"). This machine's
# /dev/net/tun may be root-only, so the test runs in a private mount
# namespace where a 0666 copy of the device is bind-mounted over it, as
# Debian ships it; nothing outside that mount namespace changes.
set -u
. "$(dirname "$0")/e2e_lib.sh"
command -v unshare >/dev/null && command -v setpriv >/dev/null ||
	skip "needs unshare and setpriv (util-linux)"
as_nobody() { setpriv --reuid 65534 --regid 65534 --clear-groups "$@"; }
as_nobody test -x "$E2E_TCPSTEP" -a -x "$E2E_NODE" ||
	skip "the build tree is not readable by user nobody"
as_nobody unshare -Urn true 2>/dev/null ||
	skip "this kernel does not allow unprivileged user namespaces"

dev=$(mktemp -u /run/tcpstep-e2e-tun.XXXXXX)
out=$(unshare -m sh -c '
	mknod "$1" c 10 200 && chmod 666 "$1" && mount --bind "$1" /dev/net/tun &&
	rm -f "$1" &&
	exec setpriv --reuid 65534 --regid 65534 --clear-groups \
		env TCPSTEP_NODE="$3" "$2" live --headless --msl 0.5 --timeout 30 \
		--exec "(printf \"as nobody\\n\"; sleep 1.5) | nc -q 0 192.0.2.2 8888; id -u; ip -o -4 addr show dev br0"
' sh "$dev" "$E2E_TCPSTEP" "$E2E_NODE" 2>"$e2e_tmp/userns.err")
rc=$?
rm -f "$dev"
err=$(cat "$e2e_tmp/userns.err")
check_eq "exit status as nobody" "$rc" 0
[ "$rc" = 0 ] || printf '%s\n' "$err" >&2
check_match "the server got the message" "$out" '^as nobody$'
check_match "nc got the reply" "$out" '^kernel Hello, 192\.0\.2\.1:[0-9]+$'
check_match "root inside its own user namespace" "$out" '^kernel 0$'
check_match "br0 inside" "$out" 'br0 +inet 192\.0\.2\.1/24'
check_match "true states" "$out" '^server 192\.0\.2\.2:8888 192\.0\.2\.1:[0-9]+ SYN_RCVD -> ESTABLISHED '

# Where the TAP device is root-only (as on this test's own machines), the
# refusal says what is needed, and that replaying a pcap needs nothing.
if ! as_nobody test -r /dev/net/tun -a -w /dev/net/tun; then
	err=$(as_nobody env TCPSTEP_NODE="$E2E_NODE" "$E2E_TCPSTEP" live --headless --exec true 2>&1 >/dev/null)
	rc=$?
	check_eq "refused as nobody: exit status" "$rc" 1
	check_match "names the device" "$err" "cannot open /dev/net/tun"
	check_match "says what is needed" "$err" "run tcpstep as root"
	check_match "says a pcap needs nothing" "$err" "replaying a pcap file needs no privileges"
fi

e2e_done
