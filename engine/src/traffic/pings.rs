//! The pings in flight, by sending host, identifier and sequence number
//! (the key `ping_key` makes of them), to the item each belongs to.
//!
//! Every ping puts its key in and takes it out again (its reply, or its
//! decision), so the table is small and always changing: an open
//! addressing table with linear probing, whose removal moves the entries
//! after the one removed back into its place rather than leaving a
//! tombstone, does both in a probe or two. It is a map like any other:
//! putting a key in again replaces its item, and taking out a key takes
//! whatever item it has. Nothing iterates over it, so its layout shows
//! nowhere.
//!
//! Invariants:
//! - no key is 0 (a host's key has its kind, at least 1, in bits 64 and
//!   up): 0 marks an empty slot;
//! - the slots are a power of two, at most half of them full;
//! - every entry lies between the slot its hash picks and the first empty
//!   slot after it, in the order of the probe.

#[derive(Clone, Debug, Default)]
pub(super) struct Pings {
    slots: Vec<Slot>,
    len: usize,
}

/// A key, its item, and its hash (kept, so that a removal moves entries
/// without hashing their keys again; it takes no room the key's alignment
/// does not). Key 0: an empty slot.
#[derive(Clone, Copy, Debug, Default)]
struct Slot {
    key: u128,
    item: u32,
    hash: u32,
}

/// Slots a table starts with once it has an entry.
const FIRST: usize = 16;

impl Pings {
    /// `key`'s hash: every bit of the key mixed into the low bits by one
    /// folded multiply (as `foldhash` does). The slot it is looked for
    /// from is the hash's low bits.
    #[inline]
    fn hash(key: u128) -> u32 {
        let (lo, hi) = (key as u64, (key >> 64) as u64);
        let p = u128::from(lo ^ 0x243f_6a88_85a3_08d3) * u128::from(hi ^ 0x1319_8a2e_0370_7344);
        ((p as u64) ^ ((p >> 64) as u64)) as u32
    }

    /// Puts `item` under `key` (not 0), in place of the item it had.
    #[inline]
    pub(super) fn insert(&mut self, key: u128, item: u32) {
        debug_assert_ne!(key, 0);
        if (self.len + 1) * 2 > self.slots.len() {
            self.grow();
        }
        let mask = self.slots.len() - 1;
        let hash = Self::hash(key);
        let mut i = hash as usize & mask;
        loop {
            let slot = &mut self.slots[i];
            if slot.key == key {
                slot.item = item;
                return;
            }
            if slot.key == 0 {
                *slot = Slot { key, item, hash };
                self.len += 1;
                return;
            }
            i = (i + 1) & mask;
        }
    }

    /// Takes `key` out: its item, if it has one.
    #[inline]
    pub(super) fn remove(&mut self, key: u128) -> Option<u32> {
        debug_assert_ne!(key, 0);
        if self.len == 0 {
            return None;
        }
        let mask = self.slots.len() - 1;
        let mut i = Self::hash(key) as usize & mask;
        let item = loop {
            let slot = self.slots[i];
            if slot.key == key {
                break slot.item;
            }
            if slot.key == 0 {
                return None;
            }
            i = (i + 1) & mask;
        };
        self.len -= 1;
        // The entries after the hole whose probe passes through it move
        // back into it, and the hole moves on to where each was.
        let mut j = i;
        loop {
            j = (j + 1) & mask;
            let slot = self.slots[j];
            if slot.key == 0 {
                break;
            }
            let home = slot.hash as usize & mask;
            if (j.wrapping_sub(home) & mask) >= (j.wrapping_sub(i) & mask) {
                self.slots[i] = slot;
                i = j;
            }
        }
        self.slots[i] = Slot::default();
        Some(item)
    }

    /// Twice the slots (or the first ones), each entry put in again.
    #[cold]
    #[inline(never)]
    fn grow(&mut self) {
        let n = (self.slots.len() * 2).max(FIRST);
        let old = std::mem::replace(&mut self.slots, vec![Slot::default(); n]);
        self.len = 0;
        for s in old {
            if s.key != 0 {
                self.insert(s.key, s.item);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hashing::FastMap;

    /// Keys as the endpoints make them: a host's kind and id, an
    /// identifier and a sequence number, from a few hosts and traffics so
    /// that keys come back.
    fn key(x: u64) -> u128 {
        let kind = 1 + (x >> 60) % 11;
        let id = (x >> 32) % 5;
        let ident = (x >> 16) % 7;
        let seq = x % 300;
        (u128::from((kind << 32) | id) << 32) | (u128::from(ident) << 16) | u128::from(seq)
    }

    #[test]
    fn pings_answer_as_a_hash_map_does() {
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        let mut pings = Pings::default();
        let mut model: FastMap<u128, u32> = FastMap::default();
        assert_eq!(pings.remove(key(1)), None);
        for step in 0..400_000u32 {
            x = super::super::mix(x);
            let k = key(x);
            // Phases that fill the table, and phases that empty it.
            let fill = (step / 50_000) % 2 == 0;
            if (x >> 8) % 8 < if fill { 5 } else { 3 } {
                pings.insert(k, step);
                model.insert(k, step);
            } else {
                assert_eq!(pings.remove(k), model.remove(&k), "step {step}");
            }
            assert_eq!(pings.len, model.len());
            assert!(pings.len * 2 <= pings.slots.len());
        }
        let keys: Vec<u128> = model.keys().copied().collect();
        for k in keys {
            assert_eq!(pings.remove(k), model.remove(&k));
            assert_eq!(pings.remove(k), None);
        }
        assert_eq!(pings.len, 0);
        assert!(pings.slots.iter().all(|s| s.key == 0));
    }

    #[test]
    fn a_key_put_in_again_has_its_new_item() {
        let mut pings = Pings::default();
        let k = key(42);
        pings.insert(k, 1);
        pings.insert(k, 2);
        assert_eq!(pings.len, 1);
        assert_eq!(pings.remove(k), Some(2));
        assert_eq!(pings.remove(k), None);
    }
}
