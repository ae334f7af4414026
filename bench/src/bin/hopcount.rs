//! The hop benchmarks' loops at a chosen packet size, for paired
//! instruction counts under callgrind (`bench/scripts/paired-count.sh`):
//! `hopcount subnet|lambda ROUNDS PAYLOAD` sends the 256 open connections'
//! segments, each carrying PAYLOAD bytes of TCP data, ROUNDS times: one hop
//! between two subnets (`subnet`), or the Lambda function's six steps to an
//! internet host through a NAT gateway (`lambda`). A PAYLOAD of 1460 makes
//! 1,500-byte packets, the internet gateway's MTU. `hopcount new_flow
//! ROUNDS 0` is the `hop/subnet/new_flow` benchmark's loop: 256 SYNs, each
//! a new flow on both sides (its tracking expired 61 s before), ROUNDS
//! times.
use std::net::{Ipv4Addr, SocketAddrV4};
use vpcsim::packet;
use vpcsim::units::Nanos;
use vpcsim_bench::hop::*;

fn resize(pkts: &mut [Vec<u8>], payload: usize) {
    let data = vec![0x5a_u8; payload];
    for p in pkts.iter_mut() {
        let src = SocketAddrV4::new(
            Ipv4Addr::new(p[12], p[13], p[14], p[15]),
            u16::from_be_bytes([p[20], p[21]]),
        );
        let dst = SocketAddrV4::new(
            Ipv4Addr::new(p[16], p[17], p[18], p[19]),
            u16::from_be_bytes([p[22], p[23]]),
        );
        let spec = packet::build::TcpSpec {
            src,
            dst,
            seq: 1,
            ack: 1,
            flags: packet::tcp_flags::ACK,
            window: 65535,
        };
        *p = packet::build::tcp(&spec, &data, 64, 0).to_vec();
    }
}

fn main() {
    let a: Vec<String> = std::env::args().collect();
    let parsed = match a.as_slice() {
        [_, which, rounds, payload] => rounds
            .parse::<u32>()
            .ok()
            .zip(payload.parse::<usize>().ok().filter(|p| *p <= 8960))
            .map(|(r, p)| (which.as_str(), r, p)),
        _ => None,
    };
    let Some((which, rounds, payload)) = parsed else {
        eprintln!(
            "usage: hopcount subnet|lambda|new_flow ROUNDS PAYLOAD (PAYLOAD at most 8960, 0 for new_flow)"
        );
        std::process::exit(2);
    };
    let mut buf = vec![0u8; 9100];
    let now = Nanos::from_secs(1);
    let mut n = 0u64;
    match which {
        "subnet" => {
            let mut s = subnet_hop(256);
            resize(&mut s.packets, payload);
            assert_eq!(s.packets[0].len(), 40 + payload);
            for _ in 0..rounds {
                n += subnet_hops(&mut s, &mut buf, now);
            }
        }
        "lambda" => {
            let mut p = lambda_path(256);
            resize(&mut p.packets, payload);
            for _ in 0..rounds {
                n += lambda_steps(&mut p, &mut buf, now).0;
            }
        }
        "new_flow" if payload == 0 => {
            let mut s = subnet_hop(256);
            let fresh = subnet_new_flows(&s, 256);
            let mut t = Nanos::from_secs(2);
            for _ in 0..rounds {
                t = t.saturating_add(Nanos::from_secs(61));
                n += subnet_new_flow_hops(&mut s, &fresh, &mut buf, t);
            }
        }
        other => {
            eprintln!("hopcount: `{other}`: expected subnet, lambda or new_flow (PAYLOAD 0)");
            std::process::exit(2);
        }
    }
    assert_eq!(n, u64::from(rounds) * 256, "every packet delivered");
    println!("{n}");
}
