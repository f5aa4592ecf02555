//! `empty-sid`: `"Sid": ""`.

use super::{Check, Rule, RuleInfo};
use crate::lint::context::{Findings, PolicyCx};
use crate::lint::finding::Severity;

pub static RULE: Rule = Rule {
    info: RuleInfo {
        name: "empty-sid",
        severity: Severity::Suggestion,
        access_analyzer: Some("EMPTY_SID_VALUE"),
        summary: "A statement has an empty `Sid`.",
        rationale: "An empty `Sid` names nothing; give the statement a name that says what it is for, or \
remove the element.",
        bad: r#""Sid": """#,
        good: r#""Sid": "AllowUseOfTheKey""#,
    },
    check: Check::Policy(check),
};

fn check(cx: &PolicyCx<'_>, out: &mut Findings) {
    for statement in cx.statements() {
        if let Some(sid) = statement.sid.as_ref().filter(|s| s.is_empty()) {
            out.push(
                RULE.info
                    .finding(sid.span, "empty statement id")
                    .label("empty")
                    .help("name the statement, or remove `Sid`"),
            );
        }
    }
}
