//! The policy document model: a [`Policy`] holds [`Statement`]s; each element
//! keeps the span of its text. Single values and lists are kept as written
//! ([`Values`]), so printing never changes how a value was given.

use std::fmt;

use super::condition::Operator;
use crate::source::Spanned;

/// An IAM-style policy: a KMS key policy, an identity policy or a guardrail.
#[derive(Clone, Debug, PartialEq)]
pub struct Policy {
    pub version: Option<Spanned<Version>>,
    pub id: Option<Spanned<String>>,
    pub statements: Vec<Spanned<Statement>>,
}

/// The policy language version; an absent `Version` means `2008-10-17` rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Version {
    V2012_10_17,
    V2008_10_17,
}

/// One `Statement` entry.
#[derive(Clone, Debug, PartialEq)]
pub struct Statement {
    pub sid: Option<Spanned<String>>,
    pub effect: Spanned<Effect>,
    /// `Principal` or `NotPrincipal`; absent in identity policies.
    pub principal: Option<Spanned<Clause<Principal>>>,
    /// `Action` or `NotAction`.
    pub action: Spanned<Clause<Values<Spanned<String>>>>,
    /// `Resource` or `NotResource`. Only resource policies other than key
    /// policies (such as role trust policies) may leave it out.
    pub resource: Option<Spanned<Clause<Values<Spanned<String>>>>>,
    pub condition: Option<Spanned<Condition>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Effect {
    Allow,
    Deny,
}

/// An element and its `Not…` twin: `negated` is true for `NotAction`,
/// `NotResource` and `NotPrincipal`.
#[derive(Clone, Debug, PartialEq)]
pub struct Clause<T> {
    pub negated: bool,
    pub value: T,
}

/// One value, or a list, exactly as the document gave it.
#[derive(Clone, Debug, PartialEq)]
pub enum Values<T> {
    One(T),
    Many(Vec<T>),
}

impl<T> Values<T> {
    pub fn iter(&self) -> std::slice::Iter<'_, T> {
        match self {
            Values::One(one) => std::slice::from_ref(one).iter(),
            Values::Many(many) => many.iter(),
        }
    }

    pub fn len(&self) -> usize {
        self.iter().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl<'a, T> IntoIterator for &'a Values<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

/// The value of `Principal` / `NotPrincipal`.
#[derive(Clone, Debug, PartialEq)]
pub enum Principal {
    /// The bare string `"*"`: everyone.
    Any,
    /// `{"AWS": …, "Service": …}` in document order.
    Map(Vec<PrincipalEntry>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct PrincipalEntry {
    pub kind: Spanned<PrincipalKind>,
    pub ids: Values<Spanned<String>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PrincipalKind {
    Aws,
    Service,
    Federated,
    CanonicalUser,
}

/// `Condition`: operator blocks, each with keys and their values.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Condition {
    pub blocks: Vec<ConditionBlock>,
}

/// `"StringEquals": { "kms:CallerAccount": "111122223333", … }`
#[derive(Clone, Debug, PartialEq)]
pub struct ConditionBlock {
    pub operator: Spanned<Operator>,
    pub entries: Vec<ConditionEntry>,
}

/// One condition key and the value or values it is compared with.
#[derive(Clone, Debug, PartialEq)]
pub struct ConditionEntry {
    pub key: Spanned<String>,
    pub values: Values<Spanned<Scalar>>,
}

/// A JSON scalar as written: policies may give numbers and booleans quoted or
/// not, and a number keeps its text.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Scalar {
    String(String),
    Number(String),
    Bool(bool),
}

impl Version {
    pub const fn as_str(self) -> &'static str {
        match self {
            Version::V2012_10_17 => "2012-10-17",
            Version::V2008_10_17 => "2008-10-17",
        }
    }

    pub fn parse(text: &str) -> Option<Version> {
        match text {
            "2012-10-17" => Some(Version::V2012_10_17),
            "2008-10-17" => Some(Version::V2008_10_17),
            _ => None,
        }
    }
}

impl Effect {
    pub const fn as_str(self) -> &'static str {
        match self {
            Effect::Allow => "Allow",
            Effect::Deny => "Deny",
        }
    }
}

impl PrincipalKind {
    pub const ALL: [PrincipalKind; 4] = [
        PrincipalKind::Aws,
        PrincipalKind::Service,
        PrincipalKind::Federated,
        PrincipalKind::CanonicalUser,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            PrincipalKind::Aws => "AWS",
            PrincipalKind::Service => "Service",
            PrincipalKind::Federated => "Federated",
            PrincipalKind::CanonicalUser => "CanonicalUser",
        }
    }

    pub fn parse(text: &str) -> Option<PrincipalKind> {
        PrincipalKind::ALL.into_iter().find(|k| k.as_str() == text)
    }
}

impl Scalar {
    /// The value as the string IAM compares it as.
    pub fn as_text(&self) -> &str {
        match self {
            Scalar::String(s) | Scalar::Number(s) => s,
            Scalar::Bool(true) => "true",
            Scalar::Bool(false) => "false",
        }
    }
}

impl Policy {
    /// True when the statements name principals: a key policy or other
    /// resource policy, rather than an identity policy.
    pub fn is_resource_policy(&self) -> bool {
        self.statements.iter().any(|s| s.principal.is_some())
    }
}

impl fmt::Display for Effect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
