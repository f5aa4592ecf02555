//! `missing-action-for-condition-key`: a condition key whose value only one
//! action sets, in a statement whose actions do not include that action.

use super::{Check, Rule, RuleInfo};
use crate::lint::context::{covers_action, Findings, PolicyCx};
use crate::lint::finding::Severity;

pub static RULE: Rule = Rule {
    info: RuleInfo {
        name: "missing-action-for-condition-key",
        severity: Severity::Error,
        access_analyzer: Some("MISSING_ACTION_FOR_CONDITION_KEY"),
        summary: "A condition key is set by one action only, and the statement does not include it.",
        rationale: "Some condition keys exist only in the request of a single action: `iam:PassedToService` \
and `iam:AssociatedResourceArn` in `iam:PassRole`, `iam:AWSServiceName` in `iam:CreateServiceLinkedRole`, \
`kms:GrantOperations`, `kms:GranteePrincipal` and `kms:RetiringPrincipal` in `kms:CreateGrant`, \
`kms:ValidTo` and `kms:ExpirationModel` in `kms:ImportKeyMaterial`, and so on. Without that action in the \
`Action` block the key is never in the request context, so the condition never holds as written: an \
`Allow` allows nothing, and a `Deny` guards nothing.",
        bad: r#""Action": "ec2:RunInstances",
"Condition": {"StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}}"#,
        good: r#""Action": ["ec2:RunInstances", "iam:PassRole"],
"Condition": {"StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}}"#,
    },
    check: Check::Policy(check),
};

/// Condition keys and the one action whose requests carry them.
const KEYS: &[(&str, &str)] = &[
    ("iam:PassedToService", "iam:PassRole"),
    ("iam:AssociatedResourceArn", "iam:PassRole"),
    ("iam:AWSServiceName", "iam:CreateServiceLinkedRole"),
    ("kms:GrantOperations", "kms:CreateGrant"),
    ("kms:GranteePrincipal", "kms:CreateGrant"),
    ("kms:RetiringPrincipal", "kms:CreateGrant"),
    ("kms:RotationPeriodInDays", "kms:EnableKeyRotation"),
    ("kms:ScheduleKeyDeletionPendingWindowInDays", "kms:ScheduleKeyDeletion"),
    ("kms:ReplicaRegion", "kms:ReplicateKey"),
    ("kms:PrimaryRegion", "kms:UpdatePrimaryRegion"),
    ("kms:WrappingAlgorithm", "kms:GetParametersForImport"),
    ("kms:ExpirationModel", "kms:ImportKeyMaterial"),
    ("kms:ValidTo", "kms:ImportKeyMaterial"),
];

/// The only action that sets `key`, if `key` is one of those.
pub fn required_action(key: &str) -> Option<&'static str> {
    KEYS.iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|&(_, action)| action)
}

fn check(cx: &PolicyCx<'_>, out: &mut Findings) {
    for statement in cx.statements() {
        for (_, entry) in PolicyCx::conditions(statement) {
            let Some(action) = required_action(&entry.key) else {
                continue;
            };
            if covers_action(statement, action) {
                continue;
            }
            out.push(
                RULE.info
                    .finding(
                        entry.key.span,
                        format!(
                            "`{}` is set only by `{action}`, which this statement does not include",
                            entry.key.node
                        ),
                    )
                    .label("never in the request context")
                    .also(statement.action.span, format!("no `{action}` here"))
                    .help(format!("add `{action}` to the action block, or remove the condition")),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_map_to_the_action_that_sets_them_without_case() {
        assert_eq!(required_action("IAM:passedtoservice"), Some("iam:PassRole"));
        assert_eq!(required_action("kms:ValidTo"), Some("kms:ImportKeyMaterial"));
        assert_eq!(required_action("kms:ViaService"), None);
    }
}
