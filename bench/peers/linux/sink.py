"""An HTTP server that takes uploads: each PUT or POST body is read to its
last byte and thrown away, then answered 200 with the byte count. The
socket keeps the kernel's buffer defaults (no SO_RCVBUF, so receive
autotuning works as for any Linux server) but sets TCP_NODELAY: the answer
goes out as two writes (status and headers, then the body), and with
Nagle's algorithm the second would wait a round trip for the first's ACK,
timing the server's write pattern rather than the upload.

    python3 sink.py ADDRESS PORT
"""

import http.server
import sys


class Sink(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    buf = bytearray(1 << 20)

    def do_PUT(self):
        left = int(self.headers.get("Content-Length", "0"))
        view = memoryview(self.buf)
        got = 0
        while left > 0:
            n = self.rfile.readinto(view[: min(left, len(view))])
            if not n:
                break
            got += n
            left -= n
        body = f"{got}\n".encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_POST = do_PUT

    def log_message(self, *args):
        pass


def main():
    address, port = sys.argv[1], int(sys.argv[2])
    with http.server.HTTPServer((address, port), Sink) as server:
        print("ready", flush=True)
        server.serve_forever()


if __name__ == "__main__":
    main()
