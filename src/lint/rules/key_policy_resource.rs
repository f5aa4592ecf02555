//! `key-policy-resource`: a key policy statement whose `Resource` is not
//! `"*"` (in a key policy, `*` means "this key").

use super::{Check, Rule, RuleInfo};
use crate::lint::context::{Findings, PolicyCx};
use crate::lint::finding::Severity;

pub static RULE: Rule = Rule {
    info: RuleInfo {
        name: "key-policy-resource",
        severity: Severity::Warning,
        access_analyzer: None,
        summary: "A key policy statement names a resource other than `\"*\"`.",
        rationale: "A key policy is attached to one key, and `\"Resource\": \"*\"` means that key. An ARN there \
applies only if it is this key's ARN (another key's or an alias's ARN makes the statement dead), and \
`NotResource` in a key policy is confusing at best. Write `\"*\"`.",
        bad: r#""Resource": "arn:aws:kms:us-east-1:111122223333:alias/app""#,
        good: r#""Resource": "*""#,
    },
    check: Check::Policy(check),
};

fn check(cx: &PolicyCx<'_>, out: &mut Findings) {
    if !cx.is_key_policy() {
        return;
    }
    for statement in cx.statements() {
        let Some(resource) = &statement.resource else {
            continue;
        };
        if resource.negated {
            out.push(
                RULE.info
                    .finding(resource.span, "`NotResource` in a key policy")
                    .label("use `\"Resource\": \"*\"`")
                    .help("a key policy applies to its own key only; write `\"Resource\": \"*\"`"),
            );
            continue;
        }
        for value in resource.value.iter().filter(|v| v.as_str() != "*") {
            let message = if value.contains(":alias/") {
                format!("`{}` is an alias: key policies never apply to aliases", value.node)
            } else {
                format!(
                    "`{}` in a key policy: only `\"*\"` (this key) is meaningful",
                    value.node
                )
            };
            out.push(
                RULE.info
                    .finding(value.span, message)
                    .label("not `*`")
                    .help("write `\"Resource\": \"*\"`; it means the key this policy is attached to"),
            );
        }
    }
}
