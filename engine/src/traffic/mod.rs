//! Traffic: clients and servers that speak real protocols in virtual time.
//!
//! Each `[[traffic]]` generates items at its arrival times: a request (a TCP
//! connection that sends `request` bytes, receives `response` bytes and
//! closes), a ping, a UDP datagram, or one bulk transfer. Hosts answer as the
//! format says: TCP only on listening ports (a closed port answers RST), UDP
//! listeners receive without answering, every host answers ICMP echo. An
//! item is delivered, failed (with the cause: the last drop of its packets,
//! a reset, a timeout, a throttled function), or unfinished at the end.
//!
//! Endpoints are a state machine, as quinn-proto's connection is: every
//! entry point takes the design, the virtual time and an [`Io`], and answers
//! with [`Action`]s (send this packet, call back at this time, count this
//! outcome). Nothing here reads a clock, schedules an event or touches a
//! metric: the engine's glue (`sim/endpoints.rs`) carries the actions out.

mod deliver;
mod lookup;
mod nic;
mod outcome;
mod pings;
pub mod rng;
pub mod tcp;

pub use lookup::{QUERY_ID_STEP, client_choice};
pub use nic::Nics;
use nic::{flow_limit_ns, flow_limited, flow_ns, tsq_limit_at, tsq_limit_ns};

use std::net::{Ipv4Addr, SocketAddrV4};

use bytes::{Bytes, BytesMut};

use crate::dataplane::{Host, Place, resolve};
use crate::hashing::{FastMap, FastSet};
use crate::model::*;
use crate::packet;
use crate::scenario::raw::{Arrivals, Pattern};
use crate::sparse::Sparse;
use crate::units::Nanos;
use rng::Rng;
use tcp::Tcp;

/// Ephemeral ports: Linux's kernel default (`net.ipv4.ip_local_port_range`,
/// 32768-60999; AWS's NACL advice of 32768-61000 covers it, NACL-7), and
/// Lambda's (LAM-5).
pub const LINUX_PORTS: (u16, u16) = (32768, 60999);
pub const LAMBDA_PORTS: (u16, u16) = (1024, 65535);

/// How long a connection stays in TIME-WAIT: Linux's `TCP_TIMEWAIT_LEN`,
/// 60 s.
pub const TIME_WAIT: Nanos = Nanos::from_secs(60);
/// Connections held in TIME-WAIT at most per part of the run; Linux sizes
/// `tcp_max_tw_buckets` from memory (262,144 on a host of a few GiB).
pub const MAX_TIME_WAIT: usize = 262_144;

/// Who a packet belongs to: an item (request, ping, datagram, transfer) of a
/// traffic, and whether it travels from `from` towards `to`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tag {
    pub item: u32,
    pub epoch: u32,
    pub toward: bool,
    /// The item's traffic and start, so that any LP can attribute the
    /// packet to expectation windows without asking the item's owner.
    pub traffic: u32,
    pub start: Nanos,
}

/// Why an item (request, ping, datagram, transfer) failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Cause {
    /// A packet of the item was dropped; the last drop names the cause.
    Drop(DropReason),
    /// No answer in time and no drop seen.
    Timeout,
    /// The connection was reset by its peer.
    Reset,
    /// A Lambda function at its concurrency limit (LAM-9).
    Throttled,
    /// A Lambda invocation still running at the function timeout (LAM-10).
    FunctionTimeout,
    /// The client host has no ephemeral port free towards the destination
    /// (Linux's 32768-60999, Lambda's 1024-65535): the connection never
    /// leaves the host.
    HostPortExhausted,
    /// The Amazon DNS resolver answered that the name the traffic gives
    /// does not exist (NXDOMAIN, DNS-5).
    Nxdomain,
}

impl Cause {
    pub fn name(self) -> &'static str {
        match self {
            Cause::Drop(r) => r.name(),
            Cause::Timeout => "timeout",
            Cause::Reset => "reset",
            Cause::Throttled => "throttled",
            Cause::FunctionTimeout => "function_timeout",
            Cause::HostPortExhausted => "host_port_exhausted",
            Cause::Nxdomain => "nxdomain",
        }
    }
}

/// When an endpoint wants to be called back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Timer {
    /// The next arrival of a traffic's items.
    Arrival { traffic: u32 },
    /// A connection's retransmission or close timer.
    Conn { conn: u32, epoch: u32 },
    /// The deadlines of a traffic's items.
    Deadlines { traffic: u32 },
    /// A held connection closes: the one of slot `conn` whose
    /// [`Conn::serial`] is `serial`.
    Close { conn: u32, serial: u32 },
    /// The sending interface `eni` has drained enough for the first of the
    /// connections TCP Small Queues stopped on it to send again.
    Drained { eni: u32 },
    /// A Lambda execution environment finished its Init phase: the item's
    /// invocation runs (LAM-7).
    Invoke { item: u32, epoch: u32 },
    /// A Lambda invocation reaches the function timeout (LAM-10).
    FunctionTimeout { item: u32, epoch: u32 },
    /// A DNS lookup's attempt `attempt` went unanswered for the stub
    /// resolver's timeout (DNS-5).
    Lookup { item: u32, epoch: u32, attempt: u8 },
}

/// A number an endpoint reports for its traffic's metrics.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Count {
    Retransmissions(u64),
    BytesDelivered(u64),
    CorruptBytes(u64),
    /// Connection set-up time (SYN to SYN-ACK).
    Setup(Nanos),
    /// A Lambda invocation got an execution environment: a new one (a cold
    /// start, LAM-7) or an idle one (LAM-8).
    Invocation {
        cold: bool,
    },
}

/// A packet host `from` sends, now: of an item, or of none (a host's
/// answer to a packet that belongs to no item). The engine puts what the
/// endpoints sent into the data plane after their other [`Action`]s.
#[derive(Clone, Debug)]
pub struct Sent {
    pub packet: BytesMut,
    pub from: Host,
    pub tag: Option<Tag>,
}

/// What endpoints ask the engine to do, other than send ([`Sent`]).
#[derive(Clone, Debug)]
pub enum Action {
    /// Call [`Endpoints::on_timer`] back at `at`.
    Timer { at: Nanos, timer: Timer },
    /// An item of `traffic` started now.
    Started { traffic: u32 },
    /// An item was decided at `at`: delivered, or failed with a cause and
    /// the place of its last drop.
    Decided {
        traffic: u32,
        start: Nanos,
        at: Nanos,
        failed: Option<(Cause, Option<Place>)>,
    },
    /// A number for a traffic's metrics.
    Count { traffic: u32, count: Count },
    /// A host refused a packet of `tag` (a closed port): a drop charged to
    /// the host, for the run's and the item's counts.
    Refused {
        tag: Option<Tag>,
        reason: DropReason,
        place: Place,
    },
    /// A datagram of `tag` reached a listener: its item is delivered, by
    /// whichever part of the run owns it ([`Endpoints::item_delivered`]).
    DatagramArrived { tag: Tag, bytes: u64 },
    /// An item of `traffic` that started at `start` is undecided at the end.
    Unfinished { traffic: u32, start: Nanos },
}

/// What an entry point works with: the design, the virtual time, and where
/// its actions go.
pub struct Io<'a> {
    pub d: &'a Design,
    /// The data plane's state: which ENIs exist now (the resolver's
    /// answers depend on it, DNS-5).
    pub net: &'a crate::dataplane::Network,
    pub now: Nanos,
    pub out: &'a mut Vec<Action>,
    /// The packets sent, in order.
    pub sends: &'a mut Vec<Sent>,
    /// The sending hosts' own interfaces (TCP Small Queues reads them).
    pub nics: &'a mut Nics,
    /// Buffers of packets the engine is done with (delivered or
    /// dropped), for the packets built next: a host's packet takes no
    /// allocation of its own once the run has some.
    pub spare: &'a mut Vec<BytesMut>,
}

impl Io<'_> {
    /// A buffer for a packet to be built in: a spare one, or a new one.
    #[inline]
    fn buffer(&mut self) -> BytesMut {
        self.spare.pop().unwrap_or_default()
    }

    fn send(&mut self, packet: impl Into<BytesMut>, from: Host, tag: impl Into<Option<Tag>>) {
        self.send_flow(packet, from, tag, false);
    }

    /// Sends a packet of a flow that leaves the Region through the
    /// sender's internet share (BW-4) when `out_of_region`.
    fn send_flow(
        &mut self,
        packet: impl Into<BytesMut>,
        from: Host,
        tag: impl Into<Option<Tag>>,
        out_of_region: bool,
    ) {
        // A packet an endpoint just built is its buffer's only handle: it
        // becomes the interface's without a copy.
        let packet = packet.into();
        let tag = tag.into();
        let bytes = packet.len() as u64;
        self.nics
            .charge(self.d, from, self.now, bytes, out_of_region);
        self.sends.push(Sent { packet, from, tag });
    }

    /// Whether what `host` sends to `dst` takes its internet share (BW-4):
    /// an instance whose type's internet bandwidth binds, routed out of
    /// the Region. Asked once per flow.
    fn out_of_region(&self, host: Host, dst: Ipv4Addr) -> bool {
        sending_eni(self.d, host).is_some_and(|eni| {
            crate::dataplane::internet_capacity(self.d, eni).is_some()
                && self.net.sends_out_of_region(eni, dst)
        })
    }

    fn timer(&mut self, at: Nanos, timer: Timer) {
        self.out.push(Action::Timer { at, timer });
    }

    fn count(&mut self, traffic: u32, count: Count) {
        self.out.push(Action::Count { traffic, count });
    }
}

/// The ENI a host's packets leave by, whose capacity (`sim::capacity`)
/// serves them first: an instance's, a Lambda function's or an interface
/// endpoint's; none for hosts outside the VPCs.
pub use crate::dataplane::host_eni as sending_eni;

#[derive(Clone, Debug)]
struct Item {
    epoch: u32,
    traffic: u32,
    start: Nanos,
    live: bool,
    last_drop: Option<(DropReason, Place)>,
    /// Its TCP connection, once it has one.
    conn: Option<u32>,
    /// The function whose concurrency this item holds.
    lambda: Option<LambdaId>,
    /// The invocation reached its function timeout (LAM-10).
    timed_out: bool,
    ping_key: Option<u128>,
    /// The DNS lookup the item waits for (DNS-5).
    lookup: Option<lookup::Lookup>,
}

impl Item {
    /// Why an item that got no answer failed: the last drop of its
    /// packets, else a timeout.
    fn unanswered(&self) -> Cause {
        self.last_drop
            .map_or(Cause::Timeout, |(r, _)| Cause::Drop(r))
    }
}

#[derive(Clone, Debug)]
struct Conn {
    tcp: Tcp,
    host: Host,
    key: u128,
    port_key: Option<u128>,
    /// The item it serves; `None` for a server's connection opened by a
    /// packet of no item.
    tag: Option<Tag>,
    traffic: u32,
    client: bool,
    timer_gen: u32,
    timer_at: Option<Nanos>,
    opened: Nanos,
    responded: bool,
    done: bool,
    /// When what the connection sent will have left at its flow's 5 Gbps
    /// (BW-3), for instances.
    flow_free: u64,
    /// Its packets take the sender's internet share (BW-4): decided when
    /// the connection opens, from the route its sender has to the peer.
    out_of_region: bool,
    /// The interface in whose queue of stopped senders it waits
    /// ([`Stopped`]).
    stopped: Option<u32>,
    /// Which connection this is of those its slot has held, so that a
    /// timer of an earlier one ([`Timer::Close`]) leaves it alone.
    serial: u32,
}

/// The connections TCP Small Queues stopped on one sending interface, in
/// the order they stopped. As the interface drains they send again in
/// turn, one after another while it has room, as a fair queue serves its
/// flows, rather than each polling it for itself.
///
/// Invariants:
/// - every entry is a live connection whose `stopped` names this
///   interface, and each appears once;
/// - while the interface has a queue (perhaps emptied by connections
///   that ended), exactly one [`Timer::Drained`] for it is pending; the
///   timer that finds it empty removes it.
#[derive(Clone, Debug, Default)]
struct Stopped {
    queue: std::collections::VecDeque<u32>,
}

/// How long an idle Lambda execution environment is kept for another
/// invocation (LAM-8): AWS keeps it for "a non-deterministic period of
/// time"; vpcsim keeps it five minutes, a modelling choice.
pub const LAMBDA_IDLE_KEEP: Nanos = Nanos::from_secs(300);

/// A Lambda function's execution environments: those running (or
/// initialising for) an invocation, at most the function's concurrency
/// (LAM-9), and the idle ones, by the time each became idle, oldest first.
#[derive(Clone, Debug, Default)]
struct Pool {
    busy: u32,
    idle: std::collections::VecDeque<Nanos>,
}

/// Per traffic generator.
#[derive(Clone, Debug)]
struct Gen {
    /// Deadlines of this traffic's items, in order (one timeout per
    /// traffic makes them monotonic): one queue event per traffic, not one
    /// per item.
    deadlines: std::collections::VecDeque<(Nanos, Tag)>,
    deadline_scheduled: bool,
    rng: Rng,
    seq: u16,
    udp_port: u16,
    next_lambda_eni: usize,
    dst: Option<Ipv4Addr>,
    /// Its pings and datagrams take the sender's internet share (BW-4):
    /// decided at its first one.
    out_of_region: Option<bool>,
    /// Items started so far: with `fixed` arrivals, item `k` starts at
    /// `start + k / rate` exactly ([`fixed_arrival`]).
    started: u64,
    /// With `fixed` arrivals, the instant of the last item scheduled, kept
    /// as a quotient and remainder so that the next takes no division.
    fixed: Option<FixedClock>,
    /// The host its items start from and its address, the same for every
    /// item: none for a Lambda function, whose invocations spread over its
    /// subnets ([`Endpoints::source`]).
    src: Option<(Host, Ipv4Addr)>,
}

/// Traffic `t`'s generator, made on first use: the same as if it had been
/// made at the start, since nothing touched it before.
#[inline]
fn gen_of<'g>(gens: &'g mut Sparse<Gen>, seed: u64, d: &Design, t: u32) -> &'g mut Gen {
    gens.get_or_insert_with(t, || Gen {
        deadlines: std::collections::VecDeque::new(),
        deadline_scheduled: false,
        rng: Rng::new(seed, u64::from(t) + 1),
        seq: 0,
        udp_port: 0,
        next_lambda_eni: 0,
        dst: resolve::destination(d, d.traffic[t as usize].from, &d.traffic[t as usize].to),
        out_of_region: None,
        started: 0,
        fixed: None,
        src: match d.traffic[t as usize].from {
            Source::Lambda(_) => None,
            from => {
                let (h, ip, _) = resolve::source_host(d, from);
                Some((h, ip))
            }
        },
    })
}

/// When item `k` of a `fixed` traffic starts: `start + k / rate`, rounded to
/// the nanosecond for each item rather than a rounded period added up, so
/// that a rate `r` over `d` seconds starts exactly `r * d` items whatever
/// the period's remainder.
fn fixed_arrival(start: Nanos, rate: crate::units::Rate, k: u64) -> Nanos {
    if rate.milli_per_sec == 0 {
        return Nanos(u64::MAX);
    }
    let milli = u128::from(rate.milli_per_sec);
    let at = (u128::from(k) * 2_000_000_000_000 + milli) / (2 * milli);
    start.saturating_add(Nanos(u64::try_from(at).unwrap_or(u64::MAX)))
}

/// The start of item `k` of a `fixed` traffic of rate `m` thousandths a
/// second, as [`fixed_arrival`] computes it, `(k * 2e12 + m) / 2m`
/// nanoseconds after the traffic's start, kept as that quotient and its
/// remainder: the next item's numerator is `2e12` more, so its quotient is
/// this one's plus `2e12 / 2m`, and one more when the remainders carry.
/// The same instants, without a 128-bit division for each.
///
/// The quotient stops at `u64::MAX` nanoseconds, where the instant does:
/// it only grows, so every later instant is that one too.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct FixedClock {
    /// The rate the clock counts for, in thousandths a second.
    milli: u64,
    /// The item whose instant this is.
    k: u64,
    /// The instant, less the traffic's start, and the remainder of its
    /// division by `2m`.
    q: u64,
    r: u64,
    /// `2e12` divided by `2m`, its remainder, and `2m` less that
    /// remainder: a remainder at least as large carries.
    step_q: u64,
    step_r: u64,
    room: u64,
}

impl FixedClock {
    /// The numerator of [`fixed_arrival`]'s division grows by this for
    /// each item.
    const STEP: u64 = 2_000_000_000_000;

    /// The clock at item `k` of a traffic of rate `milli`, or `None` for a
    /// zero rate (whose next item never comes) and for rates whose `2m`
    /// passes `u64::MAX` (far beyond one item a nanosecond).
    fn at_item(milli: u64, k: u64) -> Option<FixedClock> {
        let den = milli.checked_mul(2).filter(|_| milli != 0)?;
        let num = u128::from(k) * u128::from(Self::STEP) + u128::from(milli);
        let (den128, step) = (u128::from(den), Self::STEP);
        Some(FixedClock {
            milli,
            k,
            q: u64::try_from(num / den128).unwrap_or(u64::MAX),
            r: (num % den128) as u64,
            step_q: step / den,
            step_r: step % den,
            room: den - step % den,
        })
    }

    /// On to the next item.
    #[inline]
    fn advance(&mut self) {
        self.k += 1;
        // Both remainders are below `den`: at most one carry.
        let carry = self.r >= self.room;
        if carry {
            self.r -= self.room;
        } else {
            self.r += self.step_r;
        }
        self.q = self.q.saturating_add(self.step_q + u64::from(carry));
    }

    /// The instant of the clock's item, for a traffic that starts at
    /// `start`: [`fixed_arrival`]'s.
    #[inline]
    fn instant(&self, start: Nanos) -> Nanos {
        start.saturating_add(Nanos(self.q))
    }
}

/// When item `k` of a `fixed` traffic of generator `g` starts
/// ([`fixed_arrival`]): from the clock the generator keeps, moved on by one
/// item when it was at the one before, and set afresh otherwise.
#[inline]
fn fixed_next(g: &mut Gen, start: Nanos, rate: crate::units::Rate, k: u64) -> Nanos {
    match &mut g.fixed {
        Some(c) if c.milli == rate.milli_per_sec && c.k.wrapping_add(1) == k => {
            c.advance();
            c.instant(start)
        }
        slot => match FixedClock::at_item(rate.milli_per_sec, k) {
            Some(c) => {
                *slot = Some(c);
                c.instant(start)
            }
            None => fixed_arrival(start, rate, k),
        },
    }
}

pub struct Endpoints {
    items: Vec<Item>,
    free_items: Vec<u32>,
    conns: Vec<Option<Conn>>,
    free_conns: Vec<u32>,
    demux: FastMap<u128, u32>,
    /// Connections this host closed first and then saw the peer's FIN, by
    /// the demux key: TIME-WAIT, (SND.NXT, RCV.NXT, window, until), so
    /// that a FIN sent again is acknowledged again, not reset (RFC 9293
    /// 3.6.1; Linux's `tcp_timewait_state_process`).
    time_wait: FastMap<u128, (u32, u32, u16, Nanos)>,
    /// The same keys in the order they entered TIME-WAIT, to forget them.
    time_wait_order: std::collections::VecDeque<(Nanos, u128)>,
    ports_in_use: FastSet<u128>,
    /// How many of `ports_in_use` each host holds towards each remote
    /// address and port ([`remote_key`]): a host whose ports towards one
    /// are all taken is refused at once, not after trying every port.
    ports_per_remote: FastMap<u128, u32>,
    cursors: FastMap<u64, u16>,
    pings: pings::Pings,
    /// Each traffic's generator, made when the traffic first starts an
    /// item here (its source's part of the run).
    gens: Sparse<Gen>,
    seed: u64,
    /// Each Lambda function's execution environments (LAM-7..LAM-9).
    pools: Vec<Pool>,
    out: tcp::Out,
    /// Datagrams arriving in fragments, per receiving host (MTU-3).
    reassembly: FastMap<u64, packet::fragment::Reassembly>,
    /// The names traffic looks up and the answers each ENI caches (DNS-5).
    names: lookup::Names,
    /// The connections stopped on each sending interface, by ENI.
    stopped: FastMap<u32, Stopped>,
    /// The serial of the next connection opened ([`Conn::serial`]).
    serials: u32,
}

/// The interface MTU a host sends with (MTU-2): an instance's `mtu`, an
/// ENI's, and 1500 for hosts on the internet, on-premises and AWS services
/// reached at their public ranges.
pub fn host_mtu(d: &Design, h: Host) -> u16 {
    match h {
        Host::Instance(i) => d.enis[d.instances[i.idx()].eni.idx()].mtu,
        Host::LambdaEni(e) | Host::Endpoint(_, e) | Host::LinkLocal(_, e) => d.enis[e.idx()].mtu,
        Host::LambdaOutside(_)
        | Host::External(_)
        | Host::AwsService(_)
        | Host::Onprem(_)
        | Host::Internet(_)
        | Host::Service(..)
        | Host::OnpremAddr(..) => mtu::INTERNET,
    }
}

/// A host and a remote address and port, as the bits of a port key
/// ([`Endpoints::alloc_port`]) other than the local port's.
fn remote_key(h: Host, dst: SocketAddrV4) -> u128 {
    (u128::from(host_key(h)) << 80)
        | (u128::from(u32::from(*dst.ip())) << 16)
        | u128::from(dst.port())
}

/// A host as a number: its kind in the top bits, its id or address below.
fn host_key(h: Host) -> u64 {
    let (kind, i): (u64, u32) = match h {
        Host::Instance(i) => (1, i.0),
        Host::LambdaEni(e) => (2, e.0),
        Host::LambdaOutside(l) => (3, l.0),
        Host::Endpoint(_, e) => (4, e.0),
        Host::External(x) => (5, x.0),
        Host::AwsService(s) => (6, s.0),
        Host::Onprem(o) => (7, o.0),
        Host::Internet(ip) => (8, u32::from(ip)),
        Host::Service(_, ip) => (9, u32::from(ip)),
        Host::OnpremAddr(_, ip) => (10, u32::from(ip)),
        Host::LinkLocal(s, e) => (11 + s as u64, e.0),
    };
    (kind << 32) | u64::from(i)
}

/// A ping's key in [`pings::Pings`]: its sending host, identifier and
/// sequence number. Never 0: the host's kind is at least 1.
fn ping_key(h: Host, ident: u16, seq: u16) -> u128 {
    (u128::from(host_key(h)) << 32) | (u128::from(ident) << 16) | u128::from(seq)
}

fn conn_key(h: Host, local_port: u16, remote: Ipv4Addr, remote_port: u16) -> u128 {
    (u128::from(host_key(h)) << 64)
        | (u128::from(local_port) << 48)
        | (u128::from(u32::from(remote)) << 16)
        | u128::from(remote_port)
}

impl Endpoints {
    pub fn new(d: &Design, seed: u64) -> Endpoints {
        Endpoints {
            items: Vec::new(),
            free_items: Vec::new(),
            conns: Vec::new(),
            free_conns: Vec::new(),
            demux: FastMap::default(),
            time_wait: FastMap::default(),
            time_wait_order: std::collections::VecDeque::new(),
            ports_in_use: FastSet::default(),
            ports_per_remote: FastMap::default(),
            cursors: FastMap::default(),
            pings: pings::Pings::default(),
            gens: Sparse::new(),
            seed,
            pools: vec![Pool::default(); d.lambdas.len()],
            out: Vec::new(),
            reassembly: FastMap::default(),
            names: lookup::Names::new(d),
            stopped: FastMap::default(),
            serials: 0,
        }
    }

    /// The traffic and start time of a live item.
    pub fn item_info(&self, tag: Tag) -> Option<(u32, Nanos)> {
        let it = self.items.get(tag.item as usize)?;
        (it.epoch == tag.epoch).then_some((it.traffic, it.start))
    }

    fn new_item(&mut self, traffic: u32, start: Nanos) -> Tag {
        let item = Item {
            epoch: 0,
            traffic,
            start,
            live: true,
            last_drop: None,
            conn: None,
            lambda: None,
            timed_out: false,
            ping_key: None,
            lookup: None,
        };
        let idx = match self.free_items.pop() {
            Some(i) => {
                let epoch = self.items[i as usize].epoch.wrapping_add(1);
                self.items[i as usize] = Item { epoch, ..item };
                i
            }
            None => {
                self.items.push(item);
                (self.items.len() - 1) as u32
            }
        };
        Tag {
            item: idx,
            epoch: self.items[idx as usize].epoch,
            toward: true,
            traffic,
            start,
        }
    }

    /// An ephemeral port of `h` not in use towards `dst` (as the OS picks).
    fn alloc_port(&mut self, h: Host, range: (u16, u16), dst: SocketAddrV4) -> Option<(u16, u128)> {
        let span = u32::from(range.1 - range.0) + 1;
        let remote = remote_key(h, dst);
        if self
            .ports_per_remote
            .get(&remote)
            .is_some_and(|n| *n >= span)
        {
            return None;
        }
        let cursor = self.cursors.entry(host_key(h)).or_insert(0);
        for _ in 0..span {
            let port = range.0 + (u32::from(*cursor) % span) as u16;
            *cursor = ((u32::from(*cursor) + 1) % span) as u16;
            let key = remote | (u128::from(port) << 64);
            if self.ports_in_use.insert(key) {
                *self.ports_per_remote.entry(remote).or_insert(0) += 1;
                return Some((port, key));
            }
        }
        None
    }

    /// Gives back port key `k` (of [`Endpoints::alloc_port`]).
    fn free_port(&mut self, k: u128) {
        if self.ports_in_use.remove(&k) {
            let remote = k & !(u128::from(u16::MAX) << 64);
            if let Some(n) = self.ports_per_remote.get_mut(&remote) {
                *n -= 1;
                if *n == 0 {
                    self.ports_per_remote.remove(&remote);
                }
            }
        }
    }

    fn add_conn(&mut self, mut c: Conn) -> u32 {
        let key = c.key;
        c.serial = self.serials;
        self.serials = self.serials.wrapping_add(1);
        let idx = match self.free_conns.pop() {
            Some(i) => {
                self.conns[i as usize] = Some(c);
                i
            }
            None => {
                self.conns.push(Some(c));
                (self.conns.len() - 1) as u32
            }
        };
        self.demux.insert(key, idx);
        idx
    }

    /// Connection `key` enters TIME-WAIT for [`TIME_WAIT`]; those whose
    /// time is over are forgotten, and beyond [`MAX_TIME_WAIT`] a
    /// connection closes at once, as Linux does past `tcp_max_tw_buckets`.
    fn enter_time_wait(&mut self, key: u128, numbers: (u32, u32, u16), now: Nanos) {
        while let Some(&(until, k)) = self.time_wait_order.front() {
            if until > now {
                break;
            }
            self.time_wait_order.pop_front();
            if self.time_wait.get(&k).is_some_and(|t| t.3 == until) {
                self.time_wait.remove(&k);
            }
        }
        if self.time_wait.len() >= MAX_TIME_WAIT {
            return;
        }
        let until = now.saturating_add(TIME_WAIT);
        let (seq, ack, window) = numbers;
        self.time_wait.insert(key, (seq, ack, window, until));
        self.time_wait_order.push_back((until, key));
    }

    /// A segment for connection `key` that has no connection: if it is in
    /// TIME-WAIT and the segment neither resets nor opens one, the numbers
    /// to acknowledge it with. A reset or a new SYN ends the TIME-WAIT.
    fn in_time_wait(&mut self, key: u128, flags: u8, now: Nanos) -> Option<(u32, u32, u16)> {
        let &(seq, ack, window, until) = self.time_wait.get(&key)?;
        if now >= until
            || flags & (crate::packet::tcp_flags::RST | crate::packet::tcp_flags::SYN) != 0
        {
            self.time_wait.remove(&key);
            return None;
        }
        Some((seq, ack, window))
    }

    fn remove_conn(&mut self, idx: u32) {
        if let Some(c) = self.conns.get_mut(idx as usize).and_then(Option::take) {
            self.demux.remove(&c.key);
            if let Some(eni) = c.stopped {
                if let Some(s) = self.stopped.get_mut(&eni) {
                    s.queue.retain(|&q| q != idx);
                }
            }
            if let Some(k) = c.port_key {
                self.free_port(k);
            }
            self.free_conns.push(idx);
        }
    }

    /// The initial sequence number of a connection from `local` to
    /// `remote` opened at `now`, as RFC 6528 makes it: a keyed hash of the
    /// two ends (the run's seed is the key) plus a clock that ticks every
    /// 4 us. It depends on the connection alone, not on the connections
    /// that the same part of the run opened before, so how a design is
    /// split into logical processes cannot change it.
    fn iss_of(&self, local: SocketAddrV4, remote: SocketAddrV4, now: Nanos) -> u32 {
        let ips = (u64::from(u32::from(*local.ip())) << 32) | u64::from(u32::from(*remote.ip()));
        let ports = (u64::from(local.port()) << 16) | u64::from(remote.port());
        let h = mix(self.seed ^ mix(ips ^ mix(ports)));
        (h as u32).wrapping_add((now.0 / 4_000) as u32)
    }
}

impl Endpoints {
    fn source(&mut self, d: &Design, t: u32) -> (Host, Ipv4Addr) {
        let tr = &d.traffic[t as usize];
        if let Source::Lambda(l) = tr.from {
            let lam = &d.lambdas[l.idx()];
            if !lam.enis.is_empty() {
                // Invocations spread over the function's subnets (LAM-2).
                let g = gen_of(&mut self.gens, self.seed, d, t);
                let x = lam.enis[g.next_lambda_eni % lam.enis.len()];
                g.next_lambda_eni += 1;
                return (Host::LambdaEni(x), d.enis[x.idx()].ip);
            }
        }
        let (h, ip, _) = resolve::source_host(d, tr.from);
        (h, ip)
    }

    /// A timer asked for by an earlier [`Action::Timer`] is due.
    pub fn on_timer(&mut self, io: &mut Io<'_>, timer: Timer) {
        match timer {
            Timer::Arrival { traffic } => self.arrival(io, traffic),
            Timer::Conn { conn, epoch } => self.conn_timer(io, conn, epoch),
            Timer::Deadlines { traffic } => self.deadlines(io, traffic),
            Timer::Close { conn, serial } => self.close_after_hold(io, conn, serial),
            Timer::Drained { eni } => self.drained(io, eni),
            Timer::Invoke { item, epoch } => {
                if let Some(tag) = self.live_tag(item, epoch) {
                    self.launch(io, tag, true);
                }
            }
            Timer::Lookup {
                item,
                epoch,
                attempt,
            } => self.lookup_timer(io, item, epoch, attempt),
            Timer::FunctionTimeout { item, epoch } => {
                if let Some(tag) = self.live_tag(item, epoch) {
                    // Ended at the function timeout; a drop seen on the way
                    // is why it ran out of time, and names the failure, as
                    // for the traffic's own timeout.
                    let it = &mut self.items[item as usize];
                    it.timed_out = true;
                    let cause = it
                        .last_drop
                        .map_or(Cause::FunctionTimeout, |(r, _)| Cause::Drop(r));
                    self.end_item(io, tag, cause);
                }
            }
        }
    }

    fn arrival(&mut self, io: &mut Io<'_>, t: u32) {
        let now = io.now;
        let tr = &io.d.traffic[t as usize];
        if now > tr.stop {
            return;
        }
        // An instance deleted by the timeline starts nothing more: its
        // items due from then on are not started (nor counted), and no
        // further arrival is due, as nothing brings it back.
        if let Source::Instance(i) = tr.from {
            if host_gone(io, Host::Instance(i)) {
                return;
            }
        }
        let (pattern, arrivals, rate, start, stop) =
            (tr.pattern, tr.arrivals, tr.rate, tr.start, tr.stop);
        self.start_item(io, t);
        if pattern == Pattern::Bulk {
            return;
        }
        let g = gen_of(&mut self.gens, self.seed, io.d, t);
        g.started += 1;
        let next = match arrivals {
            // Never two in one nanosecond: a faster rate runs at one a
            // nanosecond (`Rate::MAX_PER_SEC`).
            Arrivals::Fixed => {
                let k = g.started;
                fixed_next(g, start, rate, k).max(now.saturating_add(Nanos(1)))
            }
            Arrivals::Poisson => {
                now.saturating_add(Nanos(g.rng.exponential(rate.interval().0 as f64)))
            }
        };
        if next < stop {
            io.timer(next, Timer::Arrival { traffic: t });
        }
    }

    fn start_item(&mut self, io: &mut Io<'_>, t: u32) {
        let now = io.now;
        let d = io.d;
        let tr = &d.traffic[t as usize];
        let tag = self.new_item(t, now);
        io.out.push(Action::Started { traffic: t });
        let g = gen_of(&mut self.gens, self.seed, d, t);
        let (dst, src) = (g.dst, g.src);
        if dst.is_none() {
            self.decide(io, tag, Some(Cause::Drop(DropReason::HostUnreachable)));
            return;
        }
        if let Source::Lambda(l) = tr.from {
            let lam = &d.lambdas[l.idx()];
            let pool = &mut self.pools[l.idx()];
            // Environments idle longer than Lambda keeps them are gone (LAM-8).
            while pool
                .idle
                .front()
                .is_some_and(|&since| now.0 - since.0.min(now.0) >= LAMBDA_IDLE_KEEP.0)
            {
                pool.idle.pop_front();
            }
            // Concurrency counts the invocations in flight (LAM-9).
            if pool.busy >= lam.concurrency {
                self.decide(io, tag, Some(Cause::Throttled));
                return;
            }
            pool.busy += 1;
            // The most recently used idle environment is reused (LAM-8);
            // with none, a new one initialises first (LAM-7).
            let cold = pool.idle.pop_back().is_none();
            self.items[tag.item as usize].lambda = Some(l);
            io.count(t, Count::Invocation { cold });
            if cold && lam.init_duration > Nanos::ZERO {
                if let Some(timeout) = tr.timeout {
                    if tr.pattern != Pattern::Udp {
                        self.add_deadline(io, t, now.saturating_add(timeout), tag);
                    }
                }
                io.timer(
                    now.saturating_add(lam.init_duration),
                    Timer::Invoke {
                        item: tag.item,
                        epoch: tag.epoch,
                    },
                );
                return;
            }
        }
        self.launch_to(io, tag, false, dst, src);
    }

    /// The tag of item `item` if it is still live in epoch `epoch`.
    fn live_tag(&self, item: u32, epoch: u32) -> Option<Tag> {
        let it = self.items.get(item as usize)?;
        (it.epoch == epoch && it.live).then_some(Tag {
            item,
            epoch,
            toward: true,
            traffic: it.traffic,
            start: it.start,
        })
    }

    /// The item's client starts now: after its Lambda execution environment
    /// initialised (`deadline_set`: its deadline is already kept), or at
    /// once.
    fn launch(&mut self, io: &mut Io<'_>, tag: Tag, deadline_set: bool) {
        let g = gen_of(&mut self.gens, self.seed, io.d, tag.traffic);
        let (dst, src) = (g.dst, g.src);
        self.launch_to(io, tag, deadline_set, dst, src);
    }

    /// [`Self::launch`] towards the traffic's destination `dst`, if it has
    /// one, from its generator's source `src`, if it keeps one.
    fn launch_to(
        &mut self,
        io: &mut Io<'_>,
        tag: Tag,
        deadline_set: bool,
        dst: Option<Ipv4Addr>,
        src: Option<(Host, Ipv4Addr)>,
    ) {
        let now = io.now;
        let d = io.d;
        let t = tag.traffic;
        let tr = &d.traffic[t as usize];
        if let Source::Lambda(l) = tr.from {
            // The invocation runs until its function timeout (LAM-10).
            io.timer(
                now.saturating_add(d.lambdas[l.idx()].timeout),
                Timer::FunctionTimeout {
                    item: tag.item,
                    epoch: tag.epoch,
                },
            );
        }
        let (host, src_ip) = match src {
            Some(src) => src,
            None => self.source(d, t),
        };
        // DNS-5: a name is looked up first, unless the host has its answer.
        if self.resolve_first(io, tag, deadline_set, host, src_ip) {
            return;
        }
        let Some(dst) = dst else {
            self.decide(io, tag, Some(Cause::Drop(DropReason::HostUnreachable)));
            return;
        };
        self.connect(io, tag, deadline_set, host, src_ip, dst);
    }

    /// The item's client opens its connection (sends its ping, its
    /// datagram) to `dst` from `host`.
    fn connect(
        &mut self,
        io: &mut Io<'_>,
        tag: Tag,
        deadline_set: bool,
        host: Host,
        src_ip: Ipv4Addr,
        dst: Ipv4Addr,
    ) {
        let now = io.now;
        let d = io.d;
        let t = tag.traffic;
        let tr = &d.traffic[t as usize];
        let deadline = tr
            .timeout
            .filter(|_| !deadline_set)
            .map(|t| tag.start.saturating_add(t));
        match tr.pattern {
            Pattern::Requests | Pattern::Bulk => {
                let range = if matches!(tr.from, Source::Lambda(_)) {
                    LAMBDA_PORTS
                } else {
                    LINUX_PORTS
                };
                let remote = SocketAddrV4::new(dst, tr.port);
                let Some((port, port_key)) = self.alloc_port(host, range, remote) else {
                    // The host's own ports, not a NAT gateway's (NAT-5 is
                    // the gateway's, charged where it happens).
                    self.decide(io, tag, Some(Cause::HostPortExhausted));
                    return;
                };
                let iss = self.iss_of(SocketAddrV4::new(src_ip, port), remote, now);
                let mut out = std::mem::take(&mut self.out);
                let mtu = host_mtu(d, host);
                let tcp = Tcp::connect(
                    SocketAddrV4::new(src_ip, port),
                    remote,
                    iss,
                    mtu,
                    now,
                    &mut out,
                );
                let conn = Conn {
                    tcp,
                    host,
                    key: conn_key(host, port, dst, tr.port),
                    port_key: Some(port_key),
                    tag: Some(tag),
                    traffic: t,
                    client: true,
                    timer_gen: 0,
                    timer_at: None,
                    opened: now,
                    responded: false,
                    done: false,
                    flow_free: 0,
                    stopped: None,
                    serial: 0,
                    out_of_region: io.out_of_region(host, dst),
                };
                let c = self.add_conn(conn);
                self.items[tag.item as usize].conn = Some(c);
                self.flush(io, c, &mut out);
                self.out = out;
                // A request, and a bulk transfer given a `timeout`: not
                // done by then, the connection is reset and the item fails.
                if let Some(at) = deadline {
                    self.add_deadline(io, t, at, tag);
                }
            }
            Pattern::Ping => {
                let g = gen_of(&mut self.gens, self.seed, d, t);
                g.seq = g.seq.wrapping_add(1);
                let (ident, seq) = (t as u16 + 1, g.seq);
                let oor = *g
                    .out_of_region
                    .get_or_insert_with(|| io.out_of_region(host, dst));
                let key = ping_key(host, ident, seq);
                // A wrapped sequence number replaces a long-gone ping.
                self.pings.insert(key, tag.item);
                self.items[tag.item as usize].ping_key = Some(key);
                let b = packet::build::host_echo_into(
                    io.buffer(),
                    &packet::build::EchoSpec {
                        src: src_ip,
                        dst,
                        reply: false,
                        ident,
                        seq,
                    },
                    64,
                    seq,
                );
                io.send_flow(b, host, tag, oor);
                if let Some(at) = deadline {
                    outcome::push_deadline(g, &self.items, io, t, at, tag);
                }
            }
            Pattern::Udp => {
                let g = gen_of(&mut self.gens, self.seed, d, t);
                if g.udp_port == 0 {
                    g.udp_port = LINUX_PORTS.0 + (t as u16 % 1000) * 7;
                }
                let sport = g.udp_port;
                g.seq = g.seq.wrapping_add(1);
                let ident = g.seq;
                let oor = *g
                    .out_of_region
                    .get_or_insert_with(|| io.out_of_region(host, dst));
                // Validation refuses a larger `size`; the cut only keeps
                // a design built by hand within one IPv4 datagram.
                let size = (tr.size as usize).min(packet::MAX_UDP_PAYLOAD);
                let payload = vec![0xa5; size];
                let b = packet::build::udp(
                    SocketAddrV4::new(src_ip, sport),
                    SocketAddrV4::new(dst, tr.port),
                    &payload,
                    64,
                    ident,
                );
                // A datagram is decided when it arrives or is dropped. One
                // longer than the interface MTU leaves in fragments, DF
                // clear, as Linux sends UDP (MTU-3).
                let mtu = host_mtu(d, host);
                if b.len() > usize::from(mtu) {
                    let mut first = b.to_vec();
                    match packet::fragment::split(&mut first, mtu) {
                        Ok((len, rest)) => {
                            first.truncate(len);
                            io.send_flow(Bytes::from(first), host, tag, oor);
                            for f in rest {
                                io.send_flow(Bytes::from(f), host, tag, oor);
                            }
                        }
                        Err(_) => io.send_flow(b, host, tag, oor),
                    }
                } else {
                    io.send_flow(b, host, tag, oor);
                }
            }
        }
    }

    /// Tells connection `c` how much it may put into its host's interface
    /// now (TCP Small Queues): its limit less what the interface holds, in
    /// whole segments; nothing while others wait stopped on the interface,
    /// unless this is `c`'s `turn` among them.
    fn set_room(&mut self, io: &Io<'_>, c: u32, turn: bool) {
        let Some(conn) = self.conns.get_mut(c as usize).and_then(Option::as_mut) else {
            return;
        };
        let Some(eni) = sending_eni(io.d, conn.host) else {
            conn.tcp.set_room(u64::MAX);
            return;
        };
        let (limit, seg_ns) = tsq_limit_ns(io.d, eni, &conn.tcp);
        let backlog = io.nics.free_at(eni).0.saturating_sub(io.now.0);
        let mut segs = limit.saturating_sub(backlog) / seg_ns;
        if conn.out_of_region {
            if let Some(cap) = crate::dataplane::internet_capacity(io.d, eni) {
                let (limit, seg_ns) = tsq_limit_at(&cap, &conn.tcp);
                let backlog = io.nics.internet_free_at(eni).0.saturating_sub(io.now.0);
                segs = segs.min(limit.saturating_sub(backlog) / seg_ns);
            }
        }
        if flow_limited(conn.host) {
            let (limit, seg_ns) = flow_limit_ns(&conn.tcp);
            let backlog = conn.flow_free.saturating_sub(io.now.0);
            segs = segs.min(limit.saturating_sub(backlog) / seg_ns);
        }
        // While senders wait stopped on the interface, it sends for them
        // in turn: no other, and none of them out of its turn (an ACK
        // arriving), gets room.
        if !turn
            && !self.stopped.is_empty()
            && self
                .stopped
                .get(&eni.0)
                .is_some_and(|s| !s.queue.is_empty())
        {
            segs = 0;
        }
        conn.tcp
            .set_room(segs * (u64::from(conn.tcp.mss) + tcp::HEADERS));
    }

    /// Sends what a connection produced and keeps its timer scheduled.
    fn flush(&mut self, io: &mut Io<'_>, c: u32, out: &mut tcp::Out) {
        let Some(conn) = self.conns[c as usize].as_mut() else {
            out.clear();
            return;
        };
        let (host, tag, out_of_region) = (conn.host, conn.tag, conn.out_of_region);
        let limited = flow_limited(host);
        for b in out.drain(..) {
            if limited {
                conn.flow_free = conn.flow_free.max(io.now.0) + flow_ns(b.len() as u64);
            }
            io.send_flow(b, host, tag, out_of_region);
        }
        // Stopped by TCP Small Queues: go on once the interface (and the
        // flow's 5 Gbps share) has sent half of the limit, as completions
        // would wake the socket. A connection held back by the interface
        // waits its turn in the interface's queue; one held back by its
        // own flow's share alone wakes by itself.
        let mut stop = None;
        if conn.tcp.take_tsq_blocked() {
            if let Some(eni) = sending_eni(io.d, host) {
                let (shared, own) = wake_times(io, eni, conn);
                if own > io.now.0 && own >= shared {
                    conn.tcp.wake_at(Nanos(own));
                } else if conn.stopped.is_none() {
                    conn.stopped = Some(eni.0);
                    stop = Some((eni.0, shared));
                }
            }
        }
        let deadline = conn.tcp.deadline;
        let mut schedule = None;
        if let Some(d) = deadline {
            if conn.timer_at.is_none_or(|t| d < t) {
                conn.timer_gen = conn.timer_gen.wrapping_add(1);
                conn.timer_at = Some(d);
                schedule = Some((d, conn.timer_gen));
            }
        }
        if let Some((d, epoch)) = schedule {
            io.timer(d, Timer::Conn { conn: c, epoch });
        }
        if let Some((eni, at)) = stop {
            match self.stopped.entry(eni) {
                std::collections::hash_map::Entry::Occupied(mut s) => {
                    s.get_mut().queue.push_back(c);
                }
                std::collections::hash_map::Entry::Vacant(v) => {
                    v.insert(Stopped::default()).queue.push_back(c);
                    io.timer(Nanos(at.max(io.now.0 + 1)), Timer::Drained { eni });
                }
            }
        }
    }

    /// Interface `eni` has drained: its stopped connections send again, in
    /// the order they stopped, while it has room for the next; one that
    /// fills it again goes to the back of the queue.
    fn drained(&mut self, io: &mut Io<'_>, eni: u32) {
        let now = io.now;
        // The queue stays while it is served, so that a sender that stops
        // again joins its back without a timer of its own; the one timer
        // is set at the end, for the first then waiting.
        let Some(turns) = self.stopped.get(&eni).map(|s| s.queue.len()) else {
            return;
        };
        let mut next = None;
        for _ in 0..turns {
            let Some(c) = self
                .stopped
                .get(&eni)
                .and_then(|s| s.queue.front().copied())
            else {
                break;
            };
            let Some(conn) = self.conns[c as usize]
                .as_ref()
                .filter(|conn| conn.stopped == Some(eni))
            else {
                // Not waiting here (which the invariants rule out): skipped.
                self.stopped.get_mut(&eni).map(|s| s.queue.pop_front());
                continue;
            };
            let (shared, _) = wake_times(io, EniId(eni), conn);
            if shared > now.0 {
                next = Some(shared);
                break;
            }
            let mut out = std::mem::take(&mut self.out);
            self.set_room(io, c, true);
            self.stopped.get_mut(&eni).map(|s| s.queue.pop_front());
            if let Some(conn) = self.conns[c as usize].as_mut() {
                conn.stopped = None;
                conn.tcp.resume(now, &mut out);
            }
            self.flush(io, c, &mut out);
            self.out = out;
        }
        let head = self
            .stopped
            .get(&eni)
            .and_then(|s| s.queue.front().copied());
        let at = match (next, head) {
            (Some(at), _) => at,
            (None, Some(c)) => match self.conns[c as usize].as_ref() {
                Some(conn) => wake_times(io, EniId(eni), conn).0,
                None => now.0,
            },
            (None, None) => {
                self.stopped.remove(&eni);
                return;
            }
        };
        io.timer(Nanos(at.max(now.0 + 1)), Timer::Drained { eni });
    }

    fn conn_timer(&mut self, io: &mut Io<'_>, c: u32, epoch: u32) {
        let now = io.now;
        let mut out = std::mem::take(&mut self.out);
        let Some(conn) = self.conns.get_mut(c as usize).and_then(Option::as_mut) else {
            self.out = out;
            return;
        };
        if conn.timer_gen != epoch {
            self.out = out;
            return;
        }
        conn.timer_at = None;
        // A host deleted by the timeline sends nothing: no retransmission,
        // no close; its connection's item stays as it was.
        if host_gone(io, conn.host) {
            self.out = out;
            return;
        }
        self.set_room(io, c, false);
        let conn = self.conns[c as usize].as_mut().expect("live");
        let before = conn.tcp.retransmits;
        conn.tcp.on_timer(now, &mut out);
        let retx = conn.tcp.retransmits - before;
        let traffic = conn.traffic;
        io.count(traffic, Count::Retransmissions(u64::from(retx)));
        let gave_up = conn.tcp.state == tcp::State::TimedOut;
        let (client, ctag, corrupt) = (conn.client, conn.tag, conn.tcp.corrupt);
        self.flush(io, c, &mut out);
        self.out = out;
        if gave_up {
            // The kernel gave up retransmitting (`tcp_syn_retries`,
            // `tcp_synack_retries`, `tcp_retries2`, `tcp_orphan_retries`):
            // the connection is gone, and its item, if still undecided,
            // fails by the last drop of its packets, else as a timeout.
            io.count(traffic, Count::CorruptBytes(corrupt));
            self.remove_conn(c);
            if let (true, Some(ctag)) = (client, ctag) {
                let cause = self.item_info(ctag).map_or(Cause::Timeout, |_| {
                    self.items[ctag.item as usize].unanswered()
                });
                self.decide(io, ctag, Some(cause));
            }
        }
    }

    fn close_after_hold(&mut self, io: &mut Io<'_>, c: u32, serial: u32) {
        let now = io.now;
        let live = self.conns.get(c as usize).and_then(Option::as_ref);
        if live.is_none_or(|conn| conn.serial != serial) {
            return;
        }
        if live.is_some_and(|conn| host_gone(io, conn.host)) {
            return;
        }
        let mut out = std::mem::take(&mut self.out);
        self.set_room(io, c, false);
        if let Some(conn) = self.conns.get_mut(c as usize).and_then(Option::as_mut) {
            conn.tcp.close(now, &mut out);
        }
        self.flush(io, c, &mut out);
        self.out = out;
    }
}

/// Whether host `h` is an instance, or a function's ENI, that the timeline
/// deleted.
pub(super) fn host_gone(io: &Io<'_>, h: Host) -> bool {
    match h {
        Host::Instance(i) => !io.net.eni_alive(io.d.instances[i.idx()].eni),
        Host::LambdaEni(x) => !io.net.eni_alive(x),
        _ => false,
    }
}

/// When a connection stopped by TCP Small Queues has room again: once
/// its interface (and, out of the Region, the interface's internet
/// share, BW-4) has sent half of its limit, which all of the interface's
/// senders share; and once its own flow's 5 Gbps share (BW-3) has sent
/// half of the limit in that share's time, which is its alone (0 for
/// hosts without one).
fn wake_times(io: &Io<'_>, eni: EniId, conn: &Conn) -> (u64, u64) {
    let (limit, _) = tsq_limit_ns(io.d, eni, &conn.tcp);
    let mut shared = io.nics.free_at(eni).0.saturating_sub(limit / 2);
    if conn.out_of_region {
        if let Some(cap) = crate::dataplane::internet_capacity(io.d, eni) {
            let (limit, _) = tsq_limit_at(&cap, &conn.tcp);
            let free = io.nics.internet_free_at(eni).0;
            shared = shared.max(free.saturating_sub(limit / 2));
        }
    }
    let own = if flow_limited(conn.host) {
        let (limit, _) = flow_limit_ns(&conn.tcp);
        conn.flow_free.saturating_sub(limit / 2)
    } else {
        0
    };
    (shared, own)
}

/// splitmix64's finaliser: a well-mixed 64-bit hash of `z`.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::units::Rate;

    fn new_gen() -> Gen {
        Gen {
            deadlines: std::collections::VecDeque::new(),
            deadline_scheduled: false,
            rng: Rng::new(1, 1),
            seq: 0,
            udp_port: 0,
            next_lambda_eni: 0,
            dst: None,
            out_of_region: None,
            started: 0,
            fixed: None,
            src: None,
        }
    }

    /// Each instant [`fixed_next`] gives, item after item as a generator
    /// takes them, is `fixed_arrival`'s for that item.
    fn check(milli: u64, start: Nanos, first: u64, items: u64) {
        let rate = Rate {
            milli_per_sec: milli,
        };
        let mut g = new_gen();
        for k in first..first + items {
            assert_eq!(
                fixed_next(&mut g, start, rate, k),
                fixed_arrival(start, rate, k),
                "rate {milli}/1000 s, item {k}"
            );
        }
        if milli != 0 {
            // Moved on item by item, the clock is the one set afresh.
            assert_eq!(g.fixed, FixedClock::at_item(milli, first + items - 1));
        }
    }

    #[test]
    fn fixed_instants_taken_one_after_another_are_those_divided_out() {
        let rates = [
            0,
            1,
            3,
            7,
            999,
            1_000,
            1_001,
            3_333,
            7_000,
            65_537,
            100_000_000,
            333_333_333,
            999_999_999,
            1_000_000_000,
            123_456_789_013,
            999_999_999_999,
            1_000_000_000_000,
            1_000_000_000_001,
            u64::MAX / 3,
            u64::MAX,
        ];
        for &m in &rates {
            check(m, Nanos::ZERO, 0, 20_000);
            check(m, Nanos(1_234_567), 1, 5_000);
            // Long runs: far into a traffic, and past `u64` nanoseconds.
            check(m, Nanos(5), 1_000_000_000_000, 5_000);
            check(m, Nanos(u64::MAX - 1_000), u64::MAX - 3_000, 3_000);
        }
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..200 {
            x = mix(x);
            let m = 1 + x % 2_000_000_000_000;
            check(m, Nanos(x >> 40), (x >> 20) % 1_000_000_000, 2_000);
        }
    }

    #[test]
    fn a_fixed_clock_is_set_afresh_when_not_at_the_item_before() {
        let rate = Rate {
            milli_per_sec: 7_000,
        };
        let mut g = new_gen();
        for k in [1, 2, 3, 10, 11, 5, 6, 0, 1] {
            assert_eq!(
                fixed_next(&mut g, Nanos(9), rate, k),
                fixed_arrival(Nanos(9), rate, k)
            );
        }
        let other = Rate {
            milli_per_sec: 3_000,
        };
        assert_eq!(
            fixed_next(&mut g, Nanos(9), other, 2),
            fixed_arrival(Nanos(9), other, 2)
        );
        let zero = Rate { milli_per_sec: 0 };
        assert_eq!(fixed_next(&mut g, Nanos(9), zero, 3), Nanos(u64::MAX));
    }
}
