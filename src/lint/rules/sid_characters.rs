//! `sid-characters`: an identity-policy `Sid` with characters IAM refuses.
//! Key policies accept spaces (the default key policy has them).

use super::{Check, Rule, RuleInfo};
use crate::lint::context::{Findings, PolicyCx};
use crate::lint::finding::Severity;
use crate::policy::PolicyKind;

pub static RULE: Rule = Rule {
    info: RuleInfo {
        name: "sid-characters",
        severity: Severity::Error,
        access_analyzer: Some("UNSUPPORTED_SID"),
        summary: "An identity-policy `Sid` has characters other than letters and digits.",
        rationale: "IAM accepts only `A-Z`, `a-z` and `0-9` in the `Sid` of identity policies and refuses the \
policy otherwise. Key policies are different: KMS accepts spaces, and the default key policy uses \
`\"Enable IAM User Permissions\"`, so this rule never applies to them.",
        bad: r#""Sid": "Allow S3 read""#,
        good: r#""Sid": "AllowS3Read""#,
    },
    check: Check::Policy(check),
};

fn check(cx: &PolicyCx<'_>, out: &mut Findings) {
    if cx.kind != PolicyKind::IdentityPolicy {
        return;
    }
    for statement in cx.statements() {
        let Some(sid) = &statement.sid else {
            continue;
        };
        if !sid.chars().all(|c| c.is_ascii_alphanumeric()) {
            let fixed: String = sid.chars().filter(char::is_ascii_alphanumeric).collect();
            out.push(
                RULE.info
                    .finding(
                        sid.span,
                        format!("`{}` is not a valid identity-policy statement id", sid.node),
                    )
                    .label("only letters and digits")
                    .help(format!("write `{fixed}`")),
            );
        }
    }
}
