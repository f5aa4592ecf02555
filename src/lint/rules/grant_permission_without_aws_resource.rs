//! `grant-permission-without-aws-resource`: key users allowed to manage
//! grants without the `kms:GrantIsForAWSResource` condition the console's
//! default key policy puts on that statement.

use super::{Check, Rule, RuleInfo};
use crate::lint::context::{account_principal, covers_action, is_allow, principals, Findings, PolicyCx};
use crate::lint::finding::Severity;
use crate::policy::PrincipalKind;

pub static RULE: Rule = Rule {
    info: RuleInfo {
        name: "grant-permission-without-aws-resource",
        severity: Severity::Suggestion,
        access_analyzer: None,
        summary: "Key users may create grants for anyone, not only for AWS services.",
        rationale: "The console's default key policy lets key users call `kms:CreateGrant`, `kms:ListGrants` and \
`kms:RevokeGrant` only with `\"Bool\": {\"kms:GrantIsForAWSResource\": \"true\"}`, so that integrated \
services (EBS, RDS, …) can create grants for them while the users cannot hand the key to others. A \
statement that allows `kms:CreateGrant` by name, to principals that are not key administrators, should \
keep that condition (or another grant condition such as `kms:GranteePrincipal`).",
        bad: r#"{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/App"},
 "Action": ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"], "Resource": "*"}"#,
        good: r#"{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/App"},
 "Action": ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"], "Resource": "*",
 "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}}}"#,
    },
    check: Check::Policy(check),
};

/// Conditions that already limit the grants a principal can create.
const GRANT_CONDITIONS: &[&str] = &[
    "kms:GrantIsForAWSResource",
    "kms:GranteePrincipal",
    "kms:GrantOperations",
    "kms:GrantConstraintType",
    "kms:RetiringPrincipal",
    "kms:ViaService",
];

fn check(cx: &PolicyCx<'_>, out: &mut Findings) {
    if !cx.is_key_policy() {
        return;
    }
    for statement in cx.statements() {
        if !is_allow(statement) || statement.action.negated {
            continue;
        }
        // Named explicitly: `kms:Create*` and `kms:*` are administrators' patterns.
        let Some(create_grant) = statement
            .action
            .value
            .iter()
            .find(|a| a.eq_ignore_ascii_case("kms:CreateGrant"))
        else {
            continue;
        };
        if covers_action(statement, "kms:PutKeyPolicy") {
            continue;
        }
        let limited = PolicyCx::conditions(statement)
            .any(|(_, entry)| GRANT_CONDITIONS.iter().any(|k| k.eq_ignore_ascii_case(&entry.key)));
        let to_users = principals(statement)
            .iter()
            .any(|(kind, id)| *kind == PrincipalKind::Aws && account_principal(id).is_none());
        if !limited && to_users {
            out.push(
                RULE.info
                    .finding(create_grant.span, "`kms:CreateGrant` is allowed without `kms:GrantIsForAWSResource`")
                    .label("grants for anyone")
                    .help("add `\"Condition\": {\"Bool\": {\"kms:GrantIsForAWSResource\": \"true\"}}` so only AWS services can create grants for these principals"),
            );
        }
    }
}
