//! The raw RSA keyring, for offline use: the data key encrypted with an RSA
//! public key the user holds and decrypted with its private key, named by a
//! key namespace and a key name. It interoperates with the SDKs' raw RSA
//! keyrings (`RawMasterKey` with an RSA `WrappingAlgorithm` in Python,
//! `JceMasterKey` in Java). From the *Raw RSA keyring* specification and
//! *Raw RSA keyrings*
//! (<https://docs.aws.amazon.com/encryption-sdk/latest/developer-guide/use-raw-rsa-keyring.html>):
//!
//! ```text
//! provider id   := key namespace
//! provider info := key name
//! ciphertext    := RSA encryption of the data key under the public key, with the keyring's padding
//! ```
//!
//! Nothing in the message says which padding was used: the decrypting
//! keyring must be given the same one. The encryption context plays no part
//! in the wrapping (the header authentication and, in committing suites, the
//! key commitment still bind the data key to the message).

use std::str::FromStr;

use getrandom::SysRng;
use rsa::traits::PublicKeyParts;
use rsa::{PrivateKey, PublicKey};
use sha1::Sha1;
use sha2::{Sha256, Sha384, Sha512};
use zeroize::Zeroizing;

use super::header::EncryptedDataKey;
use super::raw_keyring::{check_names, RawKeyError};
use super::rsa_key;
use super::EsdkError;

/// The five padding schemes of the specification, named as the SDK for
/// Python's `WrappingAlgorithm` names them. OAEP uses the same hash for the
/// label digest and MGF1, and an empty label.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RsaPadding {
    Pkcs1,
    OaepSha1,
    OaepSha256,
    OaepSha384,
    OaepSha512,
}

impl RsaPadding {
    pub const ALL: [RsaPadding; 5] = [
        RsaPadding::Pkcs1,
        RsaPadding::OaepSha1,
        RsaPadding::OaepSha256,
        RsaPadding::OaepSha384,
        RsaPadding::OaepSha512,
    ];

    /// The SDK's name, e.g. `RSA_OAEP_SHA256_MGF1`.
    pub fn name(self) -> &'static str {
        match self {
            RsaPadding::Pkcs1 => "RSA_PKCS1",
            RsaPadding::OaepSha1 => "RSA_OAEP_SHA1_MGF1",
            RsaPadding::OaepSha256 => "RSA_OAEP_SHA256_MGF1",
            RsaPadding::OaepSha384 => "RSA_OAEP_SHA384_MGF1",
            RsaPadding::OaepSha512 => "RSA_OAEP_SHA512_MGF1",
        }
    }

    /// The most bytes this padding encrypts under a modulus of `modulus` bytes
    /// (RFC 8017, sections 7.1.1 and 7.2.1).
    fn max_plaintext(self, modulus: usize) -> usize {
        let hash = match self {
            RsaPadding::Pkcs1 => return modulus.saturating_sub(11),
            RsaPadding::OaepSha1 => 20,
            RsaPadding::OaepSha256 => 32,
            RsaPadding::OaepSha384 => 48,
            RsaPadding::OaepSha512 => 64,
        };
        modulus.saturating_sub(2 * hash + 2)
    }
}

impl std::fmt::Display for RsaPadding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for RsaPadding {
    type Err = String;

    /// The SDK's names, in any case, `-` or `_`.
    fn from_str(s: &str) -> Result<RsaPadding, String> {
        let wanted = s.to_ascii_uppercase().replace('-', "_");
        RsaPadding::ALL.into_iter().find(|p| p.name() == wanted).ok_or_else(|| {
            let names: Vec<_> = RsaPadding::ALL.iter().map(|p| p.name()).collect();
            format!("`{s}` is not an RSA padding; use one of {}", names.join(", "))
        })
    }
}

/// One RSA key and its names: the public key, and the private key when the
/// keyring was made from one. The private key is wiped when dropped and
/// never printed.
pub struct RawRsaKeyring {
    namespace: String,
    name: String,
    padding: RsaPadding,
    public: PublicKey,
    private: Option<Box<PrivateKey>>,
}

impl std::fmt::Debug for RawRsaKeyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "RawRsaKeyring({}/{}, {}, {} bits, private key: {})",
            self.namespace,
            self.name,
            self.padding,
            self.public.size() * 8,
            if self.private.is_some() { "[REDACTED]" } else { "none" }
        )
    }
}

/// The smallest data key of the suites (AES-128): a key too small to wrap
/// it with the chosen padding is refused when the keyring is made. Larger
/// data keys are checked when wrapped.
const SMALLEST_DATA_KEY: usize = 16;

impl RawRsaKeyring {
    /// A keyring from an RSA key file, PEM or DER: a private key (PKCS #8,
    /// passphrase-protected PKCS #8 or PKCS #1) both encrypts and decrypts,
    /// a public key (X.509 or PKCS #1) only encrypts. `passphrase` opens an
    /// encrypted private key.
    pub fn from_key(
        namespace: &str,
        name: &str,
        padding: RsaPadding,
        file: &[u8],
        passphrase: Option<&[u8]>,
    ) -> Result<Self, RawKeyError> {
        check_names(namespace, name)?;
        let (public, private) = rsa_key::read(file, passphrase)?;
        let private = private.map(Box::new);
        if padding.max_plaintext(public.size()) < SMALLEST_DATA_KEY {
            return Err(RawKeyError::RsaKeyTooSmall {
                bits: public.size() * 8,
                padding,
            });
        }
        Ok(RawRsaKeyring {
            namespace: namespace.to_owned(),
            name: name.to_owned(),
            padding,
            public,
            private,
        })
    }

    /// `namespace/name`, as the command line reports it.
    pub fn label(&self) -> String {
        format!("{}/{}", self.namespace, self.name)
    }

    /// Whether the keyring holds the private key, which decryption needs.
    pub fn can_decrypt(&self) -> bool {
        self.private.is_some()
    }

    /// The data key encrypted under the public key.
    pub fn wrap(&self, data_key: &[u8]) -> Result<EncryptedDataKey, EsdkError> {
        let key = &self.public;
        let rng = &mut SysRng;
        let ciphertext = match self.padding {
            RsaPadding::Pkcs1 => key.pkcs1v15_encrypt_with_rng(rng, data_key),
            RsaPadding::OaepSha1 => key.oaep_encrypt_with_rng::<Sha1, _>(rng, data_key),
            RsaPadding::OaepSha256 => key.oaep_encrypt_with_rng::<Sha256, _>(rng, data_key),
            RsaPadding::OaepSha384 => key.oaep_encrypt_with_rng::<Sha384, _>(rng, data_key),
            RsaPadding::OaepSha512 => key.oaep_encrypt_with_rng::<Sha512, _>(rng, data_key),
        }
        .map_err(|_| EsdkError::KeyWrap(self.label()))?;
        Ok(EncryptedDataKey {
            provider_id: self.namespace.clone(),
            provider_info: self.name.as_bytes().to_vec(),
            ciphertext,
        })
    }

    /// Whether `key` names this keyring: its provider id is the namespace
    /// and its provider info the name.
    pub fn is_for(&self, key: &EncryptedDataKey) -> bool {
        key.provider_id == self.namespace && key.provider_info == self.name.as_bytes()
    }

    /// The data key of `key`, if this keyring has the private key and the
    /// padding opens it; `None` otherwise. PKCS #1 v1.5 decryption rejects
    /// implicitly (a wrong key gives random bytes, not an error), so callers
    /// check the result against the message (the key commitment or the
    /// header tag) before they trust it.
    pub fn unwrap(&self, key: &EncryptedDataKey) -> Option<Zeroizing<Vec<u8>>> {
        if !self.is_for(key) {
            return None;
        }
        let private = self.private.as_deref()?;
        let rng = &mut SysRng;
        let sealed = &key.ciphertext;
        match self.padding {
            RsaPadding::Pkcs1 => private.pkcs1v15_decrypt_with_rng(rng, sealed),
            RsaPadding::OaepSha1 => private.oaep_decrypt_with_rng::<Sha1, _>(rng, sealed),
            RsaPadding::OaepSha256 => private.oaep_decrypt_with_rng::<Sha256, _>(rng, sealed),
            RsaPadding::OaepSha384 => private.oaep_decrypt_with_rng::<Sha384, _>(rng, sealed),
            RsaPadding::OaepSha512 => private.oaep_decrypt_with_rng::<Sha512, _>(rng, sealed),
        }
        .ok()
        .map(Zeroizing::new)
    }
}

#[cfg(test)]
mod tests;
