//! The receiving side: window scaling after the peer's SYN (RFC 7323),
//! the advertised window and its autotuning (`tcp_rcv_space_adjust`), the
//! out-of-order ranges held, and the data and FIN of arriving segments.

use super::*;

impl Tcp {
    /// Window scaling after the peer's SYN (RFC 7323): on when it carried
    /// the option; without it, neither side scales.
    pub(super) fn peer_wscale(&mut self, wscale: Option<u8>) {
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
    pub(super) fn rcv_wscale(&self) -> u8 {
        if self.scaled { WSCALE } else { 0 }
    }

    /// The window field of a segment other than a SYN, as Linux's
    /// `__tcp_select_window` sets it: with scaling, the window rounded up
    /// to the scale's unit (`ALIGN`), so that what was offered is never
    /// scaled away (62,727 bytes, seven segments of 8,961, go out as
    /// 62,848, not 62,720); without it, a whole number of the segments the
    /// peer sends, as long as one fits.
    pub(super) fn window_field(&self) -> u16 {
        let field = if self.scaled {
            let unit = 1u64 << WSCALE;
            self.rcv_wnd.div_ceil(unit)
        } else {
            let mss = self.mss64();
            if self.rcv_wnd > mss {
                self.rcv_wnd / mss * mss
            } else {
                self.rcv_wnd
            }
        };
        field.min(WINDOW) as u16
    }

    /// The window the last segment advertised, in bytes.
    pub(super) fn advertised(&self) -> u64 {
        u64::from(self.window_field()) << self.rcv_wscale()
    }

    /// The largest window this end advertises: half of `tcp_rmem`'s
    /// maximum when scaling is on, else what 16 bits hold.
    pub(super) fn window_limit(&self) -> u64 {
        if self.scaled { MAX_WINDOW } else { WINDOW }
    }

    /// The receiver's estimate of the round trip, as Linux makes it
    /// without timestamps (`tcp_rcv_rtt_measure`, `net/ipv4/tcp_input.c`):
    /// the time from one in-order segment until the data a window beyond
    /// it arrived, the smallest such sample kept (`tcp_rcv_rtt_update`
    /// with `win_dep`). A sender limited by something else than the window
    /// takes longer to fill it, so a sample is never below the round trip.
    fn rcv_rtt_measure(&mut self, now: Nanos) {
        if self.rcv_rtt_seq != 0 {
            if self.rcv < self.rcv_rtt_seq {
                return;
            }
            let sample = Nanos(now.0.saturating_sub(self.rcv_rtt_time.0).max(1));
            self.rcv_rtt = if self.rcv_rtt == Nanos::ZERO {
                sample
            } else {
                self.rcv_rtt.min(sample)
            };
        }
        self.rcv_rtt_seq = self.rcv + self.advertised();
        self.rcv_rtt_time = now;
    }

    /// What in-order data does to the window: Linux's `tcp_rcv_rtt_measure`,
    /// `tcp_grow_window`, and receive-buffer autotuning once per round
    /// trip of the receiver's estimate (`tcp_rcv_space_adjust`): the
    /// window becomes twice what arrived in the round trip plus 16
    /// segments, plus twice the growth since the last.
    pub(super) fn autotune(&mut self, now: Nanos) {
        self.rcv_rtt_measure(now);
        // `tcp_grow_window`: each arriving segment raises the window by two
        // segments up to what the initial buffer allows.
        let clamp = INITIAL_CLAMP.min(self.window_limit());
        if self.rcv_wnd < clamp {
            self.rcv_wnd = (self.rcv_wnd + 2 * self.mss64()).min(clamp);
        }
        // No measure before the receiver has its own round trip: the first
        // spans from the handshake to a window's worth of data past the
        // first segment, so that a window of whole segments a little under
        // the first measure (seven of 8,961 bytes at most in 64 KiB, the
        // first measure being 62,727) still starts autotuning.
        let rtt = self.rcv_rtt;
        if rtt == Nanos::ZERO || now.0.saturating_sub(self.rcvq_time.0) < rtt.0 {
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
    pub(super) fn pull_ooo(&mut self) -> u64 {
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
    pub(super) fn hold_ooo(&mut self, from: u64, to: u64) -> bool {
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

    pub(super) fn check_pattern(&mut self, offset: u64, payload: &[u8]) {
        self.corrupt += pattern::mismatches(self.salt_in, offset, payload);
    }

    /// The data and FIN of a segment; returns whether to acknowledge now.
    pub(super) fn data_in(&mut self, seg: &Segment<'_>, now: Nanos, ev: &mut Event) -> bool {
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
                if from + len - self.rcv <= self.advertised() && self.hold_ooo(from, from + len) {
                    self.check_pattern(from, seg.payload);
                    self.ooo_recent = from;
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
}
