//! Capacity of links and gateways: a serializing server with a bounded queue.
//! Each component states its own [`Capacity`] in its file of `dataplane/`.
//!
//! A packet of `b` bytes takes `max(8b / bandwidth, 1 / pps)` to serve. It
//! starts when the server is free; if it would wait longer than the queue
//! holds (`queue` packets of that size), it is dropped (`queue_overflow`).
//! Otherwise it leaves once served: the delay it returns includes the wait.
//! An interface with network I/O credits serves at its burst bandwidth
//! while they last and at its baseline after (BW-2, [`Credits`]). A
//! capacity that scales (a NAT gateway's, NAT-8, [`Scaling`]) counts the
//! work that arrives in each window of time (aligned on multiples of the
//! window from the start of the run), served or dropped: when the first
//! packet of a later window arrives, a window whose work reached the
//! threshold doubles the capacity, up to its maximum. What is queued when
//! it scales leaves as it was scheduled, at the old rate, and does not
//! count against the queue at the new capacity, which fills behind it.

pub use crate::dataplane::Capacity;
use crate::dataplane::{Credits, Scaling, SizeTime};
use crate::units::Nanos;

#[derive(Clone, Debug)]
pub struct Server {
    pub cap: Capacity,
    free_at: u64,
    credits: Credits,
    pub served: u64,
    pub overflowed: u64,
    /// The scaling window the work below arrived in (NAT-8).
    window: u64,
    /// The work that arrived in it, in ns at the capacity of the time.
    demand_ns: u64,
    /// When what was queued at the last scaling will have left.
    carried_until: u64,
    /// The last packet size served and its time at the full rate: most
    /// packets at a server have the size of the one before, and the time
    /// takes two divisions.
    sized: SizeTime,
}

impl Server {
    pub fn new(cap: Capacity) -> Server {
        Server {
            cap,
            free_at: 0,
            credits: Credits::default(),
            served: 0,
            overflowed: 0,
            window: 0,
            demand_ns: 0,
            carried_until: 0,
            sized: SizeTime::default(),
        }
    }

    /// The time a packet of `bytes` takes at the full rate.
    #[inline]
    pub fn service_ns(&mut self, bytes: u64) -> u64 {
        self.sized.service_ns(&self.cap, bytes)
    }

    /// NAT-8: counts a packet's work into its window; the first packet of
    /// a later window judges the last one (windows with nothing arriving
    /// judge nothing and scale nothing).
    #[inline]
    fn scale(&mut self, s: Scaling, now: Nanos, bytes: u64) {
        let w = now.0 / s.window.0.max(1);
        if w != self.window {
            if self.demand_ns.saturating_mul(100) >= s.busy_percent * s.window.0
                && self.cap.scale_up()
            {
                self.carried_until = self.free_at;
                self.sized = SizeTime::default();
            }
            self.window = w;
            self.demand_ns = 0;
        }
        self.demand_ns += self.service_ns(bytes);
    }

    /// How many packets of `bytes` bytes are queued ahead of one arriving
    /// at `now` (the work left, in such packets).
    #[inline]
    pub fn ahead(&mut self, now: Nanos, bytes: u64) -> u64 {
        match self.free_at.saturating_sub(now.0) {
            0 => 0,
            left => left / self.service_ns(bytes),
        }
    }

    /// Admits a packet at `now`: `Some(delay until it leaves)`, or `None`
    /// when the queue is full.
    pub fn admit(&mut self, now: Nanos, bytes: u64) -> Option<Nanos> {
        if let Some(s) = self.cap.scaling {
            self.scale(s, now, bytes);
        }
        let start = self.free_at.max(now.0);
        let mut credits = self.credits;
        let full = self.service_ns(bytes);
        let service = credits.service_ns(&self.cap, start, bytes, full);
        let queued = start - now.0.max(self.carried_until).min(start);
        if queued > service * u64::from(self.cap.queue) {
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
    fn nat_8_a_fresh_nat_gateway_serves_5_gbps_and_scales_under_sustained_load() {
        use crate::dataplane::nat_gateway::CAPACITY;
        // 1,500-byte packets offered at 17.1 Gbit/s (one every 700 ns)
        // for 7 s: 5 Gbit/s serves fewer than one in three at first
        // (2.4 us each), and the queue overflows.
        let mut s = Server::new(CAPACITY);
        let gap = 700;
        let mut per_second = Vec::new();
        let (mut served, mut dropped) = (0u64, 0u64);
        for i in 0..10_000_000u64 {
            let now = Nanos(i * gap);
            if now.0 / 1_000_000_000 != per_second.len() as u64 {
                per_second.push((served, dropped, s.cap.bits_per_sec));
                (served, dropped) = (0, 0);
            }
            match s.admit(now, 1500) {
                Some(_) => served += 1,
                None => dropped += 1,
            }
        }
        // The first second: 5 Gbit/s, 416,666 packets, the rest dropped.
        let (served0, dropped0, bps0) = per_second[0];
        assert_eq!(bps0, 5_000_000_000);
        assert!(
            (416_000..=417_700).contains(&served0),
            "first second: {served0} served"
        );
        assert!(dropped0 > 1_000_000, "first second: {dropped0} dropped");
        // Each sustained second doubles it: 10, then 20 Gbit/s, which
        // carries the whole load. The packets queued when it scaled leave
        // as they were scheduled, at the old rate, and the new capacity's
        // queue of 1,024 fills behind them for that while: fewer than a
        // queue's worth are dropped then, and none after.
        assert_eq!(per_second[1].2, 10_000_000_000);
        assert!(
            (832_000..=835_000).contains(&per_second[1].0),
            "{per_second:?}"
        );
        assert_eq!(per_second[2].2, 20_000_000_000);
        assert!(per_second[2].1 < 1_024, "{per_second:?}");
        // At 20 Gbit/s the load was 86 % busy: 40 Gbit/s, where it is
        // 43 %: no drop, no more scaling.
        assert_eq!(per_second[3].2, 40_000_000_000);
        assert_eq!(per_second[3].1, 0, "{per_second:?}");
        assert_eq!(per_second[4].2, 40_000_000_000);
        assert_eq!(s.cap.packets_per_sec, 8_000_000);
        // The ceiling: 100 Gbit/s and 10 M packets/s.
        let mut c = CAPACITY;
        while c.scale_up() {}
        assert_eq!(
            (c.bits_per_sec, c.packets_per_sec),
            (100_000_000_000, 10_000_000)
        );
    }

    #[test]
    fn nat_8_load_under_the_threshold_does_not_scale() {
        use crate::dataplane::nat_gateway::CAPACITY;
        // 3.5 Gbit/s offered (70 % of 5) for 3 s: it stays at 5 Gbit/s
        // and drops nothing.
        let mut s = Server::new(CAPACITY);
        let gap = 1500 * 8 * 1_000_000_000 / 3_500_000_000;
        for i in 0..(3_000_000_000 / gap) {
            assert!(s.admit(Nanos(i * gap), 1500).is_some());
        }
        assert_eq!(s.cap.bits_per_sec, 5_000_000_000);
        assert_eq!(s.cap.packets_per_sec, 1_000_000);
        assert_eq!(s.overflowed, 0);
    }

    #[test]
    fn bw_1_each_packet_takes_its_own_sizes_time() {
        // 8 Mbps: 1,000 bytes take 1 ms, 100 bytes 0.1 ms. Sizes that
        // change from packet to packet are each served at their own time,
        // and the packets ahead are counted in the arriving one's size.
        let mut s = Server::new(Capacity::fixed(8_000_000, 1_000_000, 1_000));
        let mut free = 0;
        for (i, bytes) in [1000, 1000, 100, 1000, 100, 100, 1000]
            .into_iter()
            .enumerate()
        {
            let ahead = s.ahead(Nanos(0), bytes);
            assert_eq!(ahead, free / (bytes * 1_000), "packet {i}");
            free += bytes * 1_000;
            assert_eq!(s.admit(Nanos(0), bytes), Some(Nanos(free)), "packet {i}");
        }
        assert_eq!(s.ahead(Nanos(free), 100), 0);
    }

    #[test]
    fn packet_rate_limits_small_packets() {
        let cap = Capacity::fixed(u64::MAX / 16, 1000, 0);
        let mut s = Server::new(cap);
        assert_eq!(s.admit(Nanos(0), 64), Some(Nanos::from_millis(1)));
        assert_eq!(s.admit(Nanos(0), 64), None);
    }
}
