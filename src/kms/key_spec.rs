//! Key specs and usages (§4.2) and the grant operations each kind of key
//! supports (§4.3, §6.3).

use crate::policy::GrantOperation;

/// What a key is for (`KeyUsage`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeyUsage {
    EncryptDecrypt,
    SignVerify,
    GenerateVerifyMac,
    KeyAgreement,
    EncapsulateDecapsulate,
}

/// The key's spec family, as far as authorization cares.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeyKind {
    /// `SYMMETRIC_DEFAULT`: AES-256-GCM, the only kind with an encryption context.
    SymmetricDefault,
    Hmac,
    /// RSA, ECC, Ed25519, ML-DSA, ML-KEM or SM2 key pairs.
    Asymmetric,
}

/// The facts about a key that decide which grants it can carry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct KeyInfo {
    /// The `KeySpec`, such as `SYMMETRIC_DEFAULT` or `RSA_2048`.
    pub spec: &'static str,
    pub kind: KeyKind,
    pub usage: KeyUsage,
}

/// A symmetric encryption key, the kind `CreateKey` makes by default.
impl Default for KeyInfo {
    fn default() -> KeyInfo {
        KeyInfo::SYMMETRIC
    }
}

const SPECS: &[&str] = &[
    "SYMMETRIC_DEFAULT",
    "HMAC_224",
    "HMAC_256",
    "HMAC_384",
    "HMAC_512",
    "RSA_2048",
    "RSA_3072",
    "RSA_4096",
    "ECC_NIST_P256",
    "ECC_NIST_P384",
    "ECC_NIST_P521",
    "ECC_SECG_P256K1",
    "ECC_NIST_EDWARDS25519",
    "ML_DSA_44",
    "ML_DSA_65",
    "ML_DSA_87",
    "ML_KEM_512",
    "ML_KEM_768",
    "ML_KEM_1024",
    "SM2",
];

impl KeyUsage {
    pub const fn as_str(self) -> &'static str {
        match self {
            KeyUsage::EncryptDecrypt => "ENCRYPT_DECRYPT",
            KeyUsage::SignVerify => "SIGN_VERIFY",
            KeyUsage::GenerateVerifyMac => "GENERATE_VERIFY_MAC",
            KeyUsage::KeyAgreement => "KEY_AGREEMENT",
            KeyUsage::EncapsulateDecapsulate => "ENCAPSULATE_DECAPSULATE",
        }
    }
}

impl KeyInfo {
    pub const SYMMETRIC: KeyInfo = KeyInfo {
        spec: "SYMMETRIC_DEFAULT",
        kind: KeyKind::SymmetricDefault,
        usage: KeyUsage::EncryptDecrypt,
    };

    /// From a `KeySpec` and an optional `KeyUsage` (the default for symmetric
    /// and HMAC specs, required for asymmetric ones). `None` when invalid.
    pub fn parse(spec: &str, usage: Option<&str>) -> Option<KeyInfo> {
        let usage = match usage {
            Some("ENCRYPT_DECRYPT") => Some(KeyUsage::EncryptDecrypt),
            Some("SIGN_VERIFY") => Some(KeyUsage::SignVerify),
            Some("GENERATE_VERIFY_MAC") => Some(KeyUsage::GenerateVerifyMac),
            Some("KEY_AGREEMENT") => Some(KeyUsage::KeyAgreement),
            Some("ENCAPSULATE_DECAPSULATE") => Some(KeyUsage::EncapsulateDecapsulate),
            Some(_) => return None,
            None => None,
        };
        let (kind, allowed): (KeyKind, &[KeyUsage]) = match spec {
            "SYMMETRIC_DEFAULT" => (KeyKind::SymmetricDefault, &[KeyUsage::EncryptDecrypt]),
            "HMAC_224" | "HMAC_256" | "HMAC_384" | "HMAC_512" => (KeyKind::Hmac, &[KeyUsage::GenerateVerifyMac]),
            "RSA_2048" | "RSA_3072" | "RSA_4096" => {
                (KeyKind::Asymmetric, &[KeyUsage::EncryptDecrypt, KeyUsage::SignVerify])
            }
            "ECC_NIST_P256" | "ECC_NIST_P384" | "ECC_NIST_P521" => {
                (KeyKind::Asymmetric, &[KeyUsage::SignVerify, KeyUsage::KeyAgreement])
            }
            "ECC_SECG_P256K1" | "ECC_NIST_EDWARDS25519" | "ML_DSA_44" | "ML_DSA_65" | "ML_DSA_87" => {
                (KeyKind::Asymmetric, &[KeyUsage::SignVerify])
            }
            "ML_KEM_512" | "ML_KEM_768" | "ML_KEM_1024" => (KeyKind::Asymmetric, &[KeyUsage::EncapsulateDecapsulate]),
            "SM2" => (
                KeyKind::Asymmetric,
                &[KeyUsage::EncryptDecrypt, KeyUsage::SignVerify, KeyUsage::KeyAgreement],
            ),
            _ => return None,
        };
        let usage = match usage {
            Some(u) if allowed.contains(&u) => u,
            Some(_) => return None,
            None if allowed.len() == 1 => allowed[0],
            None => return None,
        };
        let spec = SPECS.iter().copied().find(|s| *s == spec)?;
        Some(KeyInfo { spec, kind, usage })
    }

    /// Encryption contexts exist only for symmetric encryption keys (§4.3).
    pub fn has_encryption_context(self) -> bool {
        self.kind == KeyKind::SymmetricDefault
    }

    /// Can a grant on this key list `operation` (§6.3)?
    pub fn supports(self, operation: GrantOperation) -> bool {
        use GrantOperation::*;
        match operation {
            DescribeKey | CreateGrant | RetireGrant => true,
            Encrypt | Decrypt | ReEncryptFrom | ReEncryptTo => self.usage == KeyUsage::EncryptDecrypt,
            GenerateDataKey
            | GenerateDataKeyWithoutPlaintext
            | GenerateDataKeyPair
            | GenerateDataKeyPairWithoutPlaintext => self.kind == KeyKind::SymmetricDefault,
            GenerateMac | VerifyMac => self.usage == KeyUsage::GenerateVerifyMac,
            Sign | Verify => self.usage == KeyUsage::SignVerify,
            DeriveSharedSecret => self.usage == KeyUsage::KeyAgreement,
            Encapsulate | Decapsulate => self.usage == KeyUsage::EncapsulateDecapsulate,
            GetPublicKey => self.kind == KeyKind::Asymmetric,
        }
    }
}
