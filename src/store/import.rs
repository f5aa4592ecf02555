//! Importing the old server layout: before schema version 3 the server kept
//! one database per (account, Region) in `<state>/<account>/<region>/`,
//! each with its own root key. Opening the state directory moves each of
//! them into the one database: a consistent copy is taken (`VACUUM INTO`),
//! migrated to the current schema, read with its own root key and written
//! under the state's root key with fresh audit event ids, in one
//! transaction that also records the import; then the old database is
//! renamed `keyward.db.imported` (kept, never deleted).

use std::fs::{self, OpenOptions};
use std::path::{Path, PathBuf};

use rusqlite::{params, Connection, OptionalExtension, Transaction, TransactionBehavior};

use super::busy::{Options, Patience};
use super::root_key::RootKey;
use super::rows::{self, Kind};
use super::{audit, schema, StoreError, DATABASE_FILE};
use crate::kms::PartitionState;

/// The suffix an imported database is renamed with.
pub const IMPORTED_SUFFIX: &str = ".imported";

/// Imports every `<dir>/<12-digit account>/<region>/keyward.db`.
pub(super) fn old_layout(
    connection: &Connection,
    root: &RootKey,
    dir: &Path,
    options: &Options,
) -> Result<(), StoreError> {
    for old in find(dir)? {
        import(connection, root, dir, &old, options)?;
    }
    Ok(())
}

/// The old databases under `dir`, in a stable order.
fn find(dir: &Path) -> Result<Vec<PathBuf>, StoreError> {
    let mut found = Vec::new();
    for account in subdirectories(dir)? {
        let is_account = account
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.len() == 12 && n.bytes().all(|b| b.is_ascii_digit()));
        if !is_account {
            continue;
        }
        for region in subdirectories(&account)? {
            let database = region.join(DATABASE_FILE);
            if database.is_file() {
                found.push(database);
            }
        }
    }
    found.sort();
    Ok(found)
}

fn subdirectories(dir: &Path) -> Result<Vec<PathBuf>, StoreError> {
    let entries = fs::read_dir(dir).map_err(StoreError::io("list", dir))?;
    let mut dirs = Vec::new();
    for entry in entries {
        let entry = entry.map_err(StoreError::io("list", dir))?;
        if entry
            .file_type()
            .map_err(StoreError::io("inspect", &entry.path()))?
            .is_dir()
        {
            dirs.push(entry.path());
        }
    }
    Ok(dirs)
}

fn import(
    connection: &Connection,
    root: &RootKey,
    dir: &Path,
    old: &Path,
    options: &Options,
) -> Result<(), StoreError> {
    let main = dir.join(DATABASE_FILE);
    let failed = |action| StoreError::database(action, &main);
    let Some(old_dir) = old.parent() else {
        return Ok(());
    };
    // The name the import is recorded under: relative, so a state directory
    // moved elsewhere does not import twice.
    let name = old.strip_prefix(dir).unwrap_or(old).to_string_lossy().into_owned();
    // An old server still running holds this lock.
    let _lock = lock(old_dir, old)?;
    let tx = Patience::new(options, &main)
        .retry(|| Transaction::new_unchecked(connection, TransactionBehavior::Immediate))
        .map_err(failed("start an import"))?;
    let done = tx
        .query_row("SELECT 1 FROM imports WHERE path = ?1", [&name], |_| Ok(()))
        .optional()
        .map_err(failed("read the imports"))?
        .is_some();
    if !done {
        let (partitions, records) = read_old(old_dir, old, options)?;
        let mut next = audit::last_event_id(&tx, &main)?;
        for partition in &partitions {
            write(&tx, root, &main, partition)?;
        }
        for row in records {
            next += 1;
            let record =
                renumber(&row.record, next).ok_or_else(|| StoreError::corrupt(old, "an audit record does not read"))?;
            tx.execute(
                "INSERT INTO audit (event_id, account, region, time, key_arn, principal_arn, operation, error_code, record)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![
                    i64::try_from(next).unwrap_or(i64::MAX),
                    row.account,
                    row.region,
                    row.time,
                    row.key_arn,
                    row.principal_arn,
                    row.operation,
                    row.error_code,
                    record
                ],
            )
            .map_err(failed("import the audit log"))?;
        }
        tx.execute("INSERT INTO imports (path, imported) VALUES (?1, unixepoch())", [&name])
            .map_err(failed("record an import"))?;
    }
    tx.commit().map_err(failed("commit an import"))?;
    set_aside(old)
}

/// Takes the old directory's `keyward.lock` (when there is one) for the
/// import, refusing when an old server holds it.
fn lock(old_dir: &Path, old: &Path) -> Result<Option<fs::File>, StoreError> {
    let path = old_dir.join("keyward.lock");
    let file = match OpenOptions::new().write(true).open(&path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(StoreError::io("open", &path)(e)),
    };
    if file.try_lock().is_err() {
        return Err(StoreError::ImportBusy { path: old.to_owned() });
    }
    Ok(Some(file))
}

/// An `audit` row of an old database.
struct AuditRow {
    account: String,
    region: String,
    time: String,
    key_arn: Option<String>,
    principal_arn: String,
    operation: String,
    error_code: Option<String>,
    record: String,
}

/// The old database's rows and audit records, read from a migrated copy so
/// that any schema version this code knows reads the same way.
fn read_old(old_dir: &Path, old: &Path, options: &Options) -> Result<(Vec<PartitionState>, Vec<AuditRow>), StoreError> {
    let old_root = RootKey::load_or_create(old_dir, false, old)?;
    let copy = old_dir.join(format!("{DATABASE_FILE}.importing"));
    let _ = fs::remove_file(&copy);
    let result = copy_and_read(old, &copy, &old_root, options);
    let _ = fs::remove_file(&copy);
    result
}

fn copy_and_read(
    old: &Path,
    copy: &Path,
    old_root: &RootKey,
    options: &Options,
) -> Result<(Vec<PartitionState>, Vec<AuditRow>), StoreError> {
    {
        // Owner-only before SQLite fills it.
        let mut create = OpenOptions::new();
        create.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut create, 0o600);
        create.open(copy).map_err(StoreError::io("create", copy))?;
        let source = Connection::open(old).map_err(StoreError::database("open", old))?;
        source
            .busy_timeout(super::busy::STEP)
            .map_err(StoreError::database("set the busy timeout", old))?;
        Patience::new(options, old)
            .retry(|| source.execute("VACUUM INTO ?1", [copy.to_string_lossy()]))
            .map_err(StoreError::database("copy", old))?;
    }
    let connection = Connection::open(copy).map_err(StoreError::database("open", copy))?;
    schema::migrate(&connection, copy, &mut Patience::new(options, copy)).map_err(|e| match e {
        StoreError::TooNew { found, known, .. } => StoreError::TooNew {
            path: old.to_owned(),
            found,
            known,
        },
        StoreError::Unmigratable { version, why, .. } => StoreError::Unmigratable {
            path: old.to_owned(),
            version,
            why,
        },
        other => other,
    })?;
    let partitions = rows::read_partitions(&connection, old_root, old, None)?;
    let records = connection
        .prepare(
            "SELECT account, region, time, key_arn, principal_arn, operation, error_code, record
             FROM audit ORDER BY event_id",
        )
        .and_then(|mut statement| {
            statement
                .query_map([], |row| {
                    Ok(AuditRow {
                        account: row.get(0)?,
                        region: row.get(1)?,
                        time: row.get(2)?,
                        key_arn: row.get(3)?,
                        principal_arn: row.get(4)?,
                        operation: row.get(5)?,
                        error_code: row.get(6)?,
                        record: row.get(7)?,
                    })
                })?
                .collect::<Result<Vec<_>, _>>()
        })
        .map_err(StoreError::database("read the audit log", old))?;
    Ok((partitions, records))
}

/// Writes one old partition's rows under the state's root key, each
/// logged as a change.
fn write(tx: &Connection, root: &RootKey, main: &Path, partition: &PartitionState) -> Result<(), StoreError> {
    let place = &partition.partition;
    for key in &partition.keys {
        rows::write_key(tx, root, main, place, key)?;
        rows::log_change(tx, main, place, Kind::Key, &key.id)?;
    }
    for alias in &partition.aliases {
        rows::write_alias(tx, main, place, alias)?;
        rows::log_change(tx, main, place, Kind::Alias, &alias.name)?;
    }
    for grant in &partition.grants {
        rows::write_grant(tx, main, place, grant)?;
        rows::log_change(tx, main, place, Kind::Grant, &grant.grant_id)?;
    }
    Ok(())
}

fn renumber(record: &str, event_id: u64) -> Option<String> {
    let mut json: serde_json::Value = serde_json::from_str(record).ok()?;
    json.as_object_mut()?
        .insert("eventID".into(), serde_json::Value::from(event_id));
    Some(json.to_string())
}

/// Renames the old database (and its log, if one is left) out of the way.
fn set_aside(old: &Path) -> Result<(), StoreError> {
    for suffix in ["", "-wal", "-shm"] {
        let from = PathBuf::from(format!("{}{suffix}", old.display()));
        let to = PathBuf::from(format!("{}{IMPORTED_SUFFIX}{suffix}", old.display()));
        match fs::rename(&from, &to) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(StoreError::io("rename", &from)(e)),
        }
    }
    Ok(())
}
