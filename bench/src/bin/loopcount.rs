//! The loops of the rules and flows benchmarks, for paired instruction
//! counts under callgrind (`bench/scripts/paired-count.sh`): `loopcount
//! LOOP ROUNDS` runs one benchmark's loop over its 4,096 probes or packets
//! ROUNDS times, on the benchmark's own setup. LOOP is one of `nacl_in`,
//! `nacl_out`, `sg_in`, `sg_out` (the rules benchmark), `ct_hit`,
//! `ct_track`, `nat_out`, `nat_reply`, `nat_new` (the flows benchmark;
//! `ct_track` and `nat_new` include expiring the batch again, which the
//! benchmark does outside its timed part).
use std::hint::black_box;
use vpcsim::dataplane::security_group::Direction;
use vpcsim::units::Nanos;
use vpcsim_bench::flows::{
    conntrack_filled, ct_expire, ct_hits, ct_tracks, fresh_flows, nat_expire, nat_inbound,
    nat_new_sessions, nat_outbound, nat_setup, nat_syns, sample_replies,
};
use vpcsim_bench::rules::{nacl_evaluations, nacl_setup, sg_evaluations, sg_setup};

const N: usize = 4_096;
const LIVE: u32 = 1_000_000;
const MAPPINGS: u32 = 100_000;

fn main() {
    let a: Vec<String> = std::env::args().collect();
    let (Some(which), Some(rounds)) = (a.get(1), a.get(2).and_then(|r| r.parse::<u32>().ok()))
    else {
        eprintln!("usage: loopcount LOOP ROUNDS (see the file's header for the loops)");
        std::process::exit(2);
    };
    let now = Nanos::from_secs(1);
    let mut sum = 0u64;
    match which.as_str() {
        "nacl_in" | "nacl_out" => {
            let s = nacl_setup(N, 12);
            let (rules, probes) = if which == "nacl_in" {
                (&s.ingress, &s.ingress_probes)
            } else {
                (&s.egress, &s.egress_probes)
            };
            for _ in 0..rounds {
                sum = sum.wrapping_add(nacl_evaluations(black_box(rules), black_box(probes)));
            }
        }
        "sg_in" | "sg_out" => {
            let s = sg_setup(N, 11);
            let dir = if which == "sg_in" {
                Direction::Ingress
            } else {
                Direction::Egress
            };
            for _ in 0..rounds {
                sum = sum.wrapping_add(sg_evaluations(black_box(&s), dir));
            }
        }
        "ct_hit" => {
            let mut ct = conntrack_filled(LIVE);
            let replies = sample_replies(LIVE, N, 5);
            for _ in 0..rounds {
                sum = sum.wrapping_add(ct_hits(black_box(&mut ct), black_box(&replies), now));
            }
        }
        "ct_track" => {
            let mut ct = conntrack_filled(LIVE);
            let mut t = Nanos::from_secs(2);
            for r in 0..rounds {
                let fresh = fresh_flows(LIVE + r * N as u32, N as u32);
                ct_tracks(black_box(&mut ct), black_box(&fresh), t);
                ct_expire(&mut ct, &fresh, t);
                t = t.saturating_add(Nanos::from_secs(62));
            }
            sum = ct.len() as u64;
        }
        "nat_out" | "nat_reply" => {
            let mut s = nat_setup(MAPPINGS, N, 6);
            let mut buf = [0u8; 40];
            for _ in 0..rounds {
                sum = sum.wrapping_add(if which == "nat_out" {
                    nat_outbound(black_box(&mut s.table), black_box(&s.out), &mut buf, now)
                } else {
                    nat_inbound(black_box(&mut s.table), black_box(&s.back), &mut buf, now)
                });
            }
        }
        "nat_new" => {
            let mut s = nat_setup(MAPPINGS, N, 6);
            let mut t = Nanos::from_secs(2);
            for r in 0..rounds {
                let syns = nat_syns(MAPPINGS + r * N as u32, N as u32);
                sum = sum.wrapping_add(nat_new_sessions(black_box(&mut s.table), &syns, t));
                nat_expire(&mut s.table, &syns, t);
                t = t.saturating_add(Nanos::from_secs(400));
            }
        }
        _ => {
            eprintln!("loopcount: no loop {which}");
            std::process::exit(2);
        }
    }
    println!("{sum}");
}
