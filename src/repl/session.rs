//! A [`Session`]: the runtime on a simulated clock, who is acting, the
//! results kept with `let`, and the last decision for `explain`.
//! [`Session::execute`] runs one [`Statement`] and writes what it has to say
//! to any `Write`, so the REPL, scripts and tests share it.
//!
//! Every statement runs through `kms::Service` on the session's partition:
//! it sees what other processes (a `keyward serve`, another command)
//! committed, and what it changes is committed with its audit records before
//! the next statement (a commit that fails undoes the statement), so a crash
//! loses nothing that was printed.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

use super::command::{Command, Expectation, Statement};
use super::diagnostics::ReplError;
use super::value::Value;
use crate::eval::{Caller, Decision};
use crate::kms::runtime::{rfc3339, Clock, Runtime, SimulatedClock, SystemClock};
use crate::kms::{Authorization, KmsRequest};
use crate::kms::{Partition, Service};
use crate::source::Source;
use crate::store::{MemoryStore, SqliteStore};

use crate::suite::{Accounts, Sources};

/// How a session starts.
pub struct Options {
    pub account: String,
    pub region: String,
    pub accounts: Option<Accounts>,
    /// A principal ARN or short name; the account's root user by default.
    pub caller: Option<String>,
    /// `s3` or a full endpoint: the caller calls through that service.
    pub via_service: Option<String>,
    /// The state directory; `None` keeps everything in memory.
    pub state: Option<PathBuf>,
    /// Colour in rendered explanations and diagnostics.
    pub colour: bool,
    /// How `call` shapes a response (operation name, wire JSON) before
    /// printing it; the wire JSON as is when `None`. The command line sets
    /// the AWS CLI's shape (ISO 8601 timestamps, the model's member order).
    pub shape_response: Option<ShapeResponse>,
    /// The external key store proxies the session calls (`--xks-*`; a
    /// statement calls its proxy at once, under the service's lock); `None`
    /// simulates `https://` stores.
    pub xks_proxies: Option<crate::kms::runtime::SharedProxies>,
}

impl std::fmt::Debug for Options {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Options")
            .field("account", &self.account)
            .field("region", &self.region)
            .field("accounts", &self.accounts)
            .field("caller", &self.caller)
            .field("via_service", &self.via_service)
            .field("state", &self.state)
            .field("colour", &self.colour)
            .field("xks_proxies", &self.xks_proxies.is_some())
            .finish_non_exhaustive()
    }
}

/// See [`Options::shape_response`].
pub type ShapeResponse = fn(&str, &mut serde_json::Value);

impl Default for Options {
    fn default() -> Self {
        Options {
            account: "111122223333".into(),
            region: "us-east-1".into(),
            accounts: None,
            caller: None,
            via_service: None,
            state: None,
            colour: false,
            shape_response: None,
            xks_proxies: None,
        }
    }
}

/// What a command did, and the result it gives to keep.
pub(super) type Ran = (Step, Option<Value>);

/// How a statement went, when it went through.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    Done,
    /// `simulate`'s answer.
    Decided(Decision),
    Exit,
}

/// The runtime's clock in a session: simulated, shared by every partition.
pub type SessionClock = Arc<SimulatedClock>;

/// The last decision, with the key policy it was made against.
pub(super) struct Decided {
    pub(super) authorization: Authorization,
    pub(super) key_policy: Option<Source>,
}

pub struct Session {
    /// The session's partition while a statement runs (checked out of `kms`
    /// by [`Session::execute`]); an empty stand-in between statements.
    pub(super) runtime: Runtime<SessionClock>,
    /// The destination key's partition while a `re-encrypt` to a key of
    /// another account runs (checked out of `kms` like `runtime`).
    pub(super) partner: Option<Runtime<SessionClock>>,
    /// Identities an `accounts` statement loaded, handed to `kms` once the
    /// statement is over (it holds the service while it runs).
    pub(super) loaded_identities: Option<crate::kms::Authorizer>,
    /// The KMS every statement runs through, over the state directory or memory.
    kms: Arc<Service<SessionClock>>,
    /// The session's own partition (`--account`, `--region`).
    partition: Partition,
    pub(super) caller: Caller,
    /// Short names from the accounts file, to principal ARNs.
    pub(super) names: BTreeMap<String, String>,
    pub(super) sources: Sources,
    pub(super) results: BTreeMap<String, Value>,
    pub(super) last: Option<Decided>,
    /// `allow`, `deny` or `error`: how the last statement came out.
    pub(super) last_outcome: Option<Expectation>,
    pub(super) colour: bool,
    pub(super) shape_response: Option<ShapeResponse>,
}

impl Session {
    pub fn new(options: Options) -> Result<Session, ReplError> {
        let clock: SessionClock = Arc::new(SimulatedClock::at(SystemClock.now()));
        let (identities, names, sources) = match options.accounts {
            Some(accounts) => (accounts.identities, accounts.names, accounts.sources),
            None => Default::default(),
        };
        let report = |e: crate::store::StoreError| ReplError::Failed(format!("{:?}", miette::Report::new(e)));
        let store: Box<dyn crate::kms::Store> = match &options.state {
            Some(dir) => Box::new(SqliteStore::open(dir).map_err(report)?),
            None => Box::new(MemoryStore::new()),
        };
        let kms = Service::open(store, identities, Arc::clone(&clock), &options.account).map_err(report)?;
        let kms = match options.xks_proxies {
            Some(proxies) => kms.with_xks_proxies(proxies),
            None => kms,
        };
        let partition = Partition::new(&options.account, &options.region);
        let who = options.caller.as_deref().unwrap_or(&options.account);
        let arn = names.get(who).map_or(who, String::as_str);
        let caller = Caller::parse(arn).map_err(|e| ReplError::Failed(format!("`--as {who}`: {e}")))?;
        let caller = match &options.via_service {
            Some(service) => caller.via(endpoint(service, &options.region)),
            None => caller,
        };
        Ok(Session {
            runtime: Runtime::new(&options.account, &options.region, Arc::clone(&clock)),
            partner: None,
            loaded_identities: None,
            kms: Arc::new(kms),
            partition,
            caller,
            names,
            sources,
            results: BTreeMap::new(),
            last: None,
            last_outcome: None,
            colour: options.colour,
            shape_response: options.shape_response,
        })
    }

    /// Who is acting, for the prompt: a short name, else the ARN's last part.
    pub fn prompt_name(&self) -> String {
        let short = self
            .names
            .iter()
            .find(|(_, arn)| **arn == self.caller.arn)
            .map(|(name, _)| name.clone());
        let name = short.unwrap_or_else(|| match self.caller.arn.rsplit_once(':') {
            Some((_, resource)) => resource.to_owned(),
            None => self.caller.arn.clone(),
        });
        match &self.caller.via_service {
            Some(service) => format!("{name} via {}", service.split('.').next().unwrap_or(service)),
            None => name,
        }
    }

    /// Words for completion: key ids, alias names, principal names, result
    /// names. Reading them calls nothing, so nothing is audited.
    pub fn completions(&self) -> Vec<String> {
        let mut words: Vec<String> = self.names.keys().cloned().collect();
        if let Ok(names) = self
            .kms
            .inspect(&self.partition, |rt| rt.names().map(str::to_owned).collect::<Vec<_>>())
        {
            words.extend(names);
        }
        words.extend(self.results.keys().map(|name| format!("${name}")));
        words
    }

    /// Reads and runs one line; a blank line does nothing.
    pub fn run_line(&mut self, text: &str, out: &mut impl Write) -> Result<Step, ReplError> {
        match Statement::parse(text)? {
            Some(statement) => self.execute(&statement, out),
            None => Ok(Step::Done),
        }
    }

    /// Runs one statement, keeps its result if it is bound. The statement
    /// runs through `kms::Service::run_once_across` on the partition it
    /// names (its key's, or the acting caller's own), so what it changed is committed
    /// (or, if that fails, undone) like any call.
    pub fn execute(&mut self, statement: &Statement, out: &mut impl Write) -> Result<Step, ReplError> {
        let kms = Arc::clone(&self.kms);
        let (partition, other) = self.partitions(statement);
        let ran = kms.run_once_across(&partition, other.as_ref(), |runtime, mut other| {
            std::mem::swap(&mut self.runtime, runtime);
            self.runtime.explain = true;
            self.runtime.take_decision();
            if let Some(destination) = other.as_deref_mut() {
                let stand_in = Runtime::new(
                    &destination.account,
                    &destination.region,
                    Arc::clone(&destination.clock),
                );
                let mut partner = std::mem::replace(destination, stand_in);
                partner.explain = true;
                partner.take_decision();
                self.partner = Some(partner);
            }
            let result = self.run(statement, out);
            self.note();
            std::mem::swap(&mut self.runtime, runtime);
            if let (Some(destination), Some(partner)) = (other, self.partner.take()) {
                *destination = partner;
            }
            result
        });
        if let Some(identities) = self.loaded_identities.take() {
            kms.set_identities(identities);
        }
        let result = ran.map_err(ReplError::kms("the statement")).and_then(|r| r);
        if !matches!(
            statement.command,
            Command::Expect(_) | Command::Help(_) | Command::Explain
        ) {
            self.last_outcome = Some(match &result {
                Ok((Step::Decided(Decision::Allow) | Step::Done | Step::Exit, _)) => Expectation::Allow,
                Ok(_) => Expectation::Deny,
                Err(e) if e.is_denial() => Expectation::Deny,
                Err(_) => Expectation::Error,
            });
        }
        let (outcome, value) = result?;
        if let Some(name) = &statement.bind {
            let value =
                value.ok_or_else(|| ReplError::Failed(format!("this command gives no result to keep as `${name}`")))?;
            let _ = writeln!(out, "${name} = {}", value.describe());
            self.results.insert(name.clone(), value);
        }
        Ok(outcome)
    }

    /// The committed audit records that match `filter`.
    pub(super) fn audit(
        &self,
        filter: &crate::kms::runtime::AuditFilter,
    ) -> Result<Vec<serde_json::Value>, crate::store::StoreError> {
        self.kms.audit(filter)
    }

    // ── decisions ───────────────────────────────────────────────────────────

    /// Decides `action` on `key_id` as the runtime would, for `explain` and
    /// `simulate`, without calling (nor auditing) anything. In `context`,
    /// the request condition keys ([`is_request_key`]) are set as themselves,
    /// the other pairs as the encryption context.
    pub(super) fn decide(
        &self,
        caller: &Caller,
        action: &str,
        key_id: &str,
        context: &BTreeMap<String, String>,
        grant_tokens: &[String],
    ) -> Result<Decided, ReplError> {
        let key = self
            .runtime
            .resolve_for(caller, key_id)
            .map_err(ReplError::kms("Simulate"))?;
        let now = self.runtime.clock.now();
        let grants: Vec<crate::policy::Grant> = self
            .runtime
            .grants
            .usable(&key.arn, grant_tokens, now)
            .map_err(ReplError::kms("Simulate"))?
            .into_iter()
            .cloned()
            .collect();
        let mut request = KmsRequest::new(caller.clone(), action, &key.arn);
        // The request condition keys of the operations are not encryption
        // context: `context kms:SigningAlgorithm=ECDSA_SHA_256`.
        let (condition_keys, encryption_context): (BTreeMap<_, _>, BTreeMap<_, _>) = context
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .partition(|(k, _)| is_request_key(k));
        for (name, value) in &condition_keys {
            request.context.insert_one(name, value.clone());
        }
        request.encryption_context = encryption_context;
        request.grant_tokens = grant_tokens.to_vec();
        request.key = key.info;
        request.time = Some(rfc3339(now));
        request.alias = crate::kms::KeyRef::parse(key_id).alias_name().map(str::to_owned);
        let authorization = self
            .runtime
            .identities
            .authorize_for(Some(&key.policy), &grants, &request, true);
        Ok(Decided {
            authorization,
            key_policy: Some(Source::new("key-policy", key.policy_text.as_str())),
        })
    }

    /// Where `open` runs: the caller's own partition if one of the
    /// envelope's data keys is encrypted under a key there, else the
    /// partition of its first key (another account's, shared by its key
    /// policy).
    fn envelope_target(&self, sealed: &super::command::Operand, line: &super::diagnostics::Line) -> crate::kms::Target {
        use crate::kms::op::target_of_key;
        use crate::kms::Target;
        let own = Partition::new(self.kms.account_of(&self.caller), &self.partition.region);
        let keys = self.envelope_keys(sealed, line);
        let targets: Vec<Target> = keys.iter().map(|k| target_of_key(k)).collect();
        let here = |t: &Target| matches!(t, Target::Arn(p) if *p == own);
        if targets.iter().any(here) {
            return Target::Caller;
        }
        targets.into_iter().next().unwrap_or(Target::Caller)
    }

    /// The key ARNs of an envelope's encrypted data keys (none when the
    /// operand is not an envelope: the command reports it).
    fn envelope_keys(&self, sealed: &super::command::Operand, line: &super::diagnostics::Line) -> Vec<String> {
        self.sealed(sealed, line)
            .ok()
            .and_then(|bytes| crate::crypto::envelope::read_header(&mut bytes.as_slice()).ok())
            .map(|read| read.header.keys.into_iter().map(|k| k.key_arn).collect())
            .unwrap_or_default()
    }

    /// The partitions a statement runs in, as `keyward serve` routes the
    /// same calls: the one the ARN of the key it names is in, or (a
    /// ciphertext without a key) the one of the key the ciphertext names,
    /// else the acting caller's own account in the session's Region; and for
    /// `re-encrypt` (or `call ReEncrypt`) to a key of another partition,
    /// that one too, as for `seal` and `open` with keys of a second
    /// partition. An operand that cannot be read routes to the caller's
    /// own partition, where the command reports it.
    fn partitions(&self, statement: &Statement) -> (Partition, Option<Partition>) {
        use crate::kms::op::{target_of_key, Json};
        use crate::kms::{Operation, Target};
        let line = &statement.line;
        let key = |operand: &super::command::Operand| {
            self.key(operand, line)
                .map_or(Target::Caller, |key| target_of_key(&key))
        };
        let blob = |operand: &super::command::Operand| {
            let blob = self.ciphertext(operand, line).ok();
            let header = blob.and_then(|blob| crate::crypto::peek(&blob).ok());
            header.map_or(Target::Caller, |header| Target::KeyId(header.key_id))
        };
        let (target, destination) = match &statement.command {
            Command::KeyDescribe(k)
            | Command::KeyEnable(k)
            | Command::KeyDisable(k)
            | Command::KeyCancelDeletion(k)
            | Command::KeyRotate(k)
            | Command::KeyDisableRotation(k)
            | Command::KeyRotations(k)
            | Command::PolicyGet(k)
            | Command::GrantList(k)
            | Command::KeyScheduleDeletion { key: k, .. }
            | Command::KeyEnableRotation { key: k, .. }
            | Command::PolicyPut { key: k, .. }
            | Command::GrantCreate { key: k, .. }
            | Command::GrantRevoke { key: k, .. }
            | Command::Encrypt { key: k, .. }
            | Command::GenerateDataKey { key: k, .. }
            | Command::Simulate { key: k, .. }
            | Command::Decrypt { key: Some(k), .. } => (key(k), None),
            Command::Decrypt {
                ciphertext, key: None, ..
            } => (blob(ciphertext), None),
            Command::ReEncrypt { ciphertext, key: k, .. } => (blob(ciphertext), Some(key(k))),
            Command::Seal { keys, .. } => (keys.first().map_or(Target::Caller, key), None),
            Command::Open { sealed, .. } => (self.envelope_target(sealed, line), None),
            Command::Call { operation, request, .. } => {
                let text = request.as_ref().and_then(|r| self.text(r, line).ok());
                let request = text.map_or(Some(serde_json::json!({})), |t| serde_json::from_str(&t).ok());
                match request {
                    Some(request) => {
                        let call = Json {
                            operation,
                            request: &request,
                        };
                        (
                            Operation::<SessionClock>::target(&call),
                            Operation::<SessionClock>::destination(&call),
                        )
                    }
                    None => (Target::Caller, None),
                }
            }
            _ => (Target::Caller, None),
        };
        let place = |target| {
            self.kms
                .partition_of(&self.caller, &self.partition.region, target)
                .unwrap_or_else(|_| self.partition.clone())
        };
        let first = place(target);
        let second = match &statement.command {
            // An envelope's keys may be in two partitions: the statement
            // holds the second too (a third is not reached).
            Command::Seal { keys, .. } => keys.iter().map(|k| place(key(k))).find(|p| *p != first),
            Command::Open { sealed, .. } => self
                .envelope_keys(sealed, line)
                .into_iter()
                .map(|k| place(target_of_key(&k)))
                .find(|p| *p != first),
            _ => destination.map(place).filter(|p| *p != first),
        };
        (first, second)
    }

    /// Keeps, for `explain`, the decision the statement's last call made
    /// (on the destination's partition, for a `re-encrypt` across two).
    fn note(&mut self) {
        let partner = self.partner.as_ref().and_then(Runtime::take_decision);
        if let Some(decided) = partner.or_else(|| self.runtime.take_decision()) {
            self.last = Some(Decided {
                authorization: decided.authorization,
                key_policy: decided.key_policy.map(|text| Source::new("key-policy", text.as_str())),
            });
        }
    }

    pub(super) fn render(&self, decided: &Decided, trace: bool) -> String {
        let mut sources = self.sources.clone();
        if let Some(source) = &decided.key_policy {
            sources.add(source.clone());
        }
        super::explain::text(&decided.authorization, &sources, self.colour, trace)
    }

    pub(super) fn describe_caller(&self) -> String {
        let mut text = self.caller.arn.clone();
        if let Some((name, _)) = self.names.iter().find(|(_, arn)| **arn == self.caller.arn) {
            text = format!("{name} ({text})");
        }
        if let Some(service) = &self.caller.via_service {
            text.push_str(&format!(" via {service}"));
        }
        text
    }
}

/// `s3` or `s3.us-east-1.amazonaws.com`.
pub(super) fn endpoint(service: &str, region: &str) -> String {
    if service.contains('.') {
        service.to_owned()
    } else {
        format!("{service}.{region}.amazonaws.com")
    }
}

/// Whether `simulate … context NAME=VALUE` sets `NAME` on the request
/// itself rather than as encryption context: the condition keys some KMS
/// operation sets from its request ([`crate::kms::op::DECLARED`]), such as
/// `kms:SigningAlgorithm`, `kms:EncapsulationAlgorithm` or
/// `kms:ReplicaRegion`, and `aws:RequestTag/TAG`. The encryption context
/// keys (`kms:EncryptionContext:K`, `kms:EncryptionContextKeys`) come from
/// the encryption context, so they are not request keys.
pub(super) fn is_request_key(name: &str) -> bool {
    crate::kms::op::DECLARED
        .iter()
        .flat_map(|op| op.condition_keys)
        .filter(|key| !key.starts_with("kms:EncryptionContext"))
        .any(|key| match key.split_once("${") {
            Some((prefix, _)) => {
                name.len() > prefix.len()
                    && name.is_char_boundary(prefix.len())
                    && name[..prefix.len()].eq_ignore_ascii_case(prefix)
            }
            None => key.eq_ignore_ascii_case(name),
        })
}
