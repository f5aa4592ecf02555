//! `role-trust-syntax`: what a role trust policy must not say (IAM User
//! Guide, "IAM JSON policy elements: Principal" and Access Analyzer's policy
//! checks for `AWS::IAM::AssumeRolePolicyDocument`): `NotPrincipal`,
//! `Resource`, `"Principal": "*"`, actions other than STS, an action that
//! does not fit the principal, a malformed federated principal, the STS
//! actions IAM Roles Anywhere needs, and a session redundant with its role.

use super::{Check, Rule, RuleInfo};
use crate::lint::context::{covers_action, is_allow, principals, Findings, PolicyCx};
use crate::lint::finding::Severity;
use crate::lint::PolicyType;
use crate::policy::{Principal, PrincipalKind};

pub static RULE: Rule = Rule {
    info: RuleInfo {
        name: "role-trust-syntax",
        severity: Severity::Error,
        access_analyzer: None,
        summary: "The role trust policy uses an element, principal or action trust policies do not support.",
        rationale: "IAM refuses a trust policy with `NotPrincipal` (ROLE_TRUST_POLICY_SYNTAX_ERROR_NOTPRINCIPAL), \
`Resource` (ROLE_TRUST_POLICY_SYNTAX_ERROR_RESOURCE: the policy applies to its role) or `\"Principal\": \"*\"` \
(ROLE_TRUST_POLICY_UNSUPPORTED_WILDCARD_IN_PRINCIPAL), and actions other than STS ones \
(UNSUPPORTED_ACTION_IN_POLICY; for the policies of other resource types, `resource-type-support` reports it). A federated principal must be a SAML or OIDC provider ARN or a well-known \
identity provider (INVALID_FEDERATED_PRINCIPAL_SYNTAX_IN_ROLE_TRUST_POLICY); SAML providers assume roles with \
`sts:AssumeRoleWithSAML`, OIDC providers with `sts:AssumeRoleWithWebIdentity`, AWS and service principals \
with `sts:AssumeRole` (MISMATCHED_ACTION_FOR_PRINCIPAL). `rolesanywhere.amazonaws.com` needs \
`sts:AssumeRole`, `sts:SetSourceIdentity` and `sts:TagSession` (MISSING_ACTION_FOR_ROLES_ANYWHERE_TRUST_POLICY). \
A session of a role that is itself trusted adds nothing (REDUNDANT_PRINCIPAL_IN_ROLE_TRUST_POLICY, a \
suggestion). Lint a file as a trust policy with `--kind role-trust-policy`; a resource policy whose actions \
are all STS actions is taken as one.",
        bad: r#"{"Effect": "Allow", "Principal": {"Federated": "arn:aws:iam::111122223333:saml-provider/corp"},
 "Action": "sts:AssumeRole", "Resource": "*"}"#,
        good: r#"{"Effect": "Allow", "Principal": {"Federated": "arn:aws:iam::111122223333:saml-provider/corp"},
 "Action": "sts:AssumeRoleWithSAML",
 "Condition": {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}}}"#,
    },
    check: Check::Policy(check),
};

/// Identity providers IAM names without an ARN (web identity federation).
pub const WELL_KNOWN_OIDC: &[&str] = &[
    "cognito-identity.amazonaws.com",
    "accounts.google.com",
    "graph.facebook.com",
    "www.amazon.com",
];

/// What a federated principal is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Federation<'a> {
    Saml,
    /// An OIDC provider, with the host its condition keys are named after.
    Oidc(&'a str),
}

/// Reads a `Federated` principal: a SAML or OIDC provider ARN, or a
/// well-known identity provider.
pub fn federation(id: &str) -> Option<Federation<'_>> {
    if WELL_KNOWN_OIDC.contains(&id) {
        return Some(Federation::Oidc(id));
    }
    let fields: Vec<&str> = id.splitn(6, ':').collect();
    let ["arn", partition, "iam", "", account, resource] = fields.as_slice() else {
        return None;
    };
    // A placeholder account (`account-id`) is left to the reader's eye, as
    // documentation examples write it.
    if partition.is_empty() || account.is_empty() {
        return None;
    }
    if let Some(name) = resource.strip_prefix("saml-provider/") {
        return (!name.is_empty()).then_some(Federation::Saml);
    }
    let host = resource.strip_prefix("oidc-provider/")?;
    (!host.is_empty()).then_some(Federation::Oidc(host))
}

fn check(cx: &PolicyCx<'_>, out: &mut Findings) {
    if cx.ty != PolicyType::RoleTrust {
        return;
    }
    for statement in cx.statements() {
        if let Some(principal) = &statement.principal {
            if principal.negated {
                out.push(
                    RULE.info
                        .finding(principal.span, "a role trust policy does not take `NotPrincipal`")
                        .label("not supported in a trust policy")
                        .help("name the principals that may assume the role in `Principal`")
                        .issue_code("ROLE_TRUST_POLICY_SYNTAX_ERROR_NOTPRINCIPAL"),
                );
            } else if principal.value == Principal::Any {
                out.push(
                    RULE.info
                        .finding(
                            principal.span,
                            "`\"Principal\": \"*\"` is not supported in a role trust policy",
                        )
                        .label("everyone")
                        .help("name the accounts, roles or services that may assume the role")
                        .issue_code("ROLE_TRUST_POLICY_UNSUPPORTED_WILDCARD_IN_PRINCIPAL"),
                );
            }
        }
        if let Some(resource) = &statement.resource {
            let name = if resource.negated { "NotResource" } else { "Resource" };
            out.push(
                RULE.info
                    .finding(resource.span, format!("a role trust policy does not take `{name}`"))
                    .label("the policy applies to its role")
                    .help(format!("remove `{name}`"))
                    .issue_code("ROLE_TRUST_POLICY_SYNTAX_ERROR_RESOURCE"),
            );
        }
        if !statement.action.negated {
            for action in statement.action.value.iter() {
                let service = action.split_once(':').map_or("", |(s, _)| s);
                if action.as_str() != "*" && !service.eq_ignore_ascii_case("sts") && !service.contains(['*', '?']) {
                    out.push(
                        RULE.info
                            .finding(action.span, format!("`{action}` is not supported in a role trust policy"))
                            .label("not an STS action")
                            .help("a trust policy allows `sts:AssumeRole`, `sts:AssumeRoleWithSAML`, `sts:AssumeRoleWithWebIdentity`, `sts:TagSession`, `sts:SetSourceIdentity` or `sts:SetContext`; permissions of the role go in its identity policies")
                            .issue_code("UNSUPPORTED_ACTION_IN_POLICY"),
                    );
                }
            }
        }
        principal_checks(statement, out);
    }
    redundant_sessions(cx, out);
}

fn principal_checks(statement: &crate::source::Spanned<crate::policy::Statement>, out: &mut Findings) {
    let named = |action: &str| {
        if statement.action.negated {
            return None;
        }
        statement.action.value.iter().find(|a| a.eq_ignore_ascii_case(action))
    };
    for (kind, id) in principals(statement) {
        let wrong: &[&str] = match kind {
            PrincipalKind::Federated => match federation(id) {
                None => {
                    out.push(
                        RULE.info
                            .finding(id.span, format!("`{id}` is not a federated principal"))
                            .label("expected a SAML or OIDC provider")
                            .help("write `arn:aws:iam::<account>:saml-provider/<name>`, `arn:aws:iam::<account>:oidc-provider/<host>`, or a provider such as `cognito-identity.amazonaws.com`")
                            .issue_code("INVALID_FEDERATED_PRINCIPAL_SYNTAX_IN_ROLE_TRUST_POLICY"),
                    );
                    continue;
                }
                Some(Federation::Saml) => &["sts:AssumeRole", "sts:AssumeRoleWithWebIdentity"],
                Some(Federation::Oidc(_)) => &["sts:AssumeRole", "sts:AssumeRoleWithSAML"],
            },
            _ => &["sts:AssumeRoleWithSAML", "sts:AssumeRoleWithWebIdentity"],
        };
        for action in wrong.iter().filter_map(|a| named(a)) {
            out.push(
                RULE.info
                    .finding(action.span, format!("`{action}` cannot be used by `{id}`"))
                    .label("does not fit the principal")
                    .also(id.span, "this principal")
                    .help("SAML providers use `sts:AssumeRoleWithSAML`, OIDC providers `sts:AssumeRoleWithWebIdentity`, AWS and service principals `sts:AssumeRole`")
                    .issue_code("MISMATCHED_ACTION_FOR_PRINCIPAL"),
            );
        }
        let roles_anywhere = kind == PrincipalKind::Service && id.eq_ignore_ascii_case("rolesanywhere.amazonaws.com");
        let needed = ["sts:AssumeRole", "sts:SetSourceIdentity", "sts:TagSession"];
        let missing: Vec<&str> = needed.into_iter().filter(|a| !covers_action(statement, a)).collect();
        if roles_anywhere && is_allow(statement) && !missing.is_empty() {
            out.push(
                RULE.info
                    .finding(
                        statement.action.span,
                        format!("IAM Roles Anywhere also needs `{}`", missing.join("`, `")),
                    )
                    .label("incomplete for Roles Anywhere")
                    .also(id.span, "Roles Anywhere")
                    .help("allow `sts:AssumeRole`, `sts:SetSourceIdentity` and `sts:TagSession`")
                    .issue_code("MISSING_ACTION_FOR_ROLES_ANYWHERE_TRUST_POLICY"),
            );
        }
    }
}

/// `arn:aws:sts::A:assumed-role/R/S` beside `arn:aws:iam::A:role/…/R`.
fn redundant_sessions(cx: &PolicyCx<'_>, out: &mut Findings) {
    let aws: Vec<&crate::source::Spanned<String>> = cx
        .statements()
        .filter(|s| is_allow(s))
        .flat_map(|s| principals(s))
        .filter(|(kind, _)| *kind == PrincipalKind::Aws)
        .map(|(_, id)| id)
        .collect();
    let role_of = |id: &str| -> Option<(String, String)> {
        let fields: Vec<&str> = id.splitn(6, ':').collect();
        match fields.as_slice() {
            ["arn", p, "iam", "", account, resource] => {
                let name = resource.strip_prefix("role/")?.rsplit('/').next()?;
                Some((format!("{p}:{account}"), name.to_owned()))
            }
            _ => None,
        }
    };
    let roles: Vec<(String, String)> = aws.iter().filter_map(|id| role_of(id)).collect();
    for id in &aws {
        let fields: Vec<&str> = id.splitn(6, ':').collect();
        let ["arn", p, "sts", "", account, resource] = fields.as_slice() else {
            continue;
        };
        let Some(role) = resource.strip_prefix("assumed-role/").and_then(|r| r.split('/').next()) else {
            continue;
        };
        if roles.contains(&(format!("{p}:{account}"), role.to_owned())) {
            out.push(
                RULE.info
                    .finding(
                        id.span,
                        format!("the session `{id}` is redundant with its role `{role}`"),
                    )
                    .label("already trusted through its role")
                    .help("remove the session; the role's trust covers every session of it")
                    .severity(Severity::Suggestion)
                    .issue_code("REDUNDANT_PRINCIPAL_IN_ROLE_TRUST_POLICY"),
            );
        }
    }
}
