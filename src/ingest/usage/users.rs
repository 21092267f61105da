//! Users seen per app while reading: interned user → last time seen, in a compact open-addressing
//! table of one `u64` per slot (user id in the top 22 bits, the time in ms since 1970 in the low
//! 42, good until the year 2109), linear probing, at most 7/8 full: 9 to 18 bytes per distinct
//! (app, user) pair, bounded by the pairs, never by the rows. A pair that does not fit (a file
//! of more than 4 million users, a time before 1970 or after 2109) goes to a plain map beside.
//!
//! A user may then be in both (one time packed, another not): readers take the latest of what
//! [`UserTimes::iter`] yields for a user, as every consumer of a last-seen time does anyway.

use rustc_hash::FxHashMap;

const TS_BITS: u32 = 42;
const USER_LIMIT: u32 = 1 << (64 - TS_BITS);
const TS_LIMIT: i64 = 1 << TS_BITS;
const EMPTY: u64 = u64::MAX;
/// Slots of a table's first allocation (most apps have a handful of users).
const FIRST_SLOTS: usize = 8;

/// Interned user → last time seen (ms).
#[derive(Debug, Default, Clone)]
pub struct UserTimes {
    /// Packed `user << 42 | ms`, or `EMPTY`; a power of two long (or empty).
    slots: Vec<u64>,
    /// Slots in use.
    len: usize,
    /// Pairs that do not pack.
    wide: FxHashMap<u32, i64>,
    /// Packed pairs added by [`UserTimes::absorb`], not looked up again: a user may be here
    /// and in `slots` too (see the module doc).
    absorbed: Vec<u64>,
}

impl UserTimes {
    /// Record user `u` seen at `ts` (ms), keeping the latest time.
    #[inline]
    pub fn see(&mut self, u: u32, ts: i64) {
        if u >= USER_LIMIT || !(0..TS_LIMIT).contains(&ts) {
            let e = self.wide.entry(u).or_insert(ts);
            *e = (*e).max(ts);
            return;
        }
        if (self.len + 1) * 8 > self.slots.len() * 7 {
            self.grow();
        }
        let packed = (u64::from(u) << TS_BITS) | ts as u64;
        let mask = self.slots.len() - 1;
        let mut i = slot_of(u, mask);
        loop {
            let s = self.slots[i];
            if s == EMPTY {
                self.slots[i] = packed;
                self.len += 1;
                return;
            }
            if s >> TS_BITS == u64::from(u) {
                // Same user: the packed values order by time.
                if packed > s {
                    self.slots[i] = packed;
                }
                return;
            }
            i = (i + 1) & mask;
        }
    }

    /// Slots allocated.
    pub fn slots(&self) -> usize {
        self.slots.len()
    }

    /// The slot where user `u`'s search starts (to load it ahead of [`UserTimes::see`]).
    #[inline]
    pub fn peek(&self, u: Option<u32>) -> Option<u64> {
        let mask = self.slots.len().checked_sub(1)?;
        self.slots.get(slot_of(u?, mask)).copied()
    }

    fn grow(&mut self) {
        let size = (self.slots.len() * 2).max(FIRST_SLOTS);
        let old = std::mem::replace(&mut self.slots, vec![EMPTY; size]);
        self.len = 0;
        for s in old.into_iter().filter(|&s| s != EMPTY) {
            self.see((s >> TS_BITS) as u32, (s & (TS_LIMIT as u64 - 1)) as i64);
        }
    }

    /// Every (user, time); a user may come twice (see the module doc).
    pub fn iter(&self) -> impl Iterator<Item = (u32, i64)> + '_ {
        let packed = self
            .slots
            .iter()
            .filter(|&&s| s != EMPTY)
            .chain(&self.absorbed)
            .map(|&s| ((s >> TS_BITS) as u32, (s & (TS_LIMIT as u64 - 1)) as i64));
        packed.chain(self.wide.iter().map(|(&u, &t)| (u, t)))
    }

    /// Add another table (a worker's share), its users passed through `map` (re-interning).
    /// Its pairs are appended, not looked up: a table larger than the caches would cost a
    /// miss per pair, and every reader of [`UserTimes::iter`] already takes a user's latest
    /// time. Only [`UserTimes::iter`] sees them; the table is complete after this.
    pub fn absorb(&mut self, other: &UserTimes, map: &mut dyn FnMut(u32) -> u32) {
        self.absorbed.reserve(other.len + other.absorbed.len());
        for (u, t) in other.iter() {
            let u = map(u);
            if u < USER_LIMIT && (0..TS_LIMIT).contains(&t) {
                self.absorbed.push((u64::from(u) << TS_BITS) | t as u64);
            } else {
                let e = self.wide.entry(u).or_insert(t);
                *e = (*e).max(t);
            }
        }
    }
}

/// Raw 18-char user ids → interned user: an open-addressing table whose slots hold the key
/// and the id inline (24 bytes), so a lookup touches one cache line, and a batch of lookups can
/// load its slots ahead ([`IdTable::peek`]). Per worker; as many entries as distinct users.
#[derive(Debug, Default, Clone)]
pub struct IdTable {
    /// (raw id, interned user) or an empty slot (`u32::MAX`); a power of two long.
    slots: Vec<([u8; 18], u32)>,
    len: usize,
}

impl IdTable {
    fn index(&self, key: &[u8; 18]) -> Option<usize> {
        let mask = self.slots.len().checked_sub(1)?;
        Some(((key_hash(key) >> 32) as usize) & mask)
    }

    /// Slots allocated.
    pub fn slots(&self) -> usize {
        self.slots.len()
    }

    /// Load the slot where `key`'s search starts.
    #[inline]
    pub fn peek(&self, key: &[u8; 18]) -> u32 {
        self.index(key).map_or(0, |i| self.slots[i].1)
    }

    /// The interned user of `key`.
    #[inline]
    pub fn get(&self, key: &[u8; 18]) -> Option<u32> {
        let mut i = self.index(key)?;
        let mask = self.slots.len() - 1;
        loop {
            let (k, u) = &self.slots[i];
            if *u == u32::MAX {
                return None;
            }
            if k == key {
                return Some(*u);
            }
            i = (i + 1) & mask;
        }
    }

    /// Remember `key` → `user` (`key` not in the table yet).
    pub fn insert(&mut self, key: [u8; 18], user: u32) {
        if (self.len + 1) * 8 > self.slots.len() * 7 {
            let size = (self.slots.len() * 2).max(64);
            let old = std::mem::replace(&mut self.slots, vec![([0; 18], u32::MAX); size]);
            self.len = 0;
            for (k, u) in old.into_iter().filter(|e| e.1 != u32::MAX) {
                self.insert(k, u);
            }
        }
        let mask = self.slots.len() - 1;
        let mut i = self.index(&key).unwrap_or(0);
        while self.slots[i].1 != u32::MAX {
            i = (i + 1) & mask;
        }
        self.slots[i] = (key, user);
        self.len += 1;
    }
}

/// A hash of a raw user id (FxHash's mixing over its 18 bytes).
#[inline]
pub(crate) fn key_hash(key: &[u8; 18]) -> u64 {
    let mut h: u64 = 0;
    for part in [&key[0..8], &key[8..16]] {
        let mut w = [0u8; 8];
        w.copy_from_slice(part);
        h = (h.rotate_left(5) ^ u64::from_le_bytes(w)).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
    (h.rotate_left(5) ^ u64::from(u16::from_le_bytes([key[16], key[17]])))
        .wrapping_mul(0x517c_c1b7_2722_0a95)
}

/// Fibonacci hashing: interned ids are dense, and linear probing needs them spread.
#[inline]
fn slot_of(u: u32, mask: usize) -> usize {
    (u.wrapping_mul(0x9E37_79B9).rotate_left(16) as usize) & mask
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sorted(t: &UserTimes) -> Vec<(u32, i64)> {
        let mut all: FxHashMap<u32, i64> = FxHashMap::default();
        for (u, at) in t.iter() {
            let e = all.entry(u).or_insert(at);
            *e = (*e).max(at);
        }
        let mut v: Vec<_> = all.into_iter().collect();
        v.sort_unstable();
        v
    }

    #[test]
    fn keeps_the_latest_time_per_user() {
        let mut t = UserTimes::default();
        let mut want = std::collections::BTreeMap::new();
        for i in 0..50_000u32 {
            let u = i.wrapping_mul(7919) % 3_000;
            let at = i64::from(i % 977) * 1_000_003 + 1_779_408_000_000;
            t.see(u, at);
            let e = want.entry(u).or_insert(at);
            *e = (*e).max(at);
        }
        assert_eq!(sorted(&t), want.into_iter().collect::<Vec<_>>());
    }

    #[test]
    fn id_table_finds_what_it_holds() {
        let mut t = IdTable::default();
        let key = |i: u32| -> [u8; 18] {
            let mut k = *b"005000000000000AAA";
            k[5..15].copy_from_slice(format!("{i:010}").as_bytes());
            k
        };
        assert_eq!(t.get(&key(1)), None);
        for i in 0..10_000 {
            t.insert(key(i), i * 3);
        }
        for i in 0..10_000 {
            assert_eq!(t.get(&key(i)), Some(i * 3));
        }
        assert_eq!(t.get(&key(10_000)), None);
    }

    #[test]
    fn times_and_users_that_do_not_pack() {
        let mut t = UserTimes::default();
        t.see(5, -1);
        t.see(5, 10);
        t.see(USER_LIMIT + 1, 20);
        t.see(6, TS_LIMIT + 7);
        t.see(6, 3);
        assert_eq!(
            sorted(&t),
            [(5, 10), (6, TS_LIMIT + 7), (USER_LIMIT + 1, 20)]
        );
        let mut u = UserTimes::default();
        u.absorb(&t, &mut |i| i + 1);
        assert_eq!(
            sorted(&u),
            [(6, 10), (7, TS_LIMIT + 7), (USER_LIMIT + 2, 20)]
        );
    }
}
