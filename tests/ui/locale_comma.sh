#!/bin/sh
# Runs TEST (test_locale_comma) under a comma-decimal locale built here with
# localedef (de_DE.UTF-8 into a private LOCPATH), so it needs no locale the
# machine happens to have generated.
set -u
test_bin=$1
if ! command -v localedef >/dev/null 2>&1 || [ ! -d /usr/share/i18n/locales ]; then
	echo "SKIP: localedef and /usr/share/i18n/locales are missing (Debian" \
	     "package locales; scripts/setup.sh installs it)"
	exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
# localedef exits 1 for mere warnings; the locale is there all the same.
localedef -i de_DE -f UTF-8 "$tmp/de_DE.UTF-8" >/dev/null 2>&1
if [ ! -e "$tmp/de_DE.UTF-8/LC_NUMERIC" ]; then
	echo "localedef could not build de_DE.UTF-8" >&2
	exit 1
fi
LOCPATH=$tmp LC_ALL=de_DE.UTF-8 "$test_bin"
