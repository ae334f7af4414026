"""Upload FILE with one HTTP PUT through Python's http.client, which writes
the body with blocking sendall() calls (as Python HTTP clients built on it
do), and print, like curl's -w, "time_connect time_total size_upload" in
seconds and bytes, timed from before the connection to the response read.

curl waits with poll() for the socket to be writable, which a Linux TCP
socket reports only when at most two thirds of its send buffer is queued; a
blocking send() waits only until the buffer has any room, so this client
keeps more of the 4 MiB send buffer full, and more data in flight.

    python3 put.py ADDRESS PORT FILE
"""

import http.client
import os
import sys
import time


def main():
    address, port, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    size = os.path.getsize(path)
    with open(path, "rb") as body:
        start = time.monotonic()
        conn = http.client.HTTPConnection(address, port)
        conn.connect()
        connected = time.monotonic()
        conn.putrequest("PUT", "/upload", skip_accept_encoding=True)
        conn.putheader("Content-Length", str(size))
        conn.endheaders()
        while True:
            block = body.read(1 << 20)
            if not block:
                break
            conn.sock.sendall(block)
        response = conn.getresponse()
        response.read()
        end = time.monotonic()
        conn.close()
    if response.status != 200:
        print(f"HTTP {response.status}", file=sys.stderr)
        return 1
    print(f"{connected - start:.6f} {end - start:.6f} {size}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
