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
pub use error::{PolicyError, PolicyErrors};
pub use grant::{ContextPair, Grant, GrantConstraints, GrantOperation, Grants, GrantsShape, Grantee};
pub use model::{
    Clause, Condition, ConditionBlock, ConditionEntry, Effect, Policy, Principal, PrincipalEntry, PrincipalKind, Scalar, Statement, Values,
    Version,
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
    KeyPolicy,
    IdentityPolicy,
    Grants,
}

impl Document {
    /// Reads a document from its source text under the default JSON limits.
    pub fn parse(source: &Source, kind: Option<DocumentKind>) -> Result<Document, PolicyErrors> {
        Document::parse_with(source, kind, &Limits::default())
    }

    pub fn parse_with(source: &Source, kind: Option<DocumentKind>, limits: &Limits) -> Result<Document, PolicyErrors> {
        let errors = |errors| PolicyErrors { src: source.clone(), errors };
        let value = json::parse_with(source.text(), limits).map_err(|e| errors(vec![e.into()]))?;
        Document::from_json(&value, kind).map_err(errors)
    }

    /// Builds the model from a JSON tree, or returns every problem in it.
    pub fn from_json(value: &Value, kind: Option<DocumentKind>) -> Result<Document, Vec<PolicyError>> {
        let mut reader = Reader::default();
        let document = match kind.or_else(|| detect(value)) {
            Some(DocumentKind::KeyPolicy) => reader.policy(value, Some(PolicyKind::KeyPolicy)).map(Document::Policy),
            Some(DocumentKind::IdentityPolicy) => reader.policy(value, Some(PolicyKind::IdentityPolicy)).map(Document::Policy),
            Some(DocumentKind::Grants) => reader.grants(value).map(Document::Grants),
            None => {
                reader.push(unknown_document(value));
                None
            }
        };
        match document {
            Some(document) if reader.errors.is_empty() => Ok(document),
            _ => Err(reader.errors),
        }
    }
}

impl Policy {
    /// Reads a policy (key or identity, detected from its statements).
    pub fn parse(source: &Source) -> Result<Policy, PolicyErrors> {
        let value = json::parse(source.text()).map_err(|e| PolicyErrors { src: source.clone(), errors: vec![e.into()] })?;
        Policy::from_json(&value, None).map_err(|errors| PolicyErrors { src: source.clone(), errors })
    }

    /// Builds a policy from a JSON tree; `kind` decides whether statements
    /// must (key policy) or must not (identity policy) name a principal.
    pub fn from_json(value: &Value, kind: Option<PolicyKind>) -> Result<Policy, Vec<PolicyError>> {
        let mut reader = Reader::default();
        match reader.policy(value, kind) {
            Some(policy) if reader.errors.is_empty() => Ok(policy),
            _ => Err(reader.errors),
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
                // `from_json` infers key or identity policy from the statements.
                Some(if is_key_policy_shaped(value) { DocumentKind::KeyPolicy } else { DocumentKind::IdentityPolicy })
            } else if keys().any(|k| k == "Grants" || resembles(k, read_grant::GRANT_ELEMENTS)) {
                Some(DocumentKind::Grants)
            } else {
                None
            }
        }
        _ => None,
    }
}

/// True when any statement names a principal.
fn is_key_policy_shaped(value: &Value) -> bool {
    let Some(statement) = value.as_object().and_then(|o| o.get("Statement")) else { return false };
    let statements: Vec<&Value> = match &statement.value.kind {
        Kind::Array(items) => items.iter().collect(),
        _ => vec![&statement.value],
    };
    statements
        .iter()
        .filter_map(|s| s.as_object())
        .any(|o| o.members.iter().any(|m| matches!(m.key.as_str(), "Principal" | "NotPrincipal")))
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
    PolicyError::UnknownDocument {
        span: read::opening(value).into(),
        found,
        help: "a policy is an object with `Statement` (and usually `Version`); a grant is an object with `GranteePrincipal` and `Operations`, and a file may hold a list of grants".to_owned(),
    }
}

#[cfg(test)]
mod tests;
