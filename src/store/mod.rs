//! The embedded persistent store of the runtime: a state directory holding
//! `keyward.db` (SQLite, write-ahead log) and `root.key` (32 random bytes),
//! both readable by their owner only.
//!
//! [`Store::save`] writes what [`Runtime::export`] returns and the records
//! [`AuditLog::drain`] hands over, in one transaction; [`Store::load`] reads
//! it back for [`Runtime::restore`], and [`Store::last_event_id`] feeds
//! [`AuditLog::resume_after`]. Key material never reaches the database in
//! the clear: each version is sealed under the root key with its key id and
//! material id bound in (`wrap`). The schema is versioned (`schema`).
//!
//! ```no_run
//! use keyward::kms::runtime::{Runtime, SystemClock};
//! use keyward::store::{default_dir, Store};
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let mut store = Store::open(&default_dir())?;
//! let mut runtime = Runtime::new("111122223333", "us-east-1", SystemClock);
//! if let Some(state) = store.load()? {
//!     runtime.restore(state)?;
//! }
//! runtime.audit.resume_after(store.last_event_id()?);
//! // … calls on the runtime …
//! store.save(&runtime.export(), &runtime.audit.drain())?;
//! # Ok(())
//! # }
//! ```
//!
//! [`Runtime::export`]: crate::kms::runtime::Runtime::export
//! [`Runtime::restore`]: crate::kms::runtime::Runtime::restore
//! [`AuditLog::drain`]: crate::kms::runtime::AuditLog::drain
//! [`AuditLog::resume_after`]: crate::kms::runtime::AuditLog::resume_after

mod audit;
mod error;
mod load;
mod root_key;
mod save;
mod schema;
mod wrap;

use std::ffi::OsString;
use std::fmt;
use std::fs::{self, OpenOptions};
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

pub use error::StoreError;
pub use schema::VERSION as SCHEMA_VERSION;

use root_key::{owner_only, sync_dir, RootKey};

/// The database's file name in the state directory.
pub const DATABASE_FILE: &str = "keyward.db";
/// The root key's file name in the state directory.
pub const ROOT_KEY_FILE: &str = root_key::FILE_NAME;

/// An open state directory. One `Store` per process: [`Store::save`]
/// replaces the whole saved state, so two processes saving into the same
/// directory would overwrite each other's changes.
pub struct Store {
    dir: PathBuf,
    database: PathBuf,
    connection: Connection,
    root: RootKey,
}

impl fmt::Debug for Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Store").field("dir", &self.dir).finish_non_exhaustive()
    }
}

impl Store {
    /// Opens the store in `dir`, creating the directory (owner-only), the
    /// root key and the database when they do not exist yet, and bringing
    /// the schema up to date. Refuses a root key of the wrong size, files
    /// that others may read, a database without its root key, and a
    /// database written by a newer keyward.
    pub fn open(dir: &Path) -> Result<Store, StoreError> {
        create_dir(dir)?;
        let database = dir.join(DATABASE_FILE);
        let has_data = match fs::metadata(&database) {
            Ok(metadata) => metadata.len() > 0,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => false,
            Err(e) => return Err(StoreError::io("inspect", &database)(e)),
        };
        let root = RootKey::load_or_create(dir, !has_data, &database)?;
        create_database_file(dir, &database)?;
        let mut connection = Connection::open_with_flags(
            &database,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(StoreError::database("open the database", &database))?;
        configure(&connection, &database)?;
        schema::migrate(&mut connection, &database)?;
        Ok(Store {
            dir: dir.to_owned(),
            database,
            connection,
            root,
        })
    }

    /// The state directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

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
fn create_dir(dir: &Path) -> Result<(), StoreError> {
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
fn create_database_file(dir: &Path, database: &Path) -> Result<(), StoreError> {
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

fn configure(connection: &Connection, database: &Path) -> Result<(), StoreError> {
    let failed = |action| StoreError::database(action, database);
    connection
        .busy_timeout(Duration::from_secs(5))
        .map_err(failed("set the busy timeout"))?;
    let mode: String = connection
        .pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))
        .map_err(failed("turn on the write-ahead log"))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(StoreError::NoWriteAheadLog {
            path: database.to_owned(),
            mode,
        });
    }
    // With a write-ahead log, NORMAL already survives a killed process: a
    // commit has been written to the log (the OS holds it) before it returns.
    // FULL also syncs the log to the disk on every commit, so an acknowledged
    // save survives an operating-system crash or a power cut too, which is
    // what "a crash at any point loses no acknowledged operation" asks for.
    connection
        .pragma_update(None, "synchronous", "FULL")
        .map_err(failed("set synchronous writes"))?;
    connection
        .pragma_update(None, "foreign_keys", "ON")
        .map_err(failed("turn on foreign keys"))?;
    Ok(())
}

#[cfg(test)]
mod tests;
