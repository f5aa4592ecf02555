//! [`FailingStore`]: a test wrapper around any store that refuses chosen
//! commits with [`StoreError::Injected`], writing nothing of them, so tests
//! can check that a call whose commit fails leaves nothing of itself.

use std::sync::atomic::{AtomicU64, Ordering};

use super::StoreError;
use crate::kms::runtime::AuditFilter;
use crate::kms::{Change, Commit, Seq, Snapshot, Store};

/// Passes everything to `inner` but fails commit number `fail_at` (the
/// first commit is 1) and, when `and_after`, every commit after it.
/// Reads always pass through.
///
/// ```
/// use keyward::kms::{Commit, Store};
/// use keyward::store::{FailingStore, MemoryStore, StoreError};
///
/// let store = FailingStore::once(MemoryStore::new(), 2);
/// assert!(store.commit(Commit::default()).is_ok());
/// assert!(matches!(store.commit(Commit::default()), Err(StoreError::Injected { number: 2 })));
/// assert!(store.commit(Commit::default()).is_ok());
/// ```
#[derive(Debug)]
pub struct FailingStore<S> {
    inner: S,
    fail_at: u64,
    and_after: bool,
    commits: AtomicU64,
}

impl<S: Store> FailingStore<S> {
    /// Fails the `fail_at`-th commit only.
    pub fn once(inner: S, fail_at: u64) -> FailingStore<S> {
        FailingStore {
            inner,
            fail_at,
            and_after: false,
            commits: AtomicU64::new(0),
        }
    }

    /// Fails the `fail_at`-th commit and every one after it (a full disk).
    pub fn from_commit(inner: S, fail_at: u64) -> FailingStore<S> {
        FailingStore {
            and_after: true,
            ..FailingStore::once(inner, fail_at)
        }
    }

    /// How many commits were asked for, failed ones included.
    pub fn commits(&self) -> u64 {
        self.commits.load(Ordering::SeqCst)
    }

    /// The wrapped store.
    pub fn inner(&self) -> &S {
        &self.inner
    }
}

impl FailingStore<std::sync::Arc<dyn Store>> {
    /// `store` as it is, or made to fail its `fail_at`-th commit when
    /// given: the hidden test hook of the CLI and `keyward serve`
    /// (`KEYWARD_TEST_FAIL_COMMIT=N`), so tests can check through the real
    /// binary that a failed commit answers `KMSInternalException` and
    /// leaves the state as it was.
    pub fn boxed(store: Box<dyn Store>, fail_at: Option<u64>) -> Box<dyn Store> {
        match fail_at {
            Some(n) => Box::new(FailingStore::once(std::sync::Arc::<dyn Store>::from(store), n)),
            None => store,
        }
    }
}

impl<S: Store> Store for FailingStore<S> {
    fn load(&self) -> Result<Snapshot, StoreError> {
        self.inner.load()
    }

    fn changes_since(&self, seq: Seq) -> Result<(Vec<Change>, Seq), StoreError> {
        self.inner.changes_since(seq)
    }

    fn seq(&self) -> Result<Seq, StoreError> {
        self.inner.seq()
    }

    fn commit(&self, commit: Commit) -> Result<Seq, StoreError> {
        let number = self.commits.fetch_add(1, Ordering::SeqCst) + 1;
        if number == self.fail_at || (self.and_after && number > self.fail_at) {
            return Err(StoreError::Injected { number });
        }
        self.inner.commit(commit)
    }

    fn audit(&self, filter: &AuditFilter) -> Result<Vec<serde_json::Value>, StoreError> {
        self.inner.audit(filter)
    }
}
