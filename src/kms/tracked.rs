//! A map that remembers what a call changed: the first time an entry is
//! written or removed, its value before is kept. [`Tracked::changed`] names
//! the entries to write to the store, [`Tracked::rollback`] puts every one
//! back as it was (a commit failed), [`Tracked::settle`] forgets the record
//! (the commit succeeded). So a call costs the rows it touched, not the map.

use std::borrow::Borrow;
use std::collections::btree_map::{self, BTreeMap};
use std::collections::BTreeSet;
use std::sync::atomic::{AtomicU64, Ordering};

/// Hands out [`Tracked::identity`]s, unique across every map, so a new map
/// is never taken for the one it replaces.
static IDENTITIES: AtomicU64 = AtomicU64::new(1);

fn new_identity() -> u64 {
    IDENTITIES.fetch_add(1, Ordering::Relaxed)
}

#[derive(Clone, Debug)]
pub struct Tracked<K: Ord + Clone, V: Clone> {
    map: BTreeMap<K, V>,
    /// Each touched key's value before its first change since the last settle.
    before: BTreeMap<K, Option<V>>,
    /// While a savepoint is set: each key's value before its first change
    /// since the savepoint (a `DryRun` call undoes to it).
    saved: Option<BTreeMap<K, Option<V>>>,
    /// The entries written, removed or put back since the last
    /// [`take_touched`](Self::take_touched): what a reader that keeps
    /// something derived from the map (the runtime's next due time) must
    /// look at again.
    ///
    /// `None` until [`watch`](Self::watch) is called: a map nobody
    /// reads this way keeps no such record.
    touched: Option<BTreeSet<K>>,
    /// This map's own number (see [`identity`](Self::identity)).
    identity: u64,
}

impl<K: Ord + Clone, V: Clone> Default for Tracked<K, V> {
    fn default() -> Self {
        Tracked {
            map: BTreeMap::new(),
            before: BTreeMap::new(),
            saved: None,
            touched: None,
            identity: new_identity(),
        }
    }
}

impl<K: Ord + Clone, V: Clone> Tracked<K, V> {
    fn remember(&mut self, key: &K) {
        self.touch(key);
        if !self.before.contains_key(key) {
            self.before.insert(key.clone(), self.map.get(key).cloned());
        }
        if let Some(saved) = &mut self.saved {
            if !saved.contains_key(key) {
                saved.insert(key.clone(), self.map.get(key).cloned());
            }
        }
    }

    /// Starts remembering the changes made from now on, apart from those
    /// before, so that [`undo_to_savepoint`](Self::undo_to_savepoint) can
    /// take back only them.
    pub fn savepoint(&mut self) {
        self.saved = Some(BTreeMap::new());
    }

    /// Puts back every entry changed since the savepoint, and ends it. An
    /// entry changed back stays listed as changed, with its value as it was.
    pub fn undo_to_savepoint(&mut self) {
        for (key, value) in self.saved.take().unwrap_or_default() {
            self.touch(&key);
            match value {
                Some(v) => self.map.insert(key, v),
                None => self.map.remove(&key),
            };
        }
    }

    pub fn get<Q: Ord + ?Sized>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
    {
        self.map.get(key)
    }

    pub fn contains_key<Q: Ord + ?Sized>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
    {
        self.map.contains_key(key)
    }

    pub fn get_mut<Q: Ord + ?Sized>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
    {
        let (stored, _) = self.map.get_key_value(key)?;
        let stored = stored.clone();
        self.remember(&stored);
        self.map.get_mut(key)
    }

    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        self.remember(&key);
        self.map.insert(key, value)
    }

    pub fn remove<Q: Ord + ?Sized>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
    {
        let (stored, _) = self.map.get_key_value(key)?;
        let stored = stored.clone();
        self.remember(&stored);
        self.map.remove(key)
    }

    /// Removes the entries `keep` refuses.
    pub fn retain(&mut self, mut keep: impl FnMut(&K, &V) -> bool) {
        let gone: Vec<K> = self
            .map
            .iter()
            .filter(|(k, v)| !keep(k, v))
            .map(|(k, _)| k.clone())
            .collect();
        for key in gone {
            self.remove(&key);
        }
    }

    pub fn values(&self) -> btree_map::Values<'_, K, V> {
        self.map.values()
    }

    pub fn keys(&self) -> btree_map::Keys<'_, K, V> {
        self.map.keys()
    }

    pub fn range<R: std::ops::RangeBounds<K>>(&self, range: R) -> btree_map::Range<'_, K, V> {
        self.map.range(range)
    }

    pub fn iter(&self) -> btree_map::Iter<'_, K, V> {
        self.map.iter()
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// The entries changed since the last settle, with their value now
    /// (`None`: removed). An entry changed and changed back is still listed.
    pub fn changed(&self) -> impl Iterator<Item = (&K, Option<&V>)> {
        self.before.keys().map(|k| (k, self.map.get(k)))
    }

    /// A number no other map has: a reader that derived something from
    /// this map knows by it that the map was not replaced since.
    pub fn identity(&self) -> u64 {
        self.identity
    }

    /// From now on, records the entries touched, for
    /// [`take_touched`](Self::take_touched).
    pub fn watch(&mut self) {
        self.touched.get_or_insert_with(BTreeSet::new);
    }

    /// The entries touched since the last call (see `touched`), forgotten;
    /// `None` while the map is not watched.
    pub fn take_touched(&mut self) -> Option<BTreeSet<K>> {
        self.touched.as_mut().map(std::mem::take)
    }

    fn touch(&mut self, key: &K) {
        if let Some(touched) = &mut self.touched {
            if !touched.contains(key) {
                touched.insert(key.clone());
            }
        }
    }

    /// Whether anything changed since the last settle.
    #[cfg(test)]
    pub fn is_dirty(&self) -> bool {
        !self.before.is_empty()
    }

    /// Forgets what changed: it is saved.
    pub fn settle(&mut self) {
        self.before.clear();
    }

    /// Puts every entry changed since the last settle back as it was.
    pub fn rollback(&mut self) {
        for (key, value) in std::mem::take(&mut self.before) {
            self.touch(&key);
            match value {
                Some(v) => self.map.insert(key, v),
                None => self.map.remove(&key),
            };
        }
    }

    /// Replaces the entry without recording it: a change another process
    /// committed, applied to this cache.
    pub fn apply(&mut self, key: K, value: Option<V>) {
        self.touch(&key);
        match value {
            Some(v) => self.map.insert(key, v),
            None => self.map.remove(&key),
        };
    }
}

impl<K: Ord + Clone, V: Clone> FromIterator<(K, V)> for Tracked<K, V> {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        Tracked {
            map: iter.into_iter().collect(),
            before: BTreeMap::new(),
            saved: None,
            touched: None,
            identity: new_identity(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Tracked;

    #[test]
    fn rollback_restores_inserted_changed_and_removed_entries() {
        let mut map: Tracked<&str, i32> = [("a", 1), ("b", 2)].into_iter().collect();
        map.insert("c", 3);
        *map.get_mut(&"a").unwrap() = 10;
        map.remove(&"b");
        map.insert("b", 20);
        let changed: Vec<_> = map.changed().map(|(k, v)| (*k, v.copied())).collect();
        assert_eq!(changed, [("a", Some(10)), ("b", Some(20)), ("c", Some(3))]);
        map.rollback();
        assert_eq!(
            map.iter().map(|(k, v)| (*k, *v)).collect::<Vec<_>>(),
            [("a", 1), ("b", 2)]
        );
        assert!(!map.is_dirty());
    }

    #[test]
    fn settle_keeps_the_changes_and_forgets_the_record() {
        let mut map: Tracked<&str, i32> = Tracked::default();
        map.insert("a", 1);
        map.settle();
        map.remove(&"a");
        assert_eq!(
            map.changed().map(|(k, v)| (*k, v.copied())).collect::<Vec<_>>(),
            [("a", None)]
        );
        map.rollback();
        assert_eq!(map.get(&"a"), Some(&1));
    }

    #[test]
    fn reading_and_missing_entries_record_nothing() {
        let mut map: Tracked<&str, i32> = [("a", 1)].into_iter().collect();
        assert!(map.get_mut(&"zz").is_none());
        assert!(map.remove(&"zz").is_none());
        let _ = map.get(&"a");
        assert!(!map.is_dirty());
    }
}
