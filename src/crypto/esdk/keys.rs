//! The keys of one message: the AES-GCM key derived from the data key, the
//! key commitment, and the ECDSA key pair of a signing suite. Derivations
//! from the *Algorithms reference*, "Key derivation" and "Key commitment"
//! (<https://docs.aws.amazon.com/encryption-sdk/latest/developer-guide/algorithms-reference.html>).

use std::collections::BTreeMap;

use aes_gcm::aead::consts::U12;
use aes_gcm::aead::inout::InOutBuf;
use aes_gcm::aead::{AeadInOut, KeyInit};
use aes_gcm::aes::Aes192;
use aes_gcm::{Aes128Gcm, Aes256Gcm, AesGcm, Nonce, Tag};
use base64::Engine;
use hkdf::Hkdf;
use sha2::{Digest, Sha256, Sha384, Sha512};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use super::header::{IV_LEN, TAG_LEN};
use super::suite::{Kdf, Signing, Suite};
use super::EsdkError;

/// The encryption context key that carries a signing suite's public key.
pub const PUBLIC_KEY_CONTEXT_KEY: &str = "aws-crypto-public-key";
/// Encryption context keys with this prefix are the SDK's own.
pub const RESERVED_PREFIX: &str = "aws-crypto-";

/// AES-GCM with the suite's key length.
pub(super) enum Cipher {
    Aes128(Box<Aes128Gcm>),
    Aes192(Box<AesGcm<Aes192, U12>>),
    Aes256(Box<Aes256Gcm>),
}

impl Cipher {
    pub(super) fn new(key: &[u8]) -> Result<Cipher, EsdkError> {
        let wrong = |_| EsdkError::WrongDataKey;
        Ok(match key.len() {
            16 => Cipher::Aes128(Box::new(Aes128Gcm::new_from_slice(key).map_err(wrong)?)),
            24 => Cipher::Aes192(Box::new(AesGcm::new_from_slice(key).map_err(wrong)?)),
            32 => Cipher::Aes256(Box::new(Aes256Gcm::new_from_slice(key).map_err(wrong)?)),
            _ => return Err(EsdkError::WrongDataKey),
        })
    }

    /// Seals `data` in place; returns the tag.
    pub fn seal(&self, iv: &[u8; IV_LEN], aad: &[u8], data: &mut [u8]) -> Option<[u8; TAG_LEN]> {
        let nonce = Nonce::<U12>::from(*iv);
        let tag = match self {
            Cipher::Aes128(c) => c.encrypt_inout_detached(&nonce, aad, data.into()),
            Cipher::Aes192(c) => c.encrypt_inout_detached(&nonce, aad, data.into()),
            Cipher::Aes256(c) => c.encrypt_inout_detached(&nonce, aad, data.into()),
        };
        tag.ok().map(Into::into)
    }

    /// Seals `input` into `output` (of the same length); returns the tag.
    pub fn seal_into(&self, iv: &[u8; IV_LEN], aad: &[u8], input: &[u8], output: &mut [u8]) -> Option<[u8; TAG_LEN]> {
        let nonce = Nonce::<U12>::from(*iv);
        let buffer = InOutBuf::new(input, output).ok()?;
        let tag = match self {
            Cipher::Aes128(c) => c.encrypt_inout_detached(&nonce, aad, buffer),
            Cipher::Aes192(c) => c.encrypt_inout_detached(&nonce, aad, buffer),
            Cipher::Aes256(c) => c.encrypt_inout_detached(&nonce, aad, buffer),
        };
        tag.ok().map(Into::into)
    }

    /// Opens `data` in place; false (and `data` unusable) when the tag fails.
    pub fn open(&self, iv: &[u8; IV_LEN], aad: &[u8], data: &mut [u8], tag: &[u8; TAG_LEN]) -> bool {
        let nonce = Nonce::<U12>::from(*iv);
        let tag = Tag::from(*tag);
        match self {
            Cipher::Aes128(c) => c.decrypt_inout_detached(&nonce, aad, data.into(), &tag),
            Cipher::Aes192(c) => c.decrypt_inout_detached(&nonce, aad, data.into(), &tag),
            Cipher::Aes256(c) => c.decrypt_inout_detached(&nonce, aad, data.into(), &tag),
        }
        .is_ok()
    }
}

/// What one data key gives one message.
pub(super) struct MessageKeys {
    pub cipher: Cipher,
    pub commitment: Option<[u8; 32]>,
}

impl MessageKeys {
    pub fn derive(suite: Suite, data_key: &[u8], message_id: &[u8]) -> Result<MessageKeys, EsdkError> {
        if data_key.len() != suite.key_len {
            return Err(EsdkError::WrongDataKey);
        }
        let mut key = Zeroizing::new(vec![0u8; suite.key_len]);
        let id = suite.id.to_be_bytes();
        let info: Vec<u8> = id.iter().chain(message_id).copied().collect();
        // Each output is at most 32 bytes, far within HKDF's limit.
        let mut commitment = None;
        match suite.kdf {
            Kdf::Identity => key.copy_from_slice(data_key),
            Kdf::HkdfSha256 => {
                let _ = Hkdf::<Sha256>::new(None, data_key).expand(&info, &mut key);
            }
            Kdf::HkdfSha384 => {
                let _ = Hkdf::<Sha384>::new(None, data_key).expand(&info, &mut key);
            }
            Kdf::HkdfSha512Commit => {
                let hkdf = Hkdf::<Sha512>::new(Some(message_id), data_key);
                let derive: Vec<u8> = id.iter().chain(b"DERIVEKEY").copied().collect();
                let _ = hkdf.expand(&derive, &mut key);
                let mut commit = [0u8; 32];
                let _ = hkdf.expand(b"COMMITKEY", &mut commit);
                commitment = Some(commit);
            }
        }
        Ok(MessageKeys {
            cipher: Cipher::new(&key)?,
            commitment,
        })
    }

    /// Checks the header's commitment in constant time.
    pub fn check_commitment(&self, stored: Option<&[u8; 32]>) -> Result<(), EsdkError> {
        match (&self.commitment, stored) {
            (None, None) => Ok(()),
            (Some(ours), Some(theirs)) if bool::from(ours.ct_eq(theirs)) => Ok(()),
            _ => Err(EsdkError::WrongDataKey),
        }
    }
}

/// The running digest of a signing suite's message.
#[derive(Clone)]
pub(super) enum Hasher {
    Sha256(Sha256),
    Sha384(Sha384),
}

impl Hasher {
    pub fn new(signing: Signing) -> Hasher {
        match signing {
            Signing::EcdsaP256Sha256 => Hasher::Sha256(Sha256::new()),
            Signing::EcdsaP384Sha384 => Hasher::Sha384(Sha384::new()),
        }
    }

    pub fn update(&mut self, bytes: &[u8]) {
        match self {
            Hasher::Sha256(h) => h.update(bytes),
            Hasher::Sha384(h) => h.update(bytes),
        }
    }

    fn finish(self) -> Vec<u8> {
        match self {
            Hasher::Sha256(h) => h.finalize().to_vec(),
            Hasher::Sha384(h) => h.finalize().to_vec(),
        }
    }
}

/// The private half of a signing suite's key pair, made for one message.
pub enum Signer {
    P256(p256::SecretKey),
    P384(p384::SecretKey),
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Signer([REDACTED])")
    }
}

impl Signer {
    pub fn generate(signing: Signing) -> Signer {
        let mut rng = rand_core::UnwrapErr(getrandom::SysRng);
        match signing {
            Signing::EcdsaP256Sha256 => Signer::P256(<p256::SecretKey as elliptic_curve::Generate>::generate_from_rng(
                &mut rng,
            )),
            Signing::EcdsaP384Sha384 => Signer::P384(<p384::SecretKey as elliptic_curve::Generate>::generate_from_rng(
                &mut rng,
            )),
        }
    }

    /// A known key, from its big-endian private scalar (known-answer tests).
    #[cfg(test)]
    pub(super) fn from_scalar(signing: Signing, scalar: &[u8]) -> Option<Signer> {
        match signing {
            Signing::EcdsaP256Sha256 => p256::SecretKey::from_slice(scalar).ok().map(Signer::P256),
            Signing::EcdsaP384Sha384 => p384::SecretKey::from_slice(scalar).ok().map(Signer::P384),
        }
    }

    /// The public key as the header's context carries it: base64 of the
    /// compressed SEC1 point.
    pub fn public_key(&self) -> String {
        use elliptic_curve::sec1::ToSec1Point;
        let point = match self {
            Signer::P256(k) => k.public_key().to_sec1_point(true).as_bytes().to_vec(),
            Signer::P384(k) => k.public_key().to_sec1_point(true).as_bytes().to_vec(),
        };
        base64::engine::general_purpose::STANDARD.encode(point)
    }

    /// A DER-encoded ECDSA signature over the digest so far.
    pub(super) fn sign(&self, hasher: Hasher) -> Result<Vec<u8>, EsdkError> {
        use ecdsa::signature::hazmat::PrehashSigner;
        let digest = hasher.finish();
        let der = match self {
            Signer::P256(k) => {
                let s: p256::ecdsa::Signature = p256::ecdsa::SigningKey::from(k)
                    .sign_prehash(&digest)
                    .map_err(|_| EsdkError::SignatureInvalid)?;
                s.to_der().as_bytes().to_vec()
            }
            Signer::P384(k) => {
                let s: p384::ecdsa::Signature = p384::ecdsa::SigningKey::from(k)
                    .sign_prehash(&digest)
                    .map_err(|_| EsdkError::SignatureInvalid)?;
                s.to_der().as_bytes().to_vec()
            }
        };
        Ok(der)
    }
}

/// Checks a footer's signature against the public key in `context`.
pub(super) fn verify(
    signing: Signing,
    context: &BTreeMap<String, String>,
    hasher: Hasher,
    signature: &[u8],
) -> Result<(), EsdkError> {
    use ecdsa::signature::hazmat::PrehashVerifier;
    let point = context
        .get(PUBLIC_KEY_CONTEXT_KEY)
        .and_then(|b64| base64::engine::general_purpose::STANDARD.decode(b64).ok())
        .ok_or_else(|| {
            EsdkError::Malformed(format!(
                "a signed message needs `{PUBLIC_KEY_CONTEXT_KEY}` in its context"
            ))
        })?;
    let digest = hasher.finish();
    let ok = match signing {
        Signing::EcdsaP256Sha256 => {
            let key = p256::ecdsa::VerifyingKey::from_sec1_bytes(&point).map_err(|_| EsdkError::SignatureInvalid)?;
            let s = p256::ecdsa::Signature::from_der(signature).map_err(|_| EsdkError::SignatureInvalid)?;
            key.verify_prehash(&digest, &s.normalize_s()).is_ok()
        }
        Signing::EcdsaP384Sha384 => {
            let key = p384::ecdsa::VerifyingKey::from_sec1_bytes(&point).map_err(|_| EsdkError::SignatureInvalid)?;
            let s = p384::ecdsa::Signature::from_der(signature).map_err(|_| EsdkError::SignatureInvalid)?;
            key.verify_prehash(&digest, &s.normalize_s()).is_ok()
        }
    };
    ok.then_some(()).ok_or(EsdkError::SignatureInvalid)
}
