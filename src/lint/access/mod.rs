//! Checks beyond Access Analyzer's validation, answered locally with
//! keyward's evaluator: does a new policy allow any request the old one
//! denied ([`no_new_access`]), and does a policy allow any of some actions
//! ([`access_not_granted`])? Both go over every class of catalogued action
//! (`samples`), of resource (`classes`: every combination of resource
//! patterns that some ARN matches) and of caller. For each class the
//! statements are weighed as formulas over their conditions
//! (`symbolic`): a class where no truth of the conditions gives the
//! answer looked for is proven; on the others keyward builds contexts and
//! asks the evaluator. The answer is a request that shows it (FAIL), a
//! proof that none exists (PASS), or "cannot decide" when a class stays
//! open.

mod classes;
mod samples;
mod symbolic;

use std::collections::HashSet;
use std::fmt;

use symbolic::{Found, Side, Symbolic};

use crate::eval::{evaluate, ArnPattern, CompiledPolicy, Context, ContextValue, Decision, Request};
use crate::policy::{Policy, Version};

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

/// The resource patterns of the policies, each marked when it holds a
/// policy variable that the evaluator substitutes.
fn resource_patterns(policies: &[&Policy]) -> Vec<classes::ResourcePattern> {
    let mut out = Vec::new();
    for policy in policies {
        let variables = policy.version.as_ref().is_some_and(|v| v.node == Version::V2012_10_17);
        for resource in policy.statements.iter().filter_map(|s| s.resource.as_ref()) {
            for text in resource.value.iter() {
                out.push(classes::ResourcePattern {
                    text: text.to_string(),
                    template: ArnPattern::resource(text, variables).template().is_some(),
                });
            }
        }
    }
    out
}

/// Looks for a request for which `goal(new allows, old allows)` holds:
/// over every class of action, resource and caller, proving the classes
/// where no context can make it hold (`symbolic`) and trying contexts on
/// the others.
fn search(
    old: Option<(&Policy, &CompiledPolicy)>,
    new: (&Policy, &CompiledPolicy),
    only_actions: &[String],
    only_resources: &[String],
    goal: fn(bool, bool) -> bool,
) -> Result<Verdict, String> {
    let policies: Vec<&Policy> = old.iter().map(|(p, _)| *p).chain([new.0]).collect();
    let actions = samples::actions(&policies, only_actions);
    let Ok(resources) = classes::resources(&resource_patterns(&policies), only_resources) else {
        return Ok(Verdict::CannotDecide(
            "the resource patterns combine in too many ways for keyward to try each".to_owned(),
        ));
    };
    let mut callers = samples::callers(&policies);
    // Without `Principal` (identity policies) every caller is alike.
    if policies
        .iter()
        .all(|p| p.statements.iter().all(|s| s.principal.is_none()))
    {
        callers.truncate(1);
    }
    let keys = samples::Keys::of(&policies);
    let contexts = keys.contexts(&policies);
    let mut sides = vec![(Side::New, new.0, new.1)];
    sides.extend(old.map(|(p, c)| (Side::Old, p, c)));
    let mut symbolic = Symbolic::new(&sides);
    let decide = |request: &Request| {
        let allowed = |compiled: &CompiledPolicy| evaluate(compiled, request).decision == Decision::Allow;
        goal(allowed(new.1), old.is_some_and(|(_, c)| allowed(c)))
    };
    let mut open: Option<String> = None;
    let mut tried: HashSet<String> = HashSet::new();
    for action in &actions {
        for resource in &resources {
            for caller in &callers {
                let Found::Open {
                    assignments,
                    templates,
                    why,
                } = symbolic.classify(action, resource, caller, goal)
                else {
                    continue;
                };
                let request = |context: Context| Request {
                    caller: caller.clone(),
                    action: action.clone(),
                    resource: resource.clone(),
                    context,
                };
                // Formulas without templates give the same answers for the
                // same contexts: try them once.
                let formula = format!("{assignments:?}{why:?}");
                if !templates && !tried.insert(formula) {
                    continue;
                }
                let realized = assignments.iter().filter_map(|a| symbolic.realize(a, &keys));
                for context in realized.chain(contexts.iter().cloned()) {
                    let request = request(context);
                    if decide(&request) {
                        return Ok(Verdict::Fail(Box::new(request)));
                    }
                }
                open.get_or_insert_with(|| {
                    let shown = Shown(&request(Context::new())).to_string();
                    why.unwrap_or_else(|| {
                        "the conditions could allow it for some context, and no context keyward built shows it"
                            .to_owned()
                    }) + &format!(" ({shown})")
                });
            }
        }
    }
    Ok(open.map_or(Verdict::Pass, Verdict::CannotDecide))
}

/// Does `new` allow any request that `old` denies? As Access Analyzer's
/// `CheckNoNewAccess`, for two policies of the same type.
pub fn no_new_access(old: &Policy, new: &Policy) -> Result<Verdict, String> {
    let (old_compiled, new_compiled) = (compile("old", old)?, compile("new", new)?);
    search(
        Some((old, &old_compiled)),
        (new, &new_compiled),
        &[],
        &[],
        |new, old| new && !old,
    )
}

/// Does `policy` allow any of `actions` (patterns) on any of `resources`
/// (all resources when empty)? As Access Analyzer's `CheckAccessNotGranted`.
pub fn access_not_granted(policy: &Policy, actions: &[String], resources: &[String]) -> Result<Verdict, String> {
    let compiled = compile("policy", policy)?;
    search(None, (policy, &compiled), actions, resources, |new, _| new)
}
