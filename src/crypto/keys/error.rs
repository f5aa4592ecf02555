//! What can go wrong with a key of another kind than `SYMMETRIC_DEFAULT`:
//! requests the key cannot serve (the KMS layer turns these into AWS's
//! errors), and [`Error::Crypto`], one opaque failure for every
//! cryptographic check.

use super::spec::{EncryptionAlgorithm, KeySpec, MessageType, SigningAlgorithm};

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The operation or algorithm does not exist for this key spec.
    #[error("the operation is not valid for key spec `{0}`")]
    NotForSpec(KeySpec),
    /// A signing algorithm the key spec does not support.
    #[error("`{algorithm}` is incompatible with key spec `{spec}`")]
    SigningAlgorithm { algorithm: SigningAlgorithm, spec: KeySpec },
    /// An encryption algorithm the key spec does not support.
    #[error("`{algorithm}` is incompatible with key spec `{spec}`")]
    EncryptionAlgorithm {
        algorithm: EncryptionAlgorithm,
        spec: KeySpec,
    },
    /// A message type the signing algorithm does not accept.
    #[error("message type `{message_type}` is not valid with `{algorithm}`")]
    MessageType {
        algorithm: SigningAlgorithm,
        message_type: MessageType,
    },
    /// A DIGEST or EXTERNAL_MU message of the wrong length.
    #[error("digest is invalid length for algorithm `{0}`")]
    DigestLength(SigningAlgorithm),
    /// More plaintext than the algorithm and key spec can encrypt.
    #[error("algorithm `{algorithm}` and key spec `{spec}` cannot encrypt data larger than {max} bytes")]
    PlaintextTooLarge {
        algorithm: EncryptionAlgorithm,
        spec: KeySpec,
        max: usize,
    },
    /// A public key that is not DER SubjectPublicKeyInfo on the key's curve.
    #[error("the public key is not a valid key for key spec `{0}`")]
    InvalidPublicKey(KeySpec),
    /// Stored private key material that does not decode for its spec.
    #[error("the stored key material is not valid for key spec `{0}`")]
    InvalidKeyMaterial(KeySpec),
    /// A signature, MAC or ciphertext that does not verify or decrypt. It
    /// never says which check failed.
    #[error("the cryptographic operation failed")]
    Crypto,
}
