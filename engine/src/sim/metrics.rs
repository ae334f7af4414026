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

/// A latency histogram: microseconds, up to an hour, three significant
/// digits. It takes about 188 KB, so a traffic keeps its first values as
/// they are and makes one only past [`FEW`] of them.
fn histogram() -> Box<Histogram<u64>> {
    Box::new(Histogram::new_with_bounds(1, 3_600_000_000, 3).expect("valid bounds"))
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

    fn record(&mut self, us: u64) {
        match &mut self.hist {
            // A value past the histogram's range is not counted, as before.
            Some(h) => {
                let _ = h.record(us);
            }
            None if self.few.len() < FEW => self.few.push(us),
            None => {
                let mut h = histogram();
                for v in std::mem::take(&mut self.few) {
                    let _ = h.record(v);
                }
                let _ = h.record(us);
                self.hist = Some(h);
            }
        }
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
    fn index(&self, i: usize) -> &TrafficMetrics {
        u32::try_from(i)
            .ok()
            .and_then(|i| self.by.get(i))
            .unwrap_or(&NOTHING)
    }
}

impl std::ops::IndexMut<usize> for PerTraffic {
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
