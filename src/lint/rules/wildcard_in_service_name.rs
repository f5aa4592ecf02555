//! `wildcard-in-service-name`: `*` or `?` in the service part of an action.

use super::{Check, Rule, RuleInfo};
use crate::lint::context::{Findings, PolicyCx};
use crate::lint::finding::Severity;

pub static RULE: Rule = Rule {
    info: RuleInfo {
        name: "wildcard-in-service-name",
        severity: Severity::Suggestion,
        access_analyzer: Some("WILDCARD_IN_SERVICE_NAME"),
        summary: "An action has a wildcard in its service name.",
        rationale: "`k*:Decrypt` matches every service whose name starts with `k`, today's and tomorrow's. \
Name the service.",
        bad: r#""Action": "km?:Decrypt""#,
        good: r#""Action": "kms:Decrypt""#,
    },
    check: Check::Policy(check),
};

fn check(cx: &PolicyCx<'_>, out: &mut Findings) {
    for statement in cx.statements() {
        for action in statement.action.value.iter() {
            if action
                .split_once(':')
                .is_some_and(|(service, _)| service.contains(['*', '?']))
            {
                out.push(
                    RULE.info
                        .finding(action.span, format!("`{}` matches several services", action.node))
                        .label("wildcard in the service name")
                        .help("name the service, such as `kms:`"),
                );
            }
        }
    }
}
