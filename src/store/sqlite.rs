//! [`SqliteStore`]: the [`kms::Store`](crate::kms::Store) on disk. One
//! connection reads (behind a mutex); a writer thread owns the other and
//! commits (`writer`). Every read runs in one transaction, so it sees one
//! point in time, and is retried while another process holds the database.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{mpsc, Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;

use rusqlite::{params, Connection, OpenFlags};

use super::busy::{Options, Patience, STEP};
use super::import_tokens;
use super::root_key::{RootKey, FILE_NAME as ROOT_KEY_FILE};
use super::rows::{self, Kind};
use super::writer::{Job, Writer};
use super::{audit, create_database_file, create_dir, import, schema, StoreError, DATABASE_FILE};
use crate::kms::runtime::AuditFilter;
use crate::kms::store::Receipt;
use crate::kms::{Change, Commit, Partition, Row, Seq, Snapshot, Store};

/// An open state directory: `keyward.db` holding every (account, Region)
/// and `root.key`. Any number of processes may open the same directory at
/// once; each commit is checked against the change log (see
/// [`Store::commit`]).
pub struct SqliteStore {
    dir: PathBuf,
    database: PathBuf,
    options: Options,
    root: Arc<RootKey>,
    reader: Mutex<Reader>,
    jobs: Option<mpsc::SyncSender<Job>>,
    writer: Option<JoinHandle<()>>,
    /// This process's `keyward.lock.<pid>-<n>`, named to waiting processes.
    _holding: Option<super::holder::Holding>,
}

/// The reading connection and the change sequence it last read, with the
/// database's `data_version` just before: while that number stays, no
/// connection has committed since, so the sequence is still current.
struct Reader {
    connection: Connection,
    seen: Option<(i64, Seq)>,
}

impl fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SqliteStore")
            .field("dir", &self.dir)
            .finish_non_exhaustive()
    }
}

impl SqliteStore {
    /// [`SqliteStore::open_with`] with the default [`Options`]: waits up to
    /// 30 s for another process, saying so on stderr after one.
    pub fn open(dir: &Path) -> Result<SqliteStore, StoreError> {
        SqliteStore::open_with(dir, Options::default())
    }

    /// Opens the store in `dir`, creating the directory (owner-only), the
    /// root key and the database when they do not exist yet, bringing the
    /// schema up to date, and importing the databases of the old server
    /// layout (`<dir>/<account>/<region>/keyward.db`). Refuses a root key of
    /// the wrong size, files that others may read, a database without its
    /// root key, and a database written by a newer keyward.
    pub fn open_with(dir: &Path, options: Options) -> Result<SqliteStore, StoreError> {
        create_dir(dir)?;
        let holding = super::holder::Holding::take(dir);
        let database = dir.join(DATABASE_FILE);
        let has_data = match std::fs::metadata(&database) {
            Ok(metadata) => metadata.len() > 0,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => false,
            Err(e) => return Err(StoreError::io("inspect", &database)(e)),
        };
        let root = Arc::new(RootKey::load_or_create(dir, !has_data, &database)?);
        create_database_file(dir, &database)?;
        let connection = connect(&database, &options)?;
        schema::migrate(&connection, &database, &mut Patience::new(&options, &database))?;
        import::old_layout(&connection, &root, dir, &options)?;
        let reader = connect(&database, &options)?;
        let (jobs, receiver) = mpsc::sync_channel(options.writer_queue.max(1));
        let writer = Writer {
            connection,
            root: Arc::clone(&root),
            database: database.clone(),
            options: options.clone(),
        };
        let writer = std::thread::Builder::new()
            .name("keyward-store-writer".into())
            .spawn(move || writer.run(&receiver))
            .map_err(StoreError::io("start the writer of", &database))?;
        Ok(SqliteStore {
            dir: dir.to_owned(),
            database,
            options,
            root,
            reader: Mutex::new(Reader {
                connection: reader,
                seen: None,
            }),
            jobs: Some(jobs),
            writer: Some(writer),
            _holding: holding,
        })
    }

    /// The state directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The root key's path.
    pub fn root_key_path(&self) -> PathBuf {
        self.dir.join(ROOT_KEY_FILE)
    }

    /// Runs `read` on the reading connection inside one read transaction,
    /// again while another process holds the database busy.
    pub(super) fn read<T>(&self, read: impl Fn(&Connection) -> Result<T, StoreError>) -> Result<T, StoreError> {
        let reader = self.reader();
        Patience::new(&self.options, &self.database).retry(|| {
            let tx = reader
                .connection
                .unchecked_transaction()
                .map_err(StoreError::database("start reading", &self.database))?;
            let value = read(&tx)?;
            tx.finish()
                .map_err(StoreError::database("finish reading", &self.database))?;
            Ok(value)
        })
    }

    fn reader(&self) -> MutexGuard<'_, Reader> {
        // A panic in a read leaves the connection as usable as ever.
        self.reader.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub(super) fn database(&self) -> &Path {
        &self.database
    }

    #[cfg(test)]
    pub(super) fn root(&self) -> &RootKey {
        &self.root
    }
}

impl SqliteStore {
    /// The id of the last audit record saved, 0 when there is none.
    pub fn last_event_id(&self) -> Result<u64, StoreError> {
        self.read(|tx| super::audit::last_event_id(tx, self.database()))
    }
}

impl Drop for SqliteStore {
    /// Lets the writer finish what was sent to it, then stops it.
    fn drop(&mut self) {
        drop(self.jobs.take());
        if let Some(writer) = self.writer.take() {
            let _ = writer.join();
        }
    }
}

impl Store for SqliteStore {
    fn load(&self) -> Result<Snapshot, StoreError> {
        self.read(|tx| {
            let seq = rows::current_seq(tx, &self.database)?;
            let partitions = rows::read_partitions(tx, &self.root, &self.database, None)?;
            Ok(Snapshot { seq, partitions })
        })
    }

    fn changes_since(&self, since: Seq) -> Result<(Vec<Change>, Seq), StoreError> {
        let path = &self.database;
        self.read(|tx| {
            let seq = rows::current_seq(tx, path)?;
            let since = i64::try_from(since).unwrap_or(i64::MAX);
            let logged = tx
                .prepare_cached("SELECT account, region, kind, id FROM changes WHERE seq > ?1 ORDER BY seq")
                .and_then(|mut statement| {
                    statement
                        .query_map(params![since], |row| {
                            Ok((
                                Partition::new(row.get::<_, String>(0)?, row.get::<_, String>(1)?),
                                row.get::<_, String>(2)?,
                                row.get::<_, String>(3)?,
                            ))
                        })?
                        .collect::<Result<Vec<_>, _>>()
                })
                .map_err(StoreError::database("read the change log", path))?;
            let mut changes = Vec::with_capacity(logged.len());
            for (partition, kind, id) in logged {
                let kind = Kind::parse(&kind)
                    .ok_or_else(|| StoreError::corrupt(path, format!("the change log names a `{kind}` row")))?;
                let row = match kind {
                    Kind::Key => {
                        rows::read_key(tx, &self.root, path, &partition, &id)?.map_or(Row::KeyRemoved(id), Row::Key)
                    }
                    Kind::Alias => {
                        rows::read_alias(tx, path, &partition, &id)?.map_or(Row::AliasRemoved(id), Row::Alias)
                    }
                    Kind::Grant => {
                        rows::read_grant(tx, path, &partition, &id)?.map_or(Row::GrantRemoved(id), Row::Grant)
                    }
                    Kind::CustomKeyStore => rows::read_store(tx, &self.root, path, &partition, &id)?
                        .map_or(Row::CustomKeyStoreRemoved(id), Row::CustomKeyStore),
                    Kind::Import => import_tokens::read_one(tx, &self.root, path, &partition, &id)?
                        .map_or(Row::ImportRemoved(id), Row::Import),
                };
                changes.push(Change { partition, row });
            }
            Ok((changes, seq))
        })
    }

    /// Called before every call. `PRAGMA data_version` first: unchanged
    /// since the last read, nothing was committed by any connection (this
    /// process's writer included), so the sequence read then still holds.
    /// Otherwise one statement, its own read transaction. The version is
    /// read before the sequence, so a commit between the two makes the next
    /// call read again rather than miss it.
    fn seq(&self) -> Result<Seq, StoreError> {
        let mut reader = self.reader();
        let path = &self.database;
        Patience::new(&self.options, path).retry(|| {
            let version = rows::data_version(&reader.connection, path)?;
            if let Some((seen, seq)) = reader.seen {
                if seen == version {
                    return Ok(seq);
                }
            }
            let seq = rows::current_seq(&reader.connection, path)?;
            reader.seen = Some((version, seq));
            Ok(seq)
        })
    }

    fn commit(&self, commit: Commit) -> Result<Seq, StoreError> {
        self.submit(commit).wait()
    }

    /// Hands `commit` to the writer thread, which commits it with whatever
    /// other commits are waiting, in one transaction, and answers once that
    /// transaction is on disk. When `Options::writer_queue` commits are
    /// waiting already, this waits for room first.
    fn submit(&self, commit: Commit) -> Receipt {
        let database = self.database.clone();
        let stopped =
            move || StoreError::io("commit to", &database)(std::io::Error::other("the store's writer has stopped"));
        let (promise, receipt) = Receipt::pending(stopped.clone());
        match &self.jobs {
            Some(jobs) => {
                if let Err(mpsc::SendError(job)) = jobs.send(Job { commit, promise }) {
                    let _ = job.promise.keep(Err(stopped()));
                }
            }
            None => {
                let _ = promise.keep(Err(stopped()));
            }
        }
        receipt
    }

    fn audit(&self, filter: &AuditFilter) -> Result<Vec<serde_json::Value>, StoreError> {
        self.read(|tx| audit::read(tx, &self.database, filter))
    }

    fn last_use(
        &self,
        partition: &Partition,
        key_arn: &str,
        operations: &[&str],
    ) -> Result<Option<serde_json::Value>, StoreError> {
        self.read(|tx| audit::last_use(tx, &self.database, partition, key_arn, operations))
    }
}

/// Opens a connection to `database` for reading and writing, with the
/// write-ahead log on and full syncs, waiting for another process where
/// it must.
pub(super) fn connect(database: &Path, options: &Options) -> Result<Connection, StoreError> {
    let failed = |action| StoreError::database(action, database);
    let connection = Connection::open_with_flags(
        database,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(failed("open the database"))?;
    connection.set_prepared_statement_cache_capacity(64);
    connection.busy_timeout(STEP).map_err(failed("set the busy timeout"))?;
    let mut patience = Patience::new(options, database);
    // Turning the log on takes the database for a moment: a second process
    // opening a new state at the same instant is told "busy" at once,
    // whatever the timeout, so this waits and tries again.
    let mode: String = patience
        .retry(|| connection.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0)))
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
    // commit survives an operating-system crash or a power cut too, which is
    // what "a crash at any point loses no acknowledged operation" asks for.
    connection
        .pragma_update(None, "synchronous", "FULL")
        .map_err(failed("set synchronous writes"))?;
    connection
        .pragma_update(None, "foreign_keys", "ON")
        .map_err(failed("turn on foreign keys"))?;
    Ok(connection)
}
