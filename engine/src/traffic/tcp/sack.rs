//! Selective acknowledgements (RFC 2018) and the loss recovery built on
//! them (RFC 6675), as Linux does it by default (`net.ipv4.tcp_sack` = 1).
//!
//! Invariants:
//!
//! - SACK is used only when both SYNs carried SACK-permitted; a SYN-ACK
//!   offers it only when the SYN did.
//! - The sender's scoreboard holds at most [`SCOREBOARD`] ranges of its
//!   stream the peer reported holding, sorted, disjoint, all above SND.UNA
//!   and at most SND.NXT's high-water mark. It lives in the connection (a
//!   fixed array): nothing is allocated per segment.
//! - A hole (unacknowledged bytes not SACKed) is lost when more than
//!   `(DupThresh - 1) x MSS` bytes above it were SACKed (RFC 6675's
//!   `IsLost`; Linux's `tcp_mark_head_lost` marks the head of the queue
//!   the same way), so the lost holes are the lowest ones.
//! - In recovery, what is in flight (`pipe`, RFC 6675's `SetPipe`) is the
//!   holes not lost plus what was sent again of them (below `HighRxt`);
//!   segments leave while `pipe` is at least a segment under `cwnd`: the
//!   first lost bytes not yet sent again, then new data. Several holes are
//!   repaired in one round trip, where NewReno repairs one.
//! - Without SACK, recovery stays NewReno's (RFC 6582).

use super::*;

/// The ranges the sender's scoreboard holds: as many as one ACK reports
/// and a vpcsim receiver holds.
pub const SCOREBOARD: usize = packet::build::MAX_SACK_BLOCKS;

/// The SACKed ranges of the sender's stream, as offsets.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Scoreboard {
    ranges: [(u64, u64); SCOREBOARD],
    len: u8,
}

impl Scoreboard {
    pub(super) fn ranges(&self) -> &[(u64, u64)] {
        &self.ranges[..usize::from(self.len)]
    }

    /// Adds `[from, to)`, merged with the ranges it touches; when the
    /// board is full, the highest range goes (the lowest tell which holes
    /// are lost).
    pub(super) fn insert(&mut self, from: u64, to: u64) {
        let mut merged = [(0u64, 0u64); SCOREBOARD + 1];
        let mut k = 0;
        let (mut from, mut to) = (from, to);
        let mut placed = false;
        for &(a, b) in self.ranges() {
            if b < from {
                merged[k] = (a, b);
                k += 1;
            } else if a > to {
                if !placed {
                    merged[k] = (from, to);
                    k += 1;
                    placed = true;
                }
                merged[k] = (a, b);
                k += 1;
            } else {
                from = from.min(a);
                to = to.max(b);
            }
        }
        if !placed {
            merged[k] = (from, to);
            k += 1;
        }
        let keep = k.min(SCOREBOARD);
        self.ranges[..keep].copy_from_slice(&merged[..keep]);
        self.len = keep as u8;
    }

    /// Forgets what lies below `una`, now cumulatively acknowledged.
    pub(super) fn prune(&mut self, una: u64) {
        let mut k = 0;
        for i in 0..usize::from(self.len) {
            let (a, b) = self.ranges[i];
            if b > una {
                self.ranges[k] = (a.max(una), b);
                k += 1;
            }
        }
        self.len = k as u8;
    }

    /// The bytes SACKed above `at`.
    pub(super) fn above(&self, at: u64) -> u64 {
        self.ranges()
            .iter()
            .map(|&(a, b)| b.saturating_sub(a.max(at)))
            .sum()
    }

    /// The end of the range holding `at`, if one does.
    pub(super) fn covering(&self, at: u64) -> Option<u64> {
        self.ranges()
            .iter()
            .find(|&&(a, b)| a <= at && at < b)
            .map(|&(_, b)| b)
    }

    /// The start of the first range above `at`, if any.
    pub(super) fn next_start(&self, at: u64) -> Option<u64> {
        self.ranges().iter().map(|&(a, _)| a).find(|&a| a > at)
    }

    /// The `i`th hole of `[una, nxt)`: the bytes between two ranges, or
    /// before the first, or after the last up to `nxt`; `None` past the
    /// last. A hole may be empty.
    pub(super) fn hole(&self, i: usize, una: u64, nxt: u64) -> Option<(u64, u64)> {
        let r = self.ranges();
        if i > r.len() {
            return None;
        }
        let from = if i == 0 { una } else { r[i - 1].1 };
        let to = if i < r.len() { r[i].0 } else { nxt };
        Some((from, to.max(from)))
    }
}

impl Tcp {
    /// SACK after the peer's SYN: on only when it carried SACK-permitted.
    pub(super) fn peer_sack(&mut self, permitted: bool) {
        self.sack_ok = self.sack_ok && permitted;
    }

    /// The blocks of an arriving ACK into the scoreboard (after its
    /// cumulative acknowledgement moved SND.UNA). A block below SND.UNA
    /// (a D-SACK) or past what was sent is left out, as Linux's
    /// `tcp_is_sackblock_valid` does.
    pub(super) fn sack_in(&mut self, seg: &Segment<'_>) {
        if !self.sack_ok {
            return;
        }
        self.sacked.prune(self.una);
        let base = self.seq_of(self.una);
        let sent = self.high_sent.saturating_sub(self.una);
        for &(left, right) in &seg.sack[..usize::from(seg.sack_len)] {
            let from = u64::from(left.wrapping_sub(base));
            let to = u64::from(right.wrapping_sub(base));
            if from < to && to <= sent {
                self.sacked.insert(self.una + from, self.una + to);
            }
        }
    }

    /// Whether the first unacknowledged byte is lost by RFC 6675's
    /// `IsLost`: more than two segments SACKed above it.
    pub(super) fn head_lost(&self) -> bool {
        self.sacked.above(self.una) > u64::from(DUPACK_THRESHOLD - 1) * self.mss64()
    }

    /// The end of the lost holes: every hole below it is lost (more than
    /// `(DupThresh - 1) x MSS` bytes SACKed above its start).
    fn lost_end(&self) -> u64 {
        let limit = u64::from(DUPACK_THRESHOLD - 1) * self.mss64();
        let mut end = self.una;
        let mut i = 0;
        while let Some((a, b)) = self.sacked.hole(i, self.una, self.high_sent) {
            if self.sacked.above(a) <= limit {
                break;
            }
            end = b;
            i += 1;
        }
        end
    }

    /// RFC 6675's `SetPipe`: the bytes in flight, in recovery.
    pub(super) fn pipe(&self) -> u64 {
        let lost_end = self.lost_end();
        let mut pipe = 0;
        let mut i = 0;
        while let Some((a, b)) = self.sacked.hole(i, self.una, self.high_sent) {
            // Sent once and not known lost: still in flight.
            let sent_end = b.min(self.nxt.max(self.high_rxt));
            if a >= lost_end {
                pipe += sent_end.saturating_sub(a);
            }
            // Sent again in this recovery.
            pipe += b.min(self.high_rxt).saturating_sub(a);
            i += 1;
        }
        pipe
    }

    /// RFC 6675's `NextSeg` rule 1: the first lost bytes not yet sent
    /// again (at or above `HighRxt`), at most a segment of them.
    fn next_lost(&self, mss: u64) -> Option<(u64, u64)> {
        let lost_end = self.lost_end();
        let mut i = 0;
        while let Some((a, b)) = self.sacked.hole(i, self.una, self.high_sent) {
            if a >= lost_end {
                return None;
            }
            let from = a.max(self.high_rxt);
            if from < b {
                return Some((from, (b - from).min(mss)));
            }
            i += 1;
        }
        None
    }

    /// Enters SACK recovery (RFC 6675 section 5, step 4): the recovery
    /// point is the highest byte sent, CUBIC reduces the window, and the
    /// first lost segment goes again at once.
    pub(super) fn enter_sack_recovery(&mut self, out: &mut Out) {
        self.in_recovery = true;
        self.recover = self.nxt;
        self.cubic_loss();
        self.cwnd = self.ssthresh;
        self.high_rxt = self.una;
        self.probe = None;
        let mss = self.mss64().saturating_sub(self.sack_option_len()).max(1);
        let (from, len) = self
            .next_lost(mss)
            .unwrap_or((self.una, (self.high_sent - self.una).min(mss)));
        if len > 0 {
            self.resend(from, len, out);
        }
        self.sack_transmit(out);
    }

    fn resend(&mut self, from: u64, len: u64, out: &mut Out) {
        self.retransmits += 1;
        self.room = self.room.saturating_sub(len + HEADERS);
        self.send_data(from, len, out);
        self.high_rxt = self.high_rxt.max(from + len);
    }

    /// Sends in SACK recovery while `pipe` leaves a segment of `cwnd`: the
    /// lost holes first, then new data (RFC 6675 section 5, step C).
    pub(super) fn sack_transmit(&mut self, out: &mut Out) {
        let mss = self.mss64().saturating_sub(self.sack_option_len()).max(1);
        let window = self.peer_window.min(WMEM_MAX).max(mss);
        let mut pipe = self.pipe();
        while pipe + mss <= self.cwnd.max(mss) {
            if let Some((from, len)) = self.next_lost(mss) {
                if len + HEADERS > self.room {
                    self.tsq_blocked = true;
                    return;
                }
                self.resend(from, len, out);
                pipe += len;
                continue;
            }
            // New data in whole segments, as outside recovery.
            let len = (self.total - self.nxt).min(mss);
            if self.nxt < self.total && self.nxt - self.una + len <= window {
                if len + HEADERS > self.room {
                    self.tsq_blocked = true;
                    return;
                }
                self.room = self.room.saturating_sub(len + HEADERS);
                let at = self.nxt;
                self.send_data(at, len, out);
                self.nxt += len;
                self.high_sent = self.high_sent.max(self.nxt);
                pipe += len;
                continue;
            }
            break;
        }
    }
}
