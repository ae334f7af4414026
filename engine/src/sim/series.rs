//! What a run measured over time: the report's totals split into buckets of
//! a fixed interval of virtual time (`--interval`, one second by default).
//!
//! Each LP keeps its own [`Series`], whose arrays of buckets are made when
//! a traffic, a drop reason and place, a gateway or a queue first records
//! in the LP (or when the run starts, for the NAT gateways it owns), and
//! indexed by `time / interval` on the hot path: recording is an
//! addition, never an allocation or a string. The series of the LPs are
//! added in LP order ([`Series::merge`]), element by element, so the
//! result is the same for every thread count.
//!
//! Every counted series adds up to the report's total: a traffic's flows
//! are counted in the bucket of their start (`started`) or of their
//! decision (`delivered`, `failed`), bytes when they arrive, drops and
//! gateway packets when they happen. The last bucket also holds the
//! design's end instant. NAT mappings are read at the end of each bucket.

use std::collections::BTreeMap;

use crate::dataplane::Place;
use crate::model::DropReason;
use crate::sparse::Sparse;
use crate::units::{Divisor, Nanos};

/// The most buckets a run keeps (an interval too small for the duration is
/// refused on the command line).
pub const MAX_BUCKETS: u64 = 100_000;

/// The intervals a run picks from when none is given, finest first.
pub const DEFAULT_STEPS: [Nanos; 7] = [
    Nanos::from_secs(1),
    Nanos::from_secs(10),
    Nanos::from_secs(60),
    Nanos::from_secs(600),
    Nanos::from_secs(3_600),
    Nanos::from_secs(86_400),
    Nanos::from_secs(604_800),
];

/// The interval of a run of `duration` when none is given: the finest of
/// [`DEFAULT_STEPS`] (1s, 10s, 1min, 10min, 1h, 1d, 7d) that keeps the
/// buckets within [`MAX_BUCKETS`]; 1s for any run up to 100,000s.
pub fn default_interval(duration: Nanos) -> Nanos {
    DEFAULT_STEPS
        .into_iter()
        .find(|&i| Series::count(duration, i) <= MAX_BUCKETS)
        .unwrap_or(DEFAULT_STEPS[DEFAULT_STEPS.len() - 1])
}

/// Sub-bins per power of two of [`Bins`]: values are kept to within
/// 1/16 (about 6 %).
const SUB: u32 = 16;
/// Bins of values from 1 µs to 2^32 µs (over an hour).
const BINS: usize = (SUB as usize) * 29;

/// A small log-linear histogram of latencies in microseconds, made the
/// first time its bucket records a value. The first [`FEW`] values are kept
/// as their bin numbers (2 bytes each); the 464 counters (under 2 KiB) are
/// made only when more arrive, so a bucket with a few flows costs tens of
/// bytes. Both forms answer the same quantiles.
#[derive(Clone, Debug)]
pub struct Bins {
    few: Vec<u16>,
    counts: Option<Box<[u32; BINS]>>,
    total: u64,
}

/// Values a [`Bins`] keeps as bin numbers before it makes its counters.
const FEW: usize = 32;

impl Bins {
    fn new() -> Bins {
        Bins {
            few: Vec::new(),
            counts: None,
            total: 0,
        }
    }

    fn index(us: u64) -> usize {
        let v = us.clamp(1, (1 << 32) - 1);
        if v < u64::from(SUB) {
            return v as usize;
        }
        let e = 63 - v.leading_zeros(); // v in [2^e, 2^(e+1)), e >= 4
        let sub = (v >> (e - 4)) & u64::from(SUB - 1);
        (SUB * (e - 3)) as usize + sub as usize
    }

    /// The smallest value of bin `i`.
    fn low(i: usize) -> u64 {
        let s = SUB as usize;
        if i < s {
            return i as u64;
        }
        let e = (i / s) as u32 + 3;
        let sub = (i % s) as u64;
        (1u64 << e) + (sub << (e - 4))
    }

    fn record(&mut self, us: u64) {
        self.record_bin(Self::index(us), 1);
    }

    fn record_bin(&mut self, i: usize, n: u32) {
        self.total += u64::from(n);
        // Once made, the counters take every value: no look at the kept
        // bin numbers (none are left).
        if let Some(counts) = &mut self.counts {
            counts[i] += n;
            return;
        }
        if self.few.len() + n as usize <= FEW {
            // BINS < 2^16, so the bin number fits.
            self.few.extend(std::iter::repeat_n(i as u16, n as usize));
            return;
        }
        let counts = self.dense();
        counts[i] += n;
    }

    /// The counters, made from the kept bin numbers on first use.
    fn dense(&mut self) -> &mut [u32; BINS] {
        let few = std::mem::take(&mut self.few);
        self.counts.get_or_insert_with(|| {
            let mut c = Box::new([0u32; BINS]);
            for i in few {
                c[usize::from(i)] += 1;
            }
            c
        })
    }

    fn add(&mut self, o: &Bins) {
        match &o.counts {
            Some(oc) => {
                let counts = self.dense();
                for (a, b) in counts.iter_mut().zip(oc.iter()) {
                    *a += b;
                }
                self.total += o.total;
            }
            None => {
                for &i in &o.few {
                    self.record_bin(usize::from(i), 1);
                }
            }
        }
    }

    /// How many values were recorded.
    pub fn len(&self) -> u64 {
        self.total
    }

    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// The value at quantile `q` (0 to 1): the low end of the bin that
    /// holds it, so within 1/16 below the value recorded.
    pub fn quantile(&self, q: f64) -> u64 {
        let rank = ((q * self.total as f64).ceil() as u64).clamp(1, self.total.max(1));
        let Some(counts) = &self.counts else {
            let mut few = self.few.clone();
            few.sort_unstable();
            return few
                .get(rank as usize - 1)
                .map_or(0, |&i| Self::low(usize::from(i)));
        };
        let mut seen = 0u64;
        for (i, c) in counts.iter().enumerate() {
            seen += u64::from(*c);
            if seen >= rank {
                return Self::low(i);
            }
        }
        0
    }
}

/// Per traffic and bucket: flows started, delivered, failed, and bytes
/// delivered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Flows {
    pub started: u64,
    pub delivered: u64,
    pub failed: u64,
    pub bytes_delivered: u64,
}

/// Per NAT gateway and bucket: mappings (ports) live at the bucket's end,
/// and mappings created during it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NatSample {
    pub ports_in_use: u64,
    pub created: u64,
}

/// Time series of one LP, or of a whole run once merged.
#[derive(Clone, Debug, Default)]
pub struct Series {
    pub interval: Nanos,
    /// Division by `interval`, for a bucket's index.
    per_bucket: Divisor,
    pub buckets: usize,
    traffics: usize,
    /// Per traffic that recorded something in this LP, per bucket (made
    /// on its first record, so that memory grows with the traffic an LP
    /// has, not with LPs x traffic).
    flows: Sparse<Vec<Flows>>,
    /// Completion latency of the flows delivered in a bucket.
    latency: Sparse<Vec<Option<Box<Bins>>>>,
    /// Drops by reason and place, per bucket.
    pub drops: BTreeMap<(DropReason, Place), Vec<u64>>,
    /// Packets and bytes through each gateway or endpoint, per bucket.
    pub gateways: BTreeMap<Place, Vec<super::metrics::Counter>>,
    /// Per NAT gateway (design order), per bucket; kept by the LP that
    /// owns the gateway, empty elsewhere.
    pub nat: Vec<Vec<NatSample>>,
    /// The NAT gateways this LP reads, and what it last read of each:
    /// (created so far).
    nat_owned: Vec<bool>,
    nat_created: Vec<u64>,
    /// The bucket of the events since the NAT gateways were last read.
    sampled: usize,
    /// Whether this LP owns a NAT gateway.
    reads_nat: bool,
    /// Peak packets queued ahead at each capacity-limited ENI, per bucket,
    /// indexed by ENI (empty for one no packet reached): a packet's record
    /// is an index, not a search.
    queues: Vec<Vec<u64>>,
}

impl Series {
    /// Buckets of `interval` covering `duration` (at least one).
    pub fn new(duration: Nanos, interval: Nanos, traffics: usize, nats: usize) -> Series {
        let interval = if interval.0 == 0 {
            default_interval(duration)
        } else {
            interval
        };
        let buckets = Self::count(duration, interval) as usize;
        Series {
            interval,
            per_bucket: Divisor::new(interval.0),
            buckets,
            traffics,
            flows: Sparse::new(),
            latency: Sparse::new(),
            drops: BTreeMap::new(),
            gateways: BTreeMap::new(),
            nat: vec![Vec::new(); nats],
            nat_owned: vec![false; nats],
            nat_created: vec![0; nats],
            sampled: 0,
            reads_nat: false,
            queues: Vec::new(),
        }
    }

    /// How many buckets of `interval` cover `duration`.
    pub fn count(duration: Nanos, interval: Nanos) -> u64 {
        duration.0.div_ceil(interval.0.max(1)).max(1)
    }

    /// The bucket of time `t` (the end instant falls in the last).
    #[inline]
    pub fn bucket(&self, t: Nanos) -> usize {
        (self.per_bucket.quotient(t.0) as usize).min(self.buckets.saturating_sub(1))
    }

    /// This LP reads NAT gateway `n` (it owns its mappings).
    pub fn own_nat(&mut self, n: usize) {
        if let Some(o) = self.nat_owned.get_mut(n) {
            *o = true;
            self.reads_nat = true;
            self.nat[n] = vec![NatSample::default(); self.buckets];
        }
    }

    #[inline(always)]
    fn flow(&mut self, traffic: u32, t: Nanos) -> Option<&mut Flows> {
        let (b, n) = (self.bucket(t), self.buckets);
        if traffic as usize >= self.traffics {
            return None;
        }
        let v = self
            .flows
            .get_or_insert_with(traffic, || vec![Flows::default(); n]);
        v.get_mut(b)
    }

    #[inline]
    pub fn started(&mut self, traffic: u32, t: Nanos) {
        if let Some(f) = self.flow(traffic, t) {
            f.started += 1;
        }
    }

    /// A flow decided at `t`; `latency`: its start to completion when it
    /// was delivered.
    #[inline]
    pub fn decided(&mut self, traffic: u32, t: Nanos, latency: Option<Nanos>) {
        let (b, n) = (self.bucket(t), self.buckets);
        let Some(f) = self.flow(traffic, t) else {
            return;
        };
        match latency {
            Some(d) => {
                f.delivered += 1;
                let v = self.latency.get_or_insert_with(traffic, || vec![None; n]);
                v[b].get_or_insert_with(|| Box::new(Bins::new()))
                    .record((d.0 / 1000).max(1));
            }
            None => f.failed += 1,
        }
    }

    #[inline]
    pub fn bytes_delivered(&mut self, traffic: u32, t: Nanos, n: u64) {
        if let Some(f) = self.flow(traffic, t) {
            f.bytes_delivered += n;
        }
    }

    #[inline]
    pub fn drop(&mut self, reason: DropReason, place: Place, t: Nanos) {
        let (b, n) = (self.bucket(t), self.buckets);
        self.drops
            .entry((reason, place))
            .or_insert_with(|| vec![0; n])[b] += 1;
    }

    #[inline]
    pub fn gateway(&mut self, place: Place, t: Nanos, bytes: u64) {
        let (b, n) = (self.bucket(t), self.buckets);
        let c = &mut self
            .gateways
            .entry(place)
            .or_insert_with(|| vec![Default::default(); n])[b];
        c.packets += 1;
        c.bytes += bytes;
    }

    /// A packet arrived at capacity server `server` (its index,
    /// `dataplane::ServerId::index`: the ENIs first) with `ahead` packets
    /// queued before it.
    #[inline]
    pub fn queue(&mut self, server: u32, t: Nanos, ahead: u64) {
        let (b, n) = (self.bucket(t), self.buckets);
        let i = server as usize;
        if i >= self.queues.len() {
            self.queues.resize_with(i + 1, Vec::new);
        }
        let q = &mut self.queues[i];
        if q.is_empty() {
            *q = vec![0; n];
        }
        q[b] = q[b].max(ahead);
    }

    /// The servers a packet reached a capacity at, by index (the ENIs
    /// first, by ENI), with their peak queue per bucket.
    pub fn queues(&self) -> impl Iterator<Item = (u32, &[u64])> {
        self.queues
            .iter()
            .enumerate()
            .filter(|(_, v)| !v.is_empty())
            .map(|(e, v)| (e as u32, v.as_slice()))
    }

    /// Whether the NAT gateways are to be read before an event at `t`:
    /// it is the first event of a later bucket than the events before.
    #[inline]
    pub fn due(&self, t: Nanos) -> bool {
        self.reads_nat && self.bucket(t) > self.sampled
    }

    /// Reads the NAT gateways this LP owns before the first event of
    /// bucket `upto` (or, with `upto` = the bucket count, at the end):
    /// `read(n)` gives (mappings live, mappings created so far). Every
    /// event since the last reading was in one bucket, so the mappings
    /// made since were made in it; it and the buckets after it with no
    /// event end with the mappings live now.
    pub fn sample_nat(&mut self, upto: usize, mut read: impl FnMut(usize) -> (u64, u64)) {
        let upto = upto.min(self.buckets);
        if upto <= self.sampled {
            return;
        }
        for n in 0..self.nat.len() {
            if !self.nat_owned[n] {
                continue;
            }
            let (live, created) = read(n);
            let new = created.saturating_sub(self.nat_created[n]);
            self.nat_created[n] = created;
            let v = &mut self.nat[n];
            v[self.sampled].created += new;
            for s in &mut v[self.sampled..upto] {
                s.ports_in_use = live;
            }
        }
        self.sampled = upto;
    }

    /// Adds the series of another LP.
    pub fn merge(&mut self, o: &Series) {
        if self.buckets == 0 {
            *self = o.clone();
            return;
        }
        for (t, v) in o.flows.iter() {
            let e = self
                .flows
                .get_or_insert_with(t, || vec![Flows::default(); v.len()]);
            for (a, b) in e.iter_mut().zip(v) {
                a.started += b.started;
                a.delivered += b.delivered;
                a.failed += b.failed;
                a.bytes_delivered += b.bytes_delivered;
            }
        }
        for (t, v) in o.latency.iter() {
            let e = self.latency.get_or_insert_with(t, || vec![None; v.len()]);
            for (a, b) in e.iter_mut().zip(v) {
                if let Some(b) = b {
                    a.get_or_insert_with(|| Box::new(Bins::new())).add(b);
                }
            }
        }
        for (k, v) in &o.drops {
            let e = self.drops.entry(*k).or_insert_with(|| vec![0; v.len()]);
            for (a, b) in e.iter_mut().zip(v) {
                *a += b;
            }
        }
        for (k, v) in &o.gateways {
            let e = self
                .gateways
                .entry(*k)
                .or_insert_with(|| vec![Default::default(); v.len()]);
            for (a, b) in e.iter_mut().zip(v) {
                a.packets += b.packets;
                a.bytes += b.bytes;
            }
        }
        for (a, b) in self.nat.iter_mut().zip(&o.nat) {
            if a.is_empty() {
                a.clone_from(b);
                continue;
            }
            for (x, y) in a.iter_mut().zip(b) {
                x.ports_in_use += y.ports_in_use;
                x.created += y.created;
            }
        }
        if self.queues.len() < o.queues.len() {
            self.queues.resize_with(o.queues.len(), Vec::new);
        }
        for (e, v) in self.queues.iter_mut().zip(&o.queues) {
            if v.is_empty() {
                continue;
            }
            if e.is_empty() {
                *e = vec![0; v.len()];
            }
            for (a, b) in e.iter_mut().zip(v) {
                *a = (*a).max(*b);
            }
        }
    }

    /// The number of traffics.
    pub fn traffics(&self) -> usize {
        self.traffics
    }

    /// Traffic `t`'s flows, bucket by bucket (empty when it recorded
    /// nothing).
    pub fn flows(&self, t: usize) -> &[Flows] {
        self.flows.get(t as u32).map_or(&[], Vec::as_slice)
    }

    /// Traffic `t`'s completion latency per bucket (none where nothing
    /// was delivered).
    pub fn latency(&self, t: usize) -> &[Option<Box<Bins>>] {
        self.latency.get(t as u32).map_or(&[], Vec::as_slice)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_interval_is_the_finest_step_within_the_bucket_limit() {
        let h = |n: u64| Nanos::from_secs(n * 3_600);
        assert_eq!(default_interval(Nanos::from_secs(30)), Nanos::from_secs(1));
        assert_eq!(
            default_interval(Nanos::from_secs(100_000)),
            Nanos::from_secs(1)
        );
        assert_eq!(
            default_interval(Nanos::from_secs(100_001)),
            Nanos::from_secs(10)
        );
        assert_eq!(default_interval(h(168)), Nanos::from_secs(10));
        assert_eq!(default_interval(h(1_000)), Nanos::from_secs(60));
        assert_eq!(default_interval(h(5_124_095)), Nanos::from_secs(604_800));
        for d in [Nanos::from_secs(1), h(168), h(50_000), h(5_124_095)] {
            assert!(Series::count(d, default_interval(d)) <= MAX_BUCKETS);
        }
    }

    #[test]
    fn bins_keep_values_to_within_a_sixteenth() {
        for v in [
            1u64,
            7,
            15,
            16,
            17,
            100,
            1_000,
            12_345,
            999_999,
            3_600_000_000,
        ] {
            let low = Bins::low(Bins::index(v));
            assert!(low <= v && v - low <= v / 16, "{v} -> {low}");
        }
        let mut b = Bins::new();
        for v in 1..=100 {
            b.record(v * 1000);
        }
        let p50 = b.quantile(0.5);
        assert!((47_000..=50_000).contains(&p50), "{p50}");
        assert!(b.quantile(0.99) >= 93_000);
    }

    #[test]
    fn bins_answer_the_same_with_few_values_and_with_counters() {
        let values: Vec<u64> = (0..FEW as u64).map(|i| (i * 7_919) % 5_000 + 3).collect();
        let mut few = Bins::new();
        let mut dense = Bins::new();
        for &v in &values {
            few.record(v);
            dense.record(v);
        }
        dense.dense();
        assert!(few.counts.is_none() && dense.counts.is_some());
        for q in [0.0, 0.1, 0.5, 0.9, 0.99, 1.0] {
            assert_eq!(few.quantile(q), dense.quantile(q), "q {q}");
        }
        // One more value makes the counters; merging keeps the count.
        few.record(10);
        assert!(few.counts.is_some() && few.len() == FEW as u64 + 1);
        let mut m = Bins::new();
        m.record(4);
        m.add(&dense);
        assert_eq!(m.len(), FEW as u64 + 1);
    }

    #[test]
    fn times_fall_in_their_bucket_and_the_end_in_the_last() {
        let s = Series::new(Nanos::from_secs(3), Nanos::from_secs(1), 1, 0);
        assert_eq!(s.buckets, 3);
        assert_eq!(s.bucket(Nanos::from_millis(999)), 0);
        assert_eq!(s.bucket(Nanos::from_secs(1)), 1);
        assert_eq!(s.bucket(Nanos::from_secs(3)), 2);
    }

    #[test]
    fn nat_readings_fill_the_buckets_without_events() {
        let mut s = Series::new(Nanos::from_secs(4), Nanos::from_secs(1), 0, 1);
        s.own_nat(0);
        // The first event of bucket 2 after events in bucket 0: bucket 0
        // made 5 mappings, and buckets 0 and 1 ended with 5 live.
        assert!(s.due(Nanos::from_secs(2)));
        s.sample_nat(2, |_| (5, 5));
        assert!(!s.due(Nanos::from_secs(2)));
        // The end, after events in bucket 2.
        s.sample_nat(4, |_| (2, 6));
        let v: Vec<_> = s.nat[0]
            .iter()
            .map(|x| (x.ports_in_use, x.created))
            .collect();
        assert_eq!(v, vec![(5, 5), (5, 0), (2, 1), (2, 0)]);
    }
}
