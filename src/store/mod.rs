//! Implementations of [`kms::Store`](crate::kms::Store): [`SqliteStore`],
//! one SQLite database (write-ahead log) in a state directory holding every
//! (account, Region) beside `root.key` (32 random bytes), both readable by
//! their owner only; and [`MemoryStore`] for `--ephemeral` and tests, with
//! [`FailingStore`] to inject commit failures.
//!
//! A commit writes only the rows it names, in one transaction, and logs
//! each in the change log (`changes`), whose sequence lets several
//! processes share one directory (optimistic concurrency, see
//! [`kms::Store`](crate::kms::Store)); concurrent commits of one process
//! share a transaction (`writer`). Key material never reaches the database
//! in the clear: each version is sealed under the root key with its key id
//! and material id bound in (`wrap`). The schema is versioned (`schema`,
//! `partitioned`), and older layouts are migrated or imported (`import`).
//! docs/store.md describes the schema and the contract.
//!
//! ```no_run
//! use keyward::kms::{Commit, Store};
//! use keyward::store::{default_dir, Options, SqliteStore};
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let store = SqliteStore::open_with(&default_dir(), Options::quiet())?;
//! let snapshot = store.load()?;
//! // … build a cache from `snapshot`, run a call, collect its changes …
//! let seq = store.commit(Commit { changes: vec![], audit: vec![], base: snapshot.seq })?;
//! # let _ = seq;
//! # Ok(())
//! # }
//! ```

mod audit;
mod busy;
mod error;
mod failing;
mod holder;
mod import;
mod import_tokens;
mod memory;
mod partitioned;
mod root_key;
mod rows;
mod schema;
mod sqlite;
mod wrap;
mod writer;

use std::ffi::OsString;
use std::fs::{self, OpenOptions};
use std::path::{Path, PathBuf};

pub use busy::{OnLost, OnWait, Options, Waiting, WRITER_QUEUE};
pub use error::StoreError;
pub use failing::FailingStore;
pub use import::IMPORTED_SUFFIX;
pub use memory::MemoryStore;
pub use schema::VERSION as SCHEMA_VERSION;
pub use sqlite::SqliteStore;

use root_key::{owner_only, sync_dir};

/// The database's file name in the state directory.
pub const DATABASE_FILE: &str = "keyward.db";
/// The root key's file name in the state directory.
pub const ROOT_KEY_FILE: &str = root_key::FILE_NAME;

/// The state directory when none is given: `$KEYWARD_STATE`, else
/// `$XDG_DATA_HOME/keyward`, else `$HOME/.local/share/keyward`, else
/// `.keyward` in the working directory.
pub fn default_dir() -> PathBuf {
    default_dir_from(|name| std::env::var_os(name))
}

fn default_dir_from(var: impl Fn(&str) -> Option<OsString>) -> PathBuf {
    let set = |name: &str| var(name).filter(|value| !value.is_empty()).map(PathBuf::from);
    if let Some(dir) = set("KEYWARD_STATE") {
        return dir;
    }
    // The XDG base directory specification ignores relative paths.
    if let Some(data) = set("XDG_DATA_HOME").filter(|d| d.is_absolute()) {
        return data.join("keyward");
    }
    match set("HOME") {
        Some(home) => home.join(".local").join("share").join("keyward"),
        None => PathBuf::from(".keyward"),
    }
}

/// Creates the state directory, owner-only (its parents get the usual
/// permissions). An existing directory is used as it is: the files in it
/// are owner-only themselves.
pub(super) fn create_dir(dir: &Path) -> Result<(), StoreError> {
    match fs::metadata(dir) {
        Ok(metadata) if metadata.is_dir() => return Ok(()),
        Ok(_) => {
            return Err(StoreError::io("use as the state directory", dir)(std::io::Error::new(
                std::io::ErrorKind::AlreadyExists,
                "it is not a directory",
            )))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(StoreError::io("inspect", dir)(e)),
    }
    if let Some(parent) = dir.parent().filter(|p| !p.as_os_str().is_empty()) {
        fs::create_dir_all(parent).map_err(StoreError::io("create", parent))?;
    }
    let mut builder = fs::DirBuilder::new();
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    match builder.create(dir) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && dir.is_dir() => Ok(()),
        Err(e) => Err(StoreError::io("create", dir)(e)),
    }
}

/// Creates an empty database file owner-only before SQLite sees it, since
/// SQLite would create it with the umask's permissions; its write-ahead log
/// and shared-memory files then take the same permissions from it.
pub(super) fn create_database_file(dir: &Path, database: &Path) -> Result<(), StoreError> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(database) {
        Ok(_) => sync_dir(dir)?,
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(StoreError::io("create", database)(e)),
    }
    let metadata = fs::metadata(database).map_err(StoreError::io("inspect", database))?;
    owner_only(database, &metadata, 0o600)
}

#[cfg(test)]
mod tests;
