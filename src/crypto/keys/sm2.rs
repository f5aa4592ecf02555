//! SM2 key pairs (`SM2`, China Regions only): SM2DSA signatures with SM3 and
//! the default distinguishing ID `1234567812345678`, DER-encoded; SM2PKE
//! encryption; ECDH on the SM2 curve returning the raw shared secret.
//!
//! For SM2DSA a DIGEST message is the 32-byte SM3 hash of `Z || M` that the
//! signature scheme signs (AWS, *Offline verification with SM2 key pairs*).
//! SM2PKE ciphertexts are the ASN.1 DER form (GM/T 0009: x, y, the SM3 hash
//! C3 and the masked plaintext C2), the form OpenSSL reads and writes. AWS
//! does not document its own SM2PKE layout: this is a choice, not a copy.

use sm2::dsa::signature::hazmat::{PrehashSigner, PrehashVerifier};
use sm2::dsa::signature::{Signer, Verifier};
use sm2::dsa::{Signature, SigningKey, VerifyingKey};
use sm2::pkcs8::DecodePublicKey;
use sm2::pke::{DecryptingKey, EncryptingKey};
pub(super) use sm2::{PublicKey, SecretKey};
use zeroize::Zeroizing;

use super::error::Error;
use super::message;
use super::rng;
use super::spec::{KeySpec, MessageType, SigningAlgorithm};

/// The distinguishing ID AWS KMS uses for SM2DSA.
pub const DISTINGUISHING_ID: &str = "1234567812345678";

pub(super) fn generate() -> SecretKey {
    <SecretKey as elliptic_curve::Generate>::generate_from_rng(&mut rng::infallible())
}

pub(super) fn sign(
    key: &SecretKey,
    algorithm: SigningAlgorithm,
    message_type: MessageType,
    message: &[u8],
) -> Result<Vec<u8>, Error> {
    message::check(algorithm, message_type, message)?;
    let signer = SigningKey::new(DISTINGUISHING_ID, key).map_err(|_| Error::Crypto)?;
    let signature: Signature = match message_type {
        MessageType::Digest => signer.sign_prehash(message).map_err(|_| Error::Crypto)?,
        _ => signer.try_sign(message).map_err(|_| Error::Crypto)?,
    };
    Ok(signature.to_der().as_bytes().to_vec())
}

pub(super) fn verify(
    key: &PublicKey,
    algorithm: SigningAlgorithm,
    message_type: MessageType,
    message: &[u8],
    signature: &[u8],
) -> Result<(), Error> {
    message::check(algorithm, message_type, message)?;
    let verifier = VerifyingKey::new(DISTINGUISHING_ID, *key).map_err(|_| Error::Crypto)?;
    let signature = Signature::from_der(signature).map_err(|_| Error::Crypto)?;
    let outcome = match message_type {
        MessageType::Digest => verifier.verify_prehash(message, &signature),
        _ => verifier.verify(message, &signature),
    };
    outcome.map_err(|_| Error::Crypto)
}

pub(super) fn encrypt(key: &PublicKey, plaintext: &[u8]) -> Result<Vec<u8>, Error> {
    EncryptingKey::new(*key)
        .encrypt_der(&mut rng::fallible(), plaintext)
        .map_err(|_| Error::Crypto)
}

pub(super) fn decrypt(key: &SecretKey, ciphertext: &[u8]) -> Result<Zeroizing<Vec<u8>>, Error> {
    DecryptingKey::new(key.clone())
        .decrypt_der(ciphertext)
        .map(Zeroizing::new)
        .map_err(|_| Error::Crypto)
}

pub(super) fn derive_shared_secret(key: &SecretKey, peer_spki: &[u8]) -> Result<Zeroizing<Vec<u8>>, Error> {
    let peer = PublicKey::from_public_key_der(peer_spki).map_err(|_| Error::InvalidPublicKey(KeySpec::Sm2))?;
    let shared = key.diffie_hellman(&peer);
    Ok(Zeroizing::new(shared.raw_secret_bytes().to_vec()))
}
