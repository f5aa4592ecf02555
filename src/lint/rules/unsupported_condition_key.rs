//! `unsupported-condition-key`: a service condition key that none of the
//! statement's actions supports, so the condition can never be satisfied.

use super::{Check, Rule, RuleInfo};
use crate::eval::glob::{matches_wild, Case};
use crate::lint::catalogue::{Action, Service};
use crate::lint::context::{Findings, PolicyCx};
use crate::lint::finding::Severity;
use crate::policy::Statement;

pub static RULE: Rule = Rule {
    info: RuleInfo {
        name: "unsupported-condition-key",
        severity: Severity::Warning,
        access_analyzer: Some("UNSUPPORTED_ACTION_FOR_CONDITION_KEY"),
        summary: "No action of the statement supports the condition key.",
        rationale: "A service puts a condition key in the request context only for the actions documented with it. \
When none of a statement's actions has the key, an Allow never applies and a Deny never applies \
(unless the operator is negated or ends in IfExists). Keys are checked against the action and the action's \
resource types, so `kms:KeySpec` on `kms:Decrypt` is accepted (parliament reports it). Access Analyzer \
calls this an error; it is a warning here because the Service Authorization Reference misses some \
keys (`ec2:SourceInstanceARN`, for one).",
        bad: r#""Action": "kms:Decrypt",
"Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}}"#,
        good: r#""Action": "kms:CreateGrant",
"Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}}"#,
    },
    check: Check::Policy(check),
};

fn check(cx: &PolicyCx<'_>, out: &mut Findings) {
    for statement in cx.statements() {
        let service_keys: Vec<_> = PolicyCx::conditions(statement)
            .filter(|(_, entry)| {
                entry
                    .key
                    .split_once(':')
                    .is_some_and(|(prefix, _)| !prefix.eq_ignore_ascii_case("aws"))
                    && cx.catalogue().key(&entry.key).is_some()
            })
            .collect();
        if service_keys.is_empty() {
            continue;
        }
        let Some(actions) = catalogued_actions(cx, statement) else {
            continue;
        };
        for (_, entry) in service_keys {
            let key = entry.key.as_str();
            let supported = actions.iter().any(|(service, action)| service.supports(action, key));
            if !supported {
                let listed: Vec<&str> = statement.action.value.iter().map(|a| a.as_str()).collect();
                out.push(
                    RULE.info
                        .finding(entry.key.span, format!("no action of this statement supports `{key}`"))
                        .label("never in the request context")
                        .also(statement.action.span, "these actions")
                        .help(super::names::per_catalogue(format!(
                            "`{key}` is not documented for {}; use it with an action that has it, or remove it",
                            crate::policy::suggest::list(&listed)
                        ))),
                );
            }
        }
    }
}

/// `(service, action)` for each catalogued action the statement's `Action`
/// names; `None` when that is not known (`NotAction`, `*`, wildcard or
/// uncatalogued services and actions).
fn catalogued_actions(cx: &PolicyCx<'_>, statement: &Statement) -> Option<Vec<(&'static Service, &'static Action)>> {
    if statement.action.negated {
        return None;
    }
    let mut actions = Vec::new();
    for pattern in statement.action.value.iter() {
        let (prefix, name) = pattern.split_once(':')?;
        if prefix.contains(['*', '?']) {
            return None;
        }
        let service = cx.catalogue().service(prefix)?;
        let before = actions.len();
        for action in &service.actions {
            if matches_wild(name, &action.name, Case::Insensitive) {
                actions.push((service, action));
            }
        }
        if actions.len() == before {
            return None;
        }
    }
    Some(actions)
}
