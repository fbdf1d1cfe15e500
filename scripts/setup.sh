#!/bin/sh
# Installs what tcpstep needs to build and test, and fetches lwIP 2.1.3 from
# Debian's source package. Quick and silent when everything is already there.
#
#   scripts/setup.sh            build + test dependencies
#   scripts/setup.sh bench      also the tools the benchmarks compare against
#
# As root it installs with apt-get; as another user it only says what is missing.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
pkgdir="$top/subprojects/packagefiles"
lwip_tarball=lwip_2.1.3+dfsg1.orig.tar.xz
lwip_sha256=0a8276d09fc4e97bbba2f953d74af2388fc2195ea156be9d7589e297a68fde24

# meson/ninja/gcc/pkg-config build; libpcap and ncursesw are linked; dpkg-dev
# and xz-utils let apt-get fetch and meson unpack the lwIP source; patch
# applies the wrap's diff; iproute2 makes the namespace; netcat, curl, tshark
# and tmux are the kernel peers and checkers the tests use; clang and its
# libFuzzer/sanitizer runtime (libclang-rt-dev: only a Recommends of clang,
# so --no-install-recommends leaves it out) run the bounded fuzz test of the
# decoder and tracker (tests/fuzz/run_fuzz.sh; the build itself uses gcc);
# util-linux gives the live tests unshare; python3 runs
# scripts/test-summary.py (run.sh calls it directly) and the root tests'
# load test; tcpdump reads the root tests' recordings; gettext's msgfmt
# builds po/ja.po (Japanese needs no generated locale: ui/tui/explain.c
# falls back to C.UTF-8, which libc-bin always has); locales gives
# localedef, with which tests/ui/test_locale_comma.c builds a comma-decimal
# locale of its own (de_DE) to show no --msl is read with the locale's
# decimal point.
packages="meson ninja-build pkg-config gcc libc6-dev libpcap-dev libncurses-dev
  dpkg-dev xz-utils patch iproute2 netcat-openbsd curl tshark tmux procps
  clang libclang-rt-dev util-linux python3 tcpdump valgrind gettext locales"
if [ "${1:-}" = bench ]; then
  packages="$packages tcpdump tcptrace"
fi

say() { printf 'setup: %s\n' "$*" >&2; }

missing=
for p in $packages; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
    missing="$missing $p"
done

updated=no
apt_update() {
  [ "$updated" = yes ] && return 0
  apt-get update -qq >/dev/null
  updated=yes
}

if [ -n "$missing" ]; then
  if [ "$(id -u)" != 0 ]; then
    say "missing Debian packages:$missing"
    say "install them as root: apt-get install$missing"
    exit 1
  fi
  say "installing:$missing"
  apt_update
  # apt's stderr (e.g. debconf's "delaying package configuration, since
  # apt-utils is not installed" on a minimal image) is shown only on failure.
  log=$(mktemp)
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    $missing >"$log" 2>&1 || { cat "$log" >&2; rm -f "$log"; exit 1; }
  rm -f "$log"
fi

tarball_ok() {
  [ -f "$pkgdir/$lwip_tarball" ] &&
    echo "$lwip_sha256  $pkgdir/$lwip_tarball" | sha256sum -c --status
}

# apt-get source needs deb-src entries. Where the machine has none, derive
# them from its deb entries (one-line sources.list and deb822 .sources files).
ensure_deb_src() {
  if grep -rqsE '^(deb-src|Types:.*deb-src)' /etc/apt/sources.list /etc/apt/sources.list.d/; then
    return 0
  fi
  say "adding deb-src entries derived from the existing apt sources"
  out=/etc/apt/sources.list.d/tcpstep-deb-src
  if [ -f /etc/apt/sources.list ] && grep -qE '^deb ' /etc/apt/sources.list; then
    sed -n 's/^deb /deb-src /p' /etc/apt/sources.list > "$out.list"
  fi
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    case "$f" in */tcpstep-deb-src.sources) continue ;; esac
    # Only Debian's own archives: third-party repositories rarely carry sources.
    grep -q 'debian' "$f" || continue
    sed -e 's/^Types:.*/Types: deb-src/' "$f" >> "$out.sources"
    echo >> "$out.sources"
  done
  updated=no
}

if ! tarball_ok; then
  if [ "$(id -u)" != 0 ]; then
    say "lwIP source missing: run this script as root once, or put $lwip_tarball in $pkgdir"
    exit 1
  fi
  ensure_deb_src
  apt_update
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && apt-get source --download-only -qq lwip >/dev/null 2>&1) || {
    say "apt-get source lwip failed; check that deb-src entries exist for Debian bookworm"
    exit 1
  }
  mkdir -p "$pkgdir"
  cp "$tmp/$lwip_tarball" "$pkgdir/" 2>/dev/null || {
    say "Debian's lwip source package has no $lwip_tarball (version changed?)"
    exit 1
  }
  tarball_ok || { say "sha256 of $lwip_tarball does not match the wrap"; exit 1; }
fi
