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
use crate::kms::KmsRequest;

/// A request as written in JSON.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RequestSpec {
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
    #[serde(default)]
    pub time: Option<String>,
}

impl RequestSpec {
    /// Parses request JSON; the error names the line and column.
    pub fn parse(text: &str) -> Result<RequestSpec, String> {
        serde_json::from_str(text).map_err(|e| format!("invalid request: {e}"))
    }

    /// The authorizer's request. `key` stands in for a missing or `"key"` resource.
    pub fn to_kms_request(&self, key: Option<&str>) -> Result<KmsRequest, String> {
        let caller =
            Caller::parse(&self.principal).map_err(|e| format!("invalid `principal`: {e}"))?;
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
            (None, None) if crate::kms::is_iam_only(&self.action) => "*".to_owned(),
            (None, None) => {
                return Err(
                    "the request has no `resource` (the key ARN) and there is no default key"
                        .into(),
                )
            }
        };
        if let Some(time) = &self.time {
            if crate::eval::value::date(time).is_none() {
                return Err(format!("invalid `time`: `{time}` is not an RFC 3339 time such as `2026-11-28T12:00:00Z`"));
            }
        }
        let mut context = Context::new();
        for (key, value) in &self.context {
            context.insert(key, context_value(key, value)?);
        }
        let mut request = KmsRequest::new(caller, self.action.clone(), resource);
        request.encryption_context = self.encryption_context.clone();
        request.grant_tokens = self.grant_tokens.clone();
        request.via_service = self.via_service.clone();
        request.alias = self.alias.clone();
        request.time = self.time.clone();
        request.context = context;
        Ok(request)
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
    let bad = || {
        format!(
            "invalid `context` value for `{key}`: use a string, number, boolean, or a list of them"
        )
    };
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
