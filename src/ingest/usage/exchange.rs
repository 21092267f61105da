//! Login users shared out between the workers of one file, so that each (app, user) pair is
//! kept by one worker only: a user's raw id decides its worker ([`Link::owner`]); a worker
//! that reads a login of a user it does not own sends the update there, a few thousand at a
//! time. Without it every worker ended up with nearly every pair of a high-cardinality export:
//! memory grew with the rows read per worker, and each worker's tables, twice the size, missed
//! the caches twice as often.
//!
//! Who applies an update changes nothing in the result (a user's latest time is a maximum and
//! `FileAcc::absorb` tolerates a user kept by two workers): ownership only saves memory and
//! cache misses, so updates not delivered while reading are applied when the workers' shares
//! are merged, by any of them. Apps are named across workers by a shared number per label
//! ([`Link::register`]), taken once per label and worker.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use rustc_hash::FxHashMap;

/// One login's user, sent to the worker that owns it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Forward {
    /// The app's shared number.
    pub app: u32,
    /// The user's raw 18-char id (valid: see `acc::raw_user_id`).
    pub key: [u8; 18],
    /// The login time (ms).
    pub ts: i64,
}

/// Updates a worker keeps for another before sending them (32 bytes each).
const SEND_AT: usize = 4096;

/// What the workers of one file share.
#[derive(Debug)]
pub(crate) struct Exchange {
    /// Workers.
    parts: usize,
    /// Workers joined so far (the next one's number).
    joined: AtomicUsize,
    /// Label text → shared number, and back.
    labels: Mutex<Labels>,
    /// Per worker: batches sent to it, not yet taken.
    inboxes: Vec<Mutex<Vec<Vec<Forward>>>>,
}

#[derive(Debug, Default)]
struct Labels {
    ids: FxHashMap<Box<str>, u32>,
    names: Vec<Box<str>>,
}

/// A poisoned lock means a worker panicked: the file is reported unread anyway (see
/// `records::chunks`), so the data behind the lock is still safe to use meanwhile.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Exchange {
    /// An exchange between `parts` workers.
    pub(crate) fn new(parts: usize) -> Arc<Exchange> {
        Arc::new(Exchange {
            parts,
            joined: AtomicUsize::new(0),
            labels: Mutex::new(Labels::default()),
            inboxes: (0..parts).map(|_| Mutex::new(Vec::new())).collect(),
        })
    }

    /// The next worker's end; `None` once every worker has joined (the part is then a
    /// worker of its own: it keeps every user it reads).
    pub(crate) fn join(self: &Arc<Self>) -> Option<Link> {
        let me = self.joined.fetch_add(1, Ordering::Relaxed);
        (me < self.parts).then(|| Link {
            exchange: Arc::clone(self),
            me,
            shared: Vec::new(),
            local: Vec::new(),
            outboxes: vec![Vec::new(); self.parts],
        })
    }
}

/// A worker's end of an [`Exchange`].
#[derive(Debug)]
pub(crate) struct Link {
    exchange: Arc<Exchange>,
    /// This worker's number.
    me: usize,
    /// This worker's app slot → shared number.
    shared: Vec<u32>,
    /// Shared number → this worker's app slot (`u32::MAX`: none yet).
    local: Vec<u32>,
    /// Per worker: updates not sent yet.
    outboxes: Vec<Vec<Forward>>,
}

impl Link {
    /// The worker that keeps the user with raw id `key`.
    #[inline]
    fn owner(&self, key: &[u8; 18]) -> usize {
        // The top byte: the id tables index by the bits from 32 up, which must stay spread
        // among the users one worker owns.
        let h = super::users::key_hash(key);
        ((h >> 56) as usize) % self.exchange.parts
    }

    /// Whether this worker keeps the user with raw id `key`.
    #[inline]
    pub(crate) fn mine(&self, key: &[u8; 18]) -> bool {
        self.owner(key) == self.me
    }

    /// Give this worker's new app slot `slot` (slots are numbered from 0 in order) the
    /// shared number of its label.
    pub(crate) fn register(&mut self, slot: u32, label: &str) {
        let id = {
            let mut labels = lock(&self.exchange.labels);
            let next = labels.names.len() as u32;
            match labels.ids.get(label) {
                Some(&id) => id,
                None => {
                    labels.ids.insert(label.into(), next);
                    labels.names.push(label.into());
                    next
                }
            }
        };
        debug_assert_eq!(self.shared.len(), slot as usize);
        self.shared.push(id);
        if self.local.len() <= id as usize {
            self.local.resize(id as usize + 1, u32::MAX);
        }
        self.local[id as usize] = slot;
    }

    /// This worker's slot of the app with shared number `app`, if it has one.
    pub(crate) fn slot_of(&self, app: u32) -> Option<u32> {
        self.local
            .get(app as usize)
            .copied()
            .filter(|&s| s != u32::MAX)
    }

    /// The label of shared number `app`.
    pub(crate) fn label(&self, app: u32) -> Box<str> {
        lock(&self.exchange.labels).names[app as usize].clone()
    }

    /// Queue a login of the user `key` of this worker's app `slot` for the user's owner;
    /// `true` when it is time to [`Link::trade`].
    #[inline]
    pub(crate) fn send(&mut self, slot: u32, key: [u8; 18], ts: i64) -> bool {
        let to = self.owner(&key);
        let app = self.shared[slot as usize];
        let out = &mut self.outboxes[to];
        out.push(Forward { app, key, ts });
        out.len() >= SEND_AT
    }

    /// Send the queued updates; take the ones sent to this worker.
    pub(crate) fn trade(&mut self) -> Vec<Vec<Forward>> {
        for (to, out) in self.outboxes.iter_mut().enumerate() {
            if !out.is_empty() {
                let batch = std::mem::replace(out, Vec::with_capacity(SEND_AT));
                lock(&self.exchange.inboxes[to]).push(batch);
            }
        }
        std::mem::take(&mut *lock(&self.exchange.inboxes[self.me]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(i: u32) -> [u8; 18] {
        let mut k = *b"005000000000000AAA";
        k[5..15].copy_from_slice(format!("{i:010}").as_bytes());
        k
    }

    #[test]
    fn updates_reach_their_owner_under_its_own_app_slots() {
        let ex = Exchange::new(2);
        let (mut a, mut b) = (ex.join().expect("a"), ex.join().expect("b"));
        assert!(ex.join().is_none(), "a third share keeps its users");
        // The workers meet the apps in different orders: slots differ, numbers agree.
        a.register(0, "Mobile");
        a.register(1, "Sync");
        b.register(0, "Sync");
        let mut sent = 0;
        for i in 0..1_000 {
            if !a.mine(&key(i)) {
                assert!(b.mine(&key(i)));
                a.send(1, key(i), i64::from(i));
                sent += 1;
            }
        }
        assert!(sent > 300 && sent < 700, "{sent}");
        assert!(a.trade().is_empty());
        let got: Vec<Forward> = b.trade().into_iter().flatten().collect();
        assert_eq!(got.len(), sent);
        assert!(got
            .iter()
            .all(|f| b.slot_of(f.app) == Some(0) && b.mine(&f.key)));
        // An app only the sender has read yet: the receiver learns its label.
        a.send(0, key(1), 5);
        let mobile = a.shared[0];
        assert_eq!(b.slot_of(mobile), None);
        assert_eq!(&*b.label(mobile), "Mobile");
    }
}
