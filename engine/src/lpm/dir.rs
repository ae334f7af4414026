//! Direct-indexed layouts: DIR-24-8 and DIR-16-8-8 (see the module docs of
//! [`super`]).
//!
//! Both are leaf-pushed tables of `u32` entries: an entry is either an
//! arena index (1-based, 0 = no prefix), the answer for every address it
//! covers, or [`GROUP`] | `g`, naming group `g` of the next level, 256
//! entries for the next 8 address bits. Group 0 of each level is all zero
//! and stands for "no group", so a lookup can read it without a branch.
//!
//! Invariants:
//!
//! * A group starts as 256 copies of the entry it replaced, so the prefixes
//!   of the level above stay visible under it; prefixes are expanded in
//!   (address, length) order, in which a prefix comes before every prefix
//!   it contains, so a longer prefix always overwrites a shorter one and no
//!   later prefix lands on a range that already names a group.
//! * Fewer than 2^31 prefixes and fewer than 2^31 groups per level.

use ipnet::Ipv4Net;

/// Marks an entry that names a group of the next level.
pub(super) const GROUP: u32 = 1 << 31;

/// A direct-indexed table: `first` indexed by the first 24 (DIR-24-8) or 16
/// (DIR-16-8-8) address bits, `mid` the 8-bit groups of DIR-16-8-8's second
/// level (only group 0 for DIR-24-8), `last` the groups for the last 8 bits.
#[derive(Clone, Debug, Default)]
pub(super) struct Dir {
    first: Vec<u32>,
    mid: Vec<u32>,
    last: Vec<u32>,
}

/// Opens (or finds) the group under `table[slot]`, appending it to `groups`,
/// and returns its first index in `groups`.
fn open_group(table: &mut [u32], slot: usize, groups: &mut Vec<u32>) -> usize {
    let mut e = table[slot];
    if e & GROUP == 0 {
        let g = u32::try_from(groups.len() / 256).expect("group count fits u32");
        assert!(g < GROUP, "fewer than 2^31 groups per level");
        groups.extend(std::iter::repeat_n(e, 256));
        e = GROUP | g;
        table[slot] = e;
    }
    ((e & !GROUP) as usize) << 8
}

fn arena_count<V>(arena: &[(Ipv4Net, V)]) -> u32 {
    let count = u32::try_from(arena.len()).expect("prefix count fits u32");
    assert!(count < GROUP, "fewer than 2^31 prefixes");
    count
}

impl Dir {
    /// DIR-24-8 over the arena (in (address, length) order): every
    /// prefix of length 24 or less covering a /24 is written before a longer
    /// prefix inside it opens that /24's group, which starts from the /24's
    /// entry.
    pub(super) fn build24<V>(arena: &[(Ipv4Net, V)]) -> Dir {
        let mut first = vec![0u32; 1 << 24];
        let mut last = vec![0u32; 256];
        for (i, (net, _)) in (0..arena_count(arena)).zip(arena) {
            let best = i + 1;
            let a = u32::from(net.network());
            let l = u32::from(net.prefix_len());
            let slot = (a >> 8) as usize;
            if l <= 24 {
                first[slot..slot + (1usize << (24 - l))].fill(best);
                continue;
            }
            let start = open_group(&mut first, slot, &mut last) | (a & 0xff) as usize;
            last[start..start + (1usize << (32 - l))].fill(best);
        }
        last.shrink_to_fit();
        Dir {
            first,
            mid: Vec::new(),
            last,
        }
    }

    /// DIR-16-8-8 over the arena, by the same argument as
    /// [`Dir::build24`] one level deeper.
    pub(super) fn build16<V>(arena: &[(Ipv4Net, V)]) -> Dir {
        let mut first = vec![0u32; 1 << 16];
        let mut mid = vec![0u32; 256];
        let mut last = vec![0u32; 256];
        for (i, (net, _)) in (0..arena_count(arena)).zip(arena) {
            let best = i + 1;
            let a = u32::from(net.network());
            let l = u32::from(net.prefix_len());
            let slot = (a >> 16) as usize;
            if l <= 16 {
                first[slot..slot + (1usize << (16 - l))].fill(best);
                continue;
            }
            let m = open_group(&mut first, slot, &mut mid) | ((a >> 8) & 0xff) as usize;
            if l <= 24 {
                mid[m..m + (1usize << (24 - l))].fill(best);
                continue;
            }
            let start = open_group(&mut mid, m, &mut last) | (a & 0xff) as usize;
            last[start..start + (1usize << (32 - l))].fill(best);
        }
        mid.shrink_to_fit();
        last.shrink_to_fit();
        Dir { first, mid, last }
    }

    /// Heap bytes (capacity).
    pub(super) fn heap_bytes(&self) -> usize {
        (self.first.capacity() + self.mid.capacity() + self.last.capacity()) * size_of::<u32>()
    }

    /// The first-level entry of `addr` in DIR-24-8: the read a batch issues
    /// for all its addresses before any second-level read.
    #[inline(always)]
    pub(super) fn first24(&self, addr: u32) -> u32 {
        self.first[(addr >> 8) as usize]
    }

    /// The DIR-24-8 lookup after [`Dir::first24`]: one read of `last`
    /// (group 0, all zero and always cached, when the /24 has no group) and
    /// a branch-free choice between the two entries.
    #[inline(always)]
    pub(super) fn rest24(&self, e: u32, addr: u32) -> u32 {
        let grouped = 0u32.wrapping_sub(e >> 31); // all ones when `e` names a group
        let v8 = self.last[((((e & !GROUP) & grouped) as usize) << 8) | (addr & 0xff) as usize];
        (v8 & grouped) | (e & !grouped)
    }

    /// DIR-24-8: arena index of the longest prefix containing `addr`.
    #[inline(always)]
    pub(super) fn find24(&self, addr: u32) -> u32 {
        self.rest24(self.first24(addr), addr)
    }

    /// The first-level entry of `addr` in DIR-16-8-8.
    #[inline(always)]
    pub(super) fn first16(&self, addr: u32) -> u32 {
        self.first[(addr >> 16) as usize]
    }

    /// The DIR-16-8-8 lookup after [`Dir::first16`]: the second level is
    /// read without a branch (group 0 when the /16 has no group); the third
    /// only when the /24 holds a prefix longer than /24, a branch that is
    /// rarely taken (never on a table without such prefixes).
    #[inline(always)]
    pub(super) fn rest16(&self, e: u32, addr: u32) -> u32 {
        let grouped = 0u32.wrapping_sub(e >> 31);
        let e2 =
            self.mid[((((e & !GROUP) & grouped) as usize) << 8) | ((addr >> 8) & 0xff) as usize];
        let e = (e2 & grouped) | (e & !grouped);
        if e & GROUP == 0 {
            return e;
        }
        self.last[(((e & !GROUP) as usize) << 8) | (addr & 0xff) as usize]
    }

    /// DIR-16-8-8: arena index of the longest prefix containing `addr`.
    #[inline(always)]
    pub(super) fn find16(&self, addr: u32) -> u32 {
        self.rest16(self.first16(addr), addr)
    }
}
