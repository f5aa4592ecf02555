//! `--raw-rsa-key PEM --key-namespace NS --key-name NAME --rsa-padding P` on
//! `encrypt-file`/`decrypt-file`, against the AWS Encryption SDK for
//! Python's raw RSA master key (`RawMasterKey` with an RSA
//! `WrappingAlgorithm`) both ways, for each of the five paddings of the raw
//! RSA keyring specification. Raw RSA keyrings:
//! https://docs.aws.amazon.com/encryption-sdk/latest/developer-guide/use-raw-rsa-keyring.html

use std::path::Path;

use super::{fails, ok, path, plaintext, python, rsa_pair, scratch, sdk, setup, SUITES};

const PADDINGS: [&str; 5] = [
    "RSA_OAEP_SHA256_MGF1",
    "RSA_OAEP_SHA1_MGF1",
    "RSA_OAEP_SHA384_MGF1",
    "RSA_OAEP_SHA512_MGF1",
    "RSA_PKCS1",
];

fn rsa_flags<'a>(pem: &'a str, padding: &'a str, name: &'a str) -> [&'a str; 8] {
    [
        "--raw-rsa-key",
        pem,
        "--key-namespace",
        "HSM_02",
        "--key-name",
        name,
        "--rsa-padding",
        padding,
    ]
}

#[test]
fn keyward_encrypts_with_each_rsa_padding_and_the_python_sdk_decrypts() {
    let Some(python) = python() else { return };
    let dir = scratch("rsa-to-python");
    let state = dir.join("state");
    let (private, public) = rsa_pair(&python, &dir, 2048, "rsa");
    for (i, padding) in PADDINGS.into_iter().enumerate() {
        let size = [0, 1, 4095, 4096 * 2 + 7, 300][i];
        let (_, plain) = setup(&dir, 32, size);
        let (sealed, opened) = (path(&dir, "sealed"), path(&dir, "opened"));
        let mut args = vec!["encrypt-file", "--algorithm", SUITES[i % 2], "--context", "purpose=rsa"];
        args.extend(rsa_flags(&public, padding, "RSA_2048"));
        args.extend([plain.as_str(), sealed.as_str()]);
        let printed = ok(&state, &args);
        assert!(printed.contains("HSM_02/RSA_2048"), "{printed}");
        let keys = format!("rsa:{padding}:{private}:HSM_02:RSA_2048");
        let context = sdk(&python, &["decrypt", &sealed, &opened, &keys, "purpose=rsa"]);
        assert_eq!(context, r#"{"purpose": "rsa"}"#);
        assert_eq!(std::fs::read(&opened).unwrap(), plaintext(size), "{padding}");
    }
    assert!(!state.exists(), "raw keys alone open no state directory");
}

#[test]
fn the_python_sdk_encrypts_with_each_rsa_padding_and_keyward_decrypts() {
    let Some(python) = python() else { return };
    let dir = scratch("rsa-from-python");
    let state = dir.join("state");
    let (private, public) = rsa_pair(&python, &dir, 3072, "rsa");
    for (i, padding) in PADDINGS.into_iter().enumerate() {
        let (frame, size) = [("4096", 10_000), ("128", 129), ("0", 300), ("4096", 0), ("128", 1)][i];
        let (_, plain) = setup(&dir, 32, size);
        let (sealed, opened) = (path(&dir, "sealed"), path(&dir, "opened"));
        let keys = format!("rsa:{padding}:{public}:HSM_02:RSA_3072");
        sdk(
            &python,
            &["encrypt", SUITES[i % 2], frame, &plain, &sealed, &keys, "team=a"],
        );
        let mut args = vec!["decrypt-file", "--context", "team=a", "--output", "json"];
        args.extend(rsa_flags(&private, padding, "RSA_3072"));
        args.extend([sealed.as_str(), opened.as_str()]);
        let printed = ok(&state, &args);
        assert!(printed.contains(r#""KeyId": "HSM_02/RSA_3072""#), "{printed}");
        assert_eq!(
            std::fs::read(&opened).unwrap(),
            plaintext(size),
            "{padding}, frame {frame}"
        );
    }
    assert!(!state.exists());
}

/// A wrong padding or private key is refused without output, PKCS #1 v1.5
/// included: its decryption gives random bytes rather than an error, and the
/// message's key commitment refuses them.
#[test]
fn a_wrong_rsa_padding_or_private_key_is_refused_and_writes_nothing() {
    let Some(python) = python() else { return };
    let dir = scratch("rsa-refused");
    let state = dir.join("state");
    let (private, public) = rsa_pair(&python, &dir, 2048, "rsa");
    let (other_private, _) = rsa_pair(&python, &dir, 2048, "other");
    let (_, plain) = setup(&dir, 32, 5000);
    let (sealed, opened) = (path(&dir, "sealed"), path(&dir, "opened"));
    for (padding, wrong) in [
        ("RSA_OAEP_SHA256_MGF1", "RSA_OAEP_SHA1_MGF1"),
        ("RSA_PKCS1", "RSA_OAEP_SHA256_MGF1"),
        ("RSA_OAEP_SHA512_MGF1", "RSA_PKCS1"),
    ] {
        let mut args = vec!["encrypt-file"];
        args.extend(rsa_flags(&public, padding, "k"));
        args.extend([plain.as_str(), sealed.as_str()]);
        ok(&state, &args);
        for (key, try_padding) in [(&private, wrong), (&other_private, padding)] {
            let mut args = vec!["decrypt-file"];
            args.extend(rsa_flags(key, try_padding, "k"));
            args.extend([sealed.as_str(), opened.as_str()]);
            let (code, stderr) = fails(&state, &args);
            assert_eq!(code, Some(1), "{stderr}");
            assert!(
                stderr.contains("does not decrypt the data key"),
                "{padding} as {try_padding}: {stderr}"
            );
            assert!(!Path::new(&opened).exists(), "{padding} as {try_padding} left output");
        }
    }
    assert!(!state.exists());
}

#[test]
fn rsa_key_and_padding_mistakes_are_usage_errors() {
    let Some(python) = python() else { return };
    let dir = scratch("rsa-usage");
    let state = dir.join("state");
    let (private, public) = rsa_pair(&python, &dir, 2048, "rsa");
    let (aes_key, plain) = setup(&dir, 32, 10);
    let out = path(&dir, "out");
    let mut sealed_args = vec!["encrypt-file"];
    sealed_args.extend(rsa_flags(&private, "RSA_PKCS1", "k"));
    sealed_args.extend([plain.as_str(), out.as_str()]);
    ok(&state, &sealed_args);
    let opened = path(&dir, "opened");
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec![
                "decrypt-file",
                "--raw-rsa-key",
                &public,
                "--key-namespace",
                "HSM_02",
                "--key-name",
                "k",
                "--rsa-padding",
                "RSA_PKCS1",
                &out,
                &opened,
            ],
            "is a public key: decryption needs the private key",
        ),
        (
            vec![
                "encrypt-file",
                "--raw-rsa-key",
                &public,
                "--key-namespace",
                "ns",
                "--key-name",
                "k",
                &plain,
                &opened,
            ],
            "--rsa-padding is required",
        ),
        (
            vec![
                "encrypt-file",
                "--raw-rsa-key",
                &public,
                "--key-namespace",
                "ns",
                "--key-name",
                "k",
                "--rsa-padding",
                "OAEP",
                &plain,
                &opened,
            ],
            "RSA_OAEP_SHA256_MGF1",
        ),
        (
            vec![
                "encrypt-file",
                "--raw-aes-key",
                &aes_key,
                "--key-namespace",
                "ns",
                "--key-name",
                "k",
                "--rsa-padding",
                "RSA_PKCS1",
                &plain,
                &opened,
            ],
            "--raw-rsa-key",
        ),
        (
            vec![
                "encrypt-file",
                "--raw-rsa-key",
                &aes_key,
                "--key-namespace",
                "ns",
                "--key-name",
                "k",
                "--rsa-padding",
                "RSA_PKCS1",
                &plain,
                &opened,
            ],
            "not an RSA key",
        ),
    ];
    for (args, expected) in cases {
        let (code, stderr) = fails(&state, &args);
        assert_eq!(code, Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
        assert!(!Path::new(&opened).exists());
    }
}
