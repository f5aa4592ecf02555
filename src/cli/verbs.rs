//! keyward's short verbs (`keyward encrypt`, `key create`, `grant list`, …)
//! as the typed operations they stand for: each builds the operation's
//! request, runs it through `kms::op::call_json` and `Service::call` as
//! `keyward kms` and the server do, and keeps its short text form, read
//! from the response. Verbs that print more than their operation answers
//! (`key enable` prints the key) and the file and audit commands stay in
//! `kms.rs`.

use base64::Engine as _;
use serde_json::{json, Map, Value};

use super::kms::{ciphertext, context, input, tags, Failure, KmsCommand, Printed};
use super::kms_args::{AliasCommand, GrantCommand, KeyCommand, PageArgs, PolicyCommand};

/// One typed call: the operation, its request, and the list member to join
/// across pages (when every page is to be fetched).
pub struct Call {
    pub operation: &'static str,
    pub request: Value,
    pub pages_of: Option<&'static str>,
}

impl Drop for Call {
    fn drop(&mut self) {
        keyward::kms::op::wipe(&mut self.request);
    }
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// `Limit` and `Marker` from `--limit`/`--marker`; without either, every page.
fn paged(operation: &'static str, mut request: Value, page: &PageArgs, list: &'static str) -> Call {
    if let Some(limit) = page.limit {
        request["Limit"] = json!(limit);
    }
    if let Some(marker) = &page.marker {
        request["Marker"] = json!(marker);
    }
    let every = page.limit.is_none() && page.marker.is_none();
    Call {
        operation,
        request,
        pages_of: every.then_some(list),
    }
}

fn one(operation: &'static str, request: Value) -> Call {
    Call {
        operation,
        request,
        pages_of: None,
    }
}

/// Sets `member` when `value` is given.
fn with(mut request: Value, member: &str, value: Option<Value>) -> Value {
    if let Some(value) = value {
        request[member] = value;
    }
    request
}

/// The encryption context member, left out when empty.
fn with_context(request: Value, member: &str, pairs: &[String]) -> Result<Value, Failure> {
    let context = context(pairs)?;
    Ok(with(request, member, (!context.is_empty()).then(|| json!(context))))
}

fn with_tokens(request: Value, tokens: &[String]) -> Value {
    with(request, "GrantTokens", (!tokens.is_empty()).then(|| json!(tokens)))
}

/// The typed call a command stands for, or `None` for the commands that
/// are not one operation.
pub fn call_of(command: &KmsCommand) -> Result<Option<Call>, Failure> {
    Ok(Some(match command {
        KmsCommand::Encrypt(args) => {
            let plaintext = input(&args.plaintext)?;
            let request = json!({"KeyId": args.key_id, "Plaintext": b64(&plaintext)});
            let request = with_context(request, "EncryptionContext", &args.crypto.encryption_context)?;
            one("Encrypt", with_tokens(request, &args.crypto.grant_tokens))
        }
        KmsCommand::Decrypt(args) => {
            let request = json!({"CiphertextBlob": b64(&ciphertext(&args.ciphertext_blob)?)});
            let request = with(request, "KeyId", args.key_id.as_ref().map(|k| json!(k)));
            let request = with_context(request, "EncryptionContext", &args.crypto.encryption_context)?;
            one("Decrypt", with_tokens(request, &args.crypto.grant_tokens))
        }
        KmsCommand::GenerateDataKey(args) | KmsCommand::GenerateDataKeyWithoutPlaintext(args) => {
            let operation = if matches!(command, KmsCommand::GenerateDataKey(_)) {
                "GenerateDataKey"
            } else {
                "GenerateDataKeyWithoutPlaintext"
            };
            let request = json!({"KeyId": args.key_id});
            let request = with(request, "KeySpec", args.key_spec.as_ref().map(|s| json!(s)));
            let request = with(request, "NumberOfBytes", args.number_of_bytes.map(|n| json!(n)));
            let request = with_context(request, "EncryptionContext", &args.crypto.encryption_context)?;
            one(operation, with_tokens(request, &args.crypto.grant_tokens))
        }
        KmsCommand::GenerateRandom { number_of_bytes } => one(
            "GenerateRandom",
            with(json!({}), "NumberOfBytes", number_of_bytes.map(|n| json!(n))),
        ),
        KmsCommand::ReEncrypt(args) => {
            let request = json!({
                "CiphertextBlob": b64(&ciphertext(&args.ciphertext_blob)?),
                "DestinationKeyId": args.destination_key_id,
            });
            let request = with(request, "SourceKeyId", args.source_key_id.as_ref().map(|k| json!(k)));
            let request = with_context(request, "SourceEncryptionContext", &args.source_encryption_context)?;
            let request = with_context(
                request,
                "DestinationEncryptionContext",
                &args.destination_encryption_context,
            )?;
            one("ReEncrypt", with_tokens(request, &args.grant_tokens))
        }
        KmsCommand::Key(key) => match key {
            KeyCommand::Create {
                description,
                policy,
                bypass_policy_lockout_safety_check,
                key_spec,
                key_usage,
            } => {
                let policy = policy
                    .as_deref()
                    .map(input)
                    .transpose()?
                    .map(|b| String::from_utf8_lossy(&b).into_owned());
                let request = with(json!({}), "Description", description.as_ref().map(|d| json!(d)));
                let request = with(request, "KeySpec", key_spec.as_ref().map(|s| json!(s)));
                let request = with(request, "KeyUsage", key_usage.as_ref().map(|u| json!(u)));
                let request = with(request, "Policy", policy.map(Value::String));
                let bypass = (*bypass_policy_lockout_safety_check).then(|| json!(true));
                one("CreateKey", with(request, "BypassPolicyLockoutSafetyCheck", bypass))
            }
            KeyCommand::Describe { key_id } => one("DescribeKey", json!({"KeyId": key_id})),
            KeyCommand::List { page } => paged("ListKeys", json!({}), page, "Keys"),
            KeyCommand::EnableRotation {
                key_id,
                rotation_period_in_days,
            } => one(
                "EnableKeyRotation",
                with(
                    json!({"KeyId": key_id}),
                    "RotationPeriodInDays",
                    rotation_period_in_days.map(|d| json!(d)),
                ),
            ),
            KeyCommand::DisableRotation { key_id } => one("DisableKeyRotation", json!({"KeyId": key_id})),
            KeyCommand::RotationStatus { key_id } => one("GetKeyRotationStatus", json!({"KeyId": key_id})),
            KeyCommand::ListRotations { key_id, page } => {
                paged("ListKeyRotations", json!({"KeyId": key_id}), page, "Rotations")
            }
            KeyCommand::Tag { key_id, tags: given } => {
                one("TagResource", json!({"KeyId": key_id, "Tags": tags(given)?}))
            }
            KeyCommand::Untag { key_id, tag_keys } => {
                one("UntagResource", json!({"KeyId": key_id, "TagKeys": tag_keys}))
            }
            KeyCommand::ListTags { key_id } => one("ListResourceTags", json!({"KeyId": key_id})),
            // These print the key after the change: several calls, in kms.rs.
            KeyCommand::Enable { .. }
            | KeyCommand::Disable { .. }
            | KeyCommand::ScheduleDeletion { .. }
            | KeyCommand::CancelDeletion { .. }
            | KeyCommand::Rotate { .. } => return Ok(None),
        },
        KmsCommand::Policy(policy) => match policy {
            PolicyCommand::Get { key_id, policy_name } => {
                one("GetKeyPolicy", json!({"KeyId": key_id, "PolicyName": policy_name}))
            }
            PolicyCommand::Put {
                key_id,
                policy_name,
                policy,
                bypass_policy_lockout_safety_check,
            } => {
                let text = String::from_utf8_lossy(&input(policy)?).into_owned();
                let request = json!({"KeyId": key_id, "PolicyName": policy_name, "Policy": text});
                let bypass = (*bypass_policy_lockout_safety_check).then(|| json!(true));
                one("PutKeyPolicy", with(request, "BypassPolicyLockoutSafetyCheck", bypass))
            }
        },
        KmsCommand::Alias(alias) => match alias {
            AliasCommand::Delete { alias_name } => one("DeleteAlias", json!({"AliasName": alias_name})),
            AliasCommand::List { key_id, page } => paged(
                "ListAliases",
                with(json!({}), "KeyId", key_id.as_ref().map(|k| json!(k))),
                page,
                "Aliases",
            ),
            // Prints the alias it made: in kms.rs.
            AliasCommand::Create { .. } => return Ok(None),
        },
        KmsCommand::Grant(grant) => grant_call(grant)?,
        KmsCommand::Audit(_) | KmsCommand::EncryptFile(_) | KmsCommand::DecryptFile(_) | KmsCommand::Kinds(_) => {
            return Ok(None)
        }
    }))
}

fn grant_call(command: &GrantCommand) -> Result<Call, Failure> {
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
            let operations = super::aws::member("CreateGrant", "Operations", operations)?;
            let request = json!({"KeyId": key_id, "GranteePrincipal": grantee_principal, "Operations": operations});
            let request = with(
                request,
                "RetiringPrincipal",
                retiring_principal.as_ref().map(|r| json!(r)),
            );
            let request = with(request, "Name", name.as_ref().map(|n| json!(n)));
            let constraints = constraints
                .as_ref()
                .map(|c| super::aws::member("CreateGrant", "Constraints", std::slice::from_ref(c)))
                .transpose()?;
            let request = with(request, "Constraints", constraints);
            one("CreateGrant", with_tokens(request, grant_tokens))
        }
        GrantCommand::List {
            key_id,
            grant_id,
            grantee_principal,
            page,
        } => {
            let request = with(json!({"KeyId": key_id}), "GrantId", grant_id.as_ref().map(|g| json!(g)));
            let request = with(
                request,
                "GranteePrincipal",
                grantee_principal.as_ref().map(|g| json!(g)),
            );
            paged("ListGrants", request, page, "Grants")
        }
        GrantCommand::ListRetirable {
            retiring_principal,
            page,
        } => paged(
            "ListRetirableGrants",
            json!({"RetiringPrincipal": retiring_principal}),
            page,
            "Grants",
        ),
        GrantCommand::Retire {
            grant_token,
            key_id,
            grant_id,
        } => {
            let request = with(json!({}), "GrantToken", grant_token.as_ref().map(|t| json!(t)));
            let request = with(request, "KeyId", key_id.as_ref().map(|k| json!(k)));
            one(
                "RetireGrant",
                with(request, "GrantId", grant_id.as_ref().map(|g| json!(g))),
            )
        }
        GrantCommand::Revoke { key_id, grant_id } => one("RevokeGrant", json!({"KeyId": key_id, "GrantId": grant_id})),
    })
}

/// Runs `call` through `once` (one `Service::call`), fetching and joining
/// every page when it asks for them.
pub fn run<E>(call: &mut Call, mut once: impl FnMut(&str, &Value) -> Result<Value, E>) -> Result<Value, E> {
    let response = once(call.operation, &call.request)?;
    match call.pages_of {
        Some(list) => {
            let operation = call.operation;
            super::aws::every_page(response, &mut call.request, list, |request| once(operation, request))
        }
        None => Ok(response),
    }
}

/// The response as the verb prints it.
pub fn printed(call: &Call, response: Value) -> Printed {
    let field = |value: &Value, name: &str| value[name].as_str().unwrap_or_default().to_owned();
    let rows = |list: &str, columns: &[&str]| -> String {
        response[list]
            .as_array()
            .map(|items| {
                items
                    .iter()
                    .map(|item| {
                        columns
                            .iter()
                            .map(|c| match &item[*c] {
                                Value::String(s) => s.clone(),
                                Value::Null => String::new(),
                                other => other.to_string(),
                            })
                            .collect::<Vec<_>>()
                            .join("\t")
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            })
            .unwrap_or_default()
    };
    let text = match call.operation {
        "Encrypt" | "ReEncrypt" => field(&response, "CiphertextBlob"),
        "Decrypt" | "GenerateRandom" => field(&response, "Plaintext"),
        "GenerateDataKey" => [
            field(&response, "CiphertextBlob"),
            field(&response, "KeyId"),
            field(&response, "Plaintext"),
        ]
        .join("\t"),
        "GenerateDataKeyWithoutPlaintext" => {
            format!("{}\t{}", field(&response, "CiphertextBlob"), field(&response, "KeyId"))
        }
        "CreateKey" | "DescribeKey" => {
            let m = &response["KeyMetadata"];
            format!("{}\t{}\t{}", field(m, "KeyId"), field(m, "Arn"), field(m, "KeyState"))
        }
        "ListKeys" => rows("Keys", &["KeyId", "KeyArn"]),
        "ListAliases" => rows("Aliases", &["AliasName", "TargetKeyId"]),
        "ListGrants" => rows("Grants", &["GrantId", "GranteePrincipal"]),
        "ListRetirableGrants" => rows("Grants", &["GrantId"]),
        "ListResourceTags" => rows("Tags", &["TagKey", "TagValue"]),
        "ListKeyRotations" => rows("Rotations", &["KeyMaterialId", "RotationDate", "RotationType"]),
        "CreateGrant" => format!("{}\t{}", field(&response, "GrantId"), field(&response, "GrantToken")),
        "GetKeyPolicy" => field(&response, "Policy"),
        "GetKeyRotationStatus" => response["KeyRotationEnabled"].as_bool().unwrap_or(false).to_string(),
        _ => String::new(),
    };
    let json = match response {
        Value::Object(fields) => Value::Object(fields),
        _ => Value::Object(Map::new()),
    };
    Printed { json, text }
}
