//! The algorithm suites of the AWS Encryption SDK and the commitment policy
//! that decides which of them may be written and read. Source: *Supported
//! algorithm suites in the AWS Encryption SDK*
//! (<https://docs.aws.amazon.com/encryption-sdk/latest/developer-guide/supported-algorithms.html>)
//! and the *Algorithms reference*
//! (<https://docs.aws.amazon.com/encryption-sdk/latest/developer-guide/algorithms-reference.html>).

use std::fmt;
use std::str::FromStr;

/// How the data encryption key is derived from the data key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kdf {
    /// The data key is the encryption key (deprecated suites).
    Identity,
    /// HKDF-SHA256, salt none, info = suite id || message id.
    HkdfSha256,
    /// HKDF-SHA384, salt none, info = suite id || message id.
    HkdfSha384,
    /// HKDF-SHA512, salt = message id, info = suite id || "DERIVEKEY", with
    /// a key commitment from info "COMMITKEY".
    HkdfSha512Commit,
}

/// The curve of a suite that signs its messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Signing {
    EcdsaP256Sha256,
    EcdsaP384Sha384,
}

/// One algorithm suite: AES-GCM with a 12-byte IV and a 16-byte tag, a key
/// derivation, and maybe a signature.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Suite {
    pub id: u16,
    pub name: &'static str,
    /// The data key and the AES key length, in bytes (16, 24 or 32).
    pub key_len: usize,
    pub kdf: Kdf,
    pub signing: Option<Signing>,
}

macro_rules! suites {
    ($($konst:ident = $id:literal, $len:literal, $kdf:ident, $sign:expr;)*) => {
        impl Suite {
            $(pub const $konst: Suite = Suite {
                id: $id,
                name: stringify!($konst),
                key_len: $len,
                kdf: Kdf::$kdf,
                signing: $sign,
            };)*
            /// Every suite, in the order of the reference.
            pub const ALL: &'static [Suite] = &[$(Suite::$konst),*];
        }
    };
}

suites! {
    AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384 = 0x0578, 32, HkdfSha512Commit, Some(Signing::EcdsaP384Sha384);
    AES_256_GCM_HKDF_SHA512_COMMIT_KEY = 0x0478, 32, HkdfSha512Commit, None;
    AES_256_GCM_IV12_TAG16_HKDF_SHA384_ECDSA_P384 = 0x0378, 32, HkdfSha384, Some(Signing::EcdsaP384Sha384);
    AES_192_GCM_IV12_TAG16_HKDF_SHA384_ECDSA_P384 = 0x0346, 24, HkdfSha384, Some(Signing::EcdsaP384Sha384);
    AES_128_GCM_IV12_TAG16_HKDF_SHA256_ECDSA_P256 = 0x0214, 16, HkdfSha256, Some(Signing::EcdsaP256Sha256);
    AES_256_GCM_IV12_TAG16_HKDF_SHA256 = 0x0178, 32, HkdfSha256, None;
    AES_192_GCM_IV12_TAG16_HKDF_SHA256 = 0x0146, 24, HkdfSha256, None;
    AES_128_GCM_IV12_TAG16_HKDF_SHA256 = 0x0114, 16, HkdfSha256, None;
    AES_256_GCM_IV12_TAG16_NO_KDF = 0x0078, 32, Identity, None;
    AES_192_GCM_IV12_TAG16_NO_KDF = 0x0046, 24, Identity, None;
    AES_128_GCM_IV12_TAG16_NO_KDF = 0x0014, 16, Identity, None;
}

impl Suite {
    /// The SDK's default: key commitment and an ECDSA P-384 signature.
    pub const DEFAULT: Suite = Suite::AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384;

    pub fn from_id(id: u16) -> Option<Suite> {
        Suite::ALL.iter().copied().find(|s| s.id == id)
    }

    /// Committing suites are written in message format version 2, the
    /// others in version 1.
    pub fn commits(&self) -> bool {
        self.kdf == Kdf::HkdfSha512Commit
    }

    pub fn message_version(&self) -> u8 {
        if self.commits() {
            2
        } else {
            1
        }
    }

    /// The message id length of the suite's format version.
    pub fn message_id_len(&self) -> usize {
        if self.commits() {
            32
        } else {
            16
        }
    }
}

impl fmt::Display for Suite {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name)
    }
}

impl FromStr for Suite {
    type Err = String;

    /// A suite by its name, as the SDK's CLI spells it (`--algorithm`).
    fn from_str(text: &str) -> Result<Suite, String> {
        Suite::ALL
            .iter()
            .copied()
            .find(|s| s.name.eq_ignore_ascii_case(text))
            .ok_or_else(|| format!("`{text}` is not an algorithm suite of the AWS Encryption SDK"))
    }
}

/// Which suites may be written and read (the SDK's commitment policy).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum CommitmentPolicy {
    /// Write non-committing suites (the 1.x SDKs' messages), read any.
    ForbidEncryptAllowDecrypt,
    /// Write committing suites, read any.
    RequireEncryptAllowDecrypt,
    /// Write and read committing suites only: the SDK's default.
    #[default]
    RequireEncryptRequireDecrypt,
}

impl CommitmentPolicy {
    /// The suite written when none is asked for.
    pub fn default_suite(self) -> Suite {
        match self {
            CommitmentPolicy::ForbidEncryptAllowDecrypt => Suite::AES_256_GCM_IV12_TAG16_HKDF_SHA384_ECDSA_P384,
            _ => Suite::DEFAULT,
        }
    }

    pub fn may_encrypt(self, suite: Suite) -> bool {
        match self {
            CommitmentPolicy::ForbidEncryptAllowDecrypt => !suite.commits(),
            _ => suite.commits(),
        }
    }

    pub fn may_decrypt(self, suite: Suite) -> bool {
        self != CommitmentPolicy::RequireEncryptRequireDecrypt || suite.commits()
    }
}

impl FromStr for CommitmentPolicy {
    type Err = String;

    /// The CLI's spelling (`require-encrypt-require-decrypt`) or the SDK's
    /// (`REQUIRE_ENCRYPT_REQUIRE_DECRYPT`).
    fn from_str(text: &str) -> Result<CommitmentPolicy, String> {
        match text.to_ascii_lowercase().replace('_', "-").as_str() {
            "forbid-encrypt-allow-decrypt" => Ok(CommitmentPolicy::ForbidEncryptAllowDecrypt),
            "require-encrypt-allow-decrypt" => Ok(CommitmentPolicy::RequireEncryptAllowDecrypt),
            "require-encrypt-require-decrypt" => Ok(CommitmentPolicy::RequireEncryptRequireDecrypt),
            _ => Err(format!(
                "`{text}` is not a commitment policy (forbid-encrypt-allow-decrypt, \
                 require-encrypt-allow-decrypt, require-encrypt-require-decrypt)"
            )),
        }
    }
}
