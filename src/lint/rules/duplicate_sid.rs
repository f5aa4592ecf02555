//! `duplicate-sid`: two statements of a key or resource policy share a
//! `Sid` (identity policies refuse that outright: a structure error).

use super::{Check, Rule, RuleInfo};
use crate::lint::context::{Findings, PolicyCx};
use crate::lint::finding::Severity;
use crate::policy::PolicyKind;

pub static RULE: Rule = Rule {
    info: RuleInfo {
        name: "duplicate-sid",
        severity: Severity::Warning,
        access_analyzer: Some("UNIQUE_SIDS_RECOMMENDED"),
        summary: "Two statements have the same `Sid`.",
        rationale: "KMS accepts duplicate statement ids, but explanations, CloudTrail and reviews name \
statements by `Sid`: two statements with one name make every such reference ambiguous.",
        bad: r#"[{"Sid": "Use", …}, {"Sid": "Use", …}]"#,
        good: r#"[{"Sid": "Encrypt", …}, {"Sid": "Decrypt", …}]"#,
    },
    check: Check::Policy(check),
};

fn check(cx: &PolicyCx<'_>, out: &mut Findings) {
    if cx.kind == PolicyKind::IdentityPolicy {
        return;
    }
    let sids: Vec<_> = cx.statements().filter_map(|s| s.sid.as_ref()).collect();
    for (i, sid) in sids.iter().enumerate() {
        if let Some(first) = sids[..i].iter().find(|s| s.node == sid.node) {
            out.push(
                RULE.info
                    .finding(sid.span, format!("duplicate statement id `{}`", sid.node))
                    .label("duplicate")
                    .also(first.span, "first used here")
                    .help("give each statement its own `Sid`"),
            );
        }
    }
}
