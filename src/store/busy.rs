//! Waiting for another process: SQLite's own busy timeout waits a little at
//! a time, [`Patience`] retries a busy statement until the lock timeout of
//! [`Options`], and after a second of waiting tells the `on_wait` hook once
//! (by default a line on stderr) who holds the database.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rusqlite::ErrorCode;

/// How long SQLite waits inside one statement before handing a busy
/// database back to [`Patience`], which then decides to retry.
pub(super) const STEP: Duration = Duration::from_millis(100);

/// After this long a waiting process says so.
const TELL_AFTER: Duration = Duration::from_secs(1);

/// What a process waiting for the database is told.
#[derive(Clone, Debug)]
pub struct Waiting {
    pub database: PathBuf,
    /// Who holds the database, when the state directory says: the other
    /// processes that have it open (`process 1234 (keyward serve)`), from
    /// their `keyward.lock.<pid>-<n>` files.
    pub holder: Option<String>,
    pub waited: Duration,
}

impl fmt::Display for Waiting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let holder = self.holder.as_deref().unwrap_or("another keyward process");
        write!(
            f,
            "keyward: `{}` is locked by {holder}; waiting for it (for {} s so far)",
            self.database.display(),
            self.waited.as_secs()
        )
    }
}

/// Called once per wait that lasts longer than a second.
pub type OnWait = Arc<dyn Fn(&Waiting) + Send + Sync>;

/// How a [`SqliteStore`](super::SqliteStore) behaves when another process
/// holds the database.
#[derive(Clone)]
pub struct Options {
    /// Told when a wait passes one second; `None` waits silently.
    pub on_wait: Option<OnWait>,
    /// How long to wait for a lock before failing with the database's
    /// "locked" error.
    pub lock_timeout: Duration,
    /// How many commits may wait for the writer thread; a commit beyond it
    /// waits for room (so a burst of callers slows down instead of piling
    /// up memory).
    pub writer_queue: usize,
    /// Told when commits failed after their callers stopped waiting for
    /// them (audit records under `AuditDurability::Batched`, or a request
    /// whose client went away), with how many: nobody else hears of it.
    /// `None` says nothing.
    pub on_lost: Option<OnLost>,
}

/// Called with the number of commits lost and the error that lost them.
pub type OnLost = Arc<dyn Fn(usize, &super::StoreError) + Send + Sync>;

/// The writer's queue by default: a few group commits' worth.
pub const WRITER_QUEUE: usize = 4096;

impl Default for Options {
    /// Waits up to 30 s, saying so on stderr after one.
    fn default() -> Options {
        Options {
            on_wait: Some(Arc::new(|waiting: &Waiting| eprintln!("{waiting}"))),
            lock_timeout: Duration::from_secs(30),
            writer_queue: WRITER_QUEUE,
            on_lost: Some(Arc::new(|count: usize, error: &super::StoreError| {
                eprintln!("keyward: {count} commit(s) whose callers had stopped waiting were not saved: {error}");
            })),
        }
    }
}

impl Options {
    /// The defaults without the message on stderr: for library users.
    pub fn quiet() -> Options {
        Options {
            on_wait: None,
            on_lost: None,
            ..Options::default()
        }
    }

    /// The defaults with `hook` told instead of stderr.
    pub fn on_wait(hook: impl Fn(&Waiting) + Send + Sync + 'static) -> Options {
        Options {
            on_wait: Some(Arc::new(hook)),
            ..Options::default()
        }
    }
}

impl fmt::Debug for Options {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Options")
            .field("on_wait", &self.on_wait.as_ref().map(|_| "…"))
            .field("lock_timeout", &self.lock_timeout)
            .field("writer_queue", &self.writer_queue)
            .field("on_lost", &self.on_lost.as_ref().map(|_| "…"))
            .finish()
    }
}

/// One wait: retries an operation while the database is busy, and tells
/// the hook once when the wait gets long.
pub(super) struct Patience<'a> {
    options: &'a Options,
    database: &'a Path,
    started: Instant,
    told: bool,
}

impl<'a> Patience<'a> {
    pub fn new(options: &'a Options, database: &'a Path) -> Patience<'a> {
        Patience {
            options,
            database,
            started: Instant::now(),
            told: false,
        }
    }

    /// Runs `attempt` until it is not refused as busy or the lock timeout
    /// has passed. `attempt` must have no effect when it fails busy (one
    /// statement, a `BEGIN`, or a whole read).
    pub fn retry<T, E: Busy>(&mut self, mut attempt: impl FnMut() -> Result<T, E>) -> Result<T, E> {
        loop {
            match attempt() {
                Err(e) if e.is_busy() && self.started.elapsed() < self.options.lock_timeout => {
                    self.tell();
                    // SQLite waited `STEP` already when it has a busy
                    // handler; some refusals (a journal mode change) come
                    // at once, so pause a little before the next attempt.
                    std::thread::sleep(Duration::from_millis(10));
                }
                result => return result,
            }
        }
    }

    fn tell(&mut self) {
        let waited = self.started.elapsed();
        if self.told || waited < TELL_AFTER {
            return;
        }
        self.told = true;
        if let Some(hook) = &self.options.on_wait {
            hook(&Waiting {
                database: self.database.to_owned(),
                holder: holder(self.database),
                waited,
            });
        }
    }
}

/// An error that may mean "another process holds the database".
pub(super) trait Busy {
    fn is_busy(&self) -> bool;
}

/// `SQLITE_BUSY` or `SQLITE_LOCKED`, in any of their extended forms.
impl Busy for rusqlite::Error {
    fn is_busy(&self) -> bool {
        matches!(
            self.sqlite_error_code(),
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked)
        )
    }
}

impl Busy for super::StoreError {
    fn is_busy(&self) -> bool {
        matches!(self, super::StoreError::Database { error, .. } if error.is_busy())
    }
}

/// "process 1234 (keyward serve)" for the other process that has the
/// state directory open, or "one of process 1234 (…), process 5678 (…)".
fn holder(database: &Path) -> Option<String> {
    let others = super::holder::others(database.parent()?);
    match others.as_slice() {
        [] => None,
        [one] => Some(one.clone()),
        several => Some(format!("one of {}", several.join(", "))),
    }
}
