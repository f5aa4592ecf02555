//! The local KMS from the command line: each command loads the runtime from
//! its store (or starts empty with `--ephemeral`), calls one operation as
//! the chosen principal, saves the state and the audit records in one
//! transaction, and prints the AWS response shape (`--output json`) or the
//! main value (`--output text`).

use std::collections::BTreeMap;
use std::io::{IsTerminal, Read, Write};

use base64::Engine as _;
use keyward::eval::Caller;
use keyward::kms::op::{target_of_key, Local};
use keyward::kms::runtime::{AuditFilter, KeyMetadata, Page, Paging, Runtime, SystemClock};
use keyward::kms::wire::{alias_entry, b64, grant_entry, grant_from_request, key_metadata, list, wipe};
use keyward::kms::KmsError;
use keyward::kms::{Service, Target};
use keyward::suite::Accounts;
use serde_json::{json, Value};
use zeroize::Zeroize;

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

/// `fileb://PATH`, `file://PATH`, `-` (stdin), or the value itself.
fn input(value: &str) -> Result<zeroize::Zeroizing<Vec<u8>>, String> {
    if let Some(path) = value.strip_prefix("fileb://").or_else(|| value.strip_prefix("file://")) {
        return std::fs::read(path)
            .map(zeroize::Zeroizing::new)
            .map_err(|e| format!("cannot read `{path}`: {e}"));
    }
    if value == "-" {
        return read_wiping(std::io::stdin().lock()).map_err(|e| format!("cannot read stdin: {e}"));
    }
    Ok(zeroize::Zeroizing::new(value.as_bytes().to_vec()))
}

/// Reads everything from `reader` (a plaintext, perhaps) into a buffer that
/// grows by copying into a larger zeroized buffer, so no outgrown buffer is
/// freed with the secret still in it, as `read_to_end` would leave it.
fn read_wiping(mut reader: impl Read) -> std::io::Result<zeroize::Zeroizing<Vec<u8>>> {
    let mut buffer = zeroize::Zeroizing::new(vec![0u8; 8192]);
    let mut filled = 0;
    loop {
        if filled == buffer.len() {
            let mut larger = zeroize::Zeroizing::new(vec![0u8; buffer.len() * 2]);
            larger[..filled].copy_from_slice(&buffer[..filled]);
            buffer = larger;
        }
        match reader.read(&mut buffer[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    buffer.truncate(filled);
    Ok(buffer)
}

/// A ciphertext: raw bytes from `fileb://PATH`, base64 otherwise.
fn ciphertext(value: &str) -> Result<Vec<u8>, String> {
    let raw = input(value)?;
    if value.starts_with("fileb://") {
        return Ok(raw.to_vec());
    }
    base64::engine::general_purpose::STANDARD
        .decode(String::from_utf8_lossy(&raw).trim())
        .map_err(|_| "`--ciphertext-blob` is not base64 (use `fileb://PATH` for a binary file)".to_owned())
}

/// `Key=k,Value=v` or `k=v`.
fn tag(text: &str) -> Result<(String, String), String> {
    if let Some(rest) = text.strip_prefix("Key=") {
        if let Some((k, v)) = rest.split_once(",Value=") {
            return Ok((k.to_owned(), v.to_owned()));
        }
    }
    text.split_once('=')
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .ok_or_else(|| format!("`--tags {text}`: expected `Key=k,Value=v` or `k=v`"))
}

/// The page `--limit`/`--marker` ask for, or every page when neither is
/// given (each page is its own audited call, as with the AWS CLI).
fn pages<T>(
    args: &PageArgs,
    mut fetch: impl FnMut(Paging<'_>) -> Result<Page<T>, KmsError>,
) -> Result<Page<T>, KmsError> {
    let mut page = fetch(Paging {
        limit: args.limit,
        marker: args.marker.as_deref(),
    })?;
    if args.limit.is_some() || args.marker.is_some() {
        return Ok(page);
    }
    while let Some(marker) = page.next_marker.take() {
        let mut next = fetch(Paging {
            limit: None,
            marker: Some(&marker),
        })?;
        page.items.append(&mut next.items);
        page.next_marker = next.next_marker;
    }
    Ok(page)
}

fn grant_command(rt: &mut Runtime<SystemClock>, caller: &Caller, command: &GrantCommand) -> Result<Printed, Failure> {
    let kms = |operation: &'static str| move |e: KmsError| Failure::Kms(operation, e);
    let done = || Printed {
        json: json!({}),
        text: String::new(),
    };
    Ok(match command {
        GrantCommand::Create {
            key_id,
            grantee_principal,
            operations,
            retiring_principal,
            constraints,
            name,
            grant_tokens,
        } => {
            let mut request = json!({"GranteePrincipal": grantee_principal, "Operations": operations});
            if let Some(r) = retiring_principal {
                request["RetiringPrincipal"] = json!(r);
            }
            if let Some(n) = name {
                request["Name"] = json!(n);
            }
            if let Some(c) = constraints {
                let text = String::from_utf8_lossy(&input(c)?).into_owned();
                request["Constraints"] = serde_json::from_str(&text).map_err(|e| format!("`--constraints`: {e}"))?;
            }
            let grant = grant_from_request(&request).map_err(kms("CreateGrant"))?;
            let issued = rt
                .create_grant(caller, key_id, grant, grant_tokens)
                .map_err(kms("CreateGrant"))?;
            Printed {
                text: format!("{}\t{}", issued.grant_id, issued.grant_token),
                json: json!({"GrantId": issued.grant_id, "GrantToken": issued.grant_token}),
            }
        }
        GrantCommand::List {
            key_id,
            grant_id,
            grantee_principal,
            page,
        } => {
            let grants = pages(page, |paging| {
                rt.list_grants(
                    caller,
                    key_id,
                    grant_id.as_deref(),
                    grantee_principal.as_deref(),
                    paging,
                )
            })
            .map_err(kms("ListGrants"))?;
            let entries: Vec<Value> = grants.items.iter().map(grant_entry).collect();
            let text = entries
                .iter()
                .map(|g| {
                    format!(
                        "{}\t{}",
                        g["GrantId"].as_str().unwrap_or(""),
                        g["GranteePrincipal"].as_str().unwrap_or("")
                    )
                })
                .collect::<Vec<_>>()
                .join("\n");
            Printed {
                json: list("Grants", entries, &grants),
                text,
            }
        }
        GrantCommand::ListRetirable {
            retiring_principal,
            page,
        } => {
            let grants = pages(page, |paging| {
                rt.list_retirable_grants(caller, retiring_principal, paging)
            })
            .map_err(kms("ListRetirableGrants"))?;
            let entries: Vec<Value> = grants.items.iter().map(grant_entry).collect();
            let text = entries
                .iter()
                .map(|g| g["GrantId"].as_str().unwrap_or("").to_owned())
                .collect::<Vec<_>>()
                .join("\n");
            Printed {
                json: list("Grants", entries, &grants),
                text,
            }
        }
        GrantCommand::Retire {
            grant_token,
            key_id,
            grant_id,
        } => {
            let by_id = key_id.as_deref().zip(grant_id.as_deref());
            rt.retire_grant(caller, grant_token.as_deref(), by_id)
                .map_err(kms("RetireGrant"))?;
            done()
        }
        GrantCommand::Revoke { key_id, grant_id } => {
            rt.revoke_grant(caller, key_id, grant_id).map_err(kms("RevokeGrant"))?;
            done()
        }
    })
}

fn context(pairs: &[String]) -> Result<BTreeMap<String, String>, String> {
    context_pairs("--encryption-context", pairs)
}

/// `k=v` pairs, repeated or comma-separated, given with `flag`.
pub(super) fn context_pairs(flag: &str, pairs: &[String]) -> Result<BTreeMap<String, String>, String> {
    let mut map = BTreeMap::new();
    for pair in pairs.iter().flat_map(|p| p.split(',')) {
        let (k, v) = pair
            .split_once('=')
            .ok_or_else(|| format!("`{flag} {pair}`: expected `key=value`"))?;
        map.insert(k.to_owned(), v.to_owned());
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
            let json_output = session
                .output
                .map_or(!std::io::stdout().is_terminal(), |o| o == Output::Json);
            // Written straight to stdout: no unzeroized copy of a secret is made.
            let mut out = std::io::stdout().lock();
            let _ = if json_output {
                serde_json::to_writer_pretty(&mut out, &printed.json).map_err(std::io::Error::from)
            } else {
                out.write_all(printed.text.as_bytes())
            }
            .and_then(|()| out.write_all(b"\n"));
            Exit::Success
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

fn execute(session: &Session, command: &KmsCommand) -> Result<Printed, Failure> {
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
    let identities = accounts.map(|a| a.identities).unwrap_or_default();
    // A file command opens its input (and reads the header of a file to
    // decrypt) before the state is opened.
    let input = std::cell::RefCell::new(match command {
        KmsCommand::EncryptFile(args) => Some(super::envelope::open_input(&args.io, None)?),
        KmsCommand::DecryptFile(args) => Some(super::envelope::open_input(&args.io, Some(args))?),
        _ => None,
    });
    let report = |e: keyward::store::StoreError| Failure::from(format!("{:?}", miette::Report::new(e)));
    let store: Box<dyn keyward::kms::Store> = if session.ephemeral {
        Box::new(keyward::store::MemoryStore::default())
    } else {
        let dir = session.state.clone().unwrap_or_else(keyward::store::default_dir);
        Box::new(keyward::store::SqliteStore::open(&dir).map_err(report)?)
    };
    let kms = Service::open(store, identities, SystemClock, &session.account).map_err(report)?;
    let audit = |filter: &AuditFilter| kms.audit(filter).map_err(report);
    let operation =
        Local {
            name: "cli",
            target: command_key(command).map_or(Target::Caller, target_of_key),
            run: |rt: &mut Runtime<SystemClock>, caller: &Caller| {
                Ok(match command {
                    KmsCommand::EncryptFile(args) => match input.borrow_mut().take() {
                        Some(input) => super::envelope::prepare_encrypt(rt, caller, args, input)
                            .map(|job| Next::Stream(Box::new(job))),
                        None => Err(Failure::from("the input was read already".to_owned())),
                    },
                    KmsCommand::DecryptFile(args) => match input.borrow_mut().take() {
                        Some(input) => super::envelope::prepare_decrypt(rt, caller, args, input)
                            .map(|job| Next::Stream(Box::new(job))),
                        None => Err(Failure::from("the input was read already".to_owned())),
                    },
                    _ => call(rt, caller, command, &audit).map(Next::Print),
                })
            },
        };
    // Committed (or refused) before anything is printed or streamed.
    let result = kms
        .call(&caller, &session.region, &operation)
        .map_err(|e| Failure::Kms("the command", e))?;
    match result? {
        Next::Print(printed) => Ok(printed),
        Next::Stream(job) => job.run(),
    }
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
        _ => None,
    }
}

/// What is left once the state is saved: a response to print, or a stream
/// to run.
enum Next {
    Print(Printed),
    Stream(Box<super::envelope::Job>),
}

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
        KmsCommand::Key(key) => match key {
            KeyCommand::Create {
                description,
                policy,
                bypass_policy_lockout_safety_check,
            } => {
                let policy = policy
                    .as_deref()
                    .map(input)
                    .transpose()?
                    .map(|b| String::from_utf8_lossy(&b).into_owned());
                key_out(
                    rt.create_key(
                        caller,
                        description.as_deref(),
                        policy.as_deref(),
                        *bypass_policy_lockout_safety_check,
                    )
                    .map_err(kms("CreateKey"))?,
                )
            }
            KeyCommand::Describe { key_id } => key_out(rt.describe_key(caller, key_id).map_err(kms("DescribeKey"))?),
            KeyCommand::List { page } => {
                let keys = pages(page, |paging| rt.list_keys(caller, paging)).map_err(kms("ListKeys"))?;
                let text = keys
                    .items
                    .iter()
                    .map(|(id, arn)| format!("{id}\t{arn}"))
                    .collect::<Vec<_>>()
                    .join("\n");
                let entries = keys
                    .items
                    .iter()
                    .map(|(id, arn)| json!({"KeyId": id, "KeyArn": arn}))
                    .collect();
                Printed {
                    json: list("Keys", entries, &keys),
                    text,
                }
            }
            KeyCommand::Enable { key_id } => key_out(rt.enable_key(caller, key_id).map_err(kms("EnableKey"))?),
            KeyCommand::Disable { key_id } => key_out(rt.disable_key(caller, key_id).map_err(kms("DisableKey"))?),
            KeyCommand::ScheduleDeletion {
                key_id,
                pending_window_in_days,
            } => key_out(
                rt.schedule_key_deletion(caller, key_id, *pending_window_in_days)
                    .map_err(kms("ScheduleKeyDeletion"))?,
            ),
            KeyCommand::CancelDeletion { key_id } => key_out(
                rt.cancel_key_deletion(caller, key_id)
                    .map_err(kms("CancelKeyDeletion"))?,
            ),
            KeyCommand::EnableRotation {
                key_id,
                rotation_period_in_days,
            } => {
                rt.enable_key_rotation(caller, key_id, *rotation_period_in_days)
                    .map_err(kms("EnableKeyRotation"))?;
                Printed {
                    json: json!({}),
                    text: String::new(),
                }
            }
            KeyCommand::Rotate { key_id } => key_out(
                rt.rotate_key_on_demand(caller, key_id)
                    .map_err(kms("RotateKeyOnDemand"))?,
            ),
            KeyCommand::DisableRotation { key_id } => {
                rt.disable_key_rotation(caller, key_id)
                    .map_err(kms("DisableKeyRotation"))?;
                Printed {
                    json: json!({}),
                    text: String::new(),
                }
            }
            KeyCommand::RotationStatus { key_id } => {
                let s = rt
                    .get_key_rotation_status(caller, key_id)
                    .map_err(kms("GetKeyRotationStatus"))?;
                Printed {
                    text: s.key_rotation_enabled.to_string(),
                    json: json!({"KeyRotationEnabled": s.key_rotation_enabled, "RotationPeriodInDays": s.rotation_period_in_days, "NextRotationDate": s.next_rotation_date}),
                }
            }
            KeyCommand::ListRotations { key_id } => {
                let rotations = rt.list_key_rotations(caller, key_id).map_err(kms("ListKeyRotations"))?;
                let text = rotations
                    .iter()
                    .map(|(id, at, origin)| format!("{id}\t{at}\t{}", origin.as_str()))
                    .collect::<Vec<_>>()
                    .join("\n");
                let entries: Vec<Value> = rotations
                    .iter()
                    .map(|(id, at, origin)| json!({"KeyMaterialId": id, "RotationDate": at, "RotationType": origin.as_str()}))
                    .collect();
                Printed {
                    json: json!({"Rotations": entries}),
                    text,
                }
            }
            KeyCommand::Tag { key_id, tags } => {
                let tags = tags.iter().map(|t| tag(t)).collect::<Result<Vec<_>, _>>()?;
                rt.tag_resource(caller, key_id, &tags).map_err(kms("TagResource"))?;
                Printed {
                    json: json!({}),
                    text: String::new(),
                }
            }
            KeyCommand::Untag { key_id, tag_keys } => {
                rt.untag_resource(caller, key_id, tag_keys)
                    .map_err(kms("UntagResource"))?;
                Printed {
                    json: json!({}),
                    text: String::new(),
                }
            }
            KeyCommand::ListTags { key_id } => {
                let tags = rt.list_resource_tags(caller, key_id).map_err(kms("ListResourceTags"))?;
                let text = tags
                    .iter()
                    .map(|(k, v)| format!("{k}\t{v}"))
                    .collect::<Vec<_>>()
                    .join("\n");
                let entries: Vec<Value> = tags.iter().map(|(k, v)| json!({"TagKey": k, "TagValue": v})).collect();
                Printed {
                    json: json!({"Tags": entries}),
                    text,
                }
            }
        },
        KmsCommand::Grant(grant) => grant_command(rt, caller, grant)?,
        KmsCommand::ReEncrypt(args) => {
            let blob = ciphertext(&args.ciphertext_blob)?;
            let source = context(&args.source_encryption_context)?;
            let destination = context(&args.destination_encryption_context)?;
            let out = rt
                .re_encrypt(
                    caller,
                    &blob,
                    args.source_key_id.as_deref(),
                    &source,
                    &args.destination_key_id,
                    &destination,
                    &args.grant_tokens,
                )
                .map_err(kms("ReEncrypt"))?;
            let blob = b64(&out.ciphertext_blob);
            Printed {
                json: json!({"CiphertextBlob": blob, "KeyId": out.key_arn, "DestinationKeyMaterialId": out.key_material_id}),
                text: blob,
            }
        }
        KmsCommand::Alias(alias) => match alias {
            AliasCommand::Create {
                alias_name,
                target_key_id,
            } => {
                let a = rt
                    .create_alias(caller, alias_name, target_key_id)
                    .map_err(kms("CreateAlias"))?;
                Printed {
                    text: a.arn.clone(),
                    json: json!({"AliasName": a.name, "AliasArn": a.arn, "TargetKeyId": a.target_key_id}),
                }
            }
            AliasCommand::Delete { alias_name } => {
                rt.delete_alias(caller, alias_name).map_err(kms("DeleteAlias"))?;
                Printed {
                    json: json!({}),
                    text: String::new(),
                }
            }
            AliasCommand::List { key_id, page } => {
                let aliases = pages(page, |paging| rt.list_aliases(caller, key_id.as_deref(), paging))
                    .map_err(kms("ListAliases"))?;
                let text = aliases
                    .items
                    .iter()
                    .map(|a| format!("{}\t{}", a.name, a.target_key_id))
                    .collect::<Vec<_>>()
                    .join("\n");
                let entries: Vec<Value> = aliases.items.iter().map(alias_entry).collect();
                Printed {
                    json: list("Aliases", entries, &aliases),
                    text,
                }
            }
        },
        KmsCommand::Policy(policy) => match policy {
            PolicyCommand::Get { key_id } => {
                let text = rt.get_key_policy(caller, key_id, None).map_err(kms("GetKeyPolicy"))?;
                Printed {
                    json: json!({"Policy": text, "PolicyName": "default"}),
                    text,
                }
            }
            PolicyCommand::Put {
                key_id,
                policy,
                bypass_policy_lockout_safety_check,
            } => {
                let text = String::from_utf8_lossy(&input(policy)?).into_owned();
                rt.put_key_policy(caller, key_id, &text, *bypass_policy_lockout_safety_check)
                    .map_err(kms("PutKeyPolicy"))?;
                Printed {
                    json: json!({}),
                    text: String::new(),
                }
            }
        },
        KmsCommand::Encrypt(args) => {
            let plaintext = input(&args.plaintext)?;
            let ctx = context(&args.crypto.encryption_context)?;
            let out = rt
                .encrypt(caller, &args.key_id, &plaintext, &ctx, &args.crypto.grant_tokens)
                .map_err(kms("Encrypt"))?;
            let blob = b64(&out.ciphertext_blob);
            Printed {
                json: json!({"CiphertextBlob": blob, "KeyId": out.key_arn, "EncryptionAlgorithm": "SYMMETRIC_DEFAULT", "KeyMaterialId": out.key_material_id}),
                text: blob,
            }
        }
        KmsCommand::Decrypt(args) => {
            let blob = ciphertext(&args.ciphertext_blob)?;
            let ctx = context(&args.crypto.encryption_context)?;
            let out = rt
                .decrypt(caller, &blob, args.key_id.as_deref(), &ctx, &args.crypto.grant_tokens)
                .map_err(kms("Decrypt"))?;
            let plaintext = zeroize::Zeroizing::new(b64(&out.plaintext));
            Printed {
                json: json!({"KeyId": out.key_arn, "Plaintext": plaintext.as_str(), "EncryptionAlgorithm": "SYMMETRIC_DEFAULT", "KeyMaterialId": out.key_material_id}),
                text: String::from(plaintext.as_str()),
            }
        }
        KmsCommand::GenerateDataKey(args) | KmsCommand::GenerateDataKeyWithoutPlaintext(args) => {
            let with_plaintext = matches!(command, KmsCommand::GenerateDataKey(_));
            let operation = if with_plaintext {
                "GenerateDataKey"
            } else {
                "GenerateDataKeyWithoutPlaintext"
            };
            let ctx = context(&args.crypto.encryption_context)?;
            let out = rt
                .generate_data_key(
                    caller,
                    &args.key_id,
                    args.key_spec.as_deref(),
                    args.number_of_bytes,
                    &ctx,
                    &args.crypto.grant_tokens,
                    with_plaintext,
                )
                .map_err(kms(operation))?;
            let blob = b64(&out.ciphertext_blob);
            let plaintext = out.plaintext.as_ref().map(|p| zeroize::Zeroizing::new(b64(p)));
            let mut json = json!({"CiphertextBlob": blob, "KeyId": out.key_arn, "KeyMaterialId": out.key_material_id});
            let text = match &plaintext {
                Some(p) => {
                    json["Plaintext"] = Value::String(String::from(p.as_str()));
                    [blob.as_str(), out.key_arn.as_str(), p.as_str()].join("\t")
                }
                None => format!("{blob}\t{}", out.key_arn),
            };
            Printed { json, text }
        }
        KmsCommand::GenerateRandom { number_of_bytes } => {
            let bytes = rt
                .generate_random(caller, *number_of_bytes)
                .map_err(kms("GenerateRandom"))?;
            let text = b64(&bytes);
            Printed {
                json: json!({"Plaintext": text.as_str()}),
                text,
            }
        }
        KmsCommand::EncryptFile(_) | KmsCommand::DecryptFile(_) => {
            return Err(Failure::Usage("a file command runs through `execute`".into()))
        }
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
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reading_a_secret_keeps_every_byte_across_buffer_growth() {
        let data: Vec<u8> = (0..20_000u32).map(|i| (i % 251) as u8).collect();
        // Two readers chained: more than one buffer's worth, read in parts.
        let chunked = std::io::Read::chain(&data[..10_000], &data[10_000..]);
        assert_eq!(read_wiping(chunked).unwrap().as_slice(), data.as_slice());
        assert!(read_wiping(&b""[..]).unwrap().is_empty());
    }
}
