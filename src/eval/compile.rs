//! Policy → [`CompiledPolicy`]: action patterns kept for case-insensitive
//! globbing, resources split into ARN components, principals resolved into
//! accounts, roles and exact names, condition values parsed for their
//! operators. Done once per policy; evaluation then only reads.

use super::arn::ArnPattern;
use super::condition::CompiledCondition;
use super::error::CompileError;
use super::glob::Pattern;
use super::principal::PrincipalMatcher;
use crate::policy::{Effect, Policy, Version};
use crate::source::Span;

/// A policy ready to evaluate, with the name reasons will cite.
#[derive(Clone, Debug, PartialEq)]
pub struct CompiledPolicy {
    /// How explanations name this policy: a file name, `key-policy`, …
    pub name: String,
    pub statements: Vec<CompiledStatement>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct CompiledStatement {
    /// Position in the policy's `Statement` list, from 0.
    pub index: usize,
    pub sid: Option<String>,
    pub effect: Effect,
    pub span: Span,
    pub principal: Option<(bool, PrincipalMatcher)>,
    /// `(negated, patterns)` for `Action` / `NotAction`.
    pub actions: (bool, Vec<Pattern>),
    /// `(negated, patterns)`; `None` when the statement has no `Resource`.
    pub resources: Option<(bool, Vec<ArnPattern>)>,
    pub condition: Option<CompiledCondition>,
}

impl CompiledPolicy {
    /// Compiles a policy, or lists every value that cannot be evaluated.
    pub fn compile(name: impl Into<String>, policy: &Policy) -> Result<CompiledPolicy, Vec<CompileError>> {
        // Policy variables exist only in the 2012-10-17 language (§8.6).
        let variables = policy.version.as_ref().is_some_and(|v| v.node == Version::V2012_10_17);
        let mut errors = Vec::new();
        let statements = policy
            .statements
            .iter()
            .enumerate()
            .map(|(index, statement)| CompiledStatement {
                index,
                sid: statement.sid.as_ref().map(|s| s.node.clone()),
                effect: statement.effect.node,
                span: statement.span,
                principal: statement
                    .principal
                    .as_ref()
                    .map(|p| (p.negated, PrincipalMatcher::compile(&p.value))),
                actions: (
                    statement.action.negated,
                    statement.action.value.iter().map(|a| Pattern::new(a)).collect(),
                ),
                resources: statement.resource.as_ref().map(|r| {
                    (
                        r.negated,
                        r.value.iter().map(|p| ArnPattern::resource(p, variables)).collect(),
                    )
                }),
                condition: statement
                    .condition
                    .as_ref()
                    .map(|c| CompiledCondition::compile(c, variables, &mut errors)),
            })
            .collect();
        if errors.is_empty() {
            Ok(CompiledPolicy {
                name: name.into(),
                statements,
            })
        } else {
            Err(errors)
        }
    }
}
