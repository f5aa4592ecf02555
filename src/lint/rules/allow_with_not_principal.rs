//! `allow-with-not-principal`: `Allow` with `NotPrincipal` allows everyone
//! who is not listed, including anonymous callers and other accounts.

use super::{Check, Rule, RuleInfo};
use crate::lint::context::{is_allow, Findings, PolicyCx};
use crate::lint::finding::Severity;

pub static RULE: Rule = Rule {
    info: RuleInfo {
        name: "allow-with-not-principal",
        severity: Severity::Security,
        access_analyzer: Some("ALLOW_WITH_NOT_PRINCIPAL"),
        summary: "An `Allow` statement uses `NotPrincipal`.",
        rationale: "`NotPrincipal` with `Allow` grants the actions to every principal of every account except those \
listed. Name the principals who should have access in `Principal` instead; keep `NotPrincipal` for `Deny`.",
        bad: r#"{"Effect": "Allow", "NotPrincipal": {"AWS": "arn:aws:iam::111122223333:user/Bob"},
 "Action": "kms:Decrypt", "Resource": "*"}"#,
        good: r#"{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:user/Alice"},
 "Action": "kms:Decrypt", "Resource": "*"}"#,
    },
    check: Check::Policy(check),
};

fn check(cx: &PolicyCx<'_>, out: &mut Findings) {
    for statement in cx.statements() {
        match &statement.principal {
            Some(principal) if principal.negated && is_allow(statement) => out.push(
                RULE.info
                    .finding(principal.span, "`Allow` with `NotPrincipal` allows everyone not listed")
                    .label("everyone except these")
                    .also(statement.effect.span, "allows")
                    .help("list the principals to allow in `Principal`, or make the statement a `Deny`"),
            ),
            _ => {}
        }
    }
}
