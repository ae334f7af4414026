//! Packet captures: one classic pcap file per ENI and per gateway.
//!
//! Files are `DIR/<id>.pcap`: a gateway's id, or an ENI's label (its `eni`
//! id, or its workload's id, with `-<subnet>` when the workload has several
//! ENIs). A NAT gateway's ENI is the gateway itself: its packets are in the
//! gateway's file, on both sides of the translation (NAT-1). An ENI's file
//! holds the packets it sends (before its security groups judge them, as a
//! capture on the host would) and the packets delivered to it (after its
//! NACL and security groups), and what it says with the services its host
//! answers, the Amazon DNS resolver's queries and answers among them
//! (NACL-9; flow logs leave these out, FL-5). An internet gateway's file
//! holds each packet as it arrives and again after the 1:1 translation
//! (IGW-2), so outbound packets from a NAT gateway show its private
//! address, then its Elastic IP.
//! Gateway endpoints, peering connections and VPN gateways rewrite nothing:
//! each packet once. What is seen where is what the data plane reports
//! ([`crate::dataplane::Seen`]).
//!
//! Format: classic pcap, little-endian, nanosecond timestamps (magic
//! `0xa1b23c4d`), link type `LINKTYPE_RAW` (101: raw IPv4, no link header),
//! snap length 65535. Virtual time 0 is [`super::EPOCH_UNIX_SECS`]. Each file
//! is spooled to a temporary file beside it and renamed at the end of the
//! run, so memory stays bounded and a file is complete or absent.
//!
//! Every LP has its own recorder; the files take the LPs' packets a window
//! at a time, merged by time, then LP ([`super::gather`]), so they are the
//! same for every thread count.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use super::EPOCH_UNIX_SECS;
use super::gather::Gather;
use super::outfile::{FileError, Spool, safe_name};
use crate::dataplane::{Arrival, Gateway, Seen};
use crate::model::*;
use crate::sim::Recorder;
use crate::units::Nanos;

/// Nanosecond-resolution pcap magic number.
pub const MAGIC_NANOS: u32 = 0xa1b2_3c4d;
/// LINKTYPE_RAW: the packet begins with its IPv4 header.
pub const LINKTYPE_RAW: u32 = 101;
/// The default snap length: every byte of every packet.
pub const SNAPLEN: u32 = 65_535;

/// What to capture: how many bytes of each packet (`--pcap-snaplen`), and
/// which ENIs and gateways (`--pcap-only`, by id; all by default).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Capture {
    pub snaplen: u32,
    pub only: Option<Vec<String>>,
}

impl Default for Capture {
    fn default() -> Self {
        Capture {
            snaplen: SNAPLEN,
            only: None,
        }
    }
}

/// The 24-byte global header of a file whose records hold at most
/// `snaplen` bytes of each packet.
pub fn file_header_with(snaplen: u32) -> [u8; 24] {
    let mut h = file_header();
    h[16..20].copy_from_slice(&snaplen.to_le_bytes());
    h
}

/// The 24-byte global header.
pub fn file_header() -> [u8; 24] {
    let mut h = [0u8; 24];
    h[0..4].copy_from_slice(&MAGIC_NANOS.to_le_bytes());
    h[4..6].copy_from_slice(&2u16.to_le_bytes());
    h[6..8].copy_from_slice(&4u16.to_le_bytes());
    // thiszone and sigfigs stay 0.
    h[16..20].copy_from_slice(&SNAPLEN.to_le_bytes());
    h[20..24].copy_from_slice(&LINKTYPE_RAW.to_le_bytes());
    h
}

/// The 16-byte header of one packet record at virtual time `now`.
pub fn record_header(now: Nanos, len: usize) -> [u8; 16] {
    record_header_with(now, len, SNAPLEN)
}

/// The 16-byte header of a record of a packet of `len` bytes, of which at
/// most `snaplen` are kept.
pub fn record_header_with(now: Nanos, len: usize, snaplen: u32) -> [u8; 16] {
    let secs = EPOCH_UNIX_SECS + now.0 / 1_000_000_000;
    let nanos = (now.0 % 1_000_000_000) as u32;
    let orig = len as u32;
    let incl = orig.min(snaplen);
    let mut h = [0u8; 16];
    h[0..4].copy_from_slice(&(secs as u32).to_le_bytes());
    h[4..8].copy_from_slice(&nanos.to_le_bytes());
    h[8..12].copy_from_slice(&incl.to_le_bytes());
    h[12..16].copy_from_slice(&orig.to_le_bytes());
    h
}

/// What was written, once the run is over.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Written {
    pub dir: PathBuf,
    /// File names with their packet counts, in the order they were made.
    pub files: Vec<(String, u64)>,
}

/// Why the captures cannot be set up.
#[derive(Debug, thiserror::Error)]
pub enum PcapError {
    #[error("--pcap-snaplen must be at least 1 byte")]
    Snaplen,
    /// `hint` is `; did you mean ...?` when an id is near.
    #[error(
        "--pcap-only names `{id}`, which has no capture (an ENI's label or a gateway's id){hint}"
    )]
    UnknownId { id: String, hint: String },
    #[error(transparent)]
    File(#[from] FileError),
}

pub type Status = Arc<Mutex<Option<Result<Written, FileError>>>>;

struct File {
    name: String,
    spool: Spool,
    packets: u64,
}

/// Which file each ENI and gateway writes, shared by every LP's recorder.
struct Setup {
    eni_file: Vec<usize>,
    gateway_file: Vec<(Gateway, usize)>,
    snaplen: u32,
}

/// What an LP captured in one window: (time, file, offset, kept length,
/// original length) of each packet, in the order the LP saw them, and the
/// bytes kept.
#[derive(Default)]
struct Part {
    recs: Vec<(Nanos, u32, usize, usize, usize)>,
    data: Vec<u8>,
}

/// The files, written a window at a time once every LP has handed its part
/// (see [`super::gather`]).
struct Sink {
    dir: PathBuf,
    files: Vec<File>,
    error: Option<FileError>,
    gather: Gather<Part>,
    status: Status,
}

impl Sink {
    /// Writes a complete window's packets, by time, then LP, then the
    /// order the LP saw them: a file that two LPs write into (a peering
    /// connection's) reads in time order.
    fn write(files: &mut [File], error: &mut Option<FileError>, parts: Vec<Part>) {
        if error.is_some() {
            return;
        }
        let mut order: Vec<(Nanos, u32, u32)> = Vec::new();
        for (lp, part) in parts.iter().enumerate() {
            for (i, r) in part.recs.iter().enumerate() {
                order.push((r.0, lp as u32, i as u32));
            }
        }
        order.sort_unstable();
        for (now, lp, i) in order {
            let part = &parts[lp as usize];
            let (_, file, at, kept, orig) = part.recs[i as usize];
            let bytes = &part.data[at..at + kept];
            let f = &mut files[file as usize];
            let r = f
                .spool
                .push(&record_header_with(now, orig, kept as u32))
                .and_then(|_| f.spool.push(bytes));
            match r {
                Ok(()) => f.packets += 1,
                Err(e) => {
                    *error = Some(FileError {
                        path: f.spool.dest().to_path_buf(),
                        source: e,
                    });
                    return;
                }
            }
        }
    }

    fn finish(&mut self) {
        let files = std::mem::take(&mut self.files);
        let result = match self.error.take() {
            Some(e) => Err(e),
            None => {
                let mut written = Vec::new();
                let mut err = None;
                for f in files {
                    if err.is_some() {
                        break; // the rest are removed as they drop
                    }
                    let path = f.spool.dest().to_path_buf();
                    match f.spool.commit() {
                        Ok(()) => written.push((f.name, f.packets)),
                        Err(source) => err = Some(FileError { path, source }),
                    }
                }
                match err {
                    Some(e) => Err(e),
                    None => Ok(Written {
                        dir: self.dir.clone(),
                        files: written,
                    }),
                }
            }
        };
        if let Ok(mut s) = self.status.lock() {
            *s = Some(result);
        }
    }
}

/// The pcap files of a run, written by a recorder in each LP.
pub struct Captures {
    d: Arc<Design>,
    setup: Arc<Setup>,
    sink: Arc<Mutex<Sink>>,
}

impl Captures {
    /// Creates `dir` if missing and a temporary file for each capture, for
    /// a run of `lps` LPs.
    pub fn create(
        d: Arc<Design>,
        dir: &Path,
        lps: u32,
        capture: &Capture,
    ) -> Result<(Captures, Status), PcapError> {
        if capture.snaplen == 0 {
            return Err(PcapError::Snaplen);
        }
        // Every id `--pcap-only` names must have a capture.
        let mut known: Vec<&str> = Gateway::all(&d)
            .into_iter()
            .map(|g| d.name_of(g.component()))
            .collect();
        known.extend(
            d.enis
                .iter()
                .filter(|e| !matches!(e.owner, EniOwner::Nat(_)))
                .map(|e| e.label.as_str()),
        );
        if let Some(only) = &capture.only {
            for id in only {
                if !known.contains(&id.as_str()) {
                    let hint = crate::scenario::diag::did_you_mean(id, known.iter().copied())
                        .map(|k| format!("; did you mean `{k}`?"))
                        .unwrap_or_default();
                    return Err(PcapError::UnknownId {
                        id: id.clone(),
                        hint,
                    });
                }
            }
        }
        let wanted = |id: &str| {
            capture
                .only
                .as_ref()
                .is_none_or(|o| o.iter().any(|x| x == id))
        };
        std::fs::create_dir_all(dir).map_err(|source| FileError {
            path: dir.to_path_buf(),
            source,
        })?;
        let mut files: Vec<File> = Vec::new();
        let mut taken = std::collections::BTreeSet::new();
        let mut open = |id: &str, files: &mut Vec<File>| -> Result<usize, FileError> {
            let mut name = safe_name(id);
            while !taken.insert(name.clone()) {
                name.push_str("-eni");
            }
            let path = dir.join(format!("{name}.pcap"));
            let mut spool = match Spool::create(&path) {
                Ok(s) => s,
                Err(source) => return Err(FileError { path, source }),
            };
            if let Err(source) = spool.push(&file_header_with(capture.snaplen)) {
                return Err(FileError { path, source });
            }
            files.push(File {
                name: format!("{name}.pcap"),
                spool,
                packets: 0,
            });
            Ok(files.len() - 1)
        };
        let mut gateway_file = Vec::new();
        for g in Gateway::all(&d) {
            let id = d.name_of(g.component());
            let i = if wanted(id) {
                open(id, &mut files)?
            } else {
                usize::MAX
            };
            gateway_file.push((g, i));
        }
        gateway_file.sort();
        let mut eni_file = vec![usize::MAX; d.enis.len()];
        for (i, e) in d.enis.iter().enumerate() {
            eni_file[i] = match e.owner {
                EniOwner::Nat(n) => gateway_file
                    .binary_search_by_key(&Gateway::Nat(n), |x| x.0)
                    .map_or(usize::MAX, |p| gateway_file[p].1),
                _ if !wanted(&e.label) => usize::MAX,
                _ => open(&e.label, &mut files)?,
            };
        }
        let status: Status = Arc::new(Mutex::new(None));
        let sink = Sink {
            dir: dir.to_path_buf(),
            files,
            error: None,
            gather: Gather::new(lps),
            status: Arc::clone(&status),
        };
        Ok((
            Captures {
                d,
                setup: Arc::new(Setup {
                    eni_file,
                    gateway_file,
                    snaplen: capture.snaplen,
                }),
                sink: Arc::new(Mutex::new(sink)),
            },
            status,
        ))
    }

    /// The names of the capture files, in the directory.
    pub fn file_names(&self) -> impl Iterator<Item = String> {
        let names: Vec<String> = self
            .sink
            .lock()
            .map(|s| s.files.iter().map(|f| f.name.clone()).collect())
            .unwrap_or_default();
        names.into_iter()
    }

    /// The recorder of LP `lp`.
    pub fn recorder(&self, lp: u32) -> Pcap {
        Pcap {
            d: Arc::clone(&self.d),
            setup: Arc::clone(&self.setup),
            sink: Arc::clone(&self.sink),
            lp,
            part: Part::default(),
        }
    }
}

/// The capture recorder of one LP.
pub struct Pcap {
    d: Arc<Design>,
    setup: Arc<Setup>,
    sink: Arc<Mutex<Sink>>,
    lp: u32,
    part: Part,
}

impl Part {
    fn push(&mut self, file: usize, now: Nanos, bytes: &[u8], snaplen: u32) {
        if file == usize::MAX {
            return;
        }
        let at = self.data.len();
        let kept = bytes.len().min(snaplen as usize);
        self.data.extend_from_slice(&bytes[..kept]);
        self.recs.push((now, file as u32, at, kept, bytes.len()));
    }

    fn record(&mut self, d: &Design, setup: &Setup, now: Nanos, seen: &Seen<'_>) {
        match *seen {
            // A capture on the host sees what it sends, and what is
            // delivered to it; a NAT gateway's ENI is in the gateway's file,
            // both sides.
            Seen::EniOut { eni, bytes, .. }
            | Seen::EniIn {
                eni,
                bytes,
                arrival: Arrival::Accepted,
                ..
            } => {
                if !matches!(d.enis[eni.idx()].owner, EniOwner::Nat(_)) {
                    self.push(setup.eni_file[eni.idx()], now, bytes, setup.snaplen);
                }
            }
            // What the workload and the services its host answers say to
            // each other (NACL-9): on the host, in the ENI's file.
            Seen::Host { eni, bytes, .. } => {
                self.push(setup.eni_file[eni.idx()], now, bytes, setup.snaplen);
            }
            Seen::EniIn { .. } | Seen::Attachment { .. } | Seen::VpnOut { .. } => {}
            // A transit gateway rewrites only the TTL and a SYN's MSS: each
            // packet once, as it enters.
            Seen::Gateway {
                gw: Gateway::Tgw(_),
                departing: true,
                ..
            } => {}
            Seen::Gateway { gw, bytes, .. } => {
                let file = setup
                    .gateway_file
                    .binary_search_by_key(&gw, |x| x.0)
                    .map_or(usize::MAX, |p| setup.gateway_file[p].1);
                self.push(file, now, bytes, setup.snaplen);
            }
        }
    }
}

impl Pcap {
    /// Hands this window's packets to the files.
    fn hand_over(&mut self) -> Option<std::sync::MutexGuard<'_, Sink>> {
        let part = std::mem::take(&mut self.part);
        let mut guard = self.sink.lock().ok()?;
        let Sink {
            files,
            error,
            gather,
            ..
        } = &mut *guard;
        gather.put(self.lp, part, |parts| Sink::write(files, error, parts));
        Some(guard)
    }
}

impl Recorder for Pcap {
    fn seen(&mut self, now: Nanos, seen: &Seen<'_>) {
        let Pcap { d, setup, part, .. } = self;
        part.record(d, setup, now, seen);
    }

    fn tick(&mut self, _until: Nanos) {
        self.hand_over();
    }

    fn finish(&mut self, _end: Nanos) {
        let lp = self.lp;
        if let Some(mut sink) = self.hand_over() {
            if sink.gather.finish(lp) {
                sink.finish();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_have_the_classic_layout() {
        let h = file_header();
        assert_eq!(&h[0..4], &[0x4d, 0x3c, 0xb2, 0xa1]);
        assert_eq!(u32::from_le_bytes(h[20..24].try_into().unwrap()), 101);
        let r = record_header(Nanos(1_500_000_123), 60);
        assert_eq!(
            u32::from_le_bytes(r[0..4].try_into().unwrap()) as u64,
            EPOCH_UNIX_SECS + 1
        );
        assert_eq!(u32::from_le_bytes(r[4..8].try_into().unwrap()), 500_000_123);
        assert_eq!(u32::from_le_bytes(r[8..12].try_into().unwrap()), 60);
    }
}
