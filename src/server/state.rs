//! The server's state: one [`Runtime`] per account and Region met, created
//! on first use, each behind a mutex and, unless ephemeral, with its own
//! store in `<state>/<account>/<region>/` and a writer thread. A call is
//! answered only once its audit records (and, when it changed anything, the
//! whole state) are committed; the writer commits every save waiting for it
//! in one transaction, so concurrent calls share one disk sync.

use std::collections::HashMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;

use serde_json::Value;
use tokio::sync::oneshot;

use super::error::{ServeError, WireError};
use crate::eval::Caller;
use crate::kms::runtime::{AuditRecord, Runtime, State, SystemClock};
use crate::kms::Partition;
use crate::kms::{wire, Authorizer};
use crate::store::SqliteStore;

/// At most this many (account, Region) pairs are held, so a caller cannot
/// make the server open stores without bound.
pub const MAX_REGIONS: usize = 64;

/// Every runtime of the server, by (account, Region).
pub struct Regions {
    identities: Authorizer,
    /// `None`: ephemeral, nothing is written.
    dir: Option<PathBuf>,
    map: Mutex<HashMap<(String, String), Arc<Region>>>,
}

/// One account and Region: its runtime and the thread that saves it.
pub struct Region {
    runtime: Mutex<Runtime<SystemClock>>,
    writer: Option<Writer>,
}

struct Save {
    /// The whole state, when the call changed it.
    state: Option<State>,
    records: Vec<AuditRecord>,
    done: oneshot::Sender<Result<(), String>>,
}

struct Writer {
    sender: Mutex<Option<mpsc::Sender<Save>>>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

fn locked<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding the lock leaves the data as complete as any
    // other moment between two statements; keep serving.
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Regions {
    pub fn new(identities: Authorizer, dir: Option<PathBuf>) -> Regions {
        Regions {
            identities,
            dir,
            map: Mutex::new(HashMap::new()),
        }
    }

    /// The runtime of `account` in `region` if it is open already.
    pub fn find(&self, account: &str, region: &str) -> Option<Arc<Region>> {
        locked(&self.map).get(&(account.to_owned(), region.to_owned())).cloned()
    }

    /// The runtime of `account` in `region`, loaded from its store or
    /// created empty.
    pub fn get(&self, account: &str, region: &str) -> Result<Arc<Region>, ServeError> {
        let mut map = locked(&self.map);
        if let Some(region) = map.get(&(account.to_owned(), region.to_owned())) {
            return Ok(Arc::clone(region));
        }
        if map.len() >= MAX_REGIONS {
            return Err(ServeError::State {
                path: self.dir.clone().unwrap_or_default(),
                message: format!("this server holds {MAX_REGIONS} accounts and Regions already"),
            });
        }
        let mut runtime = Runtime::new(account, region, SystemClock);
        runtime.identities = self.identities.clone();
        let writer = match &self.dir {
            Some(dir) => Some(open_store(&dir.join(account).join(region), &mut runtime)?),
            None => None,
        };
        let opened = Arc::new(Region {
            runtime: Mutex::new(runtime),
            writer,
        });
        map.insert((account.to_owned(), region.to_owned()), Arc::clone(&opened));
        Ok(opened)
    }

    /// Empties every runtime (keys, aliases, grants) and saves that; the
    /// audit logs stay.
    pub async fn reset(&self) -> Result<(), WireError> {
        let regions: Vec<Arc<Region>> = locked(&self.map).values().cloned().collect();
        for region in regions {
            let ack = {
                let mut rt = locked(&region.runtime);
                let empty = State {
                    account: rt.account.clone(),
                    region: rt.region.clone(),
                    keys: Vec::new(),
                    aliases: Vec::new(),
                    grants: Vec::new(),
                };
                rt.restore(empty).map_err(WireError::internal)?;
                let records = rt.audit.drain();
                region.save(Some(rt.export()), records)
            };
            if let Some(ack) = ack {
                finish(ack).await?;
            }
        }
        Ok(())
    }

    /// Stops the writers once they have committed everything sent to them.
    pub fn close(&self) {
        let regions: Vec<Arc<Region>> = locked(&self.map).drain().map(|(_, r)| r).collect();
        for region in &regions {
            if let Some(writer) = &region.writer {
                drop(locked(&writer.sender).take());
            }
        }
        for region in regions {
            if let Some(thread) = region.writer.as_ref().and_then(|w| locked(&w.thread).take()) {
                let _ = thread.join();
            }
        }
    }
}

impl Region {
    /// Runs one operation and returns its response once its records are
    /// committed. The response may hold a plaintext: `wire::wipe` it.
    pub async fn call(&self, caller: &Caller, operation: &str, request: &Value) -> Result<Value, WireError> {
        let (result, ack) = {
            let mut rt = locked(&self.runtime);
            rt.sweep();
            let result = wire::dispatch(&mut rt, caller, operation, request);
            let records = rt.audit.drain();
            let changed = records.iter().any(|r| !r.read_only);
            let state = changed.then(|| rt.export());
            // Sent under the lock, so saves reach the writer in call order.
            (result, self.save(state, records))
        };
        if let Some(ack) = ack {
            if let Err(e) = finish(ack).await {
                if let Ok(mut response) = result {
                    wire::wipe(&mut response);
                }
                return Err(e);
            }
        }
        result.map_err(WireError::from)
    }

    fn save(&self, state: Option<State>, records: Vec<AuditRecord>) -> Option<oneshot::Receiver<Result<(), String>>> {
        let writer = self.writer.as_ref()?;
        let (done, ack) = oneshot::channel();
        let sent = match locked(&writer.sender).as_ref() {
            Some(sender) => sender.send(Save { state, records, done }).is_ok(),
            None => false,
        };
        if !sent {
            let (done, ack) = oneshot::channel();
            let _ = done.send(Err("the server is shutting down".to_owned()));
            return Some(ack);
        }
        Some(ack)
    }
}

async fn finish(ack: oneshot::Receiver<Result<(), String>>) -> Result<(), WireError> {
    match ack.await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(message)) => Err(WireError::internal(format!("the call could not be saved: {message}"))),
        Err(_) => Err(WireError::internal("the call could not be saved")),
    }
}

/// Opens (or creates) the store in `dir`, locks it for this process, loads
/// it into `runtime` and starts its writer.
fn open_store(dir: &Path, runtime: &mut Runtime<SystemClock>) -> Result<Writer, ServeError> {
    let failed = |message: String| ServeError::State {
        path: dir.to_owned(),
        message,
    };
    let report = |e: crate::store::StoreError| failed(format!("{:?}", miette::Report::new(e)));
    let store = SqliteStore::open(dir).map_err(report)?;
    // The lock the CLI takes: held for as long as the writer runs.
    let lock_path = dir.join("keyward.lock");
    let lock = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(|e| failed(format!("cannot open `{}`: {e}", lock_path.display())))?;
    if lock.try_lock().is_err() {
        return Err(ServeError::StateInUse(dir.to_owned()));
    }
    let partition = Partition::new(runtime.account.clone(), runtime.region.clone());
    if let Some(state) = store.load_partition(&partition).map_err(report)? {
        runtime.restore(state).map_err(failed)?;
    }
    runtime.audit.resume_after(store.last_event_id().map_err(report)?);
    let (sender, receiver) = mpsc::channel::<Save>();
    let thread = std::thread::Builder::new()
        .name(format!("keyward-store-{}-{}", runtime.account, runtime.region))
        .spawn(move || {
            write_all(&store, &receiver);
            drop(lock);
        })
        .map_err(|e| failed(format!("cannot start its writer: {e}")))?;
    Ok(Writer {
        sender: Mutex::new(Some(sender)),
        thread: Mutex::new(Some(thread)),
    })
}

/// The writer's loop: takes every save waiting, commits them as one
/// transaction (the last state sent, all the records), then acknowledges
/// each. Ends when every sender is gone.
fn write_all(store: &SqliteStore, receiver: &mpsc::Receiver<Save>) {
    while let Ok(first) = receiver.recv() {
        let mut batch = vec![first];
        while batch.len() < 4096 {
            match receiver.try_recv() {
                Ok(save) => batch.push(save),
                Err(_) => break,
            }
        }
        let state = batch.iter_mut().rev().find_map(|s| s.state.take());
        let records: Vec<AuditRecord> = batch.iter_mut().flat_map(|s| std::mem::take(&mut s.records)).collect();
        let result = match &state {
            Some(state) => store.replace_partition(state, &records),
            None => store.append(&records),
        }
        .map_err(|e| format!("{:?}", miette::Report::new(e)));
        for save in batch {
            let _ = save.done.send(result.clone());
        }
    }
}
