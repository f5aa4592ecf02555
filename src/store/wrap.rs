//! Key material wrapped under the root key: a ciphertext blob of
//! [`crypto::seal`] whose encryption context binds the key id and the
//! material id, so a wrapped material opens only in the row it was written
//! to and cannot be moved to another key or version.

use std::collections::BTreeMap;

use super::root_key::RootKey;
use crate::crypto::{self, KeyMaterial, MaterialId};

/// The key id the wrapped blobs carry in their header.
pub(super) const ROOT_KEY_ID: &str = "keyward-root";

/// Why a wrapped material did not open (said without any secret).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Unwrap {
    /// Sealed under another root key.
    OtherRootKey,
    /// Changed, moved, or not a wrapped material at all.
    Invalid,
}

fn context(key_id: &str, material_id: &MaterialId) -> BTreeMap<String, String> {
    BTreeMap::from([
        ("keyward:key-id".to_owned(), key_id.to_owned()),
        ("keyward:material-id".to_owned(), material_id.to_string()),
    ])
}

/// `None` only if sealing refuses the root key id, which is a fixed valid one.
pub(super) fn wrap(root: &RootKey, key_id: &str, material_id: &MaterialId, material: &KeyMaterial) -> Option<Vec<u8>> {
    crypto::seal(
        &root.material,
        root.id,
        ROOT_KEY_ID,
        material.expose_for_wrapping().as_slice(),
        &context(key_id, material_id),
    )
}

pub(super) fn unwrap(
    root: &RootKey,
    key_id: &str,
    material_id: &MaterialId,
    wrapped: &[u8],
) -> Result<KeyMaterial, Unwrap> {
    let header = crypto::peek(wrapped).map_err(|_| Unwrap::Invalid)?;
    if header.key_id != ROOT_KEY_ID {
        return Err(Unwrap::Invalid);
    }
    if header.material_id != root.id {
        return Err(Unwrap::OtherRootKey);
    }
    let plain = crypto::open(wrapped, &root.material, &context(key_id, material_id)).map_err(|_| Unwrap::Invalid)?;
    // 32 bytes for a symmetric key; an HMAC secret or a PKCS#8 private key
    // for the other kinds. Which one the key row's spec says, and the
    // runtime checks it when it reads the key.
    if plain.is_empty() {
        return Err(Unwrap::Invalid);
    }
    Ok(KeyMaterial::from_secret(plain))
}
