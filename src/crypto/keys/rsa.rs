//! RSA key pairs (`RSA_2048/3072/4096`): RSASSA-PSS (salt as long as the
//! hash) and RSASSA-PKCS1-v1_5 signatures over SHA-256/384/512, and
//! RSAES-OAEP encryption with SHA-1 or SHA-256 for both the hash and MGF1 and
//! an empty label (AWS KMS, *Asymmetric key specs*).

use rsa::{PrivateKey, PublicKey};
use sha1::Sha1;
use zeroize::Zeroizing;

use super::error::Error;
use super::message;
use super::rng;
use super::spec::{EncryptionAlgorithm, KeySpec, MessageType, SigningAlgorithm};
use sha2::{Sha256, Sha384, Sha512};

/// A fresh key with public exponent 65537. Slow (seconds for 4096 bits):
/// callers on an async runtime run it on a blocking thread.
pub(super) fn generate(spec: KeySpec) -> Result<PrivateKey, Error> {
    let bits = spec.rsa_modulus_bytes().ok_or(Error::NotForSpec(spec))? * 8;
    PrivateKey::new(&mut rng::fallible(), bits).map_err(|_| Error::Crypto)
}

pub(super) fn sign(
    key: &PrivateKey,
    algorithm: SigningAlgorithm,
    message_type: MessageType,
    message: &[u8],
) -> Result<Vec<u8>, Error> {
    use SigningAlgorithm as S;
    let digest = message::sha2_digest(algorithm, message_type, message)?;
    let mut rng = rng::fallible();
    let signature = match algorithm {
        S::RsassaPssSha256 => key.pss_sign_prehash_with_rng::<Sha256, _>(&mut rng, &digest),
        S::RsassaPssSha384 => key.pss_sign_prehash_with_rng::<Sha384, _>(&mut rng, &digest),
        S::RsassaPssSha512 => key.pss_sign_prehash_with_rng::<Sha512, _>(&mut rng, &digest),
        S::RsassaPkcs1V15Sha256 => key.pkcs1v15_sign_prehash_with_rng::<Sha256, _>(&mut rng, &digest),
        S::RsassaPkcs1V15Sha384 => key.pkcs1v15_sign_prehash_with_rng::<Sha384, _>(&mut rng, &digest),
        S::RsassaPkcs1V15Sha512 => key.pkcs1v15_sign_prehash_with_rng::<Sha512, _>(&mut rng, &digest),
        _ => return Err(Error::Crypto),
    };
    signature.map_err(|_| Error::Crypto)
}

pub(super) fn verify(
    key: &PublicKey,
    algorithm: SigningAlgorithm,
    message_type: MessageType,
    message: &[u8],
    signature: &[u8],
) -> Result<(), Error> {
    use SigningAlgorithm as S;
    let digest = message::sha2_digest(algorithm, message_type, message)?;
    let outcome = match algorithm {
        S::RsassaPssSha256 => key.pss_verify_prehash::<Sha256>(&digest, signature),
        S::RsassaPssSha384 => key.pss_verify_prehash::<Sha384>(&digest, signature),
        S::RsassaPssSha512 => key.pss_verify_prehash::<Sha512>(&digest, signature),
        S::RsassaPkcs1V15Sha256 => key.pkcs1v15_verify_prehash::<Sha256>(&digest, signature),
        S::RsassaPkcs1V15Sha384 => key.pkcs1v15_verify_prehash::<Sha384>(&digest, signature),
        S::RsassaPkcs1V15Sha512 => key.pkcs1v15_verify_prehash::<Sha512>(&digest, signature),
        _ => return Err(Error::Crypto),
    };
    outcome.map_err(|_| Error::Crypto)
}

pub(super) fn encrypt(key: &PublicKey, algorithm: EncryptionAlgorithm, plaintext: &[u8]) -> Result<Vec<u8>, Error> {
    let mut rng = rng::fallible();
    let ciphertext = match algorithm {
        EncryptionAlgorithm::RsaesOaepSha1 => key.oaep_encrypt_with_rng::<Sha1, _>(&mut rng, plaintext),
        EncryptionAlgorithm::RsaesOaepSha256 => key.oaep_encrypt_with_rng::<Sha256, _>(&mut rng, plaintext),
        _ => return Err(Error::Crypto),
    };
    ciphertext.map_err(|_| Error::Crypto)
}

pub(super) fn decrypt(
    key: &PrivateKey,
    algorithm: EncryptionAlgorithm,
    ciphertext: &[u8],
) -> Result<Zeroizing<Vec<u8>>, Error> {
    let mut rng = rng::fallible();
    let plaintext = match algorithm {
        EncryptionAlgorithm::RsaesOaepSha1 => key.oaep_decrypt_with_rng::<Sha1, _>(&mut rng, ciphertext),
        EncryptionAlgorithm::RsaesOaepSha256 => key.oaep_decrypt_with_rng::<Sha256, _>(&mut rng, ciphertext),
        _ => return Err(Error::Crypto),
    };
    plaintext.map(Zeroizing::new).map_err(|_| Error::Crypto)
}
