#!/usr/bin/env python3
"""Load for the lwIP server, run inside the session namespace by
test_e2e_load.sh: N concurrent kernel connections (bounded in count and
time), each sending one line; then one ordinary exchange that must get the
article's exact reply. Prints a tally; exits 0 only if the final exchange
worked and every connection attempt ended within the time bound."""
import selectors
import socket
import sys
import time

SERVER = ("192.0.2.2", 8888)  # the session network only (RFC 5737)
N = int(sys.argv[1]) if len(sys.argv) > 1 else 200
BOUND_S = float(sys.argv[2]) if len(sys.argv) > 2 else 20.0
assert 1 <= N <= 500 and BOUND_S <= 60


def main():
    sel = selectors.DefaultSelector()
    tally = {"served": 0, "refused": 0, "reset": 0, "timeout": 0, "other": 0}
    conns = {}
    for _ in range(N):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setblocking(False)
        s.connect_ex(SERVER)
        conns[s] = {"sent": False, "got": b""}
        sel.register(s, selectors.EVENT_WRITE)
    end = time.monotonic() + BOUND_S
    while conns and time.monotonic() < end:
        for key, ev in sel.select(timeout=0.2):
            s = key.fileobj
            st = conns[s]
            try:
                if not st["sent"]:
                    err = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                    if err:
                        raise OSError(err, "connect")
                    s.send(b"load\n")
                    st["sent"] = True
                    sel.modify(s, selectors.EVENT_READ)
                    continue
                data = s.recv(4096)
                if data:
                    st["got"] += data
                    continue
                ok = st["got"].startswith(b"Hello, 192.0.2.1:")
                tally["served" if ok else "other"] += 1
            except ConnectionRefusedError:
                tally["refused"] += 1
            except ConnectionResetError:
                tally["reset"] += 1
            except TimeoutError:
                tally["timeout"] += 1
            except OSError as e:
                tally["other"] += 1
                print("load: %s" % e, file=sys.stderr)
            sel.unregister(s)
            s.close()
            del conns[s]
    unfinished = len(conns)
    for s in list(conns):
        s.close()
    print("load: %d connections: %s, unfinished %d" % (
        N, ", ".join("%s %d" % kv for kv in tally.items()), unfinished))

    # Afterwards the server serves normally.
    time.sleep(1)
    with socket.create_connection(SERVER, timeout=10) as s:
        s.sendall(b"after the load\n")
        reply = b""
        s.settimeout(10)
        while True:
            d = s.recv(1024)
            if not d:
                break
            reply += d
        local = "%s:%d" % s.getsockname()
    want = ("Hello, %s\n" % local).encode()
    print("load: final reply %r" % reply)
    if reply != want:
        print("load: want %r" % want, file=sys.stderr)
        return 1
    return 0 if unfinished == 0 else 2


sys.exit(main())
