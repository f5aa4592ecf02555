//! The local KMS from the command line: each command loads the runtime from
//! its store (or starts empty with `--ephemeral`), calls one operation as
//! the chosen principal, saves the state and the audit records in one
//! transaction, and prints the AWS response shape (`--output json`) or the
//! main value (`--output text`).

use std::collections::BTreeMap;
use std::io::Write;

use base64::Engine as _;
use keyward::eval::Caller;
use keyward::kms::op::{target_of_key, Local};
use keyward::kms::runtime::{AuditFilter, KeyMetadata, Runtime, SystemClock};
use keyward::kms::stream::ThroughService;
use keyward::kms::wire::{key_metadata, wipe};
use keyward::kms::KmsError;
use keyward::kms::{Service, Target};
use keyward::suite::Accounts;
use serde_json::{json, Value};
use zeroize::Zeroize;

use super::aws::Format;
use super::kms_args::*;
use super::Exit;

/// One local-KMS command.
#[derive(Debug, clap::Subcommand)]
pub enum KmsCommand {
    /// Keys: create, describe, list, enable, disable, schedule-deletion, cancel-deletion, rotation.
    #[command(subcommand)]
    Key(KeyCommand),
    /// Aliases: create, delete, list.
    #[command(subcommand)]
    Alias(AliasCommand),
    /// Key policies: get, put.
    #[command(subcommand)]
    Policy(PolicyCommand),
    /// Grants: create, list, list-retirable, retire, revoke.
    #[command(subcommand)]
    Grant(GrantCommand),
    /// Decrypt and encrypt again under another key, without exposing the plaintext.
    ReEncrypt(ReEncryptArgs),
    /// Encrypt up to 4096 bytes under a key.
    Encrypt(EncryptArgs),
    /// Decrypt a ciphertext blob.
    Decrypt(DecryptArgs),
    /// A data key, in plaintext and encrypted under a key.
    GenerateDataKey(DataKeyArgs),
    /// A data key encrypted under a key only.
    GenerateDataKeyWithoutPlaintext(DataKeyArgs),
    /// Random bytes.
    GenerateRandom {
        #[arg(long)]
        number_of_bytes: Option<i64>,
    },
    /// The audit log: every call, allowed or refused.
    Audit(AuditArgs),
    /// Encrypt a file of any size under one or more keys (envelope encryption).
    EncryptFile(super::envelope::EncryptFileArgs),
    /// Decrypt a file `encrypt-file` made, with any one of its keys.
    DecryptFile(super::envelope::DecryptFileArgs),
    #[command(flatten)]
    Kinds(super::key_kinds::KindCommand),
}

pub(super) enum Failure {
    Usage(String),
    Kms(&'static str, KmsError),
    /// The input or output cannot be used: a changed or cut file, say.
    Refused(String),
}

impl From<String> for Failure {
    fn from(message: String) -> Self {
        Failure::Usage(message)
    }
}

/// What a command prints: the JSON response and its text form. Both may
/// hold a plaintext or data key in base64, so both are zeroized when dropped.
pub(super) struct Printed {
    pub(super) json: Value,
    pub(super) text: String,
}

impl Drop for Printed {
    fn drop(&mut self) {
        self.text.zeroize();
        wipe(&mut self.json);
    }
}

/// `fileb://PATH`, `file://PATH`, `-` (stdin), or the value itself. Files
/// and stdin are read under the `param` limit into a buffer wiped when
/// dropped (the value may be a plaintext).
pub(super) fn input(value: &str) -> Result<zeroize::Zeroizing<Vec<u8>>, String> {
    use keyward::source::read::{secret_bytes, Kind};
    if let Some(path) = value.strip_prefix("fileb://").or_else(|| value.strip_prefix("file://")) {
        return secret_bytes(std::path::Path::new(path), Kind::Parameter).map_err(|e| e.to_string());
    }
    if value == "-" {
        return secret_bytes(std::path::Path::new("-"), Kind::Parameter).map_err(|e| e.to_string());
    }
    Ok(zeroize::Zeroizing::new(value.as_bytes().to_vec()))
}

/// A ciphertext: raw bytes from `fileb://PATH`, base64 otherwise.
pub(super) fn ciphertext(value: &str) -> Result<Vec<u8>, String> {
    let raw = input(value)?;
    if value.starts_with("fileb://") {
        return Ok(raw.to_vec());
    }
    base64::engine::general_purpose::STANDARD
        .decode(String::from_utf8_lossy(&raw).trim())
        .map_err(|_| "`--ciphertext-blob` is not base64 (use `fileb://PATH` for a binary file)".to_owned())
}

/// The `--tags` of `key tag`: the AWS CLI's forms (`TagKey=k,TagValue=v`
/// shorthand, a JSON list, `file://PATH`), typed by the parser `keyward kms
/// tag-resource` uses, or keyward's own `Key=k,Value=v` and `k=v`.
pub(super) fn tags(values: &[String]) -> Result<Vec<Value>, String> {
    let mut tags = Vec::new();
    for text in values {
        let aws_form =
            text.contains("TagKey=") || text.starts_with("file://") || text.trim_start().starts_with(['[', '{']);
        if aws_form {
            match super::aws::member("TagResource", "Tags", std::slice::from_ref(text))? {
                Value::Array(items) => tags.extend(items),
                other => tags.push(other),
            }
            continue;
        }
        let (k, v) = match text.strip_prefix("Key=").and_then(|rest| rest.split_once(",Value=")) {
            Some(pair) => pair,
            None => text
                .split_once('=')
                .ok_or_else(|| format!("`--tags {text}`: expected `TagKey=k,TagValue=v`, `Key=k,Value=v` or `k=v`"))?,
        };
        tags.push(json!({"TagKey": k, "TagValue": v}));
    }
    Ok(tags)
}

pub(super) fn context(pairs: &[String]) -> Result<BTreeMap<String, String>, String> {
    context_pairs("--encryption-context", pairs)
}

/// An encryption context given with `flag`: `k=v,k2=v2` shorthand, a JSON
/// object or `file://PATH`, typed by the parser `keyward kms` uses; several
/// values are merged.
pub(super) fn context_pairs(flag: &str, pairs: &[String]) -> Result<BTreeMap<String, String>, String> {
    let mut map = BTreeMap::new();
    for pair in pairs {
        let value = super::aws::of_shape("EncryptionContextType", std::slice::from_ref(pair), flag)?;
        let Value::Object(fields) = value else {
            return Err(format!("`{flag} {pair}`: expected `key=value` pairs or a JSON object"));
        };
        for (k, v) in fields {
            match v {
                Value::String(v) => map.insert(k, v),
                other => return Err(format!("`{flag}`: the value of `{k}` must be a string, not `{other}`")),
            };
        }
    }
    Ok(map)
}

pub fn run(session: &Session, command: &KmsCommand) -> Exit {
    match execute(session, command) {
        Ok(printed) => {
            // Like the AWS CLI, an empty response prints nothing.
            if printed.json == json!({}) {
                return Exit::Success;
            }
            // Written straight to stdout: no unzeroized copy of a secret is
            // made. A closed pipe (`| head`) ends the output quietly.
            let mut out = std::io::stdout().lock();
            let own_text = matches!(session.output, None | Some(Format::Text)) && session.query.is_none();
            if own_text {
                let _ = out
                    .write_all(printed.text.as_bytes())
                    .and_then(|()| out.write_all(b"\n"));
                return Exit::Success;
            }
            let operation = operation_of(command);
            let shape = operation.and_then(|name| {
                super::aws::model::model()
                    .operations
                    .get(name)
                    .and_then(|op| op.output.as_deref())
            });
            match super::aws::print(
                &mut out,
                session,
                operation.unwrap_or("keyward"),
                shape,
                printed.json.clone(),
            ) {
                Err(super::aws::Printing::Query(message)) => {
                    eprintln!("error: {message}");
                    Exit::Failure
                }
                Ok(()) | Err(super::aws::Printing::Io) => Exit::Success,
            }
        }
        Err(Failure::Usage(message)) => {
            eprintln!("error: {message}");
            Exit::Failure
        }
        Err(Failure::Kms(operation, e)) => {
            eprintln!(
                "An error occurred ({}) when calling the {operation} operation: {}",
                e.name.as_str(),
                e.message
            );
            Exit::Problems
        }
        Err(Failure::Refused(message)) => {
            eprintln!("error: {message}");
            Exit::Problems
        }
    }
}

/// `s3` or `s3.us-east-1.amazonaws.com`, as the endpoint `kms:ViaService` names.
pub(super) fn via_service_endpoint(service: &str, region: &str) -> Result<String, String> {
    let label = |text: &str| {
        !text.is_empty()
            && text
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    };
    if label(service) {
        return Ok(format!("{service}.{region}.amazonaws.com"));
    }
    match service.strip_suffix(".amazonaws.com").and_then(|rest| rest.split_once('.')) {
        Some((name, endpoint_region)) if label(name) && label(endpoint_region) => Ok(service.to_owned()),
        _ => Err(format!(
            "--via-service `{service}` is not a service: give its name, such as `s3`, or its endpoint, such as `s3.{region}.amazonaws.com`"
        )),
    }
}

/// The caller the session names (`--as`, `--accounts`, `--via-service`) and
/// the identities of its accounts file.
pub(super) fn caller(session: &Session) -> Result<(Caller, keyward::kms::Authorizer), Failure> {
    let accounts = match &session.accounts {
        Some(path) => Some(Accounts::load(path).map_err(|e| format!("{:?}", miette::Report::new(e)))?),
        None => None,
    };
    let caller = match (&session.caller, &accounts) {
        (Some(who), Some(accounts)) => accounts.caller(who)?,
        (Some(who), None) => Caller::parse(who).map_err(|e| e.to_string())?,
        (None, _) => Caller::parse(&session.account).map_err(|e| e.to_string())?,
    };
    let caller = match &session.via_service {
        Some(service) => caller.via(via_service_endpoint(service, &session.region)?),
        None => caller,
    };
    Ok((caller, accounts.map(|a| a.identities).unwrap_or_default()))
}

/// The hidden test hook `KEYWARD_TEST_FAIL_COMMIT=N`: the process's `N`th
/// commit fails, as on a full disk (tests/cli.rs, tests/serve).
pub(super) fn test_fail_commit() -> Option<u64> {
    std::env::var("KEYWARD_TEST_FAIL_COMMIT").ok()?.trim().parse().ok()
}

/// The service over the session's state: `--ephemeral` in memory, else the
/// state directory, waiting up to `--lock-timeout` for another process;
/// calling external key store proxies as the `--xks-*` flags say.
pub(super) fn service(
    session: &Session,
    identities: keyward::kms::Authorizer,
) -> Result<Service<SystemClock>, Failure> {
    let proxies = session.proxies()?;
    let report = |e: keyward::store::StoreError| Failure::from(format!("{:?}", miette::Report::new(e)));
    let store: Box<dyn keyward::kms::Store> = if session.ephemeral {
        Box::new(keyward::store::MemoryStore::default())
    } else {
        let dir = session.state.clone().unwrap_or_else(keyward::store::default_dir);
        let options = keyward::store::Options {
            lock_timeout: std::time::Duration::from_secs_f64(session.lock_timeout),
            ..keyward::store::Options::on_wait(|waiting| {
                eprintln!("{waiting}; press Ctrl-C to stop, or give `--lock-timeout SECONDS`")
            })
        };
        Box::new(keyward::store::SqliteStore::open_with(&dir, options).map_err(report)?)
    };
    let store = keyward::store::FailingStore::boxed(store, test_fail_commit());
    let kms = Service::open(store, identities, SystemClock, &session.account).map_err(report)?;
    Ok(match proxies {
        Some(proxies) => kms.with_xks_proxies(proxies),
        None => kms,
    })
}

fn execute(session: &Session, command: &KmsCommand) -> Result<Printed, Failure> {
    if let Some(job) = super::raw_keys::offline_job(command)? {
        return job.run();
    }
    let (caller, identities) = caller(session)?;
    if let Some(mut call) = super::verbs::call_of(command)? {
        let kms = service(session, identities)?;
        let operation = call.operation;
        let response = super::verbs::run(&mut call, |name, request| {
            keyward::kms::op::call_json(&kms, &caller, &session.region, name, request)
        })
        .map_err(|e| Failure::Kms(operation, e))?;
        return Ok(super::verbs::printed(&call, response));
    }
    // A file command opens its input (and reads the header of a file to
    // decrypt) before the state is opened; its KMS calls are each a call of
    // the service, in the partition of the key each names, committed before
    // the stream runs.
    match command {
        KmsCommand::EncryptFile(args) => {
            let input = super::envelope::open_input(&args.io, None)?;
            let kms = service(session, identities)?;
            let mut calls = ThroughService::new(&kms, &caller, &session.region);
            return super::envelope::prepare_encrypt(&mut calls, args, input)?.run();
        }
        KmsCommand::DecryptFile(args) => {
            let input = super::envelope::open_input(&args.io, Some(args))?;
            let kms = service(session, identities)?;
            let mut calls = ThroughService::new(&kms, &caller, &session.region);
            return super::envelope::prepare_decrypt(&mut calls, args, input)?.run();
        }
        _ => {}
    }
    let report = |e: keyward::store::StoreError| Failure::from(format!("{:?}", miette::Report::new(e)));
    let kms = service(session, identities)?;
    let audit = |filter: &AuditFilter| kms.audit(filter).map_err(report);
    let operation = Local {
        name: "cli",
        target: command_key(command).map_or(Target::Caller, target_of_key),
        run: |rt: &mut Runtime<SystemClock>, caller: &Caller| Ok(call(rt, caller, command, &audit)),
    };
    // Committed (or refused) before anything is printed.
    kms.call(&caller, &session.region, &operation)
        .map_err(|e| Failure::Kms("the command", e))?
}

/// The key ARN a cryptographic command names, if any: it runs in that key's
/// partition (the management commands act in the caller's own account, as
/// AWS's do, except where AWS allows a key ARN of another account).
fn command_key(command: &KmsCommand) -> Option<&str> {
    match command {
        KmsCommand::Encrypt(args) => Some(&args.key_id),
        KmsCommand::Decrypt(args) => args.key_id.as_deref(),
        KmsCommand::GenerateDataKey(args) | KmsCommand::GenerateDataKeyWithoutPlaintext(args) => Some(&args.key_id),
        KmsCommand::ReEncrypt(args) => Some(&args.destination_key_id),
        KmsCommand::EncryptFile(args) => args.keys.first().map(String::as_str),
        KmsCommand::Kinds(command) => Some(command.key_id()),
        _ => None,
    }
}

/// The KMS operation whose response a command prints (its model gives the
/// timestamps to print in ISO 8601).
fn operation_of(command: &KmsCommand) -> Option<&'static str> {
    Some(match command {
        KmsCommand::Key(key) => match key {
            KeyCommand::Create { .. } => "CreateKey",
            KeyCommand::Describe { .. }
            | KeyCommand::Enable { .. }
            | KeyCommand::Disable { .. }
            | KeyCommand::ScheduleDeletion { .. }
            | KeyCommand::CancelDeletion { .. }
            | KeyCommand::Rotate { .. } => "DescribeKey",
            KeyCommand::List { .. } => "ListKeys",
            KeyCommand::RotationStatus { .. } => "GetKeyRotationStatus",
            KeyCommand::ListRotations { .. } => "ListKeyRotations",
            KeyCommand::ListTags { .. } => "ListResourceTags",
            _ => return None,
        },
        KmsCommand::Grant(GrantCommand::Create { .. }) => "CreateGrant",
        KmsCommand::Grant(GrantCommand::List { .. } | GrantCommand::ListRetirable { .. }) => "ListGrants",
        KmsCommand::Alias(AliasCommand::List { .. }) => "ListAliases",
        KmsCommand::Policy(PolicyCommand::Get { .. }) => "GetKeyPolicy",
        KmsCommand::ReEncrypt(_) => "ReEncrypt",
        KmsCommand::Encrypt(_) => "Encrypt",
        KmsCommand::Decrypt(_) => "Decrypt",
        KmsCommand::GenerateDataKey(_) => "GenerateDataKey",
        KmsCommand::GenerateDataKeyWithoutPlaintext(_) => "GenerateDataKeyWithoutPlaintext",
        KmsCommand::GenerateRandom { .. } => "GenerateRandom",
        _ => return None,
    })
}

/// The commands that are not one typed operation (`verbs::call_of` says
/// which): run on the runtime inside one `Service::call`.
fn call(
    rt: &mut Runtime<SystemClock>,
    caller: &Caller,
    command: &KmsCommand,
    audit: &dyn Fn(&AuditFilter) -> Result<Vec<Value>, Failure>,
) -> Result<Printed, Failure> {
    let kms = |operation: &'static str| move |e: KmsError| Failure::Kms(operation, e);
    let key_out = |m: KeyMetadata| Printed {
        text: format!("{}\t{}\t{}", m.key_id, m.arn, m.state),
        json: json!({"KeyMetadata": key_metadata(&m)}),
    };
    Ok(match command {
        KmsCommand::Key(KeyCommand::Enable { key_id }) => {
            key_out(rt.enable_key(caller, key_id).map_err(kms("EnableKey"))?)
        }
        KmsCommand::Key(KeyCommand::Disable { key_id }) => {
            key_out(rt.disable_key(caller, key_id).map_err(kms("DisableKey"))?)
        }
        KmsCommand::Key(KeyCommand::ScheduleDeletion {
            key_id,
            pending_window_in_days,
        }) => key_out(
            rt.schedule_key_deletion(caller, key_id, *pending_window_in_days)
                .map_err(kms("ScheduleKeyDeletion"))?,
        ),
        KmsCommand::Key(KeyCommand::CancelDeletion { key_id }) => key_out(
            rt.cancel_key_deletion(caller, key_id)
                .map_err(kms("CancelKeyDeletion"))?,
        ),
        KmsCommand::Key(KeyCommand::Rotate { key_id }) => key_out(
            rt.rotate_key_on_demand(caller, key_id)
                .map_err(kms("RotateKeyOnDemand"))?,
        ),
        KmsCommand::Alias(AliasCommand::Create {
            alias_name,
            target_key_id,
        }) => {
            let a = rt
                .create_alias(caller, alias_name, target_key_id)
                .map_err(kms("CreateAlias"))?;
            Printed {
                text: a.arn.clone(),
                json: json!({"AliasName": a.name, "AliasArn": a.arn, "TargetKeyId": a.target_key_id}),
            }
        }
        KmsCommand::Kinds(command) => super::key_kinds::call(rt, caller, command)?,
        KmsCommand::Audit(args) => {
            let key = args.key.as_deref().map(|k| {
                rt.resolve(k)
                    .map(|key| key.arn.clone())
                    .unwrap_or_else(|_| k.to_owned())
            });
            let filter = AuditFilter {
                key,
                principal: args.principal.clone(),
                operation: args.operation.clone(),
                succeeded: args.decision.map(|d| d == AuditDecision::Allow),
            };
            let mut records: Vec<Value> = audit(&filter)?;
            records.extend(
                rt.audit
                    .list(&filter)
                    .iter()
                    .filter_map(|r| serde_json::to_value(r).ok()),
            );
            let text = records
                .iter()
                .map(|r| {
                    let outcome = r["errorCode"].as_str().unwrap_or("OK");
                    format!(
                        "{}\t{}\t{}\t{}",
                        r["eventTime"].as_str().unwrap_or(""),
                        r["eventName"].as_str().unwrap_or(""),
                        r["userIdentity"]["arn"].as_str().unwrap_or(""),
                        outcome
                    )
                })
                .collect::<Vec<_>>()
                .join("\n");
            Printed {
                json: json!({"Records": records}),
                text,
            }
        }
        _ => return Err(Failure::Usage("this command runs as a typed operation".into())),
    })
}
