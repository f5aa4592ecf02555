//! Service-specific evaluation facts, as data: which resource policies must
//! name the principal (or trust its account) before identity policies count,
//! and which services resource control policies cover. Everything else
//! follows the general IAM logic.
//!
//! Sources: [IAM] reference_policies_evaluation-logic.html ("KMS key
//! policies and IAM role trust policies" must allow explicitly); [ORG]
//! orgs_manage_policies_rcps.html, "List of AWS services that support RCPs".

/// Actions whose resource policy must allow the principal (or delegate to
/// its account) even inside one account: an identity policy alone never
/// suffices. `(service, action prefix)`; an empty prefix means every action.
const RESOURCE_POLICY_REQUIRED: &[(&str, &str)] = &[
    ("kms", ""),
    // A role's trust policy decides who may assume it.
    ("sts", "AssumeRole"),
];

/// Services whose resources RCPs cover.
const RCP_SERVICES: &[&str] = &["s3", "sts", "kms", "sqs", "secretsmanager"];

fn split(action: &str) -> (&str, &str) {
    action.split_once(':').unwrap_or((action, ""))
}

/// Must the resource policy allow `action` explicitly (identity alone is not enough)?
pub fn resource_policy_required(action: &str) -> bool {
    let (service, name) = split(action);
    RESOURCE_POLICY_REQUIRED.iter().any(|(s, prefix)| {
        service.eq_ignore_ascii_case(s)
            && name
                .get(..prefix.len())
                .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
    })
}

/// Do resource control policies apply to `action`'s service?
pub fn rcps_cover(action: &str) -> bool {
    let (service, _) = split(action);
    RCP_SERVICES.iter().any(|s| service.eq_ignore_ascii_case(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_policies_and_trust_policies_must_allow_explicitly() {
        assert!(resource_policy_required("kms:Decrypt"));
        assert!(resource_policy_required("sts:AssumeRole"));
        assert!(resource_policy_required("STS:assumerolewithwebidentity"));
        assert!(!resource_policy_required("sts:GetCallerIdentity"));
        assert!(!resource_policy_required("s3:GetObject"));
    }

    #[test]
    fn rcps_cover_their_five_services() {
        assert!(rcps_cover("s3:GetObject"));
        assert!(rcps_cover("sqs:SendMessage"));
        assert!(!rcps_cover("iam:PassRole"));
    }
}
