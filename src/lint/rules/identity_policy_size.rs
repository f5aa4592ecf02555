//! `identity-policy-size`: an identity policy over IAM's 6,144-character
//! quota for managed policies, whitespace not counted.

use super::{Check, Rule, RuleInfo};
use crate::lint::context::{Findings, PolicyCx};
use crate::lint::finding::Severity;
use crate::lint::PolicyType;
use crate::policy::PolicyKind;

/// IAM's quota for a managed policy, in characters other than whitespace
/// (IAM User Guide, "IAM and AWS STS quotas": managed policy size).
pub const QUOTA: usize = 6_144;

pub static RULE: Rule = Rule {
    info: RuleInfo {
        name: "identity-policy-size",
        severity: Severity::Warning,
        access_analyzer: Some("POLICY_SIZE_EXCEEDS_IDENTITY_POLICY_QUOTA"),
        summary: "The identity policy is larger than IAM's 6,144-character quota.",
        rationale: "IAM refuses a managed policy of more than 6,144 characters, not counting whitespace \
(inline policies have smaller quotas: 2,048 for a user, 5,120 for a group, 10,240 for a role, all \
inline policies of the identity together, used for the inline policies of CloudFormation's users, groups \
and roles). `CreatePolicy` fails with `LimitExceeded`. Merge statements, \
use wildcards that name only what you mean, or split the policy in two.",
        bad: "an identity policy of 6,500 characters without whitespace",
        good: "the same permissions in two policies of 3,250",
    },
    check: Check::Policy(check),
};

fn check(cx: &PolicyCx<'_>, out: &mut Findings) {
    if cx.kind != PolicyKind::IdentityPolicy || cx.ty != PolicyType::Identity {
        return;
    }
    let (quota, what) = match cx.inline {
        Some(inline) => (inline.quota, format!("the inline policies of {}", inline.holder)),
        None => (QUOTA, "a managed policy".to_owned()),
    };
    let size = cx.source.text().chars().filter(|c| !c.is_whitespace()).count();
    if size <= quota {
        return;
    }
    out.push(
        RULE.info
            .finding(
                cx.statement_key(),
                format!("the identity policy has {size} characters without whitespace; IAM allows {quota} for {what}"),
            )
            .label("over IAM's quota")
            .help("merge statements or split the policy in two"),
    );
}
