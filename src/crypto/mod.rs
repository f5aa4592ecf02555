//! Cryptography, knowing nothing of policies: key material that zeroizes
//! itself, the canonical encoding of encryption contexts, the ciphertext
//! blob (format version 1) that `Encrypt` returns and `Decrypt` opens, and
//! the streaming envelope format of `encrypt-file` ([`envelope`]), and every
//! other KMS key kind, RSA, elliptic-curve, Ed25519, SM2, HMAC, ML-DSA and
//! ML-KEM keys ([`keys`]).
//!
//! # Security notes
//! - **What is authenticated.** A blob is AES-256-GCM over the plaintext,
//!   with the blob's whole header (format, key id, key-material id, salt,
//!   nonce) and the canonical encryption context as additional data. Any
//!   change to the header, the body, the tag or the context fails, with one
//!   opaque error that does not say which check failed.
//! - **Keys and nonces.** Each blob has its own AES-256 key, derived with
//!   HKDF-SHA256 from the key material and a random 16-byte salt, and a random
//!   12-byte nonce. A fresh key per call means the GCM limit on random nonces
//!   under one key (about 2^32 messages) does not bound how often a key
//!   material version can be used.
//! - **The encryption context** is encoded injectively: pairs sorted by key,
//!   each key and value length-prefixed, so `{"ab":"c"}` and `{"a":"bc"}`
//!   differ. It is bound, not stored: decryption must supply it again.
//! - **Zeroization.** Key material, derived keys and decrypted plaintexts
//!   live in `Zeroizing` buffers that are overwritten when dropped; `Debug`
//!   never prints them. Copies the compiler or the operating system makes
//!   (registers, swap) are outside what zeroization can reach.
//! - **Asymmetric and HMAC keys** ([`keys`]): private keys live in the
//!   crates' own types, which zeroize on drop, and leave them only as PKCS#8
//!   DER in a `Zeroizing` buffer; HMAC secrets are `Zeroizing`. Every failed
//!   signature, MAC or decryption check is one opaque error; MAC tags are
//!   compared in constant time. The arithmetic is RustCrypto's; whether it is
//!   constant-time is theirs to say (RSA decryption and signing are blinded).
//! - This code has not been audited.

mod blob;
mod blob_cipher;
mod context;
pub mod envelope;
pub mod esdk;
pub mod import;
pub mod keys;
mod material;

pub use blob::{
    inner_parts, is_double, join_inner, open, peek, seal, unwrap_outer, wrap_outer, Header, InvalidCiphertext,
    OuterLayer, DOUBLE_FORMAT_VERSION, FORMAT_VERSION, MAX_BLOB_BYTES,
};
pub use blob_cipher::BlobCipher;
pub use context::{canonical, decode_canonical};
pub use material::{hex, random_bytes, random_uuid, KeyMaterial, MaterialId};

#[cfg(test)]
mod tests;
