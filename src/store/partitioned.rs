//! Schema version 3: one database for every (account, Region). Each state
//! table gains `account` and `region`; a change log numbers every row
//! written; grant tokens are kept as SHA-256 hashes; the database numbers
//! audit events. A version 2 database (one partition, named by its
//! `instance` row) moves into the new tables unchanged but for the tokens.

use std::path::Path;

use rusqlite::{params, OptionalExtension, Transaction};

use super::StoreError;

const TABLES: &str = "
CREATE TABLE keys (
    account         TEXT NOT NULL,
    region          TEXT NOT NULL,
    id              TEXT NOT NULL,
    arn             TEXT NOT NULL,
    manager         TEXT NOT NULL,
    description     TEXT NOT NULL,
    state           TEXT NOT NULL,
    key_spec        TEXT NOT NULL,
    key_usage       TEXT NOT NULL,
    created         INTEGER NOT NULL,
    deletion_date   INTEGER,
    policy_text     TEXT NOT NULL,
    rotation_period INTEGER,
    rotation_next   INTEGER,
    tags            TEXT NOT NULL, -- a JSON object
    PRIMARY KEY (account, region, id)
) STRICT;

-- Every version of a key's material, oldest first (by position), wrapped
-- under the root key with the key id and material id bound in.
CREATE TABLE materials (
    account     TEXT NOT NULL,
    region      TEXT NOT NULL,
    key_id      TEXT NOT NULL,
    position    INTEGER NOT NULL,
    material_id TEXT NOT NULL, -- 64 hex characters
    wrapped     BLOB NOT NULL,
    created     INTEGER NOT NULL,
    origin      TEXT NOT NULL,
    PRIMARY KEY (account, region, key_id, material_id),
    FOREIGN KEY (account, region, key_id) REFERENCES keys (account, region, id) ON DELETE CASCADE
) STRICT;

CREATE TABLE aliases (
    account       TEXT NOT NULL,
    region        TEXT NOT NULL,
    name          TEXT NOT NULL,
    arn           TEXT NOT NULL,
    target_key_id TEXT NOT NULL,
    created       INTEGER NOT NULL,
    PRIMARY KEY (account, region, name)
) STRICT;

-- `position` keeps the order grants were first written in.
CREATE TABLE grants (
    position   INTEGER PRIMARY KEY,
    account    TEXT NOT NULL,
    region     TEXT NOT NULL,
    grant_id   TEXT NOT NULL,
    key        TEXT NOT NULL, -- the key ARN
    grant_json TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    tokens     TEXT NOT NULL, -- a JSON array of SHA-256 hashes, lowercase hex
    UNIQUE (account, region, grant_id)
) STRICT;

-- Append-only; `record` is the whole CloudTrail-shaped record, its
-- `eventID` the row's `event_id`.
CREATE TABLE audit (
    event_id      INTEGER PRIMARY KEY AUTOINCREMENT,
    account       TEXT NOT NULL,
    region        TEXT NOT NULL,
    time          TEXT NOT NULL,
    key_arn       TEXT,
    principal_arn TEXT NOT NULL,
    operation     TEXT NOT NULL,
    error_code    TEXT,
    record        TEXT NOT NULL
) STRICT;
CREATE INDEX audit_key ON audit (key_arn);
CREATE INDEX audit_principal ON audit (principal_arn);
CREATE INDEX audit_operation ON audit (operation COLLATE NOCASE);

-- The change log: the last change of every row ever written, by sequence.
-- A row changed again moves to the end (its old entry is replaced).
CREATE TABLE changes (
    seq     INTEGER PRIMARY KEY AUTOINCREMENT,
    account TEXT NOT NULL,
    region  TEXT NOT NULL,
    kind    TEXT NOT NULL CHECK (kind IN ('key', 'alias', 'grant')),
    id      TEXT NOT NULL,
    UNIQUE (account, region, kind, id)
) STRICT;

-- Databases of the old server layout already imported (`import`).
CREATE TABLE imports (
    path     TEXT PRIMARY KEY,
    imported INTEGER NOT NULL
) STRICT;
";

/// The old tables, renamed out of the way while their rows move.
const RENAME_OLD: &str = "
DROP INDEX audit_by_key;
DROP INDEX audit_by_principal;
DROP INDEX audit_by_operation;
ALTER TABLE materials RENAME TO v2_materials;
ALTER TABLE keys RENAME TO v2_keys;
ALTER TABLE aliases RENAME TO v2_aliases;
ALTER TABLE grants RENAME TO v2_grants;
ALTER TABLE audit RENAME TO v2_audit;
";

const DROP_OLD: &str = "
DROP TABLE v2_materials;
DROP TABLE v2_keys;
DROP TABLE v2_aliases;
DROP TABLE v2_grants;
DROP TABLE v2_audit;
DROP TABLE instance;
";

/// Version 2 → 3, inside the migration's transaction.
pub(super) fn migrate(tx: &Transaction<'_>, path: &Path) -> Result<(), StoreError> {
    let failed = |action| StoreError::database(action, path);
    let partition: Option<(String, String)> = tx
        .query_row("SELECT account, region FROM instance WHERE id = 1", [], |row| {
            Ok((row.get(0)?, row.get(1)?))
        })
        .optional()
        .map_err(failed("read the account of a version 2 state"))?;
    tx.execute_batch(RENAME_OLD)
        .and_then(|()| tx.execute_batch(TABLES))
        .map_err(failed("create the version 3 tables"))?;
    let rows: i64 = tx
        .query_row(
            "SELECT (SELECT count(*) FROM v2_keys) + (SELECT count(*) FROM v2_aliases)
                  + (SELECT count(*) FROM v2_grants) + (SELECT count(*) FROM v2_audit)",
            [],
            |row| row.get(0),
        )
        .map_err(failed("count the rows of a version 2 state"))?;
    match partition {
        Some((account, region)) => move_rows(tx, path, &account, &region)?,
        None if rows == 0 => {}
        None => {
            return Err(StoreError::Unmigratable {
                path: path.to_owned(),
                version: 2,
                why: "it holds keys or audit records but not the account and Region they belong to".into(),
            })
        }
    }
    tx.execute_batch(DROP_OLD).map_err(failed("drop the version 2 tables"))
}

/// Copies every row of the version 2 tables into `account`/`region`.
fn move_rows(tx: &Transaction<'_>, path: &Path, account: &str, region: &str) -> Result<(), StoreError> {
    let failed = |action| StoreError::database(action, path);
    tx.execute(
        "INSERT INTO keys (account, region, id, arn, manager, description, state, key_spec, key_usage,
                           created, deletion_date, policy_text, rotation_period, rotation_next, tags)
         SELECT ?1, ?2, id, arn, manager, description, state, key_spec, key_usage,
                created, deletion_date, policy_text, rotation_period, rotation_next, tags
         FROM v2_keys",
        params![account, region],
    )
    .map_err(failed("move the keys"))?;
    tx.execute(
        "INSERT INTO materials (account, region, key_id, position, material_id, wrapped, created, origin)
         SELECT ?1, ?2, key_id, position, material_id, wrapped, created, origin FROM v2_materials",
        params![account, region],
    )
    .map_err(failed("move the key material"))?;
    tx.execute(
        "INSERT INTO aliases (account, region, name, arn, target_key_id, created)
         SELECT ?1, ?2, name, arn, target_key_id, created FROM v2_aliases",
        params![account, region],
    )
    .map_err(failed("move the aliases"))?;
    tx.execute(
        "INSERT INTO audit (event_id, account, region, time, key_arn, principal_arn, operation, error_code, record)
         SELECT event_id, ?1, ?2, time, key_arn, principal_arn, operation, error_code, record
         FROM v2_audit ORDER BY event_id",
        params![account, region],
    )
    .map_err(failed("move the audit log"))?;

    let grants = tx
        .prepare("SELECT position, key, grant_json, created_at, tokens FROM v2_grants ORDER BY position")
        .and_then(|mut statement| {
            statement
                .query_map([], |row| {
                    Ok((
                        row.get::<_, i64>(0)?,
                        row.get::<_, String>(1)?,
                        row.get::<_, String>(2)?,
                        row.get::<_, i64>(3)?,
                        row.get::<_, String>(4)?,
                    ))
                })?
                .collect::<Result<Vec<_>, _>>()
        })
        .map_err(failed("read the grants"))?;
    for (position, key, grant_json, created_at, tokens) in grants {
        let corrupt = |what: &str| StoreError::corrupt(path, format!("a grant of key `{key}` has {what}"));
        let tokens: Vec<String> = serde_json::from_str(&tokens).map_err(|_| corrupt("tokens that do not read"))?;
        let hashes: Vec<serde_json::Value> = tokens
            .iter()
            .map(|t| serde_json::Value::String(crate::kms::token_hash(t)))
            .collect();
        let grant: serde_json::Value =
            serde_json::from_str(&grant_json).map_err(|_| corrupt("a grant that does not read"))?;
        let grant_id = match grant.get("GrantId").and_then(|id| id.as_str()) {
            Some(id) => id.to_owned(),
            None => format!("keyward-v2-grant-{position}"),
        };
        tx.execute(
            "INSERT INTO grants (position, account, region, grant_id, key, grant_json, created_at, tokens)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                position,
                account,
                region,
                grant_id,
                key,
                grant_json,
                created_at,
                serde_json::Value::Array(hashes).to_string()
            ],
        )
        .map_err(failed("move the grants"))?;
    }
    // Every moved row enters the change log, so a process that had only
    // read the (empty) new tables catches up with them.
    tx.execute_batch(
        "INSERT INTO changes (account, region, kind, id)
           SELECT account, region, 'key', id FROM keys
           UNION ALL SELECT account, region, 'alias', name FROM aliases
           UNION ALL SELECT account, region, 'grant', grant_id FROM grants",
    )
    .map_err(failed("log the moved rows"))
}
