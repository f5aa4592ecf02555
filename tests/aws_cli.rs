//! `keyward kms <operation>` through the real binary: each AWS CLI habit
//! (parameter names, shorthand, JSON values, `fileb://`, `--query`,
//! `--output`, `--cli-input-json`, `--generate-cli-skeleton`, the Region
//! from the environment) and the answers as the AWS CLI prints them.
//! https://docs.aws.amazon.com/cli/latest/userguide/cli-usage-shorthand.html

// The same lines through the real AWS CLI against `keyward serve`.
#[cfg(feature = "serve")]
mod against;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

/// A state directory of its own for one test.
struct Kms {
    state: PathBuf,
}

impl Kms {
    fn new(name: &str) -> Kms {
        let state = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("aws-cli-{name}"));
        let _ = std::fs::remove_dir_all(&state);
        std::fs::create_dir_all(&state).expect("state folder");
        Kms { state }
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_keyward"));
        command
            .arg("--state")
            .arg(&self.state)
            .args(args)
            .env_remove("AWS_REGION")
            .env_remove("AWS_DEFAULT_REGION")
            .stdin(Stdio::null());
        command
    }

    fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().expect("keyward runs")
    }

    /// Runs and expects success; the stdout.
    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn json(&self, args: &[&str]) -> Value {
        let text = self.ok(args);
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{args:?} printed no JSON ({e}): {text}"))
    }

    fn key(&self) -> String {
        let created = self.json(&["kms", "create-key", "--description", "test"]);
        created["KeyMetadata"]["KeyId"].as_str().expect("a key id").to_owned()
    }

    fn file(&self, name: &str, bytes: &[u8]) -> String {
        let path = self.state.join(name);
        std::fs::write(&path, bytes).expect("write");
        path.display().to_string()
    }
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn create_key_prints_the_aws_response_with_iso_8601_timestamps() {
    let kms = Kms::new("create-key");
    let created = kms.json(&["kms", "create-key", "--description", "app"]);
    let metadata = &created["KeyMetadata"];
    assert_eq!(metadata["Description"], "app");
    assert_eq!(metadata["KeyState"], "Enabled");
    let date = metadata["CreationDate"].as_str().expect("a string timestamp");
    assert!(date.ends_with("+00:00") && date.as_bytes()[10] == b'T', "{date}");
}

#[test]
fn json_output_is_the_default_whatever_stdout_is_and_indents_by_four() {
    let kms = Kms::new("default-json");
    let text = kms.ok(&["kms", "create-key"]);
    assert!(text.starts_with("{\n    \"KeyMetadata\": {\n        \""), "{text}");
}

#[test]
fn encrypt_reads_fileb_and_decrypt_gives_the_bytes_back_with_the_context_as_shorthand_or_json() {
    let kms = Kms::new("round-trip");
    let key = kms.key();
    let plaintext = kms.file("secret.bin", b"\x00\x01binary secret\xff");
    let blob = kms.ok(&[
        "kms",
        "encrypt",
        "--key-id",
        &key,
        "--plaintext",
        &format!("fileb://{plaintext}"),
        "--encryption-context",
        "dept=eng,app=billing",
        "--query",
        "CiphertextBlob",
        "--output",
        "text",
    ]);
    let raw = base64_decode(blob.trim());
    let ciphertext = kms.file("secret.enc", &raw);
    let decrypted = kms.json(&[
        "kms",
        "decrypt",
        "--ciphertext-blob",
        &format!("fileb://{ciphertext}"),
        "--encryption-context",
        r#"{"app": "billing", "dept": "eng"}"#,
    ]);
    let plaintext = base64_decode(decrypted["Plaintext"].as_str().expect("base64 plaintext"));
    assert_eq!(plaintext, b"\x00\x01binary secret\xff");
    // Without the context, AWS refuses the ciphertext.
    let refused = kms.run(&["kms", "decrypt", "--ciphertext-blob", &format!("fileb://{ciphertext}")]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        stderr(&refused).contains("An error occurred (InvalidCiphertextException) when calling the Decrypt operation"),
        "{}",
        stderr(&refused)
    );
}

#[test]
fn a_blob_given_inline_is_base64_unless_the_binary_format_says_raw() {
    let kms = Kms::new("binary-format");
    let key = kms.key();
    let refused = kms.run(&["kms", "encrypt", "--key-id", &key, "--plaintext", "not base64!"]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(stderr(&refused).contains("Invalid base64"), "{}", stderr(&refused));
    let raw = kms.json(&[
        "kms",
        "encrypt",
        "--key-id",
        &key,
        "--plaintext",
        "hello",
        "--cli-binary-format",
        "raw-in-base64-out",
    ]);
    assert!(raw["CiphertextBlob"].is_string());
}

#[test]
fn tags_in_shorthand_are_stored_as_key_and_value() {
    let kms = Kms::new("tags");
    let key = kms.key();
    kms.ok(&[
        "kms",
        "tag-resource",
        "--key-id",
        &key,
        "--tags",
        "TagKey=env,TagValue=dev",
        "TagKey=team,TagValue=payments",
    ]);
    let tags = kms.json(&["kms", "list-resource-tags", "--key-id", &key]);
    assert_eq!(
        tags["Tags"],
        serde_json::json!([{"TagKey": "env", "TagValue": "dev"}, {"TagKey": "team", "TagValue": "payments"}])
    );
}

#[test]
fn grant_operations_space_separated_and_constraints_in_shorthand() {
    let kms = Kms::new("grants");
    let key = kms.key();
    let issued = kms.json(&[
        "kms",
        "create-grant",
        "--key-id",
        &key,
        "--grantee-principal",
        "arn:aws:iam::111122223333:role/app",
        "--operations",
        "Encrypt",
        "Decrypt",
        "--constraints",
        "EncryptionContextSubset={dept=eng}",
    ]);
    assert!(issued["GrantId"].is_string() && issued["GrantToken"].is_string());
    kms.ok(&[
        "kms",
        "create-grant",
        "--key-id",
        &key,
        "--grantee-principal",
        "arn:aws:iam::111122223333:role/other",
        "--operations",
        "Encrypt,GenerateDataKey",
    ]);
    let grants = kms.json(&["kms", "list-grants", "--key-id", &key]);
    let grant_to = |role: &str| -> Value {
        let arn = format!("arn:aws:iam::111122223333:role/{role}");
        let found = grants["Grants"]
            .as_array()
            .and_then(|g| g.iter().find(|g| g["GranteePrincipal"] == arn.as_str()));
        found.cloned().unwrap_or_else(|| panic!("a grant to {role}: {grants}"))
    };
    assert_eq!(grant_to("app")["Operations"], serde_json::json!(["Encrypt", "Decrypt"]));
    assert_eq!(
        grant_to("app")["Constraints"],
        serde_json::json!({"EncryptionContextSubset": {"dept": "eng"}})
    );
    assert_eq!(
        grant_to("other")["Operations"],
        serde_json::json!(["Encrypt", "GenerateDataKey"])
    );
    let principals = kms.ok(&[
        "kms",
        "list-grants",
        "--key-id",
        &key,
        "--query",
        "sort(Grants[].GranteePrincipal)",
        "--output",
        "text",
    ]);
    assert_eq!(
        principals,
        "arn:aws:iam::111122223333:role/app\tarn:aws:iam::111122223333:role/other\n"
    );
}

#[test]
fn put_key_policy_takes_the_policy_name_default_and_a_file() {
    let kms = Kms::new("policy");
    let key = kms.key();
    let policy = kms.ok(&[
        "kms",
        "get-key-policy",
        "--key-id",
        &key,
        "--policy-name",
        "default",
        "--query",
        "Policy",
        "--output",
        "text",
    ]);
    let path = kms.file("policy.json", policy.trim_end().as_bytes());
    kms.ok(&[
        "kms",
        "put-key-policy",
        "--key-id",
        &key,
        "--policy-name",
        "default",
        "--policy",
        &format!("file://{path}"),
    ]);
}

#[test]
fn cli_input_json_gives_the_members_and_flags_override_them() {
    let kms = Kms::new("input-json");
    let key = kms.key();
    let input = format!(r#"{{"KeyId": "{key}", "Description": "from json"}}"#);
    kms.ok(&["kms", "update-key-description", "--cli-input-json", &input]);
    let described = kms.json(&["kms", "describe-key", "--key-id", &key]);
    assert_eq!(described["KeyMetadata"]["Description"], "from json");
    kms.ok(&[
        "kms",
        "update-key-description",
        "--cli-input-json",
        &input,
        "--description",
        "from flag",
    ]);
    let described = kms.json(&[
        "kms",
        "describe-key",
        "--key-id",
        &key,
        "--query",
        "KeyMetadata.Description",
    ]);
    assert_eq!(described, "from flag");
}

#[test]
fn generate_cli_skeleton_lists_every_member_and_feeds_cli_input_json() {
    let kms = Kms::new("skeleton");
    let skeleton = kms.json(&["kms", "encrypt", "--generate-cli-skeleton"]);
    let members: Vec<&str> = skeleton
        .as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect();
    for member in [
        "KeyId",
        "Plaintext",
        "EncryptionContext",
        "GrantTokens",
        "EncryptionAlgorithm",
    ] {
        assert!(members.contains(&member), "{members:?}");
    }
    let output = kms.json(&["kms", "encrypt", "--generate-cli-skeleton", "output"]);
    assert!(output.get("CiphertextBlob").is_some(), "{output}");
}

#[test]
fn a_missing_required_parameter_is_named_as_the_aws_cli_names_it() {
    let kms = Kms::new("required");
    let out = kms.run(&["kms", "encrypt", "--plaintext", "aGk="]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("the following arguments are required: --key-id"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn the_region_comes_from_aws_region_then_aws_default_region() {
    let kms = Kms::new("region");
    let region_of = |envs: &[(&str, &str)], args: &[&str]| {
        let mut command = kms.command(&[&["kms", "create-key"], args].concat());
        for (name, value) in envs {
            command.env(name, value);
        }
        let out = command.output().expect("keyward runs");
        let created: Value = serde_json::from_slice(&out.stdout).expect("JSON");
        let arn = created["KeyMetadata"]["Arn"].as_str().expect("an ARN").to_owned();
        arn.split(':').nth(3).expect("a Region").to_owned()
    };
    assert_eq!(region_of(&[], &[]), "us-east-1");
    assert_eq!(region_of(&[("AWS_DEFAULT_REGION", "eu-west-1")], &[]), "eu-west-1");
    assert_eq!(
        region_of(
            &[("AWS_DEFAULT_REGION", "eu-west-1"), ("AWS_REGION", "ap-south-1")],
            &[]
        ),
        "ap-south-1"
    );
    assert_eq!(
        region_of(&[("AWS_REGION", "ap-south-1")], &["--region", "eu-central-1"]),
        "eu-central-1"
    );
}

#[test]
fn list_operations_fetch_every_page_unless_told_not_to() {
    let kms = Kms::new("pages");
    for _ in 0..3 {
        kms.key();
    }
    let all = kms.json(&["kms", "list-keys", "--page-size", "1"]);
    assert_eq!(all["Keys"].as_array().map(Vec::len), Some(3));
    assert!(all.get("NextMarker").is_none(), "{all}");
    let one = kms.json(&["kms", "list-keys", "--page-size", "1", "--no-paginate"]);
    assert_eq!(one["Keys"].as_array().map(Vec::len), Some(1));
    assert!(one["NextMarker"].is_string(), "{one}");
}

#[test]
fn output_text_table_and_yaml_print_the_same_answer() {
    let kms = Kms::new("formats");
    let key = kms.key();
    let text = kms.ok(&["kms", "describe-key", "--key-id", &key, "--output", "text"]);
    assert!(text.starts_with("KEYMETADATA\t111122223333\t"), "{text}");
    let table = kms.ok(&["kms", "describe-key", "--key-id", &key, "--output", "table"]);
    assert!(table.contains("DescribeKey") && table.contains(&key), "{table}");
    let widths: Vec<usize> = table.lines().map(|l| l.chars().count()).collect();
    assert!(widths.windows(2).all(|w| w[0] == w[1]), "{table}");
    let yaml = kms.ok(&["kms", "describe-key", "--key-id", &key, "--output", "yaml"]);
    assert!(
        yaml.contains("KeyMetadata:\n  AWSAccountId: '111122223333'\n"),
        "{yaml}"
    );
    assert!(yaml.contains(&format!("  KeyId: {key}\n")), "{yaml}");
}

#[test]
fn a_bad_query_is_a_usage_error() {
    let kms = Kms::new("bad-query");
    let out = kms.run(&["kms", "list-keys", "--query", "Keys["]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("--query"), "{}", stderr(&out));
}

#[test]
fn every_served_operation_is_a_subcommand() {
    let kms = Kms::new("operations");
    let help = kms.ok(&["kms", "--help"]);
    let listed: Vec<&str> = help
        .lines()
        .filter(|line| line.starts_with("  ") && !line.starts_with("   "))
        .filter_map(|line| line.split_whitespace().next())
        .collect();
    for name in keyward::kms::op::NAMES {
        let kebab = kebab(name);
        assert!(listed.contains(&kebab.as_str()), "{kebab} missing from:\n{help}");
    }
}

#[test]
fn short_verbs_print_their_text_unless_asked_for_json() {
    let kms = Kms::new("short-verbs");
    let text = kms.ok(&["key", "create"]);
    assert!(!text.trim_start().starts_with('{'), "{text}");
    let json = kms.json(&["key", "list", "--output", "json"]);
    assert!(json["Keys"].is_array());
    let key = text.split('\t').next().unwrap_or_default();
    let described = kms.ok(&["key", "describe", "--key-id", key]);
    assert!(
        described.starts_with(key),
        "text by default, terminal or not: {described}"
    );
    let described = kms.json(&["key", "describe", "--key-id", key, "--output", "json"]);
    assert!(described["KeyMetadata"]["CreationDate"].is_string(), "{described}");
}

/// The AWS CLI's name for an operation.
fn kebab(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            let before = chars[i - 1];
            let after_lower = chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
            if before.is_ascii_lowercase() || before.is_ascii_digit() || (before.is_ascii_uppercase() && after_lower) {
                out.push('-');
            }
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

/// Importing key material as docs/import.md shows it, each step its own
/// `keyward kms` process: the import token handed out by one process is
/// good in the next (the state keeps its wrapping key), once.
/// https://docs.aws.amazon.com/kms/latest/developerguide/importing-keys.html
#[test]
fn an_import_token_from_one_process_imports_in_the_next_and_only_once() {
    let kms = Kms::new("import-processes");
    let created = kms.json(&["kms", "create-key", "--origin", "EXTERNAL"]);
    let key = created["KeyMetadata"]["KeyId"].as_str().expect("a key id").to_owned();
    assert_eq!(created["KeyMetadata"]["KeyState"], "PendingImport");
    let parameters = kms.json(&[
        "kms",
        "get-parameters-for-import",
        "--key-id",
        &key,
        "--wrapping-algorithm",
        "RSA_AES_KEY_WRAP_SHA_256",
        "--wrapping-key-spec",
        "RSA_2048",
    ]);
    let public_key = kms.file(
        "PublicKey.b64",
        parameters["PublicKey"].as_str().expect("a public key").as_bytes(),
    );
    let token = kms.file(
        "ImportToken.bin",
        &base64_decode(parameters["ImportToken"].as_str().expect("a token")),
    );
    let material = kms.file("key.bin", &[0x5a; 32]);
    let wrapped = kms.state.join("wrapped.bin").display().to_string();
    kms.ok(&[
        "import-wrap",
        "--public-key",
        &public_key,
        "--material",
        &material,
        "--algorithm",
        "RSA_AES_KEY_WRAP_SHA_256",
        "--out",
        &wrapped,
    ]);
    let import = [
        "kms",
        "import-key-material",
        "--key-id",
        &key,
        "--import-token",
        &format!("fileb://{token}"),
        "--encrypted-key-material",
        &format!("fileb://{wrapped}"),
        "--expiration-model",
        "KEY_MATERIAL_DOES_NOT_EXPIRE",
    ];
    kms.ok(&import);
    let described = kms.json(&["kms", "describe-key", "--key-id", &key]);
    assert_eq!(described["KeyMetadata"]["KeyState"], "Enabled");
    kms.ok(&["kms", "encrypt", "--key-id", &key, "--plaintext", "aW1wb3J0ZWQ="]);

    let again = kms.run(&import);
    assert_eq!(again.status.code(), Some(1), "{}", stderr(&again));
    assert!(
        stderr(&again).contains("(InvalidImportTokenException) when calling the ImportKeyMaterial operation"),
        "{}",
        stderr(&again)
    );
}

/// `get-key-last-usage` in a later process names the `encrypt` of an
/// earlier one: the last use is read from the state's audit log.
/// https://docs.aws.amazon.com/kms/latest/APIReference/API_GetKeyLastUsage.html
#[test]
fn get_key_last_usage_in_a_new_process_names_the_encrypt_of_an_earlier_one() {
    let kms = Kms::new("last-usage-processes");
    let key = kms.key();
    let before = kms.json(&["kms", "get-key-last-usage", "--key-id", &key]);
    assert_eq!(before["KeyLastUsage"], serde_json::json!({}));
    kms.ok(&["kms", "encrypt", "--key-id", &key, "--plaintext", "dXNlZA=="]);
    let after = kms.json(&["kms", "get-key-last-usage", "--key-id", &key]);
    assert_eq!(after["KeyLastUsage"]["Operation"], "Encrypt", "{after}");
    assert_eq!(after["TrackingStartDate"], after["KeyCreationDate"]);
}

fn base64_decode(text: &str) -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.decode(text).expect("base64")
}

/// The everyday tasks of docs/aws-cli.md as an AWS CLI user writes them,
/// `aws` replaced by `keyward` and nothing else changed.
#[test]
fn everyday_aws_kms_command_lines_run_unchanged() {
    let kms = Kms::new("everyday");
    let dir = kms.state.display().to_string();
    std::fs::write(kms.state.join("secret.txt"), b"hello").expect("write");
    let run = |line: &str| -> String {
        let line = line.replace("$DIR", &dir);
        let words: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(words[0], "aws", "{line}");
        kms.ok(&words[1..])
    };
    let key = run("aws kms create-key --description app-data --query KeyMetadata.KeyId --output text");
    let key = key.trim();
    run(&format!(
        "aws kms create-alias --alias-name alias/app --target-key-id {key}"
    ));
    let policy = run(&format!(
        "aws kms get-key-policy --key-id {key} --policy-name default --query Policy --output text"
    ));
    std::fs::write(kms.state.join("key-policy.json"), policy.trim_end()).expect("write");
    run(&format!(
        "aws kms put-key-policy --key-id {key} --policy-name default --policy file://$DIR/key-policy.json"
    ));
    let blob = run("aws kms encrypt --key-id alias/app --plaintext fileb://$DIR/secret.txt --encryption-context purpose=test --query CiphertextBlob --output text");
    std::fs::write(kms.state.join("secret.enc"), base64_decode(blob.trim())).expect("write");
    let plaintext = run("aws kms decrypt --ciphertext-blob fileb://$DIR/secret.enc --encryption-context purpose=test --query Plaintext --output text");
    assert_eq!(base64_decode(plaintext.trim()), b"hello");
    let grant = run(&format!("aws kms create-grant --key-id {key} --grantee-principal arn:aws:iam::111122223333:role/app --operations Encrypt Decrypt --constraints EncryptionContextSubset={{purpose=test}} --query GrantId --output text"));
    let listed = run(&format!(
        "aws kms list-grants --key-id {key} --query Grants[].GrantId --output text"
    ));
    assert_eq!(listed.trim(), grant.trim());
}

/// keyward's short verbs take the same AWS CLI habits as `keyward kms`
/// (one parser): `--tags TagKey=…,TagValue=…` is a tag named `env`, not one
/// named `TagKey` (https://docs.aws.amazon.com/cli/latest/reference/kms/tag-resource.html).
#[test]
fn key_tag_stores_aws_shorthand_tags_as_key_and_value() {
    let kms = Kms::new("short-tags");
    let key = kms.key();
    kms.ok(&[
        "key",
        "tag",
        "--key-id",
        &key,
        "--tags",
        "TagKey=env,TagValue=dev",
        "TagKey=team,TagValue=payments",
    ]);
    kms.ok(&[
        "key",
        "tag",
        "--key-id",
        &key,
        "--tags",
        r#"[{"TagKey":"tier","TagValue":"1"}]"#,
    ]);
    kms.ok(&["key", "tag", "--key-id", &key, "--tags", "owner=ana"]);
    let tags = kms.json(&["kms", "list-resource-tags", "--key-id", &key]);
    let mut pairs: Vec<(String, String)> = tags["Tags"]
        .as_array()
        .expect("a tag list")
        .iter()
        .map(|t| {
            (
                t["TagKey"].as_str().unwrap_or("").into(),
                t["TagValue"].as_str().unwrap_or("").into(),
            )
        })
        .collect();
    pairs.sort();
    let expected = [("env", "dev"), ("owner", "ana"), ("team", "payments"), ("tier", "1")];
    assert_eq!(
        pairs,
        expected.map(|(k, v)| (k.to_owned(), v.to_owned())).to_vec(),
        "{tags}"
    );
    let bad = kms.run(&["key", "tag", "--key-id", &key, "--tags", "TagKey=env,Value=dev"]);
    assert_eq!(
        bad.status.code(),
        Some(2),
        "an unknown member is a usage error, not a stored tag"
    );
    assert!(stderr(&bad).contains("TagValue"), "{}", stderr(&bad));
}

// https://docs.aws.amazon.com/cli/latest/reference/kms/create-grant.html
#[test]
fn grant_create_takes_space_separated_operations_and_shorthand_constraints() {
    let kms = Kms::new("short-grants");
    let key = kms.key();
    let app = "arn:aws:iam::111122223333:role/app";
    kms.ok(&[
        "grant",
        "create",
        "--key-id",
        &key,
        "--grantee-principal",
        app,
        "--operations",
        "Encrypt",
        "Decrypt",
        "--constraints",
        "EncryptionContextSubset={dept=eng,team=a}",
    ]);
    let json_constraints = r#"{"EncryptionContextEquals": {"dept": "ops"}}"#;
    kms.ok(&[
        "grant",
        "create",
        "--key-id",
        &key,
        "--grantee-principal",
        "arn:aws:iam::111122223333:role/ops",
        "--operations",
        "Encrypt,GenerateDataKey",
        "--constraints",
        json_constraints,
    ]);
    let grants = kms.json(&["grant", "list", "--key-id", &key, "--output", "json"]);
    let grant_to = |arn: &str| -> Value {
        grants["Grants"]
            .as_array()
            .and_then(|g| g.iter().find(|g| g["GranteePrincipal"] == arn))
            .cloned()
            .unwrap_or_else(|| panic!("a grant to {arn}: {grants}"))
    };
    assert_eq!(grant_to(app)["Operations"], serde_json::json!(["Encrypt", "Decrypt"]));
    assert_eq!(
        grant_to(app)["Constraints"],
        serde_json::json!({"EncryptionContextSubset": {"dept": "eng", "team": "a"}})
    );
    let ops = grant_to("arn:aws:iam::111122223333:role/ops");
    assert_eq!(ops["Operations"], serde_json::json!(["Encrypt", "GenerateDataKey"]));
    assert_eq!(
        ops["Constraints"],
        serde_json::json!({"EncryptionContextEquals": {"dept": "ops"}})
    );
}

// https://docs.aws.amazon.com/cli/latest/reference/kms/encrypt.html (`--encryption-context`
// as shorthand or JSON)
#[test]
fn short_verbs_take_the_encryption_context_as_json_or_shorthand() {
    let kms = Kms::new("short-context");
    let key = kms.key();
    let blob = kms.ok(&[
        "encrypt",
        "--key-id",
        &key,
        "--plaintext",
        "hello",
        "--encryption-context",
        r#"{"purpose": "test", "team": "a"}"#,
    ]);
    let blob = blob.trim();
    let plaintext = kms.ok(&[
        "decrypt",
        "--ciphertext-blob",
        blob,
        "--encryption-context",
        "purpose=test,team=a",
    ]);
    assert_eq!(base64_decode(plaintext.trim()), b"hello");
    let merged = kms.ok(&[
        "decrypt",
        "--ciphertext-blob",
        blob,
        "--encryption-context",
        "purpose=test",
        "--encryption-context",
        r#"{"team": "a"}"#,
    ]);
    assert_eq!(base64_decode(merged.trim()), b"hello", "repeated values are merged");
    let wrong = kms.run(&[
        "decrypt",
        "--ciphertext-blob",
        blob,
        "--encryption-context",
        r#"{"purpose": "x"}"#,
    ]);
    assert_eq!(wrong.status.code(), Some(1), "{}", stderr(&wrong));
    assert!(
        stderr(&wrong).contains("InvalidCiphertextException"),
        "{}",
        stderr(&wrong)
    );
    let data_key = kms.json(&[
        "generate-data-key",
        "--key-id",
        &key,
        "--key-spec",
        "AES_256",
        "--encryption-context",
        r#"{"purpose": "test"}"#,
        "--output",
        "json",
    ]);
    assert!(data_key["CiphertextBlob"].is_string(), "{data_key}");
}

// https://docs.aws.amazon.com/cli/latest/reference/kms/put-key-policy.html
#[test]
fn key_policy_get_and_put_take_the_policy_name_default_only() {
    let kms = Kms::new("short-policy");
    let key = kms.key();
    let policy = kms.ok(&["policy", "get", "--key-id", &key, "--policy-name", "default"]);
    let path = kms.file("policy.json", policy.trim_end().as_bytes());
    kms.ok(&[
        "policy",
        "put",
        "--key-id",
        &key,
        "--policy-name",
        "default",
        "--policy",
        &format!("file://{path}"),
    ]);
    let other = kms.run(&["policy", "get", "--key-id", &key, "--policy-name", "other"]);
    assert_eq!(other.status.code(), Some(1), "{}", stderr(&other));
    assert!(stderr(&other).contains("NotFoundException"), "{}", stderr(&other));
}

/// The REPL's `call` (and `keyward run`) prints a response as `keyward kms`
/// does: ISO 8601 timestamps, members in the model's order.
#[test]
fn the_repl_call_prints_timestamps_in_iso_8601_as_keyward_kms_does() {
    let kms = Kms::new("repl-call");
    let script = kms.file(
        "call.kws",
        b"let k = key create\nalias create alias/app $k\ncall CreateKey {\"Description\": \"app\"}\n\
          call GenerateDataKey {\"KeyId\": \"alias/app\", \"KeySpec\": \"AES_256\"}\n",
    );
    let out = kms.run(&["run", &script]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}{}", stderr(&out));
    let first = text.find("{\n").unwrap_or_else(|| panic!("no JSON: {text}"));
    let created: Value = serde_json::Deserializer::from_str(&text[first..])
        .into_iter()
        .next()
        .and_then(Result::ok)
        .unwrap_or_else(|| panic!("no JSON: {text}"));
    let date = created["KeyMetadata"]["CreationDate"]
        .as_str()
        .expect("a string timestamp");
    assert!(date.ends_with("+00:00") && date.as_bytes()[10] == b'T', "{date}");
    let order = ["\"CiphertextBlob\"", "\"Plaintext\"", "\"KeyId\"", "\"KeyMaterialId\""]
        .map(|m| text.rfind(m).unwrap_or_else(|| panic!("{m} in {text}")));
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{text}");
}
