#!/usr/bin/env python3
"""The house's rules (DESIGN.md "The house"), checked on the source tree:

1. One-way doors between rooms: ui -> session -> capture, common;
   ui -> capture; stack -> common. A file may include headers of its own
   room and of the rooms its room may enter, nothing else.
2. Only ui/ includes curses; only ui/ writes to stdout (program entry
   points that print their own --help, *_main.c, excepted); the session
   engine (session/) writes to stderr neither: it says what it has to say
   as events.
3. No subcommand (*_cmd.c, cmd_*.c) outside ui/.
4. No circle between files: the graph "module A includes module B's
   header" (a module is foo.c + foo.h) has no cycle.

Usage: check_structure.py SOURCE_ROOT. Prints every breach; exit 1 if any.
"""
import os
import re
import sys

ROOMS = {
    "common": set(),
    "stack": {"common"},
    "capture": {"common"},
    "session": {"capture", "common"},
    "ui": {"session", "capture", "common"},
}
INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]', re.M)
STDERR = re.compile(r'\bstderr\b')
STDOUT = re.compile(r'\bstdout\b|(?<![a-z_])printf\s*\(|(?<![a-z_])puts\s*\(|\bputchar\s*\(')
COMMENT = re.compile(r'/\*.*?\*/|//[^\n]*', re.S)
STRING = re.compile(r'"(\\.|[^"\\\n])*"')


def room_of(rel):
    return rel.split(os.sep)[0]


def main():
    root = sys.argv[1]
    files = {}  # rel path -> text
    for room in ROOMS:
        for dirpath, _, names in os.walk(os.path.join(root, room)):
            for n in names:
                if n.endswith((".c", ".h")):
                    p = os.path.join(dirpath, n)
                    rel = os.path.relpath(p, root)
                    with open(p, encoding="utf-8", errors="replace") as f:
                        files[rel] = f.read()
    headers = {}  # basename -> rel (project headers)
    for rel in files:
        if rel.endswith(".h"):
            headers.setdefault(os.path.basename(rel), []).append(rel)
    bad = []
    edges = {}
    for rel, text in files.items():
        room = room_of(rel)
        mod = rel[:-2]
        code = STRING.sub('""', COMMENT.sub(" ", text))
        for kind, name in INCLUDE.findall(text):
            base = os.path.basename(name)
            if kind == "<" and "curses" in base and room != "ui":
                bad.append(f"{rel}: includes <{name}> (curses only in ui/)")
            if kind != '"' or base not in headers:
                continue
            targets = headers[base]
            # the header of the same room first, as the include path finds it
            same = [t for t in targets if room_of(t) == room]
            target = same[0] if same else targets[0]
            troom = room_of(target)
            if troom != room and troom not in ROOMS[room]:
                bad.append(f"{rel}: includes {target} ({room} -> {troom} is not a door)")
            tmod = target[:-2]
            if tmod != mod:
                edges.setdefault(mod, set()).add(tmod)
        if room != "ui" and rel.endswith(".c") and not rel.endswith("_main.c"):
            if STDOUT.search(code):
                bad.append(f"{rel}: writes to stdout (only ui/ prints)")
        if room == "session" and STDERR.search(code):
            bad.append(f"{rel}: writes to stderr (the session speaks in events)")
        b = os.path.basename(rel)
        if room != "ui" and (b.startswith("cmd_") or b.endswith("_cmd.c")):
            bad.append(f"{rel}: a subcommand outside ui/")
    # cycles (iterative DFS, three colours)
    colour = {}
    for start in sorted(edges):
        if colour.get(start):
            continue
        stack = [(start, iter(sorted(edges.get(start, ()))))]
        path = [start]
        colour[start] = 1
        while stack:
            node, it = stack[-1]
            nxt = next(it, None)
            if nxt is None:
                colour[node] = 2
                stack.pop()
                path.pop()
                continue
            c = colour.get(nxt, 0)
            if c == 1:
                cyc = path[path.index(nxt):] + [nxt]
                bad.append("circle: " + " -> ".join(cyc))
            elif c == 0:
                colour[nxt] = 1
                path.append(nxt)
                stack.append((nxt, iter(sorted(edges.get(nxt, ())))))
    for b in bad:
        print(b)
    print(f"{len(files)} files, {sum(len(v) for v in edges.values())} include edges, "
          f"{len(bad)} breaches")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
