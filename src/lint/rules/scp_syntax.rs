//! `scp-syntax`: elements a service control policy does not take, or takes
//! only in `Deny` statements (AWS Organizations User Guide, "SCP syntax":
//! `Resource` other than `*`, `Condition` and `NotAction` only with `Deny`,
//! no `NotResource`, no principals, `*` only at the end of an action).

use super::{Check, Rule, RuleInfo};
use crate::lint::context::{is_allow, Findings, PolicyCx};
use crate::lint::finding::Severity;
use crate::lint::PolicyType;

pub static RULE: Rule = Rule {
    info: RuleInfo {
        name: "scp-syntax",
        severity: Severity::Error,
        access_analyzer: None,
        summary: "The service control policy uses an element SCPs do not support.",
        rationale: "AWS Organizations refuses an SCP that uses the IAM grammar beyond what SCPs support \
(`MalformedPolicyDocumentException`): `Condition`, `NotAction` and a `Resource` other than `*` only in `Deny` \
statements (SCP_SYNTAX_ERROR_ALLOW_CONDITION, SCP_SYNTAX_ERROR_ALLOW_NOTACTION, \
SCP_SYNTAX_ERROR_ALLOW_RESOURCE), never `NotResource` (SCP_SYNTAX_ERROR_NOTRESOURCE), a wildcard only at \
the end of an action (SCP_SYNTAX_ERROR_ACTION_WILDCARD). A `Principal` is refused too \
(SCP_SYNTAX_ERROR_PRINCIPAL, reported by the reader). Lint a file as an SCP with `--kind scp`; templates \
say so through `AWS::Organizations::Policy`'s `Type`.",
        bad: r#"{"Effect": "Allow", "Action": "ec2:*Instances", "Resource": "*",
 "Condition": {"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}}"#,
        good: r#"{"Effect": "Deny", "Action": "ec2:*", "Resource": "*",
 "Condition": {"StringNotEquals": {"aws:RequestedRegion": "eu-west-1"}}}"#,
    },
    check: Check::Policy(check),
};

fn check(cx: &PolicyCx<'_>, out: &mut Findings) {
    if cx.ty != PolicyType::ServiceControl {
        return;
    }
    for statement in cx.statements() {
        let allow = is_allow(statement);
        for action in statement.action.value.iter() {
            let inner = action.trim_end_matches('*');
            if inner.contains('*') || action.contains('?') {
                out.push(
                    RULE.info
                        .finding(action.span, format!("`{action}` has a wildcard before its end"))
                        .label("`*` only at the end in an SCP")
                        .help("SCP actions take `*` only at the end, such as `ec2:Describe*`")
                        .issue_code("SCP_SYNTAX_ERROR_ACTION_WILDCARD"),
                );
            }
        }
        if allow && statement.action.negated {
            out.push(
                RULE.info
                    .finding(
                        statement.action.span,
                        "an SCP takes `NotAction` only in `Deny` statements",
                    )
                    .label("`NotAction` with `Allow`")
                    .help("list the allowed actions in `Action`, or make the statement a `Deny`")
                    .issue_code("SCP_SYNTAX_ERROR_ALLOW_NOTACTION"),
            );
        }
        if let Some(resource) = &statement.resource {
            if resource.negated {
                out.push(
                    RULE.info
                        .finding(resource.span, "an SCP does not take `NotResource`")
                        .label("not supported in an SCP")
                        .help("use `Resource` with the ARNs the statement applies to")
                        .issue_code("SCP_SYNTAX_ERROR_NOTRESOURCE"),
                );
            } else if allow && resource.value.iter().any(|r| r.as_str() != "*") {
                out.push(
                    RULE.info
                        .finding(resource.span, "an SCP `Allow` statement applies to every resource")
                        .label("only `\"*\"` with `Allow`")
                        .help("write `\"Resource\": \"*\"`, or limit resources in a `Deny` statement")
                        .issue_code("SCP_SYNTAX_ERROR_ALLOW_RESOURCE"),
                );
            }
        }
        if let Some(condition) = statement.condition.as_ref().filter(|_| allow) {
            out.push(
                RULE.info
                    .finding(condition.span, "an SCP takes `Condition` only in `Deny` statements")
                    .label("`Condition` with `Allow`")
                    .help("express the condition as a `Deny` with the opposite operator")
                    .issue_code("SCP_SYNTAX_ERROR_ALLOW_CONDITION"),
            );
        }
    }
}
