//! `redundant-statement`: a statement identical to an earlier one except for
//! its `Sid`.

use super::{Check, Rule, RuleInfo};
use crate::lint::context::{Findings, PolicyCx};
use crate::lint::finding::Severity;
use crate::policy::Statement;

pub static RULE: Rule = Rule {
    info: RuleInfo {
        name: "redundant-statement",
        severity: Severity::Suggestion,
        access_analyzer: Some("REDUNDANT_STATEMENT"),
        summary: "A statement repeats an earlier one.",
        rationale: "Two statements with the same effect, principals, actions, resources and conditions grant \
the same thing; the second one only makes the policy longer (and the 32 KB key-policy limit nearer).",
        bad: r#"[{"Sid": "A", "Effect": "Allow", …}, {"Sid": "B", "Effect": "Allow", …same…}]"#,
        good: r#"[{"Sid": "A", "Effect": "Allow", …}]"#,
    },
    check: Check::Policy(check),
};

fn check(cx: &PolicyCx<'_>, out: &mut Findings) {
    let statements = &cx.policy.statements;
    for (i, statement) in statements.iter().enumerate() {
        if let Some(j) = statements[..i]
            .iter()
            .position(|earlier| same_but_sid(earlier, statement))
        {
            let (this, first) = (&cx.policy.statements[i], &cx.policy.statements[j]);
            out.push(
                RULE.info
                    .finding(this.span, "this statement repeats an earlier one")
                    .label("redundant")
                    .also(first.span, "same permissions")
                    .help("remove one of the two statements"),
            );
        }
    }
}

/// Equal in everything but `Sid` (spans are ignored by equality).
fn same_but_sid(a: &Statement, b: &Statement) -> bool {
    a.effect == b.effect
        && a.principal == b.principal
        && a.action == b.action
        && a.resource == b.resource
        && a.condition == b.condition
}
