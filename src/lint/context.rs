//! What a rule looks at: the policy (with the kind of policy it is) or the
//! grants, the source, and helpers that answer the questions several rules
//! ask (which principals a statement names, which actions it allows).

use crate::eval::glob::{matches_wild, Case};
use crate::eval::CompiledPolicy;
use crate::json;
use crate::policy::{
    Clause, ConditionEntry, Effect, Grants, Operator, Policy, PolicyKind, Principal, PrincipalKind, Statement, Values,
};
use crate::source::{Source, Span, Spanned};

use super::finding::Finding;
use crate::catalog::{self, Catalogue};

/// A policy under lint.
pub struct PolicyCx<'a> {
    pub source: &'a Source,
    /// The JSON the policy was read from, for spans the model does not keep.
    pub document: &'a json::Value,
    pub policy: &'a Policy,
    /// The policy compiled for the evaluator (the lockout rule asks it).
    pub compiled: &'a CompiledPolicy,
    pub kind: PolicyKind,
    /// The type Access Analyzer would validate it as.
    pub ty: super::PolicyType,
    /// The quota of an inline policy, when a template says whose it is.
    pub inline: Option<super::Inline>,
    /// The key a key policy is for, when the user said (`--key-spec`).
    pub key: Option<crate::kms::KeyInfo>,
    /// The resource a resource policy is attached to, when known.
    pub resource_type: Option<super::ResourceType>,
}

/// A grant file under lint.
pub struct GrantsCx<'a> {
    pub source: &'a Source,
    pub grants: &'a Grants,
    /// The key's spec and usage, when the user said (`--key-spec`).
    pub key: Option<crate::kms::KeyInfo>,
}

/// Where rules put what they find.
pub type Findings = Vec<Finding>;

impl PolicyCx<'_> {
    pub fn catalogue(&self) -> &'static Catalogue {
        catalog::get()
    }

    pub fn statements(&self) -> impl Iterator<Item = &Spanned<Statement>> {
        self.policy.statements.iter()
    }

    /// The `"Statement"` key: where to point at the policy as a whole.
    pub fn statement_key(&self) -> Span {
        self.document
            .as_object()
            .and_then(|o| o.get("Statement"))
            .map_or(Span::at(self.document.span.start), |m| m.key.span)
    }

    pub fn is_key_policy(&self) -> bool {
        self.kind == PolicyKind::KeyPolicy
    }

    /// Every condition entry of a statement, with its operator.
    pub fn conditions(statement: &Statement) -> impl Iterator<Item = (&Spanned<Operator>, &ConditionEntry)> {
        statement
            .condition
            .iter()
            .flat_map(|c| c.blocks.iter())
            .flat_map(|b| b.entries.iter().map(move |e| (&b.operator, e)))
    }
}

/// The 12-digit account of an account principal (`111122223333` or
/// `arn:aws:iam::111122223333:root`).
pub fn account_principal(id: &str) -> Option<&str> {
    let is_account = |t: &str| t.len() == 12 && t.bytes().all(|b| b.is_ascii_digit());
    if is_account(id) {
        return Some(id);
    }
    match id.splitn(6, ':').collect::<Vec<_>>().as_slice() {
        ["arn", _, "iam", "", account, "root"] if is_account(account) => Some(account),
        _ => None,
    }
}

/// The principals a statement's `Principal` names, as `(kind, id)`; `*`
/// is given as `(AWS, "*")`. Empty for `NotPrincipal` and identity policies.
pub fn principals(statement: &Statement) -> Vec<(PrincipalKind, &Spanned<String>)> {
    match &statement.principal {
        Some(p) if !p.negated => match &p.value {
            Principal::Any => Vec::new(),
            Principal::Map(entries) => entries
                .iter()
                .flat_map(|e| e.ids.iter().map(move |id| (e.kind.node, id)))
                .collect(),
        },
        _ => Vec::new(),
    }
}

/// Does the statement's `Principal` name everyone (`"*"` or `{"AWS": "*"}`)?
pub fn names_everyone(statement: &Statement) -> bool {
    match &statement.principal {
        Some(p) if !p.negated => match &p.value {
            Principal::Any => true,
            Principal::Map(_) => principals(statement)
                .iter()
                .any(|(kind, id)| *kind == PrincipalKind::Aws && id.as_str() == "*"),
        },
        _ => false,
    }
}

/// Does the statement's `Action` / `NotAction` cover `action`?
pub fn covers_action(statement: &Statement, action: &str) -> bool {
    let Clause { negated, value } = &statement.action.node;
    listed(value, action) != *negated
}

fn listed(values: &Values<Spanned<String>>, action: &str) -> bool {
    values.iter().any(|p| matches_wild(p, action, Case::Insensitive))
}

/// An `Allow` statement that names principals.
pub fn is_allow(statement: &Statement) -> bool {
    statement.effect.node == Effect::Allow
}

/// The span of the `Principal` value, or of the statement.
pub fn principal_span(statement: &Spanned<Statement>) -> Span {
    statement.principal.as_ref().map_or(statement.span, |p| p.span)
}
