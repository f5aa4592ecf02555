//! What the KMS service needs from persistence: the [`Store`] trait. A store
//! holds every (account, Region) [`Partition`] of one state; the service keeps
//! a cache of it in memory and writes, per call, only the rows that call
//! changed ([`Commit`]), in one transaction, before it answers.
//!
//! Several processes may share one store (the CLI beside `keyward serve`):
//! every commit of state rows gets the next change sequence number, a
//! process catches up with [`Store::changes_since`], and a commit made
//! against a stale cache is refused with [`StoreError::Conflict`] so the
//! service can refresh and run the call again (optimistic concurrency).
//!
//! Implementations: `store::SqliteStore` (on disk) and `store::MemoryStore`.

use super::grant_book::StoredGrant;
use super::runtime::{Alias, AuditFilter, AuditRecord, StoredKey};
use crate::store::StoreError;

/// One account in one Region: the unit AWS KMS keys live in.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Partition {
    pub account: String,
    pub region: String,
}

impl Partition {
    pub fn new(account: impl Into<String>, region: impl Into<String>) -> Partition {
        Partition {
            account: account.into(),
            region: region.into(),
        }
    }
}

/// The position of a store in its change log: the sequence number of the
/// last state commit seen. 0 for a store nothing was committed to.
pub type Seq = u64;

/// One row written or removed. Keys carry their material (in the clear, in
/// zeroizing buffers): the store wraps it under its root key. Grants carry
/// token hashes, never tokens.
#[derive(Clone, Debug)]
pub enum Row {
    Key(StoredKey),
    /// A key removed, with its material; by key id.
    KeyRemoved(String),
    Alias(Alias),
    /// By alias name (`alias/…`).
    AliasRemoved(String),
    Grant(StoredGrant),
    /// By grant id.
    GrantRemoved(String),
}

/// A row of a partition.
#[derive(Clone, Debug)]
pub struct Change {
    pub partition: Partition,
    pub row: Row,
}

/// What one call writes, all or nothing.
#[derive(Clone, Debug, Default)]
pub struct Commit {
    /// State rows, in the order they were changed. Empty for a call that
    /// changed nothing (most calls): then only `audit` is appended, and no
    /// sequence number is taken.
    pub changes: Vec<Change>,
    /// The call's audit records. The store numbers them (`eventID`): the
    /// numbers in the records given are ignored.
    pub audit: Vec<AuditRecord>,
    /// The sequence the changes were computed against. When `changes` is not
    /// empty and the store's sequence has moved past it (another process
    /// committed), the commit fails with [`StoreError::Conflict`] and writes
    /// nothing.
    pub base: Seq,
}

/// Everything a store holds, by partition, as of `seq`.
#[derive(Clone, Debug, Default)]
pub struct Snapshot {
    pub seq: Seq,
    pub partitions: Vec<PartitionState>,
}

/// The rows of one partition.
#[derive(Clone, Debug)]
pub struct PartitionState {
    pub partition: Partition,
    pub keys: Vec<StoredKey>,
    pub aliases: Vec<Alias>,
    pub grants: Vec<StoredGrant>,
}

/// Persistence for a KMS service. Every method is atomic; `commit` is
/// durable when it returns `Ok`.
pub trait Store: Send + Sync {
    /// Every partition, read at one point in time.
    fn load(&self) -> Result<Snapshot, StoreError>;

    /// The rows committed after `seq`, each in its state as of the returned
    /// sequence (a row written then removed appears once, removed), so a
    /// cache at `seq` applying them in order reaches the returned sequence.
    fn changes_since(&self, seq: Seq) -> Result<(Vec<Change>, Seq), StoreError>;

    /// The store's current sequence: cheap, called before every call to
    /// decide whether the cache must catch up.
    fn seq(&self) -> Result<Seq, StoreError>;

    /// Writes `commit` in one transaction and returns the new sequence (the
    /// same as `commit.base` when it held no state rows). On any error
    /// nothing of it was written.
    fn commit(&self, commit: Commit) -> Result<Seq, StoreError>;

    /// The audit records that match `filter`, oldest first, as the
    /// CloudTrail-shaped JSON they were saved as.
    fn audit(&self, filter: &AuditFilter) -> Result<Vec<serde_json::Value>, StoreError>;
}
