//! [`MemoryStore`]: the [`kms::Store`](crate::kms::Store) kept in memory,
//! for `--ephemeral` and tests. It answers exactly as
//! [`SqliteStore`](super::SqliteStore) does: the same change sequence (one
//! number per row written), the same order of rows, conflicts and audit
//! numbering; only nothing survives the process.

use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard};

use serde_json::Value;

use super::audit::numbered;
use super::rows::Kind;
use super::StoreError;
use crate::kms::runtime::{Alias, AuditFilter, CustomKeyStore, StoredImport, StoredKey};
use crate::kms::{Change, Commit, Partition, PartitionState, Row, Seq, Snapshot, Store, StoredGrant};

/// A store that forgets everything when dropped.
#[derive(Debug, Default)]
pub struct MemoryStore {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    partitions: BTreeMap<Partition, Rows>,
    /// The change log: the last sequence of each row, and the reverse.
    log: BTreeMap<Seq, (Partition, Kind, String)>,
    logged: BTreeMap<(Partition, &'static str, String), Seq>,
    seq: Seq,
    /// Grants keep the order they were first written in.
    grant_positions: u64,
    audit: Vec<Audited>,
    last_event_id: u64,
}

#[derive(Debug, Default)]
struct Rows {
    keys: BTreeMap<String, StoredKey>,
    aliases: BTreeMap<String, Alias>,
    grants: BTreeMap<String, (u64, StoredGrant)>,
    stores: BTreeMap<String, CustomKeyStore>,
    imports: BTreeMap<String, StoredImport>,
}

impl Rows {
    fn is_empty(&self) -> bool {
        self.keys.is_empty()
            && self.aliases.is_empty()
            && self.grants.is_empty()
            && self.stores.is_empty()
            && self.imports.is_empty()
    }

    fn state(&self, partition: &Partition) -> PartitionState {
        let mut grants: Vec<&(u64, StoredGrant)> = self.grants.values().collect();
        grants.sort_by_key(|(position, _)| *position);
        PartitionState {
            partition: partition.clone(),
            keys: self.keys.values().cloned().collect(),
            aliases: self.aliases.values().cloned().collect(),
            grants: grants.into_iter().map(|(_, g)| g.clone()).collect(),
            custom_key_stores: self.stores.values().cloned().collect(),
            imports: self.imports.values().cloned().collect(),
        }
    }
}

/// One audit record with the columns the filter reads.
#[derive(Debug)]
struct Audited {
    key_arn: Option<String>,
    principal_arn: String,
    operation: String,
    error_code: Option<String>,
    record: Value,
}

impl Audited {
    fn matches(&self, filter: &AuditFilter) -> bool {
        let on_key = |key: &String| {
            self.key_arn.as_ref() == Some(key)
                || self.record["resources"]
                    .as_array()
                    .is_some_and(|resources| resources.iter().any(|r| r["ARN"].as_str() == Some(key.as_str())))
        };
        filter.key.as_ref().is_none_or(on_key)
            && filter.principal.as_ref().is_none_or(|p| *p == self.principal_arn)
            && filter
                .operation
                .as_ref()
                .is_none_or(|o| o.eq_ignore_ascii_case(&self.operation))
            && filter.succeeded.is_none_or(|s| s == self.error_code.is_none())
    }
}

impl MemoryStore {
    pub fn new() -> MemoryStore {
        MemoryStore::default()
    }

    fn inner(&self) -> MutexGuard<'_, Inner> {
        // Every change to `Inner` is made after the last fallible step, so
        // a panic elsewhere cannot have left it half done.
        self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Inner {
    fn row(&self, partition: &Partition, kind: Kind, id: &str) -> Row {
        let rows = self.partitions.get(partition);
        match kind {
            Kind::Key => rows
                .and_then(|r| r.keys.get(id))
                .map_or_else(|| Row::KeyRemoved(id.to_owned()), |k| Row::Key(k.clone())),
            Kind::Alias => rows
                .and_then(|r| r.aliases.get(id))
                .map_or_else(|| Row::AliasRemoved(id.to_owned()), |a| Row::Alias(a.clone())),
            Kind::Grant => rows
                .and_then(|r| r.grants.get(id))
                .map_or_else(|| Row::GrantRemoved(id.to_owned()), |(_, g)| Row::Grant(g.clone())),
            Kind::CustomKeyStore => rows.and_then(|r| r.stores.get(id)).map_or_else(
                || Row::CustomKeyStoreRemoved(id.to_owned()),
                |s| Row::CustomKeyStore(s.clone()),
            ),
            Kind::Import => rows
                .and_then(|r| r.imports.get(id))
                .map_or_else(|| Row::ImportRemoved(id.to_owned()), |i| Row::Import(i.clone())),
        }
    }

    fn write(&mut self, change: &Change) {
        let partition = &change.partition;
        let rows = self.partitions.entry(partition.clone()).or_default();
        let (kind, id) = match &change.row {
            Row::Key(key) => {
                rows.keys.insert(key.id.clone(), key.clone());
                (Kind::Key, key.id.clone())
            }
            Row::KeyRemoved(id) => {
                rows.keys.remove(id);
                (Kind::Key, id.clone())
            }
            Row::Alias(alias) => {
                rows.aliases.insert(alias.name.clone(), alias.clone());
                (Kind::Alias, alias.name.clone())
            }
            Row::AliasRemoved(name) => {
                rows.aliases.remove(name);
                (Kind::Alias, name.clone())
            }
            Row::Grant(grant) => {
                let position = match rows.grants.get(&grant.grant_id) {
                    Some((position, _)) => *position,
                    None => {
                        self.grant_positions += 1;
                        self.grant_positions
                    }
                };
                rows.grants.insert(grant.grant_id.clone(), (position, grant.clone()));
                (Kind::Grant, grant.grant_id.clone())
            }
            Row::GrantRemoved(id) => {
                rows.grants.remove(id);
                (Kind::Grant, id.clone())
            }
            Row::CustomKeyStore(store) => {
                rows.stores.insert(store.id.clone(), store.clone());
                (Kind::CustomKeyStore, store.id.clone())
            }
            Row::CustomKeyStoreRemoved(id) => {
                rows.stores.remove(id);
                (Kind::CustomKeyStore, id.clone())
            }
            Row::Import(import) => {
                rows.imports.insert(import.token_hash.clone(), import.clone());
                (Kind::Import, import.token_hash.clone())
            }
            Row::ImportRemoved(hash) => {
                rows.imports.remove(hash);
                (Kind::Import, hash.clone())
            }
        };
        if rows.is_empty() {
            self.partitions.remove(partition);
        }
        self.seq += 1;
        let place = (partition.clone(), kind.as_str(), id.clone());
        if let Some(old) = self.logged.insert(place, self.seq) {
            self.log.remove(&old);
        }
        self.log.insert(self.seq, (partition.clone(), kind, id));
    }
}

impl Store for MemoryStore {
    fn load(&self) -> Result<Snapshot, StoreError> {
        let inner = self.inner();
        Ok(Snapshot {
            seq: inner.seq,
            partitions: inner
                .partitions
                .iter()
                .map(|(partition, rows)| rows.state(partition))
                .collect(),
        })
    }

    fn changes_since(&self, seq: Seq) -> Result<(Vec<Change>, Seq), StoreError> {
        let inner = self.inner();
        let changes = inner
            .log
            .range(seq.saturating_add(1)..)
            .map(|(_, (partition, kind, id))| Change {
                partition: partition.clone(),
                row: inner.row(partition, *kind, id),
            })
            .collect();
        Ok((changes, inner.seq))
    }

    fn seq(&self) -> Result<Seq, StoreError> {
        Ok(self.inner().seq)
    }

    fn commit(&self, mut commit: Commit) -> Result<Seq, StoreError> {
        let mut inner = self.inner();
        if !commit.changes.is_empty() && commit.base != inner.seq {
            return Err(StoreError::Conflict {
                base: commit.base,
                current: inner.seq,
            });
        }
        // Everything that can fail, before anything changes.
        let mut audited = Vec::with_capacity(commit.audit.len());
        for (record, event_id) in commit.audit.iter_mut().zip(inner.last_event_id + 1..) {
            let record = numbered(record, event_id)
                .and_then(|text| serde_json::from_str(&text).ok())
                .ok_or_else(|| StoreError::Encode {
                    path: "memory".into(),
                    what: format!("a `{}` audit record", record.event_name),
                })?;
            audited.push((event_id, record));
        }
        for change in &commit.changes {
            inner.write(change);
        }
        for ((event_id, json), record) in audited.into_iter().zip(&commit.audit) {
            inner.last_event_id = event_id;
            inner.audit.push(Audited {
                key_arn: record.resources.first().map(|r| r.arn.clone()),
                principal_arn: record.user_identity.arn.clone(),
                operation: record.event_name.clone(),
                error_code: record.error_code.map(str::to_owned),
                record: json,
            });
        }
        Ok(if commit.changes.is_empty() {
            commit.base
        } else {
            inner.seq
        })
    }

    fn audit(&self, filter: &AuditFilter) -> Result<Vec<Value>, StoreError> {
        Ok(self
            .inner()
            .audit
            .iter()
            .filter(|a| a.matches(filter))
            .map(|a| a.record.clone())
            .collect())
    }
}
