//! Segments on the wire: a received segment's fields read from its
//! packet, and the segments a connection sends
//! (SYN with its options, control segments, data), built with
//! `packet::build` on `smoltcp::wire`.

use smoltcp::wire::TcpPacket;

use super::*;

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
    /// The SACK-permitted option (RFC 2018; read on SYNs only).
    pub sack_permitted: bool,
    /// The SACK option's blocks, `sack_len` of them (read on segments
    /// other than SYNs).
    pub sack: [(u32, u32); packet::build::MAX_SACK_BLOCKS],
    pub sack_len: u8,
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
    // Only a header longer than 20 bytes has options to read.
    let (sack, sack_len) = if !syn && hl > 20 {
        packet::build::tcp_sack_option(header)
    } else {
        ([(0, 0); packet::build::MAX_SACK_BLOCKS], 0)
    };
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
        sack_permitted: syn && packet::build::tcp_sack_permitted_option(header),
        sack,
        sack_len: sack_len as u8,
        payload,
    })
}

impl Tcp {
    pub(super) fn send_syn(&self, flags: u8, ack: u32, out: &mut Out) {
        let spec = packet::build::TcpSpec {
            src: self.local,
            dst: self.remote,
            seq: self.iss,
            ack,
            flags,
            // The window of a SYN is never scaled (RFC 7323).
            window: self.rcv_wnd.min(WINDOW) as u16,
        };
        let wscale = self.scaled.then_some(WSCALE);
        out.push(packet::build::tcp_syn_options(
            &spec,
            self.local_mss,
            wscale,
            self.sack_ok,
            self.ttl,
            0,
        ));
    }

    /// What the connection's last segments carried, for the ACKs of its
    /// TIME-WAIT (RFC 9293 3.6.1): SND.NXT, RCV.NXT and the window field.
    pub fn time_wait_numbers(&self) -> (u32, u32, u16) {
        (self.snd_nxt(), self.ack_number(), self.window_field())
    }

    pub(super) fn ack_number(&self) -> u32 {
        self.irs
            .wrapping_add(1)
            .wrapping_add(self.rcv as u32)
            .wrapping_add(u32::from(self.peer_fin))
    }

    pub(super) fn seq_of(&self, offset: u64) -> u32 {
        self.iss.wrapping_add(1).wrapping_add(offset as u32)
    }

    /// The sequence number of the next new byte (SND.NXT, RFC 9293): the
    /// FIN, once sent, takes one (so a segment after it carries FIN + 1).
    pub(super) fn snd_nxt(&self) -> u32 {
        self.seq_of(self.nxt)
            .wrapping_add(u32::from(self.fin_sent && self.nxt == self.total))
    }

    /// A segment carrying an ACK leaves: nothing waits to be acknowledged.
    pub(super) fn acked_now(&mut self) {
        if self.ack_pending > 0 {
            self.quick = self.quick.saturating_sub(1);
        }
        self.ack_pending = 0;
        self.ack_at = None;
    }

    pub(super) fn send_control(&mut self, flags: u8, seq: u32, ack: u32, out: &mut Out) {
        let spec = packet::build::TcpSpec {
            src: self.local,
            dst: self.remote,
            seq,
            ack,
            flags,
            window: self.window_field(),
        };
        let (blocks, n) = self.sack_blocks(flags);
        out.push(packet::build::tcp_sack(
            &spec,
            &[],
            &blocks[..n],
            self.ttl,
            0,
        ));
        if flags & tcp_flags::ACK != 0 {
            self.acked_now();
        }
    }

    /// Sends `len` bytes of the stream from `offset`. PSH marks the last
    /// segment of what was written, as Linux's `tcp_push` marks the tail
    /// of the send queue.
    pub(super) fn send_data(&mut self, offset: u64, len: u64, out: &mut Out) {
        let push = if offset + len == self.total {
            tcp_flags::PSH
        } else {
            0
        };
        let spec = packet::build::TcpSpec {
            src: self.local,
            dst: self.remote,
            seq: self.seq_of(offset),
            ack: self.ack_number(),
            flags: tcp_flags::ACK | push,
            window: self.window_field(),
        };
        let (blocks, n) = self.sack_blocks(spec.flags);
        let salt = self.salt_out;
        out.push(packet::build::tcp_sack_fill(
            &spec,
            len as usize,
            |buf, n| {
                pattern::fill(salt, offset, n, buf);
                pattern::sum(salt, offset, n)
            },
            &blocks[..n],
            self.ttl,
            0,
        ));
        self.acked_now();
    }

    /// The SACK blocks a segment with these flags carries (RFC 2018): with
    /// SACK agreed, an ACK while out-of-order ranges are held reports each
    /// of them, the one holding the most recently arrived segment first
    /// (as the RFC requires and Linux's `tcp_sack_new_ofo_skb` keeps them),
    /// the others in order. A RST carries none.
    pub(super) fn sack_blocks(&self, flags: u8) -> ([(u32, u32); OOO_RANGES], usize) {
        let mut blocks = [(0, 0); OOO_RANGES];
        let n = usize::from(self.ooo_len);
        if !self.sack_ok || n == 0 || flags & tcp_flags::ACK == 0 || flags & tcp_flags::RST != 0 {
            return (blocks, 0);
        }
        let base = self.irs.wrapping_add(1);
        let edge = |off: u64| base.wrapping_add(off as u32);
        let held = &self.ooo[..n];
        let first = held
            .iter()
            .position(|&(a, b)| a <= self.ooo_recent && self.ooo_recent < b)
            .unwrap_or(0);
        blocks[0] = (edge(held[first].0), edge(held[first].1));
        let mut k = 1;
        for (i, &(a, b)) in held.iter().enumerate() {
            if i != first {
                blocks[k] = (edge(a), edge(b));
                k += 1;
            }
        }
        (blocks, k)
    }

    /// The bytes of the SACK option this end's ACKs carry now: a data
    /// segment is that much shorter so that it still fits the MSS (as
    /// Linux's `tcp_current_mss` subtracts the options).
    pub(super) fn sack_option_len(&self) -> u64 {
        let n = if self.sack_ok {
            usize::from(self.ooo_len)
        } else {
            0
        };
        packet::build::tcp_sack_option_len(n) as u64
    }
}
