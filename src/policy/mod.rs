//! The document model: IAM-style policies (key policies, identity policies,
//! guardrails) and KMS grants, read from the spanned JSON tree.
//!
//! [`Document::parse`] runs the whole front end (`json::parse`, then
//! `Document::from_json`) and returns every problem at once as
//! [`PolicyErrors`]; [`fmt::to_canonical_json`] prints a model back.

mod condition;
mod error;
pub mod fmt;
mod grant;
mod model;
mod read;
mod read_grant;
pub mod suggest;

pub use condition::{BaseOperator, Operator, SetQualifier, UnknownOperator};
pub use error::{Located, PolicyError, PolicyErrors};
pub use grant::{ContextPair, Grant, GrantConstraints, GrantOperation, Grantee, Grants, GrantsShape};
pub use model::{
    Clause, Condition, ConditionBlock, ConditionEntry, Effect, Policy, Principal, PrincipalEntry, PrincipalKind,
    Scalar, Statement, Values, Version,
};
pub use read::PolicyKind;
pub use read_grant::{MAX_CONSTRAINT_PAIRS, MAX_CONSTRAINT_VALUE_CHARS};

use crate::json::{self, Kind, Limits, Value};
use crate::source::Source;
use read::Reader;

/// A document keyward can read: a policy or a file of grants.
#[derive(Clone, Debug, PartialEq)]
pub enum Document {
    Policy(Policy),
    Grants(Grants),
}

/// What a document is expected to be; `None` in the API means "detect it".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DocumentKind {
    /// A policy of a kind inferred from its statements (see [`PolicyKind`]).
    Policy,
    KeyPolicy,
    IdentityPolicy,
    /// A role's trust policy (read as a resource policy).
    RoleTrustPolicy,
    /// An AWS Organizations service control policy (read as an identity policy).
    ServiceControlPolicy,
    /// An AWS Organizations resource control policy (read as a resource policy).
    ResourceControlPolicy,
    Grants,
}

impl Document {
    /// Reads a document from its source text under the default JSON limits.
    pub fn parse(source: &Source, kind: Option<DocumentKind>) -> Result<Document, PolicyErrors> {
        Document::parse_with(source, kind, &Limits::default())
    }

    pub fn parse_with(source: &Source, kind: Option<DocumentKind>, limits: &Limits) -> Result<Document, PolicyErrors> {
        let errors = |errors| PolicyErrors {
            src: source.clone(),
            errors,
        };
        let value = json::parse_with(source.text(), limits).map_err(|e| errors(vec![e.into()]))?;
        Document::from_json(&value, kind).map_err(errors)
    }

    /// Builds the model from a JSON tree, or returns every problem in it.
    pub fn from_json(value: &Value, kind: Option<DocumentKind>) -> Result<Document, Vec<PolicyError>> {
        let mut reader = Reader::default();
        let document = match kind.or_else(|| detect(value)) {
            Some(DocumentKind::KeyPolicy) => reader.policy(value, Some(PolicyKind::KeyPolicy)).map(Document::Policy),
            Some(DocumentKind::IdentityPolicy | DocumentKind::ServiceControlPolicy) => reader
                .policy(value, Some(PolicyKind::IdentityPolicy))
                .map(Document::Policy),
            Some(DocumentKind::RoleTrustPolicy | DocumentKind::ResourceControlPolicy) => reader
                .policy(value, Some(PolicyKind::ResourcePolicy))
                .map(Document::Policy),
            Some(DocumentKind::Policy) => reader.policy(value, None).map(Document::Policy),
            Some(DocumentKind::Grants) => reader.grants(value).map(Document::Grants),
            None => {
                reader.push(unknown_document(value));
                None
            }
        };
        match document {
            Some(document) if reader.errors.is_empty() => Ok(document),
            _ => Err(in_reading_order(reader.errors)),
        }
    }
}

/// Sorts problems by where they are, so a report reads top to bottom.
fn in_reading_order(mut errors: Vec<PolicyError>) -> Vec<PolicyError> {
    errors.sort_by_key(|e| e.primary_span().map_or(0, |s| s.offset()));
    errors
}

impl Policy {
    /// Reads a policy (key or identity, detected from its statements).
    pub fn parse(source: &Source) -> Result<Policy, PolicyErrors> {
        let value = json::parse(source.text()).map_err(|e| PolicyErrors {
            src: source.clone(),
            errors: vec![e.into()],
        })?;
        Policy::from_json(&value, None).map_err(|errors| PolicyErrors {
            src: source.clone(),
            errors,
        })
    }

    /// Builds a policy from a JSON tree; `kind` decides whether statements
    /// must (key policy) or must not (identity policy) name a principal.
    pub fn from_json(value: &Value, kind: Option<PolicyKind>) -> Result<Policy, Vec<PolicyError>> {
        let mut reader = Reader::default();
        match reader.policy(value, kind) {
            Some(policy) if reader.errors.is_empty() => Ok(policy),
            _ => Err(in_reading_order(reader.errors)),
        }
    }
}

/// Decides between a policy and grants from the top-level shape. A policy
/// with a misspelt `Statement` still counts as a policy, so its errors are
/// about the policy.
fn detect(value: &Value) -> Option<DocumentKind> {
    let resembles = |name: &str, known: &[&str]| suggest::closest(name, known.iter().copied()).is_some();
    match &value.kind {
        Kind::Array(items) if items.iter().all(|i| i.as_object().is_some()) => Some(DocumentKind::Grants),
        Kind::Object(object) => {
            let keys = || object.members.iter().map(|m| m.key.as_str());
            if keys().any(|k| resembles(k, read::POLICY_ELEMENTS)) {
                Some(DocumentKind::Policy)
            } else if keys().any(|k| k == "Grants" || resembles(k, read_grant::GRANT_ELEMENTS)) {
                Some(DocumentKind::Grants)
            } else {
                None
            }
        }
        _ => None,
    }
}

fn unknown_document(value: &Value) -> PolicyError {
    let found = match &value.kind {
        Kind::Object(object) if object.members.is_empty() => "an empty object".to_owned(),
        Kind::Object(object) => {
            let keys: Vec<&str> = object.members.iter().take(4).map(|m| m.key.as_str()).collect();
            format!("an object with {}", suggest::list(&keys))
        }
        _ => value.type_name().to_owned(),
    };
    let is_get_key_policy_output = value
        .as_object()
        .is_some_and(|o| o.get("Policy").is_some_and(|m| m.value.as_str().is_some()));
    if is_get_key_policy_output {
        return PolicyError::UnknownDocument {
            span: read::opening(value).into(),
            found,
            help: "this is `aws kms get-key-policy` output, with the policy inside a string; save just the policy with `--query Policy --output text`".to_owned(),
        };
    }
    PolicyError::UnknownDocument {
        span: read::opening(value).into(),
        found,
        help: "a policy is an object with `Statement` (and usually `Version`); a grant is an object with `GranteePrincipal` and `Operations`, and a file may hold a list of grants".to_owned(),
    }
}

#[cfg(test)]
mod tests;
