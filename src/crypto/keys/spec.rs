//! AWS KMS's key specs, usages and algorithms as data: which `KeySpec`
//! allows which `KeyUsage` and algorithms, the digest each signing algorithm
//! expects, and how much plaintext each encryption algorithm takes.
//!
//! Sources (the AWS KMS Developer Guide and the API model):
//! - enum values: `kms-service-2.json` (botocore), shapes `KeySpec`,
//!   `KeyUsageType`, `SigningAlgorithmSpec`, `EncryptionAlgorithmSpec`,
//!   `MacAlgorithmSpec`, `KeyAgreementAlgorithmSpec`,
//!   `EncapsulationAlgorithmSpec`, `MessageType`, `DataKeyPairSpec`;
//! - usages and algorithms per spec: Developer Guide, *Key spec reference*
//!   (`symm-asymm-choose-key-spec`) and *Asymmetric key specs*
//!   (`asymmetric-key-specs`), *HMAC keys* (`hmac`), *ML-DSA keys* (`mldsa`);
//! - message types and digest lengths: API Reference, `Sign` (`MessageType`:
//!   "When the value of MessageType is DIGEST, the length of the Message value
//!   must match the length of hashed messages for the specified signing
//!   algorithm", EXTERNAL_MU is 64 bytes, ED25519_SHA_512 needs RAW and
//!   ED25519_PH_SHA_512 needs DIGEST);
//! - plaintext limits: API Reference, `Encrypt` (RSA_2048 with
//!   RSAES_OAEP_SHA_1 214 bytes, RSAES_OAEP_SHA_256 190; RSA_3072 342/318;
//!   RSA_4096 470/446; SM2PKE 1024).

use std::fmt;
use std::str::FromStr;

/// An AWS enum: its variants, their wire names, and parsing.
macro_rules! aws_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($variant),+ }

        impl $name {
            /// Every value, in the API model's order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The name on the wire, such as `RSA_2048`.
            pub const fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl FromStr for $name {
            type Err = UnknownValue;
            fn from_str(s: &str) -> Result<Self, UnknownValue> {
                match s {
                    $($text => Ok($name::$variant),)+
                    _ => Err(UnknownValue),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

/// A string that is not one of the enum's values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("not a known value")]
pub struct UnknownValue;

aws_enum! {
    /// `KeySpec`: the kind of key material.
    KeySpec {
        Rsa2048 = "RSA_2048",
        Rsa3072 = "RSA_3072",
        Rsa4096 = "RSA_4096",
        EccNistP256 = "ECC_NIST_P256",
        EccNistP384 = "ECC_NIST_P384",
        EccNistP521 = "ECC_NIST_P521",
        EccSecgP256k1 = "ECC_SECG_P256K1",
        SymmetricDefault = "SYMMETRIC_DEFAULT",
        Hmac224 = "HMAC_224",
        Hmac256 = "HMAC_256",
        Hmac384 = "HMAC_384",
        Hmac512 = "HMAC_512",
        Sm2 = "SM2",
        MlDsa44 = "ML_DSA_44",
        MlDsa65 = "ML_DSA_65",
        MlDsa87 = "ML_DSA_87",
        EccNistEdwards25519 = "ECC_NIST_EDWARDS25519",
        MlKem512 = "ML_KEM_512",
        MlKem768 = "ML_KEM_768",
        MlKem1024 = "ML_KEM_1024",
    }
}

aws_enum! {
    /// `KeyUsageType`: what one key is for; each key has exactly one.
    KeyUsage {
        SignVerify = "SIGN_VERIFY",
        EncryptDecrypt = "ENCRYPT_DECRYPT",
        GenerateVerifyMac = "GENERATE_VERIFY_MAC",
        KeyAgreement = "KEY_AGREEMENT",
        EncapsulateDecapsulate = "ENCAPSULATE_DECAPSULATE",
    }
}

aws_enum! {
    /// `SigningAlgorithmSpec`.
    SigningAlgorithm {
        RsassaPssSha256 = "RSASSA_PSS_SHA_256",
        RsassaPssSha384 = "RSASSA_PSS_SHA_384",
        RsassaPssSha512 = "RSASSA_PSS_SHA_512",
        RsassaPkcs1V15Sha256 = "RSASSA_PKCS1_V1_5_SHA_256",
        RsassaPkcs1V15Sha384 = "RSASSA_PKCS1_V1_5_SHA_384",
        RsassaPkcs1V15Sha512 = "RSASSA_PKCS1_V1_5_SHA_512",
        EcdsaSha256 = "ECDSA_SHA_256",
        EcdsaSha384 = "ECDSA_SHA_384",
        EcdsaSha512 = "ECDSA_SHA_512",
        Sm2dsa = "SM2DSA",
        MlDsaShake256 = "ML_DSA_SHAKE_256",
        Ed25519Sha512 = "ED25519_SHA_512",
        Ed25519PhSha512 = "ED25519_PH_SHA_512",
    }
}

aws_enum! {
    /// `EncryptionAlgorithmSpec`.
    EncryptionAlgorithm {
        SymmetricDefault = "SYMMETRIC_DEFAULT",
        RsaesOaepSha1 = "RSAES_OAEP_SHA_1",
        RsaesOaepSha256 = "RSAES_OAEP_SHA_256",
        Sm2pke = "SM2PKE",
    }
}

aws_enum! {
    /// `MacAlgorithmSpec`.
    MacAlgorithm {
        HmacSha224 = "HMAC_SHA_224",
        HmacSha256 = "HMAC_SHA_256",
        HmacSha384 = "HMAC_SHA_384",
        HmacSha512 = "HMAC_SHA_512",
    }
}

aws_enum! {
    /// `KeyAgreementAlgorithmSpec`.
    KeyAgreementAlgorithm { Ecdh = "ECDH" }
}

aws_enum! {
    /// `EncapsulationAlgorithmSpec`.
    EncapsulationAlgorithm { MlKem = "ML_KEM" }
}

aws_enum! {
    /// `MessageType` of `Sign` and `Verify`.
    MessageType {
        Raw = "RAW",
        Digest = "DIGEST",
        ExternalMu = "EXTERNAL_MU",
    }
}

/// The most a `Sign`/`Verify` message, a MAC message or an `Encrypt`
/// plaintext may hold (`PlaintextType`, 1..4096 in the API model).
pub const MAX_MESSAGE_BYTES: usize = 4096;

/// Everything AWS documents about one key spec.
#[derive(Clone, Copy, Debug)]
pub struct SpecFacts {
    /// The usages `CreateKey` accepts; a single one is also the default.
    pub usages: &'static [KeyUsage],
    pub signing: &'static [SigningAlgorithm],
    pub encryption: &'static [EncryptionAlgorithm],
    pub mac: &'static [MacAlgorithm],
    pub key_agreement: &'static [KeyAgreementAlgorithm],
    pub encapsulation: &'static [EncapsulationAlgorithm],
    /// Also a `DataKeyPairSpec` for `GenerateDataKeyPair`.
    pub data_key_pair: bool,
    /// Where AWS offers it.
    pub regions: Regions,
}

/// AWS partitions where a spec exists.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Regions {
    All,
    /// SM2: "China Regions only".
    ChinaOnly,
    /// ML-KEM: "not available in China Regions".
    NotChina,
}

use EncryptionAlgorithm as E;
use KeyUsage as U;
use SigningAlgorithm as S;

const RSA_SIGNING: &[SigningAlgorithm] = &[
    S::RsassaPssSha256,
    S::RsassaPssSha384,
    S::RsassaPssSha512,
    S::RsassaPkcs1V15Sha256,
    S::RsassaPkcs1V15Sha384,
    S::RsassaPkcs1V15Sha512,
];

const NONE: SpecFacts = SpecFacts {
    usages: &[],
    signing: &[],
    encryption: &[],
    mac: &[],
    key_agreement: &[],
    encapsulation: &[],
    data_key_pair: false,
    regions: Regions::All,
};

const fn rsa() -> SpecFacts {
    SpecFacts {
        usages: &[U::EncryptDecrypt, U::SignVerify],
        signing: RSA_SIGNING,
        encryption: &[E::RsaesOaepSha1, E::RsaesOaepSha256],
        data_key_pair: true,
        ..NONE
    }
}

const fn nist(signing: &'static [SigningAlgorithm]) -> SpecFacts {
    SpecFacts {
        usages: &[U::SignVerify, U::KeyAgreement],
        signing,
        key_agreement: &[KeyAgreementAlgorithm::Ecdh],
        data_key_pair: true,
        ..NONE
    }
}

const fn hmac(mac: &'static [MacAlgorithm]) -> SpecFacts {
    SpecFacts {
        usages: &[U::GenerateVerifyMac],
        mac,
        ..NONE
    }
}

const ML_DSA: SpecFacts = SpecFacts {
    usages: &[U::SignVerify],
    signing: &[S::MlDsaShake256],
    ..NONE
};

const ML_KEM: SpecFacts = SpecFacts {
    usages: &[U::EncapsulateDecapsulate],
    encapsulation: &[EncapsulationAlgorithm::MlKem],
    data_key_pair: true,
    regions: Regions::NotChina,
    ..NONE
};

impl KeySpec {
    /// AWS's facts about this spec (the table of the *Key spec reference*).
    pub const fn facts(self) -> SpecFacts {
        match self {
            KeySpec::SymmetricDefault => SpecFacts {
                usages: &[U::EncryptDecrypt],
                encryption: &[E::SymmetricDefault],
                ..NONE
            },
            KeySpec::Rsa2048 | KeySpec::Rsa3072 | KeySpec::Rsa4096 => rsa(),
            KeySpec::EccNistP256 => nist(&[S::EcdsaSha256]),
            KeySpec::EccNistP384 => nist(&[S::EcdsaSha384]),
            KeySpec::EccNistP521 => nist(&[S::EcdsaSha512]),
            KeySpec::EccSecgP256k1 => SpecFacts {
                usages: &[U::SignVerify],
                signing: &[S::EcdsaSha256],
                data_key_pair: true,
                ..NONE
            },
            KeySpec::EccNistEdwards25519 => SpecFacts {
                usages: &[U::SignVerify],
                signing: &[S::Ed25519Sha512, S::Ed25519PhSha512],
                data_key_pair: true,
                ..NONE
            },
            KeySpec::Sm2 => SpecFacts {
                usages: &[U::EncryptDecrypt, U::SignVerify, U::KeyAgreement],
                signing: &[S::Sm2dsa],
                encryption: &[E::Sm2pke],
                key_agreement: &[KeyAgreementAlgorithm::Ecdh],
                data_key_pair: true,
                regions: Regions::ChinaOnly,
                ..NONE
            },
            KeySpec::Hmac224 => hmac(&[MacAlgorithm::HmacSha224]),
            KeySpec::Hmac256 => hmac(&[MacAlgorithm::HmacSha256]),
            KeySpec::Hmac384 => hmac(&[MacAlgorithm::HmacSha384]),
            KeySpec::Hmac512 => hmac(&[MacAlgorithm::HmacSha512]),
            KeySpec::MlDsa44 | KeySpec::MlDsa65 | KeySpec::MlDsa87 => ML_DSA,
            KeySpec::MlKem512 | KeySpec::MlKem768 | KeySpec::MlKem1024 => ML_KEM,
        }
    }

    /// The usage a key of this spec gets when `CreateKey` names none: only
    /// specs with a single usage have one (AWS: "You must specify a KeyUsage
    /// value for all KMS keys except for symmetric encryption keys" is the
    /// documented rule; the KMS layer decides how strictly to apply it).
    pub fn default_usage(self) -> Option<KeyUsage> {
        match self.facts().usages {
            [only] => Some(*only),
            _ => None,
        }
    }

    /// Can a key of this spec have `usage`?
    pub fn allows_usage(self, usage: KeyUsage) -> bool {
        self.facts().usages.contains(&usage)
    }

    /// `GenerateDataKeyPair` accepts it as `KeyPairSpec` (`DataKeyPairSpec`).
    pub fn is_data_key_pair_spec(self) -> bool {
        self.facts().data_key_pair
    }

    /// The algorithms a key of this spec and `usage` reports in
    /// `KeyMetadata`; only the list of its usage is non-empty.
    pub fn signing_algorithms(self, usage: KeyUsage) -> &'static [SigningAlgorithm] {
        if usage == U::SignVerify {
            self.facts().signing
        } else {
            &[]
        }
    }

    pub fn encryption_algorithms(self, usage: KeyUsage) -> &'static [EncryptionAlgorithm] {
        if usage == U::EncryptDecrypt {
            self.facts().encryption
        } else {
            &[]
        }
    }

    pub fn mac_algorithms(self, usage: KeyUsage) -> &'static [MacAlgorithm] {
        if usage == U::GenerateVerifyMac {
            self.facts().mac
        } else {
            &[]
        }
    }

    pub fn key_agreement_algorithms(self, usage: KeyUsage) -> &'static [KeyAgreementAlgorithm] {
        if usage == U::KeyAgreement {
            self.facts().key_agreement
        } else {
            &[]
        }
    }

    pub fn encapsulation_algorithms(self, usage: KeyUsage) -> &'static [EncapsulationAlgorithm] {
        if usage == U::EncapsulateDecapsulate {
            self.facts().encapsulation
        } else {
            &[]
        }
    }

    /// The length in bytes of an HMAC key of this spec (224, 256, 384 or 512
    /// bits, as the spec's name says; *HMAC keys in AWS KMS*).
    pub const fn hmac_key_bytes(self) -> Option<usize> {
        match self {
            KeySpec::Hmac224 => Some(28),
            KeySpec::Hmac256 => Some(32),
            KeySpec::Hmac384 => Some(48),
            KeySpec::Hmac512 => Some(64),
            _ => None,
        }
    }

    /// The modulus length in bytes of an RSA spec.
    pub const fn rsa_modulus_bytes(self) -> Option<usize> {
        match self {
            KeySpec::Rsa2048 => Some(256),
            KeySpec::Rsa3072 => Some(384),
            KeySpec::Rsa4096 => Some(512),
            _ => None,
        }
    }
}

impl SigningAlgorithm {
    /// The message types `Sign` and `Verify` accept with this algorithm.
    pub const fn message_types(self) -> &'static [MessageType] {
        match self {
            S::Ed25519Sha512 => &[MessageType::Raw],
            S::Ed25519PhSha512 => &[MessageType::Digest],
            S::MlDsaShake256 => &[MessageType::Raw, MessageType::ExternalMu],
            _ => &[MessageType::Raw, MessageType::Digest],
        }
    }

    /// How long `Message` must be for `message_type`, when it is fixed: the
    /// hash length for DIGEST (SHA-256 32, SHA-384 48, SHA-512 64, SM3 32)
    /// and 64 bytes for EXTERNAL_MU. `None` for RAW (up to 4096 bytes).
    pub const fn required_message_len(self, message_type: MessageType) -> Option<usize> {
        match message_type {
            MessageType::Raw => None,
            MessageType::ExternalMu => Some(64),
            MessageType::Digest => Some(match self {
                S::RsassaPssSha256 | S::RsassaPkcs1V15Sha256 | S::EcdsaSha256 | S::Sm2dsa => 32,
                S::RsassaPssSha384 | S::RsassaPkcs1V15Sha384 | S::EcdsaSha384 => 48,
                S::RsassaPssSha512
                | S::RsassaPkcs1V15Sha512
                | S::EcdsaSha512
                | S::Ed25519Sha512
                | S::Ed25519PhSha512
                | S::MlDsaShake256 => 64,
            }),
        }
    }
}

impl EncryptionAlgorithm {
    /// The largest plaintext `Encrypt` takes with this algorithm and a key of
    /// `spec`: an RSA modulus of k bytes holds k - 2·hLen - 2 bytes under
    /// OAEP (RFC 8017 §7.1.1), which gives AWS's 214/190, 342/318 and
    /// 470/446; SM2PKE takes 1024 bytes and SYMMETRIC_DEFAULT 4096. `None`
    /// when the algorithm does not apply to the spec.
    pub fn max_plaintext_bytes(self, spec: KeySpec) -> Option<usize> {
        if !spec.facts().encryption.contains(&self) {
            return None;
        }
        match self {
            E::SymmetricDefault => Some(MAX_MESSAGE_BYTES),
            E::Sm2pke => Some(1024),
            E::RsaesOaepSha1 => spec.rsa_modulus_bytes().map(|k| k - 2 * 20 - 2),
            E::RsaesOaepSha256 => spec.rsa_modulus_bytes().map(|k| k - 2 * 32 - 2),
        }
    }
}

impl MacAlgorithm {
    /// The tag length in bytes, the output of the hash function.
    pub const fn mac_bytes(self) -> usize {
        match self {
            MacAlgorithm::HmacSha224 => 28,
            MacAlgorithm::HmacSha256 => 32,
            MacAlgorithm::HmacSha384 => 48,
            MacAlgorithm::HmacSha512 => 64,
        }
    }
}
