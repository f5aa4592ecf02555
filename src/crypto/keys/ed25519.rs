//! Ed25519 key pairs (`ECC_NIST_EDWARDS25519`): `ED25519_SHA_512` is pure
//! Ed25519 over a RAW message (RFC 8032 §5.1); `ED25519_PH_SHA_512` is
//! HashEdDSA (Ed25519ph, empty context) over a DIGEST message, and, as AWS
//! documents, KMS still applies the SHA-512 prehash to the 64 bytes it is
//! given, so the caller's digest is hashed twice (API Reference, `Sign`).

use ed25519_dalek::{Signature, SigningKey, VerifyingKey};
use zeroize::Zeroizing;

use super::error::Error;
use super::message;
use super::rng;
use super::spec::{MessageType, SigningAlgorithm};
use sha2::{Digest, Sha512};

/// The PKCS#8 version 1 encoding of RFC 8410 §7: the 32-byte seed only.
/// (The crate writes version 2, with the public key, which OpenSSL 3.0
/// cannot read.)
pub(super) fn to_pkcs8_v1(key: &SigningKey) -> Zeroizing<Vec<u8>> {
    // SEQUENCE { INTEGER 0, SEQUENCE { OID 1.3.101.112 }, OCTET STRING {
    // OCTET STRING (32 bytes) } }
    const PREFIX: [u8; 16] = [
        0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
    ];
    let mut der = Zeroizing::new(Vec::with_capacity(48));
    der.extend_from_slice(&PREFIX);
    der.extend_from_slice(key.as_bytes());
    der
}

pub(super) fn generate() -> SigningKey {
    SigningKey::generate(&mut rng::infallible())
}

pub(super) fn sign(
    key: &SigningKey,
    algorithm: SigningAlgorithm,
    message_type: MessageType,
    message: &[u8],
) -> Result<Vec<u8>, Error> {
    message::check(algorithm, message_type, message)?;
    let signature = match algorithm {
        SigningAlgorithm::Ed25519Sha512 => ed25519_dalek::Signer::sign(key, message),
        SigningAlgorithm::Ed25519PhSha512 => key
            .sign_prehashed(Sha512::new().chain_update(message), None)
            .map_err(|_| Error::Crypto)?,
        _ => return Err(Error::Crypto),
    };
    Ok(signature.to_bytes().to_vec())
}

pub(super) fn verify(
    key: &VerifyingKey,
    algorithm: SigningAlgorithm,
    message_type: MessageType,
    message: &[u8],
    signature: &[u8],
) -> Result<(), Error> {
    message::check(algorithm, message_type, message)?;
    let signature = Signature::from_slice(signature).map_err(|_| Error::Crypto)?;
    let outcome = match algorithm {
        SigningAlgorithm::Ed25519Sha512 => key.verify_strict(message, &signature),
        SigningAlgorithm::Ed25519PhSha512 => {
            key.verify_prehashed_strict(Sha512::new().chain_update(message), None, &signature)
        }
        _ => return Err(Error::Crypto),
    };
    outcome.map_err(|_| Error::Crypto)
}
