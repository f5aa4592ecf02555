//! `service-principal-without-source`: an AWS service principal allowed
//! without a condition saying on whose behalf it acts.

use super::{Check, Rule, RuleInfo};
use crate::lint::context::{is_allow, principals, Findings, PolicyCx};
use crate::lint::finding::Severity;
use crate::policy::{PolicyKind, PrincipalKind};

pub static RULE: Rule = Rule {
    info: RuleInfo {
        name: "service-principal-without-source",
        severity: Severity::Suggestion,
        access_analyzer: Some("RECOMMENDED_CONDITION_KEY_FOR_SERVICE_PRINCIPAL"),
        summary: "A service principal is allowed without a source condition.",
        rationale: "A service such as CloudTrail acts for every customer. Without `aws:SourceArn`, \
`aws:SourceAccount` or a condition on the encryption context the service sets, another account can make \
the service use your key for its resources (the confused deputy problem).",
        bad: r#"{"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
 "Action": "kms:GenerateDataKey*", "Resource": "*"}"#,
        good: r#"{"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
 "Action": "kms:GenerateDataKey*", "Resource": "*",
 "Condition": {"StringEquals": {"aws:SourceAccount": "111122223333"}}}"#,
    },
    check: Check::Policy(check),
};

const SOURCE_KEYS: &[&str] = &[
    "aws:SourceArn",
    "aws:SourceAccount",
    "aws:SourceOrgID",
    "aws:SourceOrgPaths",
    "kms:CallerAccount",
    "kms:ViaService",
];

fn check(cx: &PolicyCx<'_>, out: &mut Findings) {
    if cx.kind == PolicyKind::IdentityPolicy {
        return;
    }
    for statement in cx.statements() {
        if !is_allow(statement) {
            continue;
        }
        let sourced = PolicyCx::conditions(statement).any(|(_, entry)| {
            SOURCE_KEYS.iter().any(|k| k.eq_ignore_ascii_case(&entry.key))
                || entry.key.to_ascii_lowercase().starts_with("kms:encryptioncontext:")
        });
        if sourced {
            continue;
        }
        for (kind, id) in principals(statement) {
            if kind == PrincipalKind::Service {
                out.push(
                    RULE.info
                        .finding(id.span, format!("`{}` is allowed for any source", id.node))
                        .label("acts for every customer")
                        .help("add `aws:SourceArn` or `aws:SourceAccount` (or an encryption-context condition) naming your resources"),
                );
            }
        }
    }
}
