//! Capacity of links and gateways: a serializing server with a bounded queue.
//! Each component states its own [`Capacity`] in its file of `dataplane/`.
//!
//! A packet of `b` bytes takes `max(8b / bandwidth, 1 / pps)` to serve. It
//! starts when the server is free; if it would wait longer than the queue
//! holds (`queue` packets of that size), it is dropped (`queue_overflow`).
//! Otherwise it leaves once served: the delay it returns includes the wait.

pub use crate::dataplane::Capacity;
use crate::units::Nanos;

#[derive(Clone, Debug)]
pub struct Server {
    pub cap: Capacity,
    free_at: u64,
    pub served: u64,
    pub overflowed: u64,
}

impl Server {
    pub fn new(cap: Capacity) -> Server {
        Server {
            cap,
            free_at: 0,
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
        let service = self.cap.service_ns(bytes);
        let start = self.free_at.max(now.0);
        if start - now.0 > service * u64::from(self.cap.queue) {
            self.overflowed += 1;
            return None;
        }
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
        let cap = Capacity {
            bits_per_sec: 8_000_000, // 1 MB/s: a 1000-byte packet takes 1 ms
            packets_per_sec: 1_000_000,
            queue: 2,
        };
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
    fn packet_rate_limits_small_packets() {
        let cap = Capacity {
            bits_per_sec: u64::MAX / 16,
            packets_per_sec: 1000,
            queue: 0,
        };
        let mut s = Server::new(cap);
        assert_eq!(s.admit(Nanos(0), 64), Some(Nanos::from_millis(1)));
        assert_eq!(s.admit(Nanos(0), 64), None);
    }
}
