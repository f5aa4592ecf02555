//! The message a signature covers: checks `MessageType` against the
//! algorithm, the length of a DIGEST or EXTERNAL_MU message, and hashes a RAW
//! message with the algorithm's hash (SHA-256, SHA-384 or SHA-512).

use super::error::Error;
use super::spec::{MessageType, SigningAlgorithm};
use sha2::{Digest, Sha256, Sha384, Sha512};

/// Refuses a message type the algorithm does not take, or a DIGEST or
/// EXTERNAL_MU message of the wrong length.
pub(super) fn check(algorithm: SigningAlgorithm, message_type: MessageType, message: &[u8]) -> Result<(), Error> {
    if !algorithm.message_types().contains(&message_type) {
        return Err(Error::MessageType {
            algorithm,
            message_type,
        });
    }
    match algorithm.required_message_len(message_type) {
        Some(len) if len != message.len() => Err(Error::DigestLength(algorithm)),
        _ => Ok(()),
    }
}

/// The digest to sign: the message itself for DIGEST, else its hash under
/// the algorithm's SHA-2 function.
pub(super) fn sha2_digest(
    algorithm: SigningAlgorithm,
    message_type: MessageType,
    message: &[u8],
) -> Result<Vec<u8>, Error> {
    use SigningAlgorithm as S;
    check(algorithm, message_type, message)?;
    if message_type == MessageType::Digest {
        return Ok(message.to_vec());
    }
    Ok(match algorithm {
        S::RsassaPssSha256 | S::RsassaPkcs1V15Sha256 | S::EcdsaSha256 => Sha256::digest(message).to_vec(),
        S::RsassaPssSha384 | S::RsassaPkcs1V15Sha384 | S::EcdsaSha384 => Sha384::digest(message).to_vec(),
        S::RsassaPssSha512 | S::RsassaPkcs1V15Sha512 | S::EcdsaSha512 => Sha512::digest(message).to_vec(),
        S::Sm2dsa | S::MlDsaShake256 | S::Ed25519Sha512 | S::Ed25519PhSha512 => return Err(Error::Crypto),
    })
}
