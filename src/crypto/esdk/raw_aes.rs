//! The raw AES keyring, for offline use: the data key wrapped with AES-GCM
//! under a wrapping key the user holds, named by a key namespace and a key
//! name. It interoperates with the SDKs' raw AES keyrings (`RawMasterKey`
//! in Python, `JceMasterKey` in Java). From the *Raw AES keyring*
//! specification and *Raw AES keyrings*
//! (<https://docs.aws.amazon.com/encryption-sdk/latest/developer-guide/use-raw-aes-keyring.html>):
//!
//! ```text
//! provider id   := key namespace
//! provider info := key name | tag length in bits (4) = 128 | IV length (4) = 12 | IV (12)
//! ciphertext    := AES-GCM(wrapping key, IV, AAD = serialized encryption context, data key) | tag (16)
//! ```
//!
//! The IV is random for each data key. The AAD is the whole context of the
//! message (with a signing suite's public key), serialized as in the header.

use std::collections::BTreeMap;

use zeroize::Zeroizing;

use super::header::{serialize_context, EncryptedDataKey, IV_LEN, TAG_LEN};
use super::keys::Cipher;
use super::raw_keyring::{check_names, RawKeyError};
use super::EsdkError;

const TAG_BITS: u32 = 128;

/// One wrapping key and its names. The key is wiped when dropped and never
/// printed.
pub struct RawAesKeyring {
    namespace: String,
    name: String,
    cipher: Cipher,
}

impl std::fmt::Debug for RawAesKeyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RawAesKeyring({}/{}, [REDACTED])", self.namespace, self.name)
    }
}

impl RawAesKeyring {
    pub fn new(namespace: &str, name: &str, key: &[u8]) -> Result<RawAesKeyring, RawKeyError> {
        check_names(namespace, name)?;
        let cipher = Cipher::new(key).map_err(|_| RawKeyError::KeyLength(key.len()))?;
        Ok(RawAesKeyring {
            namespace: namespace.to_owned(),
            name: name.to_owned(),
            cipher,
        })
    }

    /// `namespace/name`, as the command line reports it.
    pub fn label(&self) -> String {
        format!("{}/{}", self.namespace, self.name)
    }

    /// The data key wrapped under this key, bound to `context` (the whole
    /// context of the message).
    pub fn wrap(&self, data_key: &[u8], context: &BTreeMap<String, String>) -> Result<EncryptedDataKey, EsdkError> {
        let aad = serialize_context(context)?;
        let iv: [u8; IV_LEN] = crate::crypto::random_bytes(IV_LEN)[..]
            .try_into()
            .map_err(|_| EsdkError::TooLarge)?;
        let mut ciphertext = data_key.to_vec();
        let tag = self
            .cipher
            .seal(&iv, &aad, &mut ciphertext)
            .ok_or(EsdkError::TooLarge)?;
        ciphertext.extend_from_slice(&tag);
        let mut info = self.name.as_bytes().to_vec();
        info.extend_from_slice(&TAG_BITS.to_be_bytes());
        info.extend_from_slice(&(IV_LEN as u32).to_be_bytes());
        info.extend_from_slice(&iv);
        Ok(EncryptedDataKey {
            provider_id: self.namespace.clone(),
            provider_info: info,
            ciphertext,
        })
    }

    /// The IV of an encrypted data key this keyring made: its namespace and
    /// name match, with a 128-bit tag and a 12-byte IV. `None` for any other.
    fn iv_of(&self, key: &EncryptedDataKey) -> Option<[u8; IV_LEN]> {
        if key.provider_id != self.namespace {
            return None;
        }
        let rest = key.provider_info.strip_prefix(self.name.as_bytes())?;
        if rest.len() != 8 + IV_LEN
            || rest[..4] != TAG_BITS.to_be_bytes()
            || rest[4..8] != (IV_LEN as u32).to_be_bytes()
        {
            return None;
        }
        rest[8..].try_into().ok()
    }

    /// The key name in a raw AES keyring's provider info (the name, then a
    /// 128-bit tag length, a 12-byte IV length and the IV), to name a key in
    /// a message; `None` for provider info of another shape.
    pub fn key_name_in(info: &[u8]) -> Option<&[u8]> {
        let name_len = info.len().checked_sub(8 + IV_LEN)?;
        let (name, rest) = info.split_at(name_len);
        (rest[..4] == TAG_BITS.to_be_bytes() && rest[4..8] == (IV_LEN as u32).to_be_bytes()).then_some(name)
    }

    /// Whether `key` names this keyring's wrapping key.
    pub fn is_for(&self, key: &EncryptedDataKey) -> bool {
        self.iv_of(key).is_some()
    }

    /// The data key of `key`, if this keyring made it for a message with
    /// this `context`; `None` when it is another keyring's, or was changed.
    pub fn unwrap(&self, key: &EncryptedDataKey, context: &BTreeMap<String, String>) -> Option<Zeroizing<Vec<u8>>> {
        let iv = self.iv_of(key)?;
        let aad = serialize_context(context).ok()?;
        let split = key.ciphertext.len().checked_sub(TAG_LEN)?;
        let (sealed, tag) = key.ciphertext.split_at(split);
        let tag: [u8; TAG_LEN] = tag.try_into().ok()?;
        let mut data_key = Zeroizing::new(sealed.to_vec());
        self.cipher.open(&iv, &aad, &mut data_key, &tag).then_some(data_key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn context() -> BTreeMap<String, String> {
        BTreeMap::from([("purpose".to_owned(), "test".to_owned())])
    }

    #[test]
    fn the_key_name_is_read_back_from_provider_info_and_nothing_else_is_taken_for_one() {
        let keyring = RawAesKeyring::new("ns", "AES_256_012", &[7; 32]).unwrap();
        let wrapped = keyring.wrap(&[1; 32], &context()).unwrap();
        assert_eq!(
            RawAesKeyring::key_name_in(&wrapped.provider_info),
            Some(&b"AES_256_012"[..])
        );
        assert_eq!(RawAesKeyring::key_name_in(b"rsa-key-name"), None);
        assert_eq!(RawAesKeyring::key_name_in(&[0; 20]), None);
    }

    #[test]
    fn a_wrapped_data_key_carries_the_key_name_tag_length_and_iv_as_provider_info() {
        let keyring = RawAesKeyring::new("HSM_01", "AES_256_012", &[7; 32]).unwrap();
        let wrapped = keyring.wrap(&[1; 32], &context()).unwrap();
        assert_eq!(wrapped.provider_id, "HSM_01");
        assert_eq!(&wrapped.provider_info[..11], b"AES_256_012");
        assert_eq!(&wrapped.provider_info[11..19], &[0, 0, 0, 128, 0, 0, 0, 12]);
        assert_eq!(wrapped.provider_info.len(), 11 + 8 + 12);
        assert_eq!(wrapped.ciphertext.len(), 32 + 16);
        assert_eq!(&keyring.unwrap(&wrapped, &context()).unwrap()[..], &[1; 32]);
    }

    /// The raw AES keyring vectors of the AWS Encryption SDK for C
    /// (Apache-2.0, notice in the file; `tests/data/README.md`): 256-, 192-
    /// and 128-bit wrapping keys, with empty, non-ASCII and plain contexts.
    #[test]
    fn the_c_sdk_raw_aes_vectors_unwrap_to_their_data_keys() {
        use crate::crypto::esdk::tests::unhex;
        #[derive(serde::Deserialize)]
        struct File {
            raw_aes: Aes,
        }
        #[derive(serde::Deserialize)]
        struct Aes {
            key_name: String,
            key_namespace: String,
            wrapping_key: String,
            vectors: Vec<Vector>,
        }
        #[derive(serde::Deserialize)]
        struct Vector {
            wrapping_key_length: usize,
            data_key: String,
            iv: String,
            encrypted_data_key: String,
            encryption_context: BTreeMap<String, String>,
        }
        let file: File =
            serde_json::from_str(include_str!("../../../tests/data/esdk/c-sdk-raw-keyrings.json")).unwrap();
        let c = file.raw_aes;
        assert_eq!(c.vectors.len(), 3);
        for vector in &c.vectors {
            let key = &unhex(&c.wrapping_key)[..vector.wrapping_key_length];
            let keyring = RawAesKeyring::new(&c.key_namespace, &c.key_name, key).unwrap();
            let mut info = c.key_name.as_bytes().to_vec();
            info.extend_from_slice(&[0, 0, 0, 128, 0, 0, 0, 12]);
            info.extend_from_slice(&unhex(&vector.iv));
            let encrypted = EncryptedDataKey {
                provider_id: c.key_namespace.clone(),
                provider_info: info,
                ciphertext: unhex(&vector.encrypted_data_key),
            };
            let data_key = keyring.unwrap(&encrypted, &vector.encryption_context);
            assert_eq!(
                data_key.as_deref().map(Vec::as_slice),
                Some(unhex(&vector.data_key).as_slice())
            );
        }
    }

    #[test]
    fn unwrapping_needs_the_same_context_names_and_key() {
        let keyring = RawAesKeyring::new("ns", "name", &[7; 16]).unwrap();
        let wrapped = keyring.wrap(&[1; 32], &context()).unwrap();
        assert!(keyring.unwrap(&wrapped, &BTreeMap::new()).is_none());
        let other_name = RawAesKeyring::new("ns", "other", &[7; 16]).unwrap();
        assert!(other_name.unwrap(&wrapped, &context()).is_none());
        let other_key = RawAesKeyring::new("ns", "name", &[8; 16]).unwrap();
        assert!(other_key.unwrap(&wrapped, &context()).is_none());
        let mut flipped = wrapped.clone();
        flipped.ciphertext[0] ^= 1;
        assert!(keyring.unwrap(&flipped, &context()).is_none());
    }

    #[test]
    fn bad_keys_and_names_are_refused_with_the_reason() {
        assert!(matches!(
            RawAesKeyring::new("ns", "n", &[0; 20]),
            Err(RawKeyError::KeyLength(20))
        ));
        assert!(matches!(
            RawAesKeyring::new("aws-kms", "n", &[0; 32]),
            Err(RawKeyError::ReservedNamespace)
        ));
        assert!(matches!(
            RawAesKeyring::new("", "n", &[0; 32]),
            Err(RawKeyError::EmptyName("namespace"))
        ));
        assert!(!format!("{:?}", RawAesKeyring::new("ns", "n", &[0x41; 32]).unwrap()).contains("AAAA"));
    }
}
