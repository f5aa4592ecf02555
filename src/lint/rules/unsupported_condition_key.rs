//! `unsupported-condition-key`: a service condition key that none of the
//! statement's actions supports, so the condition can never be satisfied.

use super::{Check, Rule, RuleInfo};
use crate::catalog::{Action, Service};
use crate::eval::glob::{matches_wild, Case};
use crate::lint::context::{Findings, PolicyCx};
use crate::lint::finding::Severity;
use crate::policy::{BaseOperator, ConditionEntry, Statement};

pub static RULE: Rule = Rule {
    info: RuleInfo {
        name: "unsupported-condition-key",
        severity: Severity::Warning,
        access_analyzer: Some("UNSUPPORTED_ACTION_FOR_CONDITION_KEY"),
        summary: "No action of the statement, or not every action named, supports the condition key.",
        rationale: "A service puts a condition key in the request context only for the actions documented with it. \
When none of a statement's actions has the key, an Allow never applies and a Deny never applies \
(unless the operator is negated or ends in IfExists). When the statement names its actions one by \
one and only some lack the key, the finding lists those: the condition never holds for them. Keys are checked against the action and the action's \
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
        for (operator, entry) in service_keys {
            let key = entry.key.as_str();
            // `missing-action-for-condition-key` names the action this lacks.
            if super::missing_action_for_condition_key::required_action(key)
                .is_some_and(|action| !crate::lint::context::covers_action(statement, action))
            {
                continue;
            }
            let supported = actions.iter().any(|(service, action)| service.supports(action, key));
            if supported {
                // A key absent from the request makes a positive operator false.
                if !operator.if_exists && !operator.base.is_negated() && operator.base != BaseOperator::Null {
                    partly_supported(cx, statement, entry, out);
                }
                continue;
            }
            {
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

/// Actions named one by one that lack a key some other action of the
/// statement has: for them, the condition never holds.
fn partly_supported(cx: &PolicyCx<'_>, statement: &Statement, entry: &ConditionEntry, out: &mut Findings) {
    let mut lacking = Vec::new();
    for pattern in statement.action.value.iter() {
        let Some((prefix, name)) = pattern.split_once(':') else {
            return;
        };
        if pattern.contains(['*', '?']) {
            return; // a wildcard stands for actions the author did not list
        }
        let Some((service, action)) = cx
            .catalogue()
            .service(prefix)
            .and_then(|service| Some((service, service.action(name)?)))
        else {
            return;
        };
        if !service.supports(action, &entry.key) {
            lacking.push(pattern);
        }
    }
    if lacking.is_empty() {
        return;
    }
    let names: Vec<&str> = lacking.iter().map(|a| a.as_str()).collect();
    let mut finding = RULE
        .info
        .finding(
            entry.key.span,
            format!(
                "`{}` is not documented for {}: for {} this condition never holds",
                entry.key.node,
                crate::policy::suggest::list(&names),
                if names.len() == 1 { "it" } else { "them" }
            ),
        )
        .label("absent for some actions")
        .help(super::names::per_catalogue(
            "move the actions that lack the key to a statement of their own",
        ));
    for action in &lacking {
        finding = finding.also(action.span, "lacks this key");
    }
    out.push(finding);
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
