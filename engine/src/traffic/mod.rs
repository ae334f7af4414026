//! Traffic: clients and servers that speak real protocols in virtual time.
//!
//! Each `[[traffic]]` generates items at its arrival times: a request (a TCP
//! connection that sends `request` bytes, receives `response` bytes and
//! closes), a ping, a UDP datagram, or one bulk transfer. Hosts answer as the
//! format says: TCP only on listening ports (a closed port answers RST), UDP
//! listeners receive without answering, every host answers ICMP echo. An
//! item is delivered, failed (with the cause: the last drop of its packets,
//! a reset, a timeout, a throttled function), or unfinished at the end.

pub mod rng;
pub mod tcp;

use std::net::{Ipv4Addr, SocketAddrV4};

use rustc_hash::{FxHashMap, FxHashSet};

use crate::dataplane::{Host, Place, host_listens, host_place, resolve};
use crate::model::*;
use crate::packet::{self, PROTO_ICMP, PROTO_TCP, PROTO_UDP, tcp_flags};
use crate::report::metrics::Cause;
use crate::scenario::raw::{Arrivals, Pattern};
use crate::sim::{Kind, Sim, Tag, in_window};
use crate::units::Nanos;
use rng::Rng;
use tcp::Tcp;

/// Ephemeral ports (NACL-7): Linux as AWS documents it, and Lambda (LAM-5).
pub const LINUX_PORTS: (u16, u16) = (32768, 61000);
pub const LAMBDA_PORTS: (u16, u16) = (1024, 65535);

#[derive(Clone, Debug)]
pub(crate) struct Item {
    epoch: u32,
    traffic: u32,
    start: Nanos,
    live: bool,
    last_drop: Option<(DropReason, Place)>,
    conn: u32,
    /// The function whose concurrency this item holds.
    lambda: Option<LambdaId>,
    ping_key: Option<u64>,
}

#[derive(Clone, Debug)]
pub(crate) struct Conn {
    tcp: Tcp,
    host: Host,
    key: u128,
    port_key: Option<u128>,
    tag: Tag,
    traffic: u32,
    client: bool,
    timer_gen: u32,
    timer_at: Option<Nanos>,
    opened: Nanos,
    responded: bool,
    done: bool,
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
}

pub(crate) struct Traffic {
    items: Vec<Item>,
    free_items: Vec<u32>,
    conns: Vec<Option<Conn>>,
    free_conns: Vec<u32>,
    demux: FxHashMap<u128, u32>,
    ports_in_use: FxHashSet<u128>,
    cursors: FxHashMap<u32, u16>,
    pings: FxHashMap<u64, u32>,
    gens: Vec<Gen>,
    lambda_active: Vec<u32>,
    iss: u32,
    out: tcp::Out,
}

fn host_key(h: Host) -> u32 {
    let (kind, i) = match h {
        Host::Instance(i) => (1, i.0),
        Host::LambdaEni(e) => (2, e.0),
        Host::LambdaOutside(l) => (3, l.0),
        Host::Endpoint(_, e) => (4, e.0),
        Host::External(x) => (5, x.0),
        Host::AwsService(s) => (6, s.0),
        Host::Onprem(o) => (7, o.0),
    };
    (kind << 28) | i
}

fn conn_key(h: Host, local_port: u16, remote: Ipv4Addr, remote_port: u16) -> u128 {
    (u128::from(host_key(h)) << 64)
        | (u128::from(local_port) << 48)
        | (u128::from(u32::from(remote)) << 16)
        | u128::from(remote_port)
}

impl Traffic {
    pub(crate) fn new(d: &Design, seed: u64) -> Traffic {
        let gens = d
            .traffic
            .iter()
            .enumerate()
            .map(|(i, t)| Gen {
                deadlines: std::collections::VecDeque::new(),
                deadline_scheduled: false,
                rng: Rng::new(seed, i as u64 + 1),
                seq: 0,
                udp_port: 0,
                next_lambda_eni: 0,
                dst: resolve::destination(d, t.from, &t.to),
            })
            .collect();
        Traffic {
            items: Vec::new(),
            free_items: Vec::new(),
            conns: Vec::new(),
            free_conns: Vec::new(),
            demux: FxHashMap::default(),
            ports_in_use: FxHashSet::default(),
            cursors: FxHashMap::default(),
            pings: FxHashMap::default(),
            gens,
            lambda_active: vec![0; d.lambdas.len()],
            iss: 0x1000,
            out: Vec::new(),
        }
    }

    /// The traffic and start time of a live item.
    pub(crate) fn item_info(&self, tag: Tag) -> Option<(u32, Nanos)> {
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
            conn: u32::MAX,
            lambda: None,
            ping_key: None,
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
        let cursor = self.cursors.entry(host_key(h)).or_insert(0);
        for _ in 0..span {
            let port = range.0 + (u32::from(*cursor) % span) as u16;
            *cursor = ((u32::from(*cursor) + 1) % span) as u16;
            let key = (u128::from(host_key(h)) << 80)
                | (u128::from(port) << 64)
                | (u128::from(u32::from(*dst.ip())) << 16)
                | u128::from(dst.port());
            if self.ports_in_use.insert(key) {
                return Some((port, key));
            }
        }
        None
    }

    fn add_conn(&mut self, c: Conn) -> u32 {
        let key = c.key;
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

    fn remove_conn(&mut self, idx: u32) {
        if let Some(c) = self.conns.get_mut(idx as usize).and_then(Option::take) {
            self.demux.remove(&c.key);
            if let Some(k) = c.port_key {
                self.ports_in_use.remove(&k);
            }
            self.free_conns.push(idx);
        }
    }

    fn next_iss(&mut self) -> u32 {
        self.iss = self.iss.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        self.iss
    }
}

impl Sim {
    fn source(&mut self, t: u32) -> (Host, Ipv4Addr) {
        let d = &self.design;
        let tr = &d.traffic[t as usize];
        if let Source::Lambda(l) = tr.from {
            let lam = &d.lambdas[l.idx()];
            if !lam.enis.is_empty() {
                // Invocations spread over the function's subnets (LAM-2).
                let g = &mut self.t.gens[t as usize];
                let x = lam.enis[g.next_lambda_eni % lam.enis.len()];
                g.next_lambda_eni += 1;
                return (Host::LambdaEni(x), d.enis[x.idx()].ip);
            }
        }
        let (h, ip, _) = resolve::source_host(d, tr.from);
        (h, ip)
    }

    pub(crate) fn arrival(&mut self, t: u32) {
        let now = self.now();
        let tr = self.design.traffic[t as usize].clone();
        if now > tr.stop {
            return;
        }
        self.start_item(t, &tr);
        if tr.pattern == Pattern::Bulk {
            return;
        }
        let mean = tr.rate.interval();
        let gap = match tr.arrivals {
            Arrivals::Fixed => mean,
            Arrivals::Poisson => Nanos(self.t.gens[t as usize].rng.exponential(mean.0 as f64)),
        };
        let next = now.saturating_add(gap);
        if next < tr.stop {
            self.at(next, Kind::Arrival { traffic: t });
        }
    }

    fn start_item(&mut self, t: u32, tr: &Traffic_) {
        let now = self.now();
        let tag = self.t.new_item(t, now);
        self.metrics.traffic[t as usize].started += 1;
        for &e in &self.watch.by_traffic[t as usize] {
            if in_window(&self.design.expects[e as usize], now) {
                self.metrics.expects[e as usize].started += 1;
            }
        }
        let Some(dst) = self.t.gens[t as usize].dst else {
            self.decide(tag, Some(Cause::Drop(DropReason::HostUnreachable)));
            return;
        };
        if let Source::Lambda(l) = tr.from {
            let lam = &self.design.lambdas[l.idx()];
            if self.t.lambda_active[l.idx()] >= lam.concurrency {
                self.decide(tag, Some(Cause::Throttled));
                return;
            }
            self.t.lambda_active[l.idx()] += 1;
            self.t.items[tag.item as usize].lambda = Some(l);
        }
        let (host, src_ip) = self.source(t);
        let deadline = now.saturating_add(tr.timeout);
        match tr.pattern {
            Pattern::Requests | Pattern::Bulk => {
                let range = if matches!(tr.from, Source::Lambda(_)) {
                    LAMBDA_PORTS
                } else {
                    LINUX_PORTS
                };
                let remote = SocketAddrV4::new(dst, tr.port);
                let Some((port, port_key)) = self.t.alloc_port(host, range, remote) else {
                    self.decide(tag, Some(Cause::Drop(DropReason::NatPortExhausted)));
                    return;
                };
                let iss = self.t.next_iss();
                let mut out = std::mem::take(&mut self.t.out);
                let tcp = Tcp::connect(SocketAddrV4::new(src_ip, port), remote, iss, now, &mut out);
                let conn = Conn {
                    tcp,
                    host,
                    key: conn_key(host, port, dst, tr.port),
                    port_key: Some(port_key),
                    tag,
                    traffic: t,
                    client: true,
                    timer_gen: 0,
                    timer_at: None,
                    opened: now,
                    responded: false,
                    done: false,
                };
                let c = self.t.add_conn(conn);
                self.t.items[tag.item as usize].conn = c;
                self.flush(c, &mut out);
                self.t.out = out;
                if tr.pattern == Pattern::Requests {
                    self.add_deadline(t, deadline, tag);
                }
            }
            Pattern::Ping => {
                let g = &mut self.t.gens[t as usize];
                g.seq = g.seq.wrapping_add(1);
                let (ident, seq) = (t as u16 + 1, g.seq);
                let key =
                    (u64::from(host_key(host)) << 32) | (u64::from(ident) << 16) | u64::from(seq);
                if let Some(old) = self.t.pings.insert(key, tag.item) {
                    let _ = old; // a wrapped sequence number replaces a long-gone ping
                }
                self.t.items[tag.item as usize].ping_key = Some(key);
                let b = packet::build::icmp_echo(
                    &packet::build::EchoSpec {
                        src: src_ip,
                        dst,
                        reply: false,
                        ident,
                        seq,
                    },
                    &[0x5a; 56],
                    64,
                    seq,
                );
                self.send(b, host, tag);
                self.add_deadline(t, deadline, tag);
            }
            Pattern::Udp => {
                let g = &mut self.t.gens[t as usize];
                if g.udp_port == 0 {
                    g.udp_port = LINUX_PORTS.0 + (t as u16 % 1000) * 7;
                }
                let sport = g.udp_port;
                let size = (tr.size as usize).min(1472);
                let payload = vec![0xa5; size];
                let b = packet::build::udp(
                    SocketAddrV4::new(src_ip, sport),
                    SocketAddrV4::new(dst, tr.port),
                    &payload,
                    64,
                    0,
                );
                // A datagram is decided when it arrives or is dropped.
                self.send(b, host, tag);
                let _ = deadline;
            }
        }
    }

    /// Sends what a connection produced and keeps its timer scheduled.
    fn flush(&mut self, c: u32, out: &mut tcp::Out) {
        let Some(conn) = self.t.conns[c as usize].as_mut() else {
            out.clear();
            return;
        };
        let (host, tag) = (conn.host, conn.tag);
        let deadline = conn.tcp.deadline;
        let mut schedule = None;
        if let Some(d) = deadline {
            if conn.timer_at.is_none_or(|t| d < t) {
                conn.timer_gen = conn.timer_gen.wrapping_add(1);
                conn.timer_at = Some(d);
                schedule = Some((d, conn.timer_gen));
            }
        }
        for b in out.drain(..) {
            self.send(b, host, tag);
        }
        if let Some((d, epoch)) = schedule {
            self.at(d, Kind::ConnTimer { conn: c, epoch });
        }
    }

    pub(crate) fn conn_timer(&mut self, c: u32, epoch: u32) {
        let now = self.now();
        let mut out = std::mem::take(&mut self.t.out);
        let Some(conn) = self.t.conns.get_mut(c as usize).and_then(Option::as_mut) else {
            self.t.out = out;
            return;
        };
        if conn.timer_gen != epoch {
            self.t.out = out;
            return;
        }
        conn.timer_at = None;
        let before = conn.tcp.retransmits;
        conn.tcp.on_timer(now, &mut out);
        let retx = conn.tcp.retransmits - before;
        let traffic = conn.traffic;
        self.metrics.traffic[traffic as usize].retransmissions += u64::from(retx);
        self.flush(c, &mut out);
        self.t.out = out;
    }

    pub(crate) fn close_after_hold(&mut self, c: u32, _gen: u32) {
        let now = self.now();
        let mut out = std::mem::take(&mut self.t.out);
        if let Some(conn) = self.t.conns.get_mut(c as usize).and_then(Option::as_mut) {
            conn.tcp.close(now, &mut out);
        }
        self.flush(c, &mut out);
        self.t.out = out;
    }

    fn add_deadline(&mut self, t: u32, at: Nanos, tag: Tag) {
        let g = &mut self.t.gens[t as usize];
        g.deadlines.push_back((at, tag));
        if !g.deadline_scheduled {
            g.deadline_scheduled = true;
            self.at(at, Kind::Deadlines { traffic: t });
        }
    }

    /// Fails every item of traffic `t` whose deadline has come.
    pub(crate) fn deadlines(&mut self, t: u32) {
        let now = self.now();
        loop {
            let g = &mut self.t.gens[t as usize];
            match g.deadlines.front().copied() {
                Some((at, tag)) if at <= now => {
                    g.deadlines.pop_front();
                    self.item_deadline(tag);
                }
                Some((at, _)) => {
                    self.at(at, Kind::Deadlines { traffic: t });
                    return;
                }
                None => {
                    g.deadline_scheduled = false;
                    return;
                }
            }
        }
    }

    fn item_deadline(&mut self, tag: Tag) {
        let item = tag.item;
        if self.t.item_info(tag).is_none() || !self.t.items[item as usize].live {
            return;
        }
        let cause = self.t.items[item as usize]
            .last_drop
            .map_or(Cause::Timeout, |(r, _)| Cause::Drop(r));
        let c = self.t.items[item as usize].conn;
        if c != u32::MAX {
            let mut out = std::mem::take(&mut self.t.out);
            if let Some(conn) = self.t.conns.get_mut(c as usize).and_then(Option::as_mut) {
                conn.tcp.abort(&mut out);
            }
            self.flush(c, &mut out);
            self.t.out = out;
            self.t.remove_conn(c);
        }
        self.decide(tag, Some(cause));
    }

    /// A datagram arrived at `at` (perhaps reported by another LP).
    pub(crate) fn item_delivered(&mut self, tag: Tag, at: Nanos, bytes: u64) {
        if self
            .t
            .item_info(tag)
            .is_some_and(|_| self.t.items[tag.item as usize].live)
        {
            self.metrics.traffic[tag.traffic as usize].bytes_delivered += bytes;
            self.decide_at(tag, None, at);
        }
    }

    /// An item is decided: delivered (`None`) or failed with a cause.
    pub(crate) fn decide(&mut self, tag: Tag, failed: Option<Cause>) {
        let now = self.now();
        self.decide_at(tag, failed, now);
    }

    fn decide_at(&mut self, tag: Tag, failed: Option<Cause>, now: Nanos) {
        let Some(it) = self.t.items.get_mut(tag.item as usize) else {
            return;
        };
        if it.epoch != tag.epoch || !it.live {
            return;
        }
        it.live = false;
        let (traffic, start, last_drop, lambda, ping) =
            (it.traffic, it.start, it.last_drop, it.lambda, it.ping_key);
        if let Some(l) = lambda {
            self.t.lambda_active[l.idx()] = self.t.lambda_active[l.idx()].saturating_sub(1);
        }
        if let Some(k) = ping {
            self.t.pings.remove(&k);
        }
        let m = &mut self.metrics.traffic[traffic as usize];
        match failed {
            None => {
                m.delivered += 1;
                m.record_completion(Nanos(now.0 - start.0));
            }
            Some(cause) => {
                m.failed += 1;
                let place = match cause {
                    Cause::Drop(_) => last_drop.map(|(_, p)| p),
                    _ => None,
                };
                *m.failures.entry((cause, place)).or_default() += 1;
            }
        }
        for &e in &self.watch.by_traffic[traffic as usize] {
            if in_window(&self.design.expects[e as usize], start) {
                let st = &mut self.metrics.expects[e as usize];
                if failed.is_none() {
                    st.delivered += 1;
                } else {
                    st.failed += 1;
                }
            }
        }
        // Keep the slot until no packet can name it: gens make late packets
        // harmless, so the slot is free at once.
        self.t.free_items.push(tag.item);
    }

    /// A packet of an item was dropped: remember it; pings and datagrams,
    /// which are not retried, fail at once.
    pub(crate) fn item_dropped(&mut self, tag: Tag, reason: DropReason, place: Place) {
        let Some((traffic, _)) = self.t.item_info(tag) else {
            return;
        };
        let it = &mut self.t.items[tag.item as usize];
        if !it.live {
            return;
        }
        it.last_drop = Some((reason, place));
        let pattern = self.design.traffic[traffic as usize].pattern;
        if matches!(pattern, Pattern::Ping | Pattern::Udp) {
            self.decide(tag, Some(Cause::Drop(reason)));
        }
    }

    /// Items still undecided at the end are unfinished.
    pub(crate) fn finish_items(&mut self) {
        for i in 0..self.t.items.len() {
            let it = &self.t.items[i];
            if !it.live {
                continue;
            }
            let (traffic, start) = (it.traffic, it.start);
            self.metrics.traffic[traffic as usize].unfinished += 1;
            for &e in &self.watch.by_traffic[traffic as usize] {
                if in_window(&self.design.expects[e as usize], start) {
                    self.metrics.expects[e as usize].unfinished += 1;
                }
            }
        }
        for c in self.t.conns.iter().flatten() {
            self.metrics.traffic[c.traffic as usize].corrupt_bytes += c.tcp.corrupt;
        }
    }

    /// A packet reached a host.
    pub(crate) fn deliver(&mut self, h: Host, buf: &[u8], tag: Tag) {
        let Ok(v) = packet::parse(buf) else { return };
        match v.proto {
            PROTO_TCP => self.deliver_tcp(h, buf, &v, tag),
            PROTO_UDP => {
                if host_listens(&self.design, h, PROTO_UDP, v.dst_port) {
                    if tag.toward && !tag.is_none() {
                        let now = self.now();
                        let bytes = u64::from(v.payload_len);
                        if self.owns_item(tag) {
                            self.item_delivered(tag, now, bytes);
                        } else {
                            let lp = self.owner_of(tag);
                            let at = now.saturating_add(self.part.lookahead);
                            self.post(
                                lp,
                                at,
                                Kind::ItemDelivered {
                                    tag,
                                    at: now,
                                    bytes,
                                },
                            );
                        }
                    }
                } else {
                    let icmp =
                        packet::build::icmp_error(v.dst, buf, packet::ICMP_DEST_UNREACHABLE, 3, 64);
                    self.send(
                        icmp,
                        h,
                        Tag {
                            toward: false,
                            ..tag
                        },
                    );
                    let place = host_place(&self.design, h);
                    self.record_drop(tag, DropReason::PortUnreachable, place);
                }
            }
            PROTO_ICMP if v.icmp_type == packet::ICMP_ECHO_REQUEST => {
                let reply = packet::build::icmp_echo(
                    &packet::build::EchoSpec {
                        src: v.dst,
                        dst: v.src,
                        reply: true,
                        ident: v.src_port,
                        seq: echo_seq(buf),
                    },
                    &[0x5a; 56],
                    64,
                    0,
                );
                self.send(
                    reply,
                    h,
                    Tag {
                        toward: false,
                        ..tag
                    },
                );
            }
            PROTO_ICMP if v.icmp_type == packet::ICMP_ECHO_REPLY => {
                let key = (u64::from(host_key(h)) << 32)
                    | (u64::from(v.dst_port) << 16)
                    | u64::from(echo_seq(buf));
                if let Some(item) = self.t.pings.get(&key).copied() {
                    let it = &self.t.items[item as usize];
                    let tag = Tag {
                        item,
                        epoch: it.epoch,
                        toward: true,
                        traffic: it.traffic,
                        start: it.start,
                    };
                    self.decide(tag, None);
                }
            }
            _ => {}
        }
    }

    fn deliver_tcp(&mut self, h: Host, buf: &[u8], v: &packet::FlowView, tag: Tag) {
        let now = self.now();
        let Some(seg) = tcp::segment(buf) else { return };
        let key = conn_key(h, v.dst_port, v.src, v.src_port);
        let mut out = std::mem::take(&mut self.t.out);
        match self.t.demux.get(&key).copied() {
            Some(c) => {
                let conn = self.t.conns[c as usize]
                    .as_mut()
                    .expect("demux points at a live connection");
                let ev = conn.tcp.on_segment(&seg, now, &mut out);
                let (client, traffic, ctag) = (conn.client, conn.traffic, conn.tag);
                let tr = &self.design.traffic[traffic as usize];
                let (request, response, hold, pattern, size) =
                    (tr.request, tr.response, tr.hold, tr.pattern, tr.size);
                if ev.connected && client {
                    let opened = conn.opened;
                    self.metrics.traffic[traffic as usize].record_setup(Nanos(now.0 - opened.0));
                    let conn = self.t.conns[c as usize].as_mut().expect("live");
                    match pattern {
                        Pattern::Bulk => {
                            conn.tcp.write(size, now, &mut out);
                            conn.tcp.close(now, &mut out);
                        }
                        _ => conn.tcp.write(request, now, &mut out),
                    }
                }
                let conn = self.t.conns[c as usize].as_mut().expect("live");
                if client {
                    if pattern == Pattern::Requests && !conn.done && conn.tcp.rcv >= response {
                        conn.done = true;
                        self.metrics.traffic[traffic as usize].bytes_delivered += response;
                        self.decide(ctag, None);
                        if hold == Nanos::ZERO {
                            let conn = self.t.conns[c as usize].as_mut().expect("live");
                            conn.tcp.close(now, &mut out);
                        } else {
                            self.at(now.saturating_add(hold), Kind::Close { conn: c, epoch: 0 });
                        }
                    }
                    let conn = self.t.conns[c as usize].as_mut().expect("live");
                    if pattern == Pattern::Bulk && !conn.done && ev.all_acked {
                        conn.done = true;
                        self.metrics.traffic[traffic as usize].bytes_delivered += size;
                        self.decide(ctag, None);
                    }
                    if ev.peer_fin {
                        let conn = self.t.conns[c as usize].as_mut().expect("live");
                        conn.tcp.close(now, &mut out);
                    }
                } else {
                    if !conn.responded && conn.tcp.rcv >= request && pattern == Pattern::Requests {
                        conn.responded = true;
                        conn.tcp.write(response, now, &mut out);
                    }
                    if ev.peer_fin {
                        conn.tcp.close(now, &mut out);
                    }
                }
                if ev.reset && client {
                    let cause = self
                        .t
                        .item_info(ctag)
                        .and_then(|_| self.t.items[ctag.item as usize].last_drop);
                    self.decide(
                        ctag,
                        Some(cause.map_or(Cause::Reset, |(r, _)| Cause::Drop(r))),
                    );
                }
                self.flush(c, &mut out);
                let conn = self.t.conns[c as usize].as_ref().expect("live");
                let finished = !conn.tcp.is_open();
                if finished {
                    let retx = conn.tcp.retransmits;
                    let corrupt = conn.tcp.corrupt;
                    let _ = retx;
                    self.metrics.traffic[traffic as usize].corrupt_bytes += corrupt;
                    self.t.remove_conn(c);
                }
            }
            None => {
                let syn = seg.flags & tcp_flags::SYN != 0 && seg.flags & tcp_flags::ACK == 0;
                if syn && host_listens(&self.design, h, PROTO_TCP, v.dst_port) {
                    let iss = self.t.next_iss();
                    let local = SocketAddrV4::new(v.dst, v.dst_port);
                    let remote = SocketAddrV4::new(v.src, v.src_port);
                    let tcp = Tcp::accept(local, remote, iss, &seg, now, &mut out);
                    let traffic = if tag.is_none() { 0 } else { tag.traffic };
                    let conn = Conn {
                        tcp,
                        host: h,
                        key,
                        port_key: None,
                        tag: Tag {
                            toward: false,
                            ..tag
                        },
                        traffic,
                        client: false,
                        timer_gen: 0,
                        timer_at: None,
                        opened: now,
                        responded: false,
                        done: false,
                    };
                    let c = self.t.add_conn(conn);
                    self.flush(c, &mut out);
                } else if seg.flags & tcp_flags::RST == 0 {
                    // No listener (or no connection): answer RST.
                    let spec = packet::build::TcpSpec {
                        src: SocketAddrV4::new(v.dst, v.dst_port),
                        dst: SocketAddrV4::new(v.src, v.src_port),
                        seq: if seg.flags & tcp_flags::ACK != 0 {
                            seg.ack
                        } else {
                            0
                        },
                        ack: seg
                            .seq
                            .wrapping_add(seg.payload.len() as u32)
                            .wrapping_add(u32::from(syn)),
                        flags: tcp_flags::RST | tcp_flags::ACK,
                        window: 0,
                    };
                    let rst = packet::build::tcp(&spec, &[], 64, 0);
                    self.send(
                        rst,
                        h,
                        Tag {
                            toward: false,
                            ..tag
                        },
                    );
                    if syn {
                        let place = host_place(&self.design, h);
                        self.record_drop(tag, DropReason::PortUnreachable, place);
                    }
                }
            }
        }
        out.clear();
        self.t.out = out;
    }
}

type Traffic_ = crate::model::Traffic;

/// The sequence number of an ICMP echo message.
fn echo_seq(buf: &[u8]) -> u16 {
    let ihl = usize::from(buf.first().map_or(5, |b| b & 0x0f)) * 4;
    match buf.get(ihl + 6..ihl + 8) {
        Some(b) => u16::from_be_bytes([b[0], b[1]]),
        None => 0,
    }
}
