//! The rows of schema version 3, one function per verb: `write_*` upserts a
//! row of a partition, `remove_*` deletes it, `read_*` reads one back, and
//! `read_partitions` reads them all. Key material is wrapped on the way in
//! and unwrapped on the way out, as is an external key store proxy's
//! secret; nothing else touches `wrap`.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use rusqlite::{params, Connection, OptionalExtension};
use serde_json::Value;

use super::import_tokens;
use super::root_key::RootKey;
use super::wrap::{self, Unwrap};
use super::StoreError;
use crate::crypto::MaterialId;
use crate::kms::runtime::{Alias, CustomKeyStore, KeyManager, KeyState, Origin, Rotation, StoredKey, StoredMaterial};
use crate::kms::{Partition, PartitionState, StoredGrant};

/// What the change log calls each kind of row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    Key,
    Alias,
    Grant,
    /// Schema 5.
    CustomKeyStore,
    /// Schema 6.
    Import,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Key => "key",
            Kind::Alias => "alias",
            Kind::Grant => "grant",
            Kind::CustomKeyStore => "custom_key_store",
            Kind::Import => "import",
        }
    }

    pub fn parse(text: &str) -> Option<Kind> {
        [Kind::Key, Kind::Alias, Kind::Grant, Kind::CustomKeyStore, Kind::Import]
            .into_iter()
            .find(|k| k.as_str() == text)
    }
}

const KEY_COLUMNS: &str = "account, region, id, arn, description, state, key_spec, key_usage, created,
    deletion_date, policy_text, rotation_period, rotation_next, tags, manager, properties";

/// A `keys` row as stored, before it is checked.
struct KeyRow {
    partition: Partition,
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
    /// Schema 4: a JSON object of the properties only some keys have.
    properties: String,
}

/// The `properties` column: a multi-Region key's copies, a pending
/// primary's waiting period.
#[derive(Default, serde::Serialize, serde::Deserialize)]
struct Properties {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    replication: Option<crate::kms::runtime::Replication>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pending_window_days: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    external: Option<crate::kms::runtime::External>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    custom_key_store: Option<crate::kms::runtime::InStore>,
}

impl KeyRow {
    fn read(row: &rusqlite::Row<'_>) -> rusqlite::Result<KeyRow> {
        Ok(KeyRow {
            partition: Partition::new(row.get::<_, String>(0)?, row.get::<_, String>(1)?),
            id: row.get(2)?,
            arn: row.get(3)?,
            description: row.get(4)?,
            state: row.get(5)?,
            key_spec: row.get(6)?,
            key_usage: row.get(7)?,
            created: row.get(8)?,
            deletion_date: row.get(9)?,
            policy_text: row.get(10)?,
            rotation_period: row.get(11)?,
            rotation_next: row.get(12)?,
            tags: row.get(13)?,
            manager: row.get(14)?,
            properties: row.get(15)?,
        })
    }

    fn check(self, path: &Path, materials: Vec<StoredMaterial>) -> Result<StoredKey, StoreError> {
        let corrupt = |what: String| StoreError::corrupt(path, format!("key `{}` {what}", self.id));
        let state =
            KeyState::parse(&self.state).ok_or_else(|| corrupt(format!("has the unknown state `{}`", self.state)))?;
        let manager = KeyManager::parse(&self.manager)
            .ok_or_else(|| corrupt(format!("has the unknown manager `{}`", self.manager)))?;
        let rotation = match (self.rotation_period, self.rotation_next) {
            (Some(period_days), Some(next)) => Some(Rotation { period_days, next }),
            (None, None) => None,
            _ => return Err(corrupt("has half a rotation schedule".into())),
        };
        let tags: BTreeMap<String, String> =
            serde_json::from_str(&self.tags).map_err(|_| corrupt("has tags that do not read".into()))?;
        let properties: Properties =
            serde_json::from_str(&self.properties).map_err(|_| corrupt("has properties that do not read".into()))?;
        // A key of origin EXTERNAL has none while it is pending import.
        if materials.is_empty() && properties.external.is_none() {
            return Err(corrupt("has no key material".into()));
        }
        Ok(StoredKey {
            id: self.id,
            arn: self.arn,
            manager,
            description: self.description,
            state,
            key_spec: self.key_spec,
            key_usage: self.key_usage,
            created: self.created,
            deletion_date: self.deletion_date,
            policy_text: self.policy_text,
            materials,
            rotation,
            tags,
            replication: properties.replication,
            pending_window_days: properties.pending_window_days,
            external: properties.external,
            custom_key_store: properties.custom_key_store,
        })
    }
}

/// A `materials` row as stored, before it is unwrapped.
struct MaterialRow {
    partition: Partition,
    key_id: String,
    material_id: String,
    wrapped: Vec<u8>,
    created: i64,
    origin: String,
}

const MATERIAL_COLUMNS: &str = "account, region, key_id, material_id, wrapped, created, origin";

impl MaterialRow {
    fn read(row: &rusqlite::Row<'_>) -> rusqlite::Result<MaterialRow> {
        Ok(MaterialRow {
            partition: Partition::new(row.get::<_, String>(0)?, row.get::<_, String>(1)?),
            key_id: row.get(2)?,
            material_id: row.get(3)?,
            wrapped: row.get(4)?,
            created: row.get(5)?,
            origin: row.get(6)?,
        })
    }

    fn unwrap(self, root: &RootKey, path: &Path) -> Result<StoredMaterial, StoreError> {
        let corrupt = |what: String| StoreError::corrupt(path, what);
        let key_id = &self.key_id;
        let id = parse_material_id(&self.material_id)
            .ok_or_else(|| corrupt(format!("key `{key_id}` has a malformed material id")))?;
        let origin = Origin::parse(&self.origin).ok_or_else(|| {
            corrupt(format!(
                "key `{key_id}` has material of unknown origin `{}`",
                self.origin
            ))
        })?;
        let material = wrap::unwrap(root, key_id, &id, &self.wrapped).map_err(|why| {
            corrupt(match why {
                Unwrap::OtherRootKey => {
                    format!("the key material {id} of key `{key_id}` was wrapped under another root key")
                }
                Unwrap::Invalid => {
                    format!("the key material {id} of key `{key_id}` does not unwrap: it was changed or moved")
                }
            })
        })?;
        Ok(StoredMaterial {
            id,
            material,
            created: self.created,
            origin,
        })
    }
}

fn tags_json(tags: &BTreeMap<String, String>) -> String {
    Value::Object(
        tags.iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect(),
    )
    .to_string()
}

/// Upserts `key` and makes its material rows the key's versions: a version
/// already stored is renumbered but not wrapped again, a new one is wrapped
/// and inserted, one no longer there is deleted. Other keys are untouched.
fn properties_json(key: &StoredKey) -> String {
    let properties = Properties {
        replication: key.replication.clone(),
        pending_window_days: key.pending_window_days,
        external: key.external.clone(),
        custom_key_store: key.custom_key_store.clone(),
    };
    serde_json::to_string(&properties).unwrap_or_else(|_| "{}".to_owned())
}

pub(super) fn write_key(
    connection: &Connection,
    root: &RootKey,
    path: &Path,
    partition: &Partition,
    key: &StoredKey,
) -> Result<(), StoreError> {
    let failed = |action| StoreError::database(action, path);
    let Partition { account, region } = partition;
    connection
        .prepare_cached(
            "INSERT INTO keys (account, region, id, arn, description, state, key_spec, key_usage, created,
                deletion_date, policy_text, rotation_period, rotation_next, tags, manager, properties)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)
             ON CONFLICT (account, region, id) DO UPDATE SET
                arn = excluded.arn, description = excluded.description, state = excluded.state,
                key_spec = excluded.key_spec, key_usage = excluded.key_usage, created = excluded.created,
                deletion_date = excluded.deletion_date, policy_text = excluded.policy_text,
                rotation_period = excluded.rotation_period, rotation_next = excluded.rotation_next,
                tags = excluded.tags, manager = excluded.manager, properties = excluded.properties",
        )
        .and_then(|mut statement| {
            statement.execute(params![
                account,
                region,
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
                tags_json(&key.tags),
                key.manager.as_str(),
                properties_json(key),
            ])
        })
        .map_err(failed("save a key"))?;

    let stored: HashSet<String> = connection
        .prepare_cached("SELECT material_id FROM materials WHERE account = ?1 AND region = ?2 AND key_id = ?3")
        .and_then(|mut statement| {
            statement
                .query_map(params![account, region, key.id], |row| row.get(0))?
                .collect()
        })
        .map_err(failed("read a key's material ids"))?;
    let kept: HashSet<String> = key.materials.iter().map(|m| m.id.to_string()).collect();
    for gone in stored.difference(&kept) {
        connection
            .prepare_cached(
                "DELETE FROM materials WHERE account = ?1 AND region = ?2 AND key_id = ?3 AND material_id = ?4",
            )
            .and_then(|mut statement| statement.execute(params![account, region, key.id, gone]))
            .map_err(failed("remove a key material"))?;
    }
    for (position, material) in key.materials.iter().enumerate() {
        let material_id = material.id.to_string();
        if stored.contains(&material_id) {
            connection
                .prepare_cached(
                    "UPDATE materials SET position = ?5, created = ?6, origin = ?7
                     WHERE account = ?1 AND region = ?2 AND key_id = ?3 AND material_id = ?4",
                )
                .and_then(|mut statement| {
                    statement.execute(params![
                        account,
                        region,
                        key.id,
                        material_id,
                        position as i64,
                        material.created,
                        material.origin.as_str()
                    ])
                })
                .map_err(failed("save a key material"))?;
            continue;
        }
        let wrapped =
            wrap::wrap(root, &key.id, &material.id, &material.material).ok_or_else(|| StoreError::Encode {
                path: path.to_owned(),
                what: format!("the key material of key `{}`", key.id),
            })?;
        connection
            .prepare_cached(
                "INSERT INTO materials (account, region, key_id, position, material_id, wrapped, created, origin)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )
            .and_then(|mut statement| {
                statement.execute(params![
                    account,
                    region,
                    key.id,
                    position as i64,
                    material_id,
                    wrapped,
                    material.created,
                    material.origin.as_str()
                ])
            })
            .map_err(failed("save a key material"))?;
    }
    Ok(())
}

/// Deletes a key with its material.
pub(super) fn remove_key(
    connection: &Connection,
    path: &Path,
    partition: &Partition,
    id: &str,
) -> Result<(), StoreError> {
    connection
        .prepare_cached("DELETE FROM keys WHERE account = ?1 AND region = ?2 AND id = ?3")
        .and_then(|mut statement| statement.execute(params![partition.account, partition.region, id]))
        .map(drop)
        .map_err(StoreError::database("remove a key", path))
}

pub(super) fn write_alias(
    connection: &Connection,
    path: &Path,
    partition: &Partition,
    alias: &Alias,
) -> Result<(), StoreError> {
    connection
        .prepare_cached(
            "INSERT INTO aliases (account, region, name, arn, target_key_id, created) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (account, region, name) DO UPDATE SET
                arn = excluded.arn, target_key_id = excluded.target_key_id, created = excluded.created",
        )
        .and_then(|mut statement| {
            statement.execute(params![
                partition.account,
                partition.region,
                alias.name,
                alias.arn,
                alias.target_key_id,
                alias.created
            ])
        })
        .map(drop)
        .map_err(StoreError::database("save an alias", path))
}

pub(super) fn remove_alias(
    connection: &Connection,
    path: &Path,
    partition: &Partition,
    name: &str,
) -> Result<(), StoreError> {
    connection
        .prepare_cached("DELETE FROM aliases WHERE account = ?1 AND region = ?2 AND name = ?3")
        .and_then(|mut statement| statement.execute(params![partition.account, partition.region, name]))
        .map(drop)
        .map_err(StoreError::database("remove an alias", path))
}

/// Upserts a grant; a grant written again keeps its place in the order.
pub(super) fn write_grant(
    connection: &Connection,
    path: &Path,
    partition: &Partition,
    grant: &StoredGrant,
) -> Result<(), StoreError> {
    let tokens = Value::Array(grant.tokens.iter().cloned().map(Value::String).collect()).to_string();
    connection
        .prepare_cached(
            "INSERT INTO grants (account, region, grant_id, key, grant_json, created_at, tokens)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT (account, region, grant_id) DO UPDATE SET
                key = excluded.key, grant_json = excluded.grant_json,
                created_at = excluded.created_at, tokens = excluded.tokens",
        )
        .and_then(|mut statement| {
            statement.execute(params![
                partition.account,
                partition.region,
                grant.grant_id,
                grant.key,
                grant.grant_json,
                grant.created_at,
                tokens
            ])
        })
        .map(drop)
        .map_err(StoreError::database("save a grant", path))
}

pub(super) fn remove_grant(
    connection: &Connection,
    path: &Path,
    partition: &Partition,
    grant_id: &str,
) -> Result<(), StoreError> {
    connection
        .prepare_cached("DELETE FROM grants WHERE account = ?1 AND region = ?2 AND grant_id = ?3")
        .and_then(|mut statement| statement.execute(params![partition.account, partition.region, grant_id]))
        .map(drop)
        .map_err(StoreError::database("remove a grant", path))
}

/// Records that a row changed and returns its sequence number.
pub(super) fn log_change(
    connection: &Connection,
    path: &Path,
    partition: &Partition,
    kind: Kind,
    id: &str,
) -> Result<u64, StoreError> {
    connection
        .prepare_cached("INSERT OR REPLACE INTO changes (account, region, kind, id) VALUES (?1, ?2, ?3, ?4)")
        .and_then(|mut statement| statement.insert(params![partition.account, partition.region, kind.as_str(), id]))
        .map_err(StoreError::database("log a change", path))
        .and_then(|seq| non_negative(path, seq, "change sequence"))
}

/// The last sequence number handed out; 0 before the first change.
pub(super) fn current_seq(connection: &Connection, path: &Path) -> Result<u64, StoreError> {
    let seq: i64 = connection
        .prepare_cached("SELECT coalesce(max(seq), 0) FROM changes")
        .and_then(|mut statement| statement.query_row([], |row| row.get(0)))
        .map_err(StoreError::database("read the change sequence", path))?;
    non_negative(path, seq, "change sequence")
}

/// SQLite's `PRAGMA data_version` on `connection`: a number that changes
/// whenever another connection (of this process or another) commits.
pub(super) fn data_version(connection: &Connection, path: &Path) -> Result<i64, StoreError> {
    connection
        .prepare_cached("PRAGMA data_version")
        .and_then(|mut statement| statement.query_row([], |row| row.get(0)))
        .map_err(StoreError::database("read the data version", path))
}

pub(super) fn non_negative(path: &Path, value: i64, what: &str) -> Result<u64, StoreError> {
    u64::try_from(value).map_err(|_| StoreError::corrupt(path, format!("{what} {value} is negative")))
}

pub(super) fn read_key(
    connection: &Connection,
    root: &RootKey,
    path: &Path,
    partition: &Partition,
    id: &str,
) -> Result<Option<StoredKey>, StoreError> {
    let failed = |action| StoreError::database(action, path);
    let p = params![partition.account, partition.region, id];
    let Some(row) = connection
        .prepare_cached(&format!(
            "SELECT {KEY_COLUMNS} FROM keys WHERE account = ?1 AND region = ?2 AND id = ?3"
        ))
        .and_then(|mut statement| statement.query_row(p, KeyRow::read).optional())
        .map_err(failed("read a key"))?
    else {
        return Ok(None);
    };
    let materials = connection
        .prepare_cached(&format!(
            "SELECT {MATERIAL_COLUMNS} FROM materials
             WHERE account = ?1 AND region = ?2 AND key_id = ?3 ORDER BY position"
        ))
        .and_then(|mut statement| {
            statement
                .query_map(p, MaterialRow::read)?
                .collect::<Result<Vec<_>, _>>()
        })
        .map_err(failed("read a key's material"))?
        .into_iter()
        .map(|m| m.unwrap(root, path))
        .collect::<Result<Vec<_>, _>>()?;
    row.check(path, materials).map(Some)
}

fn read_alias_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<(Partition, Alias)> {
    Ok((
        Partition::new(row.get::<_, String>(0)?, row.get::<_, String>(1)?),
        Alias {
            name: row.get(2)?,
            arn: row.get(3)?,
            target_key_id: row.get(4)?,
            created: row.get(5)?,
        },
    ))
}

pub(super) fn read_alias(
    connection: &Connection,
    path: &Path,
    partition: &Partition,
    name: &str,
) -> Result<Option<Alias>, StoreError> {
    connection
        .prepare_cached(
            "SELECT account, region, name, arn, target_key_id, created FROM aliases
             WHERE account = ?1 AND region = ?2 AND name = ?3",
        )
        .and_then(|mut statement| {
            statement
                .query_row(params![partition.account, partition.region, name], read_alias_row)
                .optional()
        })
        .map(|found| found.map(|(_, alias)| alias))
        .map_err(StoreError::database("read an alias", path))
}

/// A `grants` row before its tokens are read.
type GrantRow = (Partition, String, String, String, i64, String);

fn read_grant_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<GrantRow> {
    Ok((
        Partition::new(row.get::<_, String>(0)?, row.get::<_, String>(1)?),
        row.get(2)?,
        row.get(3)?,
        row.get(4)?,
        row.get(5)?,
        row.get(6)?,
    ))
}

fn check_grant(path: &Path, row: GrantRow) -> Result<(Partition, StoredGrant), StoreError> {
    let (partition, grant_id, key, grant_json, created_at, tokens) = row;
    let tokens: Vec<String> = serde_json::from_str(&tokens)
        .map_err(|_| StoreError::corrupt(path, format!("grant `{grant_id}` has tokens that do not read")))?;
    Ok((
        partition,
        StoredGrant {
            grant_id,
            key,
            grant_json,
            created_at,
            tokens,
        },
    ))
}

pub(super) fn read_grant(
    connection: &Connection,
    path: &Path,
    partition: &Partition,
    grant_id: &str,
) -> Result<Option<StoredGrant>, StoreError> {
    connection
        .prepare_cached(
            "SELECT account, region, grant_id, key, grant_json, created_at, tokens FROM grants
             WHERE account = ?1 AND region = ?2 AND grant_id = ?3",
        )
        .and_then(|mut statement| {
            statement
                .query_row(params![partition.account, partition.region, grant_id], read_grant_row)
                .optional()
        })
        .map_err(StoreError::database("read a grant", path))?
        .map(|row| check_grant(path, row).map(|(_, grant)| grant))
        .transpose()
}

/// Every partition with at least one row (or only `only`), ordered by
/// account and Region; keys by id, aliases by name, grants in the order
/// they were first written. Call inside one read transaction.
pub(super) fn read_partitions(
    connection: &Connection,
    root: &RootKey,
    path: &Path,
    only: Option<&Partition>,
) -> Result<Vec<PartitionState>, StoreError> {
    let failed = |action| StoreError::database(action, path);
    let filter = "(?1 IS NULL OR (account = ?1 AND region = ?2))";
    let p = params![only.map(|p| &p.account), only.map(|p| &p.region)];
    let mut partitions: BTreeMap<Partition, PartitionState> = BTreeMap::new();
    fn entry(partitions: &mut BTreeMap<Partition, PartitionState>, partition: Partition) -> &mut PartitionState {
        partitions.entry(partition.clone()).or_insert_with(|| PartitionState {
            partition,
            keys: Vec::new(),
            aliases: Vec::new(),
            grants: Vec::new(),
            custom_key_stores: Vec::new(),
            imports: Vec::new(),
        })
    }

    let mut materials: HashMap<(Partition, String), Vec<StoredMaterial>> = HashMap::new();
    let rows = connection
        .prepare(&format!(
            "SELECT {MATERIAL_COLUMNS} FROM materials WHERE {filter} ORDER BY account, region, key_id, position"
        ))
        .and_then(|mut statement| {
            statement
                .query_map(p, MaterialRow::read)?
                .collect::<Result<Vec<_>, _>>()
        })
        .map_err(failed("read the key material"))?;
    for row in rows {
        let place = (row.partition.clone(), row.key_id.clone());
        let material = row.unwrap(root, path)?;
        materials.entry(place).or_default().push(material);
    }
    let rows = connection
        .prepare(&format!(
            "SELECT {KEY_COLUMNS} FROM keys WHERE {filter} ORDER BY account, region, id"
        ))
        .and_then(|mut statement| statement.query_map(p, KeyRow::read)?.collect::<Result<Vec<_>, _>>())
        .map_err(failed("read the keys"))?;
    for row in rows {
        let own = materials
            .remove(&(row.partition.clone(), row.id.clone()))
            .unwrap_or_default();
        let partition = row.partition.clone();
        let key = row.check(path, own)?;
        entry(&mut partitions, partition).keys.push(key);
    }
    let rows = connection
        .prepare(&format!(
            "SELECT account, region, name, arn, target_key_id, created FROM aliases
             WHERE {filter} ORDER BY account, region, name"
        ))
        .and_then(|mut statement| statement.query_map(p, read_alias_row)?.collect::<Result<Vec<_>, _>>())
        .map_err(failed("read the aliases"))?;
    for (partition, alias) in rows {
        entry(&mut partitions, partition).aliases.push(alias);
    }
    let rows = connection
        .prepare(&format!(
            "SELECT account, region, grant_id, key, grant_json, created_at, tokens FROM grants
             WHERE {filter} ORDER BY position"
        ))
        .and_then(|mut statement| statement.query_map(p, read_grant_row)?.collect::<Result<Vec<_>, _>>())
        .map_err(failed("read the grants"))?;
    for row in rows {
        let (partition, grant) = check_grant(path, row)?;
        entry(&mut partitions, partition).grants.push(grant);
    }
    let rows = connection
        .prepare(&format!(
            "SELECT account, region, id, store FROM custom_key_stores WHERE {filter} ORDER BY account, region, id"
        ))
        .and_then(|mut statement| statement.query_map(p, read_store_row)?.collect::<Result<Vec<_>, _>>())
        .map_err(failed("read the custom key stores"))?;
    for row in rows {
        let (partition, store) = check_store(root, path, row)?;
        entry(&mut partitions, partition).custom_key_stores.push(store);
    }
    let rows = connection
        .prepare(&format!(
            "SELECT {} FROM import_tokens WHERE {filter} ORDER BY account, region, token_hash",
            import_tokens::COLUMNS
        ))
        .and_then(|mut statement| {
            statement
                .query_map(p, import_tokens::ImportRow::read)?
                .collect::<Result<Vec<_>, _>>()
        })
        .map_err(failed("read the import tokens"))?;
    for row in rows {
        let partition = row.partition.clone();
        let import = row.check(root, path)?;
        entry(&mut partitions, partition).imports.push(import);
    }
    Ok(partitions.into_values().collect())
}

/// The member of a store's JSON holding its proxy secret, wrapped under
/// the root key (base64).
const WRAPPED_SECRET: &str = "wrapped_proxy_secret";

/// Schema 5: a custom key store, as one JSON document; an external key
/// store's proxy secret is wrapped under the root key in it.
pub(super) fn write_store(
    connection: &Connection,
    root: &RootKey,
    path: &Path,
    partition: &Partition,
    store: &CustomKeyStore,
) -> Result<(), StoreError> {
    let encode = || StoreError::Encode {
        path: path.to_owned(),
        what: format!("custom key store `{}`", store.id),
    };
    let mut json = serde_json::to_value(store).map_err(|_| encode())?;
    if let Some(secret) = store.xks.as_ref().and_then(|p| p.secret.as_ref()) {
        let wrapped = wrap::wrap_secret(root, &store.id, secret.expose().as_bytes()).ok_or_else(encode)?;
        json[WRAPPED_SECRET] = Value::String(base64::Engine::encode(
            &base64::engine::general_purpose::STANDARD,
            wrapped,
        ));
    }
    let json = json.to_string();
    connection
        .prepare_cached(
            "INSERT INTO custom_key_stores (account, region, id, store) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (account, region, id) DO UPDATE SET store = excluded.store",
        )
        .and_then(|mut statement| statement.execute(params![partition.account, partition.region, store.id, json]))
        .map(drop)
        .map_err(StoreError::database("save a custom key store", path))
}

pub(super) fn remove_store(
    connection: &Connection,
    path: &Path,
    partition: &Partition,
    id: &str,
) -> Result<(), StoreError> {
    connection
        .prepare_cached("DELETE FROM custom_key_stores WHERE account = ?1 AND region = ?2 AND id = ?3")
        .and_then(|mut statement| statement.execute(params![partition.account, partition.region, id]))
        .map(drop)
        .map_err(StoreError::database("remove a custom key store", path))
}

/// A `custom_key_stores` row before its JSON is read.
type StoreRow = (Partition, String, String);

fn read_store_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<StoreRow> {
    Ok((
        Partition::new(row.get::<_, String>(0)?, row.get::<_, String>(1)?),
        row.get(2)?,
        row.get(3)?,
    ))
}

fn check_store(
    root: &RootKey,
    path: &Path,
    (partition, id, json): StoreRow,
) -> Result<(Partition, CustomKeyStore), StoreError> {
    let corrupt = |what: &str| StoreError::corrupt(path, format!("custom key store `{id}` {what}"));
    let mut json: Value = serde_json::from_str(&json).map_err(|_| corrupt("does not read"))?;
    let wrapped = json.as_object_mut().and_then(|members| members.remove(WRAPPED_SECRET));
    let mut store: CustomKeyStore = serde_json::from_value(json).map_err(|_| corrupt("does not read"))?;
    if store.id != id {
        return Err(corrupt("holds another id"));
    }
    if let Some(wrapped) = wrapped {
        let wrapped = wrapped
            .as_str()
            .and_then(|text| base64::Engine::decode(&base64::engine::general_purpose::STANDARD, text).ok())
            .ok_or_else(|| corrupt("has a proxy secret that does not read"))?;
        let secret = wrap::unwrap_secret(root, &id, &wrapped).map_err(|why| {
            corrupt(match why {
                Unwrap::OtherRootKey => "has a proxy secret wrapped under another root key",
                Unwrap::Invalid => "has a proxy secret that does not unwrap: it was changed or moved",
            })
        })?;
        let secret = std::str::from_utf8(&secret).map_err(|_| corrupt("has a proxy secret that is not text"))?;
        let proxy = store
            .xks
            .as_mut()
            .ok_or_else(|| corrupt("has a proxy secret but no proxy"))?;
        proxy.secret = Some(crate::kms::runtime::ProxySecret::new(secret));
    }
    Ok((partition, store))
}

pub(super) fn read_store(
    connection: &Connection,
    root: &RootKey,
    path: &Path,
    partition: &Partition,
    id: &str,
) -> Result<Option<CustomKeyStore>, StoreError> {
    connection
        .prepare_cached(
            "SELECT account, region, id, store FROM custom_key_stores WHERE account = ?1 AND region = ?2 AND id = ?3",
        )
        .and_then(|mut statement| {
            statement
                .query_row(params![partition.account, partition.region, id], read_store_row)
                .optional()
        })
        .map_err(StoreError::database("read a custom key store", path))?
        .map(|row| check_store(root, path, row).map(|(_, store)| store))
        .transpose()
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
