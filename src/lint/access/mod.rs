//! Checks beyond Access Analyzer's validation, answered locally with
//! keyward's evaluator: does a new policy allow any request the old one
//! denied ([`no_new_access`]), and does a policy allow any of some actions
//! ([`access_not_granted`])? Both try every class of catalogued action and
//! the principals, resources and condition values the policies name
//! ([`samples`]), and answer with a request that shows it, "no", or
//! "cannot decide" where a condition leaves the sampled requests short of
//! a proof.

mod samples;

use std::fmt;

use crate::eval::{evaluate, CompiledPolicy, Context, ContextValue, Decision, Request};
use crate::policy::Policy;

/// What a check found.
#[derive(Clone, Debug, PartialEq)]
pub enum Verdict {
    /// The check passes: no such request.
    Pass,
    /// A request that the check is about: allowed by the new policy and
    /// denied by the old, or allowed when it should not be.
    Fail(Box<Request>),
    /// No request was found, but the conditions leave the answer open.
    CannotDecide(String),
}

impl Verdict {
    /// `PASS`, `FAIL` or `UNDECIDED`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Verdict::Pass => "PASS",
            Verdict::Fail(_) => "FAIL",
            Verdict::CannotDecide(_) => "UNDECIDED",
        }
    }
}

/// The request of a failing check, written out.
pub struct Shown<'r>(pub &'r Request);

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let request = self.0;
        write!(
            f,
            "principal `{}` calling `{}` on `{}`",
            request.caller.arn, request.action, request.resource
        )?;
        let mut keys: Vec<(&str, &ContextValue)> = request.context.iter().collect();
        keys.sort_by_key(|(k, _)| *k);
        for (i, (key, value)) in keys.iter().enumerate() {
            let value = match value {
                ContextValue::One(v) => format!("`{v}`"),
                ContextValue::Many(vs) => format!(
                    "[{}]",
                    vs.iter().map(|v| format!("`{v}`")).collect::<Vec<_>>().join(", ")
                ),
            };
            write!(f, "{} {key} = {value}", if i == 0 { " with" } else { "," })?;
        }
        Ok(())
    }
}

fn compile(name: &str, policy: &Policy) -> Result<CompiledPolicy, String> {
    CompiledPolicy::compile(name, policy).map_err(|errors| {
        errors
            .first()
            .map_or_else(|| format!("`{name}` cannot be evaluated"), |e| format!("`{name}`: {e}"))
    })
}

/// Every request to try, in a fixed order.
fn requests<'a>(
    policies: &'a [&'a Policy],
    actions: &'a [String],
    resources: &'a [String],
) -> impl Iterator<Item = Request> + 'a {
    let callers = samples::callers(policies);
    let contexts: Vec<Context> = samples::Keys::of(policies).contexts(policies);
    actions.iter().flat_map(move |action| {
        let callers = callers.clone();
        let contexts = contexts.clone();
        resources.iter().flat_map(move |resource| {
            let contexts = contexts.clone();
            callers.clone().into_iter().flat_map(move |caller| {
                contexts.clone().into_iter().map({
                    let caller = caller.clone();
                    move |context| Request {
                        caller: caller.clone(),
                        action: action.clone(),
                        resource: resource.clone(),
                        context,
                    }
                })
            })
        })
    })
}

/// Conditions that differ between the policies, or that depend on the
/// request (policy variables): what keeps a search without a result from
/// being a proof.
fn open_conditions(old: Option<&Policy>, new: &Policy) -> Option<String> {
    let conditions = |p: &Policy| -> Vec<crate::policy::Condition> {
        p.statements
            .iter()
            .filter_map(|s| s.condition.as_ref().map(|c| c.node.clone()))
            .collect()
    };
    let new_conditions = conditions(new);
    let variable = new_conditions
        .iter()
        .chain(old.map(conditions).unwrap_or_default().iter())
        .any(|c| {
            c.blocks.iter().flat_map(|b| b.entries.iter()).any(|e| {
                e.values
                    .iter()
                    .any(|v| matches!(&v.node, crate::policy::Scalar::String(s) if s.contains("${")))
            })
        });
    if variable {
        return Some("a condition value holds a policy variable, which depends on the request".to_owned());
    }
    let old = old?;
    let old_conditions = conditions(old);
    let same = new_conditions.iter().all(|c| old_conditions.contains(c))
        && old_conditions.iter().all(|c| new_conditions.contains(c));
    (!same).then(|| {
        "the policies' conditions differ, and the requests tried cover the values they name, not every value".to_owned()
    })
}

/// Does `new` allow any request that `old` denies? As Access Analyzer's
/// `CheckNoNewAccess`, for two policies of the same type.
pub fn no_new_access(old: &Policy, new: &Policy) -> Result<Verdict, String> {
    let (old_compiled, new_compiled) = (compile("old", old)?, compile("new", new)?);
    let policies = [old, new];
    let actions = samples::actions(&policies, &[]);
    let resources = samples::resources(&policies, &[]);
    for request in requests(&policies, &actions, &resources) {
        if evaluate(&new_compiled, &request).decision == Decision::Allow
            && evaluate(&old_compiled, &request).decision != Decision::Allow
        {
            return Ok(Verdict::Fail(Box::new(request)));
        }
    }
    Ok(open_conditions(Some(old), new).map_or(Verdict::Pass, Verdict::CannotDecide))
}

/// Does `policy` allow any of `actions` (patterns) on any of `resources`
/// (all resources when empty)? As Access Analyzer's `CheckAccessNotGranted`.
pub fn access_not_granted(policy: &Policy, actions: &[String], resources: &[String]) -> Result<Verdict, String> {
    let compiled = compile("policy", policy)?;
    let policies = [policy];
    let actions = samples::actions(&policies, actions);
    let resources = samples::resources(&policies, resources);
    for request in requests(&policies, &actions, &resources) {
        if evaluate(&compiled, &request).decision == Decision::Allow {
            return Ok(Verdict::Fail(Box::new(request)));
        }
    }
    Ok(open_conditions(None, policy).map_or(Verdict::Pass, Verdict::CannotDecide))
}
