//! `service-principal-condition-key`: a statement whose only principals are
//! service principals, conditioned on a key that describes an IAM caller
//! and is never in a service principal's request.

use super::{Check, Rule, RuleInfo};
use crate::catalog::key_matches;
use crate::lint::context::{principals, Findings, PolicyCx};
use crate::lint::finding::Severity;
use crate::policy::{PolicyKind, PrincipalKind};

pub static RULE: Rule = Rule {
    info: RuleInfo {
        name: "service-principal-condition-key",
        severity: Severity::Error,
        access_analyzer: Some("UNSUPPORTED_CONDITION_KEY_FOR_SERVICE_PRINCIPAL"),
        summary: "A condition key is never present when the principal is a service principal.",
        rationale: "When a service such as `cloudtrail.amazonaws.com` calls with its service principal, \
the request context has no IAM caller: no `aws:PrincipalArn`, `aws:PrincipalTag/…`, \
`aws:PrincipalOrgID`, `aws:PrincipalOrgPaths`, `aws:username`, MFA or federation keys. A condition \
on them in a statement for service principals only never holds as written. To limit what a service \
does on your behalf, use `aws:SourceArn`, `aws:SourceAccount` or `aws:SourceOrgID`.",
        bad: r#""Principal": {"Service": "cloudtrail.amazonaws.com"},
"Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}"#,
        good: r#""Principal": {"Service": "cloudtrail.amazonaws.com"},
"Condition": {"StringEquals": {"aws:SourceOrgID": "o-a1b2c3d4e5"}}"#,
    },
    check: Check::Policy(check),
};

/// Keys about the IAM caller, absent when a service principal calls.
const KEYS: &[&str] = &[
    "aws:PrincipalArn",
    "aws:PrincipalOrgID",
    "aws:PrincipalOrgPaths",
    "aws:PrincipalTag/${TagKey}",
    "aws:username",
    "aws:MultiFactorAuthPresent",
    "aws:MultiFactorAuthAge",
    "aws:SourceIdentity",
    "aws:FederatedProvider",
];

fn check(cx: &PolicyCx<'_>, out: &mut Findings) {
    if cx.kind == PolicyKind::IdentityPolicy {
        return;
    }
    for statement in cx.statements() {
        let named = principals(statement);
        if named.is_empty() || named.iter().any(|(kind, _)| *kind != PrincipalKind::Service) {
            continue;
        }
        for (_, entry) in PolicyCx::conditions(statement) {
            if !KEYS.iter().any(|k| key_matches(k, &entry.key)) {
                continue;
            }
            let mut finding = RULE
                .info
                .finding(
                    entry.key.span,
                    format!(
                        "`{}` is not in the request context of a service principal",
                        entry.key.node
                    ),
                )
                .label("absent for service principals")
                .help("use `aws:SourceArn`, `aws:SourceAccount` or `aws:SourceOrgID` to limit a service principal");
            if let Some(principal) = &statement.principal {
                finding = finding.also(principal.span, "service principals only");
            }
            out.push(finding);
        }
    }
}
