//! Capacity of links and gateways: a serializing server with a bounded queue.
//! Each component states its own [`Capacity`] in its file of `dataplane/`.
//!
//! A packet of `b` bytes takes `max(8b / bandwidth, 1 / pps)` to serve. It
//! starts when the server is free; if it would wait longer than the queue
//! holds (`queue` packets of that size), it is dropped (`queue_overflow`).
//! Otherwise it leaves once served: the delay it returns includes the wait.
//! An interface with network I/O credits serves at its burst bandwidth
//! while they last and at its baseline after (BW-2, [`Credits`]).

pub use crate::dataplane::Capacity;
use crate::dataplane::Credits;
use crate::units::Nanos;

#[derive(Clone, Debug)]
pub struct Server {
    pub cap: Capacity,
    free_at: u64,
    credits: Credits,
    pub served: u64,
    pub overflowed: u64,
}

impl Server {
    pub fn new(cap: Capacity) -> Server {
        Server {
            cap,
            free_at: 0,
            credits: Credits::default(),
            served: 0,
            overflowed: 0,
        }
    }

    /// How many packets of `bytes` bytes are queued ahead of one arriving
    /// at `now` (the work left, in such packets).
    pub fn ahead(&self, now: Nanos, bytes: u64) -> u64 {
        self.free_at.saturating_sub(now.0) / self.cap.service_ns(bytes)
    }

    /// Admits a packet at `now`: `Some(delay until it leaves)`, or `None`
    /// when the queue is full.
    pub fn admit(&mut self, now: Nanos, bytes: u64) -> Option<Nanos> {
        let start = self.free_at.max(now.0);
        let mut credits = self.credits;
        let service = credits.service_ns(&self.cap, start, bytes);
        if start - now.0 > service * u64::from(self.cap.queue) {
            self.overflowed += 1;
            return None;
        }
        self.credits = credits;
        self.free_at = start + service;
        self.served += 1;
        Some(Nanos(self.free_at - now.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nat_8_over_capacity_queues_then_drops() {
        // 1 MB/s: a 1000-byte packet takes 1 ms.
        let cap = Capacity::fixed(8_000_000, 1_000_000, 2);
        let mut s = Server::new(cap);
        let now = Nanos(0);
        assert_eq!(s.admit(now, 1000), Some(Nanos::from_millis(1)));
        assert_eq!(s.admit(now, 1000), Some(Nanos::from_millis(2)));
        assert_eq!(s.admit(now, 1000), Some(Nanos::from_millis(3)));
        assert_eq!(s.admit(now, 1000), None, "the queue of 2 is full");
        // Later, the server has drained.
        assert_eq!(
            s.admit(Nanos::from_millis(10), 1000),
            Some(Nanos::from_millis(1))
        );
    }

    #[test]
    fn bw_2_bursts_while_credits_last_then_sends_at_the_baseline() {
        // 8 Mbps burst, 0.8 Mbps baseline, credits for 100 kbit: 1,000-byte
        // packets (8 kbit) take 1 ms at the burst, 10 ms at the baseline.
        let cap = Capacity {
            baseline_bps: 800_000,
            burst_bits: 100_000,
            ..Capacity::fixed(8_000_000, 1_000_000, 1_000)
        };
        let mut s = Server::new(cap);
        let mut last = Nanos(0);
        let mut gaps = Vec::new();
        for _ in 0..20 {
            let d = s.admit(Nanos(0), 1000).unwrap();
            gaps.push((d.0 - last.0) / 1_000_000);
            last = d;
        }
        // Each burst packet spends 8 kbit and earns 0.8: 13 fit the
        // credits (13 x 7.2 = 93.6 kbit spent), then the baseline.
        assert_eq!(gaps[..13], [1; 13]);
        assert!(gaps[14..].iter().all(|&g| g == 10), "{gaps:?}");
        // Idle long enough, the credits are earned back at the baseline.
        let later = Nanos(last.0 + 1_000_000_000);
        assert_eq!(s.admit(later, 1000), Some(Nanos::from_millis(1)));
    }

    #[test]
    fn packet_rate_limits_small_packets() {
        let cap = Capacity::fixed(u64::MAX / 16, 1000, 0);
        let mut s = Server::new(cap);
        assert_eq!(s.admit(Nanos(0), 64), Some(Nanos::from_millis(1)));
        assert_eq!(s.admit(Nanos(0), 64), None);
    }
}
