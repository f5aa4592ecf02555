//! `public-key-access`: `Principal: "*"` allowed without a condition that
//! pins the caller's account or organization.

use super::{Check, Rule, RuleInfo};
use crate::lint::context::{is_allow, names_everyone, principal_span, Findings, PolicyCx};
use crate::lint::finding::Severity;
use crate::policy::{PolicyKind, Statement};

pub static RULE: Rule = Rule {
    info: RuleInfo {
        name: "public-key-access",
        severity: Severity::Security,
        access_analyzer: None,
        summary: "A statement allows every principal of every account.",
        rationale: "`\"Principal\": \"*\"` (or `{\"AWS\": \"*\"}`) in an Allow names every AWS principal in every \
account. AWS managed keys use it safely because a condition pins the caller: `kms:CallerAccount`, \
`aws:PrincipalAccount`, `aws:PrincipalOrgID`, `aws:PrincipalOrgPaths`, `aws:SourceAccount`, \
`aws:SourceOrgID` or `aws:PrincipalArn`, compared with a positive operator. Without one, anyone can use \
the key with their own credentials (subject only to their own identity policies).",
        bad: r#"{"Effect": "Allow", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*"}"#,
        good: r#"{"Effect": "Allow", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*",
 "Condition": {"StringEquals": {"kms:CallerAccount": "111122223333"}}}"#,
    },
    check: Check::Policy(check),
};

/// Keys that, compared positively with concrete values, keep callers to
/// known accounts or organizations.
const PINNING_KEYS: &[&str] = &[
    "kms:CallerAccount",
    "aws:PrincipalAccount",
    "aws:PrincipalOrgID",
    "aws:PrincipalOrgPaths",
    "aws:SourceAccount",
    "aws:SourceOrgID",
    "aws:SourceOrgPaths",
    "aws:PrincipalArn",
    "aws:SourceArn",
];

fn check(cx: &PolicyCx<'_>, out: &mut Findings) {
    if cx.kind == PolicyKind::IdentityPolicy {
        return;
    }
    for statement in cx.statements() {
        if is_allow(statement) && names_everyone(statement) && !pinned(statement) {
            out.push(
                RULE.info
                    .finding(principal_span(statement), "every principal of every AWS account is allowed")
                    .label("anyone")
                    .also(statement.action.span, "can do this")
                    .help("add a condition that pins the caller, e.g. `\"StringEquals\": {\"kms:CallerAccount\": \"111122223333\"}` or `aws:PrincipalOrgID`"),
            );
        }
    }
}

/// Some positive condition on a pinning key, with values that are not all `*`.
fn pinned(statement: &Statement) -> bool {
    PolicyCx::conditions(statement).any(|(operator, entry)| {
        !operator.base.is_negated()
            && operator.base != crate::policy::BaseOperator::Null
            && !operator.if_exists
            && PINNING_KEYS.iter().any(|k| k.eq_ignore_ascii_case(&entry.key))
            && entry.values.iter().all(|v| v.as_text() != "*")
    })
}
