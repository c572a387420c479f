//! A bounded LRU cache that readers may fill without ever caching a stale value.
//!
//! Readers fill the cache from a read snapshot taken outside the writer lock; a commit may
//! land between the snapshot and the fill. Every write-through update bumps a generation,
//! and a reader's fill is dropped when the generation moved since before its snapshot.

use lru::LruCache;
use parking_lot::Mutex;
use std::hash::Hash;
use std::num::NonZeroUsize;

pub(crate) struct HotCache<K: Hash + Eq, V> {
    inner: Mutex<(LruCache<K, V>, u64)>,
}

impl<K: Hash + Eq, V: Clone> HotCache<K, V> {
    pub(crate) fn new(capacity: usize) -> Self {
        let cap = NonZeroUsize::new(capacity.max(1)).expect("at least 1");
        HotCache { inner: Mutex::new((LruCache::new(cap), 0)) }
    }

    /// Read before taking the snapshot a later [`Self::fill`] comes from.
    pub(crate) fn generation(&self) -> u64 {
        self.inner.lock().1
    }

    pub(crate) fn get<Q>(&self, key: &Q) -> Option<V>
    where
        K: std::borrow::Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.inner.lock().0.get(key).cloned()
    }

    /// The cached values of `keys` (`None` for a missing key or a miss), under one lock.
    pub(crate) fn get_many<'k, Q>(&self, keys: impl Iterator<Item = Option<&'k Q>>) -> Vec<Option<V>>
    where
        K: std::borrow::Borrow<Q>,
        Q: Hash + Eq + ?Sized + 'k,
    {
        let mut g = self.inner.lock();
        keys.map(|k| k.and_then(|k| g.0.get(k).cloned())).collect()
    }

    /// Caches a value read from a snapshot taken after `generation` was read.
    pub(crate) fn fill(&self, generation: u64, key: K, value: V) {
        let mut g = self.inner.lock();
        if g.1 == generation {
            g.0.put(key, value);
        }
    }

    /// Write-through change, made after a commit; invalidates in-flight fills.
    pub(crate) fn update<R>(&self, f: impl FnOnce(&mut LruCache<K, V>) -> R) -> R {
        let mut g = self.inner.lock();
        g.1 = g.1.wrapping_add(1);
        f(&mut g.0)
    }
}
