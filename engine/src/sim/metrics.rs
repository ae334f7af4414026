//! What a run measured: per traffic, per expectation window, per component.
//!
//! Everything is kept in ordered maps or index-addressed vectors, so a report
//! reads the same whatever order events were handled in.

use std::borrow::Cow;
use std::collections::BTreeMap;

use hdrhistogram::Histogram;

use crate::dataplane::Place;
use crate::model::DropReason;
use crate::sparse::Sparse;
use crate::traffic::Cause;
use crate::units::Nanos;

/// The largest latency counted, in microseconds: what a histogram made
/// for an hour (1 to 3,600,000,000 us, three significant digits) counts,
/// its last bucket ending at 2^32 us (1 h 11 min).
const MAX_US: u64 = u32::MAX as u64;

/// A latency histogram: microseconds, three significant digits, its
/// counters only as far as the largest value recorded (it grows as larger
/// ones come): 16 KB up to 2 ms, 88 KB up to 1 s, 188 KB at most (an
/// hour), where one made for the whole range at once was 188 KB, every
/// byte of it zeroed when made. Its buckets are the same either way, so
/// every quantile reads the same. A traffic keeps its first values as
/// they are and makes one only past [`FEW`] of them.
fn histogram() -> Box<Histogram<u64>> {
    Box::new(Histogram::new(3).expect("valid precision"))
}

/// The histogram of a traffic that recorded nothing, shared.
fn empty() -> &'static Histogram<u64> {
    static EMPTY: std::sync::OnceLock<Box<Histogram<u64>>> = std::sync::OnceLock::new();
    EMPTY.get_or_init(histogram)
}

/// Values a [`Latency`] keeps as they are before it makes a histogram
/// (8 bytes each, 2 KB in all).
pub const FEW: usize = 256;

/// Latencies in microseconds: the first [`FEW`] values as they are, then a
/// histogram. Either way it reads as the histogram of every value recorded
/// ([`Latency::histogram`]): recording values into a histogram in any
/// order, or adding histograms, gives the same counts.
#[derive(Clone, Debug, Default)]
pub struct Latency {
    few: Vec<u64>,
    hist: Option<Box<Histogram<u64>>>,
}

impl Latency {
    const fn new() -> Latency {
        Latency {
            few: Vec::new(),
            hist: None,
        }
    }

    /// Inlined where a delivered item is counted, as far as the
    /// histogram's own record; the first values out of line.
    #[inline]
    fn record(&mut self, us: u64) {
        // A value past the range of an hour is not counted, as before.
        if us > MAX_US {
            return;
        }
        match &mut self.hist {
            Some(h) => {
                let _ = h.record(us);
            }
            None => self.record_first(us),
        }
    }

    /// [`Latency::record`] before the histogram is made.
    #[inline(never)]
    fn record_first(&mut self, us: u64) {
        if self.few.len() < FEW {
            self.few.push(us);
            return;
        }
        let mut h = histogram();
        for v in std::mem::take(&mut self.few) {
            let _ = h.record(v);
        }
        let _ = h.record(us);
        self.hist = Some(h);
    }

    fn add(&mut self, o: &Latency) {
        if let Some(oh) = &o.hist {
            match &mut self.hist {
                Some(h) => {
                    let _ = h.add(&**oh);
                }
                // Added into a histogram of nothing, it would be copied
                // into one made with the same bounds: a copy is the same.
                None => self.hist = Some(oh.clone()),
            }
        }
        for v in &o.few {
            self.record(*v);
        }
    }

    /// The histogram of every value recorded; made here (and dropped by
    /// the caller) while they are few.
    pub fn histogram(&self) -> Cow<'_, Histogram<u64>> {
        match (&self.hist, self.few.is_empty()) {
            (Some(h), true) => Cow::Borrowed(&**h),
            (None, true) => Cow::Borrowed(empty()),
            (h, false) => {
                let mut h = h.clone().unwrap_or_else(histogram);
                for v in &self.few {
                    let _ = h.record(*v);
                }
                Cow::Owned(*h)
            }
        }
    }
}

#[derive(Clone, Debug, Default)]
pub struct TrafficMetrics {
    pub started: u64,
    pub delivered: u64,
    pub failed: u64,
    pub unfinished: u64,
    pub retransmissions: u64,
    pub corrupt_bytes: u64,
    pub bytes_delivered: u64,
    /// Lambda invocations that got an execution environment, and those of
    /// them that started a new one (cold starts, LAM-7).
    pub invocations: u64,
    pub cold_starts: u64,
    /// Failures by cause and the place of the last drop.
    pub failures: BTreeMap<(Cause, Option<Place>), u64>,
    /// Drops of this traffic's packets, by reason and place.
    pub drops: BTreeMap<(DropReason, Place), u64>,
    /// Connection set-up (SYN to SYN-ACK), microseconds.
    setup: Latency,
    /// Start to completion, microseconds.
    completion: Latency,
}

/// The metrics of a traffic that recorded nothing.
static NOTHING: TrafficMetrics = TrafficMetrics {
    started: 0,
    delivered: 0,
    failed: 0,
    unfinished: 0,
    retransmissions: 0,
    corrupt_bytes: 0,
    bytes_delivered: 0,
    invocations: 0,
    cold_starts: 0,
    failures: BTreeMap::new(),
    drops: BTreeMap::new(),
    setup: Latency::new(),
    completion: Latency::new(),
};

impl TrafficMetrics {
    pub fn record_completion(&mut self, d: Nanos) {
        self.completion.record((d.0 / 1000).max(1));
    }
    pub fn record_setup(&mut self, d: Nanos) {
        self.setup.record((d.0 / 1000).max(1));
    }
    /// Connection set-up (SYN to SYN-ACK), microseconds.
    pub fn setup(&self) -> Cow<'_, Histogram<u64>> {
        self.setup.histogram()
    }
    /// Start to completion, microseconds.
    pub fn completion(&self) -> Cow<'_, Histogram<u64>> {
        self.completion.histogram()
    }
}

/// Per-traffic metrics of a design's `len` traffics, kept only for those
/// that recorded something (in a part of a run: the traffic whose
/// endpoints or packets it has). Indexed by traffic; a traffic that
/// recorded nothing reads as zeros.
#[derive(Clone, Debug, Default)]
pub struct PerTraffic {
    len: usize,
    by: Sparse<TrafficMetrics>,
}

impl PerTraffic {
    /// The metrics of `len` traffics, none recorded yet.
    pub fn new(len: usize) -> PerTraffic {
        PerTraffic {
            len,
            by: Sparse::new(),
        }
    }

    /// The number of traffics.
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The traffic that recorded something, in order, with its index.
    pub fn entries(&self) -> impl Iterator<Item = (u32, &TrafficMetrics)> {
        self.by.iter()
    }

    /// Every traffic's metrics, in order (zeros for those that recorded
    /// nothing).
    pub fn iter(&self) -> impl Iterator<Item = &TrafficMetrics> {
        (0..self.len).map(|i| &self[i])
    }

    /// How many traffics recorded something.
    pub fn recorded(&self) -> usize {
        self.by.len()
    }
}

impl std::ops::Index<usize> for PerTraffic {
    type Output = TrafficMetrics;
    #[inline]
    fn index(&self, i: usize) -> &TrafficMetrics {
        u32::try_from(i)
            .ok()
            .and_then(|i| self.by.get(i))
            .unwrap_or(&NOTHING)
    }
}

impl std::ops::IndexMut<usize> for PerTraffic {
    #[inline]
    fn index_mut(&mut self, i: usize) -> &mut TrafficMetrics {
        self.len = self.len.max(i + 1);
        self.by.get_or_insert_with(i as u32, Default::default)
    }
}

impl<'a> IntoIterator for &'a PerTraffic {
    type Item = &'a TrafficMetrics;
    type IntoIter = Box<dyn Iterator<Item = &'a TrafficMetrics> + 'a>;
    fn into_iter(self) -> Self::IntoIter {
        Box::new(self.iter())
    }
}

/// The state of one `[[expect]]` as the run goes.
#[derive(Clone, Debug, Default)]
pub struct ExpectState {
    pub started: u64,
    pub delivered: u64,
    pub failed: u64,
    pub unfinished: u64,
    /// Packets towards `to` checked for `via`/`not_via`, and how many broke it.
    pub path_packets: u64,
    pub via_missed: u64,
    pub not_via_crossed: u64,
    /// Dropped packets of the window, and those whose reason or place differ.
    pub drops: u64,
    pub drop_mismatch: u64,
    pub drops_seen: BTreeMap<(DropReason, Place), u64>,
    /// Bytes delivered to the traffic's receivers, and TCP segments sent
    /// again, in the window (counted when they happen).
    pub bytes_delivered: u64,
    pub retransmissions: u64,
    /// Start to completion of the window's delivered flows, microseconds;
    /// recorded only when a bound asks for latency.
    latency: Latency,
}

impl ExpectState {
    pub fn record_latency(&mut self, d: Nanos) {
        self.latency.record((d.0 / 1000).max(1));
    }
    /// Start to completion of the window's delivered flows, microseconds.
    pub fn latency(&self) -> Cow<'_, Histogram<u64>> {
        self.latency.histogram()
    }
}

/// Packets and bytes through a gateway, endpoint or other component.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counter {
    pub packets: u64,
    pub bytes: u64,
}

#[derive(Clone, Debug, Default)]
pub struct Metrics {
    pub traffic: PerTraffic,
    pub expects: Vec<ExpectState>,
    pub components: BTreeMap<Place, Counter>,
    pub drops: BTreeMap<(DropReason, Place), u64>,
    pub events: u64,
    pub packet_hops: u64,
    pub packets_sent: u64,
    pub end: Nanos,
    /// Per NAT gateway: peak simultaneous mappings, and the most ports in
    /// use towards one destination at the end.
    pub nat_peak: Vec<u64>,
    pub nat_ports: Vec<u64>,
    /// Per NAT gateway: mappings live at the end, and mappings created.
    pub nat_live: Vec<u64>,
    pub nat_created: Vec<u64>,
    /// Per NAT gateway: the peak of ports in use towards one destination.
    pub nat_peak_ports: Vec<u64>,
    /// Bytes through the components whose bytes an expectation bounds, by
    /// their slot in the run's watch (`Watch::bytes_slot`, and
    /// `Watch::window_slots` for those over a window).
    pub watched_bytes: Vec<u64>,
    /// Per expectation that bounds a NAT gateway's peaks over a window:
    /// (peak mappings, peak ports towards one destination) in it; none
    /// when the window did not start before the run ended.
    pub window_nat_peaks: BTreeMap<u32, (u64, u64)>,
    /// Per window of a `cost_per_month` bound (`Watch::cost_windows`):
    /// packets and bytes through the gateways and endpoints in it.
    pub window_components: Vec<BTreeMap<Place, Counter>>,
    /// Why the run stopped before the design's end, when it did (a limit
    /// of the command line); `end` is then when it stopped.
    pub cut_short: Option<String>,
    /// The same measures over time (`series.rs`).
    pub series: super::series::Series,
}

impl TrafficMetrics {
    fn merge(&mut self, o: &TrafficMetrics) {
        self.started += o.started;
        self.delivered += o.delivered;
        self.failed += o.failed;
        self.unfinished += o.unfinished;
        self.retransmissions += o.retransmissions;
        self.corrupt_bytes += o.corrupt_bytes;
        self.bytes_delivered += o.bytes_delivered;
        self.invocations += o.invocations;
        self.cold_starts += o.cold_starts;
        for (k, v) in &o.failures {
            *self.failures.entry(*k).or_default() += v;
        }
        for (k, v) in &o.drops {
            *self.drops.entry(*k).or_default() += v;
        }
        self.setup.add(&o.setup);
        self.completion.add(&o.completion);
    }
}

impl ExpectState {
    fn merge(&mut self, o: &ExpectState) {
        self.started += o.started;
        self.delivered += o.delivered;
        self.failed += o.failed;
        self.unfinished += o.unfinished;
        self.path_packets += o.path_packets;
        self.via_missed += o.via_missed;
        self.not_via_crossed += o.not_via_crossed;
        self.drops += o.drops;
        self.drop_mismatch += o.drop_mismatch;
        for (k, v) in &o.drops_seen {
            *self.drops_seen.entry(*k).or_default() += v;
        }
        self.bytes_delivered += o.bytes_delivered;
        self.retransmissions += o.retransmissions;
        self.latency.add(&o.latency);
    }
}

impl Metrics {
    /// Adds the metrics of LP `lp`; the NAT gateways it owns give their
    /// peaks from its network.
    pub fn merge(
        &mut self,
        o: &Metrics,
        net: &crate::dataplane::Network,
        lp: u32,
        part: &crate::sim::partition::Partition,
    ) {
        let d = &*net.design;
        self.traffic.len = self.traffic.len.max(o.traffic.len);
        for (i, b) in o.traffic.entries() {
            self.traffic[i as usize].merge(b);
        }
        if self.expects.len() < o.expects.len() {
            self.expects.resize(o.expects.len(), ExpectState::default());
        }
        for (a, b) in self.expects.iter_mut().zip(&o.expects) {
            a.merge(b);
        }
        for (k, v) in &o.components {
            let e = self.components.entry(*k).or_default();
            e.packets += v.packets;
            e.bytes += v.bytes;
        }
        for (k, v) in &o.drops {
            *self.drops.entry(*k).or_default() += v;
        }
        if self.watched_bytes.len() < o.watched_bytes.len() {
            self.watched_bytes.resize(o.watched_bytes.len(), 0);
        }
        for (a, b) in self.watched_bytes.iter_mut().zip(&o.watched_bytes) {
            *a += b;
        }
        if self.window_components.len() < o.window_components.len() {
            self.window_components
                .resize(o.window_components.len(), BTreeMap::new());
        }
        for (a, b) in self.window_components.iter_mut().zip(&o.window_components) {
            for (k, v) in b {
                let e = a.entry(*k).or_default();
                e.packets += v.packets;
                e.bytes += v.bytes;
            }
        }
        self.series.merge(&o.series);
        self.events += o.events;
        self.packet_hops += o.packet_hops;
        self.packets_sent += o.packets_sent;
        self.nat_peak.resize(d.nats.len(), 0);
        self.nat_ports.resize(d.nats.len(), 0);
        self.nat_live.resize(d.nats.len(), 0);
        self.nat_created.resize(d.nats.len(), 0);
        self.nat_peak_ports.resize(d.nats.len(), 0);
        for n in 0..d.nats.len() {
            if part.of_nat(crate::model::NatId::from_idx(n)) == lp {
                let t = &net.st.nats[n];
                self.nat_peak[n] = t.peak as u64;
                self.nat_ports[n] = u64::from(t.max_ports_per_destination());
                self.nat_live[n] = t.len() as u64;
                self.nat_created[n] = t.created;
                self.nat_peak_ports[n] = u64::from(t.peak_ports);
                for w in t.windows.iter().filter(|w| w.opened) {
                    self.window_nat_peaks
                        .insert(w.expect, (w.peak as u64, u64::from(w.peak_ports)));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Latencies grown as they come read exactly as from a histogram made
    /// for the whole range (1 us to an hour), whether kept as values or
    /// counted, in two parts added together, and a value past an hour is
    /// not counted (past 2^32 us, as before); the counters of short
    /// latencies stay small.
    #[test]
    fn latencies_read_as_a_histogram_of_the_whole_range() {
        let mut whole = Histogram::<u64>::new_with_bounds(1, 3_600_000_000, 3).unwrap();
        let (mut a, mut b) = (Latency::new(), Latency::new());
        let mut x = 0x2545_f491_4f6c_dd1du64;
        for i in 0..3 * FEW as u64 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            // Mostly short, now and then up to an hour and past it.
            let v = match i % 50 {
                0 => x % 5_000_000_000 + 1,
                _ => x % 2_000 + 1,
            };
            let _ = whole.record(v);
            if i % 3 == 0 { &mut a } else { &mut b }.record(v);
        }
        assert!(whole.len() < 3 * FEW as u64, "some values past an hour");
        let mut few = Latency::new();
        for v in [17, 230, 1_999] {
            few.record(v);
        }
        let mut small = Latency::new();
        for v in 0..2 * FEW as u64 {
            small.record(v % 2_000 + 1);
        }
        assert!(
            small.histogram().distinct_values() <= 2_048,
            "{} counters for values under 2 ms",
            small.histogram().distinct_values()
        );
        a.add(&b);
        let h = a.histogram();
        assert_eq!(h.len(), whole.len());
        assert_eq!(h.max(), whole.max());
        for q in [0.0, 0.5, 0.9, 0.99, 0.999, 1.0] {
            assert_eq!(h.value_at_quantile(q), whole.value_at_quantile(q), "q {q}");
        }
        let f = few.histogram();
        assert_eq!(
            (f.len(), f.value_at_quantile(0.5), f.max()),
            (3, 230, 1_999)
        );
    }
}
