//! `condition-value-format`: a value that cannot be what its condition key
//! holds: a VPC endpoint id without `vpce-`, a Region, account or
//! organization id in another shape (most often a documentation placeholder).

use super::{Check, Rule, RuleInfo};
use crate::lint::context::{Findings, PolicyCx};
use crate::lint::finding::Severity;
use crate::policy::BaseOperator;

pub static RULE: Rule = Rule {
    info: RuleInfo {
        name: "condition-value-format",
        severity: Severity::Warning,
        access_analyzer: Some("INVALID_VPCE_FORMAT"),
        summary: "A condition value is not in the format of its key.",
        rationale: "Some keys hold identifiers of a fixed shape: `aws:SourceVpce` a `vpce-…` id, \
`aws:SourceVpc` a `vpc-…` id, `aws:RequestedRegion` a Region such as `eu-west-1`, `aws:PrincipalAccount`, \
`aws:SourceAccount`, `aws:ResourceAccount` and `kms:CallerAccount` a 12-digit account, \
`aws:PrincipalOrgID` an `o-…` id. A value of another shape (`organization-id`, `ACCOUNT-ID`) never \
matches, so an Allow allows nothing and a Deny protects nothing. Access Analyzer reports the VPC and \
Region cases (INVALID_VPCE_FORMAT, INVALID_VPC_FORMAT, INVALID_REGION). Wildcards with `…Like` \
operators and policy variables are accepted.",
        bad: r#""Condition": {"StringEquals": {"aws:PrincipalOrgID": "organization-id"}}"#,
        good: r#""Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}"#,
    },
    check: Check::Policy(check),
};

type Shape = fn(&str) -> bool;

const KEYS: &[(&str, &str, Shape)] = &[
    ("aws:SourceVpce", "a VPC endpoint id such as `vpce-1a2b3c4d`", |v| {
        prefixed_id(v, "vpce-")
    }),
    ("aws:SourceVpc", "a VPC id such as `vpc-1a2b3c4d`", |v| {
        prefixed_id(v, "vpc-")
    }),
    ("aws:RequestedRegion", "a Region such as `eu-west-1`", is_region),
    ("aws:PrincipalAccount", "a 12-digit account id", is_account),
    ("aws:SourceAccount", "a 12-digit account id", is_account),
    ("aws:ResourceAccount", "a 12-digit account id", is_account),
    ("kms:CallerAccount", "a 12-digit account id", is_account),
    ("aws:PrincipalOrgID", "an organization id such as `o-a1b2c3d4e5`", |v| {
        prefixed_id(v, "o-")
    }),
];

fn prefixed_id(value: &str, prefix: &str) -> bool {
    value
        .strip_prefix(prefix)
        .is_some_and(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()))
}

fn is_account(value: &str) -> bool {
    value.len() == 12 && value.bytes().all(|b| b.is_ascii_digit())
}

/// `us-east-1`, `us-gov-west-1`, `cn-north-1`, `ap-southeast-2`.
pub fn is_region(value: &str) -> bool {
    let parts: Vec<&str> = value.split('-').collect();
    let Some((number, words)) = parts.split_last() else {
        return false;
    };
    words.len() >= 2
        && words
            .iter()
            .all(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_lowercase()))
        && !number.is_empty()
        && number.bytes().all(|b| b.is_ascii_digit())
}

fn check(cx: &PolicyCx<'_>, out: &mut Findings) {
    use BaseOperator::*;
    for statement in cx.statements() {
        for (operator, entry) in PolicyCx::conditions(statement) {
            let like = matches!(operator.base, StringLike | StringNotLike);
            if !matches!(
                operator.base,
                StringEquals | StringNotEquals | StringLike | StringNotLike
            ) {
                continue;
            }
            let Some((key, shape, fits)) = KEYS.iter().find(|(k, _, _)| k.eq_ignore_ascii_case(&entry.key)) else {
                continue;
            };
            let code = match *key {
                "aws:SourceVpce" => Some("INVALID_VPCE_FORMAT"),
                "aws:SourceVpc" => Some("INVALID_VPC_FORMAT"),
                "aws:RequestedRegion" => Some("INVALID_REGION"),
                _ => None,
            };
            for value in entry.values.iter() {
                let text = value.as_text();
                let open = text.contains("${") || (like && text.contains(['*', '?']));
                if !open && !fits(text) {
                    let mut finding = RULE
                        .info
                        .finding(value.span, format!("`{text}` is not {shape}"))
                        .label("never matches")
                        .help(format!("`{key}` holds {shape}"));
                    finding.issue_code = code;
                    out.push(finding);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_of_identifiers() {
        assert!(is_region("us-gov-west-1") && is_region("eu-west-1") && !is_region("region"));
        assert!(prefixed_id("vpce-1a2b3c4d", "vpce-") && !prefixed_id("vpc-1a2b", "vpce-"));
        assert!(is_account("111122223333") && !is_account("ACCOUNT-ID"));
    }
}
