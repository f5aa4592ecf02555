//! The finite set of requests the access checks try: actions (one per
//! class of catalogued actions that the policies' patterns cannot tell
//! apart), callers (one per class the principals cannot tell apart), and
//! contexts built from the condition values the policies name, with one
//! outsider value each. Resources come from [`super::classes`]; the
//! contexts only look for counterexamples, [`super::symbolic`] proves.

use std::collections::BTreeMap;

use crate::catalog::{self, action_matches};
use crate::eval::{Caller, Context, ContextValue};
use crate::policy::{BaseOperator, Effect, Policy, Principal, PrincipalKind, Scalar, SetQualifier, Statement};

/// A value that no pattern written by hand names.
pub const OUTSIDER_ACCOUNT: &str = "999999999999";
const OUTSIDER: &str = "zzz-outsider";

/// A wildcard pattern with each `*` and `?` replaced by one letter: a
/// value that matches it, for building a counterexample.
pub fn expand(pattern: &str) -> String {
    pattern.replace(['*', '?'], "x")
}

fn action_patterns(policies: &[&Policy]) -> Vec<String> {
    policies
        .iter()
        .flat_map(|p| p.statements.iter())
        .flat_map(|s| s.action.value.iter().map(|a| a.to_string()))
        .collect()
}

/// One action per class of actions that match the same patterns, drawn
/// from every catalogued action, the literal names written, and an
/// action no pattern but `*` names. `only` restricts them (`--action`).
pub fn actions(policies: &[&Policy], only: &[String]) -> Vec<String> {
    let mut patterns = action_patterns(policies);
    patterns.extend(only.iter().cloned());
    let catalogue = catalog::get();
    let mut candidates: Vec<String> = Vec::new();
    for prefix in catalogue.service_names() {
        if let Some(service) = catalogue.service(prefix) {
            candidates.extend(service.actions.iter().map(|a| format!("{prefix}:{}", a.name)));
        }
    }
    candidates.extend(patterns.iter().filter(|p| !p.contains(['*', '?'])).cloned());
    candidates.push("zzzservice:ZzzAction".to_owned());
    // Only the patterns whose service part can match a service are tried
    // on its actions.
    let mut per_service: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    let mut classes: BTreeMap<Vec<usize>, String> = BTreeMap::new();
    for action in candidates {
        if !only.is_empty() && !only.iter().any(|o| action_matches(o, &action)) {
            continue;
        }
        let service = action.split(':').next().unwrap_or_default().to_ascii_lowercase();
        let relevant = per_service.entry(service.clone()).or_insert_with(|| {
            (0..patterns.len())
                .filter(|&i| {
                    let prefix = patterns[i].split(':').next().unwrap_or_default();
                    !patterns[i].contains(':') || action_matches(prefix, &service)
                })
                .collect()
        });
        let signature: Vec<usize> = relevant
            .iter()
            .copied()
            .filter(|&i| action_matches(&patterns[i], &action))
            .collect();
        classes.entry(signature).or_insert(action);
    }
    classes.into_values().collect()
}

/// One caller per class of callers the principals cannot tell apart: for
/// each account named, its root, a user, a role, a role session and a
/// federated user; each role named and a session of it; each other
/// principal named; and outsiders of every kind. (The evaluator matches
/// principals by account, role name and exact ARN, and by the caller's
/// kind; `Principal` takes no partial wildcards.)
pub fn callers(policies: &[&Policy]) -> Vec<Caller> {
    let mut accounts: Vec<String> = vec!["111122223333".to_owned(), OUTSIDER_ACCOUNT.to_owned()];
    let mut arns: Vec<String> = vec![
        "arn:aws:iam::111122223333:role/Caller".to_owned(),
        "anonymous".to_owned(),
        "zzz-outsider.amazonaws.com".to_owned(),
    ];
    for statement in policies.iter().flat_map(|p| p.statements.iter()) {
        let Some(principal) = &statement.principal else {
            continue;
        };
        let Principal::Map(entries) = &principal.value else {
            continue;
        };
        for entry in entries {
            for id in entry.ids.iter() {
                let parts: Vec<&str> = id.splitn(6, ':').collect();
                match (entry.kind.node, parts.as_slice()) {
                    (PrincipalKind::Aws, _) if id.as_str() == "*" => {}
                    (PrincipalKind::Aws, _) if is_account(id) => accounts.push(id.to_string()),
                    (PrincipalKind::Aws, ["arn", _, "iam", "", account, "root"]) => {
                        accounts.push((*account).to_owned())
                    }
                    (PrincipalKind::Aws, ["arn", partition, "iam", "", account, role]) if role.starts_with("role/") => {
                        let name = role.rsplit('/').next().unwrap_or(role);
                        arns.push(id.to_string());
                        arns.push(format!("arn:{partition}:sts::{account}:assumed-role/{name}/session"));
                        accounts.push((*account).to_owned());
                    }
                    (PrincipalKind::Aws, ["arn", _, _, _, account, _]) => {
                        arns.push(expand(id));
                        accounts.push((*account).to_owned());
                    }
                    (PrincipalKind::Aws | PrincipalKind::Service, _) => arns.push(id.to_string()),
                    _ => {}
                }
            }
        }
    }
    accounts.retain(|a| is_account(a));
    for account in accounts {
        arns.extend([
            format!("arn:aws:iam::{account}:root"),
            format!("arn:aws:iam::{account}:user/{OUTSIDER}"),
            format!("arn:aws:iam::{account}:role/{OUTSIDER}"),
            format!("arn:aws:sts::{account}:assumed-role/{OUTSIDER}/session"),
            format!("arn:aws:sts::{account}:federated-user/{OUTSIDER}"),
        ]);
    }
    // The caller of an identity policy first; anonymous last.
    arns.sort_by_key(|a| (!a.ends_with(":role/Caller"), a == "anonymous", a.clone()));
    arns.dedup();
    arns.iter().filter_map(|a| Caller::parse(a).ok()).collect()
}

fn is_account(id: &str) -> bool {
    id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit())
}

fn scalar(value: &Scalar) -> String {
    match value {
        Scalar::String(s) | Scalar::Number(s) => s.clone(),
        Scalar::Bool(b) => b.to_string(),
    }
}

/// Values to try for one key: each written value (expanded), neighbours of
/// numbers, both booleans, the network of an IP range, and an outsider.
fn candidates(operator: BaseOperator, written: &[String]) -> Vec<String> {
    use BaseOperator::*;
    let mut out = Vec::new();
    for value in written {
        match operator {
            NumericEquals
            | NumericNotEquals
            | NumericLessThan
            | NumericLessThanEquals
            | NumericGreaterThan
            | NumericGreaterThanEquals => {
                if let Ok(n) = value.parse::<i64>() {
                    out.extend([n - 1, n, n + 1].map(|v| v.to_string()));
                } else {
                    out.push(value.clone());
                }
            }
            IpAddress | NotIpAddress => out.push(value.split('/').next().unwrap_or(value).to_owned()),
            Bool | Null => out.extend(["true".to_owned(), "false".to_owned()]),
            _ => out.push(expand(value)),
        }
    }
    let outsider = match operator {
        ArnEquals | ArnLike | ArnNotEquals | ArnNotLike => format!("arn:aws:iam::{OUTSIDER_ACCOUNT}:role/{OUTSIDER}"),
        IpAddress | NotIpAddress => "203.0.113.77".to_owned(),
        NumericEquals
        | NumericNotEquals
        | NumericLessThan
        | NumericLessThanEquals
        | NumericGreaterThan
        | NumericGreaterThanEquals => "987654321".to_owned(),
        DateEquals | DateNotEquals | DateLessThan | DateLessThanEquals | DateGreaterThan | DateGreaterThanEquals => {
            "2001-01-01T00:00:00Z".to_owned()
        }
        _ => OUTSIDER.to_owned(),
    };
    out.push(outsider);
    out
}

/// Per condition key (lower-cased): its written name, whether it takes a
/// set, and the values to try.
pub struct Keys {
    keys: BTreeMap<String, (String, bool, Vec<String>)>,
}

impl Keys {
    pub fn of(policies: &[&Policy]) -> Keys {
        let mut keys: BTreeMap<String, (String, bool, Vec<String>)> = BTreeMap::new();
        for statement in policies.iter().flat_map(|p| p.statements.iter()) {
            for block in statement.condition.iter().flat_map(|c| c.blocks.iter()) {
                for entry in &block.entries {
                    let written: Vec<String> = entry.values.iter().map(|v| scalar(v)).collect();
                    let multi = block.operator.qualifier.is_some()
                        || catalog::get()
                            .key(&entry.key)
                            .is_some_and(|(_, info)| info.multi_valued);
                    let slot = keys
                        .entry(entry.key.to_lowercase())
                        .or_insert_with(|| (entry.key.to_string(), multi, Vec::new()));
                    slot.1 |= multi;
                    slot.2.extend(candidates(block.operator.base, &written));
                }
            }
        }
        for (_, _, values) in keys.values_mut() {
            values.sort();
            values.dedup();
        }
        Keys { keys }
    }

    /// The values tried for a key (lower-cased).
    pub fn candidates(&self, folded: &str) -> &[String] {
        self.keys.get(folded).map_or(&[], |(_, _, values)| values.as_slice())
    }

    pub fn value(&self, folded: &str, value: &str) -> ContextValue {
        match self.keys.get(folded) {
            Some((_, true, _)) => ContextValue::Many(vec![value.to_owned()]),
            _ => ContextValue::One(value.to_owned()),
        }
    }

    pub fn name<'k>(&'k self, folded: &'k str) -> &'k str {
        self.keys.get(folded).map_or(folded, |(name, _, _)| name.as_str())
    }

    /// A context meant to satisfy the statement's conditions.
    fn satisfying(&self, statement: &Statement) -> BTreeMap<String, Option<String>> {
        let mut chosen = BTreeMap::new();
        for block in statement.condition.iter().flat_map(|c| c.blocks.iter()) {
            for entry in &block.entries {
                let folded = entry.key.to_lowercase();
                let first = entry.values.iter().next().map(|v| scalar(v)).unwrap_or_default();
                let value = match block.operator.base {
                    BaseOperator::Null => (first != "true").then(|| "x".to_owned()),
                    base if base.is_negated() => None,
                    BaseOperator::NumericLessThan => first.parse::<i64>().ok().map(|n| (n - 1).to_string()),
                    BaseOperator::NumericGreaterThan => first.parse::<i64>().ok().map(|n| (n + 1).to_string()),
                    BaseOperator::IpAddress => Some(first.split('/').next().unwrap_or(&first).to_owned()),
                    _ if block.operator.qualifier == Some(SetQualifier::ForAllValues) => None,
                    _ => Some(expand(&first)),
                };
                chosen.insert(folded, value);
            }
        }
        chosen
    }

    /// Contexts to try: none, one that satisfies each `Allow` statement of
    /// the policies, and each of those with one key changed to each of its
    /// values or left out.
    pub fn contexts(&self, policies: &[&Policy]) -> Vec<Context> {
        let mut bases: Vec<BTreeMap<String, Option<String>>> = vec![BTreeMap::new()];
        for statement in policies.iter().flat_map(|p| p.statements.iter()) {
            if statement.effect.node == Effect::Allow && statement.condition.is_some() {
                bases.push(self.satisfying(statement));
            }
        }
        let mut all = Vec::new();
        for base in &bases {
            all.push(base.clone());
            for (folded, (_, _, values)) in &self.keys {
                let mut without = base.clone();
                without.insert(folded.clone(), None);
                all.push(without);
                for value in values {
                    let mut changed = base.clone();
                    changed.insert(folded.clone(), Some(value.clone()));
                    all.push(changed);
                }
            }
        }
        all.sort();
        all.dedup();
        all.into_iter()
            .map(|chosen| {
                let mut context = Context::new();
                for (folded, value) in chosen {
                    if let Some(value) = value {
                        context.insert(self.name(&folded), self.value(&folded, &value));
                    }
                }
                context
            })
            .collect()
    }
}
