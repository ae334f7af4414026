//! Longest-prefix-match table for IPv4.
//!
//! # Structure
//!
//! [`Lpm`] keeps two representations of the same prefix set:
//!
//! * the authoritative set, a `BTreeMap<(u32, u8), V>` keyed by (network
//!   address, prefix length), from which everything else is derived;
//! * a lookup structure rebuilt from it after every change to the set:
//!   - a value arena (`nets` and `values`, two parallel vectors in the
//!     map's (address, length) order); arena entry `i` has index `i + 1`,
//!     index 0 meaning "no prefix";
//!   - one of two lookup structures ([`Layout`]), chosen by table size:
//!     - a multibit trie with controlled prefix expansion. Its nodes are
//!       256-slot arrays in one `Vec`. Each slot holds `best`, the arena
//!       index of the longest prefix of this node's level that covers the
//!       slot (0 = none), and `child`, the index of the next-level node
//!       (0 = none);
//!     - above [`DIR24_THRESHOLD`] prefixes, DIR-24-8: a 2^24-entry table
//!       indexed by the first 24 address bits holding an arena index, or a
//!       flag and a group number when longer prefixes lie under that /24; a
//!       group is 256 arena indices for the last 8 bits.
//!
//! The trie's root consumes the first 8 address bits (one node) for tables of
//! at most [`ROOT16_THRESHOLD`] prefixes, and the first 16 bits otherwise
//! (256 nodes laid out contiguously, indexed by `addr >> 16` as one 65,536-slot
//! array). Every level below the root consumes 8 bits, so a lookup reads
//! exactly 4 slots (8-bit root) or 3 slots (16-bit root): a missing child is
//! the all-zero sentinel node, so the walk has no data-dependent branch and
//! consecutive lookups overlap in the pipeline. DIR-24-8 reads exactly 2
//! entries (group 0 is all zero and stands for "no group").
//!
//! # Invariants
//!
//! * `nodes[0]` is an all-zero sentinel (so that `child == 0` can mean
//!   "none"); the root occupies `nodes[1..1 + root_nodes]`. An empty table
//!   has no nodes at all.
//! * A prefix of length `l` lives at the level whose last consumed bit `end`
//!   is the first with `l <= end` (a /0 therefore lives in every root slot),
//!   in the node reached by its first `end - stride` bits, expanded over the
//!   `2^(end - l)` slots it covers there. Prefixes are expanded in
//!   (address, length) order, in which a prefix comes before every prefix it
//!   contains, so a slot's `best` is the longest prefix of its level covering
//!   it; prefixes of deeper levels are strictly longer, so the last non-zero
//!   `best` on the lookup path is the longest match.
//! * For the same reason the arena index order agrees with containment: the
//!   prefixes matching an address form a chain, and a longer one has a larger
//!   index. The lookup keeps `max(best)` along its path, without a branch.
//! * Slots of the last level (bits 24..32) have `child == 0`.
//! * DIR-24-8: `tbl8[0..256]` is zero; a `tbl24` entry with the top bit set
//!   names group `g >= 1`, and every entry of that group starts as the
//!   entry it replaced, so prefixes of length 24 or less stay visible under
//!   it. At most 2^31 - 1 prefixes.
//! * `nets`/`values` hold exactly the map's entries, in the map's order.
//!   Replacing the value of a present prefix patches `values` in place; any
//!   other change rebuilds the arena and the trie (`O(n)` plus the
//!   expansion; measured ~50 µs for 50 routes and 15-150 ms for a million
//!   prefixes: tables change rarely, lookups must be fast).
//!
//! # Memory
//!
//! One node is 256 slots of 8 bytes: 2 KiB. A table costs
//!
//! * trie: `2 KiB * (1 + root_nodes + inner_nodes)`, where `root_nodes` is 1
//!   (8-bit root) or 256 (16-bit root, 512 KiB) and there is one inner node
//!   per distinct /8, /16 or /24 (relative to the root stride) that has a
//!   longer prefix under it;
//! * arena: `5 + size_of::<V>()` bytes per prefix (plus vector slack);
//! * the map: roughly `1.5 * (8 + size_of::<V>())` bytes per prefix.
//!
//! Measured ([`Lpm::heap_bytes`], [`Lpm::node_count`]): a 50-route VPC table
//! (12 distinct /8s and 19 distinct /16s with longer routes under them) has
//! 33 nodes, 66 KiB, of which a lookup touches at most 4 cache lines; a table
//! of 1,000,000 prefixes spread uniformly over the unicast space has about
//! 67,000 nodes (131 MiB) and about 157 MiB in all.
//!
//! The 16-bit root costs 512 KiB but saves one dependent load; on the
//! 1M-prefix table it gave 55-74 M lookups/s against 50-55 M with the 8-bit
//! root (criterion medians, 2-core x86-64 shared with other work), hence
//! [`ROOT16_THRESHOLD`]. Small tables keep the 8-bit root: 66 KiB instead of
//! over 512 KiB per table.

use std::collections::BTreeMap;
use std::fmt;
use std::net::Ipv4Addr;

use ipnet::Ipv4Net;

/// Tables with more prefixes than this get a 16-bit root stride.
pub const ROOT16_THRESHOLD: usize = 10_000;

/// Tables with more prefixes than this are laid out as DIR-24-8, whose
/// fixed 64 MiB is then smaller than the trie.
pub const DIR24_THRESHOLD: usize = 100_000;

const NODE_SLOTS: usize = 256;

#[derive(Clone, Copy, Default, Debug, PartialEq, Eq)]
struct Slot {
    /// Arena index (1-based) of the longest prefix of this level covering the slot, 0 = none.
    best: u32,
    /// Index in `nodes` of the next-level node, 0 = none.
    child: u32,
}

type Node = [Slot; NODE_SLOTS];

const EMPTY_NODE: Node = [Slot { best: 0, child: 0 }; NODE_SLOTS];

/// A longest-prefix-match table from IPv4 prefixes to `V`.
#[derive(Clone)]
pub struct Lpm<V: Copy> {
    map: BTreeMap<(u32, u8), V>,
    nets: Vec<Ipv4Net>,
    values: Vec<V>,
    nodes: Vec<Node>,
    /// DIR-24-8's first table: one entry per /24, `DIR_GROUP | g` when
    /// group `g` of `tbl8` resolves the last 8 bits, else an arena index.
    tbl24: Vec<u32>,
    /// DIR-24-8's groups of 256 arena indices; group 0 is all zero.
    tbl8: Vec<u32>,
    /// The lookup structure in use.
    layout: Layout,
    /// Layout forced by `set_layout`.
    forced_layout: Option<Layout>,
}

/// How an [`Lpm`] table is laid out for lookups.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// The multibit trie with an 8-bit root: at most 4 slots read, 2 KiB
    /// per node; for small tables.
    Trie8,
    /// The multibit trie with a 16-bit root (512 KiB): at most 3 slots read.
    Trie16,
    /// DIR-24-8 (Gupta, Lin and McKeown, "Routing lookups in hardware at
    /// memory access speeds", INFOCOM 1998): a 2^24-entry first table
    /// (64 MiB) and 256-entry groups for /24s holding longer prefixes; at
    /// most 2 reads.
    Dir24,
}

/// Marks a `tbl24` entry that names a `tbl8` group.
const DIR_GROUP: u32 = 1 << 31;

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
            nets: Vec::new(),
            values: Vec::new(),
            nodes: Vec::new(),
            tbl24: Vec::new(),
            tbl8: Vec::new(),
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
                .nets
                .binary_search_by_key(&k, |n| (u32::from(n.network()), n.prefix_len()))
            {
                Ok(i) => self.values[i] = v,
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
        Some((*self.nets.get(i)?, *self.values.get(i)?))
    }

    /// The value of the longest prefix containing `addr` (host byte order,
    /// as `u32::from(Ipv4Addr)`).
    #[inline]
    pub fn lookup_u32(&self, addr: u32) -> Option<V> {
        // Index 0 ("none") wraps to usize::MAX, which `get` rejects.
        self.values
            .get((self.find(addr)? as usize).wrapping_sub(1))
            .copied()
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
        self.nets.iter().copied().zip(self.values.iter().copied())
    }

    /// Approximate heap memory of the table in bytes: the lookup structure
    /// and the arena exactly (capacity), the map estimated.
    pub fn heap_bytes(&self) -> usize {
        let per_entry = size_of::<(u32, u8)>() + size_of::<V>();
        self.nodes.capacity() * size_of::<Node>()
            + (self.tbl24.capacity() + self.tbl8.capacity()) * size_of::<u32>()
            + self.nets.capacity() * size_of::<Ipv4Net>()
            + self.values.capacity() * size_of::<V>()
            + self.map.len() * per_entry * 3 / 2
    }

    /// The lookup structure in use.
    pub fn layout(&self) -> Layout {
        self.layout
    }

    /// Forces a layout (`None`: by table size, see [`ROOT16_THRESHOLD`] and
    /// [`DIR24_THRESHOLD`]) and rebuilds. The choice sticks across later
    /// changes.
    pub fn set_layout(&mut self, layout: Option<Layout>) {
        self.forced_layout = layout;
        self.rebuild();
    }

    /// Number of trie nodes (2 KiB each), including the sentinel and root;
    /// 0 for DIR-24-8.
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
            Layout::Trie8 => walk::<24>(&self.nodes, addr),
            Layout::Trie16 => walk::<16>(&self.nodes, addr),
            Layout::Dir24 => dir24(&self.tbl24, &self.tbl8, addr),
        })
    }

    fn layout_for(&self, len: usize) -> Layout {
        match self.forced_layout {
            Some(l) => l,
            None if len > DIR24_THRESHOLD => Layout::Dir24,
            None if len > ROOT16_THRESHOLD => Layout::Trie16,
            None => Layout::Trie8,
        }
    }

    /// Rebuilds the arena and the lookup structure from the map.
    fn rebuild(&mut self) {
        self.nets.clear();
        self.values.clear();
        self.nodes = Vec::new();
        self.tbl24 = Vec::new();
        self.tbl8 = Vec::new();
        self.layout = self.layout_for(self.map.len());
        if self.map.is_empty() {
            self.nets.shrink_to_fit();
            self.values.shrink_to_fit();
            return;
        }
        self.nets.reserve_exact(self.map.len());
        self.values.reserve_exact(self.map.len());
        for (&(a, l), &v) in &self.map {
            let net = Ipv4Net::new(Ipv4Addr::from(a), l).expect("stored prefix length <= 32");
            self.nets.push(net);
            self.values.push(v);
        }
        self.nets.shrink_to_fit();
        self.values.shrink_to_fit();
        match self.layout {
            Layout::Trie8 => self.build_trie(8),
            Layout::Trie16 => self.build_trie(16),
            Layout::Dir24 => self.build_dir24(),
        }
    }

    /// Expands the arena into the multibit trie with a `root_bits` root.
    fn build_trie(&mut self, root_bits: u32) {
        let root_shift = 32 - root_bits;
        // Expand in (address, length) order: a prefix containing another
        // one comes before it (its address is smaller, or equal with a
        // shorter length), so longer prefixes overwrite shorter ones.
        let count = u32::try_from(self.nets.len()).expect("prefix count fits u32");

        let root_nodes = 1usize << (root_bits - 8);
        let mut nodes = vec![EMPTY_NODE; 1 + root_nodes];
        for i in 0..count {
            let net = self.nets[i as usize];
            let best = i + 1;
            let a = u32::from(net.network());
            let l = u32::from(net.prefix_len());
            if l <= root_bits {
                let span = 1usize << (root_bits - l);
                let start = (a >> root_shift) as usize; // low bits are zero
                for r in start..start + span {
                    nodes[1 + (r >> 8)][r & 0xff].best = best;
                }
                continue;
            }
            let r = (a >> root_shift) as usize;
            let (mut node, mut idx) = (1 + (r >> 8), r & 0xff);
            let mut end = root_bits;
            loop {
                let mut child = nodes[node][idx].child as usize;
                if child == 0 {
                    child = nodes.len();
                    nodes.push(EMPTY_NODE);
                    nodes[node][idx].child = u32::try_from(child).expect("node count fits u32");
                }
                end += 8;
                let sub = ((a >> (32 - end)) & 0xff) as usize;
                if l <= end {
                    let span = 1usize << (end - l);
                    for s in &mut nodes[child][sub..sub + span] {
                        s.best = best;
                    }
                    break;
                }
                (node, idx) = (child, sub);
            }
        }
        nodes.shrink_to_fit();
        self.nodes = nodes;
    }

    /// Expands the arena into DIR-24-8. The same (address, length) order
    /// means every prefix of length 24 or less covering a /24 is written
    /// before a longer prefix inside it opens that /24's group, which then
    /// starts from the /24's entry.
    fn build_dir24(&mut self) {
        let count = u32::try_from(self.nets.len()).expect("prefix count fits u32");
        assert!(count < DIR_GROUP, "DIR-24-8 holds fewer than 2^31 prefixes");
        let mut tbl24 = vec![0u32; 1 << 24];
        let mut tbl8 = vec![0u32; 256];
        for i in 0..count {
            let net = self.nets[i as usize];
            let best = i + 1;
            let a = u32::from(net.network());
            let l = u32::from(net.prefix_len());
            let slot = (a >> 8) as usize;
            if l <= 24 {
                tbl24[slot..slot + (1usize << (24 - l))].fill(best);
                continue;
            }
            let mut e = tbl24[slot];
            if e & DIR_GROUP == 0 {
                let g = u32::try_from(tbl8.len() / 256).expect("group count fits u32");
                assert!(g < DIR_GROUP, "DIR-24-8 holds fewer than 2^31 groups");
                tbl8.extend(std::iter::repeat_n(e, 256));
                e = DIR_GROUP | g;
                tbl24[slot] = e;
            }
            let start = (((e & !DIR_GROUP) as usize) << 8) | (a & 0xff) as usize;
            tbl8[start..start + (1usize << (32 - l))].fill(best);
        }
        tbl8.shrink_to_fit();
        self.tbl24 = tbl24;
        self.tbl8 = tbl8;
    }
}

/// The trie walk for a root of `32 - SHIFT` bits. It always reads one slot
/// per level: a missing child is 0, the all-zero sentinel node, whose slots
/// add nothing, so the walk has no data-dependent branch and lookups of a
/// batch overlap in the pipeline. A deeper match is contained in the
/// shallower ones, so it has a larger arena index (see the module docs):
/// `max` keeps the longest.
#[inline(always)]
fn walk<const SHIFT: u32>(nodes: &[Node], addr: u32) -> u32 {
    // SHIFT is 24 or 16, so i < 65,536 and the root node is 1..=256.
    let i = (addr >> SHIFT) as usize;
    let mut slot = nodes[1 + (i >> 8)][i & 0xff];
    let mut best = slot.best;
    let mut shift = SHIFT;
    while shift > 0 {
        shift -= 8;
        slot = nodes[slot.child as usize][((addr >> shift) & 0xff) as usize];
        best = best.max(slot.best);
    }
    best
}

/// The DIR-24-8 lookup: one read of `tbl24`, one of `tbl8` (group 0, all
/// zero and always cached, when the /24 has no group), and a branch-free
/// choice between them.
#[inline(always)]
fn dir24(tbl24: &[u32], tbl8: &[u32], addr: u32) -> u32 {
    let e = tbl24[(addr >> 8) as usize];
    let grouped = 0u32.wrapping_sub(e >> 31); // all ones when `e` names a group
    let idx = ((((e & !DIR_GROUP) & grouped) as usize) << 8) | (addr & 0xff) as usize;
    let v8 = tbl8[idx];
    (v8 & grouped) | (e & !grouped)
}

impl<V: Copy> FromIterator<(Ipv4Net, V)> for Lpm<V> {
    fn from_iter<I: IntoIterator<Item = (Ipv4Net, V)>>(iter: I) -> Self {
        Self::from_prefixes(iter)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn n(s: &str) -> Ipv4Net {
        s.parse().unwrap()
    }

    fn a(s: &str) -> Ipv4Addr {
        s.parse().unwrap()
    }

    /// The same table in every layout.
    fn both(items: &[(&str, u32)]) -> [Lpm<u32>; 3] {
        let t8 = Lpm::from_prefixes(items.iter().map(|&(s, v)| (n(s), v)));
        let mut t16 = t8.clone();
        t16.set_layout(Some(Layout::Trie16));
        let mut dir = t8.clone();
        dir.set_layout(Some(Layout::Dir24));
        if !t8.is_empty() {
            assert_eq!(t8.layout(), Layout::Trie8);
        }
        assert_eq!(t16.layout(), Layout::Trie16);
        assert_eq!(dir.layout(), Layout::Dir24);
        [t8, t16, dir]
    }

    fn brute(items: &[(Ipv4Net, u32)], addr: Ipv4Addr) -> Option<(Ipv4Net, u32)> {
        // Later duplicates win, as in from_prefixes.
        let mut best: Option<(Ipv4Net, u32)> = None;
        for &(net, v) in items {
            let net = net.trunc();
            if net.contains(&addr) && best.is_none_or(|(b, _)| net.prefix_len() >= b.prefix_len()) {
                best = Some((net, v));
            }
        }
        best
    }

    #[test]
    fn empty() {
        let t: Lpm<u32> = Lpm::new();
        assert!(t.is_empty());
        assert_eq!(t.len(), 0);
        assert_eq!(t.lookup(a("1.2.3.4")), None);
        assert_eq!(t.lookup_u32(0), None);
        assert_eq!(t.lookup_u32(u32::MAX), None);
        assert_eq!(t.iter().count(), 0);
        assert_eq!(t.heap_bytes(), 0);
        let t: Lpm<u32> = Lpm::from_prefixes([]);
        assert_eq!(t.lookup(a("0.0.0.0")), None);
        assert_eq!(Lpm::<u8>::default().len(), 0);
    }

    #[test]
    fn default_route() {
        for t in both(&[("0.0.0.0/0", 7)]) {
            for s in ["0.0.0.0", "10.0.0.1", "255.255.255.255", "128.0.0.0"] {
                assert_eq!(t.lookup(a(s)), Some((n("0.0.0.0/0"), 7)));
            }
        }
    }

    #[test]
    fn host_route() {
        for t in both(&[("10.1.2.3/32", 1), ("255.255.255.255/32", 2)]) {
            assert_eq!(t.lookup(a("10.1.2.3")), Some((n("10.1.2.3/32"), 1)));
            assert_eq!(t.lookup(a("10.1.2.2")), None);
            assert_eq!(t.lookup(a("10.1.2.4")), None);
            assert_eq!(t.lookup_u32(u32::MAX), Some(2));
            assert_eq!(t.lookup_u32(u32::MAX - 1), None);
        }
    }

    #[test]
    fn host_bits_ignored() {
        let mut t = Lpm::from_prefixes([(n("10.1.2.3/16"), 1)]);
        assert_eq!(t.lookup(a("10.1.200.1")), Some((n("10.1.0.0/16"), 1)));
        assert_eq!(t.insert(n("10.1.9.9/16"), 2), Some(1));
        assert_eq!(t.len(), 1);
        assert_eq!(t.remove(n("10.1.255.255/16")), Some(2));
        assert!(t.is_empty());
    }

    #[test]
    fn overlapping() {
        let items = [
            ("0.0.0.0/0", 0),
            ("10.0.0.0/8", 8),
            ("10.0.0.0/16", 16),
            ("10.0.0.0/20", 20),
            ("10.0.1.0/24", 24),
            ("10.0.1.128/25", 25),
            ("10.0.1.129/32", 32),
            ("10.128.0.0/9", 9),
        ];
        for t in both(&items) {
            let cases = [
                ("11.0.0.0", 0),
                ("10.200.0.0", 9),
                ("10.1.0.0", 8),
                ("10.0.16.0", 16),
                ("10.0.0.5", 20),
                ("10.0.1.5", 24),
                ("10.0.1.130", 25),
                ("10.0.1.129", 32),
            ];
            for (s, v) in cases {
                assert_eq!(t.lookup(a(s)).map(|x| x.1), Some(v), "{s}");
                assert_eq!(t.lookup_u32(u32::from(a(s))), Some(v), "{s}");
            }
        }
    }

    #[test]
    fn replace() {
        let mut t = Lpm::from_prefixes([(n("10.0.0.0/8"), 1), (n("10.1.0.0/16"), 2)]);
        assert_eq!(t.insert(n("10.1.0.0/16"), 3), Some(2));
        assert_eq!(t.len(), 2);
        assert_eq!(t.lookup(a("10.1.1.1")), Some((n("10.1.0.0/16"), 3)));
        assert_eq!(t.lookup(a("10.2.1.1")), Some((n("10.0.0.0/8"), 1)));
        assert_eq!(t.insert(n("10.1.2.0/24"), 4), None);
        assert_eq!(t.lookup(a("10.1.2.1")), Some((n("10.1.2.0/24"), 4)));
        // Later duplicates win in from_prefixes.
        let t = Lpm::from_prefixes([(n("1.0.0.0/8"), 1), (n("1.0.0.0/8"), 2)]);
        assert_eq!(t.lookup_u32(u32::from(a("1.1.1.1"))), Some(2));
    }

    #[test]
    fn remove_falls_back() {
        let mut t = Lpm::from_prefixes([
            (n("0.0.0.0/0"), 0),
            (n("10.0.0.0/8"), 8),
            (n("10.1.0.0/16"), 16),
            (n("10.1.1.0/24"), 24),
            (n("10.1.1.1/32"), 32),
        ]);
        let x = a("10.1.1.1");
        for (net, next) in [
            ("10.1.1.1/32", Some(24)),
            ("10.1.1.0/24", Some(16)),
            ("10.1.0.0/16", Some(8)),
            ("10.0.0.0/8", Some(0)),
            ("0.0.0.0/0", None),
        ] {
            assert!(t.remove(n(net)).is_some());
            assert_eq!(t.lookup(x).map(|x| x.1), next, "after removing {net}");
        }
        assert!(t.is_empty());
        assert_eq!(t.remove(n("10.0.0.0/8")), None);
    }

    #[test]
    fn iter_order() {
        let t = Lpm::from_prefixes([
            (n("10.1.0.0/16"), 3),
            (n("10.0.0.0/8"), 2),
            (n("0.0.0.0/0"), 1),
            (n("10.0.0.0/16"), 4),
            (n("9.0.0.0/8"), 5),
        ]);
        let got: Vec<_> = t.iter().collect();
        assert_eq!(
            got,
            vec![
                (n("0.0.0.0/0"), 1),
                (n("9.0.0.0/8"), 5),
                (n("10.0.0.0/8"), 2),
                (n("10.0.0.0/16"), 4),
                (n("10.1.0.0/16"), 3),
            ]
        );
    }

    #[test]
    fn table_size_picks_the_layout() {
        // splitmix64-generated table above the 16-bit threshold.
        let mut s = 0x1234_5678_u64;
        let mut next = || {
            s = s.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = s;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        };
        let mut items = Vec::new();
        for i in 0..(ROOT16_THRESHOLD as u32 + 4000) {
            let r = next();
            // Confine to 10.0.0.0/8 so that prefixes overlap a lot.
            let addr = 0x0a00_0000 | (r as u32 & 0x00ff_ffff);
            let len = if r >> 58 == 0 {
                8 + (r >> 40) as u8 % 8
            } else {
                16 + (r >> 40) as u8 % 17
            };
            items.push((Ipv4Net::new(Ipv4Addr::from(addr), len).unwrap().trunc(), i));
        }
        let t = Lpm::from_prefixes(items.iter().copied());
        assert!(t.len() > ROOT16_THRESHOLD);
        assert_eq!(t.layout(), Layout::Trie16);
        let mut t8 = t.clone();
        t8.set_layout(Some(Layout::Trie8));
        let mut dir = t.clone();
        dir.set_layout(Some(Layout::Dir24));
        for _ in 0..2000 {
            let r = next();
            let addr = Ipv4Addr::from(0x0a00_0000 | (r as u32 & 0x00ff_ffff));
            let want = brute(&items, addr);
            assert_eq!(t.lookup(addr), want);
            assert_eq!(t8.lookup(addr), want);
            assert_eq!(dir.lookup(addr), want);
        }
    }

    #[test]
    fn a_large_table_is_dir24_and_shrinks_back_to_a_trie() {
        // /32s spread over 10.0.0.0/8 and a few covering prefixes.
        let mut items: Vec<(Ipv4Net, u32)> = (0..=DIR24_THRESHOLD as u32)
            .map(|i| {
                let addr = 0x0a00_0000 | (i.wrapping_mul(0x9e37_79b1) & 0x00ff_ffff);
                (Ipv4Net::new(Ipv4Addr::from(addr), 32).unwrap(), i)
            })
            .collect();
        items.sort();
        items.dedup_by_key(|x| x.0);
        items.push((n("10.0.0.0/8"), 1 << 30));
        items.push((n("0.0.0.0/0"), 1 << 29));
        let mut t = Lpm::from_prefixes(items.iter().copied());
        assert!(t.len() > DIR24_THRESHOLD, "{}", t.len());
        assert_eq!(t.layout(), Layout::Dir24);
        assert_eq!(t.node_count(), 0);
        for &(net, v) in items.iter().step_by(97) {
            assert_eq!(t.lookup(net.network()), Some((net, v)));
        }
        assert_eq!(t.lookup(a("11.0.0.1")), Some((n("0.0.0.0/0"), 1 << 29)));
        // Drop below the threshold: the trie comes back.
        for &(net, _) in &items[..items.len() - DIR24_THRESHOLD + 10] {
            t.remove(net);
            if t.len() <= DIR24_THRESHOLD {
                break;
            }
        }
        assert_eq!(t.layout(), Layout::Trie16);
        assert!(t.node_count() > 256);
        assert_eq!(t.lookup(a("11.0.0.1")), Some((n("0.0.0.0/0"), 1 << 29)));
    }

    /// A random prefix; its address is drawn from a small pool of bases so
    /// that prefixes nest and addresses hit them.
    fn arb_net() -> impl Strategy<Value = Ipv4Net> {
        let bases = [0x0a00_0000u32, 0x0a01_0200, 0xc0a8_0100, 0x3400_0000, 0];
        (0..bases.len(), any::<u32>(), 0u8..=32, any::<u8>()).prop_map(move |(b, r, len, mode)| {
            // Half the time keep the base's top 20 bits, otherwise random.
            let addr = if mode & 1 == 0 {
                bases[b] ^ (r & 0x0000_0fff)
            } else {
                r
            };
            Ipv4Net::new(Ipv4Addr::from(addr), len).unwrap().trunc()
        })
    }

    fn arb_addr() -> impl Strategy<Value = Ipv4Addr> {
        let bases = [0x0a00_0000u32, 0x0a01_0200, 0xc0a8_0100, 0x3400_0000, 0];
        (0..bases.len(), any::<u32>(), any::<bool>()).prop_map(move |(b, r, near)| {
            Ipv4Addr::from(if near {
                bases[b] ^ (r & 0x0000_0fff)
            } else {
                r
            })
        })
    }

    #[derive(Debug, Clone)]
    enum Op {
        Insert(Ipv4Net, u32),
        Remove(usize),
    }

    fn check(t: &Lpm<u32>, items: &[(Ipv4Net, u32)], addrs: &[Ipv4Addr]) {
        for &addr in addrs {
            let want = brute(items, addr);
            assert_eq!(t.lookup(addr), want, "lookup {addr}");
            assert_eq!(t.lookup_u32(u32::from(addr)), want.map(|x| x.1));
        }
        // Also probe the edges of every prefix.
        for &(net, _) in items {
            for addr in [net.network(), net.broadcast()] {
                assert_eq!(t.lookup(addr), brute(items, addr), "edge {addr}");
            }
        }
        let mut dedup: BTreeMap<(u32, u8), u32> = BTreeMap::new();
        for &(net, v) in items {
            dedup.insert(key(net), v);
        }
        assert_eq!(t.len(), dedup.len());
        let listed: Vec<_> = t.iter().map(|(n, v)| (key(n), v)).collect();
        assert_eq!(listed, dedup.into_iter().collect::<Vec<_>>());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn matches_brute_force(
            items in prop::collection::vec((arb_net(), any::<u32>()), 0..200),
            addrs in prop::collection::vec(arb_addr(), 1..64),
            ops in prop::collection::vec(
                prop_oneof![
                    (arb_net(), any::<u32>()).prop_map(|(n, v)| Op::Insert(n, v)),
                    any::<usize>().prop_map(Op::Remove),
                ],
                0..24,
            ),
            layout in prop_oneof![Just(Layout::Trie8), Just(Layout::Trie16)],
        ) {
            run_ops(layout, &items, &addrs, ops)?;
        }

        /// DIR-24-8 rebuilds 64 MiB on every change: fewer, shorter cases.
        #[test]
        fn dir24_matches_brute_force(
            items in prop::collection::vec((arb_net(), any::<u32>()), 0..200),
            addrs in prop::collection::vec(arb_addr(), 1..64),
            ops in prop::collection::vec(
                prop_oneof![
                    (arb_net(), any::<u32>()).prop_map(|(n, v)| Op::Insert(n, v)),
                    any::<usize>().prop_map(Op::Remove),
                ],
                0..4,
            ),
        ) {
            run_ops(Layout::Dir24, &items, &addrs, ops)?;
        }
    }

    fn run_ops(
        layout: Layout,
        items: &[(Ipv4Net, u32)],
        addrs: &[Ipv4Addr],
        ops: Vec<Op>,
    ) -> Result<(), TestCaseError> {
        {
            let mut t = Lpm::from_prefixes(items.iter().copied());
            t.set_layout(Some(layout));
            // Model: deduplicated, last value wins.
            let mut model: Vec<(Ipv4Net, u32)> = Vec::new();
            for &(net, v) in items {
                match model.iter_mut().find(|(m, _)| *m == net) {
                    Some(e) => e.1 = v,
                    None => model.push((net, v)),
                }
            }
            check(&t, &model, addrs);
            for op in ops {
                match op {
                    Op::Insert(net, v) => {
                        let old = model.iter().position(|(m, _)| *m == net);
                        let want_old = old.map(|i| model[i].1);
                        prop_assert_eq!(t.insert(net, v), want_old);
                        match old {
                            Some(i) => model[i].1 = v,
                            None => model.push((net, v)),
                        }
                    }
                    Op::Remove(i) => {
                        if model.is_empty() {
                            prop_assert_eq!(t.remove(n("1.2.3.0/24")), None);
                            continue;
                        }
                        let (net, v) = model.remove(i % model.len());
                        prop_assert_eq!(t.remove(net), Some(v));
                        prop_assert_eq!(t.remove(net), None);
                    }
                }
                check(&t, &model, addrs);
            }
        }
        Ok(())
    }
}
