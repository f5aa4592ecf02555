//! `create-slr-wildcard`: `iam:CreateServiceLinkedRole` allowed for every
//! service-linked role, through `*` resources, `NotResource` or `NotAction`.

use super::{Check, Rule, RuleInfo};
use crate::lint::context::{covers_action, is_allow, Findings, PolicyCx};
use crate::lint::finding::Severity;
use crate::policy::Statement;

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

const ACTION: &str = "iam:CreateServiceLinkedRole";

/// The Access Analyzer code for how the statement reaches every role.
fn variant(statement: &Statement, not_resource: bool) -> &'static str {
    let not_action = statement.action.negated;
    let named = statement.action.value.iter().any(|a| a.eq_ignore_ascii_case(ACTION));
    match (not_action, not_resource, named) {
        (true, true, _) => "CREATE_SLR_WITH_NOT_ACTION_AND_NOT_RESOURCE",
        (true, false, _) => "CREATE_SLR_WITH_STAR_IN_RESOURCE_AND_NOT_ACTION",
        (false, true, true) => "CREATE_SLR_WITH_NOT_RESOURCE",
        (false, true, false) => "CREATE_SLR_WITH_STAR_IN_ACTION_AND_NOT_RESOURCE",
        (false, false, true) => "CREATE_SLR_WITH_STAR_IN_RESOURCE",
        (false, false, false) => "CREATE_SLR_WITH_STAR_IN_ACTION_AND_RESOURCE",
    }
}

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
    for statement in cx.statements() {
        if !is_allow(statement) || !covers_action(statement, ACTION) {
            continue;
        }
        let limited = PolicyCx::conditions(statement).any(|(_, e)| e.key.eq_ignore_ascii_case("iam:AWSServiceName"));
        let Some(resource) = &statement.resource else {
            continue;
        };
        if limited || !(resource.negated || resource.value.iter().any(|r| wide(r))) {
            continue;
        }
        out.push(
            RULE.info
                .finding(
                    resource.span,
                    format!(
                        "`{ACTION}` is allowed for every service-linked role ({})",
                        variant(statement, resource.negated)
                    ),
                )
                .label("every service-linked role")
                .also(statement.action.span, format!("includes `{ACTION}`"))
                .help("name the role, e.g. `arn:aws:iam::*:role/aws-service-role/autoscaling.amazonaws.com/*`, or limit `iam:AWSServiceName`"),
        );
    }
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
