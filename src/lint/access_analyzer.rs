//! IAM Access Analyzer's `ValidatePolicy` issue codes and the finding type
//! (`ERROR`, `SECURITY_WARNING`, `WARNING`, `SUGGESTION`) AWS gives each, from
//! the policy-check reference (`reference/lint-checks.md` in the project notes).

/// An Access Analyzer finding type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FindingType {
    Error,
    SecurityWarning,
    Warning,
    Suggestion,
}

impl FindingType {
    pub const fn as_str(self) -> &'static str {
        match self {
            FindingType::Error => "ERROR",
            FindingType::SecurityWarning => "SECURITY_WARNING",
            FindingType::Warning => "WARNING",
            FindingType::Suggestion => "SUGGESTION",
        }
    }
}

const ERRORS: &[&str] = &[
    "ARN_ACCOUNT_NOT_ALLOWED",
    "ARN_REGION_NOT_ALLOWED",
    "DATA_TYPE_MISMATCH",
    "DUPLICATE_KEYS_WITH_DIFFERENT_CASE",
    "EMPTY_VARIABLE",
    "FEDERATED_PRINCIPAL_NOT_SUPPORTED",
    "INVALID_ACTION",
    "INVALID_ARN_ACCOUNT",
    "INVALID_ARN_PREFIX",
    "INVALID_ARN_REGION",
    "INVALID_ARN_RESOURCE",
    "INVALID_ARN_SERVICE_CASE",
    "INVALID_CONDITION_DATA_TYPE",
    "INVALID_CONDITION_KEY_FORMAT",
    "INVALID_CONDITION_MULTIPLE_BOOLEAN",
    "INVALID_CONDITION_OPERATOR",
    "INVALID_EFFECT",
    "INVALID_FEDERATED_PRINCIPAL_SYNTAX_IN_ROLE_TRUST_POLICY",
    "INVALID_GLOBAL_CONDITION_KEY",
    "INVALID_PARTITION",
    "INVALID_POLICY_ELEMENT",
    "INVALID_PRINCIPAL_FORMAT",
    "INVALID_PRINCIPAL_KEY",
    "INVALID_REGION",
    "INVALID_SERVICE",
    "INVALID_SERVICE_CONDITION_KEY",
    "INVALID_SERVICE_IN_ACTION",
    "INVALID_SERVICE_PRINCIPAL_FORMAT",
    "INVALID_VARIABLE_FOR_OPERATOR",
    "INVALID_VERSION",
    "INVALID_VPCE_FORMAT",
    "INVALID_VPC_FORMAT",
    "JSON_SYNTAX_ERROR",
    "MISMATCHED_ACTION_FOR_PRINCIPAL",
    "MISSING_ACTION",
    "MISSING_ACTION_FOR_CONDITION_KEY",
    "MISSING_ACTION_FOR_ROLES_ANYWHERE_TRUST_POLICY",
    "MISSING_ARN_FIELD",
    "MISSING_ARN_REGION",
    "MISSING_BRACE_IN_VARIABLE",
    "MISSING_EFFECT",
    "MISSING_PRINCIPAL",
    "MISSING_QUALIFIER",
    "MISSING_QUOTE_IN_VARIABLE",
    "MISSING_RESOURCE",
    "MISSING_STATEMENT",
    "MISSING_TAG_KEY_IN_CONDITION",
    "NULL_WITH_IF_EXISTS",
    "POLICY_SIZE_EXCEEDS_SCP_QUOTA",
    "PRIVATE_IP_ADDRESS",
    "PRIVATE_NOT_IP_ADDRESS",
    "ROLE_TRUST_POLICY_SYNTAX_ERROR_NOTPRINCIPAL",
    "ROLE_TRUST_POLICY_SYNTAX_ERROR_RESOURCE",
    "ROLE_TRUST_POLICY_UNSUPPORTED_WILDCARD_IN_PRINCIPAL",
    "SCP_SYNTAX_ERROR_ACTION_WILDCARD",
    "SCP_SYNTAX_ERROR_ALLOW_CONDITION",
    "SCP_SYNTAX_ERROR_ALLOW_NOTACTION",
    "SCP_SYNTAX_ERROR_ALLOW_RESOURCE",
    "SCP_SYNTAX_ERROR_NOTRESOURCE",
    "SCP_SYNTAX_ERROR_PRINCIPAL",
    "UNIQUE_SIDS_REQUIRED",
    "UNSUPPORTED_ACTION_FOR_CONDITION_KEY",
    "UNSUPPORTED_ACTION_IN_POLICY",
    "UNSUPPORTED_CONDITION_KEY_FOR_SERVICE_PRINCIPAL",
    "UNSUPPORTED_ELEMENT_COMBINATION",
    "UNSUPPORTED_GLOBAL_CONDITION_KEY",
    "UNSUPPORTED_PRINCIPAL",
    "UNSUPPORTED_RESOURCE_ARN_IN_POLICY",
    "UNSUPPORTED_SID",
    "UNSUPPORTED_SPACE_IN_VARIABLE",
    "UNSUPPORTED_WILDCARD_IN_PRINCIPAL",
    "VARIABLE_UNSUPPORTED_IN_ELEMENT",
    "VARIABLE_UNSUPPORTED_IN_VERSION",
];

const WARNINGS: &[&str] = &[
    "CREATE_SLR_WITH_NOT_ACTION_AND_NOT_RESOURCE",
    "CREATE_SLR_WITH_NOT_RESOURCE",
    "CREATE_SLR_WITH_STAR_IN_ACTION_AND_NOT_RESOURCE",
    "CREATE_SLR_WITH_STAR_IN_ACTION_AND_RESOURCE",
    "CREATE_SLR_WITH_STAR_IN_RESOURCE",
    "CREATE_SLR_WITH_STAR_IN_RESOURCE_AND_NOT_ACTION",
    "DEPRECATED_GLOBAL_CONDITION_KEY",
    "INVALID_DATE_VALUE",
    "INVALID_ROLE_REFERENCE",
    "INVALID_USER_REFERENCE",
    "MISSING_VERSION",
    "POLICY_SIZE_EXCEEDS_IDENTITY_POLICY_QUOTA",
    "POLICY_SIZE_EXCEEDS_RESOURCE_POLICY_QUOTA",
    "POLICY_SIZE_EXCEEDS_ROLE_TRUST_POLICY_QUOTA",
    "SPECIFIC_GITHUB_REPO_AND_BRANCH_RECOMMENDED",
    "TYPE_MISMATCH",
    "TYPE_MISMATCH_BOOLEAN",
    "TYPE_MISMATCH_DATE",
    "TYPE_MISMATCH_IP_RANGE",
    "TYPE_MISMATCH_NUMBER",
    "TYPE_MISMATCH_STRING",
    "UNIQUE_SIDS_RECOMMENDED",
    "WILDCARD_WITHOUT_LIKE_OPERATOR",
];

const SECURITY_WARNINGS: &[&str] = &[
    "ALLOW_WITH_NOT_PRINCIPAL",
    "DENY_NOTACTION_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE",
    "DENY_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE",
    "FORALLVALUES_WITH_SINGLE_VALUED_KEY",
    "MISSING_CONDITION_KEY_FOR_OIDC_PRINCIPAL",
    "MISSING_GITHUB_REPO_CONDITION_KEY",
    "MISSING_PAIRED_CONDITION_KEYS",
    "PASS_ROLE_WITH_NOT_ACTION_AND_NOT_RESOURCE",
    "PASS_ROLE_WITH_NOT_RESOURCE",
    "PASS_ROLE_WITH_STAR_IN_ACTION_AND_NOT_RESOURCE",
    "PASS_ROLE_WITH_STAR_IN_ACTION_AND_RESOURCE",
    "PASS_ROLE_WITH_STAR_IN_RESOURCE",
    "PASS_ROLE_WITH_STAR_IN_RESOURCE_AND_NOT_ACTION",
    "RESTRICT_ACCESS_TO_SERVICE_PRINCIPAL",
    "STRING_LIKE_OPERATOR_WITH_ARN_CONDITION_KEYS",
];

const SUGGESTIONS: &[&str] = &[
    "ALLOW_NOTACTION_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE",
    "ALLOW_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE",
    "CONFIRM_AUDIENCE_CLAIM_TYPE",
    "EMPTY_ARRAY_ACTION",
    "EMPTY_ARRAY_CONDITION",
    "EMPTY_ARRAY_CONDITION_FORALLVALUES",
    "EMPTY_ARRAY_CONDITION_FORANYVALUE",
    "EMPTY_ARRAY_CONDITION_IFEXISTS",
    "EMPTY_ARRAY_PRINCIPAL",
    "EMPTY_ARRAY_RESOURCE",
    "EMPTY_OBJECT_CONDITION",
    "EMPTY_OBJECT_PRINCIPAL",
    "EMPTY_SID_VALUE",
    "IMPROVE_IP_RANGE",
    "IRRELEVANT_CONDITION_KEY_IN_POLICY",
    "NULL_WITH_QUALIFIER",
    "PRIVATE_IP_ADDRESS_SUBSET",
    "PRIVATE_NOT_IP_ADDRESS_SUBSET",
    "RECOMMENDED_CONDITION_KEY_FOR_SERVICE_PRINCIPAL",
    "REDUNDANT_ACTION",
    "REDUNDANT_CONDITION_VALUE_NUM",
    "REDUNDANT_PRINCIPAL_IN_ROLE_TRUST_POLICY",
    "REDUNDANT_RESOURCE",
    "REDUNDANT_STATEMENT",
    "WILDCARD_IN_SERVICE_NAME",
];

/// The codes no keyward finding carries, and why: each is about a policy
/// type or an input keyward does not lint. Every other code is reported by
/// a rule or by the reader (the test `every_access_analyzer_code_is_covered`
/// holds both lists to that).
pub const NOT_COVERED: &[(&str, &str)] = &[
    (
        "UNSUPPORTED_RESOURCE_ARN_IN_POLICY",
        "only for resource policies validated for a given resource type (an S3 bucket, an access point, a DynamoDB table); keyward lints resource policies without one",
    ),
    (
        "UNSUPPORTED_GLOBAL_CONDITION_KEY",
        "AA's one example is `aws:ARN`, which keyward reports as deprecated (DEPRECATED_GLOBAL_CONDITION_KEY) because IAM still evaluates it",
    ),
    (
        "INVALID_ARN_RESOURCE",
        "a resource part that matches none of the service's ARN formats; keyward's catalogue of formats lags new resource types, so it reports only the Region and account fields against them, and `resource-type-mismatch` reports ARNs no action of the statement takes",
    ),
    (
        "INVALID_CONDITION_DATA_TYPE",
        "the reference gives no trigger beyond those of DATA_TYPE_MISMATCH and the TYPE_MISMATCH_* family, which keyward reports",
    ),
    (
        "RESTRICT_ACCESS_TO_SERVICE_PRINCIPAL",
        "the reference does not tell it apart from RECOMMENDED_CONDITION_KEY_FOR_SERVICE_PRINCIPAL, which `service-principal-without-source` reports for the same statements",
    ),
];

/// The finding type Access Analyzer reports `code` with.
pub fn finding_type(code: &str) -> Option<FindingType> {
    [
        (ERRORS, FindingType::Error),
        (SECURITY_WARNINGS, FindingType::SecurityWarning),
        (WARNINGS, FindingType::Warning),
        (SUGGESTIONS, FindingType::Suggestion),
    ]
    .into_iter()
    .find(|(codes, _)| codes.contains(&code))
    .map(|(_, ty)| ty)
}

/// Every code, for `--explain` and the documentation test.
pub fn codes() -> impl Iterator<Item = &'static str> {
    [ERRORS, SECURITY_WARNINGS, WARNINGS, SUGGESTIONS]
        .into_iter()
        .flatten()
        .copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_have_one_type_each() {
        assert_eq!(
            finding_type("PASS_ROLE_WITH_STAR_IN_RESOURCE"),
            Some(FindingType::SecurityWarning)
        );
        assert_eq!(
            finding_type("CREATE_SLR_WITH_STAR_IN_RESOURCE"),
            Some(FindingType::Warning)
        );
        assert_eq!(finding_type("INVALID_ACTION"), Some(FindingType::Error));
        let mut all: Vec<&str> = codes().collect();
        let n = all.len();
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), n);
    }
}
