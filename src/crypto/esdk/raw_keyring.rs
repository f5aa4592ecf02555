//! Raw keyrings, for offline use: a wrapping key the user holds (AES or
//! RSA) and its names, the key namespace (the SDK's provider id) and the key
//! name. Several of them act together as the SDK's multi-keyring: each wraps
//! the one data key of a message, and on decryption each in turn tries the
//! message's encrypted data keys until one opens.

use std::collections::BTreeMap;

use zeroize::Zeroizing;

use super::header::EncryptedDataKey;
use super::raw_aes::RawAesKeyring;
use super::raw_rsa::{RawRsaKeyring, RsaPadding};
use super::EsdkError;

/// The provider id the SDKs keep for AWS KMS keyrings: not a raw key's namespace.
const RESERVED_NAMESPACE: &str = "aws-kms";

/// Why a raw keyring cannot be made.
#[derive(Debug, thiserror::Error)]
pub enum RawKeyError {
    #[error("a raw AES wrapping key has 16, 24 or 32 bytes; this one has {0}")]
    KeyLength(usize),
    #[error("the key namespace `aws-kms` is kept for AWS KMS keys; choose another (for example your HSM's name)")]
    ReservedNamespace,
    #[error("the key {0} is empty")]
    EmptyName(&'static str),
    #[error(
        "not an RSA key: give a private key (PKCS #8 `PRIVATE KEY` or `ENCRYPTED PRIVATE KEY`, PKCS #1 `RSA PRIVATE KEY`) \
         or a public key (X.509 `PUBLIC KEY`, PKCS #1 `RSA PUBLIC KEY`), in PEM or DER"
    )]
    NotRsaKey,
    #[error("the key is an encrypted private key: give its passphrase in a file with --raw-rsa-key-passphrase-file")]
    PassphraseNeeded,
    #[error("the passphrase does not open the encrypted private key (or the key file is damaged)")]
    WrongPassphrase,
    #[error(
        "the key is encrypted in OpenSSL's legacy PEM form (`Proc-Type: 4,ENCRYPTED`), which keyward does not read: \
         convert it to encrypted PKCS #8 with `openssl pkcs8 -topk8 -v2 aes-256-cbc -in KEY -out KEY.p8`"
    )]
    LegacyEncryptedPem,
    #[error(
        "the private key is encrypted with {0}; keyward reads PBES2 with AES-CBC or DES-EDE3-CBC under \
         PBKDF2 (HMAC-SHA-1 or SHA-2) or scrypt: convert it with \
         `openssl pkcs8 -topk8 -v2 aes-256-cbc -in KEY -passin file:OLD -passout file:NEW -out KEY.p8` \
         (OpenSSL 3 opens DES, RC2 and RC4 keys only with `-provider legacy -provider default`)"
    )]
    UnsupportedKeyEncryption(String),
    #[error("a {bits}-bit RSA key cannot encrypt a data key with {padding}: use a larger key or another padding")]
    RsaKeyTooSmall { bits: usize, padding: RsaPadding },
}

/// Refuses an empty namespace or name, and the namespace of AWS KMS keyrings.
pub(super) fn check_names(namespace: &str, name: &str) -> Result<(), RawKeyError> {
    if namespace.is_empty() {
        return Err(RawKeyError::EmptyName("namespace"));
    }
    if name.is_empty() {
        return Err(RawKeyError::EmptyName("name"));
    }
    if namespace == RESERVED_NAMESPACE {
        return Err(RawKeyError::ReservedNamespace);
    }
    Ok(())
}

/// One raw wrapping key.
#[derive(Debug)]
pub enum RawKeyring {
    Aes(RawAesKeyring),
    Rsa(RawRsaKeyring),
}

impl RawKeyring {
    /// `namespace/name`, as the command line reports it.
    pub fn label(&self) -> String {
        match self {
            RawKeyring::Aes(k) => k.label(),
            RawKeyring::Rsa(k) => k.label(),
        }
    }

    /// The data key wrapped under this key, for a message whose whole
    /// context is `context` (the AES keyring binds it; RSA does not).
    pub fn wrap(&self, data_key: &[u8], context: &BTreeMap<String, String>) -> Result<EncryptedDataKey, EsdkError> {
        match self {
            RawKeyring::Aes(k) => k.wrap(data_key, context),
            RawKeyring::Rsa(k) => k.wrap(data_key),
        }
    }

    /// Whether `key` names this keyring's wrapping key.
    pub fn is_for(&self, key: &EncryptedDataKey) -> bool {
        match self {
            RawKeyring::Aes(k) => k.is_for(key),
            RawKeyring::Rsa(k) => k.is_for(key),
        }
    }

    /// The data key of `key`, when this keyring opens it. An RSA keyring
    /// with PKCS #1 v1.5 padding may return wrong bytes for a key it did not
    /// make: callers check the result against the message.
    pub fn unwrap(&self, key: &EncryptedDataKey, context: &BTreeMap<String, String>) -> Option<Zeroizing<Vec<u8>>> {
        match self {
            RawKeyring::Aes(k) => k.unwrap(key, context),
            RawKeyring::Rsa(k) => k.unwrap(key),
        }
    }
}

impl From<RawAesKeyring> for RawKeyring {
    fn from(k: RawAesKeyring) -> RawKeyring {
        RawKeyring::Aes(k)
    }
}

impl From<RawRsaKeyring> for RawKeyring {
    fn from(k: RawRsaKeyring) -> RawKeyring {
        RawKeyring::Rsa(k)
    }
}
