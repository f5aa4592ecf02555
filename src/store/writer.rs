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
        while let Ok(first) = jobs.recv() {
            batch.push(first);
            while batch.len() < BATCH {
                match jobs.try_recv() {
                    Ok(job) => batch.push(job),
                    Err(_) => break,
                }
            }
            let answers = self.commit_all(&mut batch);
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
    /// order. The change sequence and the last audit event id are read once
    /// per transaction and counted on from there.
    fn commit_all(&self, batch: &mut [Job]) -> Vec<Result<Seq, StoreError>> {
        let count = batch.len();
        let database = self.database.as_path();
        let failed = |action| StoreError::database(action, database);
        let mut patience = Patience::new(&self.options, database);
        let mut tx =
            match patience.retry(|| Transaction::new_unchecked(&self.connection, TransactionBehavior::Immediate)) {
                Ok(tx) => tx,
                Err(e) => return fan_out(failed("start a commit")(e), count),
            };
        let (mut seq, mut event) =
            match rows::current_seq(&tx, database).and_then(|seq| Ok((seq, audit::last_event_id(&tx, database)?))) {
                Ok(position) => position,
                Err(e) => return fan_out(e, count),
            };
        let mut answers = Vec::with_capacity(count);
        for job in batch.iter_mut() {
            let answer = tx.savepoint().map_err(failed("start a commit")).and_then(|savepoint| {
                let mut after_event = event;
                let applied = apply(&savepoint, &self.root, database, &mut job.commit, seq, &mut after_event)?;
                savepoint.commit().map_err(failed("finish a commit"))?;
                Ok((applied, after_event))
            });
            // A commit rolled back to its savepoint used no number.
            answers.push(answer.map(|(after, after_event)| {
                (seq, event) = (after, after_event);
                after
            }));
        }
        if let Err(e) = tx.commit() {
            let error = failed("commit")(e);
            return answers
                .into_iter()
                .map(|answer| answer.and(Err(error.for_another_caller())))
                .collect();
        }
        answers
    }
}

fn fan_out(error: StoreError, count: usize) -> Vec<Result<Seq, StoreError>> {
    (0..count).map(|_| Err(error.for_another_caller())).collect()
}

/// Writes one commit whose base must be `seq`, numbering its audit records
/// after `event` (left at the last number used); returns the sequence after
/// it. On an error the caller rolls the savepoint back.
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
        return Ok(commit.base);
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
        };
        last = rows::log_change(connection, database, partition, kind, id)?;
    }
    audit::append(connection, database, &mut commit.audit, event)?;
    Ok(last)
}
