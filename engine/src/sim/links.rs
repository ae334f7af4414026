//! Links with jitter and loss (LAT-2, LAT-3).
//!
//! A link class's delay is its minimum plus an extra drawn from a log-normal
//! distribution through the class's median and 99th percentile. The draw is
//! counter-based: a hash of the run's seed, the link class, the flow and the
//! time, looked up in a table of 256 quantiles built once per run. It
//! allocates nothing and does not depend on which thread or LP handles the
//! packet, so a run is the same for every thread count. What a flow's draws
//! depend on besides the time (its hashes, and the values it blends in the
//! current span) is kept for the flows an LP saw last ([`RECENT`] places,
//! picked by their headers and the link): a cache, which changes no draw.
//!
//! **FIFO per flow.** The extra of a flow on a link is a function of the
//! time the packet enters the link: it holds one drawn value for a while
//! (a *span*, eight times the largest extra of the table), then moves to the next
//! drawn value: at once when that is larger, along a ramp of slope -1/2 at
//! the end of the span when it is smaller. A packet's delivery time
//! (`now + min + extra(now)`) therefore never decreases as `now` grows:
//! packets of one flow on one link never overtake one another, and jitter
//! invents no reordering. Different flows jitter independently.
//!
//! A flow is the source and destination addresses and the protocol, with
//! the ports for TCP (TCP is never fragmented: it sets DF); UDP and ICMP use
//! the addresses and protocol only, so that a datagram's fragments, which
//! carry no ports after the first, stay in one flow.
//!
//! **Loss.** A link with a loss share drops each packet with that
//! probability, from a hash of the seed, the link, the packet's headers and
//! the time: a retransmission is a new draw.

use crate::model::{Design, Dist, LinkId};
use crate::units::{Divisor, Nanos};

/// The quantiles of a link's extra delay above its minimum, in nanoseconds.
const QUANTILES: usize = 256;

#[derive(Debug)]
struct Table {
    /// Extra delay at the quantiles (i + 0.5) / 256, in increasing order.
    extra: [u64; QUANTILES],
    /// How long one drawn extra holds, in nanoseconds (0: no jitter).
    span: u64,
    /// Division by `span`: the span a packet enters in.
    per_span: Divisor,
    /// Probability of loss, scaled to 2^64 (0: no loss).
    loss: u64,
}

/// Places for the flows whose draws are kept, picked by their headers and
/// the link (a power of two). Enough that a couple of hundred flows at
/// once (a hundred echo pairs, both ways) mostly keep a place of their
/// own: with 64, they pushed one another out and each packet drew again.
/// A place is 80 bytes: 20 KB for each LP (1,024 places took 80 KB, more
/// than the rest of an LP).
const RECENT: usize = 256;

/// A flow's draws on one link, as [`Links::cross`] makes them: its hashes,
/// and the two values its extra blends in span `k` (`u64::MAX` until they
/// are drawn).
#[derive(Clone, Copy, Debug, Default)]
struct Recent {
    /// The flow's headers ([`flow_words`]).
    words: Option<(u64, u64)>,
    /// The link's index plus one: 0 is an empty place.
    link: u32,
    flow: u64,
    key: u64,
    first: u64,
    k: u64,
    v0: u64,
    v1: u64,
}

/// Every link class of a design, ready to draw from.
#[derive(Debug)]
pub struct Links {
    /// The run's seed, mixed, after [`hash`]'s first round ([`first`]):
    /// every key starts from it.
    seed: u64,
    tables: Vec<Table>,
    /// The draws of the flows seen last, at a place their headers and the
    /// link pick.
    recent: Box<[Recent; RECENT]>,
}

fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn hash(a: u64, b: u64, c: u64) -> u64 {
    hash_on(first(a), b, c)
}

/// [`hash`]'s first round, on `a` alone: shared by the hashes of one
/// first argument.
#[inline]
fn first(a: u64) -> u64 {
    mix(a ^ 0x9E37_79B9_7F4A_7C15)
}

/// [`hash`] of `a`, `b` and `c` from `h = first(a)`.
#[inline]
fn hash_on(h: u64, b: u64, c: u64) -> u64 {
    let h = mix(h ^ b.wrapping_mul(0xD605_BBB5_8C8A_BBFD));
    mix(h ^ c.wrapping_mul(0x9E37_79B9_7F4A_7C15))
}

/// The standard normal quantile of `p` (Acklam's rational approximation,
/// relative error below 1.2e-9), for building tables.
fn normal_quantile(p: f64) -> f64 {
    const A: [f64; 6] = [
        -3.969_683_028_665_376e1,
        2.209_460_984_245_205e2,
        -2.759_285_104_469_687e2,
        1.383_577_518_672_69e2,
        -3.066_479_806_614_716e1,
        2.506_628_277_459_239,
    ];
    const B: [f64; 5] = [
        -5.447_609_879_822_406e1,
        1.615_858_368_580_409e2,
        -1.556_989_798_598_866e2,
        6.680_131_188_771_972e1,
        -1.328_068_155_288_572e1,
    ];
    const C: [f64; 6] = [
        -7.784_894_002_430_293e-3,
        -3.223_964_580_411_365e-1,
        -2.400_758_277_161_838,
        -2.549_732_539_343_734,
        4.374_664_141_464_968,
        2.938_163_982_698_783,
    ];
    const D: [f64; 4] = [
        7.784_695_709_041_462e-3,
        3.224_671_290_700_398e-1,
        2.445_134_137_142_996,
        3.754_408_661_907_416,
    ];
    let tail = |q: f64| {
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    };
    if p < 0.02425 {
        tail((-2.0 * p.ln()).sqrt())
    } else if p > 1.0 - 0.02425 {
        -tail((-2.0 * (1.0 - p).ln()).sqrt())
    } else {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    }
}

impl Table {
    fn new(dist: &Dist, loss: f64) -> Table {
        let mut extra = [0u64; QUANTILES];
        let median = dist.p50.0.saturating_sub(dist.min.0) as f64;
        let p99 = dist.p99.0.saturating_sub(dist.min.0) as f64;
        let mut span = 0;
        if median > 0.0 && p99 > median {
            // Log-normal: median e^mu, 99th percentile e^(mu + 2.326 sigma).
            let sigma = (p99 / median).ln() / normal_quantile(0.99);
            for (i, x) in extra.iter_mut().enumerate() {
                let p = (i as f64 + 0.5) / QUANTILES as f64;
                *x = (median * (sigma * normal_quantile(p)).exp()).round() as u64;
            }
            // A decrease ramps over at most a quarter of the span, so the
            // ramps barely thin the tail.
            span = 8 * extra[QUANTILES - 1].max(1);
        }
        let loss = if loss <= 0.0 {
            0
        } else {
            (loss.min(1.0) * 18_446_744_073_709_551_615.0) as u64
        };
        Table {
            extra,
            span,
            per_span: Divisor::new(span),
            loss,
        }
    }

    /// The extra delay of flow `r` entering at `now`: the values of its
    /// span, drawn from its key's first round, are kept in `r`.
    fn extra(&self, r: &mut Recent, now: u64) -> u64 {
        if self.span == 0 {
            return 0;
        }
        let k = self.per_span.quotient(now);
        let off = now - k * self.span;
        if r.k != k {
            r.v0 = self.extra[(hash_on(r.first, k, 1) >> 56) as usize];
            r.v1 = self.extra[(hash_on(r.first, k + 1, 1) >> 56) as usize];
            r.k = k;
        }
        let (v0, v1) = (r.v0, r.v1);
        if v1 >= v0 {
            return v0;
        }
        // Down to v1 at the end of the span, at half a nanosecond per
        // nanosecond: the delivery time still grows.
        let ramp = 2 * (v0 - v1);
        let start = self.span - ramp;
        if off < start {
            v0
        } else {
            v0 - (off - start) / 2
        }
    }
}

/// What a packet's headers say of its flow: its addresses, and its
/// protocol with the ports for TCP (none for a packet too short to have
/// them).
#[inline]
fn flow_words(buf: &[u8]) -> Option<(u64, u64)> {
    if buf.len() < 20 {
        return None;
    }
    let (src, dst, proto) = (word(buf, 12), word(buf, 16), buf[9] as u64);
    let ports = if proto == 6 { l4(buf) >> 32 } else { 0 };
    Some((src << 32 | dst, proto << 32 | ports))
}

/// The flow's 64-bit key from its headers (0 for a packet too short to
/// have them).
#[inline]
fn flow_key(words: Option<(u64, u64)>) -> u64 {
    words.map_or(0, |(a, b)| hash(a, b, 2))
}

/// What a packet's headers say of the packet itself, for loss draws: its
/// identification, fragment offset, total length and the transport's first
/// eight bytes (a TCP segment's ports and sequence number), with its flow.
fn packet_key(buf: &[u8], flow: u64) -> u64 {
    if buf.len() < 20 {
        return 0;
    }
    let id = word(buf, 4) ^ word(buf, 0) << 32;
    hash(flow, id, l4(buf))
}

#[inline]
fn word(buf: &[u8], i: usize) -> u64 {
    u32::from_be_bytes([buf[i], buf[i + 1], buf[i + 2], buf[i + 3]]) as u64
}

/// The transport header's first eight bytes (0 when the packet is shorter).
#[inline]
fn l4(buf: &[u8]) -> u64 {
    let ihl = usize::from(buf[0] & 0x0f) * 4;
    match buf.get(ihl..ihl + 8) {
        Some(b) => u64::from_be_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]),
        None => 0,
    }
}

impl Links {
    pub fn new(d: &Design, seed: u64) -> Links {
        Links {
            seed: first(mix(seed ^ 0x4C49_4E4B)),
            tables: d
                .links
                .iter()
                .map(|l| Table::new(&l.dist, l.loss))
                .collect(),
            recent: Box::new([Recent::default(); RECENT]),
        }
    }

    /// The delay of the packet in `buf` entering link `link` at `now`, or
    /// `None` when the link loses it.
    pub fn cross(&mut self, link: LinkId, min: Nanos, buf: &[u8], now: Nanos) -> Option<Nanos> {
        let Some(t) = self.tables.get(link.idx()) else {
            return Some(min);
        };
        if t.span == 0 && t.loss == 0 {
            return Some(min);
        }
        let words = flow_words(buf);
        let (a, b) = words.unwrap_or_default();
        // The headers' bits spread over the place's by one multiplication:
        // a request and its reply (the addresses swapped) apart.
        let mixed = (a ^ b.rotate_left(29) ^ u64::from(link.0)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        let place = (mixed >> (64 - RECENT.trailing_zeros())) as usize;
        let r = &mut self.recent[place];
        if r.words != words || r.link != u32::from(link.0) + 1 {
            let flow = flow_key(words);
            let key = hash_on(self.seed, link.0 as u64, flow);
            *r = Recent {
                words,
                link: u32::from(link.0) + 1,
                flow,
                key,
                first: first(key),
                k: u64::MAX,
                v0: 0,
                v1: 0,
            };
        }
        if t.loss != 0 && hash(r.key, packet_key(buf, r.flow), now.0) < t.loss {
            return None;
        }
        Some(Nanos(min.0 + t.extra(r, now.0)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(min_us: u64, p50_us: u64, p99_us: u64) -> Table {
        Table::new(
            &Dist {
                min: Nanos::from_micros(min_us),
                p50: Nanos::from_micros(p50_us),
                p99: Nanos::from_micros(p99_us),
            },
            0.0,
        )
    }

    /// The extra of the flow whose key is `key` entering at `now`, drawn
    /// afresh.
    fn extra(t: &Table, key: u64, now: u64) -> u64 {
        let mut r = Recent {
            first: first(key),
            k: u64::MAX,
            ..Recent::default()
        };
        t.extra(&mut r, now)
    }

    fn quantile(v: &mut [u64], q: f64) -> u64 {
        v.sort_unstable();
        v[((v.len() as f64 - 1.0) * q) as usize]
    }

    /// LAT-2: the extra delay's median and 99th percentile, over many flows
    /// and times, are the configured ones (within the table's resolution).
    #[test]
    fn lat_2_jitter_matches_median_and_p99() {
        let t = table(300, 400, 900);
        let mut v = Vec::new();
        for flow in 0..2_000u64 {
            for k in 0..20u64 {
                v.push(extra(&t, hash(flow, 7, 3), k * 977_000 + flow * 13));
            }
        }
        let p50 = quantile(&mut v, 0.5) as f64;
        let p99 = quantile(&mut v, 0.99) as f64;
        assert!((p50 - 100_000.0).abs() < 8_000.0, "p50 extra {p50}");
        assert!((p99 - 600_000.0).abs() < 90_000.0, "p99 extra {p99}");
        assert!(v.iter().all(|x| *x <= t.extra[QUANTILES - 1]));
    }

    /// LAT-2: FIFO per flow. For any flow, a packet entering the link later
    /// is delivered no earlier than one that entered before it, however
    /// closely they follow one another.
    #[test]
    fn lat_2_fifo_per_flow_delivery_never_decreases() {
        for t in [table(40, 50, 120), table(12_000, 15_000, 30_000)] {
            for flow in 0..50u64 {
                let key = hash(flow, 1, 9);
                let mut now = 0u64;
                let mut last = 0u64;
                let mut step = 1u64;
                while now < 40 * t.span {
                    let at = now + extra(&t, key, now);
                    assert!(at >= last, "flow {flow}: {at} after {last}");
                    last = at;
                    // 1 ns to ~10 us apart, crossing every span's ramp.
                    step = (step * 7 + 3) % 10_007 + 1;
                    now += step;
                }
            }
        }
    }

    /// LAT-2: a fixed delay stays fixed; the draw depends only on the seed,
    /// link, flow and time.
    #[test]
    fn lat_2_fixed_delay_and_same_draw_for_same_input() {
        let fixed = Table::new(&Dist::fixed(Nanos::from_micros(50)), 0.0);
        assert_eq!(fixed.span, 0);
        assert_eq!(extra(&fixed, 12345, 999), 0);
        let t = table(40, 50, 120);
        for now in [0, 1, 17_000, 9_999_999] {
            assert_eq!(extra(&t, 42, now), extra(&t, 42, now));
        }
        let differs = (0..100u64).any(|f| extra(&t, f, 1_000) != extra(&t, f + 100, 1_000));
        assert!(differs, "flows jitter independently");
    }

    fn packet(seq: u32) -> [u8; 28] {
        let mut b = [0u8; 28];
        b[0] = 0x45;
        b[9] = 6;
        b[12..16].copy_from_slice(&[10, 0, 0, 1]);
        b[16..20].copy_from_slice(&[52, 1, 2, 3]);
        b[20..22].copy_from_slice(&40000u16.to_be_bytes());
        b[22..24].copy_from_slice(&443u16.to_be_bytes());
        b[24..28].copy_from_slice(&seq.to_be_bytes());
        b
    }

    /// LAT-3: with a loss of 1%, a fixed seed loses close to 1% of 200,000
    /// packets (within four standard deviations, 0.089%); with 0%, none.
    #[test]
    fn lat_3_loss_rate_is_the_configured_share() {
        let dist = Dist::fixed(Nanos::from_millis(14));
        for (loss, lo, hi) in [(0.01, 1_822, 2_178), (0.0, 0, 0)] {
            let mut links = Links {
                seed: first(mix(7)),
                tables: vec![Table::new(&dist, loss)],
                recent: Box::new([Recent::default(); RECENT]),
            };
            let mut lost = 0;
            for i in 0..200_000u32 {
                let b = packet(i.wrapping_mul(1460));
                if links
                    .cross(LinkId(0), dist.min, &b, Nanos(u64::from(i) * 10_000))
                    .is_none()
                {
                    lost += 1;
                }
            }
            assert!((lo..=hi).contains(&lost), "loss {loss}: {lost} lost");
        }
    }

    /// LAT-3: the same packet sent again later is a new draw, so a lost
    /// segment's retransmission gets through at the loss rate.
    #[test]
    fn lat_3_retransmission_is_a_new_draw() {
        let dist = Dist::fixed(Nanos::from_millis(14));
        let mut links = Links {
            seed: first(mix(3)),
            tables: vec![Table::new(&dist, 0.5)],
            recent: Box::new([Recent::default(); RECENT]),
        };
        let b = packet(1);
        let through = (0..1_000u64)
            .filter(|i| {
                links
                    .cross(LinkId(0), dist.min, &b, Nanos(i * 200_000_000))
                    .is_some()
            })
            .count();
        assert!((400..=600).contains(&through), "{through} of 1000 through");
    }

    /// LAT-2, LAT-3: the draws kept for the flows seen last change no
    /// draw. Packets of many flows (more than there are places, so that
    /// they push one another out), over two links, one jittered and lossy,
    /// across many spans: each crossing is the same as on links that have
    /// seen no packet before.
    #[test]
    fn lat_2_kept_draws_change_no_draw() {
        let jitter = Dist {
            min: Nanos::from_micros(40),
            p50: Nanos::from_micros(50),
            p99: Nanos::from_micros(120),
        };
        let fresh = || Links {
            seed: first(mix(11)),
            tables: vec![Table::new(&jitter, 0.0), Table::new(&jitter, 0.2)],
            recent: Box::new([Recent::default(); RECENT]),
        };
        let mut kept = fresh();
        let mut next = 0x9e37_79b9_u64;
        let mut now = 0u64;
        let mut same = 0;
        for i in 0..20_000u32 {
            next ^= next << 13;
            next ^= next >> 7;
            next ^= next << 17;
            let mut b = packet(i);
            // 3 x 97 flows: TCP by ports, ICMP and UDP by addresses.
            b[9] = [6, 1, 17][(next % 3) as usize];
            b[19] = (next >> 8) as u8 % 97;
            b[20..22].copy_from_slice(&(40_000 + (next >> 16) as u16 % 97).to_be_bytes());
            now += next >> 40 & 0xFFFF;
            let link = LinkId((next >> 32) as u16 % 2);
            let a = kept.cross(link, jitter.min, &b, Nanos(now));
            assert_eq!(
                a,
                fresh().cross(link, jitter.min, &b, Nanos(now)),
                "packet {i}"
            );
            same += usize::from(a.is_some());
        }
        assert!(same > 15_000, "{same} crossed");
        // A packet too short for headers: its own flow.
        assert_eq!(
            kept.cross(LinkId(0), jitter.min, &[0x45; 12], Nanos(now)),
            fresh().cross(LinkId(0), jitter.min, &[0x45; 12], Nanos(now))
        );
    }
}
