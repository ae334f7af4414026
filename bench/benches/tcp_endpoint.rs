//! Why vpcsim has a TCP endpoint of its own: smoltcp's `Interface::poll`
//! visits every socket of its `SocketSet`, so its cost grows with the number
//! of open connections, and every socket owns its ring buffers. The engine
//! needs 100,000 connections at once.
//!
//! `smoltcp_poll/N`: one `poll` of an interface with N listening sockets and
//! nothing to receive (elements: sockets visited). `lean_segment`: the
//! engine's endpoint taking two data segments and answering with one ACK
//! (elements: segments).

use std::hint::black_box;
use std::net::{Ipv4Addr, SocketAddrV4};

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use smoltcp::iface::{Config, Interface, SocketSet};
use smoltcp::phy::{Loopback, Medium};
use smoltcp::socket::tcp;
use smoltcp::time::Instant;
use smoltcp::wire::{HardwareAddress, IpAddress, IpCidr};
use vpcsim::traffic::tcp::{Out, Tcp, segment};
use vpcsim::units::Nanos;

fn smoltcp_poll(c: &mut Criterion) {
    let mut g = c.benchmark_group("smoltcp_poll");
    g.sample_size(10);
    for n in [1_000usize, 10_000, 100_000] {
        let mut device = Loopback::new(Medium::Ip);
        let mut iface =
            Interface::new(Config::new(HardwareAddress::Ip), &mut device, Instant::ZERO);
        iface.update_ip_addrs(|a| {
            let _ = a.push(IpCidr::new(IpAddress::v4(10, 0, 0, 1), 8));
        });
        let mut sockets = SocketSet::new(vec![]);
        for i in 0..n {
            // Small buffers (2 KiB each way); a full window would be 64 KiB.
            let rx = tcp::SocketBuffer::new(vec![0; 2048]);
            let tx = tcp::SocketBuffer::new(vec![0; 2048]);
            let mut s = tcp::Socket::new(rx, tx);
            let _ = s.listen(1024 + (i % 60_000) as u16);
            sockets.add(s);
        }
        let mut t = 0i64;
        g.throughput(Throughput::Elements(n as u64));
        g.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, _| {
            b.iter(|| {
                t += 1;
                black_box(iface.poll(Instant::from_millis(t), &mut device, &mut sockets));
            })
        });
    }
    g.finish();
}

fn lean_segment(c: &mut Criterion) {
    let a = SocketAddrV4::new(Ipv4Addr::new(10, 0, 0, 1), 40000);
    let b = SocketAddrV4::new(Ipv4Addr::new(10, 0, 0, 2), 443);
    let mut out = Out::new();
    let now = Nanos::ZERO;
    let mut client = Tcp::connect(a, b, 1, 1500, now, &mut out);
    let syn = out.pop().expect("a SYN");
    let mut server = Tcp::accept(
        b,
        a,
        7,
        1500,
        &segment(&syn).expect("parses"),
        now,
        &mut out,
    );
    let synack = out.pop().expect("a SYN-ACK");
    client.on_segment(&segment(&synack).expect("parses"), now, &mut out);
    let ack = out.pop().expect("an ACK");
    server.on_segment(&segment(&ack).expect("parses"), now, &mut out);
    out.clear();
    let mut g = c.benchmark_group("lean_endpoint");
    // Two full segments and the one delayed ACK that answers them (the
    // receiver acknowledges every second full segment, as Linux).
    let mut back = Out::new();
    g.throughput(Throughput::Elements(2));
    g.bench_function("two_segments_and_ack", |bch| {
        bch.iter(|| {
            server.write(2 * 1460, now, &mut out);
            for data in out.drain(..) {
                client.on_segment(&segment(&data).expect("parses"), now, &mut back);
            }
            for ack in back.drain(..) {
                server.on_segment(&segment(&ack).expect("parses"), now, &mut out);
            }
            out.clear();
        })
    });
    g.finish();
}

criterion_group!(benches, smoltcp_poll, lean_segment);
criterion_main!(benches);
