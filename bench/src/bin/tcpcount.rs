//! Instructions per data segment of the TCP endpoint, for callgrind: a
//! client sends `rounds` rounds of two full 1,460-byte segments to a
//! server, which acknowledges them; every packet is built and parsed.
//! Run it under `valgrind --tool=callgrind` with two round counts and
//! divide the difference by the segments between
//! (`bench/scripts/tcp-count.sh`).

use std::net::{Ipv4Addr, SocketAddrV4};

use vpcsim::traffic::tcp::{Out, Tcp, segment};
use vpcsim::units::Nanos;

fn main() {
    let rounds: u64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1000);
    let a = SocketAddrV4::new(Ipv4Addr::new(10, 0, 0, 1), 40000);
    let b = SocketAddrV4::new(Ipv4Addr::new(10, 0, 0, 2), 443);
    let mut out = Out::new();
    let mut back = Out::new();
    let mut now = Nanos::ZERO;
    let mut client = Tcp::connect(a, b, 1, 1500, now, &mut out);
    let syn = out.pop().expect("a SYN");
    let mut server = Tcp::accept(
        b,
        a,
        7,
        1500,
        &segment(&syn).expect("parses"),
        now,
        &mut back,
    );
    let synack = back.pop().expect("a SYN-ACK");
    client.on_segment(&segment(&synack).expect("parses"), now, &mut out);
    let ack = out.pop().expect("an ACK");
    server.on_segment(&segment(&ack).expect("parses"), now, &mut back);
    back.clear();
    let mut segments = 0u64;
    for _ in 0..rounds {
        now = Nanos(now.0 + 10_000);
        client.write(2 * 1460, now, &mut out);
        for p in out.drain(..) {
            segments += 1;
            server.on_segment(&segment(&p).expect("parses"), now, &mut back);
        }
        for p in back.drain(..) {
            client.on_segment(&segment(&p).expect("parses"), now, &mut out);
        }
    }
    assert_eq!(server.rcv, rounds * 2 * 1460, "every byte arrived");
    println!(
        "{segments} segments, {} unacknowledged",
        client.bytes_unacked()
    );
}
