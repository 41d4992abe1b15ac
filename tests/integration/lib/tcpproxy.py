#!/usr/bin/env python3
"""A TCP forwarder on loopback: cut it (kill it) and start it again to take a link down and
bring it back while both ends keep running. Writes its port to --ready-file once listening."""
import argparse
import socket
import threading


def pump(a, b):
    try:
        while True:
            data = a.recv(65536)
            if not data:
                break
            b.sendall(data)
    except OSError:
        pass
    for s in (a, b):
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--listen", type=int, required=True)
    ap.add_argument("--to", type=int, required=True)
    ap.add_argument("--ready-file")
    a = ap.parse_args()
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", a.listen))
    srv.listen(16)
    if a.ready_file:
        with open(a.ready_file, "w") as f:
            f.write("%d\n" % a.listen)
    while True:
        c, _ = srv.accept()
        try:
            u = socket.create_connection(("127.0.0.1", a.to))
        except OSError:
            c.close()
            continue
        threading.Thread(target=pump, args=(c, u), daemon=True).start()
        threading.Thread(target=pump, args=(u, c), daemon=True).start()


if __name__ == "__main__":
    main()
