//! Several raw keys on one command, as the SDK's multi-keyring: on
//! `encrypt-file` each wraps the one data key, on `decrypt-file` each is
//! tried in turn and any one opens the file; with the SDK for Python both
//! ways, and beside a KMS key. Multi-keyrings:
//! https://docs.aws.amazon.com/encryption-sdk/latest/developer-guide/use-multi-keyring.html

use std::path::Path;

use super::{fails, ok, path, plaintext, python, rsa_pair, scratch, sdk, setup, SUITES};

/// Two AES keys and an RSA key, one namespace for all, a name after each.
fn three_keys<'a>(aes_a: &'a str, aes_b: &'a str, rsa: &'a str) -> Vec<&'a str> {
    vec![
        "--key-namespace",
        "vault",
        "--raw-aes-key",
        aes_a,
        "--key-name",
        "aes-a",
        "--raw-rsa-key",
        rsa,
        "--key-name",
        "rsa",
        "--rsa-padding",
        "RSA_OAEP_SHA256_MGF1",
        "--raw-aes-key",
        aes_b,
        "--key-name",
        "aes-b",
    ]
}

fn aes_key(dir: &Path, name: &str, byte: u8) -> String {
    let file = path(dir, name);
    std::fs::write(&file, [byte; 32]).unwrap();
    file
}

#[test]
fn each_of_several_raw_keys_decrypts_a_file_keyward_made_and_so_does_the_python_sdk() {
    let Some(python) = python() else { return };
    let dir = scratch("several-to-python");
    let state = dir.join("state");
    let (private, public) = rsa_pair(&python, &dir, 2048, "rsa");
    let (a, b) = (aes_key(&dir, "a.bin", 1), aes_key(&dir, "b.bin", 2));
    let (_, plain) = setup(&dir, 32, 9000);
    let sealed = path(&dir, "sealed");
    let mut args = vec!["encrypt-file", "--algorithm", SUITES[1], "--output", "json"];
    args.extend(three_keys(&a, &b, &public));
    args.extend([plain.as_str(), sealed.as_str()]);
    let printed = ok(&state, &args);
    assert!(
        printed.contains(r#""vault/aes-a","#)
            && printed.contains(r#""vault/rsa","#)
            && printed.contains(r#""vault/aes-b""#),
        "{printed}"
    );
    let by_key: [(Vec<&str>, String); 3] = [
        (
            vec!["--raw-aes-key", &a, "--key-name", "aes-a"],
            format!("aes:{a}:vault:aes-a"),
        ),
        (
            vec![
                "--raw-rsa-key",
                &private,
                "--key-name",
                "rsa",
                "--rsa-padding",
                "RSA_OAEP_SHA256_MGF1",
            ],
            format!("rsa:RSA_OAEP_SHA256_MGF1:{private}:vault:rsa"),
        ),
        (
            vec!["--raw-aes-key", &b, "--key-name", "aes-b"],
            format!("aes:{b}:vault:aes-b"),
        ),
    ];
    for (i, (flags, python_key)) in by_key.iter().enumerate() {
        let opened = path(&dir, &format!("opened-{i}"));
        let mut args = vec!["decrypt-file", "--key-namespace", "vault"];
        args.extend(flags.iter().copied());
        args.extend([sealed.as_str(), opened.as_str()]);
        ok(&state, &args);
        assert_eq!(std::fs::read(&opened).unwrap(), plaintext(9000), "{flags:?}");
        let by_python = path(&dir, &format!("python-{i}"));
        sdk(&python, &["decrypt", &sealed, &by_python, python_key]);
        assert_eq!(std::fs::read(&by_python).unwrap(), plaintext(9000), "{python_key}");
    }
    assert!(!state.exists());
}

#[test]
fn the_python_sdk_encrypts_under_several_raw_keys_and_keyward_decrypts_with_any_one() {
    let Some(python) = python() else { return };
    let dir = scratch("several-from-python");
    let state = dir.join("state");
    let (private, public) = rsa_pair(&python, &dir, 2048, "rsa");
    let a = aes_key(&dir, "a.bin", 3);
    let (_, plain) = setup(&dir, 32, 4097);
    let sealed = path(&dir, "sealed");
    let keys = format!("rsa:RSA_PKCS1:{public}:ns:rsa,aes:{a}:ns:aes");
    sdk(&python, &["encrypt", SUITES[0], "4096", &plain, &sealed, &keys]);
    for (i, flags) in [
        vec![
            "--raw-rsa-key",
            private.as_str(),
            "--key-name",
            "rsa",
            "--rsa-padding",
            "RSA_PKCS1",
        ],
        vec!["--raw-aes-key", a.as_str(), "--key-name", "aes"],
    ]
    .into_iter()
    .enumerate()
    {
        let opened = path(&dir, &format!("opened-{i}"));
        let mut args = vec!["decrypt-file", "--key-namespace", "ns"];
        args.extend(flags.iter().copied());
        args.extend([sealed.as_str(), opened.as_str()]);
        ok(&state, &args);
        assert_eq!(std::fs::read(&opened).unwrap(), plaintext(4097), "{flags:?}");
    }
}

/// The multi-keyring tries each keyring in turn: keys the file does not
/// name, or that do not open it, are passed over for one that does.
#[test]
fn decryption_passes_over_raw_keys_that_do_not_open_the_file() {
    let dir = scratch("several-skip");
    let state = dir.join("state");
    let (a, wrong) = (aes_key(&dir, "a.bin", 4), aes_key(&dir, "wrong.bin", 5));
    let (_, plain) = setup(&dir, 32, 100);
    let (sealed, opened) = (path(&dir, "sealed"), path(&dir, "opened"));
    ok(
        &state,
        &[
            "encrypt-file",
            "--raw-aes-key",
            &a,
            "--key-namespace",
            "ns",
            "--key-name",
            "a",
            &plain,
            &sealed,
        ],
    );
    let printed = ok(
        &state,
        &[
            "decrypt-file",
            "--key-namespace",
            "ns",
            "--raw-aes-key",
            &a,
            "--key-name",
            "not-in-file",
            "--raw-aes-key",
            &wrong,
            "--key-name",
            "a",
            "--raw-aes-key",
            &a,
            "--key-name",
            "a",
            "--output",
            "text",
            &sealed,
            &opened,
        ],
    );
    assert!(printed.ends_with("ns/a"), "{printed}");
    assert_eq!(std::fs::read(&opened).unwrap(), plaintext(100));
    std::fs::remove_file(&opened).unwrap();
    let (code, stderr) = fails(
        &state,
        &[
            "decrypt-file",
            "--key-namespace",
            "ns",
            "--raw-aes-key",
            &wrong,
            "--key-name",
            "a",
            "--raw-aes-key",
            &a,
            "--key-name",
            "b",
            &sealed,
            &opened,
        ],
    );
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("the raw key ns/a does not decrypt"), "{stderr}");
    assert!(!Path::new(&opened).exists());
}

#[test]
fn a_kms_key_and_two_raw_keys_each_open_the_same_file() {
    let dir = scratch("several-kms");
    let state = dir.join("state");
    let (a, b) = (aes_key(&dir, "a.bin", 6), aes_key(&dir, "b.bin", 7));
    let (_, plain) = setup(&dir, 32, 3000);
    let line = ok(&state, &["--output", "text", "key", "create"]);
    let kms_key = line.split('\t').nth(1).expect("key id").to_owned();
    let sealed = path(&dir, "sealed");
    ok(
        &state,
        &[
            "encrypt-file",
            "--key",
            &kms_key,
            "--key-namespace",
            "ns",
            "--raw-aes-key",
            &a,
            "--key-name",
            "a",
            "--raw-aes-key",
            &b,
            "--key-name",
            "b",
            &plain,
            &sealed,
        ],
    );
    for (i, flags) in [
        vec!["--key", kms_key.as_str()],
        vec!["--raw-aes-key", a.as_str(), "--key-namespace", "ns", "--key-name", "a"],
        vec!["--raw-aes-key", b.as_str(), "--key-namespace", "ns", "--key-name", "b"],
    ]
    .into_iter()
    .enumerate()
    {
        let opened = path(&dir, &format!("opened-{i}"));
        let mut args = vec!["decrypt-file"];
        args.extend(flags.iter().copied());
        args.extend([sealed.as_str(), opened.as_str()]);
        ok(&state, &args);
        assert_eq!(std::fs::read(&opened).unwrap(), plaintext(3000), "{flags:?}");
    }
}

/// With several raw keys, `--key-namespace`, `--key-name` and
/// `--rsa-padding` are given once for all, or once after each raw key;
/// anything else is a usage error that says so.
#[test]
fn raw_key_options_belong_to_the_raw_key_before_them_or_to_all() {
    let dir = scratch("several-usage");
    let state = dir.join("state");
    let (a, b) = (aes_key(&dir, "a.bin", 8), aes_key(&dir, "b.bin", 9));
    let (_, plain) = setup(&dir, 32, 10);
    let sealed = path(&dir, "sealed");
    for (flags, expected) in [
        (
            vec![
                "--key-name",
                "x",
                "--key-name",
                "y",
                "--raw-aes-key",
                &a,
                "--raw-aes-key",
                &b,
                "--key-namespace",
                "ns",
            ],
            "once after each raw key",
        ),
        (
            vec![
                "--raw-aes-key",
                &a,
                "--key-name",
                "x",
                "--key-name",
                "y",
                "--raw-aes-key",
                &b,
                "--key-namespace",
                "ns",
            ],
            "once after each raw key",
        ),
        (
            vec![
                "--raw-aes-key",
                &a,
                "--key-name",
                "x",
                "--raw-aes-key",
                &b,
                "--key-name",
                "y",
                "--raw-aes-key",
                &a,
                "--key-namespace",
                "ns",
            ],
            "each raw key needs its own --key-name",
        ),
        (
            vec!["--raw-aes-key", &a, "--raw-aes-key", &b, "--key-name", "x"],
            "--key-namespace is required",
        ),
    ] {
        let mut args = vec!["encrypt-file"];
        args.extend(flags.iter().copied());
        args.extend([plain.as_str(), sealed.as_str()]);
        let (code, stderr) = fails(&state, &args);
        assert_eq!(code, Some(2), "{flags:?}: {stderr}");
        assert!(stderr.contains(expected), "{flags:?}: {stderr}");
    }
    // Given once, a name applies to both keys.
    let printed = ok(
        &state,
        &[
            "encrypt-file",
            "--raw-aes-key",
            &a,
            "--raw-aes-key",
            &b,
            "--key-namespace",
            "ns",
            "--key-name",
            "same",
            "--output",
            "text",
            &plain,
            &sealed,
        ],
    );
    assert!(printed.ends_with("ns/same,ns/same"), "{printed}");
    assert!(!state.exists());
}
