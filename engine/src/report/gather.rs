//! Files that several logical processes write into.
//!
//! Each LP has its own recorder, which runs on whatever thread runs the LP.
//! At the end of every window (and once more when the run finishes) it
//! hands what it recorded in the window to the file's [`Gather`]; a window
//! is complete when every LP has handed its part, and the file's writer
//! then merges the parts in a fixed order (by virtual time, then LP) and
//! writes them. Every LP hands exactly one part per window, in window
//! order, so the merge sees the same parts whichever thread ran which LP:
//! the file is the same for every thread count. Memory holds the parts of
//! the windows not yet complete: an LP runs at most a lookahead (two
//! windows, `sim::parallel::SPLIT`) ahead of the slowest.

use std::collections::VecDeque;

/// The parts of the windows not yet complete, per LP.
#[derive(Debug)]
pub struct Gather<P> {
    queues: Vec<VecDeque<P>>,
    /// Which LPs handed their last part.
    finished: Vec<bool>,
}

impl<P> Gather<P> {
    pub fn new(lps: u32) -> Gather<P> {
        Gather {
            queues: (0..lps.max(1)).map(|_| VecDeque::new()).collect(),
            finished: vec![false; lps.max(1) as usize],
        }
    }

    /// LP `lp` hands its part of its next window; `complete` gets the parts
    /// of every window this completes, in LP order, oldest window first.
    pub fn put(&mut self, lp: u32, part: P, mut complete: impl FnMut(Vec<P>)) {
        if let Some(q) = self.queues.get_mut(lp as usize) {
            q.push_back(part);
        }
        while self.queues.iter().all(|q| !q.is_empty()) {
            let parts = self
                .queues
                .iter_mut()
                .filter_map(|q| q.pop_front())
                .collect();
            complete(parts);
        }
    }

    /// LP `lp` handed its last part; true once every LP has.
    pub fn finish(&mut self, lp: u32) -> bool {
        if let Some(f) = self.finished.get_mut(lp as usize) {
            *f = true;
        }
        self.finished.iter().all(|f| *f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_is_complete_once_every_lp_has_handed_its_part() {
        let mut g = Gather::new(3);
        let mut out = Vec::new();
        g.put(1, "b0", |p| out.push(p));
        g.put(1, "b1", |p| out.push(p));
        g.put(0, "a0", |p| out.push(p));
        assert!(out.is_empty());
        g.put(2, "c0", |p| out.push(p));
        assert_eq!(out, vec![vec!["a0", "b0", "c0"]]);
        g.put(2, "c1", |p| out.push(p));
        g.put(0, "a1", |p| out.push(p));
        assert_eq!(out[1], vec!["a1", "b1", "c1"]);
        assert!(!g.finish(0));
        assert!(!g.finish(1));
        assert!(!g.finish(1), "LP 2 has not finished");
        assert!(g.finish(2));
    }

    #[test]
    fn one_lp_writes_at_once() {
        let mut g = Gather::new(1);
        let mut n = 0;
        g.put(0, 7, |p| n += p[0]);
        assert_eq!(n, 7);
    }
}
