//! [`Seen`]: the distinct users of an app in the output model, each with the last time seen,
//! exact (they drive decisions, and `verify` compares each last-seen time with a cutover).
//!
//! Compact: the user names live once per run in a shared table sorted by name ([`UserNames`]),
//! so a set holds parallel sorted vectors of table ids (`u32`) and times (`i64` ms): 12 bytes
//! per distinct (app, user) pair, where a `BTreeMap<String, Ts>` took about 80. Id order is
//! name order, so iterating yields the users sorted, and two sets of the same table merge by a
//! linear walk. Sets built on different tables (tests, hand-made data) still merge correctly,
//! by rebuilding a table of their own.

use std::sync::Arc;

use serde::Serialize;

use crate::time::Ts;

/// User names of a run, sorted and distinct: a [`Seen`]'s ids index it.
pub type UserNames = Arc<Vec<String>>;

/// Distinct users, each with the last time the source saw them: what tells, after a cutover,
/// who still uses the old path. Serialised as the sorted list of users (the dates are for
/// `verify`, not for the usage report).
#[derive(Clone, Default)]
pub struct Seen {
    names: UserNames,
    /// Sorted ids into `names`.
    ids: Vec<u32>,
    /// The last time of each of `ids`.
    at: Vec<i64>,
}

impl Seen {
    /// The users `pairs` (id into `names`, time in ms; sorted or not, repeats allowed: the
    /// latest time counts).
    pub(crate) fn from_ids(names: &UserNames, mut pairs: Vec<(u32, i64)>) -> Seen {
        pairs.sort_unstable();
        // Sorted by (id, time): the last of each id's run is its latest time.
        let mut ids = Vec::with_capacity(pairs.len());
        let mut at: Vec<i64> = Vec::with_capacity(pairs.len());
        for (id, t) in pairs {
            if ids.last() == Some(&id) {
                if let Some(last) = at.last_mut() {
                    *last = t;
                }
            } else {
                ids.push(id);
                at.push(t);
            }
        }
        ids.shrink_to_fit();
        at.shrink_to_fit();
        Seen {
            names: Arc::clone(names),
            ids,
            at,
        }
    }

    /// Record `user` seen at `at` (keeps the latest time). Rebuilds the set when the user is
    /// not in its table: for small, hand-made sets.
    pub fn see(&mut self, user: String, at: Ts) {
        let mut one = Seen {
            names: Arc::new(vec![user]),
            ids: vec![0],
            at: vec![at.0],
        };
        if let Ok(i) = self.names.binary_search(&one.names[0]) {
            one.names = Arc::clone(&self.names);
            one.ids[0] = i as u32;
        }
        self.merge(&one);
    }

    /// Fold another set in.
    pub fn merge(&mut self, other: &Seen) {
        if other.ids.is_empty() {
            return;
        }
        if self.ids.is_empty() {
            *self = other.clone();
            return;
        }
        if !Arc::ptr_eq(&self.names, &other.names) {
            return self.merge_by_name(other);
        }
        let (a, b) = (std::mem::take(&mut self.ids), std::mem::take(&mut self.at));
        let (mut i, mut j) = (0, 0);
        let mut ids = Vec::with_capacity(a.len() + other.ids.len());
        let mut at = Vec::with_capacity(ids.capacity());
        while i < a.len() || j < other.ids.len() {
            let (x, y) = (a.get(i), other.ids.get(j));
            let (id, t) = match (x, y) {
                (Some(x), Some(y)) if x == y => {
                    i += 1;
                    j += 1;
                    (*x, b[i - 1].max(other.at[j - 1]))
                }
                (Some(x), Some(y)) if x < y => {
                    i += 1;
                    (*x, b[i - 1])
                }
                (Some(x), None) => {
                    i += 1;
                    (*x, b[i - 1])
                }
                (_, Some(y)) => {
                    j += 1;
                    (*y, other.at[j - 1])
                }
                (None, None) => break,
            };
            ids.push(id);
            at.push(t);
        }
        self.ids = ids;
        self.at = at;
    }

    /// Fold another set in, taking it (no copy when this one is empty).
    pub fn merge_owned(&mut self, other: Seen) {
        if self.ids.is_empty() {
            *self = other;
        } else {
            self.merge(&other);
        }
    }

    /// Merge sets of different tables: a table of their own users.
    fn merge_by_name(&mut self, other: &Seen) {
        let mut all: std::collections::BTreeMap<&String, i64> = std::collections::BTreeMap::new();
        for (u, at) in self.last_seen().chain(other.last_seen()) {
            let e = all.entry(u).or_insert(at.0);
            *e = (*e).max(at.0);
        }
        let names: UserNames = Arc::new(all.keys().map(|u| (*u).clone()).collect());
        let at = all.into_values().collect();
        *self = Seen {
            ids: (0..names.len() as u32).collect(),
            names,
            at,
        };
    }

    /// How many users are in this set or in `other`, counted without building their union.
    pub fn union_len(&self, other: &Seen) -> usize {
        if !Arc::ptr_eq(&self.names, &other.names) {
            return self.len() + other.iter().filter(|u| !self.contains(u)).count();
        }
        let (a, b) = (&self.ids, &other.ids);
        let (mut i, mut j, mut both) = (0, 0, 0);
        while i < a.len() && j < b.len() {
            match a[i].cmp(&b[j]) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    both += 1;
                    i += 1;
                    j += 1;
                }
            }
        }
        a.len() + b.len() - both
    }

    /// Whether `user` is in the set.
    pub fn contains(&self, user: &str) -> bool {
        let Ok(id) = self.names.binary_search_by(|n| n.as_str().cmp(user)) else {
            return false;
        };
        self.ids.binary_search(&(id as u32)).is_ok()
    }

    /// How many users.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// No user at all.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The users, sorted.
    pub fn iter(&self) -> SeenIter<'_> {
        SeenIter {
            names: &self.names,
            ids: self.ids.iter(),
        }
    }

    /// Each user with the last time seen, sorted by user.
    pub fn last_seen(&self) -> impl Iterator<Item = (&String, Ts)> {
        self.iter().zip(self.at.iter().map(|t| Ts(*t)))
    }
}

/// The users of a [`Seen`], sorted.
#[derive(Debug, Clone)]
pub struct SeenIter<'a> {
    names: &'a [String],
    ids: std::slice::Iter<'a, u32>,
}

impl<'a> Iterator for SeenIter<'a> {
    type Item = &'a String;
    fn next(&mut self) -> Option<&'a String> {
        self.ids.next().map(|&i| &self.names[i as usize])
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.ids.size_hint()
    }
}

impl<'a> IntoIterator for &'a Seen {
    type Item = &'a String;
    type IntoIter = SeenIter<'a>;
    fn into_iter(self) -> SeenIter<'a> {
        self.iter()
    }
}

impl PartialEq for Seen {
    fn eq(&self, other: &Seen) -> bool {
        self.len() == other.len() && self.last_seen().eq(other.last_seen())
    }
}

impl Eq for Seen {}

impl std::fmt::Debug for Seen {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map().entries(self.last_seen()).finish()
    }
}

impl Serialize for Seen {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> UserNames {
        Arc::new(list.iter().map(|s| s.to_string()).collect())
    }

    fn pairs(s: &Seen) -> Vec<(String, i64)> {
        s.last_seen().map(|(u, t)| (u.clone(), t.0)).collect()
    }

    #[test]
    fn shared_table_merge_keeps_latest_and_order() {
        let n = names(&["ann", "bob", "cy", "dee"]);
        let mut a = Seen::from_ids(&n, vec![(3, 5), (0, 1), (0, 9), (2, 4)]);
        let b = Seen::from_ids(&n, vec![(1, 2), (2, 8), (3, 1)]);
        a.merge(&b);
        let want = [("ann", 9), ("bob", 2), ("cy", 8), ("dee", 5)];
        let want: Vec<(String, i64)> = want.iter().map(|(u, t)| (u.to_string(), *t)).collect();
        assert_eq!(pairs(&a), want);
        assert_eq!(
            serde_json::to_string(&a).ok().as_deref(),
            Some(r#"["ann","bob","cy","dee"]"#)
        );
    }

    #[test]
    fn union_sizes_and_membership_agree_with_a_merge() {
        let n = names(&["ann", "bob", "cy", "dee", "eve"]);
        let a = Seen::from_ids(&n, vec![(0, 1), (2, 1), (4, 1)]);
        let b = Seen::from_ids(&n, vec![(1, 1), (2, 1)]);
        let other_table = Seen::from_ids(&names(&["ann", "fay"]), vec![(0, 1), (1, 1)]);
        for (x, y) in [(&a, &b), (&b, &a), (&a, &other_table), (&other_table, &b)] {
            let mut merged = x.clone();
            merged.merge(y);
            assert_eq!(x.union_len(y), merged.len());
        }
        assert_eq!(a.union_len(&Seen::default()), 3);
        assert!(a.contains("cy") && !a.contains("bob") && !a.contains("zz"));
        assert!(!Seen::default().contains("ann"));
    }

    #[test]
    fn different_tables_and_see_agree_with_a_map() {
        let mut a = Seen::from_ids(&names(&["bob", "zed"]), vec![(0, 3), (1, 1)]);
        let b = Seen::from_ids(&names(&["amy", "bob"]), vec![(0, 7), (1, 9)]);
        a.merge(&b);
        a.see("carl".into(), Ts(4));
        a.see("amy".into(), Ts(2));
        let want = [("amy", 7), ("bob", 9), ("carl", 4), ("zed", 1)];
        let want: Vec<(String, i64)> = want.iter().map(|(u, t)| (u.to_string(), *t)).collect();
        assert_eq!(pairs(&a), want);
        let mut c = Seen::default();
        for (u, t) in want.iter().rev() {
            c.see(u.clone(), Ts(*t));
        }
        assert_eq!(a, c);
        assert_eq!(a.iter().count(), 4);
    }
}
