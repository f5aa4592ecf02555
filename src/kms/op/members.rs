//! Members the operations on asymmetric and HMAC keys share: the AWS enums
//! (`SigningAlgorithmSpec`, `MessageType`, …) read with the model's
//! constraint error, blob lengths, grant tokens, the algorithm a key's spec
//! allows, and `Recipient` (Nitro Enclaves attestation), which keyward
//! refuses rather than ignores.

use std::str::FromStr;

use serde_json::Value;

use super::decode::camel;
use crate::crypto::keys::{KeySpec, MessageType, SigningAlgorithm};
use crate::kms::error::{ErrorName, KmsError};
use crate::kms::runtime::Key;

/// An enum member: one of `all`, else the model's `enum value set` error.
pub fn enum_value<T: FromStr + Copy + PartialEq + std::fmt::Display>(
    member: &str,
    value: &str,
    all: &[T],
) -> Result<T, KmsError> {
    match value.parse::<T>() {
        Ok(parsed) if all.contains(&parsed) => Ok(parsed),
        _ => {
            let values: Vec<String> = all.iter().map(ToString::to_string).collect();
            Err(KmsError::constraint(
                Some(value),
                &camel(member),
                &format!("satisfy enum value set: [{}]", values.join(", ")),
            ))
        }
    }
}

/// A blob member of `min..=max` bytes.
pub fn blob(member: &str, bytes: &[u8], min: usize, max: usize) -> Result<(), KmsError> {
    if bytes.len() < min {
        let rule = format!("have length greater than or equal to {min}");
        return Err(KmsError::constraint(None, &camel(member), &rule));
    }
    if bytes.len() > max {
        let rule = format!("have length less than or equal to {max}");
        return Err(KmsError::constraint(None, &camel(member), &rule));
    }
    Ok(())
}

/// `Message` and `Plaintext` (`PlaintextType`): 1 to 4096 bytes.
pub fn plaintext(member: &str, bytes: &[u8]) -> Result<(), KmsError> {
    blob(member, bytes, 1, 4096)
}

/// `GrantTokens`: at most 10, each of 1 to 8192 characters.
pub fn grant_tokens(tokens: &[String]) -> Result<(), KmsError> {
    crate::kms::runtime::check_shared_members(&[], tokens)
}

/// `Recipient` is refused: keyward has no Nitro Enclaves attestation.
pub fn no_recipient(recipient: Option<&Value>) -> Result<(), KmsError> {
    match recipient {
        Some(_) => Err(KmsError::new(
            ErrorName::UnsupportedOperationException,
            "keyward has no Nitro Enclaves attestation; remove Recipient",
        )),
        None => Ok(()),
    }
}

/// `Algorithm A is incompatible with key spec S.` (InvalidKeyUsageException).
pub fn incompatible(algorithm: &str, key: &Key) -> KmsError {
    KmsError::new(
        ErrorName::InvalidKeyUsageException,
        format!("Algorithm {algorithm} is incompatible with key spec {}.", key.info.spec),
    )
}

/// The key's spec in the crypto layer's terms.
pub fn spec(key: &Key) -> Result<KeySpec, KmsError> {
    crate::kms::runtime::spec_of(key.info)
}

/// `SigningAlgorithm` and `MessageType` as `Sign` and `Verify` check them
/// before any cryptography: the algorithm must be one of the key spec's
/// (InvalidKeyUsageException), the message type one the algorithm takes,
/// and a DIGEST or EXTERNAL_MU message exactly as long as the algorithm's
/// digest (`Digest is invalid length for algorithm ECDSA_SHA_256.`).
pub fn check_signing(
    key: &Key,
    algorithm: SigningAlgorithm,
    message_type: MessageType,
    message: &[u8],
) -> Result<(), KmsError> {
    if !spec(key)?.facts().signing.contains(&algorithm) {
        return Err(incompatible(algorithm.as_str(), key));
    }
    if !algorithm.message_types().contains(&message_type) {
        return Err(KmsError::new(
            ErrorName::ValidationException,
            format!("MessageType {message_type} is not valid for algorithm {algorithm}."),
        ));
    }
    match algorithm.required_message_len(message_type) {
        Some(len) if len != message.len() => Err(KmsError::new(
            ErrorName::ValidationException,
            format!("Digest is invalid length for algorithm {algorithm}."),
        )),
        _ => Ok(()),
    }
}
