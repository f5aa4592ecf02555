//! `trust-policy-size`: a role trust policy over IAM's default quota of
//! 2,048 characters, whitespace not counted (IAM User Guide, "IAM and AWS
//! STS quotas": role trust policy length, which can be raised to 8,192).

use super::{Check, Rule, RuleInfo};
use crate::lint::context::{Findings, PolicyCx};
use crate::lint::finding::Severity;
use crate::lint::PolicyType;

pub const QUOTA: usize = 2_048;

pub static RULE: Rule = Rule {
    info: RuleInfo {
        name: "trust-policy-size",
        severity: Severity::Warning,
        access_analyzer: Some("POLICY_SIZE_EXCEEDS_ROLE_TRUST_POLICY_QUOTA"),
        summary: "The role trust policy is larger than IAM's default 2,048-character quota.",
        rationale: "IAM refuses a trust policy of more than 2,048 characters, not counting whitespace, unless the \
account's quota was raised (to at most 8,192): `CreateRole` and `UpdateAssumeRolePolicy` fail with \
`LimitExceeded`. Merge statements that trust the same action, or list principals once.",
        bad: "a trust policy of 2,100 characters without whitespace",
        good: "the same principals in one statement of 1,500",
    },
    check: Check::Policy(check),
};

fn check(cx: &PolicyCx<'_>, out: &mut Findings) {
    if cx.ty != PolicyType::RoleTrust {
        return;
    }
    let size = cx.source.text().chars().filter(|c| !c.is_whitespace()).count();
    if size > QUOTA {
        out.push(
            RULE.info
                .finding(
                    cx.statement_key(),
                    format!("the trust policy has {size} characters without whitespace; IAM allows {QUOTA} by default"),
                )
                .label("over IAM's quota")
                .help("merge statements, or ask for a higher quota (at most 8,192)"),
        );
    }
}
