//! `keyward simulate` as a new user meets it: `--accounts` and `--as`,
//! warnings for misspelt actions, any service's resource policy, and the
//! JSON explanation (docs/simulate-json.md).

use std::process::{Command, Output, Stdio};

const SIM: &str = "policies/simulate";

fn keyward(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_keyward"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("NO_COLOR")
        .stdin(Stdio::null())
        .output()
        .expect("keyward runs")
}

fn json(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is JSON ({e}): {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

#[test]
fn simulate_takes_the_caller_and_its_policies_from_accounts_and_as() {
    let request = format!("{SIM}/request-decrypt-no-principal.json");
    let key_policy = format!("{SIM}/key-policy.json");
    let run = |who: &str| {
        keyward(&[
            "--accounts",
            "policies/sessions/accounts.json",
            "--as",
            who,
            "simulate",
            "--request",
            &request,
            "--key-policy",
            &key_policy,
            "--format",
            "json",
        ])
    };
    // admin's identity policy (in the accounts file) allows kms:*.
    let admin = run("admin");
    assert_eq!(admin.status.code(), Some(0));
    assert_eq!(json(&admin)["why"], "resource-policy-delegates");
    // analyst's allows only DescribeKey.
    let analyst = run("analyst");
    assert_eq!(analyst.status.code(), Some(1));
    assert_eq!(json(&analyst)["why"], "delegated-identity-silent");
    // --as overrides a request's own principal, by ARN too.
    let by_arn = run("arn:aws:iam::111122223333:role/admin");
    assert_eq!(by_arn.status.code(), Some(0));
}

#[test]
fn simulate_without_a_principal_or_as_is_a_usage_error() {
    let out = keyward(&[
        "simulate",
        "--request",
        &format!("{SIM}/request-decrypt-no-principal.json"),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no `principal`"));
}

#[test]
fn a_misspelt_action_warns_with_the_intended_one() {
    let args = [
        "simulate",
        "--request",
        &format!("{SIM}/request-misspelt.json"),
        "--key-policy",
        &format!("{SIM}/key-policy.json"),
    ];
    let text = keyward(&args);
    assert_eq!(text.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&text.stderr);
    assert!(
        stderr.contains("warning: `kms:Decrpyt` is not an action of `kms`"),
        "{stderr}"
    );
    assert!(stderr.contains("did you mean `kms:Decrypt`?"), "{stderr}");
    let mut with_json = args.to_vec();
    with_json.extend(["--format", "json"]);
    let value = json(&keyward(&with_json));
    assert_eq!(value["warnings"][0]["code"], "unknown-action");
    assert_eq!(value["warnings"][0]["suggestion"], "kms:Decrypt");
}

#[test]
fn simulate_decides_other_services_with_their_resource_policy() {
    let request = format!("{SIM}/request-s3-get.json");
    let bucket = format!("{SIM}/bucket-policy.json");
    let allowed = keyward(&["simulate", "--request", &request, "--resource-policy", &bucket]);
    assert_eq!(
        allowed.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&allowed.stdout)
    );
    // IAM User Guide, reference_policies_evaluation-logic.html: a role ARN
    // in a resource-based policy is limited by the role's boundary.
    let boundary = format!("arn:aws:iam::111122223333:role/analyst={SIM}/analyst-boundary.json");
    let limited = keyward(&[
        "simulate",
        "--request",
        &request,
        "--resource-policy",
        &bucket,
        "--boundary",
        &boundary,
        "--format",
        "json",
        "--explain",
    ]);
    assert_eq!(limited.status.code(), Some(1));
    let value = json(&limited);
    assert_eq!(value["why"], "resource-policy-role-limited");
    let trace = value["trace"].as_array().expect("a trace");
    assert!(trace.iter().any(|e| e["policy"]
        .as_str()
        .is_some_and(|p| p.ends_with("analyst-boundary.json"))
        && e["outcome"] == "action-not-matched"));
}

#[test]
fn explain_json_names_why_a_statement_did_not_apply() {
    let out = keyward(&[
        "simulate",
        "--request",
        &format!("{SIM}/request-app-decrypt-ops.json"),
        "--key-policy",
        &format!("{SIM}/key-policy.json"),
        "--identity-policy",
        &format!("arn:aws:iam::111122223333:role/app={SIM}/app-role.json"),
        "--format",
        "json",
        "--explain",
    ]);
    let value = json(&out);
    for entry in value["trace"].as_array().expect("a trace") {
        let outcome = entry["outcome"].as_str().expect("an outcome code");
        assert!(
            !outcome.contains(' ') && !outcome.contains('('),
            "a code, not debug text: {outcome}"
        );
        assert!(entry["message"].is_string());
    }
}
