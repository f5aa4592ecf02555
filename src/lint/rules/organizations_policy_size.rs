//! `organizations-policy-size`: an SCP or RCP over the 5,120 characters AWS
//! Organizations accepts, whitespace included (Organizations User Guide,
//! "Quotas and service limits": maximum size of a policy document; "SCP
//! syntax": all characters count).

use super::{Check, Rule, RuleInfo};
use crate::lint::context::{Findings, PolicyCx};
use crate::lint::finding::Severity;
use crate::lint::PolicyType;

pub const QUOTA: usize = 5_120;

pub static RULE: Rule = Rule {
    info: RuleInfo {
        name: "organizations-policy-size",
        severity: Severity::Error,
        access_analyzer: Some("POLICY_SIZE_EXCEEDS_SCP_QUOTA"),
        summary: "The service or resource control policy is larger than the 5,120 characters Organizations accepts.",
        rationale: "AWS Organizations refuses an SCP or RCP of more than 5,120 characters, and every character \
counts, whitespace too (the console removes whitespace outside strings when it saves; the API does not). \
`CreatePolicy` fails with `ConstraintViolationException` (`POLICY_CONTENT_LIMIT_EXCEEDED`). Remove \
indentation, merge statements, or split the policy (an account takes five SCPs).",
        bad: "an SCP of 5,500 characters",
        good: "the same SCP minified to 4,000",
    },
    check: Check::Policy(check),
};

fn check(cx: &PolicyCx<'_>, out: &mut Findings) {
    let name = match cx.ty {
        PolicyType::ServiceControl => "service control policy",
        PolicyType::ResourceControl => "resource control policy",
        _ => return,
    };
    let size = cx.source.text().chars().count();
    if size > QUOTA {
        let finding = RULE.info.finding(
            cx.statement_key(),
            format!("the {name} has {size} characters; AWS Organizations accepts {QUOTA}"),
        );
        let finding = finding
            .label("over the Organizations quota")
            .help("remove whitespace outside strings, merge statements, or split the policy");
        out.push(if cx.ty == PolicyType::ServiceControl {
            finding
        } else {
            Finding {
                issue_code: None,
                ..finding
            }
        });
    }
}

use crate::lint::finding::Finding;
