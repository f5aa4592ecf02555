//! Wrapping key material for `ImportKeyMaterial`, as AWS KMS specifies it
//! (<https://docs.aws.amazon.com/kms/latest/developerguide/importing-keys-encrypt-key-material.html>):
//!
//! - `RSAES_OAEP_SHA_1`, `RSAES_OAEP_SHA_256`: the material encrypted under
//!   the RSA wrapping key with OAEP (MGF1 with the same hash, empty label);
//! - `RSA_AES_KEY_WRAP_SHA_1`, `RSA_AES_KEY_WRAP_SHA_256`: a fresh 256-bit AES
//!   key encrypted with RSAES-OAEP, followed by the material wrapped under it
//!   with AES Key Wrap with Padding (RFC 5649, RustCrypto `aes-kw`);
//! - `SM2PKE`: the material encrypted under the SM2 wrapping key.
//!
//! [`wrap`] is what a client does (the CLI's `import-wrap`, the tests);
//! [`unwrap`] what KMS does. Failures are one opaque error.

use zeroize::Zeroizing;

use super::keys::{EncryptionAlgorithm, Error, PrivateKey, PublicKey};

/// `AlgorithmSpec`, the wrapping algorithms keyward takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WrappingAlgorithm {
    RsaesOaepSha1,
    RsaesOaepSha256,
    RsaAesKeyWrapSha1,
    RsaAesKeyWrapSha256,
    Sm2pke,
}

impl WrappingAlgorithm {
    pub const ALL: [WrappingAlgorithm; 5] = [
        WrappingAlgorithm::RsaesOaepSha1,
        WrappingAlgorithm::RsaesOaepSha256,
        WrappingAlgorithm::RsaAesKeyWrapSha1,
        WrappingAlgorithm::RsaAesKeyWrapSha256,
        WrappingAlgorithm::Sm2pke,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            WrappingAlgorithm::RsaesOaepSha1 => "RSAES_OAEP_SHA_1",
            WrappingAlgorithm::RsaesOaepSha256 => "RSAES_OAEP_SHA_256",
            WrappingAlgorithm::RsaAesKeyWrapSha1 => "RSA_AES_KEY_WRAP_SHA_1",
            WrappingAlgorithm::RsaAesKeyWrapSha256 => "RSA_AES_KEY_WRAP_SHA_256",
            WrappingAlgorithm::Sm2pke => "SM2PKE",
        }
    }

    pub fn parse(text: &str) -> Option<WrappingAlgorithm> {
        Self::ALL.into_iter().find(|a| a.as_str() == text)
    }

    /// The public-key encryption it starts with.
    fn public_key_algorithm(self) -> EncryptionAlgorithm {
        match self {
            WrappingAlgorithm::RsaesOaepSha1 | WrappingAlgorithm::RsaAesKeyWrapSha1 => {
                EncryptionAlgorithm::RsaesOaepSha1
            }
            WrappingAlgorithm::RsaesOaepSha256 | WrappingAlgorithm::RsaAesKeyWrapSha256 => {
                EncryptionAlgorithm::RsaesOaepSha256
            }
            WrappingAlgorithm::Sm2pke => EncryptionAlgorithm::Sm2pke,
        }
    }

    fn wraps_with_aes(self) -> bool {
        matches!(
            self,
            WrappingAlgorithm::RsaAesKeyWrapSha1 | WrappingAlgorithm::RsaAesKeyWrapSha256
        )
    }
}

/// Wraps `material` under the wrapping public key.
pub fn wrap(public: &PublicKey, algorithm: WrappingAlgorithm, material: &[u8]) -> Result<Vec<u8>, Error> {
    if !algorithm.wraps_with_aes() {
        return public.encrypt(algorithm.public_key_algorithm(), material);
    }
    let aes_key = super::random_bytes(32);
    let mut wrapped = public.encrypt(algorithm.public_key_algorithm(), &aes_key)?;
    let sealed = kwp_wrap(&aes_key, material)?;
    wrapped.extend_from_slice(&sealed);
    Ok(wrapped)
}

/// Unwraps key material with the wrapping private key.
pub fn unwrap(private: &PrivateKey, algorithm: WrappingAlgorithm, wrapped: &[u8]) -> Result<Zeroizing<Vec<u8>>, Error> {
    if !algorithm.wraps_with_aes() {
        return private.decrypt(algorithm.public_key_algorithm(), wrapped);
    }
    // The RSA part is as long as the modulus.
    let modulus = private.spec().rsa_modulus_bytes().ok_or(Error::Crypto)?;
    if wrapped.len() <= modulus {
        return Err(Error::Crypto);
    }
    let (encrypted_key, sealed) = wrapped.split_at(modulus);
    let aes_key = private.decrypt(algorithm.public_key_algorithm(), encrypted_key)?;
    kwp_unwrap(&aes_key, sealed)
}

/// AES Key Wrap with Padding (RFC 5649) under a 256-bit key.
pub fn kwp_wrap(key: &[u8], data: &[u8]) -> Result<Vec<u8>, Error> {
    use aes_kw::KeyInit;
    let kek = aes_kw::KwpAes256::new_from_slice(key).map_err(|_| Error::Crypto)?;
    let mut out = vec![0u8; data.len().div_ceil(8) * 8 + aes_kw::IV_LEN];
    let len = kek.wrap_key(data, &mut out).map_err(|_| Error::Crypto)?.len();
    out.truncate(len);
    Ok(out)
}

/// The inverse of [`kwp_wrap`]; any change to the wrapped bytes fails.
pub fn kwp_unwrap(key: &[u8], wrapped: &[u8]) -> Result<Zeroizing<Vec<u8>>, Error> {
    use aes_kw::KeyInit;
    let kek = aes_kw::KwpAes256::new_from_slice(key).map_err(|_| Error::Crypto)?;
    let mut out = Zeroizing::new(vec![0u8; wrapped.len().saturating_sub(aes_kw::IV_LEN)]);
    let len = kek.unwrap_key(wrapped, &mut out).map_err(|_| Error::Crypto)?.len();
    out.truncate(len);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::keys::KeySpec;

    // RFC 5649 section 6, the 20-octet example under its 192-bit KEK: the
    // crate's KWP, which `kwp_wrap` uses with AES-256.
    #[test]
    fn aes_key_wrap_with_padding_matches_rfc_5649() {
        use aes_kw::KeyInit;
        let kek = aes_kw::KwpAes192::new_from_slice(&[
            0x58, 0x40, 0xdf, 0x6e, 0x29, 0xb0, 0x2a, 0xf1, 0xab, 0x49, 0x3b, 0x70, 0x5b, 0xf1, 0x6e, 0xa1, 0xae, 0x83,
            0x38, 0xf4, 0xdc, 0xc1, 0x76, 0xa8,
        ])
        .unwrap();
        let key: [u8; 20] = [
            0xc3, 0x7b, 0x7e, 0x64, 0x92, 0x58, 0x43, 0x40, 0xbe, 0xd1, 0x22, 0x07, 0x80, 0x89, 0x41, 0x15, 0x50, 0x68,
            0xf7, 0x38,
        ];
        let mut out = [0u8; 32];
        let wrapped = kek.wrap_key(&key, &mut out).unwrap();
        let expected: [u8; 32] = [
            0x13, 0x8b, 0xde, 0xaa, 0x9b, 0x8f, 0xa7, 0xfc, 0x61, 0xf9, 0x77, 0x42, 0xe7, 0x22, 0x48, 0xee, 0x5a, 0xe6,
            0xae, 0x53, 0x60, 0xd1, 0xae, 0x6a, 0x5f, 0x54, 0xf3, 0x73, 0xfa, 0x54, 0x3b, 0x6a,
        ];
        assert_eq!(wrapped, expected);
        let sealed = kwp_wrap(&[1u8; 32], &key).unwrap();
        assert_eq!(kwp_unwrap(&[1u8; 32], &sealed).unwrap().as_slice(), key);
    }

    #[test]
    fn every_rsa_wrapping_algorithm_round_trips_and_a_flipped_bit_fails() {
        let private = PrivateKey::generate(KeySpec::Rsa2048).unwrap();
        let public = private.public_key();
        let material = [7u8; 32];
        for algorithm in &WrappingAlgorithm::ALL[..4] {
            let mut wrapped = wrap(&public, *algorithm, &material).unwrap();
            assert_eq!(
                unwrap(&private, *algorithm, &wrapped).unwrap().as_slice(),
                material,
                "{algorithm:?}"
            );
            let last = wrapped.len() - 1;
            wrapped[last] ^= 1;
            assert!(unwrap(&private, *algorithm, &wrapped).is_err(), "{algorithm:?}");
        }
        // The two hashes do not open each other's wrapping.
        let wrapped = wrap(&public, WrappingAlgorithm::RsaesOaepSha1, &material).unwrap();
        assert!(unwrap(&private, WrappingAlgorithm::RsaesOaepSha256, &wrapped).is_err());
    }
}
