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
fn lint_walks_templates_and_skips_files_without_policies() {
    let dir = scratch("lint-templates-walk");
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("policies/lint-templates");
    let out = keyward(&["lint", "--format", "json", &folder.display().to_string()], &dir, None);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("package.json` holds no policy; skipped"), "{stderr}");
    assert!(text(&out.stdout).contains("key-and-role.cfn.yaml"));
}
