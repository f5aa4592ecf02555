//! Key material wrapped under the root key: a ciphertext blob of
//! [`crypto::seal`] whose encryption context binds the key id and the
//! material id, so a wrapped material opens only in the row it was written
//! to and cannot be moved to another key or version. An external key store
//! proxy's secret access key is wrapped the same way, bound to its store,
//! and an import token's wrapping private key, bound to the token's hash and
//! its key.

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

/// Opens a blob sealed under `root` with `context`.
fn open(
    root: &RootKey,
    wrapped: &[u8],
    context: &BTreeMap<String, String>,
) -> Result<zeroize::Zeroizing<Vec<u8>>, Unwrap> {
    let header = crypto::peek(wrapped).map_err(|_| Unwrap::Invalid)?;
    if header.key_id != ROOT_KEY_ID {
        return Err(Unwrap::Invalid);
    }
    if header.material_id != root.id {
        return Err(Unwrap::OtherRootKey);
    }
    crypto::open(wrapped, &root.material, context).map_err(|_| Unwrap::Invalid)
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
    let plain = open(root, wrapped, &context(key_id, material_id))?;
    // 32 bytes for a symmetric key; an HMAC secret or a PKCS#8 private key
    // for the other kinds. Which one the key row's spec says, and the
    // runtime checks it when it reads the key.
    if plain.is_empty() {
        return Err(Unwrap::Invalid);
    }
    Ok(KeyMaterial::from_secret(plain))
}

/// The context of a custom key store's proxy secret.
fn secret_context(store_id: &str) -> BTreeMap<String, String> {
    BTreeMap::from([
        ("keyward:custom-key-store-id".to_owned(), store_id.to_owned()),
        (
            "keyward:secret".to_owned(),
            "XksProxyAuthenticationCredential".to_owned(),
        ),
    ])
}

/// Wraps an external key store proxy's secret access key for store
/// `store_id`; `None` only if sealing refuses the fixed root key id.
pub(super) fn wrap_secret(root: &RootKey, store_id: &str, secret: &[u8]) -> Option<Vec<u8>> {
    crypto::seal(&root.material, root.id, ROOT_KEY_ID, secret, &secret_context(store_id))
}

/// The secret [`wrap_secret`] wrapped for `store_id`.
pub(super) fn unwrap_secret(
    root: &RootKey,
    store_id: &str,
    wrapped: &[u8],
) -> Result<zeroize::Zeroizing<Vec<u8>>, Unwrap> {
    open(root, wrapped, &secret_context(store_id))
}

/// The context of an import token's wrapping private key.
fn import_context(token_hash: &str, key_arn: &str) -> BTreeMap<String, String> {
    BTreeMap::from([
        ("keyward:import-token-hash".to_owned(), token_hash.to_owned()),
        ("keyward:key-arn".to_owned(), key_arn.to_owned()),
    ])
}

/// Wraps an import token's private key (PKCS#8 DER); `None` only if
/// sealing refuses the fixed root key id.
pub(super) fn wrap_import_key(
    root: &RootKey,
    token_hash: &str,
    key_arn: &str,
    private_key: &KeyMaterial,
) -> Option<Vec<u8>> {
    crypto::seal(
        &root.material,
        root.id,
        ROOT_KEY_ID,
        private_key.expose_secret(),
        &import_context(token_hash, key_arn),
    )
}

/// The private key [`wrap_import_key`] wrapped for this token and key.
pub(super) fn unwrap_import_key(
    root: &RootKey,
    token_hash: &str,
    key_arn: &str,
    wrapped: &[u8],
) -> Result<zeroize::Zeroizing<Vec<u8>>, Unwrap> {
    open(root, wrapped, &import_context(token_hash, key_arn))
}
