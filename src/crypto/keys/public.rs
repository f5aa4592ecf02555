//! [`PublicKey`]: the public half of an asymmetric key, as DER
//! SubjectPublicKeyInfo (RFC 5280, what `GetPublicKey` returns) and parsed,
//! with the operations that need only it (Verify, Encrypt, Encapsulate).

use pkcs8::DecodePublicKey;
use zeroize::Zeroizing;

use super::ecc::{k256_curve, p256_curve, p384_curve, p521_curve};
use super::error::Error;
use super::ml_dsa::{ml_dsa_44, ml_dsa_65, ml_dsa_87};
use super::ml_kem::{ml_kem_1024, ml_kem_512, ml_kem_768};
use super::spec::{EncryptionAlgorithm, KeySpec, MessageType, SigningAlgorithm};
use super::{ed25519, rsa, sm2};

#[derive(Clone, Debug)]
pub struct PublicKey {
    spec: KeySpec,
    der: Vec<u8>,
    key: Material,
}

#[derive(Clone, Debug)]
pub(super) enum Material {
    Rsa(Box<::rsa::PublicKey>),
    P256(p256_curve::PublicKey),
    P384(p384_curve::PublicKey),
    P521(p521_curve::PublicKey),
    K256(k256_curve::PublicKey),
    Sm2(sm2::PublicKey),
    Ed25519(Box<ed25519_dalek::VerifyingKey>),
    MlDsa44(Box<ml_dsa_44::VerifyingKey>),
    MlDsa65(Box<ml_dsa_65::VerifyingKey>),
    MlDsa87(Box<ml_dsa_87::VerifyingKey>),
    MlKem512(Box<ml_kem_512::EncapsulationKey>),
    MlKem768(Box<ml_kem_768::EncapsulationKey>),
    MlKem1024(Box<ml_kem_1024::EncapsulationKey>),
}

impl PublicKey {
    /// A public key of `spec` from DER SubjectPublicKeyInfo (for example one
    /// `GetPublicKey` returned, or a peer's).
    pub fn from_der(spec: KeySpec, der: &[u8]) -> Result<PublicKey, Error> {
        use KeySpec as K;
        let invalid = |_| Error::InvalidPublicKey(spec);
        let key = match spec {
            K::Rsa2048 | K::Rsa3072 | K::Rsa4096 => {
                let key = ::rsa::PublicKey::from_public_key_der(der).map_err(invalid)?;
                if Some(::rsa::traits::PublicKeyParts::size(&key)) != spec.rsa_modulus_bytes() {
                    return Err(Error::InvalidPublicKey(spec));
                }
                Material::Rsa(Box::new(key))
            }
            K::EccNistP256 => Material::P256(p256_curve::PublicKey::from_public_key_der(der).map_err(invalid)?),
            K::EccNistP384 => Material::P384(p384_curve::PublicKey::from_public_key_der(der).map_err(invalid)?),
            K::EccNistP521 => Material::P521(p521_curve::PublicKey::from_public_key_der(der).map_err(invalid)?),
            K::EccSecgP256k1 => Material::K256(k256_curve::PublicKey::from_public_key_der(der).map_err(invalid)?),
            K::Sm2 => Material::Sm2(sm2::PublicKey::from_public_key_der(der).map_err(invalid)?),
            K::EccNistEdwards25519 => Material::Ed25519(Box::new(
                ed25519_dalek::VerifyingKey::from_public_key_der(der).map_err(invalid)?,
            )),
            K::MlDsa44 => Material::MlDsa44(Box::new(ml_dsa_44::public_key(spec, der)?)),
            K::MlDsa65 => Material::MlDsa65(Box::new(ml_dsa_65::public_key(spec, der)?)),
            K::MlDsa87 => Material::MlDsa87(Box::new(ml_dsa_87::public_key(spec, der)?)),
            K::MlKem512 => Material::MlKem512(Box::new(ml_kem_512::public_key(spec, der)?)),
            K::MlKem768 => Material::MlKem768(Box::new(ml_kem_768::public_key(spec, der)?)),
            K::MlKem1024 => Material::MlKem1024(Box::new(ml_kem_1024::public_key(spec, der)?)),
            K::SymmetricDefault | K::Hmac224 | K::Hmac256 | K::Hmac384 | K::Hmac512 => {
                return Err(Error::NotForSpec(spec))
            }
        };
        Ok(PublicKey {
            spec,
            der: der.to_vec(),
            key,
        })
    }

    /// From a private key's own public half, already encoded.
    pub(super) fn trusted(spec: KeySpec, der: Vec<u8>) -> PublicKey {
        // The encoding came from the crate that parses it back; should it
        // ever not, an empty key is refused by every operation below.
        PublicKey::from_der(spec, &der).unwrap_or_else(|_| PublicKey {
            spec,
            der: Vec::new(),
            key: Material::Rsa(Box::new(::rsa::PublicKey::new_unchecked(
                ::rsa::BoxedUint::zero(),
                ::rsa::BoxedUint::zero(),
            ))),
        })
    }

    pub fn spec(&self) -> KeySpec {
        self.spec
    }

    /// DER SubjectPublicKeyInfo.
    pub fn to_der(&self) -> &[u8] {
        &self.der
    }

    /// `Verify`: `Ok` when `signature` is valid, else the opaque
    /// [`Error::Crypto`] (AWS: `KMSInvalidSignatureException`).
    pub fn verify(
        &self,
        algorithm: SigningAlgorithm,
        message_type: MessageType,
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), Error> {
        if !self.spec.facts().signing.contains(&algorithm) {
            return Err(Error::SigningAlgorithm {
                algorithm,
                spec: self.spec,
            });
        }
        let (a, t, m, s) = (algorithm, message_type, message, signature);
        match &self.key {
            Material::Rsa(k) => rsa::verify(k, a, t, m, s),
            Material::P256(k) => p256_curve::verify(k, a, t, m, s),
            Material::P384(k) => p384_curve::verify(k, a, t, m, s),
            Material::P521(k) => p521_curve::verify(k, a, t, m, s),
            Material::K256(k) => k256_curve::verify(k, a, t, m, s),
            Material::Sm2(k) => sm2::verify(k, a, t, m, s),
            Material::Ed25519(k) => ed25519::verify(k, a, t, m, s),
            Material::MlDsa44(k) => ml_dsa_44::verify(k, a, t, m, s),
            Material::MlDsa65(k) => ml_dsa_65::verify(k, a, t, m, s),
            Material::MlDsa87(k) => ml_dsa_87::verify(k, a, t, m, s),
            Material::MlKem512(_) | Material::MlKem768(_) | Material::MlKem1024(_) => Err(Error::SigningAlgorithm {
                algorithm,
                spec: self.spec,
            }),
        }
    }

    /// `Encrypt` with RSAES-OAEP or SM2PKE, refusing more plaintext than the
    /// algorithm and spec allow (AWS's limits, [`EncryptionAlgorithm::max_plaintext_bytes`]).
    pub fn encrypt(&self, algorithm: EncryptionAlgorithm, plaintext: &[u8]) -> Result<Vec<u8>, Error> {
        let Some(max) = algorithm.max_plaintext_bytes(self.spec) else {
            return Err(Error::EncryptionAlgorithm {
                algorithm,
                spec: self.spec,
            });
        };
        if plaintext.len() > max {
            return Err(Error::PlaintextTooLarge {
                algorithm,
                spec: self.spec,
                max,
            });
        }
        match &self.key {
            Material::Rsa(k) => rsa::encrypt(k, algorithm, plaintext),
            Material::Sm2(k) => sm2::encrypt(k, plaintext),
            _ => Err(Error::EncryptionAlgorithm {
                algorithm,
                spec: self.spec,
            }),
        }
    }

    /// `Encapsulate` (ML-KEM): the ciphertext and the 32-byte shared secret.
    pub fn encapsulate(&self) -> Result<(Vec<u8>, Zeroizing<Vec<u8>>), Error> {
        match &self.key {
            Material::MlKem512(k) => Ok(ml_kem_512::encapsulate(k)),
            Material::MlKem768(k) => Ok(ml_kem_768::encapsulate(k)),
            Material::MlKem1024(k) => Ok(ml_kem_1024::encapsulate(k)),
            _ => Err(Error::NotForSpec(self.spec)),
        }
    }
}
