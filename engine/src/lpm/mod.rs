//! Longest-prefix-match table for IPv4.
//!
//! # Structure
//!
//! [`Lpm`] keeps two representations of the same prefix set:
//!
//! * the authoritative set, a `BTreeMap<(u32, u8), V>` keyed by (network
//!   address, prefix length), from which everything else is derived;
//! * a lookup structure rebuilt from it after every change to the set:
//!   - an arena of (prefix, value) pairs in the map's (address, length)
//!     order, and the values alone in the same order; arena entry `i` has
//!     index `i + 1`, index 0 meaning "no prefix". A lookup of the value
//!     reads the dense `values` (4 bytes per prefix for a `u32` value), a
//!     lookup of the prefix and value reads one arena entry: each reads
//!     one place in memory after the lookup structure, not two;
//!   - one of four lookup structures ([`Layout`]), chosen by table size
//!     ([`DIR16_THRESHOLD`], [`DIR24_THRESHOLD`]) unless forced:
//!     - up to [`DIR16_THRESHOLD`] prefixes, a multibit trie with controlled
//!       prefix expansion and an 8-bit root (`trie.rs`): 4 slots read per
//!       lookup, without a data-dependent branch; [`Layout::Trie16`] is the
//!       same trie with a 16-bit root (3 slots), kept for comparison. A trie
//!       of more than [`STOPPING_NODES`] nodes (only ever forced) is walked
//!       with a branch that stops at the first slot without a child;
//!     - up to [`DIR24_THRESHOLD`] prefixes, DIR-16-8-8 (`dir.rs`): a
//!       65,536-entry first table indexed by the first 16 address bits, then
//!       256-entry groups for the /16s and the /24s that hold longer
//!       prefixes. Entries are leaf-pushed: an entry is the answer, or names
//!       a group. The second level is read without a branch (an all-zero
//!       group 0 when the /16 has none), the third behind a branch taken
//!       only for addresses in a /24 holding a prefix longer than /24;
//!     - above that, DIR-24-8 (`dir.rs`): a 2^24-entry first table and
//!       256-entry groups for the /24s holding longer prefixes; exactly 2
//!       reads, chosen between without a branch.
//!
//! [`Lpm::lookup_batch`] looks up [`BATCH`] addresses at a time and, in the
//! direct-indexed layouts, issues every first-level read of a chunk before
//! any later read, so that the cache and TLB misses of a chunk overlap.
//!
//! # Invariants
//!
//! * Prefixes are expanded in (address, length) order, in which a prefix
//!   comes before every prefix it contains, so a longer prefix overwrites
//!   a shorter one where they overlap (the layouts' own invariants are in
//!   `trie.rs` and `dir.rs`).
//! * For the same reason the arena index order agrees with containment: the
//!   prefixes matching an address form a chain, and a longer one has a larger
//!   index. The trie walk keeps `max(best)` along its path, without a branch.
//! * An empty table has no lookup structure at all.
//! * `arena` holds exactly the map's entries, in the map's order, and
//!   `values[i] == arena[i].1`. Replacing the value of a present prefix
//!   patches both in place; any
//!   other change rebuilds the arena and the lookup structure (`O(n)` plus
//!   the expansion; measured ~50 µs for 50 routes and 15-150 ms for a million
//!   prefixes: tables change rarely, lookups must be fast).
//!
//! # Memory
//!
//! * trie: `2 KiB * (1 + root_nodes + inner_nodes)`, where `root_nodes` is 1
//!   (8-bit root) or 256 (16-bit root, 512 KiB) and there is one inner node
//!   per distinct /8, /16 or /24 (relative to the root stride) that has a
//!   longer prefix under it;
//! * DIR-16-8-8: 256 KiB, plus 1 KiB per /16 holding a prefix longer than
//!   /16 and per /24 holding one longer than /24, plus 2 KiB (the groups 0);
//! * DIR-24-8: 64 MiB plus 1 KiB per /24 holding a prefix longer than /24;
//! * arena and values: `size_of::<(Ipv4Net, V)>() + size_of::<V>()` bytes
//!   per prefix (16 for a `u32` value);
//! * the map: roughly `1.5 * (8 + size_of::<V>())` bytes per prefix.
//!
//! Measured ([`Lpm::heap_bytes`], [`Lpm::node_count`]): the benchmark's
//! 50-route VPC table is 66 KiB as an 8-bit trie (33 nodes) and 278 KiB as
//! DIR-16-8-8 (19 second-level groups); a table of 1,000,000 prefixes
//! spread uniformly over the unicast space is 106.5 MiB as DIR-24-8,
//! 98.0 MiB as DIR-16-8-8 and 163.4 MiB as a trie.
//!
//! The fixed 256 KiB of DIR-16-8-8 is why tables of at most
//! [`DIR16_THRESHOLD`] prefixes (most route tables: the local route, a
//! gateway, a few peering or transit routes) keep the 8-bit trie. Lookup
//! rates of the layouts side by side are in `bench/benches/lpm.rs`.

mod dir;
mod trie;

use std::collections::BTreeMap;
use std::fmt;
use std::net::Ipv4Addr;

use ipnet::Ipv4Net;

use dir::Dir;
use trie::{Node, walk};

/// Tables with more prefixes than this are laid out as DIR-16-8-8, whose
/// fixed 256 KiB first table smaller tables do without.
pub const DIR16_THRESHOLD: usize = 32;

/// Tables with more prefixes than this are laid out as DIR-24-8, whose
/// fixed 64 MiB is then smaller than the other layouts.
pub const DIR24_THRESHOLD: usize = 100_000;

/// Tries with more nodes than this (32 MiB) are walked with an early stop.
///
/// The branch-free walk reads one slot per level whatever the path, the
/// sentinel's where the path has ended, and lets the lookups of a loop
/// overlap; the stopping walk skips those reads behind a branch that
/// depends on the address. Measured on this project's 2-vCPU Xeon, a
/// stand-alone copy of both walks over random tables of the benchmark's
/// kind (ns per lookup, runs alternating): the branch-free walk is faster
/// up to 13,194 nodes (VPC table, 33 nodes: 4.7 against 7.5; 7,536
/// nodes: 5.3-6.9 against 5.7-7.2) and slower from 23,403 (8.8-14.9
/// against 7.2-7.7; 1M prefixes, 67,078 nodes: 9.4-14.2 against
/// 8.7-13.6), where every level is a cache miss. The table picks DIR-16-8-8
/// long before a trie gets this large; the threshold matters only for a
/// forced layout.
pub const STOPPING_NODES: usize = 16_384;

/// Addresses per chunk of [`Lpm::lookup_batch`].
pub const BATCH: usize = 16;

/// A longest-prefix-match table from IPv4 prefixes to `V`.
#[derive(Clone)]
pub struct Lpm<V: Copy> {
    map: BTreeMap<(u32, u8), V>,
    /// The (prefix, value) pairs in (address, length) order.
    arena: Vec<(Ipv4Net, V)>,
    /// The arena's values alone, in the same order.
    values: Vec<V>,
    /// The trie's nodes (trie layouts only).
    nodes: Vec<Node>,
    /// The direct-indexed tables (DIR layouts only).
    dir: Dir,
    /// The lookup structure in use.
    layout: Layout,
    /// Layout forced by `set_layout`.
    forced_layout: Option<Layout>,
}

/// How an [`Lpm`] table is laid out for lookups.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// The multibit trie with an 8-bit root: 4 slots read, 2 KiB per node;
    /// for small tables.
    Trie8,
    /// The multibit trie with a 16-bit root (512 KiB): 3 slots read.
    Trie16,
    /// DIR-16-8-8: a 65,536-entry first table (256 KiB) and 256-entry
    /// groups; 2 reads, a third only under a /24 holding a longer prefix.
    Dir16,
    /// DIR-24-8 (Gupta, Lin and McKeown, "Routing lookups in hardware at
    /// memory access speeds", INFOCOM 1998): a 2^24-entry first table
    /// (64 MiB) and 256-entry groups for /24s holding longer prefixes;
    /// 2 reads.
    Dir24,
}

impl<V: Copy> Default for Lpm<V> {
    fn default() -> Self {
        Self::new()
    }
}

impl<V: Copy + fmt::Debug> fmt::Debug for Lpm<V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

fn key(net: Ipv4Net) -> (u32, u8) {
    let net = net.trunc();
    (u32::from(net.network()), net.prefix_len())
}

impl<V: Copy> Lpm<V> {
    /// An empty table (allocates nothing).
    pub fn new() -> Self {
        Lpm {
            map: BTreeMap::new(),
            arena: Vec::new(),
            values: Vec::new(),
            nodes: Vec::new(),
            dir: Dir::default(),
            layout: Layout::Trie8,
            forced_layout: None,
        }
    }

    /// Builds a table in one pass. Host bits are ignored; when a prefix
    /// occurs more than once, the last value wins.
    pub fn from_prefixes(items: impl IntoIterator<Item = (Ipv4Net, V)>) -> Self {
        let mut t = Self::new();
        t.map = items.into_iter().map(|(n, v)| (key(n), v)).collect();
        t.rebuild();
        t
    }

    /// Inserts `net` (host bits ignored). If the identical prefix was
    /// present, replaces its value and returns the old one.
    pub fn insert(&mut self, net: Ipv4Net, v: V) -> Option<V> {
        let k = key(net);
        let old = self.map.insert(k, v);
        if old.is_some() {
            // Same prefix set: patch the arena in place.
            match self
                .arena
                .binary_search_by_key(&k, |(n, _)| (u32::from(n.network()), n.prefix_len()))
            {
                Ok(i) => {
                    self.arena[i].1 = v;
                    self.values[i] = v;
                }
                Err(_) => self.rebuild(),
            }
        } else {
            self.rebuild();
        }
        old
    }

    /// Removes the prefix `net` (host bits ignored), returning its value.
    pub fn remove(&mut self, net: Ipv4Net) -> Option<V> {
        let old = self.map.remove(&key(net));
        if old.is_some() {
            self.rebuild();
        }
        old
    }

    /// The longest prefix containing `addr`, and its value.
    #[inline]
    pub fn lookup(&self, addr: Ipv4Addr) -> Option<(Ipv4Net, V)> {
        let i = (self.find(u32::from(addr))? as usize).wrapping_sub(1);
        self.arena.get(i).copied()
    }

    /// The value of the longest prefix containing `addr` (host byte order,
    /// as `u32::from(Ipv4Addr)`).
    #[inline]
    pub fn lookup_u32(&self, addr: u32) -> Option<V> {
        self.value(self.find(addr)?)
    }

    /// `out[i] = self.lookup_u32(addrs[i])` for every `i`, [`BATCH`]
    /// addresses at a time: in the direct-indexed layouts every first-level
    /// read of a chunk is issued before any later read, so that their cache
    /// and TLB misses overlap.
    ///
    /// # Panics
    ///
    /// If `addrs` and `out` differ in length.
    pub fn lookup_batch(&self, addrs: &[u32], out: &mut [Option<V>]) {
        assert_eq!(addrs.len(), out.len(), "one output per address");
        if self.map.is_empty() {
            out.fill(None);
            return;
        }
        match self.layout {
            Layout::Trie8 => {
                for (o, &a) in out.iter_mut().zip(addrs) {
                    *o = self.value(self.walk_trie::<24>(a));
                }
            }
            Layout::Trie16 => {
                for (o, &a) in out.iter_mut().zip(addrs) {
                    *o = self.value(self.walk_trie::<16>(a));
                }
            }
            Layout::Dir16 => self.batch(addrs, out, Dir::first16, Dir::rest16),
            Layout::Dir24 => self.batch(addrs, out, Dir::first24, Dir::rest24),
        }
    }

    /// The direct-indexed batch: `first` for the whole chunk, then `rest`.
    #[inline(always)]
    fn batch(
        &self,
        addrs: &[u32],
        out: &mut [Option<V>],
        first: impl Fn(&Dir, u32) -> u32,
        rest: impl Fn(&Dir, u32, u32) -> u32,
    ) {
        for (addrs, out) in addrs.chunks(BATCH).zip(out.chunks_mut(BATCH)) {
            let mut e = [0u32; BATCH];
            for (e, &a) in e.iter_mut().zip(addrs) {
                *e = first(&self.dir, a);
            }
            for ((o, &e), &a) in out.iter_mut().zip(&e).zip(addrs) {
                *o = self.value(rest(&self.dir, e, a));
            }
        }
    }

    /// The value of arena index `i` (0: none).
    #[inline(always)]
    fn value(&self, i: u32) -> Option<V> {
        // Index 0 ("none") wraps to usize::MAX, which `get` rejects.
        self.values.get((i as usize).wrapping_sub(1)).copied()
    }

    /// Number of prefixes.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// True if the table has no prefix.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// All prefixes and their values, in (address, prefix length) order.
    pub fn iter(&self) -> impl Iterator<Item = (Ipv4Net, V)> {
        self.arena.iter().copied()
    }

    /// Approximate heap memory of the table in bytes: the lookup structure
    /// and the arena exactly (capacity), the map estimated.
    pub fn heap_bytes(&self) -> usize {
        let per_entry = size_of::<(u32, u8)>() + size_of::<V>();
        self.nodes.capacity() * size_of::<Node>()
            + self.dir.heap_bytes()
            + self.arena.capacity() * size_of::<(Ipv4Net, V)>()
            + self.values.capacity() * size_of::<V>()
            + self.map.len() * per_entry * 3 / 2
    }

    /// The lookup structure in use.
    pub fn layout(&self) -> Layout {
        self.layout
    }

    /// Forces a layout (`None`: by table size, see [`DIR16_THRESHOLD`] and
    /// [`DIR24_THRESHOLD`]) and rebuilds. The choice sticks across later
    /// changes.
    pub fn set_layout(&mut self, layout: Option<Layout>) {
        self.forced_layout = layout;
        self.rebuild();
    }

    /// Number of trie nodes (2 KiB each), including the sentinel and root;
    /// 0 for the direct-indexed layouts.
    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    /// Arena index (1-based, 0 = no match) of the longest prefix containing
    /// `addr`; `None` when the table is empty.
    #[inline]
    fn find(&self, addr: u32) -> Option<u32> {
        if self.map.is_empty() {
            return None;
        }
        Some(match self.layout {
            Layout::Trie8 => self.walk_trie::<24>(addr),
            Layout::Trie16 => self.walk_trie::<16>(addr),
            Layout::Dir16 => self.dir.find16(addr),
            Layout::Dir24 => self.dir.find24(addr),
        })
    }

    /// The trie walk for the trie's size (see [`STOPPING_NODES`]).
    #[inline(always)]
    fn walk_trie<const SHIFT: u32>(&self, addr: u32) -> u32 {
        if self.nodes.len() > STOPPING_NODES {
            walk::<SHIFT, true>(&self.nodes, addr)
        } else {
            walk::<SHIFT, false>(&self.nodes, addr)
        }
    }

    fn layout_for(&self, len: usize) -> Layout {
        match self.forced_layout {
            Some(l) => l,
            None if len > DIR24_THRESHOLD => Layout::Dir24,
            None if len > DIR16_THRESHOLD => Layout::Dir16,
            None => Layout::Trie8,
        }
    }

    /// Rebuilds the arena and the lookup structure from the map.
    fn rebuild(&mut self) {
        self.arena.clear();
        self.values.clear();
        self.nodes = Vec::new();
        self.dir = Dir::default();
        self.layout = self.layout_for(self.map.len());
        if self.map.is_empty() {
            self.arena.shrink_to_fit();
            self.values.shrink_to_fit();
            return;
        }
        self.arena.reserve_exact(self.map.len());
        self.values.reserve_exact(self.map.len());
        for (&(a, l), &v) in &self.map {
            let net = Ipv4Net::new(Ipv4Addr::from(a), l).expect("stored prefix length <= 32");
            self.arena.push((net, v));
            self.values.push(v);
        }
        self.arena.shrink_to_fit();
        self.values.shrink_to_fit();
        match self.layout {
            Layout::Trie8 => self.nodes = trie::build(&self.arena, 8),
            Layout::Trie16 => self.nodes = trie::build(&self.arena, 16),
            Layout::Dir16 => self.dir = Dir::build16(&self.arena),
            Layout::Dir24 => self.dir = Dir::build24(&self.arena),
        }
    }
}

impl<V: Copy> FromIterator<(Ipv4Net, V)> for Lpm<V> {
    fn from_iter<I: IntoIterator<Item = (Ipv4Net, V)>>(iter: I) -> Self {
        Self::from_prefixes(iter)
    }
}

#[cfg(test)]
mod tests;
