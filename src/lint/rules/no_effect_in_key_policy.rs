//! `no-effect-in-key-policy`: actions a key policy cannot grant, because
//! they are not authorized against a key (IAM-only KMS actions such as
//! `kms:CreateKey`) or belong to another service.

use super::{Check, Rule, RuleInfo};
use crate::kms::is_iam_only;
use crate::lint::context::{Findings, PolicyCx};
use crate::lint::finding::Severity;

pub static RULE: Rule = Rule {
    info: RuleInfo {
        name: "no-effect-in-key-policy",
        severity: Severity::Warning,
        access_analyzer: None,
        summary: "A key policy lists an action it cannot control.",
        rationale: "KMS consults the key policy only for operations on that key. `kms:CreateKey`, `kms:ListKeys`, \
`kms:ListAliases`, `kms:GenerateRandom`, `kms:ListRetirableGrants` and the custom key store actions have no \
key resource, and other services' actions never reach KMS, so listing them in a key policy does nothing: \
grant them in an IAM policy.",
        bad: r#""Action": ["kms:Decrypt", "kms:CreateKey", "s3:GetObject"]"#,
        good: r#""Action": ["kms:Decrypt"]"#,
    },
    check: Check::Policy(check),
};

fn check(cx: &PolicyCx<'_>, out: &mut Findings) {
    if !cx.is_key_policy() {
        return;
    }
    for statement in cx.statements() {
        if statement.action.negated {
            continue;
        }
        for action in statement.action.value.iter() {
            let Some((service, name)) = action.split_once(':') else {
                continue;
            };
            let message = if !service.eq_ignore_ascii_case("kms") && !service.contains(['*', '?']) {
                format!("`{}` is not a KMS action: a key policy cannot grant it", action.node)
            } else if service.eq_ignore_ascii_case("kms") && only_iam(name) {
                format!("`{}` has no key resource: a key policy cannot grant it", action.node)
            } else {
                continue;
            };
            out.push(
                RULE.info
                    .finding(action.span, message)
                    .label("no effect here")
                    .help("grant this action in an IAM policy, and remove it from the key policy"),
            );
        }
    }
}

/// Does the pattern name only IAM-only KMS actions?
fn only_iam(pattern: &str) -> bool {
    if !pattern.contains(['*', '?']) {
        return is_iam_only(&format!("kms:{pattern}"));
    }
    let Some(kms) = crate::catalog::get().service("kms") else {
        return false;
    };
    let mut matched = kms.matching(pattern).peekable();
    matched.peek().is_some() && matched.all(|a| is_iam_only(&format!("kms:{}", a.name)))
}
