//! A lean TCP endpoint in virtual time.
//!
//! Real segments: SYN, SYN-ACK, ACK, data, FIN and RST with sequence and
//! acknowledgement numbers, a receive window, slow start, and retransmission
//! on a timeout computed as RFC 6298 says (initial RTO 1 s, minimum 200 ms as
//! Linux, doubling on every retry, Karn's rule for samples). Loss recovery is
//! go-back-N from the first unacknowledged byte; the receiver accepts data in
//! order and acknowledges every segment. Payload bytes follow a pattern keyed
//! by the connection, and the receiver checks every byte it accepts.
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
pub const WINDOW: u64 = 65535;
/// Ten segments (RFC 6928), of the connection's MSS.
pub const INITIAL_SEGMENTS: u64 = 10;
pub const INITIAL_RTO: Nanos = Nanos::from_secs(1);
pub const MIN_RTO: Nanos = Nanos::from_millis(200);
pub const MAX_RTO: Nanos = Nanos::from_secs(60);

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
    /// The MSS option, if the segment carries one.
    pub mss: Option<u16>,
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
    Some(Segment {
        seq: tcp.seq_number().0 as u32,
        ack: tcp.ack_number().0 as u32,
        flags: v.tcp_flags,
        window: tcp.window_len(),
        mss: packet::build::tcp_mss_option(buf.get(start..end)?),
        payload,
    })
}

/// The pattern byte at `offset` of a connection's stream.
#[inline]
pub fn pattern(salt: u32, offset: u64) -> u8 {
    (offset.wrapping_mul(31).wrapping_add(u64::from(salt)) >> 3) as u8 ^ (offset as u8)
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
    peer_window: u64,
    cwnd: u64,
    ssthresh: u64,
    srtt: Option<Nanos>,
    rttvar: Nanos,
    rto: Nanos,
    /// When the retransmission timer fires, if armed.
    pub deadline: Option<Nanos>,
    /// RTT probe: the stream offset it waits for and when it was sent.
    probe: Option<(u64, Nanos)>,
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
        t.deadline = Some(now.saturating_add(t.rto));
        t
    }

    /// Answers a SYN (already parsed as `syn`) on a listening port.
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
        t.send_syn(tcp_flags::SYN | tcp_flags::ACK, t.ack_number(), out);
        t.deadline = Some(now.saturating_add(t.rto));
        t
    }

    fn new(local: SocketAddrV4, remote: SocketAddrV4, iss: u32, state: State, mtu: u16) -> Tcp {
        let local_mss = crate::model::mtu::mss_of(mtu).clamp(MIN_MSS, MAX_MSS as u16);
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
            peer_window: WINDOW,
            cwnd: INITIAL_SEGMENTS * u64::from(local_mss),
            ssthresh: u64::MAX,
            srtt: None,
            rttvar: Nanos::ZERO,
            rto: INITIAL_RTO,
            deadline: None,
            probe: None,
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

    fn mss64(&self) -> u64 {
        u64::from(self.mss)
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
        true
    }

    fn send_syn(&self, flags: u8, ack: u32, out: &mut Out) {
        let spec = packet::build::TcpSpec {
            src: self.local,
            dst: self.remote,
            seq: self.iss,
            ack,
            flags,
            window: WINDOW as u16,
        };
        out.push(packet::build::tcp_syn(&spec, self.local_mss, self.ttl, 0));
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

    fn send_control(&self, flags: u8, seq: u32, ack: u32, out: &mut Out) {
        let spec = packet::build::TcpSpec {
            src: self.local,
            dst: self.remote,
            seq,
            ack,
            flags,
            window: WINDOW as u16,
        };
        out.push(packet::build::tcp(&spec, &[], self.ttl, 0));
    }

    /// Queues `n` more bytes of data to send.
    pub fn write(&mut self, n: u64, now: Nanos, out: &mut Out) {
        self.total += n;
        self.transmit(now, out);
    }

    /// Queues a FIN after the data.
    pub fn close(&mut self, now: Nanos, out: &mut Out) {
        if !self.fin_queued {
            self.fin_queued = true;
            self.transmit(now, out);
        }
    }

    /// Aborts with a RST.
    pub fn abort(&mut self, out: &mut Out) {
        // Giving up on a connection never answered sends nothing (as
        // Linux); a synchronized one is reset.
        if matches!(self.state, State::Established | State::SynReceived) {
            let seq = self.snd_nxt();
            self.send_control(tcp_flags::RST | tcp_flags::ACK, seq, self.ack_number(), out);
        }
        self.state = State::Reset;
        self.deadline = None;
    }

    pub fn bytes_unacked(&self) -> u64 {
        self.total - self.una
    }

    fn transmit(&mut self, now: Nanos, out: &mut Out) {
        if self.state != State::Established {
            return;
        }
        let mss = self.mss64();
        let mut scratch = [0u8; MAX_MSS];
        let window = self.cwnd.min(self.peer_window).max(mss);
        while self.nxt < self.total && self.nxt - self.una < window {
            let len = (self.total - self.nxt)
                .min(mss)
                .min(window - (self.nxt - self.una));
            let payload = &mut scratch[..len as usize];
            for (i, b) in payload.iter_mut().enumerate() {
                *b = pattern(self.salt_out, self.nxt + i as u64);
            }
            let spec = packet::build::TcpSpec {
                src: self.local,
                dst: self.remote,
                seq: self.seq_of(self.nxt),
                ack: self.ack_number(),
                flags: tcp_flags::ACK | tcp_flags::PSH,
                window: WINDOW as u16,
            };
            out.push(packet::build::tcp(&spec, payload, self.ttl, 0));
            if self.probe.is_none() && self.retransmits == 0 {
                self.probe = Some((self.nxt + len, now));
            }
            self.nxt += len;
        }
        if self.fin_queued && !self.fin_sent && self.nxt == self.total {
            self.fin_sent = true;
            self.send_control(
                tcp_flags::FIN | tcp_flags::ACK,
                self.seq_of(self.total),
                self.ack_number(),
                out,
            );
        }
        let outstanding = self.una < self.nxt || (self.fin_sent && !self.fin_acked);
        if outstanding && self.deadline.is_none() {
            self.deadline = Some(now.saturating_add(self.rto));
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
    }

    /// Handles a received segment.
    pub fn on_segment(&mut self, seg: &Segment<'_>, now: Nanos, out: &mut Out) -> Event {
        let mut ev = Event::default();
        if !self.is_open() {
            return ev;
        }
        if seg.flags & tcp_flags::RST != 0 {
            self.state = State::Reset;
            self.deadline = None;
            ev.reset = true;
            return ev;
        }
        self.peer_window = u64::from(seg.window).max(self.mss64());
        match self.state {
            State::SynSent => {
                let want = tcp_flags::SYN | tcp_flags::ACK;
                if seg.flags & want != want || seg.ack != self.iss.wrapping_add(1) {
                    return ev;
                }
                self.irs = seg.seq;
                self.salt_in = seg.seq;
                self.peer_mss(seg.mss);
                self.state = State::Established;
                if self.retransmits == 0 {
                    // The handshake's round trip is the first sample.
                    if let Some(sent) = self.deadline.map(|d| Nanos(d.0.saturating_sub(self.rto.0)))
                    {
                        self.sample_rtt(Nanos(now.0.saturating_sub(sent.0)));
                    }
                }
                self.deadline = None;
                self.send_control(tcp_flags::ACK, self.seq_of(0), self.ack_number(), out);
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
                self.deadline = None;
                ev.connected = true;
            }
            _ => {
                if seg.flags & tcp_flags::SYN != 0 {
                    // A retransmitted SYN-ACK: our ACK was lost.
                    self.send_control(tcp_flags::ACK, self.snd_nxt(), self.ack_number(), out);
                    return ev;
                }
            }
        }
        // Acknowledgement.
        if seg.flags & tcp_flags::ACK != 0 {
            let acked = seg.ack.wrapping_sub(self.iss.wrapping_add(1)) as u64;
            let fin_end = self.total + 1;
            if acked > self.una && acked <= fin_end.max(self.nxt) {
                let data_acked = acked.min(self.total);
                let newly = data_acked - self.una;
                self.una = data_acked;
                if self.fin_sent && acked == fin_end {
                    self.fin_acked = true;
                }
                if let Some((until, sent)) = self.probe {
                    if self.una >= until {
                        self.sample_rtt(Nanos(now.0.saturating_sub(sent.0)));
                        self.probe = None;
                    }
                }
                let mss = self.mss64();
                self.cwnd = if self.cwnd < self.ssthresh {
                    self.cwnd + newly.min(mss)
                } else {
                    self.cwnd + (mss * mss / self.cwnd).max(1)
                };
                self.deadline = None;
                if self.una < self.nxt || (self.fin_sent && !self.fin_acked) {
                    self.deadline = Some(now.saturating_add(self.rto));
                }
                if self.una == self.total && (!self.fin_queued || self.fin_acked) {
                    ev.all_acked = true;
                }
            } else if acked == self.una && self.fin_sent && acked == fin_end {
                self.fin_acked = true;
            }
            if self.una > self.nxt {
                self.nxt = self.una;
            }
        }
        // Data.
        let expected = self.irs.wrapping_add(1).wrapping_add(self.rcv as u32);
        let mut ack_now = false;
        if !seg.payload.is_empty() {
            ack_now = true;
            if seg.seq == expected && !self.peer_fin {
                for (i, b) in seg.payload.iter().enumerate() {
                    if *b != pattern(self.salt_in, self.rcv + i as u64) {
                        self.corrupt += 1;
                    }
                }
                self.rcv += seg.payload.len() as u64;
                ev.received = seg.payload.len() as u64;
            }
        }
        if seg.flags & tcp_flags::FIN != 0 {
            ack_now = true;
            let fin_seq = seg.seq.wrapping_add(seg.payload.len() as u32);
            if fin_seq == self.irs.wrapping_add(1).wrapping_add(self.rcv as u32) && !self.peer_fin {
                self.peer_fin = true;
                ev.peer_fin = true;
            }
        }
        if ack_now {
            self.send_control(tcp_flags::ACK, self.snd_nxt(), self.ack_number(), out);
        }
        self.transmit(now, out);
        if self.peer_fin && self.fin_acked {
            self.state = State::Closed;
            self.deadline = None;
            ev.closed = true;
        }
        ev
    }

    fn acks_data(&self, ack: u32) -> bool {
        let acked = ack.wrapping_sub(self.iss.wrapping_add(1)) as u64;
        acked <= self.total
    }

    /// Handles the retransmission timer; returns whether it fired.
    pub fn on_timer(&mut self, now: Nanos, out: &mut Out) -> bool {
        match self.deadline {
            Some(d) if d <= now => {}
            _ => return false,
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
                let mss = self.mss64();
                self.ssthresh = ((self.nxt - self.una) / 2).max(2 * mss);
                self.cwnd = mss;
                self.nxt = self.una;
                if !self.fin_acked {
                    self.fin_sent = false;
                }
                self.deadline = None;
                self.transmit(now, out);
                return true;
            }
            _ => {
                self.deadline = None;
                return true;
            }
        }
        self.deadline = Some(now.saturating_add(self.rto));
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    fn addr(a: u8, port: u16) -> SocketAddrV4 {
        SocketAddrV4::new(Ipv4Addr::new(10, 0, 0, a), port)
    }

    /// Moves segments between two endpoints over a path that loses the
    /// segments `lose` says to, with a fixed one-way delay.
    fn run(total: u64, lose: impl Fn(usize, &[u8]) -> bool) -> (Tcp, Tcp, Nanos) {
        let delay = Nanos::from_millis(5);
        let mut now = Nanos::ZERO;
        let mut out = Out::new();
        let mut client = Tcp::connect(addr(1, 40000), addr(2, 443), 1000, 1500, now, &mut out);
        let mut server: Option<Tcp> = None;
        // (arrival time, to_server, bytes)
        let mut wire: Vec<(Nanos, bool, Vec<u8>)> = out
            .drain(..)
            .map(|b| (now.saturating_add(delay), true, b.to_vec()))
            .collect();
        let mut sent = 0usize;
        let mut wrote = false;
        for _ in 0..200_000 {
            wire.sort_by_key(|w| w.0);
            let next_timer = [client.deadline, server.as_ref().and_then(|s| s.deadline)]
                .into_iter()
                .flatten()
                .min();
            let next_pkt = wire.first().map(|w| w.0);
            let t = match (next_pkt, next_timer) {
                (Some(p), Some(tm)) => p.min(tm),
                (Some(p), None) => p,
                (None, Some(tm)) => tm,
                (None, None) => break,
            };
            now = t;
            if next_pkt == Some(t) {
                let (_, to_server, bytes) = wire.remove(0);
                sent += 1;
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
                                1500,
                                &seg,
                                now,
                                &mut out,
                            ));
                        }
                        Some(s) => {
                            let ev = s.on_segment(&seg, now, &mut out);
                            if ev.peer_fin {
                                s.close(now, &mut out);
                            }
                        }
                    }
                    wire.extend(
                        out.drain(..)
                            .map(|b| (now.saturating_add(delay), false, b.to_vec())),
                    );
                } else {
                    let ev = client.on_segment(&seg, now, &mut out);
                    if ev.connected && !wrote {
                        wrote = true;
                        client.write(total, now, &mut out);
                        client.close(now, &mut out);
                    }
                    wire.extend(
                        out.drain(..)
                            .map(|b| (now.saturating_add(delay), true, b.to_vec())),
                    );
                }
            } else {
                if client.deadline.is_some_and(|d| d <= now) {
                    client.on_timer(now, &mut out);
                    wire.extend(
                        out.drain(..)
                            .map(|b| (now.saturating_add(delay), true, b.to_vec())),
                    );
                }
                if let Some(s) = server.as_mut() {
                    if s.deadline.is_some_and(|d| d <= now) {
                        s.on_timer(now, &mut out);
                        wire.extend(
                            out.drain(..)
                                .map(|b| (now.saturating_add(delay), false, b.to_vec())),
                        );
                    }
                }
            }
        }
        (client, server.unwrap(), now)
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
        assert!(size <= 256, "{size}");
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
        assert_eq!(syn.len(), 44, "a 24-byte TCP header with the option");
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
}
