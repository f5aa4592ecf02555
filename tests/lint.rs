//! `keyward lint`: every rule fires on its `policies/lint/<rule>.bad.json` and
//! not on its near miss `<rule>.good.json`; snapshots of the human and JSON
//! output of that corpus; the AWS documentation corpus has no error-class
//! finding; the SARIF log validates against the SARIF 2.1.0 schema.

use std::collections::BTreeMap;
use std::path::Path;

use keyward::lint::output::{self, Report};
use keyward::lint::{rules, Config, Finding, Linter, Severity};
use keyward::source::Source;

use super::corpus::json_files;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A corpus file as a source named by its path below `base`.
fn source(path: &Path, base: &Path) -> Source {
    let text = std::fs::read_to_string(path).expect("UTF-8 corpus file");
    let name = path.strip_prefix(base).unwrap_or(path).display().to_string();
    Source::new(name, text)
}

fn lint_file(name: &str) -> (Source, Vec<Finding>) {
    let dir = root().join("policies/lint");
    let source = source(&dir.join(name), &dir);
    // The rule about what a resource's own policy holds needs the resource.
    let linter = Linter {
        resource_type: name
            .starts_with("resource-type-support.")
            .then_some(keyward::lint::ResourceType::S3Bucket),
        ..Linter::default()
    };
    let findings = linter.lint(&source, fixture_kind(name));
    (source, findings)
}

/// The rules about SCPs need their fixtures read as SCPs; every other
/// fixture's kind is decided from its document.
fn fixture_kind(name: &str) -> Option<keyward::policy::DocumentKind> {
    ["scp-syntax.", "organizations-policy-size."]
        .iter()
        .any(|p| name.starts_with(p))
        .then_some(keyward::policy::DocumentKind::ServiceControlPolicy)
}

fn rules_of(findings: &[Finding]) -> Vec<&str> {
    findings.iter().map(|f| f.rule.as_str()).collect()
}

#[test]
fn every_rule_fires_on_its_bad_example_and_not_on_its_near_miss() {
    for rule in rules::ALL {
        let name = rule.info.name;
        let (_, bad) = lint_file(&format!("{name}.bad.json"));
        assert!(
            bad.iter().any(|f| f.rule == name),
            "{name}.bad.json: expected `{name}`, got {:?}",
            rules_of(&bad)
        );
        let (_, good) = lint_file(&format!("{name}.good.json"));
        assert!(
            !good.iter().any(|f| f.rule == name),
            "{name}.good.json: `{name}` fired: {:?}",
            good.iter()
                .filter(|f| f.rule == name)
                .map(|f| &f.message)
                .collect::<Vec<_>>()
        );
    }
}

#[test]
fn findings_of_a_rule_carry_its_severity_unless_the_rule_raises_it() {
    let (_, findings) = lint_file("forallvalues-single-valued-key.bad.json");
    let finding = findings
        .iter()
        .find(|f| f.rule == "forallvalues-single-valued-key")
        .expect("a finding");
    // KMS refuses ForAllValues on an encryption-context key in a key policy.
    assert_eq!(finding.severity, Severity::Error);
    let (_, findings) = lint_file("public-key-access.bad.json");
    assert!(findings
        .iter()
        .any(|f| f.rule == "public-key-access" && f.severity == Severity::Security));
}

#[test]
fn findings_underline_the_exact_text() {
    let cases = [
        ("unknown-action.bad.json", "unknown-action", "\"kms:Decrpyt\""),
        (
            "unknown-condition-key.bad.json",
            "unknown-condition-key",
            "\"kms:CallerAcount\"",
        ),
        ("public-key-access.bad.json", "public-key-access", "\"*\""),
        ("key-lockout.bad.json", "key-lockout", "\"Statement\""),
        (
            "via-service-value.bad.json",
            "via-service-value",
            "\"s3.amazonaws.com\"",
        ),
        ("sid-characters.bad.json", "sid-characters", "\"Allow KMS use\""),
    ];
    for (file, rule, text) in cases {
        let (source, findings) = lint_file(file);
        let finding = findings.iter().find(|f| f.rule == rule).expect(rule);
        assert_eq!(source.slice(finding.span), text, "{file}");
    }
}

#[test]
fn key_policies_get_no_identity_policy_findings() {
    // Sids with spaces and `Resource: "*"` are right in a key policy.
    let (_, findings) = lint_file("sid-characters.good.json");
    assert!(findings.is_empty(), "{:?}", rules_of(&findings));
}

#[test]
fn did_you_mean_names_the_catalogued_action() {
    let (_, findings) = lint_file("unknown-action.bad.json");
    let finding = findings.iter().find(|f| f.rule == "unknown-action").expect("finding");
    assert_eq!(
        finding.help.as_deref(),
        Some(
            format!(
                "did you mean `kms:Decrypt`? (IAM catalogue: {})",
                keyward::catalog::get().version()
            )
            .as_str()
        )
    );
}

#[test]
fn uncatalogued_names_are_warnings_that_name_the_catalogue_version() {
    let (_, findings) = lint_file("uncatalogued-name.bad.json");
    let finding = findings
        .iter()
        .find(|f| f.rule == "uncatalogued-name")
        .expect("finding");
    assert_eq!(finding.severity, Severity::Warning);
    let catalogue = keyward::catalog::get();
    assert!(finding.message.contains(&catalogue.date), "{}", finding.message);
}

/// Findings as `keyward lint` prints them, without colour, at a fixed width
/// (miette's graphical renderer comes with the `cli` feature).
#[cfg(feature = "cli")]
fn human(source: &Source, findings: &[Finding]) -> String {
    use miette::{GraphicalReportHandler, GraphicalTheme};
    let handler = GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor()).with_width(100);
    let mut out = String::new();
    for finding in findings {
        handler
            .render_report(&mut out, &finding.diagnosed(source))
            .expect("rendering into a string");
        out.push('\n');
    }
    out
}

#[test]
fn lint_corpus_snapshots() {
    // Regenerating the catalogue changes its name, not the findings.
    insta::with_settings!({
        snapshot_path => "../snapshots",
        prepend_module_to_snapshot => false,
        filters => vec![(r"IAM catalogue: [^)]*\([0-9-]+\)", "IAM catalogue: [catalogue]"), (r"catalogue \([^)]*\([0-9-]+\)\)", "catalogue ([catalogue])")],
    }, {
        insta::glob!("../policies/lint", "*.json", |path| {
            let dir = root().join("policies/lint");
            let source = source(path, &dir);
            let findings = Linter::default().lint(&source, None);
            let json = output::json::render(&Report { source: &source, findings: &findings });
            #[cfg(feature = "cli")]
            insta::assert_snapshot!("lint_human", human(&source, &findings));
            insta::assert_snapshot!("lint_json", json);
        });
    });
}

fn valid_corpus(config: Config) -> Vec<(Source, Vec<Finding>)> {
    let base = root().join("policies/valid");
    let linter = Linter::new(config);
    json_files(&base)
        .iter()
        .map(|path| {
            let source = source(path, &base);
            let findings = linter.lint(&source, None);
            (source, findings)
        })
        .collect()
}

#[test]
fn no_aws_documentation_example_has_an_error_class_finding() {
    let text = std::fs::read_to_string(root().join("policies/valid/keyward.toml")).expect("corpus config");
    let linted = valid_corpus(Config::parse(&text).expect("valid config"));
    assert!(linted.len() >= 400);
    let errors: Vec<String> = linted
        .iter()
        .flat_map(|(source, findings)| {
            findings
                .iter()
                .filter(|f| f.severity == Severity::Error)
                .map(move |f| format!("{}: {}: {}", source.name(), f.rule, f.message))
        })
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

#[test]
fn aws_documentation_findings_by_rule() {
    // Without the corpus configuration: what the ignores hide is counted too.
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for (_, findings) in valid_corpus(Config::default()) {
        for finding in findings {
            *counts
                .entry(format!("{} {}", finding.severity, finding.rule))
                .or_default() += 1;
        }
    }
    let table: String = counts.iter().map(|(k, n)| format!("{n:>4} {k}\n")).collect();
    insta::with_settings!({ snapshot_path => "../snapshots", prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!("lint_valid_corpus_counts", table);
    });
}

#[test]
fn sarif_output_validates_against_the_sarif_2_1_0_schema() {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("tests/data/sarif-schema-2.1.0.json")).expect("schema"),
    )
    .expect("schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("a valid schema");
    let dir = root().join("policies/lint");
    let linted: Vec<(Source, Vec<Finding>)> = json_files(&dir)
        .iter()
        .map(|p| {
            let source = source(p, &dir);
            let findings = Linter::default().lint(&source, None);
            (source, findings)
        })
        .collect();
    let reports: Vec<Report<'_>> = linted
        .iter()
        .map(|(source, findings)| Report { source, findings })
        .collect();
    let log: serde_json::Value =
        serde_json::from_str(&output::sarif::render(&reports, Severity::Security)).expect("SARIF is JSON");
    let errors: Vec<String> = validator
        .iter_errors(&log)
        .map(|e| format!("{e} at {}", e.instance_path))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let results = log["runs"][0]["results"].as_array().expect("results");
    assert!(results.len() >= rules::ALL.len());
    assert_eq!(
        log["runs"][0]["tool"]["driver"]["rules"].as_array().map(Vec::len),
        Some(rules::ALL.len())
    );
}

#[test]
fn configuration_turns_rules_off_and_up() {
    let config = Config::parse("[rules]\nmissing-version = \"error\"\npublic-key-access = \"off\"\n").expect("config");
    let dir = root().join("policies/lint");
    let linter = Linter::new(config);
    let findings = linter.lint(&source(&dir.join("missing-version.bad.json"), &dir), None);
    assert!(findings
        .iter()
        .any(|f| f.rule == "missing-version" && f.severity == Severity::Error));
    let findings = linter.lint(&source(&dir.join("public-key-access.bad.json"), &dir), None);
    assert!(!findings.iter().any(|f| f.rule == "public-key-access"));
}

#[test]
fn bad_input_becomes_findings_not_panics() {
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let inputs = [
        "",
        "{",
        "null",
        "{\"Statement\": 5}",
        "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Effect\": \"Deny\"}]}",
        "[{\"Operations\": [\"Decrypt\"]}]",
        deep.as_str(),
    ];
    for text in inputs {
        let findings = Linter::default().lint(&Source::new("bad", text), None);
        assert!(
            findings.iter().any(|f| f.severity == Severity::Error),
            "{text:.40}: {:?}",
            rules_of(&findings)
        );
        assert!(findings.iter().all(|f| f.rule.starts_with("keyward::")), "{text:.40}");
    }
}

#[test]
fn the_readme_lists_every_rule_with_its_severity() {
    let readme = std::fs::read_to_string(root().join("README.md")).expect("README");
    for rule in rules::ALL {
        let row = format!("| `{}` | {} |", rule.info.name, rule.info.severity);
        assert!(readme.contains(&row), "README has no row `{row}`");
    }
}

#[test]
fn a_misspelt_action_does_not_hide_a_misspelt_condition_key() {
    // parliament stops checking a statement's conditions at an unknown action.
    let text = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": ["kms:Decrpyt", "kms:*"],
        "Resource": "*", "Condition": {"StringEquals": {"kms:CallerAcount": "111122223333"}}}]}"#;
    let findings = Linter::default().lint(&Source::new("both.json", text), None);
    let rules = rules_of(&findings);
    assert!(
        rules.contains(&"unknown-action") && rules.contains(&"unknown-condition-key"),
        "{rules:?}"
    );
}

#[test]
fn forallvalues_on_via_service_in_a_key_policy_is_a_security_finding() {
    // parliament reports nothing here (lint-checks.md).
    let text = r#"{"Version": "2012-10-17", "Statement": [{"Sid": "Enable IAM User Permissions", "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"},
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/App"}, "Action": "kms:Decrypt",
        "Resource": "*", "Condition": {"ForAllValues:StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}}}]}"#;
    let findings = Linter::default().lint(&Source::new("via.json", text), None);
    let finding = findings
        .iter()
        .find(|f| f.rule == "forallvalues-single-valued-key")
        .expect("a finding");
    assert_eq!(finding.severity, Severity::Security);
}

/// The findings of one rule on a one-statement identity or key policy.
fn findings_of(rule: &str, statement: &str) -> Vec<Finding> {
    let text = format!(r#"{{"Version": "2012-10-17", "Statement": [{statement}]}}"#);
    let findings = Linter::default().lint(&Source::new("one.json", text), None);
    findings.into_iter().filter(|f| f.rule == rule).collect()
}

#[test]
fn unsupported_tag_keys_are_security_findings_only_where_they_widen_access() {
    let rule = "tag-key-unsupported-by-service";
    let statement = |effect: &str, op: &str| {
        format!(
            r#"{{"Effect": "{effect}", "Action": ["kms:Decrypt", "cloudtrail:LookupEvents"], "Resource": "*",
            "Condition": {{"{op}": {{"aws:ResourceTag/Team": "Red"}}}}}}"#
        )
    };
    let severity = |effect: &str, op: &str| findings_of(rule, &statement(effect, op)).first().map(|f| f.severity);
    // An absent key: a positive operator never holds, a negated one always does.
    assert_eq!(severity("Allow", "StringEquals"), Some(Severity::Suggestion));
    assert_eq!(severity("Allow", "StringNotEquals"), Some(Severity::Security));
    assert_eq!(severity("Deny", "StringEquals"), Some(Severity::Security));
    assert_eq!(severity("Deny", "StringNotEquals"), Some(Severity::Suggestion));
    let not_action = r#"{"Effect": "Deny", "NotAction": "kms:Decrypt", "Resource": "*",
        "Condition": {"StringEquals": {"aws:ResourceTag/Team": "Red"}}}"#;
    assert_eq!(findings_of(rule, not_action).len(), 1);
}

#[test]
fn caller_keys_are_allowed_when_a_service_principal_shares_the_statement_with_an_account() {
    let statement = r#"{"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com",
        "AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:Decrypt", "Resource": "*",
        "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}}"#;
    assert!(findings_of("service-principal-condition-key", statement).is_empty());
}

#[test]
fn a_private_instance_address_alone_is_reported_in_allow_but_not_in_deny() {
    let statement = |effect: &str| {
        format!(
            r#"{{"Effect": "{effect}", "Action": "s3:GetObject", "Resource": "*",
            "Condition": {{"IpAddress": {{"aws:Ec2InstanceSourcePrivateIPv4": "10.0.1.15/32"}}}}}}"#
        )
    };
    assert_eq!(
        findings_of("missing-paired-condition-key", &statement("Allow")).len(),
        1
    );
    assert!(findings_of("missing-paired-condition-key", &statement("Deny")).is_empty());
}

#[test]
fn a_bare_year_in_a_date_condition_is_ambiguous() {
    let statement = r#"{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
        "Condition": {"DateLessThan": {"aws:CurrentTime": "2030"}}}"#;
    let findings = findings_of("unlikely-date-value", statement);
    assert!(
        findings.first().is_some_and(|f| f.message.contains("bare year")),
        "{findings:?}"
    );
}

#[test]
fn a_grant_condition_without_create_grant_is_reported_once() {
    let text = r#"{"Version": "2012-10-17", "Statement": [{"Sid": "Enable IAM User Permissions", "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"},
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/App"}, "Action": "kms:Decrypt",
        "Resource": "*", "Condition": {"ForAllValues:StringEquals": {"kms:GrantOperations": ["Decrypt"]}}}]}"#;
    let findings = Linter::default().lint(&Source::new("grant.json", text), None);
    let rules = rules_of(&findings);
    assert!(rules.contains(&"missing-action-for-condition-key"), "{rules:?}");
    assert!(!rules.contains(&"unsupported-condition-key"), "{rules:?}");
}

#[test]
fn an_empty_condition_element_is_reported() {
    let statement = r#"{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": {}}"#;
    let findings = findings_of("empty-condition", statement);
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert_eq!(findings[0].severity, Severity::Suggestion);
}

/// `<rule>.<case>.bad.json` and `<rule>.<case>.good.json`: further cases of a
/// rule, which must fire on the first and stay quiet on the second.
#[test]
fn every_rule_case_fires_on_bad_and_not_on_good() {
    let dir = root().join("policies/lint");
    for path in json_files(&dir) {
        let Some(file) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        let mut parts = file.split('.');
        let (Some(rule), Some(_case), Some(verdict)) = (parts.next(), parts.next(), parts.next()) else {
            continue;
        };
        if parts.next() != Some("json") || rules::find(rule).is_none() {
            continue;
        }
        let (_, findings) = lint_file(file);
        let fired = findings.iter().any(|f| f.rule == rule);
        assert_eq!(fired, verdict == "bad", "{file}: {:?}", rules_of(&findings));
    }
}

fn issue_codes(name: &str, rule: &str) -> Vec<&'static str> {
    let (_, findings) = lint_file(name);
    findings
        .iter()
        .filter(|f| f.rule == rule)
        .filter_map(|f| f.issue_code)
        .collect()
}

/// Access Analyzer names how a statement reaches every role, and reports
/// each variant once per policy, not once per statement.
#[test]
fn pass_role_findings_carry_access_analyzers_variant_once_per_policy() {
    let rule = "pass-role-wildcard";
    assert_eq!(
        issue_codes("pass-role-wildcard.bad.json", rule),
        ["PASS_ROLE_WITH_STAR_IN_RESOURCE"]
    );
    assert_eq!(
        issue_codes("pass-role-wildcard.not-resource.bad.json", rule),
        ["PASS_ROLE_WITH_NOT_RESOURCE"]
    );
    assert_eq!(
        issue_codes("pass-role-wildcard.star-in-action.bad.json", rule),
        ["PASS_ROLE_WITH_STAR_IN_ACTION_AND_RESOURCE"]
    );
    assert_eq!(
        issue_codes("pass-role-wildcard.not-action.bad.json", rule),
        ["PASS_ROLE_WITH_STAR_IN_RESOURCE_AND_NOT_ACTION"]
    );
    let (_, findings) = lint_file("pass-role-wildcard.once-per-policy.bad.json");
    let once: Vec<&Finding> = findings.iter().filter(|f| f.rule == rule).collect();
    assert_eq!(once.len(), 1);
    assert_eq!(once[0].labels.iter().filter(|l| l.text == "and here").count(), 1);
}

#[test]
fn create_slr_findings_carry_access_analyzers_variant() {
    let rule = "create-slr-wildcard";
    assert_eq!(
        issue_codes("create-slr-wildcard.bad.json", rule),
        ["CREATE_SLR_WITH_STAR_IN_RESOURCE"]
    );
    assert_eq!(
        issue_codes("create-slr-wildcard.star-in-action.bad.json", rule),
        ["CREATE_SLR_WITH_STAR_IN_ACTION_AND_RESOURCE"]
    );
    assert_eq!(
        issue_codes("create-slr-wildcard.not-resource.bad.json", rule),
        ["CREATE_SLR_WITH_NOT_RESOURCE"]
    );
}

#[test]
fn findings_carry_access_analyzers_finding_type() {
    let (_, findings) = lint_file("pass-role-wildcard.bad.json");
    let finding = findings
        .iter()
        .find(|f| f.rule == "pass-role-wildcard")
        .expect("finding");
    assert_eq!(finding.finding_type().map(|t| t.as_str()), Some("SECURITY_WARNING"));
    let (_, findings) = lint_file("key-lockout.bad.json");
    let lockout = findings.iter().find(|f| f.rule == "key-lockout").expect("finding");
    assert_eq!(lockout.issue_code, None, "keyward's KMS rules keep their own codes");
}

/// Keys the Service Authorization Reference writes `<key>` and `tag-key`
/// are templates, not literal names.
#[test]
fn parameterized_service_keys_are_known() {
    let text = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject", "secretsmanager:GetSecretValue"],
      "Resource": "*", "Condition": {"StringEquals": {"s3:ExistingObjectTag/classification": "public",
      "secretsmanager:ResourceTag/Project": "alpha"}}}]}"#;
    let source = Source::new("parameterized.json", text.to_owned());
    let findings = Linter::default().lint(&source, None);
    assert!(
        !findings.iter().any(|f| f.rule == "unknown-condition-key"),
        "{:?}",
        rules_of(&findings)
    );
}

/// `StringNotEquals {key: ""}` holds without the key, but a `StringEquals`
/// on the same key in the same statement does not: together they never
/// allow actions that lack the key, so this is no security finding.
#[test]
fn a_tag_key_required_elsewhere_in_the_statement_is_not_a_security_finding() {
    let text = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "bedrock:GetSession",
      "Resource": "*", "Condition": {"StringEquals": {"aws:ResourceTag/Team": "a"},
      "StringNotEquals": {"aws:ResourceTag/Team": ""}}}]}"#;
    let findings = Linter::default().lint(&Source::new("tags.json", text.to_owned()), None);
    let tag: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.rule == "tag-key-unsupported-by-service")
        .collect();
    assert!(tag.iter().all(|f| f.severity != Severity::Security), "{tag:?}");
    assert!(tag.len() <= 1, "one finding per key and statement");
}
