//! A lean TCP endpoint in virtual time that behaves as a current Linux host.
//!
//! Real segments: SYN, SYN-ACK, ACK, data, FIN and RST with sequence and
//! acknowledgement numbers. What Linux does by default, each with its
//! source in `docs/traffic.md`:
//!
//! - **Window scaling** (RFC 7323): a SYN offers shift 7, the smallest that
//!   fits `tcp_rmem`'s maximum of 6 MiB in the 16-bit field; once both
//!   SYNs carried the option, every later window field is scaled.
//! - **Receive-buffer autotuning**: the advertised window starts at the
//!   largest multiple of the MSS under 64 KiB, grows with arriving data to
//!   the 64 KiB the initial 128 KiB buffer allows (`tcp_grow_window`) and,
//!   once per round trip, grows as Linux's `tcp_rcv_space_adjust` grows it
//!   from what arrived in that round trip (first measure: the smaller of
//!   the first window and ten segments), up to half of `tcp_rmem`'s 6 MiB
//!   (the other half is the kernel's overhead for the buffers). What is in
//!   flight is also capped by `tcp_wmem`'s 4 MiB send buffer.
//! - **Initial window** of ten segments (RFC 6928), slow start growing by
//!   the bytes each ACK acknowledges (as Linux), and **CUBIC** (RFC 9438)
//!   with Linux's constants (C = 0.4, beta = 0.7, fast convergence, the
//!   TCP-friendly region); slow start ends on loss or on **HyStart**'s
//!   delay-increase detection (Linux's `tcp_cubic.c`).
//! - **Delayed ACKs**: the receiver acknowledges at once the first 16
//!   segments (quick-ACK mode), then when more than one full segment is
//!   unacknowledged, else after Linux's 40 ms minimum delayed-ACK time; at
//!   once for out-of-order, duplicate or hole-filling segments and a FIN.
//! - **Loss recovery**: SACK (RFC 2018) offered on every SYN; with it,
//!   the receiver reports the up to four out-of-order ranges it holds and
//!   the sender repairs every lost hole within a round trip from its
//!   scoreboard (RFC 6675, `sack.rs`); without it, NewReno fast
//!   retransmit and fast recovery (RFC 6582) on three duplicate ACKs.
//!   Otherwise the retransmission timer of RFC 6298 (initial RTO 1 s,
//!   minimum 200 ms and maximum 120 s as Linux, doubling on every retry,
//!   Karn's rule) and go-back-N from the first unacknowledged byte,
//!   skipping what the peer SACKed.
//! - **Giving up** as Linux's `tcp_write_timeout`: after 6 SYNs
//!   (`tcp_syn_retries`), 5 SYN-ACKs (`tcp_synack_retries`), or data
//!   unacknowledged for as long as 15 retransmissions take from 200 ms
//!   (`tcp_retries2`, 924.6 s; 8, 102.2 s, once the application closed:
//!   `tcp_orphan_retries`); the connection is then `TimedOut`.
//!
//! The endpoint's concerns, one file each: this file holds the connection
//! and its state machine (handshake, acknowledgements, sending, timers);
//! `wire.rs` the segments as bytes; `receive.rs` the receiving side and
//! its window; `congestion.rs` CUBIC, HyStart, RTT and pacing; `sack.rs`
//! selective acknowledgements and recovery; `tests.rs` their tests.
//!
//! Payload bytes follow a pattern keyed by the connection (`pattern.rs`),
//! and the receiver checks every byte it accepts; no payload is buffered.
//!
//! The segment size follows the interface MTU as Linux's does (MTU-5): a
//! SYN and a SYN-ACK offer the local MSS (the interface MTU less 40 bytes
//! of IPv4 and TCP headers: 8,961 at 9001, 1,460 at 1500), and a segment
//! carries at most the smaller of the local MSS and the peer's (536 when
//! the peer offers none, RFC 9293). An ICMP "fragmentation needed" about
//! one of its segments lowers the MSS to the next-hop MTU less 40, scales
//! the window (kept in bytes) to keep its count of segments, as Linux
//! keeps it in packets, and sends the unacknowledged data again at once,
//! without waiting for the timer (path MTU discovery, RFC 1191; MTU-4).
//!
//! Like the data plane, an endpoint does no I/O and reads no clock: the
//! engine hands it segments and timer expiries with the time, and it returns
//! segments to send ([`Out`]) and what happened ([`Event`]).

use std::net::SocketAddrV4;

use crate::packet::{self, tcp_flags};
use crate::units::Nanos;

mod congestion;
mod pattern;
mod receive;
mod sack;
#[cfg(test)]
mod tests;
mod wire;

use congestion::Cubic;
use sack::Scoreboard;
pub use wire::{Segment, segment};

/// The MSS of a 1500-byte Ethernet MTU.
pub const MSS: u64 = 1460;
/// The largest MSS vpcsim's hosts use: a 9001-byte interface.
pub const MAX_MSS: usize = 8961;
/// The MSS assumed when the peer's SYN offers none (RFC 9293).
pub const DEFAULT_MSS: u16 = 536;
/// The smallest MSS path MTU discovery lowers to (Linux's
/// `net.ipv4.route.min_pmtu` of 552, less 40).
pub const MIN_MSS: u16 = 512;
/// The largest window field, unscaled.
pub const WINDOW: u64 = 65535;
/// Ten segments (RFC 6928), of the connection's MSS.
pub const INITIAL_SEGMENTS: u64 = 10;
pub const INITIAL_RTO: Nanos = Nanos::from_secs(1);
pub const MIN_RTO: Nanos = Nanos::from_millis(200);
/// Linux's `TCP_RTO_MAX`: the backed-off timer never waits longer.
pub const MAX_RTO: Nanos = Nanos::from_secs(120);
/// `net.ipv4.tcp_syn_retries`: a SYN is sent again at most this often;
/// the timeout after the last fails the connection (127 s after the
/// first SYN).
pub const SYN_RETRIES: u32 = 6;
/// `net.ipv4.tcp_synack_retries`: a SYN-ACK is sent again at most this
/// often; the timeout after the last drops the half-open connection
/// (63 s after the first SYN-ACK).
pub const SYNACK_RETRIES: u32 = 5;
/// `net.ipv4.tcp_retries2`: an established connection whose data goes
/// unacknowledged gives up after the time 15 retransmissions take from
/// `MIN_RTO` (924.6 s).
pub const RETRIES2: u32 = 15;
/// `net.ipv4.tcp_orphan_retries`' 0, which Linux takes as 8 while the
/// timer is under `MAX_RTO`: a connection the application closed gives
/// up after the time 8 retransmissions take (102.2 s).
pub const ORPHAN_RETRIES: u32 = 8;
/// `net.ipv4.tcp_rmem`'s default maximum: the receive buffer autotuning
/// grows to.
pub const RMEM_MAX: u64 = 6 * 1024 * 1024;
/// `net.ipv4.tcp_wmem`'s default maximum: the send buffer, which bounds
/// the data in flight.
pub const WMEM_MAX: u64 = 4 * 1024 * 1024;
/// The largest window advertised: half the receive buffer, the rest being
/// the kernel's overhead per packet (`tcp_adv_win_scale` = 1).
pub const MAX_WINDOW: u64 = RMEM_MAX / 2;
/// The window the initial receive buffer (`tcp_rmem`'s default, 128 KiB)
/// allows before autotuning enlarges it: half of it. The first window is
/// rounded down to the MSS; arriving data grows it to this
/// (`tcp_grow_window`).
pub const INITIAL_CLAMP: u64 = 128 * 1024 / 2;
/// The window scale shift Linux offers for a 6 MiB buffer: the smallest
/// that fits `RMEM_MAX` in the 16-bit field (ilog2(6 MiB) - 15).
pub const WSCALE: u8 = 7;
/// Linux's `TCP_DELACK_MIN`: a lone full segment's ACK waits this long.
pub const DELAYED_ACK: Nanos = Nanos::from_millis(40);
/// Segments acknowledged at once at the start of a connection (Linux's
/// `TCP_MAX_QUICKACKS`).
pub const QUICK_ACKS: u8 = 16;
/// CUBIC's C and beta (RFC 9438; Linux's `bic_scale` 41/1024*10 and
/// `beta` 717/1024).
pub const CUBIC_C: f64 = 0.4;
pub const CUBIC_BETA: f64 = 0.7;
/// HyStart checks for a delay increase from this window on (segments,
/// Linux's `hystart_low_window`).
pub const HYSTART_LOW_WINDOW: u64 = 16;
/// `net.ipv4.tcp_pacing_ss_ratio` and `tcp_pacing_ca_ratio` (percent):
/// the pacing rate is this share of `cwnd / srtt`, the first while the
/// window is under half the slow start threshold.
pub const PACING_SS_RATIO: u64 = 200;
pub const PACING_CA_RATIO: u64 = 120;
/// `net.ipv4.tcp_limit_output_bytes`: the most a socket keeps in its
/// host's qdisc and device queue (TCP Small Queues).
pub const LIMIT_OUTPUT_BYTES: u64 = 4 * 1024 * 1024;
/// IPv4 and TCP headers of a data segment (no options).
pub const HEADERS: u64 = 40;
/// Out-of-order ranges a receiver holds: as many as one SACK option
/// reports.
const OOO_RANGES: usize = packet::build::MAX_SACK_BLOCKS;
/// No retransmission since the last progress (`Tcp::retrans_stamp`).
const NO_STAMP: Nanos = Nanos(u64::MAX);
/// Duplicate ACKs that start fast retransmit (RFC 5681).
const DUPACK_THRESHOLD: u8 = 3;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    SynSent,
    SynReceived,
    Established,
    Closed,
    Reset,
    /// Gave up retransmitting (Linux's `ETIMEDOUT`): nothing is sent.
    TimedOut,
}

/// What a segment or timer did to the connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Event {
    pub connected: bool,
    /// New in-order bytes received.
    pub received: u64,
    /// New bytes of our stream acknowledged.
    pub acked: u64,
    /// All queued data and the FIN (if queued) are acknowledged.
    pub all_acked: bool,
    pub peer_fin: bool,
    pub reset: bool,
    pub closed: bool,
}

#[derive(Clone, Debug)]
pub struct Tcp {
    pub state: State,
    pub local: SocketAddrV4,
    pub remote: SocketAddrV4,
    iss: u32,
    irs: u32,
    /// Bytes of our stream: acknowledged, next to send, queued in all.
    una: u64,
    nxt: u64,
    total: u64,
    fin_queued: bool,
    fin_sent: bool,
    fin_acked: bool,
    /// Bytes of the peer's stream received in order.
    pub rcv: u64,
    pub peer_fin: bool,
    /// Window scaling agreed by both SYNs.
    scaled: bool,
    /// SACK agreed by both SYNs (RFC 2018); on until the peer's SYN says
    /// otherwise.
    sack_ok: bool,
    /// The peer's shift, applied to the window fields it sends.
    snd_wscale: u8,
    /// The duplicate ACKs in a row.
    dupacks: u8,
    /// Segments still acknowledged at once (quick-ACK mode).
    quick: u8,
    ooo_len: u8,
    in_recovery: bool,
    peer_window: u64,
    cwnd: u64,
    ssthresh: u64,
    /// NewReno's window inflation during fast recovery.
    inflate: u64,
    /// The highest byte sent when the last loss recovery began (RFC 6582).
    recover: u64,
    srtt: Option<Nanos>,
    /// The smallest round trip seen (HyStart, CUBIC).
    min_rtt: Option<Nanos>,
    rttvar: Nanos,
    rto: Nanos,
    /// When the next timer fires, if any: the earlier of the two below.
    pub deadline: Option<Nanos>,
    rto_at: Option<Nanos>,
    ack_at: Option<Nanos>,
    /// When the host's interface has drained enough to send again (TCP
    /// Small Queues), if the last send stopped for it.
    tsq_at: Option<Nanos>,
    /// Bytes (headers included) this end may still put into its host's
    /// interface now; `u64::MAX` where nothing limits it.
    room: u64,
    /// The last transmit stopped for want of `room`.
    tsq_blocked: bool,
    /// RTT probe: the stream offset it waits for, when it was sent and the
    /// end of the data sent with it (an ACK past that is discarded: it
    /// waited for later data, as a delayed ACK does).
    probe: Option<(u64, Nanos, u64)>,
    cubic: Cubic,
    /// The window this end advertises, in bytes, and what autotuning
    /// measures: bytes per round trip, from where and when.
    rcv_wnd: u64,
    rcvq_space: u64,
    rcvq_seq: u64,
    rcvq_time: Nanos,
    /// The receiver's round trip (`tcp_rcv_rtt_measure`; zero before the
    /// first sample), and the offset and time its current sample waits
    /// for and began at (zero: not begun).
    rcv_rtt: Nanos,
    rcv_rtt_seq: u64,
    rcv_rtt_time: Nanos,
    /// In-order bytes received and not yet acknowledged.
    ack_pending: u64,
    /// Out-of-order ranges of the peer's stream held, sorted.
    ooo: [(u64, u64); OOO_RANGES],
    /// Where the most recent out-of-order segment started: its range is
    /// the first SACK block.
    ooo_recent: u64,
    /// The ranges of our stream the peer SACKed.
    sacked: Scoreboard,
    /// RFC 6675's HighRxt: the end of what recovery sent again.
    high_rxt: u64,
    /// The end of all data ever sent (SND.NXT before a timeout or a path
    /// MTU change sent again from SND.UNA).
    high_sent: u64,
    /// The offset of a FIN that arrived before the data ahead of it.
    fin_at: Option<u64>,
    pub retransmits: u32,
    /// When the data the retransmission timer last sent again was first
    /// sent (Linux's `retrans_stamp`): set by a timeout, cleared by an
    /// ACK of new data (`NO_STAMP`). The connection gives up by the
    /// time since.
    retrans_stamp: Nanos,
    /// Retransmission timeouts of an established connection.
    pub timeouts: u32,
    /// Bytes that did not match the pattern (always 0 on a sound path).
    pub corrupt: u64,
    salt_out: u32,
    salt_in: u32,
    ttl: u8,
    /// The MSS this end offers: its interface MTU less 40.
    local_mss: u16,
    /// The largest segment it sends: the smaller of its own and the peer's
    /// MSS, lowered by path MTU discovery.
    pub mss: u16,
}

/// Segments to send, as IPv4 packets.
pub type Out = Vec<bytes::Bytes>;

impl Tcp {
    /// Opens a connection: the SYN goes into `out`.
    /// `mtu` is the local interface's MTU.
    pub fn connect(
        local: SocketAddrV4,
        remote: SocketAddrV4,
        iss: u32,
        mtu: u16,
        now: Nanos,
        out: &mut Out,
    ) -> Tcp {
        let mut t = Tcp::new(local, remote, iss, State::SynSent, mtu);
        t.send_syn(tcp_flags::SYN, 0, out);
        t.probe = Some((0, now, 0));
        t.rto_at = Some(now.saturating_add(t.rto));
        t.arm();
        t
    }

    /// Answers a SYN (already parsed as `syn`) on a listening port; `mtu`
    /// is the local interface's MTU.
    pub fn accept(
        local: SocketAddrV4,
        remote: SocketAddrV4,
        iss: u32,
        mtu: u16,
        syn: &Segment<'_>,
        now: Nanos,
        out: &mut Out,
    ) -> Tcp {
        let mut t = Tcp::new(local, remote, iss, State::SynReceived, mtu);
        t.irs = syn.seq;
        t.salt_in = syn.seq;
        t.peer_window = u64::from(syn.window);
        t.peer_mss(syn.mss);
        // RFC 7323 and RFC 2018: a SYN-ACK offers an option only if the
        // SYN did.
        t.peer_wscale(syn.wscale);
        t.peer_sack(syn.sack_permitted);
        t.send_syn(tcp_flags::SYN | tcp_flags::ACK, t.ack_number(), out);
        t.probe = Some((0, now, 0));
        t.rto_at = Some(now.saturating_add(t.rto));
        t.arm();
        t
    }

    fn new(local: SocketAddrV4, remote: SocketAddrV4, iss: u32, state: State, mtu: u16) -> Tcp {
        let local_mss = crate::model::mtu::mss_of(mtu).clamp(MIN_MSS, MAX_MSS as u16);
        // Linux's first window: the largest multiple of the MSS in 64 KiB
        // (64,240 at MSS 1,460).
        let rcv_wnd = WINDOW / u64::from(local_mss) * u64::from(local_mss);
        Tcp {
            state,
            local,
            remote,
            iss,
            irs: 0,
            una: 0,
            nxt: 0,
            total: 0,
            fin_queued: false,
            fin_sent: false,
            fin_acked: false,
            rcv: 0,
            peer_fin: false,
            // Until the peer's SYN says otherwise.
            scaled: true,
            sack_ok: true,
            snd_wscale: 0,
            dupacks: 0,
            quick: QUICK_ACKS,
            ooo_len: 0,
            in_recovery: false,
            peer_window: WINDOW,
            cwnd: INITIAL_SEGMENTS * u64::from(local_mss),
            ssthresh: u64::MAX,
            inflate: 0,
            recover: 0,
            srtt: None,
            min_rtt: None,
            rttvar: Nanos::ZERO,
            rto: INITIAL_RTO,
            deadline: None,
            rto_at: None,
            ack_at: None,
            tsq_at: None,
            room: u64::MAX,
            tsq_blocked: false,
            probe: None,
            cubic: Cubic::default(),
            rcv_wnd,
            // Linux's `tcp_init_buffer_space`: the first measure is the
            // smaller of the first window and ten segments.
            rcvq_space: rcv_wnd.min(INITIAL_SEGMENTS * u64::from(local_mss)),
            rcvq_seq: 0,
            rcvq_time: Nanos::ZERO,
            rcv_rtt: Nanos::ZERO,
            rcv_rtt_seq: 0,
            rcv_rtt_time: Nanos::ZERO,
            ack_pending: 0,
            ooo: [(0, 0); OOO_RANGES],
            ooo_recent: 0,
            sacked: Scoreboard::default(),
            high_rxt: 0,
            high_sent: 0,
            fin_at: None,
            retransmits: 0,
            retrans_stamp: NO_STAMP,
            timeouts: 0,
            corrupt: 0,
            // Keyed by the initial sequence numbers, which NAT leaves alone
            // (addresses and ports it rewrites).
            salt_out: iss,
            salt_in: 0,
            ttl: 64,
            local_mss,
            mss: local_mss,
        }
    }

    /// The segment size after the peer's SYN offered `mss` (MTU-5).
    fn peer_mss(&mut self, mss: Option<u16>) {
        let peer = mss.unwrap_or(DEFAULT_MSS).max(1);
        self.mss = self.local_mss.min(peer);
        self.cwnd = INITIAL_SEGMENTS * u64::from(self.mss);
    }

    fn mss64(&self) -> u64 {
        u64::from(self.mss)
    }

    /// The next timer: the earlier of retransmission and delayed ACK.
    fn arm(&mut self) {
        self.deadline = [self.rto_at, self.ack_at, self.tsq_at]
            .into_iter()
            .flatten()
            .min();
    }

    /// Sets how many bytes (headers included) this end may put into its
    /// host's interface from now on (TCP Small Queues); `u64::MAX` for no
    /// limit.
    pub fn set_room(&mut self, bytes: u64) {
        self.room = bytes;
    }

    /// Whether the last send stopped because the interface had no room;
    /// clears the flag.
    pub fn take_tsq_blocked(&mut self) -> bool {
        std::mem::take(&mut self.tsq_blocked)
    }

    /// Sends what it can now: its interface has drained, and it was
    /// stopped by TCP Small Queues.
    pub fn resume(&mut self, now: Nanos, out: &mut Out) {
        self.transmit(now, out);
        self.arm();
    }

    /// Sends again at `at`, when the interface will have drained.
    pub fn wake_at(&mut self, at: Nanos) {
        self.tsq_at = Some(at);
        self.arm();
    }

    /// An ICMP "fragmentation needed" says a segment of this connection
    /// was too long for a link of `next_hop_mtu` bytes (MTU-4): lower the
    /// MSS and send the unacknowledged data again now. Returns whether the
    /// MSS went down.
    pub fn on_frag_needed(&mut self, next_hop_mtu: u16, now: Nanos, out: &mut Out) -> bool {
        let mss = crate::model::mtu::mss_of(next_hop_mtu).max(MIN_MSS);
        if mss >= self.mss || self.state != State::Established {
            return false;
        }
        // Linux counts the window in packets: it keeps its count in the
        // new size (and so does a slow start threshold already set).
        let (old, new) = (u64::from(self.mss), u64::from(mss));
        self.mss = mss;
        self.cwnd = (self.cwnd * new / old).max(new);
        if self.ssthresh != u64::MAX {
            self.ssthresh = (self.ssthresh * new / old).max(2 * new);
        }
        // Linux's tcp_simple_retransmit: what is in flight is lost, and
        // goes again in the new size (but for what the peer SACKed).
        self.nxt = self.una;
        self.in_recovery = false;
        self.inflate = 0;
        if !self.fin_acked {
            self.fin_sent = false;
        }
        self.probe = None;
        self.transmit(now, out);
        self.arm();
        true
    }

    pub fn is_open(&self) -> bool {
        matches!(
            self.state,
            State::SynSent | State::SynReceived | State::Established
        )
    }

    fn retransmit_first(&mut self, out: &mut Out) {
        self.retransmits += 1;
        if self.una < self.nxt {
            let len = (self.nxt - self.una).min(self.mss64());
            self.send_data(self.una, len, out);
        } else if self.fin_sent && !self.fin_acked {
            let (seq, ack) = (self.seq_of(self.total), self.ack_number());
            self.send_control(tcp_flags::FIN | tcp_flags::ACK, seq, ack, out);
        }
    }

    /// Queues `n` more bytes of data to send.
    pub fn write(&mut self, n: u64, now: Nanos, out: &mut Out) {
        self.total += n;
        self.transmit(now, out);
        self.arm();
    }

    /// Queues a FIN after the data.
    pub fn close(&mut self, now: Nanos, out: &mut Out) {
        if !self.fin_queued {
            self.fin_queued = true;
            self.transmit(now, out);
            self.arm();
        }
    }

    /// Aborts with a RST.
    pub fn abort(&mut self, out: &mut Out) {
        // Giving up on a connection never answered sends nothing (as
        // Linux); a synchronized one is reset.
        if matches!(self.state, State::Established | State::SynReceived) {
            let seq = self.snd_nxt();
            let ack = self.ack_number();
            self.send_control(tcp_flags::RST | tcp_flags::ACK, seq, ack, out);
        }
        self.state = State::Reset;
        self.rto_at = None;
        self.ack_at = None;
        self.tsq_at = None;
        self.arm();
    }

    pub fn bytes_unacked(&self) -> u64 {
        self.total - self.una
    }

    /// The congestion window in bytes.
    pub fn cwnd(&self) -> u64 {
        self.cwnd
    }

    /// The slow start threshold in bytes (`u64::MAX` until slow start ends).
    pub fn ssthresh(&self) -> u64 {
        self.ssthresh
    }

    /// The window this end advertises, in bytes.
    pub fn rcv_wnd(&self) -> u64 {
        self.rcv_wnd
    }

    /// The peer's window as last advertised, in bytes.
    pub fn peer_window(&self) -> u64 {
        self.peer_window
    }

    /// The current retransmission timeout.
    pub fn rto(&self) -> Nanos {
        self.rto
    }

    fn transmit(&mut self, now: Nanos, out: &mut Out) {
        if self.state != State::Established {
            return;
        }
        if self.in_recovery && self.sack_ok {
            self.sack_transmit(out);
        } else {
            self.transmit_window(now, out);
        }
        if self.fin_queued && !self.fin_sent && self.nxt == self.total {
            self.fin_sent = true;
            let (seq, ack) = (self.seq_of(self.total), self.ack_number());
            self.send_control(tcp_flags::FIN | tcp_flags::ACK, seq, ack, out);
        }
        let outstanding = self.una < self.nxt || (self.fin_sent && !self.fin_acked);
        if outstanding && self.rto_at.is_none() {
            self.rto_at = Some(now.saturating_add(self.rto));
        }
    }

    /// Sends new data within the window (and, after a timeout, what was
    /// in flight again, skipping what the peer SACKed, as Linux's
    /// `tcp_enter_loss` keeps the SACKed marks), in whole segments: a
    /// short one only for the last bytes written, or to fill a hole below
    /// what the peer SACKed.
    fn transmit_window(&mut self, now: Nanos, out: &mut Out) {
        // The SACK option the ACKs carry takes room from the segment.
        let mss = self.mss64().saturating_sub(self.sack_option_len()).max(1);
        let window = (self.cwnd + self.inflate)
            .min(self.peer_window)
            .min(WMEM_MAX)
            .max(mss);
        let mut sent = false;
        while self.nxt < self.total && self.nxt - self.una < window {
            if let Some(end) = self.sacked.covering(self.nxt) {
                self.nxt = end.min(self.total);
                continue;
            }
            let mut len = (self.total - self.nxt).min(mss);
            if let Some(next) = self.sacked.next_start(self.nxt) {
                len = len.min(next - self.nxt);
            }
            // Whole segments only: one that would end past the window
            // waits for it to open (Linux's `tcp_snd_wnd_test`), rather
            // than fill it to the byte with a short one.
            if len > window - (self.nxt - self.una) {
                break;
            }
            // TCP Small Queues: no more into the host's interface than it
            // has room for; the engine wakes this end when it drained.
            if len + HEADERS > self.room {
                self.tsq_blocked = true;
                break;
            }
            self.room = self.room.saturating_sub(len + HEADERS);
            let at = self.nxt;
            self.send_data(at, len, out);
            // Karn's rule: only a segment sent for the first time times
            // a round trip; an ACK of one sent again is ambiguous.
            if self.probe.is_none() && at >= self.high_sent {
                self.probe = Some((at + len, now, at + len));
            }
            self.nxt += len;
            self.high_sent = self.high_sent.max(self.nxt);
            sent = true;
        }
        if sent {
            if let Some((_, when, end)) = self.probe.as_mut() {
                if *when == now {
                    *end = self.nxt;
                }
            }
        }
    }

    /// Handles a received segment.
    pub fn on_segment(&mut self, seg: &Segment<'_>, now: Nanos, out: &mut Out) -> Event {
        let ev = self.segment_in(seg, now, out);
        self.arm();
        ev
    }

    fn segment_in(&mut self, seg: &Segment<'_>, now: Nanos, out: &mut Out) -> Event {
        let mut ev = Event::default();
        if !self.is_open() {
            return ev;
        }
        if seg.flags & tcp_flags::RST != 0 {
            self.state = State::Reset;
            self.rto_at = None;
            self.ack_at = None;
            self.tsq_at = None;
            ev.reset = true;
            return ev;
        }
        let old_window = self.peer_window;
        self.peer_window = if seg.flags & tcp_flags::SYN != 0 {
            u64::from(seg.window)
        } else {
            u64::from(seg.window) << self.snd_wscale
        }
        .max(self.mss64());
        match self.state {
            State::SynSent => {
                let want = tcp_flags::SYN | tcp_flags::ACK;
                if seg.flags & want != want || seg.ack != self.iss.wrapping_add(1) {
                    return ev;
                }
                self.irs = seg.seq;
                self.salt_in = seg.seq;
                self.peer_mss(seg.mss);
                self.peer_wscale(seg.wscale);
                self.peer_sack(seg.sack_permitted);
                self.state = State::Established;
                if let Some((_, sent, _)) = self.probe.take() {
                    // The handshake's round trip is the first sample
                    // (Karn: not when the SYN went again).
                    if self.retransmits == 0 {
                        self.sample_rtt(Nanos(now.0.saturating_sub(sent.0)));
                    }
                }
                self.rto_at = None;
                self.rcvq_time = now;
                let (seq, ack) = (self.seq_of(0), self.ack_number());
                self.send_control(tcp_flags::ACK, seq, ack, out);
                ev.connected = true;
                self.transmit(now, out);
                return ev;
            }
            State::SynReceived => {
                if seg.flags & tcp_flags::SYN != 0 {
                    // Our SYN-ACK was lost: answer the retransmitted SYN.
                    self.send_syn(tcp_flags::SYN | tcp_flags::ACK, self.ack_number(), out);
                    return ev;
                }
                if seg.flags & tcp_flags::ACK == 0
                    || seg.ack != self.iss.wrapping_add(1) && !self.acks_data(seg.ack)
                {
                    return ev;
                }
                self.state = State::Established;
                if let Some((_, sent, _)) = self.probe.take() {
                    if self.retransmits == 0 {
                        self.sample_rtt(Nanos(now.0.saturating_sub(sent.0)));
                    }
                }
                self.rto_at = None;
                self.rcvq_time = now;
                ev.connected = true;
            }
            _ => {
                if seg.flags & tcp_flags::SYN != 0 {
                    // A retransmitted SYN-ACK: our ACK was lost.
                    let (seq, ack) = (self.snd_nxt(), self.ack_number());
                    self.send_control(tcp_flags::ACK, seq, ack, out);
                    return ev;
                }
            }
        }
        if seg.flags & tcp_flags::ACK != 0 {
            self.ack_in(seg, old_window, now, out, &mut ev);
        }
        let ack_now = self.data_in(seg, now, &mut ev);
        if ack_now {
            let (seq, ack) = (self.snd_nxt(), self.ack_number());
            self.send_control(tcp_flags::ACK, seq, ack, out);
        } else if self.ack_pending > 0 && self.ack_at.is_none() {
            self.ack_at = Some(now.saturating_add(DELAYED_ACK));
        }
        self.transmit(now, out);
        if self.peer_fin && self.fin_acked {
            self.state = State::Closed;
            self.rto_at = None;
            self.ack_at = None;
            self.tsq_at = None;
            ev.closed = true;
        }
        ev
    }

    /// The acknowledgement of a segment.
    fn ack_in(
        &mut self,
        seg: &Segment<'_>,
        old_window: u64,
        now: Nanos,
        out: &mut Out,
        ev: &mut Event,
    ) {
        let ahead = seg.ack.wrapping_sub(self.seq_of(self.una));
        if ahead as i32 <= 0 {
            let duplicate = ahead == 0
                && seg.payload.is_empty()
                && seg.flags & (tcp_flags::SYN | tcp_flags::FIN) == 0
                && self.peer_window == old_window
                && self.una < self.nxt;
            if ahead == 0 {
                self.sack_in(seg);
            }
            if duplicate {
                self.duplicate_ack(out);
            }
            self.maybe_enter_sack_recovery(out);
            return;
        }
        let acked = self.una + u64::from(ahead);
        let fin_end = self.total + 1;
        // After go-back-N an ACK may cover data sent before the timeout,
        // past SND.NXT.
        if acked > fin_end || acked == fin_end && !self.fin_queued {
            return;
        }
        let data_acked = acked.min(self.total);
        let newly = data_acked - self.una;
        ev.acked = newly;
        self.una = data_acked;
        self.dupacks = 0;
        // Progress: the retransmissions so far no longer count towards
        // giving up.
        self.retrans_stamp = NO_STAMP;
        if acked == fin_end {
            self.fin_sent = true;
            self.fin_acked = true;
        }
        if let Some((until, sent, end)) = self.probe {
            if self.una >= until {
                // An ACK that also covers data sent later waited for it.
                if acked <= end {
                    self.sample_rtt(Nanos(now.0.saturating_sub(sent.0)));
                }
                self.probe = None;
            }
        }
        self.sack_in(seg);
        if self.in_recovery {
            if self.una >= self.recover {
                // Full acknowledgement: recovery ends (RFC 6582, RFC 6675).
                self.in_recovery = false;
                self.inflate = 0;
                self.cwnd = self.ssthresh;
            } else if !self.sack_ok {
                // Partial: the next hole goes at once (NewReno). With
                // SACK, `transmit` sends what the scoreboard says.
                self.inflate = self.inflate.saturating_sub(newly) + self.mss64();
                self.retransmit_first(out);
            }
        } else if self.cwnd < self.ssthresh {
            self.cwnd = (self.cwnd + newly).min(self.ssthresh.max(self.cwnd));
        } else {
            self.cubic_grow(newly, now);
        }
        self.rto_at = None;
        if self.una < self.nxt || (self.fin_sent && !self.fin_acked) {
            self.rto_at = Some(now.saturating_add(self.rto));
        }
        if self.una == self.total && (!self.fin_queued || self.fin_acked) {
            ev.all_acked = true;
        }
        if self.una > self.nxt {
            self.nxt = self.una;
        }
        self.maybe_enter_sack_recovery(out);
    }

    /// With SACK, recovery starts on the third duplicate ACK or as soon
    /// as the first unacknowledged segment counts as lost (RFC 6675
    /// section 5, step 4), and not again before what was in flight at the
    /// last recovery or timeout is acknowledged.
    fn maybe_enter_sack_recovery(&mut self, out: &mut Out) {
        if self.sack_ok
            && !self.in_recovery
            && self.una >= self.recover
            && self.una < self.nxt
            && (self.dupacks >= DUPACK_THRESHOLD || self.head_lost())
        {
            self.enter_sack_recovery(out);
        }
    }

    /// A duplicate ACK: the third starts fast retransmit and fast recovery
    /// (RFC 6582), later ones inflate the window by a segment each.
    fn duplicate_ack(&mut self, out: &mut Out) {
        self.dupacks = self.dupacks.saturating_add(1);
        if self.sack_ok {
            // SACK recovery counts what is in flight instead.
            return;
        }
        if self.in_recovery {
            self.inflate += self.mss64();
        } else if self.dupacks == DUPACK_THRESHOLD && self.una >= self.recover {
            self.in_recovery = true;
            self.recover = self.nxt;
            self.cubic_loss();
            self.cwnd = self.ssthresh;
            self.inflate = u64::from(DUPACK_THRESHOLD) * self.mss64();
            self.probe = None;
            self.retransmit_first(out);
        }
    }

    fn acks_data(&self, ack: u32) -> bool {
        let acked = ack.wrapping_sub(self.iss.wrapping_add(1)) as u64;
        acked <= self.total
    }

    /// Handles the timers (retransmission, delayed ACK); returns whether
    /// one fired.
    pub fn on_timer(&mut self, now: Nanos, out: &mut Out) -> bool {
        let mut fired = false;
        if self.ack_at.is_some_and(|d| d <= now) {
            self.ack_at = None;
            fired = true;
            if self.ack_pending > 0 && self.state == State::Established {
                let (seq, ack) = (self.snd_nxt(), self.ack_number());
                self.send_control(tcp_flags::ACK, seq, ack, out);
            }
        }
        if self.rto_at.is_some_and(|d| d <= now) {
            fired = true;
            self.retransmission_timeout(now, out);
        }
        if self.tsq_at.is_some_and(|d| d <= now) {
            self.tsq_at = None;
            fired = true;
            self.transmit(now, out);
        }
        self.arm();
        fired
    }

    /// Whether the retransmission timer firing at `now` gives up instead
    /// of sending again (Linux's `tcp_write_timeout`): a SYN after
    /// `SYN_RETRIES` retransmissions, a SYN-ACK after `SYNACK_RETRIES`;
    /// data and a FIN once the time since the first of them was sent
    /// reaches what `RETRIES2` retransmissions take from `MIN_RTO` (or
    /// `ORPHAN_RETRIES` once the application closed: `tcp_orphan_retries`,
    /// none more once the timer reached `MAX_RTO`). The first timeout of
    /// a run of them never gives up (`retransmits_timed_out` needs a
    /// retransmission); it notes when that data was sent: the timer was
    /// armed then.
    fn gives_up(&mut self, now: Nanos) -> bool {
        match self.state {
            State::SynSent => self.retransmits >= SYN_RETRIES,
            State::SynReceived => self.retransmits >= SYNACK_RETRIES,
            State::Established => {
                let stamp = self.retrans_stamp;
                if stamp == NO_STAMP {
                    self.retrans_stamp = Nanos(now.0.saturating_sub(self.rto.0));
                    return false;
                }
                let retries = match (self.fin_queued, self.rto < MAX_RTO) {
                    (false, _) => RETRIES2,
                    (true, true) => ORPHAN_RETRIES,
                    (true, false) => 0,
                };
                now.0.saturating_sub(stamp.0) >= model_timeout(retries, MIN_RTO).0
            }
            _ => false,
        }
    }

    fn retransmission_timeout(&mut self, now: Nanos, out: &mut Out) {
        if self.gives_up(now) {
            // As Linux's `tcp_write_err`: the connection is done, with
            // no RST (the peer is not reachable anyway).
            self.state = State::TimedOut;
            self.rto_at = None;
            self.ack_at = None;
            self.tsq_at = None;
            return;
        }
        self.retransmits += 1;
        self.rto = Nanos(self.rto.0 * 2).min(MAX_RTO);
        self.probe = None;
        match self.state {
            State::SynSent => self.send_syn(tcp_flags::SYN, 0, out),
            State::SynReceived => {
                self.send_syn(tcp_flags::SYN | tcp_flags::ACK, self.ack_number(), out)
            }
            State::Established => {
                self.timeouts += 1;
                let mss = self.mss64();
                // RFC 5681 and CUBIC: the window goes to one segment and
                // slow start runs to the reduced threshold; what was sent
                // goes again from the first unacknowledged byte.
                if !self.in_recovery {
                    self.cubic_loss();
                }
                self.ssthresh = self.ssthresh.max(2 * mss);
                self.cwnd = mss;
                self.in_recovery = false;
                self.inflate = 0;
                self.dupacks = 0;
                // What was sent goes again, but for what the peer SACKed.
                self.recover = self.high_sent;
                self.nxt = self.una;
                if !self.fin_acked {
                    self.fin_sent = false;
                }
                self.rto_at = None;
                self.transmit(now, out);
                return;
            }
            _ => {
                self.rto_at = None;
                return;
            }
        }
        self.rto_at = Some(now.saturating_add(self.rto));
    }
}

/// How long `boundary` retransmissions take from a timer of `rto_base`,
/// doubling up to `MAX_RTO` (Linux's `tcp_model_timeout`): 924.6 s for
/// 15 from 200 ms, 102.2 s for 8.
pub fn model_timeout(boundary: u32, rto_base: Nanos) -> Nanos {
    let linear = (MAX_RTO.0 / rto_base.0.max(1)).max(1).ilog2();
    if boundary <= linear {
        Nanos(((2u64 << boundary) - 1) * rto_base.0)
    } else {
        Nanos(((2u64 << linear) - 1) * rto_base.0 + u64::from(boundary - linear) * MAX_RTO.0)
    }
}
