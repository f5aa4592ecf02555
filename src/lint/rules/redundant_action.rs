//! `redundant-action`: an action already covered by another action of the
//! same statement (`kms:Decrypt` next to `kms:*`), or listed twice.

use super::{Check, Rule, RuleInfo};
use crate::eval::glob::Case;
use crate::lint::context::{Findings, PolicyCx};
use crate::lint::finding::Severity;
use crate::policy::Values;
use crate::source::Spanned;

pub static RULE: Rule = Rule {
    info: RuleInfo {
        name: "redundant-action",
        severity: Severity::Suggestion,
        access_analyzer: Some("REDUNDANT_ACTION"),
        summary: "An action is already covered by another action of the statement.",
        rationale: "`kms:Decrypt` next to `kms:*` or `kms:De*` adds nothing; removing it makes the statement say \
what it does.",
        bad: r#""Action": ["kms:*", "kms:Decrypt"]"#,
        good: r#""Action": "kms:*""#,
    },
    check: Check::Policy(check),
};

fn check(cx: &PolicyCx<'_>, out: &mut Findings) {
    for statement in cx.statements() {
        for (value, by) in redundant(&statement.action.value, Case::Insensitive) {
            out.push(
                RULE.info
                    .finding(
                        value.span,
                        format!("`{}` is already covered by `{}`", value.node, by.node),
                    )
                    .label("redundant")
                    .also(by.span, "covers it")
                    .help(format!("remove `{}`", value.node)),
            );
        }
    }
}

/// Each value that another value of the list covers, with the one covering
/// it; of two equal values, the second is the redundant one.
pub fn redundant(values: &Values<Spanned<String>>, case: Case) -> Vec<(&Spanned<String>, &Spanned<String>)> {
    let all: Vec<&Spanned<String>> = values.iter().collect();
    let mut found = Vec::new();
    for (i, value) in all.iter().enumerate() {
        let by = all.iter().enumerate().find(|(j, other)| {
            let equal = match case {
                Case::Insensitive => other.eq_ignore_ascii_case(value),
                Case::Sensitive => other.node == value.node,
            };
            if equal {
                *j < i
            } else {
                covers(other, value, case)
            }
        });
        if let Some((_, by)) = by {
            found.push((*value, *by));
        }
    }
    found
}

/// Does pattern `a` match everything `b` matches? Sound when `a` has no `?`:
/// each `*` of `b`, read as a character, is absorbed by a `*` of `a`.
fn covers(a: &str, b: &str, case: Case) -> bool {
    a.contains('*') && !a.contains('?') && crate::eval::glob::matches_wild(a, b, case)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wider_patterns_cover_narrower_ones() {
        assert!(covers("kms:*", "kms:Decrypt", Case::Insensitive));
        assert!(covers("kms:Get*", "kms:GetKey*", Case::Insensitive));
        assert!(!covers("kms:Get*", "kms:*", Case::Insensitive));
        assert!(!covers("kms:?et*", "kms:*et*", Case::Insensitive));
    }
}
