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

#[test]
fn every_reason_and_guardrail_note_code_is_documented_and_in_the_schema() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let doc = std::fs::read_to_string(root.join("docs/simulate-json.md")).expect("the JSON doc");
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("docs/schemas/simulate.schema.json")).expect("the schema"),
    )
    .expect("JSON");
    let listed = |value: &serde_json::Value| -> Vec<String> {
        value["enum"]
            .as_array()
            .expect("an enum")
            .iter()
            .map(|c| c.as_str().expect("a code").to_owned())
            .collect()
    };
    let whys = listed(&schema["properties"]["why"]);
    let notes = listed(&schema["$defs"]["guardrail_note"]["properties"]["code"]);
    let kms = keyward::kms::KeyRule::ALL.map(keyward::kms::KeyRule::code);
    let general = keyward::eval::access::Rule::ALL.map(keyward::eval::access::Rule::code);
    for code in kms.iter().chain(&general) {
        assert!(
            doc.contains(&format!("`{code}`")),
            "`{code}` is not in docs/simulate-json.md"
        );
        assert!(whys.iter().any(|w| w == code), "`{code}` is not in the schema's `why`");
    }
    for code in &whys {
        assert!(
            kms.contains(&code.as_str()) || general.contains(&code.as_str()),
            "the schema lists `{code}`, which no decision gives"
        );
    }
    for note in keyward::eval::GuardrailNote::ALL {
        assert!(
            doc.contains(&format!("`{}`", note.code())),
            "`{}` is undocumented",
            note.code()
        );
        assert!(
            notes.iter().any(|n| n == note.code()),
            "`{}` is not in the schema",
            note.code()
        );
    }
}

#[test]
fn a_kms_request_through_an_endpoint_is_decided_with_its_policy_and_notes_skipped_guardrails() {
    let dir = std::env::temp_dir().join(format!("keyward-sim-vpce-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a scratch dir");
    let write = |name: &str, text: &str| {
        let path = dir.join(name);
        std::fs::write(&path, text).expect("write");
        path.to_str().expect("a path").to_owned()
    };
    let key_policy = write(
        "key.json",
        r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:user/alice"}, "Action": "kms:*", "Resource": "*"}]}"#,
    );
    let endpoint = write(
        "endpoint.json",
        r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*"}]}"#,
    );
    let scp = write(
        "scp.json",
        r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}"#,
    );
    let key = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    let request = |action: &str, endpoint: bool| {
        let vpce = if endpoint {
            r#", "vpc_endpoint": "vpce-0a1b2c3d""#
        } else {
            ""
        };
        write(
            &format!("request-{action}-{endpoint}.json"),
            &format!(
                r#"{{"principal": "arn:aws:iam::111122223333:user/alice", "action": "kms:{action}", "resource": "{key}"{vpce}}}"#
            ),
        )
    };
    let run = |request: &str| {
        keyward(&[
            "simulate",
            "--request",
            request,
            "--key-policy",
            &key_policy,
            "--vpc-endpoint-policy",
            &endpoint,
            "--format",
            "json",
            "--explain",
        ])
    };
    let decrypt = run(&request("Decrypt", true));
    assert_eq!(decrypt.status.code(), Some(0));
    let encrypt = run(&request("Encrypt", true));
    assert_eq!(encrypt.status.code(), Some(1));
    assert_eq!(json(&encrypt)["why"], "vpc-endpoint-implicit-deny");
    // An endpoint policy without the request naming its endpoint is a usage error.
    let not_through = run(&request("Encrypt", false));
    assert_eq!(not_through.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&not_through.stderr).contains("vpc_endpoint"));
    // A service principal is outside SCPs: the trace says so.
    let service = write(
        "request-service.json",
        &format!(r#"{{"principal": "cloudtrail.amazonaws.com", "action": "kms:DescribeKey", "resource": "{key}"}}"#),
    );
    let out = keyward(&[
        "simulate",
        "--request",
        &service,
        "--key-policy",
        &key_policy,
        "--scp",
        &format!("111122223333={scp}"),
        "--format",
        "json",
        "--explain",
    ]);
    let notes = json(&out)["guardrail_notes"].clone();
    assert!(
        notes
            .as_array()
            .expect("notes")
            .iter()
            .any(|n| n["code"] == "scp-not-for-service-principal"),
        "{notes}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// `--accounts` with an organization: a bucket policy for "any principal of
/// my organization" (`aws:PrincipalOrgID`) lets a member account's role read,
/// and not the same role of an account outside the organization.
/// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalorgid
#[test]
fn simulate_gives_the_organization_keys_of_the_accounts_file() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("simulate-organization");
    std::fs::create_dir_all(&dir).unwrap();
    let reads =
        r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}"#;
    let accounts = dir.join("accounts.json");
    std::fs::write(
        &accounts,
        format!(
            r#"{{"organization": {{"id": "o-a1b2c3d4e5", "root": "r-ab12"}}, "accounts": {{
                "111122223333": {{}},
                "444455556666": {{"principals": {{"arn:aws:iam::444455556666:role/app": {{"policies": [{reads}]}}}}}},
                "777788889999": {{"in_organization": false,
                                  "principals": {{"arn:aws:iam::777788889999:role/app": {{"policies": [{reads}]}}}}}}}}}}"#
        ),
    )
    .unwrap();
    let bucket = dir.join("bucket.json");
    std::fs::write(
        &bucket,
        r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
            "Resource": "arn:aws:s3:::reports/*", "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}}]}"#,
    )
    .unwrap();
    let decide = |account: &str| {
        let request = dir.join(format!("request-{account}.json"));
        std::fs::write(
            &request,
            format!(
                r#"{{"principal": "arn:aws:sts::{account}:assumed-role/app/s1", "action": "s3:GetObject",
                    "resource": "arn:aws:s3:::reports/q1.csv", "resource_account": "111122223333"}}"#
            ),
        )
        .unwrap();
        let out = keyward(&[
            "simulate",
            "--accounts",
            accounts.to_str().unwrap(),
            "--request",
            request.to_str().unwrap(),
            "--resource-policy",
            bucket.to_str().unwrap(),
        ]);
        (out.status.code(), String::from_utf8_lossy(&out.stdout).into_owned())
    };
    let (member, said) = decide("444455556666");
    assert_eq!(member, Some(0), "{said}");
    let (outsider, said) = decide("777788889999");
    assert_eq!(outsider, Some(1), "{said}");
}
