//! Envelope encryption through the runtime: several CMKs, authorization of
//! the data key, and the expected encryption context.

use super::*;
use crate::eval::Caller;
use crate::kms::runtime::Runtime;
use crate::kms::runtime::SimulatedClock;
use crate::kms::ErrorName;

fn runtime() -> Runtime<SimulatedClock> {
    Runtime::new("111122223333", "us-east-1", SimulatedClock::at(1_795_867_200))
}

fn root() -> Caller {
    Caller::parse("111122223333").unwrap()
}

fn reader() -> Caller {
    Caller::parse("arn:aws:iam::111122223333:user/reader").unwrap()
}

fn context() -> BTreeMap<String, String> {
    BTreeMap::from([("project".to_owned(), "atlas".to_owned())])
}

/// Two keys; the file sealed under both.
fn sealed_under_two(rt: &mut Runtime<SimulatedClock>, plaintext: &[u8]) -> (Vec<String>, Vec<u8>) {
    let keys: Vec<String> = (0..2)
        .map(|_| rt.create_key(&root(), None, None, false).unwrap().arn)
        .collect();
    let mut file = Vec::new();
    let sealer = Sealer::new(&mut OnRuntime::new(rt, &root()), &keys, &context(), 1024).unwrap();
    assert_eq!(sealer.key_arns(), keys);
    let bytes = sealer
        .seal(&mut &plaintext[..], &mut file, &Options::default())
        .unwrap();
    assert_eq!(bytes, plaintext.len() as u64);
    (keys, file)
}

/// Reads the header, then opens the file as `caller` into `out`.
fn open_as(
    rt: &mut Runtime<SimulatedClock>,
    caller: &Caller,
    expected: &BTreeMap<String, String>,
    file: &[u8],
    out: &mut Vec<u8>,
) -> Result<Opener, EnvelopeFailure> {
    let mut input = file;
    let read = envelope::read_header(&mut input)?;
    let opener = Opener::new(&mut OnRuntime::new(rt, caller), expected, read)?;
    opener.open(&mut input, out, &Options::default())?;
    Ok(opener)
}

fn grant_decrypt(rt: &mut Runtime<SimulatedClock>, key: &str) {
    let text = r#"{"GranteePrincipal": "arn:aws:iam::111122223333:user/reader", "Operations": ["Decrypt"]}"#;
    let grant = crate::kms::wire::grant_from_request(&serde_json::from_str(text).unwrap()).unwrap();
    rt.create_grant(&root(), key, grant, &[]).unwrap();
}

#[test]
fn any_one_of_the_cmks_opens_the_file_for_a_principal_allowed_to_use_it() {
    let mut rt = runtime();
    let plaintext: Vec<u8> = (0..5000u32).map(|i| i as u8).collect();
    let (keys, file) = sealed_under_two(&mut rt, &plaintext);

    // Denied on both keys: nothing opens, and both refusals are reported.
    let mut out = Vec::new();
    let Err(error) = open_as(&mut rt, &reader(), &BTreeMap::new(), &file, &mut out) else {
        panic!("opened without a right to decrypt")
    };
    let EnvelopeFailure::NoUsableKey(failures) = error else {
        panic!("{error}")
    };
    assert_eq!(failures.len(), 2);
    assert!(failures.iter().all(|(_, e)| e.name == ErrorName::AccessDeniedException));
    assert!(out.is_empty());

    // A grant on the second key is enough.
    grant_decrypt(&mut rt, &keys[1]);
    let opened = open_as(&mut rt, &reader(), &context(), &file, &mut out).unwrap();
    assert_eq!(opened.key_arn(), keys[1]);
    assert_eq!(out, plaintext);
    assert_eq!(*opened.context(), context());
}

#[test]
fn an_expected_context_pair_missing_from_the_file_stops_before_any_call() {
    let mut rt = runtime();
    let (_, file) = sealed_under_two(&mut rt, b"data");
    rt.audit.drain();
    let wrong = BTreeMap::from([("project".to_owned(), "apollo".to_owned())]);
    let Err(error) = open_as(&mut rt, &root(), &wrong, &file, &mut Vec::new()) else {
        panic!("opened with the wrong context")
    };
    assert!(
        matches!(error, EnvelopeFailure::ContextMismatch { ref value, .. } if value == "apollo"),
        "{error}"
    );
    assert!(rt.audit.drain().is_empty(), "no key was asked to decrypt");
}

#[test]
fn sealing_needs_every_key_to_be_usable() {
    let mut rt = runtime();
    let good = rt.create_key(&root(), None, None, false).unwrap().arn;
    let disabled = rt.create_key(&root(), None, None, false).unwrap().arn;
    rt.disable_key(&root(), &disabled).unwrap();
    let keys = [good.clone(), disabled.clone()];
    let Err(error) = Sealer::new(&mut OnRuntime::new(&mut rt, &root()), &keys, &context(), 1024) else {
        panic!("sealed under a disabled key")
    };
    assert!(
        matches!(&error, EnvelopeFailure::Kms { operation: "Encrypt", key, error } if *key == disabled && error.name == ErrorName::DisabledException),
        "{error}"
    );
    let none: [String; 0] = [];
    assert!(matches!(
        Sealer::new(&mut OnRuntime::new(&mut rt, &root()), &none, &context(), 1024),
        Err(EnvelopeFailure::KeyCount)
    ));
}

#[test]
fn a_changed_encrypted_data_key_cannot_open_the_file() {
    let mut rt = runtime();
    let key = rt.create_key(&root(), None, None, false).unwrap().arn;
    let mut file = Vec::new();
    let sealer = Sealer::new(&mut OnRuntime::new(&mut rt, &root()), &[key], &context(), 1024).unwrap();
    sealer
        .seal(&mut &b"secret"[..], &mut file, &Options::default())
        .unwrap();
    // The last byte of the encrypted data key, just before the commitment
    // (32 bytes) and the header tag (16 bytes).
    let header_end = {
        let mut input = &file[..];
        envelope::read_header(&mut input).unwrap();
        file.len() - input.len()
    };
    file[header_end - 49] ^= 1;
    let Err(EnvelopeFailure::NoUsableKey(failures)) =
        open_as(&mut rt, &root(), &BTreeMap::new(), &file, &mut Vec::new())
    else {
        panic!("the file opened, or failed otherwise")
    };
    assert_eq!(failures[0].1.name, ErrorName::InvalidCiphertextException);
}
