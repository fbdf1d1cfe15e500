#!/usr/bin/env python3
"""Kernel TCP traffic on 127.0.0.1 for live_decode.sh, run inside its
private network namespace: four connections that end four ways."""
import socket, struct, time
def listener(port):
    ls = socket.socket(); ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", port)); ls.listen(4); return ls
# 1. the exchange of the article; the server closes first (TIME_WAIT on its side)
ls = listener(8888)
c = socket.create_connection(("127.0.0.1", 8888))
s, _ = ls.accept()
c.sendall(b"Hello, 127.0.0.1:8888\n")
assert s.recv(100) == b"Hello, 127.0.0.1:8888\n"
s.sendall(b"Hello\n"); c.recv(100)
s.close(); time.sleep(0.1); c.close(); time.sleep(0.1)
# 2. refused: nothing listens on 8889, the kernel answers RST
try:
    socket.create_connection(("127.0.0.1", 8889)).close()
    raise SystemExit("connect to 8889 should have been refused")
except ConnectionRefusedError:
    pass
# 3. half-close: the client shuts down writing, the server still sends
c = socket.create_connection(("127.0.0.1", 8888))
s, _ = ls.accept()
c.sendall(b"request"); c.shutdown(socket.SHUT_WR)
assert s.recv(100) == b"request"; assert s.recv(100) == b""
s.sendall(b"answer after the FIN of the client"); time.sleep(0.1)
assert c.recv(100) == b"answer after the FIN of the client"
s.close(); time.sleep(0.1); c.close(); time.sleep(0.1)
# 4. abort: SO_LINGER 0 makes close() send RST
c = socket.create_connection(("127.0.0.1", 8888))
s, _ = ls.accept()
c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
c.close(); time.sleep(0.1); s.close(); time.sleep(0.1)
