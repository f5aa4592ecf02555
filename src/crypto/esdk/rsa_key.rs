//! RSA key files in every form users keep them, read into the key pair of a
//! raw RSA keyring: PEM or DER; private keys in PKCS #8 (`PRIVATE KEY`),
//! passphrase-protected PKCS #8 (`ENCRYPTED PRIVATE KEY`: PBES2 with PBKDF2
//! or scrypt and AES-CBC, what `openssl pkcs8 -topk8` and OpenSSL 3's
//! `genpkey -aes256` write) or PKCS #1 (`RSA PRIVATE KEY`); public keys in
//! X.509 SubjectPublicKeyInfo (`PUBLIC KEY`) or PKCS #1 (`RSA PUBLIC KEY`).
//! A DER file says nothing of its form: each is tried in turn (their ASN.1
//! structures differ from the first field on).

use rsa::pkcs1::{DecodeRsaPrivateKey, DecodeRsaPublicKey};
use rsa::pkcs8::der::pem;
use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey, EncryptedPrivateKeyInfoRef};
use rsa::{PrivateKey, PublicKey};
use zeroize::Zeroizing;

use super::raw_keyring::RawKeyError;

/// The public key, and the private key when the file holds one.
pub(super) type KeyPair = (PublicKey, Option<PrivateKey>);

/// Reads an RSA key file; `passphrase` opens an encrypted private key (and
/// is ignored for any other).
pub(super) fn read(file: &[u8], passphrase: Option<&[u8]>) -> Result<KeyPair, RawKeyError> {
    if !file.trim_ascii_start().starts_with(b"-----BEGIN ") {
        return read_der(file, passphrase);
    }
    if contains(file, b"Proc-Type: 4,ENCRYPTED") {
        return Err(RawKeyError::LegacyEncryptedPem);
    }
    let (label, der) = pem::decode_vec(file).map_err(|_| RawKeyError::NotRsaKey)?;
    let der = Zeroizing::new(der);
    match label {
        "PRIVATE KEY" => with_public(PrivateKey::from_pkcs8_der(&der).ok()),
        "RSA PRIVATE KEY" => with_public(PrivateKey::from_pkcs1_der(&der).ok()),
        "ENCRYPTED PRIVATE KEY" => decrypt(&der, passphrase),
        "PUBLIC KEY" => public_only(PublicKey::from_public_key_der(&der).ok()),
        "RSA PUBLIC KEY" => public_only(PublicKey::from_pkcs1_der(&der).ok()),
        _ => Err(RawKeyError::NotRsaKey),
    }
}

/// A DER file: each form in turn.
fn read_der(der: &[u8], passphrase: Option<&[u8]>) -> Result<KeyPair, RawKeyError> {
    if let Some(private) = PrivateKey::from_pkcs8_der(der)
        .ok()
        .or_else(|| PrivateKey::from_pkcs1_der(der).ok())
    {
        return with_public(Some(private));
    }
    if let Some(public) = PublicKey::from_public_key_der(der)
        .ok()
        .or_else(|| PublicKey::from_pkcs1_der(der).ok())
    {
        return public_only(Some(public));
    }
    if EncryptedPrivateKeyInfoRef::try_from(der).is_ok() {
        return decrypt(der, passphrase);
    }
    Err(RawKeyError::NotRsaKey)
}

/// An `EncryptedPrivateKeyInfo` opened with the passphrase. A wrong
/// passphrase and a damaged file cannot be told apart (both fail the
/// padding or the ASN.1 of what was decrypted).
fn decrypt(der: &[u8], passphrase: Option<&[u8]>) -> Result<KeyPair, RawKeyError> {
    let passphrase = passphrase.ok_or(RawKeyError::PassphraseNeeded)?;
    if EncryptedPrivateKeyInfoRef::try_from(der).is_err() {
        return Err(RawKeyError::NotRsaKey);
    }
    let private = PrivateKey::from_pkcs8_encrypted_der(der, passphrase).map_err(|_| RawKeyError::WrongPassphrase)?;
    with_public(Some(private))
}

fn with_public(private: Option<PrivateKey>) -> Result<KeyPair, RawKeyError> {
    let private = private.ok_or(RawKeyError::NotRsaKey)?;
    Ok((private.to_public_key(), Some(private)))
}

fn public_only(public: Option<PublicKey>) -> Result<KeyPair, RawKeyError> {
    Ok((public.ok_or(RawKeyError::NotRsaKey)?, None))
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}
