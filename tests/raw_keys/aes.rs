//! `--raw-aes-key` on `encrypt-file`/`decrypt-file`, against the AWS
//! Encryption SDK for Python's raw AES keyring (`RawMasterKey`, through
//! `raw_keys.py`) both ways, offline (no state directory is made), and with
//! a KMS key beside it. Raw AES keyrings:
//! https://docs.aws.amazon.com/encryption-sdk/latest/developer-guide/use-raw-aes-keyring.html

use std::path::Path;

use super::{keyward, ok, path, plaintext, python, scratch, sdk, setup, SUITES};

#[test]
fn keyward_encrypts_offline_with_a_raw_aes_key_and_the_python_sdk_decrypts() {
    let Some(python) = python() else { return };
    let dir = scratch("to-python");
    let state = dir.join("state");
    for (suite, key_len, size) in [(SUITES[0], 32, 4096 * 3 + 5), (SUITES[1], 16, 0), (SUITES[0], 24, 1)] {
        let (key, plain) = setup(&dir, key_len, size);
        let (sealed, opened) = (path(&dir, "sealed"), path(&dir, "opened"));
        let raw = [
            "--raw-aes-key",
            &key,
            "--key-namespace",
            "HSM_01",
            "--key-name",
            "AES_012",
        ];
        let mut args = vec!["encrypt-file", "--algorithm", suite, "--context", "purpose=interop"];
        args.extend(raw);
        args.extend([plain.as_str(), sealed.as_str()]);
        let printed = ok(&state, &args);
        assert!(printed.contains("HSM_01/AES_012"), "{printed}");
        let keys = format!("aes:{key}:HSM_01:AES_012");
        let context = sdk(&python, &["decrypt", &sealed, &opened, &keys, "purpose=interop"]);
        assert_eq!(context, r#"{"purpose": "interop"}"#);
        assert_eq!(
            std::fs::read(&opened).unwrap(),
            plaintext(size),
            "{suite}, {size} bytes"
        );
    }
    assert!(!state.exists(), "a raw key alone opens no state directory");
}

#[test]
fn the_python_sdk_encrypts_with_its_raw_aes_keyring_and_keyward_decrypts_offline() {
    let Some(python) = python() else { return };
    let dir = scratch("from-python");
    let state = dir.join("state");
    for (suite, key_len, frame, size) in [
        (SUITES[0], 32, "4096", 10_000),
        (SUITES[1], 16, "128", 129),
        (SUITES[0], 32, "0", 300),
    ] {
        let (key, plain) = setup(&dir, key_len, size);
        let (sealed, opened) = (path(&dir, "sealed"), path(&dir, "opened"));
        let keys = format!("aes:{key}:ns:name");
        sdk(
            &python,
            &["encrypt", suite, frame, &plain, &sealed, &keys, "team=a", "b=c"],
        );
        let raw = [
            "--raw-aes-key",
            key.as_str(),
            "--key-namespace",
            "ns",
            "--key-name",
            "name",
        ];
        let mut args = vec!["decrypt-file", "--context", "team=a", "--output", "json"];
        args.extend(raw);
        args.extend([sealed.as_str(), opened.as_str()]);
        let printed = ok(&state, &args);
        assert!(printed.contains(r#""KeyId": "ns/name""#), "{printed}");
        assert_eq!(
            std::fs::read(&opened).unwrap(),
            plaintext(size),
            "{suite}, frame {frame}"
        );
    }
    assert!(!state.exists(), "a raw key alone opens no state directory");
}

#[test]
fn a_wrong_raw_key_name_namespace_or_context_is_refused_and_writes_nothing() {
    let dir = scratch("refused");
    let state = dir.join("state");
    let (key, plain) = setup(&dir, 32, 5000);
    let sealed = path(&dir, "sealed");
    let opened = path(&dir, "opened");
    let raw =
        |ns: &'static str, name: &'static str| ["--raw-aes-key", "KEY", "--key-namespace", ns, "--key-name", name];
    let with_key = |a: [&'static str; 6]| -> Vec<String> {
        a.iter()
            .map(|s| if *s == "KEY" { key.clone() } else { (*s).to_owned() })
            .collect()
    };
    let mut args: Vec<String> = vec!["encrypt-file".into()];
    args.extend(with_key(raw("ns", "name")));
    args.extend([plain.clone(), sealed.clone()]);
    ok(&state, &args.iter().map(String::as_str).collect::<Vec<_>>());
    let other_key = path(&dir, "other.bin");
    std::fs::write(&other_key, [9u8; 32]).unwrap();
    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            with_key(raw("ns", "other")).to_vec(),
            // The file's key by its name, without the IV the SDK appends to it.
            "no data key wrapped by the raw key ns/other; its keys are: ns (name)\n",
        ),
        (
            with_key(raw("other", "name")).to_vec(),
            "no data key wrapped by the raw key other/name",
        ),
        (
            vec![
                "--raw-aes-key".into(),
                other_key,
                "--key-namespace".into(),
                "ns".into(),
                "--key-name".into(),
                "name".into(),
            ],
            "does not decrypt the data key",
        ),
        (
            [
                with_key(raw("ns", "name")).to_vec(),
                vec!["--context".into(), "purpose=other".into()],
            ]
            .concat(),
            "has no `purpose=other`",
        ),
    ];
    for (flags, expected) in cases {
        let mut args: Vec<String> = vec!["decrypt-file".into()];
        args.extend(flags.iter().cloned());
        args.extend([sealed.clone(), opened.clone()]);
        let out = keyward(&state, &args.iter().map(String::as_str).collect::<Vec<_>>());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            !out.status.success() && stderr.contains(expected),
            "{flags:?}: {stderr}"
        );
        assert!(!Path::new(&opened).exists(), "{flags:?} left output");
    }
    assert!(!state.exists());
}

#[test]
fn a_raw_key_of_a_bad_length_or_the_reserved_namespace_is_a_usage_error() {
    let dir = scratch("usage");
    let state = dir.join("state");
    let (_, plain) = setup(&dir, 32, 10);
    std::fs::write(dir.join("short.bin"), [1u8; 20]).unwrap();
    let short = path(&dir, "short.bin");
    let key = path(&dir, "key.bin");
    let out_file = path(&dir, "out");
    for (key, ns, expected) in [
        (&short, "ns", "16, 24 or 32 bytes; this one has 20"),
        (&key, "aws-kms", "kept for AWS KMS keys"),
    ] {
        let out = keyward(
            &state,
            &[
                "encrypt-file",
                "--raw-aes-key",
                key,
                "--key-namespace",
                ns,
                "--key-name",
                "n",
                &plain,
                &out_file,
            ],
        );
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains(expected), "{stderr}");
    }
    let out = keyward(&state, &["encrypt-file", "--raw-aes-key", &key, &plain, &out_file]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "--key-namespace and --key-name are required with --raw-aes-key"
    );
}

#[test]
fn a_kms_key_and_a_raw_aes_key_both_open_the_same_file() {
    let dir = scratch("both");
    let state = dir.join("state");
    let (key, plain) = setup(&dir, 32, 9000);
    let line = ok(&state, &["--output", "text", "key", "create"]);
    let kms_key = line.split('\t').nth(1).expect("key id").to_owned();
    let sealed = path(&dir, "sealed");
    let raw = [
        "--raw-aes-key",
        key.as_str(),
        "--key-namespace",
        "ns",
        "--key-name",
        "name",
    ];
    let mut args = vec!["encrypt-file", "--key", kms_key.as_str()];
    args.extend(raw);
    args.extend([plain.as_str(), sealed.as_str()]);
    ok(&state, &args);
    let by_kms = path(&dir, "by-kms");
    ok(&state, &["decrypt-file", "--key", &kms_key, &sealed, &by_kms]);
    let by_raw = path(&dir, "by-raw");
    let mut args = vec!["decrypt-file"];
    args.extend(raw);
    args.extend([sealed.as_str(), by_raw.as_str()]);
    ok(&state, &args);
    assert_eq!(std::fs::read(by_kms).unwrap(), plaintext(9000));
    assert_eq!(std::fs::read(by_raw).unwrap(), plaintext(9000));
}
