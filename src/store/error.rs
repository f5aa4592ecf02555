//! Why a store could not open, load or save: each error names the file, and
//! none of them ever carries key material.

use std::path::{Path, PathBuf};

use miette::Diagnostic;
use thiserror::Error;

/// A store failure. Displays in lower case with the path it concerns; the
/// `help` says what to do about it.
#[derive(Debug, Error, Diagnostic)]
pub enum StoreError {
    #[error("cannot {action} `{}`: {error}", path.display())]
    #[diagnostic(
        code("keyward::store::io"),
        help("check that the state directory exists, is yours and has free space")
    )]
    Io {
        action: &'static str,
        path: PathBuf,
        error: std::io::Error,
    },

    #[error("cannot {action} in the database `{}`: {error}", path.display())]
    #[diagnostic(
        code("keyward::store::database"),
        help("another keyward may hold the database busy; if the file is damaged, restore it from a backup")
    )]
    Database {
        action: &'static str,
        path: PathBuf,
        error: rusqlite::Error,
    },

    #[error("`{}` can be read or written by other users (mode {mode:03o})", path.display())]
    #[diagnostic(
        code("keyward::store::permissions"),
        help("the store keeps its files to their owner: `chmod {wanted:o}` it, after checking nobody else could have read it")
    )]
    Permissions { path: PathBuf, mode: u32, wanted: u32 },

    #[error("the root key `{}` is {size} bytes, not 32", path.display())]
    #[diagnostic(
        code("keyward::store::root-key-invalid"),
        help("the root key is 32 random bytes written by keyward; restore the original file, or start a new state directory")
    )]
    RootKeyInvalid { path: PathBuf, size: u64 },

    #[error("the database `{}` exists but its root key `{}` does not", database.display(), root_key.display())]
    #[diagnostic(
        code("keyward::store::root-key-missing"),
        help("without the root key the key material in the database cannot be unwrapped; restore `root.key` from a backup")
    )]
    RootKeyMissing { database: PathBuf, root_key: PathBuf },

    #[error("the database `{}` has schema version {found}, newer than the {known} this keyward knows", path.display())]
    #[diagnostic(
        code("keyward::store::too-new"),
        help("a newer keyward wrote this state; use that version, or a new state directory")
    )]
    TooNew { path: PathBuf, found: i64, known: i64 },

    #[error("the database `{}` cannot use a write-ahead log (journal mode `{mode}`)", path.display())]
    #[diagnostic(
        code("keyward::store::no-write-ahead-log"),
        help("keep the state directory on a local file system; network file systems cannot share the log's index")
    )]
    NoWriteAheadLog { path: PathBuf, mode: String },

    #[error("the database `{}` is corrupt: {what}", path.display())]
    #[diagnostic(
        code("keyward::store::corrupt"),
        help(
            "the file was changed outside keyward or written with another root key; restore both files from a backup"
        )
    )]
    Corrupt { path: PathBuf, what: String },

    #[error("cannot encode {what} for the database `{}`", path.display())]
    #[diagnostic(code("keyward::store::encode"), help("this is a bug in keyward: please report it"))]
    Encode { path: PathBuf, what: String },

    #[error("audit event {event_id} is already in the database `{}`", path.display())]
    #[diagnostic(
        code("keyward::store::duplicate-event"),
        help("after loading, continue the runtime's event ids with `AuditLog::resume_after(store.last_event_id()?)`")
    )]
    DuplicateEvent { path: PathBuf, event_id: u64 },

    #[error("another process changed the state since change {base} (it is at {current})")]
    #[diagnostic(
        code("keyward::store::conflict"),
        help("the service catches up with the store and runs the call again; this reaches a user only after repeated conflicts")
    )]
    Conflict { base: u64, current: u64 },

    #[error("the commit was refused by a test store (commit {number})")]
    #[diagnostic(
        code("keyward::store::injected"),
        help("only tests see this: a store wrapper fails chosen commits")
    )]
    Injected { number: u64 },
}

impl StoreError {
    pub(super) fn io(action: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> StoreError {
        let path = path.to_owned();
        move |error| StoreError::Io { action, path, error }
    }

    pub(super) fn database(action: &'static str, path: &Path) -> impl FnOnce(rusqlite::Error) -> StoreError {
        let path = path.to_owned();
        move |error| StoreError::Database { action, path, error }
    }

    pub(super) fn corrupt(path: &Path, what: impl Into<String>) -> StoreError {
        StoreError::Corrupt {
            path: path.to_owned(),
            what: what.into(),
        }
    }
}
