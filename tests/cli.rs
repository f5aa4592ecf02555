//! The `keyward` binary end to end: exit codes, output formats, stdin,
//! folders, and `fmt`'s three modes.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const KEY_POLICY: &str = r#"{"Version":"2012-10-17","Statement":[{"Sid":"Enable IAM User Permissions","Effect":"Allow",
"Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}]}"#;

const BROKEN: &str = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\"Efect\": \"Allow\", \"Action\": \"kms:Decrypt\", \"Resource\": \"*\"}\n  ]\n}\n";

fn keyward(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_keyward"))
        .args(args)
        .env_remove("NO_COLOR")
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

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// A fresh folder under the target directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch folder");
    dir
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().expect("parent")).expect("folders");
    std::fs::write(&path, text).expect("write");
    path.display().to_string()
}

#[test]
fn check_exits_0_on_a_valid_policy() {
    let dir = scratch("check-valid");
    let out = keyward(&["check", &write(&dir, "key.json", KEY_POLICY)], None);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no problems"));
}

#[test]
fn check_exits_1_and_underlines_the_problem() {
    let dir = scratch("check-broken");
    let out = keyward(&["check", &write(&dir, "broken.json", BROKEN)], None);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(text.contains("keyward::policy::unknown-element"), "{text}");
    assert!(text.contains("did you mean `Effect`?"), "{text}");
    assert!(
        !text.contains('\u{1b}'),
        "no colour when stdout is not a terminal: {text}"
    );
}

#[test]
fn check_exits_2_when_a_file_cannot_be_read() {
    let out = keyward(&["check", "/nonexistent/policy.json"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read"));
}

#[test]
fn check_exits_2_on_usage_errors() {
    assert_eq!(keyward(&["check"], None).status.code(), Some(2));
    assert_eq!(
        keyward(&["check", "--format", "xml", "x.json"], None).status.code(),
        Some(2)
    );
}

#[test]
fn check_json_output_has_one_object_per_problem_with_positions() {
    let dir = scratch("check-json");
    let out = keyward(
        &["check", "--format", "json", &write(&dir, "broken.json", BROKEN)],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    let lines: Vec<serde_json::Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON object per line"))
        .collect();
    assert_eq!(lines.len(), 1);
    let problem = &lines[0];
    assert_eq!(problem["rule"], "keyward::policy::unknown-element");
    assert_eq!(problem["severity"], "error");
    assert!(problem["file"].as_str().is_some_and(|f| f.ends_with("broken.json")));
    // `"Efect"` on line 4, columns 6..13 (1-based; the end is exclusive).
    assert_eq!(
        (problem["line"].as_u64(), problem["column"].as_u64()),
        (Some(4), Some(6))
    );
    assert_eq!(
        (problem["end_line"].as_u64(), problem["end_column"].as_u64()),
        (Some(4), Some(13))
    );
    assert_eq!(problem["help"], "did you mean `Effect`?");
    assert!(problem["message"].as_str().is_some_and(|m| m.contains("Efect")));
}

#[test]
fn check_reads_stdin() {
    let out = keyward(&["check", "-"], Some(KEY_POLICY));
    assert_eq!(out.status.code(), Some(0));
    let out = keyward(&["check", "--format", "json", "-"], Some("{\"Statement\": [1,]}"));
    assert_eq!(out.status.code(), Some(1));
    let problem: serde_json::Value = serde_json::from_str(stdout(&out).trim()).expect("json");
    assert_eq!(problem["file"], "<stdin>");
    assert_eq!(problem["rule"], "keyward::json::syntax");
}

#[test]
fn check_walks_folders_for_json_files_only() {
    let dir = scratch("check-folder");
    write(&dir, "a/key.json", KEY_POLICY);
    write(&dir, "a/b/broken.json", BROKEN);
    write(&dir, "a/notes.txt", "not json");
    let out = keyward(&["check", "--format", "json", &dir.display().to_string()], None);
    assert_eq!(out.status.code(), Some(1));
    let files: Vec<String> = stdout(&out)
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).expect("json")["file"]
                .as_str()
                .unwrap_or("")
                .to_owned()
        })
        .collect();
    assert_eq!(files.len(), 1);
    assert!(files[0].ends_with("broken.json"));
}

#[test]
fn check_reports_invalid_utf8_with_its_offset() {
    let dir = scratch("check-utf8");
    let path = dir.join("latin1.json");
    std::fs::write(&path, b"{\"Id\": \"caf\xe9\"}").expect("write");
    let out = keyward(&["check", "--format", "json", &path.display().to_string()], None);
    assert_eq!(out.status.code(), Some(1));
    let problem: serde_json::Value = serde_json::from_str(stdout(&out).trim()).expect("json");
    assert_eq!(problem["rule"], "keyward::json::invalid-utf8");
    assert!(problem["message"].as_str().is_some_and(|m| m.contains("offset 11")));
}

#[test]
fn kind_flag_checks_a_key_policy_as_an_identity_policy() {
    let out = keyward(
        &["check", "--format", "json", "--kind", "identity-policy", "-"],
        Some(KEY_POLICY),
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("keyward::policy::misplaced-element"));
}

#[test]
fn fmt_prints_the_canonical_form() {
    let out = keyward(&["fmt", "-"], Some(KEY_POLICY));
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    assert!(
        text.starts_with("{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\n      \"Sid\""),
        "{text}"
    );
    // Formatting the output again changes nothing.
    let again = keyward(&["fmt", "-"], Some(&text));
    assert_eq!(stdout(&again), text);
}

#[test]
fn fmt_check_names_files_that_would_change_and_write_fixes_them() {
    let dir = scratch("fmt-check");
    let path = write(&dir, "key.json", KEY_POLICY);
    let check = keyward(&["fmt", "--check", &path], None);
    assert_eq!(check.status.code(), Some(1));
    assert!(stdout(&check).contains("key.json"));

    let fix = keyward(&["fmt", "--write", &path], None);
    assert_eq!(fix.status.code(), Some(0));
    assert_eq!(keyward(&["fmt", "--check", &path], None).status.code(), Some(0));
    let written = std::fs::read_to_string(&path).expect("read back");
    assert_eq!(stdout(&keyward(&["fmt", "-"], Some(KEY_POLICY))), written);
}

#[test]
fn fmt_never_rewrites_a_document_with_problems() {
    let dir = scratch("fmt-broken");
    let path = write(&dir, "broken.json", BROKEN);
    let out = keyward(&["fmt", "--write", &path], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown-element"));
    assert_eq!(std::fs::read_to_string(&path).expect("unchanged"), BROKEN);
}

#[test]
fn check_and_fmt_conflicting_flags_are_a_usage_error() {
    assert_eq!(
        keyward(&["fmt", "--check", "--write", "x.json"], None).status.code(),
        Some(2)
    );
}

/// Runs keyward from the crate root, so paths in its output are stable.
fn keyward_at_root(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_keyward"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("NO_COLOR")
        .stdin(Stdio::null())
        .output()
        .expect("keyward runs")
}

const SIM: &str = "policies/simulate";

fn simulate(request: &str, extra: &[&str]) -> Output {
    let request = format!("{SIM}/{request}");
    let key_policy = format!("{SIM}/key-policy.json");
    let identity = format!("arn:aws:iam::111122223333:role/app={SIM}/app-role.json");
    let mut args = vec![
        "simulate",
        "--request",
        &request,
        "--key-policy",
        &key_policy,
        "--identity-policy",
        &identity,
    ];
    args.extend_from_slice(extra);
    keyward_at_root(&args)
}

fn snapshot(name: &str, text: &str) {
    insta::with_settings!({snapshot_path => "../snapshots", prepend_module_to_snapshot => false}, {
        insta::assert_snapshot!(name, text);
    });
}

#[test]
fn simulate_allows_through_delegation_and_exits_0() {
    let out = simulate("request-app-decrypt-eng.json", &[]);
    assert_eq!(out.status.code(), Some(0));
    snapshot("simulate_text_allow", &stdout(&out));
}

#[test]
fn simulate_explains_an_explicit_deny_and_exits_1() {
    let out = simulate("request-app-decrypt-ops.json", &["--explain"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(text.contains("`Require dept context` denies"), "{text}");
    snapshot("simulate_text_explicit_deny_explained", &text);
}

#[test]
fn simulate_json_output_has_the_documented_fields() {
    let out = simulate("request-app-decrypt-ops.json", &["--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let value: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("one JSON object");
    assert_eq!(value["decision"], "ExplicitDeny");
    assert_eq!(value["path"], serde_json::Value::Null);
    assert_eq!(value["reasons"][0]["sid"], "Require dept context");
    assert_eq!(value["reasons"][0]["statement"], 1);
    assert_eq!(value["reasons"][0]["effect"], "Deny");
    assert!(value["missing_context_keys"].is_array());
    snapshot(
        "simulate_json_explicit_deny",
        &serde_json::to_string_pretty(&value).expect("json"),
    );
}

#[test]
fn simulate_allows_a_cross_account_caller_through_a_grant() {
    let request = format!("{SIM}/request-reports-decrypt.json");
    let key_policy = format!("{SIM}/key-policy.json");
    let grants = format!("{SIM}/grants.json");
    let out = keyward_at_root(&[
        "simulate",
        "--request",
        &request,
        "--key-policy",
        &key_policy,
        "--grants",
        &grants,
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let value: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("json");
    assert_eq!(value["path"], "grant");
    snapshot(
        "simulate_json_grant",
        &serde_json::to_string_pretty(&value).expect("json"),
    );
}

#[test]
fn simulate_exits_2_on_bad_input() {
    let out = keyward(
        &["simulate", "--request", "-"],
        Some(r#"{"principal": "bob", "action": "kms:Decrypt"}"#),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("invalid `principal`"));
    let out = keyward(
        &["simulate", "--request", "-"],
        Some(r#"{"principal": "111122223333", "action": "kms:Decrypt", "colour": 1}"#),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown field `colour`"));
    let out = keyward_at_root(&[
        "simulate",
        "--request",
        "policies/simulate/request-app-decrypt-eng.json",
        "--identity-policy",
        "no-equals-sign",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let out = keyward_at_root(&[
        "simulate",
        "--request",
        "policies/simulate/request-app-decrypt-eng.json",
        "--key-policy",
        "policies/invalid/statement-missing-effect.json",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("missing-element"));
}

#[test]
fn test_command_reports_failures_and_the_closing_line() {
    let dir = scratch("test-suite");
    write(&dir, "key.json", KEY_POLICY);
    write(
        &dir,
        "demo.suite.json",
        r#"{"key_policy": "key.json",
            "identity_policies": {"arn:aws:iam::111122223333:user/alice": [{"Statement": [{"Effect": "Allow", "Action": "kms:Encrypt", "Resource": "*"}]}]},
            "cases": [
              {"name": "alice may encrypt", "request": {"principal": "arn:aws:iam::111122223333:user/alice", "action": "kms:Encrypt"}, "expect": "Allow"},
              {"name": "alice may not decrypt", "request": {"principal": "arn:aws:iam::111122223333:user/alice", "action": "kms:Decrypt"}, "expect": "Deny"},
              {"name": "a wrong expectation", "request": {"principal": "arn:aws:iam::111122223333:user/alice", "action": "kms:Decrypt"}, "expect": "Allow"}
            ]}"#,
    );
    let out = keyward(&["test", &dir.display().to_string()], None);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(text.contains("FAIL") && text.contains("a wrong expectation"), "{text}");
    assert!(text.trim_end().ends_with("2 passed, 1 failed"), "{text}");
    let json = keyward(
        &[
            "test",
            "--format",
            "json",
            &dir.join("demo.suite.json").display().to_string(),
        ],
        None,
    );
    let lines: Vec<serde_json::Value> = stdout(&json)
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[2]["case"], "a wrong expectation");
    assert_eq!(
        (
            lines[2]["expected"].as_str(),
            lines[2]["actual"].as_str(),
            lines[2]["passed"].as_bool()
        ),
        (Some("Allow"), Some("ImplicitDeny"), Some(false))
    );
}

#[test]
fn check_reports_condition_values_simulate_would_refuse() {
    let policy = r#"{"Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": "*",
        "Condition": {"DateLessThan": {"aws:CurrentTime": "tomorrow"}}}]}"#;
    let out = keyward(&["check", "--format", "json", "-"], Some(policy));
    assert_eq!(out.status.code(), Some(1));
    let problem: serde_json::Value = serde_json::from_str(stdout(&out).trim()).expect("json");
    assert_eq!(problem["rule"], "keyward::eval::invalid-condition-value");
    assert_eq!(problem["line"], 2);
}

#[test]
fn inline_suite_policies_are_read_exactly_as_written() {
    // A duplicate key in an inline policy is a problem, not a silent last-wins.
    let dir = scratch("test-inline-duplicate");
    write(
        &dir,
        "dup.suite.json",
        r#"{"key_policy": {"Statement": [{"Effect": "Allow", "Effect": "Deny", "Principal": "*", "Action": "kms:*", "Resource": "*"}]},
            "cases": [{"name": "x", "request": {"principal": "111122223333", "action": "kms:Decrypt"}, "expect": "Allow"}]}"#,
    );
    let out = keyward(&["test", &dir.display().to_string()], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("duplicate key"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Runs a local-KMS command against a state directory.
fn kms(state: &Path, args: &[&str]) -> Output {
    let mut all = vec!["--state", state.to_str().expect("utf-8 path"), "--output", "text"];
    all.extend_from_slice(args);
    keyward(&all, None)
}

#[test]
fn the_local_kms_keeps_its_state_between_commands() {
    let state = scratch("kms-state").join("state");
    let created = kms(&state, &["key", "create", "--description", "cli"]);
    assert_eq!(
        created.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&created.stderr)
    );
    let key_id = stdout(&created).split('\t').next().expect("key id").to_owned();
    assert_eq!(
        kms(
            &state,
            &[
                "alias",
                "create",
                "--alias-name",
                "alias/cli",
                "--target-key-id",
                &key_id
            ]
        )
        .status
        .code(),
        Some(0)
    );
    let encrypted = kms(
        &state,
        &[
            "encrypt",
            "--key-id",
            "alias/cli",
            "--plaintext",
            "hello",
            "--encryption-context",
            "dept=eng",
        ],
    );
    let blob = stdout(&encrypted).trim().to_owned();
    let decrypted = kms(
        &state,
        &[
            "decrypt",
            "--ciphertext-blob",
            &blob,
            "--encryption-context",
            "dept=eng",
        ],
    );
    assert_eq!(stdout(&decrypted).trim(), "aGVsbG8=", "base64 of `hello`");
    // A wrong context and a caller without permission are refused with AWS's error names.
    let wrong = kms(
        &state,
        &[
            "decrypt",
            "--ciphertext-blob",
            &blob,
            "--encryption-context",
            "dept=ops",
        ],
    );
    assert_eq!(wrong.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&wrong.stderr)
        .contains("(InvalidCiphertextException) when calling the Decrypt operation"));
    let denied = kms(
        &state,
        &[
            "--as",
            "arn:aws:iam::111122223333:user/mallory",
            "encrypt",
            "--key-id",
            "alias/cli",
            "--plaintext",
            "x",
        ],
    );
    assert_eq!(denied.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&denied.stderr).contains("AccessDeniedException"));
    // Every call is in the audit log, refused ones included.
    let audit = kms(&state, &["audit", "--decision", "deny"]);
    let lines: Vec<String> = stdout(&audit).lines().map(str::to_owned).collect();
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(lines[1].contains("user/mallory") && lines[1].ends_with("AccessDeniedException"));
}

#[test]
fn an_aws_managed_key_is_used_through_its_service_with_via_service() {
    let state = scratch("kms-managed").join("state");
    let through_s3 = kms(
        &state,
        &[
            "--via-service",
            "s3",
            "encrypt",
            "--key-id",
            "alias/aws/s3",
            "--plaintext",
            "object",
        ],
    );
    assert_eq!(
        through_s3.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&through_s3.stderr)
    );
    let blob = stdout(&through_s3).trim().to_owned();
    let direct = kms(&state, &["decrypt", "--ciphertext-blob", &blob]);
    assert_eq!(direct.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&direct.stderr).contains("AccessDeniedException"));
    let via_endpoint = kms(
        &state,
        &[
            "--via-service",
            "s3.us-east-1.amazonaws.com",
            "decrypt",
            "--ciphertext-blob",
            &blob,
        ],
    );
    assert_eq!(stdout(&via_endpoint).trim(), "b2JqZWN0", "base64 of `object`");
    let described = keyward(
        &[
            "--state",
            state.to_str().expect("utf-8 path"),
            "--output",
            "json",
            "key",
            "describe",
            "--key-id",
            "alias/aws/s3",
        ],
        None,
    );
    assert!(
        stdout(&described).contains("\"KeyManager\": \"AWS\""),
        "{}",
        stdout(&described)
    );
    let bad = kms(
        &state,
        &["--via-service", "S3!", "generate-random", "--number-of-bytes", "8"],
    );
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--via-service `S3!` is not a service"));
}

#[test]
fn ephemeral_sessions_keep_nothing() {
    let out = keyward(
        &[
            "--ephemeral",
            "--output",
            "json",
            "generate-random",
            "--number-of-bytes",
            "16",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0));
    let value: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("json");
    assert_eq!(value["Plaintext"].as_str().map(str::len), Some(24));
    let listed = keyward(&["--ephemeral", "--output", "text", "key", "list"], None);
    assert_eq!(stdout(&listed).trim(), "");
}

#[test]
fn grants_from_the_command_line() {
    let state = scratch("kms-grants").join("state");
    let key_id = stdout(&kms(&state, &["key", "create"]))
        .split('\t')
        .next()
        .expect("key id")
        .to_owned();
    let app = "arn:aws:iam::111122223333:user/app";
    let created = kms(
        &state,
        &[
            "grant",
            "create",
            "--key-id",
            &key_id,
            "--grantee-principal",
            app,
            "--operations",
            "Encrypt",
            "--retiring-principal",
            "arn:aws:iam::111122223333:user/ops",
            "--constraints",
            r#"{"EncryptionContextSubset": {"dept": "eng"}}"#,
        ],
    );
    assert_eq!(
        created.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&created.stderr)
    );
    let grant_id = stdout(&created).split('\t').next().expect("grant id").to_owned();
    let as_app = |context: &str| {
        kms(
            &state,
            &[
                "--as",
                app,
                "encrypt",
                "--key-id",
                &key_id,
                "--plaintext",
                "x",
                "--encryption-context",
                context,
            ],
        )
    };
    assert_eq!(as_app("dept=eng").status.code(), Some(0));
    assert_eq!(as_app("dept=ops").status.code(), Some(1));
    // A Sign grant on a symmetric key is refused as AWS refuses it.
    let sign = kms(
        &state,
        &[
            "grant",
            "create",
            "--key-id",
            &key_id,
            "--grantee-principal",
            app,
            "--operations",
            "Sign",
        ],
    );
    assert!(
        String::from_utf8_lossy(&sign.stderr).contains("(ValidationException) when calling the CreateGrant operation")
    );
    let retired = kms(
        &state,
        &[
            "--as",
            "arn:aws:iam::111122223333:user/ops",
            "grant",
            "retire",
            "--key-id",
            &key_id,
            "--grant-id",
            &grant_id,
        ],
    );
    assert_eq!(
        retired.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&retired.stderr)
    );
    assert_eq!(
        as_app("dept=eng").status.code(),
        Some(1),
        "the retired grant no longer allows"
    );
}

#[test]
fn concurrent_commands_lose_no_acknowledged_key() {
    let state = scratch("kms-concurrent").join("state");
    assert_eq!(kms(&state, &["key", "list"]).status.code(), Some(0));
    let workers: Vec<_> = (0..12)
        .map(|i| {
            let state = state.clone();
            std::thread::spawn(move || {
                let out = if i % 2 == 0 {
                    kms(&state, &["key", "create"])
                } else {
                    kms(&state, &["audit"])
                };
                (i % 2 == 0, out)
            })
        })
        .collect();
    let mut created = Vec::new();
    for worker in workers {
        let (is_create, out) = worker.join().expect("worker");
        assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
        if is_create {
            created.push(stdout(&out).split('\t').next().expect("key id").to_owned());
        }
    }
    let listed = stdout(&kms(&state, &["key", "list"]));
    for id in created {
        assert!(listed.contains(&id), "key {id} was acknowledged but is gone");
    }
}

#[test]
fn list_commands_page_with_limit_and_marker_or_list_everything() {
    let state = scratch("kms-pages").join("state");
    let mut created: Vec<String> = (0..3)
        .map(|_| {
            let out = kms(&state, &["key", "create"]);
            assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
            stdout(&out).split('\t').next().expect("key id").to_owned()
        })
        .collect();
    created.sort();
    let json = |args: &[&str]| -> serde_json::Value {
        let mut all = vec!["--state", state.to_str().expect("utf-8 path"), "--output", "json"];
        all.extend_from_slice(args);
        let out = keyward(&all, None);
        assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice(&out.stdout).expect("json")
    };
    let ids = |page: &serde_json::Value| -> Vec<String> {
        page["Keys"]
            .as_array()
            .expect("keys")
            .iter()
            .map(|k| k["KeyId"].as_str().expect("id").to_owned())
            .collect()
    };
    let first = json(&["key", "list", "--limit", "2"]);
    assert_eq!(first["Truncated"], true);
    let marker = first["NextMarker"].as_str().expect("a next marker").to_owned();
    let second = json(&["key", "list", "--limit", "2", "--marker", &marker]);
    assert_eq!(second["Truncated"], false);
    assert!(second.get("NextMarker").is_none());
    assert_eq!([ids(&first), ids(&second)].concat(), created);
    // Without either flag every page is fetched and joined, markers
    // dropped, as the AWS CLI prints a paginated answer.
    let all = json(&["key", "list"]);
    assert_eq!(ids(&all), created.clone());
    assert!(
        all.get("Truncated").is_none() && all.get("NextMarker").is_none(),
        "{all}"
    );
    let forged = kms(&state, &["key", "list", "--marker", "not-a-marker"]);
    assert_eq!(forged.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&forged.stderr).contains("(InvalidMarkerException)"));
}

/// `key list-rotations` pages as the other lists do: it printed the first
/// page (100 rotations) only, whatever the key had.
#[test]
fn key_list_rotations_pages_with_limit_and_marker_or_lists_every_rotation() {
    let state = scratch("kms-rotation-pages").join("state");
    let created = kms(&state, &["key", "create"]);
    let key_id = stdout(&created).split('\t').next().expect("key id").to_owned();
    for _ in 0..3 {
        let out = kms(&state, &["key", "rotate", "--key-id", &key_id]);
        assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    }
    let json = |extra: &[&str]| -> serde_json::Value {
        let mut args = vec![
            "--state",
            state.to_str().expect("utf-8 path"),
            "--output",
            "json",
            "key",
            "list-rotations",
            "--key-id",
            &key_id,
        ];
        args.extend_from_slice(extra);
        let out = keyward(&args, None);
        assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice(&out.stdout).expect("json")
    };
    let count = |page: &serde_json::Value| page["Rotations"].as_array().expect("rotations").len();
    let first = json(&["--limit", "2"]);
    assert_eq!((count(&first), &first["Truncated"]), (2, &serde_json::json!(true)));
    let marker = first["NextMarker"].as_str().expect("a next marker").to_owned();
    let second = json(&["--limit", "2", "--marker", &marker]);
    assert_eq!((count(&second), &second["Truncated"]), (1, &serde_json::json!(false)));
    let all = json(&[]);
    assert_eq!(count(&all), 3);
    assert!(all.get("NextMarker").is_none(), "{all}");
}

#[test]
fn a_large_plaintext_read_from_stdin_round_trips() {
    let state = scratch("kms-stdin").join("state");
    let created = kms(&state, &["key", "create"]);
    let key_id = stdout(&created).split('\t').next().expect("key id").to_owned();
    // 4096 bytes: more than one read of a pipe, at Encrypt's limit.
    let plaintext: String = (0..4096).map(|i| char::from(b'a' + (i % 26) as u8)).collect();
    let mut args = vec!["--state", state.to_str().expect("utf-8 path"), "--output", "text"];
    args.extend_from_slice(&["encrypt", "--key-id", &key_id, "--plaintext", "-"]);
    let sealed = keyward(&args, Some(&plaintext));
    assert_eq!(
        sealed.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&sealed.stderr)
    );
    let blob = stdout(&sealed).trim().to_owned();
    let opened = kms(&state, &["decrypt", "--ciphertext-blob", &blob]);
    assert_eq!(
        opened.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&opened.stderr)
    );
    use base64::Engine as _;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(stdout(&opened).trim())
        .expect("base64 plaintext");
    assert_eq!(decoded, plaintext.as_bytes());
}

/// Two CLIs started at once on a state directory that does not exist yet,
/// many times: neither sees "database is locked", and both keys are kept.
#[test]
fn two_clis_on_one_new_state_directory_both_succeed_and_keep_their_keys() {
    let base = scratch("two-clis");
    for round in 0..12 {
        let dir = base.join(format!("state-{round}"));
        let spawn = || {
            Command::new(env!("CARGO_BIN_EXE_keyward"))
                .args([
                    "--state",
                    dir.to_str().expect("UTF-8"),
                    "key",
                    "create",
                    "--output",
                    "json",
                ])
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("keyward runs")
        };
        let (first, second) = (spawn(), spawn());
        for child in [first, second] {
            let out = child.wait_with_output().expect("keyward ends");
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(out.status.success(), "round {round}: {stderr}");
            assert!(!stderr.contains("locked"), "round {round}: {stderr}");
        }
        let listed = keyward(
            &[
                "--state",
                dir.to_str().expect("UTF-8"),
                "key",
                "list",
                "--output",
                "json",
            ],
            None,
        );
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&stdout(&listed)).expect("JSON")["Keys"]
                .as_array()
                .map(Vec::len),
            Some(2),
            "round {round}"
        );
    }
}

/// A command whose commit fails (a full disk, injected by the hidden test
/// hook `KEYWARD_TEST_FAIL_COMMIT=N`: the process's Nth commit fails)
/// reports `KMSInternalException` and leaves the state as it was, through
/// a typed operation (`key create`, `key tag`) and a composite verb (`key disable`).
#[test]
fn a_command_whose_commit_fails_reports_an_internal_error_and_changes_nothing() {
    let dir = scratch("failed-commit");
    let state = dir.to_str().expect("a path");
    let run = |args: &[&str], fail: bool| -> Output {
        let mut command = Command::new(env!("CARGO_BIN_EXE_keyward"));
        command.args(["--state", state]).args(args).stdin(Stdio::null());
        if fail {
            command.env("KEYWARD_TEST_FAIL_COMMIT", "1");
        } else {
            command.env_remove("KEYWARD_TEST_FAIL_COMMIT");
        }
        command.output().expect("keyward runs")
    };
    let created = run(&["key", "create"], false);
    assert_eq!(
        created.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&created.stderr)
    );
    let key = stdout(&created).split('\t').next().expect("a key id").to_owned();
    let observe = || {
        let keys = run(&["kms", "list-keys"], false);
        let described = run(
            &[
                "kms",
                "describe-key",
                "--key-id",
                &key,
                "--query",
                "KeyMetadata.KeyState",
            ],
            false,
        );
        let tags = run(&["kms", "list-resource-tags", "--key-id", &key], false);
        (stdout(&keys), stdout(&described), stdout(&tags))
    };
    let before = observe();
    assert!(before.1.contains("Enabled"), "{before:?}");
    for args in [
        vec!["key", "create"],
        vec!["key", "tag", "--key-id", &key, "--tags", "TagKey=env,TagValue=dev"],
        vec!["key", "disable", "--key-id", &key],
    ] {
        let failed = run(&args, true);
        let stderr = String::from_utf8_lossy(&failed.stderr);
        assert_eq!(failed.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(stderr.contains("KMSInternalException"), "{args:?}: {stderr}");
        assert!(stdout(&failed).is_empty(), "{args:?} printed an answer");
        assert_eq!(observe(), before, "{args:?} left a trace");
    }
}
