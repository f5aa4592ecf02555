//! `pass-role-wildcard`: `iam:PassRole` allowed on every role, or on
//! everything but some (`NotResource`).

use super::role_wildcard::{self, Family};
use super::{Check, Rule, RuleInfo};
use crate::lint::context::{Findings, PolicyCx};
use crate::lint::finding::Severity;

pub static RULE: Rule = Rule {
    info: RuleInfo {
        name: "pass-role-wildcard",
        severity: Severity::Security,
        access_analyzer: Some("PASS_ROLE_WITH_STAR_IN_RESOURCE"),
        summary: "`iam:PassRole` is allowed for every role.",
        rationale: "Passing a role to a service (EC2, Lambda, …) lets the service act with that role's \
permissions. With `\"Resource\": \"*\"`, a role ARN pattern ending in `*`, or `NotResource`, the principal \
can pass any role, including administrator roles: a privilege escalation. Name the roles, or limit \
the services they may be passed to with `iam:PassedToService` (which answers the check, as in Access \
Analyzer). Each finding carries the variant's Access Analyzer code: PASS_ROLE_WITH_STAR_IN_RESOURCE, \
PASS_ROLE_WITH_NOT_RESOURCE, PASS_ROLE_WITH_STAR_IN_ACTION_AND_RESOURCE, \
PASS_ROLE_WITH_STAR_IN_ACTION_AND_NOT_RESOURCE, PASS_ROLE_WITH_STAR_IN_RESOURCE_AND_NOT_ACTION or \
PASS_ROLE_WITH_NOT_ACTION_AND_NOT_RESOURCE, once per policy.",
        bad: r#"{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}"#,
        good: r#"{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "arn:aws:iam::111122223333:role/AppRole"}"#,
    },
    check: Check::Policy(check),
};

static FAMILY: Family = Family {
    action: "iam:PassRole",
    limiting_key: "iam:PassedToService",
    codes: [
        "PASS_ROLE_WITH_NOT_RESOURCE",
        "PASS_ROLE_WITH_STAR_IN_ACTION_AND_NOT_RESOURCE",
        "PASS_ROLE_WITH_NOT_ACTION_AND_NOT_RESOURCE",
        "PASS_ROLE_WITH_STAR_IN_RESOURCE",
        "PASS_ROLE_WITH_STAR_IN_ACTION_AND_RESOURCE",
        "PASS_ROLE_WITH_STAR_IN_RESOURCE_AND_NOT_ACTION",
    ],
    wide: |r| r == "*" || r.ends_with(":role/*") || r.ends_with(":*"),
};

fn check(cx: &PolicyCx<'_>, out: &mut Findings) {
    role_wildcard::check(
        cx,
        &FAMILY,
        &RULE.info,
        "`iam:PassRole` is allowed for any role",
        "list the roles that may be passed, e.g. `arn:aws:iam::111122223333:role/AppRole`, or limit `iam:PassedToService`",
        out,
    );
}
