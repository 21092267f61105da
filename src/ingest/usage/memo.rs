//! Per-worker memo of what a raw field value means (login type and subtype → flow, status →
//! success, app name → interned label, user id → interned user). Exports repeat the same few
//! values millions of times; decoding, trimming, case-folding and interning each of them once
//! halves the cost of a login row. Keys are distinct field values, so memory grows with
//! distinct apps, users and subtypes, never with rows. Source IPs are not memoised: they can be
//! nearly as many as the rows.

use rustc_hash::FxHashMap;

/// One memo: raw bytes → (value, whether decoding needed the cp1252 fallback).
#[derive(Debug, Clone)]
pub struct Memo<T> {
    map: FxHashMap<Box<[u8]>, (T, bool)>,
}

impl<T> Default for Memo<T> {
    fn default() -> Self {
        Memo {
            map: FxHashMap::default(),
        }
    }
}

impl<T: Copy> Memo<T> {
    /// The value for `key`, computing and remembering it the first time.
    pub fn get_or(&mut self, key: &[u8], compute: impl FnOnce() -> (T, bool)) -> (T, bool) {
        if let Some(&v) = self.map.get(key) {
            return v;
        }
        let v = compute();
        self.map.insert(key.into(), v);
        v
    }
}

/// The memos of one worker.
#[derive(Debug, Clone, Default)]
pub struct Memos {
    /// `type \x1f subtype` → (class, flow known?, flow).
    pub flows: Memo<(super::flow::LoginClass, Option<super::flow::Flow>)>,
    /// Subtype of a `Remote Access 2.0` login → flow.
    pub oauth2_subtypes: Memo<Option<super::flow::Flow>>,
    /// Status → success.
    pub status: Memo<Option<bool>>,
    /// Scratch buffer for composite keys (reused: no per-row zeroing or allocation).
    pub key: Vec<u8>,
    /// A subtype no flow is known for → its interned text (trimmed).
    pub unknown_subs: Memo<u32>,
    /// App name → interned label (`None`: placeholder or "Browser").
    pub apps: Memo<Option<u32>>,
    /// 18-char user id → interned user key: a fixed-size key hashes and compares inline.
    pub user_ids: FxHashMap<[u8; 18], Option<u32>>,
    /// Any other user id text → interned user key (`None`: not an id).
    pub users: Memo<Option<u32>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn computes_once() {
        let mut m: Memo<u32> = Memo::default();
        let mut calls = 0;
        for _ in 0..3 {
            let v = m.get_or(b"x", || {
                calls += 1;
                (7, false)
            });
            assert_eq!(v, (7, false));
        }
        assert_eq!(calls, 1);
    }
}
