//! The multibit trie with controlled prefix expansion (see the module docs of
//! [`super`] for its invariants).
//!
//! Nodes are 256-slot arrays in one `Vec`. Each slot holds `best`, the arena
//! index of the longest prefix of this node's level that covers the slot
//! (0 = none), and `child`, the index of the next-level node (0 = none).
//! `nodes[0]` is an all-zero sentinel; the root occupies `nodes[1..1 +
//! root_nodes]` (1 node for an 8-bit root, 256 for a 16-bit root, laid out
//! contiguously so that `addr >> 16` indexes them as one 65,536-slot array).
//! A prefix of length `l` lives at the level whose last consumed bit `end` is
//! the first with `l <= end`, expanded over the `2^(end - l)` slots it covers
//! there; slots of the last level (bits 24..32) have `child == 0`.

use ipnet::Ipv4Net;

const NODE_SLOTS: usize = 256;

#[derive(Clone, Copy, Default, Debug, PartialEq, Eq)]
pub(super) struct Slot {
    /// Arena index (1-based) of the longest prefix of this level covering the slot, 0 = none.
    best: u32,
    /// Index in `nodes` of the next-level node, 0 = none.
    child: u32,
}

pub(super) type Node = [Slot; NODE_SLOTS];

const EMPTY_NODE: Node = [Slot { best: 0, child: 0 }; NODE_SLOTS];

/// Expands the arena (in (address, length) order) into the trie with
/// a `root_bits` root (8 or 16).
pub(super) fn build<V>(arena: &[(Ipv4Net, V)], root_bits: u32) -> Vec<Node> {
    let root_shift = 32 - root_bits;
    // Expand in (address, length) order: a prefix containing another
    // one comes before it (its address is smaller, or equal with a
    // shorter length), so longer prefixes overwrite shorter ones.
    let count = u32::try_from(arena.len()).expect("prefix count fits u32");

    let root_nodes = 1usize << (root_bits - 8);
    let mut nodes = vec![EMPTY_NODE; 1 + root_nodes];
    for i in 0..count {
        let net = arena[i as usize].0;
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
    nodes
}

/// The trie walk for a root of `32 - SHIFT` bits.
///
/// Without `STOP` it always reads one slot per level: a missing child is 0,
/// the all-zero sentinel node, whose slots add nothing, so the walk has no
/// data-dependent branch and lookups of a batch overlap in the pipeline.
/// With `STOP` it ends at the first slot without a child: one branch per
/// level that depends on the address, and no read past the deepest node on
/// the path, which pays for tries much larger than the caches, where every
/// level is a miss (see [`super::STOPPING_NODES`]). A deeper match is
/// contained in the shallower ones, so it has a larger arena index (see
/// the module docs): `max` keeps the longest.
#[inline(always)]
pub(super) fn walk<const SHIFT: u32, const STOP: bool>(nodes: &[Node], addr: u32) -> u32 {
    // SHIFT is 24 or 16, so i < 65,536 and the root node is 1..=256.
    let i = (addr >> SHIFT) as usize;
    let mut slot = nodes[1 + (i >> 8)][i & 0xff];
    let mut best = slot.best;
    let mut shift = SHIFT;
    while shift > 0 && !(STOP && slot.child == 0) {
        shift -= 8;
        slot = nodes[slot.child as usize][((addr >> shift) & 0xff) as usize];
        best = best.max(slot.best);
    }
    best
}
