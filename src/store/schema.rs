//! The database schema as a list of migrations: version N is the state after
//! the first N have run. `migrate` applies the missing ones in one
//! transaction and refuses a database newer than this code. Versions 1 and 2
//! held one (account, Region); version 3 (`partitioned`) holds them all.

use std::path::Path;

use rusqlite::{Connection, Transaction, TransactionBehavior};

use super::busy::Patience;
use super::{partitioned, StoreError};

/// Version 1: the runtime's account and Region, keys, their wrapped
/// material, aliases, grants and the audit log.
pub(super) const V1: &str = "
CREATE TABLE instance (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    account TEXT NOT NULL,
    region  TEXT NOT NULL
) STRICT;

CREATE TABLE keys (
    id              TEXT PRIMARY KEY,
    arn             TEXT NOT NULL UNIQUE,
    description     TEXT NOT NULL,
    state           TEXT NOT NULL,
    key_spec        TEXT NOT NULL,
    key_usage       TEXT NOT NULL,
    created         INTEGER NOT NULL,
    deletion_date   INTEGER,
    policy_text     TEXT NOT NULL,
    rotation_period INTEGER,
    rotation_next   INTEGER,
    tags            TEXT NOT NULL -- a JSON object
) STRICT;

-- Every version of a key's material, oldest first, wrapped under the root
-- key with the key id and material id bound in: never the material itself.
CREATE TABLE materials (
    key_id      TEXT NOT NULL REFERENCES keys (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    material_id TEXT NOT NULL, -- 64 hex characters
    wrapped     BLOB NOT NULL,
    created     INTEGER NOT NULL,
    origin      TEXT NOT NULL,
    PRIMARY KEY (key_id, material_id),
    UNIQUE (key_id, position)
) STRICT;

-- Aliases and grants are kept as the runtime keeps them, even when their key
-- is gone: the runtime, not the schema, decides what a dangling one means.
CREATE TABLE aliases (
    name          TEXT PRIMARY KEY,
    arn           TEXT NOT NULL,
    target_key_id TEXT NOT NULL,
    created       INTEGER NOT NULL
) STRICT;

CREATE TABLE grants (
    position   INTEGER PRIMARY KEY,
    key        TEXT NOT NULL, -- the key ARN
    grant_json TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    tokens     TEXT NOT NULL -- a JSON array
) STRICT;

-- Append-only; `record` is the whole CloudTrail-shaped record.
CREATE TABLE audit (
    event_id      INTEGER PRIMARY KEY,
    time          TEXT NOT NULL,
    key_arn       TEXT,
    principal_arn TEXT NOT NULL,
    operation     TEXT NOT NULL,
    error_code    TEXT,
    record        TEXT NOT NULL
) STRICT;
CREATE INDEX audit_by_key ON audit (key_arn);
CREATE INDEX audit_by_principal ON audit (principal_arn);
CREATE INDEX audit_by_operation ON audit (operation COLLATE NOCASE);
";

/// Version 2: who manages each key (`CUSTOMER`, `AWS` or `AWS_OWNED`).
pub(super) const V2: &str = "
ALTER TABLE keys ADD COLUMN manager TEXT NOT NULL DEFAULT 'CUSTOMER';
";

/// One migration: a script, or code where SQL alone cannot do it.
enum Migration {
    Sql(&'static str),
    Code(fn(&Transaction<'_>, &Path) -> Result<(), StoreError>),
}

/// The migrations, in order. Append; never edit one that has shipped.
const MIGRATIONS: &[Migration] = &[
    Migration::Sql(V1),
    Migration::Sql(V2),
    Migration::Code(partitioned::migrate),
    Migration::Sql(V4),
    Migration::Sql(V5),
    Migration::Sql(V6),
];

/// Schema 4: properties only some keys have (a multi-Region key's copies),
/// as one JSON object.
const V4: &str = "ALTER TABLE keys ADD COLUMN properties TEXT NOT NULL DEFAULT '{}';";

/// Schema 5: custom key stores, one JSON document each, and the change log
/// taking their kind (its `CHECK` is rebuilt: SQLite cannot alter one; the
/// sequence numbers are copied, so a cache at any sequence still catches up).
const V5: &str = "
CREATE TABLE custom_key_stores (
    account TEXT NOT NULL,
    region  TEXT NOT NULL,
    id      TEXT NOT NULL,
    store   TEXT NOT NULL, -- the store as JSON (never a password or secret key)
    PRIMARY KEY (account, region, id)
) STRICT;
ALTER TABLE changes RENAME TO changes_v4;
CREATE TABLE changes (
    seq     INTEGER PRIMARY KEY AUTOINCREMENT,
    account TEXT NOT NULL,
    region  TEXT NOT NULL,
    kind    TEXT NOT NULL CHECK (kind IN ('key', 'alias', 'grant', 'custom_key_store')),
    id      TEXT NOT NULL,
    UNIQUE (account, region, kind, id)
) STRICT;
INSERT INTO changes (seq, account, region, kind, id) SELECT seq, account, region, kind, id FROM changes_v4;
DROP TABLE changes_v4;
";

/// Schema 6: the import tokens handed out and not yet used
/// (table `import_tokens`), and the change log taking their kind.
const V6: &str = "
CREATE TABLE import_tokens (
    account           TEXT NOT NULL,
    region            TEXT NOT NULL,
    token_hash        TEXT NOT NULL, -- SHA-256 of the import token (hex), never the token
    key_arn           TEXT NOT NULL,
    algorithm         TEXT NOT NULL,
    wrapping_key_spec TEXT NOT NULL,
    expires           INTEGER NOT NULL,
    wrapped_key       BLOB NOT NULL, -- the wrapping private key, sealed under the root key
    PRIMARY KEY (account, region, token_hash)
) STRICT;
ALTER TABLE changes RENAME TO changes_v5;
CREATE TABLE changes (
    seq     INTEGER PRIMARY KEY AUTOINCREMENT,
    account TEXT NOT NULL,
    region  TEXT NOT NULL,
    kind    TEXT NOT NULL CHECK (kind IN ('key', 'alias', 'grant', 'custom_key_store', 'import')),
    id      TEXT NOT NULL,
    UNIQUE (account, region, kind, id)
) STRICT;
INSERT INTO changes (seq, account, region, kind, id) SELECT seq, account, region, kind, id FROM changes_v5;
DROP TABLE changes_v5;
";

/// The schema version this code reads and writes.
pub const VERSION: i64 = MIGRATIONS.len() as i64;

/// Brings the database to [`VERSION`], or refuses one that is newer. The
/// check and the migrations run under one write lock (`BEGIN IMMEDIATE`,
/// waited for patiently), so two processes opening a new state at once
/// migrate it once.
pub(super) fn migrate(connection: &Connection, path: &Path, patience: &mut Patience<'_>) -> Result<(), StoreError> {
    let failed = |action| StoreError::database(action, path);
    let tx = patience
        .retry(|| Transaction::new_unchecked(connection, TransactionBehavior::Immediate))
        .map_err(failed("start the migration"))?;
    tx.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_version (
            version INTEGER PRIMARY KEY,
            applied INTEGER NOT NULL
        ) STRICT",
    )
    .map_err(failed("create the schema version table"))?;
    let current: i64 = tx
        .query_row("SELECT coalesce(max(version), 0) FROM schema_version", [], |row| {
            row.get(0)
        })
        .map_err(failed("read the schema version"))?;
    if current > VERSION {
        return Err(StoreError::TooNew {
            path: path.to_owned(),
            found: current,
            known: VERSION,
        });
    }
    let done = usize::try_from(current)
        .map_err(|_| StoreError::corrupt(path, format!("schema version {current} is negative")))?;
    for (index, migration) in MIGRATIONS.iter().enumerate().skip(done) {
        match migration {
            Migration::Sql(sql) => tx.execute_batch(sql).map_err(failed("migrate the schema"))?,
            Migration::Code(run) => run(&tx, path)?,
        }
        tx.execute(
            "INSERT INTO schema_version (version, applied) VALUES (?1, unixepoch())",
            [index as i64 + 1],
        )
        .map_err(failed("record the schema version"))?;
    }
    tx.commit().map_err(failed("commit the migration"))
}
