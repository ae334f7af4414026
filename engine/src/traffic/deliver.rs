//! What arrives at a host: TCP segments to their connection (or a listener,
//! or a RST from a closed port), UDP datagrams to a listener, ICMP echo
//! answered, echo replies to their ping, "fragmentation needed" to the
//! connection it quotes (MTU-4), and fragments put back together first
//! (MTU-3).

use std::net::{Ipv4Addr, SocketAddrV4};

use super::lookup;
use super::tcp::{self, Tcp};
use super::{
    Action, Cause, Conn, Count, Endpoints, Io, Tag, Timer, conn_key, host_key, host_mtu, ping_key,
};
use crate::dataplane::host::{Answer, host_answer};
use crate::dataplane::{Host, host_place};
use crate::model::DropReason;
use crate::packet::{self, PROTO_ICMP, PROTO_TCP, PROTO_UDP, tcp_flags};
use crate::scenario::raw::Pattern;
use crate::units::Nanos;

impl Endpoints {
    /// A packet reached host `h`.
    pub fn deliver(&mut self, io: &mut Io<'_>, h: Host, buf: &[u8], tag: Option<Tag>) {
        let Ok(v) = packet::parse(buf) else { return };
        self.deliver_view(io, h, buf, v, tag);
    }

    /// A packet reached host `h`; `v` is its view, as [`packet::parse`]
    /// reads `buf` (the data plane's, at the hop that delivered it).
    pub fn deliver_view(
        &mut self,
        io: &mut Io<'_>,
        h: Host,
        buf: &[u8],
        v: packet::FlowView,
        tag: Option<Tag>,
    ) {
        if v.fragment != packet::Fragment::None {
            // MTU-3: the receiver puts the datagram back together.
            let r = self.reassembly.entry(host_key(h)).or_default();
            let Some(whole) = r.add(buf, io.now.0) else {
                return;
            };
            if packet::parse(&whole).is_ok() {
                self.deliver(io, h, &whole, tag);
            }
            return;
        }
        let d = io.d;
        // DNS-5: queries to the resolver on the host, and their answers.
        if v.proto == PROTO_UDP {
            if let Some(eni) = lookup::for_resolver(h) {
                if v.dst_port == packet::dns::PORT && self.resolver_query(io, h, eni, buf, &v, tag)
                {
                    return;
                }
            } else if v.src_port == packet::dns::PORT && self.lookup_answered(io, h, buf, &v, tag) {
                return;
            }
        }
        match v.proto {
            PROTO_TCP => self.deliver_tcp(io, h, buf, &v, tag),
            PROTO_UDP => {
                if host_answer(d, h, &v) == Answer::Accept {
                    if let Some(tag) = tag.filter(|t| t.toward) {
                        let bytes = u64::from(v.payload_len);
                        io.out.push(Action::DatagramArrived { tag, bytes });
                    }
                } else {
                    let icmp =
                        packet::build::icmp_error(v.dst, buf, packet::ICMP_DEST_UNREACHABLE, 3, 64);
                    io.send(icmp, h, tag.map(|t| Tag { toward: false, ..t }));
                    io.out.push(Action::Refused {
                        tag,
                        reason: DropReason::PortUnreachable,
                        place: host_place(d, h),
                    });
                }
            }
            PROTO_ICMP if v.icmp_type == packet::ICMP_ECHO_REQUEST => {
                let reply = packet::build::host_echo_into(
                    io.buffer(),
                    &packet::build::EchoSpec {
                        src: v.dst,
                        dst: v.src,
                        reply: true,
                        ident: v.src_port,
                        seq: echo_seq(buf),
                    },
                    64,
                    0,
                );
                io.send(reply, h, tag.map(|t| Tag { toward: false, ..t }));
            }
            PROTO_ICMP if v.icmp_type == packet::ICMP_DEST_UNREACHABLE && v.icmp_code == 4 => {
                self.frag_needed(io, h, buf, &v);
            }
            PROTO_ICMP if v.icmp_type == packet::ICMP_ECHO_REPLY => {
                let key = ping_key(h, v.dst_port, echo_seq(buf));
                // One probe: the ping leaves the table here, so that its
                // decision finds nothing more to remove.
                if let Some(item) = self.pings.remove(key) {
                    let it = &mut self.items[item as usize];
                    it.ping_key = None;
                    let tag = Tag {
                        item,
                        epoch: it.epoch,
                        toward: true,
                        traffic: it.traffic,
                        start: it.start,
                    };
                    self.decide(io, tag, None);
                }
            }
            _ => {}
        }
    }

    fn deliver_tcp(
        &mut self,
        io: &mut Io<'_>,
        h: Host,
        buf: &[u8],
        v: &packet::FlowView,
        tag: Option<Tag>,
    ) {
        let now = io.now;
        let d = io.d;
        let Some(seg) = tcp::segment(buf) else { return };
        let key = conn_key(h, v.dst_port, v.src, v.src_port);
        let mut out = std::mem::take(&mut self.out);
        match self.demux.get(&key).copied() {
            Some(c) => {
                self.set_room(io, c, false);
                let conn = self.conns[c as usize]
                    .as_mut()
                    .expect("demux points at a live connection");
                let before = conn.tcp.retransmits;
                let ev = conn.tcp.on_segment(&seg, now, &mut out);
                let (client, traffic, ctag) = (conn.client, conn.traffic, conn.tag);
                // Fast retransmits (the timer's are counted where it fires).
                let retx = conn.tcp.retransmits - before;
                if retx > 0 {
                    io.count(traffic, Count::Retransmissions(u64::from(retx)));
                }
                let tr = &d.traffic[traffic as usize];
                let (request, response, hold, pattern, size) =
                    (tr.request, tr.response, tr.hold, tr.pattern, tr.size);
                if ev.connected && client {
                    let opened = conn.opened;
                    io.count(traffic, Count::Setup(Nanos(now.0 - opened.0)));
                    let conn = self.conns[c as usize].as_mut().expect("live");
                    match pattern {
                        Pattern::Bulk => {
                            conn.tcp.write(size, now, &mut out);
                            conn.tcp.close(now, &mut out);
                        }
                        _ => conn.tcp.write(request, now, &mut out),
                    }
                }
                // The connection moved on since its last drop: a later
                // failure is not that drop's (the data went through again).
                if let (true, Some(ctag)) = (client, ctag) {
                    if (ev.connected || ev.received > 0 || ev.acked > 0)
                        && self.item_info(ctag).is_some()
                    {
                        self.items[ctag.item as usize].last_drop = None;
                    }
                }
                let conn = self.conns[c as usize].as_mut().expect("live");
                // A client's connection always serves an item.
                if let (true, Some(ctag)) = (client, ctag) {
                    if pattern == Pattern::Requests && !conn.done && conn.tcp.rcv >= response {
                        conn.done = true;
                        io.count(traffic, Count::BytesDelivered(response));
                        self.decide(io, ctag, None);
                        if hold == Nanos::ZERO {
                            let conn = self.conns[c as usize].as_mut().expect("live");
                            conn.tcp.close(now, &mut out);
                        } else {
                            let serial = self.conns[c as usize].as_ref().expect("live").serial;
                            let close = Timer::Close { conn: c, serial };
                            io.timer(now.saturating_add(hold), close);
                        }
                    }
                    let conn = self.conns[c as usize].as_mut().expect("live");
                    if pattern == Pattern::Bulk && !conn.done && ev.all_acked {
                        conn.done = true;
                        io.count(traffic, Count::BytesDelivered(size));
                        self.decide(io, ctag, None);
                    }
                    if ev.peer_fin {
                        let conn = self.conns[c as usize].as_mut().expect("live");
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
                if let (true, Some(ctag)) = (ev.reset && client, ctag) {
                    // The reset is the drop's only when the dropper sent it;
                    // a packet lost on the way before it (a queue overflow
                    // not yet recovered from) is not why the peer reset.
                    let cause = self
                        .item_info(ctag)
                        .and_then(|_| self.items[ctag.item as usize].last_drop)
                        .filter(|(r, _)| r.answered_with_reset());
                    self.decide(
                        io,
                        ctag,
                        Some(cause.map_or(Cause::Reset, |(r, _)| Cause::Drop(r))),
                    );
                }
                self.flush(io, c, &mut out);
                let conn = self.conns[c as usize].as_ref().expect("live");
                if !conn.tcp.is_open() {
                    io.count(traffic, Count::CorruptBytes(conn.tcp.corrupt));
                    // Closed by the peer's FIN after its own: TIME-WAIT.
                    if ev.closed && ev.peer_fin {
                        let numbers = conn.tcp.time_wait_numbers();
                        self.enter_time_wait(key, numbers, now);
                    }
                    self.remove_conn(c);
                }
            }
            None => {
                let syn = seg.flags & tcp_flags::SYN != 0 && seg.flags & tcp_flags::ACK == 0;
                if let Some((seq, ack, window)) = self.in_time_wait(key, seg.flags, now) {
                    // A segment of a connection in TIME-WAIT (its FIN sent
                    // again when our last ACK was lost) is acknowledged.
                    let spec = packet::build::TcpSpec {
                        src: SocketAddrV4::new(v.dst, v.dst_port),
                        dst: SocketAddrV4::new(v.src, v.src_port),
                        seq,
                        ack,
                        flags: tcp_flags::ACK,
                        window,
                    };
                    let ack = packet::build::tcp(&spec, &[], 64, 0);
                    io.send(ack, h, tag.map(|t| Tag { toward: false, ..t }));
                } else if host_answer(d, h, v) == Answer::Accept {
                    let local = SocketAddrV4::new(v.dst, v.dst_port);
                    let remote = SocketAddrV4::new(v.src, v.src_port);
                    let iss = self.iss_of(local, remote, now);
                    let mtu = host_mtu(d, h);
                    let tcp = Tcp::accept(local, remote, iss, mtu, &seg, now, &mut out);
                    let traffic = tag.map_or(0, |t| t.traffic);
                    let out_of_region = io.out_of_region(h, v.src);
                    let conn = Conn {
                        tcp,
                        host: h,
                        key,
                        port_key: None,
                        tag: tag.map(|t| Tag { toward: false, ..t }),
                        traffic,
                        client: false,
                        timer_gen: 0,
                        timer_at: None,
                        opened: now,
                        responded: false,
                        done: false,
                        flow_free: 0,
                        stopped: None,
                        serial: 0,
                        out_of_region,
                    };
                    let c = self.add_conn(conn);
                    self.flush(io, c, &mut out);
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
                    io.send(rst, h, tag.map(|t| Tag { toward: false, ..t }));
                    if syn {
                        io.out.push(Action::Refused {
                            tag,
                            reason: DropReason::PortUnreachable,
                            place: host_place(d, h),
                        });
                    }
                }
            }
        }
        out.clear();
        self.out = out;
    }

    /// An ICMP "fragmentation needed" reached host `h` (MTU-4): the TCP
    /// connection whose segment it quotes lowers its MSS and sends again.
    fn frag_needed(&mut self, io: &mut Io<'_>, h: Host, buf: &[u8], v: &packet::FlowView) {
        let icmp = usize::from(v.header_len);
        let Some(msg) = buf.get(icmp..usize::from(v.total_len)) else {
            return;
        };
        if msg.len() < 8 {
            return;
        }
        let next_hop_mtu = u16::from_be_bytes([msg[6], msg[7]]);
        let quote = &msg[8..];
        let Some(&ver_ihl) = quote.first() else {
            return;
        };
        let ihl = usize::from(ver_ihl & 0x0f) * 4;
        let (Some(inner), Some(ports)) = (quote.get(..20), quote.get(ihl..ihl + 4)) else {
            return;
        };
        if inner[9] != PROTO_TCP {
            return;
        }
        let remote = Ipv4Addr::new(inner[16], inner[17], inner[18], inner[19]);
        let lport = u16::from_be_bytes([ports[0], ports[1]]);
        let rport = u16::from_be_bytes([ports[2], ports[3]]);
        let Some(c) = self.demux.get(&conn_key(h, lport, remote, rport)).copied() else {
            return;
        };
        let mut out = std::mem::take(&mut self.out);
        self.set_room(io, c, false);
        if let Some(conn) = self.conns[c as usize].as_mut() {
            conn.tcp.on_frag_needed(next_hop_mtu, io.now, &mut out);
        }
        self.flush(io, c, &mut out);
        self.out = out;
    }
}

/// The sequence number of an ICMP echo message.
fn echo_seq(buf: &[u8]) -> u16 {
    let ihl = usize::from(buf.first().map_or(5, |b| b & 0x0f)) * 4;
    match buf.get(ihl + 6..ihl + 8) {
        Some(b) => u16::from_be_bytes([b[0], b[1]]),
        None => 0,
    }
}
