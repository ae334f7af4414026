"""The same milestones as summarize.py, from a pcap file of vpcsim's (raw
IPv4, nanosecond timestamps): milliseconds from the first SYN that SOURCE
sends until it has sent 1 MB, 10 MB, 25 MB and 50 MiB of TCP payload,
counted as summarize.py counts them (the millisecond in which the mark was
passed, to its end). Prints them as "a/b/c/d".

    python3 pcap_marks.py FILE SOURCE
"""

import socket
import struct
import sys

MARKS = (1_000_000, 10_000_000, 25_000_000, 50 << 20)


def main():
    path, source = sys.argv[1], socket.inet_aton(sys.argv[2])
    data = open(path, "rb").read()
    magic, _, _, _, _, _, link = struct.unpack_from("<IHHiIII", data, 0)
    if magic not in (0xA1B23C4D, 0xA1B2C3D4) or link != 101:
        sys.exit(f"{path}: not a raw-IP pcap file")
    scale = 1e-9 if magic == 0xA1B23C4D else 1e-6
    at, syn, sent, found = 24, None, 0, []
    while at + 16 <= len(data) and len(found) < len(MARKS):
        sec, frac, caplen, _ = struct.unpack_from("<IIII", data, at)
        packet = data[at + 16:at + 16 + caplen]
        at += 16 + caplen
        if len(packet) < 40 or packet[9] != 6 or packet[12:16] != source:
            continue
        t = sec + frac * scale
        ihl = (packet[0] & 0x0F) * 4
        total = struct.unpack_from("!H", packet, 2)[0]
        flags = packet[ihl + 13]
        if syn is None:
            if flags & 0x12 == 0x02:
                syn = t
            continue
        sent += total - ihl - (packet[ihl + 12] >> 4) * 4
        while len(found) < len(MARKS) and sent >= MARKS[len(found)]:
            found.append(int((t - syn) * 1e3) + 1)
    print("/".join(str(m) for m in found + ["-"] * (len(MARKS) - len(found))))


if __name__ == "__main__":
    main()
