//! Group commit: every [`SqliteStore::commit`](super::SqliteStore) hands its
//! [`Commit`] to one writer thread, which takes all the commits waiting, runs
//! them in one `BEGIN IMMEDIATE` transaction (each inside its own savepoint,
//! so one refused commit does not touch the others), syncs once, and answers
//! each caller. Thousands of audit-only commits a second then cost a few
//! disk syncs, and each caller still gets all or nothing.

use std::path::PathBuf;
use std::sync::{mpsc, Arc};

use rusqlite::{Connection, Transaction, TransactionBehavior};

use super::busy::{Options, Patience};
use super::import_tokens;
use super::root_key::RootKey;
use super::rows::{self, Kind};
use super::{audit, StoreError};
use crate::kms::store::Promise;
use crate::kms::{Commit, Row, Seq};

/// At most this many commits share one transaction.
const BATCH: usize = 1024;

/// One commit waiting for the writer, and where its answer goes.
pub(super) struct Job {
    pub commit: Commit,
    pub promise: Promise,
}

/// What the writer thread owns.
pub(super) struct Writer {
    pub connection: Connection,
    pub root: Arc<RootKey>,
    pub database: PathBuf,
    pub options: Options,
}

impl Writer {
    /// Commits what arrives until every sender is gone.
    pub fn run(self, jobs: &mpsc::Receiver<Job>) {
        let mut batch = Vec::with_capacity(BATCH);
        let mut position = None;
        while let Ok(first) = jobs.recv() {
            batch.push(first);
            while batch.len() < BATCH {
                match jobs.try_recv() {
                    Ok(job) => batch.push(job),
                    Err(_) => break,
                }
            }
            let answers = self.commit_all(&mut batch, &mut position);
            let mut lost: Option<(usize, StoreError)> = None;
            for (job, answer) in batch.drain(..).zip(answers) {
                if let Some(Err(error)) = job.promise.keep(answer) {
                    let count = lost.as_ref().map_or(0, |(count, _)| *count);
                    lost = Some((count + 1, error));
                }
            }
            if let (Some((count, error)), Some(tell)) = (lost, &self.options.on_lost) {
                tell(count, &error);
            }
        }
    }

    /// One transaction for the commits of `batch`: an answer for each, in
    /// order. First without savepoints, which cost two statements per
    /// commit: a refused commit (a conflict) writes nothing before it is
    /// refused, so only a failure in the middle of a write needs one. If one
    /// comes, the whole transaction is rolled back and the batch is run again
    /// with a savepoint per commit, so the others still land.
    fn commit_all(&self, batch: &mut [Job], position: &mut Option<Position>) -> Vec<Result<Seq, StoreError>> {
        if let Some(answers) = self.transaction(batch, position, false) {
            return answers;
        }
        // With savepoints a failing commit is rolled back alone, so this try
        // always answers.
        self.transaction(batch, position, true).unwrap_or_else(|| {
            let failed = StoreError::io("commit to", &self.database);
            fan_out(failed(std::io::Error::other("the commit failed")), batch.len())
        })
    }

    /// One try of [`commit_all`](Self::commit_all): `None` when a commit
    /// failed half-written without a savepoint (everything rolled back).
    fn transaction(
        &self,
        batch: &mut [Job],
        position: &mut Option<Position>,
        savepoints: bool,
    ) -> Option<Vec<Result<Seq, StoreError>>> {
        let count = batch.len();
        let database = self.database.as_path();
        let failed = |action| StoreError::database(action, database);
        let mut patience = Patience::new(&self.options, database);
        let mut tx =
            match patience.retry(|| Transaction::new_unchecked(&self.connection, TransactionBehavior::Immediate)) {
                Ok(tx) => tx,
                Err(e) => return Some(fan_out(failed("start a commit")(e), count)),
            };
        let (mut seq, mut event) = match self.position(&tx, position.take()) {
            Ok(position) => position,
            Err(e) => return Some(fan_out(e, count)),
        };
        let mut answers = Vec::with_capacity(count);
        for job in batch.iter_mut() {
            let mut after_event = event;
            let answer = if savepoints {
                tx.savepoint().map_err(failed("start a commit")).and_then(|savepoint| {
                    let applied = apply(&savepoint, &self.root, database, &mut job.commit, seq, &mut after_event)?;
                    savepoint.commit().map_err(failed("finish a commit"))?;
                    Ok(applied)
                })
            } else {
                match apply(&tx, &self.root, database, &mut job.commit, seq, &mut after_event) {
                    Err(conflict @ StoreError::Conflict { .. }) => Err(conflict),
                    // Possibly half-written: roll everything back (on drop).
                    Err(_) => return None,
                    applied => applied,
                }
            };
            // A refused commit used no number. An audit-only commit
            // answers the base it was given and leaves the sequence.
            answers.push(answer.map(|after| {
                (seq, event) = (after, after_event);
                if job.commit.changes.is_empty() {
                    job.commit.base
                } else {
                    after
                }
            }));
        }
        // Read under the write lock, before the commit: no other connection
        // can commit in between, and this connection's own commit leaves
        // its `data_version` as it is.
        let version = rows::data_version(&tx, database).ok();
        if let Err(e) = tx.commit() {
            let error = failed("commit")(e);
            return Some(
                answers
                    .into_iter()
                    .map(|answer| answer.and(Err(error.for_another_caller())))
                    .collect(),
            );
        }
        *position = version.map(|version| Position { version, seq, event });
        Some(answers)
    }

    /// The change sequence and the last audit event id at the start of a
    /// transaction: those this writer left, when the connection's
    /// `data_version` shows no other connection has committed since; read
    /// from the database otherwise.
    fn position(&self, tx: &Connection, left: Option<Position>) -> Result<(Seq, u64), StoreError> {
        let database = self.database.as_path();
        if let Some(left) = left {
            if rows::data_version(tx, database)? == left.version {
                return Ok((left.seq, left.event));
            }
        }
        Ok((rows::current_seq(tx, database)?, audit::last_event_id(tx, database)?))
    }
}

/// Where this writer left the database after its last commit.
#[derive(Clone, Copy)]
pub(super) struct Position {
    /// The writer connection's `data_version` then: it changes only when
    /// another connection commits.
    version: i64,
    seq: Seq,
    event: u64,
}

fn fan_out(error: StoreError, count: usize) -> Vec<Result<Seq, StoreError>> {
    (0..count).map(|_| Err(error.for_another_caller())).collect()
}

/// Writes one commit whose base must be `seq` (any base, when it writes
/// only audit records), numbering its audit records after `event` (left at
/// the last number used); returns the sequence after it. On an error the caller rolls the savepoint back.
pub(super) fn apply(
    connection: &Connection,
    root: &RootKey,
    database: &std::path::Path,
    commit: &mut Commit,
    seq: Seq,
    event: &mut u64,
) -> Result<Seq, StoreError> {
    if !commit.changes.is_empty() && commit.base != seq {
        return Err(StoreError::Conflict {
            base: commit.base,
            current: seq,
        });
    }
    if commit.changes.is_empty() {
        audit::append(connection, database, &mut commit.audit, event)?;
        return Ok(seq);
    }
    let mut last = seq;
    for change in &commit.changes {
        let partition = &change.partition;
        let (kind, id) = match &change.row {
            Row::Key(key) => {
                rows::write_key(connection, root, database, partition, key)?;
                (Kind::Key, key.id.as_str())
            }
            Row::KeyRemoved(id) => {
                rows::remove_key(connection, database, partition, id)?;
                (Kind::Key, id.as_str())
            }
            Row::Alias(alias) => {
                rows::write_alias(connection, database, partition, alias)?;
                (Kind::Alias, alias.name.as_str())
            }
            Row::AliasRemoved(name) => {
                rows::remove_alias(connection, database, partition, name)?;
                (Kind::Alias, name.as_str())
            }
            Row::Grant(grant) => {
                rows::write_grant(connection, database, partition, grant)?;
                (Kind::Grant, grant.grant_id.as_str())
            }
            Row::GrantRemoved(id) => {
                rows::remove_grant(connection, database, partition, id)?;
                (Kind::Grant, id.as_str())
            }
            Row::CustomKeyStore(store) => {
                rows::write_store(connection, root, database, partition, store)?;
                (Kind::CustomKeyStore, store.id.as_str())
            }
            Row::CustomKeyStoreRemoved(id) => {
                rows::remove_store(connection, database, partition, id)?;
                (Kind::CustomKeyStore, id.as_str())
            }
            Row::Import(import) => {
                import_tokens::write(connection, root, database, partition, import)?;
                (Kind::Import, import.token_hash.as_str())
            }
            Row::ImportRemoved(hash) => {
                import_tokens::remove(connection, database, partition, hash)?;
                (Kind::Import, hash.as_str())
            }
        };
        last = rows::log_change(connection, database, partition, kind, id)?;
    }
    audit::append(connection, database, &mut commit.audit, event)?;
    Ok(last)
}
