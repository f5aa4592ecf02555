//! Key material and its id. Material is secret bytes in a buffer that is
//! zeroized on drop and never printed: 32 random bytes for a symmetric key,
//! the secret of an HMAC key, or a private key as PKCS#8 DER. Its id is 32
//! random bytes shown as the 64 hex characters AWS reports as `KeyMaterialId`.

use std::fmt;

use zeroize::Zeroizing;

/// The secret of one version of a key: 256 bits for a symmetric key (the
/// only material a blob is sealed under), or the encoded secret of another
/// key kind ([`KeyMaterial::from_secret`]).
#[derive(Clone)]
pub struct KeyMaterial(Zeroizing<Vec<u8>>);

impl KeyMaterial {
    /// Fresh 256-bit material from the operating system's random source.
    pub fn generate() -> KeyMaterial {
        KeyMaterial(random_bytes(32))
    }

    pub fn from_bytes(bytes: [u8; 32]) -> KeyMaterial {
        KeyMaterial(Zeroizing::new(bytes.to_vec()))
    }

    /// The material of another key kind: an HMAC secret or a private key as
    /// PKCS#8 DER (`crypto::keys`), kept and wrapped like any material.
    pub fn from_secret(secret: Zeroizing<Vec<u8>>) -> KeyMaterial {
        KeyMaterial(secret)
    }

    pub(super) fn expose(&self) -> &[u8] {
        &self.0
    }

    /// The secret of an HMAC or asymmetric key, for `crypto::keys` to read
    /// back; nothing else should read it.
    pub fn expose_secret(&self) -> &[u8] {
        &self.0
    }

    /// The raw bytes, for a store to wrap under its root key before writing;
    /// nothing else should read them.
    pub fn expose_for_wrapping(&self) -> Zeroizing<Vec<u8>> {
        self.0.clone()
    }
}

impl fmt::Debug for KeyMaterial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("KeyMaterial([REDACTED])")
    }
}

/// Which version of a key's material sealed a blob (`KeyMaterialId`).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct MaterialId(pub [u8; 32]);

impl MaterialId {
    pub fn generate() -> MaterialId {
        let mut bytes = [0u8; 32];
        fill(&mut bytes);
        MaterialId(bytes)
    }
}

impl fmt::Display for MaterialId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex(&self.0))
    }
}

impl fmt::Debug for MaterialId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MaterialId({self})")
    }
}

/// Fills `out` from the operating system's random source. Without one the
/// process cannot do cryptography safely, so it stops rather than continue.
fn fill(out: &mut [u8]) {
    if let Err(e) = getrandom::fill(out) {
        panic!("the operating system's random source failed: {e}");
    }
}

/// `n` random bytes (for `GenerateRandom`, data keys, salts and nonces).
pub fn random_bytes(n: usize) -> Zeroizing<Vec<u8>> {
    let mut bytes = Zeroizing::new(vec![0u8; n]);
    fill(&mut bytes);
    bytes
}

/// `bytes` as lowercase hex.
pub fn hex(bytes: &[u8]) -> String {
    base16ct::lower::encode_string(bytes)
}

/// A random version-4 UUID (`xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx`), the
/// form of KMS key ids and request ids.
pub fn random_uuid() -> String {
    let mut b = random_bytes(16);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex = hex(&b);
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}
