//! A [`Session`]: the runtime on a simulated clock, who is acting, the
//! results kept with `let`, and the last decision for `explain`.
//! [`Session::execute`] runs one [`Statement`] and writes what it has to say
//! to any `Write`, so the REPL, scripts and tests share it.
//!
//! With a state directory, the session holds its lock from start to end (no
//! other keyward command can save over the session's work, nor the session
//! over theirs) and saves the state and the new audit records after every
//! statement, so a crash loses nothing that was printed.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use zeroize::Zeroizing;

use super::command::{Command, CryptoOptions, Expectation, Operand, Statement, Written};
use super::diagnostics::{Line, ReplError};
use super::value::{printable, Value};
use crate::eval::{Caller, Decision};
use crate::kms::runtime::{rfc3339, AuditFilter, Clock, KeyMetadata, Paging, Runtime, SimulatedClock, SystemClock};
use crate::kms::wire::{b64, dispatch, grant_from_request, wipe};
use crate::kms::{Authorization, KmsRequest};
use crate::policy::suggest;
use crate::source::{Source, Span};
use crate::store::Store;
use crate::suite::{Accounts, Sources};

/// How a session starts.
#[derive(Debug)]
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
}

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
        }
    }
}

/// How a statement went, when it went through.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Done,
    /// `simulate`'s answer.
    Decided(Decision),
    Exit,
}

/// The state directory, locked for the session.
struct Persisted {
    store: Store,
    _lock: std::fs::File,
}

/// The last decision, with the key policy it was made against.
struct Decided {
    authorization: Authorization,
    key_policy: Option<Source>,
}

pub struct Session {
    runtime: Runtime<SimulatedClock>,
    caller: Caller,
    /// Short names from the accounts file, to principal ARNs.
    names: BTreeMap<String, String>,
    sources: Sources,
    results: BTreeMap<String, Value>,
    last: Option<Decided>,
    /// `allow`, `deny` or `error`: how the last statement came out.
    last_outcome: Option<Expectation>,
    persisted: Option<Persisted>,
    colour: bool,
}

impl Session {
    pub fn new(options: Options) -> Result<Session, ReplError> {
        let clock = SimulatedClock::at(SystemClock.now());
        let mut runtime = Runtime::new(&options.account, &options.region, clock);
        let (names, sources) = match options.accounts {
            Some(accounts) => {
                runtime.identities = accounts.identities;
                (accounts.names, accounts.sources)
            }
            None => Default::default(),
        };
        let persisted = match &options.state {
            Some(dir) => Some(open_state(dir, &mut runtime)?),
            None => None,
        };
        runtime.sweep();
        let who = options.caller.as_deref().unwrap_or(&options.account);
        let arn = names.get(who).map_or(who, String::as_str);
        let caller = Caller::parse(arn).map_err(|e| ReplError::Failed(format!("`--as {who}`: {e}")))?;
        let caller = match &options.via_service {
            Some(service) => caller.via(endpoint(service, &options.region)),
            None => caller,
        };
        Ok(Session {
            runtime,
            caller,
            names,
            sources,
            results: BTreeMap::new(),
            last: None,
            last_outcome: None,
            persisted,
            colour: options.colour,
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
        words.extend(self.runtime.names().map(str::to_owned));
        words.extend(self.results.keys().map(|name| format!("${name}")));
        words
    }

    /// Reads and runs one line; a blank line does nothing.
    pub fn run_line(&mut self, text: &str, out: &mut impl Write) -> Result<Outcome, ReplError> {
        match Statement::parse(text)? {
            Some(statement) => self.execute(&statement, out),
            None => Ok(Outcome::Done),
        }
    }

    /// Runs one statement, keeps its result if it is bound, and saves the state.
    pub fn execute(&mut self, statement: &Statement, out: &mut impl Write) -> Result<Outcome, ReplError> {
        self.runtime.sweep();
        let result = self.run(statement, out);
        if !matches!(
            statement.command,
            Command::Expect(_) | Command::Help(_) | Command::Explain
        ) {
            self.last_outcome = Some(match &result {
                Ok((Outcome::Decided(Decision::Allow) | Outcome::Done | Outcome::Exit, _)) => Expectation::Allow,
                Ok(_) => Expectation::Deny,
                Err(e) if e.is_denial() => Expectation::Deny,
                Err(_) => Expectation::Error,
            });
        }
        self.save()?;
        let (outcome, value) = result?;
        if let Some(name) = &statement.bind {
            let value =
                value.ok_or_else(|| ReplError::Failed(format!("this command gives no result to keep as `${name}`")))?;
            let _ = writeln!(out, "${name} = {}", value.describe());
            self.results.insert(name.clone(), value);
        }
        Ok(outcome)
    }

    fn save(&mut self) -> Result<(), ReplError> {
        if let Some(persisted) = &mut self.persisted {
            persisted
                .store
                .save(&self.runtime.export(), &self.runtime.audit.drain())
                .map_err(|e| ReplError::Failed(format!("{:?}", miette::Report::new(e))))?;
        }
        Ok(())
    }

    // ── operands ────────────────────────────────────────────────────────────

    fn variable(&self, name: &str, span: Span, line: &Line) -> Result<&Value, ReplError> {
        self.results.get(name).ok_or_else(|| {
            let names: Vec<&str> = self.results.keys().map(String::as_str).collect();
            let help = match suggest::closest(name, names.iter().copied()) {
                Some(n) => format!("did you mean `${n}`?"),
                None if names.is_empty() => "keep a result with `let NAME = COMMAND`".to_owned(),
                None => format!("the results kept are {}", suggest::list(&names)),
            };
            let help = Some(help);
            ReplError::invalid(
                line,
                span,
                format!("no result is named `${name}`"),
                "unknown name",
                help,
            )
        })
    }

    /// An operand used as `what`, through `pick` when it is a kept result.
    fn resolve<T>(
        &self,
        operand: &Operand,
        line: &Line,
        what: &str,
        text: impl FnOnce(&str) -> Option<T>,
        pick: impl FnOnce(&Value) -> Option<T>,
    ) -> Result<T, ReplError> {
        let wrong = |found: &str| {
            ReplError::invalid(
                line,
                operand.span,
                format!("this is {found}, not {what}"),
                &format!("{what} is needed here"),
                None,
            )
        };
        match &operand.value {
            Written::Variable(name) => {
                let value = self.variable(name, operand.span, line)?;
                pick(value).ok_or_else(|| wrong(value.kind()))
            }
            Written::Text(t) | Written::Json(t) => text(t).ok_or_else(|| wrong("not usable")),
        }
    }

    fn key(&self, operand: &Operand, line: &Line) -> Result<String, ReplError> {
        self.resolve(operand, line, "a key", |t| Some(t.to_owned()), Value::key_id)
    }

    fn text(&self, operand: &Operand, line: &Line) -> Result<String, ReplError> {
        self.resolve(
            operand,
            line,
            "a text",
            |t| Some(t.to_owned()),
            |v| match v {
                Value::Text(t) => Some(t.clone()),
                other => other.key_id(),
            },
        )
    }

    fn ciphertext(&self, operand: &Operand, line: &Line) -> Result<Vec<u8>, ReplError> {
        use base64::Engine as _;
        self.resolve(
            operand,
            line,
            "a ciphertext",
            |t| base64::engine::general_purpose::STANDARD.decode(t.trim()).ok(),
            |v| v.ciphertext().map(<[u8]>::to_vec),
        )
    }

    fn plaintext(&self, operand: &Operand, line: &Line) -> Result<Zeroizing<Vec<u8>>, ReplError> {
        self.resolve(
            operand,
            line,
            "a plaintext",
            |t| Some(Zeroizing::new(t.as_bytes().to_vec())),
            Value::plaintext,
        )
    }

    fn grant(&self, operand: &Operand, line: &Line, token: bool) -> Result<String, ReplError> {
        let what = if token { "a grant token" } else { "a grant id" };
        self.resolve(operand, line, what, |t| Some(t.to_owned()), |v| v.grant(token))
    }

    fn tokens(&self, options: &CryptoOptions, line: &Line) -> Result<Vec<String>, ReplError> {
        options.grant_tokens.iter().map(|t| self.grant(t, line, true)).collect()
    }

    /// A principal ARN or a short name from the accounts file.
    fn principal(&self, operand: &Operand, line: &Line) -> Result<Caller, ReplError> {
        let who = self.text(operand, line)?;
        let arn = self.names.get(&who).map_or(who.as_str(), String::as_str);
        Caller::parse(arn).map_err(|e| {
            let names: Vec<&str> = self.names.keys().map(String::as_str).collect();
            let help = match suggest::closest(&who, names.iter().copied()) {
                Some(name) => Some(format!("did you mean `{name}`?")),
                None if names.is_empty() => {
                    Some("give a principal ARN, or load an accounts file with `--accounts`".into())
                }
                None => Some(format!("the accounts file names {}", suggest::list(&names))),
            };
            ReplError::invalid(
                line,
                operand.span,
                format!("`{who}` is not a principal: {e}"),
                "not a principal",
                help,
            )
        })
    }

    /// A policy: a JSON object written inline, or a file to read.
    fn policy(&self, operand: &Operand, line: &Line) -> Result<String, ReplError> {
        if let Written::Json(json) = &operand.value {
            return Ok(json.clone());
        }
        let path = self.text(operand, line)?;
        let path = path.strip_prefix("file://").unwrap_or(&path);
        read_text(Path::new(path))
            .map_err(|message| ReplError::invalid(line, operand.span, message, "cannot be read", None))
    }

    // ── decisions ───────────────────────────────────────────────────────────

    /// Decides `action` on `key_id` as the runtime would, for `explain` and
    /// `simulate`, without calling (nor auditing) anything.
    fn decide(
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
        request.encryption_context = context.clone();
        request.grant_tokens = grant_tokens.to_vec();
        request.key = key.info;
        request.time = Some(rfc3339(now));
        let local = key_id.rsplit_once(':').map_or(key_id, |(_, a)| a);
        if local.starts_with("alias/") {
            request.alias = Some(local.to_owned());
        }
        let authorization = self
            .runtime
            .identities
            .authorize_for(Some(&key.policy), &grants, &request, true);
        Ok(Decided {
            authorization,
            key_policy: Some(Source::new("key-policy", key.policy_text.as_str())),
        })
    }

    /// Remembers how `action` on `key_id` is decided, for `explain`.
    fn note(&mut self, action: &str, key_id: &str, context: &BTreeMap<String, String>, tokens: &[String]) {
        if let Ok(decided) = self.decide(&self.caller.clone(), action, key_id, context, tokens) {
            self.last = Some(decided);
        }
    }

    fn render(&self, decided: &Decided, trace: bool) -> String {
        let mut sources = self.sources.clone();
        if let Some(source) = &decided.key_policy {
            sources.add(source.clone());
        }
        super::explain::text(&decided.authorization, &sources, self.colour, trace)
    }

    // ── commands ────────────────────────────────────────────────────────────

    fn run(&mut self, statement: &Statement, out: &mut impl Write) -> Result<(Outcome, Option<Value>), ReplError> {
        let line = &statement.line;
        let caller = self.caller.clone();
        let io = |e: std::io::Error| ReplError::Failed(format!("cannot write the output: {e}"));
        let done = Ok((Outcome::Done, None));
        let key_line = |m: &KeyMetadata| {
            let deletion = m
                .deletion_date
                .map(|d| format!(" (deleted on {})", rfc3339(d)))
                .unwrap_or_default();
            let description = if m.description.is_empty() {
                String::new()
            } else {
                format!("  {}", m.description)
            };
            format!("key {}  {}{deletion}{description}", m.key_id, m.state)
        };
        let kms = ReplError::kms;
        match &statement.command {
            Command::KeyCreate {
                description,
                policy,
                bypass,
            } => {
                let description = description.as_ref().map(|d| self.text(d, line)).transpose()?;
                let policy = policy.as_ref().map(|p| self.policy(p, line)).transpose()?;
                let m = self
                    .runtime
                    .create_key(&caller, description.as_deref(), policy.as_deref(), *bypass)
                    .map_err(kms("CreateKey"))?;
                writeln!(out, "{}", key_line(&m)).map_err(io)?;
                Ok((
                    Outcome::Done,
                    Some(Value::Key {
                        id: m.key_id,
                        arn: m.arn,
                    }),
                ))
            }
            Command::KeyList => {
                let mut marker: Option<String> = None;
                loop {
                    let page = self
                        .runtime
                        .list_keys(
                            &caller,
                            Paging {
                                limit: None,
                                marker: marker.as_deref(),
                            },
                        )
                        .map_err(kms("ListKeys"))?;
                    for (id, _) in &page.items {
                        let described = self.runtime.resolve(id).map(|k| k.state.to_string());
                        writeln!(out, "{id}  {}", described.unwrap_or_default()).map_err(io)?;
                    }
                    match page.next_marker {
                        Some(next) => marker = Some(next),
                        None => break,
                    }
                }
                done
            }
            Command::KeyDescribe(key)
            | Command::KeyEnable(key)
            | Command::KeyDisable(key)
            | Command::KeyCancelDeletion(key)
            | Command::KeyRotate(key) => {
                let key_id = self.key(key, line)?;
                let (operation, action) = match &statement.command {
                    Command::KeyDescribe(_) => ("DescribeKey", "kms:DescribeKey"),
                    Command::KeyEnable(_) => ("EnableKey", "kms:EnableKey"),
                    Command::KeyDisable(_) => ("DisableKey", "kms:DisableKey"),
                    Command::KeyCancelDeletion(_) => ("CancelKeyDeletion", "kms:CancelKeyDeletion"),
                    _ => ("RotateKeyOnDemand", "kms:RotateKeyOnDemand"),
                };
                self.note(action, &key_id, &BTreeMap::new(), &[]);
                let rt = &mut self.runtime;
                let m = match &statement.command {
                    Command::KeyDescribe(_) => rt.describe_key(&caller, &key_id),
                    Command::KeyEnable(_) => rt.enable_key(&caller, &key_id),
                    Command::KeyDisable(_) => rt.disable_key(&caller, &key_id),
                    Command::KeyCancelDeletion(_) => rt.cancel_key_deletion(&caller, &key_id),
                    _ => rt.rotate_key_on_demand(&caller, &key_id),
                }
                .map_err(kms(operation))?;
                writeln!(out, "{}", key_line(&m)).map_err(io)?;
                if matches!(statement.command, Command::KeyDescribe(_)) {
                    writeln!(out, "  arn: {}", m.arn).map_err(io)?;
                    writeln!(out, "  created: {}", rfc3339(m.creation_date)).map_err(io)?;
                    writeln!(out, "  manager: {}", m.key_manager).map_err(io)?;
                }
                if let Some(material) = m
                    .current_key_material_id
                    .as_ref()
                    .filter(|_| matches!(statement.command, Command::KeyRotate(_) | Command::KeyDescribe(_)))
                {
                    writeln!(out, "  current material: {material}").map_err(io)?;
                }
                done
            }
            Command::KeyScheduleDeletion { key, days } => {
                let key_id = self.key(key, line)?;
                self.note("kms:ScheduleKeyDeletion", &key_id, &BTreeMap::new(), &[]);
                let m = self
                    .runtime
                    .schedule_key_deletion(&caller, &key_id, *days)
                    .map_err(kms("ScheduleKeyDeletion"))?;
                writeln!(out, "{}", key_line(&m)).map_err(io)?;
                done
            }
            Command::KeyEnableRotation { key, days } => {
                let key_id = self.key(key, line)?;
                self.runtime
                    .enable_key_rotation(&caller, &key_id, *days)
                    .map_err(kms("EnableKeyRotation"))?;
                let status = self
                    .runtime
                    .get_key_rotation_status(&caller, &key_id)
                    .map_err(kms("GetKeyRotationStatus"))?;
                let next = status.next_rotation_date.map(rfc3339).unwrap_or_default();
                writeln!(
                    out,
                    "rotation every {} days, next on {next}",
                    status.rotation_period_in_days.unwrap_or_default()
                )
                .map_err(io)?;
                done
            }
            Command::KeyDisableRotation(key) => {
                let key_id = self.key(key, line)?;
                self.runtime
                    .disable_key_rotation(&caller, &key_id)
                    .map_err(kms("DisableKeyRotation"))?;
                writeln!(out, "rotation disabled").map_err(io)?;
                done
            }
            Command::KeyRotations(key) => {
                let key_id = self.key(key, line)?;
                let rotations = self
                    .runtime
                    .list_key_rotations(&caller, &key_id)
                    .map_err(kms("ListKeyRotations"))?;
                if rotations.is_empty() {
                    writeln!(out, "no rotations yet").map_err(io)?;
                }
                for (material, at, origin) in rotations {
                    writeln!(out, "{}  {}  material {material}", rfc3339(at), origin.as_str()).map_err(io)?;
                }
                done
            }
            Command::AliasCreate { name, key } | Command::AliasUpdate { name, key } => {
                let (name, key_id) = (self.text(name, line)?, self.key(key, line)?);
                if matches!(statement.command, Command::AliasCreate { .. }) {
                    self.runtime
                        .create_alias(&caller, &name, &key_id)
                        .map_err(kms("CreateAlias"))?;
                } else {
                    self.runtime
                        .update_alias(&caller, &name, &key_id)
                        .map_err(kms("UpdateAlias"))?;
                }
                let target = self.runtime.resolve(&name).map(|k| k.id.clone()).unwrap_or_default();
                writeln!(out, "{name} -> key {target}").map_err(io)?;
                done
            }
            Command::AliasDelete(name) => {
                let name = self.text(name, line)?;
                self.runtime.delete_alias(&caller, &name).map_err(kms("DeleteAlias"))?;
                writeln!(out, "deleted {name}").map_err(io)?;
                done
            }
            Command::AliasList(key) => {
                let key_id = key.as_ref().map(|k| self.key(k, line)).transpose()?;
                let page = self
                    .runtime
                    .list_aliases(
                        &caller,
                        key_id.as_deref(),
                        Paging {
                            limit: Some(100),
                            marker: None,
                        },
                    )
                    .map_err(kms("ListAliases"))?;
                for alias in page.items {
                    writeln!(out, "{} -> key {}", alias.name, alias.target_key_id).map_err(io)?;
                }
                done
            }
            Command::PolicyGet(key) => {
                let key_id = self.key(key, line)?;
                let text = self
                    .runtime
                    .get_key_policy(&caller, &key_id, None)
                    .map_err(kms("GetKeyPolicy"))?;
                writeln!(out, "{text}").map_err(io)?;
                done
            }
            Command::PolicyPut { key, policy, bypass } => {
                let key_id = self.key(key, line)?;
                let text = self.policy(policy, line)?;
                self.note("kms:PutKeyPolicy", &key_id, &BTreeMap::new(), &[]);
                self.runtime
                    .put_key_policy(&caller, &key_id, &text, *bypass)
                    .map_err(kms("PutKeyPolicy"))?;
                writeln!(out, "policy of {key_id} replaced").map_err(io)?;
                done
            }
            Command::GrantCreate {
                key,
                grantee,
                operations,
                context_equals,
                context_subset,
                retiring,
                name,
            } => {
                let key_id = self.key(key, line)?;
                let grantee = self.principal(grantee, line)?;
                let mut request = serde_json::json!({
                    "GranteePrincipal": grantee.arn,
                    "Operations": operations,
                });
                if let Some(pairs) = context_equals {
                    request["Constraints"]["EncryptionContextEquals"] = serde_json::json!(pairs);
                }
                if let Some(pairs) = context_subset {
                    request["Constraints"]["EncryptionContextSubset"] = serde_json::json!(pairs);
                }
                if let Some(r) = retiring {
                    request["RetiringPrincipal"] = serde_json::json!(self.principal(r, line)?.arn);
                }
                if let Some(n) = name {
                    request["Name"] = serde_json::json!(self.text(n, line)?);
                }
                let grant = grant_from_request(&request).map_err(kms("CreateGrant"))?;
                self.note("kms:CreateGrant", &key_id, &BTreeMap::new(), &[]);
                let issued = self
                    .runtime
                    .create_grant(&caller, &key_id, grant, &[])
                    .map_err(kms("CreateGrant"))?;
                writeln!(
                    out,
                    "grant {} for {} to {}",
                    issued.grant_id,
                    grantee.arn,
                    operations.join(", ")
                )
                .map_err(io)?;
                writeln!(out, "  token: {}", issued.grant_token).map_err(io)?;
                Ok((
                    Outcome::Done,
                    Some(Value::Grant {
                        id: issued.grant_id,
                        token: issued.grant_token,
                    }),
                ))
            }
            Command::GrantList(key) => {
                let key_id = self.key(key, line)?;
                let grants = self
                    .runtime
                    .list_grants(
                        &caller,
                        &key_id,
                        None,
                        None,
                        Paging {
                            limit: Some(100),
                            marker: None,
                        },
                    )
                    .map_err(kms("ListGrants"))?;
                if grants.items.is_empty() {
                    writeln!(out, "no grants").map_err(io)?;
                }
                for grant in &grants.items {
                    let entry = crate::kms::wire::grant_entry(grant);
                    let operations: Vec<&str> = entry["Operations"]
                        .as_array()
                        .map(|ops| ops.iter().filter_map(|o| o.as_str()).collect())
                        .unwrap_or_default();
                    writeln!(
                        out,
                        "grant {} for {} to {}",
                        entry["GrantId"].as_str().unwrap_or(""),
                        entry["GranteePrincipal"].as_str().unwrap_or(""),
                        operations.join(", ")
                    )
                    .map_err(io)?;
                    if let Some(constraints) = entry.get("Constraints") {
                        writeln!(out, "  constraints: {constraints}").map_err(io)?;
                    }
                }
                done
            }
            Command::GrantRevoke { key, grant } => {
                let key_id = self.key(key, line)?;
                let grant_id = self.grant(grant, line, false)?;
                self.runtime
                    .revoke_grant(&caller, &key_id, &grant_id)
                    .map_err(kms("RevokeGrant"))?;
                writeln!(out, "revoked grant {grant_id}").map_err(io)?;
                done
            }
            Command::GrantRetire(token) => {
                let token = self.grant(token, line, true)?;
                self.runtime
                    .retire_grant(&caller, Some(&token), None)
                    .map_err(kms("RetireGrant"))?;
                writeln!(out, "retired the grant").map_err(io)?;
                done
            }
            Command::Encrypt {
                key,
                plaintext,
                options,
            } => {
                let key_id = self.key(key, line)?;
                let plaintext = self.plaintext(plaintext, line)?;
                let tokens = self.tokens(options, line)?;
                let result = self
                    .runtime
                    .encrypt(&caller, &key_id, &plaintext, &options.context, &tokens);
                self.note("kms:Encrypt", &key_id, &options.context, &tokens);
                let encrypted = result.map_err(kms("Encrypt"))?;
                writeln!(out, "ciphertext: {}", b64(&encrypted.ciphertext_blob)).map_err(io)?;
                writeln!(out, "  key: {}", encrypted.key_arn).map_err(io)?;
                Ok((Outcome::Done, Some(Value::Ciphertext(encrypted.ciphertext_blob))))
            }
            Command::Decrypt {
                ciphertext,
                key,
                options,
            } => {
                let blob = self.ciphertext(ciphertext, line)?;
                let key_id = key.as_ref().map(|k| self.key(k, line)).transpose()?;
                let tokens = self.tokens(options, line)?;
                if let Some(named) = key_id.clone().or_else(|| blob_key(&blob, &self.runtime)) {
                    self.note("kms:Decrypt", &named, &options.context, &tokens);
                }
                let decrypted = self
                    .runtime
                    .decrypt(&caller, &blob, key_id.as_deref(), &options.context, &tokens)
                    .map_err(kms("Decrypt"))?;
                let text = Zeroizing::new(printable(&decrypted.plaintext));
                writeln!(out, "plaintext: {}", text.as_str()).map_err(io)?;
                Ok((Outcome::Done, Some(Value::Plaintext(decrypted.plaintext.clone()))))
            }
            Command::ReEncrypt {
                ciphertext,
                source_context,
                key,
                destination_context,
            } => {
                let blob = self.ciphertext(ciphertext, line)?;
                let key_id = self.key(key, line)?;
                let destination = destination_context.as_ref().unwrap_or(source_context);
                if let Some(source) = blob_key(&blob, &self.runtime) {
                    self.note("kms:ReEncryptFrom", &source, source_context, &[]);
                }
                let encrypted = self
                    .runtime
                    .re_encrypt(&caller, &blob, None, source_context, &key_id, destination, &[])
                    .map_err(kms("ReEncrypt"))?;
                writeln!(out, "ciphertext: {}", b64(&encrypted.ciphertext_blob)).map_err(io)?;
                writeln!(out, "  key: {}", encrypted.key_arn).map_err(io)?;
                Ok((Outcome::Done, Some(Value::Ciphertext(encrypted.ciphertext_blob))))
            }
            Command::GenerateDataKey {
                key,
                key_spec,
                bytes,
                options,
                with_plaintext,
            } => {
                let key_id = self.key(key, line)?;
                let tokens = self.tokens(options, line)?;
                // AES_256 unless a size is given, as `aws kms` scripts usually ask.
                let key_spec = key_spec.as_deref().or(bytes.is_none().then_some("AES_256"));
                let result = self.runtime.generate_data_key(
                    &caller,
                    &key_id,
                    key_spec,
                    *bytes,
                    &options.context,
                    &tokens,
                    *with_plaintext,
                );
                self.note("kms:GenerateDataKey", &key_id, &options.context, &tokens);
                let data_key = result.map_err(kms("GenerateDataKey"))?;
                let value = Value::DataKey {
                    plaintext: data_key.plaintext,
                    ciphertext: data_key.ciphertext_blob,
                };
                writeln!(out, "{}", value.describe()).map_err(io)?;
                writeln!(out, "  key: {}", data_key.key_arn).map_err(io)?;
                Ok((Outcome::Done, Some(value)))
            }
            Command::Seal {
                plaintext,
                keys,
                context,
            } => {
                let plaintext = self.plaintext(plaintext, line)?;
                let keys = keys.iter().map(|k| self.key(k, line)).collect::<Result<Vec<_>, _>>()?;
                let sealer = crate::kms::envelope::Sealer::new(&mut self.runtime, &caller, &keys, context, 64 * 1024)
                    .map_err(|e| ReplError::Failed(e.to_string()))?;
                let mut sealed = Vec::new();
                sealer
                    .seal(&mut plaintext.as_slice(), &mut sealed, &Default::default())
                    .map_err(|e| ReplError::Failed(e.to_string()))?;
                writeln!(
                    out,
                    "sealed {} bytes under a fresh data key, encrypted under {}",
                    plaintext.len(),
                    sealer.key_arns().join(", ")
                )
                .map_err(io)?;
                Ok((Outcome::Done, Some(Value::Sealed(sealed))))
            }
            Command::Open { sealed, context } => {
                let bytes = self.resolve(
                    sealed,
                    line,
                    "an envelope",
                    |_| None,
                    |v| match v {
                        Value::Sealed(b) => Some(b.clone()),
                        _ => None,
                    },
                )?;
                let mut input = bytes.as_slice();
                let read =
                    crate::crypto::envelope::read_header(&mut input).map_err(|e| ReplError::Failed(e.to_string()))?;
                let opener = crate::kms::envelope::Opener::new(&mut self.runtime, &caller, context, read)
                    .map_err(|e| ReplError::Failed(e.to_string()))?;
                let mut plaintext = Zeroizing::new(Vec::new());
                opener
                    .open(&mut input, &mut *plaintext, &Default::default())
                    .map_err(|e| ReplError::Failed(e.to_string()))?;
                let text = Zeroizing::new(printable(&plaintext));
                writeln!(out, "opened with {}", opener.key_arn()).map_err(io)?;
                writeln!(out, "plaintext: {}", text.as_str()).map_err(io)?;
                Ok((Outcome::Done, Some(Value::Plaintext(plaintext))))
            }
            Command::Call {
                operation,
                span,
                request,
            } => {
                if !crate::kms::wire::OPERATIONS.contains(&operation.as_str()) {
                    let help = suggest::help(operation, crate::kms::wire::OPERATIONS, "the operations");
                    return Err(ReplError::invalid(
                        line,
                        *span,
                        format!("`{operation}` is not an operation keyward serves"),
                        "unknown operation",
                        Some(help),
                    ));
                }
                let text = match request {
                    Some(r) => self.text(r, line)?,
                    None => "{}".to_owned(),
                };
                let request: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
                    let at = request.as_ref().map_or(*span, |r| r.span);
                    ReplError::invalid(line, at, format!("the request is not JSON: {e}"), "not JSON", None)
                })?;
                let key_id = request["KeyId"].as_str().map(str::to_owned);
                let mut response = dispatch(&mut self.runtime, &caller, operation, &request);
                if let Some(key_id) = key_id {
                    self.note(&format!("kms:{operation}"), &key_id, &BTreeMap::new(), &[]);
                }
                let printed = match &mut response {
                    Ok(value) => {
                        let mut text = Zeroizing::new(serde_json::to_string_pretty(value).unwrap_or_default());
                        wipe(value);
                        text.push('\n');
                        out.write_all(text.as_bytes()).map_err(io)
                    }
                    Err(_) => Ok(()),
                };
                response.map_err(|error| ReplError::Kms {
                    operation: operation.clone(),
                    error,
                })?;
                printed?;
                done
            }
            Command::Accounts(path) => {
                let path = self.text(path, line)?;
                let accounts = Accounts::load(Path::new(&path))
                    .map_err(|e| ReplError::Failed(format!("{:?}", miette::Report::new(e))))?;
                self.runtime.identities = accounts.identities;
                self.names = accounts.names;
                self.sources = accounts.sources;
                let names: Vec<&str> = self.names.keys().map(String::as_str).collect();
                writeln!(out, "principals: {}", names.join(", ")).map_err(io)?;
                done
            }
            Command::As { principal, via } => {
                let mut who = self.principal(principal, line)?;
                if let Some(service) = via {
                    who = who.via(endpoint(&self.text(service, line)?, &self.runtime.region));
                }
                self.caller = who;
                writeln!(out, "acting as {}", self.describe_caller()).map_err(io)?;
                done
            }
            Command::Whoami => {
                writeln!(out, "{}", self.describe_caller()).map_err(io)?;
                done
            }
            Command::Simulate {
                action,
                key,
                principal,
                via,
                context,
            } => {
                let key_id = self.key(key, line)?;
                let mut who = match principal {
                    Some(p) => self.principal(p, line)?,
                    None => caller,
                };
                if let Some(service) = via {
                    who = who.via(endpoint(&self.text(service, line)?, &self.runtime.region));
                }
                let action = if action.contains(':') {
                    action.clone()
                } else {
                    format!("kms:{action}")
                };
                let decided = self.decide(&who, &action, &key_id, context, &[])?;
                let decision = decided.authorization.decision;
                out.write_all(self.render(&decided, false).as_bytes()).map_err(io)?;
                self.last = Some(decided);
                Ok((Outcome::Decided(decision), None))
            }
            Command::Explain => {
                let text = match &self.last {
                    Some(decided) => self.render(decided, true),
                    None => "nothing to explain yet: use a key, or `simulate`\n".to_owned(),
                };
                out.write_all(text.as_bytes()).map_err(io)?;
                done
            }
            Command::ClockShow => {
                writeln!(out, "{}", rfc3339(self.runtime.clock.now())).map_err(io)?;
                done
            }
            Command::ClockSet { time, span } => {
                let seconds = parse_time(time).ok_or_else(|| {
                    ReplError::invalid(
                        line,
                        *span,
                        format!("`{time}` is not a time"),
                        "not a time",
                        Some("write `2026-01-31T12:00:00Z` or `2026-01-31`".into()),
                    )
                })?;
                self.runtime.clock.set(seconds);
                self.runtime.sweep();
                writeln!(out, "{}", rfc3339(self.runtime.clock.now())).map_err(io)?;
                done
            }
            Command::ClockAdvance { seconds } => {
                self.runtime.clock.advance(*seconds);
                self.runtime.sweep();
                writeln!(out, "{}", rfc3339(self.runtime.clock.now())).map_err(io)?;
                done
            }
            Command::Audit(count) => {
                let filter = AuditFilter::default();
                let mut records: Vec<serde_json::Value> = match &self.persisted {
                    Some(p) => p
                        .store
                        .audit(&filter)
                        .map_err(|e| ReplError::Failed(format!("{:?}", miette::Report::new(e))))?,
                    None => Vec::new(),
                };
                records.extend(
                    self.runtime
                        .audit
                        .list(&filter)
                        .iter()
                        .filter_map(|r| serde_json::to_value(r).ok()),
                );
                let skip = records.len().saturating_sub(count.unwrap_or(10));
                for r in &records[skip..] {
                    writeln!(
                        out,
                        "{}  {}  {}  {}",
                        r["eventTime"].as_str().unwrap_or(""),
                        r["eventName"].as_str().unwrap_or(""),
                        r["userIdentity"]["arn"].as_str().unwrap_or(""),
                        r["errorCode"].as_str().unwrap_or("OK")
                    )
                    .map_err(io)?;
                }
                done
            }
            Command::Lint(path) => {
                let path = self.text(path, line)?;
                let clean = super::lint::run(Path::new(&path), self.colour, out).map_err(ReplError::Failed)?;
                if !clean {
                    return Err(ReplError::Failed(format!("`{path}` has problems")));
                }
                writeln!(out, "`{path}`: no problems").map_err(io)?;
                done
            }
            Command::Show { name, span, reveal } => {
                let value = self.variable(name, *span, line)?;
                let text = value.show(*reveal);
                writeln!(out, "{}", text.as_str()).map_err(io)?;
                done
            }
            Command::Expect(expected) => {
                let found = self.last_outcome.unwrap_or(Expectation::Allow);
                if found == *expected {
                    return done;
                }
                Err(ReplError::Expectation {
                    expected: expected.as_str(),
                    found: found.as_str(),
                })
            }
            Command::Help(topic) => {
                out.write_all(super::help::text(topic.as_deref()).as_bytes())
                    .map_err(io)?;
                done
            }
            Command::Exit => Ok((Outcome::Exit, None)),
        }
    }

    fn describe_caller(&self) -> String {
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

/// The key a ciphertext blob names, as an ARN of this runtime.
fn blob_key(blob: &[u8], runtime: &Runtime<SimulatedClock>) -> Option<String> {
    let header = crate::crypto::peek(blob).ok()?;
    runtime.resolve(&header.key_id).ok().map(|k| k.arn.clone())
}

/// `s3` or `s3.us-east-1.amazonaws.com`.
fn endpoint(service: &str, region: &str) -> String {
    if service.contains('.') {
        service.to_owned()
    } else {
        format!("{service}.{region}.amazonaws.com")
    }
}

/// `2026-01-31T12:00:00Z` or `2026-01-31`, as epoch seconds (UTC).
pub(super) fn parse_time(text: &str) -> Option<i64> {
    let (date, time) = match text.split_once('T') {
        Some((d, t)) => (d, t.strip_suffix('Z')?),
        None => (text, "00:00:00"),
    };
    let numbers = |s: &str, sep: char| -> Option<Vec<i64>> { s.split(sep).map(|p| p.parse().ok()).collect() };
    let (d, t) = (numbers(date, '-')?, numbers(time, ':')?);
    let ([year, month, day], [h, m, s]) = (<[i64; 3]>::try_from(d).ok()?, <[i64; 3]>::try_from(t).ok()?);
    if !(1970..=9999).contains(&year) || !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    if !(0..24).contains(&h) || !(0..60).contains(&m) || !(0..60).contains(&s) {
        return None;
    }
    // Days from the civil date (H. Hinnant's algorithm), the inverse of `rfc3339`.
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let seconds = days * 86_400 + h * 3600 + m * 60 + s;
    // A day past the month's end (February 30th) does not come back the same.
    (rfc3339(seconds).get(..10) == Some(date)).then_some(seconds)
}

/// A text file, at most the size of a policy document.
pub(super) fn read_text(path: &Path) -> Result<String, String> {
    let limit = crate::json::Limits::default().max_bytes as u64;
    let file = std::fs::File::open(path).map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut std::io::Read::take(file, limit + 1), &mut bytes)
        .map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
    if bytes.len() as u64 > limit {
        return Err(format!("`{}` is larger than {limit} bytes", path.display()));
    }
    String::from_utf8(bytes).map_err(|_| format!("`{}` is not UTF-8", path.display()))
}

/// Opens and locks the state directory and loads its state.
fn open_state(dir: &Path, runtime: &mut Runtime<SimulatedClock>) -> Result<Persisted, ReplError> {
    let report = |e: crate::store::StoreError| ReplError::Failed(format!("{:?}", miette::Report::new(e)));
    let store = Store::open(dir).map_err(report)?;
    let lock_path = dir.join("keyward.lock");
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(|e| ReplError::Failed(format!("cannot open `{}`: {e}", lock_path.display())))?;
    lock.try_lock().map_err(|_| {
        ReplError::Failed(format!(
            "`{}` is in use by another keyward command; try again when it ends",
            dir.display()
        ))
    })?;
    if let Some(state) = store.load().map_err(report)? {
        runtime.restore(state).map_err(ReplError::Failed)?;
    }
    runtime.audit.resume_after(store.last_event_id().map_err(report)?);
    Ok(Persisted { store, _lock: lock })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_read_back_as_they_print() {
        for seconds in [0, 951_782_400, 1_795_867_200] {
            assert_eq!(parse_time(&rfc3339(seconds)), Some(seconds));
        }
        assert_eq!(parse_time("2026-11-28"), Some(1_795_867_200 - 12 * 3600));
        assert_eq!(parse_time("2026-02-30"), None);
        assert_eq!(parse_time("tomorrow"), None);
        assert_eq!(parse_time("2026-01-01T25:00:00Z"), None);
    }
}
