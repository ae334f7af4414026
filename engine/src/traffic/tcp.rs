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
//! - **Loss recovery**: NewReno fast retransmit and fast recovery
//!   (RFC 6582) on three duplicate ACKs, the receiver holding up to four
//!   out-of-order ranges; otherwise the retransmission timer of RFC 6298
//!   (initial RTO 1 s, minimum 200 ms as Linux, doubling on every retry,
//!   Karn's rule) and go-back-N from the first unacknowledged byte.
//!
//! Payload bytes follow a pattern keyed by the connection, and the receiver
//! checks every byte it accepts; no payload is buffered.
//!
//! The segment size follows the interface MTU as Linux's does (MTU-5): a
//! SYN and a SYN-ACK offer the local MSS (the interface MTU less 40 bytes
//! of IPv4 and TCP headers: 8,961 at 9001, 1,460 at 1500), and a segment
//! carries at most the smaller of the local MSS and the peer's (536 when
//! the peer offers none, RFC 9293). An ICMP "fragmentation needed" about
//! one of its segments lowers the MSS to the next-hop MTU less 40 and sends
//! the unacknowledged data again at once, without waiting for the timer
//! (path MTU discovery, RFC 1191; MTU-4).
//!
//! Like the data plane, an endpoint does no I/O and reads no clock: the
//! engine hands it segments and timer expiries with the time, and it returns
//! segments to send ([`Out`]) and what happened ([`Event`]).

use std::net::SocketAddrV4;

use smoltcp::wire::TcpPacket;

use crate::packet::{self, tcp_flags};
use crate::units::Nanos;

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
pub const MAX_RTO: Nanos = Nanos::from_secs(60);
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
/// Out-of-order ranges a receiver holds.
const OOO_RANGES: usize = 4;
/// Duplicate ACKs that start fast retransmit (RFC 5681).
const DUPACK_THRESHOLD: u8 = 3;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    SynSent,
    SynReceived,
    Established,
    Closed,
    Reset,
}

/// What a segment or timer did to the connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Event {
    pub connected: bool,
    /// New in-order bytes received.
    pub received: u64,
    /// All queued data and the FIN (if queued) are acknowledged.
    pub all_acked: bool,
    pub peer_fin: bool,
    pub reset: bool,
    pub closed: bool,
}

/// The header fields of a received segment.
#[derive(Clone, Copy, Debug)]
pub struct Segment<'a> {
    pub seq: u32,
    pub ack: u32,
    pub flags: u8,
    pub window: u16,
    /// The MSS option, if the segment carries one (read on SYNs only).
    pub mss: Option<u16>,
    /// The window scale option's shift, if the segment carries one (read
    /// on SYNs only).
    pub wscale: Option<u8>,
    pub payload: &'a [u8],
}

/// Reads a TCP segment out of an IPv4 packet.
pub fn segment(buf: &[u8]) -> Option<Segment<'_>> {
    let v = packet::parse(buf).ok()?;
    let start = usize::from(v.header_len);
    let end = usize::from(v.total_len);
    let tcp = TcpPacket::new_checked(buf.get(start..end)?).ok()?;
    let hl = usize::from(tcp.header_len());
    let payload = buf.get(start + hl..end)?;
    let header = buf.get(start..end)?;
    let syn = v.tcp_flags & tcp_flags::SYN != 0;
    Some(Segment {
        seq: tcp.seq_number().0 as u32,
        ack: tcp.ack_number().0 as u32,
        flags: v.tcp_flags,
        window: tcp.window_len(),
        mss: if syn {
            packet::build::tcp_mss_option(header)
        } else {
            None
        },
        wscale: if syn {
            packet::build::tcp_wscale_option(header)
        } else {
            None
        },
        payload,
    })
}

/// The pattern byte at `offset` of a connection's stream.
#[inline]
pub fn pattern(salt: u32, offset: u64) -> u8 {
    (offset.wrapping_mul(31).wrapping_add(u64::from(salt)) >> 3) as u8 ^ (offset as u8)
}

/// CUBIC's state (RFC 9438), windows in segments.
#[derive(Clone, Copy, Debug, Default)]
struct Cubic {
    /// The window before the last reduction.
    w_max: f64,
    /// The time to grow back to `origin`, in seconds.
    k: f64,
    origin: f64,
    /// The Reno-friendly estimate.
    w_est: f64,
    /// The start of the current congestion avoidance epoch.
    epoch: Option<Nanos>,
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
    /// In-order bytes received and not yet acknowledged.
    ack_pending: u64,
    /// Out-of-order ranges of the peer's stream held, sorted.
    ooo: [(u64, u64); OOO_RANGES],
    /// The offset of a FIN that arrived before the data ahead of it.
    fin_at: Option<u64>,
    pub retransmits: u32,
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
        // RFC 7323: a SYN-ACK offers the option only if the SYN did.
        t.peer_wscale(syn.wscale);
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
            ack_pending: 0,
            ooo: [(0, 0); OOO_RANGES],
            fin_at: None,
            retransmits: 0,
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

    /// Window scaling after the peer's SYN (RFC 7323): on when it carried
    /// the option; without it, neither side scales.
    fn peer_wscale(&mut self, wscale: Option<u8>) {
        match wscale {
            Some(s) => {
                self.scaled = true;
                self.snd_wscale = s;
            }
            None => {
                self.scaled = false;
                self.snd_wscale = 0;
                self.rcv_wnd = self.rcv_wnd.min(WINDOW);
            }
        }
    }

    /// Our shift, as our window fields carry it.
    fn rcv_wscale(&self) -> u8 {
        if self.scaled { WSCALE } else { 0 }
    }

    /// The window field of a segment other than a SYN.
    fn window_field(&self) -> u16 {
        (self.rcv_wnd >> self.rcv_wscale()).min(WINDOW) as u16
    }

    /// The largest window this end advertises: half of `tcp_rmem`'s
    /// maximum when scaling is on, else what 16 bits hold.
    fn window_limit(&self) -> u64 {
        if self.scaled { MAX_WINDOW } else { WINDOW }
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

    /// Sends again at `at`, when the interface will have drained.
    pub fn wake_at(&mut self, at: Nanos) {
        self.tsq_at = Some(at);
        self.arm();
    }

    /// Linux's pacing rate in bytes per second (`tcp_update_pacing_rate`):
    /// 200 % of `max(cwnd, in flight) / srtt` while the window is under
    /// half the slow start threshold, else 120 %; `u64::MAX` before a round
    /// trip was measured.
    pub fn pacing_rate(&self) -> u64 {
        let Some(srtt) = self.srtt else {
            return u64::MAX;
        };
        let ratio = if self.cwnd < self.ssthresh / 2 {
            PACING_SS_RATIO
        } else {
            PACING_CA_RATIO
        };
        let window = u128::from(self.cwnd.max(self.nxt - self.una));
        let rate = u128::from(ratio) * window * 1_000_000_000 / (100 * u128::from(srtt.0.max(1)));
        u64::try_from(rate).unwrap_or(u64::MAX)
    }

    /// TCP Small Queues' limit on what this socket keeps below it in the
    /// host (`tcp_small_queue_check`): about a millisecond at the pacing
    /// rate (`rate >> 10`), at least two segments, at most
    /// `tcp_limit_output_bytes`.
    pub fn tsq_limit(&self) -> u64 {
        let two = 2 * (self.mss64() + HEADERS);
        (self.pacing_rate() >> 10).clamp(two, LIMIT_OUTPUT_BYTES.max(two))
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
        self.mss = mss;
        self.cwnd = self.cwnd.max(u64::from(mss));
        // Linux's tcp_simple_retransmit: what is in flight is lost.
        self.nxt = self.una;
        if !self.fin_acked {
            self.fin_sent = false;
        }
        self.probe = None;
        self.transmit(now, out);
        self.arm();
        true
    }

    fn send_syn(&self, flags: u8, ack: u32, out: &mut Out) {
        let spec = packet::build::TcpSpec {
            src: self.local,
            dst: self.remote,
            seq: self.iss,
            ack,
            flags,
            // The window of a SYN is never scaled (RFC 7323).
            window: self.rcv_wnd.min(WINDOW) as u16,
        };
        out.push(if self.scaled {
            packet::build::tcp_syn_scaled(&spec, self.local_mss, WSCALE, self.ttl, 0)
        } else {
            packet::build::tcp_syn(&spec, self.local_mss, self.ttl, 0)
        });
    }

    pub fn is_open(&self) -> bool {
        matches!(
            self.state,
            State::SynSent | State::SynReceived | State::Established
        )
    }

    fn ack_number(&self) -> u32 {
        self.irs
            .wrapping_add(1)
            .wrapping_add(self.rcv as u32)
            .wrapping_add(u32::from(self.peer_fin))
    }

    fn seq_of(&self, offset: u64) -> u32 {
        self.iss.wrapping_add(1).wrapping_add(offset as u32)
    }

    /// The sequence number of the next new byte (SND.NXT, RFC 9293): the
    /// FIN, once sent, takes one (so a segment after it carries FIN + 1).
    fn snd_nxt(&self) -> u32 {
        self.seq_of(self.nxt)
            .wrapping_add(u32::from(self.fin_sent && self.nxt == self.total))
    }

    /// A segment carrying an ACK leaves: nothing waits to be acknowledged.
    fn acked_now(&mut self) {
        if self.ack_pending > 0 {
            self.quick = self.quick.saturating_sub(1);
        }
        self.ack_pending = 0;
        self.ack_at = None;
    }

    fn send_control(&mut self, flags: u8, seq: u32, ack: u32, out: &mut Out) {
        let spec = packet::build::TcpSpec {
            src: self.local,
            dst: self.remote,
            seq,
            ack,
            flags,
            window: self.window_field(),
        };
        out.push(packet::build::tcp(&spec, &[], self.ttl, 0));
        if flags & tcp_flags::ACK != 0 {
            self.acked_now();
        }
    }

    /// Sends `len` bytes of the stream from `offset`.
    fn send_data(&mut self, offset: u64, len: u64, out: &mut Out) {
        let mut scratch = [0u8; MAX_MSS];
        let payload = &mut scratch[..len as usize];
        for (i, b) in payload.iter_mut().enumerate() {
            *b = pattern(self.salt_out, offset + i as u64);
        }
        let spec = packet::build::TcpSpec {
            src: self.local,
            dst: self.remote,
            seq: self.seq_of(offset),
            ack: self.ack_number(),
            flags: tcp_flags::ACK | tcp_flags::PSH,
            window: self.window_field(),
        };
        out.push(packet::build::tcp(&spec, payload, self.ttl, 0));
        self.acked_now();
    }

    /// Sends again the first unacknowledged segment (or the FIN).
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
        let mss = self.mss64();
        let window = (self.cwnd + self.inflate)
            .min(self.peer_window)
            .min(WMEM_MAX)
            .max(mss);
        let mut sent = false;
        while self.nxt < self.total && self.nxt - self.una < window {
            let len = (self.total - self.nxt)
                .min(mss)
                .min(window - (self.nxt - self.una));
            // TCP Small Queues: no more into the host's interface than it
            // has room for; the engine wakes this end when it drained.
            if len + HEADERS > self.room {
                self.tsq_blocked = true;
                break;
            }
            self.room = self.room.saturating_sub(len + HEADERS);
            let at = self.nxt;
            self.send_data(at, len, out);
            if self.probe.is_none() {
                self.probe = Some((at + len, now, at + len));
            }
            self.nxt += len;
            sent = true;
        }
        if sent {
            if let Some((_, when, end)) = self.probe.as_mut() {
                if *when == now {
                    *end = self.nxt;
                }
            }
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

    fn sample_rtt(&mut self, r: Nanos) {
        match self.srtt {
            None => {
                self.srtt = Some(r);
                self.rttvar = Nanos(r.0 / 2);
            }
            Some(s) => {
                let diff = s.0.abs_diff(r.0);
                self.rttvar = Nanos((3 * self.rttvar.0 + diff) / 4);
                self.srtt = Some(Nanos((7 * s.0 + r.0) / 8));
            }
        }
        let s = self.srtt.unwrap_or(r);
        self.rto = Nanos(s.0 + 4 * self.rttvar.0).max(MIN_RTO).min(MAX_RTO);
        self.min_rtt = Some(self.min_rtt.map_or(r, |m| m.min(r)));
        // HyStart's delay increase (Linux's tcp_cubic.c): in slow start
        // from 16 segments, a round trip longer than the smallest by an
        // eighth of it (4 to 16 ms) ends slow start.
        let min = self.min_rtt.unwrap_or(r);
        if self.cwnd < self.ssthresh && self.cwnd >= HYSTART_LOW_WINDOW * self.mss64() {
            let thresh = Nanos(min.0 / 8).clamp(Nanos::from_millis(4), Nanos::from_millis(16));
            if r.0 > min.0 + thresh.0 {
                self.ssthresh = self.cwnd;
            }
        }
    }

    /// CUBIC's growth for `newly` bytes acknowledged in congestion
    /// avoidance (RFC 9438 section 4).
    fn cubic_grow(&mut self, newly: u64, now: Nanos) {
        let mss = self.mss64() as f64;
        let cwnd = self.cwnd as f64 / mss;
        let c = &mut self.cubic;
        let epoch = match c.epoch {
            Some(e) => e,
            None => {
                c.epoch = Some(now);
                if cwnd < c.w_max {
                    c.k = ((c.w_max - cwnd) / CUBIC_C).cbrt();
                    c.origin = c.w_max;
                } else {
                    c.k = 0.0;
                    c.origin = cwnd;
                }
                c.w_est = cwnd;
                now
            }
        };
        // The window one round trip ahead, as Linux computes it.
        let rtt = self.min_rtt.unwrap_or(Nanos::ZERO);
        let t = (now.0 - epoch.0 + rtt.0) as f64 / 1e9;
        let w_cubic = c.origin + CUBIC_C * (t - c.k).powi(3);
        let target = w_cubic.clamp(cwnd, 1.5 * cwnd);
        let segs = newly as f64 / mss;
        // The Reno-friendly region (RFC 9438 section 4.3).
        let alpha = if c.w_est >= c.w_max {
            1.0
        } else {
            3.0 * (1.0 - CUBIC_BETA) / (1.0 + CUBIC_BETA)
        };
        c.w_est += alpha * segs / cwnd;
        let next = if w_cubic < c.w_est {
            c.w_est
        } else {
            cwnd + (target - cwnd) / cwnd * segs
        };
        self.cwnd = self.cwnd.max((next * mss) as u64);
    }

    /// CUBIC's reduction on a loss (RFC 9438 section 4.6, with fast
    /// convergence, section 4.7).
    fn cubic_loss(&mut self) {
        let mss = self.mss64();
        let cwnd = self.cwnd as f64 / mss as f64;
        let c = &mut self.cubic;
        c.w_max = if cwnd < c.w_max {
            cwnd * (1.0 + CUBIC_BETA) / 2.0
        } else {
            cwnd
        };
        c.epoch = None;
        self.ssthresh = ((self.cwnd as f64 * CUBIC_BETA).round() as u64).max(2 * mss);
    }

    /// Receive-buffer autotuning once per round trip, as Linux's
    /// `tcp_rcv_space_adjust`: the window becomes twice what arrived in the
    /// round trip plus 16 segments, plus twice the growth since the last.
    fn autotune(&mut self, now: Nanos) {
        // `tcp_grow_window`: each arriving segment raises the window by two
        // segments up to what the initial buffer allows. Without this a
        // first window rounded down to a large MSS (seven segments of 8,961
        // bytes) is all that can arrive in a round trip, never more than
        // the first measure, and autotuning would never start.
        let clamp = INITIAL_CLAMP.min(self.window_limit());
        if self.rcv_wnd < clamp {
            self.rcv_wnd = (self.rcv_wnd + 2 * self.mss64()).min(clamp);
        }
        let rtt = self.srtt.unwrap_or(INITIAL_RTO);
        if now.0.saturating_sub(self.rcvq_time.0) < rtt.0 {
            return;
        }
        let copied = self.rcv - self.rcvq_seq;
        if copied > self.rcvq_space {
            let space = self.rcvq_space.max(1);
            let mut win = 2 * copied + 16 * self.mss64();
            win += 2 * (win * (copied - space) / space);
            self.rcv_wnd = self.rcv_wnd.max(win.min(self.window_limit()));
            self.rcvq_space = copied;
        }
        self.rcvq_seq = self.rcv;
        self.rcvq_time = now;
    }

    /// Takes the held out-of-order ranges that now follow in order.
    fn pull_ooo(&mut self) -> u64 {
        let before = self.rcv;
        while self.ooo_len > 0 && self.ooo[0].0 <= self.rcv {
            self.rcv = self.rcv.max(self.ooo[0].1);
            self.ooo.copy_within(1..usize::from(self.ooo_len), 0);
            self.ooo_len -= 1;
        }
        self.rcv - before
    }

    /// Holds the range `[from, to)` of the peer's stream, merged with the
    /// ranges it touches; returns false when there is no room for it.
    fn hold_ooo(&mut self, from: u64, to: u64) -> bool {
        let n = usize::from(self.ooo_len);
        let (mut from, mut to) = (from, to);
        let mut keep = [(0u64, 0u64); OOO_RANGES];
        let mut k = 0;
        let mut placed = false;
        for &(a, b) in &self.ooo[..n] {
            if b < from || a > to {
                if a > to && !placed {
                    if k == OOO_RANGES {
                        return false;
                    }
                    keep[k] = (from, to);
                    k += 1;
                    placed = true;
                }
                if k == OOO_RANGES {
                    return false;
                }
                keep[k] = (a, b);
                k += 1;
            } else {
                from = from.min(a);
                to = to.max(b);
            }
        }
        if !placed {
            if k == OOO_RANGES {
                return false;
            }
            keep[k] = (from, to);
            k += 1;
        }
        self.ooo = keep;
        self.ooo_len = k as u8;
        true
    }

    fn check_pattern(&mut self, offset: u64, payload: &[u8]) {
        for (i, b) in payload.iter().enumerate() {
            if *b != pattern(self.salt_in, offset + i as u64) {
                self.corrupt += 1;
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
            if duplicate {
                self.duplicate_ack(out);
            }
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
        self.una = data_acked;
        self.dupacks = 0;
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
        if self.in_recovery {
            if self.una >= self.recover {
                // Full acknowledgement: recovery ends (RFC 6582).
                self.in_recovery = false;
                self.inflate = 0;
                self.cwnd = self.ssthresh;
            } else {
                // Partial: the next hole goes at once.
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
    }

    /// A duplicate ACK: the third starts fast retransmit and fast recovery
    /// (RFC 6582), later ones inflate the window by a segment each.
    fn duplicate_ack(&mut self, out: &mut Out) {
        self.dupacks = self.dupacks.saturating_add(1);
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

    /// The data and FIN of a segment; returns whether to acknowledge now.
    fn data_in(&mut self, seg: &Segment<'_>, now: Nanos, ev: &mut Event) -> bool {
        let mut ack_now = false;
        let len = seg.payload.len() as u64;
        let expected = self.irs.wrapping_add(1).wrapping_add(self.rcv as u32);
        let offset = i64::from(seg.seq.wrapping_sub(expected) as i32);
        let base = self.rcv as i64;
        if len > 0 {
            if self.peer_fin {
                ack_now = true;
            } else if offset <= 0 {
                let skip = offset.unsigned_abs();
                if skip < len {
                    let new = &seg.payload[skip as usize..];
                    self.check_pattern(self.rcv, new);
                    self.rcv += new.len() as u64;
                    let pulled = self.pull_ooo();
                    ev.received = new.len() as u64 + pulled;
                    self.ack_pending += ev.received;
                    self.autotune(now);
                    // Linux acknowledges at once in quick-ACK mode, when
                    // more than one full segment waits, or when the
                    // segment filled a hole.
                    if self.quick > 0
                        || self.ack_pending > self.mss64()
                        || pulled > 0
                        || self.ooo_len > 0
                    {
                        ack_now = true;
                    }
                } else {
                    // A duplicate: its ACK goes at once.
                    ack_now = true;
                }
            } else {
                let from = self.rcv + offset as u64;
                if from + len - self.rcv <= self.rcv_wnd && self.hold_ooo(from, from + len) {
                    self.check_pattern(from, seg.payload);
                }
                // Out of order: a duplicate ACK at once.
                ack_now = true;
            }
        }
        if seg.flags & tcp_flags::FIN != 0 && !self.peer_fin {
            ack_now = true;
            let fin = base + offset + len as i64;
            if fin >= self.rcv as i64 {
                self.fin_at = Some(fin as u64);
            }
        }
        if self.fin_at == Some(self.rcv) && !self.peer_fin {
            self.peer_fin = true;
            ev.peer_fin = true;
            ack_now = true;
        }
        ack_now
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

    fn retransmission_timeout(&mut self, now: Nanos, out: &mut Out) {
        self.retransmits += 1;
        self.rto = Nanos(self.rto.0 * 2).min(MAX_RTO);
        self.probe = None;
        match self.state {
            State::SynSent => self.send_syn(tcp_flags::SYN, 0, out),
            State::SynReceived => {
                self.send_syn(tcp_flags::SYN | tcp_flags::ACK, self.ack_number(), out)
            }
            State::Established => {
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
                self.recover = self.nxt;
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    fn addr(a: u8, port: u16) -> SocketAddrV4 {
        SocketAddrV4::new(Ipv4Addr::new(10, 0, 0, a), port)
    }

    /// A path between a client and a server: one-way delay, and the rate
    /// of the client's link towards the server (bits per second; 0 for no
    /// limit), queued first in, first out.
    #[derive(Clone, Copy)]
    struct Path {
        delay: Nanos,
        rate: u64,
    }

    /// Moves segments between two endpoints over a path that loses the
    /// segments `lose` says to, with a fixed one-way delay of 5 ms.
    fn run(total: u64, lose: impl Fn(usize, &[u8]) -> bool) -> (Tcp, Tcp, Nanos) {
        let path = Path {
            delay: Nanos::from_millis(5),
            rate: 0,
        };
        let (c, s, t, _) = run_path(total, path, lose);
        (c, s, t)
    }

    /// Every segment with its arrival time and direction (true: to the
    /// server).
    type Log = Vec<(Nanos, bool, Vec<u8>)>;

    /// The client uploads `total` bytes and closes; the server closes when
    /// the client's FIN arrives. Returns both ends, when the last segment
    /// arrived, and every segment with its arrival time (lost ones too).
    fn run_path(
        total: u64,
        path: Path,
        lose: impl Fn(usize, &[u8]) -> bool,
    ) -> (Tcp, Tcp, Nanos, Log) {
        run_flow(total, path, 1500, false, lose)
    }

    /// The request of a download.
    const REQUEST: u64 = 200;

    /// As [`run_path`], both interfaces of MTU `mtu`; with `download`, the
    /// client sends a 200-byte request instead and the server answers with
    /// `total` bytes and closes, and the client closes when that ends.
    fn run_flow(
        total: u64,
        path: Path,
        mtu: u16,
        download: bool,
        lose: impl Fn(usize, &[u8]) -> bool,
    ) -> (Tcp, Tcp, Nanos, Log) {
        use std::cmp::Reverse;
        use std::collections::BinaryHeap;
        let mut now = Nanos::ZERO;
        let mut out = Out::new();
        let mut client = Tcp::connect(addr(1, 40000), addr(2, 443), 1000, mtu, now, &mut out);
        let mut asked = 0u64;
        let mut server: Option<Tcp> = None;
        // (arrival time, order sent, to_server, bytes)
        let mut wire = BinaryHeap::new();
        let mut order = 0u64;
        let mut link_free = Nanos::ZERO;
        let mut log = Vec::new();
        let mut put = |wire: &mut BinaryHeap<_>, now: Nanos, to_server: bool, b: Vec<u8>| {
            let mut at = now;
            if to_server && path.rate > 0 {
                let tx = b.len() as u64 * 8 * 1_000_000_000 / path.rate;
                at = Nanos(now.0.max(link_free.0) + tx);
                link_free = at;
            }
            order += 1;
            wire.push(Reverse((
                at.saturating_add(path.delay),
                order,
                to_server,
                b,
            )));
        };
        for b in out.drain(..) {
            put(&mut wire, now, true, b.to_vec());
        }
        let mut sent = 0usize;
        let mut wrote = false;
        for _ in 0..2_000_000 {
            let next_timer = [client.deadline, server.as_ref().and_then(|s| s.deadline)]
                .into_iter()
                .flatten()
                .min();
            let next_pkt = wire.peek().map(|w| w.0.0);
            let t = match (next_pkt, next_timer) {
                (Some(p), Some(tm)) => p.min(tm),
                (Some(p), None) => p,
                (None, Some(tm)) => tm,
                (None, None) => break,
            };
            now = t;
            if next_pkt == Some(t) {
                let Reverse((_, _, to_server, bytes)) = wire.pop().unwrap();
                sent += 1;
                log.push((now, to_server, bytes.clone()));
                if lose(sent, &bytes) {
                    continue;
                }
                let seg = segment(&bytes).unwrap();
                if to_server {
                    match server.as_mut() {
                        None => {
                            server = Some(Tcp::accept(
                                addr(2, 443),
                                addr(1, 40000),
                                9000,
                                mtu,
                                &seg,
                                now,
                                &mut out,
                            ));
                        }
                        Some(s) => {
                            let ev = s.on_segment(&seg, now, &mut out);
                            asked += ev.received;
                            if download && ev.received > 0 && asked == REQUEST {
                                s.write(total, now, &mut out);
                                s.close(now, &mut out);
                            }
                            if ev.peer_fin && !download {
                                s.close(now, &mut out);
                            }
                        }
                    }
                    for b in out.drain(..) {
                        put(&mut wire, now, false, b.to_vec());
                    }
                } else {
                    let ev = client.on_segment(&seg, now, &mut out);
                    if ev.connected && !wrote {
                        wrote = true;
                        if download {
                            client.write(REQUEST, now, &mut out);
                        } else {
                            client.write(total, now, &mut out);
                            client.close(now, &mut out);
                        }
                    }
                    if download && ev.peer_fin {
                        client.close(now, &mut out);
                    }
                    for b in out.drain(..) {
                        put(&mut wire, now, true, b.to_vec());
                    }
                }
            } else {
                if client.deadline.is_some_and(|d| d <= now) {
                    client.on_timer(now, &mut out);
                    for b in out.drain(..) {
                        put(&mut wire, now, true, b.to_vec());
                    }
                }
                if let Some(s) = server.as_mut() {
                    if s.deadline.is_some_and(|d| d <= now) {
                        s.on_timer(now, &mut out);
                        for b in out.drain(..) {
                            put(&mut wire, now, false, b.to_vec());
                        }
                    }
                }
            }
        }
        (client, server.unwrap(), now, log)
    }

    /// When the client learned that the server had all `total` bytes:
    /// the arrival of the first ACK of the last byte.
    fn all_received_at(log: &[(Nanos, bool, Vec<u8>)], total: u64) -> Nanos {
        let end = 1000u32.wrapping_add(1).wrapping_add(total as u32);
        log.iter()
            .find(|(_, to_server, b)| {
                !to_server && segment(b).is_some_and(|s| s.ack.wrapping_sub(end) as i32 >= 0)
            })
            .map(|(t, _, _)| *t)
            .expect("the last byte is acknowledged")
    }

    #[test]
    fn transfer_completes_and_every_byte_checks() {
        let (c, s, _) = run(200_000, |_, _| false);
        assert_eq!(s.rcv, 200_000);
        assert_eq!(s.corrupt, 0);
        assert_eq!(c.state, State::Closed);
        assert_eq!(c.retransmits, 0);
    }

    #[test]
    fn a_segment_after_the_fin_carries_the_fin_plus_one() {
        // RFC 9293: SYN and FIN take one sequence number each, so a segment
        // that carries neither data nor SYN/FIN has SND.NXT, past them.
        let log = std::cell::RefCell::new(Vec::new());
        let (c, s, _) = run(20_000, |_, b| {
            log.borrow_mut().push(b.to_vec());
            false
        });
        assert_eq!((c.state, s.state), (State::Closed, State::Closed));
        let mut next: [Option<u32>; 2] = [None, None];
        let (mut pure, mut after_fin) = (0, 0);
        for b in log.borrow().iter() {
            let seg = segment(b).expect("a TCP segment");
            let side = usize::from(b[20..22] == 443u16.to_be_bytes());
            let syn_fin = u32::from(seg.flags & tcp_flags::SYN != 0)
                + u32::from(seg.flags & tcp_flags::FIN != 0);
            let consumed = seg.payload.len() as u32 + syn_fin;
            if consumed == 0 && seg.flags & tcp_flags::RST == 0 {
                assert_eq!(Some(seg.seq), next[side], "a pure ACK carries SND.NXT");
                pure += 1;
            }
            let end = seg.seq.wrapping_add(consumed);
            if seg.flags & tcp_flags::FIN != 0 {
                after_fin += 1;
            }
            next[side] = Some(next[side].map_or(end, |n| n.max(end)));
        }
        assert!(
            pure > 0 && after_fin == 2,
            "{pure} pure ACKs, {after_fin} FINs"
        );
        // The last segment, checked with the rest above, is the pure ACK of
        // the second FIN, sent after the first.
        let last = segment(log.borrow().last().unwrap()).map(|g| g.flags);
        assert_eq!(last, Some(tcp_flags::ACK));
    }

    #[test]
    fn lossy_path_retransmits_and_still_delivers_every_byte() {
        // Lose every 7th segment once.
        let (c, s, _) = run(100_000, |n, _| n % 7 == 0 && n < 200);
        assert_eq!(s.rcv, 100_000);
        assert_eq!(s.corrupt, 0);
        assert!(c.retransmits > 0);
    }

    #[test]
    fn blackholed_syn_is_retried_with_backoff() {
        let mut out = Out::new();
        let mut c = Tcp::connect(addr(1, 40000), addr(2, 443), 1, 1500, Nanos::ZERO, &mut out);
        assert_eq!(out.len(), 1);
        let mut fired = vec![];
        for _ in 0..4 {
            let d = c.deadline.unwrap();
            out.clear();
            assert!(c.on_timer(d, &mut out));
            assert_eq!(out.len(), 1, "a SYN again");
            fired.push(d.0 / 1_000_000_000);
        }
        // 1 s, then 2, 4, 8 s later.
        assert_eq!(fired, vec![1, 3, 7, 15]);
    }

    #[test]
    fn connection_state_is_compact() {
        // No payload is buffered: data follows the pattern, so a connection
        // is its sequence state (see docs/traffic.md).
        let size = std::mem::size_of::<Tcp>();
        println!("Tcp: {size} bytes");
        assert!(size <= 480, "{size}");
    }

    /// A handshake between a client and a server with these interface
    /// MTUs: the two ends, the SYN and the SYN-ACK.
    fn handshake(client_mtu: u16, server_mtu: u16) -> (Tcp, Tcp, Vec<u8>, Vec<u8>) {
        let now = Nanos::ZERO;
        let mut out = Out::new();
        let mut c = Tcp::connect(addr(1, 40000), addr(2, 443), 100, client_mtu, now, &mut out);
        let syn = out.pop().unwrap().to_vec();
        let mut s = Tcp::accept(
            addr(2, 443),
            addr(1, 40000),
            900,
            server_mtu,
            &segment(&syn).unwrap(),
            now,
            &mut out,
        );
        let synack = out.pop().unwrap().to_vec();
        c.on_segment(&segment(&synack).unwrap(), now, &mut out);
        let ack = out.pop().unwrap();
        s.on_segment(&segment(&ack).unwrap(), now, &mut out);
        (c, s, syn, synack)
    }

    #[test]
    fn mtu_5_the_syn_offers_the_interface_mtu_less_40() {
        let (c, s, syn, synack) = handshake(9001, 9001);
        assert_eq!(segment(&syn).unwrap().mss, Some(8961));
        assert_eq!(segment(&synack).unwrap().mss, Some(8961));
        assert_eq!(syn.len(), 48, "a 28-byte TCP header with MSS, NOP, WS");
        assert!(crate::packet::transport_checksum_ok(&syn));
        assert_eq!((c.mss, s.mss), (8961, 8961));
        // A jumbo segment: 9001 bytes on the wire.
        let mut out = Out::new();
        let mut c = c;
        c.write(100_000, Nanos::ZERO, &mut out);
        assert_eq!(out[0].len(), 9001);
    }

    #[test]
    fn mtu_5_both_ends_send_the_smaller_mss() {
        let (c, s, _, synack) = handshake(9001, 1500);
        assert_eq!(segment(&synack).unwrap().mss, Some(1460));
        assert_eq!((c.mss, s.mss), (1460, 1460));
        let mut out = Out::new();
        let mut c = c;
        c.write(100_000, Nanos::ZERO, &mut out);
        assert!(out.iter().all(|p| p.len() <= 1500));
        assert_eq!(out[0].len(), 1500);
    }

    #[test]
    fn mtu_5_no_mss_option_means_536() {
        let now = Nanos::ZERO;
        let mut out = Out::new();
        let mut c = Tcp::connect(addr(1, 40000), addr(2, 443), 100, 9001, now, &mut out);
        out.clear();
        // A SYN-ACK without options.
        let spec = packet::build::TcpSpec {
            src: addr(2, 443),
            dst: addr(1, 40000),
            seq: 5000,
            ack: 101,
            flags: tcp_flags::SYN | tcp_flags::ACK,
            window: 65535,
        };
        let synack = packet::build::tcp(&spec, &[], 64, 0);
        c.on_segment(&segment(&synack).unwrap(), now, &mut out);
        assert_eq!(c.mss, DEFAULT_MSS);
    }

    #[test]
    fn mtu_4_fragmentation_needed_lowers_the_mss_and_resends_at_once() {
        let (mut c, _, _, _) = handshake(9001, 9001);
        let mut out = Out::new();
        c.write(50_000, Nanos::ZERO, &mut out);
        assert_eq!(out[0].len(), 9001);
        out.clear();
        assert!(c.on_frag_needed(8500, Nanos::from_millis(1), &mut out));
        assert_eq!(c.mss, 8460);
        assert!(!out.is_empty(), "sent again without waiting for the timer");
        assert_eq!(out[0].len(), 8500);
        let first = segment(&out[0]).unwrap();
        assert_eq!(first.seq, 101, "from the first unacknowledged byte");
        // A larger MTU, or the same again, changes nothing.
        out.clear();
        assert!(!c.on_frag_needed(9001, Nanos::from_millis(2), &mut out));
        assert!(!c.on_frag_needed(8500, Nanos::from_millis(2), &mut out));
        assert!(out.is_empty());
    }

    #[test]
    fn corrupted_payload_is_counted() {
        let now = Nanos::ZERO;
        let mut out = Out::new();
        let mut c = Tcp::connect(addr(1, 40000), addr(2, 443), 100, 1500, now, &mut out);
        let syn = out.pop().unwrap();
        let mut s = Tcp::accept(
            addr(2, 443),
            addr(1, 40000),
            900,
            1500,
            &segment(&syn).unwrap(),
            now,
            &mut out,
        );
        let synack = out.pop().unwrap();
        c.on_segment(&segment(&synack).unwrap(), now, &mut out);
        let ack = out.pop().unwrap();
        s.on_segment(&segment(&ack).unwrap(), now, &mut out);
        out.clear();
        s.write(100, now, &mut out);
        let mut data = out.pop().unwrap().to_vec();
        // Flip one payload byte (the last), as a broken path would.
        let last = data.len() - 1;
        data[last] ^= 0xff;
        let ev = c.on_segment(&segment(&data).unwrap(), now, &mut out);
        assert_eq!(ev.received, 100);
        assert_eq!(c.corrupt, 1);
    }

    /// Segments of a log, parsed, with their arrival time and direction.
    fn segs(log: &[(Nanos, bool, Vec<u8>)]) -> Vec<(Nanos, bool, Segment<'_>)> {
        log.iter()
            .map(|(t, up, b)| (*t, *up, segment(b).unwrap()))
            .collect()
    }

    #[test]
    fn rfc7323_syn_and_syn_ack_offer_window_scale_7() {
        let (c, s, syn, synack) = handshake(9001, 9001);
        let (syn, synack) = (segment(&syn).unwrap(), segment(&synack).unwrap());
        // ilog2(6 MiB) - 15, as Linux picks it for tcp_rmem's maximum.
        assert_eq!((syn.wscale, synack.wscale), (Some(7), Some(7)));
        // The SYN's own window is not scaled: 7 segments of 8,961.
        assert_eq!(syn.window, 62_727);
        assert!(c.scaled && s.scaled);
        // Later window fields are the window shifted right by 7.
        let mut out = Out::new();
        let mut c = c;
        c.write(1000, Nanos::ZERO, &mut out);
        let packet = out.remove(0);
        let data = segment(&packet).unwrap();
        assert_eq!(u64::from(data.window), c.rcv_wnd() >> 7);
        // The server reads it back shifted left.
        let mut s = s;
        s.on_segment(&data, Nanos::ZERO, &mut out);
        assert_eq!(s.peer_window(), c.rcv_wnd() >> 7 << 7);
    }

    #[test]
    fn rfc7323_no_window_scale_in_the_syn_means_no_scaling_either_way() {
        let now = Nanos::ZERO;
        let spec = packet::build::TcpSpec {
            src: addr(1, 40000),
            dst: addr(2, 443),
            seq: 100,
            ack: 0,
            flags: tcp_flags::SYN,
            window: 65535,
        };
        let syn = packet::build::tcp_syn(&spec, 1460, 64, 0);
        let mut out = Out::new();
        let s = Tcp::accept(
            addr(2, 443),
            addr(1, 40000),
            9,
            1500,
            &segment(&syn).unwrap(),
            now,
            &mut out,
        );
        let synack = segment(&out[0]).unwrap();
        assert_eq!(synack.wscale, None, "offered only if the SYN did");
        assert_eq!(synack.mss, Some(1460));
        assert!(!s.scaled);
        assert!(s.rcv_wnd() <= WINDOW);
        assert_eq!(s.window_limit(), WINDOW);
    }

    #[test]
    fn autotuning_grows_the_receive_window_to_half_of_tcp_rmem_max() {
        let path = Path {
            delay: Nanos::from_millis(10),
            rate: 0,
        };
        let (c, s, _, log) = run_path(30 << 20, path, |_, _| false);
        assert_eq!(s.rcv, 30 << 20);
        assert_eq!(c.retransmits, 0);
        // From 64,240 (the largest multiple of the MSS in 64 KiB) in the
        // SYN-ACK, to the initial buffer's 64 KiB once data arrives ...
        let segs = segs(&log);
        let syn_ack = segs
            .iter()
            .find(|(_, up, g)| !up && g.flags & tcp_flags::SYN != 0);
        assert_eq!(syn_ack.map(|(_, _, g)| g.window), Some(64_240));
        let first_ack = segs
            .iter()
            .find(|(_, up, g)| !up && g.flags == tcp_flags::ACK);
        assert_eq!(
            first_ack.map(|(_, _, g)| g.window),
            Some((INITIAL_CLAMP >> 7) as u16)
        );
        // ... to 3 MiB: 6 MiB of buffer, half of it for the window.
        assert_eq!(s.rcv_wnd(), MAX_WINDOW);
        let widest = segs
            .iter()
            .filter(|(_, up, g)| !up && g.flags & tcp_flags::SYN == 0)
            .map(|(_, _, g)| g.window)
            .max();
        assert_eq!(widest, Some((MAX_WINDOW >> 7) as u16));
        // The window never shrinks and each step is at most one round
        // trip apart from the last.
        let windows: Vec<u16> = segs
            .iter()
            .filter(|(_, up, _)| !up)
            .map(|(_, _, g)| g.window)
            .collect();
        assert!(
            windows.windows(2).skip(1).all(|w| w[1] >= w[0]),
            "{windows:?}"
        );
    }

    #[test]
    fn autotuning_grows_a_downloads_window_at_a_jumbo_mss() {
        // At MSS 8,961 the first window is seven segments (62,727 bytes),
        // less than ten: what arrives in a round trip can exceed the first
        // measure only because arriving data grows the window to 64 KiB.
        let path = Path {
            delay: Nanos::from_millis(20),
            rate: 0,
        };
        let total = 40 << 20;
        let (c, s, end, log) = run_flow(total, path, 9001, true, |_, _| false);
        assert_eq!(c.rcv, total);
        assert_eq!(s.retransmits, 0);
        let segs = segs(&log);
        let syn = segs
            .iter()
            .find(|(_, up, g)| *up && g.flags & tcp_flags::SYN != 0);
        assert_eq!(syn.map(|(_, _, g)| g.window), Some(62_727));
        assert_eq!(c.rcv_wnd(), MAX_WINDOW);
        // Slow start to the 3 MiB window in a few round trips, then 3 MiB
        // per 40 ms: well under a second, where seven segments per round
        // trip would take 27 s.
        assert!(end < Nanos::from_millis(1500), "{end:?}");
    }

    #[test]
    fn tcp_wmem_caps_the_data_in_flight_at_4_mib() {
        // A peer offering a 1 GiB window (shift 14) and a congestion window
        // larger than the send buffer: 4 MiB go, no more.
        let now = Nanos::ZERO;
        let mut out = Out::new();
        let mut c = Tcp::connect(addr(1, 40000), addr(2, 443), 100, 9001, now, &mut out);
        out.clear();
        let spec = packet::build::TcpSpec {
            src: addr(2, 443),
            dst: addr(1, 40000),
            seq: 5000,
            ack: 101,
            flags: tcp_flags::SYN | tcp_flags::ACK,
            window: 65535,
        };
        let synack = packet::build::tcp_syn_scaled(&spec, 8961, 14, 64, 0);
        c.on_segment(&segment(&synack).unwrap(), now, &mut out);
        let ack = packet::build::tcp(
            &packet::build::TcpSpec {
                flags: tcp_flags::ACK,
                seq: 5001,
                ..spec
            },
            &[],
            64,
            0,
        );
        c.on_segment(&segment(&ack).unwrap(), now, &mut out);
        assert_eq!(c.peer_window(), 65535 << 14);
        c.cwnd = 64 << 20;
        out.clear();
        c.write(100 << 20, now, &mut out);
        let bytes: u64 = out
            .iter()
            .map(|p| segment(p).unwrap().payload.len() as u64)
            .sum();
        assert!(bytes <= WMEM_MAX && bytes > WMEM_MAX - 8961, "{bytes}");
    }

    #[test]
    fn rfc6928_the_initial_window_is_ten_segments() {
        let (mut c, _, _, _) = handshake(1500, 1500);
        let mut out = Out::new();
        c.write(1 << 20, Nanos::ZERO, &mut out);
        assert_eq!(out.len(), 10);
        assert!(out.iter().all(|p| p.len() == 1500));
    }

    #[test]
    fn tsq_a_sender_stops_at_its_room_and_sends_on_when_woken() {
        let (mut c, _, _, _) = handshake(1500, 1500);
        let mut out = Out::new();
        // Room in the host's interface for three full segments.
        c.set_room(3 * 1500);
        c.write(1 << 20, Nanos::ZERO, &mut out);
        assert_eq!(out.len(), 3, "the window allows ten, the room three");
        assert!(c.take_tsq_blocked());
        assert!(!c.take_tsq_blocked(), "the flag is taken once");
        // The interface drained: woken, it sends the rest of the window.
        let at = Nanos::from_micros(10);
        c.set_room(u64::MAX);
        c.wake_at(at);
        assert_eq!(c.deadline, Some(at));
        out.clear();
        assert!(c.on_timer(at, &mut out));
        assert_eq!(out.len(), 7);
        assert!(!c.take_tsq_blocked());
    }

    #[test]
    fn linux_pacing_rate_200_percent_in_slow_start_120_after_and_tsq_limit_about_1_ms() {
        let mut out = Out::new();
        let mut c = Tcp::connect(
            addr(1, 40000),
            addr(2, 443),
            100,
            1500,
            Nanos::ZERO,
            &mut out,
        );
        let syn = out.pop().unwrap().to_vec();
        let _s = Tcp::accept(
            addr(2, 443),
            addr(1, 40000),
            900,
            1500,
            &segment(&syn).unwrap(),
            Nanos::ZERO,
            &mut out,
        );
        let synack = out.pop().unwrap().to_vec();
        // A 10 ms round trip.
        c.on_segment(&segment(&synack).unwrap(), Nanos::from_millis(10), &mut out);
        assert_eq!(c.srtt, Some(Nanos::from_millis(10)));
        // Slow start: 2 x 14,600 bytes per 10 ms.
        assert_eq!(c.pacing_rate(), 2_920_000);
        // At or above half the threshold: 1.2 x.
        c.ssthresh = c.cwnd;
        assert_eq!(c.pacing_rate(), 1_752_000);
        // TCP Small Queues: at least two segments...
        assert_eq!(c.tsq_limit(), 2 * 1500);
        // ... else rate >> 10, about a millisecond of it...
        c.ssthresh = u64::MAX;
        c.cwnd = 4 << 20;
        assert_eq!(c.tsq_limit(), (2 * (4u64 << 20) * 100) >> 10);
        // ... and at most tcp_limit_output_bytes.
        c.cwnd = 1 << 40;
        assert_eq!(c.tsq_limit(), LIMIT_OUTPUT_BYTES);
    }

    #[test]
    fn delayed_ack_every_second_full_segment_else_40_ms() {
        let (mut c, mut s, _, _) = handshake(1500, 1500);
        let mut out = Out::new();
        let mut now = Nanos::ZERO;
        // Quick-ACK mode: the first 16 segments are acknowledged one by one.
        for _ in 0..QUICK_ACKS {
            now = Nanos(now.0 + 1_000_000);
            c.write(1460, now, &mut out);
            let data = out.pop().unwrap();
            s.on_segment(&segment(&data).unwrap(), now, &mut out);
            assert_eq!(out.len(), 1, "an ACK at once");
            c.on_segment(&segment(&out.pop().unwrap()).unwrap(), now, &mut out);
            out.clear();
        }
        // Then two full segments get one ACK ...
        c.write(2 * 1460, now, &mut out);
        let (a, b) = (out.remove(0), out.remove(0));
        s.on_segment(&segment(&a).unwrap(), now, &mut out);
        assert!(out.is_empty(), "the first waits");
        assert_eq!(s.deadline, Some(now.saturating_add(DELAYED_ACK)));
        s.on_segment(&segment(&b).unwrap(), now, &mut out);
        assert_eq!(out.len(), 1, "the second is acknowledged with the first");
        assert_eq!(s.deadline, None);
        c.on_segment(&segment(&out.pop().unwrap()).unwrap(), now, &mut out);
        // ... and a lone one waits for the 40 ms timer.
        c.write(1460, now, &mut out);
        let a = out.pop().unwrap();
        s.on_segment(&segment(&a).unwrap(), now, &mut out);
        assert!(out.is_empty());
        let at = s.deadline.unwrap();
        assert_eq!(at, now.saturating_add(Nanos::from_millis(40)));
        assert!(!s.on_timer(Nanos(at.0 - 1), &mut out));
        assert!(s.on_timer(at, &mut out));
        let ack = segment(&out[0]).unwrap();
        assert_eq!(ack.flags, tcp_flags::ACK);
        assert_eq!(ack.ack, 101 + 19 * 1460);
        assert_eq!(s.retransmits, 0, "a delayed ACK is not a retransmission");
    }

    #[test]
    fn rfc6298_initial_rto_1_s_and_200_ms_floor() {
        let mut out = Out::new();
        let c = Tcp::connect(addr(1, 40000), addr(2, 443), 1, 1500, Nanos::ZERO, &mut out);
        assert_eq!(c.rto(), Nanos::from_secs(1));
        assert_eq!(c.deadline, Some(Nanos::from_secs(1)));
        // A 10 ms round trip: srtt + 4 rttvar = 30 ms, raised to 200 ms.
        let path = Path {
            delay: Nanos::from_millis(5),
            rate: 0,
        };
        let (c, _, _, _) = run_path(1 << 20, path, |_, _| false);
        assert_eq!(c.rto(), MIN_RTO);
    }

    #[test]
    fn cubic_rfc9438_reduction_to_0_7_and_cubic_growth_back_to_w_max() {
        let (mut c, _, _, _) = handshake(1500, 1500);
        let mss = 1460;
        let rtt = Nanos::from_millis(100);
        c.min_rtt = Some(rtt);
        c.cwnd = 1000 * mss;
        c.cubic_loss();
        assert_eq!(c.ssthresh, 700 * mss, "beta = 0.7");
        assert_eq!(c.cubic.w_max, 1000.0);
        c.cwnd = c.ssthresh;
        // A window of ACKs every 100 ms round trip: K = cbrt(300 / 0.4) =
        // 9.1 s to grow back to 1,000 segments, concave then convex, and
        // the window follows W(t) = 1000 + 0.4 (t - K)^3.
        let k = (300.0f64 / 0.4).cbrt();
        let start = Nanos::from_secs(10);
        let mut t = start;
        let at = |secs: f64, c: &mut Tcp, t: &mut Nanos| {
            while ((t.0 - start.0) as f64 / 1e9) < secs {
                *t = Nanos(t.0 + rtt.0);
                for _ in 0..c.cwnd / mss {
                    c.cubic_grow(mss, *t);
                }
            }
            let elapsed = (t.0 - start.0) as f64 / 1e9;
            (
                c.cwnd as f64 / mss as f64,
                1000.0 + 0.4 * (elapsed - k).powi(3),
            )
        };
        for secs in [1.0, 4.0, k, k + 3.0, k + 6.0] {
            let (w, want) = at(secs, &mut c, &mut t);
            assert!((w - want).abs() < want * 0.01, "at {secs} s: {w} vs {want}");
        }
        // Fast convergence: a loss below the last W_max remembers less.
        c.cwnd = 900 * mss;
        c.cubic_loss();
        assert!((c.cubic.w_max - 900.0 * 0.85).abs() < 1e-9);
        assert_eq!(c.ssthresh, 630 * mss);
    }

    #[test]
    fn cubic_rfc9438_reno_friendly_region_on_a_short_round_trip() {
        // At a 1 ms round trip, Reno's AIMD outgrows the cubic curve just
        // after a loss: the window follows W_est.
        let (mut c, _, _, _) = handshake(1500, 1500);
        let mss = 1460;
        c.min_rtt = Some(Nanos::from_millis(1));
        c.cwnd = 100 * mss;
        c.cubic_loss();
        c.cwnd = c.ssthresh;
        let mut t = Nanos::from_secs(1);
        for _ in 0..50 {
            t = Nanos(t.0 + 1_000_000);
            for _ in 0..c.cwnd / mss {
                c.cubic_grow(mss, t);
            }
        }
        // 50 round trips at alpha = 3 (1 - 0.7) / 1.7 = 0.53 a round trip.
        let w = c.cwnd as f64 / mss as f64;
        assert!((w - (70.0 + 50.0 * 0.529)).abs() < 2.0, "{w}");
    }

    #[test]
    fn hystart_delay_increase_ends_slow_start_before_a_loss() {
        // A 20 Mbit/s bottleneck with a 10 ms round trip: queueing delay
        // grows in slow start, and HyStart ends it with no loss at all.
        let path = Path {
            delay: Nanos::from_millis(5),
            rate: 20_000_000,
        };
        let (c, s, _, _) = run_path(8 << 20, path, |_, _| false);
        assert_eq!(s.rcv, 8 << 20);
        assert_eq!(c.retransmits, 0);
        assert!(c.ssthresh() < u64::MAX, "slow start ended");
        // Around the path's bandwidth-delay product (25 KB) and its queue,
        // far below the window that unbounded slow start reaches.
        assert!(c.ssthresh() < 400_000, "{}", c.ssthresh());
    }

    #[test]
    fn rfc6582_one_loss_is_repaired_by_fast_retransmit_not_the_timer() {
        let path = Path {
            delay: Nanos::from_millis(10),
            rate: 0,
        };
        let total = 4 << 20;
        let (c0, _, _, log0) = run_path(total, path, |_, _| false);
        let clean = all_received_at(&log0, total);
        // Lose the 100th data segment once.
        let count = std::cell::Cell::new(0);
        let lost = std::cell::Cell::new(None);
        let (c, s, _, log) = run_path(total, path, |_, b| {
            let g = segment(b).unwrap();
            if g.payload.is_empty() || b[20..22] != 40000u16.to_be_bytes() {
                return false;
            }
            count.set(count.get() + 1);
            if count.get() == 100 {
                lost.set(Some(g.seq));
            }
            count.get() == 100
        });
        assert_eq!(s.rcv, total);
        assert_eq!(s.corrupt, 0);
        assert_eq!(c0.retransmits, 0);
        assert_eq!(c.retransmits, 1, "the lost segment, once");
        // Its copy arrives within a round trip and a little (three
        // duplicate ACKs), far below the 200 ms minimum RTO.
        let copies: Vec<Nanos> = log
            .iter()
            .filter(|(_, up, b)| {
                *up && segment(b)
                    .is_some_and(|g| Some(g.seq) == lost.get() && !g.payload.is_empty())
            })
            .map(|(t, _, _)| *t)
            .collect();
        assert_eq!(copies.len(), 2);
        let gap = copies[1].0 - copies[0].0;
        assert!(gap < 50_000_000, "{gap} ns");
        let lossy = all_received_at(&log, total);
        println!("4 MiB at 20 ms: {clean:?} without loss, {lossy:?} with one");
        // The server held what followed the hole and acknowledged it all
        // when the hole was filled.
        assert_eq!(s.ooo_len, 0);
        // The window was cut to beta = 0.7 of what it was.
        assert!(c.ssthresh() < u64::MAX);
    }

    #[test]
    fn out_of_order_ranges_are_held_and_acknowledged_when_the_hole_fills() {
        let (mut c, mut s, _, _) = handshake(1500, 1500);
        let mut out = Out::new();
        let now = Nanos::ZERO;
        c.write(5 * 1460, now, &mut out);
        let data = std::mem::take(&mut out);
        // 2, 4, 3 arrive; 0 and 1 are late.
        for i in [2, 4, 3] {
            s.on_segment(&segment(&data[i]).unwrap(), now, &mut out);
            let ack = out.pop().unwrap();
            assert_eq!(segment(&ack).unwrap().ack, 101, "a duplicate ACK at once");
        }
        assert_eq!((s.ooo_len, s.ooo[0]), (1, (2 * 1460, 5 * 1460)));
        s.on_segment(&segment(&data[0]).unwrap(), now, &mut out);
        assert_eq!(segment(&out.pop().unwrap()).unwrap().ack, 101 + 1460);
        let ev = s.on_segment(&segment(&data[1]).unwrap(), now, &mut out);
        assert_eq!(ev.received, 4 * 1460, "the held ranges follow");
        assert_eq!(segment(&out.pop().unwrap()).unwrap().ack, 101 + 5 * 1460);
        assert_eq!(s.rcv, 5 * 1460);
        assert_eq!(s.corrupt, 0);
    }

    #[test]
    fn random_loss_completion_times() {
        // 1 % of data segments lost at a 20 ms round trip: every byte
        // arrives, fast recovery repairs most losses.
        let path = Path {
            delay: Nanos::from_millis(10),
            rate: 0,
        };
        let total = 10 << 20;
        let (_, _, _, log0) = run_path(total, path, |_, _| false);
        let rng = std::cell::Cell::new(0x2545_f491_4f6c_dd1du64);
        let (c, s, _, log) = run_path(total, path, |_, b| {
            let mut x = rng.get();
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            rng.set(x);
            b.len() > 100 && x % 100 == 0
        });
        assert_eq!(s.rcv, total);
        assert_eq!(s.corrupt, 0);
        let (clean, lossy) = (all_received_at(&log0, total), all_received_at(&log, total));
        println!(
            "10 MiB at 20 ms: {} ms without loss, {} ms with 1 % ({} retransmissions)",
            clean.0 / 1_000_000,
            lossy.0 / 1_000_000,
            c.retransmits
        );
        assert!(c.retransmits > 0);
        assert!(lossy > clean);
    }
}
