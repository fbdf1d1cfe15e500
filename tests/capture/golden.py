#!/usr/bin/env python3
"""One golden test: runs `tcpstep decode ARGS...` and compares its standard
output with an expected file, its exit status with the expected one, and
(optionally) checks that standard error contains a given text.

usage: golden.py TCPSTEP [--expect FILE] [--exit N] [--stderr TEXT]
                 [--stdin FILE [--pipe]] -- DECODE_ARGS...

--stdin gives FILE as standard input; with --pipe through a pipe, which
cannot seek (as `cat FILE | tcpstep decode -`).

With TCPSTEP_GOLDEN_UPDATE=1 in the environment the expected file is
rewritten from the actual output instead (review the diff before
committing it: a golden file is only as right as the eyes that read it).
"""
import argparse
import difflib
import os
import subprocess
import sys


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("tcpstep")
    ap.add_argument("--expect")
    ap.add_argument("--exit", type=int, default=0)
    ap.add_argument("--stderr")
    ap.add_argument("--stdin")
    ap.add_argument("--pipe", action="store_true")
    argv = sys.argv[1:]
    split = argv.index("--") if "--" in argv else len(argv)
    a = ap.parse_args(argv[:split])
    args = argv[split + 1:]
    env = dict(os.environ, TZ="Asia/Tokyo")
    if a.stdin and a.pipe:
        with open(a.stdin, "rb") as f:
            data = f.read()
        p = subprocess.run([a.tcpstep, "decode"] + args, input=data,
                           capture_output=True, env=env)
    else:
        stdin = open(a.stdin, "rb") if a.stdin else subprocess.DEVNULL
        p = subprocess.run([a.tcpstep, "decode"] + args, stdin=stdin,
                           capture_output=True, env=env)
    out = p.stdout.decode("utf-8", "replace")
    err = p.stderr.decode("utf-8", "replace")
    ok = True
    if p.returncode != a.exit:
        print(f"FAIL exit status {p.returncode}, want {a.exit}; stderr:\n{err}")
        ok = False
    if a.stderr is not None and a.stderr not in err:
        print(f"FAIL stderr lacks {a.stderr!r}; stderr was:\n{err}")
        ok = False
    if a.expect:
        if os.environ.get("TCPSTEP_GOLDEN_UPDATE") == "1":
            with open(a.expect, "w") as f:
                f.write(out)
            print(f"updated {a.expect}")
        else:
            with open(a.expect) as f:
                want = f.read()
            if out != want:
                ok = False
                print(f"FAIL output differs from {a.expect}:")
                sys.stdout.writelines(difflib.unified_diff(
                    want.splitlines(True), out.splitlines(True), "expected", "actual"))
    if ok:
        print(f"ok   tcpstep decode {' '.join(args)}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
