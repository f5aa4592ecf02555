//! Policies inside CloudFormation templates (JSON and YAML) and Terraform
//! plans: each policy is linted as a document of its own and its findings
//! are reported at the template's own line and column; files without a
//! policy are skipped with a note.

use std::path::Path;

use keyward::lint::output::{self, Report};
use keyward::lint::{Finding, Linter};
use keyward::source::Source;

fn lint(name: &str) -> (Source, keyward::lint::Linted) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("policies/lint-templates")
        .join(name);
    let source = Source::new(name, std::fs::read_to_string(path).expect("fixture"));
    let linted = Linter::default().lint_file(&source, None);
    (source, linted)
}

/// `rule @ line:column` of each finding, and the text it underlines.
fn places(source: &Source, findings: &[Finding]) -> Vec<String> {
    findings
        .iter()
        .map(|f| {
            let (line, column) = source.line_col(f.span.start);
            let text = source.text().get(f.span.start..f.span.end).unwrap_or_default();
            format!("{} @ {line}:{column} `{text}`", f.rule)
        })
        .collect()
}

#[test]
fn yaml_template_findings_are_at_the_templates_lines() {
    let (source, linted) = lint("key-and-role.cfn.yaml");
    let places = places(&source, &linted.findings);
    assert!(
        places.contains(&"public-key-access @ 22:24 `\"*\"`".to_owned()),
        "{places:#?}"
    );
    assert!(
        places.contains(&"pass-role-wildcard @ 44:27 `\"*\"`".to_owned()),
        "{places:#?}"
    );
    // `!Sub` with pseudo parameters reads as the account principal, not as a problem.
    assert!(!places.iter().any(|p| p.starts_with("principal-format")), "{places:#?}");
    assert_eq!(linted.note.as_deref(), Some("3 policies checked"));
}

#[test]
fn json_template_findings_name_the_resource_and_resolve_intrinsics() {
    let (source, linted) = lint("key-and-role.cfn.json");
    let unknown: Vec<&Finding> = linted.findings.iter().filter(|f| f.rule == "unknown-action").collect();
    assert_eq!(unknown.len(), 1, "{:?}", places(&source, &linted.findings));
    assert!(unknown[0].message.starts_with("Reader.PolicyDocument: "));
    assert_eq!(
        &source.text()[unknown[0].span.start..unknown[0].span.end],
        "\"kms:Decrpyt\""
    );
    // `Fn::Join` of `Fn::GetAtt Data.Arn` is an S3 object ARN: no resource-type finding.
    assert!(!linted.findings.iter().any(|f| f.rule == "resource-type-mismatch"));
}

#[test]
fn terraform_plan_policies_are_found_in_child_modules_too() {
    let (source, linted) = lint("plan.tfplan.json");
    let places = places(&source, &linted.findings);
    assert!(
        places.iter().any(|p| p.starts_with("public-key-access @ 14:")),
        "{places:#?}"
    );
    assert!(
        places.iter().any(|p| p.starts_with("pass-role-wildcard @ 38:")),
        "{places:#?}"
    );
    assert!(linted
        .findings
        .iter()
        .any(|f| f.message.starts_with("module.ci.aws_iam_policy.deploy.policy: ")));
}

#[test]
fn a_file_without_a_policy_is_skipped_with_a_note_not_an_error() {
    let (_, linted) = lint("package.json");
    assert!(linted.findings.is_empty());
    assert_eq!(linted.note.as_deref(), Some("holds no policy; skipped"));
}

#[test]
fn template_findings_snapshot() {
    let mut all = String::new();
    for name in [
        "key-and-role.cfn.json",
        "key-and-role.cfn.yaml",
        "plan.tfplan.json",
        "strings.cfn.json",
        "strings.cfn.yaml",
    ] {
        let (source, linted) = lint(name);
        all.push_str(&output::json::render(&Report {
            source: &source,
            findings: &linted.findings,
        }));
    }
    insta::with_settings!({
        snapshot_path => "../snapshots",
        prepend_module_to_snapshot => false,
        filters => vec![(r"IAM catalogue: [^)]*\([0-9-]+\)", "IAM catalogue: [catalogue]")],
    }, {
        insta::assert_snapshot!("lint_templates", all);
    });
}

/// Is `want` (`rule @ line:column `text``) among the findings' places?
fn assert_place(places: &[String], want: &str) {
    assert!(places.iter().any(|p| p == want), "{want} not in {places:#?}");
}

#[test]
fn terraform_plan_findings_point_at_the_token_inside_the_policy_string() {
    let (source, linted) = lint("plan.tfplan.json");
    let places = places(&source, &linted.findings);
    // `"Principal": "*"` is written `\"*\"` inside the plan's JSON string.
    assert_place(&places, r#"public-key-access @ 14:282 `\"*\"`"#);
    assert_place(&places, r#"pass-role-wildcard @ 38:142 `\"*\"`"#);
}

#[test]
fn yaml_string_policies_point_at_the_token_in_every_scalar_style() {
    let (source, linted) = lint("strings.cfn.yaml");
    let places = places(&source, &linted.findings);
    // Literal block scalar (`|`).
    assert_place(&places, r#"public-key-access @ 12:65 `"*"`"#);
    // Folded block scalar (`>`).
    assert_place(&places, r#"unknown-action @ 21:22 `"kms:Decrpyt"`"#);
    // `!Sub |`, on a line after substitutions.
    assert_place(&places, r#"unknown-action @ 30:60 `"s3:GetObjectt"`"#);
    // Double-quoted, with `\"` escapes.
    assert_place(&places, r#"unknown-action @ 35:106 `\"sqs:SendMesage\"`"#);
    // Single-quoted, after a `''` escape would shift it.
    assert_place(&places, r#"unknown-action @ 39:94 `"sns:Publissh"`"#);
    // `!Sub [text, {Act: ...}]`: the variable's value, at its placeholder.
    assert!(linted.findings.iter().any(|f| f.message.contains("`s3:GetObjeckt`")));
    assert_place(&places, r#"unknown-action @ 45:143 `"${Act}"`"#);
    assert_eq!(linted.note.as_deref(), Some("6 policies checked"));
}

#[test]
fn json_template_string_and_fn_sub_policies_point_at_the_token() {
    let (source, linted) = lint("strings.cfn.json");
    let places = places(&source, &linted.findings);
    assert_place(&places, r#"unknown-action @ 7:117 `\"kms:Decrpyt\"`"#);
    // `{"Fn::Sub": "..."}`: the policy is the substituted string.
    assert_place(&places, r#"unknown-action @ 14:203 `\"s3:GetObjekt\"`"#);
    // `${AWS::AccountId}` reads as an account, so the principal is fine.
    assert!(!places.iter().any(|p| p.starts_with("principal-format")), "{places:#?}");
}

/// The places of one rule's findings.
fn places_of(places: &[String], rule: &str) -> Vec<String> {
    places
        .iter()
        .filter(|p| p.starts_with(&format!("{rule} @")))
        .cloned()
        .collect()
}

#[test]
fn json_object_policies_point_into_fn_sub_and_fn_join_values() {
    let (source, linted) = lint("intrinsics.cfn.json");
    let places = places(&source, &linted.findings);
    // `{"Fn::Sub": "..."}`: the template text, not the function's object.
    assert_place(
        &places,
        "resource-arn-format @ 17:40 `arn:aws:iam::account-id:role/${RoleName}`",
    );
    // `{"Fn::Join": ...}`: from its first part to its last.
    assert_place(
        &places,
        r#"resource-arn-format @ 22:47 `arn:aws:iam::", {"Ref": "AWS::AccountId"}, ":person/", {"Ref": "UserName"}`"#,
    );
    assert_eq!(linted.note.as_deref(), Some("1 policy checked"));
}

#[test]
fn yaml_object_policies_point_into_sub_and_join_values() {
    let (source, linted) = lint("intrinsics.cfn.yaml");
    let places = places(&source, &linted.findings);
    // `!Sub` on a plain scalar, and a parameter substituted into an action.
    assert_place(
        &places,
        "resource-arn-format @ 15:28 `arn:aws:iam::account-id:role/${RoleName}`",
    );
    assert!(linted.findings.iter().any(|f| f.message.contains("`kms:Decrpyt`")));
    assert_place(&places, "unknown-action @ 20:27 `kms:${Verb}`");
    // `!Sub [text, {Name: value}]`: the variables map's values are read.
    assert!(linted.findings.iter().any(|f| f.message.contains("`account-id`")));
    assert_place(
        &places,
        "resource-arn-format @ 24:30 `arn:aws:iam::${Acct}:role/${Name}`",
    );
    // `!Join` in flow style: from its first part.
    let join = places_of(&places, "resource-arn-format");
    assert!(
        join.iter()
            .any(|p| p.starts_with("resource-arn-format @ 18:36 `arn:aws:iam::\", !Ref")),
        "{join:#?}"
    );
}

#[test]
fn a_bucket_policy_in_a_template_is_checked_as_the_buckets_own() {
    // `AWS::S3::BucketPolicy` is validated as `AWS::S3::Bucket`: an SQS
    // action and an access point ARN are not supported there.
    let (source, linted) = lint("attached.cfn.yaml");
    let places = places(&source, &linted.findings);
    assert_place(&places, "resource-type-support @ 12:36 `sqs:SendMessage`");
    assert_place(
        &places,
        "resource-type-support @ 13:29 `arn:aws:s3:${AWS::Region}:${AWS::AccountId}:accesspoint/books/object/*`",
    );
    let codes: Vec<_> = linted.findings.iter().filter_map(|f| f.issue_code).collect();
    assert!(codes.contains(&"UNSUPPORTED_ACTION_IN_POLICY"), "{codes:?}");
    assert!(codes.contains(&"UNSUPPORTED_RESOURCE_ARN_IN_POLICY"), "{codes:?}");
}
