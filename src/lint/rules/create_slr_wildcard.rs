//! `create-slr-wildcard`: `iam:CreateServiceLinkedRole` allowed for every
//! service-linked role, through `*` resources, `NotResource` or `NotAction`.

use super::role_wildcard::{self, Family};
use super::{Check, Rule, RuleInfo};
use crate::lint::context::{Findings, PolicyCx};
use crate::lint::finding::Severity;

pub static RULE: Rule = Rule {
    info: RuleInfo {
        name: "create-slr-wildcard",
        severity: Severity::Warning,
        access_analyzer: Some("CREATE_SLR_WITH_STAR_IN_RESOURCE"),
        summary: "`iam:CreateServiceLinkedRole` is allowed for every service.",
        rationale: "A service-linked role gives an AWS service the permissions it defines. Allowing \
`iam:CreateServiceLinkedRole` on `\"Resource\": \"*\"`, on a role pattern ending in `*`, or through \
`NotResource`, lets the principal create roles for services it was never meant to enable. Name the \
role (`arn:aws:iam::*:role/aws-service-role/SERVICE/…`) or limit `iam:AWSServiceName`. This covers \
Access Analyzer's CREATE_SLR_WITH_STAR_IN_RESOURCE, CREATE_SLR_WITH_NOT_RESOURCE, \
CREATE_SLR_WITH_STAR_IN_ACTION_AND_RESOURCE, CREATE_SLR_WITH_STAR_IN_ACTION_AND_NOT_RESOURCE, \
CREATE_SLR_WITH_STAR_IN_RESOURCE_AND_NOT_ACTION and CREATE_SLR_WITH_NOT_ACTION_AND_NOT_RESOURCE.",
        bad: r#"{"Effect": "Allow", "Action": "iam:CreateServiceLinkedRole", "Resource": "*"}"#,
        good: r#"{"Effect": "Allow", "Action": "iam:CreateServiceLinkedRole",
 "Resource": "arn:aws:iam::*:role/aws-service-role/autoscaling.amazonaws.com/*"}"#,
    },
    check: Check::Policy(check),
};

static FAMILY: Family = Family {
    action: "iam:CreateServiceLinkedRole",
    limiting_key: "iam:AWSServiceName",
    codes: [
        "CREATE_SLR_WITH_NOT_RESOURCE",
        "CREATE_SLR_WITH_STAR_IN_ACTION_AND_NOT_RESOURCE",
        "CREATE_SLR_WITH_NOT_ACTION_AND_NOT_RESOURCE",
        "CREATE_SLR_WITH_STAR_IN_RESOURCE",
        "CREATE_SLR_WITH_STAR_IN_ACTION_AND_RESOURCE",
        "CREATE_SLR_WITH_STAR_IN_RESOURCE_AND_NOT_ACTION",
    ],
    wide,
};

fn wide(resource: &str) -> bool {
    resource == "*"
        || resource.ends_with(":role/*")
        || resource.ends_with(":*")
        || resource.ends_with("/aws-service-role/*")
}

fn check(cx: &PolicyCx<'_>, out: &mut Findings) {
    // A key policy cannot grant IAM actions.
    if cx.is_key_policy() {
        return;
    }
    role_wildcard::check(
        cx,
        &FAMILY,
        &RULE.info,
        "`iam:CreateServiceLinkedRole` is allowed for every service-linked role",
        "name the role, e.g. `arn:aws:iam::*:role/aws-service-role/autoscaling.amazonaws.com/*`, or limit `iam:AWSServiceName`",
        out,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wide_resources_are_stars_and_open_role_paths() {
        assert!(wide("*") && wide("arn:aws:iam::*:role/*") && wide("arn:aws:iam::*:role/aws-service-role/*"));
        assert!(!wide(
            "arn:aws:iam::*:role/aws-service-role/autoscaling.amazonaws.com/*"
        ));
    }
}
