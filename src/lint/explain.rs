//! `keyward lint --explain NAME`: the page of a rule, of a reader
//! diagnostic (`keyward::policy::missing-element`), or of any Access
//! Analyzer issue code keyward knows: the rule or reader check that
//! reports it, or why keyward does not.

use std::fmt::Write as _;

use super::access_analyzer::{self, NOT_COVERED};
use super::rules::{self, Rule};
use crate::policy::suggest;

/// The reader's checks (the document is refused before any rule runs):
/// their diagnostic code, what they catch, and the Access Analyzer codes
/// they carry (as `foundation::issue_code` assigns them).
const READER: &[(&str, &str, &[&str])] = &[
    (
        "keyward::json::syntax",
        "The document is not valid JSON (a missing comma or quote, a trailing comma, a stray character).",
        &["JSON_SYNTAX_ERROR"],
    ),
    (
        "keyward::policy::missing-element",
        "A required element is absent: `Statement`, or a statement's `Effect`, `Action`/`NotAction`, \
`Resource`/`NotResource` (identity policies, key policies) or `Principal`/`NotPrincipal` (resource policies).",
        &[
            "MISSING_EFFECT",
            "MISSING_ACTION",
            "MISSING_RESOURCE",
            "MISSING_PRINCIPAL",
            "MISSING_STATEMENT",
        ],
    ),
    (
        "keyward::policy::empty-statement",
        "A statement is `{}`; Access Analyzer reads it as a statement missing its effect.",
        &["MISSING_EFFECT"],
    ),
    (
        "keyward::policy::conflicting-elements",
        "A statement has both forms of one element (`Action` and `NotAction`, `Resource` and \
`NotResource`, `Principal` and `NotPrincipal`).",
        &["UNSUPPORTED_ELEMENT_COMBINATION"],
    ),
    (
        "keyward::policy::wrong-type",
        "An element has the wrong JSON type (an object where a string or a list of strings belongs, a \
number as `Effect`, …).",
        &["DATA_TYPE_MISMATCH"],
    ),
    (
        "keyward::policy::unknown-element",
        "An element the policy language does not have, at the top level, in a statement or in `Principal`.",
        &["INVALID_POLICY_ELEMENT", "INVALID_PRINCIPAL_KEY"],
    ),
    (
        "keyward::policy::misplaced-element",
        "An element this policy type does not take, such as `Principal` in an identity policy or an SCP.",
        &["UNSUPPORTED_PRINCIPAL", "SCP_SYNTAX_ERROR_PRINCIPAL"],
    ),
    (
        "keyward::policy::unknown-condition-operator",
        "A condition operator IAM does not have, or `Null` with `IfExists` or a set qualifier.",
        &[
            "INVALID_CONDITION_OPERATOR",
            "NULL_WITH_IF_EXISTS",
            "NULL_WITH_QUALIFIER",
        ],
    ),
    (
        "keyward::policy::invalid-effect",
        "`Effect` is neither `Allow` nor `Deny` (the case matters).",
        &["INVALID_EFFECT"],
    ),
    (
        "keyward::policy::invalid-version",
        "`Version` is neither `2012-10-17` nor `2008-10-17`.",
        &["INVALID_VERSION"],
    ),
    (
        "keyward::policy::empty-value",
        "An element or condition key with an empty list or object: `Action`, `Resource`, `Principal`, a \
principal type, or a condition key's values (the code depends on the operator above it).",
        &[
            "MISSING_STATEMENT",
            "EMPTY_ARRAY_ACTION",
            "EMPTY_ARRAY_RESOURCE",
            "EMPTY_OBJECT_PRINCIPAL",
            "EMPTY_ARRAY_PRINCIPAL",
            "EMPTY_ARRAY_CONDITION",
            "EMPTY_ARRAY_CONDITION_FORALLVALUES",
            "EMPTY_ARRAY_CONDITION_FORANYVALUE",
            "EMPTY_ARRAY_CONDITION_IFEXISTS",
        ],
    ),
    (
        "keyward::policy::invalid-principal",
        "A principal IAM does not accept: not an account, ARN, service or federated name, or with a \
partial wildcard (`arn:aws:iam::*:root`, `role/*`).",
        &["INVALID_PRINCIPAL_FORMAT", "UNSUPPORTED_WILDCARD_IN_PRINCIPAL"],
    ),
    (
        "keyward::policy::invalid-action",
        "An action that is not `service:Action` (or `*`).",
        &["INVALID_ACTION"],
    ),
    (
        "keyward::policy::invalid-resource",
        "A resource that is neither `*` nor an ARN (`arn:partition:service:…`).",
        &["INVALID_ARN_PREFIX"],
    ),
    (
        "keyward::policy::invalid-condition-key",
        "A condition key that is not `prefix:Name` (or holds characters keys never have).",
        &["INVALID_CONDITION_KEY_FORMAT"],
    ),
    (
        "keyward::policy::duplicate-sid",
        "Two statements share a `Sid`.",
        &["UNIQUE_SIDS_REQUIRED"],
    ),
    (
        "keyward::eval::invalid-condition-value",
        "A condition value its operator cannot read: not a number under `Numeric…`, not a date under \
`Date…`, not `true`/`false` under `Bool`, not an IP range under `IpAddress`, not base64 under \
`Binary…`, or a policy variable under an operator that takes none.",
        &[
            "TYPE_MISMATCH_NUMBER",
            "TYPE_MISMATCH_DATE",
            "TYPE_MISMATCH_BOOLEAN",
            "TYPE_MISMATCH_IP_RANGE",
            "TYPE_MISMATCH_STRING",
            "INVALID_VARIABLE_FOR_OPERATOR",
        ],
    ),
];

/// Codes a rule reports for some of its cases, beside the one its
/// `access_analyzer` names.
const PER_CASE: &[(&str, &str)] = &[
    ("INVALID_SERVICE", "unknown-condition-key"),
    ("INVALID_SERVICE_IN_ACTION", "unknown-action"),
    ("PRIVATE_NOT_IP_ADDRESS_SUBSET", "source-ip-range"),
];

/// The rule that reports Access Analyzer's `code` (upper case).
fn rule_for_code(code: &str) -> Option<&'static Rule> {
    PER_CASE
        .iter()
        .find(|(c, _)| *c == code)
        .and_then(|(_, rule)| rules::find(rule))
        .or_else(|| rules::find(code))
}

fn type_of(code: &str) -> &'static str {
    access_analyzer::finding_type(code).map_or("", |t| t.as_str())
}

fn reader_page(name: &str, what: &str, codes: &[&str]) -> String {
    let mut text = format!(
        "{name} (error)\n\n{what}\n\nThe reader reports it before any rule runs; `keyward check` refuses the \
document too, and it cannot be configured off.\n\nIAM Access Analyzer issue codes:\n"
    );
    for code in codes {
        let _ = writeln!(text, "  {code} ({})", type_of(code));
    }
    text
}

/// The page `--explain NAME` prints, or the error to print.
pub fn page(name: &str) -> Result<String, String> {
    let bare = name.strip_prefix("keyward::lint::").unwrap_or(name);
    if let Some(rule) = rules::ALL.iter().find(|r| r.info.name == bare) {
        return Ok(rules::explain(rule));
    }
    if let Some((reader, what, codes)) = READER.iter().find(|(n, _, _)| *n == name) {
        return Ok(reader_page(reader, what, codes));
    }
    let code = name.to_ascii_uppercase();
    if access_analyzer::finding_type(&code).is_some() {
        let header = format!("IAM Access Analyzer issue code {code} ({})\n\n", type_of(&code));
        let rule = rule_for_code(&code);
        let readers: Vec<_> = READER
            .iter()
            .filter(|(_, _, codes)| codes.contains(&code.as_str()))
            .collect();
        if rule.is_some() || !readers.is_empty() {
            let by: Vec<String> = rule
                .map(|r| format!("the rule `{}`", r.info.name))
                .into_iter()
                .chain(readers.iter().map(|(name, _, _)| format!("the reader as `{name}`")))
                .collect();
            let mut text = format!("{header}keyward reports it with {}.\n", by.join(", and with "));
            if let Some(rule) = rule {
                let _ = write!(text, "\n{}", rules::explain(rule));
            }
            for (name, what, codes) in readers {
                let _ = write!(text, "\n{}", reader_page(name, what, codes));
            }
            return Ok(text);
        }
        if let Some((_, why)) = NOT_COVERED.iter().find(|(c, _)| *c == code) {
            return Ok(format!("{header}keyward does not report this code: {why}.\n"));
        }
        return Err(format!("no keyward rule reports Access Analyzer's `{code}` yet"));
    }
    let names = rules::ALL
        .iter()
        .map(|r| r.info.name)
        .chain(READER.iter().map(|(n, _, _)| *n));
    Err(match suggest::closest(name, names) {
        Some(close) => format!("unknown rule `{name}`; did you mean `{close}`?"),
        None => format!("unknown rule `{name}`; `keyward lint --list-rules` lists them"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_access_analyzer_code_has_a_page_naming_it_and_its_type() {
        let missing: Vec<String> = access_analyzer::codes()
            .filter_map(|code| match page(code) {
                Ok(text) if text.contains(code) && text.contains(type_of(code)) => None,
                Ok(text) => Some(format!("{code}: page does not name it: {text}")),
                Err(e) => Some(format!("{code}: {e}")),
            })
            .collect();
        assert!(missing.is_empty(), "{}", missing.join("\n"));
    }

    #[test]
    fn codes_keyward_does_not_report_give_the_reason() {
        for (code, why) in NOT_COVERED {
            let text = page(&code.to_ascii_lowercase()).expect("a page");
            assert!(text.contains("does not report") && text.contains(why), "{text}");
        }
    }

    #[test]
    fn reader_diagnostics_have_pages_and_their_codes_are_access_analyzer_codes() {
        for (name, _, codes) in READER {
            let text = page(name).expect("a page");
            for code in *codes {
                assert!(access_analyzer::finding_type(code).is_some(), "{code}");
                assert!(text.contains(code), "{name}: {code}");
            }
        }
        let text = page("MISSING_ACTION").expect("a page");
        assert!(text.contains("keyward::policy::missing-element"), "{text}");
    }

    #[test]
    fn per_case_codes_point_at_their_rule() {
        for (code, rule) in PER_CASE {
            assert!(access_analyzer::finding_type(code).is_some(), "{code}");
            let text = page(code).expect("a page");
            assert!(text.contains(&format!("the rule `{rule}`")), "{text}");
        }
    }

    #[test]
    fn unknown_names_are_refused_with_a_suggestion() {
        assert_eq!(
            page("public-key-acess"),
            Err("unknown rule `public-key-acess`; did you mean `public-key-access`?".to_owned())
        );
        assert!(page("NOT_A_CODE").is_err());
    }
}
