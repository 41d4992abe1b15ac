"""Prints a loopback TCP port for a test's server to listen on.

Two things can take a port between the moment a test picks it and the moment its server
binds it, when many tests run side by side: another test picking the same port, and any
outgoing connection, whose local port the kernel takes from the ephemeral range. So the port
is picked below the ephemeral range, and claimed in a registry shared by every test on the
machine (a directory per port, made atomically). The test's cleanup releases its claims;
a claim left by a killed test expires after an hour.

usage: free_port.py WORKDIR [N]   (N ports, 1 by default, on one line; each claim is listed
in WORKDIR/.ports)
"""
import os
import random
import socket
import sys
import time

STALE_S = 3600


def ephemeral_low():
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            return int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def bindable(port):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        s.bind(("127.0.0.1", port))
        return True
    except OSError:
        return False
    finally:
        s.close()


def claim_one(work):
    registry = os.path.join(os.environ.get("TMPDIR", "/tmp"), "pvrelief-test-ports")
    os.makedirs(registry, exist_ok=True)
    high = ephemeral_low() - 1
    low = 10000 if high > 11000 else 1024
    for _ in range(2000):
        port = random.randint(low, high)
        claim = os.path.join(registry, str(port))
        try:
            os.mkdir(claim)
        except FileExistsError:
            try:
                if time.time() - os.stat(claim).st_mtime > STALE_S:
                    os.rmdir(claim)
            except OSError:
                pass
            continue
        if not bindable(port):
            os.rmdir(claim)
            continue
        with open(os.path.join(work, ".ports"), "a") as f:
            f.write("%d\n" % port)
        return port
    return None


def main():
    work = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    ports = [claim_one(work) for _ in range(n)]
    if None in ports:
        print("free_port: no free port found", file=sys.stderr)
        return 1
    print(" ".join(str(p) for p in ports))
    return 0


if __name__ == "__main__":
    sys.exit(main())
