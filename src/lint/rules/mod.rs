//! The rules, one file each. A [`Rule`] is its documentation ([`RuleInfo`]:
//! name, severity, the matching Access Analyzer issue code, rationale, a bad
//! and a good example) and a check over a policy or over grants. [`ALL`] is
//! the registry the linter runs, `--list-rules` lists and `--explain` prints.

use std::fmt::Write as _;

use super::context::{Findings, GrantsCx, PolicyCx};
use super::finding::{Finding, Severity};
use crate::source::Span;

mod names;
mod role_wildcard;

mod admin_can_use_key;
mod algorithm_incompatible_with_key_spec;
mod allow_with_not_principal;
mod condition_type_mismatch;
mod condition_value_count;
mod condition_value_format;
mod condition_value_json_types;
mod create_slr_wildcard;
mod deprecated_condition_key;
mod duplicate_condition_key_case;
mod duplicate_sid;
mod empty_condition;
mod empty_sid;
mod forallvalues_single_valued_key;
mod grant_decrypt_without_context;
mod grant_incompatible_operations;
mod grant_permission_without_aws_resource;
mod identity_policy_size;
mod irrelevant_condition_key;
mod key_lockout;
mod key_policy_resource;
mod key_policy_size;
mod kms_wildcard_for_non_account;
mod missing_account_principal;
mod missing_action_for_condition_key;
mod missing_paired_condition_key;
mod missing_set_qualifier;
mod missing_tag_key;
mod missing_version;
mod no_effect_in_key_policy;
mod oidc_trust_conditions;
mod organizations_policy_size;
mod pass_role_wildcard;
mod policy_variable;
mod principal_format;
mod public_key_access;
mod redundant_action;
mod redundant_resource;
mod redundant_statement;
mod resource_arn_format;
mod resource_type_mismatch;
mod resource_type_support;
pub(crate) mod role_trust_syntax;
mod scp_syntax;
mod service_principal_condition_key;
mod service_principal_without_source;
mod sid_characters;
mod source_ip_range;
mod statement_never_matches;
mod string_like_on_arn_key;
mod tag_key_unsupported_by_service;
mod trust_policy_size;
mod uncatalogued_name;
mod unknown_action;
mod unknown_condition_key;
mod unknown_kms_value;
mod unlikely_date_value;
mod unsupported_condition_key;
mod unsupported_principal_type;
mod via_service_value;
mod wildcard_in_service_name;
mod wildcard_without_like_operator;

/// A rule's documentation.
#[derive(Debug)]
pub struct RuleInfo {
    /// Stable, kebab-case; the finding's code in every output format.
    pub name: &'static str,
    pub severity: Severity,
    /// The IAM Access Analyzer `ValidatePolicy` issue code this rule matches.
    pub access_analyzer: Option<&'static str>,
    pub summary: &'static str,
    pub rationale: &'static str,
    pub bad: &'static str,
    pub good: &'static str,
}

impl RuleInfo {
    /// A finding of this rule at its own severity.
    pub fn finding(&self, span: Span, message: impl Into<String>) -> Finding {
        let finding = Finding::new(self.name, self.severity, span, message);
        match self.access_analyzer {
            Some(code) => finding.issue_code(code),
            None => finding,
        }
    }
}

/// What a rule looks at.
#[derive(Clone, Copy, Debug)]
pub enum Check {
    Policy(fn(&PolicyCx<'_>, &mut Findings)),
    Grants(fn(&GrantsCx<'_>, &mut Findings)),
}

#[derive(Debug)]
pub struct Rule {
    pub info: RuleInfo,
    pub check: Check,
}

/// Every rule, by name.
pub static ALL: &[&Rule] = &[
    &admin_can_use_key::RULE,
    &algorithm_incompatible_with_key_spec::RULE,
    &allow_with_not_principal::RULE,
    &condition_type_mismatch::RULE,
    &condition_value_count::RULE,
    &condition_value_format::RULE,
    &condition_value_json_types::RULE,
    &create_slr_wildcard::RULE,
    &deprecated_condition_key::RULE,
    &duplicate_condition_key_case::RULE,
    &duplicate_sid::RULE,
    &empty_condition::RULE,
    &empty_sid::RULE,
    &forallvalues_single_valued_key::RULE,
    &grant_decrypt_without_context::RULE,
    &grant_incompatible_operations::RULE,
    &grant_permission_without_aws_resource::RULE,
    &identity_policy_size::RULE,
    &irrelevant_condition_key::RULE,
    &key_lockout::RULE,
    &key_policy_resource::RULE,
    &key_policy_size::RULE,
    &kms_wildcard_for_non_account::RULE,
    &missing_account_principal::RULE,
    &missing_action_for_condition_key::RULE,
    &missing_paired_condition_key::RULE,
    &missing_set_qualifier::RULE,
    &missing_tag_key::RULE,
    &missing_version::RULE,
    &no_effect_in_key_policy::RULE,
    &organizations_policy_size::RULE,
    &trust_policy_size::RULE,
    &oidc_trust_conditions::RULE,
    &role_trust_syntax::RULE,
    &scp_syntax::RULE,
    &pass_role_wildcard::RULE,
    &policy_variable::RULE,
    &principal_format::RULE,
    &public_key_access::RULE,
    &redundant_action::RULE,
    &redundant_resource::RULE,
    &redundant_statement::RULE,
    &resource_arn_format::RULE,
    &resource_type_mismatch::RULE,
    &resource_type_support::RULE,
    &service_principal_condition_key::RULE,
    &service_principal_without_source::RULE,
    &sid_characters::RULE,
    &source_ip_range::RULE,
    &statement_never_matches::RULE,
    &string_like_on_arn_key::RULE,
    &tag_key_unsupported_by_service::RULE,
    &uncatalogued_name::RULE,
    &unknown_action::RULE,
    &unknown_condition_key::RULE,
    &unknown_kms_value::RULE,
    &unlikely_date_value::RULE,
    &unsupported_condition_key::RULE,
    &unsupported_principal_type::RULE,
    &via_service_value::RULE,
    &wildcard_in_service_name::RULE,
    &wildcard_without_like_operator::RULE,
];

/// A rule by its name, or by an Access Analyzer issue code it reports
/// (`PASS_ROLE_WITH_NOT_RESOURCE` finds `pass-role-wildcard`). The
/// `keyward::lint::<name>` of earlier releases' human output is accepted.
pub fn find(name: &str) -> Option<&'static Rule> {
    let name = name.strip_prefix("keyward::lint::").unwrap_or(name);
    if let Some(rule) = ALL.iter().copied().find(|r| r.info.name == name) {
        return Some(rule);
    }
    let code = name.to_ascii_uppercase();
    crate::lint::access_analyzer::finding_type(&code)?;
    ALL.iter()
        .copied()
        .find(|r| r.info.access_analyzer == Some(code.as_str()))
        .or_else(|| {
            ALL.iter().copied().find(|r| {
                r.info
                    .rationale
                    .split(|c: char| !(c.is_ascii_uppercase() || c == '_'))
                    .any(|w| w == code)
            })
        })
}

/// What `keyward lint --explain RULE` prints.
pub fn explain(rule: &Rule) -> String {
    let info = &rule.info;
    let mut text = format!(
        "{} ({})\n\n{}\n\n{}\n",
        info.name, info.severity, info.summary, info.rationale
    );
    if let Some(code) = info.access_analyzer {
        let _ = writeln!(text, "\nIAM Access Analyzer issue code: {code}");
    }
    let _ = write!(
        text,
        "\nBad:\n{}\n\nGood:\n{}\n\nConfigure in keyward.toml:\n  [rules]\n  {} = \"error\" | \"warning\" | \"off\"\n",
        indent(info.bad),
        indent(info.good),
        info.name
    );
    text
}

fn indent(text: &str) -> String {
    text.lines().map(|l| format!("    {l}")).collect::<Vec<_>>().join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn access_analyzer_codes_find_their_rule() {
        let by_code = |code: &str| find(code).map(|r| r.info.name);
        assert_eq!(by_code("PASS_ROLE_WITH_NOT_RESOURCE"), Some("pass-role-wildcard"));
        assert_eq!(
            by_code("create_slr_with_star_in_action_and_resource"),
            Some("create-slr-wildcard")
        );
        assert_eq!(by_code("INVALID_ACTION"), Some("unknown-action"));
        assert_eq!(by_code("NOT_A_CODE"), None);
    }

    #[test]
    fn names_are_unique_kebab_case_and_documented() {
        let mut names: Vec<&str> = ALL.iter().map(|r| r.info.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), ALL.len(), "duplicate rule names");
        for rule in ALL {
            let info = &rule.info;
            assert!(
                info.name.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
                "{}",
                info.name
            );
            assert!(!info.summary.is_empty() && !info.rationale.is_empty(), "{}", info.name);
            assert!(info.bad != info.good, "{}", info.name);
        }
    }
}
