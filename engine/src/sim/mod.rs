//! The discrete-event engine: virtual time, links with latency and capacity,
//! traffic, and a design that changes while it runs.
//!
//! Events are ordered by (virtual time, sequence) in one [`queue::Queue`];
//! handling an event is a pure function of the state and the event, so a run
//! is reproducible from the file and the seed. A packet event carries the
//! packet's bytes and where it is; the data plane moves it on until it meets
//! a link with a delay or a capacity limit, where a new event is scheduled.

pub mod capacity;
mod endpoints;
pub mod estimate;
pub mod links;
pub mod metrics;
pub mod parallel;
pub mod partition;
pub mod queue;
pub mod series;

use std::sync::{Arc, OnceLock};

use bytes::{Bytes, BytesMut};

use crate::dataplane::{self, Config, Hop, Loc, Network, Place, Seen, ServerId, Step, Trace};
use crate::model::*;
use crate::packet::FlowView;
use crate::traffic::{self, Timer};
use crate::units::Nanos;
use metrics::{ExpectState, Metrics};

pub use crate::traffic::Tag;

use capacity::Server;
use queue::Queue;

/// What an event does.
///
/// `repr(u64)`: the discriminant takes a whole word ahead of the fields.
/// Laid out by default, it took a byte after them, and an event moved (in
/// and out of the queue and the event held back) as 87 bytes: five 16-byte
/// words and an 8-byte one overlapping the fifth. A move that read an
/// event soon after another wrote it in other pieces waited for the
/// stores to reach the cache, and those loads were the event loop's
/// hottest instructions (`docs/performance.md`, "Events moved whole").
#[derive(Debug)]
#[repr(u64)]
pub enum Kind {
    // The fields in this order: the words first, then the 20-byte `loc`
    // and the flag (as declared, since `repr(u64)` lays them out in
    // order), so that an event is 96 bytes, not 104.
    Packet {
        buf: BytesMut,
        /// The item it belongs to; `None` for a packet a component made
        /// (an ICMP error, a reset) or a host's answer to such a packet.
        tag: Option<Tag>,
        /// Components named by expectations that the packet has crossed.
        crossed: u64,
        loc: Loc,
        /// Already served by the capacity of the component at `loc`.
        admitted: bool,
    },
    /// A traffic endpoint's timer.
    Endpoint(Timer),
    Timeline {
        idx: u32,
    },
    Sweep,
    /// From another LP: a packet of an item this LP owns was dropped there.
    ItemDropped {
        tag: Tag,
        reason: DropReason,
        place: Place,
    },
    /// From another LP: a datagram of an item this LP owns arrived at `at`.
    ItemDelivered {
        tag: Tag,
        at: Nanos,
        bytes: u64,
    },
}

/// Spare packet buffers an LP keeps, and the largest it keeps: enough for
/// the packets in flight between a host's sends, a few hundred KiB.
const SPARE_BUFFERS: usize = 64;
const SPARE_BYTES: usize = 4096;

/// How often idle connection-tracking entries and NAT mappings are swept.
pub const SWEEP_EVERY: Nanos = Nanos::from_secs(1);

/// What expectations watch, compiled for the hot path.
#[derive(Debug, Default)]
pub struct Watch {
    /// Components named in `via`/`not_via`, by bit.
    pub components: Vec<Component>,
    /// Per expectation: (via mask, not_via mask).
    pub masks: Vec<(u64, u64)>,
    /// Expectations of each traffic.
    pub by_traffic: Vec<Vec<u32>>,
    /// Bits of the components whose bytes an expectation bounds.
    pub bytes_mask: u64,
    /// The bytes bounds over a window: (component bit, start, end), each
    /// counted in slot 64 + its position of [`Metrics::watched_bytes`].
    pub window_slots: Vec<(u64, Nanos, Nanos)>,
    /// Per expectation: its slot of [`Metrics::watched_bytes`], when it
    /// bounds the bytes through a component.
    pub bytes_slots: Vec<Option<usize>>,
    /// The windows of `cost_per_month` bounds, each once, in the order of
    /// the expectations: [`Metrics::window_components`] and the cost
    /// meter's windows follow it.
    pub cost_windows: Vec<(Nanos, Nanos)>,
}

/// The windows of the design's `cost_per_month` bounds, each once, in the
/// order of the expectations.
pub fn cost_windows(d: &Design) -> Vec<(Nanos, Nanos)> {
    let mut out: Vec<(Nanos, Nanos)> = Vec::new();
    for e in &d.expects {
        let cost = e
            .bounds
            .iter()
            .any(|b| b.measure == crate::scenario::bound::Measure::CostPerMonth);
        if let (Some(w), true) = (e.window, cost) {
            if !out.contains(&w) {
                out.push(w);
            }
        }
    }
    out
}

/// What every LP of a run shares, built once: the data plane's
/// configuration (routes, rules, what exists) as the design starts and after
/// each timeline event, and what expectations watch. Every LP applies the
/// timeline's events at the same virtual times and in the same order, so
/// the configuration after the k-th is the same in all of them: the first
/// LP to get there makes it, the others take it. Only what moves with the
/// packets (connection tracking, NAT mappings, queues, endpoints) is each
/// LP's own.
pub struct Shared {
    pub base: Arc<Config>,
    pub watch: Arc<Watch>,
    /// The timeline's events in the order LPs apply them (by time, then as
    /// listed), each with the configuration after it once made.
    versions: Vec<(u32, OnceLock<Arc<Config>>)>,
}

impl Shared {
    pub fn new(d: &Design) -> Shared {
        let mut order: Vec<u32> = (0..d.events.len() as u32).collect();
        order.sort_by_key(|&i| (d.events[i as usize].at, i));
        Shared {
            base: Arc::new(Config::new(d)),
            watch: Arc::new(Watch::new(d)),
            versions: order.into_iter().map(|i| (i, OnceLock::new())).collect(),
        }
    }
}

impl Watch {
    pub fn new(d: &Design) -> Watch {
        let mut w = Watch {
            by_traffic: vec![Vec::new(); d.traffic.len()],
            ..Watch::default()
        };
        for (i, e) in d.expects.iter().enumerate() {
            let bit = |c: Component, w: &mut Watch| -> u64 {
                let pos = match w.components.iter().position(|x| *x == c) {
                    Some(p) => p,
                    None => {
                        w.components.push(c);
                        w.components.len() - 1
                    }
                };
                if pos < 64 { 1u64 << pos } else { 0 }
            };
            let via = e.via.iter().fold(0, |m, c| m | bit(*c, &mut w));
            let not_via = e.not_via.iter().fold(0, |m, c| m | bit(*c, &mut w));
            w.masks.push((via, not_via));
            if let Some(t) = e.traffic {
                w.by_traffic[t.idx()].push(i as u32);
            }
            let bytes = e
                .bounds
                .iter()
                .any(|b| b.measure == crate::scenario::bound::Measure::Bytes);
            let mut slot = None;
            if let (Some(c), true) = (e.component, bytes) {
                let b = bit(c, &mut w);
                w.bytes_mask |= b;
                slot = match e.window {
                    _ if b == 0 => None,
                    None => Some(b.trailing_zeros() as usize),
                    Some((from, until)) => {
                        w.window_slots.push((b, from, until));
                        Some(63 + w.window_slots.len())
                    }
                };
            }
            w.bytes_slots.push(slot);
        }
        w.cost_windows = cost_windows(d);
        w
    }

    /// The slots of [`Metrics::watched_bytes`] a run needs.
    pub fn byte_slots(&self) -> usize {
        64 + self.window_slots.len()
    }

    fn bit_of(&self, c: Component) -> u64 {
        match self.components.iter().position(|x| *x == c) {
            Some(p) if p < 64 => 1 << p,
            _ => 0,
        }
    }
}

/// Something that watches packets as they move: pcap files, flow logs, the
/// cost meter. It is told what the data plane reports of a packet at each
/// boundary ([`Seen`]), only when at least one is attached: a plain run
/// pays nothing.
pub trait Recorder: Send {
    /// What the data plane reports of a packet, at virtual time `now`.
    fn seen(&mut self, now: Nanos, seen: &Seen<'_>);
    /// The LP has handled every event before `until` (the end of a window
    /// of a parallel run): a file shared by several LPs takes this LP's
    /// part of the window now.
    fn tick(&mut self, _until: Nanos) {}
    /// The run is over at `end`: close what is open.
    fn finish(&mut self, end: Nanos);
}

/// The engine's view of a packet's hops: the components it crosses, the
/// counters of gateways and endpoints, the recorders, and the packets
/// components make on their own.
///
/// It is made for every packet the engine moves, so it holds few
/// references, each one word: the counters it adds to are those of its
/// logical process's [`Metrics`] (`components`, `series`, `watched_bytes`
/// by watch bit and window slot, `window_components` for the windows of
/// cost bounds).
struct HopTrace<'a> {
    watch: &'a Watch,
    crossed: u64,
    hops: u64,
    metrics: &'a mut Metrics,
    recorders: &'a mut Vec<Box<dyn Recorder>>,
    emitted: &'a mut Vec<(Bytes, Loc)>,
    /// Fragments a link cut from the packet (MTU-3): they keep its tag.
    fragments: &'a mut Vec<(Bytes, Loc)>,
    now: Nanos,
    /// The packet's view at the hop that delivered it to a host: the
    /// endpoint reads it instead of parsing the packet again.
    delivered: Option<FlowView>,
}

fn counted(c: Component) -> bool {
    matches!(
        c,
        Component::Nat(_)
            | Component::Igw(_)
            | Component::Endpoint(_)
            | Component::Peering(_)
            | Component::Vgw(_)
            | Component::Tgw(_)
    )
}

impl Trace for HopTrace<'_> {
    #[inline]
    fn wants_packets(&self) -> bool {
        !self.recorders.is_empty()
    }

    fn seen(&mut self, seen: Seen<'_>) {
        for r in self.recorders.iter_mut() {
            r.seen(self.now, &seen);
        }
    }

    fn wants_emitted(&self) -> bool {
        true
    }

    fn emitted(&mut self, packet: Bytes, at: Loc) {
        self.emitted.push((packet, at));
    }

    fn fragment(&mut self, packet: Bytes, at: Loc) {
        self.fragments.push((packet, at));
    }

    /// Counts the hop; a component that is neither counted nor watched
    /// (an ENI, a route table, a NACL where no expectation names one)
    /// costs nothing more, and the hop is not even built.
    #[inline(always)]
    fn hop(&mut self, hop: Hop) {
        self.hops += 1;
        if hop.decision == crate::dataplane::Decision::Deliver {
            self.delivered = Some(hop.view);
        }
        if let Place::Component(c) = hop.place {
            if counted(c) || !self.watch.components.is_empty() {
                self.component(c, hop.decision, hop.view.total_len);
            }
        }
    }
}

impl HopTrace<'_> {
    /// A hop at component `c` that is counted or that expectations may
    /// watch.
    #[inline(never)]
    fn component(&mut self, c: Component, decision: crate::dataplane::Decision, total_len: u16) {
        // The component that drops a packet was reached too: `via` speaks
        // of the way up to where it was delivered or dropped.
        let bit = self.watch.bit_of(c);
        self.crossed |= bit;
        if decision == crate::dataplane::Decision::Drop {
            return;
        }
        let len = u64::from(total_len);
        let place = Place::Component(c);
        let m = &mut *self.metrics;
        if counted(c) {
            let e = m.components.entry(place).or_default();
            e.packets += 1;
            e.bytes += len;
            m.series.gateway(place, self.now, len);
            // The windows of cost bounds: indexed counters, made the first
            // time a component counts in one.
            for (k, &(a, b)) in self.watch.cost_windows.iter().enumerate() {
                if a <= self.now && self.now <= b {
                    if let Some(w) = m.window_components.get_mut(k) {
                        let e = w.entry(place).or_default();
                        e.packets += 1;
                        e.bytes += len;
                    }
                }
            }
        }
        if bit & self.watch.bytes_mask != 0 {
            m.watched_bytes[bit.trailing_zeros() as usize] += len;
            for (k, &(b, from, until)) in self.watch.window_slots.iter().enumerate() {
                if b == bit && from <= self.now && self.now <= until {
                    m.watched_bytes[64 + k] += len;
                }
            }
        }
    }
}

/// Which LPs a [`Sim`] runs: every LP of the design in one (tests and
/// tools), or one LP of a parallel run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lps {
    All,
    One(u32),
}

impl Lps {
    /// Whether LP `lp` is one of these.
    #[inline]
    pub fn has(self, lp: u32) -> bool {
        match self {
            Lps::All => true,
            Lps::One(x) => x == lp,
        }
    }
}

/// Options of a run.
#[derive(Clone, Debug, Default)]
pub struct RunOptions {
    pub seed: Option<u64>,
    /// Worker threads; 0 or 1 runs every LP on the calling thread.
    pub threads: usize,
    /// The interval of the time series (`series::default_interval` of the
    /// duration when none).
    pub interval: Option<Nanos>,
}

pub struct Sim {
    pub net: Network,
    pub design: Arc<Design>,
    pub q: Queue<Kind>,
    pub metrics: Metrics,
    pub watch: Arc<Watch>,
    /// What the run's LPs share, and how many of its timeline versions
    /// this LP has applied (`usize::MAX` once it went its own way).
    shared: Arc<Shared>,
    applied: usize,
    pub(crate) t: traffic::Endpoints,
    /// The backlog of the sending hosts' own interfaces, as the endpoints
    /// charge it (TCP Small Queues).
    nics: traffic::Nics,
    /// What the endpoints asked for, carried out in order (`endpoints.rs`).
    actions: Vec<traffic::Action>,
    /// The packets they sent, put into the data plane after the rest.
    sends: Vec<traffic::Sent>,
    /// Buffers of packets that ended in this LP, for the endpoints to
    /// build their next packets in (at most [`SPARE_BUFFERS`], each of at
    /// most [`SPARE_BYTES`]).
    spare: Vec<BytesMut>,
    /// Packets components made during the current event.
    emitted: Vec<(Bytes, Loc)>,
    /// Fragments links cut from the current event's packet.
    fragments: Vec<(Bytes, Loc)>,
    /// Capacity per server (`dataplane::ServerId`, by its index): a NAT
    /// gateway's, an interface endpoint's, an ENI's, a VPN tunnel's, a
    /// transit gateway peering's; made when a packet first reaches it in
    /// this LP.
    servers: Vec<Option<Server>>,
    /// Jitter and loss of the design's links (LAT-2, LAT-3).
    links: links::Links,
    pub seed: u64,
    /// Attached recorders (pcap, flow logs); empty for a plain run.
    pub recorders: Vec<Box<dyn Recorder>>,
    /// The LPs this runs, and the split they belong to.
    pub lps: Lps,
    pub part: Arc<partition::Partition>,
    /// Events for other LPs: (LP, time, event), in the order produced.
    pub outbox: Vec<(u32, Nanos, Kind)>,
    /// The last event the event being handled scheduled, held back from
    /// the queue: when nothing queued runs before it, it runs at once
    /// ([`Sim::run_held`]), as the queue would have run it next. Its kind
    /// waits in the queue's slots, so that holding it back and queueing
    /// it move no more than its time and slot.
    held: Option<(Nanos, queue::Stored)>,
    /// Wall time spent running the windows of this LP that were timed, and
    /// the events it handled in them: what its events cost, for the
    /// planner of a parallel run to deal LPs by. No result depends on it.
    pub worked: (std::time::Duration, u64),
}

impl Sim {
    /// A whole design as one LP set, for tests and tools: see [`run`].
    pub fn new(design: Arc<Design>, opts: &RunOptions) -> Sim {
        let part = Arc::new(partition::Partition::new(&design));
        let shared = Arc::new(Shared::new(&design));
        Sim::new_lp(design, opts, part, shared, Lps::All)
    }

    /// The LPs `lps` of `part` as one simulation.
    pub fn new_lp(
        design: Arc<Design>,
        opts: &RunOptions,
        part: Arc<partition::Partition>,
        shared: Arc<Shared>,
        lps: Lps,
    ) -> Sim {
        let seed = opts.seed.unwrap_or(design.seed);
        let net = Network::with_config(Arc::clone(&design), Arc::clone(&shared.base));
        let mut metrics = Metrics {
            traffic: metrics::PerTraffic::new(design.traffic.len()),
            expects: vec![ExpectState::default(); design.expects.len()],
            watched_bytes: vec![0; shared.watch.byte_slots()],
            window_components: vec![Default::default(); shared.watch.cost_windows.len()],
            ..Metrics::default()
        };
        metrics.end = design.duration;
        metrics.series = series::Series::new(
            design.duration,
            opts.interval
                .unwrap_or_else(|| series::default_interval(design.duration)),
            design.traffic.len(),
            design.nats.len(),
        );
        for n in 0..design.nats.len() {
            if lps.has(part.of_nat(NatId::from_idx(n))) {
                metrics.series.own_nat(n);
            }
        }
        let mut sim = Sim {
            t: traffic::Endpoints::new(&design, seed),
            nics: traffic::Nics::new(&design),
            actions: Vec::new(),
            sends: Vec::new(),
            spare: Vec::new(),
            emitted: Vec::new(),
            fragments: Vec::new(),
            watch: Arc::clone(&shared.watch),
            shared,
            applied: 0,
            net,
            q: Queue::new(),
            metrics,
            servers: Default::default(),
            links: links::Links::new(&design, seed),
            seed,
            recorders: Vec::new(),
            lps,
            part,
            outbox: Vec::new(),
            held: None,
            worked: (std::time::Duration::ZERO, 0),
            design,
        };
        for (i, t) in sim.design.traffic.iter().enumerate() {
            if sim.owns_source(t.from) {
                let _ = sim.q.push(
                    t.start,
                    Kind::Endpoint(Timer::Arrival { traffic: i as u32 }),
                );
            }
        }
        for (i, e) in sim.design.events.iter().enumerate() {
            let _ = sim.q.push(e.at, Kind::Timeline { idx: i as u32 });
        }
        // The NAT gateways' peaks over the windows of expectations.
        for (i, e) in sim.design.expects.iter().enumerate() {
            use crate::scenario::bound::Measure;
            let peaks = e
                .bounds
                .iter()
                .any(|b| matches!(b.measure, Measure::NatPorts | Measure::NatConnections));
            if let (Some(Component::Nat(n)), Some((a, b)), true) = (e.component, e.window, peaks) {
                if let Some(t) = sim.net.st.nats.get_mut(n.idx()) {
                    t.watch_window(i as u32, a, b);
                }
            }
        }
        let _ = sim.q.push(SWEEP_EVERY, Kind::Sweep);
        sim
    }

    pub fn now(&self) -> Nanos {
        self.q.now()
    }

    /// The LP this runs (the first, 0, when it runs every LP).
    pub fn lp(&self) -> u32 {
        match self.lps {
            Lps::All => 0,
            Lps::One(lp) => lp,
        }
    }

    fn owns_source(&self, s: Source) -> bool {
        self.lps.has(self.part.of_source(&self.design, s))
    }

    /// Whether this LP owns the item of `tag` (its traffic's source).
    pub(crate) fn owns_item(&self, tag: Tag) -> bool {
        self.owns_source(self.design.traffic[tag.traffic as usize].from)
    }

    /// Schedules an event in another LP (or here, when this runs it).
    pub(crate) fn post(&mut self, lp: u32, at: Nanos, kind: Kind) {
        if self.lps.has(lp) {
            self.at(at, kind);
        } else {
            self.outbox.push((lp, at, kind));
        }
    }

    /// The LP that owns a traffic's items.
    pub(crate) fn owner_of(&self, tag: Tag) -> u32 {
        self.part
            .of_source(&self.design, self.design.traffic[tag.traffic as usize].from)
    }

    /// Handles every event before `until` (and not after the end).
    pub fn run_until(&mut self, until: Nanos) {
        self.run_events(until, |_, _| {});
        for r in &mut self.recorders {
            r.tick(until);
        }
    }

    /// Handles every event before `until` and not after the end, calling
    /// `progress` after every 65,536th.
    fn run_events(&mut self, until: Nanos, mut progress: impl FnMut(Nanos, u64)) {
        let end = self.design.duration;
        self.release_held();
        while let Some(stored) = self.q.pop_due_stored(until, end) {
            let kind = self.q.take(stored);
            let before = self.metrics.events;
            self.metrics.events += 1;
            self.handle(kind);
            self.run_held(until, end);
            if before >> 16 != self.metrics.events >> 16 {
                progress(self.q.now(), self.metrics.events);
            }
        }
    }

    /// Runs the event held back while it is the next one due before
    /// `until` (and not after `end`): the queue would run it next, with
    /// nothing between, so it runs now, as an event of its own (counted
    /// and sequenced as one). Otherwise it is queued.
    #[inline]
    fn run_held(&mut self, until: Nanos, end: Nanos) {
        while let Some((at, stored)) = self.held.take() {
            if at < until && at <= end && self.q.run_next_at(at) {
                self.metrics.events += 1;
                let kind = self.q.take(stored);
                self.handle(kind);
            } else {
                let _ = self.q.push_stored(at, stored);
            }
        }
    }

    /// Keeps the buffer of a packet that ended here (delivered or
    /// dropped) for the endpoints' next packets; one that went on is
    /// empty, and one too large to be worth keeping is freed.
    #[inline]
    fn recycle(&mut self, buf: BytesMut) {
        let cap = buf.capacity();
        if cap != 0 && cap <= SPARE_BYTES && self.spare.len() < SPARE_BUFFERS {
            self.spare.push(buf);
        }
    }

    /// Queues the event held back, if any.
    #[inline]
    fn release_held(&mut self) {
        if let Some((at, stored)) = self.held.take() {
            let _ = self.q.push_stored(at, stored);
        }
    }

    /// Schedules an event; the engine never schedules in the past. The
    /// latest is held back until the event being handled ends (or another
    /// is scheduled), so that it can run at once if it is the next.
    pub(crate) fn at(&mut self, at: Nanos, kind: Kind) {
        let at = at.max(self.q.now());
        let stored = self.q.store(kind);
        if let Some((t, s)) = self.held.replace((at, stored)) {
            let _ = self.q.push_stored(t, s);
        }
    }

    /// Schedules an event from outside the handling of events (messages
    /// from other LPs between windows).
    pub(crate) fn schedule(&mut self, at: Nanos, kind: Kind) {
        self.release_held();
        let at = at.max(self.q.now());
        let _ = self.q.push(at, kind);
    }

    /// Runs until the end of the scenario; `progress` is called now and then
    /// with the virtual time reached.
    pub fn run(&mut self, progress: impl FnMut(Nanos, u64)) {
        self.run_events(Nanos(u64::MAX), progress);
        self.finish();
    }

    /// Handles one event. Inlined where the loop takes it (from the queue
    /// or held back): a call and its frame for every event cost more
    /// than the dispatch it repeats (the packet step and the rare events
    /// stay out of line).
    #[inline(always)]
    fn handle(&mut self, kind: Kind) {
        let now = self.q.now();
        if self.metrics.series.due(now) {
            let b = self.metrics.series.bucket(now);
            self.sample_nat(b);
        }
        match kind {
            Kind::Packet {
                mut buf,
                loc,
                tag,
                crossed,
                admitted,
            } => {
                self.packet(&mut buf, loc, tag, crossed, admitted);
                self.recycle(buf);
            }
            Kind::Endpoint(timer) => self.on_timer(timer),
            Kind::Timeline { idx } => self.timeline(idx),
            Kind::Sweep => self.sweep(),
            Kind::ItemDropped { tag, reason, place } => {
                self.endpoint_item_dropped(tag, reason, place)
            }
            Kind::ItemDelivered { tag, at, bytes } => self.endpoint_item_delivered(tag, at, bytes),
        }
    }

    /// A change of the timeline is due: every LP applies it at the same
    /// virtual time. Cold: a handful per run, kept out of the event loop's
    /// code so that the loop stays small in the instruction cache.
    #[cold]
    #[inline(never)]
    fn timeline(&mut self, idx: u32) {
        // A deleted NAT gateway forgets its mappings: the windows
        // that started before see its table first.
        let now = self.now();
        for t in &mut self.net.st.nats {
            t.open_windows(now);
        }
        let design = Arc::clone(&self.design);
        let shared = Arc::clone(&self.shared);
        let action = &design.events[idx as usize].action;
        match shared.versions.get(self.applied) {
            Some((i, slot)) if *i == idx => {
                let next = slot.get_or_init(|| Arc::new(self.net.st.cfg.after(&design, action)));
                self.net.apply_config(Arc::clone(next), action);
                self.applied += 1;
            }
            _ => {
                // Not in the order every LP shares: this LP keeps
                // its own versions from now on.
                self.net.apply(action);
                self.applied = usize::MAX;
            }
        }
    }

    /// Idle connection-tracking entries and NAT mappings go; the next
    /// sweep is scheduled.
    #[cold]
    #[inline(never)]
    fn sweep(&mut self) {
        let now = self.now();
        self.net.sweep(now);
        self.at(now.saturating_add(SWEEP_EVERY), Kind::Sweep);
    }

    /// Moves a packet through the data plane until it meets a delay or a
    /// component with a capacity. Capacity is taken when the packet arrives
    /// there, in event order, so servers see packets first come first
    /// served: one it reaches without a delay, in this LP, takes it in this
    /// event (a host's packet at its own interface); the packet goes on
    /// from there in an event at the time it leaves.
    ///
    /// Inlined: a packet that first waits at a server (a host's at its own
    /// interface) goes there without entering the steps' large function.
    #[inline]
    pub(super) fn packet(
        &mut self,
        buf: &mut BytesMut,
        loc: Loc,
        tag: Option<Tag>,
        crossed: u64,
        admitted: bool,
    ) {
        if !admitted {
            if let Some(at) = dataplane::capacity_at(&self.design, loc) {
                self.wait_at_server(at, buf, loc, tag, crossed);
                return;
            }
        }
        self.steps(buf, loc, tag, crossed);
    }

    /// [`Sim::packet`]'s steps, from `loc`, which has no capacity to wait
    /// for or whose capacity the packet has taken.
    fn steps(&mut self, buf: &mut BytesMut, mut loc: Loc, tag: Option<Tag>, crossed: u64) {
        let now = self.now();
        let mut tr = HopTrace {
            watch: &self.watch,
            crossed,
            hops: 0,
            metrics: &mut self.metrics,
            recorders: &mut self.recorders,
            emitted: &mut self.emitted,
            fragments: &mut self.fragments,
            now,
            delivered: None,
        };
        // BW-4: an instance sending out of the Region takes its internet
        // share as it leaves, after its interface's own server.
        let mut shaped = None;
        // A capacity server the packet reaches with no delay, in this LP:
        // it takes the packet now, in this event.
        let mut server = None;
        let end = loop {
            match self.net.step(buf, loc, now, &mut tr) {
                Step::Next { loc: next, delay } => {
                    shaped = dataplane::internet_shaped(&self.design, loc, next);
                    if shaped.is_none()
                        && delay == Delay::ZERO
                        && match self.lps {
                            Lps::All => true,
                            Lps::One(lp) => self
                                .part
                                .of_loc(&self.design, next, buf)
                                .is_none_or(|at| at == lp),
                        }
                    {
                        match dataplane::capacity_at(&self.design, next) {
                            None => {
                                loc = next;
                                continue;
                            }
                            Some(at) => server = Some(at),
                        }
                    }
                    break Step::Next { loc: next, delay };
                }
                other => break other,
            }
        };
        let (crossed, delivered) = (tr.crossed, tr.delivered);
        self.metrics.packet_hops += tr.hops;
        self.drain_emitted();
        if !self.fragments.is_empty() {
            self.drain_fragments(buf, tag, crossed);
        }
        match (end, server) {
            (Step::Next { loc: next, .. }, Some(at)) => {
                self.wait_at_server(at, buf, next, tag, crossed);
            }
            (Step::Next { loc: next, delay }, None) => {
                // The time the packet enters the link: after its wait at
                // the internet share, if it takes one (BW-4).
                let mut now = now;
                if let Some(eni) = shaped {
                    match self.serve(ServerId::Internet(eni), now, buf.len() as u64) {
                        Err(place) => {
                            self.packet_dropped(tag, crossed, DropReason::QueueOverflow, place);
                            return;
                        }
                        Ok(wait) => now = now.saturating_add(wait),
                    }
                }
                let Some(delay) = self.links.cross(delay.link, delay.min, buf, now) else {
                    let place = self.design.links[delay.link.idx()]
                        .onprem
                        .map_or(Place::Internet, Place::Onprem);
                    self.packet_dropped(tag, crossed, DropReason::LinkLoss, place);
                    return;
                };
                let to = match self.lps {
                    Lps::One(here) => self
                        .part
                        .of_loc(&self.design, next, buf)
                        .filter(|lp| *lp != here),
                    Lps::All => None,
                };
                let buf = std::mem::take(buf);
                let kind = Kind::Packet {
                    buf,
                    loc: next,
                    tag,
                    crossed,
                    admitted: false,
                };
                let at = now.saturating_add(delay);
                match to {
                    Some(lp) => self.outbox.push((lp, at, kind)),
                    None => self.at(at, kind),
                }
            }
            (Step::Deliver(h), _) => {
                self.packet_end(tag, crossed);
                match delivered {
                    Some(v) => {
                        // The view is the packet's, as parsing it reads it
                        // (a later fragment's ports aside: the data plane
                        // filled them in from its first fragment).
                        debug_assert!(crate::packet::parse(buf).is_ok_and(|w| {
                            w == v
                                || (v.fragment != crate::packet::Fragment::None
                                    && w.fragment == v.fragment)
                        }));
                        self.deliver_view(h, buf, v, tag)
                    }
                    None => self.deliver(h, buf, tag),
                }
            }
            (Step::Drop(d), _) => {
                self.packet_dropped(tag, crossed, d.reason, d.place);
            }
        }
    }

    /// The packet reaches capacity server `at` of `loc` now: it goes on
    /// from `loc` when the server lets it go, or is dropped if the server's
    /// queue is full (`queue_overflow`).
    fn wait_at_server(
        &mut self,
        at: ServerId,
        buf: &mut BytesMut,
        loc: Loc,
        tag: Option<Tag>,
        crossed: u64,
    ) {
        let now = self.now();
        match self.serve(at, now, buf.len() as u64) {
            Err(place) => {
                self.packet_dropped(tag, crossed, DropReason::QueueOverflow, place);
            }
            Ok(wait) => {
                let buf = std::mem::take(buf);
                self.at(
                    now.saturating_add(wait),
                    Kind::Packet {
                        buf,
                        loc,
                        tag,
                        crossed,
                        admitted: true,
                    },
                );
            }
        }
    }

    /// Takes capacity server `at` for a packet of `bytes` arriving at
    /// `now`: the wait until it leaves, or the place it is dropped at
    /// (`queue_overflow`). The server is made on the first packet.
    fn serve(&mut self, at: ServerId, now: Nanos, bytes: u64) -> Result<Nanos, Place> {
        let i = at.index(&self.design);
        if self.servers.get(i).is_none_or(Option::is_none) {
            self.new_server(at, i);
        }
        let Some(server) = self.servers[i].as_mut() else {
            unreachable!("made just above")
        };
        let ahead = server.ahead(now, bytes);
        self.metrics.series.queue(i as u32, now, ahead);
        match server.admit(now, bytes) {
            Some(wait) => Ok(wait),
            None => Err(overflow_place(&self.design, at)),
        }
    }

    /// Makes capacity server `at` (index `i`) on its first packet.
    #[cold]
    #[inline(never)]
    fn new_server(&mut self, at: ServerId, i: usize) {
        if i >= self.servers.len() {
            self.servers.resize_with(i + 1, || None);
        }
        self.servers[i] = Some(Server::new(at.capacity(&self.design)));
    }

    /// Sends on the fragments a link cut from this event's packet, as part
    /// of its item, and cuts the packet to its first fragment (MTU-3).
    #[cold]
    #[inline(never)]
    fn drain_fragments(&mut self, buf: &mut BytesMut, tag: Option<Tag>, crossed: u64) {
        if buf.len() >= 4 {
            let total = usize::from(u16::from_be_bytes([buf[2], buf[3]]));
            buf.truncate(total);
        }
        let now = self.now();
        let fragments = std::mem::take(&mut self.fragments);
        for (b, loc) in fragments {
            let buf = BytesMut::from(b);
            self.at(
                now,
                Kind::Packet {
                    buf,
                    loc,
                    tag,
                    crossed,
                    admitted: false,
                },
            );
        }
    }

    /// Sends the packets components made during this event, from where
    /// they start.
    #[inline]
    fn drain_emitted(&mut self) {
        if !self.emitted.is_empty() {
            self.send_emitted();
        }
    }

    /// [`Sim::drain_emitted`] when a component made a packet (an ICMP
    /// error, a reset): the exception, kept out of the hot loop's code.
    #[cold]
    #[inline(never)]
    fn send_emitted(&mut self) {
        let now = self.now();
        let emitted = std::mem::take(&mut self.emitted);
        for (b, loc) in emitted {
            let buf = BytesMut::from(b);
            let to = match self.lps {
                Lps::One(here) => self
                    .part
                    .of_loc(&self.design, loc, &buf)
                    .filter(|lp| *lp != here),
                Lps::All => None,
            };
            let kind = Kind::Packet {
                buf,
                loc,
                tag: None,
                crossed: 0,
                admitted: false,
            };
            match to {
                None => self.at(now, kind),
                // A packet that starts in another part of the run (an ICMP
                // error back over a peering, MTU-4) gets there one
                // lookahead later, as any message between parts does.
                Some(lp) => self
                    .outbox
                    .push((lp, now.saturating_add(self.part.lookahead), kind)),
            }
        }
    }

    /// A packet ends in a drop: its path is checked against `via` and
    /// `not_via`, and the drop counted. Cold, as every exception of the
    /// packet's path is: out of the hot loop's code.
    #[cold]
    #[inline(never)]
    fn packet_dropped(&mut self, tag: Option<Tag>, crossed: u64, reason: DropReason, place: Place) {
        self.packet_end(tag, crossed);
        self.record_drop(tag, reason, place);
    }

    /// A packet towards `to` reached its end: check `via` and `not_via`.
    /// Inlined as far as the test whether any expectation watches its
    /// traffic: most packets have none to check.
    #[inline(always)]
    fn packet_end(&mut self, tag: Option<Tag>, crossed: u64) {
        let Some(tag) = tag.filter(|t| t.toward) else {
            return;
        };
        if !self.watch.by_traffic[tag.traffic as usize].is_empty() {
            self.packet_watched(tag, crossed);
        }
    }

    /// [`Sim::packet_end`] for a packet whose traffic expectations watch.
    #[inline(never)]
    fn packet_watched(&mut self, tag: Tag, crossed: u64) {
        let (traffic, start) = (tag.traffic, tag.start);
        for &e in &self.watch.by_traffic[traffic as usize] {
            let ex = &self.design.expects[e as usize];
            if !in_window(ex, start) {
                continue;
            }
            let (via, not_via) = self.watch.masks[e as usize];
            if via == 0 && not_via == 0 {
                continue;
            }
            let st = &mut self.metrics.expects[e as usize];
            st.path_packets += 1;
            if crossed & via != via {
                st.via_missed += 1;
            }
            if crossed & not_via != 0 {
                st.not_via_crossed += 1;
            }
        }
    }

    /// Counts a drop, for the run, its traffic and its expectations.
    #[cold]
    #[inline(never)]
    pub(crate) fn record_drop(&mut self, tag: Option<Tag>, reason: DropReason, place: Place) {
        *self.metrics.drops.entry((reason, place)).or_default() += 1;
        let now = self.now();
        self.metrics.series.drop(reason, place, now);
        let Some(tag) = tag else {
            return;
        };
        let (traffic, start) = (tag.traffic, tag.start);
        *self.metrics.traffic[traffic as usize]
            .drops
            .entry((reason, place))
            .or_default() += 1;
        for &e in &self.watch.by_traffic[traffic as usize] {
            let ex = &self.design.expects[e as usize];
            if !in_window(ex, start) {
                continue;
            }
            let st = &mut self.metrics.expects[e as usize];
            st.drops += 1;
            *st.drops_seen.entry((reason, place)).or_default() += 1;
            let reason_ok = ex.drop_reason.is_none_or(|r| r == reason);
            let place_ok = ex.drop_at.is_none_or(|at| drop_at_place(at, place));
            if !(reason_ok && place_ok) {
                st.drop_mismatch += 1;
            }
        }
        if self.owns_item(tag) {
            self.endpoint_item_dropped(tag, reason, place);
        } else {
            // The owner hears of it one lookahead later (it matters only for
            // the item's failure cause, decided at its deadline).
            let lp = self.owner_of(tag);
            let at = self.now().saturating_add(self.part.lookahead);
            self.post(lp, at, Kind::ItemDropped { tag, reason, place });
        }
    }

    /// Reads the NAT gateways this LP owns into the time series, as the
    /// buckets before `upto` end.
    #[cold]
    #[inline(never)]
    fn sample_nat(&mut self, upto: usize) {
        let nats = &self.net.st.nats;
        self.metrics.series.sample_nat(upto, |n| {
            nats.get(n).map_or((0, 0), |t| (t.len() as u64, t.created))
        });
    }

    pub fn finish(&mut self) {
        self.finish_at(self.design.duration);
    }

    /// Ends the run at `end`: the design's end, or earlier when the run
    /// was cut short.
    pub fn finish_at(&mut self, end: Nanos) {
        self.metrics.end = end;
        // Windows that started with no change since: the table as it is.
        for t in &mut self.net.st.nats {
            t.open_windows(end);
        }
        self.finish_endpoints();
        self.sample_nat(usize::MAX);
        for r in &mut self.recorders {
            r.finish(end);
        }
    }
}

/// Where a packet a full server turned away is dropped: the exception,
/// kept out of [`Sim::serve`]'s code.
#[cold]
#[inline(never)]
fn overflow_place(d: &Design, at: ServerId) -> Place {
    at.place(d)
}

/// Whether an expectation's `drop_at` names the place a packet was dropped.
fn drop_at_place(at: DropAt, place: Place) -> bool {
    match (at, place) {
        (DropAt::Internet, Place::Internet) => true,
        (DropAt::Component(Component::OnpremNet(n)), Place::Onprem(m)) => n == m,
        (DropAt::Component(c), Place::Component(p)) => c == p,
        _ => false,
    }
}

pub(crate) fn in_window(e: &Expect, start: Nanos) -> bool {
    e.window.is_none_or(|(a, b)| a <= start && start <= b)
}

/// Runs a design to its end, over its LPs, and returns what it measured.
pub fn run(design: Arc<Design>, opts: &RunOptions) -> parallel::Outcome {
    parallel::run(design, opts, &|_| Vec::new(), &mut |_, _| true)
}
