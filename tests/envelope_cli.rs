//! `keyward encrypt-file` and `decrypt-file` end to end: round trips around
//! the frame size with one and several CMKs, streams through pipes, refused
//! principals, and tampered files that leave no output behind.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const FRAME: usize = 1024;

struct Kms {
    state: PathBuf,
    dir: PathBuf,
}

impl Kms {
    fn new(name: &str) -> Kms {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("envelope-{name}"));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("scratch folder");
        Kms {
            state: dir.join("state"),
            dir,
        }
    }

    /// Runs keyward on this state directory, feeding `stdin`.
    fn run(&self, args: &[&str], stdin: &[u8]) -> Output {
        let mut child = Command::new(env!("CARGO_BIN_EXE_keyward"))
            .arg("--state")
            .arg(&self.state)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("keyward runs");
        let mut pipe = child.stdin.take().expect("stdin");
        let input = stdin.to_vec();
        let feeder = std::thread::spawn(move || {
            let _ = pipe.write_all(&input);
        });
        let output = child.wait_with_output().expect("keyward finishes");
        feeder.join().expect("stdin written");
        output
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args, b"");
        assert_eq!(
            out.status.code(),
            Some(0),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    }

    fn key(&self) -> String {
        let line = self.ok(&["--output", "text", "key", "create"]);
        line.split('\t').nth(1).expect("a key ARN").to_owned()
    }

    /// A key of account 444455556666, which it administers and which allows
    /// account 111122223333's root user `actions`: its ARN.
    fn key_of_444455556666(&self, actions: &str) -> String {
        let policy = format!(
            r#"{{"Version":"2012-10-17","Statement":[
            {{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::444455556666:root"}},"Action":"kms:*","Resource":"*"}},
            {{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::111122223333:root"}},"Action":{actions},"Resource":"*"}}]}}"#
        );
        let policy_path = self.path("policy.json");
        std::fs::write(&policy_path, policy).expect("write");
        let line = self.ok(&[
            "--account",
            "444455556666",
            "--output",
            "text",
            "key",
            "create",
            "--policy",
            &format!("file://{policy_path}"),
        ]);
        line.split('\t').nth(1).expect("a key ARN").to_owned()
    }

    fn path(&self, name: &str) -> String {
        self.dir.join(name).display().to_string()
    }

    /// The names in the scratch folder, but the state directory.
    fn files(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(&self.dir)
            .expect("listing")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .filter(|n| n != "state")
            .collect();
        names.sort();
        names
    }
}

fn data(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 7 % 253) as u8).collect()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn files_round_trip_at_every_size_around_a_frame_with_one_or_several_keys() {
    let kms = Kms::new("sizes");
    let keys = [kms.key(), kms.key(), kms.key()];
    for len in [0, 1, FRAME - 1, FRAME, FRAME + 1, 5 * (1 << 20) + 3] {
        for key_count in [1, 3] {
            let plain = kms.path("plain");
            std::fs::write(&plain, data(len)).expect("write");
            let mut args = vec![
                "--output",
                "text",
                "encrypt-file",
                "--frame-size",
                "1024",
                "--context",
                "purpose=test",
            ];
            for key in &keys[..key_count] {
                args.extend(["--key", key.as_str()]);
            }
            let sealed = kms.path("sealed");
            args.extend([plain.as_str(), sealed.as_str()]);
            let summary = kms.ok(&args);
            assert_eq!(summary, format!("{len}\t{}", keys[..key_count].join(",")));
            let opened = kms.path("opened");
            kms.ok(&["decrypt-file", "--context", "purpose=test", &sealed, &opened]);
            assert!(
                std::fs::read(&opened).expect("read") == data(len),
                "size {len}, {key_count} key(s)"
            );
        }
    }
}

#[test]
fn standard_input_and_output_stream_through_both_commands() {
    let kms = Kms::new("pipes");
    let key = kms.key();
    let plain = data(3 * FRAME + 10);
    let sealed = kms.run(
        &["encrypt-file", "--key", &key, "--frame-size", "1024", "-", "-"],
        &plain,
    );
    assert_eq!(sealed.status.code(), Some(0), "{}", stderr(&sealed));
    // Message format version 2, suite 0x0578 (the SDK's default).
    assert!(sealed.stdout.starts_with(&[0x02, 0x05, 0x78]));
    let opened = kms.run(&["decrypt-file", "-", "-"], &sealed.stdout);
    assert_eq!(opened.status.code(), Some(0), "{}", stderr(&opened));
    assert!(opened.stdout == plain);
    // keyward's earlier format, on request, and read back by its header.
    let sealed = kms.run(
        &[
            "encrypt-file",
            "--format",
            "keyward",
            "--key",
            &key,
            "--frame-size",
            "1024",
            "-",
            "-",
        ],
        &plain,
    );
    assert!(sealed.stdout.starts_with(b"KWEF"));
    let opened = kms.run(&["decrypt-file", "-", "-"], &sealed.stdout);
    assert_eq!(opened.status.code(), Some(0), "{}", stderr(&opened));
    assert!(opened.stdout == plain);
}

#[test]
fn a_principal_without_decrypt_on_any_of_the_keys_cannot_open_the_file() {
    let kms = Kms::new("denied");
    let (first, second) = (kms.key(), kms.key());
    let plain = kms.path("plain");
    std::fs::write(&plain, b"payroll").expect("write");
    let sealed = kms.path("sealed");
    kms.ok(&["encrypt-file", "--key", &first, "--key", &second, &plain, &sealed]);

    let opened = kms.path("opened");
    let mallory = [
        "--as",
        "arn:aws:iam::111122223333:user/mallory",
        "decrypt-file",
        &sealed,
        &opened,
    ];
    let out = kms.run(&mallory, b"");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("no key of the file lets you decrypt its data key"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        stderr(&out).matches("AccessDeniedException").count(),
        2,
        "both keys were tried"
    );
    assert_eq!(kms.files(), ["plain", "sealed"], "no output, no partial file");

    // Both refusals are in the audit log.
    let denied = kms.ok(&[
        "--output",
        "text",
        "audit",
        "--decision",
        "deny",
        "--operation",
        "Decrypt",
    ]);
    assert_eq!(denied.lines().count(), 2, "{denied}");

    // A grant on the second key opens it.
    kms.ok(&[
        "grant",
        "create",
        "--key-id",
        &second,
        "--grantee-principal",
        "arn:aws:iam::111122223333:user/mallory",
        "--operations",
        "Decrypt",
    ]);
    let summary = kms.ok(&[
        "--output",
        "text",
        "--as",
        "arn:aws:iam::111122223333:user/mallory",
        "decrypt-file",
        &sealed,
        &opened,
    ]);
    assert_eq!(summary, format!("7\t{second}"));
    assert_eq!(std::fs::read(&opened).expect("read"), b"payroll");
}

#[test]
fn a_tampered_or_truncated_file_fails_and_leaves_no_output() {
    let kms = Kms::new("tampered");
    let key = kms.key();
    let plain = kms.path("plain");
    std::fs::write(&plain, data(4 * FRAME + 1)).expect("write");
    let sealed = kms.path("sealed");
    kms.ok(&["encrypt-file", "--key", &key, "--frame-size", "1024", &plain, &sealed]);
    let file = std::fs::read(&sealed).expect("read");

    let bad = kms.path("bad");
    let opened = kms.path("opened");
    let flipped_last_byte = {
        let mut f = file.clone();
        *f.last_mut().expect("bytes") ^= 1;
        f
    };
    let cases: [(&str, Vec<u8>, &str); 4] = [
        (
            "a flipped bit in the footer's signature",
            flipped_last_byte,
            "signature does not verify",
        ),
        ("a cut", file[..file.len() - 200].to_vec(), "cut short"),
        (
            "appended bytes",
            [file.as_slice(), b"!"].concat(),
            "bytes follow the end of the message",
        ),
        ("not a message", b"hello".to_vec(), "not an AWS Encryption SDK message"),
    ];
    for (what, bytes, message) in cases {
        std::fs::write(&bad, &bytes).expect("write");
        let out = kms.run(&["decrypt-file", &bad, &opened], b"");
        assert_eq!(out.status.code(), Some(1), "{what}");
        assert!(stderr(&out).contains(message), "{what}: {}", stderr(&out));
        assert_eq!(
            kms.files(),
            ["bad", "plain", "sealed"],
            "{what}: no output, no partial file"
        );
    }
    // To standard output, nothing of a message that fails is released:
    // the plaintext is held back until the signature has checked.
    for damaged in [&file[..file.len() - 200], &file[..file.len() - 1]] {
        let out = kms.run(&["decrypt-file", "-", "-"], damaged);
        assert_eq!(out.status.code(), Some(1));
        assert!(out.stdout.is_empty(), "{} bytes released", out.stdout.len());
    }
}

#[test]
fn bad_arguments_are_usage_errors() {
    let kms = Kms::new("usage");
    let key = kms.key();
    let plain = kms.path("plain");
    std::fs::write(&plain, b"x").expect("write");
    for (args, message) in [
        (
            vec![
                "encrypt-file",
                "--format",
                "keyward",
                "--key",
                key.as_str(),
                "--frame-size",
                "100",
                &plain,
                "-",
            ],
            "--frame-length 100",
        ),
        (
            vec!["encrypt-file", "--key", key.as_str(), &plain, &plain],
            "the same file",
        ),
        (
            vec![
                "encrypt-file",
                "--key",
                key.as_str(),
                "--context",
                "novalue",
                &plain,
                "-",
            ],
            "'--context': expected `=` after `novalue`",
        ),
        (
            vec!["decrypt-file", "/nonexistent/in", "-"],
            "cannot read `/nonexistent/in`",
        ),
    ] {
        let out = kms.run(&args, b"");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(stderr(&out).contains(message), "{args:?}: {}", stderr(&out));
    }
    assert_eq!(std::fs::read(&plain).expect("read"), b"x", "the input is untouched");
}

/// A file sealed under another account's key opens without `--key` for a
/// caller that key's policy allows: `decrypt-file` runs in the partition of
/// the key the file names, as Decrypt does in AWS ("Allowing users in other
/// accounts to use a KMS key",
/// https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-modifying-external-accounts.html).
#[test]
fn decrypt_file_finds_a_key_of_another_account_that_allows_the_caller() {
    let kms = Kms::new("cross-account");
    let owner = "444455556666";
    let key = kms.key_of_444455556666(r#"["kms:Decrypt","kms:DescribeKey"]"#);
    assert!(key.contains(":444455556666:key/"), "{key}");
    let plain = kms.path("plain.bin");
    std::fs::write(&plain, data(3 * FRAME + 5)).expect("write");
    for format in ["sdk", "keyward"] {
        let sealed = kms.path(&format!("sealed-{format}"));
        let opened = kms.path(&format!("opened-{format}"));
        kms.ok(&[
            "--account",
            owner,
            "encrypt-file",
            "--format",
            format,
            "--key",
            &key,
            &plain,
            &sealed,
        ]);
        // The default caller is account 111122223333's root user.
        kms.ok(&["decrypt-file", &sealed, &opened]);
        assert_eq!(std::fs::read(&opened).expect("read"), data(3 * FRAME + 5), "{format}");
        // A third account, which the policy does not name, is refused.
        let out = kms.run(&["--account", "777788889999", "decrypt-file", &sealed, "-"], b"");
        assert_eq!(out.status.code(), Some(1), "{format}: {}", stderr(&out));
        assert!(out.stdout.is_empty());
    }
}

/// A file sealed under a key of each of two accounts: the data key is
/// generated in the first key's account and encrypted in the second's, and
/// a caller whom the first key refuses opens the file with the second, as
/// the AWS Encryption SDK tries each encrypted data key in turn (*AWS KMS
/// keyrings*, https://docs.aws.amazon.com/encryption-sdk/latest/developer-guide/use-kms-keyring.html).
#[test]
fn a_file_wrapped_under_keys_of_two_accounts_opens_with_the_key_the_caller_may_use() {
    let kms = Kms::new("two-accounts");
    let other = kms.key_of_444455556666(r#"["kms:GenerateDataKey","kms:Encrypt"]"#);
    let own = kms.key();
    let plain = kms.path("plain.bin");
    std::fs::write(&plain, data(2 * FRAME + 1)).expect("write");
    for format in ["sdk", "keyward"] {
        let sealed = kms.path(&format!("sealed-{format}"));
        let opened = kms.path(&format!("opened-{format}"));
        kms.ok(&[
            "encrypt-file",
            "--format",
            format,
            "--key",
            &other,
            "--key",
            &own,
            &plain,
            &sealed,
        ]);
        kms.ok(&["decrypt-file", &sealed, &opened]);
        assert_eq!(std::fs::read(&opened).expect("read"), data(2 * FRAME + 1), "{format}");
    }
    assert_eq!(
        audited(&kms, "Encrypt"),
        2,
        "one Encrypt under the caller's own key per file"
    );
}

/// The audit records of one operation (all decisions).
fn audited(kms: &Kms, operation: &str) -> usize {
    kms.ok(&["--output", "text", "audit", "--operation", operation])
        .lines()
        .filter(|l| !l.is_empty())
        .count()
}

/// Discovery decryption limited by a discovery filter (partition and
/// accounts) and `--max-encrypted-data-keys`, as the AWS Encryption CLI
/// takes them (*AWS KMS keyrings*, "Using an AWS KMS discovery keyring" and
/// "Limiting encrypted data keys":
/// https://docs.aws.amazon.com/encryption-sdk/latest/developer-guide/use-kms-keyring.html,
/// https://docs.aws.amazon.com/encryption-sdk/latest/developer-guide/configure.html#config-limit-keys).
#[test]
fn discovery_filter_admits_only_its_partition_and_accounts_and_max_keys_refuses_before_kms() {
    let kms = Kms::new("discovery");
    let (first, second) = (kms.key(), kms.key());
    assert!(
        first.starts_with("arn:aws:kms:") && first.contains(":111122223333:key/"),
        "{first}"
    );
    let plain = kms.path("plain");
    std::fs::write(&plain, b"ledger").expect("write");
    let sealed = kms.path("sealed");
    kms.ok(&["encrypt-file", "--key", &first, "--key", &second, &plain, &sealed]);
    assert_eq!(audited(&kms, "Decrypt"), 0);
    let opened = kms.path("opened");

    // More encrypted data keys than allowed: refused while the header is
    // read, before any key is asked to decrypt.
    let out = kms.run(
        &["decrypt-file", "--max-encrypted-data-keys", "1", &sealed, &opened],
        b"",
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("2 encrypted data keys; at most 1"),
        "{}",
        stderr(&out)
    );
    assert!(out.stdout.is_empty());
    assert_eq!(kms.files(), ["plain", "sealed"], "no output");
    assert_eq!(audited(&kms, "Decrypt"), 0, "no Decrypt was called");

    // Another account, or the right account in another partition: no key of
    // the file passes the filter, so none is tried.
    for (partition, account) in [("aws", "444455556666"), ("aws-cn", "111122223333")] {
        let out = kms.run(
            &[
                "decrypt-file",
                "--discovery-partition",
                partition,
                "--discovery-account",
                account,
                &sealed,
                &opened,
            ],
            b"",
        );
        assert_eq!(out.status.code(), Some(1), "{partition}/{account}: {}", stderr(&out));
        assert!(
            stderr(&out).contains(&format!(
                "no key of the file is in the discovery filter, so none was tried; the file's keys are: aws-kms ({first}); aws-kms ({second})"
            )),
            "{partition}/{account}: {}",
            stderr(&out)
        );
        assert!(out.stdout.is_empty());
        assert_eq!(kms.files(), ["plain", "sealed"], "{partition}/{account}: no output");
    }
    assert_eq!(audited(&kms, "Decrypt"), 0, "filtered keys are not tried");

    // The accounts of the keys, in their partition: it opens with the first
    // key, in one Decrypt call; the limit of 2 keys admits the file.
    let summary = kms.ok(&[
        "--output",
        "text",
        "decrypt-file",
        "--discovery-partition",
        "aws",
        "--discovery-account",
        "444455556666",
        "--discovery-account",
        "111122223333",
        "--max-encrypted-data-keys",
        "2",
        &sealed,
        &opened,
    ]);
    assert_eq!(summary, format!("6\t{first}"));
    assert_eq!(std::fs::read(&opened).expect("read"), b"ledger");
    assert_eq!(audited(&kms, "Decrypt"), 1);
}

/// Strict mode (`--key`) tries only the keys given, as the Encryption CLI's
/// `--wrapping-keys` does (*AWS KMS keyrings*:
/// https://docs.aws.amazon.com/encryption-sdk/latest/developer-guide/use-kms-keyring.html);
/// when the file has none of them, the error says so and names the file's
/// keys, rather than listing no refusals.
#[test]
fn strict_decryption_with_no_key_of_the_file_names_the_files_keys_and_tries_none() {
    let kms = Kms::new("strict-other-key");
    let (used, other) = (kms.key(), kms.key());
    let plain = kms.path("plain");
    std::fs::write(&plain, b"ledger").expect("write");
    let sealed = kms.path("sealed");
    kms.ok(&["encrypt-file", "--key", &used, &plain, &sealed]);
    let opened = kms.path("opened");
    let out = kms.run(&["decrypt-file", "--key", &other, &sealed, &opened], b"");
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(&format!(
            "no key of the file is one of the keys given, so none was tried; the file's keys are: aws-kms ({used})"
        )),
        "{}",
        stderr(&out)
    );
    assert_eq!(kms.files(), ["plain", "sealed"], "no output");
    assert_eq!(audited(&kms, "Decrypt"), 0, "no key was asked");
}

#[test]
fn encrypting_under_more_keys_than_the_maximum_is_refused_before_kms() {
    let kms = Kms::new("max-keys");
    let keys = [kms.key(), kms.key(), kms.key()];
    let plain = kms.path("plain");
    std::fs::write(&plain, b"x").expect("write");
    let sealed = kms.path("sealed");
    let out = kms.run(
        &[
            "encrypt-file",
            "--key",
            &keys[0],
            "--key",
            &keys[1],
            "--key",
            &keys[2],
            "--max-encrypted-data-keys",
            "2",
            &plain,
            &sealed,
        ],
        b"",
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("3 encrypted data keys; at most 2"),
        "{}",
        stderr(&out)
    );
    assert_eq!(kms.files(), ["plain"], "no output");
    assert_eq!(audited(&kms, "GenerateDataKey"), 0, "no data key was made");
    // At the limit, it is written.
    kms.ok(&[
        "encrypt-file",
        "--key",
        &keys[0],
        "--key",
        &keys[1],
        "--max-encrypted-data-keys",
        "2",
        &plain,
        &sealed,
    ]);
    assert_eq!(audited(&kms, "GenerateDataKey"), 1);
}
