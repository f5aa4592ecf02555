//! The whole-partition calls of the runtime that predates the service
//! (`Runtime::export`/`restore`), kept while the CLI, the REPL and the server
//! move to [`kms::Store`](crate::kms::Store): they go once nothing calls
//! them.

use super::{audit, rows, SqliteStore, StoreError};
use crate::kms::runtime::{AuditRecord, State};
use crate::kms::{Change, Commit, Partition, Row, Store};

impl SqliteStore {
    /// The rows of `partition` as a runtime state, or `None` when it has
    /// none.
    pub fn load_partition(&self, partition: &Partition) -> Result<Option<State>, StoreError> {
        let found = self.read(|tx| rows::read_partitions(tx, self.root(), self.database(), Some(partition)))?;
        Ok(found.into_iter().next().map(|rows| State {
            account: rows.partition.account,
            region: rows.partition.region,
            keys: rows.keys,
            aliases: rows.aliases,
            grants: rows.grants,
        }))
    }

    /// Makes `state`'s partition hold exactly `state`'s rows, and appends
    /// `audit`, in one commit. Rows another process added to the partition
    /// meanwhile are removed: callers hold the directory's `keyward.lock`.
    pub fn replace_partition(&self, state: &State, audit: &[AuditRecord]) -> Result<(), StoreError> {
        let partition = Partition::new(state.account.clone(), state.region.clone());
        loop {
            let base = self.seq()?;
            let stored = self.load_partition(&partition)?;
            let mut changes: Vec<Change> = Vec::new();
            let mut change = |row| {
                changes.push(Change {
                    partition: partition.clone(),
                    row,
                })
            };
            if let Some(stored) = stored {
                for key in stored.keys.iter().filter(|k| !state.keys.iter().any(|s| s.id == k.id)) {
                    change(Row::KeyRemoved(key.id.clone()));
                }
                for alias in stored
                    .aliases
                    .iter()
                    .filter(|a| !state.aliases.iter().any(|s| s.name == a.name))
                {
                    change(Row::AliasRemoved(alias.name.clone()));
                }
                for grant in stored
                    .grants
                    .iter()
                    .filter(|g| !state.grants.iter().any(|s| s.grant_id == g.grant_id))
                {
                    change(Row::GrantRemoved(grant.grant_id.clone()));
                }
            }
            state.keys.iter().for_each(|k| change(Row::Key(k.clone())));
            state.aliases.iter().for_each(|a| change(Row::Alias(a.clone())));
            state.grants.iter().for_each(|g| change(Row::Grant(g.clone())));
            match self.commit(Commit {
                changes,
                audit: audit.to_vec(),
                base,
            }) {
                Err(StoreError::Conflict { .. }) => continue,
                other => return other.map(drop),
            }
        }
    }

    /// Appends `audit` alone.
    pub fn append(&self, audit: &[AuditRecord]) -> Result<(), StoreError> {
        self.commit(Commit {
            changes: Vec::new(),
            audit: audit.to_vec(),
            base: 0,
        })
        .map(drop)
    }

    /// The id of the last audit record saved, 0 when there is none.
    pub fn last_event_id(&self) -> Result<u64, StoreError> {
        self.read(|tx| audit::last_event_id(tx, self.database()))
    }
}
