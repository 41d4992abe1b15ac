#!/usr/bin/env python3
"""A Modbus TCP peer that misbehaves on purpose, for tests/integration/badpeer.sh.

    badpeer.py PORT MODE [UPSTREAM_PORT]

Listens on 127.0.0.1:PORT. Requests are framed by their MBAP header. Modes that garble a
plausible answer take it from a real Modbus TCP server on 127.0.0.1:UPSTREAM_PORT (the
simulator), so that everything but the one lie is right:

  length     the MBAP length field lies (says 3) and the PDU is one register short
  short      a PDU cut short: function code and byte count, no data
  function   the right data under another function code (0x04 for 0x03 and back)
  exception  Modbus exception 0x02 (illegal data address) to every request
  random     random bytes of random length
  tid        the right answer under another transaction id
  unit       the right answer from another unit id
  half       half of the right answer, then silence (the connection stays open)
  silent     accepts and never answers
  close      accepts and closes at once

Each connection is served by its own thread; the process runs until killed.
"""
import os
import random
import socket
import struct
import sys
import threading


def recv_exact(sock, n):
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            return None
        buf += chunk
    return buf


def recv_frame(sock):
    head = recv_exact(sock, 7)
    if head is None:
        return None
    length = struct.unpack(">H", head[4:6])[0]
    body = recv_exact(sock, length - 1) if length > 1 else b""
    if body is None:
        return None
    return head + body


class Upstream:
    """One connection to the real server per client connection, opened on first use."""

    def __init__(self, port):
        self.port = port
        self.sock = None

    def ask(self, frame):
        if self.port is None:
            return None
        try:
            if self.sock is None:
                self.sock = socket.create_connection(("127.0.0.1", self.port), timeout=5)
            self.sock.sendall(frame)
            return recv_frame(self.sock)
        except OSError:
            if self.sock:
                self.sock.close()
            self.sock = None
            return None

    def close(self):
        if self.sock:
            self.sock.close()


def zero_answer(req):
    """A well-formed answer of zeros, used when no upstream answer is at hand."""
    tid, _, _, unit, fn = struct.unpack(">HHHBB", req[:8])
    count = struct.unpack(">H", req[10:12])[0] if len(req) >= 12 else 1
    pdu = bytes([fn, 2 * count]) + bytes(2 * count)
    return struct.pack(">HHHB", tid, 0, len(pdu) + 1, unit) + pdu


def garble(mode, req, good, rng):
    tid, proto, _, unit = struct.unpack(">HHHB", good[:7])
    pdu = good[7:]
    if mode == "length":
        pdu = pdu[:-2]
        return struct.pack(">HHHB", tid, proto, 3, unit) + pdu
    if mode == "short":
        pdu = pdu[:2]
        return struct.pack(">HHHB", tid, proto, len(pdu) + 1, unit) + pdu
    if mode == "function":
        fn = 0x04 if pdu[0] == 0x03 else 0x03
        pdu = bytes([fn]) + pdu[1:]
        return struct.pack(">HHHB", tid, proto, len(pdu) + 1, unit) + pdu
    if mode == "exception":
        pdu = bytes([req[7] | 0x80, 0x02])
        return struct.pack(">HHHB", tid, proto, 3, unit) + pdu
    if mode == "random":
        return os.urandom(rng.randint(1, 300))
    if mode == "tid":
        return struct.pack(">HHHB", (tid + 1) & 0xFFFF, proto, len(pdu) + 1, unit) + pdu
    if mode == "unit":
        return struct.pack(">HHHB", tid, proto, len(pdu) + 1, (unit + 1) & 0xFF) + pdu
    if mode == "half":
        return good[: max(1, len(good) // 2)]
    raise ValueError(mode)


def serve(conn, mode, upstream_port, rng):
    up = Upstream(upstream_port)
    try:
        if mode == "close":
            return
        while True:
            req = recv_frame(conn)
            if req is None:
                return
            if mode == "silent":
                continue
            good = up.ask(req) or zero_answer(req)
            conn.sendall(garble(mode, req, good, rng))
            if mode == "half":
                # Silence until the client gives up and closes.
                while conn.recv(4096):
                    pass
                return
    except OSError:
        pass
    finally:
        up.close()
        conn.close()


def main():
    if len(sys.argv) < 3:
        sys.exit("usage: badpeer.py PORT MODE [UPSTREAM_PORT]")
    port, mode = int(sys.argv[1]), sys.argv[2]
    upstream = int(sys.argv[3]) if len(sys.argv) > 3 else None
    modes = ("length", "short", "function", "exception", "random", "tid", "unit", "half",
             "silent", "close")
    if mode not in modes:
        sys.exit("badpeer.py: unknown mode %s (one of %s)" % (mode, ", ".join(modes)))
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", port))
    srv.listen(16)
    rng = random.Random(port)
    while True:
        conn, _ = srv.accept()
        threading.Thread(target=serve, args=(conn, mode, upstream, rng), daemon=True).start()


if __name__ == "__main__":
    main()
