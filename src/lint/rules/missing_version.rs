//! `missing-version`: no `"Version": "2012-10-17"`.

use super::{Check, Rule, RuleInfo};
use crate::lint::context::{Findings, PolicyCx};
use crate::lint::finding::Severity;
use crate::policy::Version;
use crate::source::Span;

pub static RULE: Rule = Rule {
    info: RuleInfo {
        name: "missing-version",
        severity: Severity::Warning,
        access_analyzer: Some("MISSING_VERSION"),
        summary: "The policy has no `Version`, or the old `2008-10-17`.",
        rationale: "Without `\"Version\": \"2012-10-17\"` IAM reads the policy with the 2008 rules, in which \
policy variables such as `${aws:username}` are plain text. State the current version.",
        bad: r#"{"Statement": [ … ]}"#,
        good: r#"{"Version": "2012-10-17", "Statement": [ … ]}"#,
    },
    check: Check::Policy(check),
};

fn check(cx: &PolicyCx<'_>, out: &mut Findings) {
    match &cx.policy.version {
        None => {
            let start = cx.source.text().find('{').unwrap_or(0);
            out.push(
                RULE.info
                    .finding(Span::new(start, start + 1), "the policy has no `Version`")
                    .label("no `Version` in this policy")
                    .help("add `\"Version\": \"2012-10-17\"`"),
            );
        }
        Some(version) if version.node == Version::V2008_10_17 => out.push(
            RULE.info
                .finding(version.span, "`2008-10-17` is the old policy language")
                .label("policy variables are plain text in this version")
                .help("use `\"Version\": \"2012-10-17\"`"),
        ),
        Some(_) => {}
    }
}
