//! [`PrivateKey`]: the private half of an asymmetric key of any spec, and
//! the operations that need it (Sign, Decrypt, DeriveSharedSecret,
//! Decapsulate); [`DataKeyPair`], what `GenerateDataKeyPair` returns.

use std::fmt;

use pkcs8::{DecodePrivateKey, EncodePrivateKey, EncodePublicKey};
use zeroize::Zeroizing;

use super::ecc::{k256_curve, p256_curve, p384_curve, p521_curve};
use super::error::Error;
use super::ml_dsa::{ml_dsa_44, ml_dsa_65, ml_dsa_87};
use super::ml_kem::{ml_kem_1024, ml_kem_512, ml_kem_768};
use super::public::PublicKey;
use super::spec::{EncryptionAlgorithm, KeyAgreementAlgorithm, KeySpec, MessageType, SigningAlgorithm};
use super::{ecc, ed25519, rsa, sm2};

/// The private key of an asymmetric KMS key. Zeroized on drop (by the
/// crates' own `Drop`), never printed, never serialized except by
/// [`PrivateKey::to_pkcs8_der`].
pub struct PrivateKey {
    spec: KeySpec,
    key: Material,
}

enum Material {
    Rsa(Box<::rsa::PrivateKey>),
    P256(p256_curve::SecretKey),
    P384(p384_curve::SecretKey),
    P521(p521_curve::SecretKey),
    K256(k256_curve::SecretKey),
    Sm2(sm2::SecretKey),
    Ed25519(Box<ed25519_dalek::SigningKey>),
    MlDsa44(Box<ml_dsa_44::SigningKey>),
    MlDsa65(Box<ml_dsa_65::SigningKey>),
    MlDsa87(Box<ml_dsa_87::SigningKey>),
    MlKem512(Box<ml_kem_512::DecapsulationKey>),
    MlKem768(Box<ml_kem_768::DecapsulationKey>),
    MlKem1024(Box<ml_kem_1024::DecapsulationKey>),
}

/// `GenerateDataKeyPair`'s key material: the private key as PKCS#8 DER
/// (`PrivateKeyPlaintext`) and the public key as SubjectPublicKeyInfo DER
/// (`PublicKey`).
pub struct DataKeyPair {
    pub private_key_pkcs8: Zeroizing<Vec<u8>>,
    pub public_key_spki: Vec<u8>,
}

impl fmt::Debug for DataKeyPair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DataKeyPair([REDACTED])")
    }
}

impl PrivateKey {
    /// A fresh key pair of `spec`, which must be asymmetric. RSA takes
    /// seconds: callers on an async runtime run it on a blocking thread.
    pub fn generate(spec: KeySpec) -> Result<PrivateKey, Error> {
        use KeySpec as K;
        let key = match spec {
            K::Rsa2048 | K::Rsa3072 | K::Rsa4096 => Material::Rsa(Box::new(rsa::generate(spec)?)),
            K::EccNistP256 => Material::P256(p256_curve::generate()),
            K::EccNistP384 => Material::P384(p384_curve::generate()),
            K::EccNistP521 => Material::P521(p521_curve::generate()),
            K::EccSecgP256k1 => Material::K256(k256_curve::generate()),
            K::Sm2 => Material::Sm2(sm2::generate()),
            K::EccNistEdwards25519 => Material::Ed25519(Box::new(ed25519::generate())),
            K::MlDsa44 => Material::MlDsa44(ml_dsa_44::generate()),
            K::MlDsa65 => Material::MlDsa65(ml_dsa_65::generate()),
            K::MlDsa87 => Material::MlDsa87(ml_dsa_87::generate()),
            K::MlKem512 => Material::MlKem512(ml_kem_512::generate()),
            K::MlKem768 => Material::MlKem768(ml_kem_768::generate()),
            K::MlKem1024 => Material::MlKem1024(ml_kem_1024::generate()),
            K::SymmetricDefault | K::Hmac224 | K::Hmac256 | K::Hmac384 | K::Hmac512 => {
                return Err(Error::NotForSpec(spec))
            }
        };
        Ok(PrivateKey { spec, key })
    }

    /// `GenerateDataKeyPair`: a fresh pair of a `DataKeyPairSpec`, encoded.
    pub fn generate_data_key_pair(spec: KeySpec) -> Result<DataKeyPair, Error> {
        if !spec.is_data_key_pair_spec() {
            return Err(Error::NotForSpec(spec));
        }
        let key = PrivateKey::generate(spec)?;
        Ok(DataKeyPair {
            private_key_pkcs8: key.to_pkcs8_der()?,
            public_key_spki: key.public_key().to_der().to_vec(),
        })
    }

    pub fn spec(&self) -> KeySpec {
        self.spec
    }

    /// The private key as PKCS#8 DER (RFC 5958), for storage (wrapped under
    /// the store's root key) and for `GenerateDataKeyPair`. ML-DSA and ML-KEM
    /// keys are written in their seed form.
    pub fn to_pkcs8_der(&self) -> Result<Zeroizing<Vec<u8>>, Error> {
        let document = match &self.key {
            Material::Rsa(k) => k.to_pkcs8_der(),
            Material::P256(k) => k.to_pkcs8_der(),
            Material::P384(k) => k.to_pkcs8_der(),
            Material::P521(k) => k.to_pkcs8_der(),
            Material::K256(k) => k.to_pkcs8_der(),
            Material::Sm2(k) => k.to_pkcs8_der(),
            Material::Ed25519(k) => return Ok(ed25519::to_pkcs8_v1(k)),
            Material::MlDsa44(k) => k.to_pkcs8_der(),
            Material::MlDsa65(k) => k.to_pkcs8_der(),
            Material::MlDsa87(k) => k.to_pkcs8_der(),
            Material::MlKem512(k) => k.to_pkcs8_der(),
            Material::MlKem768(k) => k.to_pkcs8_der(),
            Material::MlKem1024(k) => k.to_pkcs8_der(),
        };
        let document = document.map_err(|_| Error::InvalidKeyMaterial(self.spec))?;
        Ok(Zeroizing::new(document.as_bytes().to_vec()))
    }

    /// A key read back from [`PrivateKey::to_pkcs8_der`]'s bytes; also reads
    /// PKCS#8 written by other tools for the same spec (an RSA key must have
    /// the spec's modulus length).
    pub fn from_pkcs8_der(spec: KeySpec, der: &[u8]) -> Result<PrivateKey, Error> {
        use KeySpec as K;
        let invalid = |_| Error::InvalidKeyMaterial(spec);
        let key = match spec {
            K::Rsa2048 | K::Rsa3072 | K::Rsa4096 => {
                let key = ::rsa::PrivateKey::from_pkcs8_der(der).map_err(invalid)?;
                if Some(::rsa::traits::PublicKeyParts::size(&key)) != spec.rsa_modulus_bytes() {
                    return Err(Error::InvalidKeyMaterial(spec));
                }
                Material::Rsa(Box::new(key))
            }
            K::EccNistP256 => Material::P256(p256_curve::SecretKey::from_pkcs8_der(der).map_err(invalid)?),
            K::EccNistP384 => Material::P384(p384_curve::SecretKey::from_pkcs8_der(der).map_err(invalid)?),
            K::EccNistP521 => Material::P521(p521_curve::SecretKey::from_pkcs8_der(der).map_err(invalid)?),
            K::EccSecgP256k1 => Material::K256(k256_curve::SecretKey::from_pkcs8_der(der).map_err(invalid)?),
            K::Sm2 => Material::Sm2(sm2::SecretKey::from_pkcs8_der(der).map_err(invalid)?),
            K::EccNistEdwards25519 => Material::Ed25519(Box::new(
                ed25519_dalek::SigningKey::from_pkcs8_der(der).map_err(invalid)?,
            )),
            K::MlDsa44 => Material::MlDsa44(Box::new(ml_dsa_44::SigningKey::from_pkcs8_der(der).map_err(invalid)?)),
            K::MlDsa65 => Material::MlDsa65(Box::new(ml_dsa_65::SigningKey::from_pkcs8_der(der).map_err(invalid)?)),
            K::MlDsa87 => Material::MlDsa87(Box::new(ml_dsa_87::SigningKey::from_pkcs8_der(der).map_err(invalid)?)),
            K::MlKem512 => Material::MlKem512(Box::new(
                ml_kem_512::DecapsulationKey::from_pkcs8_der(der).map_err(invalid)?,
            )),
            K::MlKem768 => Material::MlKem768(Box::new(
                ml_kem_768::DecapsulationKey::from_pkcs8_der(der).map_err(invalid)?,
            )),
            K::MlKem1024 => Material::MlKem1024(Box::new(
                ml_kem_1024::DecapsulationKey::from_pkcs8_der(der).map_err(invalid)?,
            )),
            K::SymmetricDefault | K::Hmac224 | K::Hmac256 | K::Hmac384 | K::Hmac512 => {
                return Err(Error::NotForSpec(spec))
            }
        };
        Ok(PrivateKey { spec, key })
    }

    /// The public half (`GetPublicKey`).
    pub fn public_key(&self) -> PublicKey {
        let der = match &self.key {
            Material::Rsa(k) => k.to_public_key().to_public_key_der(),
            Material::P256(k) => k.public_key().to_public_key_der(),
            Material::P384(k) => k.public_key().to_public_key_der(),
            Material::P521(k) => k.public_key().to_public_key_der(),
            Material::K256(k) => k.public_key().to_public_key_der(),
            Material::Sm2(k) => k.public_key().to_public_key_der(),
            Material::Ed25519(k) => k.verifying_key().to_public_key_der(),
            Material::MlDsa44(k) => signature::Keypair::verifying_key(k.as_ref()).to_public_key_der(),
            Material::MlDsa65(k) => signature::Keypair::verifying_key(k.as_ref()).to_public_key_der(),
            Material::MlDsa87(k) => signature::Keypair::verifying_key(k.as_ref()).to_public_key_der(),
            Material::MlKem512(k) => k.encapsulation_key().to_public_key_der(),
            Material::MlKem768(k) => k.encapsulation_key().to_public_key_der(),
            Material::MlKem1024(k) => k.encapsulation_key().to_public_key_der(),
        };
        // Every key this type holds encodes: the crates fail only on
        // allocation, which aborts anyway.
        let der = der.map(|d| d.as_bytes().to_vec()).unwrap_or_default();
        PublicKey::trusted(self.spec, der)
    }

    /// `Sign`: the signature of `message` (a RAW message, a DIGEST or an
    /// EXTERNAL_MU, as `message_type` says) under `algorithm`.
    pub fn sign(
        &self,
        algorithm: SigningAlgorithm,
        message_type: MessageType,
        message: &[u8],
    ) -> Result<Vec<u8>, Error> {
        if !self.spec.facts().signing.contains(&algorithm) {
            return Err(Error::SigningAlgorithm {
                algorithm,
                spec: self.spec,
            });
        }
        let (a, t, m) = (algorithm, message_type, message);
        match &self.key {
            Material::Rsa(k) => rsa::sign(k, a, t, m),
            Material::P256(k) => p256_curve::sign(k, a, t, m),
            Material::P384(k) => p384_curve::sign(k, a, t, m),
            Material::P521(k) => p521_curve::sign(k, a, t, m),
            Material::K256(k) => k256_curve::sign(k, a, t, m),
            Material::Sm2(k) => sm2::sign(k, a, t, m),
            Material::Ed25519(k) => ed25519::sign(k, a, t, m),
            Material::MlDsa44(k) => ml_dsa_44::sign(k, a, t, m),
            Material::MlDsa65(k) => ml_dsa_65::sign(k, a, t, m),
            Material::MlDsa87(k) => ml_dsa_87::sign(k, a, t, m),
            Material::MlKem512(_) | Material::MlKem768(_) | Material::MlKem1024(_) => Err(Error::SigningAlgorithm {
                algorithm,
                spec: self.spec,
            }),
        }
    }

    /// `Verify` with the key's own public half.
    pub fn verify(
        &self,
        algorithm: SigningAlgorithm,
        message_type: MessageType,
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), Error> {
        self.public_key().verify(algorithm, message_type, message, signature)
    }

    /// `Encrypt` with the key's own public half.
    pub fn encrypt(&self, algorithm: EncryptionAlgorithm, plaintext: &[u8]) -> Result<Vec<u8>, Error> {
        self.public_key().encrypt(algorithm, plaintext)
    }

    /// `Decrypt`: RSAES-OAEP or SM2PKE. Any failure is [`Error::Crypto`].
    pub fn decrypt(&self, algorithm: EncryptionAlgorithm, ciphertext: &[u8]) -> Result<Zeroizing<Vec<u8>>, Error> {
        if !self.spec.facts().encryption.contains(&algorithm) {
            return Err(Error::EncryptionAlgorithm {
                algorithm,
                spec: self.spec,
            });
        }
        match &self.key {
            Material::Rsa(k) => rsa::decrypt(k, algorithm, ciphertext),
            Material::Sm2(k) => sm2::decrypt(k, ciphertext),
            _ => Err(Error::EncryptionAlgorithm {
                algorithm,
                spec: self.spec,
            }),
        }
    }

    /// `DeriveSharedSecret`: ECDH with a peer's public key given as DER
    /// SubjectPublicKeyInfo on the same curve; the raw shared secret.
    pub fn derive_shared_secret(
        &self,
        algorithm: KeyAgreementAlgorithm,
        peer_public_key: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, Error> {
        if !self.spec.facts().key_agreement.contains(&algorithm) {
            return Err(Error::NotForSpec(self.spec));
        }
        match &self.key {
            Material::P256(k) => ecc::p256_curve::derive_shared_secret(k, self.spec, peer_public_key),
            Material::P384(k) => ecc::p384_curve::derive_shared_secret(k, self.spec, peer_public_key),
            Material::P521(k) => ecc::p521_curve::derive_shared_secret(k, self.spec, peer_public_key),
            Material::K256(k) => ecc::k256_curve::derive_shared_secret(k, self.spec, peer_public_key),
            Material::Sm2(k) => sm2::derive_shared_secret(k, peer_public_key),
            _ => Err(Error::NotForSpec(self.spec)),
        }
    }

    /// `Encapsulate` with the key's own public half.
    pub fn encapsulate(&self) -> Result<(Vec<u8>, Zeroizing<Vec<u8>>), Error> {
        self.public_key().encapsulate()
    }

    /// `Decapsulate`: the shared secret of an ML-KEM ciphertext.
    pub fn decapsulate(&self, ciphertext: &[u8]) -> Result<Zeroizing<Vec<u8>>, Error> {
        match &self.key {
            Material::MlKem512(k) => ml_kem_512::decapsulate(k, ciphertext),
            Material::MlKem768(k) => ml_kem_768::decapsulate(k, ciphertext),
            Material::MlKem1024(k) => ml_kem_1024::decapsulate(k, ciphertext),
            _ => Err(Error::NotForSpec(self.spec)),
        }
    }
}

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PrivateKey({}, [REDACTED])", self.spec)
    }
}
