//! `Store::save`: the runtime's state replaces the saved one and the audit
//! records are appended, in one transaction committed before it returns.
//! `Store::append` appends audit records alone, for calls that changed no
//! state (an Encrypt, a refused call).

use rusqlite::{params, ErrorCode, TransactionBehavior};
use serde_json::Value;

use std::path::Path;

use super::{wrap, Store, StoreError};
use crate::kms::runtime::{AuditRecord, State};

impl Store {
    /// Replaces the saved keys (with their material, wrapped), aliases and
    /// grants with `state`, and appends `audit`, all in one transaction.
    /// When this returns `Ok` the transaction is on disk; on an error
    /// nothing was written, and the caller still holds everything to retry.
    pub fn save(&mut self, state: &State, audit: &[AuditRecord]) -> Result<(), StoreError> {
        let path = &self.database;
        let failed = |action| StoreError::database(action, path);
        let tx = self
            .connection
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(failed("start saving"))?;
        tx.execute_batch("DELETE FROM materials; DELETE FROM keys; DELETE FROM aliases; DELETE FROM grants;")
            .map_err(failed("clear the saved state"))?;
        tx.execute(
            "INSERT INTO instance (id, account, region) VALUES (1, ?1, ?2)
             ON CONFLICT (id) DO UPDATE SET account = excluded.account, region = excluded.region",
            params![state.account, state.region],
        )
        .map_err(failed("save the account"))?;
        {
            let mut insert_key = tx
                .prepare_cached(
                    "INSERT INTO keys (id, arn, description, state, key_spec, key_usage, created,
                        deletion_date, policy_text, rotation_period, rotation_next, tags, manager)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
                )
                .map_err(failed("save the keys"))?;
            let mut insert_material = tx
                .prepare_cached(
                    "INSERT INTO materials (key_id, position, material_id, wrapped, created, origin)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )
                .map_err(failed("save the key material"))?;
            for key in &state.keys {
                let tags = Value::Object(
                    key.tags
                        .iter()
                        .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                        .collect(),
                );
                insert_key
                    .execute(params![
                        key.id,
                        key.arn,
                        key.description,
                        key.state.as_str(),
                        key.key_spec,
                        key.key_usage,
                        key.created,
                        key.deletion_date,
                        key.policy_text,
                        key.rotation.map(|r| r.period_days),
                        key.rotation.map(|r| r.next),
                        tags.to_string(),
                        key.manager.as_str(),
                    ])
                    .map_err(failed("save the keys"))?;
                for (position, material) in key.materials.iter().enumerate() {
                    let wrapped =
                        wrap::wrap(&self.root, &key.id, &material.id, &material.material).ok_or_else(|| {
                            StoreError::Encode {
                                path: path.clone(),
                                what: format!("the key material of key `{}`", key.id),
                            }
                        })?;
                    insert_material
                        .execute(params![
                            key.id,
                            position as i64,
                            material.id.to_string(),
                            wrapped,
                            material.created,
                            material.origin.as_str(),
                        ])
                        .map_err(failed("save the key material"))?;
                }
            }
            let mut insert_alias = tx
                .prepare_cached("INSERT INTO aliases (name, arn, target_key_id, created) VALUES (?1, ?2, ?3, ?4)")
                .map_err(failed("save the aliases"))?;
            for alias in &state.aliases {
                insert_alias
                    .execute(params![alias.name, alias.arn, alias.target_key_id, alias.created])
                    .map_err(failed("save the aliases"))?;
            }
            let mut insert_grant = tx
                .prepare_cached(
                    "INSERT INTO grants (position, key, grant_json, created_at, tokens) VALUES (?1, ?2, ?3, ?4, ?5)",
                )
                .map_err(failed("save the grants"))?;
            for (position, grant) in state.grants.iter().enumerate() {
                let tokens = Value::Array(grant.tokens.iter().cloned().map(Value::String).collect());
                insert_grant
                    .execute(params![
                        position as i64,
                        grant.key,
                        grant.grant_json,
                        grant.created_at,
                        tokens.to_string()
                    ])
                    .map_err(failed("save the grants"))?;
            }
        }
        append_audit(&tx, path, audit)?;
        tx.commit().map_err(failed("commit the save"))
    }
}

impl Store {
    /// Appends `audit` in one transaction, leaving the saved state as it
    /// is; on `Ok` the records are on disk. Much cheaper than [`Store::save`]
    /// for the calls that changed nothing but the audit log.
    pub fn append(&mut self, audit: &[AuditRecord]) -> Result<(), StoreError> {
        let path = &self.database;
        let failed = |action| StoreError::database(action, path);
        let tx = self
            .connection
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(failed("start saving"))?;
        append_audit(&tx, path, audit)?;
        tx.commit().map_err(failed("commit the save"))
    }
}

fn append_audit(tx: &rusqlite::Transaction<'_>, path: &Path, audit: &[AuditRecord]) -> Result<(), StoreError> {
    let failed = |action| StoreError::database(action, path);
    let mut insert_event = tx
        .prepare_cached(
            "INSERT INTO audit (event_id, time, key_arn, principal_arn, operation, error_code, record)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )
        .map_err(failed("append to the audit log"))?;
    for record in audit {
        let encode = |what: String| StoreError::Encode {
            path: path.to_owned(),
            what,
        };
        let event_id =
            i64::try_from(record.event_id).map_err(|_| encode(format!("audit event id {}", record.event_id)))?;
        let json =
            serde_json::to_string(record).map_err(|e| encode(format!("audit event {} ({e})", record.event_id)))?;
        insert_event
            .execute(params![
                event_id,
                record.event_time,
                record.resources.first().map(|r| r.arn.as_str()),
                record.user_identity.arn,
                record.event_name,
                record.error_code,
                json,
            ])
            .map_err(|error| match error.sqlite_error_code() {
                Some(ErrorCode::ConstraintViolation) => StoreError::DuplicateEvent {
                    path: path.to_owned(),
                    event_id: record.event_id,
                },
                _ => failed("append to the audit log")(error),
            })?;
    }
    Ok(())
}
