//! `Store::load`: the saved state, read in one snapshot, with every version
//! of key material unwrapped. Anything that does not read back is a
//! `Corrupt` error naming the key, never a panic.

use std::collections::BTreeMap;

use rusqlite::OptionalExtension;

use super::wrap::{self, Unwrap};
use super::{Store, StoreError};
use crate::crypto::MaterialId;
use crate::kms::runtime::{Alias, KeyManager, KeyState, Origin, Rotation, State, StoredKey, StoredMaterial};
use crate::kms::StoredGrant;

/// A `keys` row as stored, before it is checked.
struct KeyRow {
    id: String,
    arn: String,
    description: String,
    state: String,
    key_spec: String,
    key_usage: String,
    created: i64,
    deletion_date: Option<i64>,
    policy_text: String,
    rotation_period: Option<i64>,
    rotation_next: Option<i64>,
    tags: String,
    manager: String,
}

/// A `materials` row as stored, before it is unwrapped.
struct MaterialRow {
    key_id: String,
    material_id: String,
    wrapped: Vec<u8>,
    created: i64,
    origin: String,
}

impl Store {
    /// The saved state, or `None` for a store nothing was saved in yet.
    pub fn load(&self) -> Result<Option<State>, StoreError> {
        let path = &self.database;
        let failed = |action| StoreError::database(action, path);
        let corrupt = |what: String| StoreError::corrupt(path, what);
        // One read transaction, so the tables are read at one point in time.
        let tx = self
            .connection
            .unchecked_transaction()
            .map_err(failed("start loading"))?;
        let Some((account, region)) = tx
            .query_row("SELECT account, region FROM instance WHERE id = 1", [], |row| {
                Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
            })
            .optional()
            .map_err(failed("read the account"))?
        else {
            return Ok(None);
        };

        let mut materials: BTreeMap<String, Vec<StoredMaterial>> = BTreeMap::new();
        let rows = tx
            .prepare("SELECT key_id, material_id, wrapped, created, origin FROM materials ORDER BY key_id, position")
            .and_then(|mut statement| {
                statement
                    .query_map([], |row| {
                        Ok(MaterialRow {
                            key_id: row.get(0)?,
                            material_id: row.get(1)?,
                            wrapped: row.get(2)?,
                            created: row.get(3)?,
                            origin: row.get(4)?,
                        })
                    })?
                    .collect::<Result<Vec<_>, _>>()
            })
            .map_err(failed("read the key material"))?;
        for row in rows {
            let id = parse_material_id(&row.material_id)
                .ok_or_else(|| corrupt(format!("key `{}` has a malformed material id", row.key_id)))?;
            let origin = Origin::parse(&row.origin).ok_or_else(|| {
                corrupt(format!(
                    "key `{}` has material of unknown origin `{}`",
                    row.key_id, row.origin
                ))
            })?;
            let material = wrap::unwrap(&self.root, &row.key_id, &id, &row.wrapped).map_err(|why| {
                corrupt(match why {
                    Unwrap::OtherRootKey => format!(
                        "the key material {id} of key `{}` was wrapped under another root key",
                        row.key_id
                    ),
                    Unwrap::Invalid => format!(
                        "the key material {id} of key `{}` does not unwrap: it was changed or moved",
                        row.key_id
                    ),
                })
            })?;
            materials.entry(row.key_id).or_default().push(StoredMaterial {
                id,
                material,
                created: row.created,
                origin,
            });
        }

        let rows = tx
            .prepare(
                "SELECT id, arn, description, state, key_spec, key_usage, created, deletion_date,
                        policy_text, rotation_period, rotation_next, tags, manager
                 FROM keys ORDER BY id",
            )
            .and_then(|mut statement| {
                statement
                    .query_map([], |row| {
                        Ok(KeyRow {
                            id: row.get(0)?,
                            arn: row.get(1)?,
                            description: row.get(2)?,
                            state: row.get(3)?,
                            key_spec: row.get(4)?,
                            key_usage: row.get(5)?,
                            created: row.get(6)?,
                            deletion_date: row.get(7)?,
                            policy_text: row.get(8)?,
                            rotation_period: row.get(9)?,
                            rotation_next: row.get(10)?,
                            tags: row.get(11)?,
                            manager: row.get(12)?,
                        })
                    })?
                    .collect::<Result<Vec<_>, _>>()
            })
            .map_err(failed("read the keys"))?;
        let mut keys = Vec::with_capacity(rows.len());
        for row in rows {
            let state = KeyState::parse(&row.state)
                .ok_or_else(|| corrupt(format!("key `{}` has the unknown state `{}`", row.id, row.state)))?;
            let manager = KeyManager::parse(&row.manager)
                .ok_or_else(|| corrupt(format!("key `{}` has the unknown manager `{}`", row.id, row.manager)))?;
            let rotation = match (row.rotation_period, row.rotation_next) {
                (Some(period_days), Some(next)) => Some(Rotation { period_days, next }),
                (None, None) => None,
                _ => return Err(corrupt(format!("key `{}` has half a rotation schedule", row.id))),
            };
            let tags: BTreeMap<String, String> = serde_json::from_str(&row.tags)
                .map_err(|_| corrupt(format!("key `{}` has tags that do not read", row.id)))?;
            let materials = materials
                .remove(&row.id)
                .ok_or_else(|| corrupt(format!("key `{}` has no key material", row.id)))?;
            keys.push(StoredKey {
                id: row.id,
                arn: row.arn,
                manager,
                description: row.description,
                state,
                key_spec: row.key_spec,
                key_usage: row.key_usage,
                created: row.created,
                deletion_date: row.deletion_date,
                policy_text: row.policy_text,
                materials,
                rotation,
                tags,
            });
        }

        let aliases = tx
            .prepare("SELECT name, arn, target_key_id, created FROM aliases ORDER BY name")
            .and_then(|mut statement| {
                statement
                    .query_map([], |row| {
                        Ok(Alias {
                            name: row.get(0)?,
                            arn: row.get(1)?,
                            target_key_id: row.get(2)?,
                            created: row.get(3)?,
                        })
                    })?
                    .collect::<Result<Vec<_>, _>>()
            })
            .map_err(failed("read the aliases"))?;

        let rows = tx
            .prepare("SELECT key, grant_json, created_at, tokens FROM grants ORDER BY position")
            .and_then(|mut statement| {
                statement
                    .query_map([], |row| {
                        Ok((
                            row.get::<_, String>(0)?,
                            row.get::<_, String>(1)?,
                            row.get::<_, i64>(2)?,
                            row.get::<_, String>(3)?,
                        ))
                    })?
                    .collect::<Result<Vec<_>, _>>()
            })
            .map_err(failed("read the grants"))?;
        let mut grants = Vec::with_capacity(rows.len());
        for (key, grant_json, created_at, tokens) in rows {
            let tokens: Vec<String> = serde_json::from_str(&tokens)
                .map_err(|_| corrupt(format!("a grant of key `{key}` has tokens that do not read")))?;
            grants.push(StoredGrant {
                grant_id: String::new(),
                key,
                grant_json,
                created_at,
                tokens,
            });
        }
        tx.finish().map_err(failed("finish loading"))?;
        Ok(Some(State {
            account,
            region,
            keys,
            aliases,
            grants,
        }))
    }
}

/// 64 hex characters → a material id.
fn parse_material_id(hex: &str) -> Option<MaterialId> {
    let digits = hex.as_bytes();
    if digits.len() != 64 {
        return None;
    }
    let mut id = [0u8; 32];
    for (byte, pair) in id.iter_mut().zip(digits.chunks_exact(2)) {
        let text = std::str::from_utf8(pair).ok()?;
        *byte = u8::from_str_radix(text, 16).ok()?;
    }
    Some(MaterialId(id))
}
