//! `oidc-trust-conditions`: a role trusted by an OpenID Connect provider
//! without conditions on the provider's claims lets anyone with a token
//! from that provider assume it (IAM User Guide, "Create a role for OpenID
//! Connect federation"; for GitHub Actions, the `sub` claim names the
//! repository and branch).

use super::role_trust_syntax::{federation, Federation};
use super::{Check, Rule, RuleInfo};
use crate::lint::context::{is_allow, principals, Findings, PolicyCx};
use crate::lint::finding::Severity;
use crate::lint::PolicyType;
use crate::policy::PrincipalKind;

pub static RULE: Rule = Rule {
    info: RuleInfo {
        name: "oidc-trust-conditions",
        severity: Severity::Security,
        access_analyzer: Some("MISSING_CONDITION_KEY_FOR_OIDC_PRINCIPAL"),
        summary: "A role trusts an OpenID Connect provider without conditions on its token's claims.",
        rationale: "Any token the provider issues, to anyone, can assume a role that trusts an OIDC provider with \
no condition on its claims (MISSING_CONDITION_KEY_FOR_OIDC_PRINCIPAL). For GitHub Actions \
(`token.actions.githubusercontent.com`) every repository on GitHub can, unless `…:sub` names yours \
(MISSING_GITHUB_REPO_CONDITION_KEY); a `*` in that `sub` lets more repositories or branches in than \
intended (SPECIFIC_GITHUB_REPO_AND_BRANCH_RECOMMENDED, a warning). The `aud` claim may hold one value or \
several: with `ForAnyValue:`/`ForAllValues:` confirm which the provider sends (CONFIRM_AUDIENCE_CLAIM_TYPE, a \
suggestion).",
        bad: r#"{"Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity",
 "Principal": {"Federated": "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"}}"#,
        good: r#"{"Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity",
 "Principal": {"Federated": "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"},
 "Condition": {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
   "token.actions.githubusercontent.com:sub": "repo:octo-org/octo-repo:ref:refs/heads/main"}}}"#,
    },
    check: Check::Policy(check),
};

const GITHUB: &str = "token.actions.githubusercontent.com";

fn check(cx: &PolicyCx<'_>, out: &mut Findings) {
    if !matches!(cx.ty, PolicyType::RoleTrust | PolicyType::Resource) {
        return;
    }
    for statement in cx.statements().filter(|s| is_allow(s)) {
        for (kind, id) in principals(statement) {
            let Some(Federation::Oidc(host)) = (kind == PrincipalKind::Federated).then(|| federation(id)).flatten()
            else {
                continue;
            };
            let prefix = format!("{}:", host.to_ascii_lowercase());
            let claims: Vec<_> = PolicyCx::conditions(statement)
                .filter(|(_, e)| e.key.to_ascii_lowercase().starts_with(&prefix))
                .collect();
            let is_github = host.eq_ignore_ascii_case(GITHUB);
            let sub: Vec<_> = claims
                .iter()
                .filter(|(_, e)| e.key.to_ascii_lowercase().ends_with(":sub"))
                .collect();
            if is_github && sub.is_empty() {
                out.push(
                    RULE.info
                        .finding(id.span, "every GitHub repository can assume this role")
                        .label("no condition on `token.actions.githubusercontent.com:sub`")
                        .help("add `\"StringEquals\": {\"token.actions.githubusercontent.com:sub\": \"repo:<org>/<repo>:ref:refs/heads/<branch>\"}`")
                        .issue_code("MISSING_GITHUB_REPO_CONDITION_KEY"),
                );
            } else if claims.is_empty() {
                out.push(
                    RULE.info
                        .finding(
                            id.span,
                            format!("anyone with a token from `{host}` can assume this role"),
                        )
                        .label("no condition on the token's claims")
                        .help(format!(
                            "add a condition on `{host}:aud` (and `{host}:sub`) naming your application"
                        )),
                );
            }
            for (_, entry) in sub.iter().filter(|_| is_github) {
                for value in entry.values.iter().filter(|v| v.as_text().contains('*')) {
                    out.push(
                        RULE.info
                            .finding(
                                value.span,
                                format!("`{}` lets more repositories or branches in", value.as_text()),
                            )
                            .label("wildcard in `sub`")
                            .help("name the repository and branch: `repo:<org>/<repo>:ref:refs/heads/<branch>`")
                            .severity(Severity::Warning)
                            .issue_code("SPECIFIC_GITHUB_REPO_AND_BRANCH_RECOMMENDED"),
                    );
                }
            }
            for (operator, entry) in &claims {
                if operator.qualifier.is_some() && entry.key.to_ascii_lowercase().ends_with(":aud") {
                    out.push(
                        RULE.info
                            .finding(entry.key.span, format!("`{}` may hold one audience or several", entry.key.as_str()))
                            .label("set operator on the audience claim")
                            .also(operator.span, "set operator")
                            .help("confirm whether the provider sends `aud` as a string or a list, and use the operator that fits")
                            .severity(Severity::Suggestion)
                            .issue_code("CONFIRM_AUDIENCE_CLAIM_TYPE"),
                    );
                }
            }
        }
    }
}
