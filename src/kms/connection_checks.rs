//! The health checks that connect external key stores: `ConnectCustomKeyStore`
//! leaves a live store `CONNECTING` and answers; [`ConnectionChecks`] asks its
//! proxy's `GetHealthStatus` on a thread of its own, with the service's
//! state unlocked; the service applies the outcome (`CONNECTED` or `FAILED`)
//! at the start of its next call, or when it closes
//! (`docs/custom-key-stores.md`).

use std::collections::HashSet;
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;

use super::runtime::{ProxyAnswer, ProxyCall, ProxyFailure, SharedProxies};
use super::store::Partition;

/// A health check that came back.
pub(crate) struct Finished {
    pub partition: Partition,
    pub store_id: String,
    pub call: ProxyCall,
    pub answer: Result<ProxyAnswer, ProxyFailure>,
}

/// The checks running and those that came back, by partition and store.
#[derive(Default)]
pub(crate) struct ConnectionChecks {
    running: Mutex<Vec<JoinHandle<()>>>,
    /// Stores with a check running or not yet applied.
    pending: Arc<Mutex<HashSet<(Partition, String)>>>,
    finished: Arc<Mutex<Vec<Finished>>>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl ConnectionChecks {
    /// Starts `call` for the store `store_id` of `partition`, unless one is
    /// already pending for it.
    pub fn start(&self, proxies: &SharedProxies, partition: &Partition, store_id: &str, call: ProxyCall) {
        let at = (partition.clone(), store_id.to_owned());
        if !lock(&self.pending).insert(at) {
            return;
        }
        let (proxies, finished) = (Arc::clone(proxies), Arc::clone(&self.finished));
        let (partition, store_id) = (partition.clone(), store_id.to_owned());
        let handle = std::thread::spawn(move || {
            let answer = call.answer(proxies.as_ref());
            lock(&finished).push(Finished {
                partition,
                store_id,
                call,
                answer,
            });
        });
        let mut running = lock(&self.running);
        running.retain(|h| !h.is_finished());
        running.push(handle);
    }

    /// The checks that came back since the last time; their stores may be
    /// checked again.
    pub fn take_finished(&self) -> Vec<Finished> {
        let finished = std::mem::take(&mut *lock(&self.finished));
        let mut pending = lock(&self.pending);
        for f in &finished {
            pending.remove(&(f.partition.clone(), f.store_id.clone()));
        }
        finished
    }

    /// Waits for every running check (each is bounded by the proxies'
    /// timeout).
    pub fn wait(&self) {
        let running = std::mem::take(&mut *lock(&self.running));
        for handle in running {
            let _ = handle.join();
        }
    }
}
