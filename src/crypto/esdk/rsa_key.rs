//! RSA key files in every form users keep them, read into the key pair of a
//! raw RSA keyring: PEM or DER; private keys in PKCS #8 (`PRIVATE KEY`),
//! passphrase-protected PKCS #8 (`ENCRYPTED PRIVATE KEY`: PBES2 with PBKDF2
//! (HMAC-SHA-1 or SHA-2) or scrypt, and AES-CBC or DES-EDE3-CBC: what
//! `openssl pkcs8 -topk8 -v2` of OpenSSL 1.x and 3 and OpenSSL 3's `genpkey
//! -aes256` write) or PKCS #1 (`RSA PRIVATE KEY`); public keys in X.509
//! SubjectPublicKeyInfo (`PUBLIC KEY`) or PKCS #1 (`RSA PUBLIC KEY`). A DER
//! file says nothing of its form: each is tried in turn (their ASN.1
//! structures differ from the first field on). Older password schemes
//! (PBES1, PKCS #12's) are refused by name, with the command that converts
//! the key.

use rsa::pkcs1::{DecodeRsaPrivateKey, DecodeRsaPublicKey};
use rsa::pkcs8::der::asn1::{ObjectIdentifier, OctetStringRef};
use rsa::pkcs8::der::pem;
use rsa::pkcs8::der::{Decode, Reader, SliceReader};
use rsa::pkcs8::spki::AlgorithmIdentifierRef;
use rsa::pkcs8::{pkcs5, DecodePrivateKey, DecodePublicKey, EncryptedPrivateKeyInfoRef, PrivateKeyInfoRef};
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
    if scheme_of(der).is_some() {
        return decrypt(der, passphrase);
    }
    Err(RawKeyError::NotRsaKey)
}

/// An `EncryptedPrivateKeyInfo` opened with the passphrase. A wrong
/// passphrase and a damaged file cannot be told apart (both fail the
/// padding or the ASN.1 of what was decrypted); a scheme that keyward does
/// not read is named.
fn decrypt(der: &[u8], passphrase: Option<&[u8]>) -> Result<KeyPair, RawKeyError> {
    let scheme = scheme_of(der).ok_or(RawKeyError::NotRsaKey)?;
    let unsupported = || RawKeyError::UnsupportedKeyEncryption(scheme_name(scheme));
    let encrypted = EncryptedPrivateKeyInfoRef::try_from(der).map_err(|_| unsupported())?;
    if matches!(encrypted.encryption_algorithm, pkcs5::EncryptionScheme::Pbes1(_)) {
        return Err(unsupported());
    }
    let passphrase = passphrase.ok_or(RawKeyError::PassphraseNeeded)?;
    let document = match encrypted.decrypt(passphrase) {
        Ok(document) => document,
        Err(rsa::pkcs8::Error::EncryptedPrivateKey(pkcs5::Error::UnsupportedAlgorithm { .. })) => {
            return Err(unsupported())
        }
        // The padding or the ASN.1 of what was decrypted failed.
        Err(_) => return Err(RawKeyError::WrongPassphrase),
    };
    match PrivateKey::from_pkcs8_der(document.as_bytes()) {
        Ok(private) => with_public(Some(private)),
        // A private key of another algorithm, or bytes that only looked
        // padded (a wrong passphrase, about one time in 256).
        Err(_) if PrivateKeyInfoRef::try_from(document.as_bytes()).is_ok() => Err(RawKeyError::NotRsaKey),
        Err(_) => Err(RawKeyError::WrongPassphrase),
    }
}

/// The encryption scheme of an `EncryptedPrivateKeyInfo` (RFC 5958: a
/// sequence of the scheme's algorithm identifier and the encrypted bytes),
/// read whatever the scheme; `None` when `der` is not one.
fn scheme_of(der: &[u8]) -> Option<ObjectIdentifier> {
    let mut reader = SliceReader::new(der).ok()?;
    let oid = reader
        .sequence(|body| {
            let algorithm = AlgorithmIdentifierRef::decode(body)?;
            <&OctetStringRef>::decode(body)?;
            Ok::<_, rsa::pkcs8::der::Error>(algorithm.oid)
        })
        .ok()?;
    reader.finish().ok()?;
    Some(oid)
}

/// How users and OpenSSL name a password-based encryption scheme.
fn scheme_name(oid: ObjectIdentifier) -> String {
    let text = oid.to_string();
    let name = if let Some(number) = text.strip_prefix("1.2.840.113549.1.5.") {
        match number {
            "1" => Some("PBES1 pbeWithMD2AndDES-CBC"),
            "3" => Some("PBES1 pbeWithMD5AndDES-CBC"),
            "4" => Some("PBES1 pbeWithMD2AndRC2-CBC"),
            "6" => Some("PBES1 pbeWithMD5AndRC2-CBC"),
            "10" => Some("PBES1 pbeWithSHA1AndDES-CBC"),
            "11" => Some("PBES1 pbeWithSHA1AndRC2-CBC"),
            "13" => Some("PBES2 with another cipher or key derivation"),
            _ => None,
        }
    } else if let Some(number) = text.strip_prefix("1.2.840.113549.1.12.1.") {
        match number {
            "1" => Some("PKCS #12 pbeWithSHAAnd128BitRC4"),
            "2" => Some("PKCS #12 pbeWithSHAAnd40BitRC4"),
            "3" => Some("PKCS #12 pbeWithSHAAnd3-KeyTripleDES-CBC"),
            "4" => Some("PKCS #12 pbeWithSHAAnd2-KeyTripleDES-CBC"),
            "5" => Some("PKCS #12 pbeWithSHAAnd128BitRC2-CBC"),
            "6" => Some("PKCS #12 pbeWithSHAAnd40BitRC2-CBC"),
            _ => None,
        }
    } else {
        None
    };
    name.map_or_else(|| format!("the scheme {text}"), str::to_owned)
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
