"""A delay line between two network namespaces, in place of `tc netem`.

Creates two TUN devices, moves each into its namespace and gives it an
address and an MTU, then forwards every packet read from one device to the
other after a fixed one-way delay, first in first out, by a monotonic clock.
With a rate, each direction is also a link of that rate in front of the
delay: a packet leaves when the link has sent the packets before it, so a
burst is spaced at the rate and waits in a queue of at most `--queue-bytes`
(a packet that would make it longer is dropped and counted).

The devices are opened with the virtio header and TCP segmentation offload,
so the kernel hands over a TCP burst as one buffer of up to 64 KiB that
stands for several segments of the connection's MSS (as a NIC with TSO and
GRO would carry them); the line charges the link for every segment's
headers. This keeps the packets per second within what one Python process
can move, while TCP still sends MSS-sized segments by its own rules.

The line also watches the TCP connections that cross it (addresses and
ports, not payload) and reports, per connection: the bytes sent, bytes sent
again, the largest window the receiver advertised, and the data in flight
as the sender sees it (sent and not yet acknowledged by an ACK the line has
delivered), the largest overall and per millisecond; with the timing of
every release against its due time, per direction.

    python3 delayline.py --ns-a A --ns-b B --delay-ms 1 [--rate-gbit 5]

It prints "ready" on standard output once both devices are up, and on
SIGTERM or SIGINT writes its report as JSON to --report and exits.
"""

import argparse
import collections
import fcntl
import json
import os
import select
import signal
import struct
import subprocess
import sys
import time

TUNSETIFF = 0x400454CA
TUNSETOFFLOAD = 0x400454D0
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000
IFF_VNET_HDR = 0x4000
TUN_F_CSUM = 0x01
TUN_F_TSO4 = 0x02
TUN_F_TSO6 = 0x04
VNET_HDR = 10  # struct virtio_net_hdr, the tun default size
READ_SIZE = 65536 + VNET_HDR + 1024
BATCH = 64  # packets read from one device before looking at the clock again


class Stop(Exception):
    pass


def open_tun(name):
    fd = os.open("/dev/net/tun", os.O_RDWR | os.O_NONBLOCK)
    ifr = struct.pack("16sH", name.encode(), IFF_TUN | IFF_NO_PI | IFF_VNET_HDR)
    fcntl.ioctl(fd, TUNSETIFF, ifr)
    fcntl.ioctl(fd, TUNSETOFFLOAD, TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6)
    return fd


def ip(*args):
    subprocess.run(["ip", *args], check=True)


class Flow:
    """One TCP connection, seen from the side that opened it (the sender)."""

    __slots__ = (
        "start", "isn", "wscale", "max_end", "max_ack", "bytes", "again",
        "max_wnd", "wnd", "max_flight", "bins", "last", "syn_ack_at",
        "delivered_at", "reply_at",
    )

    def __init__(self, start, isn):
        self.start = start
        self.isn = isn
        self.wscale = 0
        self.max_end = 0
        self.max_ack = 0
        self.bytes = 0
        self.again = 0
        self.max_wnd = 0
        self.wnd = 0
        self.max_flight = 0
        # millisecond -> [bytes sent in it, largest flight in it, the
        # receiver's window as last delivered to the sender in it]
        self.bins = collections.OrderedDict()
        self.last = start
        self.syn_ack_at = None
        self.delivered_at = None  # the last data delivered to the receiver
        self.reply_at = None  # the receiver's first data delivered back

    def _ms(self, at):
        return None if at is None else round((at - self.start) * 1e3, 3)

    def report(self):
        return {
            "duration_ms": round((self.last - self.start) * 1e3, 3),
            "syn_ack_ms": self._ms(self.syn_ack_at),
            "last_data_delivered_ms": self._ms(self.delivered_at),
            "reply_ms": self._ms(self.reply_at),
            "bytes": self.bytes,
            "bytes_sent_again": self.again,
            "max_window": self.max_wnd,
            "max_in_flight": self.max_flight,
            "per_ms": [[ms, *v] for ms, v in self.bins.items()],
        }


def tcp_fields(buf):
    """(sport, dport, seq, ack, flags, window, payload, options) of an IPv4
    TCP packet behind the virtio header, or None."""
    if len(buf) < VNET_HDR + 40 or buf[VNET_HDR] >> 4 != 4 or buf[VNET_HDR + 9] != 6:
        return None
    o = VNET_HDR + (buf[VNET_HDR] & 0x0F) * 4
    sport, dport, seq, ack, off, flags, wnd = struct.unpack_from("!HHIIBBH", buf, o)
    doff = (off >> 4) * 4
    return sport, dport, seq, ack, flags, wnd, len(buf) - o - doff, buf[o + 20:o + doff]


def wscale_of(options):
    i = 0
    while i < len(options):
        kind = options[i]
        if kind == 0:
            break
        if kind == 1:
            i += 1
            continue
        if i + 1 >= len(options):
            break
        size = options[i + 1]
        if kind == 3 and size == 3 and i + 2 < len(options):
            return options[i + 2]
        i += max(size, 2)
    return 0


def wire_bytes(buf):
    """Bytes the packets stand for on the wire (IP headers and payload): a
    segmentation-offload buffer counts its headers once per segment."""
    gso_type, = struct.unpack_from("B", buf, 1)
    gso_size, = struct.unpack_from("H", buf, 4)
    length = len(buf) - VNET_HDR
    if gso_type == 0 or gso_size == 0 or buf[VNET_HDR] >> 4 != 4:
        return length, 1
    ihl = (buf[VNET_HDR] & 0x0F) * 4
    doff = (buf[VNET_HDR + ihl + 12] >> 4) * 4
    headers = ihl + doff
    payload = length - headers
    segments = max(1, -(-payload // gso_size))
    return payload + segments * headers, segments


class Direction:
    """One way through the line: a FIFO of (due, buffer)."""

    def __init__(self, name, rate_bps, delay, queue_bytes):
        self.name = name
        self.rate = rate_bps
        self.delay = delay
        self.queue_bytes = queue_bytes
        self.fifo = collections.deque()
        self.link_free = 0.0
        self.buffers = 0
        self.segments = 0
        self.bytes = 0
        self.drops = 0
        self.max_backlog = 0
        self.late = []  # seconds each release came after its due time
        self.first = None
        self.last = None

    def accept(self, now, buf):
        size, segments = wire_bytes(buf)
        if self.rate:
            start = max(now, self.link_free)
            backlog = (start - now) * self.rate / 8
            if backlog + size > self.queue_bytes:
                self.drops += segments
                return False
            self.max_backlog = max(self.max_backlog, int(backlog + size))
            self.link_free = start + size * 8 / self.rate
            due = self.link_free + self.delay
        else:
            due = now + self.delay
        self.fifo.append((due, buf))
        self.buffers += 1
        self.segments += segments
        self.bytes += size
        if self.first is None:
            self.first = now
        self.last = now
        return True

    def report(self):
        late = sorted(self.late)
        n = len(late)

        def q(p):
            return round(late[min(n - 1, int(p * n))] * 1e6, 1) if n else None

        span = (self.last - self.first) if self.first is not None else 0
        return {
            "buffers": self.buffers,
            "segments": self.segments,
            "bytes": self.bytes,
            "drops": self.drops,
            "max_backlog_bytes": self.max_backlog,
            "late_us": {"p50": q(0.5), "p99": q(0.99), "max": q(1.0)},
            "active_s": round(span, 3),
        }


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--ns-a", required=True)
    ap.add_argument("--ns-b", required=True)
    ap.add_argument("--addr-a", default="10.77.0.1")
    ap.add_argument("--addr-b", default="10.77.0.2")
    ap.add_argument("--mtu-a", type=int, default=1500)
    ap.add_argument("--mtu-b", type=int, default=1500)
    ap.add_argument("--delay-ms", type=float, required=True, help="one way")
    ap.add_argument("--rate-gbit", type=float, default=0.0, help="0: no limit")
    ap.add_argument("--queue-bytes", type=int, default=8 << 20)
    ap.add_argument("--report", default="-")
    args = ap.parse_args()

    pid = os.getpid()
    names = (f"dla{pid}"[:15], f"dlb{pid}"[:15])
    fds = (open_tun(names[0]), open_tun(names[1]))
    for name, ns, addr, peer, mtu in (
        (names[0], args.ns_a, args.addr_a, args.addr_b, args.mtu_a),
        (names[1], args.ns_b, args.addr_b, args.addr_a, args.mtu_b),
    ):
        ip("link", "set", name, "netns", ns)
        ip("-n", ns, "link", "set", name, "mtu", str(mtu), "txqueuelen", "10000", "up")
        ip("-n", ns, "addr", "add", f"{addr}/32", "peer", f"{peer}/32", "dev", name)

    rate = args.rate_gbit * 1e9
    delay = args.delay_ms / 1e3
    ab = Direction("a_to_b", rate, delay, args.queue_bytes)
    ba = Direction("b_to_a", rate, delay, args.queue_bytes)
    flows = {}

    def stop(_sig, _frame):
        raise Stop()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print("ready", flush=True)

    fa, fb = fds
    clock = time.monotonic
    try:
        while True:
            now = clock()
            for d, out in ((ab, fb), (ba, fa)):
                fifo = d.fifo
                while fifo and fifo[0][0] <= now:
                    due, buf = fifo.popleft()
                    try:
                        os.write(out, buf)
                    except OSError:
                        d.drops += 1
                        continue
                    d.late.append(now - due)
                    if d is ab:
                        t = tcp_fields(buf)
                        if t is not None and t[6]:
                            f = flows.get((t[0], t[1]))
                            if f is not None:
                                f.delivered_at = now
                    else:
                        t = tcp_fields(buf)
                        if t is not None:
                            f = flows.get((t[1], t[0]))
                            if f is not None:
                                if t[6] and f.reply_at is None:
                                    f.reply_at = now
                                if t[4] & 0x12 == 0x12:
                                    f.wscale = wscale_of(t[7])
                                    f.syn_ack_at = now
                                else:
                                    acked = (t[3] - f.isn) & 0xFFFFFFFF
                                    if acked > f.max_ack:
                                        f.max_ack = acked
                                    f.wnd = t[5] << f.wscale
                                    f.max_wnd = max(f.max_wnd, f.wnd)
                                f.last = now
                    now = clock()
            heads = [d.fifo[0][0] for d in (ab, ba) if d.fifo]
            timeout = max(0.0, min(heads) - clock()) if heads else 0.5
            ready, _, _ = select.select([fa, fb], [], [], timeout)
            for fd in ready:
                d = ab if fd == fa else ba
                for _ in range(BATCH):
                    try:
                        buf = os.read(fd, READ_SIZE)
                    except BlockingIOError:
                        break
                    now = clock()
                    if not d.accept(now, buf) or d is not ab:
                        continue
                    t = tcp_fields(buf)
                    if t is None:
                        continue
                    sport, dport, seq, _ack, flags, _wnd, payload, _opt = t
                    if flags & 0x12 == 0x02:
                        flows[(sport, dport)] = Flow(now, seq)
                        continue
                    f = flows.get((sport, dport))
                    if f is None:
                        continue
                    f.last = now
                    if payload:
                        start = (seq - f.isn) & 0xFFFFFFFF
                        end = start + payload
                        if start < f.max_end:
                            f.again += min(end, f.max_end) - start
                        f.max_end = max(f.max_end, end)
                        f.bytes += payload
                        flight = f.max_end - f.max_ack
                        f.max_flight = max(f.max_flight, flight)
                        ms = int((now - f.start) * 1e3)
                        b = f.bins.get(ms)
                        if b is None:
                            f.bins[ms] = [payload, flight, f.wnd]
                        else:
                            b[0] += payload
                            b[1] = max(b[1], flight)
                            b[2] = f.wnd
    except Stop:
        pass

    report = {
        "delay_ms": args.delay_ms,
        "rate_gbit": args.rate_gbit,
        "queue_bytes": args.queue_bytes,
        "mtu": [args.mtu_a, args.mtu_b],
        "a_to_b": ab.report(),
        "b_to_a": ba.report(),
        "flows": {f"{s}-{d}": f.report() for (s, d), f in flows.items()},
    }
    text = json.dumps(report)
    if args.report == "-":
        print(text)
    else:
        with open(args.report, "w") as fh:
            fh.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
