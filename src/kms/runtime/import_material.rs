//! Which unwrapped key material fits which key spec (*Requirements for
//! imported key material*,
//! <https://docs.aws.amazon.com/kms/latest/developerguide/importing-keys-conceptual.html#importing-keys-material-requirements>):
//! 256 bits for a symmetric encryption key, 128 bits (SM4) in the China
//! Regions ([`BlobCipher`]); for an HMAC key, from the hash
//! output's length up to its block size (HMAC_224 28–64 bytes, HMAC_256
//! 32–64, HMAC_384 48–128, HMAC_512 64–128); for an asymmetric key, the
//! private key as PKCS#8 DER (RFC 5208) of the key's spec.

use zeroize::Zeroizing;

use super::key_kinds::spec_of;
use crate::crypto::keys::{KeySpec, PrivateKey};
use crate::crypto::BlobCipher;
use crate::kms::error::{ErrorName, KmsError};
use crate::kms::key_spec::{KeyInfo, KeyKind};

fn incorrect(message: String) -> KmsError {
    KmsError::new(ErrorName::IncorrectKeyMaterialException, message)
}

/// Whether keyward imports material into keys of `info`'s spec: every kind
/// but the post-quantum ones, which AWS does not import either.
pub fn importable(info: KeyInfo) -> bool {
    !info.spec.starts_with("ML_")
}

/// The HMAC key lengths AWS accepts for a spec, in bytes.
fn hmac_lengths(spec: KeySpec) -> Option<std::ops::RangeInclusive<usize>> {
    match spec {
        KeySpec::Hmac224 => Some(28..=64),
        KeySpec::Hmac256 => Some(32..=64),
        KeySpec::Hmac384 => Some(48..=128),
        KeySpec::Hmac512 => Some(64..=128),
        _ => None,
    }
}

/// The material as a key in `region` keeps it, or `IncorrectKeyMaterialException`
/// saying what the spec takes. A private key is kept re-encoded, so the
/// same key imported in another PKCS#8 encoding is the same material.
pub fn fit(info: KeyInfo, region: &str, material: &[u8]) -> Result<Zeroizing<Vec<u8>>, KmsError> {
    let spec = spec_of(info)?;
    match info.kind {
        KeyKind::SymmetricDefault => {
            let bytes = BlobCipher::in_region(region).material_bytes();
            if material.len() != bytes {
                return Err(incorrect(format!(
                    "Symmetric encryption key material in {region} must be {bytes} bytes ({} bits), not {}.",
                    bytes * 8,
                    material.len()
                )));
            }
            Ok(Zeroizing::new(material.to_vec()))
        }
        KeyKind::Hmac => {
            let lengths = hmac_lengths(spec).ok_or_else(|| incorrect(format!("{spec} takes no HMAC key.")))?;
            if !lengths.contains(&material.len()) {
                return Err(incorrect(format!(
                    "{} key material must be {} to {} bytes, not {}.",
                    info.spec,
                    lengths.start(),
                    lengths.end(),
                    material.len()
                )));
            }
            Ok(Zeroizing::new(material.to_vec()))
        }
        KeyKind::Asymmetric => {
            let key = PrivateKey::from_pkcs8_der(spec, material).map_err(|_| {
                incorrect(format!(
                    "The key material is not a {} private key in PKCS#8 DER (convert a PEM key with `openssl pkcs8 -topk8 -nocrypt -outform DER`).",
                    info.spec
                ))
            })?;
            key.to_pkcs8_der()
                .map_err(|_| incorrect(format!("The {} private key cannot be encoded again.", info.spec)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(spec: &str) -> KeyInfo {
        let usage = match spec {
            "HMAC_256" | "HMAC_512" => "GENERATE_VERIFY_MAC",
            _ => "SIGN_VERIFY",
        };
        KeyInfo::parse(spec, Some(usage)).unwrap()
    }

    #[test]
    fn hmac_material_is_taken_from_the_hash_length_to_the_block_size() {
        let hmac_256 = info("HMAC_256");
        assert!(fit(hmac_256, "us-east-1", &[1; 31]).is_err());
        assert!(fit(hmac_256, "us-east-1", &[1; 32]).is_ok());
        assert!(fit(hmac_256, "us-east-1", &[1; 64]).is_ok());
        assert_eq!(
            fit(hmac_256, "us-east-1", &[1; 65]).unwrap_err().name,
            ErrorName::IncorrectKeyMaterialException
        );
        assert!(fit(info("HMAC_512"), "us-east-1", &[1; 128]).is_ok());
    }

    #[test]
    fn asymmetric_material_is_a_private_key_of_the_spec_in_pkcs8_der() {
        let p256 = PrivateKey::generate(KeySpec::EccNistP256).unwrap();
        let der = p256.to_pkcs8_der().unwrap();
        assert_eq!(
            fit(info("ECC_NIST_P256"), "us-east-1", &der).unwrap().as_slice(),
            der.as_slice()
        );
        assert!(fit(info("ECC_NIST_P384"), "us-east-1", &der).is_err());
        assert!(fit(info("ECC_NIST_P256"), "us-east-1", &der[..der.len() - 1]).is_err());
        assert!(!importable(info("ML_DSA_44")));
    }

    /// *Requirements for imported key material*: 256-bit symmetric material,
    /// 128-bit (SM4) in the China Regions.
    #[test]
    fn symmetric_material_is_32_bytes_but_16_in_the_china_regions() {
        let symmetric = KeyInfo::SYMMETRIC;
        assert!(fit(symmetric, "us-east-1", &[1; 32]).is_ok());
        assert!(fit(symmetric, "us-east-1", &[1; 16]).is_err());
        assert!(fit(symmetric, "cn-northwest-1", &[1; 16]).is_ok());
        let refused = fit(symmetric, "cn-north-1", &[1; 32]).unwrap_err();
        assert_eq!(refused.name, ErrorName::IncorrectKeyMaterialException);
        assert!(refused.message.contains("16 bytes (128 bits)"), "{}", refused.message);
    }
}
