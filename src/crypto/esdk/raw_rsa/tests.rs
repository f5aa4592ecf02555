use std::sync::OnceLock;

use rsa::pkcs1::{EncodeRsaPrivateKey, EncodeRsaPublicKey};
use rsa::pkcs8::der::pem::{self, LineEnding};
use rsa::pkcs8::{EncodePrivateKey, EncodePublicKey};

use super::*;
use crate::crypto::esdk::tests::unhex;

/// The raw keyring vectors of the AWS Encryption SDK for C (Apache-2.0,
/// notice in the file; `tests/data/README.md`).
const C_SDK_VECTORS: &str = include_str!("../../../../tests/data/esdk/c-sdk-raw-keyrings.json");

#[derive(serde::Deserialize)]
struct CVectors {
    raw_rsa: CRsa,
}

#[derive(serde::Deserialize)]
struct CRsa {
    key_name: String,
    key_namespace: String,
    padding: String,
    private_key_pem: String,
    vectors: Vec<CRsaVector>,
}

#[derive(serde::Deserialize)]
struct CRsaVector {
    data_key: String,
    encrypted_data_key: String,
}

fn c_vectors() -> CRsa {
    serde_json::from_str::<CVectors>(C_SDK_VECTORS).unwrap().raw_rsa
}

/// The C SDK's 4096-bit test key, as PEM.
fn c_key_pem() -> String {
    c_vectors().private_key_pem
}

fn keyring(padding: RsaPadding, pem_text: &str) -> RawRsaKeyring {
    RawRsaKeyring::from_key("HSM_01", "RSA_4096", padding, pem_text.as_bytes(), None).unwrap()
}

/// A second key, made once: 2048 bits.
fn other_key() -> &'static PrivateKey {
    static KEY: OnceLock<PrivateKey> = OnceLock::new();
    KEY.get_or_init(|| PrivateKey::new(&mut SysRng, 2048).unwrap())
}

#[test]
fn the_c_sdk_raw_rsa_vectors_unwrap_to_their_data_keys() {
    let c = c_vectors();
    let padding: RsaPadding = c.padding.parse().unwrap();
    assert_eq!(padding, RsaPadding::Pkcs1);
    let keyring = RawRsaKeyring::from_key(
        &c.key_namespace,
        &c.key_name,
        padding,
        c.private_key_pem.as_bytes(),
        None,
    )
    .unwrap();
    assert_eq!(c.vectors.len(), 3);
    for vector in &c.vectors {
        let encrypted = EncryptedDataKey {
            provider_id: c.key_namespace.clone(),
            provider_info: c.key_name.as_bytes().to_vec(),
            ciphertext: unhex(&vector.encrypted_data_key),
        };
        let data_key = keyring.unwrap(&encrypted).expect("the vector opens");
        assert_eq!(data_key.as_slice(), unhex(&vector.data_key).as_slice());
    }
}

#[test]
fn every_padding_wraps_and_unwraps_data_keys_of_every_suite_length() {
    let pem_text = c_key_pem();
    for padding in RsaPadding::ALL {
        let keyring = keyring(padding, &pem_text);
        for len in [16, 24, 32] {
            let data_key: Vec<u8> = (0..len as u8).collect();
            let wrapped = keyring.wrap(&data_key).unwrap();
            assert_eq!(wrapped.provider_id, "HSM_01");
            assert_eq!(
                wrapped.provider_info, b"RSA_4096",
                "provider info is the key name alone"
            );
            assert_eq!(wrapped.ciphertext.len(), 512, "{padding}");
            assert_eq!(
                keyring.unwrap(&wrapped).unwrap().as_slice(),
                data_key.as_slice(),
                "{padding}"
            );
        }
    }
}

#[test]
fn an_oaep_data_key_does_not_open_with_another_padding_key_or_name() {
    let pem_text = c_key_pem();
    let wrapped = keyring(RsaPadding::OaepSha256, &pem_text).wrap(&[7; 32]).unwrap();
    for other in [RsaPadding::OaepSha1, RsaPadding::OaepSha384, RsaPadding::OaepSha512] {
        assert!(keyring(other, &pem_text).unwrap(&wrapped).is_none(), "{other}");
    }
    let other_pem = other_key().to_pkcs8_pem(LineEnding::LF).unwrap();
    let other_key =
        RawRsaKeyring::from_key("HSM_01", "RSA_4096", RsaPadding::OaepSha256, other_pem.as_bytes(), None).unwrap();
    assert!(other_key.unwrap(&wrapped).is_none());
    let other_name =
        RawRsaKeyring::from_key("HSM_01", "RSA_other", RsaPadding::OaepSha256, pem_text.as_bytes(), None).unwrap();
    assert!(!other_name.is_for(&wrapped));
    assert!(other_name.unwrap(&wrapped).is_none());
}

#[test]
fn every_pem_and_der_form_of_rsa_keys_is_read_and_a_public_key_only_encrypts() {
    let private = other_key();
    let public = private.to_public_key();
    let pkcs1_private_der = private.to_pkcs1_der().unwrap();
    let pkcs1_public_der = public.to_pkcs1_der().unwrap();
    let pkcs1_private = pem::encode_string("RSA PRIVATE KEY", LineEnding::LF, pkcs1_private_der.as_bytes()).unwrap();
    let pkcs1_public = pem::encode_string("RSA PUBLIC KEY", LineEnding::LF, pkcs1_public_der.as_bytes()).unwrap();
    let spki = public.to_public_key_pem(LineEnding::LF).unwrap();
    let spki_der = public.to_public_key_der().unwrap();
    let pkcs8 = private.to_pkcs8_pem(LineEnding::LF).unwrap();
    let pkcs8_der = private.to_pkcs8_der().unwrap();
    let decrypting = keyring(RsaPadding::OaepSha1, &pkcs8);
    for (form, file, private) in [
        ("PKCS #8", pkcs8.as_bytes(), true),
        ("PKCS #8 DER", pkcs8_der.as_bytes(), true),
        ("PKCS #1 private", pkcs1_private.as_bytes(), true),
        ("PKCS #1 private DER", pkcs1_private_der.as_bytes(), true),
        ("SPKI", spki.as_bytes(), false),
        ("SPKI DER", spki_der.as_bytes(), false),
        ("PKCS #1 public", pkcs1_public.as_bytes(), false),
        ("PKCS #1 public DER", pkcs1_public_der.as_bytes(), false),
    ] {
        // A passphrase given for a key that has none is not used.
        let keyring =
            RawRsaKeyring::from_key("HSM_01", "RSA_4096", RsaPadding::OaepSha1, file, Some(b"unused")).unwrap();
        assert_eq!(keyring.can_decrypt(), private, "{form}");
        let wrapped = keyring.wrap(&[9; 32]).unwrap();
        assert_eq!(decrypting.unwrap(&wrapped).unwrap().as_slice(), &[9; 32], "{form}");
        assert_eq!(keyring.unwrap(&wrapped).is_some(), private, "{form}");
    }
}

/// A 1024-bit key `openssl pkcs8 -topk8 -v2 aes-256-cbc -passout
/// pass:keyward-test` encrypted (PBES2: PBKDF2 with HMAC-SHA-256, 2048
/// iterations, AES-256-CBC), and its public key (`openssl pkey -pubout`).
/// More forms, made by `openssl` at test time: `tests/raw_keys/rsa_forms.rs`.
const OPENSSL_ENCRYPTED_PKCS8: &str = "\
-----BEGIN ENCRYPTED PRIVATE KEY-----\n\
MIIC3TBXBgkqhkiG9w0BBQ0wSjApBgkqhkiG9w0BBQwwHAQIEQZkvMe+BQECAggA\n\
MAwGCCqGSIb3DQIJBQAwHQYJYIZIAWUDBAEqBBDbEi3guRBbwCcI6PLLC6DhBIIC\n\
gJO8hsjZF8FS0UjbD0EGEFWADn9YGvxx5wPN/0b0KXBbETk8B/aLjxokaJTbh2af\n\
6Z2VJ92Ig+gMipT+bxziXoATAQ5yEALq/fLa5k91xL+/OOpjnqbVmS2ieNl48Kwt\n\
eXuBGSeKTpGzxnYE7oDDvfAYE/ZyeICbdvRCgYXTnK+DRR7tD66w+tRJGKlsyHi2\n\
XPpBtm9ztgZ+J8L1Djk6601nUpkHAuCFL2zkEFNv44gM1A87PLnJRgJdFnuq2THs\n\
Zc5rmkAerc0Pa3/fGlBBDypBo4HQjjYLAfCxBvMwIIfrNBqcmkEMaHhYHCaY6uUn\n\
6ZF9VPgzMW4dCPeSCajX4Q4Dv5HNEVqh9MZPWmhlsplRI5oAWsi6/K6Cbc1IamYj\n\
xFe8PRf+nBzUpl/eC53nE5KoEvCB1/+VfYpoVT6UE6XgWaD4myH9VP9gEt7mL+Fx\n\
ia70vewekepV/Kq8VLekcbeOifaHuOVWMo+SLkrgnr/oeLV0rffKiTipCGVOc6LW\n\
pP3e26cCn5f/N4+aNRuYUJjkxtZPpZb+y6kxa0YHnaD/iFusmfFcckKZOLYtnTLq\n\
Z1OXLvXu3vyJi/YvPc4leCMgsTHGIONCE7a5F/yxMIG4pIvcF4Ob8iXvff9+7pgT\n\
NHYa7/EQMgieTEus/wziFw8rodm5cqQAdIOaPcgiy3+qbYYhyFiCpOC8IUOi5F5m\n\
4w8ScIRfOtdii5zycJ2QSPnNumefTta3U4jk30xXrQEsdSRdT6Vrajp6/5D0MZ8Q\n\
2Ir+Gge8fuBu3dOFm/XtwSqNtVSoOQs9R23Z/XipWVIqht3OwTiFqRqOMWEe0zi3\n\
wZWzg8MaAREKrj6wTff+cbA=\n\
-----END ENCRYPTED PRIVATE KEY-----\n\
";
const OPENSSL_PUBLIC_KEY: &str = "\
-----BEGIN PUBLIC KEY-----\n\
MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQCaq6FRIfMXfwZ4sx4i8BXSJbBN\n\
GLpafjeqVqlLeEhsJ7MuOGk8rEzORobWjP+4H4JKvVcKAPIUA+V0oaXvNT/w6zyd\n\
mF+IV/QBNdQVvWAbvun8owO1GAAyKmhZJmPR4lAiRjTsXMHcYMiwGVp9iG/yhXAE\n\
9LQXQ3E8QjE8lMHDCQIDAQAB\n\
-----END PUBLIC KEY-----\n\
";

#[test]
fn an_openssl_encrypted_key_opens_with_its_passphrase_only() {
    let read = |passphrase: Option<&[u8]>| {
        RawRsaKeyring::from_key(
            "ns",
            "n",
            RsaPadding::OaepSha256,
            OPENSSL_ENCRYPTED_PKCS8.as_bytes(),
            passphrase,
        )
    };
    assert!(matches!(read(None), Err(RawKeyError::PassphraseNeeded)));
    for wrong in [&b"Keyward-test"[..], b"keyward-test\n", b""] {
        assert!(matches!(read(Some(wrong)), Err(RawKeyError::WrongPassphrase)));
    }
    let keyring = read(Some(b"keyward-test")).unwrap();
    assert!(keyring.can_decrypt());
    let public =
        RawRsaKeyring::from_key("ns", "n", RsaPadding::OaepSha256, OPENSSL_PUBLIC_KEY.as_bytes(), None).unwrap();
    let wrapped = public.wrap(&[4; 32]).unwrap();
    assert_eq!(keyring.unwrap(&wrapped).unwrap().as_slice(), &[4; 32]);
    // The same key in DER.
    let (_, der) = pem::decode_vec(OPENSSL_ENCRYPTED_PKCS8.as_bytes()).unwrap();
    let from_der = RawRsaKeyring::from_key("ns", "n", RsaPadding::OaepSha256, &der, Some(b"keyward-test")).unwrap();
    assert_eq!(from_der.unwrap(&wrapped).unwrap().as_slice(), &[4; 32]);
    assert!(matches!(
        RawRsaKeyring::from_key("ns", "n", RsaPadding::OaepSha256, &der, None),
        Err(RawKeyError::PassphraseNeeded)
    ));
}

#[test]
fn openssl_legacy_encrypted_pem_is_refused_with_the_way_to_convert_it() {
    let legacy = "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n\
                  DEK-Info: AES-256-CBC,00112233445566778899AABBCCDDEEFF\n\nAAAA\n-----END RSA PRIVATE KEY-----\n";
    let error = RawRsaKeyring::from_key("ns", "n", RsaPadding::OaepSha256, legacy.as_bytes(), Some(b"x")).unwrap_err();
    assert!(matches!(error, RawKeyError::LegacyEncryptedPem));
    assert!(error.to_string().contains("openssl pkcs8 -topk8"));
}

#[test]
fn bad_pem_a_small_key_and_bad_names_are_refused_with_the_reason() {
    let refused = |pem_text: &[u8]| RawRsaKeyring::from_key("ns", "n", RsaPadding::OaepSha256, pem_text, None);
    assert!(matches!(refused(b"not a key"), Err(RawKeyError::NotRsaKey)));
    assert!(matches!(
        refused(b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"),
        Err(RawKeyError::NotRsaKey)
    ));
    let small = PrivateKey::new(&mut SysRng, 1024)
        .unwrap()
        .to_pkcs8_pem(LineEnding::LF)
        .unwrap();
    let error = RawRsaKeyring::from_key("ns", "n", RsaPadding::OaepSha512, small.as_bytes(), None).unwrap_err();
    assert!(
        matches!(error, RawKeyError::RsaKeyTooSmall { bits: 1024, .. }),
        "{error}"
    );
    assert!(RawRsaKeyring::from_key("ns", "n", RsaPadding::OaepSha256, small.as_bytes(), None).is_ok());
    let pem_text = c_key_pem();
    assert!(matches!(
        RawRsaKeyring::from_key("aws-kms", "n", RsaPadding::Pkcs1, pem_text.as_bytes(), None),
        Err(RawKeyError::ReservedNamespace)
    ));
    assert!(matches!(
        RawRsaKeyring::from_key("ns", "", RsaPadding::Pkcs1, pem_text.as_bytes(), None),
        Err(RawKeyError::EmptyName("name"))
    ));
}

#[test]
fn paddings_parse_by_the_sdks_names_in_any_case() {
    assert_eq!("RSA_OAEP_SHA256_MGF1".parse(), Ok(RsaPadding::OaepSha256));
    assert_eq!("rsa-oaep-sha1-mgf1".parse(), Ok(RsaPadding::OaepSha1));
    assert_eq!("RSA_PKCS1".parse(), Ok(RsaPadding::Pkcs1));
    for padding in RsaPadding::ALL {
        assert_eq!(padding.name().parse(), Ok(padding));
    }
    let error = "OAEP".parse::<RsaPadding>().unwrap_err();
    assert!(error.contains("RSA_OAEP_SHA512_MGF1"), "{error}");
}

#[test]
fn debug_never_shows_the_private_key() {
    let shown = format!("{:?}", keyring(RsaPadding::Pkcs1, &c_key_pem()));
    assert!(
        shown.contains("HSM_01/RSA_4096") && shown.contains("[REDACTED]"),
        "{shown}"
    );
    assert!(shown.len() < 200, "{shown}");
}
