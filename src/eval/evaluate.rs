//! Evaluating one compiled policy against a request: which statements apply,
//! the decision they make, the reasons, the context keys the conditions
//! wanted but did not get, and (only when asked) a trace of every statement.
//!
//! Reasons borrow from the compiled policy and live inline for the usual one
//! or two deciding statements, so a decision allocates nothing.

use smallvec::SmallVec;

use super::compile::{CompiledPolicy, CompiledStatement};
use super::condition::{Failed, Failure};
use super::glob::Case;
use super::guardrail_note::GuardrailNote;
use super::principal::{PrincipalLevel, PrincipalMatch};
use super::request::{CallerKind, Request};
use crate::policy::Effect;
use crate::source::Span;

/// The outcome of an authorization.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Decision {
    Allow,
    /// A `Deny` statement applied: nothing can override it.
    ExplicitDeny,
    /// Nothing allowed the request.
    ImplicitDeny,
}

impl Decision {
    pub const fn as_str(self) -> &'static str {
        match self {
            Decision::Allow => "Allow",
            Decision::ExplicitDeny => "ExplicitDeny",
            Decision::ImplicitDeny => "ImplicitDeny",
        }
    }
}

impl std::fmt::Display for Decision {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A statement that decided: which policy, which statement, and where.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reason<'p> {
    pub policy: &'p str,
    /// Index in the policy's `Statement` list, from 0.
    pub statement: usize,
    pub sid: Option<&'p str>,
    pub effect: Effect,
    pub span: Span,
    /// How the statement's `Principal` matched, when it has one.
    pub principal: Option<PrincipalMatch>,
    /// Why a `Deny` with `NotPrincipal` applied, when it has one.
    pub note: Option<Note>,
}

/// Why a `Deny` statement with `NotPrincipal` applied to the caller.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Note {
    /// `NotPrincipal` does not list this level of the caller's chain.
    NotPrincipalUnlisted(PrincipalLevel),
    /// The caller has a permissions boundary: a `Deny` with `NotPrincipal`
    /// in a resource-based policy always applies to it (IAM User Guide,
    /// access_policies_boundaries.html, notprincipal.html).
    NotPrincipalBoundary,
}

pub type Reasons<'p> = SmallVec<[Reason<'p>; 2]>;
pub type MissingKeys<'p> = SmallVec<[&'p str; 8]>;

/// The decision and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Response<'p> {
    pub decision: Decision,
    /// The deciding statements: the applicable `Deny`s for an explicit deny,
    /// the applicable `Allow`s for an allow, none for an implicit deny.
    pub reasons: Reasons<'p>,
    /// Condition keys (and policy variables) the request lacked, as written.
    pub missing_context_keys: MissingKeys<'p>,
}

/// Why one statement did or did not apply.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Applies,
    PrincipalNotMatched,
    /// A `Deny`'s `NotPrincipal` lists every identity of the caller.
    PrincipalExcluded,
    /// An `Allow`'s `NotPrincipal` lists this identity of the caller.
    NotPrincipalListed(PrincipalLevel),
    ActionNotMatched,
    ResourceNotMatched,
    ConditionFailed(Failure),
}

/// One line of a trace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TraceEntry {
    pub policy: String,
    pub statement: usize,
    pub sid: Option<String>,
    pub effect: Effect,
    pub span: Span,
    pub outcome: Outcome,
    /// For a statement that applied: why its `NotPrincipal` did not spare the caller.
    pub note: Option<Note>,
}

/// A record of every statement looked at, kept only when asked for.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Trace {
    pub entries: Vec<TraceEntry>,
    /// Guardrails (and resource policies) given but not applied, and why.
    pub guardrails: Vec<GuardrailNote>,
}

impl Trace {
    /// Records `note` once.
    pub fn note(&mut self, note: GuardrailNote) {
        if !self.guardrails.contains(&note) {
            self.guardrails.push(note);
        }
    }
}

/// The statements of one policy that apply to a request.
#[derive(Clone, Debug, Default)]
pub struct Matches<'p> {
    /// The policy's name.
    pub policy: &'p str,
    pub allows: Reasons<'p>,
    pub denies: Reasons<'p>,
    pub missing_context_keys: MissingKeys<'p>,
}

impl<'p> Matches<'p> {
    /// Runs every statement of `policy` against the request.
    pub fn of(policy: &'p CompiledPolicy, request: &Request, trace: Option<&mut Trace>) -> Matches<'p> {
        Matches::of_resource_policy(policy, request, false, trace)
    }

    /// [`Matches::of`] for a resource-based policy, whose `Deny` +
    /// `NotPrincipal` statements always apply to a caller with a permissions
    /// boundary (`principal_has_boundary`).
    pub fn of_resource_policy(
        policy: &'p CompiledPolicy,
        request: &Request,
        principal_has_boundary: bool,
        mut trace: Option<&mut Trace>,
    ) -> Matches<'p> {
        let mut matches = Matches {
            policy: &policy.name,
            ..Matches::default()
        };
        for statement in &policy.statements {
            let outcome = applies(
                statement,
                request,
                principal_has_boundary,
                &mut matches.missing_context_keys,
            );
            if let Some(trace) = trace.as_deref_mut() {
                trace.entries.push(TraceEntry {
                    policy: policy.name.clone(),
                    statement: statement.index,
                    sid: statement.sid.clone(),
                    effect: statement.effect,
                    span: statement.span,
                    outcome: outcome.err().map_or(Outcome::Applies, Skip::outcome),
                    note: outcome.ok().and_then(|(_, note)| note),
                });
            }
            if let Ok((principal, note)) = outcome {
                let reason = Reason {
                    policy: &policy.name,
                    statement: statement.index,
                    sid: statement.sid.as_deref(),
                    effect: statement.effect,
                    span: statement.span,
                    principal,
                    note,
                };
                match statement.effect {
                    Effect::Allow => matches.allows.push(reason),
                    Effect::Deny => matches.denies.push(reason),
                }
            }
        }
        matches
    }

    /// The decision of this policy alone.
    pub fn response(self) -> Response<'p> {
        let (decision, reasons) = if !self.denies.is_empty() {
            (Decision::ExplicitDeny, self.denies)
        } else if !self.allows.is_empty() {
            (Decision::Allow, self.allows)
        } else {
            (Decision::ImplicitDeny, Reasons::new())
        };
        Response {
            decision,
            reasons,
            missing_context_keys: self.missing_context_keys,
        }
    }
}

/// Evaluates one policy on its own: any applicable `Deny` denies, else any
/// applicable `Allow` allows, else the request is implicitly denied.
pub fn evaluate<'p>(policy: &'p CompiledPolicy, request: &Request) -> Response<'p> {
    Matches::of(policy, request, None).response()
}

/// [`evaluate`], recording every statement in `trace`.
pub fn evaluate_traced<'p>(policy: &'p CompiledPolicy, request: &Request, trace: &mut Trace) -> Response<'p> {
    Matches::of(policy, request, Some(trace)).response()
}

/// Why a statement did not apply, without allocating.
#[derive(Clone, Copy)]
enum Skip<'p> {
    Principal,
    Excluded,
    Listed(PrincipalLevel),
    Action,
    Resource,
    Condition(Failed<'p>),
}

impl Skip<'_> {
    fn outcome(self) -> Outcome {
        match self {
            Skip::Principal => Outcome::PrincipalNotMatched,
            Skip::Excluded => Outcome::PrincipalExcluded,
            Skip::Listed(level) => Outcome::NotPrincipalListed(level),
            Skip::Action => Outcome::ActionNotMatched,
            Skip::Resource => Outcome::ResourceNotMatched,
            Skip::Condition(failed) => Outcome::ConditionFailed(failed.to_failure()),
        }
    }
}

/// Does the statement apply? `Ok` carries how its principal matched and,
/// for a `Deny` with `NotPrincipal`, why it was not spared.
fn applies<'p>(
    statement: &'p CompiledStatement,
    request: &Request,
    principal_has_boundary: bool,
    missing: &mut MissingKeys<'p>,
) -> Result<(Option<PrincipalMatch>, Option<Note>), Skip<'p>> {
    let caller = &request.caller;
    let (principal, note) = match (&statement.principal, statement.effect) {
        (None, _) => (None, None),
        (Some((false, matcher)), _) => (Some(matcher.matches(caller).ok_or(Skip::Principal)?), None),
        (Some((true, matcher)), Effect::Allow) => match matcher.allow_excludes(caller) {
            Some(level) => return Err(Skip::Listed(level)),
            None => (Some(PrincipalMatch::Direct), None),
        },
        (Some((true, matcher)), Effect::Deny) => {
            let iam_principal = !matches!(caller.kind, CallerKind::Root | CallerKind::Service);
            match matcher.deny_excludes(caller) {
                Ok(()) if principal_has_boundary && iam_principal => {
                    (Some(PrincipalMatch::Direct), Some(Note::NotPrincipalBoundary))
                }
                Ok(()) => return Err(Skip::Excluded),
                Err(level) => (Some(PrincipalMatch::Direct), Some(Note::NotPrincipalUnlisted(level))),
            }
        }
    };
    let (not_action, actions) = &statement.actions;
    let action_listed = actions.iter().any(|p| p.matches(&request.action, Case::Insensitive));
    if action_listed == *not_action {
        return Err(Skip::Action);
    }
    if let Some((not_resource, patterns)) = &statement.resources {
        let listed = patterns.iter().any(|p| p.matches(&request.resource, &request.context));
        if listed == *not_resource {
            return Err(Skip::Resource);
        }
    }
    if let Some(condition) = &statement.condition {
        let mut missing_key = |key: &'p str| {
            if !missing.iter().any(|m| m.eq_ignore_ascii_case(key)) {
                missing.push(key);
            }
        };
        condition
            .holds(&request.context, &mut missing_key)
            .map_err(Skip::Condition)?;
    }
    Ok((principal, note))
}
