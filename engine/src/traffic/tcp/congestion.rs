//! Congestion control as Linux's default does it: the round-trip
//! estimate (RFC 6298), CUBIC's growth and reduction (RFC 9438), HyStart's
//! delay-increase exit from slow start, and the pacing rate that sizes
//! TCP Small Queues.

use super::*;

/// CUBIC's state (RFC 9438), windows in segments.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Cubic {
    /// The window before the last reduction.
    pub(super) w_max: f64,
    /// The time to grow back to `origin`, in seconds.
    k: f64,
    origin: f64,
    /// The Reno-friendly estimate.
    w_est: f64,
    /// The start of the current congestion avoidance epoch.
    epoch: Option<Nanos>,
}

impl Tcp {
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

    pub(super) fn sample_rtt(&mut self, r: Nanos) {
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
    pub(super) fn cubic_grow(&mut self, newly: u64, now: Nanos) {
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
    pub(super) fn cubic_loss(&mut self) {
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
}
