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
use super::runtime::{Alias, AuditFilter, AuditRecord, CustomKeyStore, StoredImport, StoredKey};
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
// A row is built once per change and moved to the store, never kept in
// bulk, so a key's size is not worth a box at every use.
#[allow(clippy::large_enum_variant)]
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
    CustomKeyStore(CustomKeyStore),
    /// By custom key store id.
    CustomKeyStoreRemoved(String),
    /// An import token handed out, with its wrapping private key in the
    /// clear: the store wraps it under its root key.
    Import(StoredImport),
    /// An import token used or expired, by its hash.
    ImportRemoved(String),
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
    /// By id.
    pub custom_key_stores: Vec<CustomKeyStore>,
    /// Import tokens handed out and not yet used, by token hash.
    pub imports: Vec<StoredImport>,
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

    /// Hands `commit` over and returns at once with a [`Receipt`] that
    /// gives [`commit`](Store::commit)'s answer once it is known, so that an
    /// async caller need not hold a thread while the disk syncs. A store
    /// that writes synchronously keeps this default.
    fn submit(&self, commit: Commit) -> Receipt {
        Receipt::ready(self.commit(commit))
    }

    /// The audit records that match `filter`, oldest first, as the
    /// CloudTrail-shaped JSON they were saved as.
    fn audit(&self, filter: &AuditFilter) -> Result<Vec<serde_json::Value>, StoreError>;

    /// The newest saved record of `partition` for an allowed call of one of
    /// `operations` on `key_arn` (its first resource, or any resource of a
    /// `ReEncrypt`): the key's last use (`GetKeyLastUsage`). This default
    /// reads the whole log; a store with an index overrides it.
    fn last_use(
        &self,
        partition: &Partition,
        key_arn: &str,
        operations: &[&str],
    ) -> Result<Option<serde_json::Value>, StoreError> {
        let filter = AuditFilter {
            key: Some(key_arn.to_owned()),
            succeeded: Some(true),
            ..AuditFilter::default()
        };
        let mut records = self.audit(&filter)?;
        records.retain(|r| {
            r["recipientAccountId"] == partition.account.as_str()
                && r["awsRegion"] == partition.region.as_str()
                && r["eventName"].as_str().is_some_and(|name| operations.contains(&name))
        });
        Ok(records.pop())
    }
}

/// A shared store: a service and a test (or two services) over one store.
impl<S: Store + ?Sized> Store for std::sync::Arc<S> {
    fn load(&self) -> Result<Snapshot, StoreError> {
        (**self).load()
    }

    fn changes_since(&self, seq: Seq) -> Result<(Vec<Change>, Seq), StoreError> {
        (**self).changes_since(seq)
    }

    fn seq(&self) -> Result<Seq, StoreError> {
        (**self).seq()
    }

    fn commit(&self, commit: Commit) -> Result<Seq, StoreError> {
        (**self).commit(commit)
    }

    fn submit(&self, commit: Commit) -> Receipt {
        (**self).submit(commit)
    }

    fn audit(&self, filter: &AuditFilter) -> Result<Vec<serde_json::Value>, StoreError> {
        (**self).audit(filter)
    }

    fn last_use(
        &self,
        partition: &Partition,
        key_arn: &str,
        operations: &[&str],
    ) -> Result<Option<serde_json::Value>, StoreError> {
        (**self).last_use(partition, key_arn, operations)
    }
}

/// A commit's answer, known now or once the store's writer has it: wait for
/// it on a thread ([`Receipt::wait`]) or await it ([`Receipt::done`]).
#[must_use = "a commit is known to be durable only once its receipt answers"]
pub struct Receipt(Answer);

enum Answer {
    Ready(Result<Seq, StoreError>),
    Waiting {
        answer: oneshot::Receiver<Result<Seq, StoreError>>,
        /// What to say if the writer stops before it answers.
        stopped: Box<dyn FnOnce() -> StoreError + Send>,
    },
}

/// The writer's side of a [`Receipt`].
pub struct Promise(oneshot::Sender<Result<Seq, StoreError>>);

impl Promise {
    /// Answers the receipt. Gives the answer back when nobody heard it (the
    /// receipt was detached or dropped), so that a failure can be reported
    /// some other way.
    pub fn keep(self, answer: Result<Seq, StoreError>) -> Option<Result<Seq, StoreError>> {
        self.0.send(answer).err().map(oneshot::SendError::into_inner)
    }
}

impl Receipt {
    /// A receipt whose answer is known.
    pub fn ready(answer: Result<Seq, StoreError>) -> Receipt {
        Receipt(Answer::Ready(answer))
    }

    /// A receipt answered later through its [`Promise`]; `stopped` is the
    /// error if the promise is dropped unkept.
    pub fn pending(stopped: impl FnOnce() -> StoreError + Send + 'static) -> (Promise, Receipt) {
        let (sender, answer) = oneshot::channel();
        let waiting = Answer::Waiting {
            answer,
            stopped: Box::new(stopped),
        };
        (Promise(sender), Receipt(waiting))
    }

    /// Blocks the thread until the answer is known.
    pub fn wait(self) -> Result<Seq, StoreError> {
        match self.0 {
            Answer::Ready(answer) => answer,
            Answer::Waiting { answer, stopped } => answer.recv().unwrap_or_else(|_| Err(stopped())),
        }
    }

    /// Stops waiting: the commit goes on, and a failure the store learns of
    /// later is reported by the store itself, not here. An answer already
    /// known is returned.
    pub fn detach(self) -> Result<(), StoreError> {
        match self.0 {
            Answer::Ready(answer) => answer.map(drop),
            Answer::Waiting { .. } => Ok(()),
        }
    }

    /// Waits for the answer without holding a thread.
    pub async fn done(self) -> Result<Seq, StoreError> {
        match self.0 {
            Answer::Ready(answer) => answer,
            Answer::Waiting { answer, stopped } => answer.await.unwrap_or_else(|_| Err(stopped())),
        }
    }
}
