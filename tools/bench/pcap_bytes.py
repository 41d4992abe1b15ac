#!/usr/bin/env python3
"""Sums the IP lengths of the packets in a pcap file by TCP port: what a link priced by the
byte would bill. Usage: pcap_bytes.py FILE PORT...; prints "PORT BYTES PACKETS" per port
(a packet counts for each listed port it was sent from or to)."""
import struct
import sys


def main():
    path, ports = sys.argv[1], [int(p) for p in sys.argv[2:]]
    sums = {p: [0, 0] for p in ports}
    with open(path, "rb") as f:
        head = f.read(24)
        if len(head) < 24:
            sys.exit(f"{path}: not a pcap file")
        magic = struct.unpack("<I", head[:4])[0]
        if magic in (0xA1B2C3D4, 0xA1B23C4D):
            end = "<"
        elif magic in (0xD4C3B2A1, 0x4D3CB2A1):
            end = ">"
        else:
            sys.exit(f"{path}: not a pcap file")
        link = struct.unpack(end + "I", head[20:24])[0]
        # Ethernet (loopback on Linux), Linux cooked v1 and v2, raw IP.
        offsets = {1: 14, 113: 16, 276: 20, 101: 0, 12: 0}
        if link not in offsets:
            sys.exit(f"{path}: link type {link} not handled")
        off = offsets[link]
        while True:
            rec = f.read(16)
            if len(rec) < 16:
                break
            incl = struct.unpack(end + "IIII", rec)[2]
            pkt = f.read(incl)
            ip = pkt[off:]
            if len(ip) < 24 or ip[0] >> 4 != 4 or ip[9] != 6:
                continue
            length = struct.unpack(">H", ip[2:4])[0]
            ihl = (ip[0] & 15) * 4
            sport, dport = struct.unpack(">HH", ip[ihl:ihl + 4])
            for p in {sport, dport}:
                if p in sums:
                    sums[p][0] += length
                    sums[p][1] += 1
    for p in ports:
        print(p, sums[p][0], sums[p][1])


main()
