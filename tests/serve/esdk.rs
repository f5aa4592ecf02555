//! Files interchangeable with the AWS Encryption SDK: the official AWS
//! Encryption CLI (`aws-encryption-cli`, on the SDK for Python, installed
//! by `.ci/run` in target/py) encrypts and decrypts through `keyward serve`
//! (`AWS_ENDPOINT_URL_KMS`), and `keyward encrypt-file`/`decrypt-file
//! --state` on the same state directory do the other half. Message format:
//! https://docs.aws.amazon.com/encryption-sdk/latest/developer-guide/message-format.html

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use super::{accounts, scratch, Served};

const ROOT: (&str, &str) = ("AKIAROOT000000000001", "root-secret-0000000000000000000000000000");
const ATTACKER: (&str, &str) = ("AKIAATTACKER00000001", "attacker-secret-000000000000000000000000");
const SIGNING: &str = "AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384";
const COMMITTING: &str = "AES_256_GCM_HKDF_SHA512_COMMIT_KEY";

/// The official CLI, or `None` when it is missing and
/// `KEYWARD_SKIP_SDK_TESTS=1` (never under CI) says to skip.
fn official_cli() -> Option<PathBuf> {
    let cli = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/py/bin/aws-encryption-cli");
    if cli.exists() {
        return Some(cli);
    }
    let skip = std::env::var("KEYWARD_SKIP_SDK_TESTS").is_ok_and(|v| v == "1");
    assert!(
        skip && std::env::var_os("CI").is_none(),
        "aws-encryption-cli is missing: `.ci/run` installs it in target/py \
         (KEYWARD_SKIP_SDK_TESTS=1 skips the SDK tests outside CI)"
    );
    None
}

/// A server on a state directory, keyward's CLI on the same state, and the
/// official CLI pointed at the server.
struct Interop {
    cli: PathBuf,
    served: Served,
    state: PathBuf,
    dir: PathBuf,
}

impl Interop {
    fn start(name: &str) -> Option<Interop> {
        let cli = official_cli()?;
        let dir = scratch(&format!("esdk-{name}"));
        let state = dir.join("state");
        let accounts = accounts();
        let interop = Interop {
            cli,
            served: Served::start(
                &format!("esdk-{name}"),
                &[
                    "--state",
                    state.to_str().expect("UTF-8"),
                    "--accounts",
                    accounts.to_str().expect("UTF-8"),
                ],
            ),
            state,
            dir,
        };
        Some(interop)
    }

    fn path(&self, name: &str) -> String {
        self.dir.join(name).to_str().expect("UTF-8").to_owned()
    }

    /// `keyward --accounts … --state … ARGS` (as `principal` when given).
    fn keyward(&self, principal: Option<&str>, args: &[&str]) -> Output {
        let mut command = Command::new(env!("CARGO_BIN_EXE_keyward"));
        command
            .arg("--accounts")
            .arg(accounts())
            .arg("--state")
            .arg(&self.state);
        if let Some(principal) = principal {
            command.args(["--as", principal]);
        }
        command.args(args).output().expect("keyward runs")
    }

    /// A new key (with `policy`, else the default key policy); its ARN.
    fn key(&self, policy: Option<&str>) -> String {
        // JSON whatever stdout is: the CLI's format never follows the terminal.
        let mut args = vec!["--output", "json", "key", "create"];
        let policy = policy.map(|p| format!("file://{p}"));
        if let Some(policy) = &policy {
            args.extend(["--policy", policy]);
        }
        let out = self.keyward(None, &args);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
        json["KeyMetadata"]["Arn"].as_str().expect("an ARN").to_owned()
    }

    /// `aws-encryption-cli ARGS` with `credentials`, talking to the server.
    fn official(&self, credentials: (&str, &str), args: &[&str]) -> Output {
        Command::new(&self.cli)
            .args(args)
            .args(["-S"])
            .env("AWS_ENDPOINT_URL_KMS", self.served.endpoint())
            .env("AWS_ACCESS_KEY_ID", credentials.0)
            .env("AWS_SECRET_ACCESS_KEY", credentials.1)
            .env("AWS_DEFAULT_REGION", "us-east-1")
            .env("AWS_CONFIG_FILE", "/dev/null")
            .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
            .output()
            .expect("aws-encryption-cli runs")
    }
}

fn plaintext(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 7 % 253) as u8).collect()
}

fn text(out: &Output) -> String {
    format!(
        "status {:?}\n{}\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// The offsets of each part of a framed message: one byte in the header,
/// its tag, each frame, and the footer.
fn parts(message: &[u8]) -> Vec<(String, usize)> {
    let mut rest = message;
    let read = keyward::crypto::esdk::read_header(&mut rest, None).expect("a header");
    let header_end = message.len() - rest.len();
    let frame = read.header.frame_length as usize;
    let mut parts = vec![
        ("the header's suite".to_owned(), 2),
        ("the header's context".to_owned(), 40),
        ("the header tag".to_owned(), header_end - 1),
    ];
    let mut at = header_end;
    let mut sequence = 1;
    while message[at..].starts_with(&[0xff; 4]).then_some(()).is_none() {
        parts.push((format!("frame {sequence}"), at + 4 + 12 + frame / 2));
        at += 4 + 12 + frame + 16;
        sequence += 1;
    }
    parts.push((format!("the final frame {sequence}"), at + 8 + 12 + 4));
    if read.header.suite.signing.is_some() {
        parts.push(("the footer's signature".to_owned(), message.len() - 5));
    }
    parts
}

#[test]
fn the_official_cli_encrypts_through_keyward_serve_and_keyward_decrypts_both_suites_v1_and_non_framed() {
    let Some(it) = Interop::start("to-keyward") else { return };
    let (first, second) = (it.key(None), it.key(None));
    let plain = it.path("plain");
    let data = plaintext(3 * 4096 + 1000);
    std::fs::write(&plain, &data).expect("write");
    for suite in [SIGNING, COMMITTING] {
        let sealed = it.path(&format!("sealed-{suite}"));
        let out = it.official(
            ROOT,
            &[
                "--encrypt",
                "-i",
                &plain,
                "-o",
                &sealed,
                "--algorithm",
                suite,
                "--wrapping-keys",
                &format!("key={first}"),
                &format!("key={second}"),
                "--encryption-context",
                "purpose=test",
                "team=blue",
            ],
        );
        assert!(out.status.success(), "{}", text(&out));
        let opened = it.path("opened");
        // Either wrapping key opens it: discovery, then strict with the second.
        for strict in [None, Some(second.as_str())] {
            let mut args = vec!["decrypt-file", "--context", "purpose=test"];
            if let Some(key) = strict {
                args.extend(["--key", key]);
            }
            args.extend([sealed.as_str(), opened.as_str()]);
            let out = it.keyward(None, &args);
            assert!(out.status.success(), "{suite}: {}", text(&out));
            assert!(std::fs::read(&opened).expect("read") == data, "{suite}");
            std::fs::remove_file(&opened).expect("remove");
        }
        // A context the message does not have is refused before any key is used.
        let out = it.keyward(None, &["decrypt-file", "--context", "purpose=prod", &sealed, &opened]);
        assert_eq!(out.status.code(), Some(1), "{}", text(&out));
        assert!(!Path::new(&opened).exists());

        // A flipped byte in each part, and cuts, leave no plaintext.
        let message = std::fs::read(&sealed).expect("read");
        let bad = it.path("bad");
        let mut damaged: Vec<(String, Vec<u8>)> = parts(&message)
            .into_iter()
            .map(|(part, at)| {
                let mut m = message.clone();
                m[at] ^= 0x40;
                (part, m)
            })
            .collect();
        for cut in [10, 200, message.len() / 2, message.len() - 1] {
            damaged.push((format!("cut at {cut}"), message[..cut].to_vec()));
        }
        for (what, bytes) in damaged {
            std::fs::write(&bad, bytes).expect("write");
            let out = it.keyward(None, &["decrypt-file", &bad, &opened]);
            assert_eq!(out.status.code(), Some(1), "{suite}, {what}: {}", text(&out));
            assert!(!Path::new(&opened).exists(), "{suite}, {what}: no output");
            let out = it.keyward(None, &["decrypt-file", &bad, "-"]);
            assert!(out.stdout.is_empty(), "{suite}, {what}: nothing on stdout");
        }
    }
    // A version-1 message (non-committing suite) opens only when the
    // commitment policy allows it.
    let sealed = it.path("sealed-v1");
    let out = it.official(
        ROOT,
        &[
            "--encrypt",
            "-i",
            &plain,
            "-o",
            &sealed,
            "--commitment-policy",
            "forbid-encrypt-allow-decrypt",
            "--wrapping-keys",
            &format!("key={first}"),
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(std::fs::read(&sealed).expect("read")[0], 1, "message format version 1");
    let opened = it.path("opened-v1");
    let out = it.keyward(None, &["decrypt-file", &sealed, &opened]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let out = it.keyward(
        None,
        &[
            "decrypt-file",
            "--commitment-policy",
            "require-encrypt-allow-decrypt",
            &sealed,
            &opened,
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    assert!(std::fs::read(&opened).expect("read") == data);

    // A non-framed message (`--frame-length 0`, content type 1) opens too.
    let sealed = it.path("sealed-non-framed");
    let out = it.official(
        ROOT,
        &[
            "--encrypt",
            "-i",
            &plain,
            "-o",
            &sealed,
            "--frame-length",
            "0",
            "--wrapping-keys",
            &format!("key={second}"),
            "--encryption-context",
            "purpose=test",
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    let message = std::fs::read(&sealed).expect("read");
    let read = keyward::crypto::esdk::read_header(&mut &message[..], None).expect("a header");
    assert_eq!(read.header.frame_length, 0, "non-framed");
    let opened = it.path("opened-non-framed");
    let out = it.keyward(None, &["decrypt-file", "--context", "purpose=test", &sealed, &opened]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(std::fs::read(&opened).expect("read") == data);
}

#[test]
fn keyward_encrypts_and_the_official_cli_decrypts_through_keyward_serve_both_suites() {
    let Some(it) = Interop::start("from-keyward") else {
        return;
    };
    let (first, second) = (it.key(None), it.key(None));
    let plain = it.path("plain");
    let data = plaintext(2 * 4096 + 7);
    std::fs::write(&plain, &data).expect("write");
    for suite in [SIGNING, COMMITTING] {
        let sealed = it.path(&format!("sealed-{suite}"));
        let out = it.keyward(
            None,
            &[
                "encrypt-file",
                "--key",
                &first,
                "--key",
                &second,
                "--algorithm",
                suite,
                "--context",
                "purpose=test,team=blue",
                &plain,
                &sealed,
            ],
        );
        assert!(out.status.success(), "{}", text(&out));
        let opened = it.path(&format!("opened-{suite}"));
        // The second wrapping key alone, with a required context pair.
        let out = it.official(
            ROOT,
            &[
                "--decrypt",
                "-i",
                &sealed,
                "-o",
                &opened,
                "--wrapping-keys",
                &format!("key={second}"),
                "--encryption-context",
                "purpose=test",
            ],
        );
        assert!(out.status.success(), "{suite}: {}", text(&out));
        assert!(std::fs::read(&opened).expect("read") == data, "{suite}");
        if suite == SIGNING {
            let wrong = it.path("wrong-context");
            let out = it.official(
                ROOT,
                &[
                    "--decrypt",
                    "-i",
                    &sealed,
                    "-o",
                    &wrong,
                    "--wrapping-keys",
                    &format!("key={first}"),
                    "--encryption-context",
                    "purpose=prod",
                ],
            );
            // The official CLI skips the file (exit 0) and writes nothing.
            assert!(text(&out).contains("did not match required"), "{}", text(&out));
            assert!(!Path::new(&wrong).exists());
        }
    }
}

#[test]
fn a_key_policy_that_denies_the_caller_refuses_the_file_both_ways() {
    let Some(it) = Interop::start("denied") else { return };
    let policy = it.path("policy.json");
    std::fs::write(
        &policy,
        r#"{"Version": "2012-10-17", "Statement": [
            {"Sid": "Admins", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"},
            {"Sid": "Not the attacker", "Effect": "Deny", "Principal": {"AWS": "arn:aws:iam::111122223333:role/attacker"}, "Action": "kms:Decrypt", "Resource": "*"}]}"#,
    )
    .expect("write");
    let key = it.key(Some(&policy));
    let plain = it.path("plain");
    std::fs::write(&plain, b"payroll").expect("write");
    // The official CLI encrypts as the root; keyward decrypts as the attacker.
    let sealed = it.path("sealed");
    let out = it.official(
        ROOT,
        &[
            "--encrypt",
            "-i",
            &plain,
            "-o",
            &sealed,
            "--wrapping-keys",
            &format!("key={key}"),
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    let opened = it.path("opened");
    let out = it.keyward(Some("attacker"), &["decrypt-file", &sealed, &opened]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("AccessDenied"),
        "{}",
        text(&out)
    );
    assert!(!Path::new(&opened).exists());
    // keyward encrypts as the root; the official CLI decrypts as the attacker.
    let sealed = it.path("sealed-by-keyward");
    let out = it.keyward(None, &["encrypt-file", "--key", &key, &plain, &sealed]);
    assert!(out.status.success(), "{}", text(&out));
    let out = it.official(
        ATTACKER,
        &[
            "--decrypt",
            "-i",
            &sealed,
            "-o",
            &opened,
            "--wrapping-keys",
            &format!("key={key}"),
        ],
    );
    assert!(!out.status.success(), "{}", text(&out));
    assert!(!Path::new(&opened).exists());
}
