//! `wildcard-without-like-operator`: `*` or `?` in a value compared with a
//! `String…Equals` operator, where they are literal characters.

use super::{Check, Rule, RuleInfo};
use crate::lint::context::{Findings, PolicyCx};
use crate::lint::finding::Severity;
use crate::policy::BaseOperator;

pub static RULE: Rule = Rule {
    info: RuleInfo {
        name: "wildcard-without-like-operator",
        severity: Severity::Warning,
        access_analyzer: Some("WILDCARD_WITHOUT_LIKE_OPERATOR"),
        summary: "A condition value has a wildcard, but the operator compares exactly.",
        rationale: "`StringEquals` and `StringNotEquals` treat `*` and `?` as ordinary characters, so \
`\"kms:ViaService\": \"s3.*.amazonaws.com\"` matches only that literal text. Use `StringLike`.",
        bad: r#""Condition": {"StringEquals": {"kms:ViaService": "s3.*.amazonaws.com"}}"#,
        good: r#""Condition": {"StringLike": {"kms:ViaService": "s3.*.amazonaws.com"}}"#,
    },
    check: Check::Policy(check),
};

fn check(cx: &PolicyCx<'_>, out: &mut Findings) {
    use BaseOperator::*;
    for statement in cx.statements() {
        for (operator, entry) in PolicyCx::conditions(statement) {
            let like = match operator.base {
                StringEquals | StringEqualsIgnoreCase => "StringLike",
                StringNotEquals | StringNotEqualsIgnoreCase => "StringNotLike",
                // `ArnEquals` takes wildcards like `ArnLike` does.
                _ => continue,
            };
            for value in entry.values.iter() {
                let text = value.as_text();
                if text.contains(['*', '?']) && !text.contains("${") {
                    out.push(
                        RULE.info
                            .finding(value.span, format!("`{text}` is compared literally by `{operator}`"))
                            .label("`*` and `?` are not wildcards here")
                            .also(operator.span, "exact comparison")
                            .help(format!("use `{like}` to match a pattern")),
                    );
                }
            }
        }
    }
}
