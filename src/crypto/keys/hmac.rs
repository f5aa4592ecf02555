//! HMAC keys (`HMAC_224/256/384/512`): RFC 2104 HMAC with the SHA-2 function
//! the spec names, a key as long as the hash output (AWS, *HMAC keys in AWS
//! KMS*), the tag as long as the hash output. Tags are compared in constant
//! time.

use std::fmt;

use zeroize::Zeroizing;

use super::error::Error;
use super::spec::{KeySpec, MacAlgorithm};
use hmac::{Hmac, KeyInit, Mac};
use sha2::{Sha224, Sha256, Sha384, Sha512};

/// The secret of an HMAC key, zeroized on drop and never printed.
#[derive(Clone)]
pub struct HmacKey {
    spec: KeySpec,
    secret: Zeroizing<Vec<u8>>,
}

impl HmacKey {
    /// Fresh random key material for an HMAC spec.
    pub fn generate(spec: KeySpec) -> Result<HmacKey, Error> {
        let len = spec.hmac_key_bytes().ok_or(Error::NotForSpec(spec))?;
        Ok(HmacKey {
            spec,
            secret: crate::crypto::random_bytes(len),
        })
    }

    /// Key material read back from storage (or imported): any length HMAC
    /// accepts; AWS's own keys are as long as the hash output.
    pub fn from_bytes(spec: KeySpec, secret: &[u8]) -> Result<HmacKey, Error> {
        if spec.hmac_key_bytes().is_none() || secret.is_empty() {
            return Err(Error::InvalidKeyMaterial(spec));
        }
        Ok(HmacKey {
            spec,
            secret: Zeroizing::new(secret.to_vec()),
        })
    }

    pub fn spec(&self) -> KeySpec {
        self.spec
    }

    /// The secret, for a store to wrap under its root key before writing.
    pub fn expose_for_wrapping(&self) -> Zeroizing<Vec<u8>> {
        self.secret.clone()
    }

    /// `GenerateMac`: the tag of `message` under `algorithm`, which must be
    /// the spec's own.
    pub fn mac(&self, algorithm: MacAlgorithm, message: &[u8]) -> Result<Vec<u8>, Error> {
        if !self.spec.facts().mac.contains(&algorithm) {
            return Err(Error::NotForSpec(self.spec));
        }
        fn tag<M: Mac + KeyInit>(key: &[u8], message: &[u8]) -> Result<Vec<u8>, Error> {
            let mut mac = <M as KeyInit>::new_from_slice(key).map_err(|_| Error::Crypto)?;
            mac.update(message);
            Ok(mac.finalize().into_bytes().to_vec())
        }
        match algorithm {
            MacAlgorithm::HmacSha224 => tag::<Hmac<Sha224>>(&self.secret, message),
            MacAlgorithm::HmacSha256 => tag::<Hmac<Sha256>>(&self.secret, message),
            MacAlgorithm::HmacSha384 => tag::<Hmac<Sha384>>(&self.secret, message),
            MacAlgorithm::HmacSha512 => tag::<Hmac<Sha512>>(&self.secret, message),
        }
    }

    /// `VerifyMac`: `Ok` when `mac` is the tag of `message`, else the opaque
    /// [`Error::Crypto`] (AWS: `KMSInvalidMacException`).
    pub fn verify(&self, algorithm: MacAlgorithm, message: &[u8], mac: &[u8]) -> Result<(), Error> {
        let expected = self.mac(algorithm, message)?;
        if subtle::ConstantTimeEq::ct_eq(expected.as_slice(), mac).into() {
            Ok(())
        } else {
            Err(Error::Crypto)
        }
    }
}

impl fmt::Debug for HmacKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HmacKey({}, [REDACTED])", self.spec)
    }
}
