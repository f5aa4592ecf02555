//! `--raw-rsa-key` reads an RSA key in every form `openssl` writes one: PEM
//! and DER; PKCS #8, passphrase-protected PKCS #8 (PBES2 with PBKDF2 or
//! scrypt, AES or DES-EDE3, `--raw-rsa-key-passphrase-file`; older schemes
//! are refused by name) and PKCS #1 private keys; X.509
//! and PKCS #1 public keys. All forms are made by `openssl` from one key
//! pair, so a file encrypted with any form decrypts with any private form.

use std::path::Path;

use super::{fails, ok, path, plaintext, scratch, setup};
use crate::keys::openssl;

const PASSPHRASE: &str = "correct horse battery staple";

/// The private and the public forms of one 2048-bit key pair, written by
/// `openssl` into `dir` (with `pass.txt`, the passphrase of the encrypted ones).
fn key_forms(dir: &Path) -> (Vec<&'static str>, Vec<&'static str>) {
    std::fs::write(dir.join("pass.txt"), format!("{PASSPHRASE}\n")).unwrap();
    let pass = ["-passout", "file:pass.txt"];
    let der = ["-outform", "DER"];
    let steps: Vec<Vec<&str>> = vec![
        vec![
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:2048",
            "-out",
            "pkcs8.pem",
        ],
        [&["pkey", "-in", "pkcs8.pem", "-out", "pkcs8.der"][..], &der].concat(),
        vec!["rsa", "-in", "pkcs8.pem", "-traditional", "-out", "pkcs1.pem"],
        [
            &["rsa", "-in", "pkcs8.pem", "-traditional", "-out", "pkcs1.der"][..],
            &der,
        ]
        .concat(),
        [
            &[
                "pkcs8",
                "-topk8",
                "-v2",
                "aes-256-cbc",
                "-in",
                "pkcs8.pem",
                "-out",
                "encrypted.pem",
            ][..],
            &pass,
        ]
        .concat(),
        [
            &[
                "pkcs8",
                "-topk8",
                "-v2",
                "aes-128-cbc",
                "-in",
                "pkcs8.pem",
                "-out",
                "encrypted.der",
            ][..],
            &pass,
            &der,
        ]
        .concat(),
        [
            &["pkcs8", "-topk8", "-scrypt", "-in", "pkcs8.pem", "-out", "scrypt.pem"][..],
            &pass,
        ]
        .concat(),
        // What OpenSSL 1.x wrote: DES-EDE3-CBC, and PBKDF2 with HMAC-SHA-1.
        [
            &[
                "pkcs8",
                "-topk8",
                "-v2",
                "des3",
                "-in",
                "pkcs8.pem",
                "-out",
                "encrypted-des3.pem",
            ][..],
            &pass,
        ]
        .concat(),
        [
            &[
                "pkcs8",
                "-topk8",
                "-v2",
                "aes-128-cbc",
                "-v2prf",
                "hmacWithSHA1",
                "-in",
                "pkcs8.pem",
                "-out",
                "encrypted-sha1.der",
            ][..],
            &pass,
            &der,
        ]
        .concat(),
        vec!["pkey", "-in", "pkcs8.pem", "-pubout", "-out", "spki.pem"],
        [&["pkey", "-in", "pkcs8.pem", "-pubout", "-out", "spki.der"][..], &der].concat(),
        vec!["rsa", "-in", "pkcs8.pem", "-RSAPublicKey_out", "-out", "pkcs1.pub.pem"],
        [
            &["rsa", "-in", "pkcs8.pem", "-RSAPublicKey_out", "-out", "pkcs1.pub.der"][..],
            &der,
        ]
        .concat(),
    ];
    for step in steps {
        openssl(dir, &step);
    }
    let private = vec![
        "pkcs8.pem",
        "pkcs8.der",
        "pkcs1.pem",
        "pkcs1.der",
        "encrypted.pem",
        "encrypted.der",
        "scrypt.pem",
        "encrypted-des3.pem",
        "encrypted-sha1.der",
    ];
    let public = vec!["spki.pem", "spki.der", "pkcs1.pub.pem", "pkcs1.pub.der"];
    (private, public)
}

fn is_encrypted(form: &str) -> bool {
    form.starts_with("encrypted") || form.starts_with("scrypt")
}

/// The raw RSA key flags for `form` in `dir`, with the passphrase file when
/// the form is encrypted.
fn flags(dir: &Path, form: &str) -> Vec<String> {
    let mut flags = vec![
        "--raw-rsa-key".to_owned(),
        path(dir, form),
        "--key-namespace".to_owned(),
        "HSM_02".to_owned(),
        "--key-name".to_owned(),
        "RSA_2048".to_owned(),
        "--rsa-padding".to_owned(),
        "RSA_OAEP_SHA256_MGF1".to_owned(),
    ];
    if is_encrypted(form) {
        flags.extend(["--raw-rsa-key-passphrase-file".to_owned(), path(dir, "pass.txt")]);
    }
    flags
}

fn run(state: &Path, verb: &str, flags: &[String], from: &str, to: &str) -> String {
    let mut args = vec![verb];
    args.extend(flags.iter().map(String::as_str));
    args.extend([from, to]);
    ok(state, &args)
}

#[test]
fn a_file_encrypted_with_any_openssl_key_form_decrypts_with_every_private_form() {
    let dir = scratch("rsa-forms");
    let state = dir.join("state");
    let (private, public) = key_forms(&dir);
    let (_, plain) = setup(&dir, 32, 10_000);
    let (sealed, opened) = (path(&dir, "sealed"), path(&dir, "opened"));
    for (i, form) in private.iter().chain(&public).enumerate() {
        let printed = run(&state, "encrypt-file", &flags(&dir, form), &plain, &sealed);
        assert!(printed.contains("HSM_02/RSA_2048"), "{form}: {printed}");
        // Each private form decrypts a file of another form, and the first
        // file decrypts with all of them.
        let openers: Vec<&str> = if i == 0 {
            private.clone()
        } else {
            vec![private[i % private.len()], private[(i + 3) % private.len()]]
        };
        for opener in openers {
            let _ = std::fs::remove_file(&opened);
            run(&state, "decrypt-file", &flags(&dir, opener), &sealed, &opened);
            assert_eq!(
                std::fs::read(&opened).unwrap(),
                plaintext(10_000),
                "{form} then {opener}"
            );
        }
    }
    assert!(!state.exists(), "raw keys alone open no state directory");
}

#[test]
fn an_encrypted_key_without_its_passphrase_or_with_a_wrong_one_is_a_usage_error() {
    let dir = scratch("rsa-passphrase");
    let state = dir.join("state");
    key_forms(&dir);
    openssl(
        &dir,
        &[
            "rsa",
            "-in",
            "pkcs8.pem",
            "-traditional",
            "-aes256",
            "-passout",
            "file:pass.txt",
            "-out",
            "legacy.pem",
        ],
    );
    std::fs::write(dir.join("wrong.txt"), "Correct horse battery staple\n").unwrap();
    let (_, plain) = setup(&dir, 32, 100);
    let sealed = path(&dir, "sealed");
    let mut without = flags(&dir, "encrypted.pem");
    without.truncate(8);
    let mut wrong = flags(&dir, "encrypted.der");
    wrong[9] = path(&dir, "wrong.txt");
    let mut legacy = flags(&dir, "pkcs8.pem");
    legacy[1] = path(&dir, "legacy.pem");
    for (flags, expected) in [
        (
            without,
            "give its passphrase in a file with --raw-rsa-key-passphrase-file",
        ),
        (wrong, "the passphrase does not open the encrypted private key"),
        (legacy, "openssl pkcs8 -topk8"),
    ] {
        for verb in ["encrypt-file", "decrypt-file"] {
            let mut args = vec![verb];
            args.extend(flags.iter().map(String::as_str));
            args.extend([plain.as_str(), sealed.as_str()]);
            let (code, stderr) = fails(&state, &args);
            assert_eq!(code, Some(2), "{stderr}");
            assert!(stderr.contains(expected), "{expected}: {stderr}");
            assert!(!stderr.contains("horse"), "the passphrase is never printed: {stderr}");
            assert!(!Path::new(&sealed).exists());
        }
    }
}

/// PBES1 and PKCS #12's schemes (what `openssl pkcs8 -topk8` wrote by
/// default before OpenSSL 1.1) and PBES2 with single DES are refused by
/// name, and the command the message gives converts the key into one that
/// keyward reads.
#[test]
fn older_password_schemes_are_refused_by_name_with_the_command_that_converts_them() {
    let dir = scratch("rsa-old-schemes");
    let state = dir.join("state");
    key_forms(&dir);
    std::fs::write(dir.join("new.txt"), format!("{PASSPHRASE}\n")).unwrap();
    let legacy = ["-provider", "legacy", "-provider", "default"];
    let old = |scheme: &[&str], out: &str| {
        let args = [
            &["pkcs8", "-topk8"][..],
            scheme,
            &legacy,
            &["-in", "pkcs8.pem", "-passout", "file:pass.txt", "-out", out],
        ]
        .concat();
        openssl(&dir, &args);
    };
    old(&["-v1", "PBE-SHA1-3DES"], "pkcs12-3des.pem");
    old(&["-v1", "PBE-MD5-DES"], "pbes1-md5-des.pem");
    old(&["-v2", "des"], "pbes2-des.pem");
    let (_, plain) = setup(&dir, 32, 100);
    let sealed = path(&dir, "sealed");
    for (form, scheme) in [
        ("pkcs12-3des.pem", "PKCS #12 pbeWithSHAAnd3-KeyTripleDES-CBC"),
        ("pbes1-md5-des.pem", "PBES1 pbeWithMD5AndDES-CBC"),
        ("pbes2-des.pem", "PBES2 with another cipher or key derivation"),
    ] {
        let mut old_key = flags(&dir, "encrypted.pem");
        old_key[1] = path(&dir, form);
        // With its passphrase or without: the scheme is known before.
        for given in [old_key.len(), 8] {
            let mut args = vec!["encrypt-file"];
            args.extend(old_key[..given].iter().map(String::as_str));
            args.extend([plain.as_str(), sealed.as_str()]);
            let (code, stderr) = fails(&state, &args);
            assert_eq!(code, Some(2), "{stderr}");
            assert!(stderr.contains(scheme), "{form}: {stderr}");
            assert!(stderr.contains("openssl pkcs8 -topk8 -v2 aes-256-cbc"), "{stderr}");
            assert!(!Path::new(&sealed).exists());
        }
        // The conversion the message gives.
        let converted = format!("{form}.p8");
        let args = [
            &["pkcs8", "-topk8", "-v2", "aes-256-cbc"][..],
            &legacy,
            &[
                "-in",
                form,
                "-passin",
                "file:pass.txt",
                "-passout",
                "file:new.txt",
                "-out",
                &converted,
            ],
        ]
        .concat();
        openssl(&dir, &args);
        old_key[1] = path(&dir, &converted);
        old_key[9] = path(&dir, "new.txt");
        run(&state, "encrypt-file", &old_key, &plain, &sealed);
        let opened = path(&dir, "opened");
        run(&state, "decrypt-file", &flags(&dir, "encrypted.pem"), &sealed, &opened);
        assert_eq!(std::fs::read(&opened).unwrap(), plaintext(100), "{form}");
        std::fs::remove_file(&sealed).unwrap();
        std::fs::remove_file(&opened).unwrap();
    }
}
