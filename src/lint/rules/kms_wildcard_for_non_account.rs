//! `kms-wildcard-for-non-account`: `kms:*` (or `*`) allowed to a principal
//! other than the account principal.

use super::{Check, Rule, RuleInfo};
use crate::lint::context::{account_principal, is_allow, principals, Findings, PolicyCx};
use crate::lint::finding::Severity;
use crate::policy::PrincipalKind;

pub static RULE: Rule = Rule {
    info: RuleInfo {
        name: "kms-wildcard-for-non-account",
        severity: Severity::Security,
        access_analyzer: None,
        summary: "A principal other than the account is allowed every KMS action.",
        rationale: "`kms:*` gives a role or user both administration (including `kms:PutKeyPolicy` and \
`kms:ScheduleKeyDeletion`) and every cryptographic use of the key. Only the account principal, which \
delegates to IAM policies, should get `kms:*`; give administrators and users the actions they need.",
        bad: r#"{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/App"},
 "Action": "kms:*", "Resource": "*"}"#,
        good: r#"{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/App"},
 "Action": ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey*"], "Resource": "*"}"#,
    },
    check: Check::Policy(check),
};

fn check(cx: &PolicyCx<'_>, out: &mut Findings) {
    if !cx.is_key_policy() {
        return;
    }
    for statement in cx.statements() {
        if !is_allow(statement) || statement.action.negated {
            continue;
        }
        let Some(wildcard) = statement
            .action
            .value
            .iter()
            .find(|a| a.as_str() == "*" || a.eq_ignore_ascii_case("kms:*"))
        else {
            continue;
        };
        for (kind, id) in principals(statement) {
            if kind == PrincipalKind::Aws && (account_principal(id).is_some() || id.as_str() == "*") {
                continue;
            }
            out.push(
                RULE.info
                    .finding(id.span, format!("`{}` is allowed every KMS action", id.node))
                    .label("not the account principal")
                    .also(wildcard.span, "every action")
                    .help("list the actions this principal needs (administration or use, not both)"),
            );
        }
    }
}
