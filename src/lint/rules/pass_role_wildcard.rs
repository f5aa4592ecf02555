//! `pass-role-wildcard`: `iam:PassRole` allowed on every role, or on
//! everything but some (`NotResource`).

use super::{Check, Rule, RuleInfo};
use crate::lint::context::{covers_action, is_allow, Findings, PolicyCx};
use crate::lint::finding::Severity;

pub static RULE: Rule = Rule {
    info: RuleInfo {
        name: "pass-role-wildcard",
        severity: Severity::Security,
        access_analyzer: Some("PASS_ROLE_WITH_STAR_IN_RESOURCE"),
        summary: "`iam:PassRole` is allowed for every role.",
        rationale: "Passing a role to a service (EC2, Lambda, …) lets the service act with that role's \
permissions. With `\"Resource\": \"*\"`, a role ARN pattern ending in `*`, or `NotResource`, the principal \
can pass any role, including administrator roles: a privilege escalation. Name the roles. This covers \
Access Analyzer's PASS_ROLE_WITH_STAR_IN_RESOURCE, PASS_ROLE_WITH_NOT_RESOURCE and their \
star-in-action and NotAction variants.",
        bad: r#"{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}"#,
        good: r#"{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "arn:aws:iam::111122223333:role/AppRole"}"#,
    },
    check: Check::Policy(check),
};

fn check(cx: &PolicyCx<'_>, out: &mut Findings) {
    for statement in cx.statements() {
        if !is_allow(statement) || !covers_action(statement, "iam:PassRole") {
            continue;
        }
        let Some(resource) = &statement.resource else {
            continue;
        };
        let wide = resource.negated
            || resource
                .value
                .iter()
                .any(|r| r.as_str() == "*" || r.ends_with(":role/*") || r.ends_with(":*"));
        if wide {
            out.push(
                RULE.info
                    .finding(resource.span, "`iam:PassRole` is allowed for any role")
                    .label("every role")
                    .also(statement.action.span, "includes `iam:PassRole`")
                    .help("list the roles that may be passed, e.g. `arn:aws:iam::111122223333:role/AppRole`, and add `iam:PassedToService`"),
            );
        }
    }
}
