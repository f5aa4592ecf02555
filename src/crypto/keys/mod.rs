//! Every KMS key kind other than `SYMMETRIC_DEFAULT`: RSA, NIST and SECG
//! elliptic curves, Ed25519, SM2, ML-DSA and ML-KEM key pairs
//! ([`PrivateKey`], [`PublicKey`]) and HMAC keys ([`HmacKey`]), with AWS's
//! tables of specs, usages and algorithms as data ([`spec`]).
//!
//! A [`PrivateKey`] is generated for a [`KeySpec`], stored as PKCS#8 DER
//! ([`PrivateKey::to_pkcs8_der`], zeroized) and read back with
//! [`PrivateKey::from_pkcs8_der`]; its [`PublicKey`] is DER
//! SubjectPublicKeyInfo, what `GetPublicKey` returns. Each operation checks
//! the algorithm and message against the spec before any cryptography, then
//! fails with the opaque [`Error::Crypto`] whatever cryptographic check
//! failed. The crates are RustCrypto's, of one generation.

mod ecc;
mod ed25519;
mod error;
mod hmac;
mod message;
mod ml_dsa;
mod ml_kem;
mod pair;
mod public;
mod rng;
mod rsa;
mod sm2;
pub mod spec;
#[cfg(test)]
mod tests;

pub use error::Error;
pub use hmac::HmacKey;
pub use pair::{DataKeyPair, PrivateKey};
pub use public::PublicKey;
pub use sm2::DISTINGUISHING_ID as SM2_DISTINGUISHING_ID;
pub use spec::{
    EncapsulationAlgorithm, EncryptionAlgorithm, KeyAgreementAlgorithm, KeySpec, KeyUsage, MacAlgorithm, MessageType,
    SigningAlgorithm, MAX_MESSAGE_BYTES,
};
