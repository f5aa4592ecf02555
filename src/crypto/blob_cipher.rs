//! The cipher that seals a symmetric encryption key's ciphertext blobs,
//! chosen in this one place: AES-256-GCM under 256-bit material, or SM4-GCM
//! under the 128-bit material of a key in the China Regions. AWS, CreateKey
//! `KeySpec` (<https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateKey.html>):
//! SYMMETRIC_DEFAULT "creates a KMS key with a 256-bit AES-GCM key ... except
//! in China Regions, where it creates a 128-bit symmetric key that uses SM4
//! encryption"; *Supported algorithms*
//! (<https://docs.amazonaws.cn/en_us/kms/latest/developerguide/supported-algorithms.html>):
//! "SM4-128 (China Regions only)".
//!
//! A blob does not name its cipher: the length of the material its header
//! names does, so blobs sealed before SM4 existed open as they did.

use aes_gcm::aead::consts::U12;
use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, AesGcm, Nonce};
use hkdf::Hkdf;
use sha2::Sha256;
use zeroize::Zeroizing;

use super::material::{random_bytes, KeyMaterial};

/// SM4 in GCM with a 96-bit nonce (RFC 8998, section 3.2).
type Sm4Gcm = AesGcm<sm4::Sm4, U12>;

/// The ciphers of a symmetric encryption key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BlobCipher {
    Aes256Gcm,
    Sm4Gcm,
}

impl BlobCipher {
    /// SM4-GCM in a China Region (`cn-north-1`, `cn-northwest-1`),
    /// AES-256-GCM everywhere else.
    pub fn in_region(region: &str) -> BlobCipher {
        if region.starts_with("cn-") {
            BlobCipher::Sm4Gcm
        } else {
            BlobCipher::Aes256Gcm
        }
    }

    /// The length of a key's material, in bytes.
    pub const fn material_bytes(self) -> usize {
        match self {
            BlobCipher::Aes256Gcm => 32,
            BlobCipher::Sm4Gcm => 16,
        }
    }

    /// Fresh material for a key of this cipher.
    pub fn generate_material(self) -> KeyMaterial {
        KeyMaterial::from_secret(random_bytes(self.material_bytes()))
    }

    /// The cipher of material: 16 bytes are SM4 material; anything else
    /// (only 32 bytes are ever sealed under) is AES-256-GCM, as before.
    fn of(material: &KeyMaterial) -> BlobCipher {
        if material.expose().len() == BlobCipher::Sm4Gcm.material_bytes() {
            BlobCipher::Sm4Gcm
        } else {
            BlobCipher::Aes256Gcm
        }
    }
}

/// The keyed cipher of one blob.
pub(super) enum BlobKey {
    Aes(Box<Aes256Gcm>),
    Sm4(Box<Sm4Gcm>),
}

impl BlobKey {
    /// The per-blob key: HKDF-SHA256(ikm = material, salt, info), as long as
    /// the material's cipher takes.
    pub(super) fn derive(material: &KeyMaterial, salt: &[u8; 16], info: &[u8]) -> BlobKey {
        match BlobCipher::of(material) {
            BlobCipher::Aes256Gcm => {
                let key = expand::<32>(material, salt, info);
                BlobKey::Aes(Box::new(Aes256Gcm::new((&*key).into())))
            }
            BlobCipher::Sm4Gcm => {
                let key = expand::<16>(material, salt, info);
                BlobKey::Sm4(Box::new(Sm4Gcm::new((&*key).into())))
            }
        }
    }

    pub(super) fn encrypt(&self, nonce: [u8; 12], payload: Payload<'_, '_>) -> Option<Vec<u8>> {
        let nonce = Nonce::from(nonce);
        match self {
            BlobKey::Aes(c) => c.encrypt(&nonce, payload),
            BlobKey::Sm4(c) => c.encrypt(&nonce, payload),
        }
        .ok()
    }

    pub(super) fn decrypt(&self, nonce: [u8; 12], payload: Payload<'_, '_>) -> Option<Zeroizing<Vec<u8>>> {
        let nonce = Nonce::from(nonce);
        match self {
            BlobKey::Aes(c) => c.decrypt(&nonce, payload),
            BlobKey::Sm4(c) => c.decrypt(&nonce, payload),
        }
        .ok()
        .map(Zeroizing::new)
    }
}

/// `N` bytes of HKDF-SHA256 output (it can produce 8,160; 16 or 32 always
/// succeed).
fn expand<const N: usize>(material: &KeyMaterial, salt: &[u8; 16], info: &[u8]) -> Zeroizing<[u8; N]> {
    let mut key = Zeroizing::new([0u8; N]);
    let _ = Hkdf::<Sha256>::new(Some(salt), material.expose()).expand(info, key.as_mut());
    key
}

#[cfg(test)]
mod tests {
    use aes_gcm::aead::{Aead, KeyInit, Payload};
    use aes_gcm::Nonce;

    use super::Sm4Gcm;

    fn unhex(text: &str) -> Vec<u8> {
        base16ct::mixed::decode_vec(text).unwrap()
    }

    /// RFC 8998, appendix A.1, "SM4-GCM Test Vectors"
    /// (<https://www.rfc-editor.org/rfc/rfc8998#appendix-A.1>); pyca/cryptography
    /// 50 (`algorithms.SM4`, `modes.GCM`) gives the same ciphertext and tag.
    #[test]
    fn sm4_gcm_matches_rfc_8998_appendix_a1() {
        let key = unhex("0123456789ABCDEFFEDCBA9876543210");
        let nonce: [u8; 12] = unhex("00001234567800000000ABCD").try_into().unwrap();
        let aad = unhex("FEEDFACEDEADBEEFFEEDFACEDEADBEEFABADDAD2");
        let plaintext = unhex(concat!(
            "AAAAAAAAAAAAAAAABBBBBBBBBBBBBBBBCCCCCCCCCCCCCCCCDDDDDDDDDDDDDDDD",
            "EEEEEEEEEEEEEEEEFFFFFFFFFFFFFFFFEEEEEEEEEEEEEEEEAAAAAAAAAAAAAAAA",
        ));
        let expected = unhex(concat!(
            "17F399F08C67D5EE19D0DC9969C4BB7D5FD46FD3756489069157B282BB200735",
            "D82710CA5C22F0CCFA7CBF93D496AC15A56834CBCF98C397B4024A2691233B8D",
            "83DE3541E4C2B58177E065A9BF7B62EC",
        ));
        let cipher = Sm4Gcm::new_from_slice(&key).unwrap();
        let nonce = Nonce::from(nonce);
        let sealed = cipher
            .encrypt(
                &nonce,
                Payload {
                    msg: &plaintext,
                    aad: &aad,
                },
            )
            .unwrap();
        assert_eq!(sealed, expected);
        let opened = cipher
            .decrypt(
                &nonce,
                Payload {
                    msg: &sealed,
                    aad: &aad,
                },
            )
            .unwrap();
        assert_eq!(opened, plaintext);
        let mut tampered = sealed;
        tampered[0] ^= 1;
        assert!(cipher
            .decrypt(
                &nonce,
                Payload {
                    msg: &tampered,
                    aad: &aad
                }
            )
            .is_err());
    }
}
