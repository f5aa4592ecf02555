//! The request file of `keyward simulate` (and the `request` of a test case):
//!
//! ```json
//! {"principal": "arn:aws:sts::111122223333:assumed-role/app/s", "action": "kms:Decrypt",
//!  "resource": "arn:aws:kms:us-east-1:111122223333:key/…", "encryption_context": {"dept": "eng"},
//!  "context": {"aws:SourceIp": "203.0.113.9", "aws:TagKeys": ["a", "b"]},
//!  "grant_tokens": [], "via_service": "s3.us-east-1.amazonaws.com", "time": "2026-11-28T12:00:00Z"}
//! ```

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::eval::{Caller, Context, ContextValue};
use crate::kms::{KeyInfo, KmsRequest};
use crate::policy::{Document, DocumentKind, Grant, Grants, GrantsShape};
use crate::source::Source;

/// A request as written in JSON.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestSpec {
    /// The caller; `keyward simulate --as` may give it instead.
    #[serde(default)]
    pub principal: String,
    pub action: String,
    #[serde(default)]
    pub resource: Option<String>,
    #[serde(default)]
    pub encryption_context: BTreeMap<String, String>,
    #[serde(default)]
    pub context: BTreeMap<String, serde_json::Value>,
    #[serde(default)]
    pub grant_tokens: Vec<String>,
    #[serde(default)]
    pub via_service: Option<String>,
    #[serde(default)]
    pub alias: Option<String>,
    /// For `kms:ReEncrypt`/`kms:ReEncryptTo`: the destination context.
    #[serde(default)]
    pub destination_encryption_context: Option<BTreeMap<String, String>>,
    /// For `kms:RetireGrant`: the id of the grant being retired.
    #[serde(default)]
    pub grant_id: Option<String>,
    /// For `kms:CreateGrant`: the grant being created, in `CreateGrant`'s shape.
    #[serde(default)]
    pub grant: Option<Box<serde_json::value::RawValue>>,
    /// The key's `KeySpec` (default `SYMMETRIC_DEFAULT`) and `KeyUsage`.
    #[serde(default)]
    pub key_spec: Option<String>,
    #[serde(default)]
    pub key_usage: Option<String>,
    /// The key's `KeyManager`: `CUSTOMER` (the default) or `AWS`, an AWS
    /// managed key, to which RCPs do not apply.
    #[serde(default)]
    pub key_manager: Option<String>,
    #[serde(default)]
    pub time: Option<String>,
    /// The account owning the resource, for ARNs without one (S3).
    #[serde(default)]
    pub resource_account: Option<String>,
    /// Where a direct call came from: `aws:SourceIp`.
    #[serde(default)]
    pub source_ip: Option<String>,
    /// The VPC a call came from: `aws:SourceVpc`.
    #[serde(default)]
    pub source_vpc: Option<String>,
    /// The VPC endpoint a call passed through: `aws:SourceVpce`, and the
    /// endpoint policy of that id (a suite's `vpc_endpoint_policies`) applies.
    #[serde(default)]
    pub vpc_endpoint: Option<String>,
}

/// KMS operations with an alias half: their alias resource is authorized
/// by identity policies alone (§5.6 "Alias operations").
const ALIAS_ACTIONS: &[&str] = &["kms:CreateAlias", "kms:DeleteAlias", "kms:UpdateAlias"];

fn is_alias_arn(resource: &str) -> bool {
    crate::eval::value::arn_account(resource).is_some()
        && resource.split(':').nth(5).is_some_and(|r| r.starts_with("alias/"))
}

impl RequestSpec {
    /// Parses request JSON; the error names the line and column.
    pub fn parse(text: &str) -> Result<RequestSpec, String> {
        serde_json::from_str(text).map_err(|e| format!("invalid request: {e}"))
    }

    /// The authorizer's request. `key` stands in for a missing or `"key"` resource.
    pub fn to_kms_request(&self, key: Option<&str>) -> Result<KmsRequest, String> {
        let caller = self.caller()?;
        if !self.action.contains(':') {
            return Err(format!(
                "invalid `action`: `{}` is not `service:Action`, such as `kms:Decrypt`",
                self.action
            ));
        }
        let resource = match (self.resource.as_deref(), key) {
            // Actions with no key resource are authorized on `*` (§5.6).
            (None, _) if crate::kms::is_iam_only(&self.action) => "*".to_owned(),
            (Some("key") | None, Some(key)) => key.to_owned(),
            (Some(resource), _) => resource.to_owned(),
            (None, None) => {
                return Err("the request has no `resource` (the key ARN) and there is no default key".into())
            }
        };
        // A key action names its key by ARN: a key id or alias cannot say
        // which account owns the key (alias resolution is the runtime's).
        let is_key_arn = crate::eval::value::arn_account(&resource).is_some() && resource.contains(":key/");
        let alias_half = is_alias_arn(&resource) && ALIAS_ACTIONS.iter().any(|a| a.eq_ignore_ascii_case(&self.action));
        if !crate::kms::is_iam_only(&self.action) && !is_key_arn && !alias_half {
            return Err(format!(
                "invalid `resource`: `{resource}` is not a key ARN such as `arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab` (or, for `kms:CreateAlias`, `kms:DeleteAlias` and `kms:UpdateAlias`, an alias ARN)"
            ));
        }
        if caller.kind == crate::eval::CallerKind::Anonymous {
            return Err("invalid `principal`: KMS accepts only signed requests, so an `anonymous` caller cannot ask it anything".into());
        }
        if let Some(time) = &self.time {
            if crate::eval::value::date(time).is_none() {
                return Err(format!(
                    "invalid `time`: `{time}` is not an RFC 3339 time such as `2026-11-28T12:00:00Z`"
                ));
            }
        }
        let context = self.explicit_context()?;
        let key = match (&self.key_spec, &self.key_usage) {
            (None, None) => KeyInfo::SYMMETRIC,
            (spec, usage) => KeyInfo::parse(spec.as_deref().unwrap_or("SYMMETRIC_DEFAULT"), usage.as_deref())
                .ok_or_else(|| {
                    "invalid `key_spec`/`key_usage`: use a KMS KeySpec such as `RSA_2048` with a KeyUsage it allows"
                        .to_owned()
                })?,
        };
        let aws_managed_key = match self.key_manager.as_deref() {
            None | Some("CUSTOMER") => false,
            Some("AWS") => true,
            Some(other) => {
                return Err(format!(
                    "invalid `key_manager`: `{other}` is not `CUSTOMER` or `AWS` (an AWS managed key)"
                ))
            }
        };
        let create_grant = match &self.grant {
            None => None,
            Some(value) => {
                let grant = parse_grant(value.get())?;
                crate::kms::validate_grant(&grant, key).map_err(|e| format!("invalid `grant` to create: {e}"))?;
                Some(grant)
            }
        };
        let mut request = KmsRequest::new(caller, self.action.clone(), resource);
        request.key = key;
        request.aws_managed_key = aws_managed_key;
        request.create_grant = create_grant;
        request.grant_id = self.grant_id.clone();
        request.destination_encryption_context = self.destination_encryption_context.clone();
        request.encryption_context = self.encryption_context.clone();
        request.grant_tokens = self.grant_tokens.clone();
        request.via_service = self.via_service.clone();
        request.alias = self.alias.clone();
        request.time = self.time.clone();
        request.context = context;
        Ok(request)
    }
}

impl RequestSpec {
    /// `context`, plus `aws:SourceVpc` and `aws:SourceVpce` from their fields.
    pub fn explicit_context(&self) -> Result<Context, String> {
        let mut context = Context::new();
        if let Some(vpc) = &self.source_vpc {
            context.insert_one("aws:SourceVpc", vpc.clone());
        }
        if let Some(endpoint) = &self.vpc_endpoint {
            context.insert_one("aws:SourceVpce", endpoint.clone());
        }
        for (key, value) in &self.context {
            context.insert(key, context_value(key, value)?);
        }
        Ok(context)
    }

    /// The caller, with where it called from.
    pub fn caller(&self) -> Result<Caller, String> {
        if self.principal.is_empty() {
            return Err("the request has no `principal`: give one (or `--as` to `keyward simulate`)".into());
        }
        let mut caller = Caller::parse(&self.principal).map_err(|e| format!("invalid `principal`: {e}"))?;
        caller.source_ip.clone_from(&self.source_ip);
        if let Some(service) = &self.via_service {
            caller = caller.via(service.clone());
        }
        Ok(caller)
    }
}

fn context_value(key: &str, value: &serde_json::Value) -> Result<ContextValue, String> {
    use serde_json::Value;
    let scalar = |v: &Value| match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    };
    let bad = || format!("invalid `context` value for `{key}`: use a string, number, boolean, or a list of them");
    match value {
        Value::Array(items) => items
            .iter()
            .map(scalar)
            .collect::<Option<Vec<_>>>()
            .map(ContextValue::Many)
            .ok_or_else(bad),
        other => scalar(other).map(ContextValue::One).ok_or_else(bad),
    }
}

/// The `grant` of a request: one grant object, checked like a grant file.
fn parse_grant(text: &str) -> Result<Grant, String> {
    match Document::parse(&Source::new("request#grant", text), Some(DocumentKind::Grants)) {
        Ok(Document::Grants(Grants {
            shape: GrantsShape::One,
            mut grants,
        })) if grants.len() == 1 => Ok(grants.remove(0).node),
        Ok(_) => Err("invalid `grant`: give one grant object, as `CreateGrant` takes it".into()),
        Err(errors) => {
            let problems: Vec<String> = errors.errors.iter().map(|e| e.to_string()).collect();
            Err(format!("invalid `grant`: {}", problems.join("; ")))
        }
    }
}
