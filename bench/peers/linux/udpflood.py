"""Send small UDP datagrams (18 bytes of payload, 46-byte IP packets) to
ADDRESS:PORT as fast as one process can for SECONDS, and print how many
were sent. Measures how many packets per second the delay line forwards.

    python3 udpflood.py ADDRESS PORT SECONDS
"""

import socket
import sys
import time


def main():
    address, port, seconds = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    payload = bytes(18)
    target = (address, port)
    sent = 0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        for _ in range(256):
            try:
                sock.sendto(payload, target)
                sent += 1
            except OSError:
                pass
    print(sent)


if __name__ == "__main__":
    main()
