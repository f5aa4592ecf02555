//! `uncatalogued-name`: a well-formed action, service or condition key that
//! the embedded catalogue does not have (it may be newer than the data).

use super::names::{self, Standing};
use super::{Check, Rule, RuleInfo};
use crate::lint::context::{Findings, PolicyCx};
use crate::lint::finding::Severity;

pub static RULE: Rule = Rule {
    info: RuleInfo {
        name: "uncatalogued-name",
        severity: Severity::Warning,
        access_analyzer: None,
        summary: "An action, service or condition key is not in the embedded IAM catalogue.",
        rationale: "AWS adds services, actions and keys every week; the catalogue is a snapshot (its version is in \
the message). A name that follows AWS's naming pattern and is not close to a catalogued one is probably new, \
so it is a warning, not an error. Check the spelling against the Service Authorization Reference.",
        bad: r#""Action": "kms:FrobnicateKey""#,
        good: r#""Action": "kms:DescribeKey""#,
    },
    check: Check::Policy(check),
};

fn check(cx: &PolicyCx<'_>, out: &mut Findings) {
    for statement in cx.statements() {
        for action in statement.action.value.iter() {
            if let Standing::Uncatalogued { message } = names::action(action) {
                out.push(
                    RULE.info
                        .finding(action.span, message)
                        .label("not catalogued")
                        .help("check the name against the Service Authorization Reference"),
                );
            }
        }
        for (_, entry) in PolicyCx::conditions(statement) {
            if let Standing::Uncatalogued { message } = names::condition_key(&entry.key) {
                out.push(
                    RULE.info
                        .finding(entry.key.span, message)
                        .label("not catalogued")
                        .help("check the name against the Service Authorization Reference"),
                );
            }
        }
    }
}
