//! VPC Flow Logs (FL-1..FL-5): one record per ENI, per flow as the ENI sees
//! it, per aggregation interval.
//!
//! A record's flow is the 5-tuple of the packets at that ENI together with
//! the direction, the packet-level addresses and the action, so accepted and
//! rejected packets of one flow make two records, as AWS writes them.
//! `srcaddr` is the ENI's own address for traffic it sends and `dstaddr` for
//! traffic it receives; `pkt-srcaddr`/`pkt-dstaddr` are the addresses in the
//! packet, so they differ from `srcaddr`/`dstaddr` at a NAT gateway's ENI
//! (FL-4), exactly as in AWS's NAT gateway example. `action` is REJECT when
//! the ENI's security groups or its subnet's NACL dropped the packet (FL-3);
//! a packet that passed them and was dropped further on (no route, a
//! blackhole) was accepted at the ENI. Traffic to and from the Amazon DNS
//! resolver, DHCP, link-local services and the VPC router's reserved
//! addresses is not logged (FL-5). `packets` counts IP packets and `bytes`
//! their IP lengths, headers included, so each fragment is a packet; a
//! later fragment, which has no ports, counts in its datagram's flow
//! (FL-6).
//!
//! Intervals are aligned on multiples of the interval from virtual time 0,
//! which is [`super::EPOCH_UNIX_SECS`]. `start` is the second of the first
//! packet of the record and `end` the second after its last (rounded up);
//! a NODATA record spans its whole interval. The last interval is closed at
//! the end of the run. Every completed interval is written at once, sorted
//! by interface id then time then fields, so memory holds one interval's
//! flows. The file is written whole or not at all.

use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use ipnet::Ipv4Net;

use super::EPOCH_UNIX_SECS;
use super::gather::Gather;
use super::outfile::{FileError, Spool};
use crate::dataplane::mtu::FRAGMENT_ENTRIES;
use crate::dataplane::{Arrival, Loc, Seen};
use crate::hashing::FastMap;
use crate::model::*;
use crate::packet::{self, Fragment, PROTO_TCP, PROTO_UDP, fragment};
use crate::sim::Recorder;
use crate::units::Nanos;

/// A field of a flow log record, in AWS's names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    Version,
    AccountId,
    InterfaceId,
    SrcAddr,
    DstAddr,
    SrcPort,
    DstPort,
    Protocol,
    Packets,
    Bytes,
    Start,
    End,
    Action,
    LogStatus,
    VpcId,
    SubnetId,
    InstanceId,
    TcpFlags,
    Type,
    PktSrcAddr,
    PktDstAddr,
    Region,
    AzId,
    SublocationType,
    SublocationId,
    PktSrcAwsService,
    PktDstAwsService,
    FlowDirection,
    TrafficPath,
}

/// Every field: its name and the version that introduced it (FL-1, FL-4).
pub const FIELDS: [(Field, &str, u8); 29] = [
    (Field::Version, "version", 2),
    (Field::AccountId, "account-id", 2),
    (Field::InterfaceId, "interface-id", 2),
    (Field::SrcAddr, "srcaddr", 2),
    (Field::DstAddr, "dstaddr", 2),
    (Field::SrcPort, "srcport", 2),
    (Field::DstPort, "dstport", 2),
    (Field::Protocol, "protocol", 2),
    (Field::Packets, "packets", 2),
    (Field::Bytes, "bytes", 2),
    (Field::Start, "start", 2),
    (Field::End, "end", 2),
    (Field::Action, "action", 2),
    (Field::LogStatus, "log-status", 2),
    (Field::VpcId, "vpc-id", 3),
    (Field::SubnetId, "subnet-id", 3),
    (Field::InstanceId, "instance-id", 3),
    (Field::TcpFlags, "tcp-flags", 3),
    (Field::Type, "type", 3),
    (Field::PktSrcAddr, "pkt-srcaddr", 3),
    (Field::PktDstAddr, "pkt-dstaddr", 3),
    (Field::Region, "region", 4),
    (Field::AzId, "az-id", 4),
    (Field::SublocationType, "sublocation-type", 4),
    (Field::SublocationId, "sublocation-id", 4),
    (Field::PktSrcAwsService, "pkt-src-aws-service", 5),
    (Field::PktDstAwsService, "pkt-dst-aws-service", 5),
    (Field::FlowDirection, "flow-direction", 5),
    (Field::TrafficPath, "traffic-path", 5),
];

/// The default format (FL-1): the 14 fields of version 2.
pub fn default_fields() -> Vec<Field> {
    FIELDS[..14].iter().map(|f| f.0).collect()
}

fn field_version(f: Field) -> u8 {
    FIELDS.iter().find(|x| x.0 == f).map_or(2, |x| x.2)
}

/// Why `--flow-log-format` or `--flow-log-interval` cannot be used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FlowLogOptionError {
    #[error(
        "flow log format: `{0}` is not a field; write fields as ${{name}}, separated by spaces"
    )]
    NotAField(String),
    #[error(
        "flow log format: unknown field `{name}`; known fields: {}",
        known_fields()
    )]
    UnknownField { name: String },
    #[error("flow log format: no field")]
    NoField,
    #[error("--flow-log-interval: {0}")]
    Interval(crate::units::UnitError),
    /// The interval as written.
    #[error("--flow-log-interval: AWS aggregates over 60s or 600s, not {0}")]
    NotOffered(String),
}

/// The names of the fields of the format, in AWS's order.
fn known_fields() -> String {
    FIELDS.iter().map(|x| x.1).collect::<Vec<&str>>().join(" ")
}

/// Parses a format in AWS's syntax: `${field}` tokens separated by spaces.
pub fn parse_format(text: &str) -> Result<Vec<Field>, FlowLogOptionError> {
    let mut out = Vec::new();
    for tok in text.split_whitespace() {
        let name = tok
            .strip_prefix("${")
            .and_then(|t| t.strip_suffix('}'))
            .ok_or_else(|| FlowLogOptionError::NotAField(tok.to_string()))?;
        let f = FIELDS.iter().find(|x| x.1 == name).ok_or_else(|| {
            FlowLogOptionError::UnknownField {
                name: name.to_string(),
            }
        })?;
        out.push(f.0);
    }
    if out.is_empty() {
        return Err(FlowLogOptionError::NoField);
    }
    Ok(out)
}

/// `60s` or `600s` (or `1m`, `10m`): the intervals AWS offers (FL-2).
pub fn parse_interval(text: &str) -> Result<Nanos, FlowLogOptionError> {
    let d = crate::units::parse_duration(text).map_err(FlowLogOptionError::Interval)?;
    if d == Nanos::from_secs(60) || d == Nanos::from_secs(600) {
        Ok(d)
    } else {
        Err(FlowLogOptionError::NotOffered(text.to_string()))
    }
}

/// What was written, once the run is over.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Written {
    pub path: PathBuf,
    pub records: u64,
}

/// Where the outcome is left for the caller: `None` until the run finishes.
/// Why the flow log file was not written.
#[derive(Debug, thiserror::Error)]
pub enum FlowLogWriteError {
    #[error(transparent)]
    File(#[from] FileError),
    #[error("flow logs were already written")]
    AlreadyWritten,
}

pub type Status = Arc<Mutex<Option<Result<Written, FlowLogWriteError>>>>;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
struct Key {
    eni: u32,
    egress: bool,
    src: u32,
    dst: u32,
    sport: u16,
    dport: u16,
    proto: u8,
    psrc: u32,
    pdst: u32,
    reject: bool,
}

#[derive(Clone, Copy, Debug)]
struct Agg {
    packets: u64,
    bytes: u64,
    first: u64,
    last: u64,
    flags: u8,
    /// FL-4 traffic-path of egress records; 0 unknown.
    path: u8,
}

/// A record as an LP hands it over: (interval, its ENI's place in the
/// file's order, the line).
type Line = (u64, u32, String);

/// What every LP's recorder of one flow log file shares.
struct Setup {
    fields: Vec<Field>,
    version: u8,
    interval: u64,
    /// Logged ENIs by interface id: the order of records in an interval.
    order: Vec<EniId>,
    deleted: Vec<Option<Nanos>>,
    service_ips: FastMap<u32, &'static str>,
    service_nets: Vec<(Ipv4Net, &'static str)>,
}

/// The file, written a window at a time once every LP has handed its part
/// (see [`super::gather`]).
struct Sink {
    out: Option<Spool>,
    error: Option<FileError>,
    records: u64,
    gather: Gather<Vec<Line>>,
    status: Status,
}

impl Sink {
    /// Writes the records of a complete window: by interval, then ENI,
    /// then as the ENI's LP ordered them.
    fn write(
        out: &mut Option<Spool>,
        error: &mut Option<FileError>,
        records: &mut u64,
        parts: Vec<Vec<Line>>,
    ) {
        let mut all: Vec<Line> = parts.into_iter().flatten().collect();
        all.sort_by_key(|l| (l.0, l.1));
        for (_, _, line) in all {
            let Some(o) = out.as_mut() else { return };
            let r = o.push(line.as_bytes()).and_then(|_| o.push(b"\n"));
            if let Err(e) = r {
                *error = Some(FileError {
                    path: o.dest().to_path_buf(),
                    source: e,
                });
                *out = None;
                return;
            }
            *records += 1;
        }
    }

    fn finish(&mut self) {
        let result = match (self.error.take(), self.out.take()) {
            (Some(e), _) => Err(e.into()),
            (None, Some(out)) => {
                let path = out.dest().to_path_buf();
                out.commit()
                    .map(|_| Written {
                        path: path.clone(),
                        records: self.records,
                    })
                    .map_err(|source| FileError { path, source }.into())
            }
            (None, None) => Err(FlowLogWriteError::AlreadyWritten),
        };
        if let Ok(mut s) = self.status.lock() {
            *s = Some(result);
        }
    }
}

/// One flow log file of a run, written by a recorder in each LP.
pub struct FlowLogFile {
    d: Arc<Design>,
    setup: Arc<Setup>,
    sink: Arc<Mutex<Sink>>,
}

impl FlowLogFile {
    /// Starts the file at `path` for a run of `lps` LPs; `fields` in the
    /// order they are written.
    pub fn create(
        d: Arc<Design>,
        path: &Path,
        interval: Nanos,
        fields: Vec<Field>,
        lps: u32,
    ) -> std::io::Result<(FlowLogFile, Status)> {
        let out = Spool::create(path)?;
        let mut order: Vec<EniId> = (0..d.enis.len()).map(EniId::from_idx).collect();
        order.sort_by(|a, b| d.enis[a.idx()].name.cmp(&d.enis[b.idx()].name));
        let mut service_ips = FastMap::default();
        for s in &d.aws_services {
            for ip in &s.ips {
                service_ips.insert(u32::from(*ip), aws_service_code(&s.service));
            }
        }
        let mut service_nets = Vec::new();
        for p in &d.prefix_lists {
            if let Some(svc) = p.list_name.rsplit('.').next() {
                if p.list_name.starts_with("com.amazonaws.") {
                    for c in &p.cidrs {
                        service_nets.push((*c, aws_service_code(svc)));
                    }
                }
            }
        }
        let version = fields.iter().map(|f| field_version(*f)).max().unwrap_or(2);
        let status: Status = Arc::new(Mutex::new(None));
        let setup = Setup {
            fields,
            version,
            interval: interval.0.max(1),
            order,
            deleted: super::eni_deleted_at(&d),
            service_ips,
            service_nets,
        };
        let sink = Sink {
            out: Some(out),
            error: None,
            records: 0,
            gather: Gather::new(lps),
            status: Arc::clone(&status),
        };
        Ok((
            FlowLogFile {
                d,
                setup: Arc::new(setup),
                sink: Arc::new(Mutex::new(sink)),
            },
            status,
        ))
    }

    /// The recorder of LP `lp`, which writes NODATA records for the ENIs
    /// that `owns` says are its own.
    pub fn recorder(&self, lp: u32, owns: impl Fn(EniId) -> bool) -> FlowLogs {
        let own = self.setup.order.iter().map(|e| owns(*e)).collect();
        FlowLogs {
            d: Arc::clone(&self.d),
            setup: Arc::clone(&self.setup),
            sink: Arc::clone(&self.sink),
            lp,
            own,
            agg: Aggregate::default(),
            lines: Vec::new(),
        }
    }
}

/// The flows an LP saw in the current interval.
#[derive(Default)]
struct Aggregate {
    current: u64,
    flows: FastMap<Key, Agg>,
    /// The ports of each datagram's first fragment seen at an ENI, by ENI
    /// and datagram, for its later fragments (MTU-3, FL-2); at most
    /// `FRAGMENT_ENTRIES`, then forgotten all at once.
    fragments: FastMap<(u32, u128), (u16, u16)>,
}

/// The flow log recorder of one LP.
pub struct FlowLogs {
    d: Arc<Design>,
    setup: Arc<Setup>,
    sink: Arc<Mutex<Sink>>,
    lp: u32,
    /// Per ENI of `setup.order`: whether it is this LP's.
    own: Vec<bool>,
    agg: Aggregate,
    /// Records of the intervals closed in the current window.
    lines: Vec<Line>,
}

impl FlowLogs {
    /// Closes interval `k` at `end` (ns of virtual time).
    fn flush(&mut self, k: u64, end: u64) {
        let st = &*self.setup;
        let d = &*self.d;
        let start = k * st.interval;
        let flows = std::mem::take(&mut self.agg.flows);
        let mut by_eni: FastMap<u32, Vec<(Key, Agg)>> = FastMap::default();
        for (key, agg) in flows {
            by_eni.entry(key.eni).or_default().push((key, agg));
        }
        for (rank, &e) in st.order.iter().enumerate() {
            match by_eni.remove(&e.0) {
                Some(mut recs) => {
                    recs.sort_by_key(|(k, a)| (secs_floor(a.first), secs_ceil(a.last), *k));
                    for (key, agg) in recs {
                        let line = st.line(d, e, Some((&key, &agg)), start, end);
                        self.lines.push((k, rank as u32, line));
                    }
                }
                None if self.own[rank] => {
                    let gone = st.deleted[e.idx()].is_some_and(|t| t.0 <= start);
                    if !gone {
                        let line = st.line(d, e, None, start, end);
                        self.lines.push((k, rank as u32, line));
                    }
                }
                None => {}
            }
        }
    }

    /// Closes every interval that ends by `now`.
    fn advance(&mut self, now: Nanos) {
        let interval = self.setup.interval;
        while now.0 >= (self.agg.current + 1) * interval {
            let end = (self.agg.current + 1) * interval;
            self.flush(self.agg.current, end);
            self.agg.current += 1;
        }
    }

    /// Hands the closed intervals' records to the file.
    fn hand_over(&mut self) -> Option<std::sync::MutexGuard<'_, Sink>> {
        let lines = std::mem::take(&mut self.lines);
        let mut guard = self.sink.lock().ok()?;
        let Sink {
            out,
            error,
            records,
            gather,
            ..
        } = &mut *guard;
        gather.put(self.lp, lines, |parts| {
            Sink::write(out, error, records, parts)
        });
        Some(guard)
    }
}

impl Aggregate {
    /// Counts a packet that left or reached an ENI (FL-1, FL-3); a packet
    /// that found no ENI there to take it is not logged.
    fn record(&mut self, d: &Design, now: Nanos, seen: &Seen<'_>) {
        let (eni, egress, bytes, reject, next) = match *seen {
            Seen::EniOut {
                eni,
                bytes,
                reject,
                next,
            } => (eni, true, bytes, reject, next),
            Seen::EniIn {
                eni,
                bytes,
                arrival: Arrival::Accepted,
                ..
            } => (eni, false, bytes, false, None),
            Seen::EniIn {
                eni,
                bytes,
                arrival: Arrival::Rejected,
                ..
            } => (eni, false, bytes, true, None),
            _ => return,
        };
        let Ok(v) = packet::parse(bytes) else {
            return;
        };
        let e = &d.enis[eni.idx()];
        if unlogged(d, e.vpc, v.src) || unlogged(d, e.vpc, v.dst) {
            return;
        }
        if matches!(v.proto, PROTO_UDP) && matches!((v.src_port, v.dst_port), (67, 68) | (68, 67)) {
            return; // DHCP (FL-5)
        }
        let ports = matches!(v.proto, PROTO_TCP | PROTO_UDP);
        // A later fragment carries no ports: it counts in its datagram's
        // flow, with the ports its first fragment had at this ENI.
        let (sport, dport) = match v.fragment {
            Fragment::None => (v.src_port, v.dst_port),
            Fragment::First => {
                if self.fragments.len() >= FRAGMENT_ENTRIES {
                    self.fragments.clear();
                }
                self.fragments
                    .insert((eni.0, fragment::key(bytes)), (v.src_port, v.dst_port));
                (v.src_port, v.dst_port)
            }
            Fragment::Later => self
                .fragments
                .get(&(eni.0, fragment::key(bytes)))
                .copied()
                .unwrap_or((0, 0)),
        };
        let (src, dst) = if egress { (e.ip, v.dst) } else { (v.src, e.ip) };
        let key = Key {
            eni: eni.0,
            egress,
            src: u32::from(src),
            dst: u32::from(dst),
            sport: if ports { sport } else { 0 },
            dport: if ports { dport } else { 0 },
            proto: v.proto,
            psrc: u32::from(v.src),
            pdst: u32::from(v.dst),
            reject,
        };
        let path = if egress { traffic_path(d, next) } else { 0 };
        let flags = if v.proto == PROTO_TCP {
            logged_tcp_flags(v.tcp_flags)
        } else {
            0
        };
        let a = self.flows.entry(key).or_insert(Agg {
            packets: 0,
            bytes: 0,
            first: now.0,
            last: now.0,
            flags: 0,
            path,
        });
        a.packets += 1;
        a.bytes += bytes.len() as u64;
        a.last = now.0;
        a.flags |= flags;
        if a.path == 0 {
            a.path = path;
        }
    }
}

impl Setup {
    fn service_of(&self, ip: u32) -> &'static str {
        if let Some(s) = self.service_ips.get(&ip) {
            return s;
        }
        let a = Ipv4Addr::from(ip);
        self.service_nets
            .iter()
            .find(|(n, _)| n.contains(&a))
            .map_or("-", |(_, s)| s)
    }

    fn line(
        &self,
        d: &Design,
        e: EniId,
        rec: Option<(&Key, &Agg)>,
        start: u64,
        end: u64,
    ) -> String {
        let eni = &d.enis[e.idx()];
        let subnet = &d.subnets[eni.subnet.idx()];
        let mut parts: Vec<String> = Vec::with_capacity(self.fields.len());
        for f in &self.fields {
            let s = match (f, rec) {
                (Field::Version, _) => self.version.to_string(),
                (Field::AccountId, _) => d.account_id.clone(),
                (Field::InterfaceId, _) => eni.name.clone(),
                (Field::Start, None) => (EPOCH_UNIX_SECS + secs_floor(start)).to_string(),
                (Field::End, None) => (EPOCH_UNIX_SECS + secs_ceil(end)).to_string(),
                (Field::LogStatus, None) => "NODATA".to_string(),
                (_, None) => "-".to_string(),
                (f, Some((k, a))) => self.value(d, *f, e, subnet, k, a),
            };
            parts.push(s);
        }
        parts.join(" ")
    }
    fn value(&self, d: &Design, f: Field, e: EniId, subnet: &Subnet, k: &Key, a: &Agg) -> String {
        let eni = &d.enis[e.idx()];
        let ip = |x: u32| Ipv4Addr::from(x).to_string();
        match f {
            Field::Version => self.version.to_string(),
            Field::AccountId => d.account_id.clone(),
            Field::InterfaceId => eni.name.clone(),
            Field::SrcAddr => ip(k.src),
            Field::DstAddr => ip(k.dst),
            Field::SrcPort => k.sport.to_string(),
            Field::DstPort => k.dport.to_string(),
            Field::Protocol => k.proto.to_string(),
            Field::Packets => a.packets.to_string(),
            Field::Bytes => a.bytes.to_string(),
            Field::Start => (EPOCH_UNIX_SECS + secs_floor(a.first)).to_string(),
            Field::End => {
                (EPOCH_UNIX_SECS + secs_ceil(a.last).max(secs_floor(a.first) + 1)).to_string()
            }
            Field::Action => if k.reject { "REJECT" } else { "ACCEPT" }.to_string(),
            Field::LogStatus => "OK".to_string(),
            Field::VpcId => d.vpcs[eni.vpc.idx()].name.clone(),
            Field::SubnetId => subnet.name.clone(),
            Field::InstanceId => match eni.owner {
                EniOwner::Instance(i) => d.instances[i.idx()].name.clone(),
                _ => "-".to_string(),
            },
            Field::TcpFlags => {
                if k.proto == PROTO_TCP {
                    a.flags.to_string()
                } else {
                    "-".to_string()
                }
            }
            Field::Type => "IPv4".to_string(),
            Field::PktSrcAddr => ip(k.psrc),
            Field::PktDstAddr => ip(k.pdst),
            // The Region of the ENI's VPC: the far side of a peering or a
            // transit gateway peering may be in another (ADDR-6).
            Field::Region => d.vpcs[eni.vpc.idx()].region.clone(),
            Field::AzId => az_id(&d.vpcs[eni.vpc.idx()].region, &subnet.az),
            Field::SublocationType | Field::SublocationId => "-".to_string(),
            Field::PktSrcAwsService => self.service_of(k.psrc).to_string(),
            Field::PktDstAwsService => self.service_of(k.pdst).to_string(),
            Field::FlowDirection => if k.egress { "egress" } else { "ingress" }.to_string(),
            Field::TrafficPath => {
                if k.egress && a.path != 0 {
                    a.path.to_string()
                } else {
                    "-".to_string()
                }
            }
        }
    }
}

impl Recorder for FlowLogs {
    fn seen(&mut self, now: Nanos, seen: &Seen<'_>) {
        self.advance(now);
        let FlowLogs { d, agg, .. } = self;
        agg.record(d, now, seen);
    }

    fn tick(&mut self, until: Nanos) {
        // Every event before `until` is handled: intervals ending by then
        // are complete. A window can reach past the end of the run; the
        // intervals there are not.
        self.advance(until.min(self.d.duration));
        self.hand_over();
    }

    fn finish(&mut self, end: Nanos) {
        let interval = self.setup.interval;
        // The intervals not yet closed, the last one ending at `end`; none
        // if the last one already closed on the end (so no interval of
        // length zero is written).
        let last = if end.0 == 0 {
            0
        } else {
            (end.0 - 1) / interval
        };
        for k in self.agg.current..=last {
            let close = ((k + 1) * interval).min(end.0.max(k * interval));
            self.flush(k, close);
        }
        self.agg.current = self.agg.current.max(last + 1);
        let lp = self.lp;
        if let Some(mut sink) = self.hand_over() {
            if sink.gather.finish(lp) {
                sink.finish();
            }
        }
    }
}

/// The flags of one TCP packet that a record's `tcp-flags` takes (FL-4):
/// FIN 1, SYN 2, RST 4, and ACK 16 only with SYN (a SYN-ACK is 18); AWS
/// logs no ACK or PSH on their own, nor URG.
fn logged_tcp_flags(f: u8) -> u8 {
    use crate::packet::tcp_flags::{ACK, FIN, RST, SYN};
    let mut out = f & (FIN | SYN | RST);
    if f & SYN != 0 {
        out |= f & ACK;
    }
    out
}

fn secs_floor(ns: u64) -> u64 {
    ns / 1_000_000_000
}

fn secs_ceil(ns: u64) -> u64 {
    ns.div_ceil(1_000_000_000)
}

/// FL-4 traffic-path of a packet leaving an ENI, from where it went next:
/// 1 within the VPC, 3 a VPN gateway, 4 a peering connection within a
/// Region, 5 one between Regions, 7 a gateway endpoint, 8 an internet
/// gateway (the codes of Nitro instances, which AWS writes for current
/// instance types).
fn traffic_path(d: &Design, next: Option<Loc>) -> u8 {
    match next {
        Some(Loc::EniIn { .. }) => 1,
        Some(Loc::Vgw { .. }) => 3,
        Some(Loc::Peering { peering, .. }) if d.peerings[peering.idx()].inter_region => 5,
        Some(Loc::Peering { .. }) => 4,
        Some(Loc::GatewayEndpoint { .. }) => 7,
        Some(Loc::Igw { .. }) => 8,
        _ => 0,
    }
}

/// Addresses whose traffic AWS does not log (FL-5): link-local services
/// (metadata, time sync, the resolver's 169.254.169.253, license activation)
/// and the reserved first addresses of the VPC's subnets and CIDRs (the VPC
/// router at +1, the Amazon DNS resolver at +2, +3).
fn unlogged(d: &Design, vpc: VpcId, ip: Ipv4Addr) -> bool {
    if ip.is_link_local() {
        return true;
    }
    let x = u32::from(ip);
    let reserved = |net: &Ipv4Net| {
        let base = u32::from(net.network());
        (base + 1..=base + 3).contains(&x)
    };
    let Some(v) = d.vpcs.get(vpc.idx()) else {
        return false;
    };
    v.cidrs.iter().any(reserved) || v.subnets.iter().any(|s| reserved(&d.subnets[s.idx()].cidr))
}

/// AWS's name of a service in `pkt-src-aws-service` (FL-4).
fn aws_service_code(service: &str) -> &'static str {
    match service.to_ascii_lowercase().as_str() {
        "s3" => "S3",
        "dynamodb" => "DYNAMODB",
        "ec2" => "EC2",
        "route53" => "ROUTE53",
        "cloudfront" => "CLOUDFRONT",
        "execute-api" | "apigateway" => "API_GATEWAY",
        "codebuild" => "CODEBUILD",
        "ebs" => "EBS",
        _ => "AMAZON",
    }
}

/// An AZ id in AWS's form (`use1-az1`) derived from the AZ name: the
/// region's short code and the letter's position. AWS maps names to ids per
/// account; this is a stable stand-in.
pub fn az_id(region: &str, az: &str) -> String {
    let mut code = String::new();
    let parts: Vec<&str> = region.split('-').collect();
    if let [geo, dir @ .., num] = parts.as_slice() {
        code.push_str(geo);
        for w in dir {
            code.push_str(match *w {
                "east" => "e",
                "west" => "w",
                "north" => "n",
                "south" => "s",
                "central" => "c",
                "northeast" => "ne",
                "northwest" => "nw",
                "southeast" => "se",
                "southwest" => "sw",
                other => other,
            });
        }
        code.push_str(num);
    } else {
        code.push_str(region);
    }
    let n = az
        .strip_prefix(region)
        .and_then(|s| s.chars().next())
        .filter(|c| c.is_ascii_lowercase())
        .map_or(1, |c| u32::from(c) - u32::from('a') + 1);
    format!("{code}-az{n}")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// FL-4: a record's `tcp-flags` holds FIN, SYN, RST and a SYN-ACK's 18,
    /// never ACK, PSH or URG on their own: a client's side of a whole
    /// connection is 3 (SYN, FIN), the server's 19 (SYN-ACK, FIN), a reset
    /// answered to a SYN 4.
    #[test]
    fn fl_4_tcp_flags_are_fin_syn_rst_and_syn_ack_only() {
        use crate::packet::tcp_flags::{ACK, FIN, PSH, RST, SYN, URG};
        let record = |packets: &[u8]| packets.iter().fold(0, |a, f| a | logged_tcp_flags(*f));
        assert_eq!(record(&[SYN, ACK, PSH | ACK, FIN | ACK, ACK]), 3);
        assert_eq!(record(&[SYN | ACK, PSH | ACK, FIN | ACK]), 19);
        assert_eq!(record(&[RST | ACK]), 4);
        assert_eq!(record(&[ACK, PSH | ACK, URG | ACK]), 0);
        assert_eq!(record(&[SYN | ACK]), 18);
    }

    #[test]
    fn formats_parse_in_aws_syntax() {
        let f = parse_format("${version} ${vpc-id} ${pkt-srcaddr}  ${traffic-path}").unwrap();
        assert_eq!(
            f,
            vec![
                Field::Version,
                Field::VpcId,
                Field::PktSrcAddr,
                Field::TrafficPath
            ]
        );
        assert_eq!(f.iter().map(|x| field_version(*x)).max(), Some(5));
        let e = parse_format("${nope}").unwrap_err();
        assert_eq!(
            e,
            FlowLogOptionError::UnknownField {
                name: "nope".to_string()
            }
        );
        assert!(
            e.to_string()
                .contains("unknown field `nope`; known fields: version ")
        );
        assert!(parse_format("version").is_err());
        assert!(parse_format("  ").is_err());
        assert_eq!(default_fields().len(), 14);
    }

    #[test]
    fn intervals_are_the_two_aws_offers() {
        assert_eq!(parse_interval("600s").unwrap(), Nanos::from_secs(600));
        assert_eq!(parse_interval("1m").unwrap(), Nanos::from_secs(60));
        assert_eq!(
            parse_interval("30s").unwrap_err().to_string(),
            "--flow-log-interval: AWS aggregates over 60s or 600s, not 30s"
        );
    }

    #[test]
    fn az_ids_follow_aws_codes() {
        assert_eq!(az_id("us-east-1", "us-east-1a"), "use1-az1");
        assert_eq!(az_id("ap-northeast-2", "ap-northeast-2c"), "apne2-az3");
        assert_eq!(az_id("eu-central-1", "eu-central-1b"), "euc1-az2");
    }

    #[test]
    fn traffic_paths() {
        let d = crate::model::load_str("t.toml", "[scenario]\nname = \"t\"\nduration = \"1s\"\n")
            .expect("an empty scenario loads")
            .design;
        assert_eq!(traffic_path(&d, None), 0);
        assert_eq!(
            traffic_path(
                &d,
                Some(Loc::Igw {
                    igw: IgwId(0),
                    outbound: true
                })
            ),
            8
        );
    }
}
