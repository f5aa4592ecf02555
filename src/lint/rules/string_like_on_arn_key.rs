//! `string-like-on-arn-key`: an ARN-typed condition key compared with
//! `StringLike`, whose `*` also spans the `:` between ARN fields.

use super::{Check, Rule, RuleInfo};
use crate::catalog::KeyType;
use crate::lint::context::{Findings, PolicyCx};
use crate::lint::finding::Severity;
use crate::policy::BaseOperator;

pub static RULE: Rule = Rule {
    info: RuleInfo {
        name: "string-like-on-arn-key",
        severity: Severity::Security,
        access_analyzer: Some("STRING_LIKE_OPERATOR_WITH_ARN_CONDITION_KEYS"),
        summary: "An ARN condition key is compared with `StringLike` instead of `ArnLike`.",
        rationale: "Keys such as `aws:SourceArn` and `aws:PrincipalArn` hold ARNs. `ArnLike` matches \
them field by field, so a `*` stays within its field. `StringLike` matches the whole text, so a `*` \
runs across the `:` separators: `arn:aws:iam::111122223333:*` also matches ARNs of other services, \
and a pattern such as `arn:aws:s3:::logs*` matches every bucket whose name starts with `logs`. Use \
`ArnLike` (or `ArnNotLike`).",
        bad: r#""Condition": {"StringLike": {"aws:SourceArn": "arn:aws:cloudtrail:*:111122223333:trail/*"}}"#,
        good: r#""Condition": {"ArnLike": {"aws:SourceArn": "arn:aws:cloudtrail:*:111122223333:trail/*"}}"#,
    },
    check: Check::Policy(check),
};

fn check(cx: &PolicyCx<'_>, out: &mut Findings) {
    for statement in cx.statements() {
        for (operator, entry) in PolicyCx::conditions(statement) {
            let arn_op = match operator.base {
                BaseOperator::StringLike => "ArnLike",
                BaseOperator::StringNotLike => "ArnNotLike",
                _ => continue,
            };
            let arn_key = cx
                .catalogue()
                .key(&entry.key)
                .is_some_and(|(_, info)| info.ty == KeyType::Arn);
            if !arn_key {
                continue;
            }
            out.push(
                RULE.info
                    .finding(
                        operator.span,
                        format!("`{}` holds an ARN but is compared with `{operator}`", entry.key.node),
                    )
                    .label("string operator")
                    .also(entry.key.span, "ARN key")
                    .help(format!("use `{arn_op}`, which matches the ARN field by field")),
            );
        }
    }
}
