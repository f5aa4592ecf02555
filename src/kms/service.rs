//! [`Service`]: the one way into the KMS runtime. Every front end (the CLI,
//! the REPL and its scripts, `keyward serve`, library users) hands it a
//! caller and an operation; it runs the call in the partition (account,
//! Region) the request names, in this order and once each:
//!
//! 1. catch up with the store (another process may have committed);
//! 2. pick the partition: the one a key ARN or a ciphertext names, else the
//!    caller's own (`route`);
//! 3. run the operation on that partition's runtime, which validates,
//!    resolves the key, authorizes through the evaluator and audits; a call
//!    that needs an external key store proxy is undone at its first proxy
//!    call without an answer, the proxy is called with the state unlocked,
//!    and the call runs again from step 1 with the answer (`ProxyCalls`), so
//!    a slow proxy holds up no other call;
//! 4. commit the rows the call changed and its audit records in one
//!    transaction; if that fails, undo the call in memory and answer
//!    `KMSInternalException`, so nothing of it stays in effect;
//! 5. answer.
//!
//! A partition exists in memory for as long as it is used and in the store
//! once a call commits a row in it, so an unauthorized caller creates none.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard, RwLock, RwLockReadGuard};

use super::connection_checks::ConnectionChecks;
use super::error::{ErrorName, KmsError};
use super::runtime::{Clock, ProxyCall, ProxyCalls, Runtime};
use super::store::{Change, Commit, Partition, Receipt, Row, Seq, Store};
use super::{AuditDurability, Authorizer};
use crate::eval::Caller;
use crate::store::StoreError;

/// How many times a call is run again after another process committed
/// between its catch-up and its commit.
const CONFLICT_RETRIES: usize = 8;

/// The most proxy calls one KMS call makes (`ReEncrypt` between two keys of
/// external key stores makes two), with room for a round that went another
/// way because the state changed while a proxy answered.
const PROXY_ROUNDS: usize = 8;

/// Where an operation runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// The caller's own account in the request's Region (`CreateKey`,
    /// `ListKeys`, a key named by id or alias name).
    Caller,
    /// The partition a key ARN or alias ARN names.
    Arn(Partition),
    /// The partition of the key a ciphertext names (`Decrypt` without
    /// `KeyId`), found by key id.
    KeyId(String),
}

/// One KMS call: its name, where it runs, and how it runs on a runtime.
pub trait Operation<C: Clock> {
    type Response;
    /// The API's name (`Encrypt`).
    fn name(&self) -> &str;
    /// Where the call runs (`Target::Caller` unless it names a key elsewhere).
    fn target(&self) -> Target;
    /// Runs the call on the partition's runtime, which validates, authorizes
    /// and audits it. It may run more than once (after a conflict with
    /// another process), each time on a runtime as it was before.
    fn run(&self, runtime: &mut Runtime<C>, caller: &Caller) -> Result<Self::Response, KmsError>;
    /// A second partition the call reaches besides [`target`](Operation::target):
    /// `ReEncrypt`'s destination key, which may be in another account than
    /// the key its ciphertext names. `None` for a call on one partition.
    fn destination(&self) -> Option<Target> {
        None
    }
    /// Runs the call across two partitions' runtimes, when
    /// [`destination`](Operation::destination) routes to another partition
    /// than [`target`](Operation::target); both are committed (or undone)
    /// together.
    fn run_across(
        &self,
        runtime: &mut Runtime<C>,
        destination: &mut Runtime<C>,
        caller: &Caller,
    ) -> Result<Self::Response, KmsError> {
        let _ = destination;
        self.run(runtime, caller)
    }
}

/// The KMS of one state: every partition, persisted in a [`Store`].
///
/// ```
/// use keyward::eval::Caller;
/// use keyward::kms::op::Json;
/// use keyward::kms::runtime::SystemClock;
/// use keyward::kms::{Authorizer, Service};
/// use keyward::store::MemoryStore;
/// use serde_json::json;
///
/// let kms = Service::open(Box::new(MemoryStore::new()), Authorizer::default(), SystemClock, "111122223333").unwrap();
/// let root = Caller::parse("arn:aws:iam::111122223333:root").unwrap();
/// let call = |operation, request| kms.call(&root, "us-east-1", &Json { operation, request: &request });
/// let key = call("CreateKey", json!({})).unwrap()["KeyMetadata"]["KeyId"].clone();
/// let sealed = call("Encrypt", json!({"KeyId": key, "Plaintext": "aGk="})).unwrap();
/// let opened = call("Decrypt", json!({"CiphertextBlob": sealed["CiphertextBlob"]})).unwrap();
/// assert_eq!(opened["Plaintext"], "aGk=");
/// ```
pub struct Service<C: Clock + Clone> {
    /// Shared with each runtime's [`History`](super::runtime::History) of key uses.
    store: Arc<dyn Store>,
    /// What every partition's runtime authorizes with (a REPL's `accounts`
    /// statement replaces it).
    identities: RwLock<Authorizer>,
    clock: C,
    /// The account of a caller that names none (a service principal).
    default_account: String,
    /// Whether a call that changed nothing waits for its audit commit.
    durability: AuditDurability,
    /// How keys of external key stores reach their proxies.
    xks: Option<super::runtime::SharedProxies>,
    /// The health checks of connecting stores (and the periodic ones).
    checks: ConnectionChecks,
    /// How often connected stores' proxies are asked for their health
    /// (`KmsHealthCheck`); `None`: never.
    health_interval: Option<std::time::Duration>,
    /// When the last periodic health checks started.
    last_health: Mutex<Option<std::time::Instant>>,
    inner: Mutex<Inner<C>>,
}

/// How one try of a call ended.
enum Attempt<R> {
    /// Done; its audit records are durable once the receipt (if any) says so.
    Committed(R, Option<Receipt>),
    /// Another process committed first; the call was undone.
    Conflict,
    /// The call needs this proxy call's answer; it was undone.
    Wants(Box<ProxyCall>),
}

struct Inner<C: Clock> {
    /// The store's sequence this cache reflects.
    seq: Seq,
    partitions: BTreeMap<Partition, Runtime<C>>,
    /// Which partition each key id is in, by (Region, key id): key ids are
    /// unique within a Region (a multi-Region key has one copy per Region).
    key_index: HashMap<(String, String), Partition>,
    /// A call panicked while it held the cache: reload it before the next.
    stale: bool,
}

impl<C: Clock> Inner<C> {
    /// The partition `target` names, for a caller whose own is `own`.
    fn place(&self, own: &Partition, target: Target) -> Partition {
        match target {
            Target::Caller => own.clone(),
            // A key ARN names a key of the endpoint's Region only.
            Target::Arn(partition) if partition.region == own.region => partition,
            Target::Arn(_) => own.clone(),
            Target::KeyId(id) => self
                .key_index
                .get(&(own.region.clone(), id))
                .cloned()
                .unwrap_or_else(|| own.clone()),
        }
    }
}

fn internal(error: &StoreError) -> KmsError {
    // The caller learns that the call did not happen, not where the state lives.
    let _ = error;
    KmsError::new(
        ErrorName::KMSInternalException,
        "The request could not be saved, so it was not carried out. Retry it.",
    )
}

/// The event id of the first of `records` (a runtime's, in order).
fn first_id(records: &[super::runtime::AuditRecord]) -> Option<u64> {
    records.first().map(|record| record.event_id)
}

fn locked_calls(calls: &Mutex<ProxyCalls>) -> MutexGuard<'_, ProxyCalls> {
    calls.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn locked<C: Clock>(mutex: &Mutex<Inner<C>>) -> MutexGuard<'_, Inner<C>> {
    mutex.lock().unwrap_or_else(|poisoned| {
        // A panic while a call held the lock may have left a runtime half
        // changed, or (a call across two partitions) out of the cache:
        // forget the cache, so the next catch-up rebuilds it from the store.
        let mut inner = poisoned.into_inner();
        inner.stale = true;
        mutex.clear_poison();
        inner
    })
}

impl<C: Clock + Clone> Service<C> {
    /// Opens the service on everything `store` holds.
    pub fn open(
        store: Box<dyn Store>,
        identities: Authorizer,
        clock: C,
        default_account: &str,
    ) -> Result<Self, StoreError> {
        let service = Service {
            store: Arc::from(store),
            identities: RwLock::new(identities),
            clock,
            default_account: default_account.to_owned(),
            durability: AuditDurability::Sync,
            xks: None,
            checks: ConnectionChecks::default(),
            health_interval: None,
            last_health: Mutex::new(None),
            inner: Mutex::new(Inner {
                seq: 0,
                partitions: BTreeMap::new(),
                key_index: HashMap::new(),
                stale: false,
            }),
        };
        {
            let mut inner = locked(&service.inner);
            service.load(&mut inner)?;
        }
        Ok(service)
    }

    /// Fills the cache with everything the store holds.
    fn load(&self, inner: &mut Inner<C>) -> Result<(), StoreError> {
        inner.partitions.clear();
        inner.key_index.clear();
        let snapshot = self.store.load()?;
        for state in snapshot.partitions {
            let mut runtime = self.new_runtime(&state.partition);
            runtime
                .restore(super::runtime::State {
                    account: state.partition.account.clone(),
                    region: state.partition.region.clone(),
                    keys: state.keys,
                    aliases: state.aliases,
                    grants: state.grants,
                    custom_key_stores: state.custom_key_stores,
                    imports: state.imports,
                })
                .map_err(|what| StoreError::Corrupt {
                    path: Default::default(),
                    what,
                })?;
            for id in runtime.key_ids() {
                let at = (state.partition.region.clone(), id);
                inner.key_index.insert(at, state.partition.clone());
            }
            inner.partitions.insert(state.partition, runtime);
        }
        inner.seq = snapshot.seq;
        inner.stale = false;
        self.start_checks(inner, inner.partitions.keys());
        Ok(())
    }

    /// The service with `durability` for the audit records of calls that
    /// change nothing ([`AuditDurability::Sync`] unless set).
    pub fn with_audit_durability(mut self, durability: AuditDurability) -> Self {
        self.durability = durability;
        self
    }

    /// The service calling external key store proxies through `proxies`
    /// (`keyward::xks::proxies::HttpProxies`): without them no proxy is
    /// called and an external key store with a plain-HTTP proxy cannot be
    /// created or connected. Runtimes already open take them too.
    pub fn with_xks_proxies(mut self, proxies: super::runtime::SharedProxies) -> Self {
        for runtime in locked(&self.inner).partitions.values_mut() {
            runtime.xks = Some(std::sync::Arc::clone(&proxies));
        }
        self.xks = Some(proxies);
        // Stores left connecting by a process that stopped.
        let inner = locked(&self.inner);
        self.start_checks(&inner, inner.partitions.keys());
        drop(inner);
        self
    }

    /// Starts the health checks that connecting stores of `partitions`
    /// wait for (`connection_checks`).
    fn start_checks<'a>(&self, inner: &Inner<C>, partitions: impl Iterator<Item = &'a Partition>) {
        let Some(proxies) = &self.xks else { return };
        for partition in partitions {
            let Some(runtime) = inner.partitions.get(partition) else {
                continue;
            };
            for (store_id, call) in runtime.connection_checks() {
                self.checks.start(proxies, partition, &store_id, call);
            }
        }
    }

    /// The service asking every connected live store's proxy for its health
    /// once per `interval`, as AWS KMS does "periodically (once every few
    /// minutes) asynchronous to any KMS API calls" with `kmsOperation`
    /// `KmsHealthCheck` (XKS Proxy API spec, `GetHealthStatus`). The checks
    /// start when a call comes in and the interval has passed, and run on
    /// threads of their own; their outcome changes no state: "A CONNECTED
    /// state does not indicate that external key store or its supporting
    /// components are operating efficiently" (developer guide, *Connect and
    /// disconnect external key stores*).
    pub fn with_health_check_interval(mut self, interval: std::time::Duration) -> Self {
        self.health_interval = Some(interval);
        self
    }

    /// Starts the periodic health checks if they are due.
    fn start_periodic_checks(&self, inner: &Inner<C>) {
        let (Some(interval), Some(proxies)) = (self.health_interval, &self.xks) else {
            return;
        };
        let mut last = self.last_health.lock().unwrap_or_else(|p| p.into_inner());
        if last.is_some_and(|at| at.elapsed() < interval) {
            return;
        }
        *last = Some(std::time::Instant::now());
        for (partition, runtime) in &inner.partitions {
            for (store_id, call) in runtime.periodic_checks() {
                self.checks.start(proxies, partition, &store_id, call);
            }
        }
    }

    /// Applies the health checks that came back, in a transaction of their
    /// own; a store whose outcome could not be saved is checked again.
    fn apply_checks(&self, inner: &mut Inner<C>) {
        let finished = self.checks.take_finished();
        if finished.is_empty() {
            return;
        }
        let mut touched: Vec<Partition> = Vec::new();
        for f in finished {
            if let Some(runtime) = inner.partitions.get_mut(&f.partition) {
                runtime.finish_connection(&f.store_id, &f.call, f.answer);
                if !touched.contains(&f.partition) {
                    touched.push(f.partition);
                }
            }
        }
        let changes: Vec<Change> = touched
            .iter()
            .filter_map(|p| inner.partitions.get(p).map(|rt| (p, rt.changes())))
            .flat_map(|(p, rows)| {
                rows.into_iter().map(|row| Change {
                    partition: p.clone(),
                    row,
                })
            })
            .collect();
        if changes.is_empty() {
            return;
        }
        let base = inner.seq;
        let outcome = self.store.commit(Commit {
            changes,
            audit: Vec::new(),
            base,
        });
        for p in &touched {
            if let Some(rt) = inner.partitions.get_mut(p) {
                match outcome {
                    Ok(_) => rt.settle(),
                    Err(_) => rt.rollback(),
                }
            }
        }
        match outcome {
            Ok(seq) => inner.seq = seq,
            Err(_) => self.start_checks(inner, touched.iter()),
        }
    }

    /// Waits for the health checks still running and applies them: for a
    /// front end that is about to stop (a CLI command), so that a store it
    /// connected does not stay `CONNECTING`. Dropping the service does it too.
    pub fn finish_connection_checks(&self) {
        if self.xks.is_none() {
            return;
        }
        self.checks.wait();
        let mut inner = locked(&self.inner);
        if self.catch_up(&mut inner).is_ok() {
            self.apply_checks(&mut inner);
        }
    }

    /// When the audit records of calls that change nothing are durable.
    pub fn audit_durability(&self) -> AuditDurability {
        self.durability
    }

    fn new_runtime(&self, partition: &Partition) -> Runtime<C> {
        let mut runtime = Runtime::new(&partition.account, &partition.region, self.clock.clone());
        runtime.identities = self.identities().clone();
        runtime.xks.clone_from(&self.xks);
        let (store, place) = (Arc::clone(&self.store), partition.clone());
        runtime.usage.history = Some(Arc::new(move |key_arn: &str| {
            let record = store
                .last_use(&place, key_arn, super::runtime::TRACKED)
                .map_err(|e| e.to_string())?;
            Ok(record.as_ref().and_then(super::runtime::LastUse::from_record))
        }));
        runtime
    }

    /// The clock the service reads.
    pub fn clock(&self) -> &C {
        &self.clock
    }

    /// The identities (identity policies, boundaries, SCPs, RCPs) callers have.
    pub fn identities(&self) -> RwLockReadGuard<'_, Authorizer> {
        self.identities.read().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Replaces the identities callers have, in every partition (a REPL's
    /// `accounts` statement).
    pub fn set_identities(&self, identities: Authorizer) {
        let mut inner = locked(&self.inner);
        for runtime in inner.partitions.values_mut() {
            runtime.identities = identities.clone();
        }
        *self.identities.write().unwrap_or_else(|poisoned| poisoned.into_inner()) = identities;
    }

    /// The account a caller acts in.
    pub fn account_of<'a>(&'a self, caller: &'a Caller) -> &'a str {
        caller.account.as_deref().unwrap_or(&self.default_account)
    }

    /// Runs `operation` as `caller` in `region`.
    pub fn call<O: Operation<C>>(&self, caller: &Caller, region: &str, operation: &O) -> Result<O::Response, KmsError> {
        self.answer(caller, region, operation).wait()
    }

    /// [`call`](Service::call) up to the point where only the disk is left
    /// to wait for: the returned [`Answer`] holds the response and the
    /// receipt of the call's audit commit, for a front end that awaits it
    /// instead of holding a thread (`keyward serve`). A call that changed
    /// state has already waited for its commit.
    pub fn answer<O: Operation<C>>(&self, caller: &Caller, region: &str, operation: &O) -> Answer<O::Response> {
        let own = Partition::new(self.account_of(caller), region);
        // Proxy calls are made between rounds, with the state unlocked.
        let calls = self.xks.as_ref().map(|_| Arc::new(Mutex::new(ProxyCalls::default())));
        let (mut conflicts, mut rounds) = (0, 0);
        while conflicts < CONFLICT_RETRIES && rounds <= PROXY_ROUNDS {
            let route = |inner: &Inner<C>| {
                let place = |target: Target| inner.place(&own, target);
                let first = place(operation.target());
                let second = operation.destination().map(place).filter(|p| *p != first);
                (first, second)
            };
            let run = |runtime: &mut Runtime<C>, other: Option<&mut Runtime<C>>| match other {
                Some(destination) => operation.run_across(runtime, destination, caller),
                None => operation.run(runtime, caller),
            };
            match self.attempt(&own, route, run, calls.as_ref()) {
                Ok(Attempt::Committed(result, receipt)) => return Answer { result, receipt },
                // Another process wrote first: undone; catch up and run again.
                Ok(Attempt::Conflict) => conflicts += 1,
                Ok(Attempt::Wants(call)) => {
                    rounds += 1;
                    if let (Some(calls), Some(proxies)) = (&calls, &self.xks) {
                        // This call's own book: no other thread waits on it.
                        locked_calls(calls).file(*call, proxies.as_ref());
                    }
                }
                Err(error) => return Answer::from(Err(error)),
            }
        }
        let message = if rounds > PROXY_ROUNDS {
            "The request needed more calls to the external key store proxy than keyward makes for one request; it was not carried out."
        } else {
            "The state kept changing under this request; it was not carried out. Retry it."
        };
        Answer::from(Err(KmsError::new(ErrorName::KMSInternalException, message)))
    }

    /// The partition a call of `caller` in `region` that names `target`
    /// runs in, as [`call`](Service::call) routes it: for a front end that
    /// runs a command of several calls on one partition (a REPL statement).
    pub fn partition_of(&self, caller: &Caller, region: &str, target: Target) -> Result<Partition, KmsError> {
        let own = Partition::new(self.account_of(caller), region);
        let mut inner = locked(&self.inner);
        self.catch_up(&mut inner).map_err(|e| internal(&e))?;
        Ok(inner.place(&own, target))
    }

    /// Runs `f` on `partition`'s runtime under the same protocol as a call
    /// (catch up, sweep, commit what changed or undo it), once: for a front
    /// end whose one command makes several calls and prints as it goes (a
    /// REPL statement), so it cannot simply be run again. A commit that
    /// another process beat is undone and reported, not retried.
    pub fn run_once<R>(&self, partition: &Partition, f: impl FnOnce(&mut Runtime<C>) -> R) -> Result<R, KmsError> {
        self.run_once_across(partition, None, |runtime, _| f(runtime))
    }

    /// [`run_once`](Service::run_once) on `partition` and, when given and
    /// different, a second partition `other` (a statement that re-encrypts
    /// under another account's key): both runtimes are handed to `f`, and
    /// what either changed is committed together, or undone together.
    pub fn run_once_across<R>(
        &self,
        partition: &Partition,
        other: Option<&Partition>,
        f: impl FnOnce(&mut Runtime<C>, Option<&mut Runtime<C>>) -> R,
    ) -> Result<R, KmsError> {
        let second = other.filter(|p| *p != partition).cloned();
        // A command that prints as it goes cannot run twice: its proxy
        // calls are made at once.
        match self.attempt(partition, |_| (partition.clone(), second), f, None)? {
            Attempt::Committed(result, receipt) => match receipt.map(Receipt::wait) {
                Some(Err(e)) => Err(internal(&e)),
                _ => Ok(result),
            },
            Attempt::Conflict | Attempt::Wants(_) => Err(KmsError::new(
                ErrorName::KMSInternalException,
                "Another process changed the state during this command, so it was undone. Run it again.",
            )),
        }
    }

    /// One try of a call: catch up, pick the partition (and the second
    /// partition a call across two reaches), run, apply what it changes in
    /// other partitions (the copies of a multi-Region key), commit every
    /// partition's changed rows and audit records in one transaction. With
    /// `calls`, proxy calls are answered from it, and a run that wants one
    /// it has not made is undone ([`Attempt::Wants`]).
    fn attempt<R>(
        &self,
        own: &Partition,
        route: impl FnOnce(&Inner<C>) -> (Partition, Option<Partition>),
        run: impl FnOnce(&mut Runtime<C>, Option<&mut Runtime<C>>) -> R,
        calls: Option<&Arc<Mutex<ProxyCalls>>>,
    ) -> Result<Attempt<R>, KmsError> {
        let mut inner = locked(&self.inner);
        self.catch_up(&mut inner).map_err(|e| internal(&e))?;
        self.apply_checks(&mut inner);
        self.start_periodic_checks(&inner);
        let (partition, second) = route(&inner);
        let base = inner.seq;
        // The second partition's runtime is taken out of the cache while the
        // call holds both, and put back before anything else happens.
        let mut other = second.as_ref().map(|p| {
            let mut runtime = inner.partitions.remove(p).unwrap_or_else(|| self.new_runtime(p));
            runtime.sweep();
            runtime
        });
        let runtime = inner
            .partitions
            .entry(partition.clone())
            .or_insert_with(|| self.new_runtime(&partition));
        runtime.sweep();
        if let Some(calls) = calls {
            locked_calls(calls).begin_round();
        }
        runtime.proxy_calls = calls.cloned();
        if let Some(other) = other.as_mut() {
            other.proxy_calls = calls.cloned();
        }
        let result = run(runtime, other.as_mut());
        runtime.proxy_calls = None;
        if let Some(other) = other.as_mut() {
            other.proxy_calls = None;
        }
        if let Some(call) = calls.and_then(|c| locked_calls(c).take_wanted()) {
            // Undone, audit records and all: the call runs again once the
            // proxy has answered. (Its result may hold a plaintext: dropped,
            // and zeroized by its own types.)
            drop(result);
            for rt in std::iter::once(&mut *runtime).chain(other.as_mut()) {
                let _ = rt.take_outbox();
                rt.audit.discard();
                rt.rollback();
            }
            if let (Some(p), Some(rt)) = (second, other) {
                inner.partitions.insert(p, rt);
            }
            return Ok(Attempt::Wants(Box::new(call)));
        }
        let mut crossings: Vec<_> = runtime
            .take_outbox()
            .into_iter()
            .map(|c| (partition.account.clone(), c))
            .collect();
        let mut audit = runtime.audit.drain();
        // Where each runtime's event ids go on from if nothing is committed.
        let mut unspent = vec![(partition.clone(), first_id(&audit))];
        let mut touched = vec![partition.clone()];
        if let (Some(p), Some(mut runtime)) = (second, other) {
            crossings.extend(runtime.take_outbox().into_iter().map(|c| (p.account.clone(), c)));
            let drained = runtime.audit.drain();
            unspent.push((p.clone(), first_id(&drained)));
            audit.extend(drained);
            inner.partitions.insert(p.clone(), runtime);
            touched.push(p);
        }
        let rewind = |inner: &Inner<C>| {
            for (p, first) in &unspent {
                if let (Some(rt), Some(first)) = (inner.partitions.get(p), first) {
                    rt.audit.resume_after(first - 1);
                }
            }
        };
        for (account, crossing) in crossings {
            let other = Partition::new(account, crossing.region());
            let receiver = inner
                .partitions
                .entry(other.clone())
                .or_insert_with(|| self.new_runtime(&other));
            let received = receiver.receive(crossing);
            if !touched.contains(&other) {
                touched.push(other);
            }
            if received.is_err() {
                for p in &touched {
                    if let Some(rt) = inner.partitions.get_mut(p) {
                        rt.rollback();
                    }
                }
                rewind(&inner);
                return Err(KmsError::new(
                    ErrorName::KMSInternalException,
                    "The copies of a multi-Region key disagree; the call was not carried out.",
                ));
            }
        }
        let mut changes: Vec<Change> = Vec::new();
        for p in &touched {
            if let Some(rt) = inner.partitions.get(p) {
                changes.extend(rt.changes().into_iter().map(|row| Change {
                    partition: p.clone(),
                    row,
                }));
            }
        }
        if changes.is_empty() {
            for p in &touched {
                let empty = inner.partitions.get(p).is_some_and(Runtime::is_empty);
                if empty && p != own {
                    inner.partitions.remove(p);
                }
            }
            drop(inner);
            // Audit-only commits from many threads are batched by the store.
            let receipt = self.store.submit(Commit {
                changes: Vec::new(),
                audit,
                base,
            });
            let receipt = match self.durability {
                AuditDurability::Sync => Some(receipt),
                AuditDurability::Batched => {
                    receipt.detach().map_err(|e| internal(&e))?;
                    None
                }
            };
            return Ok(Attempt::Committed(result, receipt));
        }
        let index: Vec<((String, String), Option<Partition>)> = changes
            .iter()
            .filter_map(|c| match &c.row {
                Row::Key(k) => Some(((c.partition.region.clone(), k.id.clone()), Some(c.partition.clone()))),
                Row::KeyRemoved(id) => Some(((c.partition.region.clone(), id.clone()), None)),
                _ => None,
            })
            .collect();
        let connecting = changes.iter().any(
            |c| matches!(&c.row, Row::CustomKeyStore(s) if s.state == super::runtime::ConnectionState::Connecting),
        );
        let outcome = self.store.commit(Commit { changes, audit, base });
        for p in &touched {
            if let Some(rt) = inner.partitions.get_mut(p) {
                match outcome {
                    Ok(_) => rt.settle(),
                    Err(_) => rt.rollback(),
                }
            }
        }
        if outcome.is_err() {
            rewind(&inner);
        }
        match outcome {
            Ok(seq) => {
                inner.seq = seq;
                for (at, present) in index {
                    match present {
                        Some(p) => inner.key_index.insert(at, p),
                        None => inner.key_index.remove(&at),
                    };
                }
                if connecting {
                    self.start_checks(&inner, touched.iter());
                }
                Ok(Attempt::Committed(result, None))
            }
            Err(StoreError::Conflict { .. }) => Ok(Attempt::Conflict),
            Err(e) => Err(internal(&e)),
        }
    }

    /// Applies what other processes committed since this cache's sequence.
    fn catch_up(&self, inner: &mut Inner<C>) -> Result<(), StoreError> {
        if inner.stale {
            return self.load(inner);
        }
        if self.store.seq()? == inner.seq {
            return Ok(());
        }
        let (changes, seq) = self.store.changes_since(inner.seq)?;
        for change in changes {
            match &change.row {
                Row::Key(k) => {
                    let at = (change.partition.region.clone(), k.id.clone());
                    inner.key_index.insert(at, change.partition.clone());
                }
                Row::KeyRemoved(id) => {
                    inner.key_index.remove(&(change.partition.region.clone(), id.clone()));
                }
                _ => {}
            }
            let partition = change.partition.clone();
            let runtime = inner
                .partitions
                .entry(partition.clone())
                .or_insert_with(|| self.new_runtime(&partition));
            runtime.apply(change.row).map_err(|what| StoreError::Corrupt {
                path: Default::default(),
                what,
            })?;
        }
        inner.seq = seq;
        Ok(())
    }

    /// Reads a partition's runtime (caught up with the store) without a call:
    /// for completion, `explain` and tests. Nothing it does is committed, so
    /// `f` must not change the runtime.
    pub fn inspect<R>(&self, partition: &Partition, f: impl FnOnce(&Runtime<C>) -> R) -> Result<R, KmsError> {
        let mut inner = locked(&self.inner);
        self.catch_up(&mut inner).map_err(|e| internal(&e))?;
        match inner.partitions.get(partition) {
            Some(runtime) => Ok(f(runtime)),
            None => Ok(f(&self.new_runtime(partition))),
        }
    }

    /// The saved audit records that match `filter`.
    pub fn audit(&self, filter: &super::runtime::AuditFilter) -> Result<Vec<serde_json::Value>, StoreError> {
        self.store.audit(filter)
    }

    /// Removes every key, alias and grant of every partition (the server's
    /// test-mode reset); the audit log stays.
    pub fn reset(&self) -> Result<(), KmsError> {
        let mut inner = locked(&self.inner);
        self.catch_up(&mut inner).map_err(|e| internal(&e))?;
        let base = inner.seq;
        let mut changes = Vec::new();
        for (partition, runtime) in &mut inner.partitions {
            runtime.clear();
            changes.extend(runtime.changes().into_iter().map(|row| Change {
                partition: partition.clone(),
                row,
            }));
        }
        match self.store.commit(Commit {
            changes,
            audit: Vec::new(),
            base,
        }) {
            Ok(seq) => {
                inner.seq = seq;
                inner.key_index.clear();
                inner.partitions.values_mut().for_each(Runtime::settle);
                Ok(())
            }
            Err(e) => {
                inner.partitions.values_mut().for_each(Runtime::rollback);
                Err(internal(&e))
            }
        }
    }
}

/// A call's result and, while its audit records are being written, the
/// receipt that says when they are durable. The result stands only once
/// they are: [`wait`](Answer::wait) or [`finish`](Answer::finish) it.
#[must_use = "a call's answer stands only once its audit records are saved"]
pub struct Answer<R> {
    result: Result<R, KmsError>,
    receipt: Option<Receipt>,
}

/// An answer with nothing left to save.
impl<R> From<Result<R, KmsError>> for Answer<R> {
    fn from(result: Result<R, KmsError>) -> Answer<R> {
        Answer { result, receipt: None }
    }
}

impl<R> Answer<R> {
    /// The result once the audit records are saved (blocks the thread).
    pub fn wait(self) -> Result<R, KmsError> {
        match self.receipt.map(Receipt::wait) {
            Some(Err(e)) => Err(internal(&e)),
            _ => self.result,
        }
    }

    /// The result once the audit records are saved, without holding a
    /// thread. If they cannot be, the response is handed to `scrub` (to wipe
    /// a plaintext it holds) and the call fails.
    pub async fn finish(self, scrub: impl FnOnce(R)) -> Result<R, KmsError> {
        if let Some(receipt) = self.receipt {
            if let Err(error) = receipt.done().await {
                if let Ok(response) = self.result {
                    scrub(response);
                }
                return Err(internal(&error));
            }
        }
        self.result
    }

    /// Maps the response, keeping the receipt.
    pub fn map<U>(self, f: impl FnOnce(R) -> Result<U, KmsError>) -> Answer<U> {
        Answer {
            result: self.result.and_then(f),
            receipt: self.receipt,
        }
    }
}

impl<C: Clock + Clone> Drop for Service<C> {
    fn drop(&mut self) {
        self.finish_connection_checks();
    }
}
