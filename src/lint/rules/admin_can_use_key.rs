//! `admin-can-use-key`: one principal both administers the key and uses it
//! for cryptography (a separation-of-duties suggestion).

use std::collections::BTreeMap;

use super::{Check, Rule, RuleInfo};
use crate::lint::context::{account_principal, covers_action, is_allow, principals, Findings, PolicyCx};
use crate::lint::finding::Severity;
use crate::policy::PrincipalKind;
use crate::source::Span;

pub static RULE: Rule = Rule {
    info: RuleInfo {
        name: "admin-can-use-key",
        severity: Severity::Suggestion,
        access_analyzer: None,
        summary: "A key administrator can also use the key.",
        rationale: "The console's default key policy keeps key administrators (who can change the policy, disable \
or delete the key) apart from key users (who encrypt and decrypt). A principal with both can read \
everything the key protects and erase the trail. Give administration and use to different principals.",
        bad: r#"{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/Admin"},
 "Action": ["kms:PutKeyPolicy", "kms:ScheduleKeyDeletion", "kms:Decrypt"], "Resource": "*"}"#,
        good: r#"{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/Admin"},
 "Action": ["kms:PutKeyPolicy", "kms:ScheduleKeyDeletion"], "Resource": "*"}"#,
    },
    check: Check::Policy(check),
};

const ADMINISTRATION: &[&str] = &["kms:PutKeyPolicy", "kms:ScheduleKeyDeletion", "kms:DisableKey"];
const USE: &[&str] = &[
    "kms:Decrypt",
    "kms:Encrypt",
    "kms:GenerateDataKey",
    "kms:ReEncryptFrom",
    "kms:Sign",
    "kms:GenerateMac",
];

#[derive(Default)]
struct Powers {
    administers: Option<Span>,
    uses: Option<Span>,
}

fn check(cx: &PolicyCx<'_>, out: &mut Findings) {
    if !cx.is_key_policy() {
        return;
    }
    let mut by_principal: BTreeMap<String, Powers> = BTreeMap::new();
    for statement in cx.statements() {
        let everything = statement
            .action
            .value
            .iter()
            .any(|a| a.as_str() == "*" || a.eq_ignore_ascii_case("kms:*"));
        if !is_allow(statement) || statement.action.negated || everything {
            continue; // `kms:*` is `kms-wildcard-for-non-account`'s finding
        }
        let administers = ADMINISTRATION.iter().any(|a| covers_action(statement, a));
        let uses = USE.iter().any(|a| covers_action(statement, a));
        for (kind, id) in principals(statement) {
            if kind != PrincipalKind::Aws || account_principal(id).is_some() || id.as_str() == "*" {
                continue;
            }
            let powers = by_principal.entry(id.node.clone()).or_default();
            if administers {
                powers.administers.get_or_insert(id.span);
            }
            if uses {
                powers.uses.get_or_insert(id.span);
            }
        }
    }
    for (principal, powers) in by_principal {
        if let (Some(administers), Some(uses)) = (powers.administers, powers.uses) {
            let mut finding = RULE
                .info
                .finding(uses, format!("`{principal}` administers the key and can also use it"))
                .label("can use the key")
                .help("give key administration and key use to different principals");
            if administers != uses {
                finding = finding.also(administers, "administers the key");
            }
            out.push(finding);
        }
    }
}
