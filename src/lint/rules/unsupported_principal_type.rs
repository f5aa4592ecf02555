//! `unsupported-principal-type`: a `Federated` or `CanonicalUser` principal
//! in a key policy, where KMS never sees such callers.

use super::{Check, Rule, RuleInfo};
use crate::lint::context::{Findings, PolicyCx};
use crate::lint::finding::Severity;
use crate::policy::{Principal, PrincipalKind};

pub static RULE: Rule = Rule {
    info: RuleInfo {
        name: "unsupported-principal-type",
        severity: Severity::Error,
        access_analyzer: Some("FEDERATED_PRINCIPAL_NOT_SUPPORTED"),
        summary: "A key policy names a `Federated` or `CanonicalUser` principal.",
        rationale: "`Federated` principals belong in role trust policies and `CanonicalUser` in Amazon S3 \
policies. A caller reaches KMS as an IAM role session, user or AWS service, so these principals never \
match; name the role that federated users assume instead.",
        bad: r#""Principal": {"Federated": "cognito-identity.amazonaws.com"}"#,
        good: r#""Principal": {"AWS": "arn:aws:iam::111122223333:role/WebIdentityRole"}"#,
    },
    check: Check::Policy(check),
};

fn check(cx: &PolicyCx<'_>, out: &mut Findings) {
    if !cx.is_key_policy() {
        return;
    }
    for statement in cx.statements() {
        let Some(principal) = &statement.principal else {
            continue;
        };
        let Principal::Map(entries) = &principal.value else {
            continue;
        };
        for entry in entries {
            if matches!(entry.kind.node, PrincipalKind::Federated | PrincipalKind::CanonicalUser) {
                out.push(
                    RULE.info
                        .finding(
                            entry.kind.span,
                            format!("`{}` principals never call KMS", entry.kind.node.as_str()),
                        )
                        .label("not a KMS caller")
                        .help("name the IAM role the federated users assume, in `\"AWS\"`"),
                );
            }
        }
    }
}
