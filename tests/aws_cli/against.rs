//! The everyday tasks of docs/aws-cli.md run twice, with the same command
//! line: by the real AWS CLI (version 1, `awscli` from PyPI, which `.ci/run`
//! installs in target/awscli) against `keyward serve`, and by `keyward kms`
//! on a state directory of its own. Both must print the same text once the
//! values that differ between two runs of AWS itself (key ids, key material
//! ids, grant ids and tokens, ciphertexts, data keys, timestamps) are masked.
//!
//! The AWS CLI v1 prints KMS timestamps as the service sends them (epoch
//! seconds) unless `cli_timestamp_format = iso8601`; keyward prints ISO 8601
//! as the AWS CLI v2 does, so the AWS side is configured that way.
//! https://docs.aws.amazon.com/cli/latest/topic/config-vars.html

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use regex::Regex;

use crate::serve::{accounts, scratch, Served};

/// The root's access key in tests/serve/accounts.json.
const ROOT: (&str, &str) = ("AKIAROOT000000000001", "root-secret-0000000000000000000000000000");

/// The AWS CLI: `$KEYWARD_AWS_CLI`, else `target/awscli/bin/aws`. Missing,
/// it fails the test unless `KEYWARD_SKIP_SDK_TESTS=1` (never under CI).
fn aws_cli() -> Option<PathBuf> {
    let cli = std::env::var_os("KEYWARD_AWS_CLI")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target/awscli/bin/aws"));
    if cli.exists() {
        return Some(cli);
    }
    let skip = std::env::var("KEYWARD_SKIP_SDK_TESTS").is_ok_and(|v| v == "1");
    assert!(
        skip && std::env::var_os("CI").is_none(),
        "the AWS CLI is missing at `{}`: `.ci/run` installs it (`python3 -m venv target/awscli && \
         target/awscli/bin/pip install awscli==1.46.3`); KEYWARD_SKIP_SDK_TESTS=1 skips the SDK tests outside CI",
        cli.display()
    );
    eprintln!("SKIPPED: the AWS CLI is missing and KEYWARD_SKIP_SDK_TESTS=1");
    None
}

/// One way of running `kms …` lines: its program and leading arguments, its
/// environment, and a folder for its files (`$DIR` in a line).
struct Side {
    name: &'static str,
    program: PathBuf,
    leading: Vec<String>,
    env: Vec<(&'static str, String)>,
    dir: PathBuf,
}

impl Side {
    fn aws(cli: PathBuf, served: &Served, dir: PathBuf) -> Side {
        let config = dir.join("aws-config");
        std::fs::write(&config, "[default]\ncli_timestamp_format = iso8601\n").expect("the AWS CLI's config");
        Side {
            name: "aws",
            program: cli,
            leading: vec!["--endpoint-url".to_owned(), served.endpoint()],
            env: vec![
                ("AWS_ACCESS_KEY_ID", ROOT.0.to_owned()),
                ("AWS_SECRET_ACCESS_KEY", ROOT.1.to_owned()),
                ("AWS_DEFAULT_REGION", "us-east-1".to_owned()),
                ("AWS_CONFIG_FILE", config.display().to_string()),
                ("AWS_SHARED_CREDENTIALS_FILE", "/dev/null".to_owned()),
                ("AWS_PAGER", String::new()),
                ("AWS_EC2_METADATA_DISABLED", "true".to_owned()),
            ],
            dir,
        }
    }

    fn keyward(dir: PathBuf) -> Side {
        Side {
            name: "keyward",
            program: PathBuf::from(env!("CARGO_BIN_EXE_keyward")),
            leading: vec!["--state".to_owned(), dir.join("state").display().to_string()],
            env: vec![("AWS_REGION", "us-east-1".to_owned())],
            dir,
        }
    }

    /// Runs `line` (words split on spaces; `$DIR` is this side's folder and
    /// `$KEY` the key id given).
    fn run(&self, line: &str, key: &str) -> Output {
        let line = line
            .replace("$DIR", &self.dir.display().to_string())
            .replace("$KEY", key);
        Command::new(&self.program)
            .args(&self.leading)
            .args(line.split(' '))
            .env_remove("AWS_REGION")
            .env_remove("AWS_DEFAULT_REGION")
            .env_remove("AWS_PROFILE")
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("{} does not run: {e}", self.program.display()))
    }
}

/// Both sides and the key each one created.
struct Pair {
    aws: Side,
    keyward: Side,
    keys: [String; 2],
}

impl Pair {
    /// Runs `line` on both sides, expects success, and asserts that both
    /// printed the same text once masked (`volatile`: the members whose
    /// values differ from run to run); the two outputs.
    fn same(&self, line: &str, volatile: &[&str]) -> [String; 2] {
        let outs = [self.aws.run(line, &self.keys[0]), self.keyward.run(line, &self.keys[1])];
        for (side, out) in [&self.aws, &self.keyward].iter().zip(&outs) {
            assert!(
                out.status.success(),
                "{}: `{line}` failed: {}",
                side.name,
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let [aws, keyward] = outs.map(|out| String::from_utf8_lossy(&out.stdout).into_owned());
        assert_eq!(
            masked(&keyward, volatile),
            masked(&aws, volatile),
            "`{line}` prints differently (left: keyward kms, right: aws kms against keyward serve)"
        );
        [aws, keyward]
    }

    /// Runs `line` on both sides, expects both to refuse it, and asserts
    /// the same error text; exit statuses are the AWS CLI v1's 255 and
    /// keyward's 1 (docs/aws-cli.md).
    fn refused(&self, line: &str) {
        let outs = [self.aws.run(line, &self.keys[0]), self.keyward.run(line, &self.keys[1])];
        assert_eq!(outs[0].status.code(), Some(255), "aws: `{line}`");
        assert_eq!(outs[1].status.code(), Some(1), "keyward: `{line}`");
        let [aws, keyward] = outs.map(|out| String::from_utf8_lossy(&out.stderr).into_owned());
        assert_eq!(
            masked(keyward.trim(), &[]),
            masked(aws.trim(), &[]),
            "`{line}` fails differently"
        );
    }

    /// Writes `bytes` as `name` in each side's folder.
    fn write(&self, name: &str, bytes: [&[u8]; 2]) {
        for (side, bytes) in [&self.aws, &self.keyward].iter().zip(bytes) {
            std::fs::write(side.dir.join(name), bytes).expect("write");
        }
    }
}

/// `text` with what differs between two runs replaced by placeholders.
fn masked(text: &str, volatile: &[&str]) -> String {
    let patterns = [
        (
            r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
            "<key-id>",
        ),
        (r"\b[0-9a-f]{64}\b", "<hex-id>"),
        (r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+00:00", "<time>"),
    ];
    let mut text = text.to_owned();
    for (pattern, placeholder) in patterns {
        text = Regex::new(pattern)
            .expect("a pattern")
            .replace_all(&text, placeholder)
            .into_owned();
    }
    for member in volatile {
        let pattern = Regex::new(&format!(r#""{member}": "[^"]*""#)).expect("a pattern");
        text = pattern
            .replace_all(&text, format!(r#""{member}": "<{member}>""#).as_str())
            .into_owned();
    }
    text
}

fn base64_decode(text: &str) -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD
        .decode(text.trim())
        .expect("base64")
}

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

#[test]
fn against_the_aws_cli() {
    let Some(cli) = aws_cli() else { return };
    let accounts = accounts();
    let served = Served::start(
        "against-the-aws-cli",
        &["--ephemeral", "--accounts", accounts.to_str().expect("a UTF-8 path")],
    );
    let mut pair = Pair {
        aws: Side::aws(cli, &served, scratch("against-the-aws-cli-aws")),
        keyward: Side::keyward(scratch("against-the-aws-cli-keyward")),
        keys: [String::new(), String::new()],
    };
    pair.write("secret.txt", [b"hello", b"hello"]);

    // 1. Create a key (and an alias for it).
    let created = pair.same("kms create-key --description app-data", &[]);
    pair.keys = created.map(|text| {
        json(&text)["KeyMetadata"]["KeyId"]
            .as_str()
            .expect("a key id")
            .to_owned()
    });
    pair.same("kms create-alias --alias-name alias/app --target-key-id $KEY", &[]);

    // 2. Put a policy: the default one, read back and put again from a file.
    let policies = pair.same(
        "kms get-key-policy --key-id $KEY --policy-name default --query Policy --output text",
        &[],
    );
    pair.write("key-policy.json", [policies[0].as_bytes(), policies[1].as_bytes()]);
    pair.same(
        "kms put-key-policy --key-id $KEY --policy-name default --policy file://$DIR/key-policy.json",
        &[],
    );

    // 3. Encrypt with an encryption context, from a file of bytes.
    let encrypted = pair.same(
        "kms encrypt --key-id alias/app --plaintext fileb://$DIR/secret.txt --encryption-context purpose=test",
        &["CiphertextBlob"],
    );
    let blobs = encrypted.map(|text| base64_decode(json(&text)["CiphertextBlob"].as_str().expect("a blob")));
    pair.write("secret.enc", [&blobs[0], &blobs[1]]);

    // 4. Decrypt: the plaintext itself is compared; without the context,
    //    the same refusal.
    let decrypted = pair.same(
        "kms decrypt --ciphertext-blob fileb://$DIR/secret.enc --encryption-context purpose=test",
        &[],
    );
    assert_eq!(json(&decrypted[1])["Plaintext"], "aGVsbG8=");
    pair.same(
        "kms decrypt --ciphertext-blob fileb://$DIR/secret.enc --encryption-context purpose=test --query Plaintext --output text",
        &[],
    );
    pair.refused("kms decrypt --ciphertext-blob fileb://$DIR/secret.enc");

    // 5. Grant, in the AWS CLI's shorthand.
    pair.same(
        "kms create-grant --key-id $KEY --grantee-principal arn:aws:iam::111122223333:role/app \
         --operations Encrypt Decrypt --constraints EncryptionContextSubset={purpose=test}",
        &[],
    );

    // 6. List grants, whole and through `--query`.
    pair.same("kms list-grants --key-id $KEY", &[]);
    pair.same("kms list-grants --key-id $KEY --output text", &[]);
    pair.same(
        "kms list-grants --key-id $KEY --query Grants[].[GranteePrincipal,Operations[0]] --output text",
        &[],
    );

    // 10. Encrypt a file: `aws kms` has no verb for it; a data key for an
    //     envelope is its nearest (tests/serve/esdk.rs runs the AWS
    //     Encryption CLI itself against keyward serve).
    pair.same(
        "kms generate-data-key --key-id alias/app --key-spec AES_256 --encryption-context purpose=test",
        &["CiphertextBlob", "Plaintext"],
    );

    // What a script reads back: one field as text, a filtered list, a
    // missing alias.
    pair.same(
        "kms describe-key --key-id alias/app --query KeyMetadata.KeyState --output text",
        &[],
    );
    pair.same("kms describe-key --key-id alias/app --output text", &[]);
    pair.same(
        "kms list-aliases --query Aliases[?AliasName=='alias/app'].TargetKeyId --output text",
        &[],
    );
    pair.same("kms list-aliases --output text", &[]);
    // The bare backtick literal of many AWS examples (JEP 12's deprecated form).
    pair.same(
        "kms list-aliases --query Aliases[?AliasName==`alias/app`].AliasArn --output text",
        &[],
    );
    pair.refused("kms encrypt --key-id alias/missing --plaintext aGk=");
}
