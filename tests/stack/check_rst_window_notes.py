#!/usr/bin/env python3
"""The demos whose captures show an lwIP RST explain its odd window.

lwIP 2.1.3's tcp_rst() writes the window byte-swapped (docs/node.md, "lwIP's
RST window"; pinned on lwIP itself by test_lwip_rst_window.c). A teacher
reading `win 53270` in demos/NAME/expected.txt must find the reason in that
demo's README. For every RST an lwIP node (192.0.2.2 or .3) sent in a demo's
expected.txt, this checks that:
  - its window is the byte swap of the window lwIP's own SYNs carry in the
    same capture (so the documented explanation is the right one; a capture
    without such a SYN fails, it could not be checked);
  - the demo's README names that window, tcp_rst(), RFC 9293 3.10.7 and
    docs/node.md;
  - docs/node.md has the section and names the number;
and that no README explains an lwIP RST its capture does not show.
Usage: check_rst_window_notes.py SOURCE_ROOT
"""
import pathlib
import re
import sys

LWIP = ("192.0.2.2", "192.0.2.3")
SEG = re.compile(r"^\S+ (\d+\.\d+\.\d+\.\d+)\.\d+ > \S+: Flags \[([^\]]*)\].*?, win (\d+)")


def swap16(v):
    return ((v & 0xFF) << 8) | (v >> 8)


def main():
    root = pathlib.Path(sys.argv[1])
    failures = []
    node_md = (root / "docs" / "node.md").read_text()
    if "## lwIP's RST window" not in node_md:
        failures.append("docs/node.md: no section \"lwIP's RST window\"")
    found = 0
    for expected in sorted((root / "demos").glob("*/expected.txt")):
        demo = expected.parent
        syn_wins, rst_wins = set(), set()
        for line in expected.read_text().splitlines():
            m = SEG.match(line)
            if not m or m.group(1) not in LWIP:
                continue
            flags, win = m.group(2), int(m.group(3))
            if "R" in flags:
                rst_wins.add(win)
            elif "S" in flags:
                syn_wins.add(win)
        readme = (demo / "README.md").read_text()
        if not rst_wins:
            # a note with nothing left to explain misleads as much
            if "tcp_rst()" in readme:
                failures.append(f"{demo.name}/README.md explains an lwIP RST window "
                                f"its capture no longer shows")
            continue
        if not syn_wins:
            failures.append(f"{demo.name}: no lwIP SYN to check the RST window against")
        for win in sorted(rst_wins):
            found += 1
            where = f"{demo.name}: lwIP RST with win {win}"
            if win not in {swap16(w) for w in syn_wins}:
                failures.append(f"{where}: not the byte swap of lwIP's SYN window "
                                f"{sorted(syn_wins)}: the explanation does not fit")
            for need in (f"`win {win}`", "tcp_rst()", "RFC 9293 3.10.7", "docs/node.md"):
                if need not in readme:
                    failures.append(f"{where}: {demo.name}/README.md does not mention {need}")
            if str(win) not in node_md:
                failures.append(f"{where}: docs/node.md does not name {win}")
        print(f"{demo.name}: lwIP RST window(s) {sorted(rst_wins)} explained")
    if found == 0:
        failures.append("no demo shows an lwIP RST: if lwIP's RST window is fixed, "
                        "remove the notes and this test")
    for f in failures:
        print("FAIL:", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
